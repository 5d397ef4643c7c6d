"""The status review (沉睡/流失/历史客户): which customers' status the schema's periods say should change.

Quiet customers move on (活跃 → 沉睡 → 流失 → 历史客户) after the schema's periods; a customer with a
recent contact is reactivated. A quiet spell never softens a status set by hand (流失 stays 流失).

Last activity is the newest of the first contact, the communication records and the
transactions; their file names carry their dates, so one ``git ls-tree`` answers for the
whole archive without reading a record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from ..archive.archive import Archive
from ..base.layout import CUSTOMER_FILE, CUSTOMERS_DIR, DEALS_DIR, NOTES_DIR
from ..records.records import customer_dir, dumps

_STAMP = re.compile(r"^(\d{8})")


@dataclass(frozen=True)
class StatusChange:
    customer_id: str
    name: str
    current: str
    suggested: str
    last_activity: date | None


def last_activity(archive: Archive, at: str | None = None) -> dict[str, date]:
    """Customer ID -> date of the newest note or deal."""
    head = at or archive.head()
    latest: dict[str, date] = {}
    for path, _ in archive.store.files(head, f"{CUSTOMERS_DIR}/"):
        parts = path.split("/")
        if len(parts) == 6 and parts[4] in (NOTES_DIR, DEALS_DIR) and (m := _STAMP.match(parts[5])):
            when = datetime.strptime(m[1], "%Y%m%d").date()
            if when > latest.get(parts[3], date.min):
                latest[parts[3]] = when
    return latest


def status_for(days_quiet: int, rules: dict) -> str:
    periods = rules["status"]
    if days_quiet >= periods["history_after_days"]:
        return "history"
    if days_quiet >= periods["lost_after_days"]:
        return "lost"
    if days_quiet >= periods["dormant_after_days"]:
        return "dormant"
    return "active"


_SEVERITY = ("active", "dormant", "lost", "history")


def _moves(current: str, suggested: str) -> bool:
    """Quiet time only ever deepens a status; recent contact reactivates (沉睡/流失 → 活跃)."""
    if suggested == "active":
        return current != "active"
    if current not in _SEVERITY:
        return False
    return _SEVERITY.index(suggested) > _SEVERITY.index(current)


def review(archive: Archive, today: date | None = None) -> list[StatusChange]:
    """Customers whose stored status differs from what their last activity implies."""
    today = today or date.today()
    rules = archive.schema().rules
    activity = last_activity(archive)
    changes = []
    for cid, record in sorted(archive.customers().items()):
        if record.get("error"):
            continue
        dates = [d for d in (activity.get(cid), record.get("first_contact")) if isinstance(d, date)]
        last = max(dates) if dates else None
        if last is None:
            continue
        current = record.get("status", "active")
        suggested = status_for((today - last).days, rules)
        if _moves(current, suggested):
            changes.append(StatusChange(cid, record.get("name", ""), current, suggested, last))
    return changes


def apply_review(archive: Archive, changes: list[StatusChange]) -> str | None:
    """Apply the suggested statuses as one commit (one review = one action)."""
    if not changes:
        return None
    wanted = {c.customer_id: c for c in changes}

    def build(head: str | None) -> tuple[dict[str, bytes], str] | None:
        files: dict[str, bytes] = {}
        validator = archive.validator(head)
        for cid, change in wanted.items():
            record = archive.customer(cid, head)
            if record.get("status", "active") != change.current:
                continue  # someone changed it meanwhile: leave their decision
            record["status"] = change.suggested
            files[f"{customer_dir(cid)}/{CUSTOMER_FILE}"] = dumps(record, validator.field_order())
        if not files:
            return None
        schema = validator.schema
        counts: dict[str, int] = {}
        for change in wanted.values():
            counts[change.suggested] = counts.get(change.suggested, 0) + 1
        detail = "、".join(f"{schema.label('status', s)} {n} 个" for s, n in sorted(counts.items()))
        return files, archive.commit_message("状态复核", None, None, detail, "review", ["status"])

    return archive.commit_change(build)
