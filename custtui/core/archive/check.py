"""Validating the files of an archive: one file as the incoming gate sees it, or the whole archive
(``custtui check``) with the same rules, and who wrote each problem in.

``FileCheck`` validates one file by its place in the layout: records parse within bounds and
validate against the schema in force, documents match their metadata, staff and office files
are well formed, a signed access review names a commit of its own history. ``check_archive``
runs it over every file at the head: one ``git ls-tree`` for the listing, the customer folders
split between worker processes that each read their blobs through one ``git cat-file --batch``
(measured at 10k customers: one ``cat-file`` process per
customer took 48.6 s, 42x ``git fsck``), while ``git fsck`` runs beside them.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import subprocess
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable

from ..access.registry import parse_person, registry_problems
from ..access.reviews import stored_review
from ..base.errors import CusttuiError, RecordError
from ..base.layout import (
    CUSTOMER_FILE,
    CUSTOMERS_DIR,
    FORMAT_VERSION,
    META_SUFFIX,
    SCHEMA_DIR,
    TOML_SUFFIX,
    Kind,
    customer_folder_of,
    customer_of_folder,
    place,
    place_inside,
    printable,
    unsafe_path,
)
from ..index.listing import batch_read
from ..privacy.erase import Erasure
from ..records.boxes import stored_box
from ..records.records import OFFICE_PATTERN, Validator, loads
from ..records.validate import validate_text
from ..store import hooks
from ..vault import crypto

BLAMED = 20  # problems whose author is looked up (one git log each)
Read = Callable[[str], "bytes | None"]
_CUSTOMERS = CUSTOMERS_DIR.encode()  # a customer path's first part, as ``git ls-tree -z`` gives it


class FileCheck:
    """Validates files of the archive at one commit; ``read(path)`` gives another file's bytes at
    that commit (a document's metadata, a customer's record), None when absent. A document's
    bytes are compared with its checksum when its metadata is checked: check both."""

    def __init__(self, archive, commit: str | None, read: Read):
        self.archive, self.commit, self.read = archive, commit, read
        schema = archive.schema(commit)
        self.validator = Validator(schema)
        self.rules = schema.rules["documents"]
        self._records: dict[str, dict | None] = {}  # other files parsed for context, by path

    def reading(self, read: Read) -> FileCheck:
        """The same check reading other files through ``read`` (no git access: safe in a fork)."""
        copy = object.__new__(FileCheck)
        copy.__dict__.update(self.__dict__, read=read, _records={})
        return copy

    def _record(self, path: str) -> dict | None:
        """Another file of the commit, parsed once (a document's metadata, its customer's record);
        None when absent or unreadable (it is reported on its own)."""
        if path not in self._records:
            raw = self.read(path)
            try:
                self._records[path] = None if raw is None else loads(raw, path)
            except CusttuiError:
                self._records[path] = None
        return self._records[path]

    def __call__(self, path: str, kind: Kind, data: bytes) -> None:
        """Raise CusttuiError saying what is wrong with ``data`` at ``path``."""
        if kind is Kind.DOCUMENT:  # its checksum is compared when its metadata is checked
            if len(data) > self.rules["max_file_bytes"]:
                raise CusttuiError(f"资料过大 ({len(data):,} 字节), 上限 {self.rules['max_file_bytes']:,} 字节")
            if self.read(path + META_SUFFIX) is None:
                raise CusttuiError(f"资料缺少元数据文件 {path.rsplit('/', 1)[1]}{META_SUFFIX}")
            return
        record = loads(data, path)
        self._records[path] = record
        if kind is Kind.ARCHIVE:
            validate_text(record.get("name", ""), "name", "档案名称", max_length=100)
            if set(record) - {"name", "format"} or record.get("format") != FORMAT_VERSION:
                raise CusttuiError(f"只能有 name 和 format = {FORMAT_VERSION}")
        elif kind is Kind.OFFICE:
            office(record, path)
        elif kind is Kind.STAFF:
            parse_person(data, path)
        elif kind is Kind.SCHEMA:
            self.archive.policy(self.commit)  # the standard loaded in __init__; the policy must fit it
        elif kind is Kind.CUSTOMER:
            if record.get("id") != path.split("/")[3]:
                raise CusttuiError(f"id 为 {record.get('id')!r}, 与文件夹 {path.split('/')[3]} 不符")
            self.validator.customer(record)
        elif kind is Kind.NOTE:
            self.validator.note(record)
        elif kind is Kind.DEAL:
            self.validator.deal(record)
        elif kind is Kind.DOC_META:
            self._meta(path, record)
        elif kind is Kind.BOX:
            stored_box(data, path, self.validator.schema)
        elif kind is Kind.REVIEW:
            self._review(data, path)
        elif kind is Kind.ERASURE:
            Erasure.parse(data, path)

    def _review(self, data: bytes, path: str) -> None:
        """A signed access review: as custtui writes it, on a commit of this commit's own history."""
        review = stored_review(data, path)
        if self.commit is None:
            return
        found = self.archive.store.git("merge-base", "--is-ancestor", review.commit, self.commit, check=False)
        if found.returncode != 0:  # 1: not an ancestor; 128: no such commit
            raise CusttuiError(f"复核所依据的提交 {review.commit[:10]} 不在本提交之前的历史中")

    def _meta(self, path: str, record: dict) -> None:
        document = path.removesuffix(META_SUFFIX)
        customer = self._record(f"{customer_folder_of(path)}/{CUSTOMER_FILE}")
        self.validator.stored_document(record, customer.get("type") if customer else None)
        raw = self.read(document)
        if raw is None:
            raise CusttuiError(f"元数据对应的资料文件 {document.rsplit('/', 1)[1]} 不存在")
        if crypto.is_sealed(raw):  # its checksum is of the plaintext: AES-GCM's tag guards the ciphertext
            sealed_for = crypto.header_of(raw).customer
            if sealed_for != path.split("/")[3]:
                raise CusttuiError(f"加密的资料属于客户 {sealed_for}, 不是此文件夹的客户")
        elif record.get("sha256") != hashlib.sha256(raw).hexdigest():
            raise CusttuiError("资料内容与元数据中的校验和不符, 文件可能被改动")
        if record.get("main") and self.read(f"{document.rsplit('/', 1)[0]}/{record['main']}") is None:
            raise CusttuiError(f"主文件 {record['main']} 不存在")


def office(record: dict, path: str) -> None:
    code = path.rsplit("/", 1)[1].removesuffix(TOML_SUFFIX)
    if record.get("code") != code or not OFFICE_PATTERN.match(code):
        raise CusttuiError(f"code 为 {record.get('code')!r}, 与文件名 {code} 不符")
    validate_text(record.get("name", ""), "name", "办事处名称", max_length=60)
    counter = record.get("next")
    if (
        not isinstance(counter, int)
        or isinstance(counter, bool)
        or counter < 1
        or set(record) - {"code", "name", "next"}
    ):
        raise CusttuiError("只能有 code、name 和正整数 next")


def problem(path: str, error: CusttuiError) -> str:
    """``path: what is wrong`` (a record's parse error names its line once, not the path twice)."""
    if isinstance(error, RecordError):
        return f"{printable(path)}{f' 第 {error.line} 行' if error.line else ''}: {error.problem}"
    return f"{printable(path)}: {error}"


# --- the whole archive -------------------------------------------------------------------------


def check_archive(archive) -> list[str]:
    """Every problem in the archive at its head: git's fsck, then every path and file by the
    rules of the incoming gate, each problem naming the commit and author that wrote it."""
    store = archive.store
    head = store.head()
    fsck = subprocess.Popen(
        ["git", f"--git-dir={store.git_dir}", "fsck", "--no-progress", "--no-dangling"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    problems: list[str] = []
    try:
        if head is not None:
            problems = _check_files(archive, head)
    finally:
        out, _ = fsck.communicate()
    if fsck.returncode != 0:
        problems.insert(0, "git fsck: " + out.decode(errors="replace").strip())
    problems += [
        f"本副本缺少接收检查: {what} (运行 custtui install-merge-driver 补上)" for what in hooks.missing(store)
    ]
    return _blamed(store, problems)


def _check_files(archive, head: str) -> list[str]:
    store = archive.store
    try:
        check = FileCheck(archive, head, lambda path: store.read(head, path))
    except CusttuiError as exc:
        return [str(exc)]
    schema = (store.entry(head, SCHEMA_DIR) or (0, ""))[1]
    listing = store.git("ls-tree", "-r", "-t", "-z", "--full-tree", head).stdout
    folders: dict[str, list[bytes]] = {}
    trees: dict[str, bytes] = {}  # customer folder -> its verdict key (folder, tree, schema)
    others = []
    for entry in filter(None, listing.split(b"\0")):  # grouped here, checked in the workers
        meta, path = entry.split(b"\t", 1)
        parts = path.split(b"/", 4)
        if parts[0] != _CUSTOMERS or len(parts) < 4:
            if b" tree " not in meta:
                others.append(entry)
        elif len(parts) == 4 and b" tree " in meta:
            trees[path.decode("utf-8", "surrogateescape")] = _verdict(path, meta.split()[2], schema)
        elif len(parts) == 5 and b" tree " not in meta:
            folders.setdefault(b"/".join(parts[:4]).decode("utf-8", "surrogateescape"), []).append(entry)
    problems = _check_others(archive, head, check, others)
    passed = _verdicts(store)
    unchecked = sorted((f, e) for f, e in folders.items() if trees.get(f) not in passed)
    clean = {trees[f] for f in folders if f in trees} - {trees.get(f) for f, _ in unchecked}
    global _FORKED
    _FORKED = (store.git_dir, check, _split(unchecked, os.cpu_count() or 1), trees)
    try:
        if len(_FORKED[2]) > 1:  # forked workers share the loaded schema; each reads through its own git
            with ProcessPoolExecutor(len(_FORKED[2]), mp_context=multiprocessing.get_context("fork")) as pool:
                results = list(pool.map(_check_folders, range(len(_FORKED[2]))))
        else:
            results = [_check_folders(0)] if _FORKED[2] else []
    finally:
        _FORKED = None
    for found, passed_now in results:
        problems += found
        clean |= passed_now
    _remember_verdicts(store, clean)
    return problems


# A customer folder that passed, by its path, its tree's id and the schema's: the same three can
# only hold the same files, so the next check skips them (measured at 100k: see bench/README.md).
# Kept under .git/custtui/, which only the service account writes (who is trusted with everything).
VERDICTS = "check-passed"
CHECK_VERSION = b"1"


def _verdict(folder: bytes, tree: bytes, schema: str) -> bytes:
    return hashlib.sha1(b"\0".join((CHECK_VERSION, folder, tree, schema.encode()))).digest()


def _verdicts(store) -> set[bytes]:
    path = store.git_dir / "custtui" / VERDICTS
    data = path.read_bytes() if path.exists() else b""
    return {data[i : i + 20] for i in range(0, len(data) - len(data) % 20, 20)}


def _remember_verdicts(store, keys: set[bytes]) -> None:
    path = store.git_dir / "custtui" / VERDICTS
    path.parent.mkdir(exist_ok=True)
    temp = path.with_suffix(f".{os.getpid()}.tmp")
    temp.write_bytes(b"".join(sorted(keys)))
    os.replace(temp, path)


# (git dir, FileCheck, chunks of (customer folder, its ls-tree entries), verdict keys) for the workers
_FORKED: tuple[Path, FileCheck, list[list[tuple[str, list[bytes]]]], dict[str, bytes]] | None = None


def _entry(entry: bytes, problems: list[str]) -> tuple[str, str, Kind] | None:
    """(path, blob, kind) of one ``ls-tree`` line, or None with the problem noted."""
    meta, raw_path = entry.split(b"\t", 1)
    mode, kind, sha = meta.split()
    path = raw_path.decode("utf-8", errors="surrogateescape")
    reason = unsafe_path(path)
    if reason or mode != b"100644" or kind != b"blob":
        problems.append(f"{printable(path)}: " + (reason or f"不允许的对象 (模式 {mode.decode()}), 档案只存普通文件"))
        return None
    where = place(path)
    if where is None:
        problems.append(f"{printable(path)}: 不是档案格式中的路径")
        return None
    return path, sha.decode(), where.kind


def _split(items: list, parts: int) -> list[list]:
    """``items`` in up to ``parts`` contiguous chunks; one only when small (a fork costs more)."""
    parts = 1 if len(items) < 2000 else parts
    size = -(-len(items) // parts) if items else 0
    return [items[i : i + size] for i in range(0, len(items), size)] if items else []


def _check_others(archive, head: str, check: FileCheck, entries: list[bytes]) -> list[str]:
    store = archive.store
    problems: list[str] = []
    for path, sha, kind in filter(None, (_entry(e, problems) for e in entries)):
        try:
            check(path, kind, store.read_blob(sha))
        except CusttuiError as exc:
            problems.append(problem(path, exc))
    if not problems:
        try:
            problems += registry_problems(archive.registry(head), archive.policy(head))
        except CusttuiError as exc:
            problems.append(str(exc))
    return problems


def _check_folders(chunk: int) -> tuple[list[str], set[bytes]]:
    """Problems in one chunk of customer folders, and the verdict keys of those that passed."""
    assert _FORKED is not None, "set by _check_files around the call"
    git_dir, base, chunks, trees = _FORKED
    problems: list[str] = []
    clean: set[bytes] = set()
    folders = []
    for folder, entries in chunks[chunk]:
        found: list[str] = []
        folders.append((folder, _folder_entries(folder, entries, found), found))
    contents = iter(batch_read(git_dir, [sha for _, files, _ in folders for _, sha, _ in files]))
    for folder, files, found in folders:
        data = {path: next(contents) for path, _, _ in files}
        check = base.reading(data.get)
        if files and f"{folder}/{CUSTOMER_FILE}" not in data:
            found.append(f"{printable(folder)}: 缺少 {CUSTOMER_FILE}")
        for path, _, kind in files:
            try:
                check(path, kind, data[path])
            except CusttuiError as exc:
                found.append(problem(path, exc))
        problems += found
        if not found and folder in trees:
            clean.add(trees[folder])
    return problems, clean


def _folder_entries(folder: str, entries: list[bytes], problems: list[str]) -> list[tuple[str, str, Kind]]:
    """``_entry`` for one customer's files: the folder's own path checked once."""
    customer = None if unsafe_path(folder) else customer_of_folder(folder)
    if customer is None:
        return [f for f in (_entry(e, problems) for e in entries) if f]
    files = []
    for entry in entries:
        meta, raw_path = entry.split(b"\t", 1)
        path = raw_path.decode("utf-8", errors="surrogateescape")
        inside = path[len(folder) + 1 :]
        reason = unsafe_path(inside)
        where = None if reason else place_inside(customer, inside)
        if reason or not meta.startswith(b"100644 blob ") or where is None:
            _entry(entry, problems)  # says which rule it breaks
        else:
            files.append((path, meta[12:].decode(), where.kind))
    return files


def _blamed(store, problems: list[str]) -> list[str]:
    """Each problem with the commit that last wrote its file: who, when (the first BLAMED)."""
    shown = []
    for number, text in enumerate(problems):
        path = text.split(":", 1)[0].split(" 第 ")[0]
        if number < BLAMED and not text.startswith("git fsck") and ("/" in path or path.endswith(TOML_SUFFIX)):
            found = (
                store.git(
                    "log", "-1", "--format=%h %an <%ae> %ad", "--date=format:%Y-%m-%d %H:%M", "--", path, check=False
                )
                .stdout.decode(errors="replace")
                .strip()
            )
            if found:
                text += f" (由提交 {printable(found)} 写入)"
        shown.append(text)
    return shown
