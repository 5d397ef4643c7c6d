"""The ``sshd`` fixture is a real OpenSSH server: git clones and pushes over it, unknown keys are refused."""

from __future__ import annotations

import os
import subprocess

from conftest import git


def _git(*args, env=None, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )


def test_clone_and_push_over_ssh(sshd, tmp_path):
    bare = tmp_path / "office.git"
    _git("init", "-q", "--bare", "-b", "main", bare)
    seed = tmp_path / "seed"
    _git("init", "-q", "-b", "main", seed)
    (seed / "a.txt").write_text("one\n")
    git(seed, "add", "a.txt")
    git(seed, "commit", "-q", "-m", "first")
    git(seed, "push", "-q", str(bare), "main")

    clone = tmp_path / "clone"
    done = _git("clone", "-q", sshd.url(bare), clone, env=sshd.git_env())
    assert done.returncode == 0, done.stderr + sshd.log()
    assert (clone / "a.txt").read_text() == "one\n"

    (clone / "b.txt").write_text("two\n")
    git(clone, "add", "b.txt")
    git(clone, "commit", "-q", "-m", "second")
    done = _git("push", "-q", "origin", "main", cwd=clone, env=sshd.git_env())
    assert done.returncode == 0, done.stderr + sshd.log()

    assert git(bare, "log", "--format=%s", "main").split() == ["second", "first"]
    assert git(bare, "rev-parse", "main") == git(clone, "rev-parse", "HEAD")
    assert "Accepted publickey for " + sshd.user in sshd.log()


def test_unknown_key_is_refused(sshd, tmp_path):
    bare = tmp_path / "office.git"
    _git("init", "-q", "--bare", bare)
    stranger, _ = sshd.new_client_key("stranger")

    done = _git("ls-remote", sshd.url(bare), env=sshd.git_env(stranger))
    assert done.returncode != 0
    assert "Permission denied" in done.stderr
    assert sshd.run("true", key=stranger).returncode == 255

    # A key works once authorized, with per-key options (a forced command and a variable here).
    colleague, public = sshd.new_client_key("colleague")
    assert public.startswith("ssh-ed25519 ") and colleague != sshd.new_client_key("colleague")[0]
    sshd.authorize(public, 'restrict,command="echo forced $GREETING",environment="GREETING=hi"')
    done = sshd.run("ignored", key=colleague)
    assert (done.returncode, done.stdout) == (0, "forced hi\n"), done.stderr + sshd.log()
