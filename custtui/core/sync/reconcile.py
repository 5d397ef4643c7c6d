"""After a sync: resolve recorded conflicts, and fold a duplicate customer into another.

Both are ordinary commits by the person who did them, so the audit trail shows who chose
which value and when.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..access.policy import CUSTOMER_RECORD
from ..archive.archive import Archive
from ..base.errors import CusttuiError, FieldError
from ..base.layout import CUSTOMER_FILE, DOCS_DIR, META_SUFFIX, document_file, meta_file
from ..records.naming import unique_name
from ..records.records import SEALED_KEY, customer_dir, dumps, loads
from ..store.repo import BlobRef, Changes
from .merge import CONFLICTS, DELETED, conflict_label, conflict_value, merge_records

KEEP_CURRENT, TAKE_OTHER = "current", "other"


def _set_field(record: dict, field: str, value: Any) -> None:
    """Set ``field`` (``contacts.NAME`` or ``contacts.NAME.key`` for one contact) to ``value``;
    None removes it."""
    head, _, rest = field.partition(".")
    if head == SEALED_KEY and rest.startswith("parts."):  # one audience's envelope
        parts = {**record.get(SEALED_KEY, {}).get("parts", {}), rest.removeprefix("parts."): value}
        record[SEALED_KEY] = {**record.get(SEALED_KEY, {}), "parts": {k: v for k, v in parts.items() if v}}
        return
    if head != "contacts" or not rest:
        if value is None:
            record.pop(field, None)
        else:
            record[field] = value
        return
    name, _, key = rest.partition(".")
    contacts = [c for c in record.get("contacts", []) if c.get("name") != name]
    current = next((c for c in record.get("contacts", []) if c.get("name") == name), None)
    if key:
        current = dict(current or {"name": name})
        if value is None:
            current.pop(key, None)
        else:
            current[key] = value
    else:
        current = value
    record["contacts"] = contacts + ([current] if current else [])


def _identity(conflict: dict) -> tuple:
    """What tells one conflict from another without its values (which a reader may see masked)."""
    return tuple(conflict.get(k) for k in ("field", "kept_by", "kept_at", "other_by", "other_at"))


def resolve_conflict(
    archive: Archive,
    customer_id: str,
    number: int,
    keep: str,
    document: str | None = None,
    expected: dict | None = None,
    when: datetime | None = None,
) -> str:
    """Close conflict ``number`` (1-based, in the record's order): keep the current value, or
    take the other one. With ``expected`` (the conflict as the caller read it), the conflict is
    found by what it says, so a list older than the archive never closes the wrong one.
    Returns the commit."""
    if keep not in (KEEP_CURRENT, TAKE_OTHER):
        raise FieldError("keep", "保留哪个值", f"应为 {KEEP_CURRENT} (当前值) 或 {TAKE_OTHER} (另一方的值)")
    archive.access.require_edit(*CUSTOMER_RECORD, "客户档案")
    folder = customer_dir(customer_id)
    path = f"{folder}/{CUSTOMER_FILE}" if document is None else f"{folder}/{meta_file(document)}"

    def build(head: str | None) -> tuple[Changes, str]:
        raw = archive.store.read(head, path)
        if raw is None:
            raise CusttuiError(f"{customer_id} 没有{'资料 ' + document if document else '客户记录'}")
        record = loads(raw, path)
        conflicts = record.get(CONFLICTS, [])
        index = number - 1
        if expected is not None:
            found = next((i for i, c in enumerate(conflicts) if _identity(c) == _identity(expected)), None)
            if found is None:
                raise CusttuiError(f"{customer_id} 的这处冲突已不存在 (可能已被别人解决)")
            index = found
        elif not 0 <= index < len(conflicts):
            raise FieldError(
                "number",
                "冲突序号",
                f"{customer_id} 只有 {len(conflicts)} 处未解决的冲突"
                if conflicts
                else f"{customer_id} 没有未解决的冲突",
            )
        conflict = conflicts[index]
        record[CONFLICTS] = conflicts[:index] + conflicts[index + 1 :]
        field = conflict["field"]
        changes: Changes = {}
        if keep == TAKE_OTHER and field == DELETED:
            archive.access.require("delete")
            victims = (
                [f"{folder}/{document_file(document)}", path]
                if document
                else [p for p, _ in archive.store.files(head, f"{folder}/")]
            )
            changes = {p: None for p in victims}
            detail = "接受另一方的删除"
        else:
            if keep == TAKE_OTHER:
                _set_field(record, field, conflict.get("other"))
            if document is None:
                validator = archive.validator(head)
                record = validator.customer(record)
                order = validator.field_order()
            else:
                order = list(record)
            changes[path] = dumps(record, order)
            schema, is_document = archive.schema(head), document is not None
            chosen = conflict_value(
                schema, field, conflict.get("kept" if keep == KEEP_CURRENT else "other"), is_document
            )
            detail = (
                f"{conflict_label(schema, field, is_document)} "
                f"{'保留当前值' if keep == KEEP_CURRENT else '改用另一方的值'} {chosen}"
            )
        name = loads(archive.store.read(head, f"{folder}/{CUSTOMER_FILE}") or b"", path).get("name")
        return changes, archive.commit_message(
            "解决冲突", customer_id, name, detail, "resolve", [] if field == DELETED else [field.split(".")[0]]
        )

    return archive.commit_required(build, when)


def merge_customers(archive: Archive, keep_id: str, fold_id: str, when: datetime | None = None) -> str:
    """Fold customer ``fold_id`` into ``keep_id``: its fields fill the gaps, lists join, differing
    values become open conflicts on ``keep_id``, its records and documents move over, and it
    stays behind as a pointer (``merged_into``). Returns the commit."""
    archive.access.require_edit(*CUSTOMER_RECORD, "客户档案")
    if keep_id == fold_id:
        raise FieldError("customer", "客户", "不能把客户合并到自己")
    moment = (when or datetime.now()).astimezone().isoformat(timespec="seconds")

    def build(head: str | None) -> tuple[Changes, str]:
        keep, fold = archive.customer(keep_id, head), archive.customer(fold_id, head)
        for record in (keep, fold):
            if record.get("merged_into"):
                raise CusttuiError(f"{record['id']} 已并入 {record['merged_into']}, 不能再合并")
        if keep["type"] != fold["type"]:
            schema = archive.schema(head)
            raise FieldError(
                "type",
                "客户类型",
                f"{keep_id} 是{schema.label('customer_type', keep['type'])}, "
                f"{fold_id} 是{schema.label('customer_type', fold['type'])}, 类型不同不能合并",
            )

        def attribute(side: str, field: str, value: Any) -> tuple[str, str]:
            return (f"{keep_id} 原值" if side == "ours" else f"并入的 {fold_id}"), moment

        own = ("id", "name", "type")
        merged = merge_records(
            {},
            {k: v for k, v in keep.items() if k not in own},
            {k: v for k, v in fold.items() if k not in own},
            attribute,
        )
        merged = {"id": keep_id, "type": keep["type"], "name": keep["name"], **(merged or {})}
        aliases = [a for a in [fold["name"], *merged.get("aliases", [])] if a != keep["name"]]
        merged["aliases"] = list(dict.fromkeys(merged.get("aliases", []) + aliases))
        validator = archive.validator(head)
        changes: Changes = {
            f"{customer_dir(keep_id)}/{CUSTOMER_FILE}": dumps(validator.customer(merged), validator.field_order())
        }
        changes.update(_moved_files(archive, head, fold_id, keep_id))
        pointer = {"id": fold_id, "type": fold["type"], "name": fold["name"], "merged_into": keep_id}
        changes[f"{customer_dir(fold_id)}/{CUSTOMER_FILE}"] = dumps(pointer, ("id", "type", "name"))
        return changes, archive.commit_message(
            "合并客户",
            keep_id,
            keep["name"],
            f"并入 {fold_id} {fold['name']}",
            "merge-customers",
            sorted(k for k in merged if keep.get(k) != merged[k]),
            extra=(f"Custtui-Merged: {fold_id}",),
        )

    return archive.commit_required(build, when)


def _moved_files(archive: Archive, head: str | None, source_id: str, target_id: str) -> Changes:
    """Every file of ``source_id`` except its record, moved under ``target_id``; documents whose
    name is taken there get a free one (and attachments follow their renamed main file)."""
    source, target = customer_dir(source_id), customer_dir(target_id)
    files = dict(archive.store.files(head, f"{source}/"))
    docs = f"{DOCS_DIR}/"
    taken = {p.rsplit("/", 1)[1] for p, _ in archive.store.files(head, f"{target}/{docs}")}
    renamed: dict[str, str] = {}
    for path in sorted(files):
        inside = path[len(source) + 1 :]
        if inside.startswith(docs) and not inside.endswith(META_SUFFIX):
            name = inside[len(docs) :]
            renamed[name] = unique_name(name, taken)
            taken |= {renamed[name], renamed[name] + META_SUFFIX}
    changes: Changes = {}
    for path, blob in files.items():
        inside = path[len(source) + 1 :]
        if inside == CUSTOMER_FILE:
            continue
        changes[path] = None
        if inside.startswith(docs) and inside.endswith(META_SUFFIX):
            name = inside[len(docs) : -len(META_SUFFIX)]
            meta = loads(archive.store.read_blob(blob), path)
            if meta.get("main") in renamed:
                meta["main"] = renamed[meta["main"]]
            changes[f"{target}/{meta_file(renamed.get(name, name))}"] = dumps(meta, list(meta))
        elif inside.startswith(docs):
            changes[f"{target}/{document_file(renamed[inside[len(docs) :]])}"] = BlobRef(blob)
        else:
            changes[f"{target}/{inside}"] = BlobRef(blob)
    return changes
