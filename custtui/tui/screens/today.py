"""今日待办: the follow-ups due today or earlier, mine first, overdue marked; shown when the app
opens if there are any, and on ``D`` from the main screen. Enter opens the customer; ``d`` marks
one done and ``p`` postpones it (the rules' postpone_days), each one commit, in a worker."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from ...core.base.errors import CusttuiError
from ...core.tasks import followups
from ...core.tasks.followups import DueItem
from ..widgets.fit_table import clip

HINT = "回车 打开客户 · d 完成 · p 推迟 · Esc 关闭"
NAME_CELLS, ACTION_CELLS = 20, 16  # cells of a customer's name and of the action: a row fits 80 columns


@dataclass(frozen=True)
class TodayResult:
    """What the panel leaves the main screen: a customer to open, and whether it committed."""

    customer_id: str | None
    changed: bool


def load_due(app) -> list[DueItem]:
    """The due list as the app's user may see it (call from a worker)."""
    return app.read(lambda archive: followups.due(archive))


class TodayScreen(ModalScreen[TodayResult]):
    """The due follow-ups in a table; the list is read again after each change."""

    BINDINGS = [
        Binding("escape", "close", "关闭", id="today.close"),
        Binding("d", "done", "完成", id="today.done", tooltip="完成这条跟进 (清除它, 一次提交)"),
        Binding("p", "postpone", "推迟", id="today.postpone", tooltip="按规则推迟这条跟进 (一次提交)"),
    ]
    DEFAULT_CLASSES = "dialog"
    DEFAULT_CSS = """
    TodayScreen #today-table { height: auto; max-height: 14; }
    """

    @dataclass
    class Loaded(Message):
        items: list[DueItem]

    def __init__(self, items: list[DueItem] | None = None) -> None:
        super().__init__()
        self.items = items
        self.changed = False
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-body"):
            yield Static("今日待办", classes="dialog-title", id="today-title")
            yield DataTable(id="today-table", cursor_type="row", zebra_stripes=True)
            yield Static(HINT, classes="hint", id="today-hint")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("日期", "状态", "跟进人", "客户", "事项")  # who before what: both seen at 80 columns
        if self.items is None:
            self.reload()
        else:
            self.show(self.items)
        table.focus()

    @work(thread=True, exclusive=True, group="today")
    def reload(self) -> None:
        try:
            items = load_due(self.app)
        except CusttuiError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.post_message(self.Loaded(items))

    def on_today_screen_loaded(self, message: Loaded) -> None:
        self.show(message.items)

    def show(self, items: list[DueItem]) -> None:
        self.items = items
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        for item in items:
            state = Text(item.when_text, style="bold red" if item.days_late > 0 else "bold")
            owner = f"{item.owner} (我)" if item.mine else item.owner
            table.add_row(
                str(item.date),
                state,
                owner,
                clip(Text(item.name), NAME_CELLS),
                clip(Text(item.action), ACTION_CELLS),
                key=item.customer_id,
            )
        if items:
            table.move_cursor(row=min(keep, len(items) - 1))
        mine = sum(item.mine for item in items)
        title = f"今日待办: {len(items)} 条 (我的 {mine} 条)" if items else "今日待办: 没有到期的跟进"
        self.query_one("#today-title", Static).update(title)

    @property
    def current(self) -> DueItem | None:
        table = self.query_one(DataTable)
        if not self.items or table.cursor_row < 0 or table.cursor_row >= len(self.items):
            return None
        return self.items[table.cursor_row]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.dismiss(TodayResult(event.row_key.value, self.changed))

    def action_close(self) -> None:
        self.dismiss(TodayResult(None, self.changed))

    def action_done(self) -> None:
        if (item := self._writable()) is not None:
            self.write(item, "done")

    def action_postpone(self) -> None:
        if (item := self._writable()) is not None:
            self.write(item, "postpone")

    def _writable(self) -> DueItem | None:
        if self.busy:
            return None
        if not self.app.archive.user:
            self.notify("未设置操作人, 不能保存修改", severity="error")
            return None
        return self.current

    @work(thread=True, exclusive=True, group="today-write")
    def write(self, item: DueItem, what: str) -> None:
        """Mark ``item`` done or postpone it: one commit, then read the list again."""
        self.busy = True
        try:
            if what == "done":
                self.app.read(lambda archive: archive.finish_follow_up(item.customer_id))
                said = f"已完成 {item.customer_id} 的跟进: {item.action}"
            else:
                self.app.read(lambda archive: followups.postpone(archive, item.customer_id))
                step = self.app.read(lambda archive: archive.customer(item.customer_id).get("follow_up", {}))
                said = f"已推迟 {item.customer_id} 的跟进到 {step.get('date', '')}"
            self.changed = True
            self.app.call_from_thread(self.notify, said, timeout=4)
            self.post_message(self.Loaded(load_due(self.app)))
        except CusttuiError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=10)
        finally:
            self.busy = False
