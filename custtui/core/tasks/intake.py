"""Documents in and out: what a loose file probably is, filing it (and clearing it out of the
inbox), a filed document's text, and a copy of it for the user.

``propose`` reads the file's name and text for clues (customer name, 简称, 统一社会信用代码,
customer ID, contract number, document type, date) and looks for the same bytes anywhere in the
archive; every guess stays a proposal the user confirms or corrects.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from ..archive.archive import Archive
from ..base.errors import FieldError, RecordError
from ..base.layout import CUSTOMERS_DIR, DEALS_DIR, DOCS_DIR, META_SUFFIX, TOML_SUFFIX
from ..index.extracted import Extracted
from ..index.listing import Summary
from ..index.textcache import TextCache
from ..records.naming import unique_name
from ..records.records import loads
from ..records.schema import DocType, Schema
from ..store.repo import blob_sha

FILED_FOLDER = "已归档"  # inbox files go here once filed, so nobody files them twice
TEXT_WINDOW = 50_000  # characters of a file's text searched for clues
TITLE_MAX = 40
GENERIC_ENDINGS = ("处理单", "工单", "调查", "证明", "文件", "记录", "意见", "表", "单", "书")

# 20240105, 2024-01-05, 2024/1/5, 2024.01.05, 2024年1月5日 (PDF text puts spaces around 年月日)
_DATE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})(?:(\d{2})(\d{2})|\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?)(?!\d)"
)
_LABELLED_DATE = re.compile(r"(?:日期|落款)[\s:：|]*$")
_CONTRACT = re.compile(r"(?<![A-Za-z0-9-])((?:[A-Z]{1,6}-)*HT-\d{4}-\d{2,6})(?![0-9])")
_LABELLED_CONTRACT = re.compile(r"合同编号[\s:：|]*([A-Za-z0-9][A-Za-z0-9-]{3,40}[A-Za-z0-9])")
_CUSTOMER_ID = re.compile(r"(?<![A-Za-z0-9])([A-Z][A-Z0-9]{1,5}-\d{6})(?!\d)")
_REGISTRATION = re.compile(r"(?<![0-9A-Z])([0-9A-HJ-NPQRTUWXY]{18}|\d{17}[\dXx])(?![0-9A-Z])")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Candidate:
    """A customer the file may belong to, and why."""

    customer_id: str
    name: str
    score: int
    reasons: tuple[str, ...]


@dataclass
class Proposal:
    """What a file probably is; ``meta()`` gives it as ``Archive.attach`` metadata."""

    path: Path
    sha256: str
    text: Extracted
    customers: list[Candidate] = field(default_factory=list)
    info_type: str | None = None
    doc_type: str | None = None
    date: date | None = None
    number: str | None = None
    title: str | None = None
    project: str | None = None
    main: str | None = None  # the top customer's contract this file belongs to (its 主文件)
    duplicate_of: tuple[str, str] | None = None  # (customer ID, stored name) of the same bytes

    @property
    def customer_id(self) -> str | None:
        return self.customers[0].customer_id if self.customers else None

    def meta(self) -> dict[str, Any]:
        found = {
            "info_type": self.info_type,
            "doc_type": self.doc_type,
            "date": self.date,
            "title": self.title,
            "number": self.number,
            "project": self.project,
            "main": self.main,
        }
        return {key: value for key, value in found.items() if value}


@dataclass(frozen=True)
class Filing:
    """A filed file: its stored name, the commit, and where the inbox copy went (if it moved)."""

    name: str
    commit: str
    moved_to: Path | None = None
    move_problem: str | None = None


# --- reading a file ------------------------------------------------------------------------


def text_cache(archive: Archive) -> TextCache:
    """The archive's extracted-text cache (the one the search index fills)."""
    return TextCache(archive.store.git_dir / "custtui" / "text")


def extract_file(path: Path, cache: TextCache) -> Extracted:
    """The text of a file outside the archive, cached by its git blob id, so filing it later
    (and indexing it) costs nothing more."""
    if not path.is_file():
        raise FieldError("file", "资料文件", f"{path} 不存在或不是文件")
    try:
        data = path.read_bytes()
    except PermissionError:
        raise FieldError("file", "资料文件", f"没有读取 {path} 的权限") from None
    except OSError as exc:
        raise FieldError("file", "资料文件", f"{path} 无法读取 (错误 {exc.errno})") from None
    return cache.get(blob_sha(data), path.name, lambda: data)


def inbox_files(inbox: Path) -> list[Path]:
    """Files waiting in the inbox, newest first (hidden files and the filed folder left out)."""
    found = [p for p in inbox.iterdir() if p.is_file() and not p.name.startswith(".")]
    return sorted(found, key=lambda p: (-p.stat().st_mtime, p.name))


# --- proposing -----------------------------------------------------------------------------


def propose(archive: Archive, path: str | os.PathLike, extracted: Extracted | None = None) -> Proposal:
    """Customer, type, date, number and duplicate of a file, from its name and text."""
    path = Path(path)
    if extracted is None:
        extracted = extract_file(path, text_cache(archive))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    stem, body = path.stem, extracted.text[:TEXT_WINDOW]
    schema = archive.schema()
    proposal = Proposal(path, digest, extracted)
    proposal.number = contract_number(stem, body)
    contracts = contract_documents(archive, proposal.number) if proposal.number else {}
    listing = archive.customers()
    proposal.customers = _customers(listing, stem, body, proposal.number, contracts)
    top_id = proposal.customer_id
    top = listing.get(top_id) if top_id is not None else None
    found = clues(schema, stem, body, top.get("type") if top else None)
    proposal.info_type, proposal.doc_type, proposal.date, proposal.title = found
    if proposal.doc_type == "contract" and proposal.title and proposal.title.endswith("合同"):
        proposal.project = proposal.title.removesuffix("合同") or None
    elif proposal.customer_id in contracts:
        proposal.main = contracts[proposal.customer_id]
    duplicates = archive.documents_with_checksum(digest)
    proposal.duplicate_of = duplicates[0] if duplicates else None
    return proposal


def _customers(
    listing: dict[str, Summary], stem: str, body: str, number: str | None, contracts: dict[str, str | None]
) -> list[Candidate]:
    """Customers named in the file, best first: ID, registration number and contract number
    count most, then the full name, then a 简称; the file name counts more than the text."""
    scores: dict[str, int] = {}
    reasons: dict[str, list[str]] = {}

    def credit(customer_id: str, points: int, reason: str) -> None:
        scores[customer_id] = scores.get(customer_id, 0) + points
        reasons.setdefault(customer_id, []).append(reason)

    ids = set(_CUSTOMER_ID.findall(stem)) | set(_CUSTOMER_ID.findall(body))
    registrations = {r.upper() for r in _REGISTRATION.findall(stem) + _REGISTRATION.findall(body)}
    for customer_id in sorted(ids & listing.keys()):
        credit(customer_id, 100, f"含客户编号 {customer_id}")
    for customer_id in contracts:
        if customer_id in listing:
            credit(customer_id, 80, f"合同编号 {number} 属于该客户")
    for customer_id, summary in listing.items():
        for key, label in (("uscc", "统一社会信用代码"), ("id_number", "身份证号")):
            if summary.get(key) and summary.get(key).upper() in registrations:
                credit(customer_id, 100, f"{label}相符")
        name = summary.get("name") or ""
        if len(name) >= 2:
            if name in stem:
                credit(customer_id, 70, "文件名含客户名称")
            elif name in body:
                credit(customer_id, 50, "文字中有客户名称")
        for alias in summary.get("aliases") or []:
            if len(alias) >= 2 and alias not in name:
                if alias in stem:
                    credit(customer_id, 40, f"文件名含简称「{alias}」")
                elif alias in body:
                    credit(customer_id, 20, f"文字中有简称「{alias}」")
    ranked = sorted(scores, key=lambda c: (-scores[c], c))
    return [Candidate(c, listing[c].get("name") or "", scores[c], tuple(reasons[c])) for c in ranked]


class Clues(NamedTuple):
    """What a file's name and text say it is (codes of the schema)."""

    info_type: str | None
    doc_type: str | None
    date: date | None
    title: str | None


def clues(schema: Schema, stem: str, body: str, customer_type: str | None) -> Clues:
    """The information and document type, date and heading a file's name (with its folders, for
    an inventory) and text give."""
    doc_type = _doc_type(schema, stem, body, customer_type)
    if doc_type is not None:
        info_type: str | None = doc_type.info_type
    else:
        info = _earliest(stem, body, [(i.label, i) for i in schema.info_types.values()])
        info_type = info.code if info else None
    day = _date(body, labelled=True) or _date(stem) or _date_line(body) or _date(body)
    return Clues(info_type, doc_type.code if doc_type else None, day, _title(body))


def contract_number(stem: str, body: str) -> str | None:
    labelled = _LABELLED_CONTRACT.search(body)
    if labelled:
        return labelled.group(1)
    found = _CONTRACT.search(stem) or _CONTRACT.search(body)
    return found.group(1) if found else None


def contract_documents(archive: Archive, number: str) -> dict[str, str | None]:
    """Customers with a deal or document under contract ``number``: customer ID → the stored
    name of the contract itself (None when only a deal mentions it)."""
    found: dict[str, str | None] = {}
    head = archive.head()  # read the files at the commit they were found at, though another commit lands
    for path in archive.grep(
        number, f"{CUSTOMERS_DIR}/*/{DEALS_DIR}/*{TOML_SUFFIX}", f"{CUSTOMERS_DIR}/*/{DOCS_DIR}/*{META_SUFFIX}", at=head
    ):
        customer_id = path.split("/")[3]
        if path.endswith(META_SUFFIX):
            name = path.rsplit("/", 1)[1][: -len(META_SUFFIX)]
            meta = _record(archive, head, path)
            if meta.get("number") == number:
                found[customer_id] = name if meta.get("doc_type") == "contract" else found.get(customer_id)
        elif _record(archive, head, path).get("contract") == number:
            found.setdefault(customer_id, None)
    return found


def _record(archive: Archive, commit: str | None, path: str) -> dict:
    raw = archive.store.read(commit, path)
    if raw is None:
        raise RecordError(path, "文件不存在")
    return loads(raw, path)


def _doc_type(schema: Schema, stem: str, body: str, customer_type: str | None) -> DocType | None:
    """The document type whose label or short form (投诉 for 投诉处理单) comes first in the file
    name, else in the text; types for other customer types left out."""
    usable = [
        d for d in schema.doc_types.values() if not d.for_types or customer_type is None or customer_type in d.for_types
    ]
    return _earliest(
        stem, body, [(d.label, d) for d in usable] + [(short, d) for d in usable if (short := _short_label(d.label))]
    )


def _earliest(stem: str, body: str, words: list[tuple[str, Any]]):
    """The thing whose word appears first in the file name, else first in the text (the longer
    word on a tie: 补充协议 before 协议)."""
    for haystack in (stem, body):
        found = [(haystack.find(word), -len(word), i) for i, (word, _) in enumerate(words) if word in haystack]
        if found:
            return words[min(found)[2]][1]
    return None


def _short_label(label: str) -> str | None:
    for ending in GENERIC_ENDINGS:
        if label.endswith(ending) and len(label) - len(ending) >= 2:
            return label.removesuffix(ending)
    return None


def _date(text: str, labelled: bool = False) -> date | None:
    """The first valid date in ``text``; with ``labelled``, the first one after 日期 or 落款
    (签订日期, 受理日期 …), which beats a scanner's date in the file name."""
    for match in _DATE.finditer(text):
        if labelled and not _LABELLED_DATE.search(text[max(0, match.start() - 12) : match.start()]):
            continue
        if (found := _valid(match)) is not None:
            return found
    return None


def _date_line(body: str) -> date | None:
    """A letter's own date: one standing on a line of its own, the last such (under the
    signature, else the header's); a date inside a sentence is more often a deadline."""
    for line in reversed(body.splitlines()):
        match = _DATE.fullmatch(line.strip())
        if match and (found := _valid(match)) is not None:
            return found
    return None


def _valid(match: re.Match) -> date | None:
    year, compact_month, compact_day, month, day = match.groups()
    try:
        return date(int(year), int(compact_month or month), int(compact_day or day))
    except ValueError:
        return None


def _title(body: str) -> str | None:
    """The first short line with Chinese in it (a document's heading)."""
    for line in body.splitlines()[:20]:
        line = " ".join(line.split())
        if 2 <= len(line) <= TITLE_MAX and len(_CJK.findall(line)) >= 2:
            return line
    return None


# --- filing --------------------------------------------------------------------------------


def check_source(path: str | os.PathLike, inbox: Path | None, confined: bool) -> None:
    """A person working through the SSH entry point files documents from the inbox only: the
    service account can read more than any one person may (other people's settings, the log)."""
    if not confined:
        return
    if inbox is None or not Path(path).resolve().is_relative_to(Path(inbox).resolve()):
        raise FieldError(
            "file", "资料文件", f"通过 SSH 使用时只能从收件箱 {inbox or '(未设置)'} 归档资料, 请把文件放进收件箱"
        )


def file_document(
    archive: Archive,
    customer_id: str,
    path: str | os.PathLike,
    meta: dict[str, Any],
    *,
    allow_duplicate: bool = False,
    inbox: Path | None = None,
) -> Filing:
    """Attach ``path`` to a customer (one commit), refusing bytes already filed anywhere in the
    archive unless ``allow_duplicate``; a file from ``inbox`` then moves to ``inbox/已归档/``."""
    path = Path(path)
    if not allow_duplicate and path.is_file():
        duplicates = archive.documents_with_checksum(hashlib.sha256(path.read_bytes()).hexdigest())
        if duplicates:
            owner, name = duplicates[0]
            raise FieldError("file", "资料文件", f"与 {owner} 已归档的「{name}」内容完全相同 (校验和一致), 未重复归档")
    name, commit = archive.attach(customer_id, path, meta, allow_duplicate=allow_duplicate)
    if inbox is None or path.resolve().parent != Path(inbox).resolve():
        return Filing(name, commit)
    try:
        target = _free_path(Path(inbox) / FILED_FOLDER, path.name)
        shutil.move(path, target)
    except OSError as exc:
        return Filing(name, commit, move_problem=f"已归档, 但收件箱中的原文件未能移走: {exc}")
    return Filing(name, commit, moved_to=target)


def save_copy(data: bytes, name: str, folder: Path) -> Path:
    """Write ``data`` as ``folder/name`` (folder created), never over an existing file: a taken
    name gets -2, -3 … before the extension."""
    folder.mkdir(parents=True, exist_ok=True)
    while True:
        target = _free_path(folder, name)
        try:
            with open(target, "xb") as handle:  # "x": another writer taking the name meanwhile fails here
                handle.write(data)
            return target
        except FileExistsError:
            continue


def _free_path(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder / unique_name(name, {p.name for p in folder.iterdir()})
