"""Encryption keys of the staff registry (加密密钥): make one for a person at this copy, revoke it,
rotate every audience's key, and share the keys this copy holds with whoever may now read.

A person's age public key is part of their ``staff/<id>.toml`` (an audited commit by someone who
may manage staff); the private half stays in this copy's key folder. The audiences' keys follow
the registry: after a revocation the next key store update makes new generations the revoked key
cannot open, so nothing written afterwards is readable with it.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from ..access.policy import Policy
from ..base.errors import CusttuiError, FieldError
from ..base.layout import POLICY_FILE, schema_file
from ..privacy.audiences import members, update_audiences
from ..privacy.seal import every_audience
from ..vault.keyring import audience_label, create_identity, identity_file
from ..vault.keystore import STAFF_AUDIENCE
from .archive import Archive
from .staff import _change, _existing


def new_identity(archive: Archive, person_id: str, when: datetime | None = None) -> str:
    """Make ``person_id`` a key at this copy and register its public half (one commit), then share
    with it the audience keys this copy holds that it may read. Returns the public key."""
    _existing(archive.registry(), person_id)
    public = create_identity(archive.store, person_id)

    def edit(people, policy):
        person = _existing(people, person_id)
        return person._replace(age_keys=(*person.age_keys, public))

    try:
        _change(archive, edit, "登记加密公钥", public, when)
    except BaseException:
        identity_file(archive.store, person_id).unlink(missing_ok=True)  # no key left for a refused change
        raise
    share_keys(archive)
    return public


def revoke(archive: Archive, person_id: str, key: str | None = None, when: datetime | None = None) -> list[str]:
    """Take ``key`` (all of the person's keys when None) out of the registry (one commit), delete
    its private half here, and give every audience it could open a new generation."""

    def edit(people, policy):
        person = _existing(people, person_id)
        kept = tuple(k for k in person.age_keys if key is not None and k != key)
        if len(kept) == len(person.age_keys):
            raise FieldError("age_key", "加密公钥", f"{person_id} 没有{'这把' if key else '任何'}加密公钥")
        return person._replace(age_keys=kept)

    _change(archive, edit, "吊销加密公钥", key or "(全部)", when)
    if key is None:
        identity_file(archive.store, person_id).unlink(missing_ok=True)
    return share_keys(archive)


def rotate(archive: Archive) -> list[str]:
    """A new generation of every audience's key (a suspected leak): what is written from now on
    is sealed to keys made now."""
    return share_keys(archive, rotate=True)


def share_keys(archive: Archive, rotate: bool = False) -> list[str]:
    """Bring every audience in line with the registry and policy at the head; saves the key store
    when something changed. Returns what changed, in Chinese.

    Under the commit lock, which a prune (``Archive.pack``) holds: the key store's new objects are
    unreachable until its ref moves, and ``git prune --expire=now`` would delete them meanwhile."""
    if rotate:
        archive.access.require("manage_staff")
    with archive.store.lock("commit"):
        head = archive.head()
        policy = archive.policy(head)
        keyring = archive.keyring
        keyring.reload()
        audiences = every_audience(policy, archive.store, head)
        registry = archive.registry(head)
        said = update_audiences(keyring, audiences, registry, policy, archive.user or "", rotate=rotate)
        if keyring.keystore.pending:
            keyring.save(archive.identity(), "密钥库更新: " + "; ".join(said))
    return said


def set_encryption(archive: Archive, enabled: bool, when: datetime | None = None) -> str | None:
    """Turn ``[privacy] enabled`` in ``schema/policy.toml`` on or off as one commit (needs the
    right to edit the schema; the file keeps its comments); None when it already is. Turning it on
    needs someone who may view customers to hold a registered key: whatever is sealed must open
    somewhere."""
    import tomlkit

    def build(head: str | None) -> tuple[dict[str, bytes], str] | None:
        if archive.policy(head).privacy.enabled == enabled:
            return None
        if enabled and not members(STAFF_AUDIENCE, archive.registry(head), archive.policy(head)):
            raise CusttuiError(
                "还没有人登记加密公钥: 先为可查看客户的员工生成密钥 (custtui key new 账号), 再启用加密保存"
            )
        path = schema_file(POLICY_FILE)
        document = tomlkit.parse((archive.store.read(head, path) or b"").decode("utf-8"))
        document.setdefault("privacy", tomlkit.table())["enabled"] = enabled
        written = tomlkit.dumps(document).encode("utf-8")
        Policy.parse(written, archive.schema(head))  # the same checks as every copy's gate
        verb = "启用加密保存" if enabled else "停用加密保存 (此后的修改以明文写入)"
        return {path: written}, archive.commit_message(verb, None, None, "", "privacy", ["privacy.enabled"])

    return archive.commit_change(build, when)


class AudienceRow(NamedTuple):
    audience: str
    label: str
    generations: int
    holders: tuple[str, ...]
    opens_here: bool


def audiences(archive: Archive) -> list[AudienceRow]:
    """Each audience's key: how many generations, who holds the newest, whether this copy opens it."""
    keyring = archive.keyring
    keyring.reload()
    schema = archive.schema()
    rows = []
    for audience in every_audience(archive.policy(), archive.store, archive.head()):
        current = keyring.keystore.current(audience)
        if current is None:
            continue
        count = sum(1 for g in keyring.keystore.generations.values() if g.audience == audience)
        opens = keyring.audience_key(current.id) is not None
        holders = tuple(sorted(set(current.holders.values())))
        rows.append(AudienceRow(audience, audience_label(audience, schema), count, holders, opens))
    if not rows and archive.policy().privacy.enabled:
        raise CusttuiError("已启用加密保存, 但还没有任何密钥: 先为员工生成密钥 (custtui key new 账号)")
    return rows
