"""Fields and values as people read them, in the standard's Chinese: one place for the command
line, the interface and the audit report, so all three say the same thing."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from ..vault.keyring import audience_label
from .records import EMPTY, FOLLOW_UP_LABEL, SEALED_KEY
from .schema import Schema

# keys every customer record has outside fields.toml, and those custtui keeps
RECORD_LABELS = {
    "id": "客户编号",
    "type": "客户类型",
    "name": "名称",
    "follow_up": FOLLOW_UP_LABEL,
    SEALED_KEY: "个人信息",
}
LOCKED_TEXT = "已加密, 本副本没有可解开的密钥"  # what stands for sealed fields this copy cannot open
ERASED_TEXT = "已依法删除"  # … and for those an erasure destroyed
CONTACT_LABELS = {
    "name": "姓名",
    "position": "职务",
    "phones": "电话",
    "email": "邮箱",
    "decision_maker": "决策人",
    "wechat": "微信",
    "note": "备注",
}
DOCUMENT_LABELS = {
    "info_type": "信息类型",
    "doc_type": "资料类型",
    "title": "标题",
    "date": "资料日期",
    "stage": "合作阶段",
    "sensitivity": "敏感等级",
    "number": "合同编号",
    "project": "合作项目",
    "main": "主文件",
    "also_in": "同时归入",
    "paper_box": "纸质档案盒号",
    "paper_shelf": "纸质档案柜位",
    "sha256": "SHA-256",
    "size": "大小 (字节)",
    "original_name": "原文件名",
    "original_path": "原位置",
    "added_by": "归档人",
    "added_at": "归档时间",
}
NOTE_LABELS = {
    "time": "沟通时间",
    "channel": "沟通方式",
    "participants": "参与人",
    "content": "沟通内容",
    "needs": "客户需求",
    "feedback": "客户反馈",
    "by": "记录人",
    SEALED_KEY: "沟通内容",
}
DEAL_LABELS = {"date": "交易日期", "amount": "交易金额", "product": "产品/服务", "contract": "合同编号", "by": "记录人"}
EMPTY_TEXT = "(空)"

Fields = list[tuple[str, str]]


def field_label(schema: Schema, key: str) -> str:
    """A customer field's Chinese name (``stage`` → 合作阶段; ``contacts.曾小贤.phones`` →
    联系人 曾小贤 · 电话), its code when the standard does not know it."""
    head, _, rest = key.partition(".")
    if head == "contacts" and rest:
        name, _, part = rest.partition(".")
        return f"联系人 {name}" + (f" · {CONTACT_LABELS.get(part, part)}" if part else "")
    if head == SEALED_KEY and rest.startswith("parts."):
        return f"加密的个人信息 ({audience_label(rest.removeprefix('parts.'), schema)})"
    if key in schema.fields:
        return schema.fields[key].label
    return RECORD_LABELS.get(key, key)


def display(schema: Schema, key: str, value: Any) -> str:
    """A customer field's value as people read it: labels for codes, lists joined by 、, amounts
    in yuan; empty for nothing."""
    if value in EMPTY:
        return ""
    definition = schema.fields.get(key)
    if key == "type":
        return schema.label("customer_type", value)
    if key == "follow_up" and isinstance(value, dict):
        return follow_up_text(value)
    if key == SEALED_KEY and isinstance(value, dict):
        why = LOCKED_TEXT if value.get("parts") else ERASED_TEXT
        return "、".join(field_label(schema, f) for f in value.get("fields", [])) + f" ({why})"
    if definition is None:
        return str(value)
    if definition.kind == "enum" and definition.dimension:
        return schema.label(definition.dimension, value)
    if definition.kind == "enum_list" and definition.dimension:
        return "、".join(schema.label(definition.dimension, x) for x in value)
    if definition.kind == "region":
        return schema.region_label(value)
    if definition.kind == "amount":
        return amount_text(value)
    if definition.kind == "contacts":
        return "、".join(c.get("name", "") for c in value)
    return plain(value)


def follow_up_text(follow_up: dict) -> str:
    """``2026-12-05 回访报价 (张伟)``: a next step as people read it."""
    owner = f" ({follow_up['owner']})" if follow_up.get("owner") else ""
    return f"{follow_up.get('date', '')} {follow_up.get('action', '')}{owner}".strip()


def document_display(schema: Schema, key: str, value: Any) -> str:
    """A value of a document's description (``*.meta.toml``) as people read it."""
    if value in EMPTY:
        return ""
    if key in ("info_type", "doc_type"):
        found = schema.doc_types.get(value) or schema.info_types.get(value)
        return found.label if found else str(value)
    if key in ("stage", "sensitivity"):
        return schema.label(key, value)
    if key == "also_in":
        return "、".join(document_display(schema, "doc_type", x) for x in value)
    return plain(value)


def plain(value: Any) -> str:
    """A value no definition explains: 是/否, lists joined by 、, else as written."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(x) for x in value)
    return str(value)


def contact_display(contact: dict) -> str:
    """A whole contact on one line: 曾小贤 采购经理 138… zeng@…"""
    parts = [contact.get("name", ""), contact.get("position", ""), "、".join(contact.get("phones", []))]
    return " ".join(p for p in [*parts, contact.get("email", "")] if p)


def change_text(schema: Schema, key: str, old: Any, new: Any, *, document: bool = False, sealed: bool = False) -> str:
    """``合作阶段 潜在→签约``: how a commit message names one field's move (of a customer, or of a
    document's description); a ``sealed`` field is named without its values."""
    show = document_display if document else display
    label = DOCUMENT_LABELS.get(key, key) if document else field_label(schema, key)
    if sealed:
        return f"{label} 已修改 (加密保存)"
    return f"{label} {show(schema, key, old) or EMPTY_TEXT}→{show(schema, key, new) or EMPTY_TEXT}"


def _labelled(record: dict, labels: dict[str, str], shown: dict[str, str]) -> Fields:
    """The fields the record holds, in the labels' order (not the file it is stored in)."""
    return [
        (label, shown.get(k, plain(record[k]))) for k, label in labels.items() if record.get(k) not in (None, "", [])
    ]


def note_fields(note: dict, schema: Schema) -> Fields:
    """A communication record's fields as people read them."""
    shown = {"channel": schema.label("channel", note.get("channel", "")), SEALED_KEY: f"({LOCKED_TEXT})"}
    if note.get("time"):
        shown["time"] = f"{note['time']:%Y-%m-%d %H:%M}"
    return _labelled(note, NOTE_LABELS, shown)


def deal_fields(deal: dict) -> Fields:
    """A transaction's fields, the amount in yuan."""
    return _labelled(deal, DEAL_LABELS, {"amount": amount_text(deal["amount"])})


def amount_text(value: Any) -> str:
    """An amount in yuan (860,000.00 元), or the mask standing for it as it is."""
    if value in (None, ""):
        return ""
    try:
        return f"{Decimal(str(value)):,.2f} 元"
    except InvalidOperation:
        return str(value)


def contact_fields(contact: dict) -> Fields:
    """A contact's fields (phones joined by 、, 决策人 是/否)."""
    return _labelled(contact, CONTACT_LABELS, {})
