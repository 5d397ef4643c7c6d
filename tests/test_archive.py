"""The archive library: records, commits, history and revert on real git repositories."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from conftest import git

from custtui.core.archive.archive import Archive
from custtui.core.base.errors import ConflictError, CusttuiError, FieldError, NotFound

HUAXIN = {
    "uscc": "91110000600037341L",
    "industry": "制造业",
    "owner": "张伟",
    "region": "北京",
    "aliases": ["华信厂"],
    "contacts": [{"name": "曾小贤", "position": "采购经理", "phones": ["138 1234 5678"], "decision_maker": True}],
}


def add_huaxin(archive: Archive) -> str:
    customer_id, _ = archive.add_customer("企业", "北京华信机械设备制造有限公司", dict(HUAXIN))
    return customer_id


def test_new_customer_gets_office_sequence_id_and_one_commit_by_the_user(archive):
    before = len(archive.store.log())
    customer_id = add_huaxin(archive)
    assert customer_id == "BJ-000001"
    assert len(archive.store.log()) == before + 1
    record = archive.customer(customer_id)
    assert record["type"] == "enterprise" and record["industry"] == "manufacturing"
    assert record["region"] == "110100" and record["stage"] == "potential"  # schema default
    assert record["contacts"][0]["phones"] == ["13812345678"]  # normalised
    entry = archive.history(customer_id)[0]
    assert entry.author == "张伟" and entry.action == "create"
    assert entry.summary == "新建 BJ-000001 北京华信机械设备制造有限公司: 企业客户"
    second, _ = archive.add_customer("个人", "曾小贤", {"phones": "13912345678", "owner": "李娜"})
    assert second == "BJ-000002"
    assert (archive.store.work_tree / "customers/BJ/000/BJ-000002/customer.toml").is_file()


def test_stage_change_records_history_and_reads_well_in_the_log(archive):
    customer_id = add_huaxin(archive)
    archive.update_customer(customer_id, {"stage": "签约"}, reason="签订年度采购合同")
    record = archive.customer(customer_id)
    assert record["stage"] == "signed"
    step = record["stage_history"][-1]
    assert (step["from"], step["to"], step["reason"], step["by"]) == ("potential", "signed", "签订年度采购合同", "张伟")
    entry = archive.history(customer_id, field="合作阶段")[0]
    assert entry.summary == "修改 BJ-000001 北京华信机械设备制造有限公司: 合作阶段 潜在客户→签约客户"
    assert entry.fields == ["stage"]
    assert "Custtui-Fields: stage" in git(archive.store.path, "log", "-1", "--format=%B")


def test_unchanged_values_make_no_commit(archive):
    customer_id = add_huaxin(archive)
    head = archive.head()
    assert archive.update_customer(customer_id, {"industry": "manufacturing"}) is None
    assert archive.head() == head


def test_same_field_changed_by_someone_else_is_a_conflict_not_an_overwrite(archive):
    customer_id = add_huaxin(archive)
    seen = archive.head()
    other = Archive(archive.store.path, user="李娜")
    other.update_customer(customer_id, {"size": "大型"})
    with pytest.raises(ConflictError) as caught:
        archive.update_customer(customer_id, {"size": "中型"}, base=seen)
    assert "规模" in str(caught.value) or "size" in str(caught.value)
    assert archive.customer(customer_id)["size"] == "large"
    # a different field edited from the same stale view merges cleanly
    archive.update_customer(customer_id, {"address": "北京市海淀区中关村大街1号"}, base=seen)
    record = archive.customer(customer_id)
    assert record["size"] == "large" and record["address"].startswith("北京市海淀区")


def test_duplicate_uscc_is_refused(archive):
    add_huaxin(archive)
    with pytest.raises(FieldError, match="BJ-000001"):
        archive.add_customer("企业", "华信机械(重复)", dict(HUAXIN))


def test_fields_depend_on_customer_type(archive):
    with pytest.raises(FieldError, match="身份证号"):
        archive.add_customer("企业", "某公司", {**HUAXIN, "id_number": "11010519491231002X"})
    with pytest.raises(FieldError, match="统一社会信用代码.*必须填写"):
        archive.add_customer("企业", "某公司", {"industry": "制造业", "owner": "张伟"})
    customer_id, _ = archive.add_customer(
        "个人", "单田芳", {"phones": ["13912345678"], "owner": "李娜", "id_number": "11010519491231002x"}
    )
    assert archive.customer(customer_id)["id_number"] == "11010519491231002X"


def test_notes_and_deals_are_one_small_file_each(archive):
    customer_id = add_huaxin(archive)
    archive.add_note(
        customer_id,
        {
            "time": "2024-03-15 10:30",
            "channel": "电话",
            "participants": "张伟, 曾小贤",
            "content": "确认数控机床报价",
            "needs": "希望四月交货",
        },
    )
    archive.add_deal(customer_id, {"date": "2024-04-01", "amount": "12.5万", "product": "数控机床"})
    notes, deals = archive.notes(customer_id), archive.deals(customer_id)
    assert notes[0]["channel"] == "phone" and notes[0]["participants"] == ["张伟", "曾小贤"]
    assert notes[0]["by"] == "张伟"
    assert Decimal(deals[0]["amount"]) == Decimal("125000.00")
    files = git(archive.store.path, "ls-files", "customers").splitlines()
    assert sum("/notes/" in f for f in files) == 1 and sum("/deals/" in f for f in files) == 1
    assert archive.history(customer_id)[0].summary.startswith("交易 BJ-000001")


def test_a_customers_folder_is_read_at_one_commit(archive, tmp_path):
    """What a profile shows comes from one commit: a note written after it is not mixed in."""
    customer_id = add_huaxin(archive)
    first, _ = archive.add_note(customer_id, {"time": "2024-03-15 10:30", "channel": "电话", "content": "初次联系"})
    licence = tmp_path / "执照.txt"
    licence.write_text("营业执照", "utf-8")
    archive.attach(customer_id, licence, {"doc_type": "营业执照", "date": "2024-01-01"})
    before = archive.head()
    archive.add_note(customer_id, {"time": "2024-03-20 09:00", "channel": "电话", "content": "报价"})
    archive.update_customer(customer_id, {"address": "北京市朝阳区 3 号"})

    then, now = archive.folder(customer_id, before), archive.folder(customer_id)
    assert then.commit == before and now.commit == archive.head()
    assert [n["file"] for n in then.notes] == [first] and len(now.notes) == 2
    assert then.record == archive.customer(customer_id, before) and now.record["address"] == "北京市朝阳区 3 号"
    assert [d.name for d in then.documents] == [d.name for d in archive.documents(customer_id)]
    with pytest.raises(NotFound, match="BJ-009999"):
        archive.folder("BJ-009999")


def test_attach_names_file_by_rule_keeps_bytes_and_detects_duplicates(archive, tmp_path):
    customer_id = add_huaxin(archive)
    scan = tmp_path / "扫描件 0012.pdf"
    scan.write_bytes(b"%PDF-1.4 fake but bytes are bytes\n")
    name, _ = archive.attach(customer_id, scan, {"doc_type": "营业执照", "date": "2023-05-10"})
    assert name == "北京华信机械设备制造有限公司-营业执照-20230510.pdf"
    assert archive.document_bytes(customer_id, name) == scan.read_bytes()
    meta = archive.documents(customer_id)[0].meta
    assert meta["info_type"] == "basic" and meta["original_name"] == "扫描件 0012.pdf"
    with pytest.raises(FieldError, match="内容完全相同"):
        archive.attach(customer_id, scan, {"doc_type": "营业执照"})
    contract = tmp_path / "合同终稿(1).docx"
    contract.write_bytes(b"PK contract")
    name, _ = archive.attach(
        customer_id,
        contract,
        {"doc_type": "合同", "date": "2024-01-05", "number": "HT-2024-015", "project": "数控机床采购"},
    )
    assert name == "HT-2024-015-数控机床采购-20240105.docx"
    supplement = tmp_path / "补充.pdf"
    supplement.write_bytes(b"%PDF supplement")
    archive.attach(customer_id, supplement, {"doc_type": "补充协议", "main": name, "also_in": ["投诉处理单"]})
    meta = {d.name: d.meta for d in archive.documents(customer_id)}
    attached = next(m for n, m in meta.items() if m.get("doc_type") == "supplement")
    assert attached["main"] == name and attached["also_in"] == ["complaint"]
    assert attached["stage"] == "signed"


def test_attach_refuses_a_main_document_that_does_not_exist(archive, tmp_path):
    customer_id = add_huaxin(archive)
    file = tmp_path / "a.pdf"
    file.write_bytes(b"x")
    head = archive.head()
    with pytest.raises(FieldError, match="主文件"):
        archive.attach(customer_id, file, {"doc_type": "补充协议", "main": "nope.pdf"})
    assert archive.head() == head


def test_listing_cache_follows_commits_from_the_diff(archive):
    customer_id = add_huaxin(archive)
    assert set(archive.customers()) == {customer_id}
    first = archive.head()
    archive.update_customer(customer_id, {"grade": "VIP"})
    assert archive.customers()[customer_id]["grade"] == "vip"
    assert archive.listing.cached_commit() == archive.head()
    assert archive.customers(first)[customer_id]["grade"] == "normal"  # an older commit, read consistently
    assert archive.find({"grade": "VIP"})[0]["id"] == customer_id
    assert archive.find({"合作阶段": "签约"}) == []
    assert [c["id"] for c in archive.find({"合作阶段": "潜在"})] == [customer_id]
    assert archive.find({"region": "北京"})[0]["id"] == customer_id
    assert archive.find({"name": "华信"})[0]["id"] == customer_id


def test_revert_undoes_one_change_field_by_field(archive):
    customer_id = add_huaxin(archive)
    archive.update_customer(customer_id, {"size": "中型"})
    wrong = archive.update_customer(customer_id, {"grade": "VIP", "color": "红"})
    archive.update_customer(customer_id, {"address": "北京市朝阳区"})
    archive.revert(wrong)
    record = archive.customer(customer_id)
    assert "color" not in record and record["grade"] == "normal"
    assert record["size"] == "medium" and record["address"] == "北京市朝阳区"
    assert archive.history(customer_id)[0].summary.startswith("撤销 BJ-000001")


def test_revert_refuses_when_a_later_edit_touched_the_same_field(archive):
    customer_id = add_huaxin(archive)
    first = archive.update_customer(customer_id, {"size": "中型"})
    archive.update_customer(customer_id, {"size": "大型"})
    head = archive.head()
    with pytest.raises(CusttuiError, match="又被修改"):
        archive.revert(first)
    assert archive.head() == head


def test_reverting_a_stage_change_is_a_new_step_back_with_a_reason(archive):
    customer_id = add_huaxin(archive)
    archive.update_customer(customer_id, {"stage": "签约"}, reason="签订年度采购合同")
    ended = archive.update_customer(customer_id, {"stage": "终止"}, reason="交货延迟, 客户解除协议")
    head = archive.head()
    with pytest.raises(FieldError, match="请填写原因") as refused:
        archive.revert(ended)
    assert refused.value.field == "reason" and archive.head() == head
    archive.revert(ended, reason="  误操作: 协议仍然有效 ", when=datetime(2026, 4, 2, 9, 30))
    record = archive.customer(customer_id)
    assert record["stage"] == "signed"
    assert [(s["from"], s["to"], s.get("reason")) for s in record["stage_history"]] == [
        ("potential", "signed", "签订年度采购合同"),
        ("signed", "terminated", "交货延迟, 客户解除协议"),  # the history stays
        ("terminated", "signed", "误操作: 协议仍然有效"),
    ]
    assert (record["stage_history"][-1]["date"], record["stage_history"][-1]["by"]) == (date(2026, 4, 2), "张伟")
    assert archive.history(customer_id, field="合作阶段")[0].summary.startswith(f"撤销 {customer_id}")


def test_a_reason_is_not_needed_to_revert_other_fields_and_check_revert_writes_nothing(archive):
    customer_id = add_huaxin(archive)
    first = archive.update_customer(customer_id, {"size": "中型"})
    archive.update_customer(customer_id, {"size": "大型"})
    head = archive.head()
    with pytest.raises(CusttuiError, match="又被修改"):
        archive.check_revert(first)
    colour = archive.update_customer(customer_id, {"color": "红"})
    archive.check_revert(colour)
    assert archive.head() == colour
    with pytest.raises(FieldError, match="只有撤销合作阶段的变更时才需要填写原因"):
        archive.revert(colour, reason="填错了")
    archive.revert(colour)
    assert "color" not in archive.customer(customer_id) and archive.head() != head


def test_unknown_customer_is_a_clear_error(archive):
    with pytest.raises(NotFound, match="BJ-009999"):
        archive.customer("BJ-009999")
    with pytest.raises(CusttuiError, match="格式不对"):
        archive.customer("../../etc")


def test_edited_schema_inside_the_archive_is_the_one_that_applies(archive):
    store = archive.store
    raw = store.read(archive.head(), "schema/dimensions.toml").decode()
    raw = raw.replace(
        '{ code = "other", label = "其他行业" },',
        '{ code = "other", label = "其他行业" },\n  { code = "semiconductor", label = "半导体" },',
    )
    store.transact(
        lambda head: ({"schema/dimensions.toml": raw.encode()}, "修改分类标准: 新增行业 半导体"), archive.identity()
    )
    customer_id, _ = archive.add_customer(
        "企业", "上海芯片有限公司", {"uscc": "91110000600037341L", "industry": "半导体", "owner": "王芳"}
    )
    assert archive.customer(customer_id)["industry"] == "semiconductor"


def test_check_reports_a_malformed_record_with_file_and_line(archive):
    customer_id = add_huaxin(archive)
    path = "customers/BJ/000/BJ-000001/customer.toml"
    broken = (
        archive.store.read(archive.head(), path)
        .decode()
        .replace('industry = "manufacturing"', "industry = manufacturing")
    )
    archive.store.transact(lambda head: ({path: broken.encode()}, "手工编辑"), archive.identity())
    problems = archive.check()
    assert any(path in p and "第" in p and "行" in p for p in problems), problems
    assert customer_id in archive.customers()  # a broken record does not hide the customer
    assert "第" in archive.customers()[customer_id]["error"]


def test_status_review_follows_the_schema_periods(archive):
    from custtui.core.tasks.review import apply_review, review

    quiet, _ = archive.add_customer(
        "个人", "沉睡客户", {"phones": "13800000000", "owner": "张伟", "first_contact": "2024-01-10"}
    )
    gone, _ = archive.add_customer(
        "个人", "流失客户", {"phones": "13800000001", "owner": "张伟", "first_contact": "2023-01-10"}
    )
    busy, _ = archive.add_customer(
        "个人", "活跃客户", {"phones": "13800000002", "owner": "张伟", "first_contact": "2022-01-10"}
    )
    archive.add_note(busy, {"time": "2024-09-01 09:00", "channel": "电话", "content": "回访"})
    changes = {c.customer_id: c.suggested for c in review(archive, date(2024, 10, 1))}
    assert changes == {quiet: "dormant", gone: "lost"}
    commit = apply_review(archive, review(archive, date(2024, 10, 1)))
    assert archive.customer(quiet)["status"] == "dormant" and archive.customer(gone)["status"] == "lost"
    assert archive.history(quiet)[0].commit == commit and len(archive.history(limit=1)) == 1
    assert review(archive, date(2024, 10, 1)) == []
    archive.add_note(gone, {"time": "2024-10-02 10:00", "channel": "电话", "content": "老客户回来询价"})
    assert {c.customer_id: c.suggested for c in review(archive, date(2024, 10, 3))} == {gone: "active"}


def test_a_commit_reads_as_field_changes(archive):
    customer_id = add_huaxin(archive)
    commit = archive.update_customer(customer_id, {"size": "中型", "grade": "VIP"})
    ((path, changes),) = archive.changes_in(commit)
    assert path == "customers/BJ/000/BJ-000001/customer.toml"
    assert ("size", None, "medium") in changes and ("grade", "normal", "vip") in changes
