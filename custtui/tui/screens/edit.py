"""New customer and edit customer: fields by customer type, validated as typed, saved as one commit
after the user has seen what will change; a concurrent change to the same field is shown with both
values and never overwritten silently."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from rich.markup import escape
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import OptionList, Select, Static
from textual.widgets.option_list import Option

from ...core.archive.archive import Archive, duplicate_rule
from ...core.archive.duplicates import DuplicateFinder, describe
from ...core.base.errors import ConflictError, FieldError
from ...core.records.present import EMPTY_TEXT, display, field_label
from ...core.records.records import Validator
from ...core.records.schema import FieldDef, Schema
from ...core.tasks import view
from ..widgets.form import Choice, FieldRow, FormScreen, TextBox, TextInput
from .confirm import ConfirmScreen

CONTACT_HINT = "每行一位: 姓名 | 职务 | 电话(多个用逗号) | 邮箱 | 决策人(填 是)"
LIST_HINT = "多个用 、或逗号分隔"
REASON = "reason"
OWNER = "owner"
DUPLICATE_DELAY_S = 0.3  # a number is looked up once typing pauses this long


def text_of(schema: Schema, definition: FieldDef, value: Any) -> str:
    """A stored value as the user edits it (labels, not codes; lists joined by 、)."""
    if value in (None, "", []):
        return ""
    kind = definition.kind
    if kind == "enum":
        return str(value)
    if kind == "enum_list":
        return "、".join(schema.label(definition.dimension, v) for v in value)
    if kind in ("text_list", "phone_list"):
        return "、".join(map(str, value))
    if kind == "region":
        return schema.region_label(value).replace(" ", "")
    if kind == "amount":  # a number to edit; a mask (amounts hidden from this person) as it is
        try:
            return f"{Decimal(str(value)):f}"
        except InvalidOperation:
            return str(value)
    if kind == "contacts":
        return "\n".join(
            " | ".join(
                [
                    c.get("name", ""),
                    c.get("position", ""),
                    ",".join(c.get("phones", [])),
                    c.get("email", ""),
                    "是" if c.get("decision_maker") else "",
                ]
            ).rstrip(" |")
            for c in value
        )
    return str(value)


def parse_contacts(text: str) -> list[dict]:
    """Contact lines (see CONTACT_HINT) → contact tables for the validator."""
    contacts = []
    for number, line in enumerate(filter(str.strip, text.splitlines()), 1):
        parts = [p.strip() for p in line.split("|")]
        if len(parts) > 5:
            raise FieldError("contacts", "联系人", f"第{number}行有 {len(parts)} 项, 最多 5 项: {CONTACT_HINT}")
        parts += [""] * (5 - len(parts))
        name, position, phones, email, decision = parts
        if decision not in ("", "是", "否"):
            raise FieldError("contacts", "联系人", f"第{number}行的决策人应填 是 或留空")
        contact: dict[str, Any] = {"name": name}
        for key, value in (("position", position), ("phones", phones), ("email", email)):
            if value:
                contact[key] = value
        if decision == "是":
            contact["decision_maker"] = True
        contacts.append(contact)
    return contacts


def value_of(definition: FieldDef, text: str) -> Any:
    """What the user typed, as the validator takes it ("" clears the field)."""
    if not text:
        return ""
    return parse_contacts(text) if definition.kind == "contacts" else text


def editor_for(schema: Schema, definition: FieldDef, text: str, required: bool) -> Widget:
    widget_id = f"f-{definition.code}"
    hint = (
        CONTACT_HINT
        if definition.kind == "contacts"
        else f"{definition.label} ({LIST_HINT})"
        if definition.kind in ("enum_list", "text_list", "phone_list")
        else definition.label
    )
    if definition.kind == "enum":
        options = [(v.label, v.code) for v in schema.dimension(definition.dimension).values]
        return Choice(
            options,
            value=text or Select.NULL,
            allow_blank=not (required and text),
            id=widget_id,
            prompt="(未填)",
            compact=True,
        )
    if definition.kind in ("multiline", "contacts"):
        return TextBox(text, id=widget_id, soft_wrap=True, classes="multiline", compact=True, placeholder=hint)
    return TextInput(text, id=widget_id, placeholder=hint, compact=True)


class CustomerTypeScreen(ModalScreen[str | None]):
    """First step of a new customer: which type (the fields depend on it)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "取消", id="type.cancel")]
    DEFAULT_CLASSES = "dialog"

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-body"):
            yield Static("新建客户: 选择客户类型", classes="dialog-title")
            schema: Schema = self.app.archive.schema()
            yield OptionList(*(Option(v.label, id=v.code) for v in schema.dimension("customer_type").values))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class CustomerForm(FormScreen):
    """Edits one customer (``customer_id``) or registers a new one of ``customer_type``."""

    def __init__(self, archive: Archive, customer_id: str | None = None, customer_type: str | None = None) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.base = archive.head()
        self.schema = archive.schema(self.base)
        self.validator = Validator(self.schema)
        self.record = (
            archive.customer(customer_id, self.base) if customer_id else self.new_record(archive, customer_type)
        )
        shown = view.customer(archive, customer_id, self.base) if customer_id else self.record
        self.definitions = self.schema.fields_for(self.record["type"])
        # personal data masked for this person is shown masked and cannot be edited here
        self.masked = {d.code for d in self.definitions if shown.get(d.code) != self.record.get(d.code)}
        self.initial = {d.code: text_of(self.schema, d, shown.get(d.code)) for d in self.definitions}
        type_label = self.schema.label("customer_type", self.record["type"])
        self.heading = (
            f"编辑 {customer_id} {self.record.get('name', '')}" if customer_id else f"新建{type_label}"
        ) + "   (* 为必填)"
        self._lookup: Timer | None = None

    def new_record(self, archive: Archive, customer_type: str | None) -> dict[str, Any]:
        """A new customer as the form opens: the standard's defaults, and 负责人 the person entering it."""
        record = {"type": customer_type, **self.validator.defaults(customer_type)}
        if OWNER in {d.code for d in self.schema.fields_for(customer_type)}:
            record.setdefault(OWNER, archive.display_name)
        return record

    def rows(self) -> list[FieldRow]:
        rows = []
        for definition in self.definitions:
            required = self.record["type"] in definition.required_for
            editor = editor_for(self.schema, definition, self.initial[definition.code], required)
            if definition.code in self.masked:
                editor.disabled = True
                editor.tooltip = "已打码: 你的角色不能查看或修改此项"
            rows.append(
                FieldRow(
                    definition.code,
                    definition.label,
                    editor,
                    required=required,
                    check=lambda text, d=definition: self.validator.field(d, value_of(d, text)),
                )
            )
            if definition.code == "stage" and self.customer_id:
                rows.append(
                    FieldRow(
                        REASON,
                        "阶段变更原因",
                        TextInput(
                            id="f-reason",
                            placeholder="修改合作阶段时必填, 如: 签订《年度采购合同》HT-2024-015",
                            compact=True,
                        ),
                        first_focus=False,
                    )
                )
        return rows

    def changes(self) -> dict[str, Any]:
        """What saving writes: the fields changed since the form opened; for a new customer every
        filled field (defaults included)."""
        values = self.values()
        return {
            d.code: value_of(d, values[d.code])
            for d in self.definitions
            if d.code not in self.masked
            and (values[d.code] != self.initial[d.code] if self.customer_id else values[d.code])
        }

    def problems(self) -> list[tuple[str, str]]:
        values, found = self.values(), []
        if self.customer_id and values.get("stage") != self.initial.get("stage") and not values.get(REASON):
            found.append((REASON, "修改合作阶段时请填写原因, 它会记入阶段历史"))
        for code in view.UNIQUE_FIELDS:
            row = self.row(code)
            if row is not None and self._unique_to_check(row):
                clash = self.app.read(lambda archive, code=code, text=row.value: self.clash(archive, code, text))
                if clash:
                    found.append((code, clash))
        return found

    def _unique_to_check(self, row: FieldRow) -> bool:
        """A USCC or ID number typed here, valid, and not the one the customer already has."""
        return row.code not in self.masked and bool(row.value) and not row.error and row.value != self.initial[row.code]

    # --- a number someone else already has, said while typing ------------------------------

    def rechecked(self, row: FieldRow) -> None:
        if row.code not in view.UNIQUE_FIELDS:
            return
        if self._lookup is not None:
            self._lookup.stop()
            self._lookup = None
        if self._unique_to_check(row):
            text = row.value
            self._lookup = self.set_timer(DUPLICATE_DELAY_S, lambda: self.look_up(row.code, text))

    @work(thread=True, exclusive=True, group="form-duplicate")
    def look_up(self, code: str, text: str) -> None:
        clash = self.app.read(lambda archive: self.clash(archive, code, text))
        self.app.call_from_thread(self._show_clash, code, text, clash)

    def _show_clash(self, code: str, text: str, clash: str | None) -> None:
        row = self.row(code)
        if clash and row is not None and row.value == text and not row.error:  # still what was looked up
            row.set_error(clash)

    def clash(self, archive: Archive, code: str, text: str) -> str | None:
        """Who already has ``text`` (a valid USCC or ID number), as the form says it, or None."""
        value = self.validator.field(self.schema.fields[code], text)
        found = view.duplicates(archive, code, value, self.customer_id)
        return duplicate_rule(found) if found else None

    # --- saving ----------------------------------------------------------------------------

    def save(self) -> None:
        changes = self.changes()
        if not changes:
            self.notify("没有修改")
            self.dismiss(None)
            return
        reason = self.values().get(REASON, "")
        try:
            draft = self.validator.customer({**self.record, **{k: v for k, v in changes.items() if v != ""}})
            for code, value in changes.items():
                if value == "":
                    draft.pop(code, None)
            self.validator.require(draft)
        except FieldError as exc:
            self.show_error(exc)
            return
        cid = self.customer_id
        theirs = (
            self.app.read(lambda archive: view.changed_since(archive, cid, self.base, list(changes))) if cid else {}
        )
        lines = [
            self._describe(code, theirs[code][0] if code in theirs else self.record.get(code), draft.get(code))
            for code in changes
        ]
        for code, (value, entry) in theirs.items():
            if value != draft.get(code):
                who = f"{entry.author} 于 {entry.when:%m-%d %H:%M} " if entry else "他人"
                shown = display(self.schema, code, value) or "(空)"
                lines.append(
                    f"⚠ {self.schema.fields[code].label} 在你编辑期间已由{who}改为「{shown}」, 保存时请选择保留哪一个"
                )
        if reason:
            lines.append(f"变更原因: {reason}")
        question, yes = f"保存对 {cid} 的以下修改?" if cid else "新建以下客户?", "保存"
        suspects = [] if cid else self.app.read(lambda archive: DuplicateFinder.of(archive).suspects(draft))
        if suspects:  # a same USCC or ID number is refused on saving; a likely duplicate is the person's call
            question, yes = "可能与已有客户重复, 仍然新建以下客户?", "仍然新建"
            lines = [*describe(suspects).splitlines(), "", *lines]
        self.app.push_screen(ConfirmScreen(question, lines, yes=yes), lambda yes: yes and self._commit(changes, reason))

    def _describe(self, code: str, old: Any, new: Any) -> str:
        label = self.schema.fields[code].label
        before, after = display(self.schema, code, old), display(self.schema, code, new)
        return (
            f"{label}: {after or '(空)'}"
            if not self.customer_id
            else f"{label}: {before or '(空)'} → {after or '(清空)'}"
        )

    def _commit(self, changes: dict[str, Any], reason: str, base: str | None = None) -> None:
        if self.customer_id:
            cid = self.customer_id
            self.commit(
                lambda archive: (
                    archive.update_customer(cid, changes, reason=reason or None, base=base or self.base) and cid
                )
            )
        else:
            fields = {k: v for k, v in changes.items() if k != "name" and v != ""}
            self.commit(lambda archive: archive.add_customer(self.record["type"], changes.get("name", ""), fields)[0])

    def on_conflict(self, error: ConflictError) -> None:
        self.conflicted = {field for field, _, _ in error.conflicts}
        self.app.push_screen(ConflictScreen(self.schema, error), self._resolve)

    def _resolve(self, choice: str | None) -> None:
        """``mine``: save over their values; ``theirs``: keep theirs, save the rest; None: keep editing."""
        if choice is None:
            return
        changes = self.changes()
        head = self.app.archive.head()
        if choice == "theirs":
            changes = {k: v for k, v in changes.items() if k not in self.conflicted}
            if not changes:
                self.dismiss(self.customer_id)
                return
        self._commit(changes, self.values().get(REASON, "") if "stage" in changes else "", base=head)


class ConflictScreen(ModalScreen[str | None]):
    """Someone else changed the same fields since the form was opened: both values, user decides."""

    BINDINGS = [
        Binding("m", "dismiss('mine')", "用我的值", id="conflict.mine"),
        Binding("t", "dismiss('theirs')", "保留对方的值", id="conflict.theirs"),
        Binding("escape", "dismiss(None)", "继续编辑", id="conflict.back"),
    ]
    DEFAULT_CLASSES = "dialog"

    def __init__(self, schema: Schema, error: ConflictError) -> None:
        super().__init__()
        self.schema, self.error = schema, error

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-body"):
            yield Static(f"{self.error.customer_id} 在你编辑期间已被他人修改", classes="dialog-title")
            for field, theirs, mine in self.error.conflicts:
                yield Static(
                    f"[b]{escape(field_label(self.schema, field))}[/b]\n  对方已保存: "
                    f"{escape(display(self.schema, field, theirs) or EMPTY_TEXT)}"
                    f"\n  你的修改:   {escape(display(self.schema, field, mine) or EMPTY_TEXT)}",
                    classes="conflict",
                )
            yield Static("m 用我的值覆盖 · t 保留对方的值 (只保存其余修改) · Esc 继续编辑", classes="hint")
