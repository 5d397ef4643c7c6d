"""Printable PDFs of the paper register: box labels (several on an A4 page, to cut and stick on
the boxes) and a box's contents sheet (a table of the documents filed in it, to put inside).

A label holds only what the register says of the box; the contents sheet lists customers and
documents, so it needs the ``export`` right and lists only the documents the person may see.
Both use reportlab's built-in CID font ``STSong-Light`` (the PDF viewer supplies the glyphs, no
font file is needed), and neither is ever written over an existing file.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..archive import boxes
from ..archive.archive import Archive
from ..base.errors import CusttuiError
from ..records.boxes import STATUS, Box
from ..records.schema import Schema
from . import pdf

COLUMNS, ROWS = 2, 4  # labels on an A4 page: 8 of 95 × 67 mm


def _write(target: Path, data: bytes) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(target, "xb") as handle:  # "x": never over a file, even one that appeared meanwhile
            handle.write(data)
    except FileExistsError:
        raise CusttuiError(f"文件 {target} 已存在, 不会覆盖; 请换一个文件名或先移走它") from None
    return target


def _ready(target: Path) -> None:
    if target.suffix.lower() != ".pdf":
        raise CusttuiError(f"请用 .pdf 结尾的文件名, 而不是 {target.name}")
    if target.exists():
        raise CusttuiError(f"文件 {target} 已存在, 不会覆盖; 请换一个文件名或先移走它")


def labels(archive: Archive, numbers: list[str], target: Path) -> Path:
    """Write the labels of the boxes ``numbers`` (every registered box when empty) to ``target``."""
    _ready(target)
    register = boxes.boxes(archive)
    chosen = [boxes.box(archive, n) for n in numbers] if numbers else list(register.values())
    if not chosen:
        raise CusttuiError("还没有登记任何纸质档案盒 (登记: custtui box add 盒号 --years 年份 …)")
    return _write(target, labels_pdf(chosen, archive.schema()))


def labels_pdf(chosen: list[Box], schema: Schema) -> bytes:
    """Labels on A4 pages, COLUMNS × ROWS a page, with cutting lines: the box number as large as
    fits, then the years, the document types and where the box stands."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen.canvas import Canvas

    font = pdf.cjk_font()
    out = io.BytesIO()
    page = Canvas(out, pagesize=A4, pageCompression=1)
    page.setTitle("纸质档案盒标签")
    margin = 10 * mm
    width, height = (A4[0] - 2 * margin) / COLUMNS, (A4[1] - 2 * margin) / ROWS
    for i, box in enumerate(chosen):
        if i and i % (COLUMNS * ROWS) == 0:
            page.showPage()
        column, row = i % COLUMNS, (i // COLUMNS) % ROWS
        x, top = margin + column * width, A4[1] - margin - row * height
        page.setDash(3, 3)
        page.rect(x, top - height, width, height)
        page.setDash()
        inner = width - 12 * mm
        size = min(34.0, inner / max(stringWidth(box.number, font, 1), 1))
        page.setFont(font, size)
        page.drawCentredString(x + width / 2, top - 10 * mm - size, box.number)
        lines = [
            f"年份: {box.years}",
            f"资料: {'、'.join(box.type_labels(schema)) or '—'}",
            f"位置: {box.location or '—'}",
        ]
        if box.status != "stored":
            lines.append(f"状态: {STATUS.get(box.status, box.status)}")
        line_y = top - 18 * mm - size
        for line in lines:
            text_size = min(13.0, inner / max(stringWidth(line, font, 1), 1))
            page.setFont(font, text_size)
            page.drawString(x + 6 * mm, line_y, line)
            line_y -= 7.5 * mm
    page.save()
    return out.getvalue()


def sheet(archive: Archive, number: str, target: Path, today: date | None = None) -> tuple[Path, int]:
    """Write box ``number``'s contents sheet to ``target``; returns it and how many documents it lists."""
    archive.access.require("export")
    _ready(target)
    box = boxes.box(archive, number)
    filed, hidden = boxes.contents(archive, box.number)
    data = sheet_pdf(box, filed, hidden, archive.schema(), today or date.today())
    return _write(target, data), len(filed)


def sheet_pdf(box: Box, filed: list[boxes.Filed], hidden: int, schema: Schema, today: date) -> bytes:
    """A4: the box (number, years, types, location, status) and a table of its documents."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    body = pdf.body_style(leading=12)
    title = ParagraphStyle("title", parent=body, fontSize=18, leading=24, spaceAfter=6)
    head = [
        pdf.paragraph(f"纸质档案盒 {box.number} 盒内资料清单", title),
        pdf.paragraph(
            f"年份: {box.years}    资料类型: {'、'.join(box.type_labels(schema)) or '—'}    "
            f"位置: {box.location or '—'}    状态: {STATUS.get(box.status, box.status)}",
            body,
        ),
        pdf.paragraph(
            f"共 {len(filed)} 份    打印日期: {today:%Y-%m-%d}" + (f"    备注: {box.note}" if box.note else ""), body
        ),
    ]
    if hidden:
        head.append(pdf.paragraph(f"另有 {hidden} 份资料你的角色无权查看, 未列出", body))
    header = ["序号", "客户编号", "客户名称", "资料", "类型", "日期", "同盒附件/扫描件"]
    rows = [
        [
            str(i),
            f.customer,
            f.customer_name,
            f.title or f.name,
            f.doc_type,
            f"{f.date:%Y-%m-%d}" if f.date else "",
            "\n".join(f.joined),
        ]
        for i, f in enumerate(filed, 1)
    ]
    shares = [0.8, 1.3, 2.6, 2.6, 1.1, 1.3, 2.2]
    table = pdf.grid(header, rows, A4[0] - 30 * mm, shares, body)
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm
    )
    document.title = f"{box.number} 盒内资料清单"
    document.build([*head, table if rows else pdf.paragraph("(盒内没有登记资料)", body)])
    return out.getvalue()
