"""The two baseline apps of ``bench/bench_tui.py``, each run as its own process in a tmux pane.

    python bench/tui_baselines.py floor
    python bench/tui_baselines.py naive ARCHIVE

``floor``: the least a Textual app costs (import Textual, start, draw one line, quit on q).
``naive``: what the issue calls naive: Textual's ``DataTable`` filled with every customer and a plain
``Tree`` with every customer as a leaf under its customer type, fed from the archive's warm listing.
Both show what ``bench_tui.py`` waits for (``全部客户 N``, a type with its count, the first rows) and
quit on q, like custtui.
"""

from __future__ import annotations

import sys
from pathlib import Path

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Static

READY = "就绪"


class Floor(App):
    BINDINGS = [Binding("q", "quit", "退出")]

    def compose(self) -> ComposeResult:
        yield Static(READY)


class Naive(App):
    BINDINGS = [Binding("q", "quit", "退出")]
    COLUMNS = ("id", "name", "stage", "status", "industry", "region", "owner")

    def __init__(self, archive: Path) -> None:
        super().__init__()
        self.archive = archive

    def compose(self) -> ComposeResult:
        from textual.containers import Horizontal
        from textual.widgets import DataTable, Tree

        with Horizontal():
            yield Tree("全部客户", id="tree")
            yield DataTable(id="table", cursor_type="row")

    def on_mount(self) -> None:
        from textual.widgets import DataTable, Tree

        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from custtui.core.archive.archive import Archive

        archive = Archive(self.archive)
        listing = archive.customers()
        archive.close()
        table = self.query_one(DataTable)
        table.add_columns(*self.COLUMNS)
        table.add_rows([tuple(str(s.get(key) or "") for key in self.COLUMNS) for s in listing.values()])
        tree: Tree = self.query_one(Tree)
        tree.root.set_label(f"全部客户 {len(listing)}")
        groups: dict[str, list[str]] = {}
        for s in listing.values():
            groups.setdefault(s.get("type") or "", []).append(f"{s.get('id')} {s.get('name')}")
        labels = {"enterprise": "企业客户", "individual": "个人客户"}
        for kind, leaves in sorted(groups.items(), key=lambda item: -len(item[1])):
            branch = tree.root.add(f"{labels.get(kind, kind)} {len(leaves)}")
            for leaf in leaves:
                branch.add_leaf(leaf)
        tree.root.expand()


if __name__ == "__main__":
    app = Floor() if sys.argv[1] == "floor" else Naive(Path(sys.argv[2]))
    app.run()
