"""The layout at the sizes people have: 80×24 (most SSH clients), 120×40 and 200×60. At 80 columns
the customer takes the whole screen and Esc goes back to the list; no footer key is cut; each table
keeps the column that carries its meaning; Enter on a record shows it whole."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Footer, Static, TabbedContent
from textual.widgets._footer import FooterKey

from custtui.tui.screens.confirm import ConfirmScreen
from custtui.tui.screens.record_detail import RecordDetailScreen
from custtui.tui.screens.sync import SyncScreen
from custtui.tui.widgets.class_tree import ClassTree
from custtui.tui.widgets.customer_pane import CustomerPane
from custtui.tui.widgets.customer_table import CustomerTable
from custtui.tui.widgets.fit_table import Col, FitTable, clip, line_ends, plan

from .conftest import settle, shown
from .test_snapshots import record_conflict

NARROW = (80, 24)
HUAXIN = "北京华信机械设备制造有限公司"


def footer_keys(screen) -> list[str]:
    """The keys the footer shows, each asserted whole on screen and clear of the others."""
    footer = screen.query_one(Footer)
    keys = sorted(footer.query(FooterKey), key=lambda key: key.region.x)
    assert keys, "the footer shows keys"
    for key, after in zip(keys, keys[1:] + [None], strict=True):
        assert footer.region.contains_region(key.region), f"{key.description} is cut"
        assert after is None or key.region.right <= after.region.x, f"{key.description} is overlapped"
    return [key.description for key in keys]


def columns(table: FitTable) -> dict[str, int]:
    """The columns shown, each with its width."""
    return {str(column.label): column.width for column in table.ordered_columns}


async def open_customer_narrow(app, pilot, main) -> CustomerPane:
    await pilot.press("tab", "enter")
    await settle(app, pilot)
    return main.query_one(CustomerPane)


async def test_at_80x24_enter_gives_the_customer_the_screen_and_escape_goes_back(open_app):
    async with open_app(size=NARROW) as (app, pilot, main):
        pane, table = main.query_one(CustomerPane), main.query_one(CustomerTable)
        assert not pane.display and table.display and main.query_one(ClassTree).display
        assert table.size.width >= 50, "without the pane the list has the room"
        assert "帮助" in footer_keys(main) and "返回列表" not in footer_keys(main)

        await open_customer_narrow(app, pilot, main)
        assert pane.display and pane.size.width == 80, "the customer takes the whole width"
        assert not main.query_one("#middle").display and not main.query_one(ClassTree).display
        assert shown(pane.query_one("#customer-title", Static)).startswith(HUAXIN)
        assert pane in app.focused.ancestors, "the keys go to the customer's tabs"
        assert "法定代表人" in shown(pane.query_one("#overview", Static))
        keys = footer_keys(main)
        assert keys[0] == "返回列表" and "帮助" in keys

        await pilot.press("escape")
        await settle(app, pilot)
        assert not pane.display and table.display and app.focused is table
        assert table.current["id"] == pane.profile.customer_id, "the place in the list is kept"

        main.open_customer("BJ-000002")  # as search and the palette do
        await settle(app, pilot)
        assert pane.display and pane.size.width == 80 and pane.profile.customer_id == "BJ-000002"


async def test_at_80x24_tables_keep_the_column_that_carries_the_meaning(open_app):
    async with open_app(size=NARROW) as (app, pilot, main):
        pane = await open_customer_narrow(app, pilot, main)
        tabs = pane.query_one(TabbedContent)
        for tab, table_id, meaning in (
            ("tab-notes", "#notes", "内容"),
            ("tab-contacts", "#contacts", "电话"),
            ("tab-deals", "#deals", "产品/服务"),
            ("tab-history", "#history", "改动"),
        ):
            tabs.active = tab
            await settle(app, pilot)
            table = pane.query_one(table_id, FitTable)
            assert columns(table).get(meaning, 0) >= 20, f"{meaning} at {columns(table)}"
            assert sum(columns(table).values()) + 2 * len(columns(table)) <= 80, "no column off screen"
        history = pane.query_one("#history", FitTable)
        changes = [history.row_cells(i)[2] for i in range(history.row_count)]
        assert "沟通记录: 电话 2026-09-18 10:00" in changes, "the change, not the customer's ID and name again"
        assert not any(change.startswith(("沟通记录 BJ-000001", "归档 BJ-000001")) for change in changes)


async def test_enter_on_a_record_shows_it_whole(open_app):
    async with open_app(size=NARROW) as (app, pilot, main):
        pane = await open_customer_narrow(app, pilot, main)
        note = pane.profile.notes[0]
        pane.query_one(TabbedContent).active = "tab-notes"
        await settle(app, pilot)
        notes = pane.query_one("#notes", FitTable)
        notes.focus()
        notes.move_cursor(row=0)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, RecordDetailScreen)
        text = shown(app.screen.query_one("#record-table", Static)).replace("\n", "")
        for label, value in (("沟通内容", note["content"]), ("客户需求", note["needs"]), ("记录人", note["by"])):
            assert label in text and "".join(value.split()) in "".join(text.split())
        assert "file" not in text and ".toml" not in text, "no file names or field codes"

        second = pane.profile.notes[int(notes.ordered_rows[1].key.value)]
        await pilot.press("right")  # the next record of the list, without closing
        await settle(app, pilot)
        text = "".join(shown(app.screen.query_one("#record-table", Static)).split())
        assert "".join(second["content"].split()) in text
        assert f"(2/{notes.row_count})" in shown(app.screen.query_one("#record-title", Static))
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is main and app.focused is notes and notes.cursor_row == 1, "the list follows"

        for tab, table_id, labels in (
            ("tab-contacts", "#contacts", ["姓名", "职务", "电话", "决策人"]),
            ("tab-deals", "#deals", ["交易日期", "交易金额", "产品/服务", "合同编号", "记录人"]),
        ):
            pane.query_one(TabbedContent).active = tab
            await settle(app, pilot)
            pane.query_one(table_id, FitTable).focus()
            await pilot.press("enter")
            await settle(app, pilot)
            assert isinstance(app.screen, RecordDetailScreen)
            text = shown(app.screen.query_one("#record-table", Static))
            assert all(label in text for label in labels), text
            await pilot.press("escape")
            await settle(app, pilot)


async def test_wider_terminals_give_the_customer_and_its_records_the_room(open_app):
    for size, least in (((120, 40), 24), ((200, 60), 48)):
        async with open_app(size=size) as (app, pilot, main):
            assert {"搜索", "同步", "维度", "退出", "帮助"} <= set(footer_keys(main)), "nothing left out"
            pane = main.query_one(CustomerPane)
            assert pane.display and main.query_one(CustomerTable).display
            pane.query_one(TabbedContent).active = "tab-notes"
            await settle(app, pilot)
            assert columns(pane.query_one("#notes", FitTable))["内容"] >= least
            preview = shown(pane.query_one("#note-preview", Static))
            assert pane.query_one("#note-preview-box").display and "沟通内容" in preview, "the record whole below"


async def test_sync_at_80x24_keeps_both_values_and_asks_before_resolving(open_app, demo):
    record_conflict(demo.store.path)
    async with open_app(size=NARROW) as (app, pilot, main):
        await pilot.press("S")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, SyncScreen)
        shown_columns = columns(screen.query_one("#conflicts", FitTable))
        assert {"客户", "字段", "当前值", "另一方的值"} <= set(shown_columns) and "来自" not in shown_columns
        assert min(shown_columns["当前值"], shown_columns["另一方的值"]) >= 20
        assert "帮助" in footer_keys(screen)
        await pilot.press("c")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "BJ-000001 北京华信机械设备制造有限公司 的地址" in app.screen.question
        await pilot.press("n")
        await settle(app, pilot)
        assert app.screen is screen and len(screen.items) == 1, "n leaves the conflict open"
        assert "conflicts" in demo.customer("BJ-000001")


def test_text_is_cut_and_wrapped_at_word_boundaries():
    assert clip(Text("HT-2024-015 合同 签订"), 14).plain == "HT-2024-015…", "a number stays whole"
    assert clip(Text("Hello wonderful world"), 16).plain == "Hello wonderful…"
    assert clip(Text("确认交货期，客户要求四月前交货"), 20).plain == "确认交货期…", "after the comma, not mid-phrase"
    text = "工单 3 张均已关闭。客户询问 HT-2024-015 号"
    lines, start = [], 0
    for end in line_ends(text, 12):
        lines.append(text[start:end].strip())
        start = end
    assert lines == ["工单 3 张均", "已关闭。客户", "询问", "HT-2024-015", "号"], "。 never starts a line"
    narrow = plan((Col("来自", 4, drop=1), Col("值", 10, weight=1), Col("来自", 4, drop=1)), [4, 50, 4], 20)
    assert narrow == [0, 18, 0], "columns of one level give way together, the meaning keeps the room"


async def test_a_footer_asked_to_redraw_after_its_screen_closed_does_nothing(open_app):
    """Textual asks the footer to redraw after idle; when the screen closed meanwhile (seen in a
    sync test at exit), the request finds no screen and must not end the app with an error."""
    async with open_app(size=NARROW) as (app, pilot, main):
        footer = main.query_one(Footer)
        await footer.remove()
        await footer.recompose()
        assert app.is_running and len(main.query(Footer)) == 0
