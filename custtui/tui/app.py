"""The custtui Textual application: opens an archive and hands the day's work to its screens."""

from __future__ import annotations

import asyncio
import dataclasses
import faulthandler
import gc
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Callable, Iterable, NoReturn, TypeVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette, SimpleProvider
from textual.screen import Screen
from textual.theme import BUILTIN_THEMES, Theme

from ..core.archive.archive import Archive
from ..core.base.errors import CusttuiError
from . import wide_chars
from .commands import ActionCommands, ChinesePalette, CustomerCommands
from .config import THEME_NAMES, THEMES, Config

T = TypeVar("T")
# Collect young objects every 10,000 allocations instead of 700: opening a form allocates tens of
# thousands of short-lived objects, and at 100k customers the collector ran ~110 times (0.26–0.33 s)
# while the edit form opened and ~180 times (0.35–0.73 s) for the archive log; with 20,000 it ran
# 3 and 6 times (~0.05 s; gc.callbacks, bench/out/tui/synth-100000). The oldest generation still
# runs every 500,000: with (20000, 50, 100) 60 dialogs grew the process by 99 MB (Python's default:
# 31 MB); with these, 180 dialogs grew it by 59 MB (default 41 MB), and it levels off as the default does.
GC_THRESHOLDS = (10_000, 10, 5)
EXIT_GRACE_S = 5.0  # how long quitting waits for background work
CONFIG_CHECK_S = 2.0  # how often to look whether the user edited the config file
WORKER_THREAD = "custtui-worker"
KEY_SCREEN = "custtui_screen"  # the screen that was on top when the terminal sent a key

# Colours that are exact xterm-256 palette entries, so a 256-colour terminal shows them unchanged.
THEME_256 = Theme(
    name=THEMES[0],
    primary="#5f87d7",
    secondary="#87afaf",
    accent="#d7875f",
    warning="#d7af5f",
    error="#d75f5f",
    success="#87af5f",
    foreground="#d0d0d0",
    background="#1c1c1c",
    surface="#262626",
    panel="#303030",
    dark=True,
)
THEME_ANSI = dataclasses.replace(BUILTIN_THEMES["ansi-dark"], name=THEMES[1])


class CusttuiApp(App):
    """One staff member's session on one archive."""

    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {CustomerCommands, ActionCommands}
    TITLE = "custtui 客户档案"
    BINDINGS = [
        Binding("question_mark,f1", "help", "帮助", id="app.help"),
        Binding(
            "ctrl+t", "toggle_theme", "切换配色", show=False, id="app.theme", tooltip="在 256 色与纯 ANSI 配色之间切换"
        ),
        Binding("q", "quit", "退出", id="app.quit"),
        Binding(
            "ctrl+p",
            "command_palette",
            "命令",
            show=False,
            priority=True,
            id="app.palette",
            tooltip="命令面板: 跳到客户 (名称、简称、拼音) 或执行任何操作",
        ),
    ]

    def __init__(self, archive_path: str | os.PathLike, user: str | None = None, config: Config | None = None):
        super().__init__()
        wide_chars.apply()
        self.archive_path = Path(archive_path)
        self.user = user
        self.config = config or Config.load()
        self.archive: Archive | None = None
        self.archive_lock = threading.RLock()  # GitPython's object readers are not thread-safe
        self.own_head: str | None = None  # the head this session's last write left: its screen announces it
        self.workers_pool = ThreadPoolExecutor(thread_name_prefix=WORKER_THREAD)  # runs the thread workers
        self.confined = bool(os.environ.get("CUSTTUI_STAFF"))  # started by `custtui serve` over SSH

    def on_mount(self) -> None:
        asyncio.get_running_loop().set_default_executor(self.workers_pool)
        self.register_theme(THEME_256)
        self.register_theme(THEME_ANSI)
        self.theme = self.config.theme
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        for problem in self.config.problems:
            self.notify(problem, title="配置", severity="warning", timeout=10, markup=False)
        self.config_stamp = self.config.stamp()
        self.set_interval(CONFIG_CHECK_S, self.reload_config)
        try:
            self.archive = Archive(self.archive_path, self.user)
        except CusttuiError as exc:
            self.exit(message=f"错误: {exc}", return_code=1)
            return
        if not self.archive.user:
            self.notify(
                "未设置操作人: 请用 --user 或 CUSTTUI_USER 指定姓名, 否则不能保存修改",
                title="只读",
                severity="warning",
                timeout=15,
            )
        elif not (self.user or os.environ.get("CUSTTUI_USER")):  # on a shared account, the machine's name
            self.notify(
                f"未指定操作人, 修改将以 git user.name「{self.archive.user}」提交: "
                "如不是你, 请退出后用 --user 指定姓名",
                title="操作人",
                severity="warning",
                timeout=15,
                markup=False,
            )
        from .screens.main import MainScreen

        self.push_screen(MainScreen())

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:  # as the terminal sent it
            setattr(event, KEY_SCREEN, self.screen)
        await super().on_event(event)

    async def _on_key(self, event: events.Key) -> None:
        """A key nothing handled on its way up. When an earlier key of the same terminal read opened
        a dialog (``e赵1``: 赵1 was already on its way to the list when the form opened), it belongs
        to that dialog: it goes there, in the order typed, instead of being dropped."""
        aimed_at = getattr(event, KEY_SCREEN, None)
        if aimed_at is not None and aimed_at is not self.screen:
            event.prevent_default()  # Textual runs App._on_key after this one unless prevented
            (self.focused or self.screen)._forward_event(events.Key(event.key, event.character))

    def read(self, work: Callable[[Archive], T]) -> T:
        """Run ``work`` on the archive while holding the lock (call from a worker thread)."""
        assert self.archive is not None
        with self.archive_lock:
            before = self.archive.store.head()
            result = work(self.archive)
            after = self.archive.store.head()
            if after != before:
                self.own_head = after
            return result

    def action_command_palette(self) -> None:
        if not CommandPalette.is_open(self):
            self.push_screen(
                ChinesePalette(placeholder="输入客户名称、简称、拼音, 或要执行的操作…", id="--command-palette")
            )

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's own palette commands, in Chinese."""
        yield SystemCommand("切换配色", "选择界面配色 (Ctrl+T 直接切换)", self.action_change_theme)
        yield SystemCommand("退出", "退出 custtui", self.action_quit)
        yield SystemCommand(
            "截图", "把当前屏幕保存为 SVG 文件 (存入导出文件夹)", lambda: self.set_timer(0.1, self.screenshot)
        )

    def search_themes(self) -> None:
        """Our colour schemes by their Chinese names (Textual's lists its demo themes in English)."""
        choices = [(THEME_NAMES[name], partial(self.use_theme, name), name) for name in THEMES]
        self.push_screen(ChinesePalette(providers=[SimpleProvider(self.screen, choices)], placeholder="选择配色…"))

    def action_help_quit(self) -> None:
        """ctrl+c (copy in a text box, quit in a shell): say how to quit, in Chinese."""
        keys = dict.fromkeys(  # ours (a keymap may move them); a text box takes q for itself
            self.get_key_display(active.binding)
            for active in self.active_bindings.values()
            if active.binding.action in ("quit", "app.quit") and active.binding.id
        )
        how = f"按 {' 或 '.join(keys)} 退出 custtui (在输入框中按 ^q)" if keys else "按 ^q 退出 custtui"
        self.notify(how, title="要退出吗?")

    def screenshot(self) -> None:
        """The screen as an SVG file in the export folder."""
        folder = self.config.export_dir
        try:
            folder.mkdir(parents=True, exist_ok=True)
            saved = self.save_screenshot(path=str(folder))
        except OSError as exc:
            self.notify(f"截图未能保存到 {folder}: {exc.strerror or exc}", title="截图", severity="error")
            return
        self.notify(f"已保存截图: {saved}", title="截图", markup=False)

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        self.use_theme(THEMES[(THEMES.index(self.theme) + 1) % len(THEMES)] if self.theme in THEMES else THEMES[0])

    def use_theme(self, name: str) -> None:
        """Show and remember a colour scheme."""
        self.theme = self.config.theme = name
        self.save_config()

    def save_config(self) -> None:
        try:
            self.config.save()
        except CusttuiError as exc:
            self.notify(str(exc), title="配置", severity="warning", timeout=10)
        except OSError as exc:
            self.notify(f"无法保存配置 {self.config.path}: {exc.strerror or exc}", title="配置", severity="warning")
        self.config_stamp = self.config.stamp()

    def reload_config(self) -> None:
        """The user edited the config file while custtui runs: its settings apply at once."""
        stamp = self.config.stamp()
        if stamp == self.config_stamp:
            return
        self.config_stamp = stamp
        old, self.config = self.config, Config.load(self.config.path)
        self.theme = self.config.theme
        self.set_keymap(self.config.keymap)
        later = "; 新的分类维度在刷新 (F5) 后显示" if self.config.tree_order != old.tree_order else ""
        self.notify(f"已重新读取 {self.config.path}, 新设置已生效{later}", title="配置", markup=False)
        for problem in self.config.problems:
            self.notify(problem, title="配置", severity="warning", timeout=10, markup=False)

    def on_unmount(self) -> None:
        # asyncio.run() would wait, unbounded, for the pool's threads: run_app waits a bounded time
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=1))
        # a worker still reading keeps the lock; closing under it would pull git out from under it
        if self.archive is not None and self.archive_lock.acquire(timeout=EXIT_GRACE_S):
            self.archive.close()


def run_app(archive_path: str | os.PathLike, user: str | None) -> NoReturn:
    """Run the TUI, then end the process at once: quitting returns the terminal within seconds
    even if background work lingers.

    Every write is a compare-and-swap commit, so leaving a worker unfinished loses nothing; the
    threads still running are named on stderr with their stacks, so the cause can be found. The
    process ends with ``os._exit``: Python freeing every object at exit (the listing, pypinyin's
    dictionaries) kept it alive 0.8 s after the terminal came back, at 100k customers.
    """
    gc.set_threshold(*GC_THRESHOLDS)  # the process is the app's alone (tests running Pilot keep Python's)
    app = CusttuiApp(archive_path, user)
    app.run()
    app.workers_pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + EXIT_GRACE_S
    lingering = [t for t in threading.enumerate() if t.name.startswith(WORKER_THREAD)]
    for thread in lingering:
        thread.join(max(0.0, deadline - time.monotonic()))
    if any(thread.is_alive() for thread in lingering):
        print(f"custtui: 后台任务 {EXIT_GRACE_S:.0f} 秒内未结束, 已直接退出 (不影响已保存的修改):", file=sys.stderr)
        faulthandler.dump_traceback(sys.stderr, all_threads=True)
    elif app.archive is not None:
        app.archive.close()
    sys.stderr.flush()
    sys.stdout.flush()
    os._exit(app.return_code or 0)
