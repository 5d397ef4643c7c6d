"""A table that fits its width: columns share it by weight, the least needed give way on a narrow
terminal, and every cell is cut after a whole word with … (the full text stays in the cell)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text
from textual.events import Resize
from textual.widgets import DataTable

# a cut may follow these: spaces and the punctuation of Chinese and English text
BREAK_AFTER = set(" \t,.;:!?)]}/、，。；：！？）】」』》…·")
KEEP_AT_LEAST = 0.6  # a cut at a word boundary keeps at least this share of the width


def _word_char(char: str) -> bool:
    """A character of a Latin word or a number (cutting inside one is cutting mid-word)."""
    return char.isascii() and (char.isalnum() or char in "-_@.+")


def cut_point(plain: str, width: int) -> int:
    """Where to cut ``plain`` so it fits ``width`` cells with … after it: after the last space or
    punctuation mark when that keeps most of the width, else between two characters that are
    not inside one Latin word or number, else at the width."""
    cells, end = 0, 0
    for char in plain:
        size = cell_len(char)
        if cells + size > width - 1:
            break
        cells += size
        end += 1
    floor = 0
    for index in range(end + 1):
        if cell_len(plain[:index]) >= (width - 1) * KEEP_AT_LEAST:
            floor = index
            break
    for index in range(end, max(floor, 1) - 1, -1):
        if plain[index - 1] in BREAK_AFTER or plain[index] == " ":
            return index
    for index in range(end, 0, -1):
        if not (_word_char(plain[index - 1]) and _word_char(plain[index])):
            return index
    return end


def clip(text: Text, width: int) -> Text:
    """``text`` on one line of at most ``width`` cells, cut at a word boundary with …"""
    more = "\n" in text.plain  # only the first line is shown, … says there is more
    first = text.split("\n")[0] if more else text
    if first.cell_len <= width - more:
        return first + Text("…", style="dim") if more else first
    if width <= 1:
        return Text("…"[:width])
    cut = first[: cut_point(first.plain, width)]
    trailing = len(cut.plain) - len(cut.plain.rstrip(" ,，、;；:："))
    if trailing:
        cut.right_crop(trailing)
    return cut + Text("…", style="dim")


NO_LINE_START = set("，。、；：！？）】」』》…,.;:!?)")  # punctuation that never begins a line


def line_ends(plain: str, width: int) -> list[int]:
    """Where each line of ``plain`` ends when wrapped to ``width`` cells: Chinese text between any
    two characters (it has no spaces between words), never inside a Latin word or a number, never
    before a closing punctuation mark; a hard line break always."""
    ends, start = [], 0
    while start < len(plain):
        cells, end, fits = 0, start, start
        while end < len(plain) and plain[end] != "\n":
            size = cell_len(plain[end])
            if cells + size > width:
                break
            cells += size
            end += 1
        if end < len(plain) and plain[end] != "\n":
            fits = end
            while end > start + 1 and (
                (_word_char(plain[end - 1]) and _word_char(plain[end])) or plain[end] in NO_LINE_START
            ):
                end -= 1
            if end == start + 1:
                end = fits  # one unbreakable run wider than the line: fold it
        ends.append(end)
        start = end + 1 if end < len(plain) and plain[end] == "\n" else end
        while start < len(plain) and plain[start] == " ":
            start += 1
    return ends


class Wrapped:
    """Text wrapped the way Chinese is read (see ``line_ends``), for a detail or a preview."""

    def __init__(self, text: str | Text) -> None:
        self.text = text if isinstance(text, Text) else Text(text)

    def __str__(self) -> str:
        return self.text.plain

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((cell_len(line) for line in self.text.plain.split("\n")), default=1)
        return Measurement(min(4, widest), widest)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        start, plain = 0, self.text.plain
        for end in line_ends(plain, max(1, options.max_width)):
            line = self.text[start:end]
            line.rstrip()
            line.no_wrap, line.overflow = True, "crop"
            yield line
            start = end + 1 if end < len(plain) and plain[end] == "\n" else end
            while start < len(plain) and plain[start] == " ":
                start += 1


class Clip:
    """A cell that shows as much of its text as fits its column; ``str()`` is the whole text.
    ``short`` is shown instead when the whole text does not fit and it does (a date without its
    time)."""

    def __init__(self, text: str | Text, short: str | None = None, justify: str = "left") -> None:
        self.text = text if isinstance(text, Text) else Text(text)
        self.short = short
        self.justify = justify

    def __str__(self) -> str:
        return self.text.plain

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(1, max(1, cell_len(self.text.plain.split("\n")[0])))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        text = self.text
        if "\n" in text.plain or text.cell_len > width:
            text = Text(self.short) if self.short and cell_len(self.short) <= width else clip(text, width)
        text = text.copy()
        text.no_wrap, text.overflow, text.justify = True, "crop", self.justify  # type: ignore[assignment]
        yield text


@dataclass(frozen=True)
class Col:
    """A column: ``width`` cells at least, growing by ``weight`` up to ``most`` (None: as wide as
    its longest cell); ``drop`` > 0 lets it give way when the table is too narrow, highest first
    (columns with the same ``drop`` go together). A ``whole`` column is either ``width`` or ``most``
    wide (a time, shown as its date when narrow)."""

    label: str
    width: int
    weight: int = 0
    most: int | None = None
    drop: int = 0
    whole: bool = False


def plan(columns: Sequence[Col], widest: Sequence[int], room: int, padding: int = 1) -> list[int]:
    """The width of each column in ``room`` cells (0: left out); ``widest`` is each column's
    longest cell. Columns that must give way go first, then the space left is shared by weight,
    and what no column can use goes to the heaviest."""
    shown = list(range(len(columns)))

    def needed() -> int:
        return sum(columns[i].width + 2 * padding for i in shown)

    for level in sorted({c.drop for c in columns if c.drop}, reverse=True):
        if needed() <= room:
            break
        shown = [i for i in shown if columns[i].drop != level]
    widths = [columns[i].width if i in shown else 0 for i in range(len(columns))]
    spare = room - needed()
    caps = [max(c.width, min(c.most or widest[i], widest[i])) for i, c in enumerate(columns)]
    for weighted in (True, False):
        while spare > 0:
            growing = [i for i in shown if widths[i] < caps[i] and (columns[i].weight > 0) == weighted]
            if not growing:
                break
            total = sum(columns[i].weight or 1 for i in growing)
            given = 0
            for i in growing:
                share = max(1, spare * (columns[i].weight or 1) // total)
                share = min(share, caps[i] - widths[i], spare - given)
                widths[i] += share
                given += share
            spare -= given
            if given == 0:
                break
    if not shown:
        return widths
    heaviest = max(shown, key=lambda i: columns[i].weight)
    widths[heaviest] += spare
    for i in shown:  # all or nothing: whole when the heaviest keeps twice its least, else the least
        if columns[i].whole and i != heaviest and widths[i] < caps[i]:
            widths[heaviest] += widths[i] - columns[i].width
            widths[i] = columns[i].width
            if widths[heaviest] - (caps[i] - widths[i]) >= 2 * columns[heaviest].width:
                widths[heaviest] -= caps[i] - widths[i]
                widths[i] = caps[i]
    return widths


class FitTable(DataTable):
    """A DataTable of whole rows laid out for its width again on every resize."""

    DEFAULT_CSS = """
    FitTable { scrollbar-size-horizontal: 0; }
    """

    def __init__(self, columns: Sequence[Col], **kwargs) -> None:
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)
        self.specs = list(columns)
        self.data_rows: list[tuple[str | None, list[Clip]]] = []
        self.widths: list[int] = []

    def on_mount(self) -> None:
        self._lay_out(force=True)

    def set_rows(self, rows: Sequence[tuple[str | None, Sequence[str | Text | Clip]]]) -> None:
        """Show these rows, each (key, cells), the cursor kept on the same row when it still exists."""
        self.data_rows = [(key, [c if isinstance(c, Clip) else Clip(c) for c in cells]) for key, cells in rows]
        self._lay_out(force=True)

    def row_cells(self, index: int) -> list[str]:
        """Every cell of a row as text, shown or not."""
        return [str(cell) for cell in self.data_rows[index][1]]

    @property
    def current_key(self) -> str | None:
        """The key of the row under the cursor."""
        if not self.data_rows or not 0 <= self.cursor_row < len(self.data_rows):
            return None
        return self.data_rows[self.cursor_row][0]

    def on_resize(self, event: Resize) -> None:
        self._lay_out()

    def _lay_out(self, force: bool = False) -> None:
        room = self.size.width - self.styles.scrollbar_size_vertical
        if room <= 0:
            room = 80
        widest = [
            max([cell_len(col.label)] + [cell_len(str(cells[i]).split("\n")[0]) for _, cells in self.data_rows])
            for i, col in enumerate(self.specs)
        ]
        widths = plan(self.specs, widest, room, self.cell_padding)
        if widths == self.widths and not force:
            return
        self.widths = widths
        row = self.cursor_row
        self.clear(columns=True)
        shown = [i for i, width in enumerate(widths) if width]
        for i in shown:
            self.add_column(self.specs[i].label, width=widths[i])
        for key, cells in self.data_rows:
            self.add_row(*(cells[i] for i in shown), key=key)
        if self.data_rows:
            self.move_cursor(row=min(max(row, 0), len(self.data_rows) - 1), animate=False)
