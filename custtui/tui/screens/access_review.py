"""The access review (访问权限复核): one row a person (status, roles, other permissions, last use,
flags), the selected person's rights in full below, and ``s`` to sign it off as one commit."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Input, Static

from ...core.base.errors import CusttuiError
from ...core.tasks import access_review
from ...core.tasks.access_review import PersonAccess, Report, commit_text, permission_text, use_text
from ..widgets.fit_table import Clip, Col, FitTable
from ..widgets.footer import FittedFooter
from ..widgets.header import ChineseHeader

# who and the flags keep their room at 80 columns; the permissions give way first, then the roles
# (a name only: the staff ID is in the detail below)
COLUMNS = (
    Col("姓名", 6, weight=1, most=12),
    Col("状态", 6, most=6),
    Col("角色", 6, weight=1, most=16, drop=1),
    Col("其他权限", 10, weight=1, most=40, drop=2),
    Col("最近使用", 10, most=16, whole=True),
    Col("提示", 14, weight=3),
)


class SignScreen(ModalScreen[str | None]):
    """Sign the review off: what it signs, and an optional note; dismisses with the note or None."""

    DEFAULT_CLASSES = "dialog"
    BINDINGS = [Binding("escape", "dismiss(None)", "取消", id="access_review.sign_cancel")]

    def __init__(self, found: Report, period: str) -> None:
        super().__init__()
        self.found, self.period = found, period

    def compose(self) -> ComposeResult:
        flags = self.found.flags
        with Vertical(id="dialog-body"):
            yield Static(f"签署 {self.period} 的访问权限复核?", classes="dialog-title")
            yield Static(
                f"{len(self.found.people)} 人, {len(flags)} 项提示; 依据提交 {self.found.commit[:10]}。"
                "签署后写入一次提交, 记下复核人、日期、报告摘要和提示事项。",
                markup=False,
            )
            with VerticalScroll(id="sign-flags"):
                for flag in flags:
                    yield Static(f"· {flag}", markup=False)
            yield Input(placeholder="复核意见 (可不填), 回车签署", id="sign-note")
            with Horizontal(classes="buttons"):
                yield Button("签署", id="yes", variant="primary")
                yield Button("取消 (Esc)", id="no")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(self.query_one(Input).value if event.button.id == "yes" else None)


class AccessReviewScreen(Screen[None]):
    """Everyone in the staff registry with what they may do and when they last used the archive."""

    DEFAULT_CSS = """
    AccessReviewScreen #review-note { height: auto; padding: 0 1; }
    AccessReviewScreen #review-table { height: 1fr; }
    AccessReviewScreen #review-detail { height: auto; max-height: 45%; padding: 0 1; border-top: solid $primary; }
    SignScreen #sign-flags { height: auto; max-height: 10; margin: 1 0; }
    """
    BINDINGS = [
        Binding("escape", "close", "返回", id="access_review.close"),
        Binding("s", "sign", "签署", id="access_review.sign"),
        Binding("f5,ctrl+r", "reload", "刷新", show=False, id="access_review.reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.found: Report | None = None

    def compose(self) -> ComposeResult:
        yield ChineseHeader()
        yield Static("正在读取员工名册和访问日志…", id="review-note", markup=False)
        yield FitTable(COLUMNS, id="review-table")
        with VerticalScroll(id="review-detail"):
            yield Static(id="review-person", markup=False)
        yield FittedFooter()

    def on_mount(self) -> None:
        self.sub_title = access_review.TITLE
        self.query_one(FitTable).focus()
        self.load()

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="access-review")
    def load(self) -> None:
        try:
            found = self.app.read(access_review.report)
        except CusttuiError as exc:
            self.app.call_from_thread(self._show_error, str(exc))
            return
        self.app.call_from_thread(self._show, found)

    def _show_error(self, message: str) -> None:
        self.found = None
        self.query_one("#review-note", Static).update(message)
        self.query_one(FitTable).set_rows([])
        self.query_one("#review-person", Static).update("")

    def _show(self, found: Report) -> None:
        self.found = found
        last = (
            f"上次签署 {found.last.period} ({found.last.reviewer}, {found.last.date}), 其后变动 {len(found.moved)} 项"
            if found.last
            else "此前未签署过"
        )
        self.query_one("#review-note", Static).update(f"{len(found.people)} 人 · {len(found.flags)} 项提示 · {last}")
        self.query_one(FitTable).set_rows(
            [
                (
                    p.id,
                    [
                        p.name,
                        p.status,
                        "、".join(p.roles),
                        permission_text(p.may),
                        Clip(use_text(p.last_use), short=f"{p.last_use.when:%Y-%m-%d}" if p.last_use else None),
                        "; ".join(p.flags),
                    ],
                )
                for p in found.people
            ]
        )
        self._detail()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail()

    def _detail(self) -> None:
        """The highlighted person's rights in full; and what changed since the last sign-off."""
        if self.found is None:
            return
        key = self.query_one(FitTable).current_key
        chosen: PersonAccess | None = next((p for p in self.found.people if p.id == key), None)
        lines = []
        if chosen is not None:
            lines += [
                f"{chosen.label}  {chosen.department}  {chosen.status}  公钥 {chosen.keys} 把",
                f"可查看: {'、'.join(chosen.view) or '(无)'}",
                f"可修改: {'、'.join(chosen.edit) or '(无)'}",
                f"打码: {'、'.join(chosen.masked) or '(无)'} · 其他权限: {permission_text(chosen.may)}",
                f"最近使用 (本副本的访问日志): {use_text(chosen.last_use)}",
                f"最近提交: {commit_text(chosen.last_commit)}",
                *(f"! {flag}" for flag in chosen.flags),
            ]
        if self.found.moved:
            lines.append(
                "自上次签署以来: " + "; ".join(f"{m.kind} {m.who} {m.detail}".strip() for m in self.found.moved)
            )
        self.query_one("#review-person", Static).update("\n".join(lines))

    # --- signing off -----------------------------------------------------------------------

    def action_sign(self) -> None:
        if self.found is None:
            self.notify("报告尚未读出, 无法签署", severity="warning")
            return
        found = self.found
        period = access_review.review_period(None, found.as_of).text
        self.app.push_screen(SignScreen(found, period), lambda note: self._signed(found, note))

    def _signed(self, found: Report, note: str | None) -> None:
        if note is not None:
            self.sign(found, note)

    @work(thread=True, exclusive=True, group="access-review-sign")
    def sign(self, found: Report, note: str) -> None:
        try:
            commit = self.app.read(lambda archive: access_review.sign(archive, found, note=note))
        except CusttuiError as exc:
            self.app.call_from_thread(self.notify, str(exc), title="未签署", severity="error", timeout=10)
            return
        self.app.call_from_thread(self.notify, f"已签署访问权限复核, 提交 {commit[:10]}", title="权限复核")
        self.app.call_from_thread(self.load)

    def action_close(self) -> None:
        self.dismiss(None)
