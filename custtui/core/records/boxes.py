"""The register of paper archive boxes (纸质档案盒): one TOML record a box, ``boxes/<number>.toml``.

A box has a number (the name of its file, printed on its label), the years and document types it
holds, where it stands (room and shelf), a status and a note. Documents point to it by number
(their ``paper_box``). ``box_record`` normalises what a person typed and validates what another
copy sent (the incoming gate and ``custtui check`` ask it); ``register`` reads every box at a
commit.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, NamedTuple

from ..base.errors import CusttuiError, FieldError
from ..base.layout import BOXES_DIR, TOML_SUFFIX, box_file, unsafe_box_number
from ..store.repo import Store
from . import validate as v
from .records import EMPTY, loads, split_list
from .schema import Schema

# status code -> label; the file stores the code, as every enumeration of the archive does
STATUS = {"stored": "在库", "lent": "借出", "destroyed": "已销毁"}
BOX_ORDER = ("number", "year_from", "year_to", "doc_types", "room", "shelf", "status", "note")
FIRST_YEAR, LAST_YEAR = 1900, 2100
LABELS = {
    "number": "盒号",
    "year_from": "起始年份",
    "year_to": "截止年份",
    "doc_types": "资料类型",
    "room": "存放房间",
    "shelf": "柜位",
    "status": "状态",
    "note": "备注",
}


class Box(NamedTuple):
    """One box of the register, as stored (codes)."""

    number: str
    year_from: int
    year_to: int
    doc_types: tuple[str, ...]
    room: str
    shelf: str
    status: str
    note: str

    @property
    def years(self) -> str:
        """``2019`` or ``2019–2021``."""
        return str(self.year_from) if self.year_from == self.year_to else f"{self.year_from}–{self.year_to}"

    @property
    def location(self) -> str:
        """Room and shelf, as people read it: ``档案室 B柜-2层``."""
        return " ".join(p for p in (self.room, self.shelf) if p)

    def type_labels(self, schema: Schema) -> list[str]:
        return [schema.doc_types[c].label if c in schema.doc_types else c for c in self.doc_types]

    @classmethod
    def of(cls, record: dict) -> Box:
        return cls(
            record["number"],
            record["year_from"],
            record["year_to"],
            tuple(record.get("doc_types", ())),
            record.get("room", ""),
            record.get("shelf", ""),
            record["status"],
            record.get("note", ""),
        )


def folded_number(text: Any) -> str:
    """A box number as typed or noted on a document, folded: half-width, capitals, no spaces
    around it (``bj-ht-2024-01`` and ``ＢＪ-HT-2024-01`` name box ``BJ-HT-2024-01``)."""
    return unicodedata.normalize("NFKC", str(text or "")).strip().upper()


def box_number(text: Any) -> str:
    """A typed box number as stored: full-width forms folded, letters in capitals; FieldError
    when it breaks the rule of the archive format."""
    number = folded_number(text)
    problem = unsafe_box_number(number)
    if problem:
        raise FieldError("number", "盒号", f"{number!r}: {problem}")
    return number


def _year(value: Any, field: str) -> int:
    text = str(value).strip().removesuffix("年") if not isinstance(value, bool) else ""
    if not re.fullmatch(r"\d{4}", text) or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise FieldError(field, LABELS[field], f"{value!r} 不是 {FIRST_YEAR}–{LAST_YEAR} 之间的年份")
    return int(text)


def parse_years(text: str) -> tuple[str, str]:
    """``2019`` or a range ``2019-2021`` (also ``2019–2021``, ``2019~2021``, ``2019..2021``,
    ``2019至2021``) as the (from, to) that ``box_record`` checks."""
    first, _, last = re.sub(r"\s*(?:\.\.|[-–—~～至到])\s*", "-", str(text).strip(), count=1).partition("-")
    return first, last or first


def box_record(data: dict, schema: Schema) -> dict:
    """A box record, normalised and in key order: years as integers, document types and status
    as codes (labels accepted). FieldError names the field and the rule."""
    unknown = set(data) - set(BOX_ORDER)
    if unknown:
        name = sorted(unknown)[0]
        raise FieldError(name, name, f"未知字段, 可用: {', '.join(BOX_ORDER)}")
    record: dict[str, Any] = {"number": box_number(data.get("number"))}
    if data.get("year_from") in EMPTY:
        raise FieldError("year_from", LABELS["year_from"], "请填写盒内资料的起始年份")
    record["year_from"] = _year(data["year_from"], "year_from")
    record["year_to"] = record["year_from"] if data.get("year_to") in EMPTY else _year(data["year_to"], "year_to")
    if record["year_to"] < record["year_from"]:
        raise FieldError("year_to", LABELS["year_to"], f"{record['year_to']} 早于起始年份 {record['year_from']}")
    codes = []
    for item in split_list(data.get("doc_types") or []):
        found = schema.resolve_doc_type(item)
        if found is None:
            raise FieldError(
                "doc_types",
                LABELS["doc_types"],
                f"{item!r} 不是已知的资料类型, 可选: " + "、".join(d.label for d in schema.doc_types.values()),
            )
        if found.code not in codes:
            codes.append(found.code)
    if codes:
        record["doc_types"] = codes
    for key in ("room", "shelf"):
        if data.get(key) not in EMPTY:
            record[key] = v.validate_text(data[key], key, LABELS[key], max_length=40)
    status = str(data.get("status") or "stored").strip()
    code = status if status in STATUS else next((c for c, label in STATUS.items() if label == status), None)
    if code is None:
        raise FieldError("status", LABELS["status"], f"{status!r} 不是有效的状态, 可选: {'、'.join(STATUS.values())}")
    record["status"] = code
    if data.get("note") not in EMPTY:
        record["note"] = v.validate_text(data["note"], "note", LABELS["note"], max_length=500, multiline=True)
    return record


def stored_box(raw: bytes, path: str, schema: Schema) -> dict:
    """The record in ``boxes/<number>.toml`` as another copy or an old commit has it: it must be
    exactly what ``box_record`` writes for it (nothing normalised away), and its number its file's."""
    record = loads(raw, path)
    checked = box_record(record, schema)
    named = path.removeprefix(f"{BOXES_DIR}/").removesuffix(TOML_SUFFIX)
    if checked["number"] != named or record.get("number") != named:
        raise CusttuiError(f"盒号 number 为 {record.get('number')!r}, 与文件名 {named} 不符")
    if record != checked:
        raise CusttuiError("记录不是规范写法 (年份应为整数, 资料类型和状态应为代码)")
    return checked


def register(store: Store, commit: str | None) -> dict[str, Box]:
    """Every box registered at ``commit``, by number; a damaged record is left out (``custtui
    check`` and the gate report it)."""
    boxes = {}
    for name, (_, sha) in sorted(store.listdir(commit, BOXES_DIR).items()):
        number = name.removesuffix(TOML_SUFFIX)
        try:
            record = loads(store.read_blob(sha), box_file(number))
            if record.get("number") == number:
                boxes[number] = Box.of(record)
        except (CusttuiError, KeyError, TypeError):
            continue
    return boxes


def registered(store: Store, commit: str | None, number: str) -> Box | None:
    """The box a document's ``paper_box`` names, at ``commit``: None while the register is empty
    (an older archive keeps the numbers people wrote); once it holds any box, FieldError unless
    ``number`` is one of them. What every write that files a paper original asks."""
    boxes = register(store, commit)
    if number in boxes:
        return boxes[number]
    if boxes:
        raise FieldError(
            "paper_box", "纸质档案盒号", f"{number} 未登记; 先登记: custtui box add {number} --years 年份 …"
        )
    return None
