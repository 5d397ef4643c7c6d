"""The customer structure at a glance: counts by one or two dimensions, amounts when the policy
shows them, a bar chart, the change since a past date, and the table saved as XLSX."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from rich.text import Span, Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Checkbox, DataTable, Input, Select, Static, TabbedContent, TabPane
from textual.worker import get_current_worker
from textual_plotext import PlotextPlot

from ...core.base.errors import CusttuiError, FieldError
from ...core.records.validate import parse_date
from ...core.tasks import stats, tables
from ..widgets.footer import FittedFooter
from ..widgets.header import ChineseHeader

CHART_BARS = 12  # the largest groups drawn; the others are one bar, 其他
OTHERS = "其他"
WIDE_MARK = "\ue000"  # stands for the second cell of a Chinese character while plotext lays out


def _cells(label: str) -> str:
    """``label`` with a mark after each double-width character, so plotext (which counts one cell
    per character) leaves the room the terminal takes; ``CellPlot`` removes the marks."""
    return "".join(ch + WIDE_MARK if tables.width(ch) == 2 else ch for ch in label)


class CellPlot(PlotextPlot):
    """textual-plotext's plot with Chinese labels aligned: plotext lays text out a character per
    cell, so a label of 4 characters would push its row 4 cells right; each label is written with
    ``_cells`` and the marks come out of the drawing here, styles kept in place."""

    def render(self) -> Text:
        drawn = super().render()
        assert isinstance(drawn, Text)  # PlotextPlot renders one Text
        plain = drawn.plain
        if WIDE_MARK not in plain:
            return drawn
        before, kept = [0], 0  # before[i]: characters kept ahead of position i
        for ch in plain:
            kept += ch != WIDE_MARK
            before.append(kept)
        spans = [Span(before[s.start], before[s.end], s.style) for s in drawn.spans]
        return Text(plain.replace(WIDE_MARK, ""), style=drawn.style, spans=spans, end=drawn.end)


class StatsScreen(Screen[None]):
    """Pick one or two dimensions (and a past date, and amounts); the table, chart and change
    are computed in a worker, the screen answering meanwhile. ctrl+o saves the table as XLSX in
    the export folder (with the export right)."""

    DEFAULT_CSS = """
    StatsScreen #stats-filters { height: auto; padding: 0 1; }
    StatsScreen #stats-filters Select { width: 1fr; max-width: 22; }
    StatsScreen #stats-since { width: 1fr; max-width: 24; }
    StatsScreen #stats-note { height: auto; padding: 0 1; }
    StatsScreen TabbedContent { height: 1fr; }
    StatsScreen TabPane { padding: 0; }
    StatsScreen #stats-table, StatsScreen #stats-chart { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "close", "返回", id="stats.close"),
        Binding("ctrl+o", "export", "导出表格", id="stats.export", tooltip="把统计表导出为 XLSX (需要导出权限)"),
        Binding("f5,ctrl+r", "reload", "刷新", show=False, id="stats.reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.found: stats.Stats | None = None

    def compose(self) -> ComposeResult:
        choices = [(label, code) for code, label in stats.LABELS.items()]
        yield ChineseHeader()
        with Horizontal(id="stats-filters"):
            yield Select[str](choices, value="stage", allow_blank=False, id="stats-first")
            yield Select[str](choices, prompt="(不分)", id="stats-second")
            yield Input(placeholder="对比日期 2025-12-31", id="stats-since")
            yield Checkbox("金额", id="stats-amounts", tooltip="近12个月交易额和年采购额 (读取每个客户的记录)")
        yield Static("正在统计…", id="stats-note")
        with TabbedContent(id="stats-tabs"):
            with TabPane("表格", id="stats-tab-table"):
                yield DataTable(id="stats-table", zebra_stripes=True, cursor_type="row")
            with TabPane("图表", id="stats-tab-chart"):
                yield CellPlot(id="stats-chart")
            with TabPane("变化", id="stats-tab-change"), VerticalScroll():
                yield Static("在上方填写对比日期 (如 2025-12-31), 看与那一天的档案相比的变化", id="stats-change")
        yield FittedFooter()

    def on_mount(self) -> None:
        self.sub_title = "客户结构统计"
        self.query_one(DataTable).focus()
        self.action_reload()

    # --- choosing ------------------------------------------------------------------------

    def on_select_changed(self, event: Select.Changed) -> None:
        self.action_reload()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self.action_reload()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        """Count again with the choices as they stand, or say which one is wrong."""
        first = self.query_one("#stats-first", Select).value
        second = self.query_one("#stats-second", Select)
        dims = [str(first)] + ([] if second.is_blank() else [str(second.value)])
        text = self.query_one("#stats-since", Input).value.strip()
        try:
            since = parse_date(text, "since", "对比日期") if text else None
        except FieldError as exc:
            self.query_one("#stats-note", Static).update(f"{exc.label}: {exc.rule}")
            return
        if since and since > date.today():
            self.query_one("#stats-note", Static).update(f"对比日期 {since} 还没有到, 请写今天或更早的日期")
            return
        self.query_one("#stats-note", Static).update("正在统计…")
        self.compute(dims, since, self.query_one(Checkbox).value)

    @work(thread=True, exclusive=True, group="stats")
    def compute(self, dims: list[str], since: date | None, amounts: bool) -> None:
        try:
            found = self.app.read(lambda archive: stats.stats(archive, dims, since, amounts=amounts))
        except CusttuiError as exc:
            self.app.call_from_thread(self.query_one("#stats-note", Static).update, str(exc))
            return
        if not get_current_worker().is_cancelled:  # newer choices are being counted
            self.app.call_from_thread(self.show, found)

    # --- showing -------------------------------------------------------------------------

    def show(self, found: stats.Stats) -> None:
        self.found = found
        table = found.table()
        grid = self.query_one(DataTable)
        grid.clear(columns=True)
        for title in table.header:
            grid.add_column(title)
        for row in table.rows:
            grid.add_row(*(Text(tables.cell_text(v), justify="right") if _numeric(v) else v for v in row))
        total = sum(found.counts.values())
        note = [f"共 {total} 个客户, {len(table.rows)} 组"]
        if found.hidden:
            note.append(found.hidden)
        if found.change:
            note.append(f"与 {found.change.day} 相比 {total - sum(found.change.before.values()):+d}")
        self.query_one("#stats-note", Static).update(" · ".join(note) + " · ctrl+o 导出")
        self._chart(found)
        self.query_one("#stats-change", Static).update(
            found.change_text() if found.change else "在上方填写对比日期 (如 2025-12-31), 看与那一天的档案相比的变化"
        )

    def _chart(self, found: stats.Stats) -> None:
        """Counts of the first dimension as horizontal bars, beside the past date's when compared."""
        now: dict[str, int] = {}
        then: dict[str, int] = {}
        for key, n in found.counts.items():
            now[key[0]] = now.get(key[0], 0) + n
        for key, n in (found.change.before if found.change else {}).items():
            then[key[0]] = then.get(key[0], 0) + n
        groups = sorted(set(now) | set(then), key=lambda g: (-now.get(g, 0), g))
        if len(groups) > CHART_BARS:
            rest = groups[CHART_BARS - 1 :]
            groups = groups[: CHART_BARS - 1]
            now[OTHERS] = sum(now.get(g, 0) for g in rest)
            then[OTHERS] = sum(then.get(g, 0) for g in rest)
            groups.append(OTHERS)
        groups.reverse()  # plotext draws the first bar at the bottom
        plt = self.query_one(CellPlot).plt
        plt.clear_data()
        plt.clear_figure()
        labels = [_cells(g) for g in groups]
        title = f"客户数 按{found.titles[0]}"
        if found.change:
            plt.multiple_bar(
                labels,
                [[then.get(g, 0) for g in groups], [now.get(g, 0) for g in groups]],
                labels=[_cells(str(found.change.day)), _cells("现在")],
                orientation="horizontal",
            )
        else:
            plt.bar(labels, [now.get(g, 0) for g in groups], orientation="horizontal")
        plt.title(_cells(title))
        self.query_one(CellPlot).refresh()

    # --- export --------------------------------------------------------------------------

    def action_export(self) -> None:
        if self.found is None:
            self.notify("统计还没有完成, 请稍候", severity="warning")
            return
        self.export(self.found)

    @work(thread=True, group="stats-export")
    def export(self, found: stats.Stats) -> None:
        """The table as shown, an XLSX in the export folder; refused without the export right."""
        table = found.table()
        target = (
            self.app.config.export_dir / f"客户结构-按{'、'.join(found.titles)}-{datetime.now():%Y%m%d-%H%M%S}.xlsx"
        )
        try:
            self.app.read(lambda archive: tables.export(archive, table, target))
        except (CusttuiError, OSError) as exc:
            self.app.call_from_thread(self.notify, f"未能导出: {exc}", severity="error", timeout=10)
            return
        self.app.call_from_thread(self.notify, f"已导出 {len(table.rows)} 行: {target}", title="导出表格")

    def action_close(self) -> None:
        self.dismiss(None)


def _numeric(value: object) -> bool:
    return isinstance(value, int | Decimal)
