"""The access log read as evidence (``custtui access-log``): what happened to whose personal data,
by whom and when, for the people the policy names (``read_access_log``).

Reading the log is itself written to it (``read_log``, with what was asked and how many entries
it gave), and so is a refused attempt (``refused``): who looked at the evidence is evidence too.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from ..access import access_log
from ..access.policy import PermissionDenied
from ..archive.archive import Archive
from . import tables

TARGET = "访问日志"  # the target of the entries that record reading the log
HEADER = ("时间", "人员", "账号", "操作", "对象", "说明")


def read(
    archive: Archive,
    *,
    person: str | None = None,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    action: str | None = None,
    about: str | None = None,
    out: Path | None = None,
) -> list[dict]:
    """The entries matching the filters (``access_log.entries``), for someone with
    ``read_access_log``; ``out`` also writes them as XLSX or CSV (never over a file). The reading
    is logged after the entries are read, so it is not among them."""
    try:
        archive.access.require("read_access_log")
    except PermissionDenied as exc:
        access_log.record(archive, archive.actor, "refused", TARGET, str(exc))
        raise
    if out is not None:
        tables.writable(out)  # refused before anything is read
    found = access_log.entries(archive, since, person, until=until, action=action, about=about)
    if out is not None:
        tables.write(table(found), out)
    asked = [
        f"{label} {value}"
        for label, value in (
            ("人员", person),
            ("起", since),
            ("止", until),
            ("操作", action),
            ("含", about),
        )
        if value
    ]
    detail = f"{'、'.join(asked) or '全部'}: {len(found)} 条" + (f" → {out}" if out is not None else "")
    access_log.record(archive, archive.actor, "read_log", TARGET, detail)
    return found


def label(entry: dict) -> str:
    """How people read an entry's action: its Chinese label, or the code when it has none."""
    return access_log.ACTIONS.get(str(entry.get("action", "")), str(entry.get("action", "")))


def table(found: list[dict]) -> tables.Table:
    """The entries as a table for XLSX or CSV, one row an entry, in the order read."""
    rows: list[list] = [
        [str(e.get(key, "")) for key in ("time", "person", "account")]
        + [label(e), str(e.get("target", "")), str(e.get("detail", ""))]
        for e in found
    ]
    return tables.Table(TARGET, HEADER, rows, personal=True)
