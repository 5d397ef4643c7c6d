"""Asking before a revert: exactly what it will change, and the reason when a customer's stage moves back."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from ...core.tasks.audit import RevertPlan


class RevertScreen(ModalScreen[str | None]):
    """The changes a revert will make, each field as its value now → after the revert. When the
    customer's stage moves back, that is a new step of the stage history and its reason is asked.

    Dismisses with the reason ("" when none is needed), or None when the revert is cancelled."""

    CSS_PATH = "history.tcss"
    DEFAULT_CLASSES = "dialog"
    BINDINGS = [
        Binding("y", "confirm", "撤销", id="revert.yes"),
        Binding("n,escape", "cancel", "取消", id="revert.no"),
    ]

    def __init__(self, plan: RevertPlan) -> None:
        super().__init__()
        self.plan = plan

    def compose(self) -> ComposeResult:
        report = self.plan.report
        with Vertical(id="dialog-body"):
            yield Static(
                Text(f"撤销 {report.author} {report.when:%Y-%m-%d %H:%M} 的提交「{report.message}」?"),
                classes="dialog-title",
            )
            yield Static("将产生一个新的提交, 原提交保留。撤销后 (现值 → 撤销后的值):", classes="hint")
            with VerticalScroll(id="revert-changes"):
                for change in self.plan.changes:
                    yield Static(Text(change.title, style="bold"))
                    for detail in change.details:
                        yield Static(Text(f"  {detail}"))
            if self.plan.stage:
                yield Static(
                    "阶段变更原因 (必填, 记入阶段历史)",
                    id="revert-reason-label",
                )
                yield Input(placeholder="如: 误操作, 客户仍在合作", id="revert-reason")
                yield Static(id="revert-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("撤销 (y)" if not self.plan.stage else "撤销 (回车)", id="yes", variant="primary")
                yield Button("取消 (Esc)", id="no")

    def on_mount(self) -> None:
        self.query_one("#revert-reason" if self.plan.stage else "#yes").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_confirm() if event.button.id == "yes" else self.action_cancel()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_confirm()

    def action_confirm(self) -> None:
        if not self.plan.stage:
            self.dismiss("")
            return
        reason = self.query_one("#revert-reason", Input).value.strip()
        if not reason:
            self.query_one("#revert-error", Static).update("请填写阶段变更原因: 撤销会在阶段历史中新增一条变更")
            self.query_one("#revert-reason", Input).focus()
            return
        self.dismiss(reason)

    def action_cancel(self) -> None:
        self.dismiss(None)
