"""What the two Whoosh indexes hold: their fields (every one recorded as present or not, so a
field's boost bounds its score) and how a customer's records and a filed document become index
documents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Iterable

from whoosh.fields import ID, KEYWORD, STORED, TEXT
from whoosh.fields import Schema as WSchema
from whoosh.formats import Existence

from .analysis import (
    KeywordTokenizer,
    PairTokenizer,
    WholeTokenizer,
    bigram_analyzer,
    exact_key,
    phone_terms,
    pinyin_pairs,
)

STORED_PROSE_CHARS = 1000  # of a customer's remark, notes and products, kept in the index for snippets

DIMENSION_FIELDS = (
    "type",
    "stage",
    "status",
    "industry",
    "size",
    "value_tier",
    "demand",
    "grade",
    "color",
    "region",
    "owner",
    "tag",
)


def _keyword(boost: float = 1.0, lowercase: bool = False, commas: bool = False) -> KEYWORD:
    """A keyword recorded as present or not (no per-posting frequency bytes): every keyword field
    here holds a value at most once per record."""
    field = KEYWORD(analyzer=KeywordTokenizer(lowercase, commas), field_boost=boost)
    field.format = Existence(field_boost=boost)
    return field


def _keywords() -> dict:
    return {name: _keyword(lowercase=True, commas=True) for name in DIMENSION_FIELDS}


def _present(analyzer, boost: float = 1.0, stored: bool = False) -> TEXT:
    """Terms recorded as present or not, without counts or positions: a name found once or a
    note that repeats it ten times weigh the same, so a field's boost bounds its score and the
    collector can skip whole blocks of postings that cannot reach the top hits (and the
    postings are smaller)."""
    field = TEXT(analyzer=analyzer, phrase=False, stored=stored, field_boost=boost)
    field.format = Existence(field_boost=boost)
    return field


def _bigrams(boost: float = 1.0, stored: bool = False) -> TEXT:
    return _present(bigram_analyzer(), boost, stored)


def customer_schema() -> WSchema:
    return WSchema(
        id=ID(stored=True, unique=True, analyzer=WholeTokenizer()),
        name=_bigrams(4.0, stored=True),
        alias=_bigrams(3.0, stored=True),
        contact=_bigrams(2.0, stored=True),
        exact=_keyword(8.0, lowercase=True, commas=True),
        pinyin=_present(PairTokenizer(), 2.0),
        initials=_present(PairTokenizer(), 1.5),
        phone=_keyword(3.0),
        ident=_keyword(5.0, lowercase=True),
        body=_bigrams(),
        prose=STORED,  # the body's first STORED_PROSE_CHARS, for snippets without a read of the records
        first_contact=ID(analyzer=WholeTokenizer()),  # YYYYMMDD: one term a record (a DATETIME field indexes eight)
        activity=STORED,  # YYYYMMDD of the newest record or transaction: breaks ties between hits
        **_keywords(),
    )


def document_schema() -> WSchema:
    return WSchema(
        id=ID(stored=True, analyzer=WholeTokenizer()),
        cname=STORED,
        blob=STORED,
        title=_bigrams(3.0, stored=True),
        filename=STORED,
        text=_bigrams(),
        ident=_keyword(5.0, lowercase=True),
        info_type=_keyword(commas=True),
        doc_type=_keyword(commas=True),
        sensitivity=_keyword(),
        doc_stage=_keyword(),
        date=ID(analyzer=WholeTokenizer()),  # YYYYMMDD, ranges as term ranges
        box=_keyword(lowercase=True),  # the paper original's box number (盒号:)
        place=_bigrams(),  # the paper original's recorded shelf (位置:)
        note=STORED,
        **_keywords(),
    )


def _joined(values: Iterable) -> str:
    return ",".join(str(v).replace(",", " ") for v in values if v not in (None, ""))


def day_term(value) -> str | None:
    """A date as the ``YYYYMMDD`` term it is indexed as (None when it is not a date)."""
    if isinstance(value, (date, datetime)):
        return f"{value.year:04d}{value.month:02d}{value.day:02d}"
    return None


def dimension_fields(record: dict) -> dict[str, str]:
    """The customer's classification as filterable keywords (codes), shared by both indexes."""
    region = str(record.get("region", ""))
    regions = [region, region[:2] + "0000"] if len(region) == 6 else [region]
    return {
        "type": record.get("type", ""),
        "stage": record.get("stage", ""),
        "status": record.get("status", ""),
        "industry": record.get("industry", ""),
        "size": record.get("size", ""),
        "value_tier": record.get("value_tier", ""),
        "demand": _joined(record.get("demand_types", [])),
        "grade": record.get("grade", ""),
        "color": record.get("color", ""),
        "region": _joined(regions),
        "owner": record.get("owner", ""),
        "tag": _joined(record.get("tags", [])),
    }


def customer_body(record: dict, notes: list[dict], deals: list[dict]) -> str:
    """The searchable prose of a customer: remark, tags, address, people, notes and products."""
    parts = [
        record.get("remark", ""),
        " ".join(record.get("tags", [])),
        record.get("address", ""),
        record.get("legal_rep", ""),
        record.get("superior", ""),
        record.get("owner", ""),
        record.get("preferences", ""),
        record.get("procurement_method", ""),
    ]
    for contact in record.get("contacts", []):
        parts.append(contact.get("position", ""))
    for note in notes:
        parts += [
            note.get("content", ""),
            note.get("needs", ""),
            note.get("feedback", ""),
            " ".join(note.get("participants", [])),
        ]
    for deal in deals:
        parts += [deal.get("product", ""), deal.get("contract", "")]
    return "\n".join(p for p in parts if p)


def customer_document(record: dict, notes: list[dict], deals: list[dict]) -> dict:
    names = [record.get("name", "")] + list(record.get("aliases", []))
    contacts = [c.get("name", "") for c in record.get("contacts", [])]
    full, initials = pinyin_pairs(names + contacts)
    phones = set()
    for phone in list(record.get("phones", [])) + [p for c in record.get("contacts", []) for p in c.get("phones", [])]:
        phones |= phone_terms(phone)
    body = customer_body(record, notes, deals)
    idents = [
        record.get("id", ""),
        record.get("uscc", ""),
        record.get("id_number", ""),
        *(d.get("contract", "") for d in deals),
    ]
    doc = {
        "id": record["id"],
        "name": record.get("name", ""),
        "alias": "\n".join(record.get("aliases", [])),
        "contact": "\n".join(contacts),
        "exact": _joined(exact_key(n) for n in names + contacts),
        "pinyin": full,
        "initials": initials,
        "phone": " ".join(sorted(phones)),
        "ident": " ".join(exact_key(i) for i in idents if i),
        "body": body,
        "prose": body[:STORED_PROSE_CHARS],
        **dimension_fields(record),
    }
    first = day_term(record.get("first_contact"))
    if first:
        doc["first_contact"] = first
    days = [day for day in (day_term(n.get("time")) for n in notes) if day]
    days += [day for day in (day_term(d.get("date")) for d in deals) if day]
    if days:
        doc["activity"] = max(days)
    return doc


def document_entry(record: dict, name: str, meta: dict, blob: str, text: str, note: str | None) -> dict:
    doc = {
        "id": record["id"],
        "cname": record.get("name", ""),
        "blob": blob,
        "title": meta.get("title", ""),
        "filename": name,
        "text": text,
        "ident": " ".join(exact_key(x) for x in (meta.get("number", ""), meta.get("project", "")) if x),
        "info_type": _joined([meta.get("info_type", ""), *meta.get("also_in", [])]),
        "doc_type": _joined([meta.get("doc_type", ""), *meta.get("also_in", [])]),
        "sensitivity": meta.get("sensitivity", ""),
        "doc_stage": meta.get("stage", ""),
        "box": exact_key(str(meta.get("paper_box", ""))).replace(" ", ""),
        "place": str(meta.get("paper_shelf", "")),
        "note": note,
        **dimension_fields(record),
    }
    when = day_term(meta.get("date"))
    if when:
        doc["date"] = when
    return doc
