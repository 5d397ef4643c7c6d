"""The key store: every audience key wrapped to its holders, every customer key wrapped under an
audience key, kept at ``KEYSTORE_REF`` as a commit without a parent.

Its tree: ``audiences.toml`` (one table per generation of an audience's key: the audience, who
made it and when, its holders and their age public keys, the key age-encrypted to them) and
``customers/<office>-<shard>.toml`` (per customer its keys, each ``key id:generation:wrapped``, the
customer key AES-GCM-sealed under that generation of the ``staff`` audience key).

Each update is a new parentless commit: the previous one becomes unreachable, so a key removed by
an erasure is gone from the repository once ``custtui pack`` prunes (and from every other copy once
they sync and pack). Copies merge their key stores as a union, minus the keys an erasure named
(the erasure itself is a commit of the gated history, so no copy can shred another's keys by
sending a smaller key store).
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from ..base import tomlread
from ..base.errors import CusttuiError
from ..base.layout import shard
from ..store.repo import BlobRef, Identity, Store
from .paths import KEYSTORE_REF

AUDIENCES_FILE = "audiences.toml"
CUSTOMERS_DIR = "customers"
STAFF_AUDIENCE = "staff"  # who may view customers at all: holds every customer key


class Generation(NamedTuple):
    """One generation of an audience's key, wrapped to each of its holders' age keys separately
    (so copies merge their wraps as a union: a holder added at one office reaches the others)."""

    id: str
    audience: str
    created: str  # ISO time
    by: str  # staff ID of who made it
    wraps: dict[str, str]  # age public key -> the key age-encrypted to it (hex)
    holders: dict[str, str]  # age public key -> staff ID it was registered to

    def record(self) -> dict:
        return {k: v for k, v in self._asdict().items() if k != "id"}

    def joined(self, other: Generation) -> Generation:
        """This generation with the wraps of ``other`` (the same generation, from another copy) it lacks."""
        return self._replace(wraps={**other.wraps, **self.wraps}, holders={**other.holders, **self.holders})


def shard_file(customer: str) -> str:
    return f"{CUSTOMERS_DIR}/{customer.rsplit('-', 1)[0]}-{shard(customer)}.toml"


class KeyStore:
    """The key store at one commit of ``KEYSTORE_REF`` (None: empty); customer shards load on demand."""

    def __init__(self, store: Store, commit: str | None):
        self.store = store
        self.commit = commit
        self.generations: dict[str, Generation] = {}
        self._shard_blobs: dict[str, str] = {}
        self._shards: dict[str, dict[str, list[str]]] = {}
        self._changed: set[str] = set()
        if commit:
            self._read(commit)

    @classmethod
    def open(cls, store: Store) -> KeyStore:
        return cls(
            store, store.git("rev-parse", "-q", "--verify", KEYSTORE_REF, check=False).stdout.decode().strip() or None
        )

    def _read(self, commit: str) -> None:
        raw = self.store.read(commit, AUDIENCES_FILE)
        data = tomlread.parse(raw, AUDIENCES_FILE) if raw else {}
        generations = data.get("generations")
        for gid, spec in (generations if isinstance(generations, dict) else {}).items():
            try:
                self.generations[gid] = Generation(
                    gid,
                    str(spec["audience"]),
                    str(spec["created"]),
                    str(spec["by"]),
                    {str(r): str(w) for r, w in spec["wraps"].items()},
                    {str(r): str(p) for r, p in spec.get("holders", {}).items()},
                )
            except (KeyError, TypeError, AttributeError):  # a damaged generation opens nothing and hides no other
                continue
        for name, (_, blob) in self.store.listdir(commit, CUSTOMERS_DIR).items():
            self._shard_blobs[f"{CUSTOMERS_DIR}/{name}"] = blob

    @property
    def pending(self) -> bool:
        """Whether there are changes not yet saved."""
        return bool(self._changed)

    # --- audiences ---------------------------------------------------------------------------

    def current(self, audience: str) -> Generation | None:
        """The newest generation of ``audience``'s key."""
        found = [g for g in self.generations.values() if g.audience == audience]
        return max(found, key=lambda g: (g.created, g.id)) if found else None

    def add_generation(self, generation: Generation) -> None:
        self.generations[generation.id] = generation
        self._changed.add(AUDIENCES_FILE)

    # --- customers ---------------------------------------------------------------------------

    def _shard(self, path: str) -> dict[str, list[str]]:
        if path not in self._shards:
            blob = self._shard_blobs.get(path)
            data = tomlread.parse(self.store.read_blob(blob), path) if blob else {}
            self._shards[path] = {
                c: [str(e) for e in entries] for c, entries in data.items() if isinstance(entries, list)
            }
        return self._shards[path]

    def customer_entries(self, customer: str) -> list[tuple[str, str, str]]:
        """The customer's keys: (key id, staff generation id, wrapped key), oldest first."""
        return [tuple(e.split(":", 2)) for e in self._shard(shard_file(customer)).get(customer, [])]  # type: ignore[misc]

    def all_customers(self) -> list[str]:
        for path in self._shard_blobs:
            self._shard(path)
        return [c for entries in self._shards.values() for c in entries]

    def add_customer_key(self, customer: str, key_id: str, generation: str, wrapped: str) -> None:
        path = shard_file(customer)
        self._shard(path).setdefault(customer, []).append(f"{key_id}:{generation}:{wrapped}")
        self._changed.add(path)

    def remove_keys(self, customer: str, key_ids: set[str] | None = None) -> list[str]:
        """Forget the customer's keys (all, or those named); returns the ids removed."""
        path = shard_file(customer)
        entries = self._shard(path).get(customer, [])
        kept = [e for e in entries if key_ids is not None and e.split(":", 1)[0] not in key_ids]
        removed = [e.split(":", 1)[0] for e in entries if e not in kept]
        if removed:
            if kept:
                self._shard(path)[customer] = kept
            else:
                self._shard(path).pop(customer, None)
            self._changed.add(path)
        return removed

    # --- merging and saving ------------------------------------------------------------------

    def lacking(self, other: KeyStore, exact: bool = False) -> set[str]:
        """The generation wraps (``generation/recipient``) and customer key ids ``other`` holds
        and this key store does not (``exact``: also those it holds in another version). Only the
        customer shards whose blobs differ are read."""

        def generations(store: KeyStore) -> set:
            return {(g.id, r, g.wraps[r] if exact else None) for g in store.generations.values() for r in g.wraps}

        def keys(store: KeyStore, path: str) -> set[str]:
            return {e if exact else e.split(":", 1)[0] for entries in store._shard(path).values() for e in entries}

        found = {f"{gid}/{recipient}" for gid, recipient, _ in generations(other) - generations(self)}
        for path, blob in other._shard_blobs.items():
            if self._shard_blobs.get(path) != blob or path in self._changed:
                found |= {e.split(":", 1)[0] for e in keys(other, path) - keys(self, path)}
        return found

    def absorb(self, other: KeyStore, erased: set[str]) -> bool:
        """Take in every generation and customer key of ``other`` this one lacks, except the key
        ids in ``erased``; returns whether anything was added."""
        added = False
        for gid, generation in other.generations.items():
            held = self.generations.get(gid)
            if held is None or set(generation.wraps) - set(held.wraps):
                self.add_generation(held.joined(generation) if held else generation)
                added = True
        for path in other._shard_blobs:
            if self._shard_blobs.get(path) == other._shard_blobs[path]:
                continue
            for customer, entries in other._shard(path).items():
                mine = self._shard(path).setdefault(customer, [])
                for entry in entries:
                    if entry not in mine and entry.split(":", 1)[0] not in erased:
                        mine.append(entry)
                        self._changed.add(path)
                        added = True
                if not mine:
                    self._shard(path).pop(customer)
        return added

    def save(self, author: Identity, message: str) -> str:
        """Write the key store as a new parentless commit and move the ref (compare-and-swap)."""
        if not self._changed:
            return self.commit or ""
        changes: dict[str, bytes | BlobRef | None] = {
            path: BlobRef(blob) for path, blob in self._shard_blobs.items() if path not in self._changed
        }
        changes[AUDIENCES_FILE] = _audiences_toml(self.generations)
        for path, entries in self._shards.items():
            if path in self._changed:
                changes[path] = _shard_toml(entries) if entries else None
        commit = self.store.write_commit(None, changes, message, author)
        result = self.store.git(
            "update-ref", "-m", message.split("\n", 1)[0], KEYSTORE_REF, commit, self.commit or "0" * 40, check=False
        )
        if result.returncode != 0:
            raise CusttuiError("密钥库正被另一个会话修改, 请重试; 本次没有写入")
        self.commit = commit
        listed = self.store.listdir(commit, CUSTOMERS_DIR)
        self._shard_blobs = {f"{CUSTOMERS_DIR}/{name}": sha for name, (_, sha) in listed.items()}
        self._changed.clear()
        return commit


def _audiences_toml(generations: dict[str, Generation]) -> bytes:
    import tomli_w

    ordered = sorted(generations.values(), key=lambda g: (g.audience, g.created, g.id))
    return tomli_w.dumps(
        {"generations": {g.id: {k: v for k, v in g.record().items() if k != "id"} for g in ordered}}
    ).encode()


def _shard_toml(entries: dict[str, list[str]]) -> bytes:
    import tomli_w

    return tomli_w.dumps({c: entries[c] for c in sorted(entries)}).encode()


def now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="microseconds")
