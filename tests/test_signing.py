"""Signed history: custtui signs its own commits with the server's SSH key, registered in the staff
registry; the key is not in git's configuration, so a hand ``git commit`` on the server is unsigned
and ``verify`` names it, as it names a commit signed by an unknown key or by someone who may not
vouch for its author."""

from __future__ import annotations

import os
import subprocess

import pytest
from conftest import git, keypair, run_cli

from custtui.core.archive import signing
from custtui.core.archive.staff import add_person
from custtui.core.base.errors import CusttuiError


def public(key) -> str:
    return key.with_name(key.name + ".pub").read_text().strip()


def hand_commit(work, message: str, *config: str, author: str = "某人 <someone@example.cn>") -> None:
    """``git commit`` as someone with a shell on the server would run it, past custtui's hooks
    (``config``: -c settings)."""
    name, email = author[:-1].split(" <")
    sign = ["-S"] if config else []
    options = [arg for setting in config for arg in ("-c", setting)]
    subprocess.run(
        [
            "git",
            "-C",
            str(work),
            "-c",
            "core.hooksPath=/dev/null",
            *options,
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            message,
            *sign,
        ],
        check=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
        },
    )


def test_custtui_signs_git_does_not_and_verify_names_every_other_commit(archive, tmp_path):
    server, stranger, lina_key = (keypair(tmp_path, n) for n in ("server", "stranger", "lina"))
    add_person(archive, "admin", "张伟", "管理员", roles=["admin", "management"])
    add_person(archive, "office-bj", "北京服务器", "管理员", roles=["office_sync"], keys=[public(server)])
    add_person(archive, "lina", "李娜", "销售", keys=[public(lina_key)])
    before = archive.head()
    assert signing.enable(archive, server).id == "office-bj"
    work = archive.store.work_tree
    for setting in ("commit.gpgSign", "user.signingKey", "gpg.format"):
        assert git(work, "config", "--get", setting, check=False) == "", f"git's own {setting} stays unset"

    customer, first = archive.add_customer("个人", "曾小贤", {"phones": "13912345678", "owner": "张伟"})
    assert "-----BEGIN SSH SIGNATURE-----" in git(work, "cat-file", "-p", first)
    signers = tmp_path / "allowed_signers"
    signers.write_text(signing.allowed_signers(archive.registry()))
    assert (
        subprocess.run(
            ["git", "-C", str(work), "-c", f"gpg.ssh.allowedSignersFile={signers}", "verify-commit", first],
            capture_output=True,
        ).returncode
        == 0
    ), "plain git accepts the signature"
    assert signing.verify(archive, before) == []

    hand_commit(work, "服务器上手工提交")  # as someone with a shell on the server would
    assert "SSH SIGNATURE" not in git(work, "cat-file", "-p", "HEAD"), "git did not sign with the server key"
    hand_commit(
        work, "外来的签名", "gpg.format=ssh", f"user.signingKey={stranger}", author="外人 <outsider@example.cn>"
    )
    found = signing.verify(archive, first)
    assert [(f.author, f.subject, f.problem) for f in found] == [
        ("外人", "外来的签名", "签名密钥未在员工名册中登记"),
        ("某人", "服务器上手工提交", "未签名"),
    ]
    hand_commit(work, "李娜代签", "gpg.format=ssh", f"user.signingKey={lina_key}", author="张伟 <admin@BJ>")
    assert signing.verify(archive, "HEAD~1")[0].problem == "签名者 lina 既不是作者本人, 也不是办事处服务器"

    cli = run_cli("verify", "--since", first, "--archive", archive.store.path)
    assert cli.code == 1 and "服务器上手工提交: 未签名" in cli.out
    head = git(work, "rev-parse", "HEAD").strip()
    archive.update_customer(customer, {"owner": "李娜"})
    assert signing.verify(archive, head) == [], "custtui's own commits after the hand ones are signed"


def test_signing_needs_a_registered_key_and_the_right_to_manage_staff(archive, tmp_path):
    server = keypair(tmp_path, "server")
    add_person(archive, "admin", "张伟", "管理员")
    with pytest.raises(CusttuiError, match="尚未登记: 请先把它登记给本办事处的服务器账号"):
        signing.enable(archive, server)
    add_person(archive, "lina", "李娜", "销售", keys=[public(server)])
    archive.user = "lina"
    with pytest.raises(CusttuiError, match=r"\(manage_staff\)"):
        signing.enable(archive, server)
    assert git(archive.store.work_tree, "config", "--get", "custtui.signingKey", check=False) == ""


def test_verify_without_signing_set_up_says_how(archive):
    cli = run_cli("verify", "--archive", archive.store.path)
    assert cli.code == 1 and "custtui signing enable" in cli.err
