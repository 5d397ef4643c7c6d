"""Pick one value of the shown customer and copy it to the user's clipboard (OSC 52, so it
reaches the user's own machine over SSH)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...core.records.present import display
from ...core.records.schema import Schema


def copyable(schema: Schema, record: dict) -> list[tuple[str, str]]:
    """(label, text) of every filled field, each contact's phone and email on its own line."""
    items = [("客户编号", record["id"]), ("名称", record.get("name", ""))]
    for definition in schema.fields_for(record["type"]):
        value = record.get(definition.code)
        if definition.code == "name" or value in (None, "", []):
            continue
        if definition.kind == "contacts":
            for contact in value:
                for phone in contact.get("phones", []):
                    items.append((f"{contact['name']} 电话", phone))
                if contact.get("email"):
                    items.append((f"{contact['name']} 邮箱", contact["email"]))
            continue
        items.append((definition.label, display(schema, definition.code, value)))
    return items


class CopyFieldScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "取消", id="copy.cancel")]
    DEFAULT_CLASSES = "dialog"

    def __init__(self, schema: Schema, record: dict) -> None:
        super().__init__()
        self.items = copyable(schema, record)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-body"):
            yield Static("复制哪一项? (回车复制, Esc 取消)", classes="dialog-title")
            yield OptionList(*(Option(f"{label}: {text}", id=str(i)) for i, (label, text) in enumerate(self.items)))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        label, text = self.items[int(event.option.id)]
        self.app.copy_to_clipboard(text)
        self.notify(f"已复制{label}: {text}")
        self.dismiss(None)
