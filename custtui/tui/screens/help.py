"""The keys of every screen, from the live bindings (so a keymap override shows as it is)."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

QUERY_HELP = """搜索语法: 直接输入名称片段、简称、拼音或首字母、电话 (或后四位)、统一社会信用代码/身份证号、合同编号;
电话可带空格、横线、+86 或括号, 全角字符与小写字母均可; 字段筛选 行业:制造业 阶段:潜在 type:企业 \
(冒号前不是筛选字段时按文字查找); 日期范围 日期:2024-01-01..2024-06-30; "带引号的词组" 按原文查找。"""


class HelpScreen(ModalScreen[None]):
    """Lists the keys of the screen below it and of the app."""

    BINDINGS = [Binding("escape,question_mark,f1,q", "dismiss", "关闭", id="help.close")]
    DEFAULT_CLASSES = "dialog"

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog-body"):
            yield Static("按键说明 (Esc 关闭)", classes="dialog-title")
            yield Static(self._keys(), id="help-keys")
            yield Static(QUERY_HELP, classes="hint")
            yield Static(
                f'自定义按键: 在 {self.app.config.path} 的 [keymap] 中写 动作编号 = "按键", '
                '如 "main.search" = "ctrl+f"; 保存后几秒内生效, 无需重启',
                classes="hint",
                markup=False,
            )

    def _keys(self) -> Table:
        table = Table(box=None, padding=(0, 2))
        table.add_column("按键", style="bold", no_wrap=True)
        table.add_column("作用")
        table.add_column("动作编号", style="dim")
        below = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else self.app.screen
        seen = set()
        for active in below.active_bindings.values():
            binding = active.binding
            if binding.id and binding.description and binding.id not in seen:  # ours: Textual's own have no id
                seen.add(binding.id)
                table.add_row(self.app.get_key_display(binding), binding.tooltip or binding.description, binding.id)
        return table
