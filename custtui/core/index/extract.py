"""Text out of documents: PDF, DOCX, XLSX, plain text in UTF-8 or GBK/GB18030, and scans by OCR.

Every outcome is an ``Extracted``: the text (possibly empty) and, when something stood in the
way, a note in Chinese saying what (encrypted PDF, unknown encoding, no OCR installed …), so one
bad file never stops an index build. Results are cached by the file's git blob id, so a file is
extracted once, whichever office or commit it arrived from.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import unicodedata
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TEXT_SUFFIXES = {".txt", ".csv", ".tsv", ".md", ".log", ".json", ".xml", ".html", ".htm"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp"}
MAX_EXTRACT_BYTES = 64 * 2**20
MAX_TEXT_CHARS = 2_000_000
OCR_TIMEOUT_S = 120


@dataclass(frozen=True)
class Extracted:
    text: str
    method: str
    note: str | None = None


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
        pages = [page.extract_text() or "" for page in reader.pages]
    except FileNotDecryptedError:
        return Extracted("", "pdf", "PDF 已加密, 无法提取文字")
    except PdfReadError as exc:
        return Extracted("", "pdf", f"PDF 文件损坏, 无法提取文字 ({exc})")
    text = "\n".join(pages).strip()
    if text:
        return Extracted(text, "pdf")
    images = [image.data for page in reader.pages for image in page.images]
    if not images:
        return Extracted("", "pdf", "PDF 中没有文字也没有图像")
    scanned = _ocr_images(images)
    return Extracted(scanned.text, "pdf+ocr" if scanned.text else "pdf", scanned.note)


def _docx(data: bytes) -> Extracted:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return Extracted("\n".join(p for p in parts if p.strip()), "docx")


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
    hanzi = [ch for ch in text if _is_cjk(ch)]
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
        if ch == " " and 0 < i < len(text) - 1 and _is_cjk(text[i - 1]) and _is_cjk(text[i + 1]):
            continue
        out.append(ch)
    return "".join(out)


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


class TextCache:
    """Extracted text by git blob id, under ``.git/custtui/text/``: never extract a file twice."""

    def __init__(self, folder: Path):
        self.folder = folder

    def get(self, blob: str, name: str, read) -> Extracted:
        """The text of blob ``blob`` (file ``name``); ``read()`` gives its bytes on a miss."""
        path = self.folder / blob[:2] / f"{blob[2:]}.json"
        try:
            cached = json.loads(path.read_text(encoding="utf-8"))
            return Extracted(cached["text"], cached["method"], cached.get("note"))
        except (FileNotFoundError, ValueError, KeyError):
            pass
        found = extract(read(), name)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(found.__dict__, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
        return found
