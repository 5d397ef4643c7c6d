"""Signed access reviews (权限复核): one TOML record a period, ``reviews/access-<period>.toml``.

A sign-off says who reviewed the access of the staff (``reviewer``, a staff ID), on which day,
for which quarter or half year, the commit whose registry and policy the report read, a digest
of the report as it was signed, the flags it raised and the reviewer's note. ``review_record``
builds one; ``stored_review`` validates what another copy sent (the incoming gate and ``custtui
check`` ask it) and reads a sign-off back.
"""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from ..base.errors import CusttuiError, FieldError
from ..base.layout import REVIEWS_DIR, TOML_SUFFIX, Kind, place
from ..records.records import dumps, loads
from ..records.validate import validate_text
from .registry import ID_RULE

REVIEW_ORDER = ("period", "date", "reviewer", "commit", "digest", "people", "flags", "note")
LABELS = {
    "period": "复核期间",
    "date": "签署日期",
    "reviewer": "复核人",
    "commit": "复核所依据的提交",
    "digest": "报告摘要",
    "people": "复核人数",
    "flags": "提示事项",
    "note": "复核意见",
}
MAX_FLAGS, MAX_FLAG, MAX_NOTE = 2000, 300, 2000  # a record stays far below the 1 MB bound
_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


class Review(NamedTuple):
    """One signed access review, as stored."""

    period: str
    date: date
    reviewer: str
    commit: str
    digest: str
    people: int
    flags: tuple[str, ...]
    note: str

    @classmethod
    def of(cls, record: dict) -> Review:
        return cls(**{key: record.get(key, "") for key in REVIEW_ORDER} | {"flags": tuple(record.get("flags", ()))})


def review_record(data: dict) -> dict:
    """A sign-off record, checked and in key order; FieldError names the key and the rule."""
    unknown = set(data) - set(REVIEW_ORDER)
    if unknown:
        name = sorted(unknown)[0]
        raise FieldError(name, name, f"未知字段, 可用: {', '.join(REVIEW_ORDER)}")
    record: dict = {}
    period = data.get("period")
    if not isinstance(period, str) or place(f"{REVIEWS_DIR}/access-{period}{TOML_SUFFIX}") is None:
        raise FieldError("period", LABELS["period"], f"{period!r} 不是季度或半年度 (如 2026-Q4、2026-H2)")
    record["period"] = period
    if type(data.get("date")) is not date:  # a datetime is a date too: the day only
        raise FieldError("date", LABELS["date"], "应为日期 (如 2026-12-02)")
    record["date"] = data["date"]
    if not isinstance(data.get("reviewer"), str) or not ID_RULE.match(data["reviewer"]):
        raise FieldError("reviewer", LABELS["reviewer"], "应为员工账号 (如 zhangwei)")
    record["reviewer"] = data["reviewer"]
    for key, rule, example in (
        ("commit", _COMMIT, "40 位十六进制的提交号"),
        ("digest", _DIGEST, "sha256:64 位十六进制"),
    ):
        if not isinstance(data.get(key), str) or not rule.match(data[key]):
            raise FieldError(key, LABELS[key], f"应为 {example}")
        record[key] = data[key]
    people = data.get("people")
    if type(people) is not int or people < 0:
        raise FieldError("people", LABELS["people"], "应为非负整数")
    record["people"] = people
    flags = data.get("flags", [])
    if not isinstance(flags, list) or len(flags) > MAX_FLAGS:
        raise FieldError("flags", LABELS["flags"], f"应为最多 {MAX_FLAGS} 行文字的列表")
    record["flags"] = [validate_text(f, "flags", LABELS["flags"], MAX_FLAG) for f in flags]
    record["note"] = validate_text(data.get("note", ""), "note", LABELS["note"], MAX_NOTE, multiline=True)
    return record


def review_bytes(record: dict) -> bytes:
    return dumps(record, REVIEW_ORDER)


def stored_review(raw: bytes, path: str) -> Review:
    """The record in ``reviews/access-<period>.toml`` as another copy or an old commit has it: it
    must be exactly what custtui writes for it, and its period its file's."""
    where = place(path)
    if where is None or where.kind is not Kind.REVIEW:
        raise CusttuiError(f"{path} 不是权限复核的路径")
    record = loads(raw, path)
    checked = review_record(record)
    if checked["period"] != where.name:
        raise CusttuiError(f"复核期间 period 为 {checked['period']!r}, 与文件名 {where.name} 不符")
    if review_bytes(checked) != raw:
        raise CusttuiError("记录不是规范写法 (键的顺序、空白或写法与 custtui 写出的不同)")
    return Review.of(checked)
