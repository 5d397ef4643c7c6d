"""Pilot tests of the main screen and the editing workflows, on a private copy of the demo archive."""

from __future__ import annotations

import asyncio
import tomllib

from textual.widgets import Input, Select, Static, TextArea

from custtui.core.archive.archive import Archive
from custtui.core.records.records import customer_dir
from custtui.core.records.validate import uscc_check_char
from custtui.tui.config import Config
from custtui.tui.screens.confirm import ConfirmScreen
from custtui.tui.screens.edit import ConflictScreen, CustomerForm
from custtui.tui.screens.facts import DealForm, NoteForm
from custtui.tui.screens.help import HelpScreen
from custtui.tui.widgets.class_tree import ClassTree
from custtui.tui.widgets.customer_pane import CustomerPane
from custtui.tui.widgets.customer_table import CustomerTable
from custtui.tui.widgets.fit_table import FitTable

from .conftest import settle, shown

HUAXIN = "BJ-000001"


def stored(archive: Archive, customer_id: str) -> dict:
    return tomllib.loads(archive.store.read(archive.head(), f"{customer_dir(customer_id)}/customer.toml").decode())


def last_commit(archive: Archive) -> tuple[str, str]:
    out = archive.store.git("log", "-1", "--format=%an%x1f%B").stdout.decode()
    author, body = out.split("\x1f", 1)
    return author, body


async def open_form(app, pilot, key: str):
    await pilot.press(key)
    await settle(app, pilot)
    return app.screen


async def fill(pilot, form, code: str, text: str) -> None:
    editor = form.query_one(f"#f-{code}")
    if isinstance(editor, Input):
        editor.value = text
    elif isinstance(editor, TextArea):
        editor.text = text
    elif isinstance(editor, Select):
        editor.value = text
    await pilot.pause(0.05)


async def open_new_enterprise_form(app, pilot) -> CustomerForm:
    await pilot.press("n")
    await settle(app, pilot)
    await pilot.press("down", "enter")  # 企业客户
    await settle(app, pilot)
    assert isinstance(app.screen, CustomerForm)
    return app.screen


async def save_and_confirm(app, pilot) -> None:
    await pilot.press("ctrl+s")
    await settle(app, pilot)
    assert isinstance(app.screen, ConfirmScreen), "saving shows what will change first"
    await pilot.press("y")
    await settle(app, pilot)


async def test_browse_tree_table_and_customer(open_app, demo):
    async with open_app() as (app, pilot, main):
        tree = main.query_one(ClassTree)
        table = main.query_one(CustomerTable)
        assert "46" in str(tree.root.label)
        assert len(table.rows) == 46
        enterprise = next(n for n in tree.root.children if "企业客户" in str(n.label))
        tree.focus()
        tree.move_cursor(enterprise)
        await settle(app, pilot)
        assert len(table.rows) == int(str(enterprise.label).split()[-1])
        assert {r.get("type") for r in table.rows} == {"enterprise"}
        await pilot.press("space")  # expand: the stages load only now
        await settle(app, pilot)
        assert [str(c.label).split()[0] for c in enterprise.children][:2] == ["潜在客户", "签约客户"]
        table.focus()
        await pilot.press("down")
        await settle(app, pilot)
        pane = main.query_one(CustomerPane)
        assert pane.profile.customer_id == table.rows[1].get("id")
        assert table.rows[1].get("name") in str(pane.query_one("#customer-title").render())


async def test_history_tab_loads_when_opened(open_app):
    async with open_app() as (app, pilot, main):
        pane = main.query_one(CustomerPane)
        pane.query_one("TabbedContent").active = "tab-history"
        await settle(app, pilot)
        history = pane.query_one("#history")
        assert history.row_count >= 1
        assert pane.history_for == pane.profile.customer_id


async def test_switch_dimensions_is_remembered(open_app, config):
    async with open_app() as (app, pilot, main):
        await pilot.press("o")
        await settle(app, pilot)
        order = app.screen.query_one("#order-input", Input)
        order.focus()
        order.value = "行业 → 规模"
        await pilot.press("enter")
        await settle(app, pilot)
        labels = [str(n.label).split()[0] for n in main.query_one(ClassTree).root.children]
        assert labels[0] == "制造业"
        assert Config.load(config.path).tree_order == ("industry", "size")


async def test_unknown_dimension_gets_a_message(open_app):
    async with open_app() as (app, pilot, main):
        await pilot.press("o")
        await settle(app, pilot)
        app.screen.query_one("#order-input", Input).focus()
        app.screen.query_one("#order-input", Input).value = "行业 颜值"
        await pilot.press("enter")
        await settle(app, pilot)
        assert "颜值" in str(app.screen.query_one("#order-error").render())


async def test_edit_with_bad_uscc_is_refused_inline_and_nothing_is_written(open_app, demo):
    head = demo.head()
    async with open_app() as (app, pilot, main):
        form = await open_form(app, pilot, "e")
        assert isinstance(form, CustomerForm)
        await fill(pilot, form, "uscc", "91110108751171783X")
        error = str(form.query_one("#row-uscc .field-error").render())
        assert "校验" in error or "统一社会信用代码" in error
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form, "the form stays open with the message"
    assert demo.head() == head
    assert demo.store.git("status", "--porcelain").stdout == b""


async def test_edit_shows_the_change_and_commits_once_as_the_user(open_app, demo):
    head = demo.head()
    async with open_app() as (app, pilot, main):
        form = await open_form(app, pilot, "e")
        await fill(pilot, form, "legal_rep", "曾国强")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        details = " ".join(str(s.render()) for s in app.screen.query("Static"))
        assert "法定代表人: 曾国平 → 曾国强" in details
        await pilot.press("y")
        await settle(app, pilot)
        assert "曾国强" in shown(main.query_one("#overview"))
    assert stored(demo, HUAXIN)["legal_rep"] == "曾国强"
    assert demo.store.git("rev-list", "--count", f"{head}..{demo.head()}").stdout.strip() == b"1"
    author, body = last_commit(demo)
    assert author == "张伟" and "法定代表人" in body


async def test_stage_change_needs_a_reason_which_goes_into_the_stage_history(open_app, demo):
    async with open_app() as (app, pilot, main):
        form = await open_form(app, pilot, "e")
        await fill(pilot, form, "stage", "terminated")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "原因" in str(form.query_one("#row-reason .field-error").render())
        await fill(pilot, form, "reason", "客户搬迁外地, 终止合作")
        await save_and_confirm(app, pilot)
    record = stored(demo, HUAXIN)
    assert record["stage"] == "terminated"
    assert record["stage_history"][-1]["reason"] == "客户搬迁外地, 终止合作"


async def test_concurrent_change_to_the_same_field_shows_both_values(open_app, demo):
    async with open_app() as (app, pilot, main):
        form = await open_form(app, pilot, "e")
        await fill(pilot, form, "address", "北京市海淀区中关村大街 1 号")
        other = Archive(demo.store.path, user="李娜")  # another session saves first
        other.update_customer(HUAXIN, {"address": "北京市朝阳区建国路 88 号"})
        other.close()
        head = demo.head()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, ConflictScreen)
        shown = " ".join(str(s.render()) for s in app.screen.query("Static"))
        assert "建国路 88 号" in shown and "中关村大街 1 号" in shown
        await pilot.press("t")  # keep theirs
        await settle(app, pilot)
        assert demo.head() == head, "keeping their value writes nothing"
        assert stored(demo, HUAXIN)["address"] == "北京市朝阳区建国路 88 号"


async def test_concurrent_change_can_be_overwritten_knowingly(open_app, demo):
    async with open_app() as (app, pilot, main):
        form = await open_form(app, pilot, "e")
        await fill(pilot, form, "address", "北京市海淀区中关村大街 1 号")
        other = Archive(demo.store.path, user="李娜")
        other.update_customer(HUAXIN, {"address": "北京市朝阳区建国路 88 号"})
        other.close()
        await save_and_confirm(app, pilot)
        await pilot.press("m")
        await settle(app, pilot)
    assert stored(demo, HUAXIN)["address"] == "北京市海淀区中关村大街 1 号"
    assert last_commit(demo)[0] == "张伟"


async def test_new_enterprise_customer(open_app, demo):
    uscc17 = "91110105MA01ABCD1"
    uscc = uscc17 + uscc_check_char(uscc17)
    async with open_app() as (app, pilot, main):
        form = await open_new_enterprise_form(app, pilot)
        assert form.query_one("#f-owner", Input).value == "张伟", "负责人: the person entering the customer"
        await fill(pilot, form, "name", "北京星河测绘技术有限公司")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form
        message = shown(form.query_one("#form-message"))
        assert "统一社会信用代码" in message and "行业" in message, "every missing field at once, not one per save"
        await fill(pilot, form, "uscc", uscc)
        await fill(pilot, form, "industry", "it")
        await save_and_confirm(app, pilot)
        assert main.query_one(CustomerPane).profile.record["name"] == "北京星河测绘技术有限公司"
    found = [c for c in demo.customers().values() if c.get("uscc") == uscc]
    assert len(found) == 1 and found[0].get("stage") == "potential"


async def test_forms_open_with_the_first_empty_field_focused_and_typing_adds(open_app, demo):
    """The first keys typed after a form opens land in it, and a key in a filled field adds to
    its text instead of replacing it (no select-all on focus)."""
    async with open_app() as (app, pilot, main):
        form = await open_new_enterprise_form(app, pilot)
        await pilot.press("赵", "1")
        assert form.query_one("#f-name", Input).value == "赵1", "typed straight into 名称, the first empty field"
        await pilot.press("escape", "y")  # discard what was typed
        await settle(app, pilot)

        form = await open_form(app, pilot, "e")
        assert isinstance(form, CustomerForm)
        name = form.query_one("#f-name", Input)
        assert app.focused is name, "every field filled (the stage's reason is asked only for a change): 名称"
        before = name.value
        await pilot.press("X")
        assert name.value == before + "X", "one key adds to the name, it does not replace it"
        await pilot.press("escape", "y")
        await settle(app, pilot)

        form = await open_form(app, pilot, "c")
        assert isinstance(form, NoteForm)
        assert app.focused is form.query_one("#f-channel"), "time filled in: 沟通方式 is next"


async def test_escape_asks_before_throwing_typed_values_away(open_app, demo):
    async with open_app() as (app, pilot, main):
        notes = len(main.query_one(CustomerPane).profile.notes)
        form = await open_form(app, pilot, "c")
        assert isinstance(form, NoteForm)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is not form, "nothing typed: Escape just closes"

        form = await open_form(app, pilot, "c")
        await fill(pilot, form, "content", "电话确认交付时间")
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen) and "沟通内容" in " ".join(
            shown(s) for s in app.screen.query(Static)
        ), "asks, naming what was typed"
        await pilot.press("n")
        await settle(app, pilot)
        assert app.screen is form and form.query_one("#f-content", TextArea).text == "电话确认交付时间", "kept"
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert app.screen is not form and len(main.query_one(CustomerPane).profile.notes) == notes, "nothing saved"


async def test_note_and_deal(open_app, demo):
    async with open_app() as (app, pilot, main):
        form = await open_form(app, pilot, "c")
        assert isinstance(form, NoteForm)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form  # no channel, no content
        await fill(pilot, form, "channel", "phone")
        await fill(pilot, form, "content", "电话确认二期设备交付时间")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        notes = main.query_one("#notes", FitTable)
        assert any("二期设备交付" in " ".join(notes.row_cells(i)) for i in range(notes.row_count))
        form = await open_form(app, pilot, "t")
        assert isinstance(form, DealForm)
        await fill(pilot, form, "amount", "十万")
        assert "金额" in str(form.query_one("#row-amount .field-error").render())
        await fill(pilot, form, "amount", "12.5万")
        await fill(pilot, form, "product", "二期数控设备")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    deals = demo.deals(HUAXIN)
    assert any(str(d["amount"]) == "125000.00" and d["product"] == "二期数控设备" for d in deals)
    assert any("二期设备交付" in n["content"] for n in demo.notes(HUAXIN))


async def test_read_only_without_a_user(open_app, demo, monkeypatch):
    monkeypatch.delenv("CUSTTUI_USER")
    demo.store.git("config", "--unset", "user.name", check=False)
    head = demo.head()
    async with open_app(user=None) as (app, pilot, main):
        await pilot.press("e")
        await settle(app, pilot)
        assert not isinstance(app.screen, CustomerForm)
    assert demo.head() == head


async def test_help_lists_keys_with_their_ids(open_app):
    async with open_app() as (app, pilot, main):
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        keys = shown(app.screen.query_one("#help-keys"))
        assert "main.search" in keys and "搜索" in keys


async def test_keymap_override_from_config(demo, config, tmp_path):
    from custtui.tui.app import CusttuiApp

    from .conftest import wait_for_main

    config.keymap = {"main.edit": "f2"}
    app = CusttuiApp(demo.store.path, "张伟", config)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_main(app, pilot)
        await pilot.press("f2")
        await settle(app, pilot)
        assert isinstance(app.screen, CustomerForm)


async def test_copy_a_field_of_the_shown_customer(open_app, demo):
    from custtui.tui.screens.copy_field import CopyFieldScreen

    uscc = demo.customer(HUAXIN)["uscc"]
    async with open_app() as (app, pilot, main):
        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, CopyFieldScreen)
        options = app.screen.query_one("OptionList")
        index = next(i for i, (label, _) in enumerate(app.screen.items) if label == "统一社会信用代码")
        options.highlighted = index
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.clipboard == uscc


async def test_someone_elses_commit_shows_up_and_the_place_is_kept(open_app, demo):
    async with open_app() as (app, pilot, main):
        table = main.query_one(CustomerTable)
        table.focus()
        await pilot.press("down", "down")
        await settle(app, pilot)
        chosen = table.current.get("id")
        other = Archive(demo.store.path, user="李娜")
        other.update_customer(chosen, {"legal_rep": "欧阳修"})
        other.close()
        for _ in range(100):
            await pilot.pause(0.1)
            profile = main.query_one(CustomerPane).profile
            if profile.record.get("legal_rep") == "欧阳修":
                break
        assert main.query_one(CustomerPane).profile.record.get("legal_rep") == "欧阳修"
        assert table.current.get("id") == chosen


async def test_after_a_write_of_its_own_someone_elses_commit_still_shows_up(open_app, demo):
    """The watcher leaves this session's own head to the screen that wrote it, and only that head."""
    async with open_app() as (app, pilot, main):
        table = main.query_one(CustomerTable)
        table.focus()
        await settle(app, pilot)
        chosen = table.current.get("id")
        await asyncio.to_thread(app.read, lambda archive: archive.update_customer(chosen, {"legal_rep": "司马光"}))
        assert app.own_head == demo.store.head()
        other = Archive(demo.store.path, user="李娜")
        other.update_customer(chosen, {"legal_rep": "欧阳修"})
        other.close()
        for _ in range(100):
            await pilot.pause(0.1)
            if main.query_one(CustomerPane).profile.record.get("legal_rep") == "欧阳修":
                break
        assert main.query_one(CustomerPane).profile.record.get("legal_rep") == "欧阳修"
        assert main.shown_commit == demo.store.head() != app.own_head


async def test_quitting_while_a_customer_is_loading_is_clean(demo, config):
    from custtui.tui.app import CusttuiApp

    app = CusttuiApp(demo.store.path, "张伟", config)
    async with app.run_test(size=(160, 45)) as pilot:
        for _ in range(200):  # the moment the listing is shown, before the first profile arrives
            await pilot.pause(0.01)
            if getattr(app.screen, "classification", None) is not None:
                break
        await pilot.press("q")
    assert app.return_code == 0


async def test_plain_ansi_theme_is_one_key_away_and_remembered(open_app, config):
    async with open_app() as (app, pilot, main):
        assert app.theme == "custtui-256"
        await pilot.press("ctrl+t")
        await settle(app, pilot)
        assert app.theme == "custtui-ansi" and app.current_theme.ansi
    assert Config.load(config.path).theme == "custtui-ansi"
