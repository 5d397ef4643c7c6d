"""The dated facts of every customer folder: the day of each communication record, the day and
amount of each transaction, and the type, date and number of each document.

The routines judge customers by these (last contact, the year's transactions, a signed contract)
for the whole archive at once. Reading them afresh costs one ``git ls-tree`` of every file and a
``git cat-file`` of every deal and document's metadata: at 100k customers (700k files) 4 s for
the listing of paths alone, then 300k small files to read and parse. So they are kept, like the
customer listing, in an SQLite file under ``.git/custtui/`` that remembers its commit and moves
forward from the tree diff (``git diff-tree``: only the files that changed are read).

A note's and a deal's file name carries its date (the note's day is never read from the file);
the metadata's keys are cut out with a pattern and only a file the pattern does not fit
(an escaped string, a hand edit) goes through the TOML parser: parsing 300k files costs 30 s,
the pattern a tenth of it.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Iterable, Iterator, NamedTuple

from ..base.errors import CusttuiError
from ..base.layout import CUSTOMERS_DIR, DEALS_DIR, DOCS_DIR, META_SUFFIX, NOTES_DIR
from ..records.records import loads
from ..store.repo import Store
from .listing import batch_read

VERSION = "2"
_STAMP = re.compile(r"^(\d{8})")
_NOTE, _DEAL, _DOC = "n", "d", "m"
_KEYS = ("date", "amount", "doc_type", "info_type", "number", "sensitivity")
_LINE = re.compile(
    rb'^(date|amount|doc_type|info_type|number|sensitivity) = (?:"([^"\\\n]*)"|([0-9][0-9:T .+-]*))$', re.M
)


class Deal(NamedTuple):
    day: date
    amount: Decimal | None  # None: not a number (a hand edit)


class Document(NamedTuple):
    name: str  # the file's name in docs/
    doc_type: str | None
    info_type: str | None
    day: date | None
    number: str | None  # a contract's number
    sensitivity: str | None  # who may see it (Access.document_visible)


def _stamp(name: str) -> date | None:
    found = _STAMP.match(name)
    if not found:
        return None
    try:
        return datetime.strptime(found[1], "%Y%m%d").date()
    except ValueError:
        return None


def _fields(raw: bytes) -> dict[str, str]:
    """The keys the facts need from a deal or a metadata file, as text: cut out by ``_LINE`` from
    the top-level lines (before the first table), else parsed; a file that parses neither way (a
    hand edit) reads as empty, and ``custtui check`` reports it."""
    top = raw.split(b"\n[", 1)[0]
    found = {m[1].decode(): (m[2] if m[2] is not None else m[3]).decode() for m in _LINE.finditer(top)}
    lines = sum(1 for line in top.splitlines() if line.split(b" = ", 1)[0] in (k.encode() for k in _KEYS))
    if len(found) == lines:
        return found
    try:
        parsed = loads(raw, "")
    except CusttuiError:
        return {}
    return {k: v.isoformat() if isinstance(v, (date, datetime)) else str(v) for k in _KEYS if (v := parsed.get(k))}


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _amount(text: str | None) -> Decimal | None:
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return None


def _place(path: str) -> tuple[str, str, str] | None:
    """(customer ID, kind, name) of a note, a deal or a document's metadata; None otherwise."""
    parts = path.split("/")
    if len(parts) != 6 or parts[0] != CUSTOMERS_DIR:
        return None
    cid, folder, name = parts[3], parts[4], parts[5]
    if folder == NOTES_DIR:
        return cid, _NOTE, name
    if folder == DEALS_DIR:
        return cid, _DEAL, name
    if folder == DOCS_DIR and name.endswith(META_SUFFIX):
        return cid, _DOC, name.removesuffix(META_SUFFIX)
    return None


def _rows(store: Store, files: Iterable[tuple[str, str]]) -> Iterator[tuple]:
    """The stored rows of ``(path, blob)`` pairs: notes from their names, the rest read in one batch."""
    to_read = []
    for path, blob in files:
        placed = _place(path)
        if placed is None:
            continue
        cid, kind, name = placed
        if kind == _NOTE:
            stamp = _stamp(name)
            yield (path, cid, kind, name, stamp.isoformat() if stamp else None, None, None, None, None, None)
        else:
            to_read.append((path, cid, kind, name, blob))
    for (path, cid, kind, name, _), raw in zip(
        to_read, batch_read(store.git_dir, [b for *_, b in to_read]), strict=True
    ):
        got = _fields(raw)
        day = got.get("date") or (str(_stamp(name) or "") if kind == _DEAL else None)
        yield (
            path,
            cid,
            kind,
            name,
            day or None,
            got.get("amount"),
            got.get("doc_type"),
            got.get("info_type"),
            got.get("number"),
            got.get("sensitivity"),
        )


class FactsCache:
    """The facts at the head, in ``.git/custtui/facts.sqlite``, moved forward by tree diffs."""

    def __init__(self, store: Store):
        self.store = store
        self.path = store.git_dir / "custtui" / "facts.sqlite"

    def _db(self) -> sqlite3.Connection:
        self.path.parent.mkdir(exist_ok=True)
        con = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
        con.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        if self._meta(con, "version") not in (None, VERSION):  # another shape: built again
            con.execute("DROP TABLE IF EXISTS facts")
            con.execute("DELETE FROM meta")
        con.execute(
            "CREATE TABLE IF NOT EXISTS facts (path TEXT PRIMARY KEY, customer TEXT, kind TEXT, name TEXT,"
            " day TEXT, amount TEXT, doc_type TEXT, info_type TEXT, number TEXT, sensitivity TEXT)"
        )
        # the questions read by kind, then customer and day: answered from this index alone
        con.execute("CREATE INDEX IF NOT EXISTS by_kind ON facts (kind, customer, day)")
        return con

    def _meta(self, con: sqlite3.Connection, key: str) -> str | None:
        row = con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _cached(self, con: sqlite3.Connection) -> str | None:
        return self._meta(con, "commit") if self._meta(con, "version") == VERSION else None

    def refresh(self, con: sqlite3.Connection, commit: str) -> None:
        """Bring the stored facts to ``commit``: from the diff when the cache's commit is known
        here, else rebuilt from every file."""
        if self._cached(con) == commit:
            return
        con.execute("BEGIN IMMEDIATE")
        try:
            cached = self._cached(con)  # another process may have moved it while this one waited
            if cached == commit:
                con.execute("COMMIT")
                return
            if cached and self.store.git("cat-file", "-e", f"{cached}^{{commit}}", check=False).returncode == 0:
                changed = [
                    (path, new)
                    for path, _, new in self.store.diff_commits_bulk(cached, commit)
                    if path.startswith(f"{CUSTOMERS_DIR}/")
                ]
                con.executemany("DELETE FROM facts WHERE path = ?", ((path,) for path, _ in changed))
                rows = _rows(self.store, ((path, new) for path, new in changed if new))
            else:
                con.execute("DELETE FROM facts")
                rows = _rows(self.store, self.store.files(commit, f"{CUSTOMERS_DIR}/"))
            con.executemany("INSERT OR REPLACE INTO facts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            con.execute("INSERT OR REPLACE INTO meta VALUES ('commit', ?)", (commit,))
            con.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (VERSION,))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def at(self, commit: str | None) -> Facts:
        """The facts at ``commit`` (normally the head: the cache follows the commit it is asked for)."""
        if commit is None:
            return Facts(None)
        try:
            con = self._db()
            self.refresh(con, commit)
        except sqlite3.DatabaseError:  # a corrupt or foreign file: built again
            for suffix in ("", "-wal", "-shm"):
                self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
            con = self._db()
            self.refresh(con, commit)
        return Facts(con)


class Facts:
    """Questions about the facts at one commit, each answered by one SQL query over the cache
    (aggregated there: turning 400k rows into Python objects took 4.8 s at 100k)."""

    def __init__(self, con: sqlite3.Connection | None):
        self.con = con

    def _query(self, sql: str, *args: object) -> list[tuple]:
        return self.con.execute(sql, args).fetchall() if self.con is not None else []

    def last_contacts(self, until: date = date.max) -> dict[str, date]:
        """Customer ID -> the day of its newest note or deal on or before ``until``."""
        rows = self._query(
            f"SELECT customer, MAX(day) FROM facts WHERE kind IN ('{_NOTE}', '{_DEAL}') AND day <= ? GROUP BY customer",
            until.isoformat(),
        )
        return {cid: day for cid, text in rows if (day := _day(text))}

    def deals(self, after: date, until: date) -> dict[str, list[Deal]]:
        """Customer ID -> its deals dated after ``after`` up to ``until``, oldest first."""
        found: dict[str, list[Deal]] = {}
        rows = self._query(
            f"SELECT customer, day, amount FROM facts WHERE kind = '{_DEAL}' AND day > ? AND day <= ?"
            " ORDER BY customer, day",
            after.isoformat(),
            until.isoformat(),
        )
        for cid, text, amount in rows:
            if day := _day(text):
                found.setdefault(cid, []).append(Deal(day, _amount(amount)))
        return found

    def dealt_by(self, until: date) -> set[str]:
        """The customers with a deal dated on or before ``until``."""
        rows = self._query(
            f"SELECT DISTINCT customer FROM facts WHERE kind = '{_DEAL}' AND day <= ?", until.isoformat()
        )
        return {cid for (cid,) in rows}

    def documents(
        self, doc_types: Iterable[str] = (), dated_by: dict[str, date] | None = None
    ) -> dict[str, list[Document]]:
        """Customer ID -> its documents of ``doc_types``, or with ``dated_by`` those of each
        information type dated on or before its day; oldest first."""
        if dated_by is not None:
            where = " OR ".join("(info_type = ? AND day <= ?)" for _ in dated_by) or "0"
            args: list[object] = [x for info, day in dated_by.items() for x in (info, day.isoformat())]
        else:
            wanted = list(doc_types)
            where = f"doc_type IN ({', '.join('?' * len(wanted))})"
            args = list(wanted)
        rows = self._query(
            "SELECT customer, name, doc_type, info_type, day, number, sensitivity FROM facts"
            f" WHERE kind = '{_DOC}' AND ({where}) ORDER BY customer, day, name",
            *args,
        )
        found: dict[str, list[Document]] = {}
        for cid, name, doc_type, info_type, text, number, sensitivity in rows:
            found.setdefault(cid, []).append(Document(name, doc_type, info_type, _day(text), number, sensitivity))
        return found


def at(store: Store, commit: str | None) -> Facts:
    """The facts of the archive at ``commit``."""
    return FactsCache(store).at(commit)
