"""Where key material lives: beside the history, never in it.

- ``KEYSTORE_REF``: the key store, a ref whose commit has no parent (each update replaces the
  last), so a destroyed key leaves the repository at the next ``custtui pack``.
- ``key_dir``: this copy's private identities, one file per key holder (``<staff id>.key``, an age
  secret key, mode 0600), inside the git directory: never committed, never synced.
"""

from __future__ import annotations

from pathlib import Path

KEYSTORE_REF = "refs/custtui/keys"
IDENTITY_SUFFIX = ".key"


def key_dir(store) -> Path:
    """``<git dir>/custtui/keys``: the identities this copy holds."""
    return Path(store.git_dir) / "custtui" / "keys"
