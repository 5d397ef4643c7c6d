"""The package as a packager ships it: the built wheel, installed into a clean venv, used far
from this repository. It must carry the default standard and the sample archive (mapped in at
build time by setup.py) and leave a ready search index after ``demo`` and ``init``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A clean venv (no system site-packages, not this checkout) with the built wheel installed."""
    root = tmp_path_factory.mktemp("wheel")
    # the files git would commit, not this checkout's build/ (setuptools reuses it, stale modules and all)
    listed = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
    )
    source = root / "source"
    for name in filter(None, listed.stdout.decode().split("\0")):
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(root / "dist"), str(source)],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (root / "dist").glob("custtui-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "custtui/_bundled/schema/fields.toml" in names
    assert "custtui/_bundled/sample-archive/archive.toml" in names
    assert not [n for n in names if "generator/" in n or n.endswith("generate.py")], "the generator is not shipped"
    # no pip inside (ensurepip costs seconds): this pip installs into it (--python); no .pyc compiled
    # ahead for every dependency: the commands below write those of the modules they import
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")], check=True)
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(root / "venv/bin/python"), "install", "-q", "--no-compile"]
        + [str(wheel)],
        capture_output=True,
        text=True,
    )
    assert pip.returncode == 0, pip.stderr
    return root


def _run(installed: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE")}
    return subprocess.run(
        [str(installed / "venv/bin/custtui"), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_wheel_installed_outside_the_source_tree_makes_demo_and_new_archives(installed, tmp_path):
    where = subprocess.run(
        [str(installed / "venv/bin/python"), "-c", "import custtui; print(custtui.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert str(installed / "venv") in where.stdout and str(REPO) not in where.stdout

    demo = _run(installed, "--user", "张伟", "demo", "演示档案", cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    assert "示例档案已创建" in demo.stdout and "华信集团客户档案" in demo.stdout and "客户:" in demo.stdout
    # not a terminal: one line when the index build starts and one when it ends, not one per step
    index_lines = [line for line in demo.stderr.splitlines() if "搜索索引" in line]
    assert len(index_lines) == 2 and "搜索索引已建立: 46 位客户" in index_lines[1], demo.stderr

    found = _run(installed, "--archive", "演示档案", "--user", "张伟", "search", "华信机械", cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    assert "BJ-000001  北京华信机械设备制造有限公司" in found.stdout
    assert "正在建立搜索索引" not in found.stderr, "the demo left a ready index"

    made = _run(installed, "--user", "李娜", "init", "新档案", "--office", "SH", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "搜索索引已建立 (还没有客户)" in made.stderr and "0 位客户" not in made.stderr
    for archive in ("演示档案", "新档案"):
        checked = _run(installed, "--archive", archive, "--user", "张伟", "check", cwd=tmp_path)
        assert checked.returncode == 0 and "检查通过" in checked.stdout, checked.stdout + checked.stderr


def test_custtui_alone_outside_an_archive_says_what_to_do(installed, tmp_path):
    bare = _run(installed, cwd=tmp_path)
    assert bare.returncode == 2
    assert "不是 git 仓库" in bare.stderr and "custtui --archive 档案路径" in bare.stderr
    assert "Traceback" not in bare.stderr
