"""Changes to the staff registry: register a person, disable them, add a key; each one audited
commit to ``staff/<id>.toml`` by someone who may manage staff (the first person registered must
be able to)."""

from __future__ import annotations

from datetime import datetime

from ..access.policy import Access, Policy
from ..access.registry import ID_RULE, ORDER, Person, check_key, key_body
from ..base.errors import CusttuiError, FieldError
from ..base.layout import staff_file
from ..records.records import dumps
from .archive import Archive


def _change(archive: Archive, edit, verb: str, detail: str, when: datetime | None) -> str:
    """One audited commit to ``staff/<id>.toml``, checked against the registry at that head."""

    def build(head):
        people = archive.registry(head)
        if people:
            archive.access_for(archive.user, head).require("manage_staff")
        policy = archive.policy(head)
        person = edit(people, policy)
        others = [p for p in people.values() if p.id != person.id]
        for other in others:
            if person.name in (other.name, other.id) or person.id == other.name:
                raise FieldError(
                    "name",
                    "姓名",
                    f"{person.name} 与已登记的 {other.label} 重名; 姓名不能与别人的"
                    f"姓名或账号相同 (可加部门或数字区分, 如 张伟(销售))",
                )
        for key in person.keys:
            owner = next((p for p in others if key_body(key) in map(key_body, p.keys)), None)
            if owner:
                raise FieldError("key", "SSH 公钥", f"此公钥已登记给 {owner.id} {owner.name}, 一把钥匙只能对应一个人")
        if not people and not Access(person.name, [policy.role(r) for r in person.roles]).may("manage_staff"):
            raise CusttuiError("第一位登记的员工必须能管理员工 (如 管理员 部门或 admin 角色), 否则名册无人能改")
        return (
            {staff_file(person.id): dumps(person.record(), ORDER)},
            archive.commit_message(verb, None, None, f"{person.id} {person.name} {detail}".strip(), "staff", []),
        )

    return archive.commit_required(build, when)


def add_person(
    archive: Archive,
    person_id: str,
    name: str,
    department: str,
    roles: list[str] | None = None,
    keys: list[str] | None = None,
    when: datetime | None = None,
) -> str:
    if not ID_RULE.match(person_id or ""):
        raise FieldError("id", "员工账号", "应为 2–32 位小写字母、数字、点、横线或下划线, 以字母开头, 如 zhangwei")
    if not name.strip():
        raise FieldError("name", "姓名", "不能为空")
    checked_keys = tuple(check_key(k) for k in keys or [])

    def edit(people: dict[str, Person], policy: Policy) -> Person:
        if person_id in people:
            raise FieldError("id", "员工账号", f"{person_id} 已登记 ({people[person_id].name})")
        if department not in policy.departments:
            raise FieldError(
                "department", "部门", f"{department!r} 不是已知的部门, 可选: {'、'.join(policy.departments)}"
            )
        chosen = tuple(roles or [policy.departments[department]])
        for code in chosen:
            policy.role(code)
        return Person(person_id, name.strip(), department, chosen, True, checked_keys)

    return _change(archive, edit, "登记员工", f"{department}", when)


def _existing(people: dict[str, Person], person_id: str) -> Person:
    if person_id not in people:
        raise FieldError("id", "员工账号", f"没有账号为 {person_id} 的员工")
    return people[person_id]


def disable_person(archive: Archive, person_id: str, when: datetime | None = None) -> str:
    def edit(people, policy):
        person = _existing(people, person_id)
        if not person.active:
            raise CusttuiError(f"{person_id} 已停用")
        return person._replace(active=False)

    return _change(archive, edit, "停用员工", "", when)


def add_key(archive: Archive, person_id: str, key: str, when: datetime | None = None) -> str:
    key = check_key(key)

    def edit(people, policy):
        person = _existing(people, person_id)
        if key_body(key) in map(key_body, person.keys):
            raise FieldError("key", "SSH 公钥", f"{person_id} 已有这把公钥")
        return person._replace(keys=(*person.keys, key))

    return _change(archive, edit, "添加公钥", key.split()[-1] if len(key.split()) > 2 else "", when)
