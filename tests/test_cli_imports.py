"""A command started from a script or over SSH loads only what it uses: reading a customer does not
load the search engine, the process pool of ``custtui check``, sync or the interface, and a search
does not load pinyin's dictionaries for a Chinese query (bench/bench_cli.py times them end to end)."""

from __future__ import annotations

import subprocess
import sys

import pytest

NEVER = {"textual", "tomlkit", "multiprocessing", "pypdf", "docx", "openpyxl", "pypinyin"}
SEARCH_ENGINE = {"whoosh"}


def loaded(*args: str) -> set[str]:
    """The top-level packages the real command imports (as ``python -X importtime`` lists them)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "custtui", *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    names = (line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:"))
    return {name.split(".")[0] for name in names}


@pytest.mark.parametrize(
    "command, unused",
    [
        (["show", "BJ-000001"], NEVER | SEARCH_ENGINE),
        (["list"], NEVER | SEARCH_ENGINE),
        (["log", "BJ-000001"], NEVER | SEARCH_ENGINE),
        pytest.param(["search", "华信"], NEVER, marks=pytest.mark.indexed),
    ],
)
def test_a_command_loads_only_what_it_uses(demo, command, unused):
    found = loaded("--archive", str(demo.store.path), *command)
    assert "custtui" in found and "git" in found  # the command ran and read the archive
    assert found & unused == set()
