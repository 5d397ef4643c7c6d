"""今日待办: shown when the app opens with follow-ups due (mine first, overdue marked), at 80×24;
``d`` and ``p`` are one commit each, Enter opens the customer, ``D`` opens the panel again; the
communication form sets the next step with its note."""

from __future__ import annotations

from datetime import date, timedelta

from textual.widgets import DataTable

from custtui.tui.app import CusttuiApp
from custtui.tui.screens.facts import NoteForm
from custtui.tui.screens.main import MainScreen
from custtui.tui.screens.today import TodayScreen
from custtui.tui.widgets.customer_pane import CustomerPane

from .conftest import settle, shown

TODAY = date.today()  # the panel is what is due today: the steps are set around the real date


def subjects(archive, since: str) -> list[str]:
    return archive.store.git("log", "--format=%s", f"{since}..HEAD").stdout.decode().splitlines()


def rows(screen: TodayScreen) -> list[tuple[str, ...]]:
    table = screen.query_one(DataTable)
    return [tuple(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]


async def test_today_panel_done_postpone_open_and_reopen(demo, config):
    demo.user = "张伟"
    demo.set_follow_up("BJ-000002", {"date": TODAY - timedelta(days=3), "action": "寄送样品"})  # 李娜's
    demo.set_follow_up("BJ-000001", {"date": TODAY - timedelta(days=1), "action": "确认交期"})
    demo.set_follow_up("BJ-000003", {"date": TODAY, "action": "回访报价"})
    demo.set_follow_up("BJ-000005", {"date": TODAY + timedelta(days=5), "action": "上门拜访"})  # not due yet
    start = demo.head()
    app = CusttuiApp(demo.store.path, "张伟", config)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if isinstance(app.screen, TodayScreen) and app.screen.items is not None:
                break
        await settle(app, pilot)
        panel = app.screen
        assert isinstance(panel, TodayScreen), "due follow-ups: the panel opens with the app"
        assert [(r[1], r[2], r[3][:4], r[4]) for r in rows(panel)] == [
            ("逾期 1 天", "张伟 (我)", "北京华信", "确认交期"),
            ("今天", "张伟 (我)", "天津滨海", "回访报价"),
            ("逾期 3 天", "李娜", "北京中科", "寄送样品"),
        ]
        assert panel.query_one("#today-title").region.right <= 80
        table = panel.query_one(DataTable)
        assert table.virtual_size.width <= table.size.width, "every column in view at 80 columns"

        await pilot.press("d")
        await settle(app, pilot)
        assert [r[3][:4] for r in rows(panel)] == ["天津滨海", "北京中科"]
        await pilot.press("p")  # the rules' 7 days
        await settle(app, pilot)
        assert [r[3][:4] for r in rows(panel)] == ["北京中科"]
        assert subjects(demo, start) == [
            f"推迟跟进 BJ-000003 天津滨海恒通物流有限公司: 回访报价 {TODAY}→{TODAY + timedelta(days=7)}",
            f"完成跟进 BJ-000001 北京华信机械设备制造有限公司: 确认交期 (原定 {TODAY - timedelta(days=1)})",
        ]

        await pilot.press("enter")
        await settle(app, pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        pane = main.query_one(CustomerPane)
        assert pane.profile.customer_id == "BJ-000002"
        overview = " ".join(shown(pane.query_one("#overview")).split())
        assert f"下次跟进 {TODAY - timedelta(days=3)} 寄送样品 (李娜) 逾期 3 天" in overview

        await pilot.press("D")
        await settle(app, pilot)
        assert isinstance(app.screen, TodayScreen) and len(rows(app.screen)) == 1
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is main


async def test_the_note_form_sets_the_next_step_in_the_same_commit(open_app, demo):
    start = demo.head()
    async with open_app() as (app, pilot, main):
        assert app.screen is main, "nothing due: no panel"
        customer = main.current_customer
        await pilot.press("c")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, NoteForm)
        form.query_one("#f-channel").value = "phone"
        form.query_one("#f-content").text = "电话沟通报价"
        form.query_one("#f-next-action").value = "回访报价"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form and "「下次跟进日期」" in shown(form.query_one("#form-message"))
        assert form.row("next_date").error == "设定下次跟进需要同时填写日期"
        form.query_one("#f-next-date").value = "2099-01-05"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is main
    assert demo.customer(customer)["follow_up"]["action"] == "回访报价"
    assert len(subjects(demo, start)) == 1 and "下次跟进 (空)→2099-01-05 回访报价" in subjects(demo, start)[0]
