"""The audit trail in words: each kind of commit read back as Chinese lines."""

from __future__ import annotations

import pytest
from conftest import git

from custtui.core.access.policy import mask_id_number
from custtui.core.archive.archive import Archive
from custtui.core.archive.staff import add_person
from custtui.core.base.errors import CusttuiError, NotFound
from custtui.core.records.validate import id_check_digit
from custtui.core.tasks.audit import author_pattern, authors, describe_commit, revert_plan, without_customer


def new_customer(archive: Archive) -> tuple[str, str]:
    return archive.add_customer(
        "企业",
        "北京华信机械设备制造有限公司",
        {
            "uscc": "91110000600037341L",
            "industry": "制造业",
            "owner": "张伟",
            "region": "北京",
            "contacts": [{"name": "曾小贤", "phones": ["13812345678"]}],
        },
    )


def test_a_new_customer_reads_as_its_fields(archive):
    customer_id, commit = new_customer(archive)
    report = describe_commit(archive, commit)
    assert (report.author, report.customer) == ("张伟", customer_id)
    assert report.message == f"新建 {customer_id} 北京华信机械设备制造有限公司: 企业客户"
    (change,) = report.changes  # the office's ID counter moving on is not news
    assert change.title == f"新建客户 {customer_id} 北京华信机械设备制造有限公司"
    assert {"客户类型: 企业客户", "行业: 制造业", "地域: 北京市", "合作阶段: 潜在客户", "联系人: 曾小贤"} <= set(
        change.details
    )


def test_an_edit_reads_as_labels_old_to_new_with_the_stage_reason(archive):
    customer_id, _ = new_customer(archive)
    commit = archive.update_customer(customer_id, {"stage": "签约客户", "size": "中型"}, reason="签了合同")
    (change,) = describe_commit(archive, commit).changes
    assert change.title == "修改客户资料"
    assert change.details == ["合作阶段: 潜在客户 → 签约客户", "规模: (空) → 中型", "变更原因: 签了合同"]
    colour = archive.update_customer(customer_id, {"color": "红"})  # only a field that was empty
    assert [(c.title, c.details) for c in describe_commit(archive, colour).changes] == [
        ("修改客户资料", ["颜色标签: (空) → 红色"])
    ]


def test_the_demos_stage_change_shows_its_reason(demo):
    entry = next(e for e in demo.history("BJ-000008", field="stage") if "终止合作客户" in e.summary)
    (change,) = describe_commit(demo, entry.commit).changes
    assert change.details == [
        "合作阶段: 稳定合作客户 → 终止合作客户",
        "变更原因: 交货延迟: 2025 年第二、三批数控车床分别延迟 45 天和 30 天交付, 客户依合同第六条解除年度框架协议",
    ]


def test_a_revert_plan_shows_each_field_now_and_after(archive):
    customer_id, _ = new_customer(archive)
    archive.update_customer(customer_id, {"stage": "签约客户"}, reason="签了合同")
    ended = archive.update_customer(customer_id, {"stage": "终止合作客户", "size": "中型"}, reason="交货延迟")
    plan = revert_plan(archive, ended)
    assert plan.report.commit == ended and plan.stage == ("终止合作客户", "签约客户")
    assert [(c.title, c.details) for c in plan.changes] == [
        (
            "修改客户资料",
            [
                "合作阶段: 终止合作客户 → 签约客户",
                "规模: 中型 → (空)",
                "阶段历史新增: 终止合作客户 → 签约客户 (已有的阶段历史保留)",
            ],
        )
    ]
    assert plan.summary == "合作阶段: 终止合作客户 → 签约客户; 规模: 中型 → (空)"
    undone = archive.revert(ended, reason="误操作")
    (change,) = describe_commit(archive, undone).changes
    assert sorted(change.details) == sorted(
        ["合作阶段: 终止合作客户 → 签约客户", "规模: 中型 → (空)", "变更原因: 误操作"]
    )
    with pytest.raises(CusttuiError, match="合作阶段」在该提交之后又被修改"):
        revert_plan(archive, ended)


def test_a_revert_plan_of_a_note_removes_it_and_needs_no_reason(archive):
    customer_id, _ = new_customer(archive)
    _, note = archive.add_note(customer_id, {"time": "2024-03-15 10:30", "channel": "电话", "content": "询价"})
    plan = revert_plan(archive, note)
    assert plan.stage is None
    assert [(c.title, c.details) for c in plan.changes] == [("删除 沟通记录 2024-03-15 10:30 电话", ["询价"])]
    assert plan.summary == "删除 沟通记录 2024-03-15 10:30 电话"


def test_notes_deals_and_documents_read_as_what_was_added(archive, tmp_path):
    customer_id, _ = new_customer(archive)
    _, note = archive.add_note(customer_id, {"time": "2024-03-15 10:30", "channel": "电话", "content": "询价"})
    _, deal = archive.add_deal(customer_id, {"date": "2024-04-01", "amount": "12,500", "product": "数控车床"})
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4 license")
    name, attach = archive.attach(customer_id, scan, {"doc_type": "营业执照", "date": "2023-05-10"})
    assert [(c.title, c.details) for c in describe_commit(archive, note).changes] == [
        ("新增 沟通记录 2024-03-15 10:30 电话", ["询价"])
    ]
    assert [c.title for c in describe_commit(archive, deal).changes] == ["新增 交易 2024-04-01 12,500.00 元 数控车床"]
    assert [(c.title, c.details) for c in describe_commit(archive, attach).changes] == [
        (f"归档 文档 {name}", ["营业执照"])
    ]  # the file and its metadata are one line
    undone = archive.revert(note)
    assert [c.title for c in describe_commit(archive, undone).changes] == ["删除 沟通记录 2024-03-15 10:30 电话"]


def test_the_log_subject_without_the_customer_column(demo):
    entry = next(e for e in demo.history() if e.action == "update")
    assert without_customer(entry).startswith("修改: 合作阶段 ")
    assert entry.customer not in without_customer(entry)
    office = next(e for e in demo.history() if e.customer is None)
    assert without_customer(office) == office.summary
    undone = demo.history(entry.customer)[0]._replace(summary=f"撤销 {entry.customer}: {entry.summary}")
    assert without_customer(undone) == f"撤销: {without_customer(entry)}"


def test_authors_are_everyone_who_committed(demo):
    assert authors(demo) == sorted(set(git(demo.store.path, "log", "--format=%an").split()))
    assert {"张伟", "王芳", "系统管理员"} <= set(authors(demo))


def test_an_author_pattern_matches_that_person_only(demo):
    mine = [e.commit for e in demo.history(author=author_pattern("张伟"))]
    assert mine == git(demo.store.path, "log", "--author=张伟", "--format=%H").split()
    assert demo.history(author=author_pattern("张")) == []
    assert demo.history(author=author_pattern("a.b*")) == []


def test_an_unknown_commit_is_named(demo):
    with pytest.raises(NotFound, match="没有找到提交 deadbeef"):
        describe_commit(demo, "deadbeef")


def test_a_revert_plan_masks_what_the_person_may_not_read(demo):
    add_person(demo, "zhangwei", "张伟", "管理员")
    add_person(demo, "lina", "李娜", "销售")
    customer_id = "BJ-000020"  # an individual with an ID number
    demo.user = "李娜"
    stored = demo.customer(customer_id)["id_number"]
    body = stored[:16] + ("1" if stored[16] != "1" else "3")  # another person born the same day
    wrong = body + id_check_digit(body)
    changed = demo.update_customer(customer_id, {"id_number": wrong})
    (change,) = revert_plan(demo, changed).changes
    assert change.details == [f"身份证号: {mask_id_number(wrong)} → {mask_id_number(stored)}"]
    assert stored not in str(change) and wrong not in str(change)
