"""Damage is contained: records written past custtui (a hand commit with its hooks turned off, or
history from before the gate) that do not parse or validate never break listing, search, sync or
the TUI for the other records; each is shown as damaged with the reason, and ``custtui check``
names the commit and author that wrote it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import bypass_commit, git, run_cli

from custtui.core.archive.archive import Archive
from custtui.core.base.errors import RecordError
from custtui.core.tasks import view
from custtui.tui.widgets.customer_table import CustomerTable

from .conftest import settle

DAMAGE = {
    "BJ-000001": ("customer.toml", lambda text: text.replace('name = "', "name = '又一个名字'\nname = \"", 1)),
    "BJ-000002": ("customer.toml", lambda text: text.replace('stage = "', 'stage = 3\nold_stage = "')),
    "BJ-000003": ("customer.toml", lambda text: text.replace('name = "', 'superior = "x"\nname = "', 1)),
}


@pytest.fixture
def damaged(demo) -> Archive:
    path = demo.store.path
    for cid, (name, edit) in DAMAGE.items():
        record = path / "customers" / "BJ" / "000" / cid / name
        record.write_text(edit(record.read_text("utf-8")), "utf-8")
    git(path, "add", "-A")
    bypass_commit(path, "-qm", "服务器上手工修改", "--author", "某管理员 <ops@example.cn>")
    return demo


def test_the_command_line_lists_searches_and_names_the_damage(damaged, indexed_demo_template):
    path = damaged.store.path
    # the demo's documents as already read (their OCR is test_search's business, ~15 s): the
    # search below still builds the whole index, over the damaged records, without reading a scan
    texts = Path(".git", "custtui", "text")
    shutil.copytree(indexed_demo_template / texts, path / texts, dirs_exist_ok=True)
    listed = run_cli("--archive", path, "list")
    assert listed.code == 0 and "共 46 个客户" in listed.out
    lines = {line.split("  ")[0]: line for line in listed.out.splitlines()}
    assert lines["BJ-000001"].startswith("BJ-000001  ⚠ 记录已损坏: TOML 格式错误")
    assert "⚠ 记录已损坏: 字段 stage 的值 '3' 类型不对" in lines["BJ-000002"]
    assert "天津滨海恒通物流有限公司" in lines["BJ-000003"], (
        "a listed field that is fine lists; the rest shows on opening"
    )
    found = run_cli("--archive", path, "search", "华信")
    assert found.code == 0 and "Traceback" not in found.err
    by_id = run_cli("--archive", path, "search", "BJ-000002")
    assert by_id.code == 0 and by_id.out.startswith("BJ-000002"), "a damaged customer is still found by its ID"
    for cid, says in (
        ("BJ-000001", "TOML 格式错误"),
        ("BJ-000002", "字段「合作阶段」"),
        ("BJ-000003", "字段「主管部门」"),
    ):
        shown = run_cli("--archive", path, "show", cid)
        assert shown.code == 1 and says in shown.err and shown.err.count("\n") == 1, shown.err
    ok = run_cli("--archive", path, "show", "BJ-000004")
    assert ok.code == 0 and "BJ-000004" in ok.out
    check = run_cli("--archive", path, "check")
    assert check.code == 1
    for cid in DAMAGE:
        line = next(line for line in check.out.splitlines() if cid in line)
        assert "由提交" in line and "某管理员 <ops@example.cn>" in line, line
    assert "共发现 3 个问题" in check.out


def test_a_damaged_record_does_not_stop_edits_of_the_others(damaged):
    damaged.update_customer("BJ-000004", {"address": "北京市朝阳区 1 号"})
    assert view.customer(damaged, "BJ-000004")["address"] == "北京市朝阳区 1 号"
    with pytest.raises(RecordError, match="BJ-000002 的记录已损坏"):
        view.customer(damaged, "BJ-000002")


async def test_the_tui_shows_damaged_customers_and_keeps_working(damaged, open_app):
    async with open_app() as (app, pilot, main):
        table = main.query_one(CustomerTable)
        assert table.rows, "the list is there"
        names = {
            row: main.format_cell(summary, "name")
            for row, summary in ((s.get("id"), s) for s in damaged.customers().values())
        }
        assert names["BJ-000001"].startswith("⚠ 记录已损坏") and names["BJ-000002"].startswith("⚠ 记录已损坏")
        main.open_customer("BJ-000002")
        await settle(app, pilot)
        assert any("BJ-000002 的记录已损坏" in n.message for n in app._notifications), "the reason, as a notice"
        main.open_customer("BJ-000004")
        await settle(app, pilot)
        assert main.current_customer == "BJ-000004", "the next customer opens as usual"


def test_a_check_that_passed_still_finds_damage_written_since(demo):
    """check remembers the customer folders that passed (by tree); a folder changed since is read again."""
    path = demo.store.path
    assert run_cli("--archive", path, "check").code == 0
    record = path / "customers" / "BJ" / "000" / "BJ-000002" / "customer.toml"
    record.write_text(record.read_text("utf-8").replace('stage = "', 'stage = "hacked"\nold_stage = "'), "utf-8")
    bypass_commit(path, "-qam", "手工修改")
    for _ in range(2):
        check = run_cli("--archive", path, "check")
        assert check.code == 1 and "BJ-000002/customer.toml: 字段「合作阶段」" in check.out, check.out
