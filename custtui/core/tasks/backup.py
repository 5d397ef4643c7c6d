"""Backups (备份) and the restore drill: one age-encrypted file holds a whole copy of the archive.

A backup, ``<archive name>-<office>-<YYYYmmddTHHMMSS>.custtui-backup``, is a tar encrypted with
age (``pyrage``) to the people who may manage staff (their registered ``age_keys``), to keys given
with ``--to``, or with a passphrase. Inside:

- ``archive.bundle``: ``git bundle create --all``, every ref (the key store ``refs/custtui/keys``
  too), checked with ``git bundle verify`` before anything is written;
- ``keys/<file>``: the identities this copy holds (``vault.paths.key_dir``);
- ``access.log``, and ``allowed_signers`` (keys this copy trusts without a staff registry);
- ``manifest.json``: archive, office, branch and head, every ref, when and by whom, the sha256 of
  each part.

Plaintext is staged only inside the git directory (which holds it anyway); the backup folder only
ever sees the encrypted file, written under a temporary name and renamed whole. ``restore`` checks
every part before it creates the new directory and removes it again if anything fails.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, NamedTuple

from ..access import access_log
from ..access.registry import Person, access_of
from ..archive.archive import Archive
from ..archive.signing import LOCAL_SIGNERS, verify
from ..base.errors import CusttuiError, FieldError
from ..records.records import OFFICE_PATTERN
from ..store.repo import Store
from ..sync.sync import add_remote, remotes
from ..vault.keyring import load_identities
from ..vault.paths import key_dir

SUFFIX = ".custtui-backup"
FORMAT = "custtui-backup/1"
MANIFEST, BUNDLE, LOG = "manifest.json", "archive.bundle", "access.log"
KEYS = "keys/"
MIN_PASSPHRASE = 12
# who may take a backup: a full, unmasked copy is for those who manage staff or run an office server
MAY_BACK_UP = ("manage_staff", "replicate")
DAMAGED = "文件已损坏或不完整 (解密时校验失败), 请换用另一份备份"
BRANCH = re.compile(r"refs/heads/[A-Za-z0-9][A-Za-z0-9._-]*")
OBJECT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
STAMP = re.compile(r"-(\d{8}T\d{6})" + re.escape(SUFFIX) + "$")

Progress = Callable[[str], None]


class Secret(NamedTuple):
    """What a backup is sealed to or opened with: age recipients / identities, or a passphrase."""

    keys: tuple = ()  # pyrage recipients (to seal) or identities (to open)
    passphrase: str | None = None


@dataclass(frozen=True)
class Backup:
    path: Path
    manifest: dict
    recipients: list[str]  # who can open it: each key holder's label, or 口令
    warning: str = ""  # when nothing outside this copy can open it


@dataclass
class Restored:
    archive: Archive
    manifest: dict
    customers: int
    keys: list[str]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    title: str
    ok: bool
    seconds: float
    detail: str


def _quiet(message: str) -> None:
    """No progress wanted."""


# --- keys and passphrases ----------------------------------------------------------------


def recipient(text: str):
    """An ``age1…`` or OpenSSH (``ssh-ed25519 …``) public key as a pyrage recipient."""
    import pyrage

    text = " ".join(text.split())
    try:
        if text.startswith("age1"):
            return pyrage.x25519.Recipient.from_str(text)
        return pyrage.ssh.Recipient.from_str(text)
    except pyrage.RecipientError:
        raise FieldError(
            "to", "备份接收者公钥", f"{text[:30]!r} 不是 age 公钥 (age1…) 或 OpenSSH 公钥 (ssh-ed25519 …)"
        ) from None


def identities(path: str | os.PathLike) -> list:
    """The identities in an age key file (``AGE-SECRET-KEY-1…`` lines, as age-keygen writes it)
    or an OpenSSH private key without a passphrase."""
    import pyrage

    file = Path(path).expanduser()
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise CusttuiError(f"读不出私钥文件 {file}: {exc.strerror or exc}") from None
    try:
        if b"OPENSSH PRIVATE KEY" in raw:
            return [pyrage.ssh.Identity.from_buffer(raw)]
        lines = [line.strip() for line in raw.decode("utf-8", errors="replace").splitlines()]
        found = [pyrage.x25519.Identity.from_str(line) for line in lines if line.startswith("AGE-SECRET-KEY-")]
    except (pyrage.IdentityError, ValueError):
        found = []
    if not found:
        raise CusttuiError(f"{file} 不是 age 私钥文件 (AGE-SECRET-KEY-1… 行) 或无口令的 OpenSSH 私钥, 不能用来打开备份")
    return found


def passphrase(value: str | None, variable: str) -> str:
    """The passphrase held in environment variable ``variable`` (never on the command line,
    where ``ps`` and the shell's history would show it)."""
    if not value:
        raise CusttuiError(f"环境变量 {variable} 没有设置或为空: 请先 export {variable}=口令 (不要写在命令行中)")
    return value


def keepers(archive: Archive) -> list[Person]:
    """Active people who may manage staff and have registered an age key: whom backups are sealed to."""
    policy = archive.policy()
    return [
        person
        for person in archive.registry().values()
        if person.active and person.age_keys and access_of(person, policy).may("manage_staff")
    ]


# --- backup ------------------------------------------------------------------------------


def _safe_name(text: str) -> str:
    """A file-name part: letters (Chinese too), digits, ``_``, ``.`` and ``-`` kept, anything else ``_``."""
    return re.sub(r"[^\w.-]+", "_", text, flags=re.UNICODE).strip("._") or "archive"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _refs(store: Store) -> dict[str, str]:
    """Every ref of ``store`` and what it points at."""
    listed = store.git("for-each-ref", "--format=%(refname) %(objectname)").stdout.decode()
    return dict(line.split(" ", 1) for line in listed.splitlines() if line)


@contextmanager
def _staging(parent: Path, prefix: str) -> Iterator[Path]:
    """A private (0700) folder for plaintext, removed whatever happens."""
    parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _parts(archive: Archive) -> dict[str, Path]:
    """What besides the history a backup holds, by its name inside the backup."""
    store = archive.store
    parts = {}
    keys = key_dir(store)
    if keys.is_dir():
        parts.update({f"{KEYS}{f.name}": f for f in sorted(keys.iterdir()) if f.is_file() and not f.is_symlink()})
    for name, path in ((LOG, access_log.log_path(store)), (LOCAL_SIGNERS, store.git_dir / "custtui" / LOCAL_SIGNERS)):
        if path.is_file():
            parts[name] = path
    return parts


def backup(
    archive: Archive,
    folder: str | os.PathLike,
    to: list[str] | None = None,
    secret_passphrase: str | None = None,
    on_progress: Progress = _quiet,
) -> Backup:
    """Write one encrypted backup of this copy into ``folder``; returns where and what it holds."""
    store = archive.store
    if archive.registry() and not any(archive.access.may(p) for p in MAY_BACK_UP):
        raise CusttuiError(
            f"{archive.access.person or '当前用户'} 不能备份档案: 备份是完整、未打码的副本, "
            "需要「管理员工与密钥」(manage_staff) 或「办事处服务器」(replicate) 权限"
        )
    head = archive.head()
    if head is None:
        raise CusttuiError("档案还没有任何提交, 无需备份")
    target_folder = Path(folder).expanduser().absolute()
    if target_folder.resolve().is_relative_to(store.path):
        raise CusttuiError(f"备份目录 {target_folder} 在档案 {store.path} 之内: 档案丢失时备份会一起丢失, 请换一个目录")
    secret, sealed_to = _seal_secret(archive, to or [], secret_passphrase)
    target_folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now().astimezone()
    name = f"{_safe_name(archive.archive_name())}-{archive.office}-{now:%Y%m%dT%H%M%S}{SUFFIX}"
    target = target_folder / name
    person = archive.person()
    with store.lock("backup"), _staging(store.git_dir / "custtui", "backup-") as staging:
        if target.exists():
            raise CusttuiError(f"{target} 已存在 (同一秒内的另一份备份), 请稍后再试")
        on_progress("正在打包全部历史 (git bundle) …")
        bundle = staging / BUNDLE
        store.git("bundle", "create", "-q", str(bundle), "--all")
        on_progress("正在校验 (git bundle verify) …")
        checked = store.git("bundle", "verify", "-q", str(bundle), check=False)
        if checked.returncode != 0:
            raise CusttuiError(f"刚打包的历史未通过 git bundle verify, 未写入备份: {checked.stderr.decode().strip()}")
        listed = store.git("bundle", "list-heads", str(bundle)).stdout.decode().splitlines()
        heads = {ref: sha for sha, ref in (line.split(" ", 1) for line in listed)}
        head = heads.get(store.branch_ref, head)
        parts = {BUNDLE: bundle, **_parts(archive)}
        manifest = {
            "format": FORMAT,
            "archive": archive.archive_name(),
            "office": archive.office,
            "bare": store.work_tree is None,
            "branch": store.branch_ref,
            "head": head,
            "refs": {ref: sha for ref, sha in heads.items() if ref.startswith("refs/")},
            "customers": len(archive.listing.customers(head)),
            "time": now.isoformat(timespec="seconds"),
            "by": person.label if person else (archive.user or ""),
            "recipients": sealed_to,
            "remotes": remotes(archive),
            "signing_key": store.signing_key() or "",
            "files": {part: _sha256(path) for part, path in parts.items()},
        }
        plain = staging / "backup.tar"
        with tarfile.open(plain, "w", format=tarfile.PAX_FORMAT) as tar:
            text = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            _add(tar, MANIFEST, io.BytesIO(text), len(text))
            for part, path in parts.items():
                with open(path, "rb") as f:
                    _add(tar, part, f, path.stat().st_size)
        on_progress(f"正在加密 ({_size(plain.stat().st_size)}) …")
        _encrypt(plain, target, secret)
    access_log.record(
        archive,
        person or archive.user,
        "backup",
        str(target),
        f"提交 {head[:10]}; 接收者 {'、'.join(sealed_to)}",
    )
    return Backup(target, manifest, sealed_to, _only_here(archive, secret))


def _seal_secret(archive: Archive, to: list[str], secret_passphrase: str | None) -> tuple[Secret, list[str]]:
    """Whom the backup is sealed to: a passphrase alone (age cannot mix one with keys), else the
    keys of ``--to`` and of everyone who may manage staff."""
    if secret_passphrase is not None:
        if to:
            raise CusttuiError("口令与 --to 公钥不能同时使用 (age 的口令加密只有口令一个接收者), 请二选一")
        if len(secret_passphrase) < MIN_PASSPHRASE:
            raise CusttuiError(f"备份口令太短: 至少 {MIN_PASSPHRASE} 个字符")
        return Secret(passphrase=secret_passphrase), ["口令"]
    keys: list[str] = []
    labels: list[str] = []
    for key in (" ".join(k.split()) for k in to):
        if key not in keys:
            keys.append(key)
            labels.append(f"{key[:16]}…" + (f" ({key.split()[2]})" if len(key.split()) > 2 else ""))
    for person in keepers(archive):
        fresh = [key for key in person.age_keys if key not in keys]
        if fresh:
            keys += fresh
            labels.append(person.label)
    if not keys:
        raise CusttuiError(
            "备份没有接收者, 未写入: 请用 --to age1… 给出能打开备份的公钥 (可多次), "
            "或为有「管理员工与密钥」权限的员工登记加密公钥, 或用 --passphrase-env 变量名 以口令加密"
        )
    return Secret(keys=tuple(recipient(k) for k in keys)), labels


def _only_here(archive: Archive, secret: Secret) -> str:
    """A warning when every key the backup is sealed to has its identity in this copy's key folder:
    when the server is lost, those identities are lost with it and nothing opens the backup."""
    if secret.passphrase is not None:
        return ""
    here = {str(identity.to_public()) for found in load_identities(archive.store).values() for identity in found}
    if any(str(key) not in here for key in secret.keys):
        return ""
    return (
        f"这份备份只能用本副本 {key_dir(archive.store)} 中的私钥打开, 服务器丢失时它们会一起丢失; "
        "请加 --to 一把在别处保管的公钥 (如 age-keygen 生成、离线保存), 或用 --passphrase-env 以口令加密"
    )


def _add(tar: tarfile.TarFile, name: str, data: IO[bytes], size: int) -> None:
    info = tarfile.TarInfo(name)
    info.mode, info.mtime, info.size = 0o600, int(time.time()), size
    tar.addfile(info, data)


def _size(count: int) -> str:
    return f"{count / (1 << 20):.1f} MB" if count >= 1 << 20 else f"{count / 1024:.0f} KB"


def _encrypt(plain: Path, target: Path, secret: Secret) -> None:
    """``plain`` encrypted into ``target``, which appears whole or not at all."""
    import pyrage

    partial = target.with_name(f".{target.name}.partial")
    try:
        if secret.passphrase is not None:  # pyrage's passphrase encryption works in memory only
            partial.write_bytes(pyrage.passphrase.encrypt(plain.read_bytes(), secret.passphrase))
        else:
            pyrage.encrypt_file(str(plain), str(partial), list(secret.keys))
        with open(partial, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(partial, 0o600)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


# --- restore -----------------------------------------------------------------------------


def _decrypt(source: Path, plain: Path, secret: Secret) -> None:
    import pyrage

    try:
        if secret.passphrase is not None:
            plain.write_bytes(pyrage.passphrase.decrypt(source.read_bytes(), secret.passphrase))
        else:
            pyrage.decrypt_file(str(source), str(plain), list(secret.keys))
    except pyrage.DecryptError as exc:
        if "No matching keys" in str(exc):
            if secret.passphrase is not None:
                why = "它不是用口令加密的, 请用 --identity 给出私钥"
            elif _passphrase_sealed(source):
                why = "它是用口令加密的, 请用 --passphrase-env 给出口令"
            else:
                why = "给出的私钥不是它的接收者之一"
        elif secret.passphrase is not None and "Decryption failed" in str(exc):
            why = "口令不对 (或文件已损坏)"
        else:
            why = DAMAGED
        raise CusttuiError(f"打不开备份 {source.name}: {why}") from None
    except OSError as exc:
        if exc.errno is None:  # pyrage's stream reports a failed check of a chunk as an I/O error
            raise CusttuiError(f"打不开备份 {source.name}: {DAMAGED}") from None
        raise


def _passphrase_sealed(source: Path) -> bool:
    """Whether the age header names a passphrase (scrypt) stanza."""
    with open(source, "rb") as f:
        return b"\n-> scrypt " in f.read(4096)


def _altered(source: Path) -> str:
    return f"备份 {source.name} 的内容不完整或被改动过"


def _unpack(plain: Path, staging: Path, source: Path) -> tuple[dict, dict[str, Path]]:
    """The manifest and every part, each checked against the manifest's sha256."""
    damaged = _altered(source)
    found: dict[str, Path] = {}
    manifest = None
    try:
        with tarfile.open(plain, "r:") as tar:
            for member in tar:
                name = member.name
                allowed = name in (MANIFEST, BUNDLE, LOG, LOCAL_SIGNERS) or (
                    name.startswith(KEYS) and re.fullmatch(r"[^/\\.][^/\\]*", name[len(KEYS) :])
                )
                if not member.isreg() or not allowed or name in found:
                    raise CusttuiError(f"{damaged}: 含有不应有的条目 {name!r}")
                reader = tar.extractfile(member)
                assert reader is not None
                if name == MANIFEST:
                    manifest = json.loads(reader.read(1 << 20).decode("utf-8"))
                    continue
                path = staging / f"part-{len(found)}"
                with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
                    shutil.copyfileobj(reader, out, 1 << 20)
                found[name] = path
    except (tarfile.TarError, ValueError, UnicodeDecodeError, EOFError):
        raise CusttuiError(f"{damaged}: 不是 custtui 备份的格式") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise CusttuiError(f"{damaged}: 缺少清单 {MANIFEST} 或格式不是 {FORMAT}")
    # anyone who knows a recipient's public key can make a backup: its manifest is input like any other
    shapes = (
        ("branch", str, lambda v: BRANCH.fullmatch(v)),
        ("office", str, lambda v: OFFICE_PATTERN.match(v)),
        ("head", str, lambda v: OBJECT_ID.fullmatch(v)),
        ("refs", dict, lambda v: all(isinstance(r, str) and isinstance(o, str) for r, o in v.items())),
        ("files", dict, lambda v: all(isinstance(h, str) for h in v.values())),
        ("remotes", dict, lambda v: all(isinstance(u, str) for u in v.values())),
        ("signing_key", str, lambda v: "\n" not in v),
        ("bare", bool, lambda v: True),
        ("customers", int, lambda v: v >= 0),
    )
    for key, kind, valid in shapes:
        if not isinstance(manifest.get(key), kind) or not valid(manifest[key]):
            raise CusttuiError(f"{damaged}: 清单中的 {key} 不对")
    listed = manifest["files"]
    if set(listed) != set(found) or BUNDLE not in found:
        missing = sorted(set(listed) ^ set(found)) or [BUNDLE]
        raise CusttuiError(f"{damaged}: 清单与内容不符 ({', '.join(missing)})")
    for name, path in found.items():
        if _sha256(path) != listed[name]:
            raise CusttuiError(f"{damaged}: {name} 的 sha256 与清单不符")
    return manifest, found


def restore(
    source: str | os.PathLike,
    target: str | os.PathLike,
    secret: Secret,
    user: str | None = None,
    on_progress: Progress = _quiet,
) -> Restored:
    """Restore the backup ``source`` into the new directory ``target``, set up like a clone of
    its office (hooks, merge driver, office code, remotes); nothing is left when it fails."""
    source, target = Path(source).expanduser(), Path(target).expanduser().absolute()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise CusttuiError(f"{target} 已存在且不是空目录, 不能恢复到此处: 请给一个新目录")
    if not target.parent.is_dir():
        raise CusttuiError(f"{target.parent} 不存在, 请先建好上级目录")
    if not source.is_file():
        raise CusttuiError(f"备份文件 {source} 不存在")
    with _staging(target.parent, ".custtui-restore-") as staging:
        on_progress(f"正在解密 {source.name} …")
        plain = staging / "backup.tar"
        _decrypt(source, plain, secret)
        manifest, parts = _unpack(plain, staging, source)
        plain.unlink()
        existed = target.exists()
        try:
            return _restore_into(target, source, manifest, parts, user, on_progress)
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            if existed:
                target.mkdir()  # the empty folder it was
            raise


def _restore_into(
    target: Path, source: Path, manifest: dict, parts: dict[str, Path], user: str | None, on_progress: Progress
) -> Restored:
    bare = manifest["bare"]
    made = subprocess.run(["git", "init", "-q", *(["--bare"] if bare else []), str(target)], capture_output=True)
    if made.returncode != 0:
        raise CusttuiError(f"git init 失败: {made.stderr.decode(errors='replace').strip()}")
    store = Store(target)
    bundle = str(parts[BUNDLE])
    on_progress("正在校验历史 (git bundle verify) 并取回全部引用 …")
    if store.git("bundle", "verify", "-q", bundle, check=False).returncode != 0:
        raise CusttuiError(f"{_altered(source)}: 其中的历史未通过 git bundle verify")
    store.git(
        "-c",
        "fetch.fsckObjects=true",
        "fetch",
        "-q",
        "--no-tags",
        "--no-write-fetch-head",
        "--update-head-ok",
        bundle,
        "refs/*:refs/*",
    )
    store.git("symbolic-ref", "HEAD", manifest["branch"])
    if _refs(store) != manifest["refs"] or manifest["refs"].get(manifest["branch"]) != manifest["head"]:
        raise CusttuiError(f"{_altered(source)}: 恢复出的引用与清单不符")
    if not bare:
        store.git("read-tree", "-u", "--reset", "HEAD")
    store.close()
    archive = Archive(target, user=user)
    try:
        archive.configure(manifest["office"])
        for name, url in manifest["remotes"].items():
            add_remote(archive, name, url)
        keys = sorted(name[len(KEYS) :] for name in parts if name.startswith(KEYS))
        folder = key_dir(archive.store)
        if keys:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for name, path in parts.items():
            if name == BUNDLE:
                continue
            place = {LOG: access_log.log_path(archive.store), LOCAL_SIGNERS: archive.store.git_dir / "custtui" / name}
            destination = place.get(name, folder / name[len(KEYS) :])
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
            os.chmod(destination, 0o600 if name.startswith(KEYS) else 0o640)
        notes = []
        signing_key = manifest["signing_key"]
        if signing_key and Path(signing_key).is_file():
            archive.store.git("config", "custtui.signingKey", signing_key)
        elif signing_key:
            notes.append(f"原副本用 {signing_key} 签名提交, 本机没有此文件: 请用 custtui signing enable 私钥 重新设置")
        on_progress("正在建立客户列表 …")
        customers = len(archive.listing.customers())
        if customers != manifest["customers"]:
            notes.append(f"客户数 {customers} 与备份时的 {manifest['customers']} 不同")
        access_log.record(
            archive, archive.person() or archive.user, "restore", str(source), f"提交 {manifest['head'][:10]}"
        )
    except BaseException:
        archive.close()
        raise
    return Restored(archive, manifest, customers, keys, notes)


# --- drill -------------------------------------------------------------------------------


def latest(folder: str | os.PathLike) -> Path:
    """The newest backup in ``folder`` by the time in its name (then by when it was written)."""
    where = Path(folder).expanduser()
    found = [p for p in where.glob(f"*{SUFFIX}") if p.is_file()] if where.is_dir() else []
    if not found:
        raise CusttuiError(f"{where} 中没有备份文件 (*{SUFFIX}): 先运行 custtui backup {where}")

    def when(path: Path) -> tuple[str, float]:
        stamp = STAMP.search(path.name)
        return (stamp.group(1) if stamp else "", path.stat().st_mtime)

    return max(found, key=when)


def drill(
    folder: str | os.PathLike,
    secret: Secret,
    since: str | None = None,
    user: str | None = None,
    on_progress: Progress = _quiet,
) -> tuple[Path, list[Step]]:
    """Restore the latest backup in ``folder`` into a temporary directory, then check the archive
    and its signatures there, each step timed; the temporary copy is removed afterwards."""
    source = latest(folder)
    steps: list[Step] = []

    def step(title: str, run: Callable[[], tuple[bool, str]]) -> bool:
        started = time.monotonic()
        try:
            ok, detail = run()
        except CusttuiError as exc:
            ok, detail = False, str(exc)
        steps.append(Step(title, ok, time.monotonic() - started, detail))
        on_progress(f"{title}: {'通过' if ok else '失败'}")
        return ok

    with tempfile.TemporaryDirectory(prefix="custtui-drill-") as scratch:
        restored: list[Restored] = []

        def restore_step() -> tuple[bool, str]:
            restored.append(restore(source, Path(scratch) / "archive", secret, user, on_progress))
            done = restored[0]
            return True, f"提交 {done.manifest['head'][:10]}, {done.customers} 个客户, {len(done.keys)} 把私钥"

        if step(f"恢复 {source.name}", restore_step):
            archive = restored[0].archive
            try:
                step("检查档案 (custtui check)", lambda: _verdict(archive.check(), "档案完好", "个问题"))
                step(
                    "检查签名 (custtui verify)",
                    lambda: _verdict(_findings(archive, since), "所有提交都由允许的密钥签名", "个提交签名有问题"),
                )
            finally:
                archive.close()
    return source, steps


def _findings(archive: Archive, since: str | None) -> list[str]:
    return [f"{f.commit[:10]} {f.author} {f.subject}: {f.problem}" for f in verify(archive, since)]


def _verdict(problems: list[Any], good: str, unit: str) -> tuple[bool, str]:
    if not problems:
        return True, good
    shown = "; ".join(str(p) for p in problems[:3])
    return False, f"{len(problems)} {unit}: {shown}" + (" …" if len(problems) > 3 else "")
