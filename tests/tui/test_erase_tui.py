"""删除个人信息 from the interface at 80×24 (issue 16): the palette opens it on the shown customer,
a missing basis is named, the confirmation says what goes and that old commits keep plaintext
without encryption, and the erasure is one commit by the person, with its tombstone; someone
without the right is told why and nothing is written."""

from __future__ import annotations

import pytest
from conftest import git

from custtui.core.archive.archive import Archive
from custtui.core.archive.staff import add_person
from custtui.core.privacy.erase import HISTORY_KEEPS_PLAINTEXT
from custtui.tui.screens.confirm import ConfirmScreen
from custtui.tui.screens.erase import EraseScreen

from .conftest import from_palette, settle
from .test_history_tui import text
from .test_layout_tui import NARROW

pytestmark = pytest.mark.indexed  # the palette also searches customers: the demo with its index built
CUSTOMER = "BJ-000001"  # 华信: communication records and documents
BASIS = "个人信息保护法第四十七条: 个人撤回同意"


@pytest.fixture
def staffed(demo) -> Archive:
    """The demo with 王芳 (管理层, who may erase) and 李娜 (销售, who may not) registered."""
    add_person(demo, "zhangwei", "张伟", "管理员")
    admin = Archive(demo.store.path, user="zhangwei")
    add_person(admin, "wangfang", "王芳", "管理层")
    add_person(admin, "lina", "李娜", "销售")
    admin.close()
    return demo


async def open_erase(app, pilot, main) -> EraseScreen:
    dialog = await from_palette(app, pilot, main, CUSTOMER, "删除个人信息")
    assert isinstance(dialog, EraseScreen)
    return dialog


async def test_erasing_from_the_palette_is_one_commit_with_its_tombstone(open_app, staffed):
    listed = git(staffed.store.path, "ls-tree", "-r", "--name-only", "HEAD", "customers/").split()
    assert [path for path in listed if f"/{CUSTOMER}/notes/" in path], "the demo's 华信 has communication records"
    before = staffed.head()
    async with open_app(user="王芳", size=NARROW) as (app, pilot, main):
        dialog = await open_erase(app, pilot, main)
        await pilot.press("enter")
        assert "删除依据" in text(dialog, "#erase-error"), "an empty basis is named"
        await pilot.press(*BASIS, "enter")
        await settle(app, pilot)
        asked = app.screen
        assert isinstance(asked, ConfirmScreen) and CUSTOMER in asked.question
        assert HISTORY_KEEPS_PLAINTEXT in asked.details, "the demo does not seal: old commits keep plaintext"
        await pilot.press("y")
        for _ in range(100):  # the erasure and its upkeep run in a worker
            await settle(app, pilot)
            if app.screen is main:
                break
        assert app.screen is main and main.current_customer == CUSTOMER
        assert any(n.title == "已删除个人信息" for n in app._notifications)
    head = staffed.head()
    assert git(staffed.store.path, "rev-list", f"{before}..{head}").split() == [head], "exactly one commit"
    assert git(staffed.store.path, "log", "-1", "--format=%an", head).strip() == "王芳"
    tombstone = git(staffed.store.path, "show", f"{head}:erasures/{CUSTOMER}.toml")
    assert f'basis = "{BASIS}"' in tombstone and 'by = "wangfang"' in tombstone, "her staff ID, opened by name"
    left = git(staffed.store.path, "ls-tree", "-r", "--name-only", head, "customers/").split()
    assert not [path for path in left if f"/{CUSTOMER}/" in path and ("/notes/" in path or "/docs/" in path)]
    assert git(staffed.store.path, "status", "--porcelain") == ""


async def test_someone_without_the_right_is_told_why_and_nothing_is_written(open_app, staffed):
    before = staffed.head()
    async with open_app(user="李娜", size=NARROW) as (app, pilot, main):
        dialog = await open_erase(app, pilot, main)
        assert "删除个人信息" in text(dialog, "#erase-error") and "李娜" in text(dialog, "#erase-error")
        await pilot.press(*BASIS, "enter")
        await settle(app, pilot)
        assert app.screen is dialog, "no confirmation for someone who may not erase"
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is main
    assert staffed.head() == before
