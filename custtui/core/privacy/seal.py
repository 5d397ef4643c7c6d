"""Sealing a customer's personal fields, communication records and documents by the policy.

A sealed customer record keeps its other fields as they are and holds the personal ones
(``[privacy] fields``) in a ``sealed`` table: ``fields``, the names of the sealed fields (so
validation counts them as present without reading them), and ``parts``, one envelope per
audience. A document is one envelope. Unchanged personal fields keep their envelope byte for byte,
so two offices editing other fields of one customer still merge field by field.
"""

from __future__ import annotations

import tomli_w

from ..access.policy import SENSITIVITY, Policy
from ..base import tomlread
from ..base.errors import CusttuiError
from ..base.layout import META_SUFFIX, Kind, place
from ..records.records import EMPTY, dumps, loads
from ..store.repo import Store
from ..vault import crypto
from ..vault.keyring import SEALED, Keyring, open_document
from ..vault.keystore import STAFF_AUDIENCE
from .audiences import document_audience, update_audiences


def seal_record(record: dict, before: dict | None, customer: str, keyring: Keyring, audiences: dict[str, str]) -> dict:
    """``record`` (as its writer saw it: opened where this copy could) with its personal fields
    sealed. A part whose values did not change keeps ``before``'s envelope; a part this copy could
    not open is kept as it was, and writing its fields is refused (it would lose the others)."""
    by_audience: dict[str, dict] = {}
    shown = {k: v for k, v in record.items() if k != SEALED}
    for field, audience in audiences.items():
        if shown.get(field) not in EMPTY:
            by_audience.setdefault(audience, {})[field] = shown.pop(field)
    unopened = record.get(SEALED) or {}
    parts = dict(unopened.get("parts") or {})
    fields = set(unopened.get("fields") or [])
    for audience, values in by_audience.items():
        if audience in parts:
            raise crypto.Locked(
                f"本副本打不开客户 {customer} 的「{'、'.join(values)}」所在的加密部分, 不能修改这些字段; 修改未写入"
            )
        parts[audience] = _reuse(before, audience, values, keyring) or crypto.to_text(
            keyring.seal(tomli_w.dumps(values).encode(), customer, audience)
        )
        fields |= set(values)
    if parts:
        shown[SEALED] = {"fields": sorted(fields), "parts": dict(sorted(parts.items()))}
    elif fields:  # erased: named, without values
        shown[SEALED] = {"fields": sorted(fields)}
    return shown


def _reuse(before: dict | None, audience: str, values: dict, keyring: Keyring) -> str | None:
    text = ((before or {}).get(SEALED) or {}).get("parts", {}).get(audience)
    if not text:
        return None
    try:
        old = tomlread.parse(keyring.open(crypto.from_text(text)), SEALED)
    except (crypto.Locked, CusttuiError):
        return None
    return text if tomli_w.dumps(old) == tomli_w.dumps(values) else None


NOTE_FIELDS = ("participants", "content", "needs", "feedback")  # a communication record's personal part


def seal_changes(
    store: Store, head: str | None, changes: dict, keyring: Keyring, policy: Policy, people: dict, by: str
) -> list[str]:
    """Seal, in place, what ``changes`` (path -> bytes, BlobRef or None) writes in plaintext:
    customer records' personal fields, communication records, documents (again when their
    sensitivity changed the audience). Returns what changed in the audiences' keys, in Chinese."""
    said = update_audiences(keyring, every_audience(policy, store, head), people, policy, by)
    for path, change in list(changes.items()):
        where = place(path)
        if where is None or not isinstance(change, bytes) or where.customer is None:
            continue
        if where.kind in (Kind.CUSTOMER, Kind.NOTE):
            record = loads(change, path)
            audiences = (
                policy.privacy.fields if where.kind is Kind.CUSTOMER else dict.fromkeys(NOTE_FIELDS, STAFF_AUDIENCE)
            )
            old = store.read(head, path)
            before = loads(old, path) if old else None
            changes[path] = dumps(seal_record(record, before, where.customer, keyring, audiences), list(record))
        elif where.kind is Kind.DOCUMENT and not crypto.is_sealed(change):
            meta = _meta(store, head, changes, path + META_SUFFIX)
            changes[path] = keyring.seal(change, where.customer, _audience(policy, meta))
        elif where.kind is Kind.DOC_META:
            document = path.removesuffix(META_SUFFIX)
            if document in changes:
                continue
            raw = store.read(head, document)
            audience = _audience(policy, loads(change, path))
            if raw is not None and (not crypto.is_sealed(raw) or crypto.header_of(raw).audience != audience):
                changes[document] = keyring.seal(open_document(raw, keyring), where.customer, audience)
    return said


def _meta(store: Store, head: str | None, changes: dict, path: str) -> dict:
    raw = changes.get(path)
    raw = raw if isinstance(raw, bytes) else store.read(head, path)
    return loads(raw, path) if raw else {}


def _audience(policy: Policy, meta: dict) -> str:
    return document_audience(policy, str(meta.get("info_type", "other")), str(meta.get("sensitivity", "secret")))


def every_audience(policy: Policy, store: Store, head: str | None) -> list[str]:
    """Every audience the policy can seal to: staff, the sealed fields', each information type at
    each sensitivity from ``documents_from`` up."""
    from ..records.schema import schema_at

    levels = SENSITIVITY[SENSITIVITY.index(policy.privacy.documents_from) :]
    info_types = schema_at(store, head).info_types
    return list(
        dict.fromkeys(
            [STAFF_AUDIENCE, *policy.privacy.fields.values(), *(f"doc:{i}:{s}" for i in info_types for s in levels)]
        )
    )
