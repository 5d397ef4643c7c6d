"""Signed history: custtui's commits carry the server's SSH signature; verify names every commit
that is unsigned or signed by another key — a hand edit of the repository shows up."""

from __future__ import annotations

import os
import subprocess

from conftest import git, run_cli
from custtui.core import signing


def keypair(tmp_path, name: str):
    key = tmp_path / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True)
    return key


def test_commits_are_signed_and_verify_names_foreign_and_unsigned_ones(archive, tmp_path):
    server = keypair(tmp_path, "server")
    before = archive.head()
    signing.enable(archive, server)
    customer, first = archive.add_customer("个人", "曾小贤", {"phones": "13912345678", "owner": "李娜"})
    assert "-----BEGIN SSH SIGNATURE-----" in git(archive.store.path, "cat-file", "-p", first)
    assert subprocess.run(["git", "-C", str(archive.store.path), "verify-commit", first],
                          capture_output=True).returncode == 0, "plain git accepts the signature"
    assert signing.verify(archive, before) == []
    assert [f.problem for f in signing.verify(archive)] == ["未签名"], "the init commit predates signing"

    work = archive.store.work_tree
    record = work / "customers" / "BJ" / "000" / "BJ-000001" / "customer.toml"
    record.write_text(record.read_text("utf-8").replace("13912345678", "13900000000"), "utf-8")
    subprocess.run(["git", "-C", str(work), "-c", "commit.gpgSign=false", "commit", "-qam", "手工修改电话"],
                   check=True, env={**os.environ, "GIT_AUTHOR_NAME": "某人", "GIT_COMMITTER_NAME": "某人"})
    stranger = keypair(tmp_path, "stranger")
    subprocess.run(["git", "-C", str(work), "-c", f"user.signingKey={stranger}", "commit", "-q", "-S",
                    "--allow-empty", "-m", "外来的签名"],
                   check=True, env={**os.environ, "GIT_AUTHOR_NAME": "外人", "GIT_COMMITTER_NAME": "外人"})
    found = signing.verify(archive, first)
    assert [(f.author, f.subject, f.problem) for f in found] == [
        ("外人", "外来的签名", "签名密钥不在允许名单中"), ("某人", "手工修改电话", "未签名")]
    cli = run_cli("verify", "--since", first, "--archive", archive.store.path)
    assert cli.code == 1 and "手工修改电话: 未签名" in cli.out
    assert run_cli("verify", "--since", first, "--archive", archive.store.path).code == 1
    archive.update_customer(customer, {"owner": "王芳"})
    assert signing.verify(archive, git(work, "rev-parse", "HEAD~1").strip()) == []


def test_verify_without_signing_set_up_says_how(archive):
    cli = run_cli("verify", "--archive", archive.store.path)
    assert cli.code == 1 and "custtui signing enable" in cli.err
