"""The main screen: classification tree | customers under the node | the selected customer."""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static, Tabs

from ...core.archive.archive import Archive, HistoryEntry
from ...core.base.errors import CusttuiError
from ...core.index.listing import Summary
from ...core.records.schema import Schema
from ...core.tasks import view
from ...core.tasks.browse import Classification
from ...core.tasks.profile import Profile
from ..widgets.class_tree import ClassTree
from ..widgets.customer_pane import CustomerPane
from ..widgets.customer_table import CustomerTable
from ..widgets.footer import FittedFooter
from ..widgets.header import ChineseHeader

WATCH_SECONDS = 3.0  # how often to look for commits made by other sessions
NARROW, WIDE = 100, 160  # below NARROW the customer takes the whole screen; from WIDE the panes are roomy


class MainScreen(Screen):
    """Browse by classification; every customer action starts here."""

    BINDINGS = [
        Binding("escape", "show_list", "返回列表", id="main.list", tooltip="窄屏: 从客户详情回到客户列表"),
        Binding(
            "slash", "search", "搜索", id="main.search", tooltip="搜索客户和资料 (名称片段、拼音、电话、编号、资料正文)"
        ),
        Binding("n", "new_customer", "新建", id="main.new", tooltip="新建客户"),
        Binding("e", "edit_customer", "编辑", id="main.edit", tooltip="编辑当前客户 (含合作阶段变更)"),
        Binding("c", "add_note", "沟通", id="main.note", tooltip="添加沟通记录"),
        Binding("t", "add_deal", "交易", id="main.deal", tooltip="添加交易记录"),
        Binding("a", "attach", "归档", id="main.attach", tooltip="从收件箱或路径归档资料"),
        Binding("l", "archive_log", "日志", id="main.log", tooltip="全档案审计日志 (按人员、日期筛选, 查看改动, 撤销)"),
        Binding("S", "sync", "同步", id="main.sync", tooltip="与其他办事处同步; 处理未解决的冲突和疑似重复客户"),
        Binding("o", "tree_order", "维度", id="main.tree_order", tooltip="选择分类树的维度和顺序"),
        Binding("i", "stats", "统计", show=False, id="main.stats", tooltip="客户结构统计: 客户数、金额、图表和变化"),
        Binding("y", "copy_field", "复制", show=False, id="main.copy", tooltip="复制当前客户的某一项到剪贴板"),
        Binding("R", "routines", "复核", show=False, id="main.routines", tooltip="例行复核: 月度、季度、半年度"),
        Binding("D", "today", "待办", show=False, id="main.today", tooltip="今日待办: 完成、推迟或打开客户"),
        Binding("A", "access_review", "权限", show=False, id="main.access_review", tooltip="访问权限复核与签署"),
        Binding("f5,ctrl+r", "reload", "刷新", show=False, id="main.reload", tooltip="重新读取档案"),
        Binding(
            "tab",
            "app.focus_next",
            "下一栏",
            show=False,
            id="main.focus_next",
            tooltip="切换到下一栏 (分类树、客户列表、客户详情)",
        ),
    ]

    @dataclass
    class ListingLoaded(Message):
        head: str | None
        classification: Classification
        keep_customer: str | None

    @dataclass
    class ProfileLoaded(Message):
        profile: Profile
        schema: Schema

    @dataclass
    class HistoryLoaded(Message):
        customer_id: str
        entries: list[HistoryEntry]

    def __init__(self) -> None:
        super().__init__()
        self.classification: Classification | None = None
        self.path: tuple[str, ...] = ()
        self.shown_commit: str | None = None
        self.last_sync = None  # the SyncResult of this session's last sync (its suspected duplicates)

    @property
    def archive(self) -> Archive:
        return self.app.archive

    def compose(self) -> ComposeResult:
        yield ChineseHeader()
        with Horizontal(id="panes"):
            yield ClassTree(id="tree")
            with Vertical(id="middle"):
                yield Static("正在读取档案…", id="node-title")
                yield CustomerTable(self.format_cell, id="table")
            yield CustomerPane(id="pane")
        yield FittedFooter()

    def on_mount(self) -> None:
        self.sub_title = f"{self.archive.archive_name()}  ·  {self.archive.display_name or '未设置操作人 (只读)'}"
        self.load_listing()  # then 今日待办: the due list never holds up the first listing
        self.set_interval(WATCH_SECONDS, self.check_for_changes)

    # --- layout --------------------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        """Three panes side by side; on a narrow terminal the list, or the customer full width."""
        width = event.size.width
        self.set_class(width < NARROW, "-narrow")
        self.set_class(NARROW <= width < WIDE, "-medium")
        if width >= NARROW:
            self.remove_class("-customer")
        self.refresh_bindings()

    @property
    def narrow(self) -> bool:
        return self.has_class("-narrow")

    @property
    def customer_view(self) -> bool:
        """On a narrow terminal, the customer pane is on screen (instead of the tree and list)."""
        return self.narrow and self.has_class("-customer")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_list":
            return self.customer_view
        return True

    def show_customer(self) -> None:
        """The customer pane gets the focus, taking the whole screen when it is narrow."""
        if self.narrow:
            self.add_class("-customer")
            self.refresh_bindings()
        self.call_after_refresh(self.query_one(CustomerPane).query_one(Tabs).focus)

    def action_show_list(self) -> None:
        self.remove_class("-customer")
        self.refresh_bindings()
        table = self.query_one(CustomerTable)
        self.call_after_refresh(table.focus)
        self.call_after_refresh(table.reveal_cursor)

    # --- loading -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="listing")
    def load_listing(self, keep_customer: str | None = None) -> None:
        """Read the listing and classify it (a worker: 100k customers must not freeze the screen)."""

        def classify(archive: Archive) -> tuple[str | None, Classification]:
            head = archive.head()
            return head, Classification(archive.schema(head), view.customers(archive, head), self.app.config.tree_order)

        try:
            head, classification = self.app.read(classify)
        except CusttuiError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=15)
            return
        self.post_message(self.ListingLoaded(head, classification, keep_customer))

    def on_main_screen_listing_loaded(self, message: ListingLoaded) -> None:
        head, classification, keep_customer = message.head, message.classification, message.keep_customer
        if self.classification is None:  # the app has just opened
            self.offer_today()
        self.shown_commit = head
        self.classification = classification
        self.query_one(ClassTree).show(classification, self.path)
        self._show_members(keep_customer)
        if keep_customer and self.current_row != keep_customer:
            self.open_customer(keep_customer)
        self.prefetch_levels(classification)

    @work(thread=True, exclusive=True, group="prefetch")
    def prefetch_levels(self, classification: Classification) -> None:
        """Group the first two levels in the background, so expanding a node with tens of
        thousands of customers under it shows its children at once (they are cached)."""
        for node in classification.children():
            for child in classification.children(node.path):
                classification.children(child.path)

    def _show_members(self, keep_customer: str | None = None) -> None:
        assert self.classification is not None
        table = self.query_one(CustomerTable)
        keep = keep_customer or (table.current.get("id") if table.current else None)
        members = self.classification.members(self.path)
        table.set_rows(members, keep=keep)
        self.query_one("#node-title", Static).update(
            f"{self.classification.describe(self.path)}  [dim]{len(members)} 位客户 · 按 s 排序[/]"
        )

    def check_for_changes(self) -> None:
        """Someone else committed (another session, a sync): show the new state, keep the place.
        Not this session's own write, while it holds the archive or after: its screen announces
        that commit (between the write and that screen's refresh, a tick of this watcher used to
        call it someone else's)."""
        if not self.app.archive_lock.acquire(blocking=False):
            return
        try:
            head = self.archive.store.head()
        finally:
            self.app.archive_lock.release()
        moved = self.shown_commit is not None and head not in (self.shown_commit, self.app.own_head)
        if moved:
            self.notify("档案已有新的提交, 已刷新", timeout=4)
            self.refresh_after_change()

    def refresh_after_change(self, customer_id: str | None = None) -> None:
        """Reload the listing and the shown customer after a commit (ours or someone else's)."""
        self.shown_commit = self.archive.store.head()
        self.load_listing(customer_id)

    # --- tree and table ------------------------------------------------------------------

    def on_class_tree_picked(self, event: ClassTree.Picked) -> None:
        if self.classification is None or event.path == self.path:
            return
        self.path = event.path
        self._show_members()

    def on_customer_table_highlighted(self, event: CustomerTable.Highlighted) -> None:
        self.load_profile(event.summary.get("id"))

    def on_customer_table_chosen(self, event: CustomerTable.Chosen) -> None:
        self.show_customer()

    @work(thread=True, exclusive=True, group="profile")
    def load_profile(self, customer_id: str) -> None:
        try:
            profile = self.app.read(lambda archive: Profile.load(archive, customer_id))
            schema = self.app.read(lambda archive: archive.schema(profile.commit))
        except CusttuiError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.post_message(self.ProfileLoaded(profile, schema))  # dropped if the user quit meanwhile

    def on_main_screen_profile_loaded(self, message: ProfileLoaded) -> None:
        self.query_one(CustomerPane).show_profile(message.profile, message.schema)

    def on_customer_pane_history_wanted(self, event: CustomerPane.HistoryWanted) -> None:
        self.load_history(event.customer_id)

    @work(thread=True, exclusive=True, group="history")
    def load_history(self, customer_id: str) -> None:
        entries = self.app.read(lambda archive: view.history(archive, customer_id))
        self.post_message(self.HistoryLoaded(customer_id, entries))

    def on_main_screen_history_loaded(self, message: HistoryLoaded) -> None:
        self.query_one(CustomerPane).show_history(message.customer_id, message.entries)

    def format_cell(self, summary: Summary, key: str) -> str:
        """A listed value as people read it (labels, not codes)."""
        if key == "name" and summary.get("error"):
            return f"⚠ 记录已损坏: {summary.get('error')}"
        value = summary.get(key)
        if value is None or self.classification is None:
            return "" if value is None else str(value)
        schema = self.classification.schema
        if key == "region":
            return schema.region_label(value)
        if key in ("stage", "status", "industry"):
            return schema.label(key, value)
        return str(value)

    @property
    def current_row(self) -> str | None:
        current = self.query_one(CustomerTable).current
        return current.get("id") if current else None

    @property
    def current_customer(self) -> str | None:
        pane = self.query_one(CustomerPane)
        return pane.profile.customer_id if pane.profile else None

    def open_customer(self, customer_id: str, tab: str | None = None) -> None:
        """Show a customer (from search, the palette or a new record): in the current node if it is
        there, otherwise in 全部客户."""
        table = self.query_one(CustomerTable)
        if not table.select_id(customer_id) and self.path:  # moving the cursor loads the profile
            self.path = ()
            self.query_one(ClassTree).move_cursor(self.query_one(ClassTree).root)
            self._show_members(customer_id)
        if table.current is None or table.current.get("id") != customer_id:
            self.load_profile(customer_id)  # not listed (yet): show it anyway
        if tab:
            self.query_one(CustomerPane).query_one("TabbedContent").active = tab
        self.call_after_refresh(table.reveal_cursor)
        if self.narrow:
            self.show_customer()
        else:
            table.focus()

    # --- actions -------------------------------------------------------------------------

    def changed(self, customer_id: str | None) -> None:
        """Callback of screens that may commit: None when nothing changed, otherwise the customer
        to show afterwards ("" when the change concerns no single customer)."""
        if customer_id is not None:
            self.refresh_after_change(customer_id or None)

    def _editable_customer(self) -> str | None:
        """The shown customer when the user may change it; otherwise say why not and return None."""
        if not self._may_write():
            return None
        if self.current_customer is None:
            self.notify("请先在列表中选择客户", severity="warning")
        return self.current_customer

    def _may_write(self) -> bool:
        if not self.archive.user:
            self.notify(
                "未设置操作人, 不能保存修改: 请用 --user 或 CUSTTUI_USER 指定你的姓名后重新打开",
                severity="error",
                timeout=10,
            )
        return bool(self.archive.user)

    def action_new_customer(self) -> None:
        from .edit import CustomerForm, CustomerTypeScreen

        if self._may_write():
            self.app.push_screen(
                CustomerTypeScreen(),
                lambda ctype: (
                    ctype and self.app.push_screen(CustomerForm(self.archive, customer_type=ctype), self.changed)
                ),
            )

    def action_edit_customer(self) -> None:
        from .edit import CustomerForm

        if customer_id := self._editable_customer():
            self.app.push_screen(CustomerForm(self.archive, customer_id), self.changed)

    def action_add_note(self) -> None:
        from .facts import NoteForm

        if customer_id := self._editable_customer():
            self.app.push_screen(NoteForm(self.archive, customer_id), self.changed)

    def action_add_deal(self) -> None:
        from .facts import DealForm

        if customer_id := self._editable_customer():
            self.app.push_screen(DealForm(self.archive, customer_id), self.changed)

    def action_tree_order(self) -> None:
        from .tree_order import TreeOrderScreen

        self.app.push_screen(TreeOrderScreen(self.app.config.tree_order), self._tree_order_chosen)

    def _tree_order_chosen(self, order: tuple[str, ...] | None) -> None:
        if order and order != self.app.config.tree_order:
            self.app.config.tree_order = order
            self.app.save_config()
            self.path = ()
            self.load_listing(self.current_customer)

    def action_stats(self) -> None:
        from .stats import StatsScreen

        self.app.push_screen(StatsScreen())

    def action_access_review(self) -> None:
        from .access_review import AccessReviewScreen

        self.app.push_screen(AccessReviewScreen())

    @work(thread=True, exclusive=True, group="today")
    def offer_today(self) -> None:
        """As the app opens: 今日待办, when a follow-up is due."""
        from .today import load_due

        try:
            items = load_due(self.app)
        except CusttuiError:
            return  # the listing's worker says what is wrong
        if items:
            self.app.call_from_thread(lambda: self.app.screen is self and self.action_today(items))

    def action_today(self, items=None) -> None:
        from .today import TodayScreen

        self.app.push_screen(TodayScreen(items), self._today_closed)

    def _today_closed(self, result) -> None:
        if result.changed:
            self.refresh_after_change(result.customer_id)
        if result.customer_id:
            self.open_customer(result.customer_id)

    def action_search(self) -> None:
        from .search import SearchScreen

        self.app.push_screen(SearchScreen(), self._search_done)

    def _search_done(self, choice) -> None:
        if choice is not None:
            self.open_customer(choice.customer_id, "tab-documents" if choice.document else None)

    def action_attach(self) -> None:
        from .attach import AttachScreen

        self.app.push_screen(AttachScreen(self.current_customer), self.changed)

    def on_customer_pane_document_chosen(self, event: CustomerPane.DocumentChosen) -> None:
        from .document import DocumentScreen

        self.app.push_screen(DocumentScreen(event.customer_id, event.document), self.changed)

    def action_archive_log(self) -> None:
        from .history import ArchiveLogScreen

        self.app.push_screen(ArchiveLogScreen(), self.changed)

    def on_customer_pane_commit_chosen(self, event: CustomerPane.CommitChosen) -> None:
        from .history import CommitScreen

        self.app.push_screen(CommitScreen(event.commit), self.changed)

    def action_sync(self) -> None:
        from .sync import SyncScreen

        self.app.push_screen(SyncScreen(self.last_sync, self._remember_sync), self.changed)

    def action_merge_customer(self) -> None:
        from .sync import MergeCustomerScreen

        if customer_id := self._editable_customer():
            name = self.query_one(CustomerPane).profile.record.get("name", "")
            self.app.push_screen(MergeCustomerScreen(customer_id, name), self.changed)

    def action_erase_customer(self) -> None:
        from .erase import EraseScreen

        if customer_id := self._editable_customer():
            name = self.query_one(CustomerPane).profile.record.get("name", "")
            self.app.push_screen(EraseScreen(customer_id, name), self.changed)

    def _remember_sync(self, result) -> None:
        self.last_sync = result

    def action_reload(self) -> None:
        self.refresh_after_change()

    def action_routines(self) -> None:
        from .routine import RoutineChooser

        self.app.push_screen(RoutineChooser(), lambda code: code and self.action_routine(code))

    def action_routine(self, code: str) -> None:
        """A routine's screen for the current period (月度复核, 季度价值评估, 半年度复核)."""
        from .routine import RoutineScreen

        self.app.push_screen(RoutineScreen(code), self._routine_closed)

    def _routine_closed(self, customer_id: str | None) -> None:
        """Show what a routine wrote, and the customer of a finding opened from it."""
        self.changed(customer_id)
        if customer_id:
            self.open_customer(customer_id)

    def action_copy_field(self) -> None:
        from .copy_field import CopyFieldScreen

        pane = self.query_one(CustomerPane)
        if pane.profile is None:
            self.notify("请先选择客户", severity="warning")
            return
        self.app.push_screen(CopyFieldScreen(self.archive.schema(pane.profile.commit), pane.profile.record))
