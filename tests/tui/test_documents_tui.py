"""Pilot tests of filing a document from the inbox and of the document screen, on a private copy
of the demo archive with the real sample files."""

from __future__ import annotations

import shutil

from conftest import git, repo_state
from test_intake import CONTRACT, rescanned
from textual.widgets import (
    Checkbox,
    Input,
    OptionList,
    Select,
    Static,
    TabbedContent,
    Tree,
)

from custtui.core.tasks.intake import FILED_FOLDER
from custtui.core.tasks.profile import Profile
from custtui.tui.screens.attach import AttachScreen
from custtui.tui.screens.document import DocumentScreen
from custtui.tui.screens.main import MainScreen
from custtui.tui.widgets.customer_pane import CustomerPane
from custtui.tui.widgets.form import FieldRow

from .conftest import settle, shown

HUAXIN = "BJ-000001"


def head(path) -> str:
    return git(path, "rev-parse", "HEAD").strip()


async def open_attach(app, pilot) -> AttachScreen:
    await pilot.press("a")
    await settle(app, pilot)
    assert isinstance(app.screen, AttachScreen)
    return app.screen


async def pick_first_inbox_file(app, pilot, screen: AttachScreen) -> None:
    listing = screen.query_one("#inbox-files", OptionList)
    listing.focus()
    listing.highlighted = 0
    await pilot.press("enter")
    await settle(app, pilot)


async def open_document(app, pilot, main: MainScreen, name: str) -> DocumentScreen:
    """Choose a document in the customer's 文档 tab, as a user does (cursor on it, Enter)."""
    assert main.current_customer == HUAXIN  # the first customer of the listing is open
    pane = main.query_one(CustomerPane)
    pane.query_one(TabbedContent).active = "tab-documents"
    await settle(app, pilot)
    tree = pane.query_one("#documents", Tree)
    node = next(n for n in tree._tree_nodes.values() if n.data is not None and n.data.name == name)
    tree.focus()
    tree.move_cursor(node)
    await pilot.press("enter")
    await settle(app, pilot)
    assert isinstance(app.screen, DocumentScreen)
    return app.screen


async def test_attach_from_the_inbox_with_the_proposal(open_app, config, demo):
    scan = rescanned(CONTRACT, config.inbox, "SCAN_20240110_0001.pdf")
    scanned_bytes = scan.read_bytes()
    before = head(demo.store.path)
    async with open_app() as (app, pilot, main):
        screen = await open_attach(app, pilot)
        assert "1 个文件" in shown(screen.query_one("#inbox-note", Static))
        await pick_first_inbox_file(app, pilot, screen)
        assert screen.query_one("#f-customer", Input).value == HUAXIN
        assert screen.query_one("#f-doc_type", Select).value == "contract"
        assert screen.query_one("#f-number", Input).value == "HT-2024-015"
        assert screen.query_one("#f-date", Input).value == "2024-01-05"
        assert "合同编号 HT-2024-015 属于该客户" in shown(screen.query_one("#proposal-note", Static))
        planned = "HT-2024-015-数控机床采购-20240105-2.pdf"  # the rule name; the original contract holds -0
        assert f"将存为: {planned}" in shown(screen.query_one("#planned-name", Static))
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is main
    path = demo.store.path
    assert git(path, "rev-list", f"{before}..HEAD").split() == [head(path)]
    assert git(path, "log", "-1", "--format=%an %s").startswith(f"张伟 归档 {HUAXIN}")
    assert demo.document_bytes(HUAXIN, planned) == scanned_bytes
    assert not scan.exists() and (config.inbox / FILED_FOLDER / scan.name).read_bytes() == scanned_bytes
    assert git(path, "status", "--porcelain") == ""


async def test_the_dialog_opens_quiet_with_the_newest_inbox_file_ready_for_enter(open_app, config):
    rescanned(CONTRACT, config.inbox, "SCAN_20240110_0001.pdf")
    async with open_app() as (app, pilot, main):
        screen = await open_attach(app, pilot)
        errors = [(row.label_text, row.error) for row in screen.query(FieldRow) if row.error]
        assert errors == [] and not shown(screen.query_one("#form-message", Static)).strip(), "nothing touched yet"
        listing = screen.query_one("#inbox-files", OptionList)
        assert app.focused is listing and listing.highlighted == 0
        await pilot.press("enter")  # no arrow key first
        await settle(app, pilot)
        assert screen.query_one("#f-number", Input).value == "HT-2024-015"


async def test_a_missing_file_is_named_in_chinese_without_the_fields_code(open_app, config, tmp_path):
    config.inbox = None
    gone = tmp_path / "桌面" / "合同.pdf"
    async with open_app() as (app, pilot, main):
        screen = await open_attach(app, pilot)
        path = screen.query_one("#f-file", Input)
        path.focus()
        path.value = str(gone)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        message = shown(screen.query_one("#form-message", Static))
        assert "未归档" in message and str(gone) in message.replace("\n", "") and "(file)" not in message


async def test_a_duplicate_is_refused_and_nothing_is_committed(open_app, config, demo):
    config.inbox.mkdir(parents=True)
    shutil.copy(CONTRACT, config.inbox / "合同扫描.pdf")
    before = repo_state(demo.store.path)
    async with open_app() as (app, pilot, _main):
        screen = await open_attach(app, pilot)
        await pick_first_inbox_file(app, pilot, screen)
        assert f"{HUAXIN} 已归档的「{CONTRACT.name}」" in shown(screen.query_one("#duplicate", Static))
        assert screen.query_one("#allow-duplicate", Checkbox).display
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        message = shown(screen.query_one("#form-message", Static))
        assert "未归档" in message and "内容完全相同" in message
    assert repo_state(demo.store.path) == before
    assert (config.inbox / "合同扫描.pdf").exists()


async def test_without_an_inbox_the_dialog_says_so_and_takes_a_path(open_app, config, tmp_path):
    config.inbox = None
    scan = rescanned(CONTRACT, tmp_path / "desk", "合同.pdf")
    async with open_app() as (app, pilot, _main):
        screen = await open_attach(app, pilot)
        assert "未设置收件箱" in shown(screen.query_one("#inbox-note", Static))
        path = screen.query_one("#f-file", Input)
        path.focus()
        path.value = str(scan)
        await pilot.press("enter")
        await settle(app, pilot)
        assert screen.query_one("#f-customer", Input).value == HUAXIN
        screen.query_one("#f-date", Input).value = "2024-13-01"
        await settle(app, pilot)
        assert shown(screen.query_one("#row-date").query_one(".field-error", Static)).strip()


async def test_preview_and_export_a_copy(open_app, config, demo):
    async with open_app() as (app, pilot, main):
        screen = await open_document(app, pilot, main, CONTRACT.name)
        preview = shown(screen.query_one("#preview", Static))
        assert "数控机床采购合同" in preview and "HT-2024-015" in preview
        await pilot.press("ctrl+o")
        await settle(app, pilot)
        await pilot.press("ctrl+o")
        await settle(app, pilot)
    exported = {p.name for p in config.export_dir.iterdir()}
    assert exported == {CONTRACT.name, CONTRACT.name.replace(".pdf", "-2.pdf")}  # never overwritten
    for name in exported:
        assert (config.export_dir / name).read_bytes() == CONTRACT.read_bytes()


async def test_also_in_edit_commits_and_files_the_document_in_that_category(open_app, demo):
    before = head(demo.store.path)
    async with open_app() as (app, pilot, main):
        screen = await open_document(app, pilot, main, CONTRACT.name)
        screen.query_one("#f-also_in", Input).value = "投诉处理单"
        screen.query_one("#f-paper_box", Input).value = "BJ-HT-2024-09"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is main
        tree = main.query_one(CustomerPane).query_one("#documents", Tree)
        service = next(n for n in tree.root.children if "服务记录" in str(n.label))
        assert any(n.data.name == CONTRACT.name and "另见" in str(n.label) for n in service.children)
    path = demo.store.path
    assert git(path, "rev-list", f"{before}..HEAD").split() == [head(path)]
    assert git(path, "log", "-1", "--format=%an").strip() == "张伟"
    profile = Profile.load(demo, HUAXIN)
    service = dict(profile.categories(demo.schema()))["服务记录"]
    assert any(f.document.name == CONTRACT.name and f.cross_reference for f in service)
    assert git(path, "status", "--porcelain") == ""
