"""The audit screens on the demo archive: the log and its filters, a commit in Chinese, revert."""

from __future__ import annotations

from conftest import git
from textual.widgets import DataTable, Select, Static, TabbedContent

from custtui.core.tasks.audit import without_customer
from custtui.tui.screens.history import LOG_LIMIT, ArchiveLogScreen, CommitScreen
from custtui.tui.screens.main import WATCH_SECONDS
from custtui.tui.screens.revert import RevertScreen
from custtui.tui.widgets.customer_table import CustomerTable

from .conftest import settle, shown

STAFF = {"张伟", "王芳", "李娜", "刘洋", "赵磊", "陈静", "系统管理员"}


def text(screen, selector: str) -> str:
    return shown(screen.query_one(selector, Static))


def listed(screen) -> list[str]:
    """The commits in the log table, top to bottom."""
    table = screen.query_one("#log-table", DataTable)
    return [table.coordinate_to_cell_key((row, 0)).row_key.value for row in range(table.row_count)]


def column(screen, index: int) -> set[str]:
    table = screen.query_one("#log-table", DataTable)
    return {str(table.get_row_at(row)[index]) for row in range(table.row_count)}


async def open_log(app, pilot) -> ArchiveLogScreen:
    await pilot.press("l")
    await settle(app, pilot)
    assert isinstance(app.screen, ArchiveLogScreen)
    return app.screen


async def type_into(pilot, selector: str, value: str) -> None:
    await pilot.click(selector)
    await pilot.press(*value, "enter")


def another(schema, dimension: str, current: str) -> str:
    return next(v.code for v in schema.dimension(dimension).values if v.code != current)


async def test_the_log_lists_the_newest_commits_with_who_and_what(open_app, demo):
    async with open_app() as (app, pilot, main):
        log = await open_log(app, pilot)
        newest = git(demo.store.path, "log", f"-n{LOG_LIMIT}", "--format=%H").split()
        assert listed(log) == newest
        assert column(log, 1) <= STAFF
        assert f"只显示最近 {LOG_LIMIT} 条" in text(log, "#log-note")  # the demo has more
        first = [str(cell) for cell in log.query_one(DataTable).get_row_at(0)]
        entry = demo.history(limit=1)[0]
        assert first[2] == f"{demo.customer(entry.customer)['name']} {entry.customer}"
        assert entry.customer not in first[3]
        await pilot.press("escape")
        assert app.screen is main


def rendered(screen) -> list[str]:
    """The log table's lines as the terminal shows them, header first."""
    table = screen.query_one("#log-table", DataTable)
    return [table.render_line(y).text for y in range(table.size.height)]


async def test_at_80_by_24_what_changed_keeps_its_width_and_at_200_by_60_everything_shows(open_app, demo):
    customer_id = "BJ-000001"
    name = demo.customer(customer_id)["name"]
    demo.update_customer(customer_id, {"stage": another(demo.schema(), "stage", demo.customer(customer_id)["stage"])})
    entry = demo.history(limit=1)[0]
    what = without_customer(entry)
    async with open_app(size=(80, 24)) as (app, pilot, main):
        log = await open_log(app, pilot)
        header, newest = rendered(log)[:2]
        assert header.split() == ["时间", "操作人", "客户", "内容"]
        assert what in newest, "what changed, whole"
        assert f"{entry.when:%Y-%m-%d}" in newest and entry.author in newest and name[:4] in newest
        assert f"{entry.when:%H:%M}" not in newest and customer_id not in newest, "when and whom give way"
        assert [f.region.right <= 80 for f in log.query("#log-filters > *")] == [True] * 3, "every filter on screen"
    async with open_app(size=(200, 60)) as (app, pilot, main):
        log = await open_log(app, pilot)
        newest = rendered(log)[1]
        for shown_whole in (f"{entry.when:%Y-%m-%d %H:%M}", entry.author, f"{name} {customer_id}", what):
            assert shown_whole in newest


async def test_filtering_by_person_shows_only_their_commits(open_app, demo):
    async with open_app() as (app, pilot, main):
        log = await open_log(app, pilot)
        select = log.query_one(Select)
        assert {label for label, _ in select._options if label} == STAFF
        select.value = "王芳"
        await settle(app, pilot)
        assert listed(log) == git(demo.store.path, "log", "--author=王芳", "--format=%H").split()
        assert column(log, 1) == {"王芳"}
        assert text(log, "#log-note").startswith(f"共 {len(listed(log))} 条")


async def test_filtering_by_period(open_app, demo):
    async with open_app() as (app, pilot, main):
        log = await open_log(app, pilot)
        await type_into(pilot, "#log-since", "2025-01-01")
        await type_into(pilot, "#log-until", "2025/3/31")
        await settle(app, pilot)
        expected = git(
            demo.store.path, "log", "--since=2025-01-01 00:00", "--until=2025-03-31 23:59:59", "--format=%H"
        ).split()
        assert expected and listed(log) == expected
        assert {when[:7] for when in column(log, 0)} <= {"2025-01", "2025-02", "2025-03"}


async def test_an_invalid_date_is_explained_and_the_list_kept(open_app):
    async with open_app() as (app, pilot, main):
        log = await open_log(app, pilot)
        before = listed(log)
        await type_into(pilot, "#log-until", "2025-13-01")
        await settle(app, pilot)
        assert "截止日期" in text(log, "#log-error") and "月份应为 1-12" in text(log, "#log-error")
        assert listed(log) == before
        await type_into(pilot, "#log-since", "上个月")
        assert "起始日期" in text(log, "#log-error") and "YYYY-MM-DD" in text(log, "#log-error")
        log.query_one("#log-until").value = "2024-01-01"
        log.query_one("#log-since").value = "2025-01-01"
        await type_into(pilot, "#log-since", "")
        assert "晚于截止日期" in text(log, "#log-error")


async def test_a_stage_change_reads_as_chinese_labels_from_the_customer_history_tab(open_app, demo):
    stage_change = next(e for e in demo.history() if e.action == "update" and e.fields == ["stage"])
    ((_, fields),) = demo.changes_in(stage_change.commit)
    schema = demo.schema()
    old, new = next(
        (schema.label("stage", was), schema.label("stage", now)) for key, was, now in fields if key == "stage"
    )
    async with open_app() as (app, pilot, main):
        assert main.query_one(CustomerTable).select_id(stage_change.customer)
        await settle(app, pilot)
        main.query_one("#customer-tabs", TabbedContent).active = "tab-history"
        await settle(app, pilot)
        history = main.query_one("#history", DataTable)
        history.move_cursor(row=history.get_row_index(stage_change.commit))
        history.focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, CommitScreen)
        assert f"合作阶段: {old} → {new}" in text(app.screen, "#commit-changes")
        assert stage_change.author in text(app.screen, "#commit-meta")
        await pilot.press("escape")
        assert app.screen is main


def notices(app) -> list[str]:
    return [f"{n.title} {n.message}" for n in app._notifications]


async def open_commit(app, pilot, log, commit: str) -> CommitScreen:
    log.query_one(DataTable).move_cursor(row=listed(log).index(commit))
    await pilot.press("enter")
    await settle(app, pilot)
    assert isinstance(app.screen, CommitScreen)
    return app.screen


async def test_revert_shows_each_field_now_and_after_and_comes_back_to_the_customer(open_app, demo):
    customer_id = "BJ-000001"
    schema = demo.schema()
    grade = demo.customer(customer_id)["grade"]
    other = another(schema, "grade", grade)
    edit = demo.update_customer(customer_id, {"grade": other})
    async with open_app(size=(80, 24)) as (app, pilot, main):
        log = await open_log(app, pilot)
        assert listed(log)[0] == edit
        await open_commit(app, pilot, log, edit)
        await pilot.press("r")
        await settle(app, pilot)
        assert isinstance(app.screen, RevertScreen)
        shown_lines = [shown(s).strip() for s in app.screen.query("#revert-changes Static")]
        assert shown_lines == [
            "修改客户资料",
            f"客户等级: {schema.label('grade', other)} → {schema.label('grade', grade)}",
        ]
        assert not app.screen.query("#revert-reason"), "no reason asked when the stage stays"
        await pilot.press("n")  # changed my mind: nothing happens
        await settle(app, pilot)
        assert demo.head() == edit and isinstance(app.screen, CommitScreen)
        await pilot.press("r")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert app.screen is main and main.current_customer == customer_id
        assert git(demo.store.path, "log", "-1", "--format=%an %s").startswith("张伟 撤销 BJ-000001")
        assert demo.customer(customer_id)["grade"] == grade
        assert any(n.startswith(f"已撤销 {customer_id} 客户等级: ") for n in notices(app)), notices(app)
        await pilot.pause(WATCH_SECONDS + 0.5)  # the main screen has looked for others' commits meanwhile
        assert not any("档案已有新的提交" in n for n in notices(app)), "the revert is this session's own change"


async def test_reverting_a_stage_change_asks_why_and_keeps_the_stage_history(open_app, demo):
    customer_id = "BJ-000001"
    before = demo.customer(customer_id)
    ended = demo.update_customer(customer_id, {"stage": "终止合作客户"}, reason="交货延迟: 客户解除协议")
    async with open_app(size=(80, 24)) as (app, pilot, main):
        log = await open_log(app, pilot)
        commit = await open_commit(app, pilot, log, ended)
        assert "变更原因: 交货延迟: 客户解除协议" in text(commit, "#commit-changes")
        await pilot.press("r")
        await settle(app, pilot)
        confirm = app.screen
        assert isinstance(confirm, RevertScreen) and confirm.focused is confirm.query_one("#revert-reason")
        was = demo.schema().label("stage", before["stage"])
        assert f"合作阶段: 终止合作客户 → {was}" in [shown(s).strip() for s in confirm.query("#revert-changes Static")]
        await pilot.press("enter")  # no reason yet: asked again, nothing written
        await settle(app, pilot)
        assert app.screen is confirm and "请填写阶段变更原因" in text(confirm, "#revert-error")
        assert demo.head() == ended
        await pilot.press(*"误操作", "enter")
        await settle(app, pilot)
        assert app.screen is main
    record = demo.customer(customer_id)
    assert record["stage"] == before["stage"]
    assert record["stage_history"][:-1] == [*before.get("stage_history", []), record["stage_history"][-2]]
    assert [(s["from"], s["to"], s["reason"]) for s in record["stage_history"][-2:]] == [
        (before["stage"], "terminated", "交货延迟: 客户解除协议"),
        ("terminated", before["stage"], "误操作"),
    ]


async def test_revert_refused_when_a_later_edit_changed_the_same_field(open_app, demo):
    customer_id = "BJ-000001"
    schema = demo.schema()
    grade = demo.customer(customer_id)["grade"]
    first = demo.update_customer(customer_id, {"grade": another(schema, "grade", grade)})
    later = demo.update_customer(customer_id, {"grade": grade})
    async with open_app() as (app, pilot, main):
        log = await open_log(app, pilot)
        await open_commit(app, pilot, log, first)
        await pilot.press("r")
        await settle(app, pilot)
        assert isinstance(app.screen, CommitScreen), "nothing to confirm"
        assert "不能撤销" in text(app.screen, "#commit-error")
        assert "客户等级」在该提交之后又被修改" in text(app.screen, "#commit-error")
        assert demo.head() == later and demo.customer(customer_id)["grade"] == grade
