"""Extracted text kept by git blob id, so no document is read twice, and the pinyin readings of
the characters indexed (``analysis.readings_kept_in``).

Apart from ``extract`` so that a search, which reads the cache, loads none of the extraction code.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from pathlib import Path

from .extracted import METHOD_VERSIONS, Extracted
from .listing import vacuum


class TextCache:
    """Extracted text by git blob id, in one SQLite file under ``.git/custtui/text/``: never
    extract a file twice (again only when its method's version in ``METHOD_VERSIONS`` changed).

    One file, not one per document: at 100k customers the 200,000 small JSON files of earlier
    versions held 13 MB of text in 799 MB of disk blocks (37.6 MB here). A JSON file of those
    versions is still read, once, on a miss, and its text moved into the database."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._local = threading.local()  # a connection per thread and process (never across a fork)

    def _db(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None or self._local.pid != os.getpid():
            self.folder.mkdir(parents=True, exist_ok=True)
            con = sqlite3.connect(self.folder / "texts.sqlite", timeout=60, isolation_level=None)
            con.execute("PRAGMA journal_mode=WAL")  # readers never wait for the index builders' writes
            con.execute("PRAGMA synchronous=NORMAL")
            con.execute(
                "CREATE TABLE IF NOT EXISTS texts"
                " (blob TEXT PRIMARY KEY, text TEXT NOT NULL, method TEXT NOT NULL, note TEXT, version INTEGER)"
            )
            con.execute("CREATE TABLE IF NOT EXISTS readings (char TEXT PRIMARY KEY, full TEXT, initials TEXT)")
            self._local.con, self._local.pid = con, os.getpid()
        return con

    def get(self, blob: str, name: str, read) -> Extracted:
        """The text of blob ``blob`` (file ``name``); ``read()`` gives its bytes on a miss."""
        db = self._db()
        row = db.execute("SELECT text, method, note, version FROM texts WHERE blob = ?", (blob,)).fetchone()
        found = self._current(*row) if row else None
        if found is None:
            from .extract import extract  # pypdf, docx and OCR only when a text is not cached yet

            found = (None if row else self._legacy(blob)) or extract(read(), name)
            db.execute(
                "INSERT OR REPLACE INTO texts VALUES (?, ?, ?, ?, ?)",
                (blob, found.text, found.method, found.note, METHOD_VERSIONS.get(found.method, 1)),
            )
        return found

    def keep_only(self, blobs: set[str]) -> int:
        """Forget the text of every blob not in ``blobs`` (documents no longer in the archive, an
        erased customer's above all) and rewrite the file so no freed page keeps it; returns how
        many were forgotten."""
        db = self._db()
        db.execute("CREATE TEMP TABLE IF NOT EXISTS kept (blob TEXT PRIMARY KEY)")
        db.execute("DELETE FROM kept")
        db.executemany("INSERT OR IGNORE INTO kept VALUES (?)", ((b,) for b in blobs))
        forgotten = db.execute("DELETE FROM texts WHERE blob NOT IN (SELECT blob FROM kept)").rowcount
        db.execute("DROP TABLE kept")
        vacuum(self.folder / "texts.sqlite")
        return forgotten

    def reading(self, char: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
        """A character's pinyin readings as pypinyin gave them when it was first indexed (see
        ``analysis.readings_kept_in``)."""
        row = self._db().execute("SELECT full, initials FROM readings WHERE char = ?", (char,)).fetchone()
        return (tuple(row[0].split(",")), tuple(row[1].split(","))) if row else None

    def remember_reading(self, char: str, readings: tuple[tuple[str, ...], tuple[str, ...]]) -> None:
        full, initials = (",".join(r) for r in readings)
        self._db().execute("INSERT OR REPLACE INTO readings VALUES (?, ?, ?)", (char, full, initials))

    def forget_readings(self) -> None:
        """A full build reads every character again (pypinyin may have been upgraded since)."""
        self._db().execute("DELETE FROM readings")

    @staticmethod
    def _current(text: str, method: str, note: str | None, version: int | None) -> Extracted | None:
        """The cached text, unless its method has changed since it was extracted."""
        return Extracted(text, method, note) if (version or 1) == METHOD_VERSIONS.get(method, 1) else None

    def _legacy(self, blob: str) -> Extracted | None:
        """A text cached as a JSON file by an earlier version, if it is still current; the file is
        removed (the caller stores its text), so the old cache empties as documents are read."""
        path = self.folder / blob[:2] / f"{blob[2:]}.json"
        try:
            cached = json.loads(path.read_text(encoding="utf-8"))
            path.unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # the folder's last file: the folder goes too
                path.parent.rmdir()
            return self._current(cached["text"], cached["method"], cached.get("note"), cached.get("version"))
        except (FileNotFoundError, ValueError, KeyError, AttributeError, TypeError):
            return None
