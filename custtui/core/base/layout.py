"""The archive layout: every path an archive may hold, and which names are safe to write.

The code twin of ``docs/archive-format.md``: every folder, file name and suffix of an archive
(and the keys of a document's metadata) is named here once, and the rest of custtui uses these
names.

``place(path)`` says what a path is (the archive file, a schema file, an office, a person, a
paper archive box, a signed access review, a customer record, a note, a deal, a document or its
metadata) or None when the archive format has no such path. ``unsafe_name(name)`` says why one
path component must never be written to a disk: ``..``, ``.git`` in every spelling git's own
fsck refuses (case, NTFS short names and trailing dots or spaces, HFS+ ignorable characters),
control characters, non-canonical Unicode.
Both read only strings, so the incoming gate, ``custtui check`` and the working-tree writer
share them.
"""

from __future__ import annotations

import re
import unicodedata
from enum import Enum
from functools import lru_cache
from typing import NamedTuple

FORMAT_VERSION = 1  # archive.toml's ``format``
TOML_SUFFIX = ".toml"  # every record file: settings, schema, offices, staff, customers, notes, deals, metadata
ARCHIVE_FILE = "archive.toml"  # the archive's name and format version
SCHEMA_DIR = "schema"  # the classification standard and the policy this archive uses (copied at init)
DIMENSIONS_FILE = "dimensions.toml"  # schema/: the dimensions (customer type, stage, status …) and their values
DOCUMENTS_FILE = "documents.toml"  # schema/: information types and document types
REGIONS_FILE = "regions.toml"  # schema/: GB/T 2260 provinces and cities
FIELDS_FILE = "fields.toml"  # schema/: a customer's fields, per customer type
RULES_FILE = "rules.toml"  # schema/: status periods, the document naming rule and limits
POLICY_FILE = "policy.toml"  # schema/: roles, what each may view and edit, what is masked, other permissions
SCHEMA_FILES = (DIMENSIONS_FILE, DOCUMENTS_FILE, REGIONS_FILE, FIELDS_FILE, RULES_FILE)  # the standard, in load order
SCHEMA_NAMES = (*SCHEMA_FILES, POLICY_FILE)  # every file schema/ may hold
OFFICES_DIR = "offices"  # offices/<CODE>.toml: one per office, its name and next sequence number
STAFF_DIR = "staff"  # staff/<id>.toml: one per person, the staff registry
BOXES_DIR = "boxes"  # boxes/<number>.toml: one per paper archive box (纸质档案盒), the box register
REVIEWS_DIR = "reviews"  # reviews/access-<period>.toml: one per signed access review (权限复核)
ERASURES_DIR = "erasures"  # erasures/<ID>.toml: one tombstone per erasure of a customer's personal data
CUSTOMERS_DIR = "customers"  # customers/<CODE>/<NNN>/<ID>/: one folder per customer
CUSTOMER_FILE = "customer.toml"  # in a customer's folder: the customer's editable fields
NOTES_DIR = "notes"  # in a customer's folder: communication records (沟通记录), one file each
DEALS_DIR = "deals"  # in a customer's folder: transactions (交易记录), one file each
DOCS_DIR = "docs"  # in a customer's folder: documents, each with its metadata beside it
META_SUFFIX = ".meta.toml"  # a document's metadata: docs/<name>.meta.toml
# the keys of a document's metadata
DOCUMENT_FIELDS = (  # what a person describes, in the order written
    "info_type",
    "doc_type",
    "title",
    "date",
    "stage",
    "sensitivity",
    "number",
    "project",
    "main",
    "also_in",
    "paper_box",
    "paper_shelf",
)
# what custtui records itself, never typed in: attach's checksum, size, name, who and when; a sync's open conflicts
DOCUMENT_SYSTEM_FIELDS = ("sha256", "size", "original_name", "original_path", "added_by", "added_at", "conflicts")
DOCUMENT_ORDER = DOCUMENT_FIELDS + DOCUMENT_SYSTEM_FIELDS  # the key order of a .meta.toml (conflicts, a table, last)
MAX_NAME_BYTES = 255  # what ext4, NTFS and APFS all accept

_OFFICE = r"[A-Z][A-Z0-9]{1,5}"
_CUSTOMER_FOLDER = re.compile(
    rf"^{CUSTOMERS_DIR}/(?P<office>{_OFFICE})/(?P<shard>\d{{3}})/(?P<id>(?P=office)-(?P<seq>\d{{6,}}))/"
)
_TOML = re.escape(TOML_SUFFIX)
_NOTE_NAME = re.compile(rf"^\d{{8}}T\d{{4}}-[0-9a-f]{{6}}{_TOML}$")
_DEAL_NAME = re.compile(rf"^\d{{8}}-[0-9a-f]{{6}}{_TOML}$")
_OFFICE_FILE = re.compile(rf"^{OFFICES_DIR}/({_OFFICE}){_TOML}$")
_STAFF_FILE = re.compile(rf"^{STAFF_DIR}/([a-z][a-z0-9_.-]{{1,31}}){_TOML}$")
# a box number: capital letters, digits and CJK ideographs joined by single hyphens, at most 32
# characters (BJ-HT-2024-01, 2019-HT-003, 合同2019-03): safe as a file name on every system
_BOX_PART = "[0-9A-Z\u4e00-\u9fff]+"
_BOX_FILE = re.compile(rf"^{BOXES_DIR}/([^/]+){_TOML}$")
# a signed access review names its period: a quarter or a half year (2026-Q4, 2026-H2)
_REVIEW_FILE = re.compile(rf"^{REVIEWS_DIR}/access-(\d{{4}}-(?:Q[1-4]|H[12])){_TOML}$")
_ERASURE_FILE = re.compile(rf"^{ERASURES_DIR}/({_OFFICE}-\d{{6,}}){_TOML}$")
_DOCUMENT_UNSAFE = re.compile(r'[\\/:*?"<>|]')
WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
_SHORT_NAMES = re.compile(r"^(git|gitmod|gitatt|gitign|mailma|gi7eba|gi7d29|gi250a|maba30)~\d")  # 8.3 aliases


class Kind(Enum):
    ARCHIVE = "档案设置"
    SCHEMA = "分类标准"
    OFFICE = "办事处"
    STAFF = "员工名册"
    BOX = "纸质档案盒"
    REVIEW = "权限复核"
    ERASURE = "个人信息删除记录"
    CUSTOMER = "客户记录"
    NOTE = "沟通记录"
    DEAL = "交易记录"
    DOCUMENT = "资料"
    DOC_META = "资料元数据"


class Place(NamedTuple):
    """What a path of the archive is: its kind, the customer it belongs to, and its own name
    (the office code, staff ID, schema file or document name)."""

    kind: Kind
    customer: str | None = None
    name: str = ""


def shard(customer_id: str) -> str:
    """The thousands folder of a customer: ``BJ-001234`` -> ``001``."""
    return f"{int(customer_id.rsplit('-', 1)[1]) // 1000:03d}"


def schema_file(name: str) -> str:
    """``schema/<name>``: a file of the classification standard or the policy."""
    return f"{SCHEMA_DIR}/{name}"


def office_file(code: str) -> str:
    """``offices/BJ.toml``: an office's name and customer counter."""
    return f"{OFFICES_DIR}/{code}{TOML_SUFFIX}"


def staff_file(person_id: str) -> str:
    """``staff/zhangwei.toml``: one person of the staff registry."""
    return f"{STAFF_DIR}/{person_id}{TOML_SUFFIX}"


def erasure_file(customer_id: str) -> str:
    """``erasures/BJ-000123.toml``: who erased the customer's personal data, when and why."""
    return f"{ERASURES_DIR}/{customer_id}{TOML_SUFFIX}"


def box_file(number: str) -> str:
    """``boxes/BJ-HT-2024-01.toml``: one paper archive box of the register."""
    return f"{BOXES_DIR}/{number}{TOML_SUFFIX}"


@lru_cache(maxsize=1)
def _box_number() -> re.Pattern:
    # compiled when a box is first read, not at import: Python builds a class of 21,000
    # ideographs a code point at a time, 5-8 ms of every command (python -X importtime)
    return re.compile(rf"^(?=.{{1,32}}$){_BOX_PART}(?:-{_BOX_PART})*$")


def unsafe_box_number(number: str) -> str | None:
    """Why ``number`` is not a box number the archive format allows (in Chinese), or None."""
    if not _box_number().match(number):
        return "盒号只能由大写字母、数字和汉字组成, 用单个 - 连接, 最多 32 个字符 (如 BJ-HT-2024-01)"
    if number in WINDOWS_DEVICES:
        return "盒号不能是 Windows 保留设备名"
    return None


def review_file(period: str) -> str:
    """``reviews/access-2026-Q4.toml``: the sign-off of one period's access review."""
    return f"{REVIEWS_DIR}/access-{period}{TOML_SUFFIX}"


def customer_folder(customer_id: str) -> str:
    """``customers/BJ/001/BJ-001234``: a customer's folder, sharded by office and thousands (the
    ID's form is the caller's to check)."""
    return f"{CUSTOMERS_DIR}/{customer_id.rsplit('-', 1)[0]}/{shard(customer_id)}/{customer_id}"


def document_file(name: str) -> str:
    """``docs/<name>``: a document, inside its customer's folder."""
    return f"{DOCS_DIR}/{name}"


def meta_file(name: str) -> str:
    """``docs/<name>.meta.toml``: a document's metadata, inside its customer's folder."""
    return f"{DOCS_DIR}/{name}{META_SUFFIX}"


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
    if (match := _BOX_FILE.match(path)) and unsafe_box_number(match.group(1)) is None:
        return Place(Kind.BOX, name=match.group(1))
    if match := _REVIEW_FILE.match(path):
        return Place(Kind.REVIEW, name=match.group(1))
    if match := _ERASURE_FILE.match(path):
        return Place(Kind.ERASURE, match.group(1), match.group(1))
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
    if folder == NOTES_DIR and _NOTE_NAME.match(name):
        return Place(Kind.NOTE, customer, name)
    if folder == DEALS_DIR and _DEAL_NAME.match(name):
        return Place(Kind.DEAL, customer, name)
    if folder == DOCS_DIR and "/" not in name:
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
