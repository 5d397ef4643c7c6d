"""The access log (个人信息保护法 PIPL): who did what to which personal data, when.

One JSON object per line in ``<git dir>/custtui/access.log`` (never committed, never synced):
``{"time": "2024-05-06T09:30:12+08:00", "person": "李娜", "action": "view", "target": "...",
"detail": "..."}``, plus ``"account"`` (the staff ID) when the person is a registered ``Person``.
Lines are only ever appended (``O_APPEND`` under an exclusive ``flock``, so concurrent sessions
never interleave); the application offers no way to change or delete them. On the server the
administrator can also make the file append-only for everyone (``chattr +a``).

Call ``record`` from anywhere in ``custtui.core`` (viewing a 机密/绝密 document, unmasking
personal data, exporting, the SSH entry point's refusals and git access)::

    access_log.record(archive, archive.user, "view", f"{customer_id}/{name}", "机密")
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

LOG_NAME = "access.log"

# action code -> how people read it (codes not listed are shown as they are)
ACTIONS = {
    "tui": "打开终端界面",
    "fetch": "同步拉取",
    "push": "同步推送",
    "refused": "拒绝访问",
    "view": "查看",
    "export": "导出",
    "unmask": "查看未打码的个人信息",
    "invalid": "无法识别的行 (疑似被手工改动)",
}


def log_path(archive) -> Path:
    """Where the log of ``archive`` (an ``Archive`` or a ``Store``) lives."""
    store = getattr(archive, "store", archive)
    return Path(store.git_dir) / "custtui" / LOG_NAME


def _who(person: Any) -> dict[str, str]:
    """A ``staff.Person``, a name or ID string, or None."""
    if person is None:
        return {"person": "(未知)"}
    if isinstance(person, str):
        return {"person": person}
    name, account = getattr(person, "name", None), getattr(person, "id", None)
    if name is None:
        return {"person": str(person)}
    return {"person": str(name), **({"account": str(account)} if account else {})}


def record(archive, person: Any, action: str, target: str, detail: str = "") -> dict:
    """Append one entry; returns it. ``person``: a ``Person``, a name or ID, or None (unknown)."""
    entry = {
        "time": datetime.now().astimezone().isoformat(timespec="seconds"),
        **_who(person),
        "action": str(action),
        "target": str(target),
        "detail": str(detail),
    }
    line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
    path = log_path(archive)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        written = 0
        while written < len(line):  # one write in practice; a short write continues where it stopped
            written += os.write(fd, line[written:])
        os.fsync(fd)
    finally:
        os.close(fd)  # closing releases the lock
    return entry


def _since(value: date | datetime | str | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.strip())
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.min)
    return value if value.tzinfo else value.astimezone()


def _read(path: Path) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return b""
    with os.fdopen(fd, "rb") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_SH)
        return f.read()


def entries(archive, since: date | datetime | str | None = None, person: str | None = None) -> list[dict]:
    """The entries, oldest first: from ``since`` (a date, a datetime or ISO text) on, of ``person``
    (a name or staff ID) only. A line that is not an entry (a hand edit) is returned as an entry
    with action ``invalid`` and the raw text as detail, so it is noticed rather than hidden."""
    start = _since(since)
    found = []
    for when, entry in _parse(_read(log_path(archive))):
        if start is not None and when is not None and when < start:
            continue
        if person and when is not None and person not in (entry.get("person"), entry.get("account")):
            continue
        found.append(entry)
    return found


def _parse(raw: bytes) -> Iterator[tuple[datetime | None, dict]]:
    for number, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            if not isinstance(entry, dict):
                raise TypeError
            when = datetime.fromisoformat(entry["time"])
        except (ValueError, KeyError, TypeError):
            yield None, {"time": "", "person": "", "action": "invalid", "target": f"第 {number} 行", "detail": line}
            continue
        yield (when if when.tzinfo else when.astimezone()), entry
