"""Pilot test: the new-customer form names the likely duplicates and asks before saving."""

from __future__ import annotations

from custtui.core.records.validate import uscc_check_char
from custtui.tui.screens.confirm import ConfirmScreen
from custtui.tui.screens.edit import CustomerForm

from .conftest import settle
from .test_main_tui import fill, open_new_enterprise_form


async def test_new_customer_form_names_likely_duplicates_and_asks_first(open_app, demo):
    uscc17 = "91110105MA01ABCD2"
    uscc = uscc17 + uscc_check_char(uscc17)
    head = demo.head()
    async with open_app() as (app, pilot, main):
        form = await open_new_enterprise_form(app, pilot)
        await fill(pilot, form, "name", "北京华信机械设备制造（集团）有限公司")
        await fill(pilot, form, "uscc", uscc)
        await fill(pilot, form, "industry", "it")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        asked = app.screen
        assert isinstance(asked, ConfirmScreen) and asked.question == "可能与已有客户重复, 仍然新建以下客户?"
        assert asked.details[:3] == [
            "可能与以下已有客户重复:",
            "  BJ-000001 北京华信机械设备制造有限公司",
            "    - 名称相同 (不计有限公司、集团、括号、全角与空格)",
        ]
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, CustomerForm) and demo.head() == head, "declined: nothing written"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
    saved = [c.get("name") for c in demo.customers().values() if c.get("uscc") == uscc]
    assert saved == ["北京华信机械设备制造（集团）有限公司"], "confirmed: saved once"
