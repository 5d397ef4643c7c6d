"""The access review (权限复核), every quarter or half year: who may see and change what, and when
each person last used the archive; signing it off is one commit.

``report`` reads the staff registry and the policy at the head: for each person their roles,
status (在职 or 已停用), what they may view and edit (information type → highest sensitivity), what is
masked for them and their other permissions, with their last use from this copy's access log
and their last commit (one ``git log`` over the branch: 2.2 s of git at 200,000 commits, measured;
the access log is read once, whole). It flags what a reviewer looks for: a
person who left but still has keys or roles, no use in ``idle_days``, roles with rights such as
export, unmask or delete, a role nobody holds; and what changed since the last signed review.
Only who may read the access log or manage staff may run it (``rights.REVIEW_PERMISSIONS``).

``sign`` records the sign-off as ``reviews/access-<period>.toml`` (``access.reviews``): the
reviewer, the day, the period, the commit the report read, a digest of the report and the flags
it raised, and the reviewer's note. The gate and ``custtui check`` validate it like any record.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from ..access import access_log
from ..access.policy import MASKS, PERMISSIONS, SENSITIVITY, PermissionDenied, Policy
from ..access.registry import Person, access_of, lookup
from ..access.reviews import MAX_FLAGS, Review, review_bytes, review_record, stored_review
from ..access.rights import REVIEW_PERMISSIONS
from ..archive.archive import Archive
from ..base.errors import CusttuiError
from ..base.layout import POLICY_FILE, REVIEWS_DIR, STAFF_DIR, review_file, schema_file
from ..records.schema import Schema
from ..store.repo import Changes
from . import routines, tables

IDLE_DAYS = 90  # no use in this many days is flagged (the seeds ask for a review every quarter)
# the permissions a reviewer looks at twice: each role holding one is flagged
WATCHED = ("export", "unmask", "delete", "manage_staff", "edit_schema", "replicate")
NOT_USE = ("refused", "invalid")  # access-log entries that are not someone using the archive
ACTION = "access_review"
TITLE = "访问权限复核"


class LastUse(NamedTuple):
    """A person's latest entry in the access log."""

    when: datetime
    action: str  # as people read it: 查看, 导出, 查看未打码的个人信息 …
    target: str


class LastCommit(NamedTuple):
    commit: str
    when: datetime
    subject: str


class PersonAccess(NamedTuple):
    """One person of the registry as the review shows them."""

    id: str
    name: str
    department: str
    roles: tuple[str, ...]  # role labels
    active: bool
    keys: int
    view: tuple[str, ...]  # 基础信息 内部, …: an information type and the highest sensitivity
    edit: tuple[str, ...]
    masked: tuple[str, ...]  # 身份证号, 电话, 金额
    may: tuple[str, ...]  # permission codes
    last_use: LastUse | None
    last_commit: LastCommit | None
    flags: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.name} ({self.id})"

    @property
    def status(self) -> str:
        return "在职" if self.active else "已停用"


class RoleHolders(NamedTuple):
    code: str
    label: str
    holders: tuple[str, ...]  # active people holding it, by label
    may: tuple[str, ...]  # permission codes
    flags: tuple[str, ...]


class Moved(NamedTuple):
    """Something that changed in the registry or the policy since the last signed review."""

    kind: str  # 新登记, 已停用, 重新启用, 移出名册, 角色变更, 公钥变更, 权限修改
    who: str
    detail: str


class Report(NamedTuple):
    commit: str  # the head whose registry and policy were read
    as_of: date
    idle_days: int
    people: list[PersonAccess]
    roles: list[RoleHolders]
    last: Review | None  # the last signed review, if any
    moved: list[Moved]  # since ``last``

    @property
    def flags(self) -> list[str]:
        """Every flag, person by person, then role by role."""
        return [f"{p.label}: {f}" for p in self.people for f in p.flags] + [
            f"角色 {r.label} ({r.code}): {f}" for r in self.roles for f in r.flags
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "commit": self.commit,
            "as_of": self.as_of,
            "idle_days": self.idle_days,
            "people": [
                {
                    **{k: v for k, v in p._asdict().items() if k not in ("last_use", "last_commit")},
                    "permissions": [PERMISSIONS[m] for m in p.may],
                    "last_use": p.last_use._asdict() if p.last_use else None,
                    "last_commit": p.last_commit._asdict() if p.last_commit else None,
                }
                for p in self.people
            ],
            "roles": [r._asdict() for r in self.roles],
            "flags": self.flags,
            "last_review": self.last._asdict() if self.last else None,
            "since_last_review": [m._asdict() for m in self.moved],
        }

    @property
    def digest(self) -> str:
        """``sha256:…`` of the report as shown (``as_dict``): what a sign-off says it signed."""
        text = json.dumps(self.as_dict(), ensure_ascii=False, sort_keys=True, default=lambda v: v.isoformat())
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()

    def text(self) -> str:
        """The report as the command line prints it."""
        lines = [
            f"{TITLE}  {self.as_of}  (依据提交 {self.commit[:10]}, {len(self.people)} 人, "
            f"{self.idle_days} 天未使用即提示)",
            "访问日志只记本副本的使用; 最近提交来自整个档案的历史。",
        ]
        if self.last:
            lines.append(f"上次签署: {self.last.period}, 复核人 {self.last.reviewer}, {self.last.date}")
            lines.append("自上次签署以来的变动:")
            lines += [f"  {m.kind}  {m.who}: {m.detail}" for m in self.moved] or ["  (无变动)"]
        else:
            lines.append("此前没有签署过的访问权限复核")
        lines.append("")
        for p in self.people:
            lines += [
                f"{p.label}  {p.department}  {p.status}  角色: {'、'.join(p.roles) or '(无)'}  公钥 {p.keys} 把",
                f"  可查看: {'、'.join(p.view) or '(无)'}",
                f"  可修改: {'、'.join(p.edit) or '(无)'}",
                f"  打码: {'、'.join(p.masked) or '(无)'}   其他权限: {permission_text(p.may)}",
                f"  最近使用: {use_text(p.last_use)}   最近提交: {commit_text(p.last_commit)}",
            ]
            lines += [f"  ! {f}" for f in p.flags]
        lines += ["", "角色:"]
        for r in self.roles:
            powers = "、".join(PERMISSIONS[m] for m in r.may) or "(无其他权限)"
            lines.append(f"  {r.label} ({r.code}): {len(r.holders)} 人 {'、'.join(r.holders)}  {powers}")
        flags = self.flags
        lines += ["", f"提示 {len(flags)} 项:" if flags else "没有需要提示的事项"] + [f"  - {f}" for f in flags]
        return "\n".join(lines)

    def table(self) -> tables.Table:
        """One row a person, for XLSX or CSV."""
        header = (
            *("账号", "姓名", "部门", "状态", "角色", "可查看", "可修改", "打码", "其他权限"),
            *("最近使用", "使用方式", "最近提交", "提示"),
        )
        rows = [
            [
                p.id,
                p.name,
                p.department,
                p.status,
                "、".join(p.roles),
                "、".join(p.view),
                "、".join(p.edit),
                "、".join(p.masked),
                "、".join(PERMISSIONS[m] for m in p.may),
                f"{p.last_use.when:%Y-%m-%d %H:%M}" if p.last_use else "",
                p.last_use.action if p.last_use else "",
                f"{p.last_commit.when:%Y-%m-%d %H:%M}" if p.last_commit else "",
                "; ".join(p.flags),
            ]
            for p in self.people
        ]
        return tables.Table(f"{TITLE} {self.as_of}", header, rows, personal=True)


def permission_text(may: tuple[str, ...]) -> str:
    return "、".join(PERMISSIONS[m] for m in may) or "(无)"


def use_text(use: LastUse | None) -> str:
    return f"{use.when:%Y-%m-%d %H:%M} {use.action}" if use else "(无记录)"


def commit_text(commit: LastCommit | None) -> str:
    return f"{commit.when:%Y-%m-%d} {commit.subject}" if commit else "(无)"


# --- who may run it ----------------------------------------------------------------------------


def require_reviewer(archive: Archive, commit: str | None = None) -> None:
    """Refuse, in words, anyone who may neither read the access log nor manage staff, and an
    archive without a staff registry (where everyone may do everything: nothing to review)."""
    if not archive.registry(commit):
        raise CusttuiError("本档案没有员工名册: 所有人都不受限制, 没有可复核的权限 (登记员工: custtui staff add …)")
    access = archive.access_for(archive.user, commit)
    if not any(access.may(p) for p in REVIEW_PERMISSIONS):
        wanted = " 或 ".join(f"「{PERMISSIONS[p]}」({p})" for p in REVIEW_PERMISSIONS)
        raise PermissionDenied(
            f"访问权限复核需要权限{wanted}: {access.person or '当前用户'} 的角色 {access.label} 都没有"
        )


# --- the report ----------------------------------------------------------------------------------


def report(archive: Archive, *, idle_days: int = IDLE_DAYS, today: date | None = None) -> Report:
    """The review of everyone in the registry at the head, as of ``today``."""
    if idle_days < 1:
        raise CusttuiError(f"未使用的天数应为正整数, 实为 {idle_days}")
    head = archive.head()
    require_reviewer(archive, head)
    assert head is not None, "a registry lives in a commit"
    today = today or date.today()
    people, policy, schema = archive.registry(head), archive.policy(head), archive.schema(head)
    uses = last_uses(archive, people)
    commits = last_commits(archive, people, head)
    idle_since = datetime.combine(today - timedelta(days=idle_days), datetime.min.time()).astimezone()
    rows = [
        _person(person, policy, schema, uses.get(person.id), commits.get(person.id), idle_since, idle_days)
        for person in sorted(people.values(), key=lambda p: (not p.active, p.department, p.id))
    ]
    roles = _roles(policy, people)
    last = last_review(archive, head)
    moved = since(archive, last.commit, head) if last else []
    return Report(head, today, idle_days, rows, roles, last, moved)


def last_review(archive: Archive, head: str) -> Review | None:
    """The sign-off written last (its file added by the newest commit that added one), or None;
    a damaged one counts as none (``custtui check`` reports it)."""
    out = archive.store.git(
        "log", "-1", "--diff-filter=A", "--format=", "--name-only", head, "--", f"{REVIEWS_DIR}/"
    ).stdout.decode("utf-8", "replace")
    path = next(iter(out.split()), None)
    raw = archive.store.read(head, path) if path else None
    if path is None or raw is None:
        return None
    try:
        return stored_review(raw, path)
    except CusttuiError:
        return None


def last_uses(archive: Archive, people: dict[str, Person]) -> dict[str, LastUse]:
    """Each person's latest entry in the access log (by staff ID, else by name), refusals and
    unreadable lines aside."""
    found: dict[str, LastUse] = {}
    for entry in access_log.entries(archive):
        if entry.get("action") in NOT_USE:
            continue
        # str(): a hand-edited line may hold anything that is JSON
        person = people.get(str(entry.get("account", ""))) or lookup(people, str(entry.get("person", "")))
        try:
            when = datetime.fromisoformat(entry["time"])
        except (KeyError, TypeError, ValueError):
            continue
        when = when if when.tzinfo else when.astimezone()
        if person is not None and (person.id not in found or found[person.id].when <= when):
            action = access_log.ACTIONS.get(entry.get("action", ""), str(entry.get("action", "")))
            found[person.id] = LastUse(when, action, str(entry.get("target", "")))
    return found


def last_commits(archive: Archive, people: dict[str, Person], head: str) -> dict[str, LastCommit]:
    """Each person's latest commit up to ``head``, by the staff ID in the author's address, from
    one ``git log`` (newest first: the first commit seen of an ID is its last)."""
    out = archive.store.git("log", "--format=%H%x1f%ae%x1f%aI%x1f%s", head).stdout
    found: dict[str, LastCommit] = {}
    for line in out.decode("utf-8", "replace").splitlines():
        sha, email, when, subject = line.split("\x1f", 3)
        account = email.partition("@")[0]
        if account in people and account not in found:
            found[account] = LastCommit(sha, datetime.fromisoformat(when), subject)
        if len(found) == len(people):
            break
    return found


def _levels(schema: Schema, levels: dict[str, str]) -> tuple[str, ...]:
    return tuple(
        f"{schema.info_types[t].label if t in schema.info_types else t} {schema.label('sensitivity', s)}"
        for t, s in levels.items()
    )


def _person(
    person: Person,
    policy: Policy,
    schema: Schema,
    use: LastUse | None,
    commit: LastCommit | None,
    idle_since: datetime,
    idle_days: int,
) -> PersonAccess:
    roles = [policy.roles[code] for code in person.roles if code in policy.roles]
    view: dict[str, str] = {}
    edit: dict[str, str] = {}
    for role in roles:  # a person may what any of their roles may: the highest level of each type
        for merged, levels in ((view, role.view), (edit, role.edit)):
            for info_type, level in levels.items():
                if info_type not in merged or SENSITIVITY.index(level) > SENSITIVITY.index(merged[info_type]):
                    merged[info_type] = level
    access = access_of(person._replace(active=True), policy)  # what the roles grant, active or not
    may = tuple(p for p in PERMISSIONS if access.may(p))
    masked = tuple(label for kind, label in MASKS.items() if access.masked(kind))
    flags = []
    if not person.active and (person.keys or person.roles):
        held = []
        if person.keys:
            held.append(f" {len(person.keys)} 把公钥")
        if person.roles:
            held.append(f"角色 {'、'.join(policy.roles[c].label if c in policy.roles else c for c in person.roles)}")
        flags.append(f"已停用, 但仍登记有{'和'.join(held)}")
    unknown = [code for code in person.roles if code not in policy.roles]
    if unknown:
        flags.append(f"角色 {'、'.join(unknown)} 未在 {schema_file(POLICY_FILE)} 中定义")
    seen = max((t.when for t in (use, commit) if t is not None), default=None)
    if person.active and seen is None:
        flags.append("从未使用 (本副本的访问日志和档案历史中都没有记录)")
    elif person.active and seen is not None and seen < idle_since:
        flags.append(f"{idle_days} 天以上未使用 (最近一次 {seen:%Y-%m-%d})")
    return PersonAccess(
        person.id,
        person.name,
        person.department,
        tuple(r.label for r in roles) + tuple(unknown),
        person.active,
        len(person.keys),
        _levels(schema, view),
        _levels(schema, edit),
        masked,
        may,
        use,
        commit,
        tuple(flags),
    )


def _roles(policy: Policy, people: dict[str, Person]) -> list[RoleHolders]:
    rows = []
    for code, role in policy.roles.items():
        holders = tuple(p.label for p in people.values() if p.active and code in p.roles)
        may = tuple(p for p in PERMISSIONS if p in role.may)
        flags = []
        watched = [PERMISSIONS[p] for p in WATCHED if p in role.may]
        if watched and holders:
            flags.append(f"有权限 {'、'.join(watched)}, {len(holders)} 人持有")
        if not holders:
            flags.append("无在职人员持有")
        rows.append(RoleHolders(code, role.label, holders, may, tuple(flags)))
    return rows


def since(archive: Archive, before: str, after: str) -> list[Moved]:
    """What changed in the registry and the policy from commit ``before`` to ``after``."""
    then, now = archive.registry(before), archive.registry(after)
    moved = []
    for pid in sorted(set(then) | set(now)):
        old, new = then.get(pid), now.get(pid)
        if old is None and new is not None:
            moved.append(Moved("新登记", new.label, f"{new.department}, 角色 {'、'.join(new.roles) or '(无)'}"))
        elif new is None and old is not None:
            moved.append(Moved("移出名册", old.label, ""))
        elif old is not None and new is not None:
            if old.active != new.active:
                moved.append(Moved("已停用" if old.active else "重新启用", new.label, ""))
            if old.roles != new.roles:
                moved.append(Moved("角色变更", new.label, f"{'、'.join(old.roles)} → {'、'.join(new.roles)}"))
            if set(old.keys) != set(new.keys):
                moved.append(Moved("公钥变更", new.label, f"{len(old.keys)} 把 → {len(new.keys)} 把"))
    policy = schema_file(POLICY_FILE)
    if archive.store.entry(before, policy) != archive.store.entry(after, policy):
        moved.append(Moved("权限修改", policy, "角色的查看、修改、打码或其他权限有改动"))
    return moved


# --- the sign-off ----------------------------------------------------------------------------------


def review_period(text: str | None = None, today: date | None = None) -> routines.Period:
    """The quarter (``2026-Q4``) or half year (``2026-H2``) ``text`` names; the quarter of
    ``today`` when none is given."""
    if text is None:
        return routines.period("quarterly", None, today)
    for routine in ("quarterly", "halfyear"):
        try:
            return routines.period(routine, text)
        except CusttuiError:
            continue
    raise CusttuiError(f"期间「{text}」无法识别: 写作季度 2026-Q4 或半年度 2026-H2")


def sign(archive: Archive, signed: Report, *, note: str = "", period: str | None = None) -> str:
    """Record the sign-off of ``signed`` as one commit of ``reviews/access-<period>.toml``.
    Refused when the registry or the policy changed since the report read them (review the
    report again), when the period is already signed or has not begun."""
    chosen = review_period(period, signed.as_of)
    if chosen.start > signed.as_of:
        raise CusttuiError(f"{chosen.text} 尚未开始, 不能提前签署")
    path = review_file(chosen.text)
    watched = (STAFF_DIR, schema_file(POLICY_FILE))

    def build(head: str | None) -> tuple[Changes, str]:
        require_reviewer(archive, head)
        store = archive.store
        if any(store.entry(head, p) != store.entry(signed.commit, p) for p in watched):
            raise CusttuiError("生成报告之后员工名册或权限已有变动, 请重新生成报告、复核后再签署")
        existing = store.read(head, path)
        if existing is not None:
            done = stored_review(existing, path)
            raise CusttuiError(f"{chosen.text} 的访问权限复核已由 {done.reviewer} 于 {done.date} 签署, 不能重复签署")
        person = archive.person(head)
        assert person is not None, "require_reviewer found them in the registry"
        flags = signed.flags
        if len(flags) > MAX_FLAGS:  # a record stays small: the rest are counted, the digest covers them
            flags = flags[: MAX_FLAGS - 1] + [f"另有 {len(flags) - MAX_FLAGS + 1} 项提示未列出"]
        record = review_record(
            {
                "period": chosen.text,
                "date": signed.as_of,
                "reviewer": person.id,
                "commit": signed.commit,
                "digest": signed.digest,
                "people": len(signed.people),
                "flags": flags,
                "note": note,
            }
        )
        detail = f"{chosen.text}, {len(signed.people)} 人, {len(signed.flags)} 项提示"
        extra = (f"{routines.PERIOD_TRAILER}: {chosen.text}",)
        return {path: review_bytes(record)}, archive.commit_message(
            "签署访问权限复核", None, None, detail, ACTION, [], extra
        )

    return archive.commit_required(build)


def export(archive: Archive, found: Report, target: Path) -> Path:
    """Write the report to ``target`` (XLSX or CSV, never over an existing file), logged in the
    access log. It needs the reviewer's rights, not ``export``: it holds no customer data, and
    the 管理员 role that reviews access has no export right."""
    require_reviewer(archive)
    table = found.table()
    tables.write(table, target)
    access_log.record(archive, archive.actor, "export", table.title, f"{len(table.rows)} 人 → {target}")
    return target
