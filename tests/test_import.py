"""Moving a customer list in: ``custtui import customers`` on messy spreadsheets made by
``generator.legacy``, checked against what each row means."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import time
from datetime import date
from decimal import Decimal

import pytest
from generator.common import make_id_number
from generator.legacy import COLUMNS, customers, spelled, write_csv, write_xlsx
from openpyxl import Workbook, load_workbook

from custtui.core.tasks import importing
from tests.conftest import CUSTTUI, git, repo_state, run_cli

GOOD = 24


@pytest.fixture
def listed():
    """The meaning of 24 rows, and the rows as typed (every spelling of phones, dates, amounts)."""
    meant = customers(GOOD)
    rng = random.Random(3)
    return meant, [spelled(c, rng, as_text=False) for c in meant]


def by_name(archive) -> dict[str, dict]:
    return {s["name"]: archive.customer(s.id) for s in archive.customers().values()}


def assert_imported(archive, meant) -> None:
    """Every row's customer is in the archive once, each cell stored as the form would store it."""
    stored = by_name(archive)
    schema = archive.schema()
    for c in meant:
        record = stored[c.name]
        assert record["uscc"] == c.uscc
        assert schema.label("industry", record["industry"]) == c.industry
        assert schema.label("size", record["size"]) == c.size
        assert record["first_contact"] == c.first_contact
        assert Decimal(record.get("annual_purchase", "0")) == c.amount
        assert record["contacts"] == [{"name": c.contact, "position": c.position, "phones": [c.mobile]}]
        assert c.city in schema.region_label(record["region"])
        assert record["owner"] == "张伟"  # the person importing, as in the form


def test_a_messy_list_is_reported_then_imported_once(demo, listed, tmp_path):
    meant, rows = listed
    huaxin = demo.customer("BJ-000001")
    rows.append(
        ["", "北京华信机械设备制造（集团）有限公司", "", "制造业", "中型", "", "", "", "", "", "", ""]
    )  # the same company
    rows.append(
        ["", "北京中科瑞达信息技术", demo.customer("BJ-000002")["uscc"], "IT业", "", "", "", "", "", "", "", ""]
    )
    rows.append(list(rows[3]))  # a row typed twice
    rows.append(
        [
            "",
            "广州坏数据有限公司",
            meant[0].uscc[:17] + "0",
            "制造业",
            "小型",
            "赵六",
            "",
            "12345",
            "2024-13-01",
            "abc",
            "广州",
            "",
        ]
    )
    sheet = tmp_path / "客户基础信息表.xlsx"
    write_xlsx(sheet, rows)
    before = repo_state(demo.store.path)

    dry = run_cli("--archive", demo.store.path, "import", "customers", sheet, "--dry-run")
    assert dry.code == 1, dry.err  # as the import would be refused
    assert f"新客户 {GOOD} 行" in dry.out
    assert "第 28 行 北京华信机械设备制造（集团）有限公司 = BJ-000001 北京华信机械设备制造有限公司" in dry.out
    assert "第 29 行 北京中科瑞达信息技术 = BJ-000002" in dry.out and "统一社会信用代码相同" in dry.out
    assert "第 30 行" in dry.out and "同第 7 行" in dry.out
    assert "A 列「序号」 不导入 (编号由档案分配)" in dry.out
    bad = [line for line in dry.out.splitlines() if "第 31 行" in line]
    assert [line.split(": ")[1] for line in bad] == [
        "C 列「统一社会信用代码」",
        "H 列「手机」",
        "I 列「首次联系时间」",
        "J 列「年采购额」",
    ]
    assert repo_state(demo.store.path) == before

    refused = run_cli("--archive", demo.store.path, "import", "customers", sheet)
    assert refused.code == 1 and "未导入任何客户" in refused.out
    assert repo_state(demo.store.path) == before

    done = run_cli("--archive", demo.store.path, "import", "customers", sheet, "--skip-errors")
    assert done.code == 0, done.err
    assert f"已导入 {GOOD} 位客户" in done.out
    assert_imported(demo, meant)
    assert len(by_name(demo)) == len(before and demo.customers())  # no customer twice
    assert demo.customer("BJ-000001") == huaxin  # an existing customer is left as it was
    log = git(demo.store.path, "log", "-1", "--format=%an%n%B")
    assert log.startswith("张伟\n导入: 24 位客户") and "Custtui-Source: 客户基础信息表.xlsx 第 4-27 行" in log
    assert git(demo.store.path, "status", "--porcelain") == ""

    head = repo_state(demo.store.path)
    again = run_cli("--archive", demo.store.path, "import", "customers", sheet, "--skip-errors")
    assert again.code == 0 and "新客户 0 行" in again.out and f"已在档案中 {GOOD + 3} 行" in again.out
    assert repo_state(demo.store.path) == head


def test_a_gbk_csv_with_text_values_imports_the_same(archive, tmp_path):
    meant = customers(8, seed=5)
    rng = random.Random(8)
    path = tmp_path / "客户.csv"
    write_csv(path, [spelled(c, rng, as_text=True) for c in meant])
    dry = run_cli("--archive", archive.store.path, "--json", "import", "customers", path, "--dry-run")
    report = json.loads(dry.out)
    assert [row["outcome"] for row in report["rows"]] == ["new"] * 8 and report["imported"] is False
    planned = importing.plan(archive, path)
    assert [row.errors for row in planned.rows] == [()] * 8
    created = [made for _, batch in importing.apply(archive, planned, batch_size=3) for made in batch]
    assert [number for number, _ in created] == list(range(2, 10))
    assert_imported(archive, meant)
    assert len(archive.store.log(archive.store.branch_ref)) == 1 + 3  # the archive's creation, then 3 batches


def test_an_id_number_excel_turned_into_a_number_is_refused_with_the_reason(archive, tmp_path):
    book = Workbook()
    book.active.append(["姓名", "身份证号码", "手机", "客户类型"])
    book.active.append(["周杰", 110101199003071234, "138 0013 8000", "个人客户"])
    book.active.append(["吴敏", make_id_number("110101", date(1990, 3, 7), 123), "13800138001", "个人"])
    path = tmp_path / "个人客户.xlsx"
    book.save(path)
    planned = importing.plan(archive, path)
    first, second = planned.rows
    assert first.errors and "B 列「身份证号码」: 被 Excel 存成了数字" in first.errors[0]
    assert second.creates and second.record["type"] == "individual" and second.record["phones"] == ["13800138001"]


def test_a_saved_mapping_is_edited_and_used_again(archive, tmp_path):
    book = Workbook()
    book.active.append(["公司", "对接人", "对接人手机", "内部备注"])
    book.active.append(["杭州博远商贸有限公司", "林芳", "13905710001", "不要导入这一列"])
    path = tmp_path / "名单.xlsx"
    book.save(path)
    mapping = tmp_path / "映射.toml"
    found = run_cli(
        "--archive", archive.store.path, "import", "customers", path, "--dry-run", "--save-mapping", mapping
    )
    assert "「统一社会信用代码」(表格中没有这一列): 企业客户必须填写此字段" in found.out  # the archive's rule stays
    text = mapping.read_text(encoding="utf-8")
    assert '"对接人" = "contact.name"' in text and '"内部备注" = "remark"' in text  # 备注 in the title
    mapping.write_text(
        text.replace('"内部备注" = "remark"', '"内部备注" = ""').replace('"公司" = ""', '"公司" = "name"')
    )
    saved = importing.load_mapping(mapping, archive.schema())
    planned = importing.plan(archive, path, mapping=saved, customer_type="个人客户")
    assert planned.mapping["内部备注"] == "" and planned.mapping["公司"] == "name"
    broken = tmp_path / "坏.toml"
    broken.write_text('[columns]\n"公司" = "nonsense"\n', encoding="utf-8")
    with pytest.raises(importing.CusttuiError, match="列「公司」的目标 'nonsense' 不是档案的字段"):
        importing.load_mapping(broken, archive.schema())


def test_the_template_comes_from_the_archive_and_imports_back(archive, tmp_path):
    path = tmp_path / "模板.xlsx"
    made = run_cli("--archive", archive.store.path, "import", "template", "--out", path)
    assert made.code == 0, made.err
    sheet = load_workbook(path)["企业客户"]
    titles = [cell.value for cell in sheet[1]]
    assert titles[:3] == ["名称*", "简称/别名", "统一社会信用代码*"] and titles[-3:] == [
        "联系人",
        "联系人职务",
        "联系电话",
    ]
    assert sheet.cell(2, 3).number_format == "@"  # a USCC stays text
    industries = next(v for v in sheet.data_validations.dataValidation if "制造业" in v.formula1)
    assert "manufacturing" not in industries.formula1
    for col, (title, value) in enumerate({"名称*": "成都天成建设工程有限公司", "行业*": "建筑业"}.items()):
        assert title in titles, col
        sheet.cell(2, titles.index(title) + 1, value)
    sheet.cell(2, titles.index("统一社会信用代码*") + 1, customers(1)[0].uscc)
    sheet.cell(2, titles.index("首次接触日期") + 1, date(2025, 6, 1))
    sheet.parent.save(path)
    planned = importing.plan(archive, path)
    (row,) = planned.rows
    assert row.creates, row.errors
    assert row.record["industry"] == "construction" and row.record["first_contact"] == date(2025, 6, 1)
    assert run_cli("--archive", archive.store.path, "import", "template", "--out", path).code == 1  # never overwritten


def test_an_import_interrupted_by_ctrl_c_resumes_without_doubles(archive, tmp_path):
    meant = customers(60, seed=9)
    rng = random.Random(9)
    sheet = tmp_path / "大名单.xlsx"
    write_xlsx(sheet, [spelled(c, rng, as_text=False) for c in meant])
    argv = [*CUSTTUI, "--archive", str(archive.store.path), "import", "customers", str(sheet), "--batch-size", "2"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while len(archive.store.log(archive.store.branch_ref)) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "已中断: 已导入" in out
    assert git(archive.store.path, "status", "--porcelain") == ""
    assert not (archive.store.git_dir / "index.lock").exists()
    part = len(archive.customers())
    assert 2 <= part < 60 and part % 2 == 0  # whole batches only
    done = run_cli("--archive", archive.store.path, "import", "customers", sheet)
    assert done.code == 0 and f"已在档案中 {part} 行" in done.out
    assert_imported(archive, meant)
    assert len(archive.customers()) == 60


@pytest.mark.parametrize(
    ("title", "target"),
    [
        ("企业名称", "name"),
        ("客户名称（必填）", "name"),
        ("*统一社会信用代码", "uscc"),
        ("联系电话", "phone"),
        ("手机号码", "phone"),
        ("联系人", "contact.name"),
        ("客户所属行业", "industry"),
        ("ＥＭＡＩＬ", "email"),
        ("首次联系时间", "first_contact"),
        ("客户编号", ""),
        ("内部流水", ""),
    ],
)
def test_titles_people_write_find_their_field(archive, title, target):
    column = importing.Column(0, title)
    assert importing.propose_mapping([column], archive.schema()) == {title: target}


def test_columns_of_the_generated_list_all_map(archive):
    mapped = importing.propose_mapping([importing.Column(i, t) for i, t in enumerate(COLUMNS)], archive.schema())
    assert [t for t, target in mapped.items() if not target] == ["序号"]


def test_two_columns_for_one_field_are_said(archive, tmp_path):
    book = Workbook()
    book.active.append(["企业名称", "客户名称", "手机", "联系电话", "联系人"])
    book.active.append(["甲有限公司", "乙有限公司", "13800138000", "13900139000", "张三"])
    path = tmp_path / "两列.xlsx"
    book.save(path)
    planned = importing.plan(archive, path)
    assert "有 2 列都是「名称」: 只用第一列 A 列「企业名称」, 其余不导入" in planned.notes
    assert "有 2 列都是「电话」: 各列的值合在一起" in planned.notes
    (row,) = planned.rows
    assert row.name == "甲有限公司"
