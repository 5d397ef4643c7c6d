"""Three-way, field-level merges of archive records and of whole archive trees.

Two offices that edited different fields of a customer both keep their edits; lists (aliases,
tags, phones, contacts) merge element by element; the stage history only grows. When both sides
changed the same field to different values, ours (the copy doing the merge) stays current and
theirs is recorded under ``[[conflicts]]`` in the record itself, with who set each value and
when, so nothing is lost and ``git pull`` (through the merge driver) writes the same bytes as
``custtui sync``. Whole trees merge path by path: only files changed on both sides are merged
here; a document both sides attached under one name with different content is kept twice.
"""

from __future__ import annotations

import os
import posixpath
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

from ..access.reviews import LABELS as REVIEW_LABELS
from ..base.errors import CusttuiError
from ..base.layout import (
    BOXES_DIR,
    CUSTOMER_FILE,
    CUSTOMERS_DIR,
    DOCS_DIR,
    META_SUFFIX,
    OFFICES_DIR,
    REVIEWS_DIR,
    TOML_SUFFIX,
)
from ..records.boxes import LABELS as BOX_LABELS
from ..records.naming import unique_name
from ..records.present import (
    DOCUMENT_LABELS,
    EMPTY_TEXT,
    contact_display,
    display,
    document_display,
    field_label,
    plain,
)
from ..records.records import EMPTY, SEALED_KEY, dumps, loads
from ..records.schema import Schema
from ..store.repo import BlobRef, Changes, Store

CONFLICTS = "conflicts"
DELETED = "(删除)"  # the ``field`` of a conflict where one side deleted the whole record
APPEND_ONLY = ("stage_history",)
PROVENANCE = ("added_by", "added_at", "original_name", "original_path")  # who attached a file: ours stays, no conflict

OFFICE_LABELS = {"code": "办事处代码", "name": "办事处名称", "next": "下一个客户编号"}  # offices/*.toml

# (field, value) -> (who, when) of the change on one side that set ``field`` to ``value``
Attribution = Callable[[str, str, Any], tuple[str, str]]


class MergeRefused(CusttuiError):
    """A file custtui cannot merge field by field (e.g. the schema changed on both sides)."""


@dataclass(frozen=True)
class Conflict:
    """An open conflict as stored in a record."""

    field: str
    kept: Any
    other: Any
    kept_by: str = ""
    kept_at: str = ""
    other_by: str = ""
    other_at: str = ""

    def as_record(self) -> dict:
        return {k: v for k, v in vars(self).items() if v not in EMPTY}


def conflict_label(schema: Schema, field: str, document: bool = False) -> str:
    """A conflict's field in the standard's Chinese (联系人 曾小贤 · 电话), or what a deletion
    conflict is about."""
    if field == DELETED:
        return "整份资料 (另一方已删除)" if document else "整个客户 (另一方已删除)"
    return DOCUMENT_LABELS.get(field, field) if document else field_label(schema, field)


def conflict_value(schema: Schema, field: str, value: Any, document: bool = False) -> str:
    """One side's value of a conflict as people read it (labels for codes); (空) for nothing."""
    if value is None or value == "" or value == []:
        return EMPTY_TEXT
    if field == DELETED:  # the stored words: 保留 / 删除
        return str(value)
    if field.startswith(f"{SEALED_KEY}."):  # an envelope: what it holds is for whoever opens it
        return "(加密内容)"
    if isinstance(value, dict) and field == "follow_up":  # the next step, one field however many keys moved
        return display(schema, field, value) or EMPTY_TEXT
    if isinstance(value, dict):  # a whole contact
        return contact_display(value) or EMPTY_TEXT
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if document:
        return document_display(schema, field, value)
    if "." not in field:
        return display(schema, field, value) or EMPTY_TEXT
    return plain(value)


def _same(a: Any, b: Any) -> bool:
    return (a in EMPTY and b in EMPTY) or a == b


def _merge_set(base: list, ours: list, theirs: list) -> list:
    """Element-wise: ours in its order, less what theirs removed, plus what theirs added."""
    removed = [x for x in base if x not in theirs]
    return [x for x in ours if x not in removed] + [x for x in theirs if x not in ours and x not in base]


def _merge_appended(ours: list, theirs: list) -> list:
    """Append-only lists keep every entry of both sides, in date order (stable)."""
    merged = list(ours) + [x for x in theirs if x not in ours]
    return sorted(merged, key=lambda step: str(step.get("date", ""))) if merged != ours else merged


class RecordMerge:
    """Merges one record; ``conflicts`` collects what both sides set differently."""

    def __init__(self, attribute: Attribution):
        self.attribute = attribute
        self.conflicts: list[Conflict] = []

    def conflict(self, field: str, kept: Any, other: Any) -> None:
        kept_by, kept_at = self.attribute("ours", field, kept)
        other_by, other_at = self.attribute("theirs", field, other)
        self.conflicts.append(Conflict(field, kept, other, kept_by, kept_at, other_by, other_at))

    def fields(self, base: dict, ours: dict, theirs: dict, prefix: str = "") -> dict:
        result = {}
        for key in list(ours) + [k for k in theirs if k not in ours]:
            if key == CONFLICTS and not prefix:
                continue
            value = self.value(prefix + key, base.get(key), ours.get(key), theirs.get(key))
            if value not in EMPTY:
                result[key] = value
        return result

    def value(self, field: str, base: Any, ours: Any, theirs: Any) -> Any:
        if _same(ours, theirs) or _same(theirs, base):
            return ours
        if _same(ours, base):
            return theirs
        if field in PROVENANCE:
            return ours
        if field in APPEND_ONLY:
            return _merge_appended(ours or [], theirs or [])
        if field == "contacts":
            return self.contacts(base or [], ours or [], theirs or [])
        if field == SEALED_KEY:
            return self.sealed(base or {}, ours or {}, theirs or {})
        if all(isinstance(x, list) or x in EMPTY for x in (base, ours, theirs)) and not any(
            isinstance(e, dict) for x in (ours, theirs) for e in x or []
        ):
            return _merge_set(base or [], ours or [], theirs or [])
        self.conflict(field, ours, theirs)
        return ours

    def sealed(self, base: dict, ours: dict, theirs: dict) -> dict:
        """Sealed personal fields merge per audience, each part an envelope kept whole (an edit on
        each side of one part is a conflict between two ciphertexts); the field names as a set."""
        parts = self.fields(
            base.get("parts", {}), ours.get("parts", {}), theirs.get("parts", {}), f"{SEALED_KEY}.parts."
        )
        fields = _merge_set(base.get("fields", []), ours.get("fields", []), theirs.get("fields", []))
        return {"fields": sorted(fields), **({"parts": parts} if parts else {})}

    def contacts(self, base: list[dict], ours: list[dict], theirs: list[dict]) -> list[dict]:
        """Contacts merge by name; one contact's fields merge like a record's."""

        def by_name(items):
            return {c.get("name", ""): c for c in items}

        b, o, t = by_name(base), by_name(ours), by_name(theirs)
        result = []
        for name in list(o) + [n for n in t if n not in o]:
            if name in o and name in t:
                result.append(self.fields(b.get(name, {}), o[name], t[name], prefix=f"contacts.{name}."))
            elif name in o:
                if name not in b:
                    result.append(o[name])
                elif o[name] != b[name]:  # theirs deleted a contact ours edited: keep it, say so
                    self.conflict(f"contacts.{name}", o[name], None)
                    result.append(o[name])
            elif name not in b:
                result.append(t[name])
            elif t[name] != b[name]:  # ours deleted a contact theirs edited
                self.conflict(f"contacts.{name}", None, t[name])
        return result


def _open_conflicts(base: dict, ours: dict, theirs: dict) -> list[dict]:
    """The open conflicts after the merge: recorded on either side and resolved on neither."""
    b, o, t = (r.get(CONFLICTS, []) for r in (base, ours, theirs))
    return _merge_set(b, o, t)


def merge_records(base: dict | None, ours: dict | None, theirs: dict | None, attribute: Attribution) -> dict | None:
    """The merged record; None when it stays deleted. Conflicts are stored in the result."""
    if ours is None or theirs is None:
        kept, deleter = (ours, "theirs") if theirs is None else (theirs, "ours")
        if kept is None:
            return None  # deleted on both sides
        if base is not None and _plain_equal(kept, base):
            return None  # deleted on one side, untouched on the other
        return kept_despite_deletion(kept, deleter, attribute)
    merge = RecordMerge(attribute)
    result = merge.fields(base or {}, ours, theirs)
    conflicts = _open_conflicts(base or {}, ours, theirs) + [c.as_record() for c in merge.conflicts]
    if conflicts:
        result[CONFLICTS] = conflicts
    return result


def kept_despite_deletion(kept: dict, deleter: str, attribute: Attribution) -> dict:
    """A record one side deleted and the other changed: the change survives, the deletion is
    recorded as an open conflict (accepting it later deletes)."""
    who, when = attribute(deleter, DELETED, None)
    kept_by, kept_at = attribute("theirs" if deleter == "ours" else "ours", DELETED, kept)
    note = Conflict(DELETED, "保留", "删除", kept_by, kept_at, who, when)
    return {**kept, CONFLICTS: kept.get(CONFLICTS, []) + [note.as_record()]}


def _plain_equal(a: dict, b: dict) -> bool:
    return dumps(a) == dumps(b)


def merge_toml_bytes(
    path: str, base: bytes | None, ours: bytes | None, theirs: bytes | None, attribute: Attribution
) -> bytes | None:
    """Merge one TOML file of the archive; MergeRefused when it cannot be merged field by field."""
    old, mine, other = (loads(raw, path) if raw else None for raw in (base, ours, theirs))
    if is_record(path):
        record = merge_records(old, mine, other, attribute)
        if record is None:
            return None
        return dumps(record, list(record))  # ours' order, theirs' new fields after
    merge = RecordMerge(lambda side, field, value: ("", ""))
    if mine is None or other is None:
        raise MergeRefused(f"{path}: 一方修改、另一方删除, 无法自动合并")
    merged = merge.fields(old or {}, mine, other)
    counter = next((c for c in merge.conflicts if path.startswith(f"{OFFICES_DIR}/") and c.field == "next"), None)
    if counter:  # an office counter only grows: the larger one keeps every number given out
        merged["next"] = max(int(counter.kept), int(counter.other))
        merge.conflicts.remove(counter)
    if merge.conflicts:
        box, review = path.startswith(f"{BOXES_DIR}/"), path.startswith(f"{REVIEWS_DIR}/")
        labels = (
            BOX_LABELS
            if box
            else REVIEW_LABELS
            if review
            else OFFICE_LABELS
            if path.startswith(f"{OFFICES_DIR}/")
            else {}
        )
        fields = "、".join(labels.get(c.field, c.field) for c in merge.conflicts)
        what = "纸质档案盒的登记" if box else "访问权限复核的签署" if review else "档案设置"
        raise MergeRefused(f"{path}: 双方把 {fields} 改成了不同的值; 这是{what}, 请在一处改好后再同步")
    return dumps(merged, list(merged))


def is_record(path: str) -> bool:
    """Customer records and document metadata: the files that hold their own recorded conflicts."""
    return path.startswith(f"{CUSTOMERS_DIR}/") and (path.endswith(f"/{CUSTOMER_FILE}") or path.endswith(META_SUFFIX))


# --- who set a value --------------------------------------------------------------------


class SideLogs:
    """Every file's changes on each side of one merge, from one ``git log --raw`` a side instead
    of one per file (measured at 10k: 50 conflicting files on a side of 1,000 commits took 2.7 s
    of per-file logs). Only for a side without merge commits, where listing all and keeping a
    file's entries is exactly what ``git log -- FILE`` lists; otherwise None (ask per file)."""

    def __init__(self, store: Store, base: str | None, sides: dict[str, str | None]):
        self.store, self.base, self.sides = store, base, sides
        self._tables: dict[str, dict[str, list] | None] = {}

    def entries(self, side: str, path: str) -> list[tuple[str, str, str | None, str | None]] | None:
        if side not in self._tables:
            self._tables[side] = self._load(self.sides.get(side))
        table = self._tables[side]
        return None if table is None else table.get(path, [])

    def _load(self, tip: str | None) -> dict[str, list] | None:
        if not tip:
            return {}
        span = f"{self.base}..{tip}" if self.base else tip
        if self.store.git("rev-list", "--merges", "--count", span).stdout.strip() != b"0":
            return None
        out = self.store.git(
            "log", "-z", "-r", "--raw", "--no-renames", "--no-abbrev", "--format=%x01%an%x00%aI", span
        ).stdout
        table: dict[str, list] = {}
        tokens = iter(out.split(b"\0"))
        who = when = ""
        for token in tokens:  # read by position: a name or a path can never pass for a header
            token = token.lstrip(b"\n")
            if token.startswith(b"\x01"):
                who, when = token[1:].decode("utf-8", "replace"), next(tokens).decode()
            elif token.startswith(b":"):
                _, _, old, new, _ = token[1:].decode().split(" ")
                path = next(tokens).decode("utf-8", "surrogateescape")
                table.setdefault(path, []).append(
                    (who, when, None if old == "0" * 40 else old, None if new == "0" * 40 else new)
                )
        return table


class History:
    """Finds, on each side of a merge, the commit that set a field to its value: one ``git log
    --raw`` per side gives each commit's version of the file, read by blob id."""

    def __init__(
        self, store: Store, base: str | None, sides: dict[str, str | None], path: str, shared: SideLogs | None = None
    ):
        self.store, self.base, self.sides, self.path = store, base, sides, path
        self.shared = shared
        self._logs: dict[str, list[tuple[str, str, str | None, str | None]]] = {}

    def __call__(self, side: str, field: str, value: Any) -> tuple[str, str]:
        commits = self._log(side)
        for who, when, before, after in commits:
            now = self._field(after, field)
            if field == DELETED or (now != self._field(before, field) and _same(now, value)):
                return who, when
        return (commits[0][0], commits[0][1]) if commits else ("", "")

    def _log(self, side: str) -> list[tuple[str, str, str | None, str | None]]:
        """(author, time, blob before, blob after) of each commit on ``side`` that changed the file."""
        tip = self.sides.get(side)
        if side not in self._logs and self.shared is not None:
            found = self.shared.entries(side, self.path)
            if found is not None:
                self._logs[side] = found
        if side not in self._logs:
            span = [f"{self.base}..{tip}" if self.base else tip] if tip else []
            out = (
                self.store.git(
                    "log",
                    "--format=%x01%an%x00%aI",
                    "--raw",
                    "--no-abbrev",
                    "--no-renames",
                    *span,
                    "--",
                    self.path,
                    check=False,
                ).stdout.decode()
                if span
                else ""
            )
            entries = []
            for chunk in out.split("\x01")[1:]:
                head, *rest = chunk.strip("\n").split("\n")
                who, when = head.split("\0")
                raw = next((line for line in rest if line.startswith(":")), None)
                if raw:
                    _, _, old, new, _ = raw.split("\t")[0].lstrip(":").split(" ")
                    entries.append((who, when, None if old == "0" * 40 else old, None if new == "0" * 40 else new))
            self._logs[side] = entries
        return self._logs[side]

    def _field(self, blob: str | None, field: str) -> Any:
        if blob is None:
            return None
        try:
            record = loads(self.store.read_blob(blob), self.path)
        except CusttuiError:
            return None
        head, _, rest = field.partition(".")
        if head == "contacts" and rest:
            name, _, key = rest.partition(".")
            contact = next((c for c in record.get("contacts", []) if c.get("name") == name), None)
            return contact if not key or contact is None else contact.get(key)
        return record.get(field)


# --- whole trees ----------------------------------------------------------------------


@dataclass
class TreeMerge:
    """What merging theirs into ours changes on top of ours, and what it recorded."""

    changes: Changes
    conflicts: list[tuple[str, dict]]  # (path, conflict record) newly recorded
    customers: set[str]  # customer folders theirs changed
    kept_twice: list[str]  # documents both sides added under one name: theirs saved under another
    kept_once: list[str]  # documents theirs attached that ours had attached too (same content)


def _their_file(store: Store, theirs: str, path: str, blob: str) -> BlobRef:
    """``blob``, the file at ``path`` in ``theirs`` (which a diff or listing of it named), with its mode."""
    found = store.entry(theirs, path)
    if found is None:
        raise CusttuiError(f"提交 {theirs[:10]} 中找不到 {path}, 档案可能已损坏; 请运行 `custtui check`")
    return BlobRef(blob, found[0])


def _folder(path: str) -> str:
    return "/".join(path.split("/")[:4])


def _is_document(path: str) -> bool:
    return f"/{DOCS_DIR}/" in path and not path.endswith(META_SUFFIX)


def merge_trees(store: Store, base: str | None, ours: str, theirs: str) -> TreeMerge:
    """The changes that turn ``ours`` into the merge of ``ours`` and ``theirs``."""
    mine = {path: new for path, _, new in store.diff_commits_bulk(base, ours)}
    other = {path: (old, new) for path, old, new in store.diff_commits_bulk(base, theirs)}
    ours_attached = {(_folder(p), sha) for p, sha in mine.items() if sha and _is_document(p)}
    same_as_ours = {
        p
        for p, (old, new) in other.items()
        if old is None and p not in mine and _is_document(p) and (_folder(p), new) in ours_attached
    }
    result = TreeMerge(
        {},
        [],
        {_folder(p) for p in other if p.startswith(f"{CUSTOMERS_DIR}/") and p.count("/") >= 4},
        [],
        sorted(same_as_ours),
    )
    taken = set(mine) | set(other)
    logs = SideLogs(store, base, {"ours": ours, "theirs": theirs})
    kept_folders = _keep_deleted_folders(store, base, ours, theirs, mine, other, result, logs)
    for path, (old, new) in sorted(other.items()):
        if (
            path in same_as_ours
            or path.endswith(META_SUFFIX)
            and path[: -len(META_SUFFIX)] in same_as_ours
            or _folder(path) in kept_folders
        ):
            continue
        if path not in mine:
            result.changes[path] = None if new is None else _their_file(store, theirs, path, new)
        elif mine[path] == new:
            continue
        elif path.endswith(TOML_SUFFIX):
            _merge_file(store, base, ours, theirs, path, (old, mine[path], new), result, logs)
        elif new is None:  # theirs deleted a document ours changed: ours stays
            continue
        elif mine[path] is None:  # ours deleted a document theirs changed: theirs stays
            result.changes[path] = _their_file(store, theirs, path, new)
        else:  # both sides put different files under one name: both stay, theirs under a free name
            folder = posixpath.dirname(path)
            names = {posixpath.basename(p) for p in taken if posixpath.dirname(p) == folder}
            renamed = posixpath.join(
                folder, unique_name(posixpath.basename(path), names | set(store.listdir(ours, folder)))
            )
            taken.add(renamed)
            result.changes[renamed] = _their_file(store, theirs, path, new)
            meta = store.read(theirs, path + META_SUFFIX)
            if meta is not None:
                result.changes[renamed + META_SUFFIX] = meta
            result.kept_twice.append(path)
    for path in result.kept_twice:  # ours keeps its own metadata for its own file
        result.changes.pop(path + META_SUFFIX, None)
    for path, change in list(result.changes.items()):  # metadata kept alive keeps its document
        document = path[: -len(META_SUFFIX)]
        if (
            path.endswith(META_SUFFIX)
            and change is not None
            and store.entry(ours, document) is None
            and document not in result.changes
        ):
            found = store.entry(theirs, document) or store.entry(base, document)
            if found:
                result.changes[document] = BlobRef(found[1], found[0])
    return result


def _keep_deleted_folders(
    store: Store, base: str | None, ours: str, theirs: str, mine: dict, other: dict, result: TreeMerge, logs: SideLogs
) -> set[str]:
    """Edit against delete: a customer one side deleted and the other changed in any way (a field,
    a note, a document) stays whole as the changing side has it, with the deletion recorded as an
    open conflict; accepting the deletion later removes the folder. The folders handled here."""
    handled = set()
    record_name = f"/{CUSTOMER_FILE}"
    deleted_by_ours = {_folder(p) for p, new in mine.items() if p.endswith(record_name) and new is None}
    deleted_by_theirs = {_folder(p) for p, (_, new) in other.items() if p.endswith(record_name) and new is None}
    for folder in sorted(deleted_by_ours ^ deleted_by_theirs):
        ours_deleted = folder in deleted_by_ours
        changed = other if ours_deleted else mine
        if not any(_folder(p) == folder for p in changed):
            continue  # the other side left it alone: the deletion stands
        keeper = theirs if ours_deleted else ours
        if ours_deleted:  # bring the folder back as theirs has it
            for path, blob in store.files(theirs, f"{folder}/"):
                result.changes[path] = _their_file(store, theirs, path, blob)
        path = folder + record_name
        history = History(store, base, {"ours": ours, "theirs": theirs}, path, logs)
        raw = store.read(keeper, path)
        if raw is None:  # never: the side that did not delete the record still has it
            raise CusttuiError(f"提交 {keeper[:10]} 中找不到 {path}, 无法合并")
        merged = kept_despite_deletion(loads(raw, path), "ours" if ours_deleted else "theirs", history)
        result.changes[path] = dumps(merged, list(merged))
        result.conflicts.append((path, merged[CONFLICTS][-1]))
        handled.add(folder)
    return handled


def _merge_file(
    store: Store,
    base: str | None,
    ours: str,
    theirs: str,
    path: str,
    blobs: tuple[str | None, str | None, str | None],
    result: TreeMerge,
    logs: SideLogs,
) -> None:
    old, mine, other = (store.read_blob(sha) if sha else None for sha in blobs)
    before = _conflict_count(mine, path)
    history = History(store, base, {"ours": ours, "theirs": theirs}, path, logs)
    merged = merge_toml_bytes(path, old, mine, other, history)
    result.changes[path] = merged
    if merged is not None and is_record(path):
        result.conflicts += [(path, c) for c in loads(merged, path).get(CONFLICTS, [])[before:]]


def _conflict_count(raw: bytes | None, path: str) -> int:
    return len(loads(raw, path).get(CONFLICTS, [])) if raw and is_record(path) else 0


# --- the git merge driver ----------------------------------------------------------------


def run_driver(base_file: str, ours_file: str, theirs_file: str, path: str, environ: dict[str, str]) -> int:
    """``git`` calls this for a TOML file changed on both sides; writes the merge to ``ours_file``.

    Exit 0 with the merged record, or 1 (git's conflict) with git's own text merge when the file
    cannot be merged field by field. Who set each value is read from git: ours is HEAD, theirs
    the commit git names in ``GITHEAD_<sha>``.
    """
    old, mine, other = (Path(f).read_bytes() or None for f in (base_file, ours_file, theirs_file))
    store = Store(os.getcwd())
    try:
        ours = store.head()
        theirs = next((key[len("GITHEAD_") :] for key in environ if key.startswith("GITHEAD_")), None)
        base = merge_base(store, ours, theirs)
        merged = merge_toml_bytes(path, old, mine, other, History(store, base, {"ours": ours, "theirs": theirs}, path))
    except CusttuiError as exc:
        print(f"custtui merge: {exc}", file=sys.stderr)
        subprocess.run(
            ["git", "merge-file", "-L", "ours", "-L", "base", "-L", "theirs", ours_file, base_file, theirs_file],
            check=False,
        )
        return 1
    finally:
        store.close()
    Path(ours_file).write_bytes(merged or b"")
    return 0


def merge_base(store: Store, ours: str | None, theirs: str | None) -> str | None:
    """The best common ancestor of two commits; None when either is missing or they share none."""
    if not ours or not theirs:
        return None
    found = store.git("merge-base", ours, theirs, check=False).stdout.decode().strip()
    return found or None
