"""Search: a Whoosh index of customers and documents, Chinese-aware, kept in step with git.

Two indexes live under ``.git/custtui/search/`` (never committed): one document per customer
(names, aliases, contacts, pinyin, phones, numbers, every classification dimension, remark, tags,
communication records, products) and one per filed document (title, type, date, extracted text,
plus its customer's dimensions so filters apply to both). ``state.json`` records the commit they
reflect; ``catch_up`` brings them to the head from the git diff. Writers take a kernel lock first,
so a second writer waits instead of meeting Whoosh's ``LockError``; readers never wait.
"""

from __future__ import annotations

import json
import math
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime
from pathlib import Path
from typing import Callable, Iterable

from whoosh import index as windex
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema as WSchema
from whoosh.filedb.filestore import FileStorage
from whoosh.formats import Existence
from whoosh.collectors import TimeLimit, TimeLimitCollector, TopCollector
from whoosh.highlight import ContextFragmenter, Formatter, highlight
from whoosh.scoring import TF_IDF

from .analysis import PairTokenizer, bigram_analyzer, phone_terms, pinyin_pairs, query_terms
from .errors import CusttuiError
from .extract import TextCache
from .listing import batch_read, customer_folders
from .query import ParsedQuery, parse_query
from .records import customer_dir, loads

VERSION = 3
BUDGET_S = 0.1  # per index: past it, a very common word's matches are ranked only in part
MERGE_AT_SEGMENTS = 12  # catch-up commits add a segment each; merged when there are this many
HIGHLIGHTED_HITS = 10  # snippets cost a read of the customer's records: only for the top hits


def _remember_missing_columns() -> None:
    """Whoosh 2.7's segment reader forgets that a field has no length column and asks the
    filesystem again for every posting it writes (500,000 stat calls for 2,000 customers,
    two thirds of the build time, measured): remember the answer."""
    from whoosh.codec import whoosh3

    original = whoosh3.W3PerDocReader._cached_reader
    if getattr(original, "remembers_missing", False):
        return

    def cached_reader(self, fieldname, column):
        missing = self.__dict__.setdefault("_missing_columns", set())
        if fieldname in missing:
            return None
        reader = original(self, fieldname, column)
        if reader is None:
            missing.add(fieldname)
        return reader

    cached_reader.remembers_missing = True
    whoosh3.W3PerDocReader._cached_reader = cached_reader


_remember_missing_columns()
DIMENSION_FIELDS = ("type", "stage", "status", "industry", "size", "value_tier", "demand", "grade", "color",
                    "region", "owner", "tag")
DOCS = "docs"
META_SUFFIX = ".meta.toml"

Progress = Callable[[int, int], None]


def _keywords() -> dict:
    return {name: KEYWORD(lowercase=True, commas=True) for name in DIMENSION_FIELDS}


def _bigrams(boost: float = 1.0, stored: bool = False) -> TEXT:
    """Character bigrams recorded as present or not, without counts: a name found once or a
    note that repeats it ten times weigh the same, so a field's boost bounds its score and the
    collector can skip whole blocks of postings that cannot reach the top hits (and the
    postings are smaller)."""
    field = TEXT(analyzer=bigram_analyzer(), phrase=False, stored=stored, field_boost=boost)
    field.format = Existence(field_boost=boost)
    return field


def customer_schema() -> WSchema:
    return WSchema(
        id=ID(stored=True, unique=True),
        name=_bigrams(4.0, stored=True),
        alias=_bigrams(3.0, stored=True),
        contact=_bigrams(2.0, stored=True),
        exact=KEYWORD(lowercase=True, commas=True, field_boost=8.0),
        pinyin=TEXT(analyzer=PairTokenizer(), field_boost=2.0),
        initials=TEXT(analyzer=PairTokenizer(), field_boost=1.5),
        phone=KEYWORD(field_boost=3.0),
        ident=KEYWORD(lowercase=True, field_boost=5.0),
        body=_bigrams(),
        first_contact=DATETIME(stored=True),
        **_keywords(),
    )


def document_schema() -> WSchema:
    return WSchema(
        key=ID(stored=True, unique=True),
        id=ID(stored=True),
        cname=STORED,
        blob=STORED,
        title=_bigrams(3.0, stored=True),
        filename=STORED,
        text=_bigrams(),
        ident=KEYWORD(lowercase=True, field_boost=5.0),
        info_type=KEYWORD(commas=True),
        doc_type=KEYWORD(commas=True),
        sensitivity=KEYWORD(),
        doc_stage=KEYWORD(),
        date=DATETIME(stored=True),
        note=STORED,
        **_keywords(),
    )


# --- turning records into index documents ---------------------------------------------------

def _joined(values: Iterable) -> str:
    return ",".join(str(v).replace(",", " ") for v in values if v not in (None, ""))


def _as_datetime(value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, dtime())
    return None


def dimension_fields(record: dict) -> dict[str, str]:
    """The customer's classification as filterable keywords (codes), shared by both indexes."""
    region = str(record.get("region", ""))
    regions = [region, region[:2] + "0000"] if len(region) == 6 else [region]
    return {
        "type": record.get("type", ""), "stage": record.get("stage", ""), "status": record.get("status", ""),
        "industry": record.get("industry", ""), "size": record.get("size", ""),
        "value_tier": record.get("value_tier", ""), "demand": _joined(record.get("demand_types", [])),
        "grade": record.get("grade", ""), "color": record.get("color", ""), "region": _joined(regions),
        "owner": record.get("owner", ""), "tag": _joined(record.get("tags", [])),
    }


def customer_body(record: dict, notes: list[dict], deals: list[dict]) -> str:
    """The searchable prose of a customer: remark, tags, address, people, notes and products."""
    parts = [record.get("remark", ""), " ".join(record.get("tags", [])), record.get("address", ""),
             record.get("legal_rep", ""), record.get("superior", ""), record.get("owner", ""),
             record.get("preferences", ""), record.get("procurement_method", "")]
    for contact in record.get("contacts", []):
        parts.append(contact.get("position", ""))
    for note in notes:
        parts += [note.get("content", ""), note.get("needs", ""), note.get("feedback", ""),
                  " ".join(note.get("participants", []))]
    for deal in deals:
        parts += [deal.get("product", ""), deal.get("contract", "")]
    return "\n".join(p for p in parts if p)


def customer_document(record: dict, notes: list[dict], deals: list[dict]) -> dict:
    names = [record.get("name", "")] + list(record.get("aliases", []))
    contacts = [c.get("name", "") for c in record.get("contacts", [])]
    full, initials = pinyin_pairs(names + contacts)
    phones = set()
    for phone in list(record.get("phones", [])) + [p for c in record.get("contacts", []) for p in c.get("phones", [])]:
        phones |= phone_terms(phone)
    idents = [record.get("id", ""), record.get("uscc", ""), record.get("id_number", ""),
              *(d.get("contract", "") for d in deals)]
    doc = {
        "id": record["id"], "name": record.get("name", ""), "alias": "\n".join(record.get("aliases", [])),
        "contact": "\n".join(contacts), "exact": _joined(n.lower() for n in names + contacts),
        "pinyin": full, "initials": initials,
        "phone": " ".join(sorted(phones)), "ident": " ".join(i.lower() for i in idents if i),
        "body": customer_body(record, notes, deals), **dimension_fields(record),
    }
    first = _as_datetime(record.get("first_contact"))
    if first:
        doc["first_contact"] = first
    return doc


def document_entry(record: dict, name: str, meta: dict, blob: str, text: str, note: str | None) -> dict:
    doc = {
        "key": f"{record['id']}/{name}", "id": record["id"], "cname": record.get("name", ""), "blob": blob,
        "title": meta.get("title", ""), "filename": name, "text": text,
        "ident": " ".join(x.lower() for x in (meta.get("number", ""), meta.get("project", "")) if x),
        "info_type": _joined([meta.get("info_type", ""), *meta.get("also_in", [])]),
        "doc_type": _joined([meta.get("doc_type", ""), *meta.get("also_in", [])]),
        "sensitivity": meta.get("sensitivity", ""), "doc_stage": meta.get("stage", ""),
        "note": note, **dimension_fields(record),
    }
    when = _as_datetime(meta.get("date"))
    if when:
        doc["date"] = when
    return doc


# --- results -------------------------------------------------------------------------------

class _Marker(Formatter):
    """Matches wrapped in 【】, fragments joined by …"""

    between = " … "

    def format_token(self, text, token, replace=False):
        return f"【{text[token.startchar:token.endchar]}】"


@dataclass
class Hit:
    kind: str                 # "customer" or "document"
    id: str                   # the customer ID
    name: str                 # the customer's name
    score: float
    highlights: str = ""
    document: str | None = None   # the document's file name, for document hits
    path: str | None = None       # the document's path in the archive
    title: str | None = None
    note: str | None = None       # why a document has no text (encrypted, unknown encoding …)
    blob: str | None = field(default=None, repr=False)             # a document's git blob
    snippet_sources: list[str] = field(default_factory=list, repr=False)  # a customer's stored names

    def as_dict(self) -> dict:
        keys = ("kind", "id", "name", "score", "highlights", "document", "path", "title", "note")
        return {k: getattr(self, k) for k in keys if getattr(self, k) is not None}


@dataclass
class Results:
    query: str
    hits: list[Hit]
    total: int
    hints: list[str] = field(default_factory=list)
    exact: bool = True  # False: total is Whoosh's estimate (counting a common word's matches is slow)


# --- the index -----------------------------------------------------------------------------

class SearchIndex:
    """The archive's search index: open, build, catch up, search."""

    def __init__(self, archive, on_message: Callable[[str], None] | None = None):
        self.archive = archive
        self.store = archive.store
        self.folder = self.store.git_dir / "custtui" / "search"
        self.texts = TextCache(self.store.git_dir / "custtui" / "text")
        self.on_message = on_message or (lambda message: None)
        self._indexes: tuple | None = None
        self._searchers: dict[str, tuple[str | None, object]] = {}

    # state ------------------------------------------------------------------------------

    def state(self) -> dict:
        try:
            return json.loads((self.folder / "state.json").read_text())
        except (FileNotFoundError, ValueError):
            return {}

    def _save_state(self, commit: str | None, folder: Path | None = None) -> None:
        folder = folder or self.folder
        tmp = folder / f"state.{os.getpid()}.tmp"
        tmp.write_text(json.dumps({"commit": commit, "version": VERSION}))
        os.replace(tmp, folder / "state.json")

    def exists(self) -> bool:
        return self.state().get("version") == VERSION

    def _open(self):
        if self._indexes is None:
            # read, not mapped: mapped postings count in every session's resident memory
            # (0.3 → 1.05 GB for one TUI session at 100k customers, measured); read ones stay in the page cache
            self._indexes = tuple(FileStorage(str(self.folder / name), supports_mmap=False).open_index()
                                  for name in ("customers", "documents"))
        return self._indexes

    def ensure(self, progress: Progress | None = None) -> None:
        """Open the index, building it when missing and rebuilding it when broken; then catch up."""
        if not self.exists():
            if (self.folder / "state.json").exists():
                self.on_message("搜索索引版本已更新, 正在重建…")
            self.rebuild(progress, only_if_missing=True)
            return
        try:
            self._open()
            self.catch_up()
        except CusttuiError:
            raise
        except Exception as exc:  # any damage to the files: start again from git, which is the truth
            self.on_message(f"搜索索引已损坏 ({type(exc).__name__}), 正在从档案重建…")
            self.rebuild(progress)

    # building ---------------------------------------------------------------------------

    def rebuild(self, progress: Progress | None = None, only_if_missing: bool = False) -> int:
        """Build both indexes from scratch at the head; returns the number of customers.

        The new index is built beside the old one and swapped in with a rename, so other
        sessions keep searching the old one meanwhile and never see a half-built index."""
        with self.store.lock("search"):
            if only_if_missing and self.exists():
                return 0  # another session built it while we waited
            self._close()
            head = self.store.head()
            building = self.folder.with_name("search.building")
            shutil.rmtree(building, ignore_errors=True)
            (building / "customers").mkdir(parents=True)
            (building / "documents").mkdir(parents=True)
            customers = windex.create_in(str(building / "customers"), customer_schema())
            documents = windex.create_in(str(building / "documents"), document_schema())
            folders = self._customer_files(head)
            total, done = len(folders), 0
            procs = min(2, os.cpu_count() or 1)  # both cores: each writes its own segments
            with _writers(customers, documents, procs=procs, limitmb=128, multisegment=True) as (cw, dw):
                for folder, files in folders.items():
                    self._index_customer(cw, dw, folder, files, fresh=True)
                    done += 1
                    if progress and (done % 200 == 0 or done == total):
                        progress(done, total)
            self._save_state(head, building)
            retired = self.folder.with_name("search.retired")
            shutil.rmtree(retired, ignore_errors=True)
            if self.folder.exists():
                os.replace(self.folder, retired)
            os.replace(building, self.folder)
            shutil.rmtree(retired, ignore_errors=True)
            return total

    def _customer_files(self, commit: str | None, only: set[str] | None = None) -> dict[str, dict[str, tuple[str, bytes | None]]]:
        """customer folder -> {path inside it: (blob, bytes)}; bytes only for the TOML records."""
        paths = [customer_dir(cid) for cid in sorted(only)] if only is not None else []
        if only is not None and not paths:
            return {}
        folders = customer_folders(self.store, commit, *paths)
        wanted = [(folder, rel, blob) for folder, files in folders.items()
                  for rel, blob in files.items() if rel.endswith(".toml")]
        records = dict(zip(((f, r) for f, r, _ in wanted), batch_read(self.store.git_dir, [b for _, _, b in wanted])))
        return {folder: {rel: (blob, records.get((folder, rel))) for rel, blob in files.items()}
                for folder, files in folders.items()}

    def _index_customer(self, cw, dw, folder: str, files: dict[str, tuple[str, bytes | None]], fresh: bool) -> None:
        """Index one customer's record (and, unless ``dw`` is None, its documents)."""
        cid = folder.rsplit("/", 1)[1]
        if not fresh and dw is not None:
            dw.delete_by_term("id", cid)
        if "customer.toml" not in files:
            if not fresh:
                cw.delete_by_term("id", cid)
            return
        try:
            record = loads(files["customer.toml"][1], f"{folder}/customer.toml")
            notes = [loads(raw, f"{folder}/{rel}") for rel, (_, raw) in sorted(files.items()) if rel.startswith("notes/")]
            deals = [loads(raw, f"{folder}/{rel}") for rel, (_, raw) in sorted(files.items()) if rel.startswith("deals/")]
        except CusttuiError as exc:  # a broken record is reported by `custtui check`; index what we can
            self.on_message(str(exc))
            record, notes, deals = {"id": cid, "name": cid}, [], []
        record.setdefault("id", cid)
        doc = customer_document(record, notes, deals)
        (cw.add_document if fresh else cw.update_document)(**doc)
        if dw is None:
            return
        for rel, (blob, raw) in sorted(files.items()):
            if not rel.startswith(f"{DOCS}/") or not rel.endswith(META_SUFFIX):
                continue
            name = rel[len(DOCS) + 1: -len(META_SUFFIX)]
            body = files.get(f"{DOCS}/{name}")
            if body is None or raw is None:
                continue
            try:
                meta = loads(raw, f"{folder}/{rel}")
            except CusttuiError as exc:
                self.on_message(str(exc))
                continue
            extracted = self.texts.get(body[0], name, lambda sha=body[0]: self.store.read_blob(sha))
            dw.add_document(**document_entry(record, name, meta, body[0], extracted.text, extracted.note))

    def catch_up(self, head: str | None = None) -> int:
        """Bring the index from the commit it reflects to ``head``; returns customers re-indexed."""
        head = head or self.store.head()
        if self.state().get("commit") == head:
            return 0
        with self.store.lock("search"):
            indexed = self.state().get("commit")
            if indexed == head:
                return 0
            try:
                diff = self.store.diff_commits(indexed, head) if indexed else None
            except CusttuiError:
                diff = None
            if diff is not None:
                changed, documents = self._affected(diff)
                if changed:
                    self._reindex(head, changed, documents)
                self._save_state(head)
                return len(changed)
        self.on_message("搜索索引对应的提交已不在档案中, 正在重建…")
        return self.rebuild()

    def _affected(self, diff: list[tuple[str, str | None, str | None]]) -> tuple[set[str], set[str]]:
        """(customers to re-index, those whose document entries change too). A document entry
        carries its customer's name and classification, so an edit of the address or a new
        note leaves the document index alone (one Whoosh writer instead of two)."""
        changed: set[str] = set()
        documents: set[str] = set()
        for path, old, new in diff:
            parts = path.split("/")
            if parts[0] != "customers" or len(parts) < 5:
                continue
            cid = parts[3]
            changed.add(cid)
            if parts[4] == DOCS or (parts[4] == "customer.toml" and self._shown_on_documents_changed(path, old, new)):
                documents.add(cid)
        return changed, documents

    def _shown_on_documents_changed(self, path: str, old: str | None, new: str | None) -> bool:
        if old is None or new is None:
            return True
        try:
            before, after = (loads(self.store.read_blob(sha), path) for sha in (old, new))
        except CusttuiError:
            return True
        return (before.get("name"), dimension_fields(before)) != (after.get("name"), dimension_fields(after))

    def _reindex(self, head: str, changed: set[str], documents: set[str]) -> None:
        customer_index, document_index = self._open()
        folders = self._customer_files(head, changed)
        with _writers(customer_index, document_index if documents else None, timeout=60) as (cw, dw):
            for cid in sorted(changed):
                folder = customer_dir(cid)
                self._index_customer(cw, dw if cid in documents else None, folder, folders.get(folder, {}),
                                     fresh=False)

    def _close(self) -> None:
        for _, searcher in self._searchers.values():
            searcher.close()
        self._searchers.clear()
        self._indexes = None

    # searching --------------------------------------------------------------------------

    def _searcher(self, which: str):
        """A searcher on the index as of the commit it now reflects (reopened when that moves)."""
        commit = self.state().get("commit")
        cached = self._searchers.get(which)
        if cached is not None and cached[0] == commit:
            return cached[1]
        if cached is not None:
            cached[1].close()
            self._indexes = None  # the folder may have been rebuilt and swapped in since
        customers, documents = self._open()
        searcher = (customers if which == "customers" else documents).searcher(weighting=TF_IDF())
        self._searchers[which] = (commit, searcher)
        return searcher

    def search(self, text: str, limit: int = 20) -> Results:
        """Customers and documents matching a query in the query language, best first."""
        parsed = parse_query(text, self.archive.schema())
        self.ensure()
        precise = self._run("customers", parsed.precise_query, limit)[0]
        customers, customer_total, customers_exact = self._run("customers", parsed.customer_query, limit, BUDGET_S)
        documents, document_total, documents_exact = self._run("documents", parsed.document_query, limit, BUDGET_S)
        hints = list(parsed.hints)
        if None in (customers_exact, documents_exact):
            hints.append("匹配的记录很多, 只排列了其中一部分; 多输入几个字可以更准确")
        hits = _merge(_precise_first(precise, customers), documents, limit)
        for hit in hits[:HIGHLIGHTED_HITS]:
            self._highlight(hit, parsed)
        return Results(text, hits, customer_total + document_total, hints,
                       exact=bool(customers_exact and documents_exact))

    def _run(self, which: str, query, limit: int, budget: float | None = None) -> tuple[list[Hit], int, bool | None]:
        """(hits, number of matches, exact): exact is False when the number is Whoosh's estimate
        and None when the time budget ran out and only part of the matches were ranked."""
        if query is None:
            return [], 0, True
        searcher = self._searcher(which)
        collector = _TopCollector(limit=limit)
        if budget is not None:
            collector = TimeLimitCollector(collector, timelimit=budget, use_alarm=False)
        try:
            searcher.search_with_collector(query, collector)
            cut = False
        except TimeLimit:  # a word so common that ranking all its matches would keep people waiting
            cut = True
        results = collector.results()
        # counting every match of a common word costs more than finding the best ones
        exact = None if cut else results.scored_length() < limit
        total = results.scored_length() if exact else results.estimated_length()
        hits = []
        for found in results:
            stored = found.fields()
            if which == "customers":
                hits.append(Hit("customer", stored["id"], stored.get("name", ""), found.score,
                                snippet_sources=[stored.get(k, "") for k in ("name", "alias", "contact")]))
            else:
                customer = stored["id"]
                hits.append(Hit("document", customer, stored.get("cname", ""), found.score,
                                document=stored["filename"], title=stored.get("title"),
                                path=f"{customer_dir(customer)}/{DOCS}/{stored['filename']}",
                                note=stored.get("note"), blob=stored.get("blob")))
        return hits, total, exact

    def _highlight(self, hit: Hit, parsed: ParsedQuery) -> None:
        terms = parsed.highlight_terms
        if not terms:
            return
        if hit.kind == "document":
            sources = [hit.title or "", hit.document or ""]
            if hit.blob:
                sources.append(self.texts.get(hit.blob, hit.document or "", lambda: self.store.read_blob(hit.blob)).text)
        else:
            sources = [s.replace("\n", "、") for s in hit.snippet_sources]
        analyzer = bigram_analyzer()
        if hit.kind == "customer" and not any(terms & set(query_terms(s)) for s in sources):
            sources.append(self._customer_body(hit.id))
        for source in sources:
            if not source:
                continue
            found = highlight(source, terms, analyzer, ContextFragmenter(maxchars=120, surround=30),
                              _Marker(), top=2)
            if found:
                hit.highlights = found.replace("\n", " ")
                return
        hit.highlights = "  ".join(s for s in sources[:2] if s)[:120]  # matched by pinyin, phone or number


    def _customer_body(self, customer_id: str) -> str:
        try:
            record = self.archive.customer(customer_id)
            return customer_body(record, self.archive.notes(customer_id), self.archive.deals(customer_id))
        except CusttuiError:
            return ""


class _TopCollector(TopCollector):
    """Whoosh's top-N collector, also raising its bar when the N-th best is tied.

    Whoosh raises the minimum score only when a better document replaces one, so when thousands
    of records score the same (a common word in the name) it never skips a block and ranks them
    all; a document tied with the N-th best cannot enter anyway, so the bar is set just above it."""

    def _collect(self, global_docnum, score):
        result = super()._collect(global_docnum, score)
        if len(self.items) >= self.limit:
            self.minscore = math.nextafter(self.items[0][0], math.inf)
        return result


@contextmanager
def _writers(customers, documents, **options):
    """Writers on both indexes (the documents' one only when ``documents`` is given): all
    commit, or all are cancelled."""
    cw = customers.writer(**options)
    dw = documents.writer(**options) if documents is not None else None
    opened = [w for w in (cw, dw) if w is not None]
    try:
        yield cw, dw
    except BaseException:
        for writer in opened:
            writer.cancel()
        raise
    for writer in opened:
        # Whoosh merges small segments every few commits, and each merge rewrites the growing
        # merged one (edits at 100k: 40 ms, then a 0.3-0.5 s merge every fifth): let the small
        # segments pile up to a dozen, then merge them in one go
        writer.commit(merge=len(getattr(writer, "segments", ())) >= MERGE_AT_SEGMENTS)


def _precise_first(precise: list[Hit], ranked: list[Hit]) -> list[Hit]:
    """Customers matched exactly (whole name, number, phone, pinyin) ahead of the ranked rest."""
    top = max((h.score for h in ranked), default=1.0)
    seen = {h.id for h in precise}
    for hit in precise:
        hit.score = top + hit.score
    return precise + [h for h in ranked if h.id not in seen]


def _merge(customers: list[Hit], documents: list[Hit], limit: int) -> list[Hit]:
    """One list from two indexes whose scores are not comparable: each normalised by its best."""
    def normalised(hits: list[Hit], weight: float) -> list[tuple[float, Hit]]:
        top = max((h.score for h in hits), default=1.0) or 1.0
        return [(weight * h.score / top, h) for h in hits]
    merged = normalised(customers, 1.0) + normalised(documents, 0.95)
    merged.sort(key=lambda pair: pair[0], reverse=True)
    return [hit for _, hit in merged[:limit]]
