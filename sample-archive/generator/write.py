"""Writing the archive. ``build`` deletes and rewrites what the generator owns under
``sample-archive/`` (``archive.toml``, ``offices/`` and ``customers/``): each customer's
``customer.toml`` (normalised by custtui's validator), its notes and deals, and its documents with
their ``.meta.toml``, each document rendered, scanned or copied according to its spec in the
customer's data file and given a name by the archive's naming rule.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from datetime import datetime, time, timedelta
from pathlib import Path

from custtui.core.records.records import customer_dir, dumps

from .common import (
    ARCHIVE_NAME,
    DEAL_ORDER,
    META_ORDER,
    NOTE_ORDER,
    OFFICES,
    SCHEMA,
    VALIDATOR,
    d,
    load,
    rng_for,
    ymd,
)
from .content import BUILDERS
from .content.context import Ctx
from .customers import CUSTOMERS, Cust, build_contacts, id_number, uscc_of
from .render import write_csv, write_docx, write_image_pdf, write_pdf, write_text, write_xlsx
from .scans import scan_contract_page, scan_id_copy, scan_license, scan_org_certificate
from .story import at, contracts, deals_for, notes_for, resolve_when, stage_history

ORIGINAL_NAMES = load("documents.toml")["original_names"]


def customer_record(c: Cust) -> dict:
    rec = {"id": c.id, "type": c.type, "name": c.name, "aliases": c.aliases}
    if c.type != "individual":
        rec |= {"uscc": uscc_of(c), "legal_rep": c.legal_rep, "annual_purchase": c.annual}
    if c.type == "government":
        rec |= {"superior": c.superior, "procurement_method": c.procurement}
    if c.type == "individual":
        rec |= {
            "id_number": id_number(c),
            "gender": c.gender,
            "phones": c.phones,
            "email": c.email,
            "preferences": c.preferences,
        }
    else:
        rec |= {"industry": c.industry, "size": c.size}
    tier = c.tier if c.type == "individual" else SCHEMA.value_tier_for(float(c.annual))
    rec |= {
        "region": c.region,
        "address": c.address,
        "stage": c.stage,
        "status": c.status,
        "value_tier": tier,
        "demand_types": c.demand,
        "grade": c.grade,
        "color": c.color,
        "tags": c.tags,
        "remark": c.remark,
        "owner": c.owner,
        "first_contact": d(c.first),
    }
    if c.type != "individual":
        rec["contacts"] = build_contacts(c)
    rec["stage_history"] = stage_history(c)
    return rec


def safe_name(stem: str, ext: str, taken: set) -> str:
    stem = re.sub(r'[/\\:*?"<>|\x00-\x1f]', "-", stem).strip(" .")
    name, n = f"{stem}.{ext}", 1
    while name in taken:
        n += 1
        name = f"{stem}-{n}.{ext}"
    taken.add(name)
    return name


def build_documents(c: Cust) -> list[tuple[str, bytes, dict]]:
    """(file name, bytes, meta) for each of the customer's documents, in spec order."""
    out, taken, produced = [], set(), {}
    for i, spec in enumerate(c.docs):
        r = rng_for("doc", c.id, i)
        code, ext = spec["doc_type"], spec["ext"]
        doc_type = SCHEMA.doc_types[code]
        day = resolve_when(c, spec["when"])
        k = None
        if code == "contract":
            k = contracts(c)[spec.get("which", 1)]
            assert k.date == day, (c.id, k.number, k.date, day)
            stem, title = f"{k.number}-{k.project}-{ymd(day)}", f"{k.project}合同"
        else:
            stem, title = f"{c.name}-{doc_type.label}-{ymd(day)}", doc_type.label
        if code == "supplement":
            k = contracts(c)[1]
        name = safe_name(stem, ext, taken)
        author = spec.get("added_by", c.owner)
        if spec.get("same_as"):
            data = produced[spec["same_as"]]
        elif code == "business_license":
            data = scan_license(c, r).finish(r, ext)
        elif code == "org_certificate":
            data = scan_org_certificate(c, r).finish(r, ext)
        elif code == "id_copy":
            data = scan_id_copy(c, r).finish(r, ext)
        elif spec.get("scan"):
            data = write_image_pdf(scan_contract_page(c, k, r).finish(r, "jpg"), title, day)
        else:
            title, blocks = BUILDERS[code](Ctx(c, spec, day, r, k))
            if ext == "pdf":
                data = write_pdf(title, blocks, day, author)
            elif ext == "docx":
                data = write_docx(title, blocks, day, author)
            elif ext == "xlsx":
                data = write_xlsx(title, blocks, day, author)
            else:
                text = write_csv(blocks) if ext == "csv" else write_text(title, blocks, markdown=(ext == "md"))
                encoding = spec.get("encoding", "utf-8")
                if encoding != "utf-8":
                    text = text.replace("\r\n", "\n").replace("\n", "\r\n")
                data = text.encode(encoding)
        produced.setdefault(code, data)
        meta_in = {"info_type": doc_type.info_type, "doc_type": code, "title": spec.get("title") or title, "date": day}
        for key in ("stage", "sensitivity", "paper_box", "paper_shelf", "also_in"):
            if spec.get(key):
                meta_in[key] = spec[key]
        if code == "contract":
            meta_in |= {"number": k.number, "project": k.project}
            if k.which == 2 and c.stable and day >= d(c.stable):
                meta_in["stage"] = "stable"
        if code == "supplement":
            main = next(n for n, _, m in out if m.get("number") == k.number)
            meta_in["main"] = main
        meta = VALIDATOR.document(meta_in, c.type)
        if spec.get("added_at"):
            added = datetime.strptime(spec["added_at"], "%Y-%m-%d %H:%M")
        else:
            added = at(day + timedelta(days=spec.get("added_after", r.choice([0, 0, 1, 2, 3]))), r)
            if added.date() < day:
                added = datetime.combine(day, time(17, 30))
        original = spec.get("original_name") or r.choice(ORIGINAL_NAMES[ext]).format(
            label=doc_type.label, short=c.short, ym=day.strftime("%Y%m")
        )
        meta |= {
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
            "original_name": original,
            "added_by": author,
            "added_at": added,
        }
        out.append((name, data, meta))
    return out


def build(root: Path) -> None:
    for sub in ("customers", "offices"):
        if (root / sub).exists():
            shutil.rmtree(root / sub)
    (root / "archive.toml").unlink(missing_ok=True)
    (root / "archive.toml").write_bytes(dumps({"name": ARCHIVE_NAME, "format": 1}, ["name", "format"]))
    for office, name in OFFICES.items():
        used = [c.seq for c in CUSTOMERS if c.office == office]
        (root / "offices").mkdir(exist_ok=True)
        (root / "offices" / f"{office}.toml").write_bytes(
            dumps({"code": office, "name": name, "next": max(used) + 1}, ["code", "name", "next"])
        )
    order = VALIDATOR.field_order()
    for c in CUSTOMERS:
        folder = root / customer_dir(c.id)
        folder.mkdir(parents=True)
        record = VALIDATOR.customer(customer_record(c))
        (folder / "customer.toml").write_bytes(dumps(record, order))
        r = rng_for("names", c.id)
        for note in notes_for(c):
            by = note.pop("by")
            rec = VALIDATOR.note(note) | {"by": by}
            (folder / "notes").mkdir(exist_ok=True)
            (folder / "notes" / f"{rec['time']:%Y%m%dT%H%M}-{r.getrandbits(24):06x}.toml").write_bytes(
                dumps(rec, NOTE_ORDER)
            )
        for deal in deals_for(c):
            rec = VALIDATOR.deal(deal) | {"by": deal["by"]}
            (folder / "deals").mkdir(exist_ok=True)
            (folder / "deals" / f"{rec['date']:%Y%m%d}-{r.getrandbits(24):06x}.toml").write_bytes(
                dumps(rec, DEAL_ORDER)
            )
        for name, data, meta in build_documents(c):
            (folder / "docs").mkdir(exist_ok=True)
            (folder / "docs" / name).write_bytes(data)
            (folder / "docs" / f"{name}.meta.toml").write_bytes(dumps(meta, META_ORDER))
