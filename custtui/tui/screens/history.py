"""The audit screens: the archive-wide log, one commit read field by field, and its revert."""

from __future__ import annotations

from datetime import date

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Input, Select, Static

from ...core.archive.archive import Archive, HistoryEntry
from ...core.base.errors import CusttuiError, FieldError
from ...core.records.validate import parse_date
from ...core.tasks import view
from ...core.tasks.audit import (
    CommitReport,
    RevertPlan,
    author_pattern,
    authors,
    describe_commit,
    revert_plan,
    without_customer,
)
from ..widgets.fit_table import Clip, Col, FitTable
from ..widgets.footer import FittedFooter
from ..widgets.header import ChineseHeader
from .revert import RevertScreen

LOG_LIMIT = 300  # newest commits shown; filters narrow down the rest
# What changed keeps its room (42 cells at 80 columns, none to spare); who, when (a date without its
# time) and the customer (a name cut short) give way, and take their full width once there is room.
LOG_COLUMNS = (
    Col("时间", 10, weight=2, most=16),
    Col("操作人", 6, weight=1, most=10),
    Col("客户", 12, weight=2, most=40),
    Col("内容", 42, weight=6),
)


class ArchiveLogScreen(Screen[str | None]):
    """Every commit of the archive, newest first, filterable by person and period.

    Dismisses with None, or as soon as a revert is made from here with its customer ("" for none),
    so the screen below shows the revert as its own change."""

    CSS_PATH = "history.tcss"
    BINDINGS = [
        Binding("escape", "close", "返回", id="log.close"),
        Binding("f", "filter", "筛选", id="log.filter"),
        Binding("f5,ctrl+r", "reload", "刷新", show=False, id="log.reload"),
    ]

    def compose(self) -> ComposeResult:
        yield ChineseHeader()
        with Horizontal(id="log-filters"):
            yield Select[str]([], prompt="全部操作人", id="log-author")
            yield Input(placeholder="起始日期 2024-01-01", id="log-since")
            yield Input(placeholder="截止日期 2024-12-31", id="log-until")
        yield Static(id="log-error", classes="field-error")
        yield Static("正在读取日志…", id="log-note", classes="hint")
        yield FitTable(LOG_COLUMNS, id="log-table")
        yield FittedFooter()

    def on_mount(self) -> None:
        self.sub_title = "档案日志"
        self.query_one(FitTable).focus()
        self.load_authors()
        self.action_reload()

    @work(thread=True, exclusive=True, group="log-authors")
    def load_authors(self) -> None:
        try:
            names = self.app.read(authors)
        except CusttuiError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.query_one(Select).set_options, [(name, name) for name in names])

    # --- filtering -----------------------------------------------------------------------

    def on_select_changed(self, event: Select.Changed) -> None:
        self.action_reload()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_reload()

    def action_filter(self) -> None:
        self.query_one(Select).focus()

    def action_reload(self) -> None:
        """Read the log again with the filters as they stand, or say which filter is wrong."""
        error = self.query_one("#log-error", Static)
        try:
            since = self._date("since", "起始日期")
            until = self._date("until", "截止日期")
        except FieldError as exc:
            error.update(f"{exc.label}: {exc.rule}")
            return
        if since and until and since > until:
            error.update(f"起始日期 {since} 晚于截止日期 {until}, 请调换或修改")
            return
        error.update("")
        select = self.query_one(Select)
        self.load_log(None if select.is_blank() else select.value, since, until)

    def _date(self, field: str, label: str) -> date | None:
        text = self.query_one(f"#log-{field}", Input).value.strip()
        return parse_date(text, field, label) if text else None

    @work(thread=True, exclusive=True, group="log")
    def load_log(self, author: str | None, since: date | None, until: date | None) -> None:
        def read(archive: Archive) -> tuple[list[HistoryEntry], dict[str, str]]:
            entries = view.history(
                archive,
                author=author_pattern(author) if author else None,
                since=since,
                until=until,
                limit=LOG_LIMIT + 1,
            )
            listed = archive.customers()
            return entries, {e.customer: listed[e.customer].get("name", "") for e in entries if e.customer in listed}

        try:
            entries, names = self.app.read(read)
        except CusttuiError as exc:
            self.app.call_from_thread(self.query_one("#log-error", Static).update, str(exc))
            return
        self.app.call_from_thread(self._show_log, entries, names)

    def _show_log(self, entries: list[HistoryEntry], names: dict[str, str]) -> None:
        self.query_one(FitTable).set_rows(
            [
                (
                    entry.commit,
                    [
                        Clip(f"{entry.when:%Y-%m-%d %H:%M}", short=f"{entry.when:%Y-%m-%d}"),
                        entry.author,
                        f"{names.get(entry.customer, '')} {entry.customer}".lstrip() if entry.customer else "",
                        without_customer(entry),
                    ],
                )
                for entry in entries[:LOG_LIMIT]
            ]
        )
        note = self.query_one("#log-note", Static)
        if len(entries) > LOG_LIMIT:
            note.update(f"只显示最近 {LOG_LIMIT} 条; 更早的请按操作人或日期筛选 · 回车查看提交")
        else:
            note.update(f"共 {len(entries)} 条 · 回车查看提交" if entries else "没有符合条件的提交")

    # --- commits -------------------------------------------------------------------------

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(CommitScreen(event.row_key.value), self._commit_closed)

    def _commit_closed(self, customer: str | None) -> None:
        if customer is not None:
            self.dismiss(customer)

    def action_close(self) -> None:
        self.dismiss(None)


class CommitScreen(ModalScreen[str | None]):
    """One commit: who, when, its message and each change in Chinese; ``r`` reverts it.

    Dismisses with the reverted commit's customer ("" for none) after a revert, None otherwise."""

    CSS_PATH = "history.tcss"
    DEFAULT_CLASSES = "dialog"
    BINDINGS = [
        Binding("escape", "dismiss", "返回", id="commit.close"),
        Binding("r", "revert", "撤销此提交", id="commit.revert"),
    ]

    def __init__(self, commit: str) -> None:
        super().__init__()
        self.commit = commit

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog-body"):
            yield Static(f"提交 {self.commit[:10]}", classes="dialog-title")
            yield Static("正在读取…", id="commit-meta")
            yield Static(id="commit-changes")
            yield Static(id="commit-error", classes="field-error")
            yield Static("r 撤销此提交 (产生一个新的提交, 原记录保留) · Esc 返回", classes="hint")

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="commit")
    def load(self) -> None:
        try:
            report = self.app.read(lambda archive: describe_commit(archive, self.commit))
        except CusttuiError as exc:
            self.app.call_from_thread(self._show_error, str(exc))
            return
        self.app.call_from_thread(self._show, report)

    def _show(self, report: CommitReport) -> None:
        meta = Table.grid(padding=(0, 2))
        meta.add_column(style="bold", no_wrap=True)
        meta.add_column()
        for label, value in (
            ("操作人", report.author),
            ("时间", f"{report.when:%Y-%m-%d %H:%M:%S}"),
            ("客户", report.customer or "(不涉及单个客户)"),
            ("说明", report.message),
        ):
            meta.add_row(label, Text(value))
        self.query_one("#commit-meta", Static).update(meta)
        changes = Text()
        for change in report.changes:
            changes.append(f"\n{change.title}", style="bold")
            for detail in change.details:
                changes.append(f"\n  {detail}")
        self.query_one("#commit-changes", Static).update(changes if report.changes else "\n(没有内容变化)")

    def _show_error(self, message: str) -> None:
        self.query_one("#commit-error", Static).update(message)

    @work(thread=True, exclusive=True, group="revert-plan")
    def action_revert(self) -> None:
        """Ask with what the revert would change now, or say why it cannot be done."""
        try:
            plan = self.app.read(lambda archive: revert_plan(archive, self.commit))
        except CusttuiError as exc:
            self.app.call_from_thread(self._show_error, f"不能撤销: {exc}")
            return
        self.app.call_from_thread(
            self.app.push_screen, RevertScreen(plan), lambda reason: self._confirmed(plan, reason)
        )

    def _confirmed(self, plan: RevertPlan, reason: str | None) -> None:
        if reason is not None:
            self.revert(plan, reason)

    @work(thread=True, exclusive=True, group="revert")
    def revert(self, plan: RevertPlan, reason: str) -> None:
        try:
            self.app.read(lambda archive: archive.revert(self.commit, reason=reason or None))
        except CusttuiError as exc:
            self.app.call_from_thread(self._show_error, f"未撤销: {exc}")
            return
        self.app.call_from_thread(self._reverted, plan)

    def _reverted(self, plan: RevertPlan) -> None:
        report = plan.report
        self.app.notify(
            f"{plan.summary}\n({report.author} {report.when:%Y-%m-%d %H:%M} 的提交, 原提交保留)",
            title=f"已撤销 {report.customer or ''}".rstrip(),
        )
        self.dismiss(report.customer or "")
