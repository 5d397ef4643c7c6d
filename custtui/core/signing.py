"""Tamper-evident history: commits made on the server are signed with its SSH key; ``verify``
reports every commit since a point that is unsigned or signed by a key not on the allowed list
(someone editing the repository by hand, or a foreign copy)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .archive import Archive
from .errors import CusttuiError

STATUS = {"N": "未签名", "B": "签名无效 (提交内容被改动过)", "U": "签名密钥不在允许名单中",
          "E": "签名密钥不在允许名单中", "X": "签名已过期", "Y": "签名密钥已过期", "R": "签名密钥已吊销"}


@dataclass(frozen=True)
class Finding:
    commit: str
    author: str
    when: str
    subject: str
    problem: str


def enable(archive: Archive, key: str | os.PathLike) -> Path:
    """Sign every commit of this copy with ``key`` (an SSH private key; its ``.pub`` beside it)
    and trust that key when verifying. Returns the allowed-signers file."""
    archive.access.require("edit_schema")
    private = Path(key).expanduser().resolve()
    public = private.with_name(private.name + ".pub")
    if not private.is_file() or not public.is_file():
        raise CusttuiError(f"找不到签名密钥 {private} 或其公钥 {public.name} (可用 ssh-keygen -t ed25519 生成)")
    allowed = archive.store.git_dir / "custtui" / "allowed_signers"
    allowed.parent.mkdir(exist_ok=True)
    line = f'custtui namespaces="git" {" ".join(public.read_text().split()[:2])}\n'
    existing = allowed.read_text() if allowed.exists() else ""
    if line not in existing:
        allowed.write_text(existing + line)
    for key_name, value in (("gpg.format", "ssh"), ("user.signingKey", str(private)), ("commit.gpgSign", "true"),
                            ("gpg.ssh.allowedSignersFile", str(allowed))):
        archive.store.git("config", key_name, value)
    return allowed


def verify(archive: Archive, since: str | None = None) -> list[Finding]:
    """Commits after ``since`` (all when None) that are not signed by an allowed key."""
    store = archive.store
    configured = store.git("config", "--get", "gpg.ssh.allowedSignersFile", check=False).stdout.decode().strip()
    if not configured:
        raise CusttuiError("本副本没有设置允许的签名密钥, 请先 custtui signing enable 服务器密钥")
    span = f"{since}..HEAD" if since else "HEAD"
    result = subprocess.run(["git", f"--git-dir={store.git_dir}", "log", "--format=%H%x00%G?%x00%an%x00%aI%x00%s", span],
                            capture_output=True)
    if result.returncode != 0:
        raise CusttuiError(f"无法读取 {span} 的历史: {result.stderr.decode(errors='replace').strip()}")
    findings = []
    for line in result.stdout.decode().splitlines():
        commit, status, author, when, subject = line.split("\0")
        if status != "G":
            findings.append(Finding(commit, author, when, subject, STATUS.get(status, f"签名状态 {status}")))
    return findings
