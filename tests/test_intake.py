"""Proposing, filing and copying documents, on the demo archive with the sample files."""

from __future__ import annotations

import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest
from conftest import REPO, git, repo_state

from custtui.core.base.errors import ConflictError, FieldError
from custtui.core.tasks.intake import (
    FILED_FOLDER,
    file_document,
    inbox_files,
    propose,
    save_copy,
)
from custtui.core.tasks.profile import Profile

SAMPLES = REPO / "sample-archive" / "customers"
CONTRACT = SAMPLES / "BJ/000/BJ-000001/docs/HT-2024-015-数控机床采购-20240105.pdf"
COMPLAINT = SAMPLES / "BJ/000/BJ-000001/docs/北京华信机械设备制造有限公司-投诉处理单-20250410.pdf"
SUPPLEMENT = SAMPLES / "BJ/000/BJ-000001/docs/北京华信机械设备制造有限公司-补充协议-20240618.docx"
STATEMENT = SAMPLES / "BJ/000/BJ-000003/docs/天津滨海恒通物流有限公司-对账单-20260930.xlsx"
MINUTES = "北京华信机械设备制造有限公司-会议纪要-20250416.docx"


def rescanned(source: Path, folder: Path, name: str) -> Path:
    """``source`` as a scanner would drop it again: another name, and bytes not yet filed (a PDF
    comment after the end, a ZIP comment in an Office file) so it is no duplicate."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    target.write_bytes(source.read_bytes() + (b"\n% rescanned\n" if source.suffix == ".pdf" else b""))
    if source.suffix != ".pdf":
        with zipfile.ZipFile(target, "a") as archive_zip:
            archive_zip.comment = b"rescanned"
    return target


def test_a_scanned_contract_is_recognised_by_its_number_and_text(demo, tmp_path):
    scan = rescanned(CONTRACT, tmp_path / "inbox", "SCAN_0001.pdf")
    proposal = propose(demo, scan)
    assert proposal.customer_id == "BJ-000001"
    assert any("HT-2024-015" in reason for reason in proposal.customers[0].reasons)
    assert (proposal.info_type, proposal.doc_type) == ("cooperation", "contract")
    assert proposal.date == date(2024, 1, 5)  # 签订日期 2024 年 1 月 5 日
    assert proposal.number == "HT-2024-015"
    assert (proposal.title, proposal.project) == ("数控机床采购合同", "数控机床采购")
    assert proposal.duplicate_of is None
    assert demo.planned_name("BJ-000001", proposal.meta(), scan.name) == "HT-2024-015-数控机床采购-20240105-2.pdf"


def test_a_date_labelled_in_the_text_beats_the_scan_date_in_the_name(demo, tmp_path):
    proposal = propose(demo, rescanned(COMPLAINT, tmp_path, "投诉_20250412.pdf"))
    assert (proposal.info_type, proposal.doc_type) == ("service", "complaint")
    assert proposal.date == date(2025, 4, 10)  # 受理日期
    assert proposal.customer_id == "BJ-000001"
    assert "含客户编号 BJ-000001" in proposal.customers[0].reasons


def test_a_letter_is_dated_by_its_own_date_not_by_a_deadline_in_its_text(demo, tmp_path):
    deadline = "请贵司于2024年12月20日前完成 HT-2024-015 合同项下设备的交货, 逾期按合同第九条处理。"
    signed = tmp_path / "来函.txt"
    signed.write_text(f"关于交货期的函\n北京华信机械设备制造有限公司:\n  {deadline}\n\n上海申通贸易\n2024年11月28日")
    assert propose(demo, signed).date == date(2024, 11, 28), "the date under the signature"
    headed = tmp_path / "通知.txt"
    headed.write_text(f"2024 年 11 月 27 日\n通知\n{deadline}\n上海申通贸易有限公司\n")
    assert propose(demo, headed).date == date(2024, 11, 27), "the header's date"
    labelled = tmp_path / "函.txt"
    labelled.write_text(f"{deadline}\n落款: 2024-11-26\n附: 交货清单 2024-11-25\n")
    assert propose(demo, labelled).date == date(2024, 11, 26), "the date after 落款"


def test_type_and_date_come_from_the_file_name_first(demo, tmp_path):
    proposal = propose(
        demo, rescanned(SAMPLES / "BJ/000/BJ-000001/docs" / MINUTES, tmp_path, "投诉会纪要 2025年4月20日.docx")
    )
    assert proposal.doc_type == "complaint"  # 投诉 (short for 投诉处理单) in the name beats 会议纪要 in the text
    assert proposal.date == date(2025, 4, 20)


def test_a_supplement_is_proposed_as_attachment_of_its_contract(demo, tmp_path):
    proposal = propose(demo, rescanned(SUPPLEMENT, tmp_path, "补充协议.docx"))
    assert (proposal.customer_id, proposal.doc_type, proposal.number) == ("BJ-000001", "supplement", "HT-2024-015")
    assert proposal.main == "HT-2024-015-数控机床采购-20240105.pdf"


def test_a_spreadsheet_names_its_customer_by_id(demo, tmp_path):
    proposal = propose(demo, rescanned(STATEMENT, tmp_path, "export.xlsx"))
    assert proposal.customer_id == "BJ-000003"
    assert proposal.doc_type == "statement"


def test_the_same_bytes_anywhere_in_the_archive_are_a_duplicate(demo, tmp_path):
    copy = tmp_path / "copy.pdf"
    shutil.copy(CONTRACT, copy)
    assert propose(demo, copy).duplicate_of == ("BJ-000001", CONTRACT.name)
    before = repo_state(demo.store.path)
    with pytest.raises(FieldError) as refused:  # refused even for another customer
        file_document(demo, "BJ-000002", copy, {"doc_type": "合同", "date": "2024-01-05"})
    assert refused.value.field == "file" and "BJ-000001" in str(refused.value)
    assert repo_state(demo.store.path) == before


def test_filing_from_the_inbox_commits_once_and_moves_the_file(demo, tmp_path):
    inbox = tmp_path / "inbox"
    scan = rescanned(COMPLAINT, inbox, "IMG_0001.pdf")
    (inbox / ".DS_Store").write_bytes(b"x")
    assert inbox_files(inbox) == [scan]
    head = demo.head()
    filing = file_document(demo, "BJ-000001", scan, {"doc_type": "投诉处理单", "date": "2025-04-10"}, inbox=inbox)
    assert filing.name == "北京华信机械设备制造有限公司-投诉处理单-20250410-2.pdf"
    assert demo.store.log(f"{head}..{filing.commit}") == [filing.commit]
    assert git(demo.store.path, "log", "-1", "--format=%an").strip() == "张伟"
    assert not scan.exists() and filing.moved_to == inbox / FILED_FOLDER / "IMG_0001.pdf"
    assert demo.document_bytes("BJ-000001", filing.name) == filing.moved_to.read_bytes()
    assert inbox_files(inbox) == []


def test_a_file_from_elsewhere_stays_where_it_is(demo, tmp_path):
    scan = rescanned(COMPLAINT, tmp_path / "desk", "投诉.pdf")
    filing = file_document(demo, "BJ-000001", scan, {"doc_type": "投诉处理单"}, inbox=tmp_path / "inbox")
    assert scan.exists() and filing.moved_to is None


def test_update_document_files_it_in_another_category_without_copying(demo):
    name = "HT-2024-015-数控机床采购-20240105.pdf"
    files_before = {d.name for d in demo.documents("BJ-000001")}
    commit = demo.update_document("BJ-000001", name, {"also_in": "投诉处理单", "paper_box": "BJ-HT-2024-09"})
    assert commit and {d.name for d in demo.documents("BJ-000001")} == files_before
    assert "修改资料 BJ-000001" in demo.history("BJ-000001", limit=1)[0].summary
    meta = next(d.meta for d in demo.documents("BJ-000001") if d.name == name)
    assert meta["also_in"] == ["complaint"] and meta["paper_box"] == "BJ-HT-2024-09"
    profile = Profile.load(demo, "BJ-000001")
    service = dict(profile.categories(demo.schema()))["服务记录"]
    assert any(f.document.name == name and f.cross_reference for f in service)
    assert demo.update_document("BJ-000001", name, {"paper_box": "BJ-HT-2024-09"}) is None


def test_update_document_refuses_bad_values_and_names_the_field(demo):
    name = "HT-2024-015-数控机床采购-20240105.pdf"
    before = repo_state(demo.store.path)
    for changes, field in (
        ({"also_in": "不存在的类别"}, "also_in"),
        ({"main": "nope.pdf"}, "main"),
        ({"main": name}, "main"),
        ({"sha256": "0" * 64}, "sha256"),
        ({"paper_box": "x" * 41}, "paper_box"),
    ):
        with pytest.raises(FieldError) as refused:
            demo.update_document("BJ-000001", name, changes)
        assert refused.value.field == field
    assert repo_state(demo.store.path) == before


def test_update_document_conflicts_with_a_change_made_since_the_caller_read(demo):
    name = "HT-2024-015-数控机床采购-20240105.pdf"
    base = demo.head()
    demo.update_document("BJ-000001", name, {"paper_shelf": "C柜-1层"})
    with pytest.raises(ConflictError):
        demo.update_document("BJ-000001", name, {"paper_shelf": "D柜-2层"}, base=base)
    assert demo.update_document("BJ-000001", name, {"paper_box": "BOX-7"}, base=base)  # another field: fine


def test_save_copy_never_overwrites(tmp_path):
    data = MINUTES.encode()
    first = save_copy(data, MINUTES, tmp_path / "导出")
    second = save_copy(b"other", MINUTES, tmp_path / "导出")
    assert first.name == MINUTES and second.name == MINUTES.replace(".docx", "-2.docx")
    assert first.read_bytes() == data and second.read_bytes() == b"other"


def test_over_ssh_documents_come_from_the_inbox_only(tmp_path):
    from custtui.core.tasks.intake import check_source

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "scan.pdf").write_bytes(b"%PDF")
    check_source(inbox / "scan.pdf", inbox, confined=True)
    check_source(tmp_path / "home" / ".config" / "x.toml", inbox, confined=False)
    for outside in (tmp_path / "home" / "secrets.txt", inbox / ".." / "access.log"):
        with pytest.raises(FieldError, match="通过 SSH 使用时只能从收件箱"):
            check_source(outside, inbox, confined=True)
    with pytest.raises(FieldError, match=r"收件箱 \(未设置\)"):
        check_source(inbox / "scan.pdf", None, confined=True)
