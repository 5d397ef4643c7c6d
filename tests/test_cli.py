"""The ``custtui`` command as people and scripts use it, and every refusal it owes them:
a clear Chinese message naming the field and the rule, exit status ≠ 0, nothing written."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import bypass_commit, git, made_once, repo_state, run_cli

HUAXIN = [
    "--type",
    "企业",
    "--name",
    "北京华信机械设备制造有限公司",
    "--set",
    "uscc=91110000600037341L",
    "industry=制造业",
    "owner=张伟",
    'aliases=["华信厂"]',
    'contacts=[{name="曾小贤", position="采购经理", phones=["13812345678"], decision_maker=true}]',
]


def _init_and_add(folder: Path) -> None:
    path = folder / "档案"
    assert run_cli("init", path, "--office", "BJ", "--office-name", "北京总部").code == 0
    added = run_cli("--archive", path, "--json", "add", *HUAXIN)
    assert added.code == 0, added.err
    assert json.loads(added.out)["id"] == "BJ-000001"


@pytest.fixture
def cli_archive(tmp_path, tmp_path_factory):
    """An archive made by ``custtui init`` and ``custtui add`` (once per test process; a copy each)."""
    path = tmp_path / "档案"
    shutil.copytree(made_once(tmp_path_factory, "cli-archive", _init_and_add) / "档案", path, symlinks=True)
    return path


def test_everyday_commands_round_trip(cli_archive, tmp_path):
    a = ["--archive", cli_archive]
    assert run_cli(*a, "set", "BJ-000001", "stage=签约", "--reason", "签订年度采购合同").code == 0
    assert (
        run_cli(
            *a,
            "note",
            "BJ-000001",
            "--channel",
            "会议",
            "--content",
            "讨论交货期",
            "--participants",
            "张伟,曾小贤",
            "--time",
            "2024-03-15 10:30",
        ).code
        == 0
    )
    assert (
        run_cli(*a, "deal", "BJ-000001", "--amount", "12.5万", "--product", "数控机床", "--date", "2024-04-01").code
        == 0
    )
    licence = tmp_path / "scan.pdf"
    licence.write_bytes(b"%PDF-1.4 licence")
    attached = run_cli(*a, "--json", "attach", "BJ-000001", licence, "--doc-type", "营业执照", "--date", "2023-05-10")
    assert attached.code == 0, attached.err
    assert json.loads(attached.out)["name"] == "北京华信机械设备制造有限公司-营业执照-20230510.pdf"
    shown = run_cli(*a, "show", "BJ-000001").out
    for expected in ("签约客户", "曾小贤", "讨论交货期", "125,000.00", "营业执照", "华信厂"):
        assert expected in shown
    listed = run_cli(*a, "list", "--where", "合作阶段=签约", "industry=manufacturing")
    assert "BJ-000001" in listed.out and "共 1 个客户" in listed.out
    log = run_cli(*a, "log", "BJ-000001").out.splitlines()
    assert (
        len(log) == 5 and "张伟" in log[0] and log[-1].endswith("新建 BJ-000001 北京华信机械设备制造有限公司: 企业客户")
    )
    by_field = run_cli(*a, "--json", "log", "BJ-000001", "--field", "stage")
    assert [e["action"] for e in json.loads(by_field.out)] == ["update", "create"]  # set at creation, then changed
    assert run_cli(*a, "check").code == 0
    assert git(cli_archive, "status", "--porcelain") == ""


def test_global_options_work_after_the_command_and_from_the_environment(cli_archive):
    result = run_cli("show", "BJ-000001", "--json", env={"CUSTTUI_ARCHIVE": str(cli_archive)})
    assert result.code == 0 and json.loads(result.out)["name"] == "北京华信机械设备制造有限公司"
    set_as = run_cli("set", "BJ-000001", "grade=VIP", "--user", "李娜", cwd=cli_archive)
    assert set_as.code == 0
    assert git(cli_archive, "log", "-1", "--format=%an").strip() == "李娜"


def test_the_command_list_shows_what_people_run_and_nothing_internal():
    listed = run_cli("--help")
    assert listed.code == 0 and "init" in listed.out and "search" in listed.out
    assert "SUPPRESS" not in listed.out, "argparse's placeholder for a hidden command"
    commands = {line.split()[0] for line in listed.out.splitlines() if line.startswith("    ") and line.strip()}
    assert "install-merge-driver" in commands
    assert not commands & {"gate-hook", "merge-driver"}, "run by git, not by people"


def test_argparse_speaks_chinese():
    listed = run_cli("init", "--help")
    assert "用法: custtui init" in listed.out and "选项:" in listed.out and "显示本帮助并退出" in listed.out
    assert "usage:" not in listed.out and "options:" not in listed.out
    missing = run_cli("init")
    assert missing.code == 2
    assert "custtui init: 错误: 缺少必需的参数: path, --office" in missing.err
    assert "error:" not in missing.err and "required" not in missing.err


def test_without_user_the_person_is_gits_user_name_and_it_is_said(tmp_path):
    """On a shared server account git's user.name is the machine's: never used silently."""
    unset = {"CUSTTUI_USER": "", "HOME": str(tmp_path)}  # this test's own global git configuration
    subprocess.run(["git", "config", "--global", "user.name", "王芳"], env={**os.environ, **unset}, check=True)
    made = run_cli("init", tmp_path / "档案", "--office", "BJ", env=unset)
    assert made.code == 0, made.err
    assert "以 git user.name「王芳」作为提交作者" in made.err
    assert git(tmp_path / "档案", "log", "-1", "--format=%an").strip() == "王芳"
    added = run_cli(
        "--archive",
        tmp_path / "档案",
        "add",
        "--type",
        "个人",
        "--name",
        "赵敏",
        "--set",
        "phones=13812345678",
        env=unset,
    )
    assert added.code == 0 and "git user.name「王芳」" in added.err, added.err
    assert "负责人: 王芳" in run_cli("--archive", tmp_path / "档案", "show", added.out.strip(), env=unset).out
    quiet = run_cli("--archive", tmp_path / "档案", "--user", "李娜", "list")
    assert quiet.code == 0 and "git user.name" not in quiet.err


def test_revert_from_the_command_line(cli_archive):
    a = ["--archive", cli_archive]
    run_cli(*a, "set", "BJ-000001", "color=红")
    commit = git(cli_archive, "rev-parse", "HEAD").strip()
    assert run_cli(*a, "revert", commit).code == 0
    assert "颜色标签" not in run_cli(*a, "show", "BJ-000001").out
    assert git(cli_archive, "log", "-1", "--format=%s").startswith("撤销 BJ-000001")


BAD_VALUES = [
    (["set", "BJ-000001", "uscc=91110000600037341N"], "统一社会信用代码", "校验"),
    (["set", "BJ-000001", "legal_rep=王五", "address=\x07北京"], "地址", "控制字符"),
    (["set", "BJ-000001", 'contacts=[{name="曾小贤", phones=["1381234"]}]'], "电话", "位"),
    (["set", "BJ-000001", "first_contact=2023-02-29"], "首次接触日期", "2 月"),
    (["set", "BJ-000001", "annual_purchase=十万"], "年采购额", "金额"),
    (["set", "BJ-000001", "industry=航天"], "行业", "可选"),
    (["set", "BJ-000001", "stage=成交中"], "合作阶段", "可选"),
    (["set", "BJ-000001", "region=火星"], "地域", "省市"),
    (["set", "BJ-000001", "nickname=小华"], "nickname", "未知字段"),
    (["set", "BJ-000001", "id_number=11010519491231002X"], "身份证号", "没有此字段"),
    (["set", "BJ-000001", "uscc="], "统一社会信用代码", "必须填写"),
    (["set", "BJ-000001", "stage_history=[]"], "stage_history", "系统维护"),
    (["set", "BJ-000001", "address=北京", "--reason", "无"], "变更原因", "合作阶段"),
    (
        [
            "add",
            "--type",
            "个人",
            "--name",
            "单田芳",
            "--set",
            "owner=李娜",
            "phones=13912345678",
            "id_number=110105194912310021",
        ],
        "身份证号",
        "校验",
    ),
    (
        [
            "add",
            "--type",
            "个人",
            "--name",
            "单田芳",
            "--set",
            "owner=李娜",
            "phones=13912345678",
            "id_number=110105194902300020",
        ],
        "身份证号",
        "出生日期",
    ),
    (["add", "--type", "外星人", "--name", "X", "--set", "owner=李娜"], "客户类型", "可选"),
    (["add", "--type", "个人", "--name", "单田芳", "--set", "owner=李娜"], "电话", "必须填写"),
    (
        ["add", "--type", "个人", "--name", "单田芳", "--set", "owner=李娜", "phones=13912345678", "email=a@@b"],
        "电子邮箱",
        "",
    ),
    (
        ["add", *HUAXIN[:4], "--set", "uscc=91110000600037341L", "industry=制造业", "owner=张伟"],
        "统一社会信用代码",
        "已登记为 BJ-000001",
    ),
    (["note", "BJ-000001", "--channel", "飞鸽传书", "--content", "x"], "沟通方式", "可选"),
    (["note", "BJ-000001", "--channel", "电话", "--content", "x", "--time", "2024-13-01 10:00"], "沟通时间", ""),
    (["deal", "BJ-000001", "--amount", "-5", "--product", "x"], "交易金额", ""),
    (["deal", "BJ-000001", "--amount", "1.234", "--product", "x"], "交易金额", "小数"),
    (["show", "BJ-009999"], "BJ-009999", "没有"),
    (["set", "BJ-009999", "grade=VIP"], "BJ-009999", "没有"),
    (["note", "SH-000001", "--channel", "电话", "--content", "x"], "SH-000001", "没有"),
    (["log", "BJ-009999"], "BJ-009999", "没有"),
    (["revert", "0123456789abcdef"], "0123456789abcdef", "没有找到"),
    (["set", "BJ-000001", "grade"], "grade", "字段=值"),
]


@pytest.mark.parametrize("args, field, rule", BAD_VALUES, ids=[" ".join(map(str, a))[:60] for a, _, _ in BAD_VALUES])
def test_bad_values_are_refused_clearly_and_write_nothing(cli_archive, args, field, rule):
    before = repo_state(cli_archive)
    result = run_cli("--archive", cli_archive, *args)
    assert result.code != 0
    assert result.err.startswith("错误: ") and field in result.err and rule in result.err, result.err
    assert "Traceback" not in result.err
    assert repo_state(cli_archive) == before
    assert subprocess.run(["git", "-C", str(cli_archive), "fsck", "--strict"], capture_output=True).returncode == 0


def _bad_files(tmp_path):
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    folder = tmp_path / "folder"
    folder.mkdir()
    good = tmp_path / "good.pdf"
    good.write_bytes(b"%PDF-1.4 good")
    return [
        ([empty], "资料文件", "空文件"),
        ([folder], "资料文件", "是目录"),
        ([tmp_path / "missing.pdf"], "资料文件", "不存在"),
        ([good, "--name", "../../etc/passwd"], "资料文件名", "路径"),
        ([good, "--name", "/etc/passwd"], "资料文件名", "路径"),
        ([good, "--name", "合同\n第二行.pdf"], "资料文件名", "控制字符"),
        ([good, "--name", "合" * 300 + ".pdf"], "资料文件名", "太长"),
        ([good, "--name", "CON.pdf"], "资料文件名", "保留"),
        ([good, "--doc-type", "藏宝图"], "资料类型", "不是已知的"),
        ([good, "--doc-type", "合同", "--info-type", "服务记录"], "资料类型", "属于"),
        ([good, "--doc-type", "合同", "--sensitivity", "超级机密"], "敏感等级", "可选"),
        ([good, "--doc-type", "合同", "--date", "2024-02-30"], "资料日期", ""),
    ]


def test_bad_documents_are_refused_clearly_and_write_nothing(cli_archive, tmp_path):
    for args, field, rule in _bad_files(tmp_path):
        before = repo_state(cli_archive)
        result = run_cli("--archive", cli_archive, "attach", "BJ-000001", *args)
        assert result.code != 0, args
        assert field in result.err and rule in result.err, (args, result.err)
        assert repo_state(cli_archive) == before
    assert subprocess.run(["git", "-C", str(cli_archive), "fsck", "--strict"], capture_output=True).returncode == 0


def test_a_path_that_is_not_an_archive(tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    result = run_cli("--archive", plain, "list")
    assert result.code != 0 and "不是 git 仓库" in result.err
    subprocess.run(["git", "init", "-q", str(plain)], check=True)
    (plain / "a.txt").write_text("x")
    subprocess.run(["git", "-C", str(plain), "add", "a.txt"], check=True)
    subprocess.run(["git", "-C", str(plain), "commit", "-qm", "x"], check=True)
    result = run_cli("--archive", plain, "list")
    assert result.code != 0 and "不是 custtui 档案" in result.err
    assert run_cli("--archive", tmp_path / "nowhere", "list").code != 0


def test_init_refuses_bad_office_codes_and_non_empty_folders(tmp_path):
    result = run_cli("init", tmp_path / "x", "--office", "北京")
    assert result.code != 0 and "办事处代码" in result.err and not (tmp_path / "x").exists()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("do not touch")
    result = run_cli("init", tmp_path / "full", "--office", "BJ")
    assert result.code != 0 and "不是空目录" in result.err
    assert (tmp_path / "full" / "keep.txt").read_text() == "do not touch"


def test_check_finds_a_malformed_record_with_file_and_line(cli_archive):
    record = cli_archive / "customers/BJ/000/BJ-000001/customer.toml"
    record.write_text(record.read_text().replace('industry = "manufacturing"', "industry = manufacturing"))
    bypass_commit(cli_archive, "-qam", "手工编辑出错")
    result = run_cli("--archive", cli_archive, "check")
    assert result.code == 1
    assert "customers/BJ/000/BJ-000001/customer.toml 第" in result.out and "Traceback" not in result.err
    listed = run_cli("--archive", cli_archive, "list")
    assert listed.code == 0 and "BJ-000001" in listed.out


def test_only_the_subcommand_typed_is_built_and_any_other_word_lists_them_all(demo):
    """The parser builds just the subcommand typed (a value of --user that is a command's name is
    still the user); a mistyped command is told every command there is."""
    listed = run_cli("--user", "show", "--archive", demo.store.path, "list")
    assert listed.code == 0 and "BJ-000001" in listed.out and "未指定操作人" not in listed.err
    wrong = run_cli("--archive", demo.store.path, "shwo", "BJ-000001")
    assert wrong.code == 2 and "无效的选项 'shwo'" in wrong.err and "'show'" in wrong.err and "'pack'" in wrong.err
    helped = run_cli("show", "-h")
    assert helped.code == 0 and "用法: custtui show" in helped.out
