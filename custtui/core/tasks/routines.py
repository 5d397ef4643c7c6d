"""The routines of the calendar as reviewable batches: each computes proposals with their
evidence, a person accepts all, some or none, and the accepted ones become one commit that
names the routine and the period (``Custtui-Routine``, ``Custtui-Period``), so ``revert``
undoes the whole batch.

A period is written the way people say it: ``2026-11`` (monthly), ``2026-Q3`` (quarterly),
``2026-H2`` (half-yearly). A routine looks at the archive as of the period's last day, or today
when the period is still running.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from datetime import date, timedelta
from typing import Any, NamedTuple

from ..archive.archive import Archive
from ..base.errors import CusttuiError
from ..base.layout import CUSTOMER_FILE
from ..index import facts as archive_facts
from ..index.facts import Facts
from ..index.listing import Summary
from ..records.records import customer_dir, dumps
from ..records.schema import Schema
from . import view

ROUTINES = {"monthly": "月度复核", "quarterly": "季度价值评估", "halfyear": "半年度复核"}
ALIASES = {"月度": "monthly", "季度": "quarterly", "半年度": "halfyear", "半年": "halfyear"}
ACTION = "routine"
ROUTINE_TRAILER, PERIOD_TRAILER = "Custtui-Routine", "Custtui-Period"
_PERIOD = {
    "monthly": re.compile(r"^(\d{4})-(\d{1,2})$"),
    "quarterly": re.compile(r"^(\d{4})-?[Qq]([1-4])$"),
    "halfyear": re.compile(r"^(\d{4})-?[Hh]([12])$"),
}
_EXAMPLE = {"monthly": "2026-11", "quarterly": "2026-Q3", "halfyear": "2026-H2"}
_MONTHS = {"monthly": 1, "quarterly": 3, "halfyear": 6}


class Proposal(NamedTuple):
    """One field of one customer a routine proposes to change, and why."""

    customer_id: str
    name: str
    field: str  # a customer field: status, stage, value_tier, grade
    old: Any  # what the record holds now (None: empty)
    new: Any
    evidence: str  # in Chinese: 最近联系 2025-05-01 (215 天前)


class Finding(NamedTuple):
    """Something a routine reports for a person to look at, not a change it can make."""

    customer_id: str
    name: str
    kind: str  # in Chinese: 缺少必填项, 联系方式待核实, 疑似重复, 资料保管到期
    detail: str


class Period(NamedTuple):
    routine: str
    text: str  # 2026-Q3
    start: date
    end: date  # the period's last day

    def as_of(self, today: date) -> date:
        """The day the routine judges by: the period's last day, or today while it runs."""
        return min(self.end, today)


class Routine(NamedTuple):
    """A routine's result for one period."""

    period: Period
    as_of: date
    proposals: list[Proposal]
    findings: list[Finding]

    @property
    def label(self) -> str:
        return f"{ROUTINES[self.period.routine]} {self.period.text}"


def routine_code(text: str) -> str:
    """A routine's code from its code or its Chinese name."""
    wanted = text.strip()
    for code, label in ROUTINES.items():
        if wanted in (code, label):
            return code
    if wanted in ALIASES:
        return ALIASES[wanted]
    raise CusttuiError(f"没有名为「{wanted}」的例行复核: 可用 monthly 月度、quarterly 季度、halfyear 半年度")


def period(routine: str, text: str | None = None, today: date | None = None) -> Period:
    """The period ``text`` names (``2026-Q3``), or the one ``today`` falls in."""
    months = _MONTHS[routine]
    if text is None:
        day = today or date.today()
        year, index = day.year, (day.month - 1) // months + 1
    else:
        found = _PERIOD[routine].match(text.strip())
        if not found or not 1 <= int(found[2]) <= 12 // months:
            raise CusttuiError(f"期间「{text}」无法识别: {ROUTINES[routine]}的期间写作 {_EXAMPLE[routine]}")
        year, index = int(found[1]), int(found[2])
    first_month = (index - 1) * months + 1
    start = date(year, first_month, 1)
    after = date(year + 1, 1, 1) if first_month + months > 12 else date(year, first_month + months, 1)
    shown = {"monthly": f"{year}-{index:02d}", "quarterly": f"{year}-Q{index}", "halfyear": f"{year}-H{index}"}
    return Period(routine, shown[routine], start, after - timedelta(days=1))


def field_label(schema: Schema, code: str) -> str:
    """A customer field's Chinese name (its code when the schema has no such field)."""
    found = schema.field(code)
    return found.label if found else code


def value_label(schema: Schema, code: str, value: Any) -> str:
    """A proposed or stored value as people read it: the label of its dimension, 未填 when empty."""
    if value in (None, ""):
        return "未填"
    found = schema.field(code)
    return schema.label(found.dimension, str(value)) if found and found.dimension else str(value)


def accept(archive: Archive, routine: Routine, chosen: list[Proposal]) -> str | None:
    """Write the chosen proposals as one commit; a field someone changed since the routine read
    it is left as they set it. Returns the commit, or None when nothing was left to write."""
    if not chosen:
        return None
    by_customer: dict[str, list[Proposal]] = {}
    for proposal in chosen:
        by_customer.setdefault(proposal.customer_id, []).append(proposal)

    def build(head: str | None) -> tuple[dict[str, bytes], str] | None:
        validator = archive.validator(head)
        files: dict[str, bytes] = {}
        written: Counter[str] = Counter()
        for cid, proposals in by_customer.items():
            current = archive.customer(cid, head)
            record = dict(current)
            for p in proposals:
                if current.get(p.field) != p.old:
                    continue  # changed meanwhile: leave their decision
                record[p.field] = p.new
                written[p.field] += 1
            if record == current:
                continue
            if record.get("stage") != current.get("stage"):
                archive.add_stage_step(current, record, routine.label, None)
            files[f"{customer_dir(cid)}/{CUSTOMER_FILE}"] = dumps(validator.customer(record), validator.field_order())
        if not files:
            return None
        schema = validator.schema
        detail = "、".join(f"{field_label(schema, f)} {n} 项" for f, n in written.items())
        detail += f", 共 {len(files)} 个客户"
        message = archive.commit_message(
            ROUTINES[routine.period.routine],
            None,
            None,
            f"{routine.period.text} {detail}",
            ACTION,
            sorted(written),
            (f"{ROUTINE_TRAILER}: {routine.period.routine}", f"{PERIOD_TRAILER}: {routine.period.text}"),
        )
        return files, message

    return archive.commit_change(build)


def run(archive: Archive, routine: str, period_text: str | None = None, today: date | None = None) -> Routine:
    """Compute a routine (its code or Chinese name) for a period (the current one when None)."""
    code = routine_code(routine)
    today = today or date.today()
    span = period(code, period_text, today)
    as_of = span.as_of(today)
    return {"monthly": monthly}[code](archive, span, as_of)


# --- status: 活跃 → 沉睡 → 流失 → 历史客户, and back to 活跃 when contact resumes ------------

_SEVERITY = ("active", "dormant", "lost", "history")


def status_for(days_quiet: int, rules: dict) -> str:
    """The status a quiet spell of ``days_quiet`` days implies by the archive's periods."""
    periods = rules["status"]
    if days_quiet >= periods["history_after_days"]:
        return "history"
    if days_quiet >= periods["lost_after_days"]:
        return "lost"
    if days_quiet >= periods["dormant_after_days"]:
        return "dormant"
    return "active"


def _moves(current: str, suggested: str) -> bool:
    """Quiet time only ever deepens a status; recent contact reactivates (沉睡/流失 → 活跃)."""
    if suggested == "active":
        return current != "active"
    if current not in _SEVERITY:
        return False
    return _SEVERITY.index(suggested) > _SEVERITY.index(current)


def last_contacts(listed: dict[str, Summary], facts: Facts, as_of: date) -> dict[str, date]:
    """Customer ID -> its last contact up to ``as_of``: the newest of the first contact, the
    notes and the deals."""
    found = {}
    for cid, summary in listed.items():
        days = facts.contacts.get(cid, [])
        newest = days[bisect_right(days, as_of) - 1] if days and days[0] <= as_of else None
        dates = [d for d in (newest, summary.get("first_contact")) if isinstance(d, date) and d <= as_of]
        if dates:
            found[cid] = max(dates)
    return found


def status_moves(
    listed: dict[str, Summary], facts: Facts, as_of: date, rules: dict, into: tuple[str, ...] = _SEVERITY
) -> list[Proposal]:
    """Customers whose status differs from what their last contact implies, moving only into
    ``into``; a customer whose record does not parse is left to ``custtui check``."""
    proposals = []
    last_of = last_contacts(listed, facts, as_of)
    for cid in sorted(last_of):
        stored, name, error = listed[cid].fields("status", "name", "error")
        last = last_of[cid]
        quiet = (as_of - last).days
        suggested = status_for(quiet, rules)
        if not error and suggested in into and _moves(stored or "active", suggested):
            evidence = f"最近联系 {last.isoformat()} ({quiet} 天前)"
            proposals.append(Proposal(cid, name or "", "status", stored, suggested, evidence))
    return proposals


# --- stage: 潜在 → 签约 → 稳定合作 → 终止合作, from evidence, never backwards ----------------


def _stage_order(schema: Schema) -> dict[str, int]:
    return {v.code: i for i, v in enumerate(schema.dimension("stage").values)}


def stage_moves(listed: dict[str, Summary], facts: Facts, as_of: date, schema: Schema) -> list[Proposal]:
    """Stage proposals from what the folder holds up to ``as_of``: a document whose type means
    signed (a contract, a signing page …) for a 潜在 customer → 签约; at least
    ``stable_min_deals`` transactions within ``stable_window_days`` for a 签约 customer → 稳定合作;
    a document whose type means terminated (a termination agreement …) → 终止合作. A move is
    proposed only forward in the stage dimension's order, so evidence never undoes a later stage."""
    rules = schema.rules["routines"]
    order = _stage_order(schema)
    stage_of = {code: d.stage for code, d in schema.doc_types.items() if d.stage}
    window_start = as_of - timedelta(days=rules["stable_window_days"])
    proposals = []
    for cid in sorted(listed):
        stage, name, error = listed[cid].fields("stage", "name", "error")
        if error:
            continue
        stage = stage or "potential"
        found: dict[str, str] = {}  # target stage -> evidence, the newest document
        for doc in facts.documents.get(cid, ()):
            target = stage_of.get(doc.doc_type or "")
            if target in ("signed", "terminated") and (doc.day is None or doc.day <= as_of):
                label = schema.doc_types[doc.doc_type or ""].label
                number = f" {doc.number}" if doc.number else ""
                when = f" 签订 {doc.day.isoformat()}" if doc.day else " (未注明日期)"
                found[target] = f"{label}{number}{when}: {doc.name}"
        recent = [d for d in facts.deals.get(cid, ()) if window_start < d.day <= as_of]
        if stage == "signed" and len(recent) >= rules["stable_min_deals"]:
            found.setdefault("stable", f"近 {rules['stable_window_days']} 天 {len(recent)} 笔交易")
        for target in ("terminated", "stable", "signed"):  # the furthest the evidence reaches
            if target not in found or target not in order or stage not in order:
                continue
            allowed = {"signed": stage == "potential", "stable": stage == "signed", "terminated": True}[target]
            if allowed and order[target] > order[stage]:
                proposals.append(Proposal(cid, name or "", "stage", listed[cid].get("stage"), target, found[target]))
                break
    return proposals


def monthly(archive: Archive, span: Period, as_of: date) -> Routine:
    """The monthly reclassification: status moves by last contact (沉睡, 流失, and 活跃 again when
    contact resumed; 历史客户 is the half-yearly review's) and stage moves from evidence."""
    schema = archive.schema()
    listed = view.customers(archive)
    facts = archive_facts.read(archive.store, archive.head())
    proposals = status_moves(listed, facts, as_of, schema.rules, ("active", "dormant", "lost"))
    proposals += stage_moves(listed, facts, as_of, schema)
    return Routine(span, as_of, sorted(proposals, key=lambda p: (p.customer_id, p.field)), [])
