"""Inventory (盘点) of a shared drive before it moves in: read-only, every file listed, nothing
thrown away.

``scan`` walks a folder tree and describes every file: size, type, checksum and dates; the same
bytes elsewhere in the tree or already in the archive; the same text under other bytes (a scan
made twice); the customer it is about, with the reason and a confidence (customer ID, USCC or
ID number, contract number, the name or an alias in the folders, file name or text); the
information and document type, date and heading the inbox would propose (folder names count as
part of the name: ``销售订单附件/`` says 订单); and a flag when that customer has been quiet for
years. ``write_plan`` writes it as an XLSX a person reviews: the 动作 column says what to do with
each file (归档 or 跳过), and the customer, type, date and number may be corrected. ``apply`` files
every row marked 归档 under the naming rule, keeping the file's original path, in batches of one
commit each; a file already filed under that customer is not filed again, so a second run, or
one after an interruption, does nothing twice.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from ..archive.archive import Archive, Attachment
from ..base.errors import CusttuiError, FieldError
from ..index.listing import Summary
from ..store.repo import blob_sha
from .intake import TEXT_WINDOW, clues, contract_documents, contract_number, text_cache
from .review import last_activity

BATCH = 50  # files per commit …
BATCH_BYTES = 256 * 2**20  # … and bytes
QUIET_YEARS = 3  # a customer without a note or deal for this long is flagged
SAME_BYTES, ALREADY_FILED, QUIET = "内容完全相同", "已在档案中", "客户久无往来"
RESCAN_MIN_CHARS = 30  # shorter texts (a stamp, a page number) say nothing about being the same document
FILE = "归档"
SKIP = "跳过"
ACTIONS = (FILE, SKIP)
PLAN_COLUMNS = (
    ("action", "动作"),
    ("path", "文件"),
    ("size", "大小(字节)"),
    ("kind", "类型"),
    ("modified", "修改时间"),
    ("customer_id", "客户编号"),
    ("customer_name", "客户名称"),
    ("reason", "匹配依据"),
    ("confidence", "可信度"),
    ("doc_type", "资料类型"),
    ("date", "资料日期"),
    ("number", "合同编号"),
    ("title", "标题"),
    ("note", "提示"),
    ("sha256", "SHA-256"),
)
EDITABLE = ("action", "customer_id", "doc_type", "date", "number", "title")
_KINDS = {
    ".pdf": "PDF",
    ".doc": "Word",
    ".docx": "Word",
    ".xls": "Excel",
    ".xlsx": "Excel",
    ".csv": "表格文本",
    ".txt": "文本",
    ".jpg": "图片",
    ".jpeg": "图片",
    ".png": "图片",
    ".tif": "图片",
    ".tiff": "图片",
    ".bmp": "图片",
}
_CUSTOMER_ID = re.compile(r"(?<![A-Za-z0-9])([A-Z][A-Z0-9]{1,5}-\d{6})(?!\d)")
_REGISTRATION = re.compile(r"(?<![0-9A-Z])([0-9A-HJ-NPQRTUWXY]{18}|\d{17}[\dXx])(?![0-9A-Z])")


class Entry(NamedTuple):
    """One file of the drive, as the plan lists it."""

    action: str
    path: str  # relative to the scanned folder, with /
    size: int
    kind: str
    modified: datetime
    sha256: str
    customer_id: str = ""
    customer_name: str = ""
    reason: str = ""
    confidence: str = ""  # 高 / 中 / 低
    doc_type: str = ""  # the schema's label
    date: date | None = None
    number: str = ""
    title: str = ""
    note: str = ""


def readable_path(relative: str) -> str:
    """A path as people read it: a folder or file name written in GBK (an old Windows share
    copied as bytes) shown in Chinese instead of as undecodable bytes."""
    return "/".join(_readable(part) for part in relative.split("/"))


def _readable(name: str) -> str:
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return os.fsencode(name).decode("gb18030", errors="replace")


def real_path(root: Path, shown: str) -> Path:
    """The file a plan's path names: as written, else with each name that is not there in its
    GBK bytes (what ``readable_path`` decoded)."""
    path = root
    for part in shown.split("/"):
        path = path / part if (path / part).exists() else path / os.fsdecode(part.encode("gb18030", errors="replace"))
    return path


class _Names:
    """Every customer's name and aliases, found in a text by looking up each position's next
    characters in a dict: one pass over the text whatever the number of customers (the inbox's
    loop over every customer for every file would cost 20,000 files × 100,000 names)."""

    KEY = 2  # characters looked up at each position; names and aliases are at least this long

    def __init__(self, listing: dict[str, Summary]):
        self.starts: dict[str, list[tuple[str, str, bool]]] = {}  # first 2 chars → (word, ID, is the full name)
        for cid, summary in listing.items():
            name = summary.get("name") or ""
            for word, full in [(name, True)] + [(a, False) for a in summary.get("aliases") or [] if a not in name]:
                if len(word) >= self.KEY:
                    self.starts.setdefault(word[: self.KEY], []).append((word, cid, full))

    def found(self, text: str) -> dict[str, tuple[str, bool]]:
        """Customer ID → (the longest of its words in ``text``, whether it is the full name)."""
        best: dict[str, tuple[str, bool]] = {}
        for i in range(len(text) - self.KEY + 1):
            for word, cid, full in self.starts.get(text[i : i + self.KEY], ()):
                if text.startswith(word, i) and (cid not in best or len(word) > len(best[cid][0])):
                    best[cid] = (word, full)
        return best


def scan(archive: Archive, root: Path, progress: Callable[[int, int], None] | None = None) -> list[Entry]:
    """Every file under ``root`` (hidden files and folders left out), described; reads only."""
    if not root.is_dir():
        raise CusttuiError(f"{root} 不是文件夹")
    files = _files(root)
    scanner = _Scanner(archive)
    entries = []
    for done, path in enumerate(files, 1):
        entries.append(scanner.entry(path, readable_path(path.relative_to(root).as_posix())))
        if progress:
            progress(done, len(files))
    return entries


class _Scanner:
    """What an inventory knows of the archive (every customer, name, number and filed checksum,
    read once) and of the files it has seen (for copies and re-scans)."""

    def __init__(self, archive: Archive):
        self.archive = archive
        self.listing = archive.customers()
        self.names = _Names(self.listing)
        keys = ("uscc", "id_number")
        self.numbers = {key: {s.get(key): cid for cid, s in self.listing.items() if s.get(key)} for key in keys}
        self.archived = archive.document_checksums()
        self.quiet = _quiet_customers(archive, self.listing)
        self.schema = archive.schema()
        self.cache = text_cache(archive)
        self.contracts: dict[str, dict[str, str | None]] = {}  # contract number → its customers
        self.first_with: dict[str, str] = {}  # sha256 → the first path with those bytes
        self.first_text: dict[str, str] = {}  # text without spaces → the first path with it

    def entry(self, path: Path, relative: str) -> Entry:
        stat = path.lstat()
        modified = datetime.fromtimestamp(stat.st_mtime).replace(microsecond=0)
        unread, data = ("符号链接, 未跟随" if path.is_symlink() else ""), None
        if not unread:
            try:
                data = path.read_bytes()
            except OSError as exc:
                unread = f"无法读取 ({exc.strerror})"
        if data is None:
            return Entry(SKIP, relative, stat.st_size, "其他", modified, "", note=unread)
        digest = hashlib.sha256(data).hexdigest()
        extracted = self.cache.get(blob_sha(data), path.name, lambda: data)
        text = extracted.text[:TEXT_WINDOW]
        notes = [extracted.note] if extracted.note else []
        stem = relative.rsplit(".", 1)[0]  # the folders count as part of the name
        number = contract_number(stem, text)
        if number and number not in self.contracts:
            self.contracts[number] = contract_documents(self.archive, number)
        owners = self.contracts.get(number or "", {})
        cid, reason, confidence = _customer(stem, text, self.listing, self.names, self.numbers, owners)
        found = clues(self.schema, stem, text, self.listing[cid].get("type") if cid else None)
        doc_type = self.schema.doc_types[found.doc_type].label if found.doc_type else ""
        if not doc_type and found.info_type:
            doc_type = self.schema.info_types[found.info_type].label
        action = FILE if cid and doc_type else SKIP
        if digest in self.first_with:
            notes.append(f"与「{self.first_with[digest]}」{SAME_BYTES}")
            action = SKIP
        else:
            self.first_with[digest] = relative
        if digest in self.archived:
            owner, stored = self.archived[digest][0]
            notes.append(f"{ALREADY_FILED}: {owner}「{stored}」")
            action = SKIP
        same_text = "".join(text.split())
        if len(same_text) >= RESCAN_MIN_CHARS and action == FILE:
            if same_text in self.first_text:
                notes.append(f"与「{self.first_text[same_text]}」文字相同, 可能是重复扫描")
                action = SKIP
            else:
                self.first_text[same_text] = relative
        if cid in self.quiet:
            notes.append(self.quiet[cid])
        if not cid:
            notes.append("没有认出客户, 请填写客户编号")
        elif not doc_type:
            notes.append("没有认出资料类型, 请填写资料类型")
        kind = _KINDS.get(path.suffix.lower(), path.suffix.lstrip(".").upper() or "其他")
        name = (self.listing[cid].get("name") or "") if cid else ""
        title, day = found.title or "", found.date
        return Entry(action, relative, len(data), kind, modified, digest, cid or "", name, reason, confidence,
                     doc_type, day, number or "", title, "; ".join(notes))  # fmt: skip


class Counts(NamedTuple):
    to_file: int
    copies: int  # the same bytes as a file listed before
    filed: int  # already in the archive
    unknown: int  # no customer recognised
    quiet: int  # of a customer quiet for years or lost


def counts(entries: list[Entry]) -> Counts:
    """What an inventory found, counted for its summary."""
    return Counts(
        sum(1 for e in entries if e.action == FILE),
        sum(1 for e in entries if SAME_BYTES in e.note),
        sum(1 for e in entries if ALREADY_FILED in e.note),
        sum(1 for e in entries if not e.customer_id),
        sum(1 for e in entries if QUIET in e.note),
    )


def _files(root: Path) -> list[Path]:
    """Every file under ``root``, hidden ones and those in hidden folders left out; a link to a
    folder is not followed (it may lead out of the tree, or round in a loop)."""
    found = []
    for folder, folders, names in os.walk(root):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        found += [Path(folder) / name for name in sorted(names) if not name.startswith(".")]
    return sorted(found)


def _customer(
    stem: str,
    text: str,
    listing: dict[str, Summary],
    names: _Names,
    numbers: dict[str, dict[str, str]],
    contract_owners: dict[str, str | None],
) -> tuple[str | None, str, str]:
    """(customer ID, reason, confidence) of the customer a file is most likely about."""
    for haystack, where in ((stem, "路径"), (text, "文字")):
        for cid in _CUSTOMER_ID.findall(haystack):
            if cid in listing:
                return cid, f"{where}中有客户编号", "高"
        for number in _REGISTRATION.findall(haystack):
            for key, label in (("uscc", "统一社会信用代码"), ("id_number", "身份证号")):
                if (cid := numbers[key].get(number.upper())) is not None:
                    return cid, f"{where}中有{label}", "高"
    owners = [cid for cid in contract_owners if cid in listing]
    if len(owners) == 1:
        return owners[0], "合同编号属于该客户", "高"
    for haystack, where, strong in ((stem, "路径", "中"), (text, "文字", "低")):
        found = names.found(haystack)
        if found:
            cid, (word, full) = max(found.items(), key=lambda item: (item[1][1], len(item[1][0])))
            if len({c for c, (w, f) in found.items() if (f, len(w)) == (full, len(word))}) == 1:
                what = "名称" if full else f"简称「{word}」"
                return cid, f"{where}中有客户{what}", "高" if full and where == "路径" else strong
    return None, "", ""


def _quiet_customers(archive: Archive, listing: dict[str, Summary]) -> dict[str, str]:
    """Customer ID → why its files are flagged: no note or deal for QUIET_YEARS years, or lost."""
    today = date.today()
    latest = last_activity(archive)
    flagged = {}
    for cid, summary in listing.items():
        last = latest.get(cid)
        if last is not None and (today - last).days >= QUIET_YEARS * 365:
            flagged[cid] = f"{QUIET}: {(today - last).days // 365} 年无往来 (最近 {last})"
        elif summary.get("status") in ("lost", "history"):
            flagged[cid] = f"{QUIET}: 已流失或转为历史客户"
    return flagged


# --- the plan -----------------------------------------------------------------------------


def write_plan(entries: list[Entry], path: Path, root: Path) -> None:
    """The plan as an XLSX: one row per file, the editable columns shaded, and a sheet saying
    which folder was scanned (``apply`` reads it back)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = "盘点清单"
    sheet.append([title for _, title in PLAN_COLUMNS])
    for entry in entries:
        sheet.append([getattr(entry, key) for key, _ in PLAN_COLUMNS])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):  # a file name off a shared drive is anybody's text
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", cell.value)  # control characters XLSX refuses
                if cell.value.startswith("="):
                    cell.data_type = "s"  # text, never a formula Excel would run on opening
    editable = PatternFill("solid", fgColor="FFF2CC")
    for i, (key, _) in enumerate(PLAN_COLUMNS, 1):
        sheet.cell(1, i).font = Font(bold=True)
        if key in EDITABLE:
            sheet.cell(1, i).fill = editable
        sheet.column_dimensions[sheet.cell(1, i).column_letter].width = {"path": 50, "note": 50, "sha256": 20}.get(
            key, 14
        )
    choice = DataValidation(type="list", formula1=f'"{",".join(ACTIONS)}"', allow_blank=False)
    sheet.add_data_validation(choice)
    choice.add(f"A2:A{len(entries) + 1}")
    sheet.freeze_panes = "C2"
    about = book.create_sheet("说明")
    about.append(["盘点的文件夹", str(root.resolve())])
    about.append(["盘点时间", datetime.now().replace(microsecond=0)])
    about.append(["文件数", len(entries)])
    about.append(
        ["动作", f"{FILE}: 归档到所填客户名下; {SKIP}: 不动。黄色的列可以修改。盘点只读, 不会移动或删除任何文件。"]
    )
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 14, 80
    book.save(path)


class PlanRow(NamedTuple):
    number: int  # the row in the sheet
    values: dict[str, Any]


def read_plan(path: Path) -> tuple[Path, list[PlanRow]]:
    """(the folder scanned, every row) of a plan written by ``write_plan`` and perhaps edited."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not an XLSX
        raise CusttuiError(f"{path} 不是可读的盘点清单 ({type(exc).__name__})") from None
    if "盘点清单" not in book.sheetnames or "说明" not in book.sheetnames:
        raise CusttuiError(f"{path} 不是 custtui inventory 生成的盘点清单 (缺少「盘点清单」或「说明」工作表)")
    root = next(
        (Path(str(row[1])) for row in book["说明"].iter_rows(values_only=True) if row[0] == "盘点的文件夹"), None
    )
    rows = list(book["盘点清单"].iter_rows(values_only=True))
    book.close()
    titles = {title: key for key, title in PLAN_COLUMNS}
    keys = [titles.get(str(title), "") for title in rows[0]] if rows else []
    missing = [
        title for key, title in PLAN_COLUMNS if key in ("action", "path", "sha256", "customer_id") and key not in keys
    ]
    if root is None or missing:
        raise CusttuiError(f"盘点清单 {path} 缺少: {'、'.join(missing) or '盘点的文件夹'}")
    plan = [PlanRow(n, dict(zip(keys, row, strict=False))) for n, row in enumerate(rows[1:], 2) if any(row)]
    return root, plan


class Applied(NamedTuple):
    row: int
    path: str
    outcome: str  # 已归档为 …, 已在档案中, or what stood in the way
    filed: bool = False


def apply(archive: Archive, plan_path: Path, root: Path | None = None) -> Iterator[tuple[int, int, list[Applied]]]:
    """File every row marked 归档, a batch (``BATCH`` files, ``BATCH_BYTES`` at most) to a commit,
    yielding (rows done, rows to file, the outcome of each row of the batch) after each commit:
    stopping between two leaves whole batches. A file already filed under its customer (same
    checksum) is not filed again; a file that changed since the inventory, or a row with a wrong
    value, is reported and left."""
    scanned, rows = read_plan(plan_path)
    root = root or scanned
    wanted = [row for row in rows if str(row.values.get("action") or "").strip() == FILE]
    archived = archive.document_checksums()
    schema = archive.schema()
    done = 0
    for batch in _batches(wanted):
        outcomes, items = [], []
        for row in batch:
            problem, item = _item(row, root, archived, schema)
            if item is None:
                outcomes.append(Applied(row.number, str(row.values.get("path")), problem))
            else:
                items.append((row, item))
        if items:
            first, last = items[0][0].number, items[-1][0].number
            lines = f"第 {first}-{last} 行" if first != last else f"第 {first} 行"
            try:
                names, _ = archive.attach_many([item for _, item in items], source=f"盘点 {root.name} 清单{lines}")
                filed: list[tuple[str | None, str]] = [(name, "") for name in names]
            except FieldError:  # one row's metadata is wrong: file the rest one by one
                filed = [_one(archive, item) for _, item in items]
            for (row, item), (name, problem) in zip(items, filed, strict=True):
                outcome = problem or f"已归档为 {item.customer_id}「{name}」"
                outcomes.append(Applied(row.number, str(row.values.get("path")), outcome, not problem))
        done += len(batch)
        yield done, len(wanted), sorted(outcomes)


def _batches(rows: list[PlanRow]) -> Iterator[list[PlanRow]]:
    """The rows in batches of ``BATCH`` files and ``BATCH_BYTES`` at most (one commit holds its
    files in memory: fifty scans of 60 MB would need 3 GB); a bigger file goes alone."""
    batch: list[PlanRow] = []
    size = 0
    for row in rows:
        given = row.values.get("size")
        own = given if isinstance(given, int) else 0
        if batch and (len(batch) >= BATCH or size + own > BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(row)
        size += own
    if batch:
        yield batch


def _item(
    row: PlanRow, root: Path, archived: dict[str, list[tuple[str, str]]], schema
) -> tuple[str, Attachment | None]:
    values = row.values
    relative = str(values.get("path") or "")
    path = real_path(root, relative)
    cid = str(values.get("customer_id") or "").strip()
    if not cid:
        return "没有填写客户编号, 未归档", None
    if not path.is_file() or os.path.islink(path):
        return f"文件 {relative} 已不在, 未归档", None
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != values.get("sha256"):
        return "文件在盘点之后改过 (校验和不同), 未归档; 请重新盘点", None
    if any(owner == cid for owner, _ in archived.get(digest, ())):
        return "已在档案中", None
    meta: dict[str, Any] = {}
    kind = str(values.get("doc_type") or "").strip()
    if kind:  # a document type, or only an information type (资料类型 shows the most precise the inventory knew)
        meta["doc_type" if schema.resolve_doc_type(kind) or not schema.resolve_info_type(kind) else "info_type"] = kind
    for key in ("date", "number", "title"):
        if values.get(key) not in (None, ""):
            meta[key] = values[key]
    return "", Attachment(cid, path, meta, original_path=relative)


def _one(archive: Archive, item: Attachment) -> tuple[str | None, str]:
    """(stored name, "") of one item filed alone, or (None, why it cannot be)."""
    try:
        return archive.attach_many([item], source=f"盘点 {item.original_path}")[0][0], ""
    except CusttuiError as exc:
        return None, f"{exc}, 未归档"
