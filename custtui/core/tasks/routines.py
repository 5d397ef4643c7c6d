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
from collections import Counter
from datetime import date, timedelta
from typing import Any, NamedTuple

from ..archive.archive import Archive
from ..base.errors import CusttuiError
from ..base.layout import CUSTOMER_FILE
from ..records.records import customer_dir, dumps

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
        detail = "、".join(f"{schema.field(f).label if schema.field(f) else f} {n} 项" for f, n in written.items())
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
