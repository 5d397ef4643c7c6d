"""The archive: every user action on customers, notes, deals and documents, one commit each.

This is the one library the CLI and the TUI call. Each write validates against the archive's
own schema (read at the head it writes on), builds its change from that head, and goes through
``Store.transact`` so concurrent sessions never lose an update.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

from ..access import access_log, rights
from ..access import registry as staff_registry
from ..access.policy import CUSTOMER_RECORD, DEAL_RECORD, NOTE_RECORD, Access, PermissionDenied, Policy
from ..access.registry import Person, lookup
from ..base.errors import ConflictError, CusttuiError, FieldError, NotARepository, NotFound
from ..base.layout import (
    ARCHIVE_FILE,
    CUSTOMER_FILE,
    CUSTOMERS_DIR,
    DEALS_DIR,
    DOCS_DIR,
    DOCUMENT_ORDER,
    DOCUMENT_SYSTEM_FIELDS,
    FORMAT_VERSION,
    META_SUFFIX,
    NOTES_DIR,
    OFFICES_DIR,
    SCHEMA_DIR,
    SCHEMA_NAMES,
    TOML_SUFFIX,
    document_file,
    erasure_file,
    meta_file,
    office_file,
    schema_file,
)
from ..index.listing import LOOKUP_FIELDS, Listing, Summary
from ..records import boxes as paper_boxes
from ..records import records
from ..records.naming import check_given_name, rule_stem, safe_name, unique_name
from ..records.present import EMPTY_TEXT, change_text, display
from ..records.records import (
    EMPTY,
    SEALED_KEY,
    Validator,
    customer_dir,
    dumps,
    field_changes,
    format_id,
    loads,
)
from ..records.schema import Schema, default_schema_dir, schema_at
from ..records.validate import validate_text
from ..store import hooks
from ..store.repo import TREE_MODE, BlobRef, Changes, CommitInfo, Identity, Store, blob_sha

if TYPE_CHECKING:  # opened lazily: Whoosh costs ~0.2 s to import
    from ..index.search import SearchIndex
    from ..vault.keyring import Keyring

SEALED_MAGIC = b"custtui-sealed/"  # vault.crypto.MAGIC's stem, checked without importing the crypto

NOTE_ORDER = ("time", "channel", "participants", "content", "needs", "feedback", "by")
LOOSE_OBJECTS_BEFORE_PACK = 6700  # git's own gc.auto threshold
SHOWN_REFUSALS = 3  # a refused change names this many of the rights it lacks, then counts the rest
ROUTINE_TRAILER = "Custtui-Routine"  # a routine's batch (tasks.routines): monthly, quarterly, halfyear
REVERT_STAGE_REASON = "撤销合作阶段的变更会在阶段历史中新增一条变更 (原记录保留), 请填写原因"


class HistoryEntry(NamedTuple):
    """One commit of the audit trail, readable."""

    commit: str
    author: str
    email: str
    when: datetime
    summary: str
    customer: str | None
    action: str | None
    fields: list[str]


class Document(NamedTuple):
    name: str
    meta: dict
    blob: str


class Folder(NamedTuple):
    """One customer's folder at one commit: the record, notes, deals and documents."""

    commit: str
    record: dict
    notes: list[dict]
    deals: list[dict]
    documents: list[Document]


def duplicate_rule(found: list[tuple[str, str]]) -> str:
    """Why a USCC or ID number cannot be saved: the customers (ID, name) who already have it."""
    return f"已登记为 {'、'.join(f'{cid} {name}' for cid, name in found)}, 不能重复建档"


def resolve_user(explicit: str | None, store: Store | None) -> str | None:
    """The staff member: ``--user``, then ``CUSTTUI_USER``, then git's user.name."""
    if explicit:
        return explicit
    if os.environ.get("CUSTTUI_USER"):
        return os.environ["CUSTTUI_USER"]
    return store.config("user", "name") if store is not None else None


class Attachment(NamedTuple):
    """A file to file under a customer: its metadata, and where it was found (an inventory's)."""

    customer_id: str
    path: Path
    meta: dict[str, Any]
    name: str | None = None
    original_path: str | None = None


class Archive:
    """A customer archive in a git repository."""

    def __init__(self, path: str | os.PathLike, user: str | None = None):
        self.store = Store(path)
        if self.store.head() is not None and self.store.entry(self.store.head(), ARCHIVE_FILE) is None:
            raise NotARepository(f"{self.store.path} 是 git 仓库, 但不是 custtui 档案 (缺少 {ARCHIVE_FILE})")
        self.user = resolve_user(user, self.store)
        if self.store.work_tree_behind():
            self.store.stale_paths = self.store.sync_work_tree()
        self.listing = Listing(self.store, self.opened)
        self._search: SearchIndex | None = None
        self._access: tuple[tuple[str | None, str | None], Access] | None = None
        self._keyring: Keyring | None = None

    @property
    def keyring(self) -> Keyring:
        """The keys this copy holds (``core/privacy``), read when sealed data is first met."""
        if self._keyring is None:
            from ..vault.keyring import Keyring

            self._keyring = Keyring(self.store)
        return self._keyring

    def opened(self, record: dict, path: str) -> dict:
        """A record with the sealed parts this copy can open merged back in (``privacy.seal``)."""
        if SEALED_KEY not in record:
            return record
        from ..vault.keyring import open_record

        return open_record(record, self.keyring, path)

    def close(self) -> None:
        if self._search is not None:
            self._search.close()
        self.store.close()

    # --- creation ------------------------------------------------------------------------

    @classmethod
    def init(
        cls,
        path: str | os.PathLike,
        office: str,
        *,
        bare: bool = False,
        name: str | None = None,
        office_name: str | None = None,
        user: str | None = None,
        schema_dir: Path | None = None,
        when: datetime | None = None,
    ) -> "Archive":
        """Create a new archive with the default (or given) schema and one office."""
        office = office.strip().upper()
        if not records.OFFICE_PATTERN.match(office):
            raise FieldError("office", "办事处代码", "应为 2–6 位大写字母或数字, 以字母开头, 如 BJ、SH、GZ01")
        target = Path(path)
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise CusttuiError(f"{target} 已存在且不是空目录, 不能在此创建档案")
        user = resolve_user(user, None)
        if not user:
            raise CusttuiError("请用 --user 或环境变量 CUSTTUI_USER 指明你的姓名 (提交作者)")
        schema_dir = Path(schema_dir or default_schema_dir())
        Schema.load_dir(schema_dir)  # refuse a broken schema before creating anything
        args = ["git", "init", "-q", "-b", "main"] + (["--bare"] if bare else []) + [str(target)]
        result = subprocess.run(args, capture_output=True)
        if result.returncode != 0:
            raise CusttuiError(f"git init 失败: {result.stderr.decode(errors='replace').strip()}")
        try:
            archive = cls(target, user=user)
            archive.configure(office)
            files: Changes = {
                schema_file(n): (schema_dir / n).read_bytes() for n in SCHEMA_NAMES if (schema_dir / n).exists()
            }
            files[ARCHIVE_FILE] = dumps(
                {"name": name or f"{office} 客户档案", "format": FORMAT_VERSION}, ("name", "format")
            )
            files[office_file(office)] = dumps(
                {"code": office, "name": office_name or office, "next": 1}, ("code", "name", "next")
            )
            message = archive.commit_message("创建档案", None, None, office_name or office, "init", [])
            archive.store.transact(lambda head: (files, message), archive.identity(when))
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
        return archive

    def configure(self, office: str) -> None:
        """Per-copy settings: this copy's office code, no automatic gc (the app packs), a split
        index so keeping a 100k-customer working tree in step rewrites a small file, the merge
        driver so a plain ``git pull`` merges records the way ``custtui sync`` does, and the
        incoming gate's checks and hooks (``custtui.core.store.hooks``)."""
        settings = [("custtui.office", office), ("gc.auto", "0"), ("core.quotepath", "false")]
        if self.store.work_tree is not None:
            settings += [("core.splitIndex", "true"), ("receive.denyCurrentBranch", "updateInstead")]
        for key, value in settings:
            self.store.git("config", key, value)
        hooks.install_driver(self.store)
        hooks.install(self.store)

    @property
    def office(self) -> str:
        found = self.store.config("custtui", "office")
        if not found:
            raise CusttuiError("本档案副本没有设置办事处代码 (git config custtui.office)")
        return found

    def identity(self, when: datetime | None = None) -> Identity:
        """The commit author: the person's name and ``id@office`` (their own address, never the
        machine's git e-mail); without a staff registry, the name given."""
        if not self.user:
            raise CusttuiError("请用 --user 或环境变量 CUSTTUI_USER 指明你的员工账号或姓名 (提交作者)")
        person = self.person()
        name, account = (person.name, person.id) if person else (self.user, self.user)
        return Identity(name, f"{account}@{self.office}", when)

    def person(self, commit: str | None = None) -> Person | None:
        """The registered person ``--user`` names (by ID, or by their unique name), or None."""
        return lookup(self.registry(commit), self.user)

    def registry(self, commit: str | None = None) -> dict[str, Person]:
        """Every registered person by ID at ``commit`` (head by default); empty without a registry."""
        return staff_registry.registry(self.store, commit or self.head())

    def policy(self, commit: str | None = None) -> Policy:
        """The access policy in force at ``commit`` (head by default)."""
        return staff_registry.policy_of(self.store, commit or self.head())

    def access_for(self, who: str | None, commit: str | None = None) -> Access:
        """What ``who`` (an ID, or a unique name) may do at ``commit``: everything without a
        registry, nothing for an unknown or disabled person."""
        return staff_registry.access_for(self.store, who, commit or self.head())

    @property
    def display_name(self) -> str:
        """How records (``by``, ``added_by``) name the user: the registered name, or as given."""
        person = self.person()
        return person.name if person else (self.user or "")

    @property
    def actor(self) -> Person | str | None:
        """Who the access log names: the registered person (name and ID), or the name given."""
        return self.person() or self.user

    @property
    def access(self) -> Access:
        """What this archive's user may do under the archive's policy (custtui.core.access.registry)."""
        head = self.head()
        if self._access is None or self._access[0] != (head, self.user):
            self._access = ((head, self.user), self.access_for(self.user, head))
        return self._access[1]

    def _require_edit(self, record: tuple[str, str], what: str) -> None:
        self.access.require_edit(*record, what)

    # --- reading -------------------------------------------------------------------------

    def head(self) -> str | None:
        return self.store.head()

    def schema(self, commit: str | None = None) -> Schema:
        """The archive's own classification standard at ``commit`` (head by default)."""
        return schema_at(self.store, commit or self.head())

    def validator(self, commit: str | None = None) -> Validator:
        return Validator(self.schema(commit))

    def archive_name(self) -> str:
        return loads(self.store.read(self.head(), ARCHIVE_FILE) or b"", ARCHIVE_FILE).get("name", "")

    def customer(self, customer_id: str, at: str | None = None) -> dict:
        """A customer's record; NotFound when there is none."""
        path = f"{customer_dir(customer_id)}/{CUSTOMER_FILE}"
        raw = self.store.read(at or self.head(), path)
        if raw is None:
            raise NotFound(self._missing(customer_id, at))
        return self.opened(loads(raw, path), path)

    def _missing(self, customer_id: str, at: str | None) -> str:
        """Why there is no such customer: never was, or erased (its tombstone says when and why)."""
        raw = self.store.read(at or self.head(), erasure_file(customer_id))
        if raw is None:
            return f"没有编号为 {customer_id} 的客户"
        from ..privacy.erase import Erasure

        return Erasure.parse(raw, erasure_file(customer_id)).sentence()

    def customers(self, at: str | None = None) -> dict[str, Summary]:
        return self.listing.customers(at or self.head())

    def find(self, where: dict[str, Any], at: str | None = None) -> list[Summary]:
        """Customers whose fields match every ``key=value`` (codes, labels or fragments), as
        stored; ``view.find`` is the same as one person may search."""
        schema = self.schema(at)
        tests = [self._matcher(schema, key, value) for key, value in where.items()]
        found = [c for c in self.customers(at).values() if all(test(c) for test in tests)]
        return sorted(found, key=lambda c: c["id"])

    def _matcher(self, schema: Schema, key: str, value: Any) -> Callable[[Summary], bool]:
        definition = schema.field(key)
        if key in ("type", "客户类型"):
            code = Validator(schema).customer_type(value)
            return lambda c: c.get("type") == code
        if key == "id":
            return lambda c: c["id"] == value
        if definition is None:
            raise FieldError(key, key, "未知字段, 无法筛选")
        if definition.kind in ("enum", "enum_list"):
            code = Validator(schema).enum(definition, value)
            if definition.kind == "enum":
                return lambda c: c.get(definition.code) == code
            return lambda c: code in c.get(definition.code, [])
        if definition.kind == "region":
            region = Validator(schema).field(definition, value)
            prefix = region[:2] if region.endswith("0000") else region
            return lambda c: str(c.get("region", "")).startswith(prefix)
        text = str(value).casefold()
        return lambda c: text in str(c.get(definition.code, "")).casefold()

    def _entries(self, customer_id: str, folder: str, at: str | None) -> list[tuple[str, str]]:
        listed = self.store.listdir(at or self.head(), f"{customer_dir(customer_id)}/{folder}")
        return sorted((name, sha) for name, (mode, sha) in listed.items() if mode != TREE_MODE)

    def folder(self, customer_id: str, at: str | None = None) -> Folder:
        """Everything stored about one customer, read at one commit (one walk of its folder)."""
        commit = at or self.head()
        found = self.store.entry(commit, customer_dir(customer_id))
        entries = self.store.tree(found[1]) if found and found[0] == TREE_MODE else {}
        if commit is None or CUSTOMER_FILE not in entries:
            raise NotFound(self._missing(customer_id, commit))
        path = f"{customer_dir(customer_id)}/{CUSTOMER_FILE}"
        record = self.opened(loads(self.store.read_blob(entries[CUSTOMER_FILE][1]), path), path)

        def files(folder: str) -> list[tuple[str, str]]:
            mode, sha = entries.get(folder, (0, ""))
            listed = self.store.tree(sha) if mode == TREE_MODE else {}
            return sorted((name, blob) for name, (kind, blob) in listed.items() if kind != TREE_MODE)

        return Folder(
            commit,
            record,
            self._facts(files(NOTES_DIR)),
            self._facts(files(DEALS_DIR)),
            self._documents(files(DOCS_DIR)),
        )

    def notes(self, customer_id: str, at: str | None = None) -> list[dict]:
        self._require_customer(customer_id, at)
        return self._facts(self._entries(customer_id, NOTES_DIR, at))

    def deals(self, customer_id: str, at: str | None = None) -> list[dict]:
        self._require_customer(customer_id, at)
        return self._facts(self._entries(customer_id, DEALS_DIR, at))

    def documents(self, customer_id: str, at: str | None = None) -> list[Document]:
        self._require_customer(customer_id, at)
        return self._documents(self._entries(customer_id, DOCS_DIR, at))

    def _facts(self, files: list[tuple[str, str]]) -> list[dict]:
        return [dict(self.opened(loads(self.store.read_blob(sha), name), name), file=name) for name, sha in files]

    def _documents(self, files: list[tuple[str, str]]) -> list[Document]:
        entries = dict(files)
        docs = []
        for name, sha in sorted(entries.items()):
            if name.endswith(META_SUFFIX) or name + META_SUFFIX not in entries:
                continue
            docs.append(
                Document(name, loads(self.store.read_blob(entries[name + META_SUFFIX]), name + META_SUFFIX), sha)
            )
        return docs

    def document_bytes(self, customer_id: str, name: str, at: str | None = None) -> bytes:
        return self.document_content(customer_id, name, at)[0]

    def document_content(self, customer_id: str, name: str, at: str | None = None) -> tuple[bytes, bool]:
        """A document's bytes (opened when stored sealed; crypto.Locked when this copy cannot), and
        whether it was sealed."""
        raw = self.store.read(at or self.head(), f"{customer_dir(customer_id)}/{document_file(name)}")
        if raw is None:
            raise NotFound(f"{customer_id} 没有名为 {name} 的资料")
        return self.plain_document(raw), raw.startswith(SEALED_MAGIC)

    def plain_document(self, raw: bytes) -> bytes:
        """A document's stored bytes, opened when sealed (crypto.Locked when this copy cannot)."""
        if not raw.startswith(SEALED_MAGIC):
            return raw
        from ..vault.keyring import open_document

        return open_document(raw, self.keyring)

    def _require_customer(self, customer_id: str, at: str | None) -> None:
        if self.store.entry(at or self.head(), f"{customer_dir(customer_id)}/{CUSTOMER_FILE}") is None:
            raise NotFound(f"没有编号为 {customer_id} 的客户")

    # --- writing -------------------------------------------------------------------------

    def commit_message(
        self,
        verb: str,
        customer_id: str | None,
        name: str | None,
        detail: str,
        action: str,
        fields: list[str],
        extra: tuple[str, ...] = (),
    ) -> str:
        subject = " ".join(p for p in (verb, customer_id, name) if p)
        if detail:
            subject += f": {detail}"
        trailers = [f"Custtui-Action: {action}"]
        if customer_id:
            trailers.insert(0, f"Custtui-Customer: {customer_id}")
        if fields:
            trailers.append(f"Custtui-Fields: {', '.join(fields)}")
        trailers += extra
        return f"{subject}\n\n" + "\n".join(trailers) + "\n"

    def commit_change(
        self, build: Callable[[str | None], tuple[dict, str] | None], when: datetime | None = None
    ) -> str | None:
        """Publish one change as one commit, then let the search index catch up with it. The
        change must be one the user may make by the rules every other copy applies to it
        (``custtui.core.access.rights``), so no copy refuses what this one wrote."""

        def checked(head: str | None) -> tuple[dict, str] | None:
            built = build(head)
            if built is not None:
                if self.policy(head).privacy.enabled:
                    self._seal(head, built[0])
                self._require_rights(head, built[0])
            return built

        commit = self.store.transact(checked, self.identity(when))
        self.maybe_pack()
        if commit and self.search_built():
            self.search_index().catch_up(commit)
        return commit

    def _seal(self, head: str | None, changes: Changes) -> None:
        """Seal what the policy says is personal in ``changes`` (in place), first bringing the
        audiences' keys in line with who may read them now; the key store is written before the
        commit that needs it is published."""
        from ..privacy.seal import seal_changes

        keyring = self.keyring
        keyring.reload()
        said = seal_changes(self.store, head, changes, keyring, self.policy(head), self.registry(head), self.user or "")
        if keyring.keystore.pending:
            keyring.save(self.identity(), "密钥库更新" + (": " + "; ".join(said) if said else ""))

    def commit_required(self, build: Callable[[str | None], tuple[Changes, str]], when: datetime | None = None) -> str:
        """``commit_change`` for a change whose ``build`` always has something to write."""
        commit = self.commit_change(build, when)
        if commit is None:  # never: commit_change gives None only when ``build`` returns None
            raise CusttuiError("修改未写入")
        return commit

    def _require_rights(self, head: str | None, changes: Changes) -> None:
        access = self.access_for(self.user, head)
        if access.unrestricted:
            return
        written = {path: change for path, change in changes.items() if isinstance(change, bytes)}
        blobs = {blob_sha(data): data for data in written.values()}

        def new_blob(path: str) -> str | None:
            change = changes[path]
            return change.sha if isinstance(change, BlobRef) else blob_sha(change) if change is not None else None

        def new_entry(path: str) -> str | None:
            if path in changes:
                return new_blob(path)
            found = self.store.entry(head, path)
            return found[1] if found else None

        def old_blob(path: str) -> str | None:
            found = self.store.entry(head, path)
            return found[1] if found and found[0] != TREE_MODE else None

        required = rights.needs(
            [rights.Change(p, old_blob(p), new_blob(p)) for p in changes],
            new_entry,
            lambda sha: blobs[sha] if sha in blobs else self.store.read_blob(sha),
        )
        refusals = rights.unmet(access, required)
        if refusals:  # a batch of thousands is refused in a sentence, not one per customer
            more = f"; 另有 {len(refusals) - SHOWN_REFUSALS} 项同样缺少权限" if len(refusals) > SHOWN_REFUSALS else ""
            raise PermissionDenied("; ".join(refusals[:SHOWN_REFUSALS]) + more + "; 修改未写入")

    def search_built(self) -> bool:
        """Whether this copy has a search index to keep in step (checked without loading Whoosh)."""
        return (self.store.git_dir / "custtui" / "search" / "state.json").exists()

    def search_index(self, on_message: Callable[[str], None] | None = None):
        """The search index of this copy (``custtui.core.index.search.SearchIndex``), opened lazily."""
        if self._search is None:
            from ..index.search import SearchIndex

            self._search = SearchIndex(self)
        if on_message is not None:
            self._search.on_message = on_message
        return self._search

    def add_customer(
        self, customer_type: str, name: str, fields: dict[str, Any] | None = None, when: datetime | None = None
    ) -> tuple[str, str]:
        """Register a new customer; returns (ID, commit). The ID is allocated inside the commit.
        负责人 (``owner``) is the person entering it unless ``fields`` name one."""
        ids, commit = self.add_customers([{"type": customer_type, "name": name, **(fields or {})}], when)
        return ids[0], commit

    def add_customers(
        self, drafts: list[dict[str, Any]], when: datetime | None = None, *, source: str | None = None
    ) -> tuple[list[str], str]:
        """Register new customers in one commit (an import's batch names its ``source``); returns
        their IDs in the drafts' order and the commit. No two may share a USCC or ID number."""
        self._require_edit(CUSTOMER_RECORD, "客户档案")
        office = self.office
        for draft in drafts:
            for forbidden in records.SYSTEM_KEYS:
                if forbidden in draft:
                    raise FieldError(forbidden, forbidden, "由系统维护, 不能手工填写")
        created: list[str] = []

        def build(head: str | None) -> tuple[Changes, str]:
            validator = self.validator(head)
            counter_path = office_file(office)
            raw = self.store.read(head, counter_path)
            if raw is None:
                raise CusttuiError(f"档案中没有办事处 {office} ({counter_path})")
            counter = loads(raw, counter_path)
            seq = int(counter.get("next", 1))
            order = validator.field_order()
            changes: Changes = {}
            made: list[dict] = []
            taken: dict[tuple[str, str], str] = {}  # (USCC or ID field, value) → the draft's name, within this commit
            for draft in drafts:
                ctype = validator.customer_type(draft.get("type"))
                defaults = validator.defaults(ctype)
                if self.user and any(f.code == "owner" for f in validator.schema.fields_for(ctype)):
                    defaults.setdefault("owner", self.display_name)
                record = validator.customer({**defaults, **draft, "type": ctype})
                self._refuse_duplicate(record, head)
                for key in LOOKUP_FIELDS:
                    if record.get(key) and (key, record[key]) in taken:
                        label = validator.schema.fields[key].label
                        raise FieldError(key, label, f"{record[key]} 与同批的「{taken[key, record[key]]}」重复")
                    if record.get(key):
                        taken[key, record[key]] = record["name"]
                while self.store.entry(head, customer_dir(format_id(office, seq))) is not None:
                    seq += 1
                record["id"] = format_id(office, seq)
                seq += 1
                changes[f"{customer_dir(record['id'])}/{CUSTOMER_FILE}"] = dumps(record, order)
                made.append(record)
            counter["next"] = seq
            changes[counter_path] = dumps(counter, ("code", "name", "next"))
            created[:] = [record["id"] for record in made]
            fields_set = list(dict.fromkeys(k for record in made for k in record if k != "id"))
            if len(made) == 1 and source is None:
                record = made[0]
                label = validator.schema.label("customer_type", record["type"])
                return changes, self.commit_message("新建", record["id"], record["name"], label, "create", fields_set)
            span = made[0]["id"] if len(made) == 1 else f"{made[0]['id']} 至 {made[-1]['id']}"
            detail = f"{len(made)} 位客户 ({span})"
            extra = (f"Custtui-Source: {source}",) if source else ()
            return changes, self.commit_message("导入", None, None, detail, "create", fields_set, extra)

        commit = self.commit_required(build, when)  # allocates the IDs
        return list(created), commit

    def registered_with(
        self, key: str, value: str, head: str | None, other_than: str | None = None
    ) -> list[tuple[str, str]]:
        """(ID, name) of the customers but ``other_than`` registered with ``value`` in ``key``
        (a USCC or ID number, normalised)."""
        return [
            (cid, self.customer(cid, head).get("name", ""))
            for cid in sorted(self.listing.lookup(key, value, head) - {other_than})
        ]

    def _refuse_duplicate(self, record: dict, head: str | None, before: dict | None = None) -> None:
        """A USCC or ID number may belong to one customer only."""
        for key in LOOKUP_FIELDS:
            value = record.get(key)
            if not value or (before and before.get(key) == value):
                continue
            if found := self.registered_with(key, value, head, record.get("id")):
                raise FieldError(key, self.schema(head).fields[key].label, f"{value} {duplicate_rule(found)}")

    def update_customer(
        self,
        customer_id: str,
        changes: dict[str, Any],
        *,
        reason: str | None = None,
        base: str | None = None,
        when: datetime | None = None,
    ) -> str | None:
        """Change fields of a customer. ``base`` is the commit the user's edit started from:
        a field someone else changed since then to another value is a ConflictError.
        Returns the commit, or None when nothing changed."""
        for forbidden in records.SYSTEM_KEYS:
            if forbidden in changes:
                raise FieldError(forbidden, forbidden, "由系统维护, 不能手工修改")
        self._require_edit(CUSTOMER_RECORD, "客户档案")
        base = base or self.head()
        original = self.customer(customer_id, base)

        def build(head):
            validator = self.validator(head)
            current = self.customer(customer_id, head)
            draft = dict(current)
            for key, value in changes.items():
                if value in EMPTY:
                    draft.pop(key, None)
                else:
                    draft[key] = value
            record = validator.customer(draft)
            reassigned = current.get("owner") != record.get("owner")
            step = record.get("follow_up")
            if reassigned and step and step.get("owner") == current.get("owner"):  # the next step moves too
                record["follow_up"] = {k: x for k, x in {**step, "owner": record.get("owner")}.items() if x}
            self._refuse_duplicate(record, head, before=current)
            diffs = field_changes(current, record)
            if not diffs:
                return None
            if head != base:
                mine = {k for k, _, _ in field_changes(original, record)}
                conflicts = [
                    (k, current.get(k), record.get(k))
                    for k, _, _ in field_changes(original, current)
                    if k in mine and k in changes and field_changes({k: current.get(k)}, {k: record.get(k)})
                ]
                if conflicts:
                    raise ConflictError(customer_id, conflicts)
            if current.get("stage") != record.get("stage"):
                self.add_stage_step(current, record, reason, when)
            elif reason and not reassigned:
                raise FieldError("reason", "变更原因", "只有修改合作阶段或负责人时才需要填写原因")
            schema = validator.schema
            privacy = self.policy(head).privacy
            sealed = privacy.fields if privacy.enabled else {}  # their values never enter the history in plaintext
            detail = "; ".join(
                change_text(schema, k, old, new, sealed=k in sealed) for k, old, new in diffs if k != "stage_history"
            )
            if reason and reassigned:  # a reassignment's reason is read in the audit trail
                detail += f"; 原因: {reason}"
            path = f"{customer_dir(customer_id)}/{CUSTOMER_FILE}"
            return (
                {path: dumps(record, validator.field_order())},
                self.commit_message(
                    "修改",
                    customer_id,
                    record["name"],
                    detail,
                    "update",
                    [k for k, _, _ in diffs if k != "stage_history"],
                ),
            )

        return self.commit_change(build, when)

    def add_stage_step(self, current: dict, record: dict, reason: str | None, when: datetime | None) -> None:
        """Append to ``record``'s stage history its move from ``current``'s stage: when, why, by whom."""
        step = {
            "date": (when or datetime.now()).date(),
            "from": current.get("stage", ""),
            "to": record.get("stage", ""),
            "reason": reason or "",
            "by": self.display_name,
        }
        record["stage_history"] = [*current.get("stage_history", []), {k: v for k, v in step.items() if v}]

    def _append_fact(
        self,
        customer_id: str,
        folder: str,
        stamp: str,
        record: dict,
        order: tuple,
        verb: str,
        detail: str,
        action: str,
        when: datetime | None,
    ) -> tuple[str, str]:
        file = f"{stamp}-{os.urandom(3).hex()}{TOML_SUFFIX}"  # secrets.token_hex, without loading OpenSSL
        record = {**record, "by": self.display_name}

        def build(head):
            customer = self.customer(customer_id, head)
            path = f"{customer_dir(customer_id)}/{folder}/{file}"
            return {path: dumps(record, order)}, self.commit_message(
                verb, customer_id, customer["name"], detail, action, []
            )

        return file, self.commit_required(build, when)

    def add_note(
        self,
        customer_id: str,
        data: dict[str, Any],
        when: datetime | None = None,
        follow_up: dict[str, Any] | None = None,
    ) -> tuple[str, str]:
        """Add a communication record (沟通记录); with ``follow_up`` (date, action, optionally
        owner) the customer's next step is set in the same commit. Returns (file name, commit)."""
        if follow_up is not None:
            file, commit = self._follow_up_commit(customer_id, lambda _: follow_up, "沟通记录", "note", data, when)
            assert file is not None  # a note was given
            return file, commit
        self._require_edit(NOTE_RECORD, "沟通记录")
        self._require_customer(customer_id, None)
        record = self.validator().note(data)
        return self._append_fact(
            customer_id,
            NOTES_DIR,
            f"{record['time']:%Y%m%dT%H%M}",
            record,
            NOTE_ORDER,
            "沟通记录",
            self._note_detail(record),
            "note",
            when,
        )

    def _note_detail(self, note: dict) -> str:
        return f"{self.schema().label('channel', note['channel'])} {note['time']:%Y-%m-%d %H:%M}"

    # --- follow-ups (下次跟进) --------------------------------------------------------------

    def set_follow_up(self, customer_id: str, step: dict[str, Any], *, when: datetime | None = None) -> str:
        """Set a customer's next step (date, action, optionally owner: by default the customer's
        负责人), replacing any; one commit."""
        return self._follow_up_commit(customer_id, lambda _: step, "跟进", "follow_up", None, when)[1]

    def finish_follow_up(
        self, customer_id: str, note: dict[str, Any] | None = None, *, when: datetime | None = None
    ) -> tuple[str | None, str]:
        """Mark a customer's next step done (it is cleared), with a communication record in the
        same commit when ``note`` is given; returns (the note's file name or None, commit)."""
        return self._follow_up_commit(customer_id, lambda _: None, "完成跟进", "follow_up_done", note, when)

    def postpone_follow_up(self, customer_id: str, to: date, *, when: datetime | None = None) -> str:
        """Move a customer's next step to the day ``to``; one commit."""
        return self._follow_up_commit(
            customer_id, lambda step: {**step, "date": to}, "推迟跟进", "follow_up", None, when
        )[1]

    def _follow_up_commit(
        self,
        customer_id: str,
        change: Callable[[dict], dict | None],
        verb: str,
        action: str,
        note: dict[str, Any] | None,
        when: datetime | None,
    ) -> tuple[str | None, str]:
        """One commit changing a customer's follow-up to ``change(current step)`` (None clears
        it), and adding the communication record ``note`` when given."""
        self._require_edit(CUSTOMER_RECORD, "客户档案")
        if note is not None:
            self._require_edit(NOTE_RECORD, "沟通记录")
        self._require_customer(customer_id, None)
        fact = None
        if note is not None:
            fact = {**self.validator().note(note), "by": self.display_name}
        file = f"{fact['time']:%Y%m%dT%H%M}-{os.urandom(3).hex()}{TOML_SUFFIX}" if fact else None
        done = verb == "完成跟进"

        def build(head: str | None) -> tuple[Changes, str]:
            validator = self.validator(head)
            current = self.customer(customer_id, head)
            was = current.get("follow_up")
            if was is None and (done or verb == "推迟跟进"):
                raise CusttuiError(f"{customer_id} 没有待办的跟进")
            given = change(dict(was or {}))
            record = dict(current)
            if given is None:
                record.pop("follow_up", None)
            else:
                owner = given.get("owner") or current.get("owner") or self.display_name
                record["follow_up"] = {**given, "owner": owner, "set_by": self.display_name}
            record = validator.customer(record)
            folder = customer_dir(customer_id)
            changes: Changes = {f"{folder}/{CUSTOMER_FILE}": dumps(record, validator.field_order())}
            if done and was is not None:
                parts = [f"{was['action']} (原定 {was['date']})"]
            elif verb == "推迟跟进" and was is not None:
                parts = [f"{was['action']} {was['date']}→{record['follow_up']['date']}"]
            else:
                parts = [change_text(validator.schema, "follow_up", was, record["follow_up"])]
            if fact is not None and file is not None:
                changes[f"{folder}/{NOTES_DIR}/{file}"] = dumps(fact, NOTE_ORDER)
                parts.insert(0 if verb == "沟通记录" else 1, self._note_detail(fact))
            detail = "; ".join(parts)
            return changes, self.commit_message(verb, customer_id, record["name"], detail, action, ["follow_up"])

        return file, self.commit_required(build, when)

    def add_deal(self, customer_id: str, data: dict[str, Any], when: datetime | None = None) -> tuple[str, str]:
        """Add a transaction (交易记录); returns (file name, commit)."""
        self._require_edit(DEAL_RECORD, "交易记录")
        self._require_customer(customer_id, None)
        record = self.validator().deal(data)
        detail = f"{record['amount']:,.2f} 元 {record['product']}"
        return self._append_fact(
            customer_id,
            DEALS_DIR,
            f"{record['date']:%Y%m%d}",
            record,
            ("date", "amount", "product", "contract", "by"),
            "交易",
            detail,
            "deal",
            when,
        )

    def attach(
        self,
        customer_id: str,
        source: str | os.PathLike,
        meta: dict[str, Any],
        *,
        name: str | None = None,
        allow_duplicate: bool = False,
        when: datetime | None = None,
    ) -> tuple[str, str]:
        """File a document under a customer; returns (stored file name, commit)."""
        names, commit = self.attach_many([Attachment(customer_id, Path(source), meta, name)], allow_duplicate, when)
        return names[0], commit

    def attach_many(
        self,
        items: list[Attachment],
        allow_duplicate: bool = False,
        when: datetime | None = None,
        *,
        source: str | None = None,
    ) -> tuple[list[str], str]:
        """File documents, each under its customer, in one commit (an inventory's batch names its
        ``source``); returns the stored names in the items' order and the commit."""
        rules = self.schema().rules["documents"]
        prepared = []
        for item in items:
            name = check_given_name(item.name, min(rules["max_name_length"], 255)) if item.name is not None else None
            data = read_document_file(item.path, rules["max_file_bytes"])
            import hashlib  # see store.repo.blob_sha

            digest = hashlib.sha256(data).hexdigest()
            customer = self.customer(item.customer_id)
            record = self.validator().document(item.meta, customer["type"])
            self._require_edit((record["info_type"], record["sensitivity"]), "此类资料")
            if not allow_duplicate:
                for doc in self.documents(item.customer_id):
                    if doc.meta.get("sha256") == digest:
                        raise FieldError(
                            "file", "资料文件", f"与已归档的「{doc.name}」内容完全相同 (校验和一致), 未重复归档"
                        )
            if name is None:
                name = self._rule_name(customer, record, item.path.suffix.lstrip("."), rules)
            record.update(
                sha256=digest,
                size=len(data),
                original_name=_printable(item.path.name),
                **({"original_path": _printable(item.original_path)} if item.original_path else {}),
                added_by=self.display_name,
                added_at=(when or datetime.now()).replace(microsecond=0, tzinfo=None),
            )
            prepared.append((item.customer_id, name, data, record))
        stored: list[str] = []

        def build(head: str | None) -> tuple[Changes, str]:
            schema = self.schema(head)
            changes: Changes = {}
            taken: dict[str, set[str]] = {}
            stored.clear()
            for customer_id, name, data, record in prepared:
                self.customer(customer_id, head)  # still there
                if record.get("paper_box"):  # a paper original goes in a registered box, once there is a register
                    paper_boxes.registered(self.store, head, paper_boxes.folded_number(record["paper_box"]))
                if customer_id not in taken:
                    taken[customer_id] = self._taken_names(head, customer_id)
                if record.get("main") and record["main"] not in taken[customer_id]:
                    raise FieldError("main", "主文件", f"{customer_id} 没有名为 {record['main']} 的资料")
                final = unique_name(name, taken[customer_id])
                taken[customer_id].add(final)
                stored.append(final)
                folder = customer_dir(customer_id)
                changes[f"{folder}/{document_file(final)}"] = data
                changes[f"{folder}/{meta_file(final)}"] = dumps(record, DOCUMENT_ORDER)
            if len(prepared) == 1 and source is None:
                customer_id, _, _, record = prepared[0]
                kind = (
                    schema.doc_types[record["doc_type"]].label
                    if record.get("doc_type")
                    else schema.info_types[record["info_type"]].label
                )
                name = self.customer(customer_id, head)["name"]
                return changes, self.commit_message("归档", customer_id, name, f"{kind} {stored[0]}", "attach", [])
            customers = len({customer_id for customer_id, *_ in prepared})
            extra = (f"Custtui-Source: {source}",) if source else ()
            detail = f"{len(prepared)} 份资料, {customers} 位客户"
            return changes, self.commit_message("归档", None, None, detail, "attach", [], extra)

        commit = self.commit_required(build, when)  # settles the stored names
        return list(stored), commit

    def _taken_names(self, head: str | None, customer_id: str) -> set[str]:
        """Every name in a customer's docs folder, and the document name of each metadata file."""
        listed = set(self.store.listdir(head, f"{customer_dir(customer_id)}/{DOCS_DIR}"))
        return listed | {n[: -len(META_SUFFIX)] for n in listed if n.endswith(META_SUFFIX)}

    def planned_name(self, customer_id: str, meta: dict[str, Any], file_name: str) -> str:
        """The name ``attach`` would store ``file_name`` under now (the naming rule, then -2, -3 …
        on a clash); validates ``meta`` first, so a broken field raises its FieldError."""
        customer = self.customer(customer_id)
        record = self.validator().document(meta, customer["type"])
        self._require_edit((record["info_type"], record["sensitivity"]), "此类资料")
        name = self._rule_name(customer, record, Path(file_name).suffix.lstrip("."), self.schema().rules["documents"])
        return unique_name(name, self._taken_names(self.head(), customer_id))

    def update_document(
        self,
        customer_id: str,
        name: str,
        changes: dict[str, Any],
        *,
        base: str | None = None,
        when: datetime | None = None,
    ) -> str | None:
        """Change where a document is filed: ``also_in``, ``paper_box``, ``paper_shelf``, ``main``.

        One commit; None when nothing changed. ConflictError when someone changed one of these
        fields to something else since ``base`` (the commit the caller read)."""
        editable = {"also_in", "paper_box", "paper_shelf", "main"}
        for key in changes:
            if key not in editable:
                raise FieldError(key, key, f"资料归档后不能修改此项, 可修改: {', '.join(sorted(editable))}")
        if changes.get("main") == name:
            raise FieldError("main", "主文件", "资料不能作为自己的附件")
        meta_path = f"{customer_dir(customer_id)}/{meta_file(name)}"
        base = base or self.head()

        def read_meta(commit: str | None) -> dict:
            raw = self.store.read(commit, meta_path)
            if raw is None:
                raise NotFound(f"{customer_id} 没有名为 {name} 的资料")
            return loads(raw, meta_path)

        original = read_meta(base)
        self._require_edit((original.get("info_type", "other"), original.get("sensitivity", "internal")), "此类资料")

        def build(head):
            current = read_meta(head)
            customer = self.customer(customer_id, head)
            if changes.get("main") and changes["main"] not in self._taken_names(head, customer_id):
                raise FieldError("main", "主文件", f"{customer_id} 没有名为 {changes['main']} 的资料")
            editable_now = {k: v for k, v in current.items() if k not in DOCUMENT_SYSTEM_FIELDS}
            checked = self.validator(head).document({**editable_now, **changes}, customer["type"])
            record = dict(current)
            for key in changes:
                if key in checked:
                    record[key] = checked[key]
                else:
                    record.pop(key, None)
            diffs = field_changes(current, record)
            if not diffs:
                return None
            if record.get("paper_box") and record.get("paper_box") != current.get("paper_box"):
                paper_boxes.registered(self.store, head, paper_boxes.folded_number(record["paper_box"]))
            if head != base:
                conflicts = [
                    (k, current.get(k), record.get(k))
                    for k, _, _ in field_changes(original, current)
                    if k in changes and records._norm(current.get(k)) != records._norm(record.get(k))
                ]
                if conflicts:
                    raise ConflictError(customer_id, conflicts)
            schema = self.schema(head)
            detail = f"{name} " + "; ".join(change_text(schema, k, old, new, document=True) for k, old, new in diffs)
            return (
                {meta_path: dumps(record, DOCUMENT_ORDER)},
                self.commit_message("修改资料", customer_id, customer["name"], detail, "update", []),
            )

        return self.commit_change(build, when)

    def documents_with_checksum(self, digest: str, at: str | None = None) -> list[tuple[str, str]]:
        """(customer ID, document name) of every document in the archive whose sha256 is ``digest``."""
        found = []
        for path in self.grep(digest, f"{CUSTOMERS_DIR}/*/{DOCS_DIR}/*{META_SUFFIX}", at=at):
            if loads(self.store.read(at or self.head(), path) or b"", path).get("sha256") == digest:
                folder, _, meta_name = path.rpartition(f"/{DOCS_DIR}/")
                found.append((folder.rsplit("/", 1)[-1], meta_name[: -len(META_SUFFIX)]))
        return found

    def document_checksums(self, at: str | None = None) -> dict[str, list[tuple[str, str]]]:
        """sha256 → (customer ID, document name) of every document, from one ``git grep`` (an
        inventory checks thousands of files; ``documents_with_checksum`` costs a grep each)."""
        commit = at or self.head()
        if commit is None:
            return {}
        pattern = f"{CUSTOMERS_DIR}/*/{DOCS_DIR}/*{META_SUFFIX}"
        result = self.store.git("grep", "-z", "-I", "-E", "-e", "^sha256 = ", commit, "--", pattern, check=False)
        if result.returncode not in (0, 1):
            raise CusttuiError(f"git grep 失败: {result.stderr.decode(errors='replace').strip()}")
        found: dict[str, list[tuple[str, str]]] = {}
        # each hit is "commit:path\0line\0line-number-less text": path, then the matching line
        parts = result.stdout.split(b"\n")
        for hit in parts:
            path, _, line = hit.partition(b"\0")
            digest = re.search(rb'^sha256 = "([0-9a-f]{64})"', line.split(b"\0")[-1])
            if digest is None:
                continue
            folder, _, meta_name = (
                path.decode("utf-8", "surrogateescape").removeprefix(f"{commit}:").rpartition(f"/{DOCS_DIR}/")
            )
            found.setdefault(digest[1].decode(), []).append((folder.rsplit("/", 1)[-1], meta_name[: -len(META_SUFFIX)]))
        return found

    def grep(self, text: str, *patterns: str, at: str | None = None) -> list[str]:
        """Paths of the text files matching the glob ``patterns`` that contain ``text`` (one git grep)."""
        commit = at or self.head()
        if commit is None:
            return []
        result = self.store.git("grep", "-l", "-z", "-I", "-F", "-e", text, commit, "--", *patterns, check=False)
        if result.returncode not in (0, 1):
            raise CusttuiError(f"git grep 失败: {result.stderr.decode(errors='replace').strip()}")
        prefix = f"{commit}:"
        return [
            p.decode("utf-8", errors="surrogateescape").removeprefix(prefix) for p in result.stdout.split(b"\0") if p
        ]

    def _rule_name(self, customer: dict, record: dict, ext: str, rules: dict) -> str:
        schema = self.schema()
        doc_type = schema.doc_types.get(record.get("doc_type", ""))
        day = record["date"].strftime("%Y%m%d")
        if doc_type is not None and doc_type.code == "contract" and record.get("number"):
            stem = rule_stem(
                rules["contract_name_pattern"], number=record["number"], project=record.get("project", ""), date=day
            )
        else:
            label = doc_type.label if doc_type else schema.info_types[record["info_type"]].label
            stem = rule_stem(rules["name_pattern"], customer=customer["name"], doc_type=label, date=day)
        return safe_name(stem, ext, limit=min(rules["max_name_length"], 255))

    # --- history -------------------------------------------------------------------------

    def history(
        self,
        customer_id: str | None = None,
        *,
        field: str | None = None,
        author: str | None = None,
        since: date | None = None,
        until: date | None = None,
        limit: int | None = None,
    ) -> list[HistoryEntry]:
        """The audit trail, newest first, optionally for one customer, field, author or period."""
        if self.head() is None:
            return []
        args = ["log", "--format=%H%x1f%an%x1f%ae%x1f%aI%x1f%B%x1e"]
        if author:
            args.append(f"--author={author}")
        if since:
            args.append(f"--since={since:%Y-%m-%d} 00:00")
        if until:
            args.append(f"--until={until:%Y-%m-%d} 23:59:59")
        if limit and not field:
            args.append(f"-n{limit}")
        args.append(self.store.branch_ref)
        if customer_id:
            self._require_known_id(customer_id)
            args += ["--", customer_dir(customer_id)]
        if field:
            field = self._field_code(field)
        out = self.store.git(*args).stdout.decode("utf-8", errors="replace")
        entries = []
        for chunk in filter(str.strip, out.split("\x1e")):
            sha, name, email, when, body = chunk.strip("\n").split("\x1f", 4)
            info = CommitInfo(sha, "", (), name, email, datetime.fromisoformat(when), body)
            trailers = info.trailers()
            fields = [f.strip() for f in trailers.get("Custtui-Fields", "").split(",") if f.strip()]
            if field and field not in fields:
                continue
            entries.append(
                HistoryEntry(
                    sha,
                    name,
                    email,
                    info.author_time,
                    info.summary,
                    trailers.get("Custtui-Customer"),
                    trailers.get("Custtui-Action"),
                    fields,
                )
            )
            if limit and len(entries) >= limit:
                break
        return entries

    def _require_known_id(self, customer_id: str) -> None:
        customer_dir(customer_id)
        if not self.store.log(self.store.branch_ref, "--", customer_dir(customer_id)):
            raise NotFound(f"没有编号为 {customer_id} 的客户")

    def _field_code(self, text: str) -> str:
        schema = self.schema()
        if text in schema.fields or text in ("type", "name"):
            return text
        for definition in schema.fields.values():
            if definition.label == text:
                return definition.code
        raise FieldError(text, text, "未知字段")

    def changes_in(self, commit: str) -> list[tuple[str, list[tuple[str, Any, Any]] | str]]:
        """What one commit changed: per file, the field changes of records or 新增/删除/修改."""
        info = self.commit_info(commit)
        parent = info.parents[0] if info.parents else None
        result: list[tuple[str, list[tuple[str, Any, Any]] | str]] = []
        for path, old, new in self.store.diff_commits(parent, info.sha):
            if path.endswith(TOML_SUFFIX) and not path.startswith(f"{SCHEMA_DIR}/"):
                before = self.opened(loads(self.store.read_blob(old), path), path) if old else {}
                after = self.opened(loads(self.store.read_blob(new), path), path) if new else {}
                result.append((path, field_changes(before, after)))
            else:
                result.append((path, "新增" if old is None else "删除" if new is None else "修改"))
        return result

    def commit_info(self, commit: str) -> CommitInfo:
        """A commit named any way git accepts (an abbreviated id, a branch); NotFound if none."""
        found = self.store.git("rev-parse", "--verify", "-q", f"{commit}^{{commit}}", check=False)
        if found.returncode != 0:
            raise NotFound(f"没有找到提交 {commit}")
        return self.store.commit_info(found.stdout.decode().strip())

    def revert(self, commit: str, *, reason: str | None = None, when: datetime | None = None) -> str:
        """A new commit undoing ``commit`` field by field; refuses when later edits touch the same fields.

        The stage history is never undone: moving a customer's stage back is a new step in it, from
        the stage it has now to the one it had before ``commit``, and that step needs a ``reason``.
        A routine's batch is the exception: the steps it wrote (its evidence as their reason) go
        with it, so its revert gives back the tree as it was, and this commit records who undid it."""
        return self.commit_required(self._reverting(commit, reason, when), when)

    def check_revert(self, commit: str) -> None:
        """Raise what ``revert`` would raise now (but for a missing reason), writing nothing."""
        head = self.head()
        changes, _ = self._reverting(commit, None, None, reason_needed=False)(head)
        self._require_rights(head, changes)

    def _reverting(
        self, commit: str, reason: str | None, when: datetime | None, reason_needed: bool = True
    ) -> Callable[[str | None], tuple[Changes, str]]:
        """The ``build`` of ``revert``; what it may undo is judged path by path, as every write is."""
        info = self.commit_info(commit)
        if not info.parents:
            raise CusttuiError("不能撤销创建档案的第一个提交")
        diff = [d for d in self.store.diff_commits(info.parents[0], info.sha) if not d[0].startswith(f"{OFFICES_DIR}/")]
        if not diff:
            raise CusttuiError(f"提交 {info.sha[:10]} 没有可撤销的内容")
        reason = (reason or "").strip()
        batch = ROUTINE_TRAILER in info.trailers()  # a routine's batch takes its stage steps back with it

        def build(head: str | None) -> tuple[Changes, str]:
            changes: Changes = {}
            stepped = False
            for path, old, new in diff:
                found = self.store.entry(head, path)
                current = found[1] if found else None
                if path.endswith(f"/{CUSTOMER_FILE}") and old and new and current:
                    now = loads(self.store.read_blob(current), path)
                    record = self._revert_fields(path, old, new, now, with_stage_history=batch)
                    if record.get("stage") != now.get("stage") and not batch:
                        if reason_needed and not reason:
                            raise FieldError("reason", "变更原因", REVERT_STAGE_REASON)
                        self.add_stage_step(now, record, reason, when)
                        stepped = True
                    changes[path] = dumps(record, self.validator(head).field_order())
                elif current == new:
                    changes[path] = BlobRef(old) if old else None
                elif path.endswith(TOML_SUFFIX) and old and new and current:
                    now = loads(self.store.read_blob(current), path)
                    changes[path] = dumps(self._revert_fields(path, old, new, now), DOCUMENT_ORDER)
                else:
                    raise CusttuiError(f"{path} 在该提交之后又被修改或删除, 不能自动撤销; 请手工修改")
            if reason and not stepped:
                raise FieldError("reason", "变更原因", "只有撤销合作阶段的变更时才需要填写原因")
            self._refuse_orphans(head, changes)
            fields = info.trailers().get("Custtui-Fields", "")
            return changes, self.commit_message(
                "撤销",
                info.trailers().get("Custtui-Customer"),
                None,
                info.summary,
                "revert",
                fields.replace(" ", "").split(",") if fields else [],
            )

        return build

    def _revert_fields(self, path: str, old: str, new: str, now: dict, with_stage_history: bool = False) -> dict:
        """``now`` with the fields the change from blob ``old`` to ``new`` set put back; a customer's
        stage history stays as it is (``revert`` adds the step back) unless ``with_stage_history``."""
        before, after = (loads(self.store.read_blob(s), path) for s in (old, new))
        result = dict(now)
        for key, was, became in field_changes(before, after):
            if key == "stage_history" and path.endswith(CUSTOMER_FILE) and not with_stage_history:
                continue
            if records._norm(now.get(key)) != records._norm(became):
                definition = self.schema().fields.get(key) if path.endswith(CUSTOMER_FILE) else None
                owner = path.split("/")[3] if path.startswith(f"{CUSTOMERS_DIR}/") else path
                raise CusttuiError(
                    f"{owner} 的「{definition.label if definition else key}」在该提交之后又被修改"
                    f" (现为 {display(self.schema(), key, now.get(key)) or EMPTY_TEXT}), 不能自动撤销; 请手工修改"
                )
            if was in EMPTY:
                result.pop(key, None)
            else:
                result[key] = was
        return result

    def _refuse_orphans(self, head: str | None, changes: Changes) -> None:
        for path, change in changes.items():
            if change is None and path.endswith(f"/{CUSTOMER_FILE}"):
                folder = path.rsplit("/", 1)[0]
                left = [p for p, _ in self.store.walk(head, folder) if p not in changes]
                if left:
                    raise CusttuiError(f"该客户之后又有 {len(left)} 份记录或资料, 不能撤销其建档")

    # --- upkeep --------------------------------------------------------------------------

    # --- erasure (个人信息的删除) ------------------------------------------------------------

    def erase(
        self,
        customer_ids: list[str],
        basis: str,
        *,
        whole: bool = False,
        when: datetime | None = None,
        on_progress: Callable[[str], None] = lambda step: None,
    ) -> str:
        """Erase the personal data of ``customer_ids`` (``whole``: the customers themselves) as one
        commit: their sealed fields, communication records and documents leave the tree, a
        tombstone per customer records who, when, why and which keys; then their keys leave the
        key store and ``pack`` prunes it, so what history keeps of them is ciphertext for good.
        ``on_progress`` is told each of the two steps, in Chinese (the second takes a minute at
        100k customers: bench/bench_privacy.py)."""
        from ..privacy.erase import BASIS_EXAMPLE, Erasure

        self.access.require("erase")
        basis = validate_text(basis, "basis", "删除依据", max_length=500)
        if not basis:
            raise FieldError("basis", "删除依据", f"请写明删除的法律依据, 如 {BASIS_EXAMPLE}")
        on_progress("正在写入删除记录…")
        keyring = self.keyring
        keyring.reload()
        moment = when or datetime.now().astimezone()

        def build(head: str | None) -> tuple[Changes, str]:
            changes: Changes = {}
            person = self.person(head)
            by = person.id if person else self.user or ""  # the staff ID, whether opened by ID or by name
            for customer_id in customer_ids:
                folder = customer_dir(customer_id)
                path = f"{folder}/{CUSTOMER_FILE}"
                raw = self.store.read(head, path)
                if raw is None:
                    raise NotFound(self._missing(customer_id, head))
                record = loads(raw, path)
                earlier = self.store.read(head, erasure_file(customer_id))  # erased before: its keys stay named
                keys = tuple(
                    dict.fromkeys(
                        [
                            *(Erasure.parse(earlier, erasure_file(customer_id)).keys if earlier else ()),
                            *(kid for kid, _, _ in keyring.keystore.customer_entries(customer_id)),
                        ]
                    )
                )
                sealed = tuple((record.get(SEALED_KEY) or {}).get("fields", []))
                for name, _ in self.store.files(head, f"{folder}/{NOTES_DIR}", f"{folder}/{DOCS_DIR}"):
                    changes[name] = None
                if whole:
                    changes.update({name: None for name, _ in self.store.files(head, folder)})
                elif sealed:  # the fields stay named, without values: what was there, and that it was erased
                    changes[path] = dumps({**record, SEALED_KEY: {"fields": list(sealed)}}, list(record))
                tombstone = Erasure(customer_id, "customer" if whole else "personal", basis, by, moment, keys, sealed)
                changes[erasure_file(customer_id)] = tombstone.record()
            ids = "、".join(customer_ids[:3]) + (f" 等 {len(customer_ids)} 个客户" if len(customer_ids) > 3 else "")
            return changes, self.commit_message(
                "删除个人信息",
                None,
                None,
                f"{ids} 依「{basis}」",
                "erase",
                [],
                ("Custtui-Erased: " + ", ".join(customer_ids),),
            )

        commit = self.commit_required(build, when)
        access_log.record(self, self.actor, "erase", "、".join(customer_ids), f"{basis} (提交 {commit[:10]})")
        on_progress("正在销毁密钥, 清理仓库中不再用到的对象…")
        for customer_id in customer_ids:
            keyring.keystore.remove_keys(customer_id)
        if keyring.keystore.pending:
            keyring.save(self.identity(), f"密钥库: 销毁 {len(customer_ids)} 个客户的密钥 (删除个人信息)")
        keyring.forget()
        self.pack(prune=True, rewrite_index=False)
        return commit

    def maybe_pack(self) -> bool:
        """Pack loose objects once there are about as many as git's gc.auto would allow."""
        sample = self.store.git_dir / "objects" / "17"
        loose = len(os.listdir(sample)) * 256 if sample.is_dir() else 0
        if loose < LOOSE_OBJECTS_BEFORE_PACK:
            return False
        self.pack()
        return True

    def pack(self, prune: bool = False, rewrite_index: bool = True) -> None:
        """Pack loose objects and refs (after bulk work or when idle). ``prune`` (``custtui pack``,
        after an erasure or a sync that forgot keys): also expire every reflog and drop every
        object nothing reaches, loose or packed (old key stores above all), so a destroyed key
        leaves the repository, and purge the caches beside it; syncs and commits of this copy wait
        meanwhile. ``rewrite_index=False`` leaves the search index's files to the next full
        ``custtui pack``: rewriting them takes minutes at scale (bench/bench_privacy.py), while the
        erased customers are out of its results at once."""
        if not prune:
            self.store.git("repack", "-d", "-q")
            self.store.git("prune-packed", "-q")
        else:
            with self.store.lock("sync"), self.store.lock("commit"):
                self.store.git("reflog", "expire", "--expire=now", "--expire-unreachable=now", "--all")
                self.store.git("repack", "-a", "-d", "-q")
                self.store.git("prune", "--expire=now")
            self.purge_caches(rewrite_index)
        self.store.git("pack-refs", "--all")

    def purge_caches(self, rewrite_index: bool = True) -> None:
        """Drop from the caches beside the history (listing, extracted texts and, with
        ``rewrite_index``, the search index's files) what they still hold of customers and
        documents no longer in the archive (an erasure's)."""
        self.listing.vacuum()
        head = self.head()
        kept = {blob for _, blob in self.store.files(head, f"{CUSTOMERS_DIR}/")} if head else set()
        self.search_index().purge(kept, rewrite_index)

    def check(self) -> list[str]:
        """Every problem in the archive: git fsck, then every path and file by the incoming gate's
        rules (``custtui.core.archive.check``), each naming the commit that wrote it."""
        from .check import check_archive  # here: its process pool is for `custtui check` only

        return check_archive(self)


def read_document_file(path: Path, limit: int) -> bytes:
    """The bytes of a regular file to attach; a symlink (it could point at /etc/shadow), a
    directory, a device or a pipe is refused, as is an empty or oversized file."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        raise FieldError("file", "资料文件", f"{path} 不存在") from None
    except OSError as exc:
        if path.is_symlink():
            raise FieldError(
                "file", "资料文件", f"{path} 是符号链接, 请给出文件本身 (不跟随链接, 以免归档到别处的文件)"
            ) from None
        raise FieldError("file", "资料文件", f"{path} 无法读取: {exc.strerror}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        kind = "是目录, 请给出一个文件" if stat.S_ISDIR(info.st_mode) else "不是普通文件 (设备、管道或套接字不能归档)"
        raise FieldError("file", "资料文件", f"{path} {kind}")
    with os.fdopen(fd, "rb") as handle:
        if info.st_size == 0:
            raise FieldError("file", "资料文件", f"{path.name} 是空文件 (0 字节), 可能扫描或复制失败")
        if info.st_size > limit:
            raise FieldError(
                "file", "资料文件", f"{path.name} 太大: {info.st_size / 2**20:.0f} MB, 上限 {limit / 2**20:.0f} MB"
            )
        return handle.read()


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else "_" for ch in text)[:200]
