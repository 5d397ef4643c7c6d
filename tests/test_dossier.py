"""A customer's dossier (issue 14 item 5): the PDF read back with pypdf, the zip opened, both
holding what the person may see, and the export in the access log."""

from __future__ import annotations

import zipfile

import pytest
from conftest import run_cli
from pypdf import PdfReader
from test_tables import as_person, staffed  # noqa: F401 (the module's staffed demo archive)

from custtui.core.access import access_log
from custtui.core.access.policy import PermissionDenied, mask_phone
from custtui.core.tasks import dossier, view


def flat(text: str) -> str:
    """Text without white space: the PDF wraps long lines anywhere."""
    return "".join(text.split())


def test_dossier_pdf_and_zip_hold_what_a_sales_person_may_see(staffed, tmp_path):  # noqa: F811
    archive = as_person(staffed, "李娜")
    made = dossier.write(archive, "BJ-000001", tmp_path)
    record = staffed.customer("BJ-000001")
    assert made.pdf.name.startswith(f"{record['name']}-客户档案-") and made.pdf.suffix == ".pdf"
    text = flat("\n".join(page.extract_text() for page in PdfReader(made.pdf).pages))
    assert flat(record["name"]) in text and record["uscc"] in text
    for title in ("客户基础信息", "联系人", "阶段历史", "沟通记录", "交易记录", "资料目录"):
        assert title in text
    note = staffed.notes("BJ-000001")[0]
    assert flat(note["content"]) in text, "a communication record, whole"
    assert flat(record["stage_history"][-1]["reason"]) in text
    phone = record["contacts"][0]["phones"][0]
    assert mask_phone(phone) in text and phone not in text, "phones masked for 销售 (this archive's policy)"
    visible = {d.name for d in view.folder(archive, "BJ-000001").documents}
    statement = next(d.name for d in staffed.documents("BJ-000001") if d.meta["doc_type"] == "statement")
    assert visible and statement not in visible
    assert all(flat(name) in text for name in visible), "the index of documents"
    assert flat(statement) not in text
    with zipfile.ZipFile(made.zip) as bundle:
        assert set(bundle.namelist()) == visible and made.documents == len(visible)
        for name in visible:
            assert bundle.read(name) == staffed.document_bytes("BJ-000001", name)
    logged = [(e["action"], e["target"], e["detail"]) for e in access_log.entries(staffed, person="李娜")]
    assert ("export", "BJ-000001", f"客户档案 PDF 与 {len(visible)} 份资料 → {made.pdf}, {made.zip}") in logged


def test_dossier_needs_the_export_right_and_never_overwrites(staffed, tmp_path):  # noqa: F811
    archive = as_person(staffed, "刘洋")
    with pytest.raises(PermissionDenied, match="缺少权限「导出资料」"):
        dossier.write(archive, "BJ-000020", tmp_path / "市场")
    assert not (tmp_path / "市场").exists()
    path = staffed.store.path
    first = run_cli("dossier", "BJ-000020", "--out", tmp_path, "--unmask", "--archive", path, "--user", "王芳")
    assert first.code == 0 and "已生成客户档案" in first.out, first.err
    second = run_cli("dossier", "BJ-000020", "--out", tmp_path, "--archive", path, "--user", "王芳")
    assert second.code == 0, second.err
    made = sorted(p.name for p in tmp_path.iterdir())
    assert len(made) == 4 and any(name.endswith("-2.pdf") for name in made), "a second dossier beside the first"
    stored = staffed.customer("BJ-000020")["id_number"]
    first_pdf, second_pdf = sorted(tmp_path.glob("*.pdf"), key=lambda p: len(p.name))  # name, name-2
    unmasked, masked = (flat(PdfReader(pdf).pages[0].extract_text()) for pdf in (first_pdf, second_pdf))
    assert stored in unmasked and stored not in masked, "only --unmask (财务 has the right) shows the ID number"
    entries = access_log.entries(staffed, person="王芳")
    actions = [(e["action"], e["target"]) for e in entries]
    assert ("unmask", "BJ-000020") in actions and actions.count(("export", "BJ-000020")) == 2
    id_copy = next(d.name for d in staffed.documents("BJ-000020") if d.meta["doc_type"] == "id_copy")
    assert all(f"含机密/绝密资料: {id_copy}" in e["detail"] for e in entries if e["action"] == "export"), (
        "the 机密 ID copy in the zip is named in the log"
    )
