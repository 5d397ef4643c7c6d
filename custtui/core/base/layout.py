"""The archive layout: every path an archive may hold, and which names are safe to write.

``place(path)`` says what a path is (the archive file, a schema file, an office, a person, a
customer record, a note, a deal, a document or its metadata) or None when the archive format
has no such path. ``unsafe_name(name)`` says why one path component must never be written to a
disk: ``..``, ``.git`` in every spelling git's own fsck refuses (case, NTFS short names and
trailing dots or spaces, HFS+ ignorable characters), control characters, non-canonical Unicode.
Both read only strings, so the incoming gate, ``custtui check`` and the working-tree writer
share them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

FORMAT_VERSION = 1  # archive.toml's ``format``
ARCHIVE_FILE = "archive.toml"
SCHEMA_DIR = "schema"
OFFICES_DIR = "offices"
STAFF_DIR = "staff"
CUSTOMERS_DIR = "customers"
CUSTOMER_FILE = "customer.toml"
NOTES, DEALS, DOCS = "notes", "deals", "docs"
META_SUFFIX = ".meta.toml"
SCHEMA_NAMES = ("dimensions.toml", "documents.toml", "regions.toml", "fields.toml", "rules.toml", "policy.toml")
MAX_NAME_BYTES = 255  # what ext4, NTFS and APFS all accept

_OFFICE = r"[A-Z][A-Z0-9]{1,5}"
_CUSTOMER_FOLDER = re.compile(
    rf"^{CUSTOMERS_DIR}/(?P<office>{_OFFICE})/(?P<shard>\d{{3}})/(?P<id>(?P=office)-(?P<seq>\d{{6,}}))/"
)
_NOTE_NAME = re.compile(r"^\d{8}T\d{4}-[0-9a-f]{6}\.toml$")
_DEAL_NAME = re.compile(r"^\d{8}-[0-9a-f]{6}\.toml$")
_OFFICE_FILE = re.compile(rf"^{OFFICES_DIR}/({_OFFICE})\.toml$")
_STAFF_FILE = re.compile(rf"^{STAFF_DIR}/([a-z][a-z0-9_.-]{{1,31}})\.toml$")
_DOCUMENT_UNSAFE = re.compile(r'[\\/:*?"<>|]')
WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
_SHORT_NAMES = re.compile(r"^(git|gitmod|gitatt|gitign|mailma|gi7eba|gi7d29|gi250a|maba30)~\d")  # 8.3 aliases


class Kind(Enum):
    ARCHIVE = "档案设置"
    SCHEMA = "分类标准"
    OFFICE = "办事处"
    STAFF = "员工名册"
    CUSTOMER = "客户记录"
    NOTE = "沟通记录"
    DEAL = "交易记录"
    DOCUMENT = "资料"
    DOC_META = "资料元数据"


@dataclass(frozen=True)
class Place:
    """What a path of the archive is: its kind, the customer it belongs to, and its own name
    (the office code, staff ID, schema file or document name)."""

    kind: Kind
    customer: str | None = None
    name: str = ""


def shard(customer_id: str) -> str:
    """The thousands folder of a customer: ``BJ-001234`` -> ``001``."""
    return f"{int(customer_id.rsplit('-', 1)[1]) // 1000:03d}"


def place(path: str) -> Place | None:
    """What ``path`` is in the archive format, or None when the format has no such path."""
    if path == ARCHIVE_FILE:
        return Place(Kind.ARCHIVE)
    head, _, rest = path.partition("/")
    if head == SCHEMA_DIR:
        return Place(Kind.SCHEMA, name=rest) if rest in SCHEMA_NAMES else None
    if match := _OFFICE_FILE.match(path):
        return Place(Kind.OFFICE, name=match.group(1))
    if match := _STAFF_FILE.match(path):
        return Place(Kind.STAFF, name=match.group(1))
    match = _CUSTOMER_FOLDER.match(path)
    if match is None or match["shard"] != shard(match["id"]):
        return None
    return place_inside(match["id"], path[match.end() :])


def customer_of_folder(folder: str) -> str | None:
    """The customer ID when ``folder`` is a customer's folder (``customers/BJ/000/BJ-000001``)."""
    match = _CUSTOMER_FOLDER.match(folder + "/")
    return match["id"] if match and match.end() == len(folder) + 1 and match["shard"] == shard(match["id"]) else None


def place_inside(customer: str, inside: str) -> Place | None:
    """What ``inside`` (a path within a customer's folder) is, or None."""
    if inside == CUSTOMER_FILE:
        return Place(Kind.CUSTOMER, customer, customer)
    folder, _, name = inside.partition("/")
    if folder == NOTES and _NOTE_NAME.match(name):
        return Place(Kind.NOTE, customer, name)
    if folder == DEALS and _DEAL_NAME.match(name):
        return Place(Kind.DEAL, customer, name)
    if folder == DOCS and "/" not in name:
        document = name.removesuffix(META_SUFFIX)
        if unsafe_document_name(document) is None:
            return Place(Kind.DOC_META if name.endswith(META_SUFFIX) else Kind.DOCUMENT, customer, document)
    return None


def customer_folder_of(path: str) -> str | None:
    """``customers/BJ/000/BJ-000001`` for any path inside a customer's folder."""
    match = _CUSTOMER_FOLDER.match(path)
    return match.group(0).rstrip("/") if match else None


@lru_cache(maxsize=8192)  # folder names repeat on every path: customers, BJ, 000, docs …
def unsafe_name(name: str) -> str | None:
    """Why one path component may not be written to disk (a reason in Chinese), or None."""
    if name in ("", ".", ".."):
        return "名称为空或是 . / .."
    if not name.isprintable():  # C speed for the usual name; the rare one is looked at closely
        categories = {unicodedata.category(ch) for ch in name}
        if "Cs" in categories:
            return "不是有效的 UTF-8"
        if categories & {"Cc", "Cf", "Zl", "Zp"}:
            return "名称中含有控制字符或不可见字符"
    if "/" in name or "\\" in name:
        return "名称中含有路径分隔符"
    if not unicodedata.is_normalized("NFC", name):
        return "名称不是规范的 Unicode (NFC) 形式"
    if (name[0] == "." or "~" in name) and _is_dotgit(name):
        return "名称是 .git 的某种写法"
    if name[0] == ".":
        return "名称以点开头 (隐藏文件或 git 的控制文件)"
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return f"名称超过 {MAX_NAME_BYTES} 字节"
    return None


def _is_dotgit(name: str) -> bool:
    """``.git`` (or the short 8.3 name of a git control file) as git's fsck refuses it
    (``is_ntfs_dotgit``, ``is_hfs_dotgit``): any case, NTFS streams and trailing dots or spaces.
    (HFS+ ignorable characters are refused before this, with every invisible character.)"""
    stripped = name.casefold().split(":", 1)[0].rstrip(" .")
    return stripped == ".git" or bool(_SHORT_NAMES.match(stripped))


def unsafe_document_name(name: str) -> str | None:
    """Why ``name`` is not a document name the archive format allows, or None (the naming rule's
    limits: no ``/ \\ : * ? " < > |``, no leading dot, no trailing dot or space, no device name)."""
    reason = unsafe_name(name)
    if reason:
        return reason
    if _DOCUMENT_UNSAFE.search(name):
        return '名称中含有 \\ / : * ? " < > | 之一'
    if name.rstrip(" .") != name:
        return "名称以点或空格结尾"
    if name.split(".")[0].upper() in WINDOWS_DEVICES:
        return "名称是 Windows 保留设备名"
    if name.endswith(META_SUFFIX):
        return f"资料名不能以 {META_SUFFIX} 结尾"
    return None


def unsafe_path(path: str) -> str | None:
    """Why ``path`` (``/``-separated, relative) may not be written under a working tree, or None."""
    if not path or path.startswith("/"):
        return "路径为空或是绝对路径"
    for part in path.split("/"):
        reason = unsafe_name(part)
        if reason:
            return f"«{printable(part)}»: {reason}"
    return None


def printable(text: str, limit: int = 120) -> str:
    """A name from another copy, safe to print on a terminal: controls and invisible characters
    escaped, undecodable bytes shown as ``\\xNN``, long names cut."""
    shown = "".join(
        ch
        if ch.isprintable() and unicodedata.category(ch) != "Cf"
        else (f"\\x{ord(ch) - 0xDC00:02x}" if "\udc80" <= ch <= "\udcff" else f"\\u{ord(ch):04x}")
        for ch in text
    )
    return shown if len(shown) <= limit else shown[:limit] + "…"
