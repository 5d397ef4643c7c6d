"""The routine screens on the demo archive with a fixed today: the proposals in the standard's
labels, accepting some as one commit, changing the period, the half year's findings, at 80×24."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import git
from openpyxl import load_workbook
from textual.widgets import Input, Select, TabbedContent

from custtui.core.archive.staff import add_person
from custtui.core.base.errors import CusttuiError
from custtui.core.records.records import customer_dir
from custtui.core.records.validate import uscc_check_char
from custtui.core.tasks import routines
from custtui.tui.screens.confirm import ConfirmScreen
from custtui.tui.screens.routine import DEBOUNCE_S, RoutineScreen
from custtui.tui.widgets.customer_pane import CustomerPane
from custtui.tui.widgets.fit_table import FitTable

from .conftest import settle
from .test_forms_tui import typed
from .test_history_tui import text
from .test_layout_tui import NARROW, columns, footer_keys

TODAY = date(2026, 11, 30)  # the demo's contacts end in 2026: some customers have gone quiet by then


async def open_routine(app, pilot, main, code: str, period: str | None = None) -> RoutineScreen:
    """The routine's screen as the main screen opens it, judging by TODAY."""
    app.push_screen(RoutineScreen(code, period, today=TODAY), main._routine_closed)
    await settle(app, pilot)
    assert isinstance(app.screen, RoutineScreen) and app.screen.routine is not None
    return app.screen


def rows(screen: RoutineScreen, table: str = "#proposals") -> list[list[str]]:
    found = screen.query_one(table, FitTable)
    return [found.row_cells(i) for i in range(found.row_count)]


def expected_rows(archive, proposals) -> list[list[str]]:
    """Each proposal as a person should read it: labels of the standard, never its codes."""
    schema = archive.schema()

    def label(field: str, code) -> str:
        return schema.label(schema.field(field).dimension, code)

    return [
        ["接受", p.name, schema.field(p.field).label, f"{label(p.field, p.old)} → {label(p.field, p.new)}", p.evidence]
        for p in proposals
    ]


async def test_monthly_proposals_in_chinese_one_declined_the_rest_written_as_one_commit(open_app, demo):
    proposals = routines.run(demo, "monthly", "2026-11", TODAY).proposals
    assert len(proposals) >= 2, "the demo has customers gone quiet by the end of 2026-11"
    before = demo.head()
    async with open_app(size=NARROW) as (app, pilot, main):
        screen = await open_routine(app, pilot, main, "monthly")
        assert text(screen, "#routine-title").startswith("月度复核  2026-11  截至 2026-11-30")
        assert rows(screen) == expected_rows(demo, proposals)
        assert not {p.old for p in proposals} & {cell for row in rows(screen) for cell in " ".join(row).split()}
        declined = proposals[0]
        await pilot.press("space")  # the cursor starts on the first proposal
        await settle(app, pilot)
        assert rows(screen)[0][0] == "不接受" and {row[0] for row in rows(screen)[1:]} == {"接受"}
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        asked = app.screen
        assert isinstance(asked, ConfirmScreen)
        assert asked.question.startswith(f"写入已接受的 {len(proposals) - 1} 项建议?")
        await pilot.press("y")
        await settle(app, pilot)
        assert app.screen is screen, "the screen stays, refreshed"
        head = demo.head()
        assert git(demo.store.path, "rev-list", f"{before}..{head}").split() == [head], "exactly one commit"
        message = git(demo.store.path, "log", "-1", "--format=%B", head)
        assert "Custtui-Routine: monthly" in message and "Custtui-Period: 2026-11" in message
        written = {p.customer_id for p in proposals[1:]}
        changed = set(git(demo.store.path, "diff", "--name-only", before, head).split())
        assert changed == {f"{customer_dir(cid)}/customer.toml" for cid in written}
        assert all(demo.customer(p.customer_id)[p.field] == p.new for p in proposals[1:])
        assert demo.customer(declined.customer_id)[declined.field] == declined.old
        assert any(head[:10] in n.message for n in app._notifications), "the commit is named"
        assert [row[1] for row in rows(screen)] == [declined.name], "what was written is no longer proposed"


async def test_chooser_filters_and_periods_at_80x24(open_app, demo):
    q3, q2 = (routines.run(demo, "quarterly", text, TODAY).proposals for text in ("2026-Q3", "2026-Q2"))
    grades = [p for p in q3 if p.field == "grade"]
    beijing = [p for p in q3 if "北京" in p.name]
    assert 0 < len(grades) < len(q3) and 0 < len(beijing) < len(q3)
    async with open_app(size=NARROW) as (app, pilot, main):
        await pilot.press("R", "2")  # R opens the chooser, 2 picks 季度价值评估
        await settle(app, pilot)
        assert isinstance(app.screen, RoutineScreen) and app.screen.code == "quarterly"
        now = routines.period("quarterly", None, date.today()).text
        assert text(app.screen, "#routine-title").startswith(f"季度价值评估  {now}")
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is main

        screen = await open_routine(app, pilot, main, "quarterly", "2026-Q3")
        assert {"接受/不接受", "写入", "帮助"} <= set(footer_keys(screen))  # each whole, clear of the others
        table = screen.query_one("#proposals", FitTable)
        assert list(columns(table)) == ["决定", "客户", "项目", "原值 → 建议值", "依据"]
        assert rows(screen) == expected_rows(demo, q3)

        select = screen.query_one("#routine-field", Select)
        select.value = "grade"
        await settle(app, pilot)
        assert rows(screen) == expected_rows(demo, grades)
        select.clear()
        screen.query_one("#routine-name", Input).value = "北京"
        await pilot.pause(DEBOUNCE_S)
        await settle(app, pilot)
        assert [row[1] for row in rows(screen)] == [p.name for p in beijing]
        table.focus()
        await pilot.press("n")  # none of those listed
        await settle(app, pilot)
        assert {row[0] for row in rows(screen)} == {"不接受"}
        assert screen.chosen() == [p for p in q3 if p not in beijing]

        screen.query_one("#routine-name", Input).value = ""
        await pilot.press("left_square_bracket")
        await settle(app, pilot)
        assert "2026-Q2" in text(screen, "#routine-title") and rows(screen) == expected_rows(demo, q2)
        typed(app, "g", *"2026-Q4", "enter")  # in one read of the terminal: the dialog g opens takes the rest
        await settle(app, pilot)
        assert "2026-Q4 (进行中)  截至 2026-11-30" in text(screen, "#routine-title")
        assert app.screen is screen
        await pilot.press("right_square_bracket")  # the quarter of TODAY has no next
        await settle(app, pilot)
        assert "2026-Q4" in text(screen, "#routine-title")

        typed(app, "g", *"2026-Q5", "enter")
        await settle(app, pilot)
        with pytest.raises(CusttuiError) as refused:
            routines.period("quarterly", "2026-Q5")
        assert text(screen, "#routine-error").strip() == str(refused.value)
        assert "2026-Q4" in text(screen, "#routine-title"), "a bad period leaves the screen as it was"


async def test_halfyear_findings_grouped_by_kind_exported_and_enter_opens_the_customer(open_app, demo, config):
    uscc17 = "91110105MA01ABCD2"  # a second 北京华信: a suspected duplicate, its 规模 and 地域 not filled
    added, _ = demo.add_customer(
        "企业", "北京华信机械设备制造（集团）有限公司", {"industry": "制造业", "uscc": uscc17 + uscc_check_char(uscc17)}
    )
    run = routines.run(demo, "halfyear", "2026-H2", TODAY)
    assert len({f.kind for f in run.findings}) >= 3 and any(f.customer_id == added for f in run.findings)
    async with open_app(size=NARROW) as (app, pilot, main):
        screen = await open_routine(app, pilot, main, "halfyear")
        if run.proposals:
            await pilot.press("t")
            await settle(app, pilot)
        assert screen.query_one(TabbedContent).active == "tab-findings"
        listed = rows(screen, "#findings")
        assert sorted(map(tuple, listed)) == sorted(
            (f.kind, f"{f.name} {f.customer_id}", f.detail) for f in run.findings
        )
        kinds = [row[0] for row in listed]
        assert kinds == sorted(kinds, key=routines.FINDING_KINDS.index), "grouped by kind"
        keys = footer_keys(screen)
        assert {"切换列表", "导出", "帮助"} <= set(keys) and "写入" not in keys, "the keys of the findings"

        await pilot.press("x")
        await settle(app, pilot)
        [exported] = config.export_dir.glob("半年度复核-2026-H2-*.xlsx")
        sheet = load_workbook(exported).active
        assert [c.value for c in sheet[1]] == list(routines.TABLE_HEADER)
        assert sheet.max_row == 1 + len(run.proposals) + len(run.findings)

        row = next(i for i, f in enumerate(screen.findings_listed) if f.customer_id == added)
        screen.query_one("#findings", FitTable).move_cursor(row=row)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is main
        assert main.query_one(CustomerPane).profile.customer_id == added


async def test_a_role_that_may_not_edit_or_export_is_told_so_in_chinese_and_nothing_is_written(open_app, demo):
    add_person(demo, "zhangwei", "张伟", "管理员")  # the registry's first person manages it
    add_person(demo, "liuyang", "刘洋", "市场")  # reads, edits and exports nothing
    before = demo.head()
    async with open_app(user="刘洋", size=NARROW) as (app, pilot, main):
        screen = await open_routine(app, pilot, main, "monthly")
        assert screen.shown, "the proposals are shown to read"
        await pilot.press("ctrl+s", "y")
        await settle(app, pilot)
        await pilot.press("x")
        await settle(app, pilot)
        said = [n.message for n in app._notifications if n.severity == "error"]
        assert [m[:4] for m in said] == ["未写入:", "未导出:"], said
        assert said[0].count("刘洋 的角色 市场 没有") == 3 and "项同样缺少权限" in said[0], (
            "three named, the rest counted"
        )
        assert app.screen is screen and screen.routine is not None, "the screen stays as it was"
    assert demo.head() == before
