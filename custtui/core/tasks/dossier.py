"""A customer's dossier (客户档案): one PDF with the basic form, contacts, stage history,
communication records, transactions and the index of documents, and a zip of the documents.

Both hold what this person may see, read once through ``view.folder`` (masked as the policy says,
``unmask`` only with the right and logged; notes, transactions and documents only if their role
may read them). Making one needs the ``export`` right and is written to the access log, naming
the 机密 and 绝密 documents the zip holds (one entry, rather than one per document as opening
each would write).

The PDF uses reportlab's built-in CID font ``STSong-Light``: the PDF viewer supplies the glyphs,
so no font file is shipped or needed on the machine that writes it.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from ..access import access_log
from ..access.policy import DEAL_RECORD, NOTE_RECORD
from ..archive.archive import Archive, Folder
from ..base.errors import CusttuiError
from ..records.naming import rule_stem, safe_name
from ..records.present import CONTACT_LABELS, DEAL_LABELS, NOTE_LABELS, amount_text
from ..records.schema import Schema
from . import pdf, tables, view


class Dossier(NamedTuple):
    pdf: Path
    zip: Path
    documents: int  # how many documents the zip holds


def write(
    archive: Archive, customer_id: str, folder: Path, *, unmask: bool = False, today: date | None = None
) -> Dossier:
    """Write ``<客户名称>-客户档案-<日期>.pdf`` and ``<客户名称>-资料-<日期>.zip`` into ``folder``
    (never over an existing file: a taken name gets -2, -3 …)."""
    from .intake import save_copy  # here: intake's extraction is not needed otherwise

    archive.access.require("export")
    today = today or date.today()
    shown = view.folder(archive, customer_id, unmask=unmask)
    if shown.record.get("merged_into"):
        target = shown.record["merged_into"]
        raise CusttuiError(f"{customer_id} 已并入 {target}, 请生成 {target} 的客户档案")
    schema = archive.schema(shown.commit)
    pattern = schema.rules["documents"]["name_pattern"]

    def named(kind: str, ext: str) -> str:
        stem = rule_stem(pattern, customer=shown.record.get("name", customer_id), doc_type=kind, date=f"{today:%Y%m%d}")
        return safe_name(stem, ext)

    pdf = save_copy(pdf_bytes(archive, schema, shown, today), named("客户档案", "pdf"), folder)
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as bundle:
        for doc in shown.documents:
            bundle.writestr(doc.name, archive.plain_document(archive.store.read_blob(doc.blob)))
    bundle_path = save_copy(packed.getvalue(), named("资料", "zip"), folder)
    logged = [d.name for d in shown.documents if d.meta.get("sensitivity") in view.LOGGED_SENSITIVITY]
    detail = f"客户档案 PDF 与 {len(shown.documents)} 份资料" + (" (未打码)" if unmask else "")
    detail += f" (含机密/绝密资料: {'、'.join(logged)})" if logged else ""
    access_log.record(archive, archive.actor, "export", customer_id, f"{detail} → {pdf}, {bundle_path}")
    return Dossier(pdf, bundle_path, len(shown.documents))


def pdf_bytes(archive: Archive, schema: Schema, shown: Folder, today: date) -> bytes:
    """The dossier's PDF (A4): every section of the customer as ``shown`` holds it."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    body = pdf.body_style(leading=13)
    heading = ParagraphStyle("heading", parent=body, fontSize=13, leading=18, spaceBefore=10, spaceAfter=4)
    title_style = ParagraphStyle("title", parent=body, fontSize=17, leading=24, spaceAfter=4)
    access, record = archive.access, shown.record
    width = A4[0] - 36 * mm

    def para(text: Any) -> Any:
        return pdf.paragraph(tables.cell_text(text), body)

    def grid(header: list[str], rows: list[list[Any]], shares: list[float]) -> Any:
        return pdf.grid(header, [[tables.cell_text(v) for v in row] for row in rows], width, shares, body)

    def section(title: str, rows: Any, make: Any, refused: bool = False) -> list:
        if refused:
            return [Paragraph(title, heading), para(f"(你的角色 {access.label} 不能查看{title})")]
        return [Paragraph(title, heading), make() if rows else para("(无)")]

    basic = tables.basic_row(schema, record["id"], record, today)
    classified = tables.tags_row(schema, record["id"], record)
    form = {
        label: value
        for label, value in [
            *zip(tables.BASIC_HEADER, basic, strict=True),
            *zip(tables.TAGS_HEADER, classified, strict=True),
        ]
        if value not in ("", None) and label != "其他联系人"  # the contacts have their own section
    }
    contacts = [
        [c.get("name", ""), c.get("position", ""), "、".join(c.get("phones") or []), c.get("email", "")]
        + ["是" if c.get("decision_maker") else ""]
        for c in record.get("contacts") or []
    ]
    steps = [
        [s.get("date", ""), _stage(schema, s.get("from")), _stage(schema, s.get("to")), s.get("reason", "")]
        + [s.get("by", "")]
        for s in record.get("stage_history") or []
    ]
    notes = [
        [
            _when(n.get("time")),
            _channel(schema, n.get("channel")),
            "、".join(n.get("participants") or []),
            "\n".join(f"{NOTE_LABELS[k]}: {n[k]}" for k in ("content", "needs", "feedback") if n.get(k)),
            n.get("by", ""),
        ]
        for n in shown.notes
    ]
    deals = [
        [d.get("date", ""), amount_text(d.get("amount")), d.get("product", ""), d.get("contract", ""), d.get("by", "")]
        for d in shown.deals
    ]
    index = [
        [row[2], f"{row[4]} / {row[5]}", row[6], row[7], row[8], " ".join(filter(None, (row[11], row[12])))]
        for doc in shown.documents
        for row in (tables.document_row(schema, record["id"], record.get("name", ""), doc.name, doc.meta),)
    ]
    who = archive.display_name or "(未知)"
    story = [
        pdf.paragraph(f"{record.get('name', '')} 客户档案", title_style),
        para(
            f"客户编号 {record['id']} · 生成于 {today:%Y-%m-%d} · 生成人 {who} · 按角色 {access.label} 的权限"
            " (个人信息按权限打码, 只含可查看的资料)"
        ),
        *section("客户基础信息", form, lambda: grid(["项目", "内容"], [[k, v] for k, v in form.items()], [1, 3])),
        *section(
            "联系人",
            contacts,
            lambda: grid(
                [CONTACT_LABELS[k] for k in ("name", "position", "phones", "email")] + ["决策人"],
                contacts,
                [2, 2, 3, 3, 1],
            ),
        ),
        *section(
            "阶段历史", steps, lambda: grid(["日期", "原阶段", "新阶段", "原因", "操作人"], steps, [2, 2, 2, 5, 1.5])
        ),
        *section(
            "沟通记录",
            notes,
            lambda: grid(["时间", "方式", "参与人", "内容", "记录人"], notes, [2.2, 1.3, 2, 7, 1.3]),
            not access.can_view(*NOTE_RECORD),
        ),
        *section(
            "交易记录",
            deals,
            lambda: grid(
                [DEAL_LABELS[k] for k in ("date", "amount", "product", "contract", "by")], deals, [2, 2.5, 5, 2.5, 1.5]
            ),
            not access.can_view(*DEAL_RECORD),
        ),
        *section(
            "资料目录",
            index,
            lambda: grid(
                ["文件名", "信息类型 / 资料类型", "资料日期", "敏感等级", "主文件/附件", "纸质原件"],
                index,
                [6, 3.4, 2, 1.7, 1.7, 2.5],
            ),
        ),
        Spacer(1, 4 * mm),
    ]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{record.get('name', '')} 客户档案",
        author=who,
    )
    doc.build(story)
    return out.getvalue()


def _stage(schema: Schema, code: Any) -> str:
    return schema.label("stage", code) if code else ""


def _channel(schema: Schema, code: Any) -> str:
    return schema.label("channel", code) if code else ""


def _when(value: Any) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if isinstance(value, datetime) else tables.cell_text(value or "")
