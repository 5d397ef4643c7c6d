"""Who may see and change what: the archive's policy (``schema/policy.toml``) applied to a person.

A role names, per information type, the highest sensitivity it may view and edit, the personal
data masked for it and its other permissions. A person's access is the union of their roles.
Every reader and writer in ``custtui.core`` asks an ``Access``; a refusal names the permission.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from ..base import tomlread
from ..base.errors import CusttuiError, RecordError, SchemaError
from ..base.layout import POLICY_FILE, schema_file
from ..records.schema import Schema

SENSITIVITY = ("public", "internal", "confidential", "secret")
MASKS = {"id_number": "身份证号", "phones": "电话", "amounts": "金额"}
PERMISSIONS = {
    "export": "导出资料",
    "sync": "办事处同步",
    "replicate": "办事处服务器 (持有完整副本)",
    "unmask": "查看未打码的个人信息",
    "manage_staff": "管理员工与密钥",
    "edit_schema": "修改分类标准与权限",
    "delete": "删除",
    "erase": "删除个人信息 (销毁其密钥)",
    "read_access_log": "查看访问日志",
}
# (information type, sensitivity) of the records that are not documents
CUSTOMER_RECORD = ("basic", "internal")
NOTE_RECORD = ("service", "internal")
DEAL_RECORD = ("cooperation", "internal")


class PermissionDenied(CusttuiError):
    """An action the person's roles do not allow; the message names what is missing."""


# who may read a sealed customer field: everyone who may view customers, or only those who see the
# ID numbers / phones unmasked (or may unmask them)
FIELD_AUDIENCES = {"staff": "可查看客户的人", "id_number": "可查看未打码身份证号的人", "phones": "可查看未打码电话的人"}


class Privacy(NamedTuple):
    """``[privacy]``: what is stored sealed (docs/privacy.md)."""

    enabled: bool = False
    fields: dict[str, str] = {}  # customer field -> audience (FIELD_AUDIENCES)
    documents_from: str = "confidential"  # documents at or above: sealed to who may view them


class Role(NamedTuple):
    code: str
    label: str
    view: dict[str, str]
    edit: dict[str, str]
    mask: frozenset[str]
    may: frozenset[str]


class Policy(NamedTuple):
    roles: dict[str, Role]
    departments: dict[str, str]  # department -> default role
    amount_fields: frozenset[str] = frozenset()  # the customer fields that are amounts (年采购额): masked with amounts
    privacy: Privacy = Privacy()

    @classmethod
    def parse(cls, raw: bytes, schema: Schema, file: str = schema_file(POLICY_FILE)) -> Policy:
        """Read and check the policy; a mistake raises SchemaError naming the key."""
        try:
            data = tomlread.parse(raw, file)
        except RecordError as exc:
            raise SchemaError(file, "(整个文件)", exc.problem) from None
        try:
            roles = {code: _role(file, code, spec, schema) for code, spec in (data.get("roles") or {}).items()}
            departments = dict(data.get("departments") or {})
        except (AttributeError, TypeError, ValueError) as exc:  # a shape the policy does not have
            raise SchemaError(file, "(结构)", f"内容的结构不对: {type(exc).__name__} {exc}") from None
        for department, role in departments.items():
            if role not in roles:
                raise SchemaError(file, f"departments.{department}", f"角色 {role!r} 未定义")
        amounts = frozenset(f.code for f in schema.fields.values() if f.kind == "amount")
        return cls(roles, departments, amounts, _privacy(file, data.get("privacy") or {}, schema))

    def role(self, code: str) -> Role:
        if code not in self.roles:
            raise CusttuiError(
                f"未知的角色 {code!r}, 可用: {', '.join(f'{r.code} {r.label}' for r in self.roles.values())}"
            )
        return self.roles[code]


def _role(file: str, code: str, spec: dict, schema: Schema) -> Role:
    where = f"roles.{code}"
    levels = {}
    for kind in ("view", "edit"):
        levels[kind] = dict(spec.get(kind) or {})
        for info_type, level in levels[kind].items():
            if info_type not in schema.info_types:
                raise SchemaError(file, f"{where}.{kind}.{info_type}", "不是已知的信息类型")
            if level not in SENSITIVITY:
                raise SchemaError(file, f"{where}.{kind}.{info_type}", f"敏感等级应为 {'/'.join(SENSITIVITY)}")
    for key, known in (("mask", MASKS), ("may", PERMISSIONS)):
        unknown = set(spec.get(key) or []) - set(known)
        if unknown:
            raise SchemaError(file, f"{where}.{key}", f"未知的项 {sorted(unknown)}, 可用: {', '.join(known)}")
    may = frozenset(spec.get("may") or [])
    if "replicate" in may and (levels["view"] or levels["edit"]):
        raise SchemaError(
            file,
            f"{where}.may",
            "有 replicate (办事处服务器) 权限的角色持有全部未打码的数据, 只能给服务器账号, 不能同时有 view/edit",
        )
    return Role(
        code, str(spec.get("label", code)), levels["view"], levels["edit"], frozenset(spec.get("mask") or []), may
    )


def _privacy(file: str, spec: Any, schema: Schema) -> Privacy:
    if not isinstance(spec, dict):
        raise SchemaError(file, "privacy", "应为一个表")
    unknown = set(spec) - set(Privacy._fields)
    if unknown:
        raise SchemaError(file, f"privacy.{sorted(unknown)[0]}", f"未知的项, 可用: {', '.join(Privacy._fields)}")
    if not isinstance(spec.get("enabled", False), bool):
        raise SchemaError(file, "privacy.enabled", "应为 true 或 false")
    fields = spec.get("fields") or {}
    if not isinstance(fields, dict):
        raise SchemaError(file, "privacy.fields", "应为 { 字段 = 可解密的人 } 的表")
    for field, audience in fields.items():
        if field not in schema.fields or field in ("name", "type", "id"):
            raise SchemaError(file, f"privacy.fields.{field}", "不是可加密的客户字段 (名称、类型、编号不能加密)")
        if audience not in FIELD_AUDIENCES:
            raise SchemaError(file, f"privacy.fields.{field}", f"应为 {'/'.join(FIELD_AUDIENCES)}")
    documents_from = spec.get("documents_from", "confidential")
    if documents_from not in SENSITIVITY:
        raise SchemaError(file, "privacy.documents_from", f"敏感等级应为 {'/'.join(SENSITIVITY)}")
    return Privacy(spec.get("enabled", False), dict(fields), documents_from)


def _allows(levels: dict[str, str], info_type: str, sensitivity: str) -> bool:
    ceiling = levels.get(info_type)
    return ceiling is not None and SENSITIVITY.index(sensitivity) <= SENSITIVITY.index(ceiling)


class Access:
    """What one person may do: the union of their roles (``roles=None``: everything, for an
    archive without a staff registry)."""

    def __init__(self, person: str | None, roles: list[Role] | None, amount_fields: frozenset[str] = frozenset()):
        self.person = person
        self.roles = roles
        self.unrestricted = roles is None
        self.amount_fields = amount_fields

    @property
    def label(self) -> str:
        if self.unrestricted:
            return "(不限)"
        return "、".join(r.label for r in self.roles) if self.roles else "(不在员工名册中或已停用)"

    def can_view(self, info_type: str, sensitivity: str = "internal") -> bool:
        return self.roles is None or any(_allows(r.view, info_type, sensitivity) for r in self.roles)

    def can_edit(self, info_type: str, sensitivity: str = "internal") -> bool:
        return self.roles is None or any(_allows(r.edit, info_type, sensitivity) for r in self.roles)

    def may(self, permission: str) -> bool:
        return self.roles is None or any(permission in r.may for r in self.roles)

    def masked(self, kind: str) -> bool:
        """Whether ``kind`` (id_number, phones, amounts) is masked: masked if every role masks it."""
        return not self.unrestricted and (not self.roles or all(kind in r.mask for r in self.roles))

    def require(self, permission: str) -> None:
        if not self.may(permission):
            raise PermissionDenied(
                f"缺少权限「{PERMISSIONS[permission]}」({permission}): "
                f"{self.person or '当前用户'} 的角色 {self.label} 没有此权限"
            )

    def require_edit(self, info_type: str, sensitivity: str, what: str) -> None:
        if not self.can_edit(info_type, sensitivity):
            raise PermissionDenied(
                f"缺少权限「修改{what}」: {self.person or '当前用户'} 的角色 {self.label} "
                f"不能修改 {info_type}/{sensitivity} 级别的资料"
            )

    # --- masking ---------------------------------------------------------------------------

    def customer(self, record: dict) -> dict:
        """The record as this person may see it (personal data masked)."""
        if self.unrestricted:
            return record
        shown = dict(record)
        if self.masked("id_number") and shown.get("id_number"):
            shown["id_number"] = mask_id_number(shown["id_number"])
        if self.masked("amounts"):
            shown.update({key: MASKED_AMOUNT for key in self.amount_fields if shown.get(key) not in (None, "")})
        if self.masked("phones"):
            if shown.get("phones"):
                shown["phones"] = [mask_phone(p) for p in shown["phones"]]
            if shown.get("contacts"):
                shown["contacts"] = [
                    {**c, "phones": [mask_phone(p) for p in c["phones"]]} if c.get("phones") else c
                    for c in shown["contacts"]
                ]
        return shown

    def deal(self, record: dict) -> dict:
        if self.masked("amounts") and "amount" in record:
            return {**record, "amount": MASKED_AMOUNT}
        return record

    def document_visible(self, meta: dict) -> bool:
        return self.can_view(meta.get("info_type", "other"), meta.get("sensitivity", "internal"))


MASKED_AMOUNT = "***"


def mask_id_number(value: Any) -> str:
    """``11010519491231002X`` -> ``110105********002X``."""
    text = str(value)
    return text[:6] + "*" * (len(text) - 10) + text[-4:] if len(text) > 10 else "*" * len(text)


def mask_phone(value: Any) -> str:
    """``13812345678`` -> ``138****5678``; ``010-62981234`` -> ``010-****1234``."""
    text = str(value)
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    if len(digits) <= 7:
        return re.sub(r"\d", "*", text)
    keep = set(digits[:3]) | set(digits[-4:])
    if "-" in text:  # an area code stays whole
        keep |= {i for i in digits if i < text.index("-")}
    return "".join(ch if (i in keep or not ch.isdigit()) else "*" for i, ch in enumerate(text))
