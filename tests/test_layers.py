"""The core's folders are its layers: a module imports only from its own folder and the folders
below it, and no chain of imports comes back to where it started. Every import counts, also one
inside a function or under ``TYPE_CHECKING``: a loop hidden there is still a loop."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "custtui"
CORE = PACKAGE / "core"
# lowest first; folders on one line are side by side and may not import each other
LAYERS = [
    {"base"},  # errors, the archive layout, bounded TOML reading
    {"store"},  # git: objects, compare-and-swap, work tree, hooks
    {"vault"},  # sealed envelopes, the key store beside the history, the keys this copy holds
    {"records"},  # the classification standard, records, validation, names
    {"index", "access"},  # listing cache and search | policy, rights, staff registry, access log
    {"privacy"},  # who may read what: audiences, sealing by the policy, erasure
    {"archive"},  # the archive's operations: read, change, check, sign, register staff
    {"sync"},  # merge, the incoming gate, sync, reconciling duplicates
    {"tasks"},  # what people do: one person's view, intake, review, audit, profiles, the demo
]
RANK = {folder: rank for rank, folders in enumerate(LAYERS) for folder in folders}


def module_name(file: Path) -> str:
    parts = file.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(file: Path, text: str | None = None) -> set[str]:
    """Every custtui module ``file`` (or ``text`` in its place) imports, relative imports
    resolved, ``from P import m`` counted as the module ``P.m`` when ``m`` is one."""
    here = module_name(file).split(".")
    package = here if file.name == "__init__.py" else here[:-1]
    known = modules()
    found = set()
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8") if text is None else text)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in known else base)
    return {name for name in found if name.split(".")[0] == "custtui"}


def modules() -> dict[str, Path]:
    return {module_name(file): file for file in PACKAGE.rglob("*.py")}


def core_graph() -> dict[str, set[str]]:
    known = modules()
    return {
        name: {m for m in imports_of(file) if m.startswith("custtui.core.") and m in known}
        for name, file in known.items()
        if name.startswith("custtui.core.")
    }


def folder(module: str) -> str:
    return module.split(".")[2]


def test_every_core_module_lives_in_a_layer():
    loose = [f.name for f in CORE.glob("*.py") if f.name != "__init__.py"]
    folders = {p.name for p in CORE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert loose == [], "a module directly under core/ belongs to no layer"
    assert folders == set(RANK), "every folder of core/ has its place in LAYERS"


def test_imports_go_down_the_layers_only():
    wrong = []
    for module, targets in core_graph().items():
        for target in targets:
            source_folder, target_folder = folder(module), folder(target)
            if target_folder != source_folder and RANK[target_folder] >= RANK[source_folder]:
                wrong.append(f"{module} -> {target}")
    assert wrong == []


def test_the_core_imports_neither_front_end():
    front = [f"{m} -> {t}" for m, f in modules().items() if m.startswith("custtui.core") for t in imports_of(f)]
    assert [line for line in front if " -> custtui.cli" in line or " -> custtui.tui" in line] == []


def test_no_import_loop_in_the_core():
    graph = core_graph()
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    loops = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                loops.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert loops == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from ..store.repo import Store\n", "custtui.core.store.repo"),
        ("from ..access import registry\n", "custtui.core.access.registry"),
        ("def f():\n    from .archive import Archive\n", "custtui.core.archive.archive"),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..tasks.view import x\n",
            "custtui.core.tasks.view",
        ),
    ],
)
def test_the_checker_sees_every_kind_of_import(source, expected):
    """The rules above are only as good as the import reader: it must resolve each spelling."""
    assert expected in imports_of(CORE / "archive" / "check.py", source)
