"""Paper archive boxes as records: registering and editing a box, what a box holds, filing a
paper original in a box, and a later scan joining the record of its paper original.

Every change is one commit by its author, checked by the same rule every other copy applies
(``access.rights``: who files documents keeps the register). A document points to its box by
number (``paper_box``); once the register holds a box, what ``put`` and ``attach_scan`` write
must name a registered box. Older archives whose documents name boxes never registered keep
them: ``unregistered`` lists those numbers (``custtui box list``), and ``add_box`` registers one.
"""

from __future__ import annotations

import os
import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from ..access.policy import PermissionDenied
from ..access.rights import files_documents
from ..base.errors import ConflictError, FieldError, NotFound
from ..base.layout import CUSTOMER_FILE, CUSTOMERS_DIR, DOCS_DIR, META_SUFFIX, box_file
from ..records.boxes import (
    BOX_ORDER,
    LABELS,
    STATUS,
    Box,
    box_number,
    box_record,
    folded_number,
    register,
    registered,
)
from ..records.records import dumps, field_changes, loads
from .archive import Archive

BOX_TRAILER = "Custtui-Box"


class Filed(NamedTuple):
    """A document whose paper original is in a box, with the documents joined to it (its scans
    and attachments filed in the same box)."""

    customer: str
    customer_name: str
    name: str
    title: str
    doc_type: str  # label
    date: date | None
    shelf: str  # the document's own paper_shelf (recorded before the box was registered)
    joined: tuple[str, ...]


def boxes(archive: Archive, at: str | None = None) -> dict[str, Box]:
    """The register at ``at`` (head by default), by number."""
    return register(archive.store, at or archive.head())


def box(archive: Archive, number: str, at: str | None = None) -> Box:
    """One registered box; NotFound names how to register it."""
    number = box_number(number)
    found = boxes(archive, at).get(number)
    if found is None:
        raise NotFound(f"纸质档案盒 {number} 未登记 (登记: custtui box add {number} --years 年份 …)")
    return found


def _filed_metas(archive: Archive, commit: str) -> dict[str, list[str]]:
    """Box number -> the metadata paths of every document naming it, from one ``git grep``."""
    out = archive.store.git(
        "grep",
        "-z",
        "-I",
        "-F",
        "-e",
        "paper_box = ",
        commit,
        "--",
        f"{CUSTOMERS_DIR}/*/{DOCS_DIR}/*{META_SUFFIX}",
        check=False,
    ).stdout.decode("utf-8", "surrogateescape")
    found: dict[str, list[str]] = {}
    for line in filter(None, out.split("\n")):
        path, _, text = line.partition("\0")
        try:
            value = tomllib.loads(text).get("paper_box")
        except tomllib.TOMLDecodeError:
            continue  # a damaged record: custtui check reports it
        if isinstance(value, str):  # as the box filter finds it: 盒号:bj-ht-2024-01 is BJ-HT-2024-01
            found.setdefault(folded_number(value), []).append(path.removeprefix(f"{commit}:"))
    return found


def unregistered(archive: Archive, at: str | None = None) -> dict[str, int]:
    """Box numbers documents name that the register does not hold, with how many documents name
    each (an archive from before the register: each can be registered with ``add_box``)."""
    commit = at or archive.head()
    if commit is None:
        return {}
    known = boxes(archive, commit)
    return {n: len(paths) for n, paths in sorted(_filed_metas(archive, commit).items()) if n not in known}


def counts(archive: Archive, at: str | None = None) -> dict[str, int]:
    """How many documents name each box number."""
    commit = at or archive.head()
    return {n: len(p) for n, p in _filed_metas(archive, commit).items()} if commit else {}


def contents(archive: Archive, number: str, at: str | None = None) -> tuple[list[Filed], int]:
    """The documents filed in box ``number`` that the current person may see, by customer and
    date, each with what joined it; and how many more the person may not see."""
    commit = at or archive.head()
    number = box_number(number)
    schema = archive.schema(commit)
    access = archive.access
    metas = {}
    for path in _filed_metas(archive, commit).get(number, []) if commit else []:
        meta = loads(archive.store.read(commit, path) or b"", path)
        metas[path.removesuffix(META_SUFFIX)] = meta
    hidden = sum(
        1 for m in metas.values() if not access.can_view(m.get("info_type", "other"), m.get("sensitivity", "secret"))
    )
    shown = {
        p: m for p, m in metas.items() if access.can_view(m.get("info_type", "other"), m.get("sensitivity", "secret"))
    }
    joined: dict[str, list[str]] = {}
    for path, meta in shown.items():
        main = f"{path.rsplit('/', 1)[0]}/{meta['main']}" if meta.get("main") else None
        if main in shown:
            joined.setdefault(main, []).append(path.rsplit("/", 1)[1])
    names: dict[str, str] = {}
    filed = []
    for path, meta in shown.items():
        folder, _, name = path.rpartition(f"/{DOCS_DIR}/")
        main = f"{folder}/{DOCS_DIR}/{meta['main']}" if meta.get("main") else None
        if main in shown:
            continue  # listed with its original
        cid = folder.rsplit("/", 1)[1]
        if cid not in names:
            record = loads(archive.store.read(commit, f"{folder}/{CUSTOMER_FILE}") or b"", folder)
            names[cid] = str(record.get("name", cid))
        kind = meta.get("doc_type") or meta.get("info_type", "")
        label = (
            schema.doc_types[kind].label
            if kind in schema.doc_types
            else schema.info_types[kind].label
            if kind in schema.info_types
            else kind
        )
        when = meta.get("date") if isinstance(meta.get("date"), date) else None
        filed.append(
            Filed(
                cid,
                names[cid],
                name,
                str(meta.get("title", "")),
                label,
                when,
                str(meta.get("paper_shelf", "")),
                tuple(sorted(joined.get(path, ()))),
            )
        )
    filed.sort(key=lambda f: (f.customer, f.date or date.min, f.name))
    return filed, hidden


def _require_filing(archive: Archive) -> None:
    access = archive.access
    if not files_documents(access):
        raise PermissionDenied(
            f"缺少权限「修改资料」: {access.person or '当前用户'} 的角色 {access.label} 不能登记或修改纸质档案盒"
        )


def _summary(record: dict, schema) -> str:
    shown = Box.of(record)
    types = "、".join(shown.type_labels(schema))
    return " ".join(p for p in (shown.years, types, shown.location, STATUS[shown.status]) if p)


def add_box(archive: Archive, data: dict[str, Any], when: datetime | None = None) -> tuple[str, str]:
    """Register a box; returns (number, commit). FieldError when it is registered already."""
    record = box_record(data, archive.schema())
    number = record["number"]
    _require_filing(archive)

    def build(head):
        if archive.store.entry(head, box_file(number)) is not None:
            raise FieldError("number", "盒号", f"{number} 已登记; 修改请用 custtui box set {number} …")
        checked = box_record(data, archive.schema(head))
        message = archive.commit_message(
            "登记档案盒",
            None,
            number,
            _summary(checked, archive.schema(head)),
            "box",
            list(checked),
            (f"{BOX_TRAILER}: {number}",),
        )
        return {box_file(number): dumps(checked, BOX_ORDER)}, message

    return number, archive.commit_required(build, when)


def update_box(
    archive: Archive, number: str, changes: dict[str, Any], *, base: str | None = None, when: datetime | None = None
) -> str | None:
    """Change fields of a registered box (a field given as None or "" is cleared); one commit,
    None when nothing changed. ConflictError when someone changed one of these fields to
    something else since ``base``."""
    number = box_number(number)
    if "number" in changes:
        raise FieldError("number", "盒号", "盒号是档案盒的名字, 不能修改; 请登记新盒并把资料放入")
    path = box_file(number)
    base = base or archive.head()
    _require_filing(archive)

    def read(commit: str | None) -> dict:
        raw = archive.store.read(commit, path)
        if raw is None:
            raise NotFound(f"纸质档案盒 {number} 未登记")
        return loads(raw, path)

    original = read(base)

    def build(head):
        current = read(head)
        schema = archive.schema(head)
        merged = {k: x for k, x in {**current, **changes}.items() if x not in (None, "")}
        record = box_record(merged, schema)
        diffs = field_changes(current, record)
        if not diffs:
            return None
        if head != base:
            clashes = [
                (k, current.get(k), record.get(k))
                for k, _, _ in field_changes(original, current)
                if k in changes and current.get(k) != record.get(k)
            ]
            if clashes:
                raise ConflictError(number, clashes)
        detail = "; ".join(f"{LABELS.get(k, k)} {_shown(old)}→{_shown(new)}" for k, old, new in diffs)
        message = archive.commit_message(
            "修改档案盒", None, number, detail, "box", [k for k, _, _ in diffs], (f"{BOX_TRAILER}: {number}",)
        )
        return {path: dumps(record, BOX_ORDER)}, message

    return archive.commit_change(build, when)


def _shown(value: Any) -> str:
    if value in (None, "", []):
        return "(空)"
    if isinstance(value, list):
        return "、".join(map(str, value))
    return STATUS.get(str(value), str(value))


def put(archive: Archive, number: str, customer_id: str, name: str, when: datetime | None = None) -> str | None:
    """File the paper original of a document in box ``number`` (its shelf follows the box's)."""
    number = box_number(number)
    found = registered(archive.store, archive.head(), number)
    if found is not None and found.status == "destroyed":
        raise FieldError("paper_box", "纸质档案盒号", f"{number} 已销毁, 不能再放入资料")
    changes: dict[str, Any] = {"paper_box": number}
    if found is not None:
        changes["paper_shelf"] = found.shelf or None
    return archive.update_document(customer_id, name, changes, when=when)


def attach_scan(
    archive: Archive,
    customer_id: str,
    source: str | os.PathLike,
    original: str,
    *,
    name: str | None = None,
    when: datetime | None = None,
) -> tuple[str, str]:
    """File a scan of a paper original already on record; returns (stored name, commit).

    The scan joins its original's record as a document of its own whose ``main`` names the
    original, with the original's type, date, numbers, sensitivity and box. Why not the same
    metadata file for both: a document is one file with its checksum beside it (the format every
    copy's gate checks), so a second file under one record would need a new format; ``main`` is
    the link the format already has, old copies accept it, the TUI shows the scan under its
    original, and the other direction is found by reading the box (``contents``) or the folder.
    """
    documents = {d.name: d for d in archive.documents(customer_id)}
    if original not in documents:
        raise NotFound(f"{customer_id} 没有名为 {original} 的资料")
    meta = documents[original].meta
    if not meta.get("paper_box"):
        raise FieldError(
            "paper_box",
            "纸质档案盒号",
            f"「{original}」没有记录纸质原件所在的盒子; 先放入: custtui box put 盒号 {customer_id} {original}",
        )
    registered(archive.store, archive.head(), folded_number(meta["paper_box"]))
    copied = {
        key: meta[key]
        for key in (
            "info_type",
            "doc_type",
            "date",
            "stage",
            "sensitivity",
            "number",
            "project",
            "also_in",
            "paper_box",
            "paper_shelf",
        )
        if meta.get(key) not in (None, "", [])
    }
    copied["title"] = f"{meta.get('title') or Path(original).stem} (扫描件)"
    copied["main"] = original
    if name is None:
        name = f"{Path(original).stem}-扫描件{Path(source).suffix.lower()}"
    return archive.attach(customer_id, source, copied, name=name, when=when)
