"""The status review (``custtui review``): the status moves of the monthly and half-yearly routines
(tasks.routines) as they stand today, 沉睡/流失/历史客户 and reactivation alike, applied as one commit.

Quiet customers move on (活跃 → 沉睡 → 流失 → 历史客户) after the schema's periods; a customer with a
recent contact is reactivated. A quiet spell never softens a status set by hand (流失 stays 流失).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..archive.archive import Archive
from ..index import facts as archive_facts
from . import view
from .routines import Proposal, Routine, accept, last_contacts, period, status_moves


@dataclass(frozen=True)
class StatusChange:
    customer_id: str
    name: str
    current: str
    suggested: str
    last_activity: date | None


def last_activity(archive: Archive, at: str | None = None) -> dict[str, date]:
    """Customer ID -> date of the newest note or deal (their file names carry the dates: read
    from the facts cache, index.facts)."""
    return archive_facts.at(archive.store, at or archive.head()).last_contacts()


def review(archive: Archive, today: date | None = None) -> list[StatusChange]:
    """Customers whose stored status differs from what their last activity implies."""
    today = today or date.today()
    customers = view.customers(archive)
    found = archive_facts.at(archive.store, archive.head())
    last = last_contacts(customers, found, today)
    return [
        StatusChange(p.customer_id, p.name, p.old or "active", p.new, last[p.customer_id])
        for routine in ("monthly", "halfyear")
        for p in status_moves(customers, found, today, archive.schema().rules, routine)
    ]


def apply_review(archive: Archive, changes: list[StatusChange], today: date | None = None) -> str | None:
    """Apply the suggested statuses as one commit of the month's routine (``revert`` undoes it)."""
    today = today or date.today()
    span = period("monthly", None, today)
    summaries = view.customers(archive)
    proposals = [
        Proposal(c.customer_id, c.name, "status", summaries[c.customer_id].get("status"), c.suggested, "")
        for c in changes
        if c.customer_id in summaries
    ]
    return accept(archive, Routine(span, today, proposals, []), proposals)
