"""The dated facts of every customer folder at a commit: the day of each communication record,
the day and amount of each transaction, and the type and date of each document.

The routines judge customers by these (last contact, the year's transactions, a signed contract),
so they are read for the whole archive at once: one ``git ls-tree`` for the paths (a note's and a
deal's file name carries its date) and one ``git cat-file --batch`` for the deals' and the
documents' metadata, never a folder at a time.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from ..base.errors import CusttuiError
from ..base.layout import CUSTOMERS_DIR, DEALS_DIR, DOCS_DIR, META_SUFFIX, NOTES_DIR
from ..records.records import loads
from ..store.repo import Store
from .listing import batch_read

_STAMP = re.compile(r"^(\d{8})")


class Deal(NamedTuple):
    day: date
    amount: Decimal | None  # None: not a number (a hand edit)


class Document(NamedTuple):
    name: str  # the file's name in docs/
    doc_type: str | None
    info_type: str | None
    day: date | None
    number: str | None  # a contract's number


class Facts(NamedTuple):
    """Customer ID -> its facts, each list oldest first."""

    contacts: dict[str, list[date]]  # the days of its notes and deals
    deals: dict[str, list[Deal]]
    documents: dict[str, list[Document]]

    def last_contact(self, customer_id: str) -> date | None:
        days = self.contacts.get(customer_id)
        return days[-1] if days else None


def _stamp(name: str) -> date | None:
    found = _STAMP.match(name)
    if not found:
        return None
    try:
        return datetime.strptime(found[1], "%Y%m%d").date()
    except ValueError:
        return None


def _day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _amount(value: object) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def read(store: Store, commit: str | None, *, deals: bool = True, documents: bool = True) -> Facts:
    """The facts at ``commit``; the deals' amounts and the documents only when asked (they cost a
    read of each file, the dates none)."""
    facts = Facts({}, {}, {})
    if commit is None:
        return facts
    deal_blobs: list[tuple[str, date, str]] = []
    meta_blobs: list[tuple[str, str, str]] = []
    for path, blob in store.files(commit, f"{CUSTOMERS_DIR}/"):
        parts = path.split("/")
        if len(parts) != 6:
            continue
        cid, folder, name = parts[3], parts[4], parts[5]
        if folder in (NOTES_DIR, DEALS_DIR) and (day := _stamp(name)):
            facts.contacts.setdefault(cid, []).append(day)
            if folder == DEALS_DIR and deals:
                deal_blobs.append((cid, day, blob))
        elif folder == DOCS_DIR and documents and name.endswith(META_SUFFIX):
            meta_blobs.append((cid, name.removesuffix(META_SUFFIX), blob))
    for days in facts.contacts.values():
        days.sort()
    for (cid, day, _), raw in zip(deal_blobs, batch_read(store.git_dir, [b for *_, b in deal_blobs]), strict=True):
        record = _parsed(raw)
        facts.deals.setdefault(cid, []).append(Deal(_day(record.get("date")) or day, _amount(record.get("amount"))))
    for (cid, name, _), raw in zip(meta_blobs, batch_read(store.git_dir, [b for *_, b in meta_blobs]), strict=True):
        meta = _parsed(raw)
        facts.documents.setdefault(cid, []).append(
            Document(
                name,
                _text(meta.get("doc_type")),
                _text(meta.get("info_type")),
                _day(meta.get("date")),
                _text(meta.get("number")),
            )
        )
    for listed in facts.deals.values():
        listed.sort()
    for found in facts.documents.values():
        found.sort(key=lambda d: (d.day or date.min, d.name))
    return facts


def _text(value: object) -> str | None:
    return str(value) if isinstance(value, str) and value else None


def _parsed(raw: bytes) -> dict:
    """A deal or a document's metadata; a file that does not parse (a hand edit) reads as empty,
    and ``custtui check`` reports it."""
    try:
        return loads(raw, "")
    except CusttuiError:
        return {}
