"""Records as TOML: customers, communication records, transactions and document metadata.

Each function takes user input (codes or Chinese labels, strings or TOML values), checks it
against the archive's schema and returns the normalised record, or raises FieldError naming the
field and the rule. Serialisation is stable (fixed key order) so diffs stay small.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterable

import tomli_w

from ..base import tomlread
from ..base.errors import CusttuiError, FieldError, SchemaError
from ..base.layout import DOCUMENT_FIELDS, DOCUMENT_SYSTEM_FIELDS, FIELDS_FILE, customer_folder, unsafe_document_name
from ..vault import crypto
from ..vault.keyring import SEALED as SEALED_KEY  # the personal fields stored encrypted: never typed in
from . import validate as v
from .schema import CUSTOMER_TYPE, FieldDef, Schema

ID_PATTERN = re.compile(r"^(?P<office>[A-Z][A-Z0-9]{1,5})-(?P<seq>\d{6,})$")
OFFICE_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{1,5}$")
SYSTEM_FIELDS = ("id", "type", "name")
TRAILING_TABLES = ("follow_up", "contacts", "stage_history", "conflicts", "sealed")
# kept by custtui, never typed in (the follow-up is set by ``custtui followup`` and the note form)
SYSTEM_KEYS = ("id", "stage_history", "conflicts", "merged_into", "follow_up", SEALED_KEY)
FOLLOW_UP_LABEL = "下次跟进"
FOLLOW_UP_KEYS = ("date", "action", "owner", "set_by")
EMPTY: tuple[object, ...] = (None, "", [], {})


def customer_dir(customer_id: str) -> str:
    """``customers/BJ/000/BJ-000123``: sharded by office and thousands so no tree grows unbounded."""
    match = ID_PATTERN.match(customer_id)
    if not match:
        raise CusttuiError(f"客户编号 {customer_id!r} 格式不对, 应为 办事处代码-序号, 如 BJ-000123")
    return customer_folder(customer_id)


def format_id(office: str, seq: int) -> str:
    return f"{office}-{seq:06d}"


def loads(raw: bytes, path: str) -> dict:
    """Parse a TOML record; a broken one raises RecordError with the file and line."""
    return tomlread.parse(raw, path)


def dumps(record: dict, order: Iterable[str] = ()) -> bytes:
    """Serialise with keys in ``order`` first, tables of records last."""
    order = list(order)
    keys = sorted(record, key=lambda k: (k in TRAILING_TABLES, order.index(k) if k in order else len(order), k))
    return tomli_w.dumps({k: _plain(record[k]) for k in keys if record[k] not in EMPTY}).encode()


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, list):
        return [_plain(x) for x in value]
    if isinstance(value, dict):
        return {k: _plain(x) for k, x in value.items() if x not in EMPTY}
    return value


_TOML_LIST = re.compile(r"^\s*\[\s*([\"'{\[]|\])")  # ["甲", … or [] (a list written in TOML); not [北京]华信


def _toml_value(text: str, definition: FieldDef, example: str) -> Any:
    """A list or table typed as TOML text (``["华信厂", "华信"]``) for a field whose kind needs one."""
    import tomllib  # 4 ms, for the rare value typed as TOML

    try:
        return tomllib.loads(f"v = {text}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        why = "嵌套过深" if isinstance(exc, RecursionError) else str(exc)
        raise FieldError(definition.code, definition.label, f"不是有效的 TOML 写法 ({why}), 应如 {example}") from None


def split_list(value: Any) -> list:
    """The items of a list typed as text (甲、乙, 甲,乙 or 甲；乙), or of a list given as one."""
    if isinstance(value, str):
        return [p for p in re.split(r"[,，、;；]\s*", value) if p.strip()]
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


class Validator:
    """Checks and normalises records against one schema."""

    def __init__(self, schema: Schema):
        self.schema = schema

    # --- customers -----------------------------------------------------------------------

    def customer_type(self, value: Any) -> str:
        dimension = self.schema.dimension(CUSTOMER_TYPE)
        code = dimension.resolve(str(value)) if value not in EMPTY else None
        if code is None:
            raise FieldError("type", dimension.label, f"{value!r} 不是有效的客户类型, 可选: {dimension.choices()}")
        return code

    def field(self, definition: FieldDef, value: Any) -> Any:
        """One field's value, normalised; FieldError naming the field and the rule."""
        code, label, kind = definition.code, definition.label, definition.kind
        if kind in ("text", "multiline"):
            return v.validate_text(value, code, label, max_length=definition.max_length, multiline=kind == "multiline")
        if kind == "uscc":
            return v.validate_uscc(str(value), code, label)
        if kind == "id_card":
            return v.validate_id_card(str(value), code, label)
        if kind == "phone":
            return v.normalise_phone(str(value), code, label)
        if kind == "email":
            return v.validate_email(str(value), code, label)
        if kind == "date":
            return v.parse_date(value, code, label)
        if kind == "amount":
            return v.parse_amount(value, code, label)
        if kind == "enum":
            return self.enum(definition, value)
        if kind == "region":
            found = self.schema.resolve_region(str(value))
            if found is None:
                raise FieldError(code, label, f"{value!r} 不是已知的省市 (可填城市名如 深圳, 或行政区划代码如 440300)")
            return found
        if kind in ("text_list", "phone_list", "enum_list") and isinstance(value, str) and _TOML_LIST.match(value):
            value = _toml_value(value, definition, '["甲", "乙"] 或 甲、乙')
        if kind == "enum_list":
            return _unique(self.enum(definition, item) for item in split_list(value))
        if kind == "text_list":
            return _unique(
                v.validate_text(str(item), code, label, max_length=definition.max_length) for item in split_list(value)
            )
        if kind == "phone_list":
            return _unique(v.normalise_phone(str(item), code, label) for item in split_list(value))
        if kind == "contacts":
            if isinstance(value, str):
                value = _toml_value(value, definition, '[{name="曾小贤", phones=["13812345678"]}]')
            return self.contacts(definition, value)
        raise FieldError(code, label, f"未知的字段种类 {kind}")

    def enum(self, definition: FieldDef, value: Any) -> str:
        if definition.dimension is None:  # loading the standard requires one for an enum field
            raise SchemaError(FIELDS_FILE, f"fields.{definition.code}.dimension", "枚举字段须指定维度")
        dimension = self.schema.dimension(definition.dimension)
        found = dimension.resolve(str(value))
        if found is None:
            raise FieldError(
                definition.code, definition.label, f"{value!r} 不是有效的{dimension.label}, 可选: {dimension.choices()}"
            )
        return found

    def contacts(self, definition: FieldDef, value: Any) -> list[dict]:
        if isinstance(value, dict):
            value = [value]
        if not isinstance(value, list):
            raise FieldError(
                definition.code,
                definition.label,
                '应为联系人列表, 如 [{name="曾小贤", position="采购经理", phones=["13812345678"]}]',
            )
        result = []
        for i, item in enumerate(value, 1):
            where = f"{definition.label}第{i}位"
            if not isinstance(item, dict):
                raise FieldError(definition.code, definition.label, f"第{i}位联系人应为表 {{name=..., ...}}")
            unknown = set(item) - {"name", "position", "phones", "email", "decision_maker"}
            if unknown:
                raise FieldError(
                    definition.code,
                    definition.label,
                    f"第{i}位联系人有未知项 {sorted(unknown)}, 可用: name, position, phones, email, decision_maker",
                )
            contact: dict[str, Any] = {
                "name": v.validate_text(item.get("name", ""), "contacts.name", f"{where}的姓名", max_length=30)
            }
            if item.get("position") not in EMPTY:
                contact["position"] = v.validate_text(
                    str(item["position"]), "contacts.position", f"{where}的职务", max_length=30
                )
            phones = _unique(
                v.normalise_phone(str(p), "contacts.phones", f"{where}的电话")
                for p in split_list(item.get("phones", []))
            )
            if phones:
                contact["phones"] = phones
            if item.get("email") not in EMPTY:
                contact["email"] = v.validate_email(str(item["email"]), "contacts.email", f"{where}的邮箱")
            if item.get("decision_maker"):
                if not isinstance(item["decision_maker"], bool):
                    raise FieldError("contacts.decision_maker", f"{where}的决策人标记", "应为 true 或 false")
                contact["decision_maker"] = True
            result.append(contact)
        return result

    def customer(self, record: dict, *, check_required: bool = True) -> dict:
        """A whole customer record: type-specific fields only, each valid, required ones present."""
        ctype = self.customer_type(record.get("type"))
        out: dict[str, Any] = {"id": record.get("id"), "type": ctype}
        for key, value in record.items():
            if key in ("id", "type"):
                continue
            if key == "stage_history":
                out[key] = self.stage_history(value)
                continue
            if key == "conflicts":
                out[key] = self.conflicts(value)
                continue
            if key == "follow_up":
                out[key] = self.follow_up(value)
                continue
            if key == SEALED_KEY:
                out[key] = sealed_table(value, set(self.schema.fields))
                continue
            if key == "merged_into":
                if not isinstance(value, str) or not ID_PATTERN.match(value):
                    raise FieldError(key, "已并入", f"{value!r} 不是客户编号")
                out[key] = value
                continue
            definition = self.schema.fields.get(key)
            if definition is None:
                raise FieldError(
                    key, key, f"未知字段, 可用字段: {', '.join(f.code for f in self.schema.fields_for(ctype))}"
                )
            if not definition.applies_to(ctype):
                raise FieldError(key, definition.label, f"{self.schema.label(CUSTOMER_TYPE, ctype)}没有此字段")
            if value in EMPTY:
                continue
            out[key] = self.field(definition, value)
        if check_required and not out.get("merged_into"):  # a merged customer is a pointer
            self.require(out)
        return {k: x for k, x in out.items() if x not in EMPTY}

    def require(self, record: dict) -> None:
        ctype = record["type"]
        sealed = set((record.get(SEALED_KEY) or {}).get("fields", []))  # present, kept encrypted
        for definition in self.schema.fields_for(ctype):
            if (
                ctype in definition.required_for
                and record.get(definition.code) in EMPTY
                and definition.code not in sealed
            ):
                raise FieldError(
                    definition.code, definition.label, f"{self.schema.label(CUSTOMER_TYPE, ctype)}必须填写此字段"
                )

    def defaults(self, customer_type: str) -> dict:
        return {f.code: f.default for f in self.schema.fields_for(customer_type) if f.default is not None}

    def stage_history(self, value: Any) -> list[dict]:
        """Kept by custtui; checked so a hand edit cannot slip in an unknown stage or date."""
        if not isinstance(value, list) or not all(isinstance(step, dict) for step in value):
            raise FieldError("stage_history", "阶段历史", "应为 { date=..., from=..., to=... } 的列表")
        for i, step in enumerate(value, 1):
            v.parse_date(step.get("date"), "stage_history.date", f"阶段历史第{i}条的日期")
            for key in ("from", "to"):
                if step.get(key) not in EMPTY:
                    self._enum_value("stage", step[key], f"stage_history.{key}")
        return value

    @staticmethod
    def follow_up(value: Any) -> dict:
        """A customer's next step (下次跟进): when, what, who must do it and who set it."""
        rule = "应为 { date=日期, action=事项, owner=跟进人, set_by=设定人 }, 日期和事项必填"
        if not isinstance(value, dict) or set(value) - set(FOLLOW_UP_KEYS):
            raise FieldError("follow_up", FOLLOW_UP_LABEL, rule)
        try:
            result: dict[str, Any] = {"date": v.parse_date(value.get("date"), "follow_up", FOLLOW_UP_LABEL)}
            result["action"] = v.validate_text(value.get("action"), "follow_up", FOLLOW_UP_LABEL, max_length=200)
            for key in ("owner", "set_by"):
                if value.get(key) not in EMPTY:
                    result[key] = v.validate_text(value[key], "follow_up", FOLLOW_UP_LABEL, max_length=30)
        except FieldError as exc:
            raise FieldError("follow_up", FOLLOW_UP_LABEL, f"{rule}: {exc.rule}") from None
        if not result["action"]:
            raise FieldError("follow_up", FOLLOW_UP_LABEL, f"{rule}: 事项为空")
        return result

    @staticmethod
    def conflicts(value: Any) -> list[dict]:
        """Open conflicts recorded by a sync; checked so a hand edit cannot break the list."""
        if not isinstance(value, list) or not all(isinstance(c, dict) and c.get("field") for c in value):
            raise FieldError("conflicts", "同步冲突", "应为 { field=..., kept=..., other=... } 的列表")
        return value

    def field_order(self) -> list[str]:
        return [*SYSTEM_FIELDS, *self.schema.fields]

    # --- facts and documents -------------------------------------------------------------

    def note(self, data: dict) -> dict:
        """A communication record (沟通记录)."""
        record = {
            "time": v.parse_datetime(
                data.get("time") or datetime.now().replace(second=0, microsecond=0), "time", "沟通时间"
            ),
            "channel": self._enum_value("channel", data.get("channel"), "channel"),
        }
        participants = split_list(data.get("participants") or [])
        record["participants"] = _unique(
            v.validate_text(str(p), "participants", "参与人", max_length=30) for p in participants
        )
        record["content"] = v.validate_text(
            data.get("content", ""), "content", "沟通内容", max_length=5000, multiline=True
        )
        for key, label in (("needs", "客户需求"), ("feedback", "客户反馈")):
            if data.get(key) not in EMPTY:
                record[key] = v.validate_text(data[key], key, label, max_length=2000, multiline=True)
        if SEALED_KEY in data:
            record[SEALED_KEY] = sealed_table(data[SEALED_KEY], {"participants", "content", "needs", "feedback"})
        self._reject_unknown(
            data, {"time", "channel", "participants", "content", "needs", "feedback", "by", SEALED_KEY}
        )
        return record

    def deal(self, data: dict) -> dict:
        """A transaction (交易记录)."""
        record = {
            "date": v.parse_date(data.get("date") or date.today(), "date", "交易日期"),
            "amount": v.parse_amount(data.get("amount", ""), "amount", "交易金额"),
            "product": v.validate_text(data.get("product", ""), "product", "产品/服务", max_length=200),
        }
        if data.get("contract") not in EMPTY:
            record["contract"] = v.validate_text(data["contract"], "contract", "合同编号", max_length=60)
        self._reject_unknown(data, {"date", "amount", "product", "contract", "by"})
        return record

    def document(self, data: dict, customer_type: str | None) -> dict:
        """Document metadata; sensitivity defaults from the document type."""
        info = data.get("info_type")
        doc_type = self.schema.resolve_doc_type(data.get("doc_type", "")) if data.get("doc_type") else None
        if data.get("doc_type") and doc_type is None:
            raise FieldError(
                "doc_type",
                "资料类型",
                f"{data['doc_type']!r} 不是已知的资料类型, 可选: "
                + "、".join(d.label for d in self.schema.doc_types.values()),
            )
        info_type = self.schema.resolve_info_type(info) if info else None
        if info and info_type is None:
            raise FieldError(
                "info_type",
                "信息类型",
                f"{info!r} 不是已知的信息类型, 可选: "
                + "、".join(f"{i.label}({i.code})" for i in self.schema.info_types.values()),
            )
        if doc_type is None:
            if info_type is None:
                raise FieldError("doc_type", "资料类型", "请指定资料类型 (如 合同、营业执照) 或信息类型")
            doc_type = info_type.doc_types[-1] if info_type.code == "other" else None
        elif info_type is None:
            info_type = self.schema.info_types[doc_type.info_type]
        self._reject_unknown(data, set(DOCUMENT_FIELDS))
        if doc_type is not None and doc_type.for_types and customer_type and customer_type not in doc_type.for_types:
            kinds = "、".join(self.schema.label(CUSTOMER_TYPE, t) for t in doc_type.for_types)
            raise FieldError("doc_type", "资料类型", f"「{doc_type.label}」只适用于{kinds}")
        if doc_type is not None and doc_type.info_type != info_type.code:
            raise FieldError(
                "doc_type",
                "资料类型",
                f"「{doc_type.label}」属于「{self.schema.info_types[doc_type.info_type].label}」, "
                f"不属于「{info_type.label}」",
            )
        record: dict[str, Any] = {"info_type": info_type.code}
        if doc_type is not None:
            record["doc_type"] = doc_type.code
        record["title"] = v.validate_text(
            data.get("title") or (doc_type.label if doc_type else info_type.label), "title", "标题", max_length=100
        )
        record["date"] = v.parse_date(data.get("date") or date.today(), "date", "资料日期")
        if data.get("stage") not in EMPTY:
            record["stage"] = self._enum_value("stage", data["stage"], "stage")
        elif doc_type is not None and doc_type.stage:
            record["stage"] = doc_type.stage
        sensitivity = (
            data.get("sensitivity")
            or (doc_type.default_sensitivity if doc_type else None)
            or info_type.default_sensitivity
            or "internal"
        )
        record["sensitivity"] = self._enum_value("sensitivity", sensitivity, "sensitivity")
        for key, label, limit in (
            ("number", "合同编号", 60),
            ("project", "合作项目", 60),
            ("main", "主文件", 200),
            ("paper_box", "纸质档案盒号", 40),
            ("paper_shelf", "纸质档案柜位", 40),
        ):
            if data.get(key) not in EMPTY:
                record[key] = v.validate_text(str(data[key]), key, label, max_length=limit)
        if record.get("main") and (problem := unsafe_document_name(record["main"])):
            raise FieldError("main", "主文件", f"应为同一客户的另一份资料的文件名: {problem}")
        also = []
        for item in split_list(data.get("also_in") or []):
            found = self.schema.resolve_doc_type(item) or self.schema.resolve_info_type(item)
            if found is None:
                raise FieldError("also_in", "同时归入", f"{item!r} 不是已知的资料类型或信息类型")
            also.append(found.code)
        if also:
            record["also_in"] = _unique(also)
        return record

    def stored_document(self, record: dict, customer_type: str | None) -> dict:
        """Document metadata as stored (with what ``attach`` recorded: checksum, size, who, when)."""
        checked = self.document({k: x for k, x in record.items() if k not in DOCUMENT_SYSTEM_FIELDS}, customer_type)
        if not isinstance(record.get("sha256"), str) or not re.fullmatch(r"[0-9a-f]{64}", record["sha256"]):
            raise FieldError("sha256", "校验和", "应为 64 位十六进制的 SHA-256")
        if not isinstance(record.get("size"), int) or isinstance(record["size"], bool) or record["size"] < 0:
            raise FieldError("size", "大小", "应为非负整数 (字节)")
        for key, label, limit in (
            ("original_name", "原文件名", 255),
            ("original_path", "原位置", 1000),
            ("added_by", "归档人", 255),
        ):
            if record.get(key) not in EMPTY:
                v.validate_text(record[key], key, label, max_length=limit)
        if record.get("added_at") not in EMPTY:
            v.parse_datetime(record["added_at"], "added_at", "归档时间")
        if "conflicts" in record:
            self.conflicts(record["conflicts"])
        return checked

    def _enum_value(self, dimension: str, value: Any, field: str) -> str:
        dim = self.schema.dimension(dimension)
        found = dim.resolve(str(value)) if value not in EMPTY else None
        if found is None:
            raise FieldError(field, dim.label, f"{value!r} 不是有效的{dim.label}, 可选: {dim.choices()}")
        return found

    @staticmethod
    def _reject_unknown(data: dict, allowed: set[str]) -> None:
        unknown = set(data) - allowed
        if unknown:
            name = sorted(unknown)[0]
            raise FieldError(name, name, f"未知字段, 可用: {', '.join(sorted(allowed - {'by'}))}")


MAX_SEALED_PART = 256 * 1024  # one audience's sealed fields, as text: a record is at most 1 MB


def sealed_table(value: Any, known: set[str]) -> dict:
    """The ``sealed`` table's shape (``core/privacy/seal.py`` writes and opens it): the names of
    the fields it holds and one ciphertext per audience; after an erasure, the fields it held and
    no ciphertext. Checked without any key, as the gate must."""
    rule = "应为 { fields = [字段, …], parts = { 可解密的人 = 密文 } } (由 custtui 加密写入; 删除个人信息后没有 parts)"
    if not isinstance(value, dict) or set(value) - {"fields", "parts"}:
        raise FieldError(SEALED_KEY, "加密部分", rule)
    fields, parts = value.get("fields", []), value.get("parts")
    if not isinstance(fields, list) or not all(isinstance(f, str) and f in known for f in fields):
        raise FieldError(SEALED_KEY, "加密部分", f"{rule}: fields 中有未知字段")
    if parts is None:
        parts = {}
    if not isinstance(parts, dict) or not (parts or fields):
        raise FieldError(SEALED_KEY, "加密部分", f"{rule}: fields 和 parts 都为空")
    for audience, text in parts.items():
        if not isinstance(text, str) or not text.isascii() or len(text) > MAX_SEALED_PART:
            raise FieldError(SEALED_KEY, "加密部分", f"{rule}: {audience} 的密文不对或超过 {MAX_SEALED_PART} 字符")
        try:
            crypto.header_of(crypto.from_text(text))
        except CusttuiError as exc:
            raise FieldError(SEALED_KEY, "加密部分", f"{audience}: {exc}") from None
    return value


def _unique(items: Iterable) -> list:
    seen, out = set(), []
    for item in items:
        key = repr(item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def field_changes(old: dict, new: dict) -> list[tuple[str, Any, Any]]:
    """(field, old value, new value) for each field that differs, in a stable order."""
    keys = list(old) + [k for k in new if k not in old]
    return [(k, old.get(k), new.get(k)) for k in keys if _norm(old.get(k)) != _norm(new.get(k))]


def _norm(value: Any) -> Any:
    return None if value in EMPTY else _plain(value)
