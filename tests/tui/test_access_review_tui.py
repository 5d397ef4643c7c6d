"""The access review screen at 80×24: opened with A from the main screen, one row a person with
their last use from the access log, signed off with s and a note as one commit; refused in
words to someone who may neither read the access log nor manage staff."""

from __future__ import annotations

import pytest
from conftest import git
from textual.widgets import Input, Static

from custtui.core.access import access_log
from custtui.core.archive.staff import add_person
from custtui.core.tasks.access_review import last_review
from custtui.tui.screens.access_review import AccessReviewScreen, SignScreen
from custtui.tui.widgets.fit_table import FitTable

from .conftest import settle, shown
from .test_layout_tui import NARROW, footer_keys


@pytest.fixture
def staffed(demo):
    """The demo with three people; 李娜 has viewed a document (a real access-log entry)."""
    add_person(demo, "zhangwei", "张伟", "管理员")
    add_person(demo, "lina", "李娜", "销售")
    add_person(demo, "zhaolei", "赵磊", "管理层")
    access_log.record(demo, demo.registry()["lina"], "view", "BJ-000001/合同.pdf", "机密")
    return demo


async def open_review(app, pilot) -> AccessReviewScreen:
    await pilot.press("A")
    await settle(app, pilot)
    assert isinstance(app.screen, AccessReviewScreen)
    return app.screen


async def test_the_review_lists_everyone_and_signs_off_as_one_commit(open_app, staffed):
    before = staffed.head()
    async with open_app(size=NARROW) as (app, pilot, main):
        screen = await open_review(app, pilot)
        table = screen.query_one(FitTable)
        rows = {cells[0]: cells for cells in (table.row_cells(i) for i in range(table.row_count))}
        assert set(rows) == {"张伟", "李娜", "赵磊"}
        assert "查看" in rows["李娜"][4] and rows["赵磊"][4] == "(无记录)"
        assert "从未使用" in rows["赵磊"][5]
        assert "签署" in footer_keys(screen)
        await pilot.press("s")
        await settle(app, pilot)
        assert isinstance(app.screen, SignScreen)
        app.screen.query_one(Input).value = "已核对"
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, AccessReviewScreen)
        assert "上次签署" in shown(screen.query_one("#review-note", Static))
    head = staffed.head()
    assert git(staffed.store.path, "rev-parse", "HEAD~1").strip() == before
    signed = last_review(staffed, head)
    assert signed is not None
    assert (signed.reviewer, signed.note, signed.commit, signed.people) == ("zhangwei", "已核对", before, 3)


async def test_someone_without_the_right_is_told_why(open_app, staffed):
    before = staffed.head()
    async with open_app(user="李娜", size=NARROW) as (app, pilot, main):
        screen = await open_review(app, pilot)
        note = shown(screen.query_one("#review-note", Static))
        assert "访问权限复核需要权限" in note and "李娜" in note
        assert screen.query_one(FitTable).row_count == 0
        await pilot.press("s")
        await settle(app, pilot)
        assert isinstance(app.screen, AccessReviewScreen), "nothing to sign"
    assert staffed.head() == before
