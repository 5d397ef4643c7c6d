"""Shared fixtures: real archives in temporary folders, the real ``custtui`` command."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from custtui.core.archive.archive import Archive
from custtui.core.archive.staff import add_person
from custtui.core.tasks.demo import build_demo

REPO = Path(__file__).resolve().parents[1]
CUSTTUI = [sys.executable, "-m", "custtui"]


def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", help="also run tests marked slow")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _identity(monkeypatch, tmp_path_factory):
    """Every test runs as a known staff member with a private git configuration."""
    home = tmp_path_factory.getbasetemp() / "home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("CUSTTUI_USER", "张伟")
    monkeypatch.setenv("CUSTTUI_EMAIL", "zhangwei@example.cn")
    for var in ("NAME", "EMAIL"):
        monkeypatch.setenv(f"GIT_AUTHOR_{var}", "张伟" if var == "NAME" else "zhangwei@example.cn")
        monkeypatch.setenv(f"GIT_COMMITTER_{var}", "张伟" if var == "NAME" else "zhangwei@example.cn")
    monkeypatch.delenv("CUSTTUI_ARCHIVE", raising=False)
    monkeypatch.setenv("CUSTTUI_RESIDENT", "0")  # each command runs by itself; test_resident.py turns it on


@pytest.fixture
def archive(tmp_path) -> Archive:
    """A fresh, empty archive with a working tree (office BJ)."""
    made = Archive.init(tmp_path / "archive", "BJ", office_name="北京总部", user="张伟")
    yield made
    made.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The demo archive, built once per test session; copy it before changing it."""
    os.environ.setdefault("CUSTTUI_USER", "张伟")
    path = tmp_path_factory.mktemp("demo") / "demo"
    build_demo(path).close()
    return path


@pytest.fixture(scope="session")
def indexed_demo_template(demo_template, tmp_path_factory) -> Path:
    """The demo archive with its search index built, once per test session (by the first xdist
    worker that needs it, the others wait and copy it): building it OCRs the demo's scans, ~15 s.
    Read-only: copy it before changing it."""
    done = tmp_path_factory.getbasetemp() / "indexed-demo"
    if not done.exists():
        # built once for all xdist workers (the demo is the same commit in each), each worker a copy
        shared = tmp_path_factory.getbasetemp().parent if os.environ.get("PYTEST_XDIST_WORKER") else None
        with open((shared or tmp_path_factory.getbasetemp()) / "indexed-demo.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            built = (shared / "indexed-demo-built") if shared else done
            if not built.exists():
                building = tmp_path_factory.getbasetemp() / f"indexed-demo.{os.getpid()}.tmp"
                shutil.rmtree(building, ignore_errors=True)
                shutil.copytree(demo_template, building / "demo", symlinks=True)
                archive = Archive(building / "demo")
                archive.search_index().ensure()
                archive.close()
                os.rename(building, built)  # atomic: a half-built index is never seen
            assert git(built / "demo", "rev-parse", "HEAD") == git(demo_template, "rev-parse", "HEAD"), "same demo"
        if built != done:
            shutil.copytree(built, done, symlinks=True)
    return done / "demo"


@pytest.fixture
def demo(request, demo_template, tmp_path) -> Archive:
    """A private copy of the demo archive; with its search index built for a test marked
    ``indexed`` (one that searches, so that it does not build the index itself)."""
    source = demo_template
    if request.node.get_closest_marker("indexed"):
        source = request.getfixturevalue("indexed_demo_template")
    copy = tmp_path / "demo"
    shutil.copytree(source, copy, symlinks=True)
    made = Archive(copy)
    yield made
    made.close()


def made_once(tmp_path_factory, name: str, make) -> Path:
    """The folder ``make(folder)`` makes, made the first time a test of this test process asks
    (under that test's identity, which is every test's); copy it before changing it."""
    done = tmp_path_factory.getbasetemp() / f"made-{name}"
    if not done.exists():
        building = tmp_path_factory.getbasetemp() / f"made-{name}.tmp"
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir()
        make(building)
        os.rename(building, done)  # a failed make leaves nothing that looks made
    return done


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, input: str | None = None) -> Result:
    """Run the real ``custtui`` command in a child process."""
    proc = subprocess.run(
        [*CUSTTUI, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        input=input,
        timeout=120,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def git(path: Path, *args: str, check: bool = True) -> str:
    return subprocess.run(["git", "-C", str(path), *args], capture_output=True, text=True, check=check).stdout


def bypass_commit(path: Path, *args: str) -> str:
    """``git commit`` by someone with a shell on the server who turns custtui's hooks off
    (``core.hooksPath``): how damage the gate would refuse gets into an archive anyway."""
    return git(path, "-c", "core.hooksPath=/dev/null", "commit", *args)


def keypair(folder: Path, name: str) -> Path:
    """A new passphrase-less ed25519 SSH key ``folder/name`` (its ``.pub`` beside it)."""
    key = folder / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True)
    return key


def repo_state(path: Path) -> tuple[str, str]:
    """(branch head, porcelain status): what must not change after a refused command."""
    head = subprocess.run(["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    return head.strip(), git(path, "status", "--porcelain", "--ignored")


def staffed_copy(template: Path, folder: Path, people: tuple, policy_edit: tuple[str, str], why: str) -> Archive:
    """A copy of the demo ``template`` in ``folder`` with ``people`` ((id, name, department) each)
    registered and one text of its policy replaced by another, committed as ``why``."""
    path = folder / "demo"
    shutil.copytree(template, path, symlinks=True)
    archive = Archive(path, user=people[0][1])
    for person_id, name, department in people:
        add_person(archive, person_id, name, department)
    policy = "schema/policy.toml"
    text = archive.store.read(archive.head(), policy).decode("utf-8")
    assert policy_edit[0] in text, "the policy this test changes is the default one"
    changed = text.replace(*policy_edit).encode("utf-8")
    archive.store.transact(lambda head: ({policy: changed}, why), archive.identity())
    return archive


@pytest.fixture(scope="session")
def sshd_server(tmp_path_factory):
    """One real OpenSSH server on 127.0.0.1 per test process (see tests/sshd.py); use ``sshd``."""
    from sshd import SshServer, find_sshd

    if find_sshd() is None:
        pytest.skip("OpenSSH server not installed (no sshd binary): run .ci/setup or apt-get install openssh-server")
    with SshServer(tmp_path_factory.mktemp("sshd")) as server:
        yield server


@pytest.fixture
def sshd(sshd_server):
    """The real sshd with authorized_keys reset to just ``sshd.client_public`` (no options)."""
    sshd_server.reset()
    return sshd_server
