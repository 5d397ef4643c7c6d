"""Signed history: custtui signs its own commits with this copy's SSH key, and checks signatures
against the keys of the staff registry.

The key is named in custtui's own setting (``custtui.signingKey``), not in git's
(``user.signingKey``/``commit.gpgSign``), so a hand ``git commit`` on the server is unsigned and
``verify`` names it. A signature counts when its key is registered in the archive
(``staff/<id>.toml``): the signer is that person, an office server (role with ``replicate``)
or the author themselves. The incoming gate asks the same question of every commit that changes
staff, schema or deletes something.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..access.registry import Person
from ..base.errors import CusttuiError
from ..store.repo import Store
from .archive import Archive

STATUS = {
    "N": "未签名",
    "B": "签名无效 (提交内容被改动过)",
    "U": "签名密钥未在员工名册中登记",
    "E": "签名密钥未在员工名册中登记",
    "X": "签名已过期",
    "Y": "签名密钥已过期",
    "R": "签名密钥已吊销",
}
LOCAL_SIGNERS = "allowed_signers"  # keys trusted by this copy without a staff registry


@dataclass(frozen=True)
class Finding:
    commit: str
    author: str
    when: str
    subject: str
    problem: str


def _public_key(private: Path) -> str:
    public = private.with_name(private.name + ".pub")
    if not private.is_file() or not public.is_file():
        raise CusttuiError(f"找不到签名密钥 {private} 或其公钥 {public.name} (可用 ssh-keygen -t ed25519 生成)")
    return " ".join(public.read_text().split()[:2])


def enable(archive: Archive, key: str | os.PathLike) -> Person | None:
    """Sign every custtui commit of this copy with ``key`` (an SSH private key, ``.pub`` beside
    it). The key must be registered to someone in the staff registry (normally this office's
    server account), so other copies can tell who signed. Returns that person."""
    archive.access.require("manage_staff")
    private = Path(key).expanduser().resolve()
    public = _public_key(private)
    people = archive.registry()
    owner = next((p for p in people.values() if public.split()[1] in (k.split()[1] for k in p.keys)), None)
    if people and owner is None:
        raise CusttuiError(
            f"公钥 {private.name}.pub 尚未登记: 请先把它登记给本办事处的服务器账号 "
            f"(custtui staff add office-xx --role office_sync --key {private}.pub, 或 staff key-add), "
            f"其他副本才能认出这些提交"
        )
    archive.store.ssh_sign(b"custtui signing test\n", str(private))  # a clear error now, not at the next commit
    if not people:
        allowed = archive.store.git_dir / "custtui" / LOCAL_SIGNERS
        allowed.parent.mkdir(exist_ok=True)
        line = f'custtui namespaces="git" {public}\n'
        existing = allowed.read_text() if allowed.exists() else ""
        if line not in existing:
            allowed.write_text(existing + line)
    archive.store.git("config", "custtui.signingKey", str(private))
    for setting in ("commit.gpgSign", "user.signingKey", "gpg.format", "gpg.ssh.allowedSignersFile"):
        archive.store.git("config", "--unset-all", setting, check=False)  # git itself must not sign
    return owner


def allowed_signers(people: dict[str, Person], extra: str = "") -> str:
    """An allowed-signers file: each registered key under its owner's ID."""
    lines = [f'{p.id} namespaces="git" {" ".join(key.split()[:2])}' for p in people.values() for key in p.keys]
    return "\n".join(lines) + "\n" + extra


def signatures(store: Store, commits: list[str], signers: str) -> dict[str, tuple[str, str]]:
    """``commit -> (git's %G? status, signer ID)`` for ``commits``, checked against ``signers``
    (an allowed-signers text) in one ``git log``."""
    if not commits:
        return {}
    with tempfile.NamedTemporaryFile("w", suffix=".signers", encoding="utf-8") as file:
        file.write(signers)
        file.flush()
        result = store.git(
            "-c",
            f"gpg.ssh.allowedSignersFile={file.name}",
            "log",
            "--no-walk=unsorted",
            "--format=%H%x00%G?%x00%GS",
            "--stdin",
            input="\n".join(commits).encode() + b"\n",
        )
    found = {}
    for line in result.stdout.decode("utf-8", "replace").splitlines():
        commit, status, signer = (line.split("\0") + ["", ""])[:3]
        found[commit] = (status, signer)
    return found


def verify(archive: Archive, since: str | None = None) -> list[Finding]:
    """Commits after ``since`` (all when None) not signed by a registered key, or signed by
    someone who can vouch neither for themselves nor as an office server."""

    store = archive.store
    people = archive.registry()
    local = store.git_dir / "custtui" / LOCAL_SIGNERS
    extra = local.read_text() if local.exists() else ""
    if not people and not extra:
        raise CusttuiError("本副本没有可用的签名密钥: 员工名册为空, 也没有 custtui signing enable 过")
    span = f"{since}..HEAD" if since else "HEAD"
    listed = store.git("rev-list", span, check=False)
    if listed.returncode != 0:
        raise CusttuiError(f"无法读取 {span} 的历史: {listed.stderr.decode(errors='replace').strip()}")
    commits = listed.stdout.decode().split()
    checked = signatures(store, commits, allowed_signers(people, extra))
    findings = []
    for commit in commits:
        status, signer = checked.get(commit, ("N", ""))
        info = store.commit_info(commit)
        problem = None if status == "G" else STATUS.get(status, f"签名状态 {status}")
        author = info.author_email.split("@", 1)[0]
        if problem is None and people and signer != author and not archive.access_for(signer).may("replicate"):
            problem = f"签名者 {signer} 既不是作者本人, 也不是办事处服务器"
        if problem:
            findings.append(Finding(commit, info.author_name, info.author_time.isoformat(), info.summary, problem))
    return findings
