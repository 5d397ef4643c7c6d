"""The primitives: age wraps keys to people, AES-256-GCM seals data under two keys.

- ``wrap``/``unwrap``: a 32-byte key encrypted with age (``pyrage``, X25519) to the public keys of
  the people who may read it: any one of their identities opens it.
- ``seal``/``unseal``: data under an **audience key** (who may read it: staff, whoever sees ID
  numbers, whoever may view 资信资料 机密 …) inside a **customer key** (what erasure destroys), each
  layer AES-256-GCM from ``cryptography`` with a fresh 96-bit nonce and the envelope's header as
  associated data, so a ciphertext moved to another customer or audience does not open.

An envelope is ``MAGIC``, a one-line JSON header (customer, customer key id, audience, audience
generation id: nothing secret) and the ciphertext. Nothing here is invented cryptography: age and
AES-GCM are used as their libraries document them; this module only chooses the two layers.
"""

from __future__ import annotations

import base64
import json
import os
from typing import NamedTuple

from ..base.errors import CusttuiError

MAGIC = b"custtui-sealed/1\n"
KEY_BYTES = 32
NONCE_BYTES = 12
MAX_HEADER = 512


class Header(NamedTuple):
    customer: str  # the customer the data belongs to
    key_id: str  # which of the customer's keys sealed it (a new one after an erasure)
    audience: str  # who may read it: ``staff``, ``id_number``, ``doc:credit:confidential`` …
    generation: str  # which generation of the audience's key (a new one after a revocation)

    def associated(self, layer: str) -> bytes:
        return f"{layer}|{self.customer}|{self.key_id}|{self.audience}|{self.generation}".encode()


class Locked(CusttuiError):
    """Sealed data this copy holds no key for (or whose key was destroyed by an erasure)."""


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def new_id() -> str:
    """A key or generation id: 64 random bits, hex."""
    return os.urandom(8).hex()


def wrap(key: bytes, recipients: list[str]) -> str:
    """``key`` age-encrypted (ASCII armour) to every ``age1…`` public key in ``recipients``."""
    import pyrage

    parsed = [pyrage.x25519.Recipient.from_str(r) for r in recipients]
    return pyrage.encrypt(key, parsed).hex()


def unwrap(wrapped: str, identities: list) -> bytes | None:
    """The key inside ``wrapped``, or None when none of ``identities`` (pyrage identities) opens it."""
    import pyrage

    if not identities:
        return None
    try:
        return pyrage.decrypt(bytes.fromhex(wrapped), identities)
    except (pyrage.DecryptError, ValueError):
        return None


def _aead(key: bytes):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key)


def seal(data: bytes, header: Header, customer_key: bytes, audience_key: bytes) -> bytes:
    """The envelope of ``data``: inner layer under the audience key, outer under the customer key."""
    inner_nonce, outer_nonce = os.urandom(NONCE_BYTES), os.urandom(NONCE_BYTES)
    inner = inner_nonce + _aead(audience_key).encrypt(inner_nonce, data, header.associated("audience"))
    outer = _aead(customer_key).encrypt(outer_nonce, inner, header.associated("customer"))
    head = json.dumps(list(header), ensure_ascii=False, separators=(",", ":")).encode()
    return MAGIC + head + b"\n" + outer_nonce + outer


def is_sealed(raw: bytes) -> bool:
    return raw.startswith(MAGIC)


def header_of(raw: bytes) -> Header:
    """The envelope's header; CusttuiError when ``raw`` is not a well-formed envelope."""
    end = raw.find(b"\n", len(MAGIC), len(MAGIC) + MAX_HEADER)
    try:
        if not raw.startswith(MAGIC) or end < 0:
            raise ValueError
        fields = json.loads(raw[len(MAGIC) : end])
        if not (isinstance(fields, list) and len(fields) == 4 and all(isinstance(f, str) and f for f in fields)):
            raise ValueError
    except ValueError:
        raise CusttuiError("加密内容的格式不对 (不是 custtui 的密文)") from None
    if len(raw) < end + 1 + NONCE_BYTES + 2 * 16 + NONCE_BYTES:
        raise CusttuiError("加密内容不完整 (被截断)")
    return Header(*fields)


def unseal(raw: bytes, customer_key: bytes, audience_key: bytes) -> bytes:
    """The data inside an envelope; Locked when the keys do not open it (or it was altered)."""
    from cryptography.exceptions import InvalidTag

    header = header_of(raw)
    body = raw[raw.index(b"\n", len(MAGIC)) + 1 :]
    try:
        inner = _aead(customer_key).decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:], header.associated("customer"))
        return _aead(audience_key).decrypt(inner[:NONCE_BYTES], inner[NONCE_BYTES:], header.associated("audience"))
    except InvalidTag:
        raise Locked(f"客户 {header.customer} 的加密内容无法解开 (密钥不对, 或内容被改动)") from None


def to_text(raw: bytes) -> str:
    """An envelope as one line of text, for a TOML value."""
    return base64.b64encode(raw).decode()


def from_text(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise CusttuiError("加密内容不是有效的 base64") from None


def wrap_key(key: bytes, under: bytes, context: str) -> str:
    """A customer key sealed under an audience key (AES-GCM, ``context`` bound), as text."""
    nonce = os.urandom(NONCE_BYTES)
    return to_text(nonce + _aead(under).encrypt(nonce, key, context.encode()))


def unwrap_key(text: str, under: bytes, context: str) -> bytes | None:
    from cryptography.exceptions import InvalidTag

    raw = from_text(text)
    try:
        return _aead(under).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode())
    except InvalidTag:
        return None
