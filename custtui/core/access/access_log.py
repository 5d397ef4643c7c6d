"""The access log (个人信息保护法 PIPL): who did what to which personal data, when.

One JSON object per line in ``<git dir>/custtui/access.log`` (never committed, never synced):
``{"time": "2024-05-06T09:30:12+08:00", "person": "李娜", "action": "view", "target": "...",
"detail": "..."}``, plus ``"account"`` (the staff ID) when the person is a registered ``Person``.
Lines are only ever appended (``O_APPEND`` under an exclusive ``flock``, so concurrent sessions
never interleave); the application changes none of them and deletes only those older than the
log's own retention (``prune``: ``[retention] access_log_days``), saying so in a last entry. On
the server the administrator can also make the file append-only for everyone (``chattr +a``),
which also stops ``prune``.

Call ``record`` from anywhere in ``custtui.core`` (viewing a 机密/绝密 document, unmasking
personal data, exporting, decrypting, erasing, key changes, backups, the SSH entry point's
refusals and git access) with one of the codes of ``ACTIONS``::

    access_log.record(archive, archive.actor, "view", f"{customer_id}/{name}", "机密")

``entries`` is the one reader; people read the log through ``custtui.core.tasks.evidence``,
which asks for ``read_access_log`` and logs each reading.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from ..base.errors import CusttuiError

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
    "decrypt": "解密",
    "erase": "删除个人信息",
    "key": "密钥变更",
    "backup": "备份",
    "restore": "恢复",
    "prune": "清理访问日志",
    "read_log": "查看访问日志",
    "invalid": "无法识别的行 (疑似被手工改动)",
}


def action_code(text: str) -> str:
    """The code of an action given by its code or its Chinese label (``export`` or ``导出``)."""
    wanted = text.strip()
    for code, label in ACTIONS.items():
        if wanted in (code, label):
            return code
    known = "、".join(f"{label} ({code})" for code, label in ACTIONS.items())
    raise CusttuiError(f"访问日志中没有「{wanted}」这种操作; 可选: {known}")


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
    entry = _entry(person, action, target, detail)
    line = _line(entry)
    fd = _locked(log_path(archive))
    try:
        written = 0
        while written < len(line):  # one write in practice; a short write continues where it stopped
            written += os.write(fd, line[written:])
        os.fsync(fd)
    finally:
        os.close(fd)  # closing releases the lock
    return entry


def _entry(person: Any, action: str, target: str, detail: str) -> dict:
    return {
        "time": datetime.now().astimezone().isoformat(timespec="seconds"),
        **_who(person),
        "action": str(action),
        "target": str(target),
        "detail": str(detail),
    }


def _line(entry: dict) -> bytes:
    return (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")


def _locked(path: Path) -> int:
    """The log opened for appending under its exclusive lock. Opened again when ``prune`` put a
    new file in its place while this waited for the lock: appended to the old one, an entry
    would be lost."""
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.fstat(fd).st_ino == os.stat(path).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)


def prune(archive, person: Any, days: int, now: datetime | None = None) -> dict | None:
    """Delete the entries older than ``days`` days (the log's retention) and append one entry
    saying who deleted how many, up to when; returns that entry, or None when none was old
    enough. The file is rewritten beside itself and renamed over the log under the log's lock,
    so a crash leaves the old log or the new one; a line that is not an entry stays."""
    path = log_path(archive)
    cutoff = (now or datetime.now().astimezone()) - timedelta(days=days)
    fd = _locked(path)
    try:
        with os.fdopen(os.dup(fd), "rb") as log:
            lines = log.read().splitlines(keepends=True)
        kept, dropped = [], []
        for line in lines:
            when = next((when for when, _ in _parse(line)), None)
            if when is not None and when < cutoff:
                dropped.append(when)
            else:
                kept.append(line)
        if not dropped:
            return None
        last = max(dropped).isoformat(timespec="seconds")
        detail = f"删除 {len(dropped)} 条 {last} 及以前的记录 (访问日志保存 {days} 天)"
        entry = _entry(person, "prune", LOG_NAME, detail)
        temp = path.with_name(f".{LOG_NAME}.{os.getpid()}.tmp")
        with open(temp, "wb") as new:
            new.writelines([*kept, _line(entry)])
            new.flush()
            os.fsync(new.fileno())
        os.chmod(temp, os.fstat(fd).st_mode & 0o777)
        try:
            os.replace(temp, path)
        except PermissionError:
            temp.unlink()
            raise CusttuiError(f"访问日志 {path} 不能改写 (只可追加: chattr +a?), 未清理任何记录") from None
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return entry
    finally:
        os.close(fd)  # closing releases the lock; who waited opens the new file


def _moment(value: date | datetime | str | None, *, end: bool = False) -> datetime | None:
    """A bound as an aware datetime; a day alone (``2024-05-06``) starts at midnight, or, as the
    ``end`` of a range, takes in the whole day (to its last moment)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.strip()
        value = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.max if end else time.min)
    return value if value.tzinfo else value.astimezone()


def _read(path: Path) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return b""
    with os.fdopen(fd, "rb") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_SH)
        return f.read()


def entries(
    archive,
    since: date | datetime | str | None = None,
    person: str | None = None,
    *,
    until: date | datetime | str | None = None,
    action: str | None = None,
    about: str | None = None,
) -> list[dict]:
    """The entries, oldest first: from ``since`` up to ``until`` (each a date, a datetime or ISO
    text; a date ``until`` takes in that whole day), of ``person`` (a name or staff ID), of
    ``action`` (its code or Chinese label), whose target or detail contains ``about`` (a customer
    ID, a document's name). A line that is not an entry (a hand edit) is returned whatever the
    filters, as an entry with action ``invalid`` and the raw text as detail, so it is noticed
    rather than hidden."""
    start, stop = _moment(since), _moment(until, end=True)
    code = action_code(action) if action else None
    found = []
    for when, entry in _parse(_read(log_path(archive))):
        if when is not None and not (
            (start is None or when >= start)
            and (stop is None or when <= stop)
            and (not person or person in (entry.get("person"), entry.get("account")))
            and (code is None or entry.get("action") == code)
            and (not about or about.casefold() in f"{entry.get('target', '')}\n{entry.get('detail', '')}".casefold())
        ):
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
