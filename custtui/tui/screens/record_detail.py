"""One record read whole: a communication record, a contact or a transaction, every field under its
Chinese label, wrapped to the width and scrollable (Enter on its row opens it, Esc closes)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ...core.records.present import Fields
from ..widgets.fit_table import Wrapped


def fields_grid(fields: Fields) -> Table:
    """Labels in bold on the left, values wrapped the way Chinese is read on the right."""
    grid = Table.grid(padding=(0, 2), expand=True)
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(ratio=1)
    for label, value in fields:
        grid.add_row(label, Wrapped(value))
    return grid


class RecordDetailScreen(ModalScreen[int]):
    """One of a table's records, titled, as a list of (label, value); ← and → (or p and n) show the
    previous and next record of the same table, Esc or Enter closes on the one shown (its index)."""

    DEFAULT_CLASSES = "dialog"
    BINDINGS = [
        Binding("escape,enter", "close", "关闭", id="detail.close"),
        Binding("left,p", "step(-1)", "上一条", priority=True, id="detail.previous"),
        Binding("right,n", "step(1)", "下一条", priority=True, id="detail.next"),
    ]
    DEFAULT_CSS = """
    RecordDetailScreen #record-fields { height: auto; max-height: 100%; }
    """

    def __init__(self, records: list[tuple[str, Fields]], shown: int = 0) -> None:
        super().__init__()
        self.records, self.shown = records, shown

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-body"):
            yield Static(id="record-title", classes="dialog-title")
            with VerticalScroll(id="record-fields"):
                yield Static(id="record-table")
            yield Static("← → 上一条/下一条 · ↑↓ 滚动 · Esc 关闭", classes="hint")

    def on_mount(self) -> None:
        self._show()
        self.query_one("#record-fields").focus()

    def _show(self) -> None:
        title, fields = self.records[self.shown]
        where = f"  ({self.shown + 1}/{len(self.records)})" if len(self.records) > 1 else ""
        self.query_one("#record-title", Static).update(Text(title + where))
        self.query_one("#record-table", Static).update(fields_grid(fields))
        self.query_one("#record-fields", VerticalScroll).scroll_home(animate=False)

    def action_step(self, by: int) -> None:
        moved = self.shown + by
        if 0 <= moved < len(self.records):
            self.shown = moved
            self._show()
        else:
            self.notify("已是第一条" if by < 0 else "已是最后一条", timeout=2)

    def action_close(self) -> None:
        self.dismiss(self.shown)
