"""Screenshots of the main screens on the demo archive, compared with the accepted SVGs in
``__snapshots__/`` (``pytest --snapshot-update`` rewrites them; look at the diff before committing).

Deterministic by construction: a fixed terminal size and theme, a config path that is the same on
every machine (it is shown in the help), the demo archive (fixed dates), and no form whose
default value is the current time.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from textual.widgets import Input, TabbedContent, TextArea

from custtui.core.archive.archive import Archive
from custtui.core.records.records import customer_dir
from custtui.tui.app import CusttuiApp
from custtui.tui.config import THEMES, Config
from custtui.tui.screens.edit import CustomerForm
from custtui.tui.screens.help import HelpScreen
from custtui.tui.screens.record_detail import RecordDetailScreen
from custtui.tui.screens.sync import SyncScreen
from custtui.tui.screens.tree_order import TreeOrderScreen

from .conftest import settle, wait_for_main

SIZE = (120, 40)
NARROW = (80, 24)  # the default of most SSH clients
# shown in the help screen; never written (nothing in these tests changes a setting)
CONFIG = Path("/home/staff/.config/custtui/config.toml")


@pytest.fixture
def app(indexed_demo_template, tmp_path) -> CusttuiApp:
    """The app as 张伟 on a private copy of the indexed demo, with fixed settings."""
    archive = tmp_path / "demo"
    shutil.copytree(indexed_demo_template, archive, symlinks=True)
    config = Config(CONFIG, theme=THEMES[0], inbox=Path("/home/staff/收件箱"), export_dir=Path("/home/staff/导出"))
    return CusttuiApp(archive, "张伟", config)


def record_conflict(path: Path) -> None:
    """An open conflict on 华信's address as a sync records it, with fixed people and times."""
    archive = Archive(path, "张伟")
    record = f"{customer_dir('BJ-000001')}/customer.toml"
    conflict = """
[[conflicts]]
field = "address"
kept = "北京市海淀区永丰产业基地丰贤中路 7 号"
other = "北京市昌平区回龙观镇龙域中街 1 号院 3 号楼 5 层 (华信机械新址, 2026 年 11 月起)"
kept_by = "张伟"
kept_at = "2026-10-08T09:30:00+08:00"
other_by = "李娜"
other_at = "2026-10-08T11:05:00+08:00"
"""
    when = datetime(2026, 10, 8, 12, 0, tzinfo=timezone(timedelta(hours=8)))
    archive.store.transact(
        lambda head: ({record: archive.store.read(head, record) + conflict.encode()}, "合并 上海 的改动\n"),
        archive.identity(when),
    )
    archive.close()


def steady_cursors(screen) -> None:
    """Text cursors always drawn, never caught mid-blink."""
    for widget in [*screen.query(Input), *screen.query(TextArea)]:
        widget.cursor_blink = False


async def loaded(pilot) -> None:
    """The listing, the tree and the first customer's profile are on screen."""
    await wait_for_main(pilot.app, pilot)


async def on_screen(pilot, kind: type) -> None:
    await settle(pilot.app, pilot)
    assert isinstance(pilot.app.screen, kind), pilot.app.screen


@pytest.mark.parametrize("size", [(120, 40), (200, 60)], ids=["120x40", "200x60"])
def test_main_screen(snap_compare, app, size):
    """Tree | 46 customers | 北京华信机械设备制造有限公司 selected, 概况 tab: at 120 columns the list
    keeps ID and name and the customer gets more room, at 200 both are roomy."""

    async def run_before(pilot):
        await loaded(pilot)
        await pilot.press("tab")  # to the customer table: its cursor row shows as selected
        await settle(pilot.app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_main_screen_narrow(snap_compare, app):
    """At 80×24 the tree and the list fill the screen; the footer ends with ? 帮助, nothing cut."""
    assert snap_compare(app, terminal_size=NARROW, run_before=loaded)


@pytest.mark.parametrize("tab", ["tab-overview", "tab-contacts", "tab-notes", "tab-deals", "tab-history"])
def test_customer_narrow(snap_compare, app, tab):
    """At 80×24 Enter on a customer gives it the whole screen (Esc 返回列表 in the footer); each
    table keeps the column that carries its meaning, cut after a whole word."""

    async def run_before(pilot):
        await loaded(pilot)
        await pilot.press("tab", "enter")
        pilot.app.screen.query_one("#customer-tabs", TabbedContent).active = tab
        await settle(pilot.app, pilot)

    assert snap_compare(app, terminal_size=NARROW, run_before=run_before)


def test_notes_wide(snap_compare, app):
    """At 200×60 the 沟通记录 list shows each record's content, and the highlighted one whole below."""

    async def run_before(pilot):
        await loaded(pilot)
        pilot.app.screen.query_one("#customer-tabs", TabbedContent).active = "tab-notes"
        await settle(pilot.app, pilot)

    assert snap_compare(app, terminal_size=(200, 60), run_before=run_before)


def test_note_detail(snap_compare, app):
    """Enter on a communication record at 80×24: every field under its Chinese label, wrapped."""

    async def run_before(pilot):
        await loaded(pilot)
        await pilot.press("tab", "enter")
        pilot.app.screen.query_one("#customer-tabs", TabbedContent).active = "tab-notes"
        await settle(pilot.app, pilot)
        pilot.app.screen.query_one("#notes").focus()
        await pilot.press("enter")
        await on_screen(pilot, RecordDetailScreen)

    assert snap_compare(app, terminal_size=NARROW, run_before=run_before)


@pytest.mark.parametrize("size", [NARROW, (120, 40)], ids=["80x24", "120x40"])
def test_sync_conflict(snap_compare, app, size):
    """S with an open conflict on 华信's address: both values in the list (who set them gives way at
    80 columns), everything about the selected one below it."""
    record_conflict(app.archive_path)

    async def run_before(pilot):
        await loaded(pilot)
        await pilot.press("S")
        await on_screen(pilot, SyncScreen)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_edit_form(snap_compare, app):
    """e on the selected customer: every field of an enterprise, required ones starred."""

    async def run_before(pilot):
        await loaded(pilot)
        await pilot.press("e")
        await on_screen(pilot, CustomerForm)
        steady_cursors(pilot.app.screen)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_help_screen(snap_compare, app):
    """? lists the keys of the main screen, the query syntax and where to override keys."""

    async def run_before(pilot):
        await loaded(pilot)
        await pilot.press("question_mark")
        await on_screen(pilot, HelpScreen)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_tree_order_dialog(snap_compare, app):
    """o offers the preset orders and a field for any order."""

    async def run_before(pilot):
        await loaded(pilot)
        await pilot.press("o")
        await on_screen(pilot, TreeOrderScreen)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_search_results(snap_compare, app):
    """/ then 华信: the customers and documents found, matches highlighted, the first one selected."""
    from custtui.tui.screens.search import SearchScreen

    async def run_before(pilot):
        await loaded(pilot)
        await pilot.press("slash")
        await on_screen(pilot, SearchScreen)
        steady_cursors(pilot.app.screen)
        await pilot.press(*"华信")
        screen = pilot.app.screen
        for _ in range(100):
            await settle(pilot.app, pilot)
            if screen.shown_query == "华信":
                break
        assert screen.shown_query == "华信" and screen.hits

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
