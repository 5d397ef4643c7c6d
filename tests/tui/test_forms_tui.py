"""Forms that never lose input, at the 80×24 most SSH clients open with: every key in the order
typed at any speed (also while the form opens), all errors at once, the save key in view, a
number someone else has named while typing, and another office's change shown before saving."""

from __future__ import annotations

import asyncio

import pytest
from textual import events
from textual.widgets import Button, Input, Select, Static

from custtui.core.archive.archive import Archive
from custtui.tui.screens.confirm import ConfirmScreen
from custtui.tui.screens.edit import ConflictScreen, CustomerForm

from .conftest import settle, shown
from .test_main_tui import HUAXIN, fill, open_form, open_new_enterprise_form, stored

SIZE = (80, 24)
HUAXIN_NAME = "北京华信机械设备制造有限公司"
HUAXIN_USCC = "91110108751171783G"


def typed(app, *keys: str) -> None:
    """Keys as a terminal delivers what was typed between two reads: all at once."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


async def typed_at(app, keys: list[str], gap: float = 0.03) -> None:
    """Keys ``gap`` seconds apart (≈ 33 a second), each posted at its time whether or not the app
    keeps up (a busy app gets them in a burst, as from a terminal's buffer)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    for number, key in enumerate(keys):
        loop.call_at(start + number * gap, typed, app, key)
    await asyncio.sleep(len(keys) * gap)


def value(form, code: str) -> str:
    return form.query_one(f"#f-{code}", Input).value


def confirmation(app) -> str:
    assert isinstance(app.screen, ConfirmScreen), f"expected the confirmation, not {app.screen}"
    return "\n".join(shown(s) for s in app.screen.query(Static))


async def test_keys_arrive_in_order_at_any_speed_and_the_confirmation_shows_them(open_app, demo):
    async with open_app(size=SIZE) as (app, pilot, main):
        form = await open_form(app, pilot, "e")
        assert isinstance(form, CustomerForm) and app.focused is form.query_one("#f-name")

        typed(app, "ctrl+u", "赵", "1")  # the tester's case: ctrl+u and 赵1 in one read
        await settle(app, pilot)
        assert value(form, "name") == "赵1"

        await pilot.press("ctrl+u", "赵", "2", "tab", "ctrl+u", "华", "二")  # no pauses
        assert (value(form, "name"), value(form, "aliases")) == ("赵2", "华二")

        keys = ["shift+tab", "ctrl+u", "赵", "3", "号", "backspace", "tab", "ctrl+u", "三", "left", "华"]
        await typed_at(app, keys)
        await settle(app, pilot)
        assert (value(form, "name"), value(form, "aliases")) == ("赵3", "华三")

        typed(app, "shift+tab", "ctrl+u", "赵", "4", "ctrl+s")  # saving in the same read as the text
        await settle(app, pilot)
        details = confirmation(app)
        assert f"名称: {HUAXIN_NAME} → 赵4" in details and "简称/别名: 华信厂、华信机械 → 华三" in details
        await pilot.press("y")
        await settle(app, pilot)
    assert stored(demo, HUAXIN)["name"] == "赵4" and stored(demo, HUAXIN)["aliases"] == ["华三"]


async def test_keys_typed_while_the_form_opens_land_in_its_first_field(open_app):
    async with open_app(size=SIZE) as (app, pilot, main):
        typed(app, "e")
        while not isinstance(app.screen, CustomerForm):
            await asyncio.sleep(0)
        assert app.focused is None, "the form has not opened yet"
        typed(app, "ctrl+u", "赵", "5")
        await settle(app, pilot)
        assert value(app.screen, "name") == "赵5"


@pytest.mark.indexed
async def test_keys_typed_in_the_same_read_as_the_key_that_opens_a_dialog_land_in_it(open_app):
    async with open_app(size=SIZE) as (app, pilot, main):
        for keys, typed_text in ((["e", "ctrl+u", "赵", "6"], "赵6"), (["slash", "华", "信"], "华信")):
            typed(app, *keys)  # the dialog does not exist yet when the keys after the first are read
            await settle(app, pilot)
            assert app.screen is not main, f"{keys[0]}: the dialog opened"
            assert isinstance(app.focused, Input) and app.focused.value == typed_text, keys[0]
            await pilot.press("escape")
            await settle(app, pilot)
            if app.screen is not main:  # asked whether to discard what was typed
                await pilot.press("y")
                await settle(app, pilot)


async def test_the_save_key_is_in_view_and_q_is_not_quit(open_app):
    async with open_app(size=SIZE) as (app, pilot, main):
        for key in ("e", "c"):
            form = await open_form(app, pilot, key)
            save = form.query_one("#save", Button)
            assert "保存" in str(save.label) and form.region.contains_region(save.region), f"{key}: 保存 below the fold"
            await pilot.press("escape")
            await settle(app, pilot)
        form = await open_form(app, pilot, "e")
        form.set_focus(form.query_one("#f-industry", Select))
        await pilot.press("q")
        await settle(app, pilot)
        assert app.is_running and app.screen is form, "q on a choice field neither quits nor leaves the form"


async def test_every_missing_field_is_named_at_once_and_the_owner_is_the_person(open_app, demo):
    async with open_app(size=SIZE) as (app, pilot, main):
        form = await open_new_enterprise_form(app, pilot)
        assert value(form, "owner") == "张伟", "负责人: the person entering the customer"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form
        for code in ("name", "uscc", "industry"):
            assert "必须填写" in shown(form.query_one(f"#row-{code} .field-error")), code
        message = shown(form.query_one("#form-message"))
        assert "3 项" in message and all(label in message for label in ("名称", "统一社会信用代码", "行业"))
        assert app.focused is form.query_one("#f-name"), "the cursor in the first field to correct"

        await pilot.press(*"北京星河测绘技术有限公司")
        await fill(pilot, form, "industry", "it")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert form.row("name").error == form.row("industry").error == "", "corrected: their messages gone"
        assert "1 项" in shown(form.query_one("#form-message"))
        assert app.focused is form.query_one("#f-uscc")


async def test_a_duplicate_uscc_is_named_while_typing_and_nothing_is_saved(open_app, demo):
    head = demo.head()
    async with open_app(size=SIZE) as (app, pilot, main):
        form = await open_new_enterprise_form(app, pilot)
        await pilot.press(*"北京华信重名测试有限公司", "tab", "tab")
        assert app.focused is form.query_one("#f-uscc")
        await pilot.press(*HUAXIN_USCC.lower())  # a valid number, typed the way people do
        await pilot.pause(0.5)  # the look-up waits for a pause in typing
        await settle(app, pilot)
        warning = shown(form.query_one("#row-uscc .field-error"))
        assert f"已登记为 {HUAXIN} {HUAXIN_NAME}" in warning
        await fill(pilot, form, "industry", "it")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form, "no confirmation for a customer the archive would refuse"
        assert "统一社会信用代码" in shown(form.query_one("#form-message"))
        assert app.focused is form.query_one("#f-uscc")

        await pilot.press("backspace")  # the number no longer valid: the warning goes
        await pilot.pause(0.5)
        await settle(app, pilot)
        assert HUAXIN not in form.row("uscc").error
    assert demo.head() == head


async def test_the_first_confirmation_shows_the_other_offices_value(open_app, demo):
    async with open_app(size=SIZE) as (app, pilot, main):
        form = await open_form(app, pilot, "e")
        await fill(pilot, form, "address", "北京市海淀区中关村大街 1 号")
        other = Archive(demo.store.path, user="李娜")  # another office's change arrives first
        other.update_customer(HUAXIN, {"address": "北京市朝阳区建国路 88 号"})
        other.close()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        details = confirmation(app)
        assert "地址: 北京市朝阳区建国路 88 号 → 北京市海淀区中关村大街 1 号" in details
        assert "李娜" in details and "改为「北京市朝阳区建国路 88 号」" in details
        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, ConflictScreen), "still asked which value stays"


async def test_a_communication_record_keeps_keys_typed_in_one_read(open_app, demo):
    """The note form's fields take their keys in order too: ctrl+u and new text in one read."""
    async with open_app(size=SIZE) as (app, pilot, main):
        form = await open_form(app, pilot, "c")
        form.query_one("#f-participants", Input).focus()
        await settle(app, pilot)
        typed(app, "a", "b", "ctrl+u", "曾", "小", "贤")
        await settle(app, pilot)
        assert value(form, "participants") == "曾小贤"
