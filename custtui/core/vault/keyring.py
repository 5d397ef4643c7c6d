"""The keys this copy holds (``Keyring``): the identities in its key folder, the audience keys
they unwrap, the customer keys those unwrap. It opens envelopes and seals new ones; which audience
a person belongs to is the policy's business (``core/privacy/audiences.py``).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..base import tomlread
from ..base.errors import CusttuiError
from ..store.repo import Identity, Store
from . import crypto
from .keystore import STAFF_AUDIENCE, KeyStore
from .paths import IDENTITY_SUFFIX, key_dir

SEALED = "sealed"  # a record's table of sealed fields: { fields = [names], parts = { audience = envelope } }
AUDIENCE_LABELS = {"staff": "可查看客户的人", "id_number": "可查看身份证号的人", "phones": "可查看电话的人"}


def audience_label(audience: str, schema=None) -> str:
    if audience in AUDIENCE_LABELS:
        return AUDIENCE_LABELS[audience]
    _, info_type, sensitivity = audience.split(":")
    if schema is not None and info_type in schema.info_types:
        return f"可查看{schema.info_types[info_type].label}({schema.label('sensitivity', sensitivity)})的人"
    return f"可查看 {info_type}/{sensitivity} 资料的人"


def identity_file(store: Store, person_id: str) -> Path:
    return key_dir(store) / f"{person_id}{IDENTITY_SUFFIX}"


def create_identity(store: Store, person_id: str) -> str:
    """Make a new age identity for ``person_id`` in this copy's key folder (mode 0600, never
    overwriting one); returns its public key."""
    import pyrage

    identity = pyrage.x25519.Identity.generate()
    path = identity_file(store, person_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    if path.exists():
        raise CusttuiError(f"本副本已有 {person_id} 的私钥 {path}; 要换新的, 先 custtui key revoke 旧公钥")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(f"# custtui {person_id} 的私钥 (age); 切勿复制到别处\n{identity}\n")
    return str(identity.to_public())


def load_identities(store: Store) -> dict[str, list]:
    """The identities in this copy's key folder, by staff ID (a file that is not one is skipped)."""
    import pyrage

    found: dict[str, list] = {}
    folder = key_dir(store)
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob(f"*{IDENTITY_SUFFIX}")):
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("AGE-SECRET-KEY-"):
                try:
                    found.setdefault(path.name[: -len(IDENTITY_SUFFIX)], []).append(
                        pyrage.x25519.Identity.from_str(line.strip())
                    )
                except pyrage.IdentityError:
                    continue
    return found


class Keyring:
    """The keys this copy holds: opens envelopes and seals new ones (who belongs to which audience:
    ``core/privacy/audiences.py``)."""

    def __init__(self, store: Store, identities: list | None = None):
        """``identities``: pyrage identities to use instead of this copy's key folder."""
        self.store = store
        self._identities = (
            identities if identities is not None else [i for ids in load_identities(store).values() for i in ids]
        )
        self._recipients = [str(i.to_public()) for i in self._identities]
        self.keystore = KeyStore.open(store)
        self._audience_keys: dict[str, bytes | None] = {}
        self._customer_keys: dict[tuple[str, str], bytes | None] = {}

    def reload(self) -> None:
        """Read the key store again (another session may have changed it); keep unsaved changes."""
        if not self.keystore.pending:
            self.keystore = KeyStore.open(self.store)

    def forget(self) -> None:
        """Drop every key opened so far (after an erasure) and read the key store again."""
        self._audience_keys.clear()
        self._customer_keys.clear()
        self.keystore = KeyStore.open(self.store)

    # --- keys ----------------------------------------------------------------------------------

    def audience_key(self, generation: str) -> bytes | None:
        if generation not in self._audience_keys:
            found = self.keystore.generations.get(generation)
            mine = [found.wraps[r] for r in self._recipients if found and r in found.wraps]
            self._audience_keys[generation] = next(
                (key for key in (crypto.unwrap(w, self._identities) for w in mine) if key is not None), None
            )
        return self._audience_keys[generation]

    def remember(self, generation: str, key: bytes) -> None:
        """A generation's key this copy just made (before it is wrapped to anyone)."""
        self._audience_keys[generation] = key

    def customer_key(self, customer: str, key_id: str) -> bytes | None:
        if (customer, key_id) not in self._customer_keys:
            self._customer_keys[(customer, key_id)] = None
            for kid, generation, wrapped in self.keystore.customer_entries(customer):
                under = self.audience_key(generation) if kid == key_id else None
                if under is not None:
                    self._customer_keys[(customer, key_id)] = crypto.unwrap_key(wrapped, under, f"{customer}|{kid}")
                    break
        return self._customer_keys[(customer, key_id)]

    def open(self, raw: bytes) -> bytes:
        """The plaintext of an envelope; crypto.Locked when this copy holds no key for it."""
        header = crypto.header_of(raw)
        customer_key = self.customer_key(header.customer, header.key_id)
        audience_key = self.audience_key(header.generation)
        if customer_key is None or audience_key is None:
            erased = customer_key is None and not self.keystore.customer_entries(header.customer)
            raise crypto.Locked(
                f"客户 {header.customer} 的这部分内容已加密, "
                + (
                    "其密钥已随个人信息删除而销毁"
                    if erased
                    else f"本副本没有「{audience_label(header.audience)}」的密钥"
                )
            )
        return crypto.unseal(raw, customer_key, audience_key)

    def seal(self, data: bytes, customer: str, audience: str) -> bytes:
        """``data`` sealed for ``audience`` under the customer's newest key (made when it has none)."""
        generation = self.keystore.current(audience)
        audience_key = self.audience_key(generation.id) if generation else None
        if generation is None or audience_key is None:
            raise crypto.Locked(f"本副本没有「{audience_label(audience)}」的密钥, 不能写入需要加密的内容; 修改未写入")
        entries = self.keystore.customer_entries(customer)
        key_id = entries[-1][0] if entries else ""
        customer_key = self.customer_key(customer, key_id) if key_id else None
        if customer_key is None:
            staff = self.keystore.current(STAFF_AUDIENCE)
            staff_key = self.audience_key(staff.id) if staff else None
            if staff is None or staff_key is None:
                raise crypto.Locked(
                    f"本副本没有「{AUDIENCE_LABELS[STAFF_AUDIENCE]}」的密钥, 不能新建客户密钥; 修改未写入"
                )
            key_id, customer_key = crypto.new_id(), crypto.new_key()
            self.keystore.add_customer_key(
                customer, key_id, staff.id, crypto.wrap_key(customer_key, staff_key, f"{customer}|{key_id}")
            )
            self._customer_keys[(customer, key_id)] = customer_key
        header = crypto.Header(customer, key_id, audience, generation.id)
        return crypto.seal(data, header, customer_key, audience_key)

    def save(self, author: Identity, message: str) -> str:
        """Write the key store; after a concurrent update, merge into it and write again."""
        for _ in range(20):
            try:
                return self.keystore.save(author, message)
            except CusttuiError:
                latest = KeyStore.open(self.store)
                latest.absorb(self.keystore, erased=set())
                latest._changed.update(self.keystore._changed)
                self.keystore = latest
        raise CusttuiError("密钥库正被频繁修改, 请稍后再试; 本次没有写入")


def open_record(record: dict, keyring: Keyring | None, path: str) -> dict:
    """The record with every part this copy can open merged back in; what it cannot open stays
    in ``sealed`` (its field names listed, its values absent)."""
    sealed = record.get(SEALED)
    if not isinstance(sealed, dict) or keyring is None:
        return record
    shown = {k: v for k, v in record.items() if k != SEALED}
    left_parts, left_fields = {}, set(sealed.get("fields", []))
    for audience, text in (sealed.get("parts") or {}).items():
        try:
            values = tomlread.parse(keyring.open(crypto.from_text(text)), path)
        except crypto.Locked:
            left_parts[audience] = text
            continue
        shown.update(values)
        left_fields -= set(values)
    if left_parts or left_fields:  # fields left without parts: an erasure destroyed them
        shown[SEALED] = {"fields": sorted(left_fields), **({"parts": left_parts} if left_parts else {})}
    return shown


def open_document(raw: bytes, keyring: Keyring | None) -> bytes:
    """A document's bytes: opened when sealed; crypto.Locked when this copy cannot."""
    if not crypto.is_sealed(raw):
        return raw
    if keyring is None:
        raise crypto.Locked("这份资料已加密, 本副本没有可用的密钥")
    return keyring.open(raw)
