"""The staff registry inside the archive (``staff/<id>.toml``), audited like any record.

Each person has an ID (their login name, e.g. ``zhangwei``), a name (shown as the author of
their commits; unique, so a name never stands for two people), a department, roles, SSH public
keys and an active flag. Who someone is is always their ID: ``--user`` and a key's forced command
name it (a unique name is accepted on the command line), and commit authors carry
``name <id@office>``. Disabling keeps the person and their history; their keys stop working. An
archive without a registry has no restrictions (a single office trying custtui out); the first
person registered must be able to manage staff.
"""

from __future__ import annotations

import base64
import re
from collections import OrderedDict
from typing import NamedTuple

from ..base.errors import CusttuiError, FieldError
from ..base.layout import POLICY_FILE, SCHEMA_DIR, STAFF_DIR, schema_file, staff_file
from ..records.records import loads
from ..records.schema import default_schema_dir, schema_at
from ..records.validate import validate_text
from ..store.repo import Store
from .policy import Access, Policy

ID_RULE = re.compile(r"^[a-z][a-z0-9_.-]{1,31}$")
KEY_RULE = re.compile(
    r"^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)|sk-ssh-ed25519@openssh\.com)"
    r" ([A-Za-z0-9+/=]+)(?: .*)?$"
)
# an age X25519 recipient (bech32: "age1" and 58 lowercase characters): what sealed data is wrapped to
AGE_KEY_RULE = re.compile(r"^age1[02-9ac-hj-np-z]{58}$")
ORDER = ("id", "name", "department", "roles", "active", "keys", "age_keys")
# registries and policies by the git id of their tree/blob: a sync gates hundreds of commits that
# share one registry; reading it again for each would cost a git call per commit
_REGISTRIES: OrderedDict[str, dict[str, "Person"]] = OrderedDict()
_POLICIES: OrderedDict[tuple[str, str], Policy] = OrderedDict()
_CACHED = 64


class Person(NamedTuple):
    id: str
    name: str
    department: str
    roles: tuple[str, ...]
    active: bool = True
    keys: tuple[str, ...] = ()
    age_keys: tuple[str, ...] = ()  # public halves of the identities that unseal what this person may read

    def record(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "department": self.department,
            "roles": list(self.roles),
            "active": self.active,
            "keys": list(self.keys),
            "age_keys": list(self.age_keys),
        }

    @property
    def label(self) -> str:
        """``李娜 (lina)``: how messages and logs name a person."""
        return f"{self.name} ({self.id})"


def _remember(cache: OrderedDict, key, value):
    cache[key] = value
    if len(cache) > _CACHED:
        cache.popitem(last=False)
    return value


def policy_of(store: Store, commit: str | None) -> Policy:
    """The archive's policy at ``commit``; the default one when the archive predates policies."""
    found = store.entry(commit, schema_file(POLICY_FILE)) if commit else None
    schema_tree = store.entry(commit, SCHEMA_DIR) if commit else None
    key = (found[1] if found else "", schema_tree[1] if schema_tree else "")
    if key in _POLICIES:
        return _POLICIES[key]
    raw = store.read_blob(found[1]) if found else (default_schema_dir() / POLICY_FILE).read_bytes()
    return _remember(_POLICIES, key, Policy.parse(raw, schema_at(store, commit)))


def registry(store: Store, commit: str | None) -> dict[str, Person]:
    """Every registered person by ID (disabled ones included) at ``commit``."""
    found = store.entry(commit, STAFF_DIR) if commit else None
    if found is None:
        return {}
    if found[1] in _REGISTRIES:
        return _REGISTRIES[found[1]]
    people = {}
    for name, (_, blob) in sorted(store.tree(found[1]).items()):
        try:  # a damaged entry (reported by custtui check) grants nothing and hides no one else
            person = parse_person(store.read_blob(blob), f"{STAFF_DIR}/{name}")
        except CusttuiError:
            continue
        people[person.id] = person
    return _remember(_REGISTRIES, found[1], people)


def parse_person(raw: bytes, path: str) -> Person:
    """A ``staff/<id>.toml`` file as a Person; FieldError naming the key when it is not one."""
    data = loads(raw, path)
    person_id = data.get("id")
    if not isinstance(person_id, str) or not ID_RULE.match(person_id) or path != staff_file(person_id):
        raise FieldError("id", "员工账号", f"{person_id!r} 不是有效的员工账号, 或与文件名 {path} 不符")
    name = validate_text(data.get("name", ""), "name", "姓名", max_length=40)
    department = validate_text(data.get("department", ""), "department", "部门", max_length=40)
    roles, keys, age_keys = data.get("roles", []), data.get("keys", []), data.get("age_keys", [])
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise FieldError("roles", "角色", "应为角色代码的列表")
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise FieldError("keys", "SSH 公钥", "应为公钥行的列表")
    if not isinstance(age_keys, list) or not all(isinstance(k, str) and AGE_KEY_RULE.match(k) for k in age_keys):
        raise FieldError("age_keys", "加密公钥", "应为 age 公钥的列表, 每个形如 age1… (共 62 个字符)")
    if not isinstance(data.get("active", True), bool):
        raise FieldError("active", "在职", "应为 true 或 false")
    unknown = set(data) - set(ORDER)
    if unknown:
        raise FieldError(sorted(unknown)[0], sorted(unknown)[0], f"未知的项, 可用: {', '.join(ORDER)}")
    return Person(
        person_id,
        name,
        department,
        tuple(roles),
        data.get("active", True),
        tuple(check_key(k) for k in keys),
        tuple(age_keys),
    )


def registry_problems(people: dict[str, Person], policy: Policy) -> list[str]:
    """What makes a registry unusable: unknown departments or roles, a name shared by two people
    (or equal to someone's ID), a key registered to two people."""
    problems = []
    owners: dict[str, Person] = {}
    for person in people.values():
        where = staff_file(person.id)
        if person.department not in policy.departments:
            problems.append(f"{where}: 部门 {person.department!r} 不在 {schema_file(POLICY_FILE)} 的 [departments] 中")
        for role in person.roles:
            if role not in policy.roles:
                problems.append(f"{where}: 角色 {role!r} 未在 {schema_file(POLICY_FILE)} 中定义")
        for other in people.values():
            if other.id < person.id and (person.name in (other.name, other.id) or other.name == person.id):
                problems.append(f"{where}: 姓名 {person.name} 与 {other.label} 的姓名或账号相同 (一个名字只能指一个人)")
        for key in (*person.keys, *person.age_keys):
            owner = owners.setdefault(key_body(key) if key.startswith(("ssh-", "ecdsa-", "sk-")) else key, person)
            if owner is not person:
                problems.append(f"{where}: 公钥已登记给 {owner.label} (一把钥匙只能对应一个人)")
    return problems


def lookup(people: dict[str, Person], who: str | None) -> Person | None:
    """The person ``who`` names: their ID, or their name (names are unique)."""
    if not who:
        return None
    if who in people:
        return people[who]
    named = [p for p in people.values() if p.name == who]
    return named[0] if len(named) == 1 else None


def access_for(store: Store, who: str | None, commit: str | None) -> Access:
    """What ``who`` (an ID, or a unique name) may do: everything without a registry; nothing for
    an unknown or disabled person (their name is kept so refusals can say who)."""
    people = registry(store, commit)
    if not people:
        return Access(who, None)
    return access_of(lookup(people, who), policy_of(store, commit), who)


def access_of(person: Person | None, policy: Policy, who: str | None = None) -> Access:
    """A registered person's access under ``policy`` (none when unknown or disabled)."""
    if person is None or not person.active:
        return Access(person.name if person else who, [], policy.amount_fields)
    roles = [policy.role(code) for code in person.roles if code in policy.roles]
    return Access(person.name, roles, policy.amount_fields)


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


def key_body(key: str) -> str:
    """The base64 part of a key line: the same key with another comment is the same key."""
    return key.split()[1]
