"""What every command shares: the global options, opening the archive, and printing for
people or as one JSON document for scripts."""

from __future__ import annotations

import argparse
import json
import os
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ..core.archive.archive import Archive


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


def open_archive(args) -> Archive:
    """The archive ``--archive`` names (else $CUSTTUI_ARCHIVE, else here), opened as ``--user``."""
    path = args.archive or os.environ.get("CUSTTUI_ARCHIVE") or os.getcwd()
    args.opened = Archive(path, user=args.user)
    return args.opened
