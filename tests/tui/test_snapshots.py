"""Screenshots of the main screens on the demo archive, compared with the accepted SVGs in
``__snapshots__/`` (``pytest --snapshot-update`` rewrites them; look at the diff before committing).

Deterministic by construction: a fixed terminal size and theme, a config path that is the same on
every machine (it is shown in the help), the demo archive (fixed dates), and no form whose
default value is the current time.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import Input

from custtui.tui.app import CusttuiApp
from custtui.tui.config import THEMES, Config
from custtui.tui.screens.edit import CustomerForm
from custtui.tui.screens.help import HelpScreen
from custtui.tui.screens.tree_order import TreeOrderScreen

from .conftest import settle, wait_for_main
from .indexed import indexed_demo

SIZE = (120, 40)
# shown in the help screen; never written (nothing in these tests changes a setting)
CONFIG = Path("/home/staff/.config/custtui/config.toml")


@pytest.fixture(scope="session")
def indexed_demo_template(demo_template, tmp_path_factory):
    return indexed_demo(demo_template, tmp_path_factory)


@pytest.fixture
def app(indexed_demo_template, tmp_path) -> CusttuiApp:
    """The app as 张伟 on a private copy of the indexed demo, with fixed settings."""
    archive = tmp_path / "demo"
    shutil.copytree(indexed_demo_template, archive, symlinks=True)
    config = Config(CONFIG, theme=THEMES[0], inbox=Path("/home/staff/收件箱"), export_dir=Path("/home/staff/导出"))
    return CusttuiApp(archive, "张伟", config)


async def loaded(pilot) -> None:
    """The listing, the tree and the first customer's profile are on screen."""
    await wait_for_main(pilot.app, pilot)


async def on_screen(pilot, kind: type) -> None:
    await settle(pilot.app, pilot)
    assert isinstance(pilot.app.screen, kind), pilot.app.screen


def test_main_screen(snap_compare, app):
    """Tree | 46 customers | 北京华信机械设备制造有限公司 selected, 概况 tab."""

    async def run_before(pilot):
        await loaded(pilot)
        await pilot.press("tab")  # to the customer table: its cursor row shows as selected
        await settle(pilot.app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_edit_form(snap_compare, app):
    """e on the selected customer: every field of an enterprise, required ones starred."""

    async def run_before(pilot):
        await loaded(pilot)
        await pilot.press("e")
        await on_screen(pilot, CustomerForm)

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
        pilot.app.screen.query_one(Input).cursor_blink = False  # the cursor always drawn, never mid-blink
        await pilot.press(*"华信")
        screen = pilot.app.screen
        for _ in range(100):
            await settle(pilot.app, pilot)
            if screen.shown_query == "华信":
                break
        assert screen.shown_query == "华信" and screen.hits

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
