"""Retention (issue 16): customer periods by status, stage and customer type in ``rules.toml``
with their legal basis, the 保管期限复核 routine that proposes erasing exactly the customers kept
past them, ``custtui check`` naming them as a task rather than damage, and the access log's own
retention (``custtui access-log prune``)."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time
from datetime import date, datetime, timedelta

import pytest
from conftest import repo_state, run_cli
from openpyxl import load_workbook

from custtui.core.access import access_log
from custtui.core.archive.archive import Archive
from custtui.core.archive.staff import add_person
from custtui.core.tasks import routines

TODAY = date(2026, 12, 2)
USCC = ("91110108751171783G", "91310000MA1FL8TQ36")


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day} 10:00")


def person(archive: Archive, name: str, phone: str, first: str, **fields) -> str:
    cid, _ = archive.add_customer(
        "individual", name, {"phones": [phone], "first_contact": first, **fields}, when=at(first)
    )
    return cid


def company(archive: Archive, name: str, uscc: str, first: str, **fields) -> str:
    cid, _ = archive.add_customer(
        "enterprise", name, {"uscc": uscc, "industry": "制造业", "first_contact": first, **fields}, when=at(first)
    )
    return cid


def terminate(archive: Archive, cid: str, day: str) -> None:
    archive.update_customer(cid, {"stage": "terminated"}, reason="合同到期, 不再续约", when=at(day))


def customers(archive: Archive) -> dict[str, str]:
    """Six customers, two of them past retention on TODAY by the default rules (终止合作 3 years
    from entering it or the last contact, whichever is later; 历史客户 3 years for a person, 5 for
    a company, from the last contact), and a 回访表 kept past its 5 years."""
    made = {"overdue_terminated": person(archive, "王小明", "13800138001", "2021-01-01")}
    terminate(archive, made["overdue_terminated"], "2022-01-10")
    made["recent_terminated"] = company(archive, "华信公司", USCC[0], "2023-01-01")
    terminate(archive, made["recent_terminated"], "2024-06-01")
    made["overdue_history"] = person(archive, "李芳", "13800138002", "2020-03-01", status="history")
    made["company_history"] = company(archive, "申通公司", USCC[1], "2022-03-01", status="history")
    made["contact_resumed"] = person(archive, "赵强", "13800138003", "2021-01-01")
    terminate(archive, made["contact_resumed"], "2022-01-10")
    archive.add_note(
        made["contact_resumed"],
        {"time": "2025-05-01 10:00", "channel": "电话", "content": "询问售后"},
        at("2025-05-01"),
    )
    made["longest_rule"] = person(archive, "陈静", "13800138004", "2020-01-01", status="history")
    terminate(archive, made["longest_rule"], "2024-02-01")  # 历史客户 due 2023, 终止合作 due 2027: kept
    return made


@pytest.fixture
def overdue(archive, tmp_path) -> tuple[Archive, dict[str, str]]:
    made = customers(archive)
    scan = tmp_path / "回访.pdf"
    scan.write_bytes(b"%PDF visit")
    archive.attach(made["recent_terminated"], scan, {"doc_type": "回访表", "date": "2020-03-01"})
    return archive, made


def test_the_routine_proposes_exactly_the_customers_past_retention_with_their_basis(overdue, tmp_path):
    archive, made = overdue
    path = archive.store.path
    state = repo_state(path)
    found = run_cli("--archive", path, "--json", "routine", "run", "保管期限", "--today", TODAY.isoformat())
    assert found.code == 0, found.err
    data = json.loads(found.out)
    assert data["routine"] == "保管期限复核" and data["period"] == "2026-12" and data["commit"] is None
    proposed = {p["customer_id"]: p for p in data["proposals"]}
    assert set(proposed) == {made["overdue_terminated"], made["overdue_history"]}
    terminated, history = proposed[made["overdue_terminated"]], proposed[made["overdue_history"]]
    assert (terminated["field"], terminated["old"], terminated["new"]) == ("个人信息", "保留", "删除")
    late = (TODAY - date(2025, 1, 10)).days
    assert terminated["evidence"].startswith(
        f"终止合作客户: 进入终止合作客户 2022-01-10 起保管 3 年, 2025-01-10 到期 (已超 {late} 天); 依据 "
        "《个人信息保护法》第十九条、第四十七条第一款第二项"
    )
    assert history["evidence"].startswith("历史客户: 最近联系 2020-03-01 起保管 3 年, 2023-03-01 到期")
    assert "第四十七条第一款第一项" in history["evidence"]
    [document] = data["findings"]  # the half-yearly review's document retention, the same code
    assert document["customer_id"] == made["recent_terminated"] and "回访表" in document["detail"]
    assert document["kind"] == routines.RETENTION_DUE
    assert repo_state(path) == state  # piped: nothing written

    form = tmp_path / "保管期限复核.xlsx"
    assert (
        run_cli("--archive", path, "routine", "run", "保管期限", "--today", TODAY.isoformat(), "--out", form).code == 0
    )
    sheet = load_workbook(form).active
    header = [cell.value for cell in sheet[1]]
    assert header[-1] == "保留依据 (不删除时填写)" and header[:-1] == list(routines.TABLE_HEADER)

    halfyear = routines.run(archive, "halfyear", "2026-H2", TODAY)
    assert [f for f in halfyear.findings if f.kind == routines.RETENTION_DUE] == routines.run(
        archive, "retention", None, TODAY
    ).findings


def test_periods_per_customer_type_and_rules_changed_by_custtui_rules(overdue):
    archive, made = overdue
    path = archive.store.path
    shorter = run_cli("rules", "set", "retention.customers.history.years.enterprise", "4", cwd=path)
    assert shorter.code == 0, shorter.err
    assert "retention.customers.history.years.enterprise = 4" in shorter.out
    found = {p.customer_id for p in routines.run(Archive(path), "retention", None, TODAY).proposals}
    assert made["company_history"] in found  # 申通公司: 2022-03-01 + 4 years
    longer = run_cli("rules", "set", "retention.customers.terminated.years", "5", cwd=path)
    assert longer.code == 0, longer.err
    found = {p.customer_id for p in routines.run(Archive(path), "retention", None, TODAY).proposals}
    assert made["overdue_terminated"] not in found and made["overdue_history"] in found
    assert run_cli("rules", "set", "retention.access_log_days", "30", cwd=path).code == 0
    rules = Archive(path).schema().rules["retention"]
    assert rules["access_log_days"] == 30 and rules["customers"]["terminated"]["years"] == 5
    assert "第四十七条" in rules["customers"]["terminated"]["basis"]  # the rest of the entry stays


def test_a_refused_retention_rule_names_the_key_and_writes_nothing(archive):
    path = archive.store.path
    state = repo_state(path)
    for key, value, said in (
        ("retention.customers.terminated.years", "0", "retention.customers.terminated.years: 应为正整数"),
        ("retention.customers.history.years.robot", "3", "retention.customers.history.years.robot: 不是客户类型"),
        (
            "retention.customers.terminated.basis",
            '""',
            "retention.customers.terminated.basis: 应写明保管期限的法律依据",
        ),
        ("retention.customers.nothing", "{ years = 3, basis = '届满' }", "不是客户状态或合作阶段的代码"),
        ("retention.customers.lost", "{ years = 3 }", "retention.customers.lost: 应为 { years = 年数, basis"),
        ("retention.access_log_days", "-1", "retention.access_log_days: 应为不小于 0 的整数"),
    ):
        refused = run_cli("rules", "set", key, value, cwd=path)
        assert refused.code != 0 and said in refused.err and "Traceback" not in refused.err, (key, refused.err)
    assert repo_state(path) == state
    added = run_cli("rules", "set", "retention.customers.lost", "{ years = 2, basis = '届满' }", cwd=path)
    assert added.code == 0, added.err
    assert Archive(path).schema().rules["retention"]["customers"]["lost"] == {"years": 2, "basis": "届满"}


def test_an_archive_made_before_customer_retention_gets_the_defaults(archive):
    rules = archive.store.read(archive.head(), "schema/rules.toml").decode()
    older = rules.split("# 访问日志保存天数")[0]  # the file as archives were made before issue 16
    archive.store.transact(lambda head: ({"schema/rules.toml": older.encode()}, "旧版业务规则"), archive.identity())
    retention = Archive(archive.store.path).schema().rules["retention"]
    assert retention["access_log_days"] == 1095 and retention["customers"]["terminated"]["years"] == 3
    path = archive.store.path
    assert run_cli("rules", "set", "retention.customers.terminated.years", "5", cwd=path).code == 0
    assert run_cli("rules", "set", "retention.access_log_days", "400", cwd=path).code == 0
    retention = Archive(path).schema().rules["retention"]
    assert retention["customers"]["terminated"]["years"] == 5 and retention["access_log_days"] == 400
    assert retention["customers"]["history"]["years"]["enterprise"] == 5, "the other rules are written out too"
    shown = run_cli("rules", "show", cwd=path).out
    assert "[retention.customers]" in shown and "terminated = {" in shown


def test_check_names_overdue_retention_as_a_task_not_damage(overdue):
    archive, made = overdue
    checked = run_cli("--archive", archive.store.path, "check")
    assert checked.code == 0, checked.out + checked.err  # nothing damaged
    assert "检查通过: 档案完好" in checked.out
    assert "保管期限 (不是损坏, 需要人复核)" in checked.out and "custtui routine run 保管期限" in checked.out
    for key in ("overdue_terminated", "overdue_history"):
        assert made[key] in checked.out
    assert "回访表" in checked.out
    data = json.loads(run_cli("--archive", archive.store.path, "--json", "check").out)
    assert data["ok"] and data["problems"] == []
    assert {made["overdue_terminated"], made["overdue_history"]} <= {
        c["customer_id"] for c in data["retention"]["customers"]
    }


def test_a_customer_whose_contact_resumed_since_the_review_is_not_erased(overdue):
    archive, made = overdue
    review = routines.run(archive, "retention", None, TODAY)
    cid = made["overdue_history"]
    [proposal] = [p for p in review.proposals if p.customer_id == cid]
    archive.add_note(cid, {"time": "2026-11-30 15:00", "channel": "电话", "content": "客户来电咨询"}, at("2026-11-30"))
    head = archive.head()
    assert routines.accept(archive, review, [proposal]) is None and archive.head() == head


def test_accepting_erases_the_chosen_customers_in_one_commit_on_their_basis(overdue):
    archive, made = overdue
    path = archive.store.path
    head = archive.head()
    done = run_cli("--archive", path, "routine", "run", "retention", "--today", TODAY.isoformat(), "--yes")
    assert done.code == 0, done.err
    assert "删除不能撤销" in done.out
    assert archive.store.git("rev-list", "--count", f"{head}..HEAD").stdout.decode().strip() == "1"
    message = archive.store.git("log", "-1", "--format=%B").stdout.decode()
    assert "删除个人信息" in message and "第四十七条第一款第二项" in message and "第四十七条第一款第一项" in message
    assert made["overdue_terminated"] in message and made["overdue_history"] in message
    assert made["recent_terminated"] not in message
    again = routines.run(Archive(path), "retention", None, TODAY)
    assert again.proposals == []  # an erased customer is not proposed again


# --- the access log's own retention -----------------------------------------------------------


def old_entry(when: datetime, target: str) -> bytes:
    entry = {"time": when.isoformat(timespec="seconds"), "person": "李娜", "action": "view", "target": target}
    return (json.dumps(entry, ensure_ascii=False) + "\n").encode()


def test_prune_deletes_entries_past_the_logs_retention_and_says_so(archive):
    path = access_log.log_path(archive)
    now = datetime.now().astimezone()
    access_log.record(archive, "李娜", "view", "BJ-000001/合同.pdf", "机密")  # makes the file
    with open(path, "ab") as log:  # entries from years ago, then a line someone typed in by hand
        log.write(old_entry(now - timedelta(days=1200), "BJ-000002/旧合同.pdf"))
        log.write(old_entry(now - timedelta(days=1100), "BJ-000003/旧合同.pdf"))
        log.write(b"hand edit\n")
        log.write(old_entry(now - timedelta(days=10), "BJ-000004/新合同.pdf"))
    pruned = run_cli("--archive", archive.store.path, "access-log", "prune")
    assert pruned.code == 0, pruned.err
    assert "删除 2 条" in pruned.out and "访问日志保存 1095 天" in pruned.out
    targets = [e["target"] for e in access_log.entries(archive)]
    assert targets == ["BJ-000001/合同.pdf", "第 2 行", "BJ-000004/新合同.pdf", "access.log"]
    last = access_log.entries(archive)[-1]
    assert last["action"] == "prune" and last["person"] == "张伟"
    expected = (now - timedelta(days=1100)).isoformat(timespec="seconds")
    assert last["detail"] == f"删除 2 条 {expected} 及以前的记录 (访问日志保存 1095 天)"
    again = run_cli("--archive", archive.store.path, "access-log", "prune")
    assert again.code == 0 and "没有更早的记录" in again.out and len(access_log.entries(archive)) == 4

    assert run_cli("rules", "set", "retention.access_log_days", "0", cwd=archive.store.path).code == 0
    forever = run_cli("--archive", archive.store.path, "access-log", "prune")
    assert forever.code == 0 and "永久保存" in forever.out and len(access_log.entries(archive)) == 4


def test_only_who_may_read_the_log_prunes_it_and_a_refusal_is_logged(archive):
    add_person(archive, "zhangwei", "张伟", "管理员")
    add_person(archive, "lina", "李娜", "销售")
    with open(access_log.log_path(archive), "ab") as log:
        log.write(old_entry(datetime.now().astimezone() - timedelta(days=2000), "BJ-000002/旧合同.pdf"))
    refused = run_cli("--archive", archive.store.path, "--user", "李娜", "access-log", "prune")
    assert refused.code != 0 and "查看访问日志" in refused.err and "Traceback" not in refused.err
    assert [e["action"] for e in access_log.entries(archive)] == ["view", "refused"]
    assert access_log.entries(archive)[-1]["account"] == "lina"
    done = run_cli("--archive", archive.store.path, "--user", "张伟", "access-log", "prune")
    assert done.code == 0 and "删除 1 条" in done.out, done.err
    assert [e["action"] for e in access_log.entries(archive)] == ["refused", "prune"]


def test_an_entry_written_while_prune_replaces_the_log_is_not_lost(archive):
    """A writer that opened the log and waits for its lock while prune renames a new file over
    it appends to the new file, not to the one prune replaced."""
    path = access_log.log_path(archive)
    access_log.record(archive, "李娜", "view", "BJ-000001", "")
    holder = os.open(path, os.O_RDONLY)
    fcntl.flock(holder, fcntl.LOCK_EX)
    script = (
        "import sys; from custtui.core.access import access_log; from custtui.core.store.repo import Store; "
        "access_log.record(Store(sys.argv[1]), '王芳', 'view', 'BJ-000009', '')"
    )
    writer = subprocess.Popen([sys.executable, "-c", script, str(archive.store.path)])
    try:
        time.sleep(1.0)  # it has the old file open and waits for the lock
        replacement = path.with_name("access.log.new")
        replacement.write_bytes(path.read_bytes())
        os.replace(replacement, path)  # what prune does under the lock
    finally:
        os.close(holder)
    assert writer.wait(timeout=60) == 0
    assert [e["target"] for e in access_log.entries(archive)] == ["BJ-000001", "BJ-000009"]
