"""The git object store: consistent reads at a commit and compare-and-swap commits.

Writes never touch git's index to build a commit: blobs and only the trees on the changed
paths are written as objects, a commit object on top, and the branch moves with
``git update-ref NEW OLD``. When another session moved the branch first, the change is
rebuilt on the new head and tried again. A working tree, where there is one, is brought
in step afterwards for the paths the commit changed.
"""

from __future__ import annotations

import fcntl
import os
import random
import re
import subprocess
import threading
import time
from collections import OrderedDict, defaultdict
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path
from typing import IO, TYPE_CHECKING, Callable, Iterator, NamedTuple

from ..base.errors import CusttuiError, NotARepository
from ..base.layout import unsafe_path

if TYPE_CHECKING:
    from gitdb.db.loose import LooseObjectDB

FILE_MODE = 0o100644
TREE_MODE = 0o40000
ZERO_OID = "0" * 40


class BlobRef(NamedTuple):
    """An existing blob to place at a path, by id (used by revert and merges)."""

    sha: str
    mode: int = FILE_MODE


Changes = dict[str, "bytes | BlobRef | None"]  # path -> new content, an existing blob, or deletion


class Identity(NamedTuple):
    """Who made a change, and when (``when`` defaults to now)."""

    name: str
    email: str
    when: datetime | None = None

    def signature(self) -> bytes:
        when = self.when or datetime.now(timezone.utc).astimezone()
        if when.utcoffset() is None:  # naive (no zone, or one without an offset): local time
            when = when.astimezone()
        delta = when.utcoffset()
        assert delta is not None  # astimezone() always gives a fixed-offset zone
        offset = int(delta.total_seconds() // 60)
        sign = "+" if offset >= 0 else "-"
        tz = f"{sign}{abs(offset) // 60:02d}{abs(offset) % 60:02d}"
        return f"{self.name} <{self.email}> {int(when.timestamp())} {tz}".encode()


class CommitInfo(NamedTuple):
    """A parsed commit object."""

    sha: str
    tree: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    author_time: datetime
    message: str

    @property
    def summary(self) -> str:
        return self.message.split("\n", 1)[0]

    def trailers(self) -> dict[str, str]:
        """``Key: value`` lines of the last paragraph of the message."""
        last = self.message.strip().rsplit("\n\n", 1)[-1]
        pairs = (line.split(": ", 1) for line in last.splitlines() if ": " in line)
        return {k: v for k, v in pairs if k.startswith("Custtui-")}


class StaleHead(Exception):
    """The branch moved between reading it and publishing (internal; triggers a retry)."""


def blob_sha(data: bytes) -> str:
    """The git object id of ``data`` as a blob."""
    import hashlib  # loading OpenSSL took 4-5 ms of every command that writes nothing

    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


# Tree objects are parsed and written here rather than with GitPython's tree_entries_from_data /
# tree_to_stream: both validate every entry name, ~12 ms per 1,000-entry shard on each read and
# each commit (measured with bench/bench_core.py at 100k customers).


class _Tree(NamedTuple):
    """A tree object: its entries (name -> (mode, sha)), its bytes, and where each sha sits in them.
    (A NamedTuple: a frozen dataclass of it took 3.3 ms to build at every import, this 0.1 ms.)"""

    entries: dict[str, tuple[int, str]]
    raw: bytes
    offsets: dict[str, int]


def _parse_tree(data: bytes) -> _Tree:
    entries, offsets, pos, end = {}, {}, 0, len(data)
    while pos < end:
        space = data.index(b" ", pos)
        nul = data.index(b"\0", space)
        name = data[space + 1 : nul].decode("utf-8", errors="surrogateescape")
        entries[name] = (int(data[pos:space], 8), data[nul + 1 : nul + 21].hex())
        offsets[name] = nul + 1
        pos = nul + 21
    return _Tree(entries, data, offsets)


def _serialise_tree(entries: dict[str, tuple[int, str]]) -> _Tree:
    """Entries in git's order (a directory sorts as if named ``name/``)."""

    def key(item):
        name, (mode, _) = item
        raw = name.encode("utf-8", errors="surrogateescape")
        return raw + b"/" if mode == TREE_MODE else raw

    return _parse_tree(
        b"".join(
            b"%o %s\0%s" % (mode, name.encode("utf-8", errors="surrogateescape"), bytes.fromhex(sha))
            for name, (mode, sha) in sorted(entries.items(), key=key)
        )
    )


def _patched(base: _Tree, entries: dict[str, tuple[int, str]], touched: set[str]) -> _Tree:
    """``entries`` written as a tree: when only shas of existing entries changed, by replacing
    those 20 bytes in the base tree (a 1,000-entry shard need not be sorted and rebuilt)."""
    if entries.keys() != base.entries.keys() or any(entries[n][0] != base.entries[n][0] for n in touched):
        return _serialise_tree(entries)
    raw = bytearray(base.raw)
    for name in touched:
        offset = base.offsets[name]
        raw[offset : offset + 20] = bytes.fromhex(entries[name][1])
    return _Tree(entries, bytes(raw), base.offsets)


_OBJECT_ID = re.compile(r"[0-9a-f]{40}")
_IDENT = re.compile(rb"^(.*?) ?<([^<>]*)> (\d+) ([+-])(\d\d)(\d\d)")  # name <email> seconds ±hhmm


class _ObjectPipe:
    """One ``git cat-file --batch`` for the life of a Store, as GitPython kept one: an object
    read costs a line on a pipe, not a process. Started on the first read and again in a forked
    child, which must not share its parent's pipe."""

    def __init__(self, git_dir: Path):
        self.git_dir = git_dir
        self.lock = threading.Lock()  # the pipe serves one caller at a time
        self.process: subprocess.Popen | None = None
        self.owner = 0

    def read(self, sha: str) -> tuple[bytes, bytes]:
        missing = CusttuiError(f"git 对象 {sha} 不存在, 档案可能已损坏; 请运行 `custtui check`")
        if not _OBJECT_ID.fullmatch(sha):
            raise missing
        with self.lock:
            stdin, stdout = self._pipe()
            try:
                stdin.write(sha.encode() + b"\n")
                stdin.flush()
                header = stdout.readline().split()
                if len(header) != 3 or header[0] != sha.encode():
                    raise missing
                size = int(header[2])
                data = stdout.read(size + 1)
            except (OSError, ValueError):
                self._stop()
                raise missing from None
            if len(data) != size + 1:
                self._stop()
                raise missing
            return header[1], data[:-1]

    def _pipe(self) -> tuple[IO[bytes], IO[bytes]]:
        if self.process is None or self.owner != os.getpid():
            self.process = subprocess.Popen(
                ["git", f"--git-dir={self.git_dir}", "cat-file", "--batch"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
            self.owner = os.getpid()
        assert self.process.stdin is not None and self.process.stdout is not None
        return self.process.stdin, self.process.stdout

    def _stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and self.owner == os.getpid():
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    stream.close()
            process.wait()

    def close(self) -> None:
        with self.lock:
            self._stop()


def _parse_commit(sha: str, raw: bytes) -> CommitInfo:
    """A commit object read as git reads it: ``tree`` first, the ``parent`` lines right after it,
    the first ``author`` header; the message after the first blank line, in its ``encoding``.
    Whatever a hostile copy wrote, this returns or raises CusttuiError, never anything else."""
    header, _, body = raw.partition(b"\n\n")
    lines = header.split(b"\n")
    if not (lines[0].startswith(b"tree ") and _OBJECT_ID.fullmatch(lines[0][5:].decode("latin-1"))):
        raise CusttuiError(f"提交 {sha[:10]} 已损坏: 缺少目录 (tree)")
    parents: list[str] = []
    for line in lines[1:]:
        if not line.startswith(b"parent "):
            break
        parents.append(line[7:].decode("latin-1"))
    fields: dict[bytes, bytes] = {}
    for line in lines[1:]:
        key, _, value = line.partition(b" ")
        if key and not line.startswith(b" "):
            fields.setdefault(key, value)
    encoding = fields.get(b"encoding", b"utf-8").decode("ascii", "replace")
    try:
        name, email, when = _parse_ident(fields.get(b"author", b""), encoding)
        message = body.decode(encoding, "replace")
    except (LookupError, UnicodeError, TypeError):  # no such encoding, or one that is no text's (idna, hex)
        name, email, when = _parse_ident(fields.get(b"author", b""), "utf-8")
        message = body.decode("utf-8", "replace")
    return CommitInfo(sha, lines[0][5:].decode(), tuple(parents), name, email, when, message)


def _parse_ident(line: bytes, encoding: str) -> tuple[str, str, datetime]:
    """(name, email, time) of an author line, in the commit's encoding as git decodes it; a
    malformed one keeps what can be read, its time the epoch."""
    found = _IDENT.match(line)
    if found is None:
        name, _, rest = line.partition(b"<")
        email = rest.partition(b">")[0] if rest else b""
        return name.strip().decode(encoding, "replace"), email.decode(encoding, "replace"), _EPOCH
    name, email, seconds, sign, hours, minutes = found.groups()
    try:
        zone = timezone(timedelta(hours=int(hours), minutes=int(minutes)) * (-1 if sign == b"-" else 1))
    except ValueError:  # an offset of a day or more: the time is still right, shown in UTC
        zone = timezone.utc
    try:
        when = datetime.fromtimestamp(int(seconds), zone)
    except (ValueError, OverflowError, OSError):  # past the year 9999
        when = _EPOCH
    return name.strip().decode(encoding, "replace"), email.decode(encoding, "replace"), when


_EPOCH = datetime.fromtimestamp(0, timezone.utc)


STALE_LOCK_S = 5.0
"""Age at which a git lock file is one a killed git left. git holds a ref's lock for
milliseconds, and itself waits 100 ms for one (core.filesRefLockTimeout), 1 s for packed-refs'."""
_LOCK_EXISTS = re.compile(rb"Unable to create '([^']+\.lock)': File exists")


def lock_in_the_way(stderr: bytes) -> Path | None:
    """The lock file git says it failed on (another git holds it, or a killed one left it)."""
    found = _LOCK_EXISTS.search(stderr)
    return Path(os.fsdecode(found.group(1))) if found else None


def clear_stale_lock(lock: Path) -> bool:
    """Wait for a git lock file to go; once STALE_LOCK_S old, remove it as a killed git's. Whether
    it is gone (False: a live git keeps renewing it)."""
    deadline = time.monotonic() + STALE_LOCK_S
    while True:
        try:
            age = time.time() - lock.stat().st_mtime
        except FileNotFoundError:
            return True
        if age >= STALE_LOCK_S:
            lock.unlink(missing_ok=True)
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


class _Settings(NamedTuple):
    signature: tuple
    values: dict[str, str]
    origins: frozenset[str]  # the files the values came from, included ones too


def _settings_signature(git_dir: Path, origins: frozenset[str]) -> tuple:
    """What git reads its configuration from: the environment that names the files, and each
    file's inode, time and size (git writes a setting by renaming a new file over the old)."""
    home, xdg = os.path.expanduser("~"), os.environ.get("XDG_CONFIG_HOME")
    files = {
        str(git_dir / "config"),
        f"{home}/.gitconfig",
        f"{xdg or home + '/.config'}/git/config",
        "/etc/gitconfig",
        os.environ.get("GIT_CONFIG_GLOBAL", ""),
        os.environ.get("GIT_CONFIG_SYSTEM", ""),
        *origins,
    }
    environment = sorted((k, v) for k, v in os.environ.items() if k.startswith("GIT_CONFIG"))
    return tuple(environment), tuple((name, _file_state(name)) for name in sorted(filter(None, files)))


def _file_state(name: str) -> tuple[int, int, int] | None:
    try:
        found = os.stat(name)
    except OSError:
        return None
    return found.st_ino, found.st_mtime_ns, found.st_size


class Store:
    """A git repository (bare or with a working tree) read and written through objects."""

    TREE_CACHE_SIZE = 4096

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path).resolve()
        self.git_dir, self.work_tree = self._locate(self.path)
        self.branch_ref = self._head_ref()
        self._objects = _ObjectPipe(self.git_dir)
        self._loose_db: LooseObjectDB | None = None
        self._commit_trees: dict[str, str] = {}
        self.stale_paths: list[str] = []  # working files left alone by the last commit (local edits)
        self._trees: OrderedDict[str, _Tree] = OrderedDict()
        self._trees_lock = threading.Lock()
        self._settings: _Settings | None = None  # git's configuration, as last read

    @staticmethod
    def _locate(path: Path) -> tuple[Path, Path | None]:
        if not path.is_dir():
            raise NotARepository(f"档案路径 {path} 不存在或不是目录")
        if (path / ".git").is_dir():
            return path / ".git", path
        if (path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir():
            return path, None
        raise NotARepository(f"{path} 不是 git 仓库, 请先用 `custtui init` 创建档案")

    def _head_ref(self) -> str:
        head = (self.git_dir / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            raise NotARepository(f"{self.path} 的 HEAD 处于分离状态, 请先切换到分支")
        return head[5:]

    def close(self) -> None:
        self._objects.close()

    def config(self, section: str, option: str) -> str | None:
        """A git configuration value (repository, then global and system: the last one set), as
        git reads it; sections without subsections only. Every setting is read by one ``git
        config --list`` and kept while the files it came from, and those git reads first, are
        unchanged: a sync asked git for 31 values (custtui.office 17 times), one process each,
        91 of the 219 git processes of a two-office sync test."""
        settings = self._settings
        if settings is None or settings.signature != _settings_signature(self.git_dir, settings.origins):
            settings = self._settings = self._read_settings()
        return settings.values.get(f"{section}.{option}".lower()) or None

    def _read_settings(self) -> _Settings:
        listed = self.git("config", "--list", "--show-origin", "-z", check=False).stdout.decode("utf-8", "replace")
        fields = listed.split("\0")  # origin, then key and value on two lines, each ended by a NUL
        values, origins = {}, set()
        for origin, entry in zip(fields[0::2], fields[1::2], strict=False):
            key, _, value = entry.partition("\n")
            values[key] = value.strip()
            if origin.startswith("file:"):
                origins.add(origin.removeprefix("file:"))
        return _Settings(_settings_signature(self.git_dir, frozenset(origins)), values, frozenset(origins))

    def git(self, *args: str, input: bytes | None = None, check: bool = True) -> subprocess.CompletedProcess:
        """Run a git command on this repository; a failure raises CusttuiError with git's words."""
        cmd = ["git", f"--git-dir={self.git_dir}"]
        if self.work_tree is not None:
            cmd.append(f"--work-tree={self.work_tree}")
        # CUSTTUI_GATED: what custtui moves the branch to has passed its gate (or is its own commit),
        # so the reference-transaction hook (custtui.core.store.hooks) need not start again
        env = {**os.environ, "CUSTTUI_GATED": "1"}
        result = subprocess.run(cmd + list(args), input=input, capture_output=True, env=env)
        if result.returncode != 0 and self._cleared_stale_lock(result.stderr):  # git failed before changing
            result = subprocess.run(cmd + list(args), input=input, capture_output=True, env=env)
        if args[:1] == ("config",) and "--list" not in args:
            self._settings = None  # a setting written: read them all again next time
        if check and result.returncode != 0:
            raise CusttuiError(f"git {args[0]} 失败: {result.stderr.decode(errors='replace').strip()}")
        return result

    def _cleared_stale_lock(self, stderr: bytes) -> bool:
        """Whether git failed on a lock file of this repository that is gone now: its git
        finished, or it was left by a git killed in the middle (power cut, kill -9), which git
        never removes: every commit would fail until someone deletes it by hand."""
        lock = lock_in_the_way(stderr)
        return lock is not None and lock.is_relative_to(self.git_dir) and clear_stale_lock(lock)

    # --- reading -------------------------------------------------------------------------

    def head(self) -> str | None:
        """The commit the branch points at, or None for an empty archive."""
        return self._ref(self.branch_ref)

    def _ref(self, name: str, depth: int = 0) -> str | None:
        """The object a reference names, read from its file or ``packed-refs`` as git stores them
        (GitPython did this for us, but importing it costs ~150 ms of every command)."""
        value: str | None
        try:
            value = (self.git_dir / name).read_text("ascii").strip()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError, UnicodeDecodeError):
            value = self._packed_ref(name)
        if value and value.startswith("ref: ") and depth < 5:
            return self._ref(value[5:].strip(), depth + 1)
        return value if value and _OBJECT_ID.fullmatch(value) else None

    def _packed_ref(self, name: str) -> str | None:
        try:
            lines = (self.git_dir / "packed-refs").read_text("utf-8", "replace").splitlines()
        except FileNotFoundError:
            return None
        for line in lines:
            sha, _, ref = line.partition(" ")
            if ref == name:
                return sha
        return None

    def read_object(self, sha: str) -> tuple[bytes, bytes]:
        """(type, content) of an object."""
        return self._objects.read(sha)

    def read_blob(self, sha: str) -> bytes:
        return self.read_object(sha)[1]

    def tree(self, sha: str) -> dict[str, tuple[int, str]]:
        """Entries of a tree object: name -> (mode, sha)."""
        return self._tree(sha).entries

    def _tree(self, sha: str) -> _Tree:
        """A tree object, cached (trees never change)."""
        with self._trees_lock:
            hit = self._trees.get(sha)
            if hit is not None:
                self._trees.move_to_end(sha)
                return hit
        kind, raw = self.read_object(sha)
        if kind != b"tree":
            raise CusttuiError(f"git 对象 {sha[:10]} 应为目录 (tree), 实为 {kind.decode(errors='replace')}")
        try:
            tree = _parse_tree(raw)
        except ValueError:
            raise CusttuiError(f"git 目录对象 {sha[:10]} 已损坏") from None
        self._remember_tree(sha, tree)
        return tree

    def _remember_tree(self, sha: str, tree: _Tree) -> None:
        with self._trees_lock:
            self._trees[sha] = tree
            if len(self._trees) > self.TREE_CACHE_SIZE:
                self._trees.popitem(last=False)

    def commit_info(self, sha: str) -> CommitInfo:
        """The fields of the commit with this full id (``Archive.commit_info`` takes any name git
        takes); an author line without ``<address>`` gives an empty email."""
        try:
            kind, raw = self.read_object(sha)
        except CusttuiError:
            raise CusttuiError(f"提交 {sha} 不存在") from None
        if kind != b"commit":
            raise CusttuiError(f"提交 {sha} 不存在")
        return _parse_commit(sha, raw)

    def know_trees(self, trees: dict[str, str]) -> None:
        """Remember commit -> tree ids read in bulk elsewhere (a ``git log``), so reading files at
        those commits needs no object lookup per commit."""
        self._commit_trees.update(trees)

    def root_tree(self, commit: str | None) -> str | None:
        if commit is None:
            return None
        tree = self._commit_trees.get(commit)
        if tree is None:
            tree = self._commit_trees[commit] = self.commit_info(commit).tree
        return tree

    def entry(self, commit: str | None, path: str) -> tuple[int, str] | None:
        """(mode, sha) at ``path`` in ``commit``, or None."""
        sha = self.root_tree(commit)
        if sha is None:
            return None
        mode = TREE_MODE
        for part in path.strip("/").split("/"):
            if mode != TREE_MODE:
                return None
            found = self.tree(sha).get(part)
            if found is None:
                return None
            mode, sha = found
        return mode, sha

    def read(self, commit: str | None, path: str) -> bytes | None:
        """Bytes of the file at ``path`` in ``commit``, or None."""
        found = self.entry(commit, path)
        if found is None or found[0] == TREE_MODE:
            return None
        return self.read_blob(found[1])

    def listdir(self, commit: str | None, path: str) -> dict[str, tuple[int, str]]:
        """Entries of the directory at ``path`` (empty when absent)."""
        if not path.strip("/"):
            sha = self.root_tree(commit)
            return self.tree(sha) if sha else {}
        found = self.entry(commit, path)
        if found is None or found[0] != TREE_MODE:
            return {}
        return self.tree(found[1])

    def diff_trees(
        self, old: str | None, new: str | None, prefix: str = ""
    ) -> Iterator[tuple[str, str | None, str | None]]:
        """(path, old blob, new blob) for every file that differs; skips equal subtrees."""
        if old == new:
            return
        old_entries = self.tree(old) if old else {}
        new_entries = self.tree(new) if new else {}
        for name in sorted(old_entries.keys() | new_entries.keys()):
            a, b = old_entries.get(name), new_entries.get(name)
            if a == b:
                continue
            path = f"{prefix}{name}"
            a_tree = a[1] if a and a[0] == TREE_MODE else None
            b_tree = b[1] if b and b[0] == TREE_MODE else None
            if a_tree or b_tree:
                yield from self.diff_trees(a_tree, b_tree, path + "/")
            a_blob = a[1] if a and a[0] != TREE_MODE else None
            b_blob = b[1] if b and b[0] != TREE_MODE else None
            if a_blob != b_blob:
                yield path, a_blob, b_blob

    def diff_commits(self, old: str | None, new: str | None) -> list[tuple[str, str | None, str | None]]:
        return list(self.diff_trees(self.root_tree(old), self.root_tree(new)))

    def diff_commits_bulk(self, old: str | None, new: str | None) -> list[tuple[str, str | None, str | None]]:
        """``diff_commits`` through one ``git diff-tree``: for diffs of thousands of files (a sync),
        where reading every changed tree object here would cost seconds."""
        if not old or not new:
            return self.diff_commits(old, new)
        out = self.git("diff-tree", "-r", "-z", "--no-renames", "--no-commit-id", old, new).stdout.decode()
        fields = out.split("\0")
        changes = []
        for header, path in zip(fields[0::2], fields[1::2], strict=False):  # the output ends in a NUL
            _, _, old_blob, new_blob, _ = header.lstrip(":").split(" ")
            changes.append(
                (path, None if old_blob == ZERO_OID else old_blob, None if new_blob == ZERO_OID else new_blob)
            )
        return sorted(changes)

    def walk(self, commit: str | None, path: str = "") -> Iterator[tuple[str, str]]:
        """(path, blob sha) of every file under ``path``."""
        prefix = f"{path.strip('/')}/" if path.strip("/") else ""
        for p, _, b in self.diff_trees(None, self._dir_sha(commit, path), prefix):
            if b is not None:  # always: against nothing, every file is new
                yield p, b

    def _dir_sha(self, commit: str | None, path: str) -> str | None:
        if not path.strip("/"):
            return self.root_tree(commit)
        found = self.entry(commit, path)
        return found[1] if found and found[0] == TREE_MODE else None

    def files(self, commit: str | None, *paths: str) -> Iterator[tuple[str, str]]:
        """(path, blob) of every file under ``paths`` at ``commit``, from one ``git ls-tree``
        (far faster than walking trees object by object when most of the archive is wanted)."""
        if commit is None or not paths:
            return
        listing = self.git("ls-tree", "-r", "-z", commit, "--", *paths).stdout
        for entry in filter(None, listing.split(b"\0")):
            meta, path = entry.split(b"\t", 1)
            yield path.decode("utf-8", errors="surrogateescape"), meta.split()[2].decode()

    def is_ancestor(self, ancestor: str, commit: str) -> bool:
        return self.git("merge-base", "--is-ancestor", ancestor, commit, check=False).returncode == 0

    def log(self, *args: str) -> list[str]:
        """Commit ids, newest first, for ``git rev-list`` arguments."""
        head = self.head()
        if head is None:
            return []
        out = self.git("rev-list", *(args or (head,))).stdout.decode()
        return out.split()

    # --- writing -------------------------------------------------------------------------

    def _write_object(self, kind: bytes, data: bytes) -> str:
        """Store a loose object (temp file + rename, so concurrent writers are safe)."""
        from gitdb.base import IStream
        from gitdb.db.loose import LooseObjectDB

        if self._loose_db is None:  # imported on the first write: reading commands need none of it
            self._loose_db = LooseObjectDB(str(self.git_dir / "objects"))
        return self._loose_db.store(IStream(kind, len(data), BytesIO(data))).hexsha.decode()

    def _build_tree(self, tree_sha: str | None, changes: Changes) -> str | None:
        base = self._tree(tree_sha) if tree_sha else None
        entries = dict(base.entries) if base else {}
        nested: dict[str, Changes] = defaultdict(dict)
        touched: set[str] = set()
        for path, change in changes.items():
            head, _, rest = path.partition("/")
            touched.add(head)
            if rest:
                nested[head][rest] = change
            elif change is None:
                entries.pop(head, None)
            elif isinstance(change, BlobRef):
                entries[head] = (change.mode, change.sha)
            else:
                entries[head] = (FILE_MODE, self._write_object(b"blob", change))
        for name, sub in nested.items():
            old = entries.get(name)
            new = self._build_tree(old[1] if old and old[0] == TREE_MODE else None, sub)
            if new is None:
                entries.pop(name, None)
            else:
                entries[name] = (TREE_MODE, new)
        if not entries:
            return None
        tree = _patched(base, entries, touched) if base else _serialise_tree(entries)
        sha = self._write_object(b"tree", tree.raw)
        self._remember_tree(sha, tree)
        return sha

    def write_commit(
        self,
        parent: str | None,
        changes: Changes,
        message: str,
        author: Identity,
        committer: Identity | None = None,
        extra_parents: tuple[str, ...] = (),
    ) -> str:
        """Write the objects of a commit on ``parent`` applying ``changes``; does not publish."""
        base_tree = self.root_tree(parent)
        tree = self._build_tree(base_tree, changes) or self._write_object(b"tree", b"")
        lines = [b"tree " + tree.encode()]
        lines += [b"parent " + p.encode() for p in ((parent,) if parent else ()) + extra_parents]
        lines.append(b"author " + author.signature())
        lines.append(b"committer " + (committer or author).signature())
        body = b"\n".join(lines) + b"\n\n" + message.rstrip("\n").encode() + b"\n"
        key = self.signing_key()
        if key:
            lines.append(b"gpgsig " + self.ssh_sign(body, key).rstrip(b"\n").replace(b"\n", b"\n "))
            body = b"\n".join(lines) + b"\n\n" + message.rstrip("\n").encode() + b"\n"
        commit = self._write_object(b"commit", body)
        self._commit_trees[commit] = tree
        return commit

    def signing_key(self) -> str | None:
        """The SSH key custtui signs this copy's commits with (``custtui signing enable``), kept in
        custtui's own setting so that git itself, run by hand, does not sign."""
        return self.config("custtui", "signingkey")

    def ssh_sign(self, payload: bytes, key: str) -> bytes:
        """An SSH signature of ``payload`` in git's namespace, as ``git commit -S`` makes it."""
        result = subprocess.run(
            ["ssh-keygen", "-Y", "sign", "-n", "git", "-f", os.path.expanduser(key)], input=payload, capture_output=True
        )
        if result.returncode != 0:
            raise CusttuiError(f"无法用 {key} 签名提交: {result.stderr.decode(errors='replace').strip()}; 修改未写入")
        return result.stdout

    def publish(self, new: str, old: str | None, reason: str = "custtui") -> None:
        """Move the branch from ``old`` to ``new`` atomically, or raise StaleHead."""
        result = self.git("update-ref", "-m", reason, self.branch_ref, new, old or ZERO_OID, check=False)
        if result.returncode != 0:
            raise StaleHead(result.stderr.decode(errors="replace"))

    def transact(
        self,
        build: Callable[[str | None], tuple[Changes, str] | None],
        author: Identity,
        attempts: int = 200,
        sync: bool = True,
    ) -> str | None:
        """Apply ``build(head) -> (changes, message)`` as one commit, retrying on a moved head.

        ``build`` is called again on the new head after every lost race, so it must compute
        its changes from the head it is given. Returns the new commit, or None when ``build``
        has nothing to change. ``sync=False`` leaves a working tree for the caller to refresh.
        """
        for attempt in range(attempts):
            # Sessions on this machine take turns (a kernel lock, gone if the process dies), so
            # they queue instead of rebuilding on every lost race; the compare-and-swap still
            # guards against writers that do not take it (a push, a plain git commit).
            with self.lock("commit"):
                parent = self.head()
                built = build(parent)
                if built is None:
                    return None
                changes, message = built
                commit = self.write_commit(parent, changes, message, author)
                lost = False
                try:
                    self.publish(commit, parent, reason=message.split("\n", 1)[0])
                except StaleHead:
                    lost = True
            if lost:
                time.sleep(random.uniform(0, 0.002 * min(attempt + 1, 20)))
                continue
            if sync and self.work_tree is not None:
                self.stale_paths = self.sync_work_tree()
            return commit
        raise CusttuiError("档案正被频繁修改, 多次重试后仍未能保存, 请稍后再试; 你的修改没有写入")

    # --- working tree --------------------------------------------------------------------

    @contextmanager
    def lock(self, name: str):
        """An advisory lock under .git/custtui/; the kernel drops it if the process dies."""
        folder = self.git_dir / "custtui"
        folder.mkdir(exist_ok=True)
        with open(folder / f"{name}.flock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def work_tree_behind(self) -> bool:
        """Whether the branch moved without the working tree (a session killed in between)."""
        if self.work_tree is None:
            return False
        marker = self.git_dir / "custtui" / "worktree-commit"
        return (marker.read_text().strip() if marker.exists() else None) != (self.head() or "")

    def sync_work_tree(self) -> list[str]:
        """Bring files and index in step with the branch head.

        Everything that changed since the commit the working tree was last brought to is
        written, so a session killed before its sync, or syncs finishing out of order, leave
        nothing stale (with no record yet: since the head's parent). A file whose content is
        neither the old nor the new version holds edits nobody committed: it is left as it
        is (the index still follows the head) and returned so the caller can warn.
        """
        if self.work_tree is None:
            return []
        skipped: list[str] = []
        with self.lock("worktree"):
            head = self.head()
            marker = self.git_dir / "custtui" / "worktree-commit"
            synced = marker.read_text().strip() if marker.exists() else None
            try:
                pending = self.diff_commits(synced, head) if synced else None
            except CusttuiError:
                pending = None
            if pending is None:
                parents = self.commit_info(head).parents if head else ()
                pending = self.diff_commits(parents[0] if parents else None, head)
            lines = []
            for path, old, new in pending:
                file = self._inside_work_tree(path)
                if file is None:
                    skipped.append(path)  # never written: its name could lead out of the working tree
                    continue
                present = blob_sha(file.read_bytes()) if file.is_file() else None
                found = self.entry(head, path) if new else None  # a new blob is a file at the head
                mode = found[0] if found else 0
                lines.append(f"{mode:o} {new or ZERO_OID}\t{path}")
                if present not in (old, new):
                    skipped.append(path)
                elif new is None:
                    file.unlink(missing_ok=True)
                    self._prune_empty_dirs(file.parent)
                elif present != new:
                    file.parent.mkdir(parents=True, exist_ok=True)
                    tmp = file.parent / f".{file.name}.custtui-tmp"
                    tmp.write_bytes(self.read_blob(new))
                    os.replace(tmp, file)
            if lines:
                self.git("update-index", "--index-info", input=("\n".join(lines) + "\n").encode())
            tmp = marker.with_suffix(".tmp")
            tmp.write_text(head or "")
            os.replace(tmp, marker)
        return skipped

    def _inside_work_tree(self, path: str) -> Path | None:
        """Where ``path`` (from a tree) lives in the working tree, or None when writing it could
        leave the working tree or touch ``.git``: an unsafe name, or a folder on the way that is
        a symlink. Whatever a tree says, nothing is written outside."""
        root = self.work_tree
        if root is None or unsafe_path(path):
            return None
        folder = root
        for part in path.split("/")[:-1]:
            folder = folder / part
            if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
                return None
        target = root / path
        return None if target.is_symlink() else target

    def _prune_empty_dirs(self, folder: Path) -> None:
        while folder != self.work_tree and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
