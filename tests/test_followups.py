"""Follow-ups (跟进提醒): setting one with a note or alone, ``custtui due`` on the demo archive with a
fixed today, done and postpone as one commit each, the audit trail's words, the 公海 rule and a
reassignment with its reason, a sync conflict on the step, a broken step refused."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, datetime, timedelta

import pytest
from conftest import git, run_cli

from custtui.core.archive.archive import Archive
from custtui.core.archive.staff import add_person
from custtui.core.base.errors import FieldError
from custtui.core.records.records import Validator, dumps, loads
from custtui.core.records.schema import Schema, default_schema_dir
from custtui.core.sync.merge import conflict_value, merge_toml_bytes
from custtui.core.tasks import followups
from custtui.core.tasks.audit import describe_commit

TODAY = date(2026, 6, 15)
DAY = TODAY.isoformat()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


@pytest.fixture(scope="module")
def steps(demo_template, tmp_path_factory):
    """The demo with four next steps around TODAY, two set by the command line. Owners in the demo:
    BJ-000001 and BJ-000003 张伟 (who runs the tests), BJ-000002 李娜, BJ-000005 王芳."""
    path = tmp_path_factory.mktemp("followups") / "demo"
    shutil.copytree(demo_template, path, symlinks=True)
    archive = Archive(path, user="张伟")
    archive.set_follow_up("BJ-000002", {"date": day(-5), "action": "寄送样品"})
    archive.set_follow_up("BJ-000001", {"date": day(-3), "action": "确认交期"})
    before = archive.head()
    noted = run_cli(
        "note", "BJ-000003", "--channel", "电话", "--content", "谈续约",
        "--next", DAY, "--next-action", "回访报价", cwd=path,
    )  # fmt: skip
    assert noted.code == 0, noted.err
    assert run_cli("followup", "set", "BJ-000005", day(3), "上门拜访", "--owner", "张伟", cwd=path).code == 0
    yield archive, before
    archive.close()


def due_json(path, *args: str) -> list[dict]:
    result = run_cli("--json", "due", "--today", DAY, *args, cwd=path)
    assert result.code == 0, result.err
    return json.loads(result.out)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ((), ["BJ-000001", "BJ-000003", "BJ-000002"]),  # mine first, the most overdue first
        (("--days", "5"), ["BJ-000001", "BJ-000003", "BJ-000005", "BJ-000002"]),
        (("--mine",), ["BJ-000001", "BJ-000003"]),
        (("--overdue",), ["BJ-000001", "BJ-000002"]),
    ],
)
def test_due_lists_steps_by_today_mine_first(steps, options, expected):
    archive, _ = steps
    found = due_json(archive.store.path, *options)
    assert [item["customer_id"] for item in found] == expected
    whens = {item["customer_id"]: item["when"] for item in found}
    assert whens.get("BJ-000002", "逾期 5 天") == "逾期 5 天" and whens.get("BJ-000003", "今天") == "今天"
    assert all(item["mine"] == (item["owner"] == "张伟") for item in found)


def test_due_as_people_read_it_and_only_for_who_may_view(steps, tmp_path):
    archive, _ = steps
    shown = run_cli("due", "--today", DAY, cwd=archive.store.path)
    assert "寄送样品  跟进人 李娜  【逾期 5 天】" in shown.out and "共 3 条待办跟进 (我的 2 条)" in shown.out
    staffed = tmp_path / "staffed"
    shutil.copytree(archive.store.path, staffed, symlinks=True)
    add_person(Archive(staffed, user="张伟"), "zhangwei", "张伟", "管理员")
    outsider = run_cli("due", "--today", DAY, "--user", "陌生人", cwd=staffed)
    assert outsider.code == 0 and "没有到期的跟进" in outsider.out and "BJ-" not in outsider.out


def test_a_note_with_its_next_step_is_one_commit(steps):
    archive, before = steps
    log = git(archive.store.path, "log", "--format=%H", f"{before}..HEAD").split()
    noted = log[1]  # then the followup set of BJ-000005
    files = git(archive.store.path, "show", "--name-only", "--format=", noted).split()
    assert len(files) == 2 and files[0].endswith("BJ-000003/customer.toml") and "/notes/" in files[1]
    report = describe_commit(archive, noted)
    lines = [line for change in report.changes for line in [change.title, *change.details]]
    assert f"下次跟进: 设为 {DAY} 回访报价 (张伟)" in lines
    assert any(line.startswith("新增 沟通记录") for line in lines)
    assert archive.customer("BJ-000003")["follow_up"] == {
        "date": TODAY,
        "action": "回访报价",
        "owner": "张伟",
        "set_by": "张伟",
    }


def test_done_with_a_note_and_postpone_are_one_commit_each(steps, tmp_path):
    archive, _ = steps
    path = tmp_path / "copy"
    shutil.copytree(archive.store.path, path, symlinks=True)
    start = git(path, "rev-parse", "HEAD").strip()
    assert run_cli("followup", "done", "BJ-000001", "--note", "已确认交期", cwd=path).code == 0
    # overdue by 5 days: postponed by the rules' 7 days counted from today, not from its date
    assert run_cli("followup", "postpone", "BJ-000002", "--today", DAY, cwd=path).code == 0
    later = run_cli("followup", "postpone", "BJ-000002", "--to", day(-1), "--today", DAY, cwd=path)
    assert later.code != 0 and "推迟到" in later.err and "应晚于今天" in later.err
    commits = git(path, "log", "--format=%H %s", f"{start}..HEAD").splitlines()
    assert len(commits) == 2
    done, postponed = commits[1], commits[0]
    assert f"完成跟进 BJ-000001 北京华信机械设备制造有限公司: 确认交期 (原定 {day(-3)}); 电话" in done
    assert f"推迟跟进 BJ-000002 北京中科瑞达信息技术有限公司: 寄送样品 {day(-5)}→{day(7)}" in postponed
    copy = Archive(path)
    assert "follow_up" not in copy.customer("BJ-000001")
    assert copy.notes("BJ-000001")[-1]["content"] == "已确认交期"
    lines = [line for change in describe_commit(copy, done.split()[0]).changes for line in change.details]
    assert f"下次跟进: 已清除 (原为 {day(-3)} 确认交期 (张伟))" in lines
    lines = [line for change in describe_commit(copy, postponed.split()[0]).changes for line in change.details]
    assert lines == [f"下次跟进: 寄送样品 推迟 {day(-5)} → {day(7)}"]
    assert [i.customer_id for i in followups.due(copy, TODAY)] == ["BJ-000003"]


def test_the_pool_rule_flags_quiet_customers_and_a_reassignment_carries_its_reason(steps, tmp_path):
    archive, _ = steps
    path = tmp_path / "copy"
    shutil.copytree(archive.store.path, path, symlinks=True)
    copy = Archive(path, user="张伟")
    assert followups.pool(copy, TODAY) == [], "off by default (pool_after_days = 0)"
    rules = copy.store.read(copy.head(), "schema/rules.toml").decode()
    rules = re.sub(r"(?m)^pool_after_days = 0$", "pool_after_days = 400", rules)
    copy.store.transact(lambda head: ({"schema/rules.toml": rules.encode()}, "公海规则 400 天"), copy.identity())
    flagged = {item.customer_id: item for item in followups.pool(copy, TODAY)}
    # the evidence, read another way: every note and deal of each customer, and its first contact
    for cid, summary in copy.customers().items():
        folder = copy.folder(cid)
        dates = [n["time"].date() for n in folder.notes] + [d["date"] for d in folder.deals]
        dates += [summary.get("first_contact")] if summary.get("first_contact") else []
        if not dates or not summary.get("owner"):
            assert cid not in flagged
            continue
        last = max(dates)
        assert (cid in flagged) == (TODAY >= last + timedelta(days=400 - 7)), cid
        if cid in flagged:
            assert flagged[cid].last == last and flagged[cid].pool_on == last + timedelta(days=400)
    quiet = next(item for item in flagged.values() if item.due_now)
    assert quiet.state_text == f"可转交 (已 {(TODAY - quiet.last).days} 天未跟进)"
    new_owner = "王芳" if quiet.owner != "王芳" else "李娜"
    when = datetime.combine(TODAY, datetime.min.time())
    followups.reassign(copy, quiet.customer_id, new_owner, "超过 400 天未跟进", when=when)
    subject = git(path, "log", "-1", "--format=%s")
    assert f"负责人 {quiet.owner}→{new_owner}" in subject and subject.strip().endswith("原因: 超过 400 天未跟进")
    assert quiet.customer_id not in {item.customer_id for item in followups.pool(copy, TODAY)}
    with pytest.raises(FieldError, match="转交原因"):
        followups.reassign(copy, quiet.customer_id, "张伟", " ")


def test_a_sync_conflict_on_the_next_step_is_one_field():
    base = {"id": "BJ-000001", "type": "enterprise", "name": "甲", "follow_up": {"date": TODAY, "action": "回访"}}
    ours = {**base, "follow_up": {**base["follow_up"], "date": TODAY + timedelta(days=7)}}
    theirs = {**base, "follow_up": {**base["follow_up"], "action": "寄样品"}}

    def who(side, field, value):
        return ("张伟", "2026-06-15") if side == "ours" else ("李娜", "2026-06-16")

    path = "customers/BJ/000/BJ-000001/customer.toml"
    one_side = merge_toml_bytes(path, dumps(base), dumps(base), dumps(theirs), who)
    assert loads(one_side, path)["follow_up"]["action"] == "寄样品", "changed on one side: taken, no conflict"
    merged = loads(merge_toml_bytes(path, dumps(base), dumps(ours), dumps(theirs), who), path)
    assert merged["follow_up"] == ours["follow_up"], "both sides: ours kept whole, not mixed key by key"
    assert [(c["field"], c["other"]) for c in merged["conflicts"]] == [("follow_up", theirs["follow_up"])]
    schema = Schema.load_dir(default_schema_dir())
    Validator(schema).customer(merged, check_required=False)  # the merged record is a valid one
    assert conflict_value(schema, "follow_up", theirs["follow_up"]) == f"{DAY} 寄样品"


def test_a_broken_next_step_is_refused_naming_it(archive):
    validator = archive.validator()
    record = {"id": "BJ-000001", "type": "individual", "name": "王五", "owner": "张伟", "phones": "13812345678"}
    for step in ({"date": "2026-13-01", "action": "回访"}, {"date": DAY}, {"date": DAY, "action": "x", "when": 1}):
        with pytest.raises(FieldError, match="字段「下次跟进」: 应为 \\{ date=日期, action=事项"):
            validator.customer({**record, "follow_up": step})
    kept = validator.customer({**record, "follow_up": {"date": DAY, "action": "回访"}}, check_required=False)
    assert b"[follow_up]" in dumps(kept)
    archive.add_customer("individual", "王五", {"phones": "13812345678"})
    refused = run_cli("set", "BJ-000001", f"follow_up={DAY}", cwd=archive.store.path)
    assert refused.code != 0 and "由系统维护" in refused.err
