"""Office sync: fetch, merge field by field, publish with compare-and-swap, push, retry.

A sync never touches git's index or working tree to merge: the merge is built as objects
(``merge.merge_trees``) and the branch moves with ``update-ref NEW OLD``, so other sessions on
the same server see the archive before or after the sync, never in between. A push that loses
the race (another office pushed first) fetches, merges and pushes again. A sync killed at any
point leaves the archive as it was (or fully merged) and can be run again; only one sync of a
copy runs at a time (a kernel lock, dropped when the process dies).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..archive.archive import Archive
from ..archive.keys import share_keys
from ..base.errors import CusttuiError
from ..base.layout import CUSTOMER_FILE, CUSTOMERS_DIR, DOCS_DIR, META_SUFFIX, office_file, printable
from ..index.listing import LOOKUP_FIELDS, customer_id_of
from ..records import records
from ..records.records import dumps, loads
from ..records.schema import Schema
from ..store import hooks
from ..store.repo import Changes, Identity, StaleHead, lock_in_the_way
from ..vault.keystore import KeyStore
from ..vault.paths import KEYSTORE_REF
from . import keys
from .gate import Gate
from .merge import CONFLICTS, conflict_label, conflict_value, merge_base, merge_trees

PUSH_ATTEMPTS = 6
GIT_TIMEOUT_S = 600
REJECTED = re.compile(r"\[rejected\]|non-fast-forward|fetch first|failed to update ref|cannot lock ref", re.I)


class SyncError(CusttuiError):
    """A sync that could not complete; the archive is as it was before it (or fully merged)."""


@dataclass
class SyncResult:
    """What one sync did, for the command line, cron logs and the TUI."""

    remote: str
    before: str | None
    after: str | None
    received: int = 0  # commits that came from the remote
    sent: int = 0  # commits the remote did not have
    merged: bool = False  # a merge commit was made (both sides had changes)
    pushed: bool = False
    customers: list[str] = field(default_factory=list)  # customers the remote changed
    conflicts: list[tuple[str, dict]] = field(default_factory=list)  # (path, conflict) newly recorded
    kept_twice: list[str] = field(default_factory=list)
    kept_once: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str, str]] = field(default_factory=list)  # (id, id, why)
    attempts: int = 1
    merge_seconds: float = 0.0
    gate_seconds: float = 0.0
    catch_up_seconds: float = 0.0
    stale_paths: list[str] = field(default_factory=list)
    keys_received: int = 0  # generation and customer key ids the remote's key store added
    keys_forgotten: int = 0  # customer key ids dropped here: an erasure named them
    keys_pushed: bool = False

    def summary(self) -> str:
        if (
            self.before == self.after
            and not self.sent
            and not (self.keys_received or self.keys_forgotten or self.keys_pushed)
        ):
            return f"与 {self.remote} 已一致, 无需同步"
        parts = [
            f"从 {self.remote} 收到 {self.received} 个提交"
            + (f" ({len(self.customers)} 位客户有变化)" if self.customers else "")
        ]
        if self.pushed:
            parts.append(f"发送 {self.sent} 个提交")
        if self.conflicts:
            parts.append(f"记录了 {len(self.conflicts)} 处冲突")
        if self.kept_twice:
            parts.append(f"{len(self.kept_twice)} 份同名不同内容的资料已分别保留")
        if self.duplicates:
            parts.append(f"发现 {len(self.duplicates)} 对疑似重复客户")
        if self.keys_received:
            parts.append(f"密钥库收到 {self.keys_received} 个密钥")
        if self.keys_forgotten:
            parts.append(f"销毁 {self.keys_forgotten} 个已删除客户的密钥")
        if self.keys_pushed:
            parts.append("密钥库已推送")
        return "; ".join(parts)

    def conflict_lines(self, schema: Schema) -> list[str]:
        """Each conflict this sync recorded, in the standard's Chinese: the customer (and the
        document), the field, the value kept, the other one and who set it."""
        lines = []
        for path, conflict in self.conflicts:
            document = path.rsplit("/", 1)[1].removesuffix(META_SUFFIX) if path.endswith(META_SUFFIX) else None
            field_name, is_document = conflict.get("field", ""), document is not None
            kept, other = (
                conflict_value(schema, field_name, conflict.get(side), is_document) for side in ("kept", "other")
            )
            who = f" ({conflict['other_by']})" if conflict.get("other_by") else ""
            lines.append(
                f"{path.split('/')[3]}{' 资料 ' + document if document else ''} "
                f"{conflict_label(schema, field_name, is_document)}: 保留 {kept}, 另一方 {other}{who}"
            )
        return lines


# --- remotes ----------------------------------------------------------


def remotes(archive: Archive) -> dict[str, str]:
    """Remote name -> URL."""
    out = archive.store.git("remote", "-v").stdout.decode().splitlines()
    return {line.split()[0]: line.split()[1] for line in out if line.endswith("(fetch)")}


def add_remote(archive: Archive, name: str, url: str) -> None:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
        raise CusttuiError(f"远程仓库名 {name!r} 只能用字母、数字、点、横线和下划线")
    if name in remotes(archive):
        raise CusttuiError(f"已有名为 {name} 的远程仓库 ({remotes(archive)[name]})")
    archive.store.git("remote", "add", name, url)


def remove_remote(archive: Archive, name: str) -> None:
    if name not in remotes(archive):
        raise CusttuiError(f"没有名为 {name} 的远程仓库")
    archive.store.git("remote", "remove", name)


def default_remote(archive: Archive, name: str | None = None) -> str:
    known = remotes(archive)
    if name:
        if name not in known:
            raise CusttuiError(f"没有名为 {name} 的远程仓库; 已有: {', '.join(known) or '(无)'}")
        return name
    if "origin" in known:
        return "origin"
    if len(known) == 1:
        return next(iter(known))
    raise CusttuiError(
        "没有配置远程仓库, 请先 custtui remote add 名称 地址"
        if not known
        else f"有多个远程仓库 ({', '.join(known)}), 请指明同步哪一个"
    )


# --- clone -------------------------------------------------------------------------------


def clone(
    url: str,
    path: str | os.PathLike,
    office: str,
    *,
    office_name: str | None = None,
    user: str | None = None,
    bare: bool = False,
) -> Archive:
    """A new office's copy of the archive, registered under its own office code at the origin
    (``bare``: without a working tree, as an office's own hub)."""
    office = office.strip().upper()
    if not records.OFFICE_PATTERN.match(office):
        raise records.FieldError("office", "办事处代码", "应为 2–6 位大写字母或数字, 以字母开头, 如 BJ、SH、GZ01")
    target = Path(path)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise CusttuiError(f"{target} 已存在且不是空目录, 不能克隆到此处")
    result = subprocess.run(
        ["git", "clone", "-q", "--no-tags", *(["--bare"] if bare else []), url, str(target)],
        capture_output=True,
        timeout=GIT_TIMEOUT_S,
    )
    if result.returncode != 0:
        shutil.rmtree(target, ignore_errors=True)
        raise CusttuiError(f"克隆 {url} 失败: {result.stderr.decode(errors='replace').strip()}")
    try:
        archive = Archive(target, user=user)
        if archive.head() is None:
            raise CusttuiError(f"{url} 是空仓库, 请先在一处 custtui init 创建档案并推送")
        archive.configure(office)
        prune = _sync_keys(archive, "origin", SyncResult("origin", None, None), push=False)
        _register_office(archive, office, office_name)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    if prune:
        archive.pack(prune=True, rewrite_index=False)
    return archive


def _register_office(archive: Archive, office: str, office_name: str | None) -> None:
    """Add ``offices/CODE.toml`` and push it at once, so no other copy can take the code."""
    path = office_file(office)
    for _ in range(PUSH_ATTEMPTS):
        taken = archive.store.read(archive.head(), path)
        if taken is not None:
            owner = loads(taken, path).get("name", office)
            raise CusttuiError(f"办事处代码 {office} 已被「{owner}」使用, 请换一个 (--office)")
        record = {"code": office, "name": office_name or office, "next": 1}
        message = archive.commit_message(
            "登记办事处", None, None, f"{office} {office_name or ''}".strip(), "office", []
        )

        def build(head: str | None, record: dict = record, message: str = message) -> tuple[Changes, str]:
            return {path: dumps(record, ("code", "name", "next"))}, message

        archive.commit_change(build)
        pushed = archive.store.git("push", "-q", "origin", f"HEAD:{archive.store.branch_ref}", check=False)
        if pushed.returncode == 0:
            return
        if not REJECTED.search(pushed.stderr.decode(errors="replace")):
            raise CusttuiError(f"推送办事处登记失败: {pushed.stderr.decode(errors='replace').strip()}")
        # someone pushed first: start again from theirs (the registration is redone on top)
        fetched = _fetch(archive, "origin")
        if fetched is None:
            raise CusttuiError("origin 上的档案分支已不存在, 无法登记办事处")
        archive.store.publish(fetched, archive.head(), reason="clone: restart from origin")
    raise CusttuiError("多次尝试后仍未能登记办事处, 请稍后再试")


# --- sync --------------------------------------------------------------------------------


def _git(archive: Archive, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    store = archive.store
    return subprocess.run(
        ["git", f"--git-dir={store.git_dir}", *args],
        capture_output=True,
        timeout=GIT_TIMEOUT_S,
        env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "CUSTTUI_GATED": "1", **(env or {})},
    )


def _fetch(archive: Archive, remote: str, ref: str | None = None) -> str | None:
    """The remote's branch head (or ``ref``'s commit; objects fetched), or None when the remote
    has none yet.

    Only FETCH_HEAD is written (no ref, so no ref lock a killed fetch could leave behind). The
    objects arrive in a quarantine folder, as a push does at a hub: git's fsck checks each one
    (``.git`` spellings, ``..``, bad modes, hostile ``.gitmodules`` …) and only a fetch that passed
    moves them into the archive; a refused one leaves nothing behind.
    """
    objects = archive.store.git_dir / "objects"
    with tempfile.TemporaryDirectory(prefix="tmp_objdir-incoming-", dir=objects) as quarantine:
        result = _git(
            archive,
            "-c",
            "fetch.fsckObjects=true",
            "fetch",
            "-q",
            "--no-tags",
            "--refmap=",
            remote,
            ref or archive.store.branch_ref,
            env={"GIT_OBJECT_DIRECTORY": quarantine, "GIT_ALTERNATE_OBJECT_DIRECTORIES": str(objects)},
        )
        if result.returncode != 0:
            error = result.stderr.decode(errors="replace").strip()
            if "couldn't find remote ref" in error:
                return None
            if re.search(r"fsck|error in \w+ [0-9a-f]{40}|is an? \w+, not an? |index-pack failed", error):
                raise SyncError(
                    f"拒绝接收 {remote} 的对象, 本档案未改动: git 的完整性检查 (fsck) 发现不安全或损坏的内容 "
                    f"({printable(error.splitlines()[0], 200)})"
                )
            raise SyncError(f"从 {remote} 获取失败, 档案未改动: {error}")
        _migrate(Path(quarantine), objects)
    fetched = (archive.store.git_dir / "FETCH_HEAD").read_text().split()
    return fetched[0] if fetched else None


def _migrate(quarantine: Path, objects: Path) -> None:
    """Move fetched objects into the archive's object store as git's own quarantine does: loose
    objects first, then each pack before its index (git trusts a pack once its .idx is there)."""
    order = {".pack": 0, ".rev": 1, ".idx": 2}
    files = sorted(
        (p for p in quarantine.rglob("*") if p.is_file()),
        key=lambda p: (p.parent.name == "pack", order.get(p.suffix, 3)),
    )
    for source in files:
        target = objects / source.relative_to(quarantine)
        target.parent.mkdir(exist_ok=True)
        if not target.exists():
            os.replace(source, target)


def _count(archive: Archive, span: str) -> int:
    return int(archive.store.git("rev-list", "--count", span).stdout.decode().strip() or 0)


def sync(
    archive: Archive,
    remote: str | None = None,
    *,
    push: bool = True,
    on_progress: Callable[[str], None] = lambda message: None,
) -> SyncResult:
    """Fetch, merge and push; retries by itself when someone pushed first."""
    archive.access.require("sync")
    remote = default_remote(archive, remote)
    store = archive.store
    with store.lock("sync"):
        hooks.install(store)  # a copy made by an older custtui gets git's checks before it fetches
        before = store.head()
        result = SyncResult(remote, before, before)
        gate = Gate(archive)
        for attempt in range(1, PUSH_ATTEMPTS + 1):
            result.attempts = attempt
            on_progress(f"正在从 {remote} 获取…")
            theirs = _fetch(archive, remote)
            started = time.monotonic()
            ours = _merge_in(archive, remote, theirs, result, gate)
            result.merge_seconds += time.monotonic() - started
            if not push or ours is None or ours == theirs:
                break
            on_progress(f"正在推送到 {remote}…")
            sent = _count(archive, f"{theirs}..{ours}" if theirs else ours)
            pushed = _git(archive, "push", "-q", remote, f"{ours}:{store.branch_ref}")
            if pushed.returncode == 0:
                result.pushed, result.sent = True, result.sent + sent
                break
            error = pushed.stderr.decode(errors="replace").strip()
            lock = lock_in_the_way(pushed.stderr)
            if lock is not None or not REJECTED.search(error):
                _finish(archive, result)
                why = _locked(lock) if lock else error
                raise SyncError(f"推送到 {remote} 失败 (本地已合并, 下次同步会再推送): {why}")
            on_progress(f"{remote} 上有新的提交, 重新获取并合并 (第 {attempt} 次)…")
            time.sleep(min(0.05 * attempt, 0.5))
        else:
            _finish(archive, result)
            raise SyncError(f"{remote} 持续有新提交, {PUSH_ATTEMPTS} 次尝试后仍未推送成功; 本地已合并, 请稍后再同步")
        _finish(archive, result)
        if result.after:
            store.git(
                "update-ref", f"refs/remotes/{remote}/{store.branch_ref.rsplit('/', 1)[1]}", result.after, check=False
            )
        prune = _sync_keys(archive, remote, result, push=push, on_progress=on_progress)
    if prune:
        archive.pack(prune=True, rewrite_index=False)  # outside the sync lock: pack takes it
    return result


def _sync_keys(
    archive: Archive,
    remote: str,
    result: SyncResult,
    *,
    push: bool,
    on_progress: Callable[[str], None] = lambda message: None,
) -> bool:
    """Merge the remote's key store into this copy's (``keys.merge``) and push the result back,
    forced with a lease on what was fetched; again from the fetch when the remote's moved or its
    hub refused (another office pushed first). Returns whether destroyed keys must be pruned."""
    prune, error = False, ""
    for attempt in range(1, PUSH_ATTEMPTS + 1):
        theirs = _fetch(archive, remote, KEYSTORE_REF)
        try:
            merged = keys.merge(archive.store, theirs, _sync_identity(archive), remote)
        except CusttuiError as exc:
            raise SyncError(str(exc)) from None
        result.keys_received += merged.received
        result.keys_forgotten += len(merged.forgotten)
        prune |= merged.needs_prune
        if archive.policy().privacy.enabled and share_keys(
            archive
        ):  # people registered elsewhere get what this copy holds
            merged.commit = KeyStore.open(archive.store).commit
        if not push or merged.commit is None or merged.commit == theirs:
            return prune
        on_progress(f"正在把密钥库推送到 {remote}…")
        lease = f"--force-with-lease={KEYSTORE_REF}:{theirs or ''}"
        pushed = _git(archive, "push", "-q", lease, remote, f"{merged.commit}:{KEYSTORE_REF}")
        if pushed.returncode == 0:
            result.keys_pushed = True
            return prune
        error = pushed.stderr.decode(errors="replace").strip()
        time.sleep(min(0.05 * attempt, 0.5))
    raise SyncError(f"密钥库未能推送到 {remote} (档案本身已同步, 下次同步会再推送): {error}")


def _locked(lock: Path) -> str:
    return (
        f"对方仓库的锁文件 {lock} 还在, 多半是一次中断的推送留下的; 运行 custtui 钩子的集中库会自行清除它 "
        "(custtui install-merge-driver), 否则请在那台服务器上确认没有 git 在运行后删除该文件"
    )


def _merge_in(archive: Archive, remote: str, theirs: str | None, result: SyncResult, gate: Gate) -> str | None:
    """Bring ``theirs`` into the branch (fast-forward or merge commit) once it passed the gate;
    the new head."""
    store = archive.store
    while True:
        ours = store.head()
        if theirs is None or theirs == ours:
            return ours
        base = merge_base(store, ours, theirs)
        if ours and base is None:
            raise SyncError(f"{remote} 与本档案没有共同的历史, 不是同一个档案, 不能同步")
        if base == theirs:  # nothing new there: ours is ahead
            return ours
        started = time.monotonic()
        gate.check(ours, theirs, source=f" {remote} 的修改")  # Refused: nothing of theirs is taken
        result.gate_seconds += time.monotonic() - started
        if ours is None or base == ours:  # nothing new here: fast-forward
            new, merged = theirs, None
        else:
            merged = merge_trees(store, base, ours, theirs)
            new = store.write_commit(
                ours,
                merged.changes,
                _merge_message(archive, remote, merged),
                _sync_identity(archive),
                extra_parents=(theirs,),
            )
        with store.lock("commit"):
            try:
                store.publish(new, ours, reason=f"custtui sync {remote}")
            except StaleHead:
                continue  # a colleague committed meanwhile: merge again on top of it
        result.received += _count(archive, f"{ours}..{theirs}" if ours else theirs)
        if merged is not None:
            result.merged = True
            result.conflicts += merged.conflicts
            result.kept_twice += merged.kept_twice
            result.kept_once += merged.kept_once
        return new


def _sync_identity(archive: Archive) -> Identity:
    if archive.user:
        return archive.identity()
    return Identity(f"custtui 同步 ({archive.office})", "")


def _merge_message(archive: Archive, remote: str, merged) -> str:
    customers = sorted({folder.rsplit("/", 1)[1] for folder in merged.customers})
    subject = f"同步: 合并 {remote} 的修改" + (f" ({len(customers)} 位客户)" if customers else "")
    if merged.conflicts:
        subject += f", 记录 {len(merged.conflicts)} 处冲突"
    trailers = ["Custtui-Action: sync"]
    if merged.conflicts:
        where = sorted({customer_id_of(p) or p.split("/")[3] for p, _ in merged.conflicts})
        trailers.append(f"Custtui-Conflicts: {', '.join(where)}")
    return f"{subject}\n\n" + "\n".join(trailers) + "\n"


def _finish(archive: Archive, result: SyncResult) -> None:
    """After the branch moved: working tree, customers changed, duplicates, search index."""
    store = archive.store
    result.after = store.head()
    if result.after == result.before:
        return
    result.stale_paths = store.sync_work_tree()
    diff = (
        store.diff_commits_bulk(result.before, result.after)
        if result.before
        else [(p, None, b) for p, b in store.files(result.after, f"{CUSTOMERS_DIR}/")]
    )
    result.customers = sorted(
        {p.split("/")[3] for p, _, _ in diff if p.startswith(f"{CUSTOMERS_DIR}/") and p.count("/") >= 4}
    )
    added = [cid for p, old, new in diff if old is None and new and (cid := customer_id_of(p))]
    result.duplicates = find_duplicates(archive, added)
    started = time.monotonic()
    if archive.search_built():
        archive.search_index().catch_up(result.after)
    result.catch_up_seconds = time.monotonic() - started


# --- duplicates across offices -------------------------------------------------------------

_NAME_NOISE = re.compile(r"[\s\(\)（）【】\[\]·•・,，.。、\-—_]+")


def normalised_name(name: str) -> str:
    """A name as two offices might both have typed it: width, case, spaces, brackets ignored."""
    return _NAME_NOISE.sub("", unicodedata.normalize("NFKC", name)).casefold()


def find_duplicates(archive: Archive, customer_ids: list[str]) -> list[tuple[str, str, str]]:
    """(new ID, existing ID, why) for customers sharing a USCC/ID number or a normalised name."""
    if not customer_ids:
        return []
    everyone = archive.customers()
    by_name: dict[str, set[str]] = {}
    for cid, listed in everyone.items():
        by_name.setdefault(normalised_name(listed.get("name", "")), set()).add(cid)
    found: dict[tuple[str, str], str] = {}
    schema = archive.schema()
    for cid in customer_ids:
        summary = everyone.get(cid)
        if summary is None:
            continue
        for key in LOOKUP_FIELDS:
            value = summary.get(key)
            for other in archive.listing.lookup(key, value) - {cid} if value else ():
                found.setdefault(_pair(cid, other), f"{schema.fields[key].label}相同 ({value})")
        for other in by_name.get(normalised_name(summary.get("name", "")), set()) - {cid}:
            found.setdefault(_pair(cid, other), f"名称相同 ({summary.get('name')})")
    return [(a, b, why) for (a, b), why in sorted(found.items()) if a in everyone and b in everyone]


def _pair(one: str, other: str) -> tuple[str, str]:
    """Two IDs in order: one entry per pair, whichever of them is new."""
    return (one, other) if one <= other else (other, one)


# --- open conflicts -----------------------------------------------------------------------


def open_conflicts(archive: Archive, customer_id: str | None = None) -> list[tuple[str, str, dict]]:
    """(customer ID, file inside the customer folder, conflict) for every open conflict."""
    head = archive.head()
    if customer_id is not None:
        ids = [customer_id]
    else:
        ids = sorted(cid for cid, s in archive.customers().items() if s.get("conflicts"))
    found = []
    for cid in ids:
        found += [(cid, CUSTOMER_FILE, c) for c in archive.customer(cid).get(CONFLICTS, [])]
    if head is None:  # an empty archive: nothing to grep (git grep would be given None)
        return found
    pattern = r"^\[\[conflicts\]\]"
    scope = (
        [f"{records.customer_dir(customer_id)}/{DOCS_DIR}/*{META_SUFFIX}"]
        if customer_id
        else [f"{CUSTOMERS_DIR}/*{META_SUFFIX}"]
    )
    listed = archive.store.git("grep", "-l", "-E", pattern, head, "--", *scope, check=False).stdout.decode()
    for line in listed.splitlines():
        path = line.split(":", 1)[1]
        cid = path.split("/")[3]
        record = loads(archive.store.read(head, path) or b"", path)
        found += [(cid, path.split("/", 4)[4], c) for c in record.get(CONFLICTS, [])]
    return found
