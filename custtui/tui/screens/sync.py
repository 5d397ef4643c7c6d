"""The sync screen: sync with another office, then settle what the merge could not decide alone —
open conflicts (keep the current value or take the other one, each a commit) and customers two
offices both registered (fold one into the other)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    Button,
    DataTable,
    Input,
    OptionList,
    Select,
    Static,
)
from textual.widgets.option_list import Option

from ...core.archive.archive import Archive
from ...core.base.errors import CusttuiError
from ...core.records.schema import Schema
from ...core.sync.reconcile import (
    KEEP_CURRENT,
    TAKE_OTHER,
    merge_customers,
    resolve_conflict,
)
from ...core.sync.sync import (
    SyncResult,
    default_remote,
    find_duplicates,
    remotes,
    sync,
)
from ...core.tasks.conflicts import OpenConflict, open_conflicts
from ..widgets.fit_table import Col, FitTable
from ..widgets.footer import FittedFooter
from ..widgets.header import ChineseHeader
from .confirm import ConfirmScreen

# the two values are what a conflict is about: who set them gives way first on a narrow terminal
# (the detail under the table shows everything of the selected conflict)
CONFLICT_COLUMNS = (
    Col("客户", 16, weight=2, most=40),
    Col("字段", 6, weight=1, most=16),
    Col("当前值", 14, weight=4),
    Col("来自", 10, weight=1, most=16, drop=1),
    Col("另一方的值", 14, weight=4),
    Col("来自", 10, weight=1, most=16, drop=1),
)
DUPLICATE_COLUMNS = (
    Col("客户 A (保留)", 16, weight=2),
    Col("客户 B (并入 A)", 16, weight=2),
    Col("原因", 10, weight=1),
)
PROGRESS_LINES = 6  # the last progress messages shown while a sync runs


def resolve_shown(archive: Archive, item: OpenConflict, keep: str) -> str:
    """Resolve the conflict shown, found again by what it says (the list may be older than the
    archive, and another session may have resolved one before it)."""
    return resolve_conflict(
        archive, item.customer_id, item.number, keep, document=item.document, expected=item.conflict
    )


def resolve_question(item: OpenConflict, schema: Schema | None, current: bool) -> ConfirmScreen:
    """The confirmation before settling a conflict: the customer, the field, the value kept and the
    value discarded, each with who set it."""
    assert schema is not None
    where = item.label(schema) + (f" (资料 {item.document})" if item.document else "")
    kept, dropped = ("kept", "other") if current else ("other", "kept")
    return ConfirmScreen(
        f"{item.customer_id} {item.name} 的{where}: {'保留当前值' if current else '改用另一方的值'}?",
        [
            f"保留: {item.value_text(schema, kept)}  — {item.who(kept)}",
            f"放弃: {item.value_text(schema, dropped)}  — {item.who(dropped)}",
            "将产生一个新的提交, 历史中仍可查到和撤销",
        ],
        yes="保留当前值" if current else "改用另一方",
    )


def merge_question(keep: str, keep_name: str, fold: str, fold_name: str, why: str = "") -> ConfirmScreen:
    """The confirmation before folding ``fold`` into ``keep``: what will happen to each."""
    details = ([f"原因: {why}"] if why else []) + [
        f"{fold} 的沟通记录、交易和资料移到 {keep}",
        f"{keep} 缺少的字段由 {fold} 补上, {fold} 的名称记为简称; 两边不同的值记为 {keep} 的未解决冲突",
        f"{fold} 留作指向 {keep} 的记录, 不再列出; 两边的历史都保留",
    ]
    return ConfirmScreen(f"把 {fold} {fold_name} 并入 {keep} {keep_name}?", details, yes="合并")


class SyncScreen(Screen[str | None]):
    """Sync, open conflicts, suspected duplicates.

    Dismisses with None when nothing changed, otherwise with the customer to show afterwards
    ("" when the change concerns no single customer, as after a sync)."""

    CSS_PATH = "sync.tcss"
    BINDINGS = [
        Binding("escape", "close", "返回", id="sync.close"),
        Binding("s", "run_sync", "立即同步", id="sync.run", tooltip="获取、合并并推送到远程仓库"),
        Binding("c", "keep(True)", "保留当前值", id="sync.keep_current", tooltip="选中的冲突: 保留当前值 (一次提交)"),
        Binding(
            "o", "keep(False)", "改用另一方", id="sync.take_other", tooltip="选中的冲突: 改用另一方的值 (一次提交)"
        ),
        Binding(
            "m", "merge(False)", "合并重复", id="sync.merge", tooltip="选中的疑似重复客户: 把 B 并入 A (确认后一次提交)"
        ),
        Binding(
            "M",
            "merge(True)",
            "反向合并",
            show=False,
            id="sync.merge_reverse",
            tooltip="选中的疑似重复客户: 把 A 并入 B",
        ),
        Binding("f5,ctrl+r", "reload", "刷新", show=False, id="sync.reload", tooltip="重新读取冲突列表"),
    ]

    @dataclass
    class Progress(Message):
        text: str

    @dataclass
    class Finished(Message):
        result: SyncResult | None
        error: str | None

    def __init__(self, last: SyncResult | None = None, remember: Callable[[SyncResult], None] | None = None) -> None:
        super().__init__()
        self.last = last
        self.remember = remember or (lambda result: None)
        self.running = False
        self.busy = False  # a resolve or merge is being committed
        self.items: dict[str, OpenConflict] = {}
        self.schema: Schema | None = None
        self.duplicates: list[tuple[str, str, str]] = list(last.duplicates) if last else []
        self.names: dict[str, str] = {}
        self.progress: list[str] = []
        self.changed_customer: str | None = None

    def compose(self) -> ComposeResult:
        yield ChineseHeader()
        with Horizontal(id="sync-bar"):
            yield Static("正在读取远程仓库…", id="sync-remotes")
            yield Select[str]([], allow_blank=True, prompt="远程仓库", id="sync-remote")
            yield Button("立即同步 (s)", id="sync-run", variant="primary")
        yield Static(id="sync-status")
        yield Static(id="sync-error", classes="field-error")
        with Vertical(id="sync-conflicts-box"):
            yield Static("未解决的冲突", id="conflicts-title", classes="section-title")
            yield FitTable(CONFLICT_COLUMNS, id="conflicts")
            yield Static(id="conflict-detail")
        with Vertical(id="sync-duplicates-box"):
            yield Static("疑似重复客户", id="duplicates-title", classes="section-title")
            yield FitTable(DUPLICATE_COLUMNS, id="duplicates")
        yield FittedFooter()

    def on_mount(self) -> None:
        self.sub_title = "办事处同步"
        self.query_one("#sync-remote", Select).display = False
        self._say("#sync-status", "")
        self._say("#sync-error", "")
        if self.last is not None:
            self._show_result(self.last, previous=True)
        self.query_one("#conflicts", FitTable).focus()
        self.load_remotes()
        self.load_conflicts()

    # --- remotes -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="sync-remotes")
    def load_remotes(self) -> None:
        def read(archive: Archive) -> tuple[dict[str, str], str | None]:
            known = remotes(archive)
            try:
                chosen = default_remote(archive)
            except CusttuiError:
                chosen = None
            return known, chosen

        try:
            known, chosen = self.app.read(read)
        except CusttuiError as exc:
            self.app.call_from_thread(self._show_error, str(exc))
            return
        self.app.call_from_thread(self._show_remotes, known, chosen)

    def _show_remotes(self, known: dict[str, str], chosen: str | None) -> None:
        label = self.query_one("#sync-remotes", Static)
        select = self.query_one("#sync-remote", Select)
        if not known:
            label.update(
                Text(
                    "没有配置远程仓库: 请先在命令行用 custtui remote add 名称 地址 添加 "
                    "(如 custtui remote add origin ssh://服务器/srv/archive.git)",
                    style="bold",
                )
            )
            return
        label.update(
            Text.assemble(
                "远程仓库: ", *(part for name, url in known.items() for part in ((name, "bold"), f" {url}   "))
            )
        )
        if len(known) > 1:
            select.set_options((f"{name}  {url}", name) for name, url in known.items())
            if chosen:
                select.value = chosen
            select.display = True

    def chosen_remote(self) -> str | None:
        select = self.query_one("#sync-remote", Select)
        if select.display and not select.is_blank():
            return str(select.value)
        return None

    # --- syncing -------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "sync-run":
            self.action_run_sync()

    def action_run_sync(self) -> None:
        if self.running:
            self.notify("同步正在进行, 请稍候", severity="warning")
            return
        self.running = True
        self.progress = []
        self.query_one("#sync-run", Button).disabled = True
        self._say("#sync-error", "")
        self._say("#sync-status", "正在同步…")
        self.run_sync(self.chosen_remote())

    @work(thread=True, exclusive=True, group="sync")
    def run_sync(self, remote: str | None) -> None:
        try:
            # its own handle on the archive: browsing goes on while the network is slow
            archive = Archive(self.app.archive_path, self.app.user)
            try:
                result = sync(archive, remote, on_progress=lambda text: self.post_message(self.Progress(text)))
            finally:
                archive.close()
        except CusttuiError as exc:
            self.post_message(self.Finished(None, str(exc)))
            return
        except OSError as exc:  # git missing, a full disk: still a sentence, not a traceback
            self.post_message(self.Finished(None, f"同步失败: {exc}"))
            return
        self.post_message(self.Finished(result, None))

    def on_sync_screen_progress(self, message: Progress) -> None:
        self.progress = (self.progress + [message.text])[-PROGRESS_LINES:]
        self._say("#sync-status", Text("\n".join(self.progress)))

    def on_sync_screen_finished(self, message: Finished) -> None:
        self.running = False
        self.query_one("#sync-run", Button).disabled = False
        if message.result is None:
            self._say("#sync-status", "")
            self._show_error(f"同步未完成: {message.error}")
            self.load_conflicts()  # a push that failed after the merge: its conflicts are here already
            return
        result = message.result
        self.last = result
        self.remember(result)
        if result.before != result.after:
            self.changed_customer = self.changed_customer or ""
        self._show_result(result)
        self.load_conflicts()

    def _show_result(self, result: SyncResult, previous: bool = False) -> None:
        summary = result.summary()
        text = Text(("上次同步: " if previous else "同步完成: ") + summary, style="" if previous else "bold")
        if result.stale_paths:
            text.append(f"\n工作区中有未提交的改动, 这些文件未更新: {'、'.join(result.stale_paths)}", style="yellow")
        self._say("#sync-status", text)
        self.duplicates = list(result.duplicates)
        self._show_duplicates()

    def _show_error(self, message: str) -> None:
        self._say("#sync-error", Text(message))

    def _say(self, selector: str, text: str | Text) -> None:
        """Show a status or error line; an empty one takes no room."""
        line = self.query_one(selector, Static)
        line.update(text)
        line.display = bool(str(text))

    # --- conflicts -----------------------------------------------------------------------

    def action_reload(self) -> None:
        self.load_conflicts()

    @work(thread=True, exclusive=True, group="sync-conflicts")
    def load_conflicts(self) -> None:
        def read(archive: Archive):
            items, schema = open_conflicts(archive), archive.schema()
            listed = archive.customers()
            names = {cid: listed[cid].get("name", "") for pair in self.duplicates for cid in pair[:2] if cid in listed}
            return items, schema, names

        try:
            items, schema, names = self.app.read(read)
        except CusttuiError as exc:
            self.app.call_from_thread(self._show_error, str(exc))
            return
        self.app.call_from_thread(self._show_conflicts, items, schema, names)

    def _show_conflicts(self, items: list[OpenConflict], schema: Schema, names: dict[str, str]) -> None:
        self.schema = schema
        self.names.update(names)
        table = self.query_one("#conflicts", FitTable)
        keep = self.selected_conflict()
        self.items = {item.key: item for item in items}
        rows = []
        for item in items:
            where = item.label(schema)
            if item.document is not None:
                where = f"资料 {item.document} · {where}"
            rows.append(
                (
                    item.key,
                    [
                        f"{item.customer_id} {item.name}",
                        where,
                        item.value_text(schema, "kept"),
                        item.who("kept", short=True),
                        item.value_text(schema, "other"),
                        item.who("other", short=True),
                    ],
                )
            )
        table.set_rows(rows)
        if keep is not None and keep.key in self.items:
            table.move_cursor(row=table.get_row_index(keep.key))
        title = f"未解决的冲突 {len(items)} 处 · c 保留当前值  o 改用另一方的值" if items else "未解决的冲突: 没有"
        self.query_one("#conflicts-title", Static).update(title)
        self._show_detail()
        self._show_duplicates()

    def selected_conflict(self) -> OpenConflict | None:
        key = self.query_one("#conflicts", FitTable).current_key
        return self.items.get(key) if key is not None else None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "conflicts":
            self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#conflict-detail", Static)
        item = self.selected_conflict()
        if item is None or self.schema is None:
            detail.update("")
            return
        text = Text.assemble(
            (f"{item.customer_id} {item.name}", "bold"),
            "  ",
            item.label(self.schema),
            f"  (资料 {item.document})" if item.document else "",
        )
        text.append("\n当前值: ", style="bold").append(item.value_text(self.schema, "kept"))
        text.append(f"  — {item.who('kept')}", style="dim")
        text.append("\n另一方: ", style="bold").append(item.value_text(self.schema, "other"))
        text.append(f"  — {item.who('other')}", style="dim")
        if item.deletion:
            text.append(
                "\n改用另一方 = 接受删除: " + ("删除这份资料" if item.document else "删除整个客户及其全部记录"),
                style="yellow",
            )
        detail.update(text)

    def action_keep(self, current: bool) -> None:
        item = self.selected_conflict()
        if item is None:
            self.notify("没有选中的冲突", severity="warning")
            return
        if not self._may_write():
            return
        if not current and item.deletion:
            what = f"资料 {item.document}" if item.document else f"客户 {item.customer_id} {item.name} 及其全部记录"
            question = ConfirmScreen(
                f"接受另一方的删除, 删除{what}?",
                [f"删除方: {item.who('other')}", "将产生一个新的提交, 历史中仍可查到和撤销"],
                yes="删除",
            )
        else:
            question = resolve_question(item, self.schema, current)
        keep = KEEP_CURRENT if current else TAKE_OTHER
        self.app.push_screen(question, lambda yes: yes and self._start(self.resolve, item, keep))

    def _start(self, commit: Callable, *args) -> None:
        """Start a committing worker; no other starts until it is done."""
        if not self.busy:
            self.busy = True
            commit(*args)

    def _may_write(self) -> bool:
        if self.running or self.busy:
            self.notify("正在同步或保存, 请稍候", severity="warning")
            return False
        if not self.app.archive.user:
            self.notify(
                "未设置操作人, 不能保存修改: 请用 --user 或 CUSTTUI_USER 指定你的姓名后重新打开",
                severity="error",
                timeout=10,
            )
            return False
        return True

    @work(thread=True, group="sync-commit")
    def resolve(self, item: OpenConflict, keep: str) -> None:
        try:
            commit = self.app.read(lambda archive: resolve_shown(archive, item, keep))
        except CusttuiError as exc:
            self.app.call_from_thread(self._failed, f"未解决: {exc}")
            return
        finally:
            self.busy = False
        self.app.call_from_thread(self._resolved, item, keep, commit)

    def _failed(self, message: str) -> None:
        self._show_error(message)
        self.load_conflicts()

    def _resolved(self, item: OpenConflict, keep: str, commit: str) -> None:
        self._say("#sync-error", "")
        what = "保留当前值" if keep == KEEP_CURRENT else "改用另一方的值"
        self.notify(f"{item.customer_id} {item.name}: {what} (提交 {commit[:10]})", title="已解决冲突")
        self.changed_customer = item.customer_id
        self.load_conflicts()

    # --- duplicates ----------------------------------------------------------------------

    def _show_duplicates(self) -> None:
        self.query_one("#duplicates", FitTable).set_rows(
            (
                f"{a}\x1f{b}",
                [f"{a} {self.names.get(a, '')}".rstrip(), f"{b} {self.names.get(b, '')}".rstrip(), why],
            )
            for a, b, why in self.duplicates
        )
        self.query_one("#sync-duplicates-box").set_class(not self.duplicates, "-empty")
        self.query_one("#duplicates-title", Static).update(
            f"疑似重复客户 {len(self.duplicates)} 对 (上次同步发现) · m 把 B 并入 A  M 把 A 并入 B"
            if self.duplicates
            else "疑似重复客户: 没有" + ("" if self.last else " (同步后列出两个办事处都登记了的客户)")
        )

    def selected_duplicate(self) -> tuple[str, str, str] | None:
        table = self.query_one("#duplicates", FitTable)
        if not self.duplicates or table.row_count == 0:
            return None
        return self.duplicates[min(table.cursor_row, len(self.duplicates) - 1)]

    def action_merge(self, reverse: bool) -> None:
        pair = self.selected_duplicate()
        if pair is None:
            self.notify("没有疑似重复的客户", severity="warning")
            return
        if not self._may_write():
            return
        keep, fold = (pair[1], pair[0]) if reverse else (pair[0], pair[1])
        self.app.push_screen(
            merge_question(keep, self.names.get(keep, ""), fold, self.names.get(fold, ""), pair[2]),
            lambda yes: yes and self._start(self.merge, keep, fold),
        )

    @work(thread=True, group="sync-commit")
    def merge(self, keep: str, fold: str) -> None:
        try:
            commit = self.app.read(lambda archive: merge_customers(archive, keep, fold))
        except CusttuiError as exc:
            self.app.call_from_thread(self._failed, f"未合并: {exc}")
            return
        finally:
            self.busy = False
        self.app.call_from_thread(self._merged, keep, fold, commit)

    def _merged(self, keep: str, fold: str, commit: str) -> None:
        self._say("#sync-error", "")
        self.notify(f"已把 {fold} 并入 {keep} (提交 {commit[:10]}); 不同的值已列为冲突", title="已合并客户")
        self.duplicates = [d for d in self.duplicates if fold not in d[:2]]
        if self.last is not None:
            self.last.duplicates = [d for d in self.last.duplicates if fold not in d[:2]]
        self.changed_customer = keep
        self.load_conflicts()

    # --- leaving -------------------------------------------------------------------------

    def action_close(self) -> None:
        if self.running:
            self.notify("同步在后台继续进行, 完成后主界面会自动刷新", timeout=6)
        self.dismiss(self.changed_customer)


class MergeCustomerScreen(ModalScreen[str | None]):
    """Fold another customer into the shown one: its suspected duplicates (same USCC/ID number or
    the same name as two offices might type it) are offered, any customer ID may be typed.

    Dismisses with the kept customer after a merge, None when cancelled."""

    CSS_PATH = "sync.tcss"
    DEFAULT_CLASSES = "dialog"
    BINDINGS = [Binding("escape", "dismiss", "取消", id="merge.cancel")]

    @dataclass
    class Loaded(Message):
        names: dict[str, str]
        suggestions: list[tuple[str, str]]  # (customer ID, why)

    def __init__(self, keep: str, keep_name: str) -> None:
        super().__init__()
        self.keep, self.keep_name = keep, keep_name
        self.names: dict[str, str] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-body"):
            yield Static(Text(f"把另一位客户并入 {self.keep} {self.keep_name}"), classes="dialog-title")
            yield Input(placeholder="要并入的客户编号, 如 SH-000001, 回车确认", id="merge-id")
            yield Static("正在查找疑似重复的客户…", id="merge-note", classes="hint")
            yield OptionList(id="merge-suggestions")
            yield Static(id="merge-error", classes="field-error")
            yield Static("回车选择 · Esc 取消 · 合并前会再确认", classes="hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.load()

    @work(thread=True, exclusive=True, group="merge-suggestions")
    def load(self) -> None:
        def read(archive: Archive):
            listed = archive.customers()
            found = find_duplicates(archive, [self.keep])
            suggestions = [(b if a == self.keep else a, why) for a, b, why in found]
            return {cid: s.get("name", "") for cid, s in listed.items()}, suggestions

        try:
            names, suggestions = self.app.read(read)
        except CusttuiError as exc:
            self.app.call_from_thread(self._error, str(exc))
            return
        self.post_message(self.Loaded(names, suggestions))

    def on_merge_customer_screen_loaded(self, message: Loaded) -> None:
        self.names = message.names
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(
            Option(Text(f"{cid} {self.names.get(cid, '')}  ({why})"), id=cid) for cid, why in message.suggestions
        )
        self.query_one("#merge-note", Static).update(
            f"疑似重复 {len(message.suggestions)} 位:"
            if message.suggestions
            else "没有发现疑似重复的客户; 可直接输入编号"
        )
        options.display = bool(message.suggestions)
        if message.suggestions:
            options.highlighted = 0

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.choose(event.value.strip().upper())

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.choose(event.option.id or "")

    def _error(self, message: str) -> None:
        self.query_one("#merge-error", Static).update(Text(message))

    def choose(self, fold: str) -> None:
        if self.names is None:
            return
        if not fold:
            self._error("请输入要并入的客户编号")
        elif fold == self.keep:
            self._error("不能把客户合并到自己")
        elif fold not in self.names:
            self._error(f"没有编号为 {fold} 的客户 (已并入别处的客户不再列出)")
        elif not self.app.archive.user:
            self._error("未设置操作人, 不能保存修改: 请用 --user 或 CUSTTUI_USER 指定你的姓名后重新打开")
        else:
            self._error("")
            self.app.push_screen(
                merge_question(self.keep, self.keep_name, fold, self.names[fold]), lambda yes: yes and self.merge(fold)
            )

    @work(thread=True, exclusive=True, group="merge")
    def merge(self, fold: str) -> None:
        try:
            commit = self.app.read(lambda archive: merge_customers(archive, self.keep, fold))
        except CusttuiError as exc:
            self.app.call_from_thread(self._error, f"未合并: {exc}")
            return
        self.app.call_from_thread(self._merged, fold, commit)

    def _merged(self, fold: str, commit: str) -> None:
        self.app.notify(
            f"已把 {fold} 并入 {self.keep} (提交 {commit[:10]}); 不同的值已列为冲突, 按 S 处理", title="已合并客户"
        )
        self.dismiss(self.keep)
