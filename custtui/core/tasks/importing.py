"""Customers moved in from a spreadsheet: XLSX, or CSV in UTF-8 or GBK.

Columns are matched to the archive's own fields by their Chinese titles (the labels of
``fields.toml``, their codes, and the names companies give them: 企业名称, 联系电话, 手机 …); a
mapping can be saved, edited and used again. Every value goes through the validators, so a date
written 2024年3月5日, an amount of 12.5万 or a phone typed +86 138 1234 5678 is stored the way the
form would store it. A row that matches a customer already in the archive, or an earlier row of
the file, is reported with the evidence and never created, so running the same import again adds
nothing: that is also how an interrupted import resumes. The rest is committed in batches, each
one commit that names the file.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from ..archive.archive import Archive
from ..archive.duplicates import DuplicateFinder, Suspect
from ..base.errors import CusttuiError, FieldError
from ..records.records import Validator
from ..records.schema import FieldDef, Schema

BATCH = 500  # customers per commit: bench/bench_import.py measures the choice
HEADER_SEARCH_ROWS = 10  # a title row or two may stand above the column titles
CUSTOMER_TYPE_FIELD = "type"
# Targets that are not a field of the record itself: the customer type, and one contact's parts.
# "phone" and "email" go to an individual's own field and to an organisation's contact.
CONTACT_PARTS = {"contact.name": "name", "contact.position": "position"}
PER_TYPE = {"phone": ("phones", "phones"), "email": ("email", "email")}  # (individual field, contact part)
OWN_FIELDS = {individual: target for target, (individual, _) in PER_TYPE.items()}
IGNORED = ""  # a column mapped to nothing
# The titles companies give their columns, beyond the archive's own labels and codes (a title is
# compared after ``header_key``). The first word that names a target wins; an archive whose
# schema lacks a field simply never maps to it.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": (
        "企业名称",
        "公司名称",
        "客户名称",
        "单位名称",
        "客户全称",
        "企业全称",
        "姓名",
        "客户姓名",
        "名称",
        "客户",
        "公司",
        "单位",
    ),
    "aliases": ("简称", "别名", "客户简称", "企业简称", "公司简称"),
    "uscc": ("统一社会信用代码", "社会信用代码", "信用代码", "统一代码", "税号", "纳税人识别号"),
    "legal_rep": ("法人", "法人代表", "法定代表人"),
    "annual_purchase": ("年采购额", "年采购金额", "采购额", "年度采购额"),
    "id_number": ("身份证", "身份证号", "身份证号码", "证件号码", "证件号"),
    "gender": ("性别",),
    "phone": ("联系电话", "电话", "手机", "手机号", "手机号码", "联系方式", "联系人电话", "电话号码"),
    "email": ("邮箱", "电子邮箱", "电子邮件", "email", "e-mail", "联系人邮箱"),
    "industry": ("行业", "所属行业", "行业类别", "行业分类"),
    "size": ("规模", "企业规模", "公司规模"),
    "region": ("地域", "地区", "区域", "所在地区", "所在地", "城市", "所在城市", "省市"),
    "address": ("地址", "详细地址", "通讯地址", "公司地址", "联系地址", "办公地址"),
    "stage": ("合作阶段", "阶段", "客户阶段"),
    "status": ("客户状态", "状态"),
    "value_tier": ("价值层级", "客户价值", "价值等级", "价值"),
    "demand_types": ("需求类型", "需求"),
    "grade": ("客户等级", "等级"),
    "tags": ("标签", "客户标签"),
    "remark": ("备注", "说明", "备注说明"),
    "owner": ("负责人", "客户经理", "业务员", "跟进人", "销售负责人", "归属人"),
    "first_contact": ("首次接触日期", "首次接触", "首次联系日期", "首次联系时间", "首次联系", "建档日期"),
    CUSTOMER_TYPE_FIELD: ("客户类型", "客户类别", "类型"),
    "contact.name": ("联系人", "联系人姓名", "对接人"),
    "contact.position": ("职务", "职位", "联系人职务", "岗位"),
}
# Columns a legacy list has that the archive allocates itself: mapped to nothing, and said why.
ALLOCATED = ("客户编号", "编号", "序号", "序列号", "客户代码")
_MARKS = re.compile(r"[*＊:：\s]|[(（\[【][^)）\]】]*(?:必填|选填|可选|必须)[^)）\]】]*[)）\]】]")
_ORGANISATION = re.compile(r"公司|厂|店|行|社|所|院|局|委|办|部|中心|集团|学校|大学|医院|银行|协会|政府|[A-Za-z]")


class Column(NamedTuple):
    position: int  # 0-based
    title: str  # as written in the file

    @property
    def letter(self) -> str:
        """The column's letter as a spreadsheet shows it (A, B … Z, AA …)."""
        n, letters = self.position + 1, ""
        while n:
            n, rest = divmod(n - 1, 26)
            letters = chr(ord("A") + rest) + letters
        return letters

    def named(self) -> str:
        return f"{self.letter} 列「{self.title}」"


class Sheet(NamedTuple):
    """A table read from a file: the column titles and the rows under them, with the row numbers a
    spreadsheet shows."""

    name: str
    columns: list[Column]
    rows: list[tuple[int, list[Any]]]


class Row(NamedTuple):
    """One row's outcome: a record to create, the customers it matches, or what is wrong with it."""

    number: int
    name: str
    record: dict | None  # checked, ready to create (None when the row has errors)
    errors: tuple[str, ...] = ()
    existing: tuple[Suspect, ...] = ()  # customers of the archive it matches: not created
    same_as: int | None = None  # an earlier row of the file it repeats: not created

    @property
    def creates(self) -> bool:
        return self.record is not None and not self.existing and self.same_as is None


class Plan(NamedTuple):
    """What an import would do, row by row; ``apply`` does it."""

    source: str  # the file's name
    sheet: str
    mapping: dict[str, str]  # column title → target ("" = not imported)
    notes: list[str]  # columns not imported and why, and other things to know
    rows: list[Row]

    @property
    def to_create(self) -> list[Row]:
        return [row for row in self.rows if row.creates]

    @property
    def with_errors(self) -> list[Row]:
        return [row for row in self.rows if row.errors]


# --- reading ------------------------------------------------------------------------------


def read_sheet(path: Path, sheet: str | None = None) -> Sheet:
    """The table in an XLSX or CSV file: the first row (of the first ten) that names at least two
    fields holds the column titles; empty rows are skipped."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        name, grid = _xlsx_rows(path, sheet)
    elif suffix in (".csv", ".txt"):
        name, grid = path.name, _csv_rows(path)
    else:
        raise CusttuiError(f"不支持的表格格式 {path.suffix or '(无扩展名)'}: 请用 .xlsx 或 .csv (Excel 可另存为这两种)")
    rows = [(number, cells) for number, cells in grid if any(_blank(c) is False for c in cells)]
    return Sheet(name, *_split_header(rows))


def _xlsx_rows(path: Path, sheet: str | None) -> tuple[str, Iterator[tuple[int, list[Any]]]]:
    from openpyxl import load_workbook  # only an XLSX import needs it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise CusttuiError(f"{path.name} 不是可读的 XLSX 文件 ({exc})") from None
    if sheet is not None and sheet not in book.sheetnames:
        raise CusttuiError(f"{path.name} 中没有工作表「{sheet}」, 有: {'、'.join(book.sheetnames)}")
    chosen = book[sheet] if sheet else book.worksheets[0]
    rows = [(n, list(values)) for n, values in enumerate(chosen.iter_rows(values_only=True), 1)]
    book.close()
    return chosen.title, iter(rows)


def _csv_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:  # Excel in China saves CSV in GBK; GB18030 reads GBK and more
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise CusttuiError(f"{path.name} 既不是 UTF-8 也不是 GBK 编码, 请在 Excel 中另存为 CSV (UTF-8)") from None
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;") if text.strip() else csv.excel
    return enumerate(csv.reader(io.StringIO(text), dialect), 1)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _split_header(rows: list[tuple[int, list[Any]]]) -> tuple[list[Column], list[tuple[int, list[Any]]]]:
    for i, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        titles = [str(c).strip() if not _blank(c) else "" for c in cells]
        if sum(1 for t in titles if t and _auto_target(t) is not None) >= 2:
            columns = [Column(j, t) for j, t in enumerate(titles) if t]
            return columns, rows[i + 1 :]
    raise CusttuiError("表格前 10 行中找不到列标题 (至少要有两列能认出, 如「企业名称」「联系电话」)")


# --- columns to fields ------------------------------------------------------------------


def header_key(title: str) -> str:
    """A column title as it is compared: full-width folded, spaces, stars, colons and notes such
    as (必填) removed, Latin lower-cased."""
    return _MARKS.sub("", unicodedata.normalize("NFKC", title)).lower()


def _auto_target(title: str, schema: Schema | None = None) -> str | None:
    """The target a title names: a field's label or code, a known synonym, then a label or synonym
    the title contains (客户所属行业 → industry); None when nothing fits."""
    key = header_key(title)
    if key in (header_key(w) for w in ALLOCATED):
        return IGNORED
    words: list[tuple[str, str]] = []
    if schema is not None:  # contacts are columns of their own; a phone goes to a person or a contact
        fields = [(f, OWN_FIELDS.get(f.code, f.code)) for f in schema.fields.values() if f.kind != "contacts"]
        words += [(header_key(f.label), target) for f, target in fields]
        words += [(f.code.lower(), target) for f, target in fields]
    words += [(header_key(w), target) for target, synonyms in SYNONYMS.items() for w in synonyms]
    for word, target in words:
        if key == word:
            return target
    # a compound title names its head last: 对接人手机 is a phone, 客户所属行业 an industry
    contained = [(key.endswith(word), len(word), target) for word, target in words if len(word) >= 2 and word in key]
    return max(contained)[2] if contained else None


def propose_mapping(columns: list[Column], schema: Schema, saved: dict[str, str] | None = None) -> dict[str, str]:
    """Column title → target for every column: the saved mapping's choice first, then by title."""
    mapping = {}
    for column in columns:
        if saved is not None and column.title in saved:
            mapping[column.title] = saved[column.title]
        else:
            found = _auto_target(column.title, schema)
            mapping[column.title] = found if found is not None and _known(found, schema) else IGNORED
    return mapping


def _known(target: str, schema: Schema) -> bool:
    return target in schema.fields or target in PER_TYPE or target in CONTACT_PARTS or target == CUSTOMER_TYPE_FIELD


def load_mapping(path: Path, schema: Schema) -> dict[str, str]:
    """A mapping saved by ``save_mapping`` (and perhaps edited): ``[columns]`` title = target."""
    import tomlkit  # a file people edit: its comments stay

    try:
        columns = tomlkit.parse(path.read_text(encoding="utf-8")).get("columns", {})
    except (OSError, UnicodeDecodeError, tomlkit.exceptions.TOMLKitError) as exc:
        raise CusttuiError(f"列映射文件 {path} 读不出 ({exc})") from None
    mapping = {str(title): str(target) for title, target in columns.items()}
    for title, target in mapping.items():
        if target and not _known(target, schema):
            raise CusttuiError(
                f"列映射文件 {path}: 列「{title}」的目标 {target!r} 不是档案的字段 ({target_choices(schema)})"
            )
    return mapping


def save_mapping(path: Path, mapping: dict[str, str], schema: Schema) -> None:
    """Write ``mapping`` for a person to read, edit and use again with ``--mapping``."""
    import tomlkit

    document = tomlkit.document()
    document.add(tomlkit.comment("custtui 导入列映射: 列标题 = 字段代码; 空字符串表示这一列不导入"))
    document.add(tomlkit.comment(f"可用的字段: {target_choices(schema)}"))
    table = tomlkit.table()
    for title, target in mapping.items():
        table.add(title, target)
        if target:
            table[title].comment(target_label(target, schema))
    document.add("columns", table)
    path.write_text(tomlkit.dumps(document), encoding="utf-8")


def target_label(target: str, schema: Schema) -> str:
    """A target as people call it: 名称, 联系人的职务, 电话 (个人) / 联系人电话 (单位) …"""
    if target == CUSTOMER_TYPE_FIELD:
        return "客户类型"
    if target in CONTACT_PARTS:
        return {"contact.name": "联系人姓名", "contact.position": "联系人职务"}[target]
    if target == "phone":
        return "电话 (个人客户本人的, 单位客户联系人的)"
    if target == "email":
        return "电子邮箱 (个人客户本人的, 单位客户联系人的)"
    return schema.fields[target].label if target in schema.fields else target


def target_choices(schema: Schema) -> str:
    targets = [CUSTOMER_TYPE_FIELD, *CONTACT_PARTS, *PER_TYPE]
    targets += [code for code in schema.fields if code not in ("contacts", "phones") and code not in PER_TYPE.values()]
    return "、".join(f"{t} ({target_label(t, schema)})" for t in dict.fromkeys(targets))


# --- rows to records ------------------------------------------------------------------


def plan(
    archive: Archive,
    path: Path,
    *,
    customer_type: str | None = None,
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
) -> Plan:
    """What importing ``path`` would do: every row checked and matched, nothing written."""
    schema = archive.schema()
    validator = archive.validator()
    table = read_sheet(path, sheet)
    chosen = propose_mapping(table.columns, schema, mapping)
    given_type = validator.customer_type(customer_type) if customer_type else None
    notes = [
        f"{column.named()} 不导入" + (" (编号由档案分配)" if _auto_target(column.title) == IGNORED else "")
        for column in table.columns
        if not chosen[column.title]
    ]
    targets = [t for t in chosen.values() if t]
    for target in dict.fromkeys(t for t in targets if targets.count(t) > 1):
        shared = [column for column in table.columns if chosen[column.title] == target]
        label = target_label(target, schema).split(" (")[0]
        how = "各列的值合在一起" if _is_list(target, schema) else f"只用第一列 {shared[0].named()}, 其余不导入"
        notes.append(f"有 {len(shared)} 列都是「{label}」: {how}")
    finder = DuplicateFinder.of(archive)
    rows = []
    for number, cells in table.rows:
        row, probe = _row(number, cells, table.columns, chosen, validator, given_type, archive)
        suspects = finder.suspects(probe) if probe.get("name") else []
        existing = tuple(s for s in suspects if not s.id.startswith("#"))
        earlier = [int(s.id[1:]) for s in suspects if s.id.startswith("#")]
        if existing:  # already in the archive: what is wrong with the row no longer matters
            row = row._replace(errors=(), existing=existing)
        elif earlier and row.record is not None:
            row = row._replace(same_as=min(earlier))
        if row.creates and row.record is not None:
            finder.add(f"#{number}", row.record)  # "#row": a later row repeating it is seen
        rows.append(row)
    return Plan(path.name, table.name, chosen, notes, rows)


def _is_list(target: str, schema: Schema) -> bool:
    return target == "phone" or (target in schema.fields and schema.fields[target].kind.endswith("_list"))


def _row(
    number: int,
    cells: list[Any],
    columns: list[Column],
    mapping: dict[str, str],
    validator: Validator,
    given_type: str | None,
    archive: Archive,
) -> tuple[Row, dict]:
    """The row's outcome, and what of it was valid (to look for the customer it may already be)."""
    schema = validator.schema
    values: dict[str, list[tuple[Column, Any]]] = {}
    for column in columns:
        target = mapping.get(column.title, IGNORED)
        value = cells[column.position] if column.position < len(cells) else None
        if target and not _blank(value):
            values.setdefault(target, []).append((column, value))
    name = str(values["name"][0][1]).strip() if "name" in values else ""
    errors: list[tuple[Column, str]] = []

    def said() -> tuple[str, ...]:
        return tuple(f"{column.named()}: {rule}" for column, rule in sorted(errors, key=lambda e: e[0].position))

    def check(column: Column, test: Callable[..., Any], *args: Any) -> Any:
        try:
            return test(*args)
        except FieldError as exc:
            errors.append((column, exc.rule))
            return None

    ctype = given_type
    if CUSTOMER_TYPE_FIELD in values:
        column, text = values.pop(CUSTOMER_TYPE_FIELD)[0]
        ctype = check(column, validator.customer_type, str(text).strip())
    elif ctype is None:
        ctype = _guess_type(values, schema)
    if ctype is None:
        return Row(number, name, None, said()), {"name": name}
    individual = "phones" in {f.code for f in schema.fields_for(ctype)}  # an individual has phones of their own
    draft: dict[str, Any] = {"type": ctype}
    contact: dict[str, Any] = {}
    for target, found in values.items():
        if target in CONTACT_PARTS or (target in PER_TYPE and not individual):
            part = CONTACT_PARTS.get(target) or PER_TYPE[target][1]
            contact[part] = [_text(v) for _, v in found] if part == "phones" else _text(found[0][1])
            continue
        code = PER_TYPE[target][0] if target in PER_TYPE else target
        definition = schema.fields.get(code)
        if definition is None or not definition.applies_to(ctype):
            label = schema.label("customer_type", ctype)
            errors += [(column, f"{label}没有「{target_label(target, schema)}」这一项") for column, _ in found]
            continue
        if definition.kind.endswith("_list"):
            items = [check(column, validator.field, definition, _text(v, definition.kind)) for column, v in found]
            draft[code] = list(dict.fromkeys(item for found_items in items for item in found_items or ()))
        else:
            column, value = found[0]
            draft[code] = check(column, _checked_cell, validator, definition, value, column)
    if contact:
        column = next(c for t, found in values.items() if t in CONTACT_PARTS or t in PER_TYPE for c, _ in found)
        if "contacts" not in schema.fields or not schema.fields["contacts"].applies_to(ctype):
            errors.append((column, f"{schema.label('customer_type', ctype)}没有联系人"))
        elif "name" not in contact:
            errors.append((column, "有联系人的信息却没有联系人姓名 (加一列「联系人」)"))
        else:
            try:
                draft["contacts"] = validator.contacts(schema.fields["contacts"], [contact])
            except FieldError as exc:  # the column of the part at fault: contacts.phones → the phone's
                part = exc.field.removeprefix("contacts.")
                target = next((t for t, p in CONTACT_PARTS.items() if p == part), part.rstrip("s"))
                errors.append((values.get(target, [(column, None)])[0][0], exc.rule))
    probe = {k: v for k, v in draft.items() if v is not None}
    if errors:
        return Row(number, name, None, said()), probe
    defaults = validator.defaults(ctype)
    if archive.user and any(f.code == "owner" for f in schema.fields_for(ctype)):
        defaults.setdefault("owner", archive.display_name)
    try:
        record = validator.customer({**defaults, **probe})
    except FieldError as exc:
        where = next((f"{c.named()}为空" for c in columns if mapping.get(c.title) == exc.field), "表格中没有这一列")
        return Row(number, name, None, (f"「{exc.label}」({where}): {exc.rule}",)), probe
    return Row(number, record["name"], record), record


def _guess_type(values: dict[str, list[tuple[Column, Any]]], schema: Schema) -> str | None:
    """A row's customer type when the file has no type column and none was given: a USCC means an
    organisation, an ID number a person, and so does a name of 2-4 Chinese characters with no
    word of an organisation (公司, 厂, 局 …); anything else is an enterprise."""
    types = {f.code: f for f in schema.fields.values()}
    if "uscc" in values and "uscc" in types:
        return types["uscc"].for_types[0] if types["uscc"].for_types else None
    if "id_number" in values and "id_number" in types and types["id_number"].for_types:
        return types["id_number"].for_types[0]
    name = str(values["name"][0][1]).strip() if "name" in values else ""
    person = 2 <= len(name) <= 4 and not _ORGANISATION.search(name)
    wanted = "id_number" if person else "uscc"
    return types[wanted].for_types[0] if wanted in types and types[wanted].for_types else None


def _text(value: Any, kind: str = "text") -> str:
    """A cell as text: a whole number without ``.0`` (a phone typed into a number cell), a date as
    YYYY-MM-DD."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if kind == "date" or not (value.hour or value.minute) else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _checked_cell(validator: Validator, definition: FieldDef, value: Any, column: Column) -> Any:
    """A cell checked for its field: dates and numbers pass as they are; an ID number or USCC that
    Excel stored as a number (its digits past the 15th lost) is refused."""
    kind = definition.kind
    if kind in ("id_card", "uscc") and isinstance(value, (int, float)) and not isinstance(value, bool):
        digits = _text(value)
        if isinstance(value, float) or len(digits) > 15:
            lost = "15 位以后的数字已丢失"
            raise FieldError(kind, column.title, f"被 Excel 存成了数字 ({value}), {lost}: 请把这一列设为文本后重新填写")
        value = digits
    elif not (kind in ("date", "amount") and isinstance(value, (int, float, date)) and not isinstance(value, bool)):
        value = _text(value, kind)
    return validator.field(definition, value)


# --- writing ------------------------------------------------------------------------------


def apply(archive: Archive, planned: Plan, batch_size: int = BATCH) -> Iterator[tuple[int, list[tuple[int, str]]]]:
    """Create the plan's new customers, ``batch_size`` to a commit, yielding after each commit how
    many rows are done and (row, ID) of the customers it created: stopping between two leaves
    whole batches only. Customers someone added meanwhile are matched again, so none is made twice."""
    rows = [(row.number, row.record) for row in planned.to_create if row.record is not None]
    finder = DuplicateFinder.of(archive)
    for start in range(0, len(rows), batch_size):
        batch = [(number, record) for number, record in rows[start : start + batch_size] if not finder.suspects(record)]
        created: list[tuple[int, str]] = []
        if batch:
            first, last = batch[0][0], batch[-1][0]
            source = f"{planned.source} 第 {first}-{last} 行" if first != last else f"{planned.source} 第 {first} 行"
            ids, _ = archive.add_customers([_draft(record) for _, record in batch], source=source)
            for (number, record), cid in zip(batch, ids, strict=True):
                finder.add(cid, record)
                created.append((number, cid))
        yield min(start + batch_size, len(rows)), created


def _draft(record: dict) -> dict:
    return {k: v for k, v in record.items() if k != "id"}


# --- the template -------------------------------------------------------------------------

_EXAMPLES = {
    "name": ("北京华信机械设备制造有限公司", "王芳"),
    "uscc": ("91110108MA01ABCD2X", ""),
    "id_number": ("", "110101199003071234"),
    "phone": ("138 1234 5678", "139 8765 4321"),
    "first_contact": ("2024年3月5日", "2024-03-05"),
    "annual_purchase": ("12.5万", ""),
    "region": ("北京", "上海"),
    "contact.name": ("曾小贤", ""),
    "contact.position": ("采购经理", ""),
}


def template_columns(schema: Schema, customer_type: str) -> list[tuple[str, str]]:
    """(column title, target) of the template for one customer type: its fields in the form's
    order, an organisation's first contact as three columns; required titles end with *."""
    fields = [f for f in schema.fields_for(customer_type) if f.code not in ("contacts", "phones", "email")]
    columns = [(f.label + ("*" if customer_type in f.required_for else ""), f.code) for f in fields]
    own = {f.code for f in schema.fields_for(customer_type)}
    if "phones" in own:
        required = customer_type in schema.fields["phones"].required_for
        columns.append((schema.fields["phones"].label + ("*" if required else ""), "phone"))
    if "email" in own:
        columns.append((schema.fields["email"].label, "email"))
    if "contacts" in own:
        columns += [("联系人", "contact.name"), ("联系人职务", "contact.position"), ("联系电话", "phone")]
    return columns


def write_template(archive: Archive, path: Path, customer_type: str) -> int:
    """An XLSX to fill in for ``customer_type``, from the archive's own fields: a title row the
    import reads back, an example row, drop-down lists of each classification's labels, the ID
    and code columns kept as text (Excel would round an 18-digit number), and a sheet of
    instructions. Returns the number of columns."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    schema = archive.schema()
    ctype = archive.validator().customer_type(customer_type)
    columns = template_columns(schema, ctype)
    book = Workbook()
    sheet = book.active
    sheet.title = schema.label("customer_type", ctype)
    sheet.append([title for title, _ in columns])
    example = 1 if "id_number" in {code for _, code in columns} else 0
    sheet.append([_EXAMPLES.get(code, ("", ""))[example] for _, code in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet[2]:
        cell.font = Font(italic=True, color="808080")
    sheet.freeze_panes = "A2"
    rows = f"2:{1048576}"
    for i, (title, code) in enumerate(columns, 1):
        letter = get_column_letter(i)
        sheet.column_dimensions[letter].width = max(12, 2 * len(title) + 4)
        definition = schema.fields.get(code)
        if code in ("uscc", "id_number", "phone"):
            for (cell,) in sheet.iter_rows(min_row=2, max_row=200, min_col=i, max_col=i):
                cell.number_format = "@"
        if definition is not None and definition.kind == "enum" and definition.dimension:
            labels = ",".join(v.label for v in schema.dimension(definition.dimension).values)
            if len(labels) <= 255:  # Excel's limit for a list written inline
                check = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True)
                check.error, check.errorTitle = f"请从列表中选择{definition.label}", "不在可选范围内"
                sheet.add_data_validation(check)
                check.add(f"{letter}{rows.replace(':', f':{letter}')}")
    sheet.cell(1, 1).fill = PatternFill("solid", fgColor="FFF2CC")
    guide = book.create_sheet("填写说明")
    guide.append(["列", "必填", "怎么填"])
    for title, code in columns:
        guide.append([title.rstrip("*"), "是" if title.endswith("*") else "", _how(schema, code)])
    guide.append([])
    guide.append(["第 2 行是示例, 导入前请删除或改成真实的客户。", "", ""])
    guide.append(["导入: custtui import customers 本文件 --dry-run 先看报告, 无误后去掉 --dry-run。", "", ""])
    guide.column_dimensions["A"].width, guide.column_dimensions["C"].width = 18, 70
    book.save(path)
    return len(columns)


def _how(schema: Schema, code: str) -> str:
    definition = schema.fields.get(code)
    if code == "phone":
        return "手机或座机, 空格、横线、+86 都可以, 如 138 1234 5678、(021)6123 4567 转 801; 多个用逗号隔开"
    if code in CONTACT_PARTS:
        return target_label(code, schema)
    if definition is None:
        return ""
    kind = definition.kind
    if definition.dimension:
        return "可选: " + "、".join(v.label for v in schema.dimension(definition.dimension).values)
    return {
        "uscc": "18 位, 含校验位; 请保持本列为文本格式",
        "id_card": "18 位, 含校验位; 请保持本列为文本格式",
        "date": "2024-03-05、2024/3/5 或 2024年3月5日",
        "amount": "元, 可写 125000、12.5万",
        "region": "城市或省名, 如 深圳, 或行政区划代码",
        "text_list": "多个用顿号或逗号隔开",
        "email": "如 zhang.san@example.com",
    }.get(kind, f"文字, 最多 {definition.max_length} 字")
