"""The statistics screen at 80×24: counts by the chosen dimension, a chart whose Chinese labels
line up, the change since a past date, the XLSX export, and no amounts for a masked role."""

from __future__ import annotations

from collections import Counter

from openpyxl import load_workbook
from rich.cells import cell_len
from textual.widgets import Checkbox, DataTable, Input, Select

from custtui.core.archive.staff import add_person
from custtui.core.tasks import stats
from custtui.tui.screens.stats import WIDE_MARK, CellPlot, StatsScreen
from custtui.tui.widgets.customer_table import CustomerTable

from .conftest import settle, shown

SIZE = (80, 24)


def table_of(screen: StatsScreen) -> tuple[list[str], dict[str, list[str]]]:
    """The header and the rows (by their first cell) as the screen shows them."""
    grid = screen.query_one(DataTable)
    header = [str(c.label) for c in grid.columns.values()]
    rows = [[str(cell) for cell in grid.get_row_at(i)] for i in range(grid.row_count)]
    return header, {row[0]: row for row in rows}


def expected_counts(demo, dim: str) -> Counter:
    """Customers per label of ``dim``, read from every record and the schema."""
    schema = demo.schema()
    field = "customer_type" if dim == "type" else dim
    return Counter(schema.label(field, r.get(dim)) if r.get(dim) else stats.MISSING for r in demo.customers().values())


async def open_stats(app, pilot) -> StatsScreen:
    app.screen.query_one(CustomerTable).focus()  # where people are: the list's own s sorts it
    await pilot.press("i")
    await settle(app, pilot)
    assert isinstance(app.screen, StatsScreen)
    return app.screen


async def test_counts_chart_change_and_export_for_a_manager(open_app, demo, config):
    add_person(demo, "zhangwei", "张伟", "管理员")
    add_person(demo, "zhaolei", "赵磊", "管理层")
    async with open_app(user="赵磊", size=SIZE) as (app, pilot, _):
        screen = await open_stats(app, pilot)
        header, rows = table_of(screen)
        assert header == ["合作阶段", "客户数"]
        assert {label: int(row[1]) for label, row in rows.items()} == expected_counts(demo, "stage")

        screen.query_one("#stats-first", Select).value = "industry"
        await settle(app, pilot)
        header, rows = table_of(screen)
        assert header == ["行业", "客户数"]
        assert {label: int(row[1]) for label, row in rows.items()} == expected_counts(demo, "industry")

        chart = screen.query_one(CellPlot)
        screen.query_one("#stats-tabs").active = "stats-tab-chart"
        await settle(app, pilot)
        drawn = chart.render().plain
        axis = [line for line in drawn.splitlines() if "┤" in line]
        top = max(rows, key=lambda label: int(rows[label][1]))
        assert WIDE_MARK not in drawn and any(top in line for line in axis)
        assert len({cell_len(line[: line.index("┤")]) for line in axis}) == 1, "the axis is one straight line"

        since = screen.query_one(Input)
        since.value = "2025-12-31"
        await since.action_submit()
        screen.query_one(Checkbox).value = True
        await settle(app, pilot)
        header, _ = table_of(screen)
        assert header == [
            "行业",
            "客户数",
            stats.DEALS,
            stats.AMOUNT,
            "2025-12-31 客户数",
            "变化",
            f"2025-12-31 {stats.DEALS}",
        ]
        assert "与 2025-12-31" in shown(screen.query_one("#stats-change"))

        await pilot.press("ctrl+o")
        await settle(app, pilot)
        saved = list(config.export_dir.glob("客户结构-按行业-*.xlsx"))
        assert len(saved) == 1
        sheet = [list(r) for r in load_workbook(saved[0]).active.iter_rows(values_only=True)]
        assert sheet[0] == header and {row[0]: row[1] for row in sheet[1:]} == expected_counts(demo, "industry")


async def test_a_masked_role_sees_counts_but_no_amounts_and_may_not_export(open_app, demo, config):
    add_person(demo, "zhangwei", "张伟", "管理员")
    add_person(demo, "liuyang", "刘洋", "市场")
    async with open_app(user="刘洋", size=SIZE) as (app, pilot, _):
        screen = await open_stats(app, pilot)
        screen.query_one(Checkbox).value = True
        await settle(app, pilot)
        header, rows = table_of(screen)
        assert header == ["合作阶段", "客户数"]
        assert {label: int(row[1]) for label, row in rows.items()} == expected_counts(demo, "stage")
        assert stats.AMOUNTS_HIDDEN in shown(screen.query_one("#stats-note"))

        await pilot.press("ctrl+o")
        await settle(app, pilot)
        assert not config.export_dir.exists() or not any(config.export_dir.iterdir())
        assert any("导出资料" in str(n.message) for n in app._notifications)
