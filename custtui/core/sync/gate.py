"""The incoming gate: nothing another copy sends becomes the branch head before it passes here.

Every commit new to this copy is checked in history order, each against the state before it
(the registry, policy and schema in force at its parent):

1. **Objects.** Tree entries: no ``..``, no ``.git`` in any spelling git's fsck refuses, no
   absolute, control, invisible or non-canonical (non-NFC) names; only plain files (mode 100644)
   and folders: no symlinks, submodules (gitlinks) or executables. (git's own fsck runs on every
   fetched or pushed object as well: ``transfer.fsckObjects``.)
2. **Paths.** Only what the archive format defines (``custtui.core.base.layout``): no
   ``.gitattributes``, ``.gitmodules``, stray folders or files.
3. **Content.** Records within the size and nesting bounds, parsing and validating against the
   schema in force at that commit; documents within the size limit and matching their metadata's
   checksum; a consistent staff registry; a schema and policy that load; office counters that
   never go back; boxes of the paper register as custtui writes them (``records.boxes``); signed
   access reviews as custtui writes them, on a commit of their own history (``access.reviews``).
4. **Rights.** The author (``name <id@office>``) is a registered, active person whose roles allow
   every change (``custtui.core.access.rights``); a signed access review names its author as the
   reviewer. A change to staff, schema, archive settings or access reviews, or a removal, also
   needs a *verifiable* author: the commit is signed by a key registered to the
   author or to an office server (a person with ``replicate``).

A merge commit must be the merge custtui computes from its two parents; whatever differs from
that is the merge author's own change and is checked as above. The first commit that fails
stops the gate: ``Refused`` names it (which commit, whose, what is wrong) and nothing has been
written. An archive without a staff registry has no rights to check (steps 1–3 still apply).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..access.registry import access_of, registry_problems
from ..access.rights import Change, needs, unmet
from ..archive.archive import Archive
from ..archive.check import FileCheck, problem
from ..archive.signing import STATUS, allowed_signers, signatures
from ..base.errors import CusttuiError
from ..base.layout import CUSTOMER_FILE, META_SUFFIX, Kind, Place, customer_folder_of, place, printable, unsafe_path
from ..records.records import loads
from ..store.repo import FILE_MODE, TREE_MODE, ZERO_OID, BlobRef, blob_sha, clear_stale_lock
from ..vault.paths import KEYSTORE_REF
from .keys import check_push
from .merge import MergeRefused, merge_base, merge_trees

MODES = {0o120000: "符号链接", 0o160000: "子模块 (gitlink)", 0o100755: "可执行文件"}


@dataclass(frozen=True)
class Finding:
    """A commit the gate refuses, and why."""

    commit: str
    author: str
    when: str
    subject: str
    problems: tuple[str, ...]

    def text(self) -> str:
        shown = "; ".join(self.problems[:5]) + (
            f"; 另有 {len(self.problems) - 5} 处问题" if len(self.problems) > 5 else ""
        )
        return (
            f"提交 {self.commit[:10]} (作者 {printable(self.author)}, {self.when}, «{printable(self.subject, 60)}»): "
            f"{shown}"
        )


class Refused(CusttuiError):
    """Another copy's history failed the gate; nothing was written."""

    def __init__(self, source: str, finding: Finding):
        self.source, self.finding = source, finding
        super().__init__(f"拒绝接收{source}, 本档案未改动: {finding.text()}")


@dataclass
class _Incoming:
    """One commit as the bulk ``git log`` lists it: its tree, parents, author's address and, for
    a commit with one parent (or none), what it changes with each new file's mode."""

    sha: str
    tree: str
    parents: list[str]
    email: str
    changes: list[Change] = field(default_factory=list)
    modes: dict[str, str] = field(default_factory=dict)


class Gate:
    """Checks the commits between a trusted head and an incoming one."""

    def __init__(self, archive: Archive):
        self.archive, self.store = archive, archive.store

    def check(self, trusted: str | None, incoming: str, source: str) -> int:
        """Raise Refused at the first commit of ``trusted..incoming`` that fails; else how many
        commits passed. ``source`` completes «拒绝接收…»: " origin 的修改", "推送的修改"."""
        commits = self._log(trusted, incoming)
        self.store.know_trees({c.sha: c.tree for c in commits})
        for commit in commits:
            problems = self._commit(commit, trusted)
            if problems:
                info = self.store.commit_info(commit.sha)
                author = f"{info.author_name} <{info.author_email}>"
                raise Refused(
                    source,
                    Finding(commit.sha, author, f"{info.author_time:%Y-%m-%d %H:%M}", info.summary, tuple(problems)),
                )
        return len(commits)

    def _log(self, trusted: str | None, incoming: str) -> list[_Incoming]:
        """Every commit of ``trusted..incoming`` in history order, with its changes, from one
        ``git log --raw`` (measured: walking each commit's trees here took 10 ms a commit at 10k;
        this takes well under one). Read by position, so no name or address can pass for another
        field; git's fsck has refused what a path could not be told from (a ``/`` in a name)."""
        span = [incoming, "--not", trusted] if trusted else [incoming]
        out = self.store.git(
            "log",
            "--reverse",
            "--topo-order",
            "--root",
            "-r",
            "-z",
            "--raw",
            "--no-renames",
            "--no-abbrev",
            "--format=%x01%H %T %P%x00%ae",
            *span,
        ).stdout
        commits: list[_Incoming] = []
        tokens = iter(out.split(b"\0"))
        for token in tokens:
            token = token.lstrip(b"\n")
            if token.startswith(b"\x01"):
                sha, tree, *parents = token[1:].decode().split()
                commits.append(_Incoming(sha, tree, parents, next(tokens).decode("utf-8", "replace")))
            elif token.startswith(b":"):
                old_mode, new_mode, old, new, _ = token[1:].decode().split(" ")
                path = next(tokens).decode("utf-8", "surrogateescape")
                commit = commits[-1]
                commit.changes.append(Change(path, None if old == ZERO_OID else old, None if new == ZERO_OID else new))
                commit.modes[path] = new_mode
        return commits

    # --- one commit --------------------------------------------------------------------------

    def _commit(self, commit: _Incoming, trusted: str | None) -> list[str]:
        parents = commit.parents
        if len(parents) > 2:
            return ["合并提交只能有两个父提交"]
        if not parents and trusted:
            return ["与本档案没有共同的历史 (另一个档案的根提交)"]
        if len(parents) == 2:
            changes, explained = self._merge_changes(commit.sha, parents)
            modes = {
                c.path: f"{found[0]:o}" for c in changes if c.new and (found := self.store.entry(commit.sha, c.path))
            }
        else:
            changes, explained, modes = commit.changes, False, commit.modes
        problems = self._objects(changes, modes)
        if problems:
            return problems  # names and modes first: nothing below reads an unsafe path
        parent = parents[0] if parents else None
        problems = self._content(commit.sha, changes)
        if not problems and not explained:
            problems = self._rights(commit.sha, commit.email, parent, changes)
        return problems

    @staticmethod
    def _objects(changes: list[Change], modes: dict[str, str]) -> list[str]:
        """Unsafe names on the paths a commit writes, and modes other than a plain file's."""
        problems = []
        for change in changes:
            if change.new is None:
                continue
            reason = unsafe_path(change.path)
            mode = int(modes.get(change.path, "100644"), 8)
            if reason:
                problems.append(f"{printable(change.path)}: 不安全的名称 ({reason})")
            elif mode != FILE_MODE:
                problems.append(
                    f"{printable(change.path)}: 不允许的{MODES.get(mode, f'文件模式 {mode:o}')}, 档案只存普通文件"
                )
        return problems

    def _merge_changes(self, merge: str, parents: list[str]) -> tuple[list[Change], bool]:
        """A merge's changes on top of its first parent, and whether they are exactly the merge
        custtui computes (then its parents' own checks cover them); otherwise only what differs
        from that merge, as the merge author's own change."""
        ours, theirs = parents
        actual = {p: n for p, _, n in self.store.diff_commits(ours, merge)}
        try:
            merged = merge_trees(self.store, merge_base(self.store, ours, theirs), ours, theirs)
        except MergeRefused:
            return [Change(p, self._blob(ours, p), n) for p, n in actual.items()], False
        expected = {
            p: c.sha if isinstance(c, BlobRef) else blob_sha(c) if c is not None else None
            for p, c in merged.changes.items()
        }
        own = []
        for path in sorted(set(actual) | set(expected)):
            want = expected[path] if path in expected else self._blob(ours, path)
            got = actual[path] if path in actual else self._blob(ours, path)
            if want != got:
                own.append(Change(path, want, got))
        return own, not own

    def _blob(self, commit: str | None, path: str) -> str | None:
        found = self.store.entry(commit, path)
        return found[1] if found and found[0] != TREE_MODE else None

    # --- content -------------------------------------------------------------------------

    def _content(self, commit: str, changes: list[Change]) -> list[str]:
        problems: list[str] = []
        try:
            check = FileCheck(self.archive, commit, lambda path: self.store.read(commit, path))
        except CusttuiError as exc:
            return [str(exc)]
        touched_registry = False
        changed = {c.path for c in changes}
        for change in list(changes):  # a document's checksum is in its metadata: check that too
            meta = change.path + META_SUFFIX
            if change.new and meta not in changed and (where := place(change.path)) and where.kind is Kind.DOCUMENT:
                found = self._blob(commit, meta)
                changes = [*changes, Change(meta, found, found)]
        for change in changes:
            where = place(change.path)
            if where is None:
                problems.append(f"{printable(change.path)}: 不是档案格式中的路径")
                continue
            touched_registry |= where.kind in (Kind.STAFF, Kind.SCHEMA)
            if self._orphaned(commit, change, where, changed):
                problems.append(f"{customer_folder_of(change.path)}: 文件夹中有文件, 但没有 {CUSTOMER_FILE}")
            if change.new is None:
                continue
            try:
                data = self._read(change.new)
                check(change.path, where.kind, data)
                if where.kind is Kind.OFFICE:
                    self._counter(change)
            except CusttuiError as exc:
                problems.append(problem(change.path, exc))
        if touched_registry and not problems:
            try:
                problems += registry_problems(self.archive.registry(commit), self.archive.policy(commit))
            except CusttuiError as exc:
                problems.append(str(exc))
        return problems

    def _orphaned(self, commit: str, change: Change, where: Place, changed: set[str]) -> bool:
        """Whether a change leaves files in a customer folder without its record: the record
        removed while files stay, or a file added to a folder that has none."""
        folder = customer_folder_of(change.path)
        if where.customer is None or folder is None:  # a customer's path is always in its folder
            return False
        if where.kind is Kind.CUSTOMER:
            return change.new is None and self.store.entry(commit, folder) is not None
        record = f"{folder}/{CUSTOMER_FILE}"
        return (
            change.old is None
            and change.new is not None
            and record not in changed
            and self.store.entry(commit, record) is None
        )

    def _read(self, blob: str) -> bytes:
        kind, data = self.store.read_object(blob)
        if kind != b"blob":
            raise CusttuiError(f"应为文件, 实为 {kind.decode()} 对象")
        return data

    def _counter(self, change: Change) -> None:
        """An office's counter only grows: going back would give out numbers twice."""
        if change.old is None or change.new is None:  # added (a deletion is never checked here)
            return
        before, after = (loads(self.store.read_blob(b), change.path).get("next", 1) for b in (change.old, change.new))
        if after < before:
            raise CusttuiError(f"编号计数 next 从 {before} 退回到 {after}, 会重复发号")

    # --- rights ----------------------------------------------------------------------------

    def _rights(self, commit: str, email: str, parent: str | None, changes: list[Change]) -> list[str]:
        people = self.archive.registry(parent)
        if not people:
            return []  # no registry yet: no restrictions (documented in docs/security.md)
        account, _, office = email.partition("@")
        person = people.get(account)
        if person is None or not person.active or not office:
            state = "已停用" if person is not None and person.active is False else "不是员工名册中的在职员工"
            return [f"作者 <{printable(email)}> {state} (作者应为 姓名 <员工账号@办事处代码>)"]
        policy = self.archive.policy(parent)
        access = access_of(person, policy)
        required = needs(changes, lambda p: self._blob(commit, p), self._read)
        problems = unmet(access, required) + self._reviewers(person.id, changes)
        if not problems and any(n.privileged for n in required):
            status, signer = signatures(self.store, [commit], allowed_signers(people)).get(commit, ("N", ""))
            vouched = status == "G" and (
                signer == person.id or signer in people and access_of(people[signer], policy).may("replicate")
            )
            if not vouched:
                why = (
                    STATUS.get(status, f"签名状态 {status}")
                    if status != "G"
                    else f"签名者 {signer} 既不是作者本人, 也不是办事处服务器"
                )
                what = "、".join(dict.fromkeys(n.what for n in required if n.privileged))
                problems.append(
                    f"{what}: 修改员工名册、分类标准、档案设置或删除时, 作者必须可验证 "
                    f"(由作者本人或办事处服务器登记过的密钥签名), 而此提交{why}"
                )
        return problems

    def _reviewers(self, account: str, changes: list[Change]) -> list[str]:
        """A signed access review names its author as the reviewer: no one signs in another's name."""
        problems = []
        for change in changes:
            where = place(change.path)
            if change.new and where is not None and where.kind is Kind.REVIEW:
                reviewer = loads(self._read(change.new), change.path).get("reviewer")
                if reviewer != account:
                    problems.append(f"{change.path}: 复核人 {printable(str(reviewer))} 不是提交作者 {account}")
        return problems


# --- where the gate runs besides custtui sync: git's hooks (custtui.core.store.hooks) ---------------

APPROVED = "gated"  # under .git/custtui/: heads a push gate passed, so the later ref hook need not gate again


def receive(archive: Archive, updates: list[tuple[str, str, str]], pusher: str | None) -> None:
    """The ``pre-receive`` gate of a hub: only the archive's branch and its key store, no deletion,
    a pusher who is an office server (``replicate``); the branch only fast-forwards and every new
    commit passes the gate; the key store (forced: it has no parent) only through
    ``keys.check_push`` against the tombstones at the branch head this push leaves. Raises
    CusttuiError; git then refuses the whole push. Removes the refs' lock files a killed push
    left (``clear_stale_lock``)."""
    store = archive.store
    source = "推送的修改"
    if pusher:
        person = archive.registry().get(pusher)
        if person is None or not person.active or not access_of(person, archive.policy()).may("replicate"):
            raise CusttuiError(f"{pusher} 不是在职的办事处服务器账号 (replicate), 不能推送")
        source = f" {person.label} 推送的修改"
    head = store.head()
    for old, new, ref in updates:
        if ref == KEYSTORE_REF and new == ZERO_OID:
            raise CusttuiError(f"不能删除密钥库 {KEYSTORE_REF}")
        if ref == KEYSTORE_REF:
            continue  # after the branch: its tombstones say which keys may go
        if ref != store.branch_ref:
            raise CusttuiError(
                f"只接受推送到 {store.branch_ref} 和 {KEYSTORE_REF}, 拒绝 {printable(ref)} (档案不用其他分支和标签)"
            )
        if new == ZERO_OID:
            raise CusttuiError(f"不能删除分支 {ref}")
        trusted = None if old == ZERO_OID else old
        if trusted and not store.is_ancestor(trusted, new):
            raise CusttuiError(f"拒绝非快进推送 (会丢掉 {ref} 上已有的提交): 请先同步 (custtui sync) 再推送")
        Gate(archive).check(trusted, new, source)
        _approve(store, new)
        head = new
    for old, new, ref in updates:
        if ref == KEYSTORE_REF:
            check_push(store, None if old == ZERO_OID else old, new, head)
    # git locks the refs after this hook; a lock a killed push left would refuse every push after it
    for lock in {store.git_dir / f"{ref}.lock" for _, _, ref in updates} | {store.git_dir / "packed-refs.lock"}:
        if not clear_stale_lock(lock):
            raise CusttuiError(f"集中库的 {lock.relative_to(store.git_dir)} 正被另一个 git 进程占用, 请稍后再推送")


def local_update(archive: Archive, updates: list[tuple[str, str, str]]) -> None:
    """The ``reference-transaction`` gate: plain git moving the branch (``git pull``, ``git
    merge``, ``git reset``). On refusal the working tree and index git already wrote are put
    back, so the copy stays as it was."""
    store = archive.store
    approved = _approved(store)
    for old, new, ref in updates:
        if ref not in (store.branch_ref, "HEAD") or new == ZERO_OID or new in approved:
            continue
        approved.add(new)  # HEAD and its branch move together: one check
        trusted = None if old == ZERO_OID else old
        if trusted and store.is_ancestor(new, trusted):
            continue  # back to a commit this copy already had: nothing new arrives
        try:
            Gate(archive).check(trusted, new, " git 带来的修改")
        except Refused:
            if trusted and store.work_tree is not None:
                restored = store.git("read-tree", "-m", "-u", new, trusted, check=False)
                if restored.returncode != 0:
                    raise CusttuiError(
                        f"拒绝了 git 的更新, 但工作区已被 git 改动且无法自动恢复; 请运行 "
                        f"git reset --hard {trusted[:10]}"
                    ) from None
            raise


def _approve(store, commit: str) -> None:
    path = store.git_dir / "custtui" / APPROVED
    path.parent.mkdir(exist_ok=True)
    kept = (path.read_text().split() if path.exists() else [])[-19:]
    temp = path.with_suffix(".tmp")
    temp.write_text("\n".join([*kept, commit]) + "\n")
    temp.replace(path)


def _approved(store) -> set[str]:
    path = store.git_dir / "custtui" / APPROVED
    return set(path.read_text().split()) if path.exists() else set()
