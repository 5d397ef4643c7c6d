"""What git itself must do in an archive so that another copy cannot be turned against it.

``install(store)`` (run by ``init``, ``clone``, ``sync``, ``serve`` and ``install-merge-driver``)
sets git's own checks: fsck of every object fetched or received (``.git`` spellings, ``..``, bad
modes, broken objects), no deleted or rewound branch at a hub; and installs two hooks that run
the incoming gate (``custtui.core.sync.gate``):

- ``pre-receive``: every push, before git moves the branch or updates a checked-out working
  tree (``receive.denyCurrentBranch=updateInstead``). The pusher is the person ``custtui serve``
  names in ``CUSTTUI_STAFF``.
- ``reference-transaction``: any other move of the branch by plain git (``git pull``, ``git
  merge``, ``git reset``), where git allows a hook to refuse it. custtui's own updates (already
  gated) pass ``CUSTTUI_GATED=1`` and skip it.

The hooks name this Python by its absolute path, like the merge driver, so they work outside a
virtual environment; if custtui is moved or removed, they fail and git refuses the update
(closed, not open).
"""

from __future__ import annotations

import os
import shlex
import stat
import sys

from ..base.layout import TOML_SUFFIX
from .repo import Store

SETTINGS = (
    ("transfer.fsckObjects", "true"),
    ("fetch.fsckObjects", "true"),
    ("receive.fsckObjects", "true"),
    ("receive.denyNonFastForwards", "true"),
    ("receive.denyDeletes", "true"),
)
MARK = "# installed by custtui: the incoming gate"
DRIVER = "custtui"  # the field-by-field merge of TOML records (custtui.core.sync.merge.run_driver)
ATTRIBUTE_LINE = f"*{TOML_SUFFIX} merge={DRIVER}"
HOOKS = {
    "pre-receive": "exec {python} -m custtui gate-hook push",
    # only a move of a branch asks Python; custtui's own updates say they were gated already
    "reference-transaction": (
        '[ "$1" = prepared ] || exit 0\n[ "$CUSTTUI_GATED" = 1 ] && exit 0\n'
        'updates=$(cat)\ncase "$updates" in *" refs/heads/"*|*" HEAD"*) ;; *) exit 0 ;; esac\n'
        'printf "%s\\n" "$updates" | {python} -m custtui gate-hook local'
    ),
}


def install(store: Store) -> None:
    """Set git's checks and write the gate's hooks (an older custtui's hooks are replaced; a hook
    someone else wrote is kept and reported by ``missing``)."""
    if not missing(store):
        return
    with store.lock("hooks"):  # concurrent syncs and sessions must not race on git's config lock
        _install(store)


def install_driver(store: Store) -> None:
    """Make plain ``git merge``/``git pull`` merge TOML records the way ``custtui sync`` does.

    The attribute goes to ``info/attributes`` (read by bare repositories as well, unversioned)
    and the driver to this repository's config, run by this Python so it works outside a venv.
    """
    command = f"{shlex.quote(sys.executable)} -m custtui merge-driver %O %A %B %P"
    store.git("config", f"merge.{DRIVER}.name", "custtui 字段级合并 (TOML 记录)")
    store.git("config", f"merge.{DRIVER}.driver", command)
    attributes = store.git_dir / "info" / "attributes"
    attributes.parent.mkdir(exist_ok=True)
    present = attributes.read_text("utf-8").splitlines() if attributes.exists() else []
    if ATTRIBUTE_LINE not in present:
        attributes.write_text("\n".join([*present, ATTRIBUTE_LINE]) + "\n", "utf-8")


def _install(store: Store) -> None:
    for key, value in SETTINGS:
        if not _set(store, key, value):
            store.git("config", key, value)
    folder = store.git_dir / "hooks"
    folder.mkdir(exist_ok=True)
    for name in HOOKS:
        path = folder / name
        if path.exists() and MARK not in path.read_text("utf-8", errors="replace"):
            continue  # someone else's hook: kept, and reported by missing()
        if not _current(path, name):
            temp = path.with_name(f".{name}.custtui-tmp")
            temp.write_text(_text(name), "utf-8")
            temp.chmod(0o755)
            os.replace(temp, path)


def _text(name: str) -> str:
    return f"#!/bin/sh\n{MARK}\n{HOOKS[name].format(python=shlex.quote(sys.executable))}\n"


def _current(path, name: str) -> bool:
    return (
        path.exists()
        and path.read_text("utf-8", errors="replace") == _text(name)
        and bool(path.stat().st_mode & stat.S_IXUSR)
    )


def _set(store: Store, key: str, value: str) -> bool:
    return str(store.config(*key.lower().split("."))).lower() == value


def missing(store: Store) -> list[str]:
    """What of ``install`` is not in place (a hook replaced by someone else, a setting changed)."""
    found = [f"git 设置 {key}={value}" for key, value in SETTINGS if not _set(store, key, value)]
    return found + [f"钩子 hooks/{name}" for name in HOOKS if not _current(store.git_dir / "hooks" / name, name)]
