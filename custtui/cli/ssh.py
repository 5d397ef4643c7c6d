"""Staff over SSH: the ``authorized_keys`` lines, the forced-command entry point, the access log."""

from __future__ import annotations


def add_commands(command) -> None:
    """Register this module's subcommands with ``command(name, func, help) -> parser``."""
