"""What every command shares: the global options, opening the archive, and printing for
people or as one JSON document for scripts."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ..core.base.errors import CusttuiError

if TYPE_CHECKING:
    from ..core.archive.archive import Archive

# argparse's own words, in Chinese. argparse looks each one up through the module's ``_``
# (gettext) when it prints, and ships no Chinese catalogue; ``chinese_argparse()`` puts this
# table in its place before any parser is built (the section titles are read at construction).
ARGPARSE_WORDS = {
    "usage: ": "用法: ",
    "positional arguments": "参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "the following arguments are required: %s": "缺少必需的参数: %s",
    "unrecognized arguments: %s": "无法识别的参数: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r (可选: %(choices)s)",
    "invalid %(type)s value: %(value)r": "无效的值 %(value)r",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s: %(message)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s: 错误: %(message)s\n",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多一个值",
    "expected at least one argument": "至少需要一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义, 可能是 %(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "参数 %s 必须给出其中一个",
    "ignored explicit argument %r": "忽略了多余的值 %r",
}


def chinese_argparse() -> None:
    """Make argparse print its headings and errors in Chinese (see ARGPARSE_WORDS)."""
    argparse._ = lambda text: ARGPARSE_WORDS.get(text, text)  # type: ignore[attr-defined]
    argparse.ngettext = lambda one, many, n: ARGPARSE_WORDS.get(one if n == 1 else many, one if n == 1 else many)  # type: ignore[attr-defined]


def global_options() -> argparse.ArgumentParser:
    """``--archive``, ``--user`` and ``--json``, accepted before or after any (sub)command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--archive", default=argparse.SUPPRESS, help="档案路径 (默认: $CUSTTUI_ARCHIVE 或当前目录)")
    common.add_argument(
        "--user",
        default=argparse.SUPPRESS,
        help="你的员工账号或姓名, 作为提交作者 (默认: $CUSTTUI_USER 或 git user.name)",
    )
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="输出 JSON")
    return common


def _jsonable(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


class Output:
    """Prints for people, or one JSON document for scripts."""

    def __init__(self, as_json: bool):
        self.as_json = as_json

    def emit(self, data: Any, text: str) -> None:
        if self.as_json:
            print(json.dumps(_jsonable(data), ensure_ascii=False, indent=2))
        elif text:
            print(text)


def archive_path(args) -> str:
    """The archive ``--archive`` names, else $CUSTTUI_ARCHIVE, else the current directory."""
    return args.archive or os.environ.get("CUSTTUI_ARCHIVE") or os.getcwd()


def say_git_user(name: str) -> None:
    """Say on stderr that the person is git's user.name: on a shared account that is the machine's name."""
    print(f"注意: 未指定操作人, 以 git user.name「{name}」作为提交作者 (可用 --user 指定)", file=sys.stderr)


def open_archive(args) -> Archive:
    """The archive of ``archive_path``, opened as ``--user`` (else $CUSTTUI_USER, else git's user.name, said)."""
    from ..core.archive.archive import Archive

    args.opened = Archive(archive_path(args), user=args.user)
    if args.opened.user and not (args.user or os.environ.get("CUSTTUI_USER")):
        say_git_user(args.opened.user)
    return args.opened


class Progress:
    """Reports a long job on stderr: a bar redrawn in place on a terminal; elsewhere (a log, a
    pipe, cron) one line when it starts and one when it ends, never a line per step."""

    def __init__(self, doing: str, done_text: str, unit: str):
        self.doing, self.done_text, self.unit = doing, done_text, unit
        self.terminal = sys.stderr.isatty()
        self.started: float | None = None

    def __call__(self, done: int, total: int) -> None:
        if total == 0:  # an archive with nothing to do: no bar, no "0 位客户"
            print(f"{self.done_text} (还没有{self.unit.lstrip('位个份')})", file=sys.stderr, flush=True)
            return
        first = self.started is None
        if self.started is None:
            self.started = time.monotonic()
        if self.terminal:
            width, share = 30, done / max(total, 1)
            bar = "█" * int(width * share) + "░" * (width - int(width * share))
            end = "\n" if done >= total else ""
            print(f"\r{self.doing} [{bar}] {share:4.0%} {done}/{total}", end=end, file=sys.stderr, flush=True)
        elif first and done < total:
            print(f"{self.doing} ({total} {self.unit})…", file=sys.stderr, flush=True)
        if done >= total and not self.terminal:
            seconds = time.monotonic() - self.started
            print(f"{self.done_text}: {total} {self.unit}, 用时 {seconds:.1f} 秒", file=sys.stderr, flush=True)


def command_group(command, name: str, help: str):
    """Register ``name`` as a command of subcommands (``custtui box list`` …) through
    ``build_parser``'s ``command``; typed alone it prints its help and exits 2. Returns
    ``add(name, func, help) -> parser`` for its subcommands, each taking the global options."""
    group = command(name, None, help)
    if not isinstance(group, argparse.ArgumentParser):  # not typed: build_parser builds none of it
        return lambda *args, **kwargs: group
    common = global_options()

    def usage(args, out) -> int:
        group.print_help(sys.stderr)
        return 2

    group.set_defaults(func=usage)
    sub = group.add_subparsers(dest=f"{name}_action", metavar="子命令")

    def add(subname: str, func, subhelp: str, description: str | None = None) -> argparse.ArgumentParser:
        parser = sub.add_parser(subname, parents=[common], help=subhelp, description=description or subhelp)
        parser.set_defaults(func=func)
        return parser

    return add


def field_pairs(items: list[str]) -> dict[str, str]:
    """``key=value`` arguments, each value as typed: the field's kind decides how it is read
    (text stays text; a list or contacts field also takes TOML such as ``["甲", "乙"]``)."""
    result = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise CusttuiError(f"参数 {item!r} 格式不对, 应为 字段=值, 如 stage=签约")
        if key.strip() in result:
            raise CusttuiError(f"字段 {key.strip()} 给了两次 ({result[key.strip()]!r} 和 {value!r}), 请只写一次")
        result[key.strip()] = value
    return result
