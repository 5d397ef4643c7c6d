"""The audit trail in words: what one commit did, as Chinese lines a staff member can check."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from ..access.reviews import LABELS as REVIEW_LABELS
from ..archive.archive import ROUTINE_TRAILER, Archive, HistoryEntry
from ..base.layout import (
    BOXES_DIR,
    CUSTOMER_FILE,
    CUSTOMERS_DIR,
    DEALS_DIR,
    DOCS_DIR,
    META_SUFFIX,
    NOTES_DIR,
    OFFICES_DIR,
    REVIEWS_DIR,
    RULES_FILE,
    TOML_SUFFIX,
    schema_file,
)
from ..records.boxes import LABELS as BOX_LABELS
from ..records.boxes import STATUS as BOX_STATUS
from ..records.present import DOCUMENT_LABELS, display, document_display, field_label
from ..records.schema import Schema
from . import view

DERIVED = {"stage_history"}  # written by the system alongside the field that changed
EDITED = "修改客户资料"
STEP_ADDED, STEP_REMOVED, STEP_REASON = "阶段历史新增", "阶段历史删除", "变更原因"
UNDONE = {"新增": "删除", "删除": "新增"}  # a file's state after a revert of the commit that made it so


@dataclass
class Change:
    """One thing a commit did (``title``) and, for a record, what it says or how its fields moved."""

    title: str
    details: list[str] = field(default_factory=list)


@dataclass
class RevertPlan:
    """What reverting a commit now would change: each change as the value now → the value after;
    ``stage`` is the customer's stage moving back (now, after), a new step that needs a reason."""

    report: CommitReport
    changes: list[Change]
    stage: tuple[str, str] | None

    @property
    def summary(self) -> str:
        """The changes in one line, for the message after the revert."""
        return "; ".join(
            "; ".join(d for d in c.details if not d.startswith(STEP_ADDED)) if c.title == EDITED else c.title
            for c in self.changes
        )


@dataclass
class CommitReport:
    """A commit as the audit screen shows it: who, when, the message and the changes."""

    commit: str
    author: str
    when: datetime
    message: str
    customer: str | None
    changes: list[Change]


def describe_commit(archive: Archive, commit: str) -> CommitReport:
    """Who made ``commit``, when, and each change in Chinese (field labels, value labels)."""
    info = archive.commit_info(commit)
    commit = info.sha
    changes = [
        (path, _rules_diff(archive, info.parents, commit) if path == schema_file(RULES_FILE) else diff)
        for path, diff in view.changes_in(archive, commit)
    ]
    schema = archive.schema(info.sha)
    by_path = dict(changes)
    described = [change for path, diff in changes if (change := _describe(schema, path, diff, by_path)) is not None]
    body = info.message.strip().rsplit("\n\n", 1)[0] if info.trailers() else info.message.strip()
    trailers = info.trailers()
    fields = [f.strip() for f in trailers.get("Custtui-Fields", "").split(",") if f.strip()]
    shown = view.redacted(archive, commit, info.summary, fields, trailers.get("Custtui-Action"))
    if shown != info.summary:
        body = shown or view.HIDDEN_COMMIT
    return CommitReport(
        info.sha, info.author_name, info.author_time, body, info.trailers().get("Custtui-Customer"), described
    )


def revert_plan(archive: Archive, commit: str) -> RevertPlan:
    """What ``Archive.revert(commit)`` would change now, as this person may read it. Raises what the
    revert would (a later edit of the same field, a missing permission) but for a missing reason.

    A revert puts back the values the commit replaced, and only while each still holds the value
    the commit gave it: its changes are the commit's own the other way round, except the stage
    history, which is never undone but gains the step back (but for a routine's batch, whose steps
    go with it)."""
    archive.check_revert(commit)
    report = describe_commit(archive, commit)
    schema = archive.schema()
    undone: list[tuple[str, list[tuple[str, Any, Any]] | str]] = [
        (
            path,
            [(k, new, old) for k, old, new in diff if k not in DERIVED]
            if isinstance(diff, list)
            else UNDONE.get(diff, diff),
        )
        for path, diff in view.changes_in(archive, report.commit)
        if not path.startswith(f"{OFFICES_DIR}/")  # an office's ID counter never goes back
    ]
    by_path = dict(undone)
    changes, stage = [], None
    batch = ROUTINE_TRAILER in archive.commit_info(report.commit).trailers()  # its stage steps go with it
    for path, diff in undone:
        change = _describe(schema, path, diff, by_path)
        if change is None:
            continue
        moved = next(((now, was) for k, now, was in diff if k == "stage"), None) if isinstance(diff, list) else None
        if change.title == EDITED and moved and not batch:
            stage = (display(schema, "stage", moved[0]) or "(空)", display(schema, "stage", moved[1]) or "(空)")
            change.details.append(f"{STEP_ADDED}: {stage[0]} → {stage[1]} (已有的阶段历史保留)")
        changes.append(change)
    return RevertPlan(report, changes, stage)


def authors(archive: Archive) -> list[str]:
    """Everyone who has committed to the archive, by name."""
    if archive.head() is None:
        return []
    out = archive.store.git("log", "--format=%an", archive.store.branch_ref).stdout.decode("utf-8", "replace")
    return sorted(set(filter(None, out.splitlines())))


def author_pattern(name: str) -> str:
    """An ``Archive.history(author=...)`` pattern for exactly this person (git matches a basic
    regular expression against ``name <email>``, so 张伟 alone would also find 张伟明)."""
    return "^" + re.sub(r"([.\[\]*^$\\])", r"\\\1", name) + " <"


def without_customer(entry: HistoryEntry) -> str:
    """The commit subject minus its customer (``修改 BJ-000001 华信: 规模 …`` → ``修改: 规模 …``; a
    revert's ``撤销 BJ-000001: 修改 BJ-000001 华信: 规模 …`` → ``撤销: 修改: 规模 …``), for lists
    that show the customer in a column of its own."""
    if not entry.customer:
        return entry.summary
    verb, found, rest = entry.summary.partition(f" {entry.customer}")
    if not found:
        return entry.summary
    _, colon, detail = rest.partition(": ")
    if colon and f" {entry.customer}" in detail:
        detail = without_customer(entry._replace(summary=detail))
    return f"{verb}: {detail}" if colon else verb


def _describe(
    schema: Schema, path: str, diff: list[tuple[str, Any, Any]] | str, by_path: dict[str, Any]
) -> Change | None:
    parts = path.split("/")
    if parts[0] == CUSTOMERS_DIR and len(parts) >= 5:
        customer_id, rest = parts[3], parts[4:]
        # a record's diff is its field changes; a file ``changes_in`` did not read as one is told by its path
        if rest == [CUSTOMER_FILE] and isinstance(diff, list):
            return _customer(schema, customer_id, diff)
        if len(rest) == 2 and rest[0] == NOTES_DIR and isinstance(diff, list):
            return _fact(diff, "沟通记录", lambda note: _note_line(schema, note))
        if len(rest) == 2 and rest[0] == DEALS_DIR and isinstance(diff, list):
            return _fact(diff, "交易", _deal_line)
        if len(rest) == 2 and rest[0] == DOCS_DIR:
            return _document(schema, path, rest[1], diff, by_path)
    if parts[0] == OFFICES_DIR and isinstance(diff, list):
        return _office(parts[-1].removesuffix(TOML_SUFFIX), diff)
    if parts[0] == BOXES_DIR and isinstance(diff, list):
        return _box(parts[-1].removesuffix(TOML_SUFFIX), diff)
    if parts[0] == REVIEWS_DIR and isinstance(diff, list):
        return _review(diff)
    if path == schema_file(RULES_FILE) and isinstance(diff, list):
        return Change("修改业务规则", _rule_lines(diff))
    return Change(f"{_state(diff)} 文件 {path}")


def _was_and_is(diff: list[tuple[str, Any, Any]]) -> tuple[dict, dict]:
    """The record before and after, rebuilt from its field changes (enough for a new or removed file)."""
    return ({k: old for k, old, _ in diff if old is not None}, {k: new for k, _, new in diff if new is not None})


def _state(diff: list[tuple[str, Any, Any]] | str) -> str:
    """新增, 删除 or 修改, whether ``changes_in`` read the file as a record or not."""
    if isinstance(diff, str):
        return diff
    before, after = _was_and_is(diff)
    return "新增" if not before else "删除" if not after else "修改"


def _made_or_removed(diff: list[tuple[str, Any, Any]], key: str) -> str:
    """新增, 删除 or 修改: a record made or removed has ``key`` (one every such record has) on one side only."""
    return next(
        ("新增" if old is None else "删除" for k, old, new in diff if k == key and (old is None) != (new is None)),
        "修改",
    )


def _customer(schema: Schema, customer_id: str, diff: list[tuple[str, Any, Any]]) -> Change:
    state = _made_or_removed(diff, "id")
    if state != "修改":
        before, after = _was_and_is(diff)
        record = after or before
        title = f"{'新建客户' if after else '删除客户'} {customer_id} {record.get('name', '')}".rstrip()
        return Change(
            title,
            [
                f"{field_label(schema, k)}: {display(schema, k, v)}"
                for k, v in record.items()
                if k not in DERIVED | {"id"}
            ],
        )
    moved = [_moved(schema, k, old, new) for k, old, new in diff if k not in DERIVED]
    return Change(EDITED, moved + _steps(schema, diff))


def _steps(schema: Schema, diff: list[tuple[str, Any, Any]]) -> list[str]:
    """The stage history's new and removed steps. The one new step of the stage change just above
    is told by its reason alone."""
    was, became = next(((old or [], new or []) for k, old, new in diff if k == "stage_history"), ([], []))
    added = [step for step in became if step not in was]
    stage = next(((old, new) for k, old, new in diff if k == "stage"), None)
    if len(added) == 1 and stage == (added[0].get("from"), added[0].get("to")):
        return [f"{STEP_REASON}: {added[0]['reason']}"] if added[0].get("reason") else []
    return [f"{STEP_ADDED}: {_step(schema, step)}" for step in added] + [
        f"{STEP_REMOVED}: {_step(schema, step)}" for step in was if step not in became
    ]


def _step(schema: Schema, step: dict) -> str:
    """``2026-03-18 稳定合作客户 → 终止合作客户 (张伟), 原因: 交货延迟…``."""
    was, became = (display(schema, "stage", step.get(k)) or "(空)" for k in ("from", "to"))
    by = f" ({step['by']})" if step.get("by") else ""
    return f"{step.get('date', '')} {was} → {became}{by}" + (f", 原因: {step['reason']}" if step.get("reason") else "")


def _moved(schema: Schema, key: str, old: Any, new: Any) -> str:
    if key == "follow_up":
        return _follow_up_moved(schema, old, new)
    return f"{field_label(schema, key)}: {display(schema, key, old) or '(空)'} → {display(schema, key, new) or '(空)'}"


def _follow_up_moved(schema: Schema, old: dict | None, new: dict | None) -> str:
    """``下次跟进: 设为 …``, ``… 已清除 (原为 …)`` or ``回访报价 推迟 2026-12-05 → 2026-12-12``."""
    label, shown = field_label(schema, "follow_up"), (lambda step: display(schema, "follow_up", step))
    if not old:
        return f"{label}: 设为 {shown(new)}"
    if not new:
        return f"{label}: 已清除 (原为 {shown(old)})"

    def same_step(step: dict) -> dict:
        return {k: x for k, x in step.items() if k not in ("date", "set_by")}

    if same_step(old) == same_step(new):
        moved = "推迟" if str(new.get("date")) > str(old.get("date")) else "提前"
        return f"{label}: {new.get('action', '')} {moved} {old.get('date')} → {new.get('date')}"
    return f"{label}: {shown(old)} → {shown(new)}"


def _fact(diff: list[tuple[str, Any, Any]], noun: str, line) -> Change:
    """A note or a deal: added, or removed by a revert (the app never edits one in place)."""
    before, after = _was_and_is(diff)
    title, details = line(after or before)
    return Change(f"{_state(diff)} {noun} {title}", details)


def _note_line(schema: Schema, note: dict) -> tuple[str, list[str]]:
    """``2024-03-15 10:30 电话`` and the note's content."""
    when = note.get("time")
    shown = [f"{when:%Y-%m-%d %H:%M}" if isinstance(when, datetime) else str(when or "")]
    if note.get("channel"):
        shown.append(schema.label("channel", note["channel"]))
    return " ".join(filter(None, shown)), [note["content"]] if note.get("content") else []


def _deal_line(deal: dict) -> tuple[str, list[str]]:
    """``2024-01-05 625,000.00 元 数控车床``."""
    amount = f"{Decimal(str(deal['amount'])):,.2f} 元" if deal.get("amount") is not None else ""
    return " ".join(str(x) for x in (deal.get("date", ""), amount, deal.get("product", "")) if x), []


def _document(
    schema: Schema, path: str, name: str, diff: list[tuple[str, Any, Any]] | str, by_path: dict[str, Any]
) -> Change | None:
    """A document and its ``.meta.toml`` travel together: one line for both."""
    if not name.endswith(META_SUFFIX):
        if path + META_SUFFIX in by_path:
            return None  # told with its metadata
        return Change(f"{ {'新增': '归档', '删除': '删除'}.get(_state(diff), '替换内容') } 文档 {name}")
    if isinstance(diff, str):  # metadata not read as a record (``changes_in`` reads every .toml as one)
        return Change(f"{_state(diff)} 文件 {path}")
    document = name.removesuffix(META_SUFFIX)
    before, after = _was_and_is(diff)
    if _made_or_removed(diff, "sha256") == "修改":
        return Change(
            f"修改 文档 {document} 的资料信息",
            [
                f"{DOCUMENT_LABELS.get(k, k)}: {document_display(schema, k, old) or '(空)'}"
                f" → {document_display(schema, k, new) or '(空)'}"
                for k, old, new in diff
            ],
        )
    meta = after or before
    kind = document_display(
        schema, "doc_type" if meta.get("doc_type") else "info_type", meta.get("doc_type") or meta.get("info_type")
    )
    return Change(f"{'归档' if after else '删除'} 文档 {document}", [kind] if kind else [])


def _box(number: str, diff: list[tuple[str, Any, Any]]) -> Change:
    """A box of the paper register registered, removed, or its fields changed (a status by its label)."""
    before, after = _was_and_is(diff)
    if not before or not after:
        return Change(f"{'登记' if after else '删除'}档案盒 {number}")

    def shown(key: str, value: Any) -> str:
        text = (
            BOX_STATUS.get(value, value) if key == "status" else "、".join(value) if isinstance(value, list) else value
        )
        return "(空)" if value in (None, "", []) else str(text)

    changed = "; ".join(f"{BOX_LABELS.get(k, k)} {shown(k, old)}→{shown(k, new)}" for k, old, new in diff)
    return Change(f"档案盒 {number}: {changed}")


def _review(diff: list[tuple[str, Any, Any]]) -> Change:
    """An access review signed (or, by a revert, withdrawn): its period and what it saw."""
    before, after = _was_and_is(diff)
    record = after or before
    title = f"{'签署' if after else '撤回'}访问权限复核 {record.get('period', '')}".rstrip()
    shown = ("reviewer", "people", "flags", "note")
    details = [
        f"{REVIEW_LABELS[k]}: {len(record[k]) if k == 'flags' else record[k]}"
        for k in shown
        if record.get(k) not in (None, "")
    ]
    return Change(title, details)


def _rules_diff(archive: Archive, parents: tuple[str, ...], commit: str) -> list[tuple[str, Any, Any]]:
    """rules.toml's sections before and after ``commit`` (the file a schema diff leaves unread)."""
    import tomllib

    def read(at: str | None) -> dict:
        raw = archive.store.read(at, schema_file(RULES_FILE)) if at else None
        return tomllib.loads(raw.decode("utf-8")) if raw else {}

    before, after = read(parents[0] if parents else None), read(commit)
    return [(k, before.get(k), after.get(k)) for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]


def _rule_lines(diff: list[tuple[str, Any, Any]]) -> list[str]:
    """Each rule that moved, as ``section.key old → new`` (a section is a table of rules)."""

    def flat(prefix: str, value: Any) -> dict[str, Any]:
        if isinstance(value, dict):
            return {k: v for key, inner in value.items() for k, v in flat(f"{prefix}.{key}", inner).items()}
        return {prefix: value}

    lines = []
    for section, old, new in diff:
        was, now = flat(section, old), flat(section, new)
        for key in dict.fromkeys([*was, *now]):
            if was.get(key) != now.get(key):
                lines.append(f"{key} {_rule_value(was.get(key))} → {_rule_value(now.get(key))}")
    return lines


def _rule_value(value: Any) -> str:
    if value is None:
        return "(无)"
    return "、".join(map(str, value)) if isinstance(value, list) else str(value)


def _office(code: str, diff: list[tuple[str, Any, Any]]) -> Change | None:
    """A new office is news; its ID counter moving on with each new customer is not."""
    before, after = _was_and_is(diff)
    if before or not after:
        return None
    return Change(f"登记办事处 {code} {after.get('name', '')}".rstrip())
