"""Follow-ups (跟进提醒): what is due, postponing one, and the 公海 rule.

A customer's next step is the ``follow_up`` table of its record (``Archive.set_follow_up`` and
friends write it). What is due is read from the listing cache, which carries every customer's
step, so the list at 100k customers reads no record (bench/bench_due.py measures it against
reading every record).

The 公海 rule (``rules.toml`` ``[follow_up] pool_after_days`` > 0): a customer whose 负责人 has not
followed it up for that many days may be given to someone else, with a warning ``warn_days``
ahead. Following up is a communication record (or a transaction: ``review.last_activity``
reads both from the facts cache), a follow-up marked done, or the customer being given to its
负责人 (a reassignment starts the clock again; both from one ``git log``); without any of them the
first contact date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..archive.archive import Archive
from ..base.errors import CusttuiError, FieldError
from ..records.validate import parse_date
from . import view
from .review import last_activity

DONE_ACTION = "follow_up_done"  # the Custtui-Action of Archive.finish_follow_up


@dataclass(frozen=True)
class DueItem:
    """One customer's next step as the due list shows it."""

    customer_id: str
    name: str
    date: date
    action: str
    owner: str
    set_by: str
    days_late: int  # days past its date: 0 today, negative when still ahead
    mine: bool

    @property
    def when_text(self) -> str:
        """逾期 3 天, 今天 or 2 天后."""
        if self.days_late > 0:
            return f"逾期 {self.days_late} 天"
        return "今天" if self.days_late == 0 else f"{-self.days_late} 天后"

    def as_dict(self) -> dict:
        return {**vars(self), "date": self.date.isoformat(), "when": self.when_text}


def due(
    archive: Archive, today: date | None = None, *, days: int = 0, mine: bool = False, overdue: bool = False
) -> list[DueItem]:
    """Follow-ups due by ``today`` (+ ``days``) among the customers this person may view: only
    their own with ``mine``, only those past their date with ``overdue``. Theirs first, then by
    date (the most overdue first) and ID."""
    today = today or date.today()
    me = archive.display_name
    last_day = today + timedelta(days=max(days, 0))
    found = []
    for cid, summary in view.customers(archive).items():
        step = summary.get("follow_up")
        if step is None or step["date"] > last_day or (overdue and step["date"] >= today):
            continue
        owner = step.get("owner", "")
        if mine and owner != me:
            continue
        found.append(
            DueItem(
                cid,
                summary.get("name", ""),
                step["date"],
                step.get("action", ""),
                owner,
                step.get("set_by", ""),
                (today - step["date"]).days,
                owner == me,
            )
        )
    return sorted(found, key=lambda item: (not item.mine, item.date, item.customer_id))


def postponed_to(current: date, today: date, *, days: int | None = None, to: str | date | None = None) -> date:
    """The new date of a step due on ``current``: ``to``, or ``days`` later, counted from today
    when the step is already overdue (so it is not overdue again at once)."""
    if to is not None:
        new = parse_date(to, "to", "推迟到")
        if new <= today:
            raise FieldError("to", "推迟到", f"应晚于今天 ({today})")
        return new
    if days is None or days < 1:
        raise FieldError("days", "推迟天数", "应为正整数")
    return max(current, today) + timedelta(days=days)


def postpone(
    archive: Archive,
    customer_id: str,
    *,
    days: int | None = None,
    to: str | date | None = None,
    today: date | None = None,
) -> str:
    """Postpone a customer's next step by ``days`` (the rules' postpone_days by default) or to
    the day ``to``; one commit."""
    step = archive.customer(customer_id).get("follow_up")
    if not isinstance(step, dict) or not isinstance(step.get("date"), date):
        raise CusttuiError(f"{customer_id} 没有待办的跟进")
    if to is None and days is None:
        days = archive.schema().rules["follow_up"]["postpone_days"]
    return archive.postpone_follow_up(customer_id, postponed_to(step["date"], today or date.today(), days=days, to=to))


def reassign(archive: Archive, customer_id: str, owner: str, reason: str, when: datetime | None = None) -> str:
    """Give a customer to another 负责人, the reason in the commit message; one commit."""
    if not reason.strip():
        raise FieldError("reason", "转交原因", "请写明为什么转交 (记入提交说明)")
    commit = archive.update_customer(customer_id, {"owner": owner}, reason=reason.strip(), when=when)
    if commit is None:
        raise CusttuiError(f"{customer_id} 的负责人已是 {owner}")
    return commit


@dataclass(slots=True)
class PoolItem:
    """A customer the 公海 rule flags: its 负责人, the last follow-up and when it goes to the pool."""

    customer_id: str
    name: str
    owner: str
    last: date
    evidence: str  # what the last follow-up was
    pool_on: date
    today: date

    @property
    def due_now(self) -> bool:
        return self.today >= self.pool_on

    @property
    def state_text(self) -> str:
        """可转交 (已 N 天未跟进) or N 天后可转交."""
        if self.due_now:
            return f"可转交 (已 {(self.today - self.last).days} 天未跟进)"
        return f"{(self.pool_on - self.today).days} 天后可转交"

    def as_dict(self) -> dict:
        return {
            **{k: x for k, x in vars(self).items() if k != "today"},
            "last": self.last.isoformat(),
            "pool_on": self.pool_on.isoformat(),
            "due_now": self.due_now,
            "state": self.state_text,
        }


def pool(archive: Archive, today: date | None = None) -> list[PoolItem]:
    """Customers past the 公海 rule's period, or within its warning days of it; empty when the
    company's rules do not use it. Those past it first, then by how long they have been quiet."""
    today = today or date.today()
    rules = archive.schema().rules["follow_up"]
    after, warn = rules["pool_after_days"], rules["warn_days"]
    if after <= 0:
        return []
    customers = view.customers(archive)
    if not customers:
        return []
    contacts = last_activity(archive)
    marks = _follow_up_marks(archive)
    found = []
    quiet_since = today - timedelta(days=after - warn)  # followed up before this day: flagged
    for cid, summary in customers.items():
        contact = contacts.get(cid)
        if contact is not None and contact > quiet_since:
            continue  # followed up lately: nothing else to read
        owner, name, first, error = summary.fields("owner", "name", "first_contact", "error")  # one split
        if not owner or error:
            continue
        last, what = contact or date.min, "沟通或交易记录"
        for when, kind in marks.get(cid, ()):
            if when > last:
                last, what = when, kind
        if isinstance(first, date) and first > last:
            last, what = first, "首次接触"
        if date.min < last <= quiet_since:
            found.append(PoolItem(cid, name or "", owner, last, what, last + timedelta(days=after), today))
    return sorted(found, key=lambda item: (item.pool_on, item.customer_id))


def _follow_up_marks(archive: Archive) -> dict[str, list[tuple[date, str]]]:
    """Customer ID -> (date, what) of each follow-up marked done and each change of its 负责人,
    from one ``git log`` of the commits whose trailers say so."""
    head = archive.head()
    if head is None:
        return {}
    found = archive.store.git(
        "log",
        "-E",
        f"--grep=^Custtui-Action: {DONE_ACTION}$",
        "--grep=^Custtui-Fields: (.*, )?owner(,|$)",
        "--format=%x1e%as%x1f%(trailers:key=Custtui-Action,valueonly)%x1f%(trailers:key=Custtui-Customer,valueonly)",
        head,
    ).stdout.decode("utf-8", "replace")
    marks: dict[str, list[tuple[date, str]]] = {}
    for chunk in found.split("\x1e"):
        parts = chunk.strip().split("\x1f")
        if len(parts) != 3 or not parts[2].strip():
            continue
        when, action, customer = date.fromisoformat(parts[0]), parts[1].strip(), parts[2].strip()
        marks.setdefault(customer, []).append((when, "完成跟进" if action == DONE_ACTION else "转交负责人"))
    return marks
