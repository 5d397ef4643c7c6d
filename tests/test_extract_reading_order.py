"""Documents read in reading order: a phrase that wraps across a line in a PDF is found, and the
text of two table cells or fields is never read as one phrase (issue 13).

The PDFs are made the way the sample archive makes them (reportlab with the WenQuanYi font and
CJK wrapping, sample-archive/generator/render.py) and the way other offices' tools do (fpdf2),
from seeded random Chinese text, so no phrase is picked by hand."""

from __future__ import annotations

import io
import json
import random
import re
from datetime import date

import docx
import openpyxl
import pytest
from generator.common import COMMON_CHARACTERS as COMMON
from generator.common import FONT_FILE
from generator.render import pdf_fonts, write_pdf
from pypdf import PdfReader

from custtui.core.archive.archive import Archive
from custtui.core.index.extract import extract
from custtui.core.index.textcache import TextCache

RUN = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]+")


def words(r: random.Random, count: int) -> str:
    return "".join(r.choice(COMMON) for _ in range(count))


def paragraph(r: random.Random) -> str:
    """A long paragraph: Chinese words, clause punctuation, numbers, Latin words spaced apart or not."""
    parts: list[str] = []
    while sum(map(len, parts)) < r.randint(150, 320):
        roll = r.random()
        if roll < 0.05:
            parts.append(f" {r.randint(1, 9999)} ")
        elif roll < 0.07:
            parts.append(r.choice(["{} ", " {} ", "{}"]).format(r.choice(["ISO9001", "ERP", "MES", "AGV"])))
        elif roll < 0.15:
            parts.append(r.choice(["，", "、", "；"]))
        else:
            parts.append(words(r, r.randint(1, 4)))
    return "".join(parts).strip() + "。"


def document(seed: int) -> dict:
    """Paragraphs, a key-value table, label：value lines, headings and a table, as fields in order."""
    r = random.Random(seed)
    return {
        "kv": [(words(r, r.randint(2, 5)), words(r, r.randint(2, 18))) for _ in range(5)],
        "heads": [f"第{n}条 {words(r, r.randint(3, 8))}" for n in "一二"],
        "paras": [paragraph(r) for _ in range(4 if seed else 12)],  # seed 0 runs on to a second page
        "labels": [f"{words(r, r.randint(2, 4))}：{words(r, r.randint(2, 12))}" for _ in range(3)],
        "rows": [[str(i + 1), words(r, r.randint(2, 8)), words(r, r.randint(4, 40))] for i in range(4)],
    }


def fields(doc: dict) -> list[str]:
    """Every field's text in reading order."""
    return [
        *(text for pair in doc["kv"] for text in pair),
        doc["heads"][0],
        doc["paras"][0],
        *doc["labels"],
        doc["heads"][1],
        *doc["paras"][1:],
        *(cell for row in doc["rows"] for cell in row),
    ]


def by_reportlab(doc: dict) -> bytes:
    blocks = [("title", "测试文件"), ("kv", doc["kv"]), ("h", doc["heads"][0]), ("p", doc["paras"][0])]
    blocks += [("p", line) for line in doc["labels"]]
    blocks += [("h", doc["heads"][1]), *(("p", text) for text in doc["paras"][1:])]
    blocks += [("table", ["序号", "名称", "说明"], doc["rows"])]
    return write_pdf("测试文件", blocks, date(2025, 1, 1), "张伟")


def by_reportlab_indented(doc: dict) -> bytes:
    """Every field a justified paragraph whose first line is indented two characters (首行缩进)."""
    from reportlab.lib.enums import TA_JUSTIFY
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    pdf_fonts()
    style = ParagraphStyle(
        "p", fontName="WQY", fontSize=12, leading=18, wordWrap="CJK", firstLineIndent=24, alignment=TA_JUSTIFY
    )
    out = io.BytesIO()
    SimpleDocTemplate(out).build([Paragraph(text, style) for text in fields(doc)])
    return out.getvalue()


def by_fpdf2(doc: dict) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("WQY", fname=FONT_FILE)
    pdf.set_font("WQY", size=11)
    with pdf.table(col_widths=(30, 100), first_row_as_headings=False) as table:
        for key, value in doc["kv"]:
            row = table.row()
            row.cell(key)
            row.cell(value)
    for text in [doc["heads"][0], doc["paras"][0], *doc["labels"], doc["heads"][1], *doc["paras"][1:]]:
        pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    with pdf.table(col_widths=(10, 30, 60), first_row_as_headings=False) as table:
        for cells in doc["rows"]:
            row = table.row()
            for cell in cells:
                row.cell(cell)
    return bytes(pdf.output())


def phrases(text: str) -> set[str]:
    """Every run of 2–6 characters inside a word (no space or punctuation in it)."""
    return {run[i : i + n] for run in RUN.findall(text) for n in range(2, 7) for i in range(len(run) - n + 1)}


def seams(texts: list[str]) -> list[str]:
    """For each two fields in a row, the last two characters of one and the first two of the next:
    a false phrase, found only when the two are read as one."""
    out = []
    for one, two in zip(texts, texts[1:], strict=False):
        tail, head = RUN.findall(one), RUN.findall(two)
        if tail and head and len(tail[-1]) >= 2 and len(head[0]) >= 2:
            out.append(tail[-1][-2:] + head[0][:2])
    return out


def pypdf_lines(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


MAKERS = {"reportlab": by_reportlab, "reportlab-indented": by_reportlab_indented, "fpdf2": by_fpdf2}
SEEDS = {"reportlab": range(3), "reportlab-indented": range(2), "fpdf2": range(1)}  # fpdf2: ~1.3 s a file


@pytest.fixture(scope="module")
def pdfs() -> dict:
    """(maker, seed) -> (document, PDF bytes)."""
    return {
        (name, seed): (document(seed), make(document(seed))) for name, make in MAKERS.items() for seed in SEEDS[name]
    }


@pytest.mark.parametrize("maker", MAKERS)
def test_every_phrase_of_a_wrapped_paragraph_is_in_the_text(pdfs, maker):
    split_by_pypdf = 0
    for seed in SEEDS[maker]:
        doc, data = pdfs[maker, seed]
        text, pypdf_text = extract(data, "文件.pdf").text, pypdf_lines(data)
        wanted = set().union(*map(phrases, fields(doc)))
        split_by_pypdf += sum(phrase not in pypdf_text for phrase in wanted)
        lost = sorted(phrase for phrase in wanted if phrase not in text)
        assert not lost, (seed, lost[:10])
    assert split_by_pypdf > 50  # the documents do wrap mid-phrase: pypdf's own lines cut these apart
    assert len(PdfReader(io.BytesIO(pdfs[maker, 0][1])).pages) > 1  # … and a paragraph over a page break


@pytest.mark.parametrize("maker", MAKERS)
def test_table_cells_and_fields_are_never_read_as_one_phrase(pdfs, maker):
    for seed in SEEDS[maker]:
        doc, data = pdfs[maker, seed]
        text = extract(data, "文件.pdf").text
        glued = [seam for seam in seams(fields(doc)) if seam in text]
        assert not glued, (seed, glued)


def test_docx_keeps_the_order_of_paragraphs_and_tables_and_its_cells_apart():
    r = random.Random(7)
    before, after = paragraph(r), paragraph(r)
    rows = [[words(r, r.randint(2, 6)) for _ in range(3)] for _ in range(4)]
    document_ = docx.Document()
    document_.add_paragraph(before)
    table = document_.add_table(rows=len(rows) + 1, cols=3)
    for cells, row in zip(rows, table.rows, strict=False):
        for text, cell in zip(cells, row.cells, strict=True):
            cell.text = text
    merged = table.cell(len(rows), 0).merge(table.cell(len(rows), 2))
    merged.text = words(r, 6)
    document_.add_paragraph(after)
    out = io.BytesIO()
    document_.save(out)
    text = extract(out.getvalue(), "记录.docx").text
    places = [text.index(part) for part in (before, *(cell for row in rows for cell in row), merged.text, after)]
    assert places == sorted(places)  # the table stands between the paragraphs it stands between
    assert text.count(merged.text) == 1
    assert not [seam for seam in seams([cell for row in rows for cell in row]) if seam in text]


def test_xlsx_keeps_every_cell_apart():
    r = random.Random(8)
    rows = [[words(r, r.randint(2, 8)) for _ in range(4)] for _ in range(5)]
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    text = extract(out.getvalue(), "台账.xlsx").text
    cells = [cell for row in rows for cell in row]
    assert all(cell in text for cell in cells)
    assert not [seam for seam in seams(cells) if seam in text]


def test_text_cached_by_an_older_extraction_is_extracted_again_but_not_a_scan(pdfs, tmp_path):
    _, data = pdfs["reportlab", 0]
    pdf, scan = "ab" + "0" * 38, "cd" + "0" * 38
    for blob, text, method in ((pdf, pypdf_lines(data), "pdf"), (scan, "扫描件里识别出的文字", "ocr")):
        old = tmp_path / blob[:2] / f"{blob[2:]}.json"
        old.parent.mkdir()
        old.write_text(json.dumps({"text": text, "method": method, "note": None}), encoding="utf-8")
    cache = TextCache(tmp_path)
    assert cache.get(pdf, "合同.pdf", lambda: data) == extract(data, "合同.pdf")
    assert cache.get(pdf, "合同.pdf", lambda: b"") == extract(data, "合同.pdf")  # and kept: not read again
    assert cache.get(scan, "扫描.png", lambda: b"").text == "扫描件里识别出的文字"  # no OCR again


def test_the_text_cache_is_one_file_extracts_once_and_takes_over_older_files(tmp_path):
    reads = []

    def read(data: bytes):
        return lambda: reads.append(data) or data

    texts = [("ab" + f"{n:038d}", f"第{n}号文件的正文".encode()) for n in range(50)]
    cache = TextCache(tmp_path)
    for blob, data in texts:
        assert cache.get(blob, "a.txt", read(data)).text == data.decode()
    assert [cache.get(blob, "a.txt", read(b"")).text for blob, _ in texts] == [d.decode() for _, d in texts]
    assert len(reads) == len(texts), "each document extracted once"
    assert {p.name for p in tmp_path.rglob("*") if p.is_file()} <= {
        "texts.sqlite",
        "texts.sqlite-wal",
        "texts.sqlite-shm",
    }

    older = tmp_path / "cd" / f"{'0' * 38}.json"  # a text cached by an earlier version, one file each
    older.parent.mkdir()
    older.write_text(json.dumps({"text": "扫描件里识别出的文字", "method": "ocr", "note": None}), encoding="utf-8")
    assert TextCache(tmp_path).get("cd" + "0" * 38, "扫描.png", read(b"")).text == "扫描件里识别出的文字"
    assert not older.parent.exists(), "the older file (and its emptied folder) go once its text is in the database"
    assert TextCache(tmp_path).get("cd" + "0" * 38, "扫描.png", read(b"")).text == "扫描件里识别出的文字", "moved in"
    assert len(reads) == len(texts), "and never OCR'd again"


@pytest.fixture(scope="module")
def filed(pdfs, tmp_path_factory):
    """One customer with the reportlab PDF filed, and its search index built."""
    archive = Archive.init(tmp_path_factory.mktemp("reading") / "archive", "BJ", office_name="北京总部", user="张伟")
    customer, _ = archive.add_customer("个人", "曾小贤", {"phones": "13912345678"})
    doc, data = pdfs["reportlab", 0]
    source = tmp_path_factory.mktemp("inbox") / "合同.pdf"
    source.write_bytes(data)
    name, _ = archive.attach(customer, source, {"doc_type": "其他资料", "title": "测试合同"})
    index = archive.search_index()
    index.ensure()
    yield index, customer, name, doc, data
    archive.close()


def test_a_phrase_across_a_wrap_is_found_by_search(filed):
    index, customer, name, doc, data = filed
    pypdf_text = pypdf_lines(data)
    across = sorted(p for text in doc["paras"] for p in phrases(text) if len(p) >= 3 and p not in pypdf_text)
    assert across  # the PDF wraps some phrases
    missed = []
    for phrase in across[:: max(1, len(across) // 12)]:  # a dozen of them, spread over the list
        hits = index.search(phrase).hits
        if not any(hit.kind == "document" and hit.id == customer and hit.document == name for hit in hits):
            missed.append(phrase)
    assert not missed


def test_two_fields_read_as_one_find_nothing(filed):
    index, customer, name, doc, data = filed
    glued = seams(fields(doc))
    assert glued
    found = [seam for seam in glued if any(hit.kind == "document" for hit in index.search(seam).hits)]
    assert not found
