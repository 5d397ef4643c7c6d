"""Screenshots of the archive log and of asking before a revert, at the sizes people have (see
``test_snapshots.py`` for how they are made and accepted)."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input

from custtui.tui.screens.history import ArchiveLogScreen, CommitScreen
from custtui.tui.screens.revert import RevertScreen

from .test_snapshots import app, loaded, on_screen  # noqa: F401 (fixtures)

STAGE_CHANGE = "合作阶段 稳定合作客户→终止合作客户"  # the demo's BJ-000008, ended for late deliveries


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60)])
def test_archive_log(snap_compare, app, size):  # noqa: F811
    """l: the newest commits; at 80×24 what changed keeps its width, when and who give way."""

    async def run_before(pilot):
        await loaded(pilot)
        await pilot.press("l")
        await on_screen(pilot, ArchiveLogScreen)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_revert_of_a_stage_change(snap_compare, app):  # noqa: F811
    """r on BJ-000008's stage change: the stage now → after, the step the history gains, the reason asked."""

    async def run_before(pilot):
        await loaded(pilot)
        await pilot.press("l")
        await on_screen(pilot, ArchiveLogScreen)
        table = pilot.app.screen.query_one(DataTable)
        row = next(r for r in range(table.row_count) if STAGE_CHANGE in str(table.get_row_at(r)[3]))
        table.move_cursor(row=row)
        await pilot.press("enter")
        await on_screen(pilot, CommitScreen)
        await pilot.press("r")
        await on_screen(pilot, RevertScreen)
        pilot.app.screen.query_one(Input).cursor_blink = False

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
