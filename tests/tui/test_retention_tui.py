"""The retention review in the interface (issue 16): chosen from the routines like the others,
its proposals read 个人信息 保留 → 删除 with their basis, and writing them warns that erasure
cannot be undone before it erases as one commit."""

from __future__ import annotations

from datetime import date

from conftest import git

from custtui.core.tasks import routines
from custtui.tui.screens.confirm import ConfirmScreen
from custtui.tui.screens.routine import RoutineChooser, RoutineScreen

from .conftest import settle
from .test_history_tui import text
from .test_layout_tui import NARROW
from .test_routine_screen import rows

LATER = date(2029, 6, 1)  # the demo's 终止合作 and 历史客户 customers are past their periods by then


async def test_chosen_with_4_and_written_after_a_warning_that_it_cannot_be_undone(open_app, demo):
    proposals = routines.run(demo, "retention", None, LATER).proposals
    assert len(proposals) >= 2, "the demo has customers kept past retention by LATER"
    before = demo.head()
    async with open_app(size=NARROW) as (app, pilot, main):
        await pilot.press("R")
        await settle(app, pilot)
        assert isinstance(app.screen, RoutineChooser)
        await pilot.press("4")
        await settle(app, pilot)
        assert isinstance(app.screen, RoutineScreen) and text(app.screen, "#routine-title").startswith("保管期限复核")
        await pilot.press("escape")
        await settle(app, pilot)

        app.push_screen(RoutineScreen("retention", None, today=LATER), main._routine_closed)
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, RoutineScreen)
        assert [row[1:4] for row in rows(screen)] == [[p.name, "个人信息", "保留 → 删除"] for p in proposals]
        assert all("依据 《个人信息保护法》" in row[4] for row in rows(screen))
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        asked = app.screen
        assert isinstance(asked, ConfirmScreen) and "删除个人信息, 不可撤销" in asked.question
        await pilot.press("y")
        await settle(app, pilot)
        head = demo.head()
        assert git(demo.store.path, "rev-list", f"{before}..{head}").split() == [head], "exactly one commit"
        message = git(demo.store.path, "log", "-1", "--format=%B", head)
        assert "删除个人信息" in message and all(p.customer_id in message for p in proposals)
        assert any("不可撤销" in n.message for n in app._notifications)
        assert rows(screen) == [], "an erased customer is not proposed again"
