"""Textual's header with its icon's tooltip in Chinese (Textual sets "Open the command palette"
in the icon's own mount handler, after any screen could change it)."""

from __future__ import annotations

from textual.widgets import Header
from textual.widgets._header import HeaderIcon

PALETTE_TIP = "打开命令面板 (ctrl+p)"


class ChineseHeader(Header):
    def on_mount(self) -> None:
        self.call_after_refresh(self._chinese_tooltip)

    def _chinese_tooltip(self) -> None:
        for icon in self.query(HeaderIcon):
            if icon.tooltip is not None:
                icon.tooltip = PALETTE_TIP
