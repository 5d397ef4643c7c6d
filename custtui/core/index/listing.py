"""The customer listing cache: every customer's summary at a commit, without parsing 100k files.

A summary holds the fields people list, filter and classify by (not contacts or stage history;
``Archive.customer`` reads the whole record). An SQLite file under ``.git/custtui/`` remembers the
commit it reflects. Reading at another
commit updates it from the tree diff (only changed ``customer.toml`` files are parsed); a
missing, foreign or corrupt cache is rebuilt from a bulk ``git ls-tree`` + ``cat-file``.
Several processes may share it: SQLite serialises the writers.

Beside the summaries, a ``match_keys`` table holds what duplicates look customers up by (the
normalised name, each alias, each phone of the customer and its contacts; index.matchkeys), so
``custtui add``, the form and an import find a record's likely duplicates in about a millisecond.
Its cost, measured on bench/out/tui/synth-10000 (2 cores, load ~2): a cold build takes 1.70 s
instead of 1.21 s (the phones in the summary 0.14 s of it, the keys 0.35 s), and at 100k 16.2 s
instead of 13.5 s; incremental updates change a few rows. Building the same lookups in memory
instead took 0.3 s per ``custtui add`` at 10k and 3.8 s at 100k.
"""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import threading
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterator, Literal

from ..base.errors import CusttuiError, RecordError
from ..base.layout import CUSTOMER_FILE, CUSTOMERS_DIR
from ..records.records import FOLLOW_UP_KEYS, SEALED_KEY, loads
from ..store.repo import Store
from .matchkeys import ID_NUMBER, USCC, match_keys

SCHEMA_VERSION = "9"
LOOKUP_FIELDS = ("uscc", "id_number")
SUMMARY_FIELDS = (
    "id",
    "type",
    "name",
    "aliases",
    "uscc",
    "id_number",
    "industry",
    "size",
    "region",
    "stage",
    "status",
    "value_tier",
    "demand_types",
    "grade",
    "color",
    "tags",
    "owner",
    "first_contact",
    "conflicts",
    "phone_book",
    "follow_up",
    "error",
)
LIST_FIELDS = frozenset({"aliases", "demand_types", "tags", "phone_book"})
_INDEX = {key: i for i, key in enumerate(SUMMARY_FIELDS)}
_FIELD_SEP, _LIST_SEP = "\x1e", "\x1f"


class Summary:
    """One customer's listed fields, packed in one string; a field is cut out when it is read.

    Reading 100k summaries costs one string per customer instead of twenty columns (0.24 s
    instead of 1.0 s at 100k, measured here), and nothing is kept unpacked: classifying or
    sorting 100k customers reads one field of each, and only the visible rows read the rest.
    Read it like a mapping.
    """

    __slots__ = ("packed",)

    def __init__(self, packed: str):
        self.packed = packed

    @classmethod
    def of(cls, record: dict) -> "Summary":
        def text(key: str) -> str:
            value = phone_book(record) if key == "phone_book" else record.get("_error" if key == "error" else key)
            if value is None or value == [] or value == "":
                return ""
            if key == "conflicts":  # listed as how many are open
                value = len(value) if isinstance(value, list) else value
            if key == "follow_up" and isinstance(value, dict):  # what ``custtui due`` reads: no record
                value = _LIST_SEP.join(str(value.get(k, "")).replace(_LIST_SEP, " ") for k in FOLLOW_UP_KEYS)
            elif key in LIST_FIELDS:
                value = _LIST_SEP.join(map(str, value)) if isinstance(value, list) else str(value)
            elif isinstance(value, date):
                value = value.isoformat()
            return str(value).replace(_FIELD_SEP, " ")

        return cls(_FIELD_SEP.join(text(k) for k in SUMMARY_FIELDS))

    @property
    def id(self) -> str:
        """The customer ID, the first packed field: read without splitting the rest (sorting 100k
        customers by ID took 0.39 s through ``get``)."""
        return self.packed.partition(_FIELD_SEP)[0]

    def _raw(self, key: str) -> str:
        """One field, cut from the nearer end (the due list reads the follow-up, second to last,
        of 100k customers: 0.3 s less at 100k than splitting each from the start)."""
        index = _INDEX[key]
        back = len(SUMMARY_FIELDS) - 1 - index
        if back < index:
            return self.packed.rsplit(_FIELD_SEP, back + 1)[-(back + 1)]
        return self.packed.split(_FIELD_SEP, index + 1)[index]

    def get(self, key: str, default: Any = None) -> Any:
        return _value(key, self._raw(key) if key in _INDEX else "", default)

    def fields(self, *keys: str) -> tuple:
        """Several fields as ``get`` reads them, cut out in one split instead of one each (the
        listing's match keys read five fields of every customer)."""
        raw = self.packed.split(_FIELD_SEP)
        return tuple(_value(key, raw[_INDEX[key]], None) for key in keys)

    def __getitem__(self, key: str) -> Any:
        if key not in _INDEX:
            raise KeyError(key)
        return self.get(key)

    def __contains__(self, key: str) -> bool:
        return key in _INDEX and bool(self._raw(key))

    def __repr__(self) -> str:
        return f"Summary({self.get('id')} {self.get('name')})"


def phone_book(record: dict) -> list[str]:
    """Every phone of a customer and of its contacts, for finding duplicates: ``号码`` for the
    customer's own, ``号码 联系人姓名`` for a contact's (a phone as stored has no space). Read
    defensively: a synced or hand-edited record may hold anything."""
    book = []
    own = record.get("phones")
    for phone in own if isinstance(own, list) else [own] if isinstance(own, str) else []:
        book.append("".join(str(phone).split()))
    contacts = record.get("contacts")
    for contact in contacts if isinstance(contacts, list) else []:
        if not isinstance(contact, dict):
            continue
        phones = contact.get("phones")
        name = " ".join(str(contact.get("name") or "").split())
        for phone in phones if isinstance(phones, list) else [phones] if isinstance(phones, str) else []:
            book.append(f"{''.join(str(phone).split())} {name}".rstrip())
    return [entry for entry in book if entry]


def _value(key: str, value: str, default: Any) -> Any:
    """A packed field as read: a list, a date, a count or text; ``default`` when empty."""
    if not value:
        return default
    if key in LIST_FIELDS:
        return value.split(_LIST_SEP)
    if key == "first_contact":
        return date.fromisoformat(value)
    if key == "conflicts":
        return int(value)
    if key == "follow_up":
        found = dict(zip(FOLLOW_UP_KEYS, value.split(_LIST_SEP), strict=True))
        return {"date": date.fromisoformat(found.pop("date")), **{k: x for k, x in found.items() if x}}
    return value


_INSERT = "INSERT OR REPLACE INTO customers VALUES (?, ?, ?, ?, ?)"


def _row(cid: str, record: dict) -> tuple:
    return (
        cid,
        *(record.get(f) or None for f in LOOKUP_FIELDS),
        record.get("merged_into") or None,
        Summary.of(record).packed,
    )


_INSERT_KEY = "INSERT INTO match_keys VALUES (?, ?, ?)"
_KEY_INDEX = "CREATE INDEX IF NOT EXISTS match_by_key ON match_keys (key)"
_DELETE_KEY = "DELETE FROM match_keys WHERE key = ? AND kind = ? AND id = ?"


def _row_keys(row: tuple, unique: bool = False) -> list[tuple[str, str, str]]:
    """(key, kind, ID) of what duplicates look a listed customer up by (index.matchkeys), read
    from its stored row, so a row's keys are removed as exactly as they were added; none for a
    customer merged into another or a record that does not parse. The USCC and ID number only
    when ``unique``: the table does not store them, the customers' own columns are indexed."""
    cid, uscc, id_number, merged_into, packed = row
    name, aliases, book, error = Summary(packed).fields("name", "aliases", "phone_book", "error")
    if merged_into or error:
        return []
    phones = [entry.partition(" ")[0] for entry in book or ()]
    keys = match_keys(name or "", aliases or (), (unique and uscc) or "", (unique and id_number) or "", phones)
    return [(key, kind, cid) for kind, key in keys]


def customer_id_of(path: str) -> str | None:
    """The customer ID when ``path`` is a customer's ``customer.toml``."""
    parts = path.split("/")
    if len(parts) == 5 and parts[0] == CUSTOMERS_DIR and parts[4] == CUSTOMER_FILE:
        return parts[3]
    return None


Opener = Callable[[dict, str], dict]  # a record with the sealed parts the copy can open merged in


def parse_customer(raw: bytes, path: str, opener: Opener | None = None) -> dict:
    """The record (opened by ``opener`` where sealed), or a stand-in carrying the error so one
    broken file never hides the rest (a listed field of the wrong kind counts as broken: its value
    would not classify or sort)."""
    cid = path.split("/")[3]
    try:
        record = loads(raw, path)
        if opener is not None and SEALED_KEY in record:
            record = opener(record, path)
    except CusttuiError as exc:
        line = f" (第 {exc.line} 行)" if isinstance(exc, RecordError) and exc.line else ""
        return {"id": cid, "_error": (exc.problem if isinstance(exc, RecordError) else str(exc)) + line}
    for key in SUMMARY_FIELDS:
        value = record.get(key)
        if value is None or key in ("conflicts", "error"):
            continue
        if key == "first_contact":
            shaped = isinstance(value, date)
        elif key == "follow_up":
            shaped = isinstance(value, dict) and type(value.get("date")) is date
        elif key in LIST_FIELDS:
            shaped = isinstance(value, list) and all(isinstance(x, str) for x in value)
        else:
            shaped = isinstance(value, str)
        if not shaped:
            return {"id": cid, "_error": f"字段 {key} 的值 {str(value)[:40]!r} 类型不对"}
    if record.get("id") != cid:
        return {"id": cid, "_error": f"id 为 {str(record.get('id'))[:40]!r}, 与文件夹不符"}
    return record


class Listing:
    """Customer records at any commit, cached by commit and kept up to date from diffs."""

    def __init__(self, store: Store, opener: Opener | None = None):
        self.store = store
        self.opener = opener
        self.path = store.git_dir / "custtui" / "listing.sqlite"
        self._local = threading.local()

    def vacuum(self) -> None:
        """Rewrite the cache file without freed pages (an erased customer's old row stays in them)."""
        if self.path.exists():
            vacuum(self.path)
            self._local = threading.local()  # this session's connection opens the rewritten file

    def _db(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            self.path.parent.mkdir(exist_ok=True)
            con = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            con.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            con.execute(
                "CREATE TABLE IF NOT EXISTS customers "
                "(id TEXT PRIMARY KEY, uscc TEXT, id_number TEXT, merged_into TEXT, packed TEXT)"
            )
            for column in LOOKUP_FIELDS:
                con.execute(f"CREATE INDEX IF NOT EXISTS by_{column} ON customers ({column})")
            # what duplicates look customers up by (index.matchkeys): kind n/a/p/u/i, the key, the ID
            con.execute("CREATE TABLE IF NOT EXISTS match_keys (key TEXT, kind TEXT, id TEXT)")
            con.execute(_KEY_INDEX)
            self._local.con = con
        return con

    def _meta(self, con: sqlite3.Connection, key: str) -> str | None:
        row = con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def cached_commit(self) -> str | None:
        try:
            return self._meta(self._db(), "commit")
        except sqlite3.DatabaseError:
            return None

    def customers(self, commit: str | None = None) -> dict[str, Summary]:
        """Every customer's summary at ``commit`` (the head when None), by ID; customers merged
        into another (left as pointers) are not listed."""
        commit, con = self._prepare(commit)
        con.execute("BEGIN")
        cached = self._meta(con, "commit")
        rows = {
            cid: Summary(packed)
            for cid, packed in con.execute("SELECT id, packed FROM customers WHERE merged_into IS NULL")
        }
        con.execute("COMMIT")
        for cid, record in self._changed(cached, commit):
            if record is None or record.get("merged_into"):
                rows.pop(cid, None)
            else:
                rows[cid] = Summary.of(record)
        return rows

    def lookup(self, field: str, value: str, commit: str | None = None) -> set[str]:
        """IDs of customers whose ``field`` (one of LOOKUP_FIELDS) equals ``value``."""
        commit, con = self._prepare(commit)
        con.execute("BEGIN")
        cached = self._meta(con, "commit")
        ids = {row[0] for row in con.execute(f"SELECT id FROM customers WHERE {field} = ?", (value,))}
        con.execute("COMMIT")
        for cid, record in self._changed(cached, commit):
            ids.discard(cid)
            if record is not None and record.get(field) == value:
                ids.add(cid)
        return ids

    def matching(self, keys: set[tuple[str, str]], commit: str | None = None) -> dict[tuple[str, str], set[str]]:
        """IDs of the customers having each of ``keys`` (index.matchkeys) at ``commit``, by key."""
        commit, con = self._prepare(commit)
        found: dict[tuple[str, str], set[str]] = {}
        queries = [
            ("SELECT kind, key, id FROM match_keys WHERE key IN ({})", sorted({k for kind, k in keys})),
            *(
                (
                    f"SELECT '{kind}', {column}, id FROM customers WHERE merged_into IS NULL AND {column} IN ({{}})",
                    values,
                )
                for kind, column in ((USCC, "uscc"), (ID_NUMBER, "id_number"))
                if (values := sorted(k for which, k in keys if which == kind))
            ),
        ]
        con.execute("BEGIN")
        cached = self._meta(con, "commit")
        for query, values in queries:
            for start in range(0, len(values), 500):  # SQLite's limit on parameters
                chunk = values[start : start + 500]
                for kind, key, cid in con.execute(query.format(", ".join("?" * len(chunk))), chunk):
                    if (kind, key) in keys:
                        found.setdefault((kind, key), set()).add(cid)
        con.execute("COMMIT")
        for cid, record in self._changed(cached, commit):
            for ids in found.values():
                ids.discard(cid)
            if record is not None:
                for key, kind, _ in _row_keys(_row(cid, record), unique=True):
                    if (kind, key) in keys:
                        found.setdefault((kind, key), set()).add(cid)
        return found

    def all_keys(self, commit: str | None = None) -> Iterator[tuple[str, str, str]]:
        """(kind, key, ID) of every match key of every listed customer at ``commit``."""
        commit, con = self._prepare(commit)
        con.execute("BEGIN")
        cached = self._meta(con, "commit")
        rows = con.execute("SELECT kind, key, id FROM match_keys").fetchall()
        for kind, column in ((USCC, "uscc"), (ID_NUMBER, "id_number")):
            query = f"SELECT '{kind}', {column}, id FROM customers WHERE merged_into IS NULL AND {column} IS NOT NULL"
            rows += con.execute(query).fetchall()
        con.execute("COMMIT")
        changed = dict(self._changed(cached, commit))
        yield from (row for row in rows if row[2] not in changed)
        for cid, record in changed.items():
            if record is not None:
                yield from ((kind, key, cid) for key, kind, _ in _row_keys(_row(cid, record), unique=True))

    def shared_keys(self, commit: str | None = None) -> list[tuple[str, str, str]]:
        """(kind, key, ID) of the match keys two or more listed customers have at ``commit``
        (read at another commit than the cache's: every key, to be grouped by the caller)."""
        commit, con = self._prepare(commit)
        con.execute("BEGIN")
        try:
            if self._meta(con, "commit") != commit:
                return list(self.all_keys(commit))
            rows = con.execute(
                "SELECT kind, key, id FROM match_keys WHERE key IN "
                "(SELECT key FROM match_keys GROUP BY key HAVING count(DISTINCT id) > 1)"
            ).fetchall()
            for kind, column in ((USCC, "uscc"), (ID_NUMBER, "id_number")):
                listed = f"FROM customers WHERE merged_into IS NULL AND {column} IS NOT NULL"
                query = f"SELECT '{kind}', {column}, id {listed} AND {column} IN "
                rows += con.execute(
                    f"{query} (SELECT {column} {listed} GROUP BY {column} HAVING count(*) > 1)"
                ).fetchall()
            return rows
        finally:
            con.execute("COMMIT")

    def summaries(self, ids: set[str], commit: str | None = None) -> dict[str, Summary]:
        """The summaries of the listed customers among ``ids`` at ``commit``."""
        commit, con = self._prepare(commit)
        wanted = sorted(ids)
        found: dict[str, Summary] = {}
        con.execute("BEGIN")
        cached = self._meta(con, "commit")
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            query = f"SELECT id, packed FROM customers WHERE merged_into IS NULL AND id IN ({marks})"
            found.update((cid, Summary(packed)) for cid, packed in con.execute(query, chunk))
        con.execute("COMMIT")
        for cid, record in self._changed(cached, commit):
            found.pop(cid, None)
            if cid in ids and record is not None and not record.get("merged_into"):
                found[cid] = Summary.of(record)
        return found

    def _prepare(self, commit: str | None) -> tuple[str | None, sqlite3.Connection]:
        """Move the cache forward when reading at the head; older commits are patched in memory."""
        head = self.store.head()
        commit = commit or head
        con = self.refresh(commit) if commit == head else self._db()
        return commit, con

    def _changed(self, cached: str | None, commit: str | None) -> Iterator[tuple[str, dict | None]]:
        """(id, record or None) for customers that differ between the cache's commit and ``commit``."""
        if cached == commit:
            return
        old_tree = self._customers_tree(cached) if cached else None
        if old_tree is False:
            raise CusttuiError("列表缓存所在的提交已不存在, 请重试")
        new_tree = self._customers_tree(commit) or None  # an unknown commit lists as empty
        for path, _, new in self.store.diff_trees(old_tree, new_tree, f"{CUSTOMERS_DIR}/"):
            cid = customer_id_of(path)
            if cid is not None:
                yield cid, parse_customer(self.store.read_blob(new), path, self.opener) if new else None

    def refresh(self, commit: str | None) -> sqlite3.Connection:
        """Bring the stored cache to ``commit``."""
        try:
            con = self._db()
            if self._meta(con, "commit") == commit and self._meta(con, "version") == SCHEMA_VERSION:
                return con
            con.execute("BEGIN IMMEDIATE")
            try:
                self._update(con, commit)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            return con
        except sqlite3.DatabaseError:
            self._reset()
            return self.refresh(commit)

    def _reset(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _update(self, con: sqlite3.Connection, commit: str | None) -> None:
        cached = self._meta(con, "commit")
        if cached == commit and self._meta(con, "version") == SCHEMA_VERSION:
            return
        old_tree = self._customers_tree(cached) if cached and self._meta(con, "version") == SCHEMA_VERSION else False
        if old_tree is False:
            con.execute("DELETE FROM customers")
            con.execute("DELETE FROM match_keys")
            rows = [_row(cid, rec) for cid, rec in self._read_tree(commit)]
            con.executemany(_INSERT, rows)
            # the index built after the rows: 1.4 s instead of 3.2 s (sorting first) at 100k
            con.execute("DROP INDEX IF EXISTS match_by_key")
            con.executemany(_INSERT_KEY, (key for row in rows for key in _row_keys(row)))
            con.execute(_KEY_INDEX)
        else:
            for cid, record in self._changed(cached, commit):
                old = con.execute("SELECT * FROM customers WHERE id = ?", (cid,)).fetchone()
                if old is not None:
                    con.executemany(_DELETE_KEY, _row_keys(old))
                if record is None:
                    con.execute("DELETE FROM customers WHERE id = ?", (cid,))
                else:
                    row = _row(cid, record)
                    con.execute(_INSERT, row)
                    con.executemany(_INSERT_KEY, _row_keys(row))
        con.execute("INSERT OR REPLACE INTO meta VALUES ('commit', ?)", (commit,))
        con.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (SCHEMA_VERSION,))

    def _customers_tree(self, commit: str | None) -> str | None | Literal[False]:
        """The customers/ tree at ``commit``; False when the commit is unknown here."""
        try:
            found = self.store.entry(commit, CUSTOMERS_DIR) if commit else None
        except CusttuiError:
            return False
        return found[1] if found else None

    def _read_tree(self, commit: str | None) -> Iterator[tuple[str, dict]]:
        """Every customer record at ``commit`` in two bulk git calls."""
        if commit is None or self.store.entry(commit, CUSTOMERS_DIR) is None:
            return
        wanted = [
            (cid, path, blob)
            for path, blob in self.store.files(commit, f"{CUSTOMERS_DIR}/")
            if (cid := customer_id_of(path))
        ]
        contents = batch_read(self.store.git_dir, [sha for _, _, sha in wanted])
        for (cid, path, _), raw in zip(wanted, contents, strict=True):
            yield cid, parse_customer(raw, path, self.opener)


def customer_folders(store: Store, commit: str | None, *paths: str) -> dict[str, dict[str, str]]:
    """customer folder -> {path inside the folder: blob} for everything under ``paths``."""
    folders: dict[str, dict[str, str]] = {}
    for path, blob in store.files(commit, *(paths or (f"{CUSTOMERS_DIR}/",))):
        parts = path.split("/", 4)
        if len(parts) == 5:
            folders.setdefault("/".join(parts[:4]), {})[parts[4]] = blob
    return folders


def batch_read(git_dir: Path, shas: list[str]) -> Iterator[bytes]:
    """Contents of many blobs through one pipelined ``git cat-file --batch``."""
    proc = subprocess.Popen(
        ["git", f"--git-dir={git_dir}", "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    stdin, stdout = proc.stdin, proc.stdout
    assert stdin is not None and stdout is not None  # both opened as pipes just above

    def feed() -> None:
        try:
            for sha in shas:
                stdin.write(sha.encode() + b"\n")
            stdin.close()
        except (BrokenPipeError, ValueError):  # the reader stopped early and closed the pipes
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        for _ in shas:
            header = stdout.readline().split()
            if len(header) != 3:
                raise CusttuiError(f"读取 git 对象失败: {header!r}")
            yield stdout.read(int(header[2]) + 1)[:-1]
    finally:
        # stdout first: a reader that stopped early must not wait for a writer stuck on a full pipe
        stdout.close()
        writer.join()
        with contextlib.suppress(BrokenPipeError):
            stdin.close()
        proc.wait()


def vacuum(path: Path) -> None:
    """Rewrite an SQLite cache without its freed pages (deleted rows' bytes stay in them otherwise),
    through a connection of its own: one a session kept open may hold a view of the file from
    before another session shrank it (SQLITE_IOERR_SHORT_READ, seen when two sessions purged).
    A cache that still cannot be rewritten is deleted (the next reader builds it again)."""
    try:
        with contextlib.closing(sqlite3.connect(path, timeout=60, isolation_level=None)) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            db.execute("VACUUM")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.DatabaseError:  # it cannot be rewritten: it is derived data, so it goes and is built again
        for part in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
            part.unlink(missing_ok=True)
