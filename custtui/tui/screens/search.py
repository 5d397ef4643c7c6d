"""The search screen: results as you type, across customers and filed documents."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rich.table import Table
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.worker import Worker, get_current_worker

from ...core.archive.archive import Document
from ...core.base.errors import CusttuiError
from ...core.index.query import field_names
from ...core.index.search import Hit, Results
from ...core.tasks import view
from ..widgets.customer_pane import CustomerPane

DEBOUNCE_S = 0.08  # search this long after the last keystroke
LIMIT = 50
MARKED = re.compile(r"【([^【】]*)】")
INTRO = "输入名称、简称、拼音或首字母、电话后四位、编号, 或 字段:值 · ↑↓ 选择 · Enter 打开 · F1 搜索语法 · Esc 关闭"
EXAMPLES = (
    ("华信", "名称、简称、联系人、备注、沟通记录或文档内容中的词"),
    ("huaxin   hx", "拼音全拼或首字母"),
    ("8866   138 1120 7735", "电话后四位或完整号码 (空格、横线、+86 均可)"),
    ("91110108751171783G", "统一社会信用代码、身份证号、客户编号、合同编号"),
    ('"采购合同"', "带引号: 按原文查找整个词组"),
    ("行业:制造业 阶段:潜在 华信", "按分类筛选, 可与关键词同用; 所有条件都要满足"),
    ("type:企业   类型:政府", "字段名和值都可以用中文名或代码"),
    ("地域:深圳   负责人:张伟", "按省市、负责人筛选"),
    ("资料类型:合同 日期:2024-01..2024-06", "某类资料、某段时间 (日期:2024 或 日期:..2023-12 也可以)"),
)


@dataclass(frozen=True)
class SearchChoice:
    """What the user opened: a customer, or one of its documents."""

    customer_id: str
    document: str | None = None


def marked(snippet: str) -> Content:
    """A snippet with the matches (marked 【…】 by the index) shown as highlights."""
    parts: list[str | tuple[str, str]] = []
    for i, piece in enumerate(MARKED.split(snippet)):
        if piece:
            parts.append((piece, "bold $text-warning underline") if i % 2 else piece)
    return Content.assemble(*parts)


def unmarked(snippet: str) -> str:
    """A snippet as plain text, without the index's 【…】 marks."""
    return MARKED.sub(r"\1", snippet)


def hit_label(hit: Hit) -> Content:
    """Two lines: kind and name (for a document its file, then whose it is) with the ID; then where
    it matched and the highlighted snippet."""
    if hit.kind == "document":
        head = [
            ("文档", "bold $text-accent"),
            "  ",
            (hit.document or "", "bold"),
            "  ",
            hit.name,
            "  ",
            (hit.id, "dim"),
        ]
    else:
        head = [("客户", "bold $text-primary"), "  ", (hit.name, "bold"), "  ", (hit.id, "dim")]
    snippet = marked(hit.highlights) if hit.highlights else Content.styled(hit.note or "", "dim")
    why = [(hit.why, "dim"), " "] if hit.why and hit.highlights else []
    return Content.assemble(*head, "\n    ", *why, snippet)


def explain(exc: Exception) -> str:
    """What went wrong, in one Chinese sentence."""
    return str(exc) if isinstance(exc, CusttuiError) else f"无法读写搜索索引: {exc}"


def query_help() -> Table:
    table = Table(box=None, padding=(0, 2), show_header=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for example, meaning in EXAMPLES:
        table.add_row(example, meaning)
    table.add_row("可用字段", field_names())
    return table


class SearchScreen(ModalScreen[SearchChoice | None]):
    """Type to search; ↑↓ pick a result, Enter opens it, Esc goes back."""

    CSS_PATH = "search.tcss"
    BINDINGS = [
        Binding("escape", "dismiss(None)", "关闭", id="search.close"),
        Binding("f1", "toggle_help", "搜索语法", id="search.help"),
        Binding("up", "results('cursor_up')", "上一条", show=False, id="search.up"),
        Binding("down", "results('cursor_down')", "下一条", show=False, id="search.down"),
        Binding("pageup", "results('page_up')", "上一页", show=False, id="search.page_up"),
        Binding("pagedown", "results('page_down')", "下一页", show=False, id="search.page_down"),
    ]

    class IndexNote(Message):
        """Something the search index reports (a rebuild, a broken record), from any thread."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[Hit] = []
        self.shown_query: str | None = None  # the query whose results are on screen
        self._debounce: Timer | None = None
        self._open_on_arrival = False  # Enter was pressed before the results came

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box"):
            yield Input(placeholder="搜索客户和文档…", id="search-input")
            yield Static(INTRO, id="search-status")
            yield OptionList(id="search-results")
            yield Static(query_help(), id="search-help")

    def on_mount(self) -> None:
        self.query_one(OptionList).can_focus = False  # the keys stay in the input
        self.query_one(Input).focus()
        self.prepare_index()

    @property
    def text(self) -> str:
        return self.query_one(Input).value.strip()

    # --- working in threads --------------------------------------------------------------

    def _deliver(self, worker: Worker, callback: Callable, *args) -> None:
        """Run ``callback`` on the event loop unless the worker was cancelled meanwhile (by a
        newer keystroke or by closing the screen): a stale answer is dropped, never shown."""

        def unless_cancelled() -> None:
            if not worker.is_cancelled:
                callback(*args)

        self.app.call_from_thread(unless_cancelled)

    def _note(self, text: str) -> None:
        self.post_message(self.IndexNote(text))  # thread-safe, and dropped once the screen is gone

    @work(thread=True, group="search-index")
    def prepare_index(self) -> None:
        """Open the index, or build it on first use (with progress), while the user types."""
        worker = get_current_worker()

        def progress(done: int, total: int) -> None:
            self._deliver(worker, self._show_building, done, total)

        def ensure(archive) -> None:
            index = archive.search_index(self._note)
            if not index.exists():
                progress(0, 0)
            index.ensure(progress)

        try:
            self.app.read(ensure)
        except (CusttuiError, OSError) as exc:
            self._deliver(worker, self._show_error, explain(exc))
            return
        self._deliver(worker, self._index_ready)

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, text: str) -> None:
        worker = get_current_worker()

        def search(archive) -> Results | None:
            if worker.is_cancelled:  # a newer keystroke already wants something else
                return None
            return view.search(archive, text, limit=LIMIT, on_message=self._note)

        try:
            results = self.app.read(search)
        except (CusttuiError, OSError) as exc:  # mostly QueryError: what to type instead
            self._deliver(worker, self._show_error, explain(exc))
            return
        if results is not None:
            self._deliver(worker, self._show_results, results)

    # --- showing -------------------------------------------------------------------------

    def _status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#search-status", Static)
        status.update(text)
        status.set_class(error, "error")

    def _show_building(self, done: int, total: int) -> None:
        self.query_one(OptionList).loading = True
        counted = f", 已处理 {done}/{total} 位客户" if total else ""
        self._status(f"首次搜索: 正在建立搜索索引{counted}… (只需一次)")

    def _index_ready(self) -> None:
        results = self.query_one(OptionList)
        if results.loading:
            results.loading = False
            if self.shown_query is None:
                self._status(INTRO if not self.text else "搜索索引已建好, 正在搜索…")

    def _show_error(self, message: str) -> None:
        self._clear_results()
        self._status(message, error=True)

    def _clear_results(self) -> None:
        self._open_on_arrival = False
        self.shown_query, self.hits = None, []
        self.query_one(OptionList).clear_options()

    def _show_results(self, results: Results) -> None:
        self.shown_query, self.hits = results.query, results.hits
        option_list = self.query_one(OptionList)
        option_list.clear_options()
        option_list.add_options(hit_label(hit) for hit in results.hits)
        if results.hits:
            option_list.highlighted = 0
            found = f"找到{'约' if not results.exact else ''} {results.total} 条结果"
            shown = f", 显示前 {len(results.hits)} 条" if results.total > len(results.hits) else ""
            parts = [f"{found}{shown} · Enter 打开"]
        else:
            parts = [f"没有找到与「{results.query}」相符的客户或文档 · F1 查看搜索语法"]
        self._status("  ".join(parts + [f"提示: {hint}" for hint in results.hints]))
        if self._open_on_arrival:
            self._open_on_arrival = False
            self._open(option_list.highlighted)

    def on_search_screen_index_note(self, message: IndexNote) -> None:
        self.notify(message.text, title="搜索索引", severity="warning")

    # --- typing and choosing -------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        self._open_on_arrival = False
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        if not self.text:
            self.workers.cancel_group(self, "search")
            self._clear_results()
            self._status(INTRO)
            return
        self._debounce = self.set_timer(DEBOUNCE_S, self._search_now)

    def _search_now(self) -> None:
        self._debounce = None
        self.run_search(self.text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not self.text:
            return
        if self.shown_query == self.text:
            self._open(self.query_one(OptionList).highlighted)
        else:  # typed and pressed Enter at once: open the best hit as soon as it is found
            self._open_on_arrival = True
            if self._debounce is not None:
                self._debounce.stop()
                self._search_now()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._open(event.option_index)

    def _open(self, index: int | None) -> None:
        """Open the hit's customer; for a document also the document itself, the way choosing
        it in the customer's 文档 tab does (the screen below opens it)."""
        if index is None or not 0 <= index < len(self.hits):
            return
        hit = self.hits[index]
        below = self.app.screen_stack[-2]
        document = hit.document if hit.kind == "document" else None
        self.dismiss(SearchChoice(hit.id, document))
        if document and hit.blob:
            below.post_message(CustomerPane.DocumentChosen(hit.id, Document(document, {}, hit.blob)))

    def action_results(self, action: str) -> None:
        getattr(self.query_one(OptionList), f"action_{action}")()

    def action_toggle_help(self) -> None:
        self.query_one("#search-help").toggle_class("shown")
