"""The sync screen on real repositories: a bare hub and two office copies (as in tests/test_sync.py),
a sync run from the screen, the conflict it records listed with both values and resolved as a
commit, the conflict badge in the customer list and pane, suspected duplicates merged."""

from __future__ import annotations

from contextlib import asynccontextmanager

import pytest
from conftest import git
from test_sync import make_offices
from textual.widgets import Static

from custtui.core.records.records import customer_dir
from custtui.core.sync.sync import sync
from custtui.tui.app import CusttuiApp
from custtui.tui.screens.confirm import ConfirmScreen
from custtui.tui.screens.main import MainScreen
from custtui.tui.screens.sync import MergeCustomerScreen, SyncScreen
from custtui.tui.widgets.customer_table import CustomerTable
from custtui.tui.widgets.fit_table import FitTable

from .conftest import SIZE, from_palette, settle, shown, wait_for_main

BJ_ADDRESS, SH_ADDRESS = "北京市朝阳区 3 号", "上海市浦东新区 2 号"


@pytest.fixture
def offices(tmp_path):
    """The hub, 北京 (张伟, created the archive) and 上海 (李娜, cloned from the hub)."""
    made, huaxin = make_offices(tmp_path / "offices")
    made.clone("SH", "李娜")
    made.huaxin = huaxin
    yield made
    made.close()


@pytest.fixture
def conflicting(offices):
    """Both offices changed 华信's address; 上海 synced first, 北京 has not synced yet."""
    bj, sh, cid = offices.copies["BJ"], offices.copies["SH"], offices.huaxin
    sh.update_customer(cid, {"address": SH_ADDRESS})
    sync(sh)
    bj.update_customer(cid, {"address": BJ_ADDRESS})
    return offices


@pytest.fixture
def open_office(config):
    """``async with open_office(archive) as (app, pilot, main):`` the app on one office's copy."""

    @asynccontextmanager
    async def opened(archive, user: str = "张伟"):
        app = CusttuiApp(archive.store.path, user, config)
        async with app.run_test(size=SIZE) as pilot:
            yield app, pilot, await wait_for_main(app, pilot)

    return opened


def text(screen, selector: str) -> str:
    return shown(screen.query_one(selector, Static))


def rows(screen, selector: str) -> list[list[str]]:
    """Every cell of every row, whole (also the cells of columns a narrow terminal leaves out)."""
    table = screen.query_one(selector, FitTable)
    return [table.row_cells(row) for row in range(table.row_count)]


def table_line(main: MainScreen, customer_id: str) -> str:
    """The customer's row in the customer list as drawn."""
    table = main.query_one(CustomerTable)
    assert table.select_id(customer_id)
    index = table.cursor - int(table.scroll_offset.y) + 1
    return table.render_line(index).text


async def open_sync(app, pilot) -> SyncScreen:
    await pilot.press("S")
    await settle(app, pilot)
    assert isinstance(app.screen, SyncScreen)
    return app.screen


async def run_sync(app, pilot, screen: SyncScreen) -> None:
    await pilot.press("s")
    for _ in range(200):
        await pilot.pause(0.05)
        if not screen.running:
            break
    await settle(app, pilot)


async def test_sync_lists_the_conflict_and_taking_the_other_value_is_a_commit(conflicting, open_office):
    bj, cid = conflicting.copies["BJ"], conflicting.huaxin
    async with open_office(bj) as (app, pilot, main):
        screen = await open_sync(app, pilot)
        assert "origin" in text(screen, "#sync-remotes") and str(conflicting.hub) in text(screen, "#sync-remotes")
        assert rows(screen, "#conflicts") == []
        await run_sync(app, pilot, screen)
        status = text(screen, "#sync-status")
        assert "同步完成" in status and "记录了 1 处冲突" in status and "custtui conflicts" not in status
        (row,) = rows(screen, "#conflicts")
        assert row[0] == f"{cid} 北京华信机械设备制造有限公司" and row[1] == "地址"
        assert row[2] == BJ_ADDRESS and row[3].startswith("张伟 ")
        assert row[4] == SH_ADDRESS and row[5].startswith("李娜 ")
        detail = text(screen, "#conflict-detail")
        assert f"当前值: {BJ_ADDRESS}" in detail and f"另一方: {SH_ADDRESS}" in detail

        await pilot.press("o")
        await settle(app, pilot)
        question = app.screen
        assert isinstance(question, ConfirmScreen), "resolving asks first"
        asked = question.question + "\n" + "\n".join(question.details)
        assert f"{cid} 北京华信机械设备制造有限公司 的地址: 改用另一方的值?" in asked
        assert f"保留: {SH_ADDRESS}  — 李娜 " in asked and f"放弃: {BJ_ADDRESS}  — 张伟 " in asked
        await pilot.press("n")
        await settle(app, pilot)
        assert app.screen is screen and len(rows(screen, "#conflicts")) == 1, "n keeps the conflict open"
        assert "conflicts" in bj.customer(cid)

        await pilot.press("o", "y")
        await settle(app, pilot)
        assert rows(screen, "#conflicts") == [] and "没有" in text(screen, "#conflicts-title")
        assert git(bj.store.path, "log", "-1", "--format=%an %s").startswith(f"张伟 解决冲突 {cid}")
        assert bj.customer(cid)["address"] == SH_ADDRESS and "conflicts" not in bj.customer(cid)

        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is main and main.shown_commit == bj.head()
        assert main.current_customer == cid, "the place is kept"
        assert "⚠" not in table_line(main, cid)
        assert "⚠" not in text(main, "#customer-title") and "同步冲突" not in text(main, "#overview")


async def test_keeping_the_current_value(conflicting, open_office):
    bj, cid = conflicting.copies["BJ"], conflicting.huaxin
    sync(bj)
    async with open_office(bj) as (app, pilot, main):
        screen = await open_sync(app, pilot)
        assert len(rows(screen, "#conflicts")) == 1, "open conflicts are listed without a sync"
        await pilot.press("c")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert f"保留: {BJ_ADDRESS}" in app.screen.details[0] and f"放弃: {SH_ADDRESS}" in app.screen.details[1]
        await pilot.press("y")
        await settle(app, pilot)
        assert rows(screen, "#conflicts") == []
        assert bj.customer(cid)["address"] == BJ_ADDRESS and "conflicts" not in bj.customer(cid)
        assert "保留当前值" in git(bj.store.path, "log", "-1", "--format=%s")


async def test_the_badge_shows_in_the_list_and_the_pane(conflicting, open_office):
    bj, cid = conflicting.copies["BJ"], conflicting.huaxin
    sync(bj)
    other = next(c for c in bj.customers() if c != cid)
    async with open_office(bj) as (app, pilot, main):
        main.open_customer(cid)
        await settle(app, pilot)
        assert "  ⚠1 北京华信机械" in table_line(main, cid), "before the name, so a long name never hides it"
        assert "⚠" not in table_line(main, other)
        assert text(main, "#customer-title").startswith("⚠1 北京华信")
        assert "未解决的同步冲突: 1 处 — 按 S 处理" in text(main, "#overview")


async def test_the_main_screen_catches_up_after_a_sync(conflicting, open_office):
    """A sync moves the branch: the list and the shown customer follow, the place kept."""
    bj, cid = conflicting.copies["BJ"], conflicting.huaxin
    async with open_office(bj) as (app, pilot, main):
        main.open_customer(cid)
        await settle(app, pilot)
        assert "⚠" not in table_line(main, cid)
        screen = await open_sync(app, pilot)
        await run_sync(app, pilot, screen)
        await pilot.press("escape")
        await settle(app, pilot)
        assert main.shown_commit == bj.head() and main.current_customer == cid
        assert "⚠1 " in table_line(main, cid)
        assert "未解决的同步冲突: 1 处" in text(main, "#overview")


async def test_sync_without_a_remote_says_so(open_app):
    async with open_app() as (app, pilot, main):
        screen = await open_sync(app, pilot)
        assert "没有配置远程仓库" in text(screen, "#sync-remotes")
        await run_sync(app, pilot, screen)
        error = text(screen, "#sync-error")
        assert "同步未完成: 没有配置远程仓库, 请先 custtui remote add 名称 地址" in error
        assert "Traceback" not in error and isinstance(app.screen, SyncScreen)


async def test_a_failing_remote_is_reported_in_chinese(offices, open_office, tmp_path):
    bj = offices.copies["BJ"]
    bj.store.git("remote", "set-url", "origin", f"file://{tmp_path}/nowhere.git")
    async with open_office(bj) as (app, pilot, main):
        screen = await open_sync(app, pilot)
        await run_sync(app, pilot, screen)
        assert text(screen, "#sync-error").startswith("同步未完成: ")
        assert isinstance(app.screen, SyncScreen) and not screen.running


async def test_merge_suspected_duplicates_after_confirming(offices, open_office):
    bj, sh, cid = offices.copies["BJ"], offices.copies["SH"], offices.huaxin
    twin, _ = sh.add_customer(
        "企业", "北京华信机械设备制造 有限公司", {"uscc": "91510116536763233N", "industry": "制造业", "owner": "李娜"}
    )
    sync(sh)
    async with open_office(bj) as (app, pilot, main):
        screen = await open_sync(app, pilot)
        await run_sync(app, pilot, screen)
        (pair,) = rows(screen, "#duplicates")
        assert pair[0].startswith(cid) and pair[1].startswith(twin) and "名称相同" in pair[2]
        await pilot.press("m")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(app, pilot)
        assert twin in bj.customers(), "not merged when cancelled"
        await pilot.press("m", "y")
        await settle(app, pilot)
        assert app.screen is screen and rows(screen, "#duplicates") == []
        assert bj.customer(twin)["merged_into"] == cid and twin not in bj.customers()
        assert git(bj.store.path, "log", "-1", "--format=%an %s").startswith(f"张伟 合并客户 {cid}")
        assert [r[1] for r in rows(screen, "#conflicts")] == ["统一社会信用代码", "负责人"], (
            "differing values are open conflicts on A"
        )


async def test_merge_a_duplicate_into_the_shown_customer_from_the_palette(offices, open_office):
    """Duplicates a sync outside this session found (cron): the shown customer's are offered."""
    bj, sh, cid = offices.copies["BJ"], offices.copies["SH"], offices.huaxin
    twin, _ = sh.add_customer(
        "企业", "北京华信机械设备制造 有限公司", {"uscc": "91510116536763233N", "industry": "制造业", "owner": "李娜"}
    )
    sync(sh)
    sync(bj)
    async with open_office(bj) as (app, pilot, main):
        dialog = await from_palette(app, pilot, main, cid, "合并重复")
        assert isinstance(dialog, MergeCustomerScreen)
        assert "疑似重复 1 位" in text(dialog, "#merge-note")
        await pilot.press(*cid, "enter")
        assert "不能把客户合并到自己" in text(dialog, "#merge-error")
        dialog.query_one("#merge-id").value = ""
        await pilot.press(*"XX-1", "enter")
        assert "没有编号为 XX-1 的客户" in text(dialog, "#merge-error")
        await pilot.press("tab", "enter")  # the suggestion
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        assert app.screen is main and main.current_customer == cid
        assert bj.customer(twin)["merged_into"] == cid
        assert "⚠2 " in table_line(main, cid), "B's differing values are open conflicts on A"
        assert not main.query_one(CustomerTable).select_id(twin), "B is no longer listed"


async def test_accepting_a_deletion_asks_first(offices, open_office):
    """上海 deleted 华信 while 北京 edited it: the edit stays, the deletion is an open conflict;
    taking the other side would delete the customer, so it is confirmed first."""
    bj, sh, cid = offices.copies["BJ"], offices.copies["SH"], offices.huaxin
    folder = customer_dir(cid)
    sh.store.transact(
        lambda head: ({p: None for p, _ in sh.store.files(head, f"{folder}/")}, "删除客户\n"), sh.identity()
    )
    sync(sh)
    bj.update_customer(cid, {"address": BJ_ADDRESS})
    sync(bj)
    async with open_office(bj) as (app, pilot, main):
        screen = await open_sync(app, pilot)
        (row,) = rows(screen, "#conflicts")
        assert row[1] == "整个客户 (另一方已删除)" and row[4] == "删除" and row[5].startswith("李娜 ")
        assert "删除整个客户" in text(screen, "#conflict-detail")
        await pilot.press("o")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(app, pilot)
        assert app.screen is screen and len(rows(screen, "#conflicts")) == 1
        await pilot.press("c", "y")
        await settle(app, pilot)
        assert rows(screen, "#conflicts") == [] and bj.customer(cid)["address"] == BJ_ADDRESS
