"""The routines of the calendar (issue 15): each one's proposals and findings on the demo archive
on a fixed day, through the command line a manager or cron uses; accepting some is one commit
that ``custtui revert`` undoes exactly."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
from datetime import date

import pytest
from conftest import CUSTTUI, git, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from custtui.core.archive.archive import Archive
from custtui.core.archive.staff import add_person
from custtui.core.base.errors import CusttuiError
from custtui.core.tasks import routines

LATER = "2027-06-01"  # seven months past the demo's "today" (2026-11-01): statuses have aged


def tree(archive: Archive) -> str:
    return git(archive.store.path, "rev-parse", "HEAD^{tree}").strip()


def test_monthly_lists_when_piped_and_accepts_what_is_typed_on_a_terminal(demo):
    path = demo.store.path
    head = demo.head()
    listed = run_cli("--archive", path, "routine", "run", "月度", "--today", LATER, input="")
    assert listed.code == 0, listed.err
    assert "月度复核 2027-06 (截至 2027-06-01)" in listed.out
    assert "客户状态: 活跃 → 沉睡" in listed.out and "最近联系 2026-09-18 (256 天前)" in listed.out
    assert "未保存: 加 --yes" in listed.out and demo.head() == head  # piped: nothing written
    assert "active" not in listed.out and "dormant" not in listed.out  # labels, never codes

    proposals = routines.run(demo, "monthly", None, date(2027, 6, 1)).proposals
    primary, replica = pty.openpty()
    proc = subprocess.Popen(
        [*CUSTTUI, "--archive", str(path), "routine", "run", "monthly", "--today", LATER],
        stdin=replica,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    os.close(replica)
    os.write(primary, "1,999\n1,3-4\n".encode())  # a typing mistake is asked again, not the end
    out, err = proc.communicate(timeout=120)
    os.close(primary)
    assert proc.returncode == 0, err
    assert "编号 999 超出范围" in err and "请重新输入" in err
    assert "已接受 3 条建议" in out
    commit = demo.head()
    message = git(path, "log", "-1", "--format=%B")
    assert "Custtui-Routine: monthly" in message and "Custtui-Period: 2027-06" in message
    for n, p in enumerate(proposals, 1):
        assert demo.customer(p.customer_id).get("status") == (p.new if n in (1, 3, 4) else p.old)

    undone = run_cli("--archive", path, "revert", commit[:10])
    assert undone.code == 0, undone.err
    assert tree(demo) == git(path, "rev-parse", f"{head}^{{tree}}").strip()


def test_quarterly_tiers_come_from_the_deals_added_and_mark_the_key_customer(demo):
    customer = "BJ-000005"  # 北京京味轩: 中价值 or below, 普通
    for day, amount in (("2026-03-02", "300000"), ("2026-08-15", "320000"), ("2025-06-01", "900000")):
        demo.add_deal(customer, {"date": day, "amount": amount, "product": "设备"})
    found = run_cli("--archive", demo.store.path, "--json", "routine", "run", "季度", "--today", "2026-11-01")
    assert found.code == 0, found.err
    data = json.loads(found.out)
    mine = [p for p in data["proposals"] if p["customer_id"] == customer]
    tier = next(p for p in mine if p["field"] == "价值层级")
    assert tier["new"] == "高价值" and tier["evidence"] == "近 12 个月交易 ¥620,000.00 (2 笔)"  # 2025-06 is outside
    grade = next(p for p in mine if p["field"] == "客户等级")
    assert grade["new"] == "VIP" and data["commit"] is None and data["period"] == "2026-Q4"

    accepted = run_cli("--archive", demo.store.path, "routine", "run", "quarterly", "--today", "2026-11-01", "--yes")
    assert accepted.code == 0 and "已接受" in accepted.out
    record = demo.customer(customer)
    assert record["value_tier"] == "high" and record["grade"] == "vip"
    again = routines.run(demo, "quarterly", "2026-Q4", date(2026, 11, 1))
    assert again.proposals == []  # accepted: nothing left to propose
    demo.add_deal("BJ-000002", {"date": "2026-10-30", "amount": "800000", "product": "软件"})
    later = routines.run(demo, "quarterly", "2026-Q4", date(2026, 11, 1))  # the facts cache follows the new deal
    assert {p.customer_id for p in later.proposals} == {"BJ-000002"}
    assert ("value_tier", "high") in {(p.field, p.new) for p in later.proposals}


def test_a_contract_attached_to_a_potential_customer_proposes_signed(demo, tmp_path):
    scan = tmp_path / "合同.pdf"
    scan.write_bytes(b"%PDF contract")
    demo.attach(
        "BJ-000007", scan, {"doc_type": "合同", "date": "2026-10-05", "number": "HT-2026-031", "project": "灌装线"}
    )
    for day in ("2026-02-01", "2026-05-01", "2026-09-01"):
        demo.add_deal("BJ-000002", {"date": day, "amount": "1000", "product": "软件"})  # 签约 → 稳定合作
    in_window = [d for d in demo.folder("BJ-000002").deals if date(2025, 10, 31) < d["date"] <= date(2026, 10, 31)]
    found = routines.run(demo, "月度", "2026-10", date(2026, 11, 1))
    assert found.as_of == date(2026, 10, 31)
    stage = {p.customer_id: p for p in found.proposals if p.field == "stage"}
    assert stage["BJ-000007"].new == "signed"
    assert stage["BJ-000007"].evidence.startswith("合同 HT-2026-031 签订 2026-10-05")
    assert stage["BJ-000002"].new == "stable" and stage["BJ-000002"].evidence == f"近 365 天 {len(in_window)} 笔交易"
    assert not any(p.new == "potential" for p in stage.values())  # evidence never moves a stage back

    commit = routines.accept(demo, found, [stage["BJ-000007"]])
    record = demo.customer("BJ-000007")
    assert record["stage"] == "signed" and record["stage_history"][-1]["reason"] == "月度复核 2026-10"
    assert commit == demo.head()


def test_a_document_a_person_may_not_see_is_no_evidence_shown_to_them(demo, tmp_path):
    for person_id, name, department in (
        ("zhangwei", "张伟", "管理员"),
        ("lina", "李娜", "销售"),
        ("zhaolei", "赵磊", "管理层"),
    ):
        add_person(demo, person_id, name, department)
    scan = tmp_path / "合同.pdf"
    scan.write_bytes(b"%PDF secret contract")
    manager = Archive(demo.store.path, user="赵磊")
    manager.attach(
        "BJ-000007", scan, {"doc_type": "合同", "date": "2026-10-05", "sensitivity": "机密", "number": "HT-9"}
    )
    seen = {p.customer_id for p in routines.run(manager, "monthly", None, date(2026, 11, 1)).proposals}
    sales = Archive(demo.store.path, user="李娜")
    unseen = {p.customer_id for p in routines.run(sales, "monthly", None, date(2026, 11, 1)).proposals}
    assert "BJ-000007" in seen and "BJ-000007" not in unseen


def test_a_field_someone_changed_meanwhile_is_left_as_they_set_it(demo):
    found = routines.run(demo, "monthly", None, date(2027, 6, 1))
    first, second = found.proposals[0], found.proposals[1]
    demo.update_customer(first.customer_id, {"status": "流失"})
    routines.accept(demo, found, [first, second])
    assert demo.customer(first.customer_id)["status"] == "lost"
    assert demo.customer(second.customer_id)["status"] == second.new


def test_halfyear_findings_by_kind_and_the_xlsx(demo, tmp_path):
    scan = tmp_path / "回访.pdf"
    scan.write_bytes(b"%PDF old")
    demo.attach("SH-000002", scan, {"doc_type": "回访表", "date": "2020-03-01"})  # service: kept 5 years
    twin, _ = demo.add_customer("政府", "北京市海淀区某某街道办事处", {"owner": "张伟", "first_contact": "2026-10-01"})
    demo.update_customer(twin, {"aliases": ["廊坊市安次区教育局"]})
    target = tmp_path / "半年度.xlsx"
    found = run_cli(
        "--archive", demo.store.path, "routine", "run", "半年度", "--today", "2028-05-01", "--dry-run", "--out", target
    )
    assert found.code == 0, found.err
    out = found.out
    assert "半年度复核 2028-H1" in out and "试运行: 未保存任何修改" in out
    assert "BJ-000008" in out and "客户状态: 流失 → 历史客户" in out  # quiet over 730 days
    assert f"{twin} 北京市海淀区某某街道办事处: 行业、规模、地域、价值层级" in out  # 建议补充: none is required
    assert "资料保管到期" in out and "2020-03-01, 服务记录保管 5 年, 2025-03-01 到期" in out
    assert "疑似重复" in out and "BJ-000017" in out
    assert "联系方式待核实" in out
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    kinds = {row[3] for row in rows if row[2] == "发现"}
    assert {"建议补充", "资料保管到期", "疑似重复", "联系方式待核实"} <= kinds
    assert any(row[2] == "建议 1" and row[5] == "历史客户" for row in rows)


def test_periods_are_written_as_people_say_them():
    assert routines.period("quarterly", "2026-q3").end == date(2026, 9, 30)
    assert routines.period("halfyear", None, date(2026, 12, 2)).text == "2026-H2"
    with pytest.raises(CusttuiError, match="2026-Q3"):
        routines.period("quarterly", "2026-Q5")
    with pytest.raises(CusttuiError, match="没有名为"):
        routines.routine_code("每周")


@pytest.fixture(scope="module")
def batch_archive(demo_template, tmp_path_factory):
    """One copy of the demo for every example: each leaves the tree as it found it."""
    copy = tmp_path_factory.mktemp("routines") / "demo"
    shutil.copytree(demo_template, copy, symlinks=True)
    made = Archive(copy)
    signed = sorted(cid for cid, c in made.customers().items() if c.get("stage") == "signed")[:4]
    for cid in signed:  # recurring orders: the monthly routine proposes 稳定合作, a stage step each
        for day in ("2026-09-10", "2026-10-10", "2026-11-10"):
            made.add_deal(cid, {"date": day, "amount": "12000", "product": "备件"})
    batches = [
        routines.run(made, "monthly", None, date(2027, 6, 1)),
        routines.run(made, "quarterly", None, date(2026, 11, 1)),
        routines.run(made, "monthly", None, date(2026, 11, 30)),
    ]
    assert {p.customer_id for p in batches[2].proposals if p.field == "stage"} == set(signed)
    yield made, batches
    made.close()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.integers(0, 2), picks=st.sets(st.integers(0, 60), min_size=1, max_size=12))
def test_any_subset_accepted_then_reverted_gives_back_the_exact_tree(batch_archive, which, picks):
    """Stage moves included: a batch's revert takes back the stage steps it wrote, no reason asked."""
    archive, batches = batch_archive
    batch = batches[which]
    before = tree(archive)
    chosen = [batch.proposals[i % len(batch.proposals)] for i in sorted(picks)]
    commit = routines.accept(archive, batch, chosen)
    assert commit is not None and tree(archive) != before
    archive.revert(commit)
    assert tree(archive) == before


def test_a_batch_of_stage_moves_reverts_without_a_reason_to_the_exact_tree(batch_archive):
    archive, batches = batch_archive
    before = tree(archive)
    stages = [p for p in batches[2].proposals if p.field == "stage"]
    commit = routines.accept(archive, batches[2], stages)
    moved = archive.customer(stages[0].customer_id)
    assert moved["stage"] == "stable" and moved["stage_history"][-1]["reason"] == "月度复核 2026-11"
    done = run_cli("--archive", archive.store.path, "revert", commit)
    assert done.code == 0, done.err
    assert tree(archive) == before


def test_the_status_review_is_the_same_status_logic(demo):
    from custtui.core.tasks.review import review

    monthly = {p.customer_id: p.new for p in routines.run(demo, "monthly", None, date(2028, 5, 1)).proposals}
    half = {p.customer_id: p.new for p in routines.run(demo, "halfyear", None, date(2028, 5, 1)).proposals}
    reviewed = {c.customer_id: c.suggested for c in review(demo, date(2028, 5, 1))}
    assert reviewed == {**monthly, **half} and set(half.values()) == {"history"}
    assert monthly["BJ-000013"] == "lost"  # 沉睡 and quiet 836 days: 流失 first, 历史客户 at a half-year


def test_a_batch_someone_may_not_write_is_refused_in_one_short_sentence(demo):
    from custtui.core.access.policy import PermissionDenied

    add_person(demo, "zhangwei", "张伟", "管理员")
    add_person(demo, "liuyang", "刘洋", "市场")  # edits nothing
    demo.user = "刘洋"
    batch = routines.run(demo, "monthly", None, date(2027, 6, 1))
    before = demo.head()
    with pytest.raises(PermissionDenied) as refused:
        routines.accept(demo, batch, batch.proposals)
    said = str(refused.value)
    assert said.count("刘洋 的角色 市场 没有") == 3 and f"另有 {len(batch.proposals) - 3} 项同样缺少权限" in said
    assert said.endswith("修改未写入") and demo.head() == before
