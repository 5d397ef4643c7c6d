"""A command started from a script or over SSH loads only what it uses: reading a customer does not
load the search engine, the process pool of ``custtui check``, sync, the interface or GitPython (a
command that only reads asks git itself), and a search does not load pinyin's dictionaries for a
Chinese query (bench/bench_cli.py times them end to end)."""

from __future__ import annotations

import subprocess
import sys

import pytest

NEVER = {"textual", "tomlkit", "multiprocessing", "pypdf", "docx", "openpyxl", "pypinyin", "git", "gitdb"}
SEARCH_ENGINE = {"whoosh"}


def loaded(*args: str) -> tuple[set[str], str]:
    """The top-level packages the real command imports (as ``python -X importtime`` lists them),
    and what it printed."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "custtui", *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    names = (line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:"))
    return {name.split(".")[0] for name in names}, done.stdout


@pytest.mark.parametrize(
    "command, unused, shown",
    [
        (["show", "BJ-000001"], NEVER | SEARCH_ENGINE, "北京华信"),
        (["list"], NEVER | SEARCH_ENGINE, "BJ-000001"),
        (["log", "BJ-000001"], NEVER | SEARCH_ENGINE, "归档 BJ-000001"),
        pytest.param(["search", "华信"], NEVER, "BJ-000001", marks=pytest.mark.indexed),
    ],
)
def test_a_command_loads_only_what_it_uses(demo, command, unused, shown):
    found, output = loaded("--archive", str(demo.store.path), *command)
    assert shown in output  # the command ran and read the archive
    assert found & unused == set()


@pytest.mark.indexed
def test_an_edit_reindexes_with_the_readings_kept_at_the_build_not_pypinyin(demo):
    """The index keeps each character's pinyin once pypinyin read it, so re-indexing an edited
    customer needs no dictionary load, and the customer is still found by the pinyin of its name."""
    path = str(demo.store.path)
    found, output = loaded("--archive", path, "set", "BJ-000001", "address=北京市海淀区上地十街1号")
    assert "已保存" in output
    assert "pypinyin" not in found and "textual" not in found
    found, output = loaded("--archive", path, "search", "huaxinjixie")
    assert output.splitlines()[0].split()[0] == "BJ-000001", output
