"""The routines of the calendar (月度复核, 季度价值评估, 半年度复核, 保管期限复核): a chooser, and one screen per
routine with its proposals to accept or not and, for the half year, what it found to look at."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.coordinate import Coordinate
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import DataTable, Input, OptionList, Select, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from ...core.archive.archive import Archive
from ...core.base.errors import CusttuiError
from ...core.records.schema import Schema
from ...core.tasks import routines, tables
from ...core.tasks.routines import ROUTINES, Finding, Period, Proposal, Routine
from ..widgets.fit_table import Clip, Col, FitTable, Wrapped
from ..widgets.footer import FittedFooter
from ..widgets.header import ChineseHeader
from .confirm import ConfirmScreen

# what each routine looks at, for the chooser
ABOUT = {
    "monthly": "客户状态 (沉睡、流失、历史客户、重新活跃) 与合作阶段的调整建议",
    "quarterly": "按近一年交易重新评定价值层级, 标记重点客户",
    "halfyear": "资料完整性、联系方式、疑似重复、保管到期, 以及流失转历史客户",
    "retention": "超过保管期限的客户 (删除个人信息, 不可撤销) 与资料, 各附法律依据",
}
SHOWN_LIMIT = 200  # rows put in a table (a DataTable measures each cell); the filters reach the rest
DEBOUNCE_S = 0.15  # filter by name this long after the last keystroke
CONFIRM_LINES = 12  # proposals named in the confirmation before "…另有 N 项"
ACCEPTED, REJECTED = Text("接受", style="bold green"), Text("不接受", style="dim")
PROPOSAL_COLUMNS = (
    Col("决定", 6),
    Col("客户", 12, weight=2, most=30),
    Col("项目", 8, most=8),
    Col("原值 → 建议值", 12, weight=2, most=28),
    Col("依据", 16, weight=3),
)
FINDING_COLUMNS = (
    Col("类别", 14, most=14),
    Col("客户", 12, weight=2, most=30),
    Col("说明", 20, weight=4),
)


class RoutineChooser(ModalScreen[str | None]):
    """Which routine to run: 1 月度, 2 季度, 3 半年度, 4 保管期限 (or ↑↓ and Enter); Esc to go back."""

    DEFAULT_CLASSES = "dialog"
    BINDINGS = [
        Binding("escape", "dismiss(None)", "取消", id="routines.close"),
        *(
            Binding(str(n), f"dismiss('{code}')", label, show=False, id=f"routines.{code}")
            for n, (code, label) in enumerate(ROUTINES.items(), 1)
        ),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-body"):
            yield Static("例行复核: 选择要运行的复核", classes="dialog-title")
            yield OptionList(
                *(
                    Option(f"{n}  {label}\n   [dim]{ABOUT[code]}[/]", id=code)
                    for n, (code, label) in enumerate(ROUTINES.items(), 1)
                ),
                id="routine-choices",
            )
            yield Static("按数字或 ↑↓ 回车选择 · Esc 取消", classes="hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class PeriodScreen(ModalScreen[str | None]):
    """A period typed as people write it (2026-11, 2026-Q3, 2026-H2): Enter takes it, Esc goes
    back. A dialog rather than a field of the routine screen: what is typed in one burst with g
    (g2026-Q3⏎) was sent to the table before g's binding ran, and the app hands such keys on to
    a screen that opened meanwhile (CusttuiApp._on_key), not to a field that took the focus."""

    DEFAULT_CLASSES = "dialog"
    BINDINGS = [Binding("escape", "dismiss(None)", "取消", id="period.close")]

    def __init__(self, title: str, example: str) -> None:
        super().__init__()
        self.heading, self.example = title, example

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-body"):
            yield Static(self.heading, classes="dialog-title", markup=False)
            yield Input(placeholder=f"如 {self.example}", id="period-input")
            yield Static("回车确定 · Esc 取消", classes="hint")

    def on_mount(self) -> None:
        self.set_focus(self.query_one(Input))  # at once, for the keys typed with g

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)


@dataclass(frozen=True)
class Shown:
    """One proposal as the table shows it, with the text the name filter matches."""

    index: int  # in the routine's proposals
    proposal: Proposal
    cells: tuple[str, str, str, str]  # 客户, 项目, 原值 → 建议值, 依据
    words: str  # name and ID, casefolded


@dataclass(frozen=True)
class Prepared:
    """A routine's result made ready for the screen (in the worker: tens of thousands of rows)."""

    routine: Routine
    schema: Schema
    shown: list[Shown]
    findings: list[tuple[Finding, str]]  # grouped by kind, each with its name and ID casefolded
    counts: dict[str, int]  # findings per kind, in the order listed


def prepare(archive: Archive, code: str, period_text: str, today: date) -> Prepared:
    """Run the routine and put its proposals in the standard's labels, its findings in order."""
    result = routines.run(archive, code, period_text, today)
    schema = archive.schema()
    labelled: dict[tuple, tuple[str, str]] = {}  # (field, old, new): a few moves among 80k proposals at 100k
    shown = []
    for i, p in enumerate(result.proposals):
        move = (p.field, p.old, p.new)
        if move not in labelled:
            labelled[move] = proposal_labels(schema, p)
        shown.append(
            Shown(i, p, (p.name or p.customer_id, *labelled[move], p.evidence), f"{p.name} {p.customer_id}".casefold())
        )
    findings = [(f, f"{f.name} {f.customer_id}".casefold()) for f in sorted(result.findings, key=finding_order)]
    return Prepared(result, schema, shown, findings, dict(Counter(f.kind for f, _ in findings)))


def proposal_labels(schema: Schema, p: Proposal) -> tuple[str, str]:
    """A proposal's field and move in the standard's Chinese: 客户状态, 活跃 → 沉睡 (never codes)."""
    change = f"{routines.value_label(schema, p.field, p.old)} → {routines.value_label(schema, p.field, p.new)}"
    return routines.field_label(schema, p.field), change


KIND_RANK = {kind: rank for rank, kind in enumerate(routines.FINDING_KINDS)}


def finding_order(finding: Finding) -> int:
    """Grouped by kind in the core's order (缺少必填项 first); a stable sort keeps the core's
    order within a kind."""
    return KIND_RANK.get(finding.kind, len(KIND_RANK))


class RoutineScreen(Screen[str | None]):
    """One routine for one period: its proposals, each to accept or not, written as one commit.

    Dismisses with None when nothing was written, "" after a write, or the customer to open
    (Enter on a finding): what MainScreen._routine_closed expects."""

    DEFAULT_CSS = """
    RoutineScreen #routine-title { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    RoutineScreen #routine-bar { height: 1; padding: 0 1; }
    RoutineScreen #routine-bar > * { margin-right: 1; background: $boost; }
    RoutineScreen #routine-field { width: 20; }
    RoutineScreen #routine-name { width: 1fr; margin-right: 0; }
    RoutineScreen #routine-note { height: auto; padding: 0 1; color: $text-muted; }
    RoutineScreen #routine-error { height: auto; padding: 0 1; }
    RoutineScreen #routine-tabs { height: 1fr; }
    RoutineScreen FitTable { height: 1fr; }
    RoutineScreen #routine-detail { height: auto; max-height: 2; padding: 0 1; background: $panel; }
    """
    BINDINGS = [
        Binding("space", "toggle", "接受/不接受", id="routine.toggle", tooltip="接受或不接受光标所在的建议"),
        Binding("a", "mark_all(True)", "全接受", id="routine.all", tooltip="接受当前列出 (筛选后) 的全部建议"),
        Binding("n", "mark_all(False)", "全不接受", id="routine.none", tooltip="不接受当前列出 (筛选后) 的全部建议"),
        Binding("ctrl+s", "write", "写入", id="routine.write", tooltip="把已接受的建议写入档案 (一次提交, 可撤销)"),
        Binding("t", "switch_tab", "切换列表", id="routine.tab", tooltip="在调整建议与待查事项之间切换"),
        Binding("f", "filter", "筛选", id="routine.filter", tooltip="按项目或客户名称筛选"),
        Binding("left_square_bracket", "shift_period(-1)", "上一期", id="routine.previous"),
        Binding("right_square_bracket", "shift_period(1)", "下一期", id="routine.next"),
        Binding("g", "type_period", "期间", id="routine.period", tooltip="输入期间, 如 2026-11、2026-Q3、2026-H2"),
        Binding("x", "export", "导出", id="routine.export", tooltip="把建议和待查事项导出为 XLSX (存入导出文件夹)"),
        Binding("f5,ctrl+r", "reload", "重新计算", show=False, id="routine.reload"),
        Binding("escape", "close", "返回", id="routine.close"),
    ]

    @dataclass
    class Computed(Message):
        generation: int
        prepared: Prepared

    @dataclass
    class Failed(Message):
        generation: int
        text: str

    def __init__(self, routine: str, period_text: str | None = None, today: date | None = None) -> None:
        super().__init__()
        self.code = routine
        self.today = today or date.today()
        self.period: Period = routines.period(routine, period_text, self.today)
        self.prepared: Prepared | None = None  # the routine of the period shown, None while it runs
        self.rejected: set[int] = set()  # proposals (by index) the person does not accept
        self.generation = 0
        self.wrote = False
        self.writing = False
        self.proposals_listed: list[Shown] = []  # as the filters let them through
        self.findings_listed: list[Finding] = []  # as the findings table lists them (its row keys index this)
        self.filter_timer: Timer | None = None

    @property
    def archive(self) -> Archive:
        return self.app.archive

    @property
    def routine(self) -> Routine | None:
        return self.prepared.routine if self.prepared else None

    @property
    def shown(self) -> list[Shown]:
        return self.prepared.shown if self.prepared else []

    def compose(self) -> ComposeResult:
        yield ChineseHeader()
        yield Static(id="routine-title")
        with Horizontal(id="routine-bar"):
            yield Select[str]([], prompt="全部项目", id="routine-field", compact=True)
            yield Input(placeholder="按客户名称筛选", id="routine-name", compact=True)
        yield Static(id="routine-error", classes="field-error")
        yield Static(id="routine-note")
        with TabbedContent(id="routine-tabs"):
            with TabPane("调整建议", id="tab-proposals"):
                yield FitTable(PROPOSAL_COLUMNS, id="proposals")
            with TabPane("待查事项", id="tab-findings"):
                yield FitTable(FINDING_COLUMNS, id="findings")
        yield Static(id="routine-detail", markup=False)
        yield FittedFooter()

    def on_mount(self) -> None:
        self.sub_title = ROUTINES[self.code]
        self.compute()

    # --- computing -----------------------------------------------------------------------

    def compute(self) -> None:
        """Run the routine for the period shown, in a worker (the archive may be large)."""
        self.generation += 1
        self.prepared = None  # no key acts on the previous period's proposals meanwhile
        self.rejected = set()
        self.query_one("#routine-title", Static).update(self._title())
        self.query_one("#routine-note", Static).update(f"正在计算{ROUTINES[self.code]} {self.period.text}…")
        self.say_error("")
        self.query_one(TabbedContent).loading = True
        self.run_routine(self.generation, self.period.text)

    def say_error(self, text: str) -> None:
        """A problem in a line of its own above the lists (no line when there is none)."""
        error = self.query_one("#routine-error", Static)
        error.update(text)
        error.display = bool(text)

    def _title(self) -> str:
        as_of = self.period.as_of(self.today)
        running = " (进行中)" if as_of < self.period.end else ""
        return f"{ROUTINES[self.code]}  {self.period.text}{running}  截至 {as_of}  [dim]· [ ] 换期间 · g 输入期间[/]"

    @work(thread=True, exclusive=True, group="routine")
    def run_routine(self, generation: int, period_text: str) -> None:
        try:
            prepared = self.app.read(lambda archive: prepare(archive, self.code, period_text, self.today))
        except (CusttuiError, OSError) as exc:
            self.post_message(self.Failed(generation, f"{ROUTINES[self.code]}未能完成: {exc}"))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self.Computed(generation, prepared))

    def on_routine_screen_failed(self, message: Failed) -> None:
        if message.generation == self.generation:
            self.query_one(TabbedContent).loading = False
            self.query_one("#routine-note", Static).update("")
            self.say_error(message.text)

    def on_routine_screen_computed(self, message: Computed) -> None:
        if message.generation != self.generation:
            return  # a period the person has already left
        self.prepared = prepared = message.prepared
        fields = {s.proposal.field: s.cells[1] for s in self.shown}
        self.query_one("#routine-field", Select).set_options([(label, code) for code, label in fields.items()])
        tabs = self.query_one(TabbedContent)
        tabs.loading = False
        findings = prepared.routine.findings
        if self.code == "halfyear" or findings:
            tabs.show_tab("tab-findings")
        else:
            tabs.hide_tab("tab-findings")
        tabs.get_tab("tab-proposals").label = f"调整建议 ({len(self.shown)})"
        tabs.get_tab("tab-findings").label = f"待查事项 ({len(findings)})"
        if findings and not self.shown:
            tabs.active = "tab-findings"
        self.refresh_proposals()
        self.refresh_findings()
        self.refresh_bindings()
        if not isinstance(self.focused, Input):  # someone typing a name keeps the field
            self.query_one("#findings" if tabs.active == "tab-findings" else "#proposals", FitTable).focus()

    # --- the lists -----------------------------------------------------------------------

    def _words(self) -> str:
        return self.query_one("#routine-name", Input).value.strip().casefold()

    def listed(self) -> list[Shown]:
        """The proposals the filters let through."""
        select = self.query_one("#routine-field", Select)
        field = None if select.is_blank() else select.value
        words = self._words()
        return [s for s in self.shown if (field is None or s.proposal.field == field) and words in s.words]

    def refresh_proposals(self) -> None:
        """The proposals as the filters stand, each marked 接受 or 不接受."""
        if self.routine is None:
            return
        self.proposals_listed = self.listed()
        self.query_one("#proposals", FitTable).set_rows(
            [
                (str(s.index), [self._mark(s.index), *(Clip(c) for c in s.cells)])
                for s in self.proposals_listed[:SHOWN_LIMIT]
            ]
        )
        self._note()

    def refresh_findings(self) -> None:
        """The findings whose customer's name or ID holds the words typed, grouped by kind."""
        if self.prepared is None:
            return
        words = self._words()
        self.findings_listed = [f for f, text in self.prepared.findings if words in text]
        self.query_one("#findings", FitTable).set_rows(
            [
                (str(i), [f.kind, f"{f.name} {f.customer_id}", f.detail])
                for i, f in enumerate(self.findings_listed[:SHOWN_LIMIT])
            ]
        )

    def _note(self) -> None:
        assert self.prepared is not None
        total, listed = len(self.shown), len(self.proposals_listed)
        parts = [f"建议 {total} 项, 已接受 {total - len(self.rejected)} 项"]
        if listed != total:
            parts.append(f"列出 {listed} 项")
        if listed > SHOWN_LIMIT:
            parts.append(f"只显示前 {SHOWN_LIMIT} 项, 请筛选")
        if self.prepared.counts:
            parts.append("待查 " + "、".join(f"{kind} {n}" for kind, n in self.prepared.counts.items()))
        if not total and not self.prepared.counts:
            parts = [f"{self.period.text} 没有需要调整的客户"]
        self.query_one("#routine-note", Static).update(" · ".join(parts))

    def _mark(self, index: int) -> Text:
        return REJECTED if index in self.rejected else ACCEPTED

    def on_select_changed(self, event: Select.Changed) -> None:
        self.refresh_proposals()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "routine-name":
            if self.filter_timer is not None:
                self.filter_timer.stop()
            self.filter_timer = self.set_timer(DEBOUNCE_S, self._filter_by_name)

    def _filter_by_name(self) -> None:
        self.filter_timer = None
        self.refresh_proposals()
        self.refresh_findings()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#proposals", FitTable).focus()

    def action_filter(self) -> None:
        self.query_one("#routine-field", Select).focus()

    # --- deciding ------------------------------------------------------------------------

    def _proposals_shown(self) -> bool:
        return self.routine is not None and self.query_one(TabbedContent).active == "tab-proposals"

    def action_toggle(self) -> None:
        table = self.query_one("#proposals", FitTable)
        key = table.current_key
        if not self._proposals_shown() or key is None:
            return
        self.rejected.symmetric_difference_update({int(key)})
        self._show_marks([table.cursor_row])
        if table.cursor_row < table.row_count - 1:
            table.move_cursor(row=table.cursor_row + 1)

    def action_mark_all(self, accept: bool) -> None:
        if not self._proposals_shown():
            return
        indexes = {s.index for s in self.proposals_listed}
        if accept:
            self.rejected -= indexes
        else:
            self.rejected |= indexes
        self._show_marks(range(self.query_one("#proposals", FitTable).row_count))

    def _show_marks(self, rows) -> None:
        """Mark these rows of the table 接受 or 不接受 as decided, in place (the cheap way at 200 rows)."""
        table = self.query_one("#proposals", FitTable)
        for row in rows:
            key, cells = table.data_rows[row]
            cells[0] = Clip(self._mark(int(str(key))))
            table.update_cell_at(Coordinate(row, 0), cells[0])
        self._note()

    def chosen(self) -> list[Proposal]:
        """The proposals to write: every accepted one, listed or not."""
        return [s.proposal for s in self.shown if s.index not in self.rejected]

    def action_write(self) -> None:
        if self.routine is None or self.writing:
            return
        if not self.archive.user:
            self.notify("未设置操作人, 不能写入: 请用 --user 或 CUSTTUI_USER 指定姓名后重新打开", severity="error")
            return
        chosen = self.chosen()
        if not chosen:
            self.notify("没有已接受的建议, 不写入", severity="warning")
            return
        lines = [
            f"{cells[0]}  {cells[1]} {cells[2]}"
            for cells in (s.cells for s in self.shown if s.index not in self.rejected)
        ]
        if len(lines) > CONFIRM_LINES:
            lines = [*lines[:CONFIRM_LINES], f"…另有 {len(lines) - CONFIRM_LINES} 项"]
        left = len(self.shown) - len(chosen)
        undo = "删除个人信息, 不可撤销" if self.code == "retention" else "可撤销"
        question = f"写入已接受的 {len(chosen)} 项建议? ({self.routine.label}, 一次提交, {undo})"
        if left:
            lines.append(f"不接受的 {left} 项不写入")
        routine = self.routine
        self.app.push_screen(
            ConfirmScreen(question, lines, yes="写入"), lambda yes: yes and self.write(routine, chosen)
        )

    def write(self, routine: Routine, chosen: list[Proposal]) -> None:
        self.writing = True
        self.query_one("#routine-note", Static).update(f"正在写入 {len(chosen)} 项建议…")
        self.write_accepted(routine, chosen)

    @work(thread=True, exclusive=True, group="routine-write")
    def write_accepted(self, routine: Routine, chosen: list[Proposal]) -> None:
        try:
            commit = self.app.read(lambda archive: routines.accept(archive, routine, chosen))
        except (CusttuiError, OSError) as exc:
            self.app.call_from_thread(self._written, routine, len(chosen), None, f"未写入: {exc}")
            return
        self.app.call_from_thread(self._written, routine, len(chosen), commit)

    def _written(self, routine: Routine, count: int, commit: str | None, error: str = "") -> None:
        self.writing = False
        if error:
            self.notify(error, severity="error", timeout=10)
            if self.prepared is not None:
                self._note()
            return
        if commit is None:
            self.notify("这些客户已被他人改过, 没有需要写入的内容", severity="warning")
        else:
            self.wrote = True
            undo = "不可撤销" if routine.period.routine == "retention" else "可在日志中撤销"
            self.notify(f"已写入 {count} 项建议, 提交 {commit[:10]} ({undo})", title=routine.label)
        self.compute()

    # --- periods -------------------------------------------------------------------------

    def action_shift_period(self, step: int) -> None:
        day = self.period.start - timedelta(days=1) if step < 0 else self.period.end + timedelta(days=1)
        if day > self.today:
            self.notify(f"{self.period.text} 是当前期间, 没有下一期", severity="warning")
            return
        self.period = routines.period(self.code, None, day)
        self.compute()

    def action_type_period(self) -> None:
        title = f"{ROUTINES[self.code]}: 输入期间 (当前 {self.period.text})"
        self.app.push_screen(PeriodScreen(title, self.period.text), self._period_typed)

    def _period_typed(self, text: str | None) -> None:
        if text is not None:
            self._go_to(text)

    def _go_to(self, text: str) -> None:
        try:
            wanted = routines.period(self.code, text, self.today)
        except CusttuiError as exc:
            self.say_error(str(exc))
            return
        if wanted.start > self.today:
            self.say_error(f"期间 {wanted.text} 还没有开始")
            return
        self.period = wanted
        self.compute()

    # --- findings ------------------------------------------------------------------------

    def action_switch_tab(self) -> None:
        tabs = self.query_one(TabbedContent)
        if tabs.get_tab("tab-findings").display:
            tabs.active = "tab-findings" if tabs.active == "tab-proposals" else "tab-proposals"
            self.query_one("#findings" if tabs.active == "tab-findings" else "#proposals", FitTable).focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()
        self.show_detail()

    def show_detail(self) -> None:
        """The row under the cursor in full, below the table (its cells may be cut at 80 columns)."""
        findings = self.query_one(TabbedContent).active == "tab-findings"
        table = self.query_one("#findings" if findings else "#proposals", FitTable)
        key = table.current_key
        detail = ""
        if key is not None and findings:
            finding = self.findings_listed[int(key)]
            detail = f"{finding.kind} · {finding.name} {finding.customer_id} · {finding.detail} · 回车打开客户"
        elif key is not None:
            shown = self.shown[int(key)]
            name, item, change, evidence = shown.cells
            detail = f"{name} {shown.proposal.customer_id} · {item} {change} · {evidence}"
        self.query_one("#routine-detail", Static).update(Wrapped(detail))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a finding opens its customer on the main screen."""
        if event.data_table.id == "findings":
            self.dismiss(self.findings_listed[int(event.row_key.value)].customer_id)

    def action_export(self) -> None:
        if self.prepared is not None:
            routine = self.prepared.routine
            name = f"{routine.label.replace(' ', '-')}-{datetime.now():%Y%m%d-%H%M%S}.xlsx"
            self.export(routines.table(routine, self.prepared.schema), name)

    @work(thread=True, exclusive=True, group="routine-export")
    def export(self, table: tables.Table, name: str) -> None:
        """The proposals and the findings as an XLSX file in the export folder (as the command
        line's ``--out`` writes them)."""
        target = self.app.config.export_dir / name
        try:
            self.app.read(lambda archive: tables.export(archive, table, target))
        except (CusttuiError, OSError) as exc:
            self.app.call_from_thread(self.notify, f"未导出: {exc}", severity="error", timeout=10)
            return
        self.app.call_from_thread(self.notify, f"已导出 {len(table.rows)} 行: {target}", title="导出", markup=False)

    # --- leaving -------------------------------------------------------------------------

    def action_reload(self) -> None:
        self.compute()

    def action_close(self) -> None:
        self.dismiss("" if self.wrote else None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Deciding keys on the proposals, 切换列表 when there are findings (the footer shows these)."""
        if action in ("toggle", "mark_all", "write"):
            return self.query_one(TabbedContent).active != "tab-findings"
        if action == "switch_tab":
            return self.code == "halfyear" or bool(self.routine and self.routine.findings)
        return True
