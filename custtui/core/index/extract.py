"""Text out of documents: PDF, DOCX, XLSX, plain text in UTF-8 or GBK/GB18030, and scans by OCR.

Every outcome is an ``Extracted``: the text (possibly empty) and, when something stood in the
way, a note in Chinese saying what (encrypted PDF, unknown encoding, no OCR installed …), so one
bad file never stops an index build. Text comes in reading order: PDF lines wrapped inside a
paragraph or table cell are joined again, tables of a DOCX stand where they are, and the cells of a
table row or a worksheet row stay apart. Results are cached by the file's git blob id, so a file is
extracted once, whichever office or commit it arrived from.
"""

from __future__ import annotations

import io
import math
import os
import re
import shutil
import subprocess
import unicodedata
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from .analysis import is_cjk
from .extracted import Extracted

TEXT_SUFFIXES = {".txt", ".csv", ".tsv", ".md", ".log", ".json", ".xml", ".html", ".htm"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp"}
MAX_EXTRACT_BYTES = 64 * 2**20
MAX_TEXT_CHARS = 2_000_000
OCR_TIMEOUT_S = 120


def extract(data: bytes, name: str) -> Extracted:
    """The text of a document given its bytes and file name."""
    suffix = Path(name).suffix.lower()
    if len(data) > MAX_EXTRACT_BYTES:
        return Extracted(
            "", "none", f"文件太大 ({len(data) / 2**20:.0f} MB), 未提取文字, 上限 {MAX_EXTRACT_BYTES // 2**20} MB"
        )
    try:
        if suffix == ".pdf":
            found = _pdf(data)
        elif suffix == ".docx":
            found = _docx(data)
        elif suffix == ".xlsx":
            found = _xlsx(data)
        elif suffix in TEXT_SUFFIXES:
            found = _plain(data)
        elif suffix in IMAGE_SUFFIXES:
            found = _ocr_images([data])
        else:
            found = Extracted("", "none", f"不支持从 {suffix or '无扩展名'} 文件提取文字")
    except ImportError as exc:
        found = Extracted("", "none", f"缺少提取此类文件所需的 Python 包 {exc.name or ''}, 未提取文字")
    except Exception as exc:  # a broken file must never stop the index: say what happened
        found = Extracted("", "none", f"文件损坏或格式不符, 无法提取文字 ({type(exc).__name__})")
    return Extracted(found.text[:MAX_TEXT_CHARS], found.method, found.note)


def _pdf(data: bytes) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            return Extracted("", "pdf", "PDF 已加密, 无法提取文字")
        pages = [_pdf_lines(page) for page in reader.pages]
    except FileNotDecryptedError:
        return Extracted("", "pdf", "PDF 已加密, 无法提取文字")
    except PdfReadError as exc:
        return Extracted("", "pdf", f"PDF 文件损坏, 无法提取文字 ({exc})")
    text = _reading_order(pages).strip()
    if text:
        return Extracted(text, "pdf")
    images = [image.data for page in reader.pages for image in page.images]
    if not images:
        return Extracted("", "pdf", "PDF 中没有文字也没有图像")
    scanned = _ocr_images(images)
    return Extracted(scanned.text, "pdf+ocr" if scanned.text else "pdf", scanned.note)


# --- PDF lines in reading order ----------------------------------------------------------------
# A line break inside a Chinese paragraph is no word boundary: PDF writers wrap CJK text at any
# character, so pypdf's lines cut phrases apart (研响\n没化留此) and a search for the phrase fails.
# pypdf's visitor reports where each piece of text starts; a break is a wrap, joined again, when
# the next line starts just below, in the same font size, at the left of the column or table cell
# where this line ends, and its first word would not have fitted at the end of this line (the
# column's right edge is where its longest line ends). Table cells side by side, short lines (a
# heading, "label：value"), lines ending a sentence or clause (。！？：；) and a next line that
# starts with a label stay apart. A paragraph running on to the next page is joined the same way.
# Widths are estimated (CJK characters are 1 em; Latin letters, digits and spaces a range), so the
# rules use the bounds: pdfminer-style layout analysis would need another dependency for what
# pypdf's visitor already nearly gives.

_ENDS_FIELD = set("。！？：；!?:;…")
_LATIN_END = re.compile(r"[A-Za-z0-9]+$")
_LATIN_START = re.compile(r"[A-Za-z0-9]+")
_LABEL = re.compile(r"[\u4e00-\u9fff]{2,6}[：:]")
_FIRST_WORD = re.compile(r"(?:[A-Za-z0-9]+|.)[，。、；：！？）》」』】”’,.;:!?)\]%]*")  # what a wrap moves as one
_NARROW_EM = {" ": (0.2, 1.0)}  # (least, most) width of a space (justified text stretches it) …
_OTHER_NARROW_EM = (0.25, 0.9)  # … and of a Latin letter, digit or sign; wide characters are 1 em
_FIT_SLACK_EM = 0.5  # rounding and glyph side bearings
_CELL_GAP_EM = 1.0  # a piece this far right of the text before it starts a new table cell
_ALIGN_EM = 0.6  # a continuation starts within this of where the wrapped line's cell starts
_INDENT_EM = 4.2  # … or this much left of an indented first line
_LEADING_EM = (0.5, 2.6)  # baseline distance from a line to its continuation


def _widths(text: str) -> tuple[float, float]:
    """The least and the most width of ``text`` in em."""
    least = most = 0.0
    for ch in text:
        low, high = (1.0, 1.0) if _is_wide(ch) else _NARROW_EM.get(ch, _OTHER_NARROW_EM)
        least, most = least + low, most + high
    return least, most


@dataclass
class _Line:
    """One line of pypdf's text and where its pieces sit on the page."""

    text: str = ""
    left: float | None = None  # x of the first piece (None: no text)
    cell: float = 0.0  # x where the column or table cell the line ends in starts
    least: float = 0.0  # the least and the most x where the text ends
    most: float = 0.0
    top: float = 0.0  # baseline of the first piece
    bottom: float = 0.0  # baseline of the last piece
    size: float = 0.0  # font size of the first piece
    last_size: float = 0.0
    placed: bool = True  # False once a piece's place is unknown or the text is not upright

    def add(self, piece: str, matrix: list[float], size: float, placed: bool) -> None:
        self.text += piece
        if not piece.strip():
            return
        x, y = matrix[4], matrix[5]
        size *= math.hypot(matrix[2], matrix[3])
        self.placed &= placed and matrix[0] > 0 and matrix[3] > 0 and abs(matrix[1]) + abs(matrix[2]) < 1e-6
        if self.left is None:
            self.left, self.top, self.size = x, y, size
            self.cell = self.least = self.most = x
        elif x > self.most + _CELL_GAP_EM * size:  # a gap: the next cell of a table row
            self.cell = self.least = self.most = x
        # pypdf may report a run of text at the line's start: then it follows what came before
        least, most = _widths(piece.rstrip())
        self.least = max(x, self.least) + least * size
        self.most = max(x, self.most) + most * size
        self.bottom, self.last_size = y, size


def _pdf_lines(page) -> list[_Line]:
    """A page's lines as pypdf reads them, each with where it sits."""
    lines = [_Line()]

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        matrix = _times(tm, cm)
        for i, piece in enumerate(text.split("\n")):
            if i:
                lines.append(_Line())
            lines[-1].add(piece, matrix, size, placed=i == 0)

    text = page.extract_text(visitor_text=visit) or ""
    if "\n".join(line.text for line in lines) != text:  # the visitor missed text: pypdf's lines, never joined
        return [_Line(line) for line in text.split("\n")]
    return lines


def _reading_order(pages: list[list[_Line]]) -> str:
    """The text of all pages, with the lines wrapped inside a paragraph or cell joined again, also
    where a paragraph runs on to the next page."""
    out = ""
    above: _Line | None = None  # the last line of the page before
    previous: list[_Line] = []
    for number, lines in enumerate(pages):
        text = lines[0].text
        for one, two in pairwise(lines):
            text += ("" if _wrapped(one, two, lines) else "\n") + two.text
        below = next((line for line in lines if line.text.strip()), None)
        if number and above and below and _wrapped(above, below, previous, next_page=True):
            out = out.rstrip() + text.lstrip()
        else:
            out += ("\n" if number else "") + text
        above, previous = next((line for line in reversed(lines) if line.text.strip()), None), lines
    return out


def _wrapped(above: _Line, below: _Line, page: list[_Line], next_page: bool = False) -> bool:
    """Whether the break between two lines is a wrap inside one paragraph or cell (``page``: the
    lines of the page ``above`` is on; ``next_page``: ``below`` starts the next page)."""
    tail, head = above.text.rstrip(), below.text.lstrip()
    if above.left is None or below.left is None or not (above.placed and below.placed) or not tail or not head:
        return False
    if tail[-1] in _ENDS_FIELD or not _cjk_seam(tail, head) or _LABEL.match(head):
        return False
    em = above.last_size
    if abs(below.size - em) > 0.1 * em:
        return False
    if not (next_page or _LEADING_EM[0] * em < above.bottom - below.top < _LEADING_EM[1] * em):
        return False
    shift = above.cell - below.left
    if not (abs(shift) <= _ALIGN_EM * em or (above.cell == above.left and 0 < shift <= _INDENT_EM * em)):
        return False
    column = [
        line
        for line in page
        if line.left is not None
        and abs(line.last_size - em) <= 0.1 * em
        and min(abs(line.cell - above.cell), abs(line.cell - below.left)) <= _ALIGN_EM * em
    ]
    if not _is_wide(head[0]) and not any(
        line is not above and line is not below and line.most >= above.least - em for line in column
    ):
        return False  # a number or name below the one long line of a cell (a date under a signature) is its own
    word = _FIRST_WORD.match(head)
    fits = above.most + (_widths(word.group())[1] if word else 0.0) * em
    return fits > max(line.least for line in column) - _FIT_SLACK_EM * em


def _cjk_seam(tail: str, head: str) -> bool:
    """Whether a break between ``tail`` and ``head`` hides no space: next to a CJK character, or
    inside a Latin word or number run together with Chinese (ISO900|1认证: some writers break a
    long run without spaces anywhere). Between two words of Latin text it stands for a space."""
    if _is_wide(tail[-1]) or _is_wide(head[0]):
        return True
    before, after = _LATIN_END.search(tail), _LATIN_START.match(head)
    if before is None or after is None:
        return False
    return (before.start() > 0 and _is_wide(tail[before.start() - 1])) or (
        after.end() < len(head) and _is_wide(head[after.end()])
    )


def _times(m: list[float], n: list[float]) -> list[float]:
    """The product of two PDF matrices [a b c d e f]: where text at ``m`` in space ``n`` lands."""
    return [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]


def _is_wide(ch: str) -> bool:
    """A CJK character or full-width punctuation: a wrap next to it hides no space."""
    return unicodedata.east_asian_width(ch) in "WF"


def _docx(data: bytes) -> Extracted:
    import docx

    document = docx.Document(io.BytesIO(data))
    return Extracted("\n".join(line for line in _docx_lines(document) if line.strip()), "docx")


def _docx_lines(container) -> list[str]:
    """Paragraphs and tables in the order they stand (in a cell as in the body). A table row is
    one line with its cells apart (tab): two cells are never read as one phrase. A cell merged
    across columns is read once."""
    from docx.table import Table

    lines = []
    for block in container.iter_inner_content():
        if not isinstance(block, Table):
            lines.append(block.text)
            continue
        for row in block.rows:
            cells: list[object] = []
            for cell in row.cells:
                if not cells or cell is not cells[-1]:
                    cells.append(cell)
            lines.append("\t".join(" ".join(_docx_lines(cell)) for cell in cells))
    return lines


def _xlsx(data: bytes) -> Extracted:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except zipfile.BadZipFile:
        return Extracted("", "xlsx", "XLSX 文件损坏, 无法提取文字")
    lines = []
    for sheet in book.worksheets:
        lines.append(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            cells = [str(v) for v in row if v is not None]
            if cells:
                lines.append("\t".join(cells))
    book.close()
    return Extracted("\n".join(lines), "xlsx")


def _plain(data: bytes) -> Extracted:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030; otherwise a note."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Extracted(data.decode("utf-16"), "text:utf-16")
    try:
        text = data.decode("utf-8-sig")
        if _few_control_chars(text):
            return Extracted(text, "text:utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        if _few_control_chars(text) and _mostly_common_hanzi(text):
            return Extracted(text, "text:gb18030")
    except UnicodeDecodeError:
        pass
    return Extracted("", "none", "文本编码无法识别 (不是 UTF-8 也不是 GBK/GB18030), 未提取文字")


def _few_control_chars(text: str) -> bool:
    odd = sum(1 for ch in text if unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs") and ch not in "\r\n\t\f")
    return odd <= len(text) // 100


def _mostly_common_hanzi(text: str) -> bool:
    """Real GBK text is nearly all GB2312 characters; bytes of another encoding read as GBK
    land mostly in the rare extension areas (measured: ~30%)."""
    hanzi = [ch for ch in text if is_cjk(ch)]
    if not hanzi:
        return True
    common = 0
    for ch in hanzi:
        try:
            ch.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common >= 0.6 * len(hanzi)


@lru_cache(maxsize=1)
def ocr_status() -> tuple[bool, str]:
    """(available, note): Tesseract with the chi_sim language, or why not."""
    binary = shutil.which("tesseract")
    if binary is None:
        return False, "未安装 Tesseract (apt-get install tesseract-ocr tesseract-ocr-chi-sim), 扫描件未做文字识别"
    listed = subprocess.run([binary, "--list-langs"], capture_output=True, text=True).stdout.split()
    if "chi_sim" not in listed:
        return False, "Tesseract 缺少简体中文语言包 (tesseract-ocr-chi-sim), 扫描件未做文字识别"
    return True, ""


def _ocr_images(images: list[bytes]) -> Extracted:
    available, note = ocr_status()
    if not available:
        return Extracted("", "none", note)
    texts = []
    for image in images:
        result = subprocess.run(
            ["tesseract", "stdin", "stdout", "-l", "chi_sim+eng", "--psm", "6"],
            input=image,
            capture_output=True,
            timeout=OCR_TIMEOUT_S,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        )
        if result.returncode != 0:
            return Extracted("", "ocr", "图像无法识别 (文件损坏或格式不支持)")
        texts.append(result.stdout.decode("utf-8", errors="replace"))
    # Tesseract puts spaces between Chinese characters; they would split words apart
    text = _join_cjk("\n".join(texts)).strip()
    return Extracted(text, "ocr", None if text else "扫描件中没有识别出文字")


def _join_cjk(text: str) -> str:
    out = []
    for i, ch in enumerate(text):
        if ch == " " and 0 < i < len(text) - 1 and is_cjk(text[i - 1]) and is_cjk(text[i + 1]):
            continue
        out.append(ch)
    return "".join(out)
