"""删除个人信息: one customer's erasure from the interface, as ``custtui erase`` makes it (a data
subject's request; retention's erasures go through the 半年度复核 routine screen)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Static

from ...core.archive.archive import Archive
from ...core.base.errors import CusttuiError
from ...core.privacy.erase import BASIS_EXAMPLE, HISTORY_KEEPS_PLAINTEXT, erased_scope
from .confirm import ConfirmScreen


class EraseScreen(ModalScreen[str | None]):
    """Asks the legal basis and whether the whole customer goes, confirms, then erases in a worker
    that shows its steps. Dismisses with the customer to show afterwards ("" when it is gone), or
    None when nothing was erased."""

    DEFAULT_CLASSES = "dialog"
    BINDINGS = [Binding("escape", "cancel", "取消", id="erase.cancel")]

    @dataclass
    class Checked(Message):
        refused: str | None  # why this person may not erase, in Chinese
        sealed: bool  # whether the archive seals personal data (else old commits keep plaintext)

    def __init__(self, customer_id: str, customer_name: str) -> None:
        super().__init__()
        self.customer_id, self.customer_name = customer_id, customer_name
        self.sealed: bool | None = None  # known once checked
        self.erasing = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-body"):
            yield Static(Text(f"删除 {self.customer_id} {self.customer_name} 的个人信息"), classes="dialog-title")
            yield Static(
                "删除后销毁其密钥, 历史中只留下无法解开的密文; 删除记录写明谁在何时依何依据删除, "
                "其他办事处同步后同样销毁。",
                classes="hint",
            )
            yield Input(placeholder=f"删除依据, 如 {BASIS_EXAMPLE}", id="erase-basis")
            yield Checkbox("删除整个客户 (含名称等非个人信息)", id="erase-whole")
            yield Static(id="erase-error", classes="field-error")
            yield Static("回车删除 (删除前会再确认) · Esc 取消", id="erase-status", classes="hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.check()

    @work(thread=True, exclusive=True, group="erase-check")
    def check(self) -> None:
        def checked(archive: Archive) -> EraseScreen.Checked:
            try:
                archive.access.require("erase")
            except CusttuiError as exc:
                return self.Checked(str(exc), False)
            return self.Checked(None, archive.policy().privacy.enabled)

        self.post_message(self.app.read(checked))

    def on_erase_screen_checked(self, message: Checked) -> None:
        self.sealed = message.sealed
        if message.refused:
            self._error(message.refused)
            self.query_one(Input).disabled = self.query_one(Checkbox).disabled = True

    def _error(self, message: str) -> None:
        self.query_one("#erase-error", Static).update(Text(message))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        basis = event.value.strip()
        if self.sealed is None or self.erasing:
            return
        if not basis:
            self._error(f"字段「删除依据」: 请写明删除的法律依据, 如 {BASIS_EXAMPLE}")
            return
        self._error("")
        whole = self.query_one(Checkbox).value
        details = [f"将删除: {erased_scope(whole)}", f"依据: {basis}", "销毁密钥后无法恢复, 也不能撤销"]
        question = ConfirmScreen(
            f"删除 {self.customer_id} {self.customer_name} 的个人信息?",
            details + ([] if self.sealed else [HISTORY_KEEPS_PLAINTEXT]),
            yes="删除",
        )
        self.app.push_screen(question, lambda yes: yes and self.erase(basis, whole))

    @work(thread=True, exclusive=True, group="erase")
    def erase(self, basis: str, whole: bool) -> None:
        self.erasing = True
        self.app.call_from_thread(self._disable)

        def step(said: str) -> None:
            self.app.call_from_thread(self.query_one("#erase-status", Static).update, said)

        try:
            commit = self.app.read(
                lambda archive: archive.erase([self.customer_id], basis, whole=whole, on_progress=step)
            )
        except CusttuiError as exc:
            self.app.call_from_thread(self._failed, f"未删除: {exc}")
            return
        self.app.call_from_thread(self._erased, commit, whole)

    def _disable(self) -> None:
        self.query_one(Input).disabled = self.query_one(Checkbox).disabled = True

    def _failed(self, message: str) -> None:
        self.erasing = False
        self.query_one(Input).disabled = self.query_one(Checkbox).disabled = False
        self.query_one("#erase-status", Static).update("回车删除 (删除前会再确认) · Esc 取消")
        self._error(message)
        self.query_one(Input).focus()

    def _erased(self, commit: str, whole: bool) -> None:
        self.app.notify(
            f"已删除 {self.customer_id} 的{erased_scope(whole)} (提交 {commit[:10]}), 密钥已销毁并清理; "
            "其他办事处同步后即销毁各自的副本" + ("" if self.sealed else "\n" + HISTORY_KEEPS_PLAINTEXT),
            title="已删除个人信息",
            timeout=10,
            markup=False,
        )
        self.dismiss("" if whole else self.customer_id)

    def action_cancel(self) -> None:
        if self.erasing:
            self.notify("正在删除, 完成后自动关闭", severity="warning")
        else:
            self.dismiss(None)
