"""Inventory of a shared drive (``custtui inventory``): on a drive made by ``generator.legacy``,
read-only, then a plan a person edits, applied once and only once."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from generator.legacy import write_drive
from openpyxl import load_workbook

from custtui.core.tasks import inventory
from tests.conftest import git, repo_state, run_cli

CONTRACT = ("HT-2024-015", "BJ-000001")  # the demo's contract with 北京华信


def snapshot(root: Path) -> dict[bytes, tuple[str, int]]:
    """Every file under ``root``: its checksum and modification time."""
    return {
        bytes(p): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if p.is_file()
    }


@pytest.fixture
def drive(demo, tmp_path):
    summaries = demo.customers()
    chosen = [(cid, summaries[cid]["name"], summaries[cid]["uscc"]) for cid in ("BJ-000002", "BJ-000003", "BJ-000007")]
    root = tmp_path / "共享盘"
    return root, write_drive(root, chosen, CONTRACT)


def plan_rows(path: Path) -> dict[str, dict]:
    return {row.values["path"]: row.values for row in inventory.read_plan(path)[1]}


def test_the_inventory_reads_only_and_says_what_each_file_is(demo, drive, tmp_path):
    root, made = drive
    before, archive_before = snapshot(root), repo_state(demo.store.path)
    plan = tmp_path / "盘点清单.xlsx"
    result = run_cli("--archive", demo.store.path, "inventory", root, "--out", plan)
    assert result.code == 0, result.err
    assert f"{len(made)} 个文件" in result.out and "未移动任何文件" in result.out
    assert snapshot(root) == before  # not a byte, not a date changed
    assert repo_state(demo.store.path) == archive_before
    rows = plan_rows(plan)
    assert sorted(rows) == sorted(f.path for f in made)  # the hidden folder is left out, the GBK name readable
    for expected in made:
        row = rows[expected.path]
        assert (row["customer_id"] or "") == expected.customer_id, (expected.path, row)
        if expected.duplicate_of:
            assert row["action"] == "跳过" and f"与「{expected.duplicate_of}」内容完全相同" in row["note"]
        elif expected.rescan_of:
            assert row["action"] == "跳过" and f"与「{expected.rescan_of}」文字相同, 可能是重复扫描" in row["note"]
        elif expected.customer_id:
            assert row["action"] == "归档", (expected.path, row)
        else:
            assert row["action"] == "跳过" and "没有认出客户" in row["note"]
    licence = rows[made[0].path]
    assert (licence["reason"], licence["confidence"], licence["doc_type"]) == (
        "文字中有统一社会信用代码",
        "高",
        "营业执照",
    )
    by_number = rows[f"销售订单附件/{CONTRACT[0]}.txt"]
    assert by_number["reason"] == "合同编号属于该客户" and by_number["number"] == CONTRACT[0]
    assert by_number["doc_type"] == "订单"  # the folder's name counts
    assert rows["客服/回访记录.docx"]["reason"] == "文字中有客户名称"
    sheet = load_workbook(plan)["说明"]
    assert sheet["B1"].value == str(root.resolve())


def test_an_edited_plan_is_applied_once(demo, drive, tmp_path):
    root, made = drive
    plan = tmp_path / "盘点清单.xlsx"
    inventory.write_plan(inventory.scan(demo, root), plan, root)
    book = load_workbook(plan)
    sheet = book["盘点清单"]
    titles = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        cells = {titles[i]: cell for i, cell in enumerate(row)}
        if cells["文件"].value == "行政/会议室预订表.txt":  # a person decides it belongs to a customer after all
            cells["动作"].value, cells["客户编号"].value, cells["资料类型"].value = "归档", "BJ-000003", "其他资料"
    book.save(plan)
    (root / "客服" / "回访记录.docx").write_bytes(b"changed since the inventory")
    head = repo_state(demo.store.path)[0]

    first = run_cli("--archive", demo.store.path, "inventory", "apply", plan)
    assert first.code == 0, first.err
    assert "客服/回访记录.docx: 文件在盘点之后改过 (校验和不同), 未归档" in first.out
    filed = [f for f in made if f.customer_id and not (f.duplicate_of or f.rescan_of) and "回访" not in f.path]
    assert f"已归档 {len(filed) + 1} 个文件" in first.out
    commits = git(demo.store.path, "rev-list", f"{head}..HEAD").split()
    assert len(commits) == 1  # one batch
    for expected in [*filed]:
        kept = [d for d in demo.documents(expected.customer_id) if d.meta.get("original_path") == expected.path]
        assert len(kept) == 1, expected.path
    meeting = [d for d in demo.documents("BJ-000003") if d.meta.get("original_path") == "行政/会议室预订表.txt"]
    assert meeting and meeting[0].meta["info_type"] == "other"
    assert git(demo.store.path, "status", "--porcelain") == ""

    again = run_cli("--archive", demo.store.path, "inventory", "apply", plan)
    assert again.code == 0 and "已归档 0 个文件" in again.out and again.out.count("已在档案中") == len(filed) + 1
    assert git(demo.store.path, "rev-list", "--count", f"{head}..HEAD").strip() == "1"


def test_a_plan_that_is_not_one_is_refused_in_chinese(demo, tmp_path):
    other = tmp_path / "别的表.xlsx"
    from openpyxl import Workbook

    Workbook().save(other)
    result = run_cli("--archive", demo.store.path, "inventory", "apply", other)
    assert result.code == 1 and "不是 custtui inventory 生成的盘点清单" in result.err
    assert "Traceback" not in result.err
    exists = tmp_path / "已有.xlsx"
    exists.write_bytes(b"x")
    refused = run_cli("--archive", demo.store.path, "inventory", tmp_path, "--out", exists)
    assert refused.code == 1 and "已存在, 未覆盖" in refused.err and exists.read_bytes() == b"x"


def test_links_and_hostile_names_are_listed_not_followed_or_run(demo, tmp_path):
    root = tmp_path / "盘"
    (root / "外面").mkdir(parents=True)
    outside = tmp_path / "别处.txt"
    outside.write_text("不在盘里的文件", encoding="utf-8")
    (root / "外面" / "链接.txt").symlink_to(outside)
    (root / "环").symlink_to(root, target_is_directory=True)  # a loop a careless walk never leaves
    (root / "=HYPERLINK(1).txt").write_text("营业执照", encoding="utf-8")
    plan = tmp_path / "清单.xlsx"
    inventory.write_plan(inventory.scan(demo, root), plan, root)
    rows = plan_rows(plan)
    assert sorted(rows) == ["=HYPERLINK(1).txt", "外面/链接.txt"]
    assert rows["外面/链接.txt"]["action"] == "跳过" and "符号链接" in rows["外面/链接.txt"]["note"]
    cell = next(c for c in load_workbook(plan)["盘点清单"]["B"] if c.value == "=HYPERLINK(1).txt")
    assert cell.data_type == "s"  # text, not a formula


def test_batches_hold_fifty_files_and_a_bounded_number_of_bytes():
    """One commit holds its files in memory: big scans go in smaller batches, a huge one alone."""
    mb = 2**20
    sizes = [1 * mb] * 120 + [200 * mb, 200 * mb, 300 * mb, 1 * mb]
    rows = [inventory.PlanRow(n, {"size": size}) for n, size in enumerate(sizes, 2)]
    batches = [[row.values["size"] // mb for row in batch] for batch in inventory._batches(rows)]
    assert [len(b) for b in batches[:3]] == [50, 50, 21] and batches[2][-1] == 200  # 20 MB + 200 MB fit
    assert batches[3:] == [[200], [300], [1]]  # 200 + 200 and 300 + 1 MB would pass 256 MB
    assert sum(len(b) for b in batches) == len(rows)


def test_files_of_a_customer_lost_are_flagged_never_dropped(demo, tmp_path):
    demo.update_customer("BJ-000005", {"status": "流失"})
    name = demo.customer("BJ-000005")["name"]
    root = tmp_path / "盘"
    (root / name).mkdir(parents=True)
    (root / name / "报价单.txt").write_text(f"报价单\n致: {name}\n", encoding="utf-8")
    (entry,) = inventory.scan(demo, root)
    assert entry.customer_id == "BJ-000005" and entry.action == "归档"  # flagged, still proposed for filing
    assert "客户久无往来: 已流失或转为历史客户" in entry.note
    assert inventory.counts([entry]).quiet == 1
