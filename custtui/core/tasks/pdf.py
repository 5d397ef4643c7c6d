"""What the printed forms share (box labels and contents sheets, the customer dossier): reportlab
with its built-in CID font STSong-Light, whose glyphs the PDF viewer supplies, so no font file is
needed on any machine; paragraphs that wrap Chinese; and the ruled table every form uses."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

FONT = "STSong-Light"


def cjk_font() -> str:
    """The font's name, registered with reportlab once per process."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def body_style(leading: float) -> Any:
    """9-point text in the font, lines broken anywhere in Chinese."""
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle("body", fontName=cjk_font(), fontSize=9, leading=leading, wordWrap="CJK")


def paragraph(text: str, style: Any) -> Any:
    """``text`` as a paragraph: markup characters escaped, line breaks kept."""
    from reportlab.platypus import Paragraph

    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def grid(header: list[str], rows: list[list[str]], width: float, shares: list[float], style: Any) -> Any:
    """A ruled table ``width`` wide, columns sized by ``shares``, its shaded header repeated on
    every page."""
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    table = Table(
        [[paragraph(cell, style) for cell in row] for row in [header, *rows]],
        colWidths=[width * s / sum(shares) for s in shares],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EEF4")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table
