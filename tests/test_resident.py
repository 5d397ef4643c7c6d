"""The resident process: ``custtui show``, ``search`` and ``set`` handed to it answer exactly as the
command run by itself (output, errors, exit status, the commit's author), see every commit made
elsewhere at once, and it is never used from a folder other users could open. Real processes and
a real Unix socket; every other test runs with ``CUSTTUI_RESIDENT=0``."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import CUSTTUI, git, run_cli

pytestmark = pytest.mark.indexed
PACKAGE = Path(__file__).resolve().parent.parent / "custtui"


@pytest.fixture
def runtime():
    """A private runtime folder (short: a Unix socket's path has at most 107 bytes) whose resident,
    if one started, is stopped afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="ct-", dir="/tmp"))
    env = {"XDG_RUNTIME_DIR": str(folder), "CUSTTUI_RESIDENT": "1", "CUSTTUI_RESIDENT_IDLE": "120"}
    yield env
    run_cli("resident", "stop", env=env)
    wait_for(lambda: not list((folder / "custtui").glob("*.sock")), "the resident removes its socket")
    shutil.rmtree(folder)


def wait_for(condition, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.1)


def status(env: dict) -> dict:
    answer = run_cli("--json", "resident", "status", env=env)
    assert answer.code == 0, answer.err
    return json.loads(answer.out)


def served(env: dict) -> int | None:
    """How many commands the resident has run; None when none runs."""
    found = status(env)
    return found["served"] if found["running"] else None


def started(env: dict, path: Path) -> None:
    """Run one command (which, finding no resident, runs by itself and starts one) and wait for it."""
    assert run_cli("--archive", path, "show", "BJ-000001", env=env).code == 0
    wait_for(lambda: served(env) is not None, "the resident listens")


def test_commands_answer_the_same_through_the_resident_and_see_every_commit(demo, runtime):
    path = demo.store.path
    commands = [
        ("show", "BJ-000001"),
        ("--json", "search", "华信"),
        ("search", "huaxin"),
        ("show", "BJ-999999"),  # no such customer
        ("show",),  # argparse's own error, exit status 2
        ("set", "BJ-000001", "annual_purchase=很多"),  # refused: one Chinese sentence, nothing written
    ]
    alone = [run_cli("--archive", path, *command, env={"CUSTTUI_RESIDENT": "0"}) for command in commands]
    assert [result.code for result in alone] == [0, 0, 0, 1, 2, 1]

    started(runtime, path)
    before = served(runtime)
    handed = [run_cli("--archive", path, *command, env=runtime) for command in commands]
    assert served(runtime) == before + len(commands)  # each went through the resident
    assert handed == alone
    assert "Traceback" not in "".join(result.err for result in handed)
    assert git(path, "status", "--porcelain") == ""

    # who acts is the caller, per command
    saved = run_cli(
        "--archive",
        path,
        "set",
        "BJ-000001",
        "address=北京市海淀区上地十街9号",
        env={**runtime, "CUSTTUI_USER": "王芳"},
    )
    assert saved.code == 0 and "已保存 BJ-000001" in saved.out, saved.err
    assert git(path, "log", "-1", "--format=%an").strip() == "王芳"
    # a commit made without the resident is seen by the next command it runs, search included
    elsewhere = run_cli(
        "--archive", path, "set", "BJ-000001", "address=北京市朝阳区望京街1号", env={"CUSTTUI_RESIDENT": "0"}
    )
    assert elsewhere.code == 0, elsewhere.err
    assert "北京市朝阳区望京街1号" in run_cli("--archive", path, "show", "BJ-000001", env=runtime).out
    assert "BJ-000001" in run_cli("--archive", path, "search", "望京街", env=runtime).out
    assert served(runtime) == before + len(commands) + 3


def test_a_handed_over_command_imports_only_the_hand_over(demo, runtime):
    """What makes it fast: past Python's own start, the command loads four small modules and two
    written in C, nothing of custtui's commands, the standard library's enums or typing."""
    path = demo.store.path
    started(runtime, path)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "custtui", "--archive", str(path), "show", "BJ-000001"],
        env={**os.environ, **runtime},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and "北京华信机械设备制造有限公司" in done.stdout, done.stderr
    names = [line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")]
    after_start = set(names[names.index("site") + 1 :])
    assert after_start <= {
        "runpy",
        "custtui",
        "custtui.cli",
        "custtui.cli.launch",
        "custtui.cli.resident",
        "_socket",
        "zlib",
    }


def test_ctrl_c_reaches_the_command_and_nothing_is_written(demo, runtime):
    """A set waiting for another writer's lock is interrupted by Ctrl-C sent to the command the
    person started (the resident's child gets it): one Chinese sentence, exit status 130."""
    path = demo.store.path
    started(runtime, path)
    head, before = git(path, "rev-parse", "HEAD"), served(runtime)
    with open(path / ".git" / "custtui" / "commit.flock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # someone else is saving
        waiting = subprocess.Popen(
            [*CUSTTUI, "--archive", str(path), "set", "BJ-000001", "address=北京市海淀区上地十街9号"],
            env={**os.environ, **runtime},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        wait_for(lambda: served(runtime) == before + 1, "the resident runs the set")
        time.sleep(1)  # it reaches the lock
        waiting.send_signal(signal.SIGINT)
        out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 130, err
    assert "已中断, 未写入任何修改" in err and "Traceback" not in err
    assert git(path, "rev-parse", "HEAD") == head and git(path, "status", "--porcelain") == ""


def test_a_changed_custtui_file_retires_the_resident_and_the_command_still_runs(demo, runtime, tmp_path):
    """An upgrade, as the resident sees it: a file of the custtui it runs changes. (A copy of the
    package, so that the residents of tests running beside this one are not retired too.)"""
    path = demo.store.path
    installed = tmp_path / "installed"
    shutil.copytree(PACKAGE, installed / "custtui", ignore=shutil.ignore_patterns("__pycache__"))
    for shipped in ("schema", "sample-archive"):
        (installed / shipped).symlink_to(PACKAGE.parent / shipped)
    runtime["PYTHONPATH"] = str(installed)
    started(runtime, path)
    old = status(runtime)["pid"]
    launcher = installed / "custtui" / "cli" / "launch.py"
    os.utime(launcher, ns=(launcher.stat().st_atime_ns, launcher.stat().st_mtime_ns + 1_000_000_000))
    shown = run_cli("--archive", path, "show", "BJ-000001", env=runtime)
    assert shown.code == 0 and "北京华信机械设备制造有限公司" in shown.out, shown.err

    # the old resident exits; a later command starts a new one, which knows the new files
    def renewed() -> bool:
        assert run_cli("--archive", path, "show", "BJ-000001", env=runtime).code == 0
        return status(runtime).get("pid") not in (None, old)

    wait_for(renewed, "a new resident")


def test_a_folder_other_users_may_open_is_never_used(demo, runtime):
    folder = Path(runtime["XDG_RUNTIME_DIR"]) / "custtui"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    shown = run_cli("--archive", demo.store.path, "show", "BJ-000001", env=runtime)
    assert shown.code == 0 and "北京华信" in shown.out
    time.sleep(2)
    assert list(folder.iterdir()) == []  # no socket, no lock: the command ran by itself
    assert "没有运行中的常驻进程" in run_cli("resident", "status", env=runtime).out


def test_an_idle_resident_exits_by_itself(demo, runtime):
    runtime["CUSTTUI_RESIDENT_IDLE"] = "1"
    started(runtime, demo.store.path)
    wait_for(lambda: served(runtime) is None, "the idle resident exits", seconds=30)
