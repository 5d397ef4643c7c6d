"""The user's TUI settings: tree order, inbox and export folders, theme and key overrides.

Stored as TOML in the user config directory (``$CUSTTUI_CONFIG`` names another file). A broken
file never stops the app: its problems are reported and the defaults used. The app changes only
the settings it changed, in place: the user's comments, order and other keys stay.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs
import tomlkit

from ..core.base.errors import CusttuiError
from ..core.tasks.browse import DEFAULT_ORDER, parse_order

THEMES = ("custtui-256", "custtui-ansi")
THEME_NAMES = {"custtui-256": "256 色", "custtui-ansi": "纯 ANSI 16 色 (适合只支持基本颜色的终端)"}
SAVED = ("tree_order", "theme", "inbox", "export_dir", "keymap")  # what the app may change and save


def config_path() -> Path:
    if os.environ.get("CUSTTUI_CONFIG"):
        return Path(os.environ["CUSTTUI_CONFIG"])
    return Path(platformdirs.user_config_dir("custtui")) / "config.toml"


@dataclass
class Config:
    path: Path
    tree_order: tuple[str, ...] = DEFAULT_ORDER
    inbox: Path | None = None
    export_dir: Path = field(default_factory=lambda: Path.home() / "custtui-导出")
    theme: str = THEMES[0]
    keymap: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path | None = None) -> "Config":
        path = path or config_path()
        config = cls(path)
        try:
            data = tomllib.loads(path.read_text("utf-8")) if path.exists() else {}
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            config.problems.append(f"配置文件 {path} 无法读取, 已使用默认设置: {exc}")
            return config
        config._apply(data)
        return config

    def _apply(self, data: dict) -> None:
        def complain(key: str, rule: str) -> None:
            self.problems.append(f"配置文件 {self.path} 的「{key}」{rule}, 已忽略")

        if "tree_order" in data:
            try:
                self.tree_order = parse_order(data["tree_order"] if isinstance(data["tree_order"], list) else [])
            except CusttuiError as exc:
                complain("tree_order", f"无效: {exc}")
        for key in ("inbox", "export_dir"):
            if key in data:
                if isinstance(data[key], str) and data[key].strip():
                    setattr(self, key, Path(data[key]).expanduser())
                else:
                    complain(key, "应为文件夹路径")
        if "theme" in data:
            if data["theme"] in THEMES:
                self.theme = data["theme"]
            else:
                complain("theme", f"应为 {' 或 '.join(THEMES)}")
        keymap = data.get("keymap", {})
        if isinstance(keymap, dict) and all(isinstance(v, str) for v in keymap.values()):
            self.keymap = dict(keymap)
        else:
            complain("keymap", '应为 动作编号 = "按键" 的表')

    def stamp(self) -> tuple[int, int] | None:
        """When and how big the file last was (None while there is none): tells a change apart."""
        try:
            info = self.path.stat()
        except OSError:
            return None
        return info.st_mtime_ns, info.st_size

    def save(self) -> None:
        """Write the settings that differ from the file into it, in place and atomically (a crash
        leaves the old file, never half of one). A file that is not valid TOML is left alone
        (CusttuiError): rewriting it would throw away what the user was typing."""
        text = self.path.read_text("utf-8") if self.path.exists() else ""
        try:
            document = tomlkit.parse(text)
        except tomlkit.exceptions.TOMLKitError as exc:
            raise CusttuiError(f"配置文件 {self.path} 格式有误, 未改动它 (请先改正: {exc})") from None
        on_disk = Config(self.path)
        on_disk._apply(document.unwrap())
        for key in SAVED:
            value = getattr(self, key)
            if value == getattr(on_disk, key):
                continue
            if value is None or value == {}:
                document.pop(key, None)
            elif isinstance(value, Path):
                document[key] = str(value)
            else:
                document[key] = list(value) if isinstance(value, tuple) else value
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".toml.tmp")
        temporary.write_text(tomlkit.dumps(document), "utf-8")
        os.replace(temporary, self.path)
