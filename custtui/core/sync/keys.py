"""The key store's side of sync: it travels between copies beside the history.

After the branch passed the gate and was merged, ``custtui sync`` (and ``clone``) fetches the
remote's ``KEYSTORE_REF`` and ``merge`` takes it in as a union, without the customer key ids the
tombstones at the new head name, and forgets those ids here as well; the result goes back to the
remote as a forced update with a lease (a parentless commit never fast-forwards). A copy that
sends a smaller or empty key store shreds nothing: only a tombstone in the gated history removes
a key. A hub takes a key store only through ``check_push``. When this copy forgot keys, or was
sent keys an erasure destroyed, the caller runs ``Archive.pack(prune=True)`` so that no object
holding them survives.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..base.errors import CusttuiError
from ..privacy.erase import erased_key_ids, erasures
from ..store.repo import ZERO_OID, Identity, Store
from ..vault.keystore import AUDIENCES_FILE, CUSTOMERS_DIR, KeyStore
from ..vault.paths import KEYSTORE_REF

SAVE_ATTEMPTS = 20


@dataclass
class Merged:
    """What one merge of another copy's key store did here."""

    commit: str | None  # this copy's key store afterwards
    received: int = 0  # generation and customer key ids taken from the other copy
    forgotten: list[str] = field(default_factory=list)  # key ids dropped here: a tombstone names them
    sent_erased: bool = False  # the other copy still held keys an erasure destroyed

    @property
    def needs_prune(self) -> bool:
        """Whether destroyed key material is in this repository's objects until ``pack`` prunes."""
        return bool(self.forgotten) or self.sent_erased


def merge(store: Store, theirs: str | None, author: Identity, source: str) -> Merged:
    """Forget every key the tombstones at the branch head name, then take in the key store at
    ``theirs`` (fetched, not trusted) but for those; saved as one new commit only when something
    changed, or ``theirs`` itself when it holds exactly what this copy would."""
    tombstones = erasures(store, store.head())
    erased = {key for erasure in tombstones.values() for key in erasure.keys}
    for _ in range(SAVE_ATTEMPTS):
        local = KeyStore.open(store)
        merged = Merged(local.commit)
        merged.forgotten = [
            key for customer, erasure in tombstones.items() for key in local.remove_keys(customer, set(erasure.keys))
        ]
        try:
            remote = KeyStore(store, theirs) if theirs and theirs != local.commit else None
            if remote is not None:
                new = local.lacking(remote)
                merged.received, merged.sent_erased = len(new - erased), bool(new & erased)
                if not merged.sent_erased and not remote.lacking(local, exact=True):  # theirs is ours and more
                    if not _move(store, theirs, local.commit, f"密钥库: 采用 {source} 的版本"):
                        continue
                    merged.commit = theirs
                    return merged
                local.absorb(remote, erased)
        except CusttuiError as exc:
            raise CusttuiError(f"{source} 的密钥库无法读取, 未采用 ({exc}); 档案本身已同步") from None
        what = f"与 {source} 合并" + (f", 销毁 {len(merged.forgotten)} 个已删除客户的密钥" if merged.forgotten else "")
        try:
            merged.commit = local.save(author, f"密钥库: {what}") or None
        except CusttuiError:
            continue  # another session saved meanwhile: merge again on top of it
        return merged
    raise CusttuiError("密钥库正被频繁修改, 请稍后再同步; 档案本身已同步")


def _move(store: Store, new: str | None, old: str | None, reason: str) -> bool:
    """Point ``KEYSTORE_REF`` at ``new`` if it still is at ``old`` (compare-and-swap)."""
    return store.git("update-ref", "-m", reason, KEYSTORE_REF, new or "", old or ZERO_OID, check=False).returncode == 0


def check_push(store: Store, old: str | None, new: str, head: str | None) -> None:
    """The hub's rule for a pushed key store: a parentless commit of key store files only, that
    keeps every generation and customer key id of ``old`` except those the tombstones at ``head``
    name, and brings back none of those. Raises CusttuiError (one sentence) otherwise."""
    refused = f"拒绝推送的密钥库 {KEYSTORE_REF}"
    try:
        info = store.commit_info(new)
    except CusttuiError:
        raise CusttuiError(f"{refused}: 推送的不是提交") from None
    if info.parents:
        raise CusttuiError(f"{refused}: 密钥库的提交不能有父提交 (旧版本会因此一直留在仓库中)")
    listed = store.git("ls-tree", "-r", "--name-only", "-z", new).stdout.decode(errors="replace").split("\0")
    stray = [path for path in listed if path and not _keystore_file(path)]
    if stray:
        raise CusttuiError(f"{refused}: 含有密钥库之外的文件 {stray[0]!r}")
    erased = erased_key_ids(store, head)
    try:
        incoming = KeyStore(store, new)
        kept = KeyStore(store, old) if old else KeyStore(store, None)
        lost = incoming.lacking(kept) - erased
        brought = kept.lacking(incoming) & erased
    except CusttuiError as exc:
        raise CusttuiError(f"{refused}: 无法读取 ({exc})") from None
    if lost:
        raise CusttuiError(
            f"{refused}: 缺少本库已有的 {len(lost)} 个密钥 (如 {min(lost)}), 且没有删除记录说明它们已销毁; "
            "请先同步 (custtui sync) 再推送"
        )
    if brought:
        raise CusttuiError(f"{refused}: 含有已随个人信息删除而销毁的密钥 {min(brought)}")


def _keystore_file(path: str) -> bool:
    folder, _, name = path.rpartition("/")
    return path == AUDIENCES_FILE or (folder == CUSTOMERS_DIR and name.endswith(".toml"))
