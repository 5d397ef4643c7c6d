"""Erasure (个人信息的删除): destroy a customer's keys, keep a tombstone.

The history is never rewritten. What was sealed under the customer's keys (personal fields,
communication records, documents) stays in old commits as ciphertext nobody can open once the keys
are gone from the key store and ``custtui pack`` has pruned the key store's old commits. The
tombstone ``erasures/<ID>.toml`` (a gated, signed commit like a deletion) names who erased what, when,
on which legal basis, and which key ids: every copy drops those keys from its key store when it
syncs, whatever key store another copy sends.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from ..base.errors import CusttuiError, FieldError
from ..base.layout import ERASURES_DIR, TOML_SUFFIX
from ..records.records import dumps, loads
from ..records.validate import validate_text
from ..store.repo import Store

SCOPES = {"personal": "个人信息", "customer": "整个客户"}
HISTORY_KEEPS_PLAINTEXT = "注意: 本档案未启用加密保存, 历史中的旧版本仍含明文 (见 docs/privacy.md)"
BASIS_EXAMPLE = "《个人信息保护法》第四十七条: 保存期限届满"


def erased_scope(whole: bool) -> str:
    """What an erasure removes, in Chinese, for the question before it and the message after."""
    return "整个客户 (含非个人信息)" if whole else "个人信息 (加密字段、沟通记录、资料)"


ORDER = ("customer", "scope", "basis", "by", "at", "keys", "fields")


class Erasure(NamedTuple):
    customer: str
    scope: str  # personal: its personal fields, notes and documents; customer: its whole folder
    basis: str  # the legal basis, as the person gave it
    by: str  # staff ID (or name, without a registry)
    at: datetime
    keys: tuple[str, ...]  # the customer key ids destroyed
    fields: tuple[str, ...] = ()  # the sealed fields it removed

    def record(self) -> bytes:
        return dumps({**self._asdict(), "keys": list(self.keys), "fields": list(self.fields)}, ORDER)

    @classmethod
    def parse(cls, raw: bytes, path: str) -> Erasure:
        data = loads(raw, path)
        try:
            erasure = cls(
                str(data["customer"]),
                str(data["scope"]),
                validate_text(data["basis"], "basis", "删除依据", max_length=500),
                str(data["by"]),
                data["at"],
                tuple(map(str, data.get("keys", []))),
                tuple(map(str, data.get("fields", []))),
            )
        except (KeyError, TypeError):
            raise FieldError("erasure", "删除记录", f"应有 {', '.join(ORDER[:5])}") from None
        if erasure.scope not in SCOPES or not isinstance(erasure.at, datetime):
            raise FieldError("erasure", "删除记录", "scope 应为 personal/customer, at 应为时间")
        if path != f"{ERASURES_DIR}/{erasure.customer}{TOML_SUFFIX}" or set(data) - set(ORDER):
            raise FieldError(
                "erasure", "删除记录", f"文件名应为 {ERASURES_DIR}/<客户编号>.toml, 只含 {', '.join(ORDER)}"
            )
        return erasure

    def sentence(self) -> str:
        """``客户 BJ-000123 的个人信息已于 2026-12-02 10:00 由 wangfang 依「…」删除``."""
        what = f"客户 {self.customer} " + ("的个人信息" if self.scope == "personal" else "(整个客户)")
        return f"{what}已于 {self.at:%Y-%m-%d %H:%M} 由 {self.by} 依「{self.basis}」删除"


def erasures(store: Store, commit: str | None) -> dict[str, Erasure]:
    """Every tombstone at ``commit``, by customer (a damaged one is reported by check, skipped here)."""
    found = {}
    for name, (_, blob) in store.listdir(commit, ERASURES_DIR).items():
        try:
            erasure = Erasure.parse(store.read_blob(blob), f"{ERASURES_DIR}/{name}")
        except CusttuiError:
            continue
        found[erasure.customer] = erasure
    return found


def erased_key_ids(store: Store, commit: str | None) -> set[str]:
    """The customer key ids every copy must forget: those named by the tombstones at ``commit``."""
    return {key for erasure in erasures(store, commit).values() for key in erasure.keys}
