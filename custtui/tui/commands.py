"""The command palette (ctrl+p): jump to a customer, or run any action of the main screen by name."""

from __future__ import annotations

import asyncio
from functools import partial

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.widgets.option_list import Option

from ..core.base.errors import CusttuiError
from ..core.tasks import view
from .screens.main import MainScreen
from .screens.search import unmarked

CUSTOMER_LIMIT = 20
# (Chinese name, action on the main screen, what it does)
ACTIONS = (
    ("搜索", "search", "按名称、拼音、电话、编号或字段查找客户和文档"),
    ("新建客户", "new_customer", "登记一位新客户"),
    ("编辑客户", "edit_customer", "修改当前客户的资料"),
    ("添加沟通记录", "add_note", "为当前客户记一次沟通"),
    ("添加交易", "add_deal", "为当前客户记一笔交易"),
    ("归档资料", "attach", "把文件归入当前客户的档案"),
    ("审计日志", "archive_log", "查看整个档案的修改记录"),
    ("同步", "sync", "与其他办事处同步, 处理未解决的冲突和疑似重复客户"),
    ("合并重复客户", "merge_customer", "把另一位 (疑似重复的) 客户并入当前客户"),
    ("删除个人信息", "erase_customer", "依法删除当前客户的个人信息并销毁其密钥 (需要删除个人信息的权限)"),
    ("切换分类维度", "tree_order", "换一种方式给客户分类"),
    ("客户结构统计", "stats", "按行业、阶段等维度的客户数和金额, 图表, 与过去某天相比的变化"),
    ("月度复核", "routine('monthly')", "客户状态与合作阶段的调整建议, 逐项接受后一次写入"),
    ("季度价值评估", "routine('quarterly')", "按近一年交易评定价值层级, 标记重点客户"),
    ("半年度复核", "routine('halfyear')", "资料完整性、联系方式、疑似重复、保管到期"),
    ("今日待办", "today", "到期的跟进: 逾期的标出, 完成、推迟或打开客户"),
    ("访问权限复核", "access_review", "每人可查看、修改什么, 最近一次使用, 需要注意的事项; 签署复核"),
    ("刷新", "reload", "重新读取档案"),
    ("复制字段", "copy_field", "把当前客户的某一项 (编号、名称、电话…) 复制到剪贴板"),
    ("帮助", "app.help", "按键说明和搜索语法"),
)
NO_MATCHES = "没有相符的结果"


class ChinesePalette(CommandPalette):
    """Textual's command palette with its own words in Chinese (it says "No matches found")."""

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual's method with the sentence changed: its text sits inside the method
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(Align.center(Text(NO_MATCHES, style="not bold")), disabled=True, id=self._NO_MATCHES)
                )
            self._list_visible = bool(search_value)

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)


def main_screen(provider: Provider) -> MainScreen | None:
    """The main screen, when the palette was opened over it (elsewhere these commands do not apply)."""
    return provider.screen if isinstance(provider.screen, MainScreen) else None


class CustomerCommands(Provider):
    """Jump to a customer by name, alias, pinyin or initials (through the search index)."""

    async def search(self, query: str) -> Hits:
        main = main_screen(self)
        if main is None:
            return

        def customers(archive):
            return [hit for hit in view.search(archive, query, limit=CUSTOMER_LIMIT).hits if hit.kind == "customer"]

        try:
            found = await asyncio.to_thread(self.app.read, customers)
        except (CusttuiError, OSError):  # not a query (行业:航天): nothing to jump to
            return
        for rank, hit in enumerate(found):
            yield Hit(
                1 - rank / (CUSTOMER_LIMIT + 1),
                f"{hit.name}  {hit.id}",
                partial(main.open_customer, hit.id),
                help=f"{hit.why}: {unmarked(hit.highlights)}" if hit.why else "打开客户",
            )


class ActionCommands(Provider):
    """Every action of the main screen by its Chinese name."""

    async def discover(self) -> Hits:
        main = main_screen(self)
        if main is None:
            return
        for name, action, help_text in ACTIONS:
            yield DiscoveryHit(name, partial(main.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        main = main_screen(self)
        if main is None:
            return
        matcher = self.matcher(query)
        for name, action, help_text in ACTIONS:
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(main.run_action, action), text=name, help=help_text)
