"""The ``custtui`` command's entry point. ``show``, ``search`` and ``set`` go to this person's
resident process when one runs (``resident.py``); everything else, and these when none runs, is run
here by ``main.py``. This module and the resident's client side import nothing Python has not
already loaded at start, so that handing a command over costs milliseconds."""

import os
import sys

# The commands scripts and shells run one after another, each waiting for the answer.
RESIDENT_COMMANDS = frozenset({"show", "search", "set"})


def typed_command(argv: list[str]) -> str | None:
    """The subcommand word of ``argv`` (after the global options and their values), or None when
    there is none or help was asked for before it."""
    words = iter(argv)
    for word in words:
        if word in ("-h", "--help"):
            return None
        if word in ("--archive", "--user"):
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def main() -> int:
    argv = sys.argv[1:]
    resident = None
    if typed_command(argv) in RESIDENT_COMMANDS and os.environ.get("CUSTTUI_RESIDENT", "1") != "0":
        from . import resident

        code = resident.hand_over(argv)
        if code is not None:
            return code
    from .main import main as run_here

    code = run_here(argv)
    if resident is not None:
        resident.start_in_background()
    return code
