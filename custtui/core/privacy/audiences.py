"""Who may read what: the audiences, computed from the staff registry and the policy.

An **audience** is the set of people who may read one kind of sealed data: ``staff`` (may view
customers), ``id_number`` / ``phones`` (see them unmasked or may unmask them),
``doc:<information type>:<sensitivity>`` (may view such documents). Each audience has a key, in
generations: a new generation is made when someone leaves the audience (a revoked key, a disabled
person, a role taken away), so what is written afterwards is sealed to a key they never held; a
person joining receives every generation the copy that adds them holds. A copy holds nothing for
audiences none of its key holders belong to: it stores their data as ciphertext only.
"""

from __future__ import annotations

from ..access.policy import SENSITIVITY, Access, Policy
from ..access.registry import Person, access_of
from ..vault import crypto
from ..vault.keyring import Keyring, audience_label
from ..vault.keystore import STAFF_AUDIENCE, Generation, now_iso


def in_audience(access: Access, audience: str) -> bool:
    """Whether a person with ``access`` may read what is sealed to ``audience``."""
    if audience == STAFF_AUDIENCE:
        return access.can_view("basic", "internal")
    if audience in ("id_number", "phones"):
        return access.can_view("basic", "internal") and (not access.masked(audience) or access.may("unmask"))
    _, info_type, sensitivity = audience.split(":")
    return access.can_view(info_type, sensitivity)


def document_audience(policy: Policy, info_type: str, sensitivity: str) -> str:
    """Who may read a document: its own audience at or above ``documents_from``, else ``staff``."""
    if SENSITIVITY.index(sensitivity) >= SENSITIVITY.index(policy.privacy.documents_from):
        return f"doc:{info_type}:{sensitivity}"
    return STAFF_AUDIENCE


def members(audience: str, people: dict[str, Person], policy: Policy) -> dict[str, tuple[str, ...]]:
    """The audience's key holders: staff ID -> their age public keys (active people with a key)."""
    return {
        p.id: p.age_keys
        for p in people.values()
        if p.active and p.age_keys and in_audience(access_of(p, policy), audience)
    }


def update_audiences(
    keyring: Keyring, audiences: list[str], people: dict[str, Person], policy: Policy, by: str, rotate: bool = False
) -> list[str]:
    """Bring each audience's key in line with who may read it now: a first generation when it
    has none, a new generation when someone left it (or ``rotate``), and every generation this copy
    holds wrapped to each current member who lacks it. Returns what changed, in Chinese (not yet
    saved)."""
    said = []
    for audience in audiences:
        owners = {key: person for person, keys in members(audience, people, policy).items() for key in keys}
        if not owners:
            continue
        current, fresh = keyring.keystore.current(audience), None
        if rotate or current is None or set(current.wraps) - set(owners):
            fresh = Generation(crypto.new_id(), audience, now_iso(), by, {}, {})
            keyring.keystore.add_generation(fresh)
            keyring.remember(fresh.id, crypto.new_key())
            said.append(f"「{audience_label(audience)}」启用新一代密钥 ({len(set(owners.values()))} 人)")
        for generation in [g for g in keyring.keystore.generations.values() if g.audience == audience]:
            missing = sorted(set(owners) - set(generation.wraps))
            key = keyring.audience_key(generation.id) if missing else None
            if key is None:
                continue
            keyring.keystore.add_generation(
                generation._replace(
                    wraps={**generation.wraps, **{r: crypto.wrap(key, [r]) for r in missing}},
                    holders={**generation.holders, **{r: owners[r] for r in missing}},
                )
            )
            if fresh is None or generation.id != fresh.id:
                names = "、".join(sorted({owners[r] for r in missing}))
                said.append(f"「{audience_label(audience)}」的第 {generation.id[:8]} 代密钥交给 {names}")
    return said
