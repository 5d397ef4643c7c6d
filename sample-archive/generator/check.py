"""Verifying the archive on disk, as ``generate.py --check`` does after every build. Every customer,
note, deal and document is read back and put through custtui's validator (and must already be in
its normalised form); codes, dates, owners, stage histories, file names, checksums and the text
that can be extracted from each PDF, DOCX, XLSX and text file are checked, and a summary of the
archive (customers, notes, deals, documents by format, encodings, size) is printed.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

from custtui.core.records.records import customer_dir, dumps

from .common import ALL_STAFF, ARCHIVE_NAME, OFFICES, SCHEMA, STAFF, TODAY, VALIDATOR, ymd
from .scans import Page

SYSTEM_META = ("sha256", "size", "original_name", "added_by", "added_at")


class Problems(list):
    def add(self, where, what):
        self.append(f"{where}: {what}")


def extract_text(path: Path) -> str:
    ext = path.suffix.lower()[1:]
    if ext == "pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    if ext == "docx":
        from docx import Document

        doc = Document(path)
        parts = [p.text for p in doc.paragraphs]
        parts += [cell.text for t in doc.tables for row in t.rows for cell in row.cells]
        return "\n".join(parts)
    if ext == "xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True)
        return "\n".join(str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    if ext in ("txt", "csv", "md"):
        raw = path.read_bytes()
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("gb18030")
    return ""


def check(root: Path) -> int:
    from collections import Counter

    problems = Problems()
    stats = Counter()
    formats, encodings, by_type, sha_seen = Counter(), Counter(), Counter(), {}
    status_count = Counter()
    archive = tomllib.loads((root / "archive.toml").read_text("utf-8"))
    if archive != {"name": ARCHIVE_NAME, "format": 1}:
        problems.add("archive.toml", archive)
    seqs: dict = {}
    for folder in sorted((root / "customers").glob("*/*/*")):
        cid = folder.name
        where = cid
        if customer_dir(cid) != folder.relative_to(root).as_posix():
            problems.add(where, "folder does not match the id")
        office, seq = cid.split("-")
        seqs.setdefault(office, []).append(int(seq))
        raw = (folder / "customer.toml").read_bytes()
        record = tomllib.loads(raw.decode("utf-8"))
        try:
            norm = VALIDATOR.customer(record)
        except Exception as exc:  # noqa: BLE001
            problems.add(where, f"Validator.customer rejects: {exc}")
            continue
        if dumps(norm, VALIDATOR.field_order()) != raw:
            problems.add(where, "customer.toml is not in normalised form")
        if record["id"] != cid:
            problems.add(where, "id field differs from folder")
        ctype = record["type"]
        by_type[ctype] += 1
        status_count[record.get("status")] += 1
        first = record["first_contact"]
        if not date(2022, 1, 1) <= first <= date(2026, 6, 30):
            problems.add(where, f"first_contact {first} outside 2022-01..2026-06")
        if record["owner"] not in STAFF[office]:
            problems.add(where, f"owner {record['owner']} is not a {office} staff member")
        # codes
        if ctype != "individual":
            uscc = record["uscc"]
            want = "91" if ctype == "enterprise" else ("11", "12")
            if not uscc.startswith(want):
                problems.add(where, f"USCC prefix {uscc[:2]}")
            if uscc[2:6] != record["region"][:4]:
                problems.add(where, f"USCC division {uscc[2:8]} not in region {record['region']}")
            tier = SCHEMA.value_tier_for(float(record["annual_purchase"]))
            if record.get("value_tier") != tier:
                problems.add(where, f"value_tier {record.get('value_tier')} but annual_purchase says {tier}")
            if not any(ct.get("decision_maker") for ct in record.get("contacts", [])):
                problems.add(where, "no decision maker among contacts")
        else:
            born = int(record["id_number"][6:10])
            if not 1960 <= born <= 2000:
                problems.add(where, f"born {born}")
            if (int(record["id_number"][16]) % 2 == 1) != (record["gender"] == "male"):
                problems.add(where, "gender does not match the ID number")
        # stage history
        stage, last = "potential", first
        for h in record.get("stage_history", []):
            if set(h) != {"date", "from", "to", "reason", "by"}:
                problems.add(where, f"stage_history keys {sorted(h)}")
            if h["from"] != stage or h["date"] <= last or h["by"] not in ALL_STAFF:
                problems.add(where, f"stage_history entry out of order: {h}")
            if SCHEMA.dimension("stage").value(h["to"]) is None:
                problems.add(where, f"stage_history to {h['to']}")
            stage, last = h["to"], h["date"]
        if stage != record["stage"]:
            problems.add(where, f"stage {record['stage']} but history ends at {stage}")
        # notes
        note_times = []
        for path in sorted((folder / "notes").glob("*.toml")):
            stats["notes"] += 1
            n = tomllib.loads(path.read_text("utf-8"))
            try:
                VALIDATOR.note(n)
            except Exception as exc:  # noqa: BLE001
                problems.add(path.name, f"Validator.note rejects: {exc}")
            if not re.fullmatch(rf"{n['time']:%Y%m%dT%H%M}-[0-9a-f]{{6}}\.toml", path.name):
                problems.add(path.name, "note file name does not match its time")
            if not (datetime.combine(first, time()) <= n["time"] < datetime.combine(TODAY, time())):
                problems.add(path.name, f"note time {n['time']} outside first_contact..{TODAY}")
            if n["by"] not in ALL_STAFF:
                problems.add(path.name, f"by {n['by']}")
            note_times.append(n["time"].date())
        if not 1 <= len(note_times) <= 5:
            problems.add(where, f"{len(note_times)} notes")
        quiet = (TODAY - max(note_times)).days if note_times else 9999
        dormant_days = SCHEMA.rules["status"]["dormant_after_days"]
        if record.get("status") == "active" and quiet > dormant_days:
            problems.add(where, f"active but last note {quiet} days ago")
        if record.get("status") == "dormant" and quiet <= dormant_days:
            problems.add(where, f"dormant but last note only {quiet} days ago")
        # deals
        deal_count = 0
        yearly = Counter()
        for path in sorted((folder / "deals").glob("*.toml")):
            deal_count += 1
            x = tomllib.loads(path.read_text("utf-8"))
            try:
                VALIDATOR.deal(x)
            except Exception as exc:  # noqa: BLE001
                problems.add(path.name, f"Validator.deal rejects: {exc}")
            if not re.fullmatch(r"\d+\.\d{2}", x["amount"]):
                problems.add(path.name, f"amount {x['amount']!r}")
            if not first <= x["date"] < TODAY or not re.fullmatch(
                rf"{x['date']:%Y%m%d}-[0-9a-f]{{6}}\.toml", path.name
            ):
                problems.add(path.name, "deal date / file name")
            yearly[x["date"].year] += Decimal(x["amount"])
        stats["deals"] += deal_count
        if deal_count > 4:
            problems.add(where, f"{deal_count} deals")
        if ctype == "individual" and yearly:
            tier = SCHEMA.value_tier_for(float(max(yearly.values())))
            if tier != record.get("value_tier"):
                problems.add(where, f"individual value_tier {record.get('value_tier')} but yearly purchases say {tier}")
        # documents
        docs = folder / "docs"
        files = sorted(p for p in docs.glob("*") if not p.name.endswith(".meta.toml")) if docs.exists() else []
        metas = sorted(docs.glob("*.meta.toml")) if docs.exists() else []
        if {m.name[: -len(".meta.toml")] for m in metas} != {f.name for f in files}:
            problems.add(where, "documents and .meta.toml files do not pair up")
        for f in files:
            meta = tomllib.loads((docs / f"{f.name}.meta.toml").read_text("utf-8"))
            w = f"{cid}/docs/{f.name}"
            stats["documents"] += 1
            formats[f.suffix[1:]] += 1
            data = f.read_bytes()
            if meta["sha256"] != hashlib.sha256(data).hexdigest() or meta["size"] != len(data):
                problems.add(w, "sha256/size mismatch")
            sha_seen.setdefault(meta["sha256"], []).append(w)
            core = {k: v for k, v in meta.items() if k not in SYSTEM_META}
            try:
                back = VALIDATOR.document(core, ctype)
                if back != core:
                    problems.add(w, f"meta not normalised: {back} != {core}")
            except Exception as exc:  # noqa: BLE001
                problems.add(w, f"Validator.document rejects: {exc}")
            dt = SCHEMA.doc_types[meta["doc_type"]]
            if dt.for_types and ctype not in dt.for_types:
                problems.add(w, f"{dt.code} is only for {dt.for_types}")
            stem = (
                f"{meta['number']}-{meta['project']}-{ymd(meta['date'])}"
                if dt.code == "contract"
                else f"{record['name']}-{dt.label}-{ymd(meta['date'])}"
            )
            if not re.fullmatch(re.escape(stem) + r"(-\d+)?\." + re.escape(f.suffix[1:]), f.name):
                problems.add(w, f"name does not follow the naming rule ({stem})")
            if len(f.name.encode()) > 200 or len(f.name) > SCHEMA.rules["documents"]["max_name_length"]:
                problems.add(w, "name too long")
            if not (datetime.combine(meta["date"], time()) <= meta["added_at"] < datetime.combine(TODAY, time())):
                problems.add(w, f"added_at {meta['added_at']}")
            if meta["added_by"] not in ALL_STAFF:
                problems.add(w, f"added_by {meta['added_by']}")
            if meta.get("main") and not (docs / meta["main"]).is_file():
                problems.add(w, f"main {meta['main']} missing")
            if dt.code in ("contract",) and not (meta.get("number") and meta.get("project")):
                problems.add(w, "contract without number/project")
            # content
            ext = f.suffix[1:]
            if ext in ("txt", "csv", "md"):
                try:
                    data.decode("utf-8")
                    encodings["utf-8"] += 1
                except UnicodeDecodeError:
                    encodings["gb18030/gbk"] += 1
            if ext in ("pdf", "docx", "xlsx", "txt", "csv", "md"):
                text = extract_text(f)
                if ext == "pdf" and not text.strip():
                    from pypdf import PdfReader

                    images = sum(len(p.images) for p in PdfReader(f).pages)
                    stats["image-only pdf"] += 1
                    if images != 1:
                        problems.add(w, "PDF without text and without exactly one image")
                    continue
                key = meta.get("number") or record["id"] if ext == "csv" else meta.get("number") or record["name"]
                if key not in text and record["name"] not in text and not re.search(r"[\u4e00-\u9fff]{4}", text):
                    problems.add(w, "no Chinese text extracted")
                if ext == "pdf":
                    stats["text pdf"] += 1
                    if key not in text.replace("\n", ""):
                        problems.add(w, f"extracted text lacks {key}")
            else:
                from PIL import Image

                with Image.open(f) as im:
                    if im.mode != "L" or im.size != (Page.W, Page.H):
                        problems.add(w, f"scan is {im.mode} {im.size}")
    dups = {k: v for k, v in sha_seen.items() if len(v) > 1}
    if len(dups) != 1:
        problems.add("documents", f"expected exactly one duplicated file, found {len(dups)}")
    for office, used in seqs.items():
        office_toml = tomllib.loads((root / "offices" / f"{office}.toml").read_text("utf-8"))
        if office_toml["next"] != max(used) + 1 or office_toml["name"] != OFFICES[office]:
            problems.add(f"offices/{office}.toml", office_toml)
    if status_count["dormant"] != 1 or status_count["lost"] != 1:
        problems.add("customers", f"status counts {dict(status_count)}")
    if stats["documents"] < 64 or sum(by_type.values()) < 44:
        problems.add("archive", "too few customers or documents")
    if encodings["gb18030/gbk"] < 2:
        problems.add("archive", "fewer than two GB18030/GBK text files")
    owned = [root / "archive.toml", *(root / "offices").rglob("*"), *(root / "customers").rglob("*")]
    size = sum(p.stat().st_size for p in owned if p.is_file())
    if size >= 15 * 1024 * 1024:
        problems.add("archive", f"{size} bytes >= 15 MB")
    print(f"customers: {sum(by_type.values())} {dict(by_type)}; status {dict(status_count)}")
    print(
        f"notes: {stats['notes']}; deals: {stats['deals']}; "
        f"documents: {stats['documents']} {dict(sorted(formats.items()))}"
    )
    print(
        f"text files: {dict(encodings)}; text PDFs {stats['text pdf']}, image-only PDFs {stats['image-only pdf']}; "
        f"duplicated file: {list(dups.values())}"
    )
    print(f"total size: {size / 1024 / 1024:.2f} MB")
    for p in problems:
        print("PROBLEM", p)
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0
