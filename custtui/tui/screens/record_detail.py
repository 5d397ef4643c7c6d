"""One record read whole: a communication record, a contact or a transaction, every field under its
Chinese label, wrapped to the width and scrollable (Enter on its row opens it, Esc closes)."""

from __future__ import annotations

from decimal import Decimal

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ...core.records.present import CONTACT_LABELS, plain
from ...core.records.schema import Schema
from ..widgets.fit_table import Wrapped

NOTE_LABELS = {
    "time": "沟通时间",
    "channel": "沟通方式",
    "participants": "参与人",
    "content": "沟通内容",
    "needs": "客户需求",
    "feedback": "客户反馈",
    "by": "记录人",
}
DEAL_LABELS = {"date": "交易日期", "amount": "交易金额", "product": "产品/服务", "contract": "合同编号", "by": "记录人"}

Fields = list[tuple[str, str]]


def _labelled(record: dict, labels: dict[str, str], shown: dict[str, str]) -> Fields:
    """The fields the record holds, in the labels' order (not the file it is stored in)."""
    return [
        (label, shown.get(k, plain(record[k]))) for k, label in labels.items() if record.get(k) not in (None, "", [])
    ]


def note_fields(note: dict, schema: Schema) -> Fields:
    """A communication record's fields as people read them."""
    shown = {"channel": schema.label("channel", note.get("channel", ""))}
    if note.get("time"):
        shown["time"] = f"{note['time']:%Y-%m-%d %H:%M}"
    return _labelled(note, NOTE_LABELS, shown)


def deal_fields(deal: dict) -> Fields:
    """A transaction's fields, the amount in yuan."""
    return _labelled(deal, DEAL_LABELS, {"amount": f"{Decimal(str(deal['amount'])):,.2f} 元"})


def contact_fields(contact: dict) -> Fields:
    """A contact's fields (phones joined by 、, 决策人 是/否)."""
    return _labelled(contact, CONTACT_LABELS, {})


def fields_grid(fields: Fields) -> Table:
    """Labels in bold on the left, values wrapped the way Chinese is read on the right."""
    grid = Table.grid(padding=(0, 2), expand=True)
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(ratio=1)
    for label, value in fields:
        grid.add_row(label, Wrapped(value))
    return grid


class RecordDetailScreen(ModalScreen[None]):
    """A titled list of (label, value); Esc or Enter closes."""

    DEFAULT_CLASSES = "dialog"
    BINDINGS = [Binding("escape,enter", "dismiss", "关闭", id="detail.close")]
    DEFAULT_CSS = """
    RecordDetailScreen #record-fields { height: auto; max-height: 100%; }
    """

    def __init__(self, title: str, fields: Fields) -> None:
        super().__init__()
        self.heading, self.fields = title, fields

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-body"):
            yield Static(Text(self.heading), classes="dialog-title")
            with VerticalScroll(id="record-fields"):
                yield Static(fields_grid(self.fields), id="record-table")
            yield Static("Esc 关闭 · ↑↓ 滚动", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#record-fields").focus()
