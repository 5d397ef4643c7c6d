"""Reading TOML that may come from another copy of the archive: bounded in size and depth.

rtoml parses ten times faster than tomllib (it decides the cold listing build at 100k) and stops
at nesting deeper than ~80 levels; tomllib re-reads a file rtoml refused for its precise message
(line number), and a value nested thousands deep that would exhaust Python's stack is refused,
never a traceback.
"""

from __future__ import annotations

import re

import rtoml

from .errors import RecordError

MAX_RECORD_BYTES = 1 << 20  # a customer with 100 contacts is ~20 KB; a longer file is not a record


def parse(raw: bytes, path: str) -> dict:
    """The TOML document in ``raw``; RecordError naming ``path`` (and the line) when it is not one."""
    if len(raw) > MAX_RECORD_BYTES:
        raise RecordError(path, f"文件过大 ({len(raw):,} 字节), 记录文件最多 {MAX_RECORD_BYTES // 1024} KB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RecordError(path, "不是 UTF-8 编码") from None
    try:
        return rtoml.loads(text)
    except rtoml.TomlParsingError as exc:
        if "recurs" in str(exc):
            raise RecordError(path, "嵌套层次过深 (表或列表套了太多层)") from None
    import tomllib  # only for a file rtoml refused: its message names the line

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        match = re.search(r"line (\d+)", str(exc))
        if line is None and match:
            line = int(match.group(1))
        raise RecordError(path, f"TOML 格式错误 ({getattr(exc, 'msg', exc)})", line) from None
    except RecursionError:
        raise RecordError(path, "嵌套层次过深 (表或列表套了太多层)") from None
