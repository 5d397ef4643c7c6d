"""The access log as evidence (issue 16 item 5): unmasking, exporting and a dossier each leave an
entry naming the person, the action, whose data and what; ``custtui access-log`` finds them by
person, action, time and customer, only for the people the policy names, and every reading of it
is itself logged. The demo archive with staff, ``custtui`` run as people run it."""

from __future__ import annotations

import json

import pytest
from conftest import run_cli
from openpyxl import load_workbook
from test_policy import staffed  # noqa: F401 (the demo with 张伟 管理员, 李娜 销售, 王芳 财务, 刘洋 市场, 赵磊 管理层)

from custtui.core.access import access_log
from custtui.core.tasks import evidence

# entries from before today, as an earlier month's log holds them (the time is what is tested)
EARLIER = [
    {"time": "2026-11-02T09:15:00+08:00", "person": "李娜", "account": "lina", "action": "view"}
    | {"target": "BJ-000001/合同.pdf", "detail": "机密"},
    {"time": "2026-11-15T16:40:00+08:00", "person": "王芳", "account": "wangfang", "action": "unmask"}
    | {"target": "BJ-000020", "detail": "身份证号"},
    {"time": "2026-11-15T23:59:30+08:00", "person": "王芳", "account": "wangfang", "action": "export"}
    | {"target": "客户基础信息表", "detail": "1 行, 客户 BJ-000020 → /home/wangfang/基础信息.xlsx"},
    {"time": "2026-11-20T10:00:00+08:00", "person": "张伟", "account": "zhangwei", "action": "erase"}
    | {"target": "SH-000021", "detail": "依 个人信息保护法 第四十七条"},
]
HAND_EDIT = "this line was typed into the log by hand"


def log_of(staffed, *options: str, user: str = "赵磊") -> list[dict]:  # noqa: F811
    """``custtui access-log --json`` as ``user`` (赵磊, 管理层, may read it), in China's time zone
    (a time typed without a zone is the office's local time)."""
    done = run_cli(
        "access-log", "--json", *options, "--archive", staffed.store.path, "--user", user, env={"TZ": "Asia/Shanghai"}
    )
    assert done.code == 0, done.err
    return json.loads(done.out)


@pytest.fixture
def earlier(staffed):  # noqa: F811
    """The staffed demo whose log already holds EARLIER and one hand-edited line."""
    with access_log.log_path(staffed).open("a", encoding="utf-8") as log:
        log.writelines(json.dumps(entry, ensure_ascii=False) + "\n" for entry in EARLIER)
        log.write(HAND_EDIT + "\n")
    return staffed


def test_unmasking_exporting_and_a_dossier_each_leave_an_entry(staffed, tmp_path):  # noqa: F811
    path = staffed.store.path
    statement = next(d.name for d in staffed.documents("BJ-000001") if d.meta["doc_type"] == "statement")
    as_finance = ("--archive", path, "--user", "王芳")
    for command in (
        ("show", "BJ-000020", "--unmask"),
        ("export", "BJ-000001", statement, "--to", tmp_path / "副本"),
        ("dossier", "BJ-000021", "--unmask", "--out", tmp_path / "档案"),
        ("table", "basic", "--where", "id=BJ-000022", "--unmask", "--out", tmp_path / "基础信息.xlsx"),
        ("list", "--where", "id=BJ-000023", "--out", tmp_path / "列表.csv"),
    ):
        done = run_cli(*command, *as_finance)
        assert done.code == 0, done.err

    logged = [(e["person"], e["account"], e["action"], e["target"], e["detail"]) for e in log_of(staffed)]
    assert logged[0] == ("王芳", "wangfang", "unmask", "BJ-000020", "身份证号")
    assert logged[1:3] == [
        ("王芳", "wangfang", "view", f"BJ-000001/{statement}", "机密"),
        ("王芳", "wangfang", "export", f"BJ-000001/{statement}", f"机密 → {tmp_path / '副本' / statement}"),
    ]
    unmasked, dossier = logged[3:5]
    assert unmasked[2:4] == ("unmask", "BJ-000021"), "the dossier's unmasked ID number"
    assert dossier[2:4] == ("export", "BJ-000021") and str(tmp_path / "档案") in dossier[4]
    assert logged[5:7] == [
        ("王芳", "wangfang", "unmask", "客户基础信息表", "身份证号 (客户 BJ-000022)"),
        ("王芳", "wangfang", "export", "客户基础信息表", f"1 行, 客户 BJ-000022 → {tmp_path / '基础信息.xlsx'}"),
    ], "the table names whose ID number it showed"
    assert logged[7] == ("王芳", "wangfang", "export", "客户列表", f"1 行, 客户 BJ-000023 → {tmp_path / '列表.csv'}")
    assert len(logged) == 8, "each act once, nothing else"


def test_the_log_is_found_by_person_action_time_and_customer(earlier):
    def actions(*options: str) -> list[str]:
        return [e["action"] for e in log_of(earlier, *options)]

    customer = [e["target"] for e in log_of(earlier, "--customer", "bj-000020")]
    assert customer == ["BJ-000020", "客户基础信息表", "第 5 行"], (
        "a customer ID in the target or the detail, in any case; a hand-edited line whatever the filter"
    )
    by_id, by_name = (actions("--person", who, "--until", "2026-11-30") for who in ("wangfang", "王芳"))
    assert by_id == by_name == ["unmask", "export", "invalid"], "by staff ID or by name"
    assert actions("--action", "删除个人信息") == actions("--action", "erase") == ["erase", "invalid"], (
        "by the Chinese label or the code"
    )
    assert actions("--since", "2026-11-15", "--until", "2026-11-15") == ["unmask", "export", "invalid"], (
        "--until takes in the whole day"
    )
    assert actions("--since", "2026-11-15 16:41", "--until", "2026-11-20 10:00") == ["export", "erase", "invalid"], (
        "times to the minute, --until inclusive"
    )

    shown = run_cli("access-log", "--person", "李娜", "--archive", earlier.store.path, "--user", "张伟")
    assert shown.code == 0, shown.err
    lines = shown.out.splitlines()
    assert lines[0] == "时间  人员 (账号)  操作  对象  说明"
    assert lines[1] == "2026-11-02T09:15:00+08:00  李娜 (lina)  查看  BJ-000001/合同.pdf  机密"
    assert lines[-1] == "共 2 条", "李娜's entry and the hand-edited line, and no one else's"
    unknown = run_cli("access-log", "--action", "下载", "--archive", earlier.store.path, "--user", "张伟")
    assert unknown.code == 1 and "访问日志中没有「下载」这种操作; 可选: 打开终端界面 (tui)" in unknown.err


def test_only_who_the_policy_names_reads_the_log_and_every_reading_is_logged(earlier, tmp_path):
    path = earlier.store.path
    refused = run_cli("access-log", "--out", tmp_path / "日志.xlsx", "--archive", path, "--user", "李娜")
    assert refused.code == 1 and refused.out == ""
    assert refused.err.strip() == "错误: 缺少权限「查看访问日志」(read_access_log): 李娜 的角色 销售 没有此权限"
    assert not (tmp_path / "日志.xlsx").exists()

    first = log_of(earlier, "--action", "unmask", "--since", "2026-11-01", user="zhaolei")
    assert [e["target"] for e in first] == ["BJ-000020", "第 5 行"]
    readings = log_of(earlier, "--target", evidence.TARGET, user="张伟")
    who = [(e["person"], e["action"]) for e in readings]
    assert who == [("", "invalid"), ("李娜", "refused"), ("赵磊", "read_log")]
    assert "没有此权限" in readings[1]["detail"], "the refusal, as she was told it"
    assert readings[2]["detail"] == "起 2026-11-01、操作 unmask: 2 条", "what was asked and how much was seen"
    last = access_log.entries(earlier)[-1]
    assert (last["person"], last["action"], last["detail"]) == ("张伟", "read_log", f"含 {evidence.TARGET}: 3 条")


def test_the_log_out_as_xlsx_holds_every_row_for_an_administrator_without_export(earlier, tmp_path):
    target = tmp_path / "访问日志-11月.xlsx"
    done = run_cli(
        "access-log", "--until", "2026-11-30", "--out", target, "--archive", earlier.store.path, "--user", "张伟"
    )
    assert done.code == 0 and f"已把访问日志 5 条写入 {target}" in done.out, done.err
    rows = [list(row) for row in load_workbook(target).active.iter_rows(values_only=True)]
    assert rows[0] == list(evidence.HEADER)
    assert rows[1] == ["2026-11-02T09:15:00+08:00", "李娜", "lina", "查看", "BJ-000001/合同.pdf", "机密"]
    assert [row[3] for row in rows[1:]] == [access_log.ACTIONS[e["action"]] for e in EARLIER] + [
        access_log.ACTIONS["invalid"]
    ], "the actions in Chinese"
    assert rows[-1][5] == HAND_EDIT
    again = run_cli("access-log", "--out", target, "--archive", earlier.store.path, "--user", "张伟")
    assert again.code == 1 and "已存在, 不会覆盖" in again.err
    assert access_log.entries(earlier)[-1]["detail"] == f"止 2026-11-30: 5 条 → {target}", (
        "the written reading is logged, the refused one is not"
    )
