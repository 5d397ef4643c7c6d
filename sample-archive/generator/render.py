"""Rendering a document's blocks (see ``generator.content``) to bytes: PDF with reportlab in its
invariant mode and the WenQuanYi Zen Hei font, DOCX with python-docx and XLSX with openpyxl (both
zips rewritten with fixed timestamps and core-property dates), plain text, Markdown and CSV. Every
file's embedded dates come from the document's own date, so two runs give byte-identical files.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from .common import FONT_FILE, fmt_money


def cell_text(v) -> str:
    if isinstance(v, Decimal):
        return fmt_money(v)
    return "" if v is None else str(v)


def epoch(day: date, hour: int = 10) -> int:
    """Seconds since 1970 for ``day`` at ``hour`` o'clock Beijing time (UTC+8)."""
    return int((datetime.combine(day, time(hour)) - datetime(1970, 1, 1, 8)).total_seconds())


_FONTS_READY = False


def pdf_fonts():
    global _FONTS_READY
    if not _FONTS_READY:
        from reportlab import rl_config
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        rl_config.invariant = 1
        pdfmetrics.registerFont(TTFont("WQY", FONT_FILE, subfontIndex=0))
        _FONTS_READY = True


def write_pdf(title: str, blocks: list, day: date, author: str) -> bytes:
    import os

    pdf_fonts()
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    base = ParagraphStyle("base", fontName="WQY", fontSize=10.5, leading=17, wordWrap="CJK")
    styles = {
        "title": ParagraphStyle("t", parent=base, fontSize=17, leading=26, alignment=TA_CENTER, spaceAfter=4),
        "sub": ParagraphStyle("s", parent=base, alignment=TA_CENTER, spaceAfter=6),
        "h": ParagraphStyle("h", parent=base, fontSize=11.5, leading=19, spaceBefore=6),
        "p": ParagraphStyle("p", parent=base, spaceAfter=3),
        "cell": ParagraphStyle("c", parent=base, fontSize=9, leading=13),
        "num": ParagraphStyle("n", parent=base, fontSize=9, leading=13, alignment=TA_RIGHT),
    }
    width = A4[0] - 40 * mm
    story = []
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
        ]
    )

    def para(v, style="cell"):
        return Paragraph(
            escape(cell_text(v)), styles["num" if isinstance(v, (Decimal, int)) and style == "cell" else style]
        )

    for block in blocks:
        kind = block[0]
        if kind in ("title", "sub", "h", "p"):
            if block[1]:
                story.append(Paragraph(escape(block[1]), styles[kind]))
        elif kind == "kv":
            rows = [[para(k), para(v)] for k, v in block[1]]
            t = Table(rows, colWidths=[32 * mm, width - 32 * mm])
            t.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                        ("BACKGROUND", (0, 0), (0, -1), colors.Color(0.95, 0.95, 0.95)),
                    ]
                )
            )
            story += [t, Spacer(1, 6)]
        elif kind == "table":
            header, rows = block[1], block[2]
            lens = [max(len(cell_text(r[i])) for r in [header, *rows]) + 2 for i in range(len(header))]
            total = sum(lens)
            widths = [width * n / total for n in lens]
            t = Table(
                [[para(h) for h in header]] + [[para(v) for v in r] for r in rows], colWidths=widths, repeatRows=1
            )
            t.setStyle(grid)
            story += [t, Spacer(1, 6)]
        elif kind == "sign":
            left, right = block[1], block[2]
            n = max(len(left), len(right))
            rows = [
                [para(left[i] if i < len(left) else "", "p"), para(right[i] if i < len(right) else "", "p")]
                for i in range(n)
            ]
            story += [Spacer(1, 14), Table(rows, colWidths=[width / 2, width / 2])]
    out = io.BytesIO()
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch(day))
    try:
        doc = SimpleDocTemplate(
            out,
            pagesize=A4,
            leftMargin=20 * mm,
            rightMargin=20 * mm,
            topMargin=18 * mm,
            bottomMargin=18 * mm,
            title=title,
            author=author,
            subject=title,
            creator="华信集团办公系统",
        )
        doc.build(story)
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
    return out.getvalue()


def write_image_pdf(jpeg: bytes, title: str, day: date) -> bytes:
    """A scanned page: the JPEG fills an A4 page, no text layer."""
    import os

    pdf_fonts()
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch(day, 16))
    try:
        cv = canvas.Canvas(out, pagesize=A4, invariant=1)
        cv.setTitle(title)
        cv.setCreator("Canon DR-C225 ScanSoft")
        cv.drawImage(ImageReader(io.BytesIO(jpeg)), 0, 0, width=A4[0], height=A4[1])
        cv.showPage()
        cv.save()
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
    return out.getvalue()


def fixed_zip(data: bytes, when: datetime) -> bytes:
    """Rewrite an OOXML zip with fixed entry timestamps (``when``, Beijing time) and core-property dates (UTC)."""
    stamp = (when - timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    lambda m: m.group(1) + stamp + m.group(3),
                    content,
                )
                content = re.sub(
                    rb"(<cp:lastPrinted>)[^<]*(</cp:lastPrinted>)", lambda m: m.group(1) + stamp + m.group(2), content
                )
            entry = zipfile.ZipInfo(
                info.filename, date_time=(when.year, when.month, when.day, when.hour, when.minute, 0)
            )
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            entry.create_system = 0
            dst.writestr(entry, content)
    return out.getvalue()


def write_docx(title: str, blocks: list, day: date, author: str) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")

    def run(paragraph, text, size=None, bold=False, font=None):
        r = paragraph.add_run(text)
        r.bold = bold
        if size:
            r.font.size = Pt(size)
        if font:
            r.font.name = font
            r._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
        return r

    def table(rows, header=True):
        t = doc.add_table(rows=len(rows), cols=len(rows[0]))
        t.style = "Table Grid"
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                cell = t.cell(i, j)
                cell.text = ""
                run(cell.paragraphs[0], cell_text(v), size=9, bold=(header and i == 0))
                if isinstance(v, (Decimal, int)):
                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        doc.add_paragraph()

    for block in blocks:
        kind = block[0]
        if kind == "title":
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run(p, block[1], size=16, bold=True, font="黑体")
        elif kind == "sub" and block[1]:
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run(p, block[1])
        elif kind == "h":
            run(doc.add_paragraph(), block[1], size=12, bold=True, font="黑体")
        elif kind == "p":
            doc.add_paragraph(block[1])
        elif kind == "kv":
            table([[k, v] for k, v in block[1]], header=False)
        elif kind == "table":
            table([block[1], *block[2]])
        elif kind == "sign":
            for line in block[1]:
                doc.add_paragraph(line)
            for line in block[2]:
                doc.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    when = datetime.combine(day, time(10))  # Beijing time; core properties are UTC
    props = doc.core_properties
    props.title, props.author, props.last_modified_by, props.comments = title, author, author, ""
    props.created = props.modified = props.last_printed = when - timedelta(hours=8)
    props.revision = 1
    out = io.BytesIO()
    doc.save(out)
    return fixed_zip(out.getvalue(), when)


def write_xlsx(title: str, blocks: list, day: date, author: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    first_sheet = True
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    widths: dict = {}
    row = 1

    def width_of(text: str) -> int:
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

    def put(r, col, v, bold=False, fill=False, border=True):
        cell = ws.cell(row=r, column=col)
        if isinstance(v, Decimal):
            cell.value = float(v)
            cell.number_format = "#,##0.00"
        else:
            cell.value = v if isinstance(v, int) else cell_text(v)
        if bold:
            cell.font = Font(bold=True)
        if fill:
            cell.fill = PatternFill("solid", fgColor="DDDDDD")
        if border:
            cell.border = box
        key = (ws.title, col)
        widths[key] = max(widths.get(key, 8), min(48, width_of(cell_text(v)) + 2))

    ncols = max([len(b[1]) for b in blocks if b[0] == "table"] + [2])
    for block in blocks:
        kind = block[0]
        if kind == "sheet":
            if first_sheet:
                ws.title = block[1]
            else:
                ws = wb.create_sheet(block[1])
                row = 1
            first_sheet = False
            continue
        first_sheet = False
        if kind in ("title", "sub", "h", "p"):
            if not block[1]:
                continue
            cell = ws.cell(row=row, column=1, value=block[1])
            if kind == "title":
                cell.font = Font(bold=True, size=14)
                cell.alignment = Alignment(horizontal="center")
                ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
            elif kind == "h":
                cell.font = Font(bold=True)
            elif kind == "sub":
                cell.alignment = Alignment(horizontal="center")
                ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
            row += 1
        elif kind == "kv":
            for k, v in block[1]:
                put(row, 1, k, bold=True, fill=True)
                put(row, 2, v)
                row += 1
            row += 1
        elif kind == "table":
            for j, h in enumerate(block[1], 1):
                put(row, j, h, bold=True, fill=True)
            row += 1
            for r in block[2]:
                for j, v in enumerate(r, 1):
                    put(row, j, v, bold=(r[1:2] == ["合计"] or r[0:1] == ["合计"]))
                row += 1
            row += 1
        elif kind == "sign":
            row += 1
            for line in [*block[1], *block[2]]:
                ws.cell(row=row, column=1, value=line)
                row += 1
    from openpyxl.utils import get_column_letter

    for (sheet, col), w in sorted(widths.items()):
        wb[sheet].column_dimensions[get_column_letter(col)].width = w
    when = datetime.combine(day, time(10))
    wb.properties.creator = author
    wb.properties.lastModifiedBy = author
    wb.properties.title = title
    wb.properties.created = wb.properties.modified = when - timedelta(hours=8)
    out = io.BytesIO()
    wb.save(out)
    return fixed_zip(out.getvalue(), when)


def write_text(title: str, blocks: list, markdown: bool) -> str:
    lines = []
    for block in blocks:
        kind = block[0]
        if kind == "title":
            lines += [f"# {block[1]}", ""] if markdown else [block[1], "=" * (len(block[1]) * 2), ""]
        elif kind == "sub" and block[1]:
            lines += [block[1], ""]
        elif kind == "h":
            lines += ([""] if lines and lines[-1] else []) + (
                [f"## {block[1]}", ""] if markdown else [f"【{block[1]}】"]
            )
        elif kind == "p":
            lines.append(block[1])
            if markdown and not block[1].startswith("- "):
                lines.append("")
        elif kind == "kv":
            lines += [f"- **{k}**: {cell_text(v)}" if markdown else f"{k}: {cell_text(v)}" for k, v in block[1]]
            lines.append("")
        elif kind == "table":
            header, rows = block[1], block[2]
            if markdown:
                lines.append("| " + " | ".join(header) + " |")
                lines.append(
                    "|"
                    + "|".join("---:" if isinstance(rows[0][i], (Decimal, int)) else "---" for i in range(len(header)))
                    + "|"
                )
                lines += ["| " + " | ".join(cell_text(v) for v in r) + " |" for r in rows]
            else:
                lines.append("\t".join(header))
                lines += ["\t".join(cell_text(v) for v in r) for r in rows]
            lines.append("")
        elif kind == "sign":
            lines += ["", *block[1], *block[2]]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def write_csv(blocks: list) -> str:
    table = next(b for b in blocks if b[0] == "table")
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(table[1])
    for r in table[2]:
        w.writerow([f"{v:.2f}" if isinstance(v, Decimal) else cell_text(v) for v in r])
    return out.getvalue()
