"""The company's own forms, filled from the archive as one person may see it, out as XLSX or CSV.

客户基础信息表, 客户分类标签表 and 资料存储目录表 (the templates of the domain), and any list or search
result. Every value is what ``show`` and ``list`` would show this person: personal data masked as the
policy says (``unmask`` only with the right, and logged), documents they may not see left out.
Codes never appear: values are the Chinese labels of the archive's own standard (``schema/``).
Writing a table out needs the ``export`` right; one that holds personal data is written to the
access log with what was exported.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

from ..access import access_log
from ..archive.archive import Archive
from ..base.errors import CusttuiError
from ..base.layout import CUSTOMER_FILE, CUSTOMERS_DIR, DOCS_DIR, META_SUFFIX
from ..index.listing import batch_read, customer_folders, parse_customer
from ..records.present import document_display, plain
from ..records.records import customer_dir, loads
from ..records.schema import Schema
from . import view

if TYPE_CHECKING:
    from ..index.search import Results


class Table(NamedTuple):
    """A form as rows: a header of Chinese column titles and one row of values per line
    (text, ``date`` or ``Decimal``: the writers keep dates as dates and amounts as numbers)."""

    title: str
    header: tuple[str, ...]
    rows: list[list[Any]]
    personal: bool  # holds personal information (个人信息保护法): writing it out is logged
    skipped: tuple[str, ...] = ()  # customers left out because their record is broken (custtui check)


FORMATS = (".xlsx", ".csv")
LOGGED_IDS = 20  # an export of up to this many customers names each in the access log; a larger one, how many
NAMED = {"basic": "客户基础信息表", "tags": "客户分类标签表", "documents": "资料存储目录表"}


# --- reading the archive as this person ------------------------------------------------------


class _Customer(NamedTuple):
    id: str
    record: dict  # as this person sees it (masked or unmasked)
    files: dict[str, str]  # path inside the folder -> blob


def _customers(
    archive: Archive, where: dict[str, str] | None, unmask: bool, what: str
) -> tuple[list[_Customer], list[str]]:
    """The customers this person may list that match ``where`` (``view.find``), each whole
    record read in one bulk git call and shown as ``view.customer`` shows it; the IDs of
    broken records apart. ``unmask`` needs the right and is logged once for the whole table."""
    head = archive.head()
    found = view.find(archive, where or {}, head)
    broken = [c["id"] for c in found if c.get("error")]
    wanted = [c["id"] for c in found if not c.get("error")]
    access = archive.access
    if unmask:
        access.require("unmask")
    if not wanted:
        return [], broken
    paths = [f"{CUSTOMERS_DIR}/"] if not where else [customer_dir(cid) for cid in wanted]
    folders = {key.rsplit("/", 1)[1]: files for key, files in customer_folders(archive.store, head, *paths).items()}
    wanted = [cid for cid in wanted if CUSTOMER_FILE in folders.get(cid, {})]
    raws = batch_read(archive.store.git_dir, [folders[cid][CUSTOMER_FILE] for cid in wanted])
    shown, revealed = [], []
    for cid, raw in zip(wanted, raws, strict=True):
        record = parse_customer(raw, f"{customer_dir(cid)}/{CUSTOMER_FILE}", archive.opened)
        if record.get("_error"):
            broken.append(cid)
            continue
        if record.get("merged_into"):  # a pointer to the customer it became, not a customer
            continue
        masked = access.customer(record)
        if unmask and masked != record:
            revealed.append(cid)
        shown.append(_Customer(cid, record if unmask else masked, folders[cid]))
    if revealed:
        kinds = [label for kind, label in (("id_number", "身份证号"), ("phones", "电话")) if access.masked(kind)]
        access_log.record(archive, archive.actor, "unmask", what, f"{'、'.join(kinds)} ({whose(revealed)})")
    return shown, sorted(broken)


def _label(schema: Schema, dimension: str, code: Any) -> str:
    return schema.label(dimension, code) if code else ""


def _joined(values: Any) -> str:
    return "、".join(str(v) for v in values) if isinstance(values, list) else plain(values) if values else ""


def _main_contact(contacts: list[dict]) -> dict:
    """The contact a one-line form names: the first decision maker, else the first."""
    return next((c for c in contacts if c.get("decision_maker")), contacts[0] if contacts else {})


def age(id_number: Any, today: date) -> int | str:
    """Age from an 18-digit ID number's birth date; empty when it is masked (the mask hides the
    birth date on purpose, so the age is not derived behind it) or not a valid date."""
    text = str(id_number or "")
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14])) if len(text) == 18 else None
    except ValueError:
        born = None
    if born is None:
        return ""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


# --- the three forms -----------------------------------------------------------------------

BASIC_HEADER = (
    "客户编号",
    "客户名称",
    "统一社会信用代码",
    "行业",
    "规模",
    "联系人",
    "联系人职务",
    "联系电话",
    "地址",
    "首次接触日期",
    "客户类型",
    "负责人",
    "性别",
    "年龄",
    "身份证号",
    "其他联系人",
)


def basic_row(schema: Schema, customer_id: str, r: dict, today: date) -> list[Any]:
    """One customer's line of the 客户基础信息表 (``r`` as the person sees it)."""
    contacts = [x for x in r.get("contacts") or [] if isinstance(x, dict)]
    main = _main_contact(contacts)
    others = [x for x in contacts if x is not main]
    phones = r.get("phones") if r.get("type") == "individual" else main.get("phones")
    return [
        customer_id,
        r.get("name", ""),
        r.get("uscc", ""),
        _label(schema, "industry", r.get("industry")),
        _label(schema, "size", r.get("size")),
        main.get("name", ""),
        main.get("position", ""),
        _joined(phones or []),
        r.get("address", ""),
        r.get("first_contact") or "",
        _label(schema, "customer_type", r.get("type")),
        r.get("owner", ""),
        _label(schema, "gender", r.get("gender")),
        age(r.get("id_number"), today) if r.get("id_number") else "",
        r.get("id_number", ""),
        "; ".join(
            " ".join(filter(None, (x.get("name", ""), x.get("position", ""), _joined(x.get("phones") or []))))
            for x in others
        ),
    ]


def basic(
    archive: Archive, where: dict[str, str] | None = None, *, unmask: bool = False, today: date | None = None
) -> Table:
    """客户基础信息表: one row per customer; for an enterprise its main contact (the others in the
    last column), for an individual its own phones, gender, age and ID number."""
    schema = archive.schema()
    today = today or date.today()
    customers, broken = _customers(archive, where, unmask, NAMED["basic"])
    rows = [basic_row(schema, c.id, c.record, today) for c in customers]
    return Table(NAMED["basic"], BASIC_HEADER, rows, bool(rows), tuple(broken))


TAGS_HEADER = (
    "客户编号",
    "客户名称",
    "客户类型",
    "行业",
    "规模",
    "地域",
    "价值层级",
    "年采购额 (元)",
    "合作阶段",
    "客户状态",
    "客户等级",
    "组合标签",
    "其他标签",
    "备注",
)


def combined_tag(schema: Schema, record: dict) -> str:
    """``制造业-中型-潜在``: industry (a person: the customer type), size and stage, as the tag
    table writes them."""
    stage = _label(schema, "stage", record.get("stage")).removesuffix("客户")
    kind = _label(schema, "industry", record.get("industry")) or _label(schema, "customer_type", record.get("type"))
    return "-".join(filter(None, (kind, _label(schema, "size", record.get("size")), stage)))


def tags_row(schema: Schema, customer_id: str, r: dict) -> list[Any]:
    """One customer's line of the 客户分类标签表."""
    return [
        customer_id,
        r.get("name", ""),
        _label(schema, "customer_type", r.get("type")),
        _label(schema, "industry", r.get("industry")),
        _label(schema, "size", r.get("size")),
        schema.region_label(r["region"]) if r.get("region") else "",
        _label(schema, "value_tier", r.get("value_tier")),
        _number(r.get("annual_purchase")),
        _label(schema, "stage", r.get("stage")),
        _label(schema, "status", r.get("status")),
        _label(schema, "grade", r.get("grade")),
        combined_tag(schema, r),
        _joined(r.get("tags") or []),
        r.get("remark", ""),
    ]


def tags(archive: Archive, where: dict[str, str] | None = None) -> Table:
    """客户分类标签表: every classification of each customer, the combined tag and the note."""
    schema = archive.schema()
    customers, broken = _customers(archive, where, False, NAMED["tags"])
    rows = [tags_row(schema, c.id, c.record) for c in customers]
    personal = any(c.record.get("type") == "individual" for c in customers)  # a person's name
    return Table(NAMED["tags"], TAGS_HEADER, rows, personal, tuple(broken))


def _number(value: Any) -> Decimal | str:
    """An amount as a number for the sheet; a mask or nothing as it is."""
    try:
        return Decimal(str(value)) if value not in (None, "") else ""
    except InvalidOperation:
        return str(value)


DOCUMENTS_HEADER = (
    "客户编号",
    "客户名称",
    "文件名",
    "标题",
    "信息类型",
    "资料类型",
    "资料日期",
    "敏感等级",
    "主文件/附件",
    "所属主文件",
    "同时归入",
    "纸质档案盒号",
    "纸质档案柜位",
    "档案中的路径",
)


def document_row(schema: Schema, customer_id: str, customer_name: str, name: str, meta: dict) -> list[Any]:
    """One line of the 资料存储目录表: a document under the naming rule and where it is kept."""

    def shown(key: str) -> str:
        return document_display(schema, key, meta.get(key))

    return [
        customer_id,
        customer_name,
        name,
        shown("title"),
        shown("info_type"),
        shown("doc_type"),
        meta["date"] if isinstance(meta.get("date"), date) else shown("date"),
        shown("sensitivity"),
        "附件" if meta.get("main") else "主文件",
        shown("main"),
        shown("also_in"),
        shown("paper_box"),
        shown("paper_shelf"),
        f"{customer_dir(customer_id)}/{DOCS_DIR}/{name}",
    ]


def documents(archive: Archive, where: dict[str, str] | None = None) -> Table:
    """资料存储目录表: every document this person may see, of the customers matching ``where``."""
    schema, access = archive.schema(), archive.access
    customers, broken = _customers(archive, where, False, NAMED["documents"])
    metas = [
        (c, path[len(DOCS_DIR) + 1 : -len(META_SUFFIX)], blob)
        for c in customers
        for path, blob in sorted(c.files.items())
        if path.startswith(f"{DOCS_DIR}/") and path.endswith(META_SUFFIX) and path[: -len(META_SUFFIX)] in c.files
    ]
    rows = []
    for (c, name, _), raw in zip(metas, batch_read(archive.store.git_dir, [b for _, _, b in metas]), strict=True):
        meta = loads(raw, name + META_SUFFIX)
        if access.document_visible(meta):
            rows.append(document_row(schema, c.id, c.record.get("name", ""), name, meta))
    individuals = {c.id for c in customers if c.record.get("type") == "individual"}
    return Table(NAMED["documents"], DOCUMENTS_HEADER, rows, any(r[0] in individuals for r in rows), tuple(broken))


BUILDERS: dict[str, Callable[..., Table]] = {"basic": basic, "tags": tags, "documents": documents}


# --- list and search results ---------------------------------------------------------------


def listed(archive: Archive, found: list) -> Table:
    """What ``custtui list`` shows (``view.find``'s summaries), as a table."""
    schema = archive.schema()
    rows = [
        [
            c["id"],
            c.get("name", "") if not c.get("error") else f"记录已损坏: {c['error']}",
            _label(schema, "customer_type", c.get("type")),
            _label(schema, "stage", c.get("stage")),
            c.get("owner", ""),
            _label(schema, "industry", c.get("industry")),
            schema.region_label(c["region"]) if c.get("region") else "",
        ]
        for c in found
    ]
    personal = any(c.get("type") == "individual" for c in found)
    return Table("客户列表", ("客户编号", "客户名称", "客户类型", "合作阶段", "负责人", "行业", "地域"), rows, personal)


def searched(results: Results) -> Table:
    """What ``custtui search`` shows (hits already filtered and masked by the person's scope)."""
    rows = [
        [
            h.id,
            h.name,
            "资料" if h.kind == "document" else "客户",
            h.document or "",
            h.title or "",
            h.why,
            h.highlights,
            h.path or "",
        ]
        for h in results.hits
    ]
    header = ("客户编号", "客户名称", "类别", "资料", "标题", "匹配位置", "摘要", "档案中的路径")
    return Table(f"搜索 {results.query}", header, rows, bool(rows))


# --- writing -------------------------------------------------------------------------------


def export(archive: Archive, table: Table, target: Path) -> Path:
    """Write ``table`` to ``target`` (XLSX or CSV by its suffix, never over an existing file);
    needs the ``export`` right; an export holding personal data is written to the access log."""
    archive.access.require("export")
    write(table, target)
    if table.personal:
        ids = list(dict.fromkeys(row[0] for row in table.rows))  # every form's first column: 客户编号
        access_log.record(
            archive, archive.actor, "export", table.title, f"{len(table.rows)} 行, {whose(ids)} → {target}"
        )
    return target


def whose(ids: list[str]) -> str:
    """Whose data an access-log entry is about: each customer by ID, or how many when they are many."""
    return f"客户 {'、'.join(ids)}" if len(ids) <= LOGGED_IDS else f"{len(ids)} 个客户"


def write(table: Table, target: Path) -> Path:
    """Write ``table`` to ``target``, XLSX or CSV by its suffix, never over an existing file (the
    caller asks for the right and logs it)."""
    writable(target)
    data = xlsx_bytes(table) if target.suffix.lower() == ".xlsx" else csv_bytes(table)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(target, "xb") as handle:  # "x": a file that appeared meanwhile is not overwritten either
            handle.write(data)
    except FileExistsError:
        raise CusttuiError(f"文件 {target} 已存在, 不会覆盖; 请换一个文件名或先移走它") from None
    return target


def ready(archive: Archive, target: Path) -> None:
    """Refuse an export before any work: no ``export`` right, or a target ``writable`` refuses."""
    archive.access.require("export")
    writable(target)


def writable(target: Path) -> None:
    """Refuse a format other than XLSX or CSV, or a file already there (never overwritten)."""
    if target.suffix.lower() not in FORMATS:
        raise CusttuiError(f"不支持的文件格式 {target.suffix or '(无扩展名)'}: 请用 .xlsx 或 .csv 结尾的文件名")
    if target.exists():
        raise CusttuiError(f"文件 {target} 已存在, 不会覆盖; 请换一个文件名或先移走它")


def csv_bytes(table: Table) -> bytes:
    """CSV in UTF-8 with a byte-order mark: Excel in China reads a CSV without it as GBK and
    shows the Chinese garbled; with it, Excel, WPS and LibreOffice all open it right."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(table.header)
    writer.writerows([_csv_value(v) for v in row] for row in table.rows)
    return text.getvalue().encode("utf-8-sig")


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # how a spreadsheet recognises a formula typed into a cell


def _csv_value(value: Any) -> Any:
    """A date in ISO form; text that Excel would run as a formula (a hostile name or note such as
    ``=HYPERLINK(…)``, OWASP's "CSV injection") kept as text behind an apostrophe."""
    if isinstance(value, date):
        return value.isoformat()
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def width(text: str) -> int:
    """How many columns ``text`` takes in a spreadsheet: a Chinese (wide) character counts two.
    From its UTF-8 length, in C (a character-by-character East Asian width test cost 1.5 s of
    the 20,000-row catalogue): ASCII is 1 byte (1 column), Chinese and full-width forms 3 (2)."""
    return (len(text.encode("utf-8")) + len(text)) // 2


MAX_COLUMN_WIDTH = 60  # longer text (a note, a snippet) wraps at the cell rather than widening the sheet


def xlsx_bytes(table: Table) -> bytes:
    """The table as one XLSX sheet: bold header row frozen, columns as wide as their Chinese
    text, dates as dates and amounts as numbers (write-only mode: one pass, little memory)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(table.title))
    sheet.freeze_panes = "A2"
    for column, title in enumerate(table.header):
        widest = max([width(title), *(width(cell_text(row[column])) for row in table.rows)])
        sheet.column_dimensions[get_column_letter(column + 1)].width = min(widest + 2, MAX_COLUMN_WIDTH)

    def cell(value: Any) -> Any:
        """An amount as a number cell; text starting with ``=`` as text (openpyxl would store it
        as a formula, which Excel runs on opening), without the control characters XLSX refuses
        (such as BEL, U+0007, from a hand edit); anything else as it is."""
        if isinstance(value, Decimal):
            made = WriteOnlyCell(sheet, value=value)
            made.number_format = "#,##0.00"
            return made
        if not isinstance(value, str):
            return value
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith("="):
            made = WriteOnlyCell(sheet, value=value)
            made.data_type = "s"
            return made
        return value

    header = [WriteOnlyCell(sheet, value=title) for title in table.header]
    for title_cell in header:
        title_cell.font = Font(bold=True)
    sheet.append(header)
    for row in table.rows:
        sheet.append([cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def cell_text(value: Any) -> str:
    """A value as text, as a spreadsheet shows it."""
    return (
        value.isoformat() if isinstance(value, date) else f"{value:,.2f}" if isinstance(value, Decimal) else str(value)
    )


def _sheet_title(title: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of ``[]:*?/\\``."""
    return "".join("_" if ch in "[]:*?/\\" else ch for ch in title)[:31]
