"""A virtualised customer list: renders only the visible rows, so 100k customers cost nothing to show.

Textual's DataTable builds every row up front (about 17 s for 100k here); this draws lines on
demand from the list of summaries and formats a row only when it scrolls into view.
"""

from __future__ import annotations

from typing import Callable

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...core.index.listing import Summary
from ...core.tasks.browse import sort_customers

Formatter = Callable[[Summary, str], str]

COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("id", "编号", 10),
    ("name", "名称", 0),
    ("stage", "阶段", 12),
    ("status", "状态", 8),
    ("industry", "行业", 14),
    ("region", "地域", 16),
    ("owner", "负责人", 8),
)
DROP_FIRST = ("region", "owner", "industry", "status", "stage")  # which columns give way on a narrow terminal
NAME_MIN = 24  # twelve Chinese characters: most names whole before another column is shown
BADGE = "⚠"  # before the name of a customer with open sync conflicts, with their count


def badge(summary: Summary) -> str:
    """``⚠2 `` for a customer whose record holds two open conflicts, else ""."""
    count = summary.get("conflicts")
    return f"{BADGE}{count} " if count else ""


def fit(text: str, width: int) -> str:
    """``text`` padded or cut to exactly ``width`` terminal cells (double-width safe, … when cut)."""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…" if width > 1 else set_cell_size(text, width)


class CustomerTable(ScrollView, can_focus=True):
    """Customers under the chosen tree node; Enter or a click opens one."""

    BINDINGS = [
        Binding("up,k", "move(-1)", "上", show=False, id="table.up"),
        Binding("down,j", "move(1)", "下", show=False, id="table.down"),
        Binding("pageup", "page(-1)", "上一页", show=False, id="table.page_up"),
        Binding("pagedown", "page(1)", "下一页", show=False, id="table.page_down"),
        Binding("home", "jump(0)", "第一行", show=False, id="table.first"),
        Binding("end", "jump(-1)", "最后一行", show=False, id="table.last"),
        Binding("s", "cycle_sort", "排序", id="table.sort"),
        Binding("r", "reverse_sort", "倒序", show=False, id="table.reverse"),
    ]
    DEFAULT_CSS = """
    CustomerTable { height: 1fr; }
    """
    COMPONENT_CLASSES = {
        "customer-table--header",
        "customer-table--cursor",
        "customer-table--dim",
        "customer-table--conflict",
    }

    cursor = reactive(0, always_update=True)

    class Highlighted(Message):
        """The cursor moved to a customer."""

        def __init__(self, summary: Summary) -> None:
            super().__init__()
            self.summary = summary

    class Chosen(Highlighted):
        """Enter or a click on a customer."""

    def __init__(self, format_cell: Formatter, **kwargs) -> None:
        super().__init__(**kwargs)
        self.format_cell = format_cell
        self.rows: list[Summary] = []
        self.sort_column, self.sort_reverse = "id", False
        self._cells: dict[int, dict[str, str]] = {}

    # --- data ----------------------------------------------------------------------------

    def set_rows(self, rows: list[Summary], keep: str | None = None) -> None:
        """Show these customers (sorted by the current column); keep the cursor on ``keep`` if listed."""
        self.rows = sort_customers(rows, self.sort_column, self.sort_reverse)
        self._cells.clear()
        self.virtual_size = Size(0, len(self.rows) + 1)
        index = next((i for i, s in enumerate(self.rows) if s.get("id") == keep), 0) if keep else 0
        self.scroll_to(y=0, animate=False)
        self.cursor = index
        self.refresh()

    @property
    def current(self) -> Summary | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def select_id(self, customer_id: str) -> bool:
        """Move the cursor to a customer; False when it is not in this list."""
        for i, summary in enumerate(self.rows):
            if summary.get("id") == customer_id:
                self.cursor = i
                return True
        return False

    # --- drawing -------------------------------------------------------------------------

    def columns(self) -> list[tuple[str, str, int]]:
        """The columns that fit the width (the name takes what is left), each with its width."""
        room = self.scrollable_content_region.width  # not under the scrollbar
        shown = list(COLUMNS)
        for key in DROP_FIRST:
            if sum(w + 1 for _, _, w in shown) + NAME_MIN <= room:
                break
            shown = [c for c in shown if c[0] != key]
        name = max(NAME_MIN, room - sum(w + 1 for _, _, w in shown))
        return [(key, label, width or name) for key, label, width in shown]

    def _line(
        self, cells: list[str], widths: list[int], style: Style, keys: list[str] | None = None, marker: str = ""
    ) -> Strip:
        """One row; ``marker`` (the conflict badge) is drawn in its own colour at the start of the name."""
        if not marker or keys is None or "name" not in keys:
            text = " ".join(fit(cell, width) for cell, width in zip(cells, widths, strict=True))
            return Strip([Segment(text, style)]).crop_extend(0, self.size.width, style)
        at = keys.index("name")
        marker = fit(marker, min(cell_len(marker), widths[at]))
        before = "".join(fit(cell, width) + " " for cell, width in zip(cells[:at], widths[:at], strict=True))
        name = fit(cells[at], widths[at] - cell_len(marker))
        after = "".join(" " + fit(cell, width) for cell, width in zip(cells[at + 1 :], widths[at + 1 :], strict=True))
        flagged = style + self.get_component_rich_style("customer-table--conflict", partial=True)
        segments = [Segment(before, style), Segment(marker, flagged), Segment(name + after, style)]
        return Strip(segments).crop_extend(0, self.size.width, style)

    def render_line(self, y: int) -> Strip:
        base = self.rich_style
        columns = self.columns()
        widths = [width for _, _, width in columns]
        if y == 0:
            cells = [
                label + (("▼" if self.sort_reverse else "▲") if key == self.sort_column else "")
                for key, label, _ in columns
            ]
            return self._line(cells, widths, base + self.get_component_rich_style("customer-table--header"))
        index = int(self.scroll_offset.y) + y - 1
        if index >= len(self.rows):
            return Strip.blank(self.size.width, base)
        row = self._cells.get(index)
        if row is None:
            row = {key: self.format_cell(self.rows[index], key) for key, _, _ in COLUMNS}
            row[BADGE] = badge(self.rows[index])
            if len(self._cells) > 2000:
                self._cells.clear()
            self._cells[index] = row
        style = base
        if index == self.cursor:
            style = base + self.get_component_rich_style("customer-table--cursor")
        keys = [key for key, _, _ in columns]
        return self._line([row[key] for key in keys], widths, style, keys, row[BADGE])

    # --- moving --------------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        if not self.rows:
            return
        clamped = max(0, min(new, len(self.rows) - 1))
        if clamped != new:
            self.cursor = clamped
            return
        self.reveal_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self.rows[new]))

    def reveal_cursor(self) -> None:
        """Scroll so the cursor row is visible (again after the table was hidden under a dialog)."""
        top, visible = int(self.scroll_offset.y), max(1, self.size.height - 1)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False)

    def action_move(self, step: int) -> None:
        self.cursor += step

    def action_page(self, direction: int) -> None:
        self.cursor += direction * max(1, self.size.height - 2)

    def action_jump(self, where: int) -> None:
        self.cursor = 0 if where == 0 else len(self.rows) - 1

    def action_cycle_sort(self) -> None:
        keys = [key for key, _, _ in COLUMNS]
        self.sort_column = keys[(keys.index(self.sort_column) + 1) % len(keys)]
        self._resort()

    def action_reverse_sort(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self._resort()

    def _resort(self) -> None:
        current = self.current
        self.set_rows(self.rows, keep=current.get("id") if current else None)

    def key_enter(self) -> None:
        if self.current is not None:
            self.post_message(self.Chosen(self.current))

    def on_click(self, event: Click) -> None:
        if event.y == 0:
            return
        index = int(self.scroll_offset.y) + event.y - 1
        if 0 <= index < len(self.rows):
            self.cursor = index
            self.post_message(self.Chosen(self.rows[index]))
