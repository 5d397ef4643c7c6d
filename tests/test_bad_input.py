"""Bad input on the command line: each case ends in one clear Chinese sentence naming the field and
the rule, exit 1, no traceback, and nothing written (branch head, working tree, no lock left).
Values keep what the user typed unless the field's kind says otherwise."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
from conftest import CUSTTUI, git, made_once, repo_state, run_cli

from custtui.core.archive.archive import Archive
from custtui.core.archive.staff import add_person
from custtui.core.base.errors import FieldError


@pytest.fixture
def cli(tmp_path, tmp_path_factory):
    """An archive made by ``custtui init`` and ``custtui add`` (once per test process; a copy each)."""
    path = tmp_path / "档案"
    shutil.copytree(made_once(tmp_path_factory, "bad-input-cli", _init_and_add) / "档案", path, symlinks=True)
    return path


def _init_and_add(folder) -> None:
    path = folder / "档案"
    assert run_cli("init", path, "--office", "BJ").code == 0
    made = run_cli(
        "--archive",
        path,
        "add",
        "--type",
        "企业",
        "--name",
        "北京华信机械设备制造有限公司",
        "--set",
        "uscc=91110000600037341L",
        "industry=制造业",
        "owner=张伟",
    )
    assert made.code == 0, made.err


def stored(path, field: str):
    archive = Archive(path)
    try:
        return archive.customer("BJ-000001").get(field)
    finally:
        archive.close()


def refused(path, *args: str, says: str) -> None:
    before = repo_state(path)
    done = run_cli("--archive", path, *args)
    assert done.code == 1, (args, done.out, done.err)
    assert done.err.startswith("错误: ") and says in done.err and done.err.count("\n") == 1, done.err
    assert "Traceback" not in done.err and repo_state(path) == before, args
    assert not list((path / ".git").glob("**/*.lock")), "no lock left behind"


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("{a=1}", "{a=1}"),  # text stays text: not a Python dict's repr
        ("12.50", "12.50"),  # not the float 12.5
        ("true", "true"),  # not True
        ("+8613812345678", "+8613812345678"),
        ("[北京]华信", "[北京]华信"),
        ("[]", "[]"),
        ("0755", "0755"),
    ],
)
def test_a_text_field_keeps_what_was_typed(cli, typed, kept):
    done = run_cli("--archive", cli, "set", "BJ-000001", f"remark={typed}")
    assert done.code == 0, done.err
    assert stored(cli, "remark") == kept


def test_a_field_whose_kind_needs_structure_reads_toml_or_says_how(cli):
    assert run_cli("--archive", cli, "set", "BJ-000001", 'aliases=["华信厂", "华信"]').code == 0
    assert stored(cli, "aliases") == ["华信厂", "华信"]
    assert run_cli("--archive", cli, "set", "BJ-000001", "aliases=华信厂、华信机械").code == 0
    assert stored(cli, "aliases") == ["华信厂", "华信机械"]
    done = run_cli(
        "--archive",
        cli,
        "set",
        "BJ-000001",
        'contacts=[{name="曾小贤", phones=["+86 138 1234 5678"], decision_maker=true}]',
    )
    assert done.code == 0 and stored(cli, "contacts") == [
        {"name": "曾小贤", "phones": ["13812345678"], "decision_maker": True}
    ], "a phone's kind normalises it"
    refused(
        cli, "set", "BJ-000001", 'aliases=["华信厂", "华信"', says="字段「简称/别名」(aliases): 不是有效的 TOML 写法"
    )
    refused(cli, "set", "BJ-000001", "contacts=曾小贤", says="字段「联系人」(contacts): 不是有效的 TOML 写法")


def test_repeated_set_accumulates_and_a_field_given_twice_is_refused(tmp_path):
    path = tmp_path / "档案"
    assert run_cli("init", path, "--office", "BJ").code == 0
    done = run_cli(
        "--archive",
        path,
        "add",
        "--type",
        "个人",
        "--name",
        "曾小贤",
        "--set",
        "phones=13912345678",
        "--set",
        "owner=李娜",
        "--set",
        "address=北京路 1 号",
    )
    assert done.code == 0, done.err
    archive = Archive(path)
    record = archive.customer("BJ-000001")
    archive.close()
    assert (record["phones"], record["owner"], record["address"]) == (["13912345678"], "李娜", "北京路 1 号")
    refused(path, "set", "BJ-000001", "owner=张伟", "owner=王芳", says="字段 owner 给了两次")


@pytest.mark.parametrize(
    "name, says",
    [
        ("华信\u200b机械", "U+200B"),
        ("华信\u202e司公", "U+202E"),
        ("华信\u2066机械", "U+2066"),
        ("\ufeff华信", "U+FEFF"),
        ("华信\x1b]52;c;aGk=\x07", "控制字符 U+001B"),
        ("华信\n机械", "只能填写一行"),
    ],
)
def test_invisible_and_control_characters_are_refused_in_one_line_fields(cli, name, says):
    refused(cli, "set", "BJ-000001", f"name={name}", says=says)
    refused(cli, "add", "--type", "个人", "--name", name, "--set", "phones=13912345678", "owner=张伟", says=says)


def test_attach_refuses_symlinks_and_special_files(cli, tmp_path):
    secret = tmp_path / "shadow"
    secret.write_text("root:*:19000:0:99999:7:::\n")
    link = tmp_path / "合同.pdf"
    link.symlink_to(secret)
    fifo = tmp_path / "管道.pdf"
    os.mkfifo(fifo)
    for source, says in (
        (link, "是符号链接"),
        (fifo, "不是普通文件"),
        (tmp_path, "是目录"),
        ("/dev/null", "不是普通文件"),
        (tmp_path / "没有.pdf", "不存在"),
    ):
        refused(cli, "attach", "BJ-000001", str(source), "--doc-type", "合同", says=says)
    contract = tmp_path / "contract.pdf"
    contract.write_text("合同")
    refused(
        cli,
        "attach",
        "BJ-000001",
        str(contract),
        "--doc-type",
        "合同",
        "--main",
        "../../etc/passwd",
        says="字段「主文件」(main)",
    )
    refused(
        cli,
        "attach",
        "BJ-000001",
        str(contract),
        "--doc-type",
        "合同",
        "--name",
        "../../etc/passwd",
        says="不能包含路径",
    )


def test_a_closed_pipe_ends_in_one_sentence(cli):
    archive = Archive(cli, user="张伟")  # enough customers that `list` outlives the reader (one process, not 60)
    for i in range(60):
        archive.add_customer("个人", f"客户{i}", {"phones": f"139{i:08d}"})
    archive.close()
    shell = f"{' '.join(map(str, CUSTTUI))} --archive '{cli}' list | head -c 10 >/dev/null"
    for _ in range(3):  # the reader quits before the writer finishes
        done = subprocess.run(["bash", "-o", "pipefail", "-c", shell], capture_output=True, text=True)
        assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
        assert done.stderr in ("", "输出管道已关闭 (如 | head), 其余输出没有显示\n"), done.stderr


def test_a_full_disk_ends_in_one_sentence_and_loses_nothing(cli, tmp_path):
    """The archive on a tiny tmpfs: a document too big for the space left is refused in one
    sentence, the branch and working tree stay as they were, no lock is left, the next save works."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(disk)]).returncode != 0:
        pytest.skip("this machine does not allow mounting a tmpfs")
    try:
        shutil.copytree(cli, disk / "档案", symlinks=True)
        path = disk / "档案"
        git(path, "repack", "-adq")
        big = tmp_path / "scan.pdf"
        big.write_bytes(os.urandom(4 << 20))
        before = repo_state(path)
        done = run_cli("--archive", path, "attach", "BJ-000001", big, "--doc-type", "合同")
        assert done.code == 1 and done.err.startswith("错误: 磁盘空间已满") and done.err.count("\n") == 1, done.err
        assert "Traceback" not in done.err and repo_state(path) == before
        assert not list((path / ".git").glob("**/*.lock"))
        small = tmp_path / "small.pdf"
        small.write_text("小文件")
        assert run_cli("--archive", path, "attach", "BJ-000001", small, "--doc-type", "合同").code == 0
        assert run_cli("--archive", path, "check").code == 0
    finally:
        subprocess.run(["umount", "-l", str(disk)])


def test_output_to_a_full_device_ends_in_one_sentence(cli):
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [*CUSTTUI, "--archive", str(cli), "show", "BJ-000001"], stdout=full, stderr=subprocess.PIPE, text=True
        )
    assert done.returncode == 1 and done.stderr.startswith("错误: 磁盘空间已满") and done.stderr.count("\n") == 1


# --- identity: a person is their staff ID ------------------------------------------------------------


def test_display_names_are_unique_and_never_an_id(archive):
    add_person(archive, "admin", "张伟", "管理员", roles=["admin", "management"])
    add_person(archive, "lina", "李娜", "销售")
    for person_id, name, says in (
        ("lina2", "李娜", "与已登记的 李娜 (lina) 重名"),
        ("li", "lina", "与已登记的 李娜 (lina) 重名"),
        ("admin2", "管理员", None),
    ):
        if says:
            with pytest.raises(FieldError, match=re.escape(says)):
                add_person(archive, person_id, name, "销售")
        else:
            add_person(archive, person_id, name, "销售")
    assert set(archive.registry()) == {"admin", "lina", "admin2"}


def test_commits_are_authored_by_name_and_id_at_the_office(archive):
    add_person(archive, "admin", "张伟", "管理员", roles=["admin", "management"])
    archive.user = "admin"
    archive.add_customer("个人", "曾小贤", {"phones": "13912345678", "owner": "张伟"})
    archive.user = "张伟"  # the unique name works on the command line too
    archive.update_customer("BJ-000001", {"address": "北京路 1 号"})
    path = archive.store.path
    assert git(path, "log", "-2", "--format=%an <%ae>").split("\n")[:2] == ["张伟 <admin@BJ>"] * 2


def test_two_people_with_one_name_do_not_share_permissions(archive, tmp_path):
    """A registry where two people carry the same name (written past custtui, e.g. before names had
    to be unique): each is still only their own ID, on the command line and over SSH's git path."""
    add_person(archive, "admin", "张伟", "管理员", roles=["admin", "management"])
    add_person(archive, "office-sh", "上海服务器", "管理员", roles=["office_sync"])
    twin = archive.store.path / "staff" / "twin.toml"
    twin.write_text(
        'id = "twin"\nname = "上海服务器"\ndepartment = "销售"\nroles = ["sales"]\nactive = true\n', "utf-8"
    )
    git(archive.store.path, "add", "staff/twin.toml")
    git(archive.store.path, "-c", "core.hooksPath=/dev/null", "commit", "-qm", "手工加入同名员工")
    for who, replicate in (("office-sh", True), ("twin", False)):
        served = subprocess.run(
            [sys.executable, "-m", "custtui", "--archive", str(archive.store.path), "serve", "--user", who],
            capture_output=True,
            text=True,
            env={**os.environ, "SSH_ORIGINAL_COMMAND": f"git-upload-pack '{archive.store.path}'"},
            stdin=subprocess.DEVNULL,
            timeout=60,
        )
        assert ("refs/heads/main" in served.stdout) == replicate, (who, served.stderr)
        if not replicate:
            assert "缺少权限「办事处服务器 (持有完整副本)」(replicate): 上海服务器" in served.stderr
    ambiguous = run_cli("--archive", archive.store.path, "--user", "上海服务器", "sync")
    assert ambiguous.code == 1 and "Traceback" not in ambiguous.err
    check = run_cli("--archive", archive.store.path, "check")
    assert check.code == 1 and "姓名 上海服务器 与 上海服务器 (office-sh) 的姓名或账号相同" in check.out
    assert "手工加入同名员工" not in check.out or "由提交" in check.out
