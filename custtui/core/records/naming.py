"""Document file names: the company's naming rule, made safe for every filesystem."""

from __future__ import annotations

import re
import unicodedata

from ..base.errors import FieldError
from ..base.layout import META_SUFFIX, WINDOWS_DEVICES

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
MAX_NAME_BYTES = 200


def _clip(text: str, limit: int) -> str:
    """``text`` cut at a character boundary to at most ``limit`` UTF-8 bytes."""
    raw = text.encode("utf-8")[:limit]
    return raw.decode("utf-8", errors="ignore")


def safe_name(stem: str, ext: str, limit: int = MAX_NAME_BYTES) -> str:
    """A portable file name from a rule-built stem: unsafe characters become ``_``."""
    stem = unicodedata.normalize("NFC", stem)
    stem = _UNSAFE.sub("_", stem).strip(" .")
    stem = re.sub(r"\s+", " ", stem)
    if stem.split(".")[0].upper() in WINDOWS_DEVICES:
        stem = "_" + stem
    ext = _UNSAFE.sub("", ext.lower()).strip(" .")[:10]
    suffix = f".{ext}" if ext else ""
    stem = _clip(stem or "资料", limit - len(suffix.encode())).rstrip(" .")
    return stem + suffix


def check_given_name(name: str, limit: int = MAX_NAME_BYTES) -> str:
    """A name the user typed for a document: refused (not silently changed) when unsafe."""
    label = "资料文件名"
    if not name or not name.strip():
        raise FieldError("name", label, "不能为空")
    if "/" in name or "\\" in name or name in (".", "..") or name.startswith(".."):
        raise FieldError("name", label, "不能包含路径 (/、\\ 或 ..), 只写文件名本身")
    if re.search(r"[\x00-\x1f\x7f]", name):
        raise FieldError("name", label, "不能包含控制字符 (如换行、制表符)")
    if _UNSAFE.search(name):
        raise FieldError("name", label, '不能包含 : * ? " < > | 等字符')
    if name.startswith(".") or name.rstrip(" .") != name:
        raise FieldError("name", label, "不能以点开头, 也不能以点或空格结尾")
    if name.split(".")[0].upper() in WINDOWS_DEVICES:
        raise FieldError("name", label, f"{name.split('.')[0]} 是 Windows 保留名称")
    if len(name.encode("utf-8")) > limit:
        raise FieldError(
            "name", label, f"太长: 最多 {limit} 字节 (约 {limit // 3} 个汉字), 实为 {len(name.encode('utf-8'))} 字节"
        )
    if name.endswith(META_SUFFIX):
        raise FieldError("name", label, f"不能以 {META_SUFFIX} 结尾 (该后缀保留给资料元数据)")
    return unicodedata.normalize("NFC", name)


def rule_stem(pattern: str, **values: str) -> str:
    """Fill the naming rule (``{customer}-{doc_type}-{date}``); empty parts are dropped."""
    parts = re.split(r"(\{\w+\})", pattern)
    out = []
    for part in parts:
        match = re.fullmatch(r"\{(\w+)\}", part)
        out.append(str(values.get(match.group(1), "") or "") if match else part)
    return re.sub(r"-{2,}", "-", "".join(out)).strip("-")


def unique_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name-2``, ``name-3`` … before the extension when it is taken."""
    if name not in taken:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    n = 2
    while True:
        candidate = f"{stem}-{n}.{ext}" if ext else f"{stem}-{n}"
        if candidate not in taken:
            return candidate
        n += 1
