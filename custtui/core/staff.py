"""The staff registry inside the archive (``staff/<id>.toml``), audited like any record.

Each person has an ID (their login name, e.g. ``zhangwei``), a name (the commit author), a
department, roles, SSH public keys and an active flag. Disabling keeps the person and their
history; their keys stop working. An archive without a registry has no restrictions (a single
office trying custtui out); the first person registered must be able to manage staff.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import datetime

from .archive import Archive
from .errors import CusttuiError, FieldError
from .policy import POLICY_FILE, Access, Policy
from .records import dumps, loads
from .schema import default_schema_dir

STAFF_DIR = "staff"
ID_RULE = re.compile(r"^[a-z][a-z0-9_.-]{1,31}$")
KEY_RULE = re.compile(r"^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)|sk-ssh-ed25519@openssh\.com)"
                      r" ([A-Za-z0-9+/=]+)(?: .*)?$")
ORDER = ("id", "name", "department", "roles", "active", "keys")


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    department: str
    roles: tuple[str, ...]
    active: bool = True
    keys: tuple[str, ...] = field(default=())

    def record(self) -> dict:
        return {"id": self.id, "name": self.name, "department": self.department, "roles": list(self.roles),
                "active": self.active, "keys": list(self.keys)}


def policy_of(archive: Archive, commit: str | None = None) -> Policy:
    """The archive's policy at ``commit``; the default one when the archive predates policies."""
    commit = commit or archive.head()
    raw = archive.store.read(commit, f"schema/{POLICY_FILE}")
    if raw is None:
        raw = (default_schema_dir() / POLICY_FILE).read_bytes()
    return Policy.parse(raw, archive.schema(commit))


def registry(archive: Archive, commit: str | None = None) -> dict[str, Person]:
    """Every registered person by ID (disabled ones included)."""
    commit = commit or archive.head()
    people = {}
    for path, blob in archive.store.files(commit, f"{STAFF_DIR}/"):
        data = loads(archive.store.read_blob(blob), path)
        people[data["id"]] = Person(data["id"], data["name"], data["department"], tuple(data.get("roles", [])),
                                    bool(data.get("active", True)), tuple(data.get("keys", [])))
    return people


def find(archive: Archive, who: str | None, commit: str | None = None) -> Person | None:
    """The registered person whose ID or name is ``who``."""
    if not who:
        return None
    people = registry(archive, commit)
    return people.get(who) or next((p for p in people.values() if p.name == who), None)


def access_for(archive: Archive, who: str | None, commit: str | None = None) -> Access:
    """What ``who`` may do: everything without a registry; nothing for an unknown or disabled
    person (their name is kept so refusals can say who)."""
    people = registry(archive, commit)
    if not people:
        return Access(who, None)
    person = people.get(who or "") or next((p for p in people.values() if p.name == who), None)
    if person is None or not person.active:
        return Access(who, [])
    policy = policy_of(archive, commit)
    return Access(person.name, [policy.role(code) for code in person.roles])


def check_key(key: str) -> str:
    """A public key line as ``authorized_keys`` holds it; FieldError when it is not one."""
    key = " ".join(key.split())
    match = KEY_RULE.match(key)
    if not match:
        raise FieldError("key", "SSH 公钥", "应为一行 OpenSSH 公钥, 如 ssh-ed25519 AAAA… 张伟@笔记本")
    try:
        base64.b64decode(match.group(2), validate=True)
    except ValueError:
        raise FieldError("key", "SSH 公钥", "密钥内容不是有效的 base64") from None
    return key


def _key_body(key: str) -> str:
    return key.split()[1]


def _change(archive: Archive, edit, verb: str, detail: str, when: datetime | None) -> str:
    """One audited commit to ``staff/<id>.toml``, checked against the registry at that head."""
    def build(head):
        people = registry(archive, head)
        if people:
            access_for(archive, archive.user, head).require("manage_staff")
        policy = policy_of(archive, head)
        person = edit(people, policy)
        others = [p for p in people.values() if p.id != person.id]
        for key in person.keys:
            owner = next((p for p in others if _key_body(key) in map(_key_body, p.keys)), None)
            if owner:
                raise FieldError("key", "SSH 公钥", f"此公钥已登记给 {owner.id} {owner.name}, 一把钥匙只能对应一个人")
        if not people and not Access(person.name, [policy.role(r) for r in person.roles]).may("manage_staff"):
            raise CusttuiError("第一位登记的员工必须能管理员工 (如 管理员 部门或 admin 角色), 否则名册无人能改")
        return ({f"{STAFF_DIR}/{person.id}.toml": dumps(person.record(), ORDER)},
                archive.commit_message(verb, None, None, f"{person.id} {person.name} {detail}".strip(), "staff", []))
    return archive.commit_change(build, when)


def add_person(archive: Archive, person_id: str, name: str, department: str, roles: list[str] | None = None,
               keys: list[str] | None = None, when: datetime | None = None) -> str:
    if not ID_RULE.match(person_id or ""):
        raise FieldError("id", "员工账号", "应为 2–32 位小写字母、数字、点、横线或下划线, 以字母开头, 如 zhangwei")
    if not name.strip():
        raise FieldError("name", "姓名", "不能为空")
    checked_keys = tuple(check_key(k) for k in keys or [])

    def edit(people: dict[str, Person], policy: Policy) -> Person:
        if person_id in people:
            raise FieldError("id", "员工账号", f"{person_id} 已登记 ({people[person_id].name})")
        if department not in policy.departments:
            raise FieldError("department", "部门", f"{department!r} 不是已知的部门, 可选: {'、'.join(policy.departments)}")
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
        return Person(**{**person.__dict__, "active": False})
    return _change(archive, edit, "停用员工", "", when)


def add_key(archive: Archive, person_id: str, key: str, when: datetime | None = None) -> str:
    key = check_key(key)

    def edit(people, policy):
        person = _existing(people, person_id)
        if _key_body(key) in map(_key_body, person.keys):
            raise FieldError("key", "SSH 公钥", f"{person_id} 已有这把公钥")
        return Person(**{**person.__dict__, "keys": (*person.keys, key)})
    return _change(archive, edit, "添加公钥", key.split()[-1] if len(key.split()) > 2 else "", when)
