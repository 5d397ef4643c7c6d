"""A yes/no question with the details the decision rests on."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses with True (y / Enter on 确定) or False (n / Esc)."""

    BINDINGS = [
        Binding("y", "answer(True)", "确定", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "取消", id="confirm.no"),
    ]
    DEFAULT_CLASSES = "dialog"

    def __init__(self, question: str, details: list[str] | None = None, yes: str = "确定") -> None:
        super().__init__()
        self.question, self.details, self.yes = question, details or [], yes

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-body"):
            yield Static(self.question, classes="dialog-title", markup=False)
            with VerticalScroll(id="confirm-details"):
                for line in self.details:
                    yield Static(line, markup=False)
            with Horizontal(classes="buttons"):
                yield Button(f"{self.yes} (y)", id="yes", variant="primary")
                yield Button("取消 (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
