"""Choose the dimensions the classification tree is built from, in order; remembered in the config."""

from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ...core.base.errors import CusttuiError
from ...core.tasks.browse import DEFAULT_ORDER, LEVELS, parse_order

PRESETS = (
    DEFAULT_ORDER,
    ("industry", "size"),
    ("area", "value_tier"),
    ("stage", "status"),
    ("owner", "stage"),
    ("province", "industry"),
    ("value_tier", "grade"),
)


def describe(order: tuple[str, ...]) -> str:
    return " → ".join(LEVELS[code].label for code in order)


class TreeOrderScreen(ModalScreen[tuple[str, ...] | None]):
    """A preset from the list, or any order typed as labels (行业 → 规模 → 地区)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "取消", id="order.cancel")]
    DEFAULT_CLASSES = "dialog"

    def __init__(self, current: tuple[str, ...]) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-body"):
            yield Static(f"分类树维度 (当前: {describe(self.current)})", classes="dialog-title")
            yield OptionList(*(Option(describe(p), id=",".join(p)) for p in PRESETS), id="presets")
            yield Static("或输入任意顺序, 回车确定:", classes="hint")
            yield Input(describe(self.current), id="order-input")
            yield Static("可用维度: " + "、".join(level.label for level in LEVELS.values()), classes="hint")
            yield Static("", id="order-error", classes="field-error")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(tuple(event.option.id.split(",")))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            self.dismiss(parse_order(p for p in re.split(r"\s*(?:→|->|>|,|，|、|\s)\s*", event.value) if p))
        except CusttuiError as exc:
            self.query_one("#order-error", Static).update(str(exc))
