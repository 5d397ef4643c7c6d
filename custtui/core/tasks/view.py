"""An archive as one person may see it: records masked, documents and facts filtered by policy.

The command line and the TUI read customers through these functions, so they cannot disagree
about what a person sees; writers use ``Archive`` directly (they need the stored values).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..access import access_log
from ..access.policy import (
    CUSTOMER_RECORD,
    DEAL_RECORD,
    NOTE_RECORD,
    SENSITIVITY,
    Access,
    PermissionDenied,
    mask_id_number,
    mask_phone,
)
from ..archive.archive import Archive, Document, Folder, HistoryEntry
from ..base.errors import CusttuiError, RecordError
from ..base.layout import CUSTOMER_FILE, DEALS_DIR, DOCS_DIR, META_SUFFIX, NOTES_DIR
from ..index.listing import LOOKUP_FIELDS, Summary
from ..records.present import field_label
from ..records.records import customer_dir, loads

if TYPE_CHECKING:  # Whoosh loads only when someone searches
    from ..index.search import Results, Scope


def customers(archive: Archive, at: str | None = None) -> dict:
    """The listing this person may browse: nobody, without the right to view customer records."""
    return archive.customers(at) if archive.access.can_view(*CUSTOMER_RECORD) else {}


def customer(archive: Archive, customer_id: str, at: str | None = None, *, unmask: bool = False) -> dict:
    """A customer as this person sees it; ``unmask`` shows masked personal data to someone with
    the ``unmask`` permission, and writes that to the access log."""
    _require_customers(archive.access)
    return _shown(archive, customer_id, archive.customer(customer_id, at), at, unmask)


def folder(archive: Archive, customer_id: str, at: str | None = None, *, unmask: bool = False) -> Folder:
    """A customer's whole folder as this person sees it, read once at one commit: the record as
    ``customer`` shows it, notes and deals only if they may read them (amounts masked as the
    policy says), and only the documents their role may see."""
    access = archive.access
    _require_customers(access)
    found = archive.folder(customer_id, at)
    return Folder(
        found.commit,
        _shown(archive, customer_id, found.record, found.commit, unmask),
        found.notes if access.can_view(*NOTE_RECORD) else [],
        [access.deal(d) for d in found.deals] if access.can_view(*DEAL_RECORD) else [],
        [d for d in found.documents if access.document_visible(d.meta)],
    )


def find(archive: Archive, where: dict[str, Any], at: str | None = None) -> list[Summary]:
    """``Archive.find`` as this person may search: a field masked for them cannot be searched by
    (the matches would reveal it)."""
    access = archive.access
    _require_customers(access)
    schema = archive.schema(at)
    for key in where:
        definition = schema.field(key)
        kind = {"id_card": "id_number", "phone": "phones", "phone_list": "phones"}.get(
            definition.kind if definition else ""
        )
        if definition and kind and access.masked(kind):
            raise PermissionDenied(f"缺少权限「查看未打码的个人信息」(unmask): 不能按{definition.label}筛选")
    return archive.find(where, at)


UNIQUE_FIELDS = LOOKUP_FIELDS
"""Fields whose value belongs to one customer only (USCC, ID number): a second is refused."""


def duplicates(archive: Archive, field: str, value: str, customer_id: str | None = None) -> list[tuple[str, str]]:
    """(ID, name) of the customers other than ``customer_id`` already registered with ``value`` in
    ``field`` (one of UNIQUE_FIELDS; a normalised value): whom saving it would clash with."""
    _require_customers(archive.access)
    if field not in UNIQUE_FIELDS or not value:
        return []
    return archive.registered_with(field, value, archive.head(), customer_id)


def changed_since(
    archive: Archive, customer_id: str, base: str, fields: list[str], at: str | None = None
) -> dict[str, tuple[Any, HistoryEntry | None]]:
    """Which of ``fields`` of a customer someone changed after ``base`` (the commit an edit started
    from) up to ``at`` (the head): each with its value now, as this person sees it, and the entry
    of the audit trail that last changed it."""
    at = at or archive.head()
    if at is None or at == base:
        return {}
    before, now = customer(archive, customer_id, base), customer(archive, customer_id, at)
    changed: dict[str, tuple[Any, HistoryEntry | None]] = {}
    for key in fields:
        if before.get(key) != now.get(key):
            last = history(archive, customer_id, field=key, limit=1)
            changed[key] = (now.get(key), last[0] if last else None)
    return changed


def _require_customers(access: Access) -> None:
    if not access.can_view(*CUSTOMER_RECORD):
        raise PermissionDenied(
            f"缺少权限「查看客户档案」: {access.person or '当前用户'} 的角色 {access.label} 不能查看客户档案"
        )


def _shown(archive: Archive, customer_id: str, record: dict, at: str | None, unmask: bool) -> dict:
    """A stored record as the person sees it (validated, masked or unmasked and logged)."""
    access = archive.access
    try:  # a record written past custtui (a hand edit) is reported, never shown half-understood
        archive.validator(at).customer(record, check_required=False)
    except CusttuiError as exc:
        raise RecordError(
            f"{customer_dir(customer_id)}/{CUSTOMER_FILE}",
            f"{customer_id} 的记录已损坏 ({exc}); custtui check 可查看是哪次提交写入的",
        ) from None
    if not unmask:
        return access.customer(record)
    access.require("unmask")
    hidden = [key for key, value in access.customer(record).items() if value != record.get(key)]
    if hidden:
        schema = archive.schema(at)
        labels = "、".join(field_label(schema, key) for key in hidden)
        access_log.record(archive, archive.actor, "unmask", customer_id, labels)
    return record


def _hidden_paths(archive: Archive, commit: str) -> tuple[set[str], set[str]]:
    """(files a commit touched that this person may not see (documents, facts), all it touched)."""
    access = archive.access
    info = archive.store.commit_info(commit)
    parent = info.parents[0] if info.parents else None
    hidden, touched = set(), set()
    for path, old, new in archive.store.diff_commits(parent, commit):
        touched.add(path)
        if f"/{DOCS_DIR}/" in path and path.endswith(META_SUFFIX):
            blob = new or old
            assert blob is not None, "a changed file has a blob on at least one side"
            meta = loads(archive.store.read_blob(blob), path)
            if not access.document_visible(meta):
                hidden |= {path, path[: -len(META_SUFFIX)]}
        elif (
            f"/{NOTES_DIR}/" in path
            and not access.can_view(*NOTE_RECORD)
            or f"/{DEALS_DIR}/" in path
            and not access.can_view(*DEAL_RECORD)
        ):
            hidden.add(path)
    return hidden, touched


def _masked_fields(access) -> set[str]:
    fields = set()
    if access.masked("id_number"):
        fields.add("id_number")
    if access.masked("phones"):
        fields |= {"phones", "contacts"}
    return fields


MASKED_DETAIL = "(内容已打码)"
LOGGED_SENSITIVITY = ("confidential", "secret")  # reading these is written to the access log (PIPL)
HIDDEN_COMMIT = "(你的角色不能查看此提交的内容)"


def redacted(archive: Archive, commit: str, subject: str, fields: list[str], action: str | None) -> str | None:
    """How this person may read a commit's subject: as it is, with the detail masked, or None
    when the commit only touched what they may not see."""
    access = archive.access
    if access.unrestricted:
        return subject
    if action in ("attach", "note", "deal", "update"):
        hidden, touched = _hidden_paths(archive, commit)
        if hidden and hidden >= touched:
            return None
    if _masked_fields(access) & set(fields) or (action == "deal" and access.masked("amounts")):
        return subject.split(":", 1)[0] + f": {MASKED_DETAIL}"
    return subject


def history(archive: Archive, customer_id: str | None = None, **filters) -> list[HistoryEntry]:
    """The audit trail as this person may read it: entries about documents or facts they may
    not see are left out, and a summary that would show a masked value keeps only its subject."""
    entries = archive.history(customer_id, **filters)
    if archive.access.unrestricted:
        return entries
    shown = []
    for entry in entries:
        summary = redacted(archive, entry.commit, entry.summary, entry.fields, entry.action)
        if summary is not None:
            shown.append(entry._replace(summary=summary))
    return shown


def changes_in(archive: Archive, commit: str) -> list[tuple[str, list[tuple[str, Any, Any]] | str]]:
    """``Archive.changes_in`` as this person may read it: hidden files left out, masked values masked."""
    access = archive.access
    changes = archive.changes_in(commit)
    if access.unrestricted:
        return changes
    hidden, _ = _hidden_paths(archive, commit)
    shown = []
    for path, change in changes:
        if path in hidden:
            continue
        if isinstance(change, list) and path.endswith(f"/{CUSTOMER_FILE}"):
            change = [
                (key, access.customer({key: old}).get(key), access.customer({key: new}).get(key))
                for key, old, new in change
            ]
        elif isinstance(change, list) and f"/{DEALS_DIR}/" in path:
            change = [
                (key, access.deal({key: old}).get(key), access.deal({key: new}).get(key)) for key, old, new in change
            ]
        shown.append((path, change))
    return shown


def open_document(archive: Archive, customer_id: str, name: str) -> Document:
    """A document this person is opening (to read or copy): PermissionDenied when they may not
    see it (told exactly like a missing one), and an access-log entry when it is 机密 or 绝密."""
    access = archive.access
    found = next((d for d in archive.documents(customer_id) if d.name == name), None)
    if found is None or not access.document_visible(found.meta):
        raise PermissionDenied(f"{customer_id} 没有名为 {name} 的资料, 或你的角色 {access.label} 不能查看它")
    if found.meta.get("sensitivity") in LOGGED_SENSITIVITY:
        access_log.record(
            archive,
            archive.actor,
            "view",
            f"{customer_id}/{name}",
            archive.schema().label("sensitivity", found.meta["sensitivity"]),
        )
    return found


def document_bytes(archive: Archive, customer_id: str, name: str) -> tuple[dict, bytes]:
    """(metadata, content) of a document this person may see (see ``open_document``)."""
    found = open_document(archive, customer_id, name)
    data, sealed = archive.document_content(customer_id, name)
    if sealed:  # evidence of whose key read what (docs/emergency.md: a leaked key)
        access_log.record(archive, archive.actor, "decrypt", f"{customer_id}/{name}", "加密保存的资料")
    return found.meta, data


def export_document(archive: Archive, customer_id: str, name: str, folder: Path) -> Path:
    """Save a copy of a document into ``folder`` (never over an existing file); needs ``export``."""
    from .intake import save_copy  # here: intake's extraction is not needed to read a customer

    archive.access.require("export")
    meta, data = document_bytes(archive, customer_id, name)
    target = save_copy(data, name, folder)
    access_log.record(
        archive,
        archive.actor,
        "export",
        f"{customer_id}/{name}",
        f"{archive.schema().label('sensitivity', meta.get('sensitivity', 'internal'))} → {target}",
    )
    return target


_ID_NUMBER = re.compile(r"\b\d{17}[\dXx]\b")
_MOBILE = re.compile(r"(?<!\d)1\d{10}(?!\d)")


def search_scope(archive: Archive) -> Scope:
    """What this person's searches may show, from the policy: the documents they may not see are
    neither found nor counted, masked numbers cannot be searched for or seen in snippets, and
    notes and transactions stay out of snippets unless they may read them."""
    from ..index.search import EVERYTHING, Scope

    access = archive.access
    if access.unrestricted:
        return EVERYTHING
    schema = archive.schema()
    hidden = tuple(
        (info, level) for info in schema.info_types for level in SENSITIVITY if not access.can_view(info, level)
    )
    masked_ids, masked_phones = access.masked("id_number"), access.masked("phones")
    prose = access.can_view(*NOTE_RECORD) and access.can_view(*DEAL_RECORD)

    def blocked(field: str, text: str) -> bool:
        # a phone's last four digits are shown masked anyway (138****5678); a whole number is not.
        # A customer's body text holds its notes and products: not searchable without reading them.
        return (
            (masked_phones and field == "phone" and not text.startswith("t"))
            or (masked_ids and field == "ident" and bool(_ID_NUMBER.fullmatch(text)))
            or (not prose and field == "body")
        )

    def redact(text: str) -> str:
        if masked_ids:
            text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text)
        if masked_phones:
            text = _MOBILE.sub(lambda m: mask_phone(m.group()), text)
        return text

    return Scope(
        customers=access.can_view(*CUSTOMER_RECORD),
        hidden_documents=hidden,
        blocked_terms=blocked,
        prose=prose,
        redact=redact,
    )


def search(archive: Archive, text: str, limit: int = 20, on_message=None) -> Results:
    """Search as this person (see ``search_scope``)."""
    return archive.search_index(on_message).search(text, limit=limit, scope=search_scope(archive))


def conflicts(archive: Archive, customer_id: str | None = None) -> list[tuple[str, str, dict]]:
    """``sync.open_conflicts`` as this person may read them: on documents they may see only, with
    masked values masked."""
    from ..sync.sync import open_conflicts

    access = archive.access
    found = open_conflicts(archive, customer_id)
    if access.unrestricted:
        return found
    shown = []
    for cid, file, conflict in found:
        if file.endswith(META_SUFFIX):
            meta = loads(archive.store.read(archive.head(), f"{customer_dir(cid)}/{file}") or b"", file)
            if not access.document_visible(meta):
                continue
        root = conflict["field"].split(".")[0]
        values = {
            k: access.customer({root: _as_field(conflict["field"], conflict[k])}).get(root)
            for k in ("kept", "other")
            if k in conflict
        }
        shown.append((cid, file, {**conflict, **{k: _from_field(conflict["field"], v) for k, v in values.items()}}))
    return shown


def _as_field(field: str, value: Any) -> Any:
    """A conflicting value as a whole field, so the customer's masking applies to it."""
    parts = field.split(".")
    if parts[0] != "contacts" or len(parts) == 1:
        return value
    contact = value if len(parts) == 2 else {"name": parts[1], parts[2]: value}
    return [contact] if isinstance(contact, dict) else value


def _from_field(field: str, value: Any) -> Any:
    parts = field.split(".")
    if parts[0] != "contacts" or len(parts) == 1 or not isinstance(value, list) or not value:
        return value
    return value[0] if len(parts) == 2 else value[0].get(parts[2])
