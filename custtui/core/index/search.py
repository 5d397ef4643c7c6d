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
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, NamedTuple

from whoosh import index as windex
from whoosh import query as Q
from whoosh.collectors import TimeLimit, TimeLimitCollector
from whoosh.filedb.filestore import FileStorage
from whoosh.highlight import ContextFragmenter, Formatter, highlight
from whoosh.scoring import TF_IDF
from whoosh.searching import Searcher

from ..base.errors import CusttuiError, RecordError
from ..base.layout import (
    CUSTOMER_FILE,
    CUSTOMERS_DIR,
    DEALS_DIR,
    DOCS_DIR,
    META_SUFFIX,
    NOTES_DIR,
    TOML_SUFFIX,
    document_file,
    schema_file,
)
from ..records.boxes import register
from ..records.records import customer_dir, loads
from ..vault.keyring import Keyring, open_document, open_record
from .analysis import (
    bigram_analyzer,
    exact_key,
    fold,
    phone_terms,
    pinyin_pairs,
    query_terms,
    readings_kept_in,
)
from .extracted import Extracted
from .fields import (
    STORED_PROSE_CHARS,
    customer_body,
    customer_document,
    customer_schema,
    dimension_fields,
    document_entry,
    document_schema,
)
from .listing import batch_read, customer_folders
from .query import ParsedQuery, parse_query
from .textcache import TextCache
from .whoosh_internals import COMPOUND, BulkWriter, SkippingTopCollector, commit_segments

VERSION = 8  # 6: folded text, pairs across latin-Chinese seams; 7: newest activity stored (issue 13); 8: box, place
BUDGET_S = 0.1  # per index: past it, a very common word's matches are ranked only in part
MERGE_AT_SEGMENTS = 12  # catch-up commits add a segment each; merged when there are this many
HIGHLIGHTED_HITS = 10  # snippets cost a read of the customer's records: only for the top hits
COMMON_PAIR_SHARE = 0.02  # of the records: a pair of a longer word found in more is not checked (see _lean)
COMMON_PAIR_DOCS = 1000  # … nor in fewer records than this
BUILD_PROCESSES = 2  # a full build indexes the customers in this many other processes (at most one per core)
PARALLEL_FROM = 2000  # customers; below that a second process costs more than it saves
REPORT_EVERY_S = 0.1  # a build reports how many customers are done this often (one slow scan to OCR shows too)
SEGMENT_CUSTOMERS = 50000  # a full build writes a segment per this many customers (bounds its memory: ~0.5 GB)


Progress = Callable[[int, int], None]
CUSTOMER_SOURCES = ("名称", "简称", "联系人")  # the stored fields a customer hit's snippet comes from, in order
IDENT_LABELS = {"uscc": "统一社会信用代码", "id_number": "身份证号", "id": "客户编号"}


# --- building in a second process ---------------------------------------------------------


class _OtherPart:
    """A share of a full build in another Python process: ``python -c`` with the job pickled on
    its stdin, progress lines and then the pickled result on its stdout. Not multiprocessing:
    its fork is unsafe in the threaded TUI, and its spawn re-runs the caller's main module."""

    def __init__(self, path: Path, building: Path, folders: list):
        import pickle
        import subprocess
        import sys
        import tempfile
        import threading

        package_root = str(Path(__file__).resolve().parents[3])
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")])))
        self._errors = tempfile.TemporaryFile()  # not the terminal: the TUI owns it
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from custtui.core.index.search import _other_part_main; _other_part_main()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._errors,
            env=env,
        )
        stdin, stdout = self.proc.stdin, self.proc.stdout
        assert stdin is not None and stdout is not None  # both opened as pipes just above
        self._pipes = (stdin, stdout)
        self.done = 0
        self._result: bytes | None = None
        job = pickle.dumps((str(path), str(building), folders), protocol=pickle.HIGHEST_PROTOCOL)

        def feed() -> None:
            try:
                stdin.write(job)
                stdin.close()
            except (BrokenPipeError, ValueError):
                pass

        def read() -> None:
            for line in stdout:
                kind, _, value = line.partition(b" ")
                if kind == b"done":
                    self.done = int(value)
                elif kind == b"result":
                    self._result = stdout.read(int(value))
                    break

        self._threads = [threading.Thread(target=feed, daemon=True), threading.Thread(target=read, daemon=True)]
        for thread in self._threads:
            thread.start()

    def wait(self, timeout: float) -> bool:
        """Whether the process has sent its result (or ended), waiting up to ``timeout``."""
        self._threads[1].join(timeout)
        return not self._threads[1].is_alive()

    def result(self) -> tuple[tuple[list, list], list[str]]:
        import pickle

        for thread in self._threads:
            thread.join()
        code = self.proc.wait()
        if code != 0 or self._result is None:
            self._errors.seek(0)
            detail = self._errors.read().decode("utf-8", "replace").strip().splitlines()[-3:]
            raise CusttuiError(f"建立搜索索引的子进程失败 (退出码 {code}): {' / '.join(detail)}")
        return pickle.loads(self._result)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._errors.close()
        for stream in self._pipes:
            try:
                stream.close()
            except (BrokenPipeError, ValueError):
                pass


class _StoreOnly:
    """What indexing needs of an archive: its git store and the validator of its standard."""

    def __init__(self, path: str):
        from ..store.repo import Store

        self.store = Store(path)
        self._validator = None
        self.keyring: Keyring | None = None

    def validator(self):
        if self._validator is None:
            from ..records.records import Validator
            from ..records.schema import Schema

            head = self.store.head()
            self._validator = Validator(Schema.load(lambda name: self.store.read(head, schema_file(name))))
        return self._validator

    def opened(self, record: dict, path: str) -> dict:
        return open_record(record, self._keyring(), path)

    def plain_document(self, raw: bytes) -> bytes:
        return open_document(raw, self._keyring())

    def _keyring(self) -> Keyring:
        if self.keyring is None:
            self.keyring = Keyring(self.store)
        return self.keyring


def _other_part_main() -> None:
    """The second process of a full build (see _OtherPart)."""
    import pickle
    import sys

    path, building, folders = pickle.load(sys.stdin.buffer)
    out = sys.stdout.buffer
    messages: list[str] = []
    index = SearchIndex(_StoreOnly(path), on_message=messages.append)

    def report(done: int) -> None:
        out.write(b"done %d\n" % done)
        out.flush()

    result = pickle.dumps(
        (index._build_part(Path(building), folders, report), messages), protocol=pickle.HIGHEST_PROTOCOL
    )
    out.write(b"result %d\n" % len(result) + result)
    out.flush()


# --- results -------------------------------------------------------------------------------


class _Marker(Formatter):
    """Matches wrapped in 【】, fragments joined by …"""

    between = " … "

    def format_token(self, text, token, replace=False):
        return f"【{text[token.startchar : token.endchar]}】"


class Hit(NamedTuple):
    kind: str  # "customer" or "document"
    id: str  # the customer ID
    name: str  # the customer's name
    score: float
    highlights: str = ""
    document: str | None = None  # the document's file name, for document hits
    path: str | None = None  # the document's path in the archive
    title: str | None = None
    note: str | None = None  # why a document has no text (encrypted, unknown encoding …)
    why: str = ""  # where it matched, as people say it: 名称, 联系人, 电话, 正文 …
    activity: str = ""  # a customer's newest record or transaction, YYYYMMDD
    blob: str | None = None  # a document's git blob
    snippet_sources: tuple[str, ...] = ()  # a customer's stored names and prose

    def as_dict(self) -> dict:
        keys = ("kind", "id", "name", "score", "why", "highlights", "document", "path", "title", "note")
        return {k: getattr(self, k) for k in keys if getattr(self, k) is not None}


class Scope(NamedTuple):
    """What one person's search may show (``custtui.core.tasks.view.search`` builds it from the policy).

    Enforced inside the search, so a hidden document is neither a hit nor a count, and a term that
    would probe masked data (a whole phone or ID number) is not searched for at all."""

    customers: bool = True  # customer records may be shown
    hidden_documents: tuple[tuple[str, str], ...] = ()  # (information type, sensitivity) not shown
    blocked_terms: Callable[[str, str], bool] = lambda field, text: False  # (index field, term) not searched
    prose: bool = True  # notes and transactions may show in snippets
    redact: Callable[[str], str] = lambda text: text  # masks personal data in a snippet

    def restricted(self, query):
        """``query`` without the terms this person may not search by."""
        if query is None:
            return None
        kept = query.accept(
            lambda q: Q.NullQuery if isinstance(q, Q.Term) and self.blocked_terms(q.fieldname, q.text) else q
        )
        kept = kept.normalize()
        return None if kept is Q.NullQuery else kept

    def document_mask(self):
        """The documents not to find, as a query (None: every document may be found)."""
        if not self.hidden_documents:
            return None
        return Q.Or(
            [Q.And([Q.Term("info_type", info), Q.Term("sensitivity", level)]) for info, level in self.hidden_documents]
        )


EVERYTHING = Scope()


class Results(NamedTuple):
    query: str
    hits: list[Hit]
    total: int
    hints: list[str]
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
        self._searchers: dict[str, tuple[str | None, Searcher]] = {}

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
            self._indexes = tuple(
                FileStorage(str(self.folder / name), supports_mmap=False).open_index()
                for name in ("customers", "documents")
            )
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
            self.close()
            head = self.store.head()
            building = self.folder.with_name("search.building")
            shutil.rmtree(building, ignore_errors=True)
            (building / "customers").mkdir(parents=True)
            (building / "documents").mkdir(parents=True)
            customers = windex.create_in(str(building / "customers"), customer_schema())
            documents = windex.create_in(str(building / "documents"), document_schema())
            folders = customer_folders(self.store, head)
            total = len(folders)
            self.texts.forget_readings()
            segments = self._build_parts(building, sorted(folders.items()), progress)
            for ix, found in zip((customers, documents), segments, strict=True):
                commit_segments(ix, found)
            self._save_state(head, building)
            retired = self.folder.with_name("search.retired")
            shutil.rmtree(retired, ignore_errors=True)
            if self.folder.exists():
                os.replace(self.folder, retired)
            os.replace(building, self.folder)
            shutil.rmtree(retired, ignore_errors=True)
            return total

    def _build_parts(
        self, building: Path, folders: list[tuple[str, dict[str, str]]], progress: Progress | None
    ) -> tuple[list, list]:
        """Index the customers into new segments of the indexes in ``building`` in other
        processes: one, or one per core (up to BUILD_PROCESSES) from PARALLEL_FROM customers on,
        each with a share of the customers. This process only waits, so a TUI that builds
        the index on its first search stays responsive. (customer segments, document segments)."""
        total = len(folders)
        workers = min(BUILD_PROCESSES, os.cpu_count() or 1) if total >= PARALLEL_FROM else 1
        share = max(1, -(-total // workers))
        parts = [_OtherPart(self.store.path, building, folders[i : i + share]) for i in range(0, total, share)]
        found: tuple[list, list] = ([], [])
        try:
            while not all(part.wait(0.2) for part in parts):
                done = sum(part.done for part in parts)
                if progress and done < total:  # all done is said once, below, when the parts have ended
                    progress(done, total)
            for part in parts:
                segments, messages = part.result()
                found[0].extend(segments[0])
                found[1].extend(segments[1])
                for message in messages:
                    self.on_message(message)
        finally:
            for part in parts:
                part.stop()
        if progress:
            progress(total, total)
        return found

    def _build_part(
        self, building: Path, folders: list[tuple[str, dict[str, str]]], report: Callable[[int], None] | None
    ) -> tuple[list, list]:
        """Index these customers into segments of their own (one pair per SEGMENT_CUSTOMERS)."""
        with readings_kept_in(self.texts):
            return self._build_segments(building, folders, report)

    def _build_segments(
        self, building: Path, folders: list[tuple[str, dict[str, str]]], report: Callable[[int], None] | None
    ) -> tuple[list, list]:
        customers, documents = (windex.open_dir(str(building / name)) for name in ("customers", "documents"))
        found: tuple[list, list] = ([], [])
        done, next_report = 0, time.monotonic()
        for start in range(0, len(folders), SEGMENT_CUSTOMERS):
            chunk = folders[start : start + SEGMENT_CUSTOMERS]
            wanted = [
                (folder, rel, blob)
                for folder, files in chunk
                for rel, blob in files.items()
                if rel.endswith(TOML_SUFFIX)
            ]
            records = dict(
                zip(
                    ((f, r) for f, r, _ in wanted),
                    batch_read(self.store.git_dir, [b for _, _, b in wanted]),
                    strict=True,
                )
            )
            writers = (BulkWriter(customers), BulkWriter(documents))
            try:
                for folder, files in chunk:
                    self._index_customer(
                        *writers,
                        folder,
                        {rel: (blob, records.get((folder, rel))) for rel, blob in files.items()},
                        fresh=True,
                    )
                    done += 1
                    if report and time.monotonic() >= next_report:
                        report(done)
                        next_report = time.monotonic() + REPORT_EVERY_S
            except BaseException:
                for writer in writers:
                    writer.cancel()
                raise
            del records
            for writer, segments in zip(writers, found, strict=True):
                writer.finish_into(segments)
        if report:
            report(done)
        return found

    def _customer_files(
        self, commit: str | None, only: set[str] | None = None
    ) -> dict[str, dict[str, tuple[str, bytes | None]]]:
        """customer folder -> {path inside it: (blob, bytes)}; bytes only for the TOML records."""
        paths = [customer_dir(cid) for cid in sorted(only)] if only is not None else []
        if only is not None and not paths:
            return {}
        folders = customer_folders(self.store, commit, *paths)
        wanted = [
            (folder, rel, blob)
            for folder, files in folders.items()
            for rel, blob in files.items()
            if rel.endswith(TOML_SUFFIX)
        ]
        records = dict(
            zip(((f, r) for f, r, _ in wanted), batch_read(self.store.git_dir, [b for _, _, b in wanted]), strict=True)
        )
        return {
            folder: {rel: (blob, records.get((folder, rel))) for rel, blob in files.items()}
            for folder, files in folders.items()
        }

    def _index_customer(self, cw, dw, folder: str, files: dict[str, tuple[str, bytes | None]], fresh: bool) -> None:
        """Index one customer's record (and, unless ``dw`` is None, its documents)."""
        cid = folder.rsplit("/", 1)[1]
        if not fresh and dw is not None:
            dw.delete_by_term("id", cid)
        if CUSTOMER_FILE not in files:
            if not fresh:
                cw.delete_by_term("id", cid)
            return
        try:  # only what validates reaches Whoosh: a damaged record is findable by its ID, and reported
            validator = self.archive.validator()
            record = self._opened(files[CUSTOMER_FILE][1], f"{folder}/{CUSTOMER_FILE}")
            validator.customer(record, check_required=False)  # a later-required field is incompleteness, not damage
            notes = [
                self._opened(raw, f"{folder}/{rel}")
                for rel, (_, raw) in sorted(files.items())
                if rel.startswith(f"{NOTES_DIR}/")
            ]
            deals = [
                _record(raw, f"{folder}/{rel}")
                for rel, (_, raw) in sorted(files.items())
                if rel.startswith(f"{DEALS_DIR}/")
            ]
            for note in notes:
                validator.note(note)
            for deal in deals:
                validator.deal(deal)
        except CusttuiError as exc:  # `custtui check` names the file and who wrote it
            self.on_message(f"{cid} 的记录已损坏, 只按编号索引: {exc}")
            record, notes, deals = {"id": cid, "name": cid}, [], []
        record.setdefault("id", cid)
        doc = customer_document(record, notes, deals)
        (cw.add_document if fresh else cw.update_document)(**doc)
        if dw is None:
            return
        for rel, (_, raw) in sorted(files.items()):
            if not rel.startswith(f"{DOCS_DIR}/") or not rel.endswith(META_SUFFIX):
                continue
            name = rel[len(DOCS_DIR) + 1 : -len(META_SUFFIX)]
            body = files.get(document_file(name))
            if body is None or raw is None:
                continue
            try:
                meta = loads(raw, f"{folder}/{rel}")
                validator.stored_document(meta, record.get("type"))
            except CusttuiError as exc:
                self.on_message(f"{cid} 的资料 {name} 的元数据已损坏, 未索引: {exc}")
                continue
            try:  # a sealed document this copy holds no key for is indexed by its description only
                extracted = self.texts.get(
                    body[0], name, lambda sha=body[0]: self.archive.plain_document(self.store.read_blob(sha))
                )
            except CusttuiError as exc:
                extracted = Extracted("", "sealed", str(exc))
            dw.add_document(**document_entry(record, name, meta, body[0], extracted.text, extracted.note))

    def _opened(self, raw: bytes | None, path: str) -> dict:
        """A record file of the customer's folder, its sealed parts opened where this copy can."""
        return self.archive.opened(_record(raw, path), path)

    def catch_up(self, head: str | None = None) -> int:
        """Bring the index from the commit it reflects to ``head``; returns customers re-indexed.
        An index another version of custtui built is left for the next search to rebuild: its
        fields are not this version's (a commit after an upgrade ended in UnknownFieldError)."""
        head = head or self.store.head()
        if self.state().get("commit") == head or not self.exists():
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
            if parts[0] != CUSTOMERS_DIR or len(parts) < 5:
                continue
            cid = parts[3]
            changed.add(cid)
            if parts[4] == DOCS_DIR or (parts[4] == CUSTOMER_FILE and self._shown_on_documents_changed(path, old, new)):
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
        with (
            readings_kept_in(self.texts),
            _writers(customer_index, document_index if documents else None, timeout=60) as (cw, dw),
        ):
            for cid in sorted(changed):
                folder = customer_dir(cid)
                self._index_customer(cw, dw if cid in documents else None, folder, folders.get(folder, {}), fresh=False)

    def purge(self, kept_blobs: set[str], rewrite: bool = True) -> None:
        """Drop what the index still holds of removed customers and documents: the extracted texts
        of blobs no longer in the archive are forgotten and, with ``rewrite``, the segments are
        merged (Whoosh keeps a deleted document's terms in its files until then)."""
        if rewrite and self.exists():
            with self.store.lock("search"):
                for name in ("customers", "documents"):
                    windex.open_dir(str(self.folder / name)).optimize()
                self._indexes = None  # the next search opens the merged segments
        self.texts.keep_only(kept_blobs)

    def close(self) -> None:
        """Close the searchers; the next search opens the index again."""
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

    def search(self, text: str, limit: int = 20, scope: Scope = EVERYTHING) -> Results:
        """Customers and documents matching a query in the query language, best first, as far as
        ``scope`` lets the person searching see them."""
        parsed = parse_query(text, self.archive.schema(), self._boxes_at)
        if not scope.customers:
            return Results(text, [], 0, list(parsed.hints))
        self.ensure()
        precise = self._run("customers", scope.restricted(parsed.precise_query), limit)[0]
        customers, customer_total, customers_exact = self._run(
            "customers", scope.restricted(parsed.customer_query), limit, BUDGET_S
        )
        documents, document_total, documents_exact = self._run(
            "documents", scope.restricted(parsed.document_query), limit, BUDGET_S, scope.document_mask()
        )
        hints = list(parsed.hints)
        if None in (customers_exact, documents_exact):
            hints.append("匹配的记录很多, 只排列了其中一部分; 多输入几个字可以更准确")
        ranked = _ties_by_activity(_precise_first(precise, customers, text))
        hits = _merge(ranked, documents, limit)
        with readings_kept_in(self.texts):  # a pinyin hit's why: the readings the index was built with
            for i, hit in enumerate(hits[:HIGHLIGHTED_HITS]):
                why, highlights = self._highlight(hit, parsed, prose=scope.prose)
                hits[i] = hit._replace(why=why, highlights=scope.redact(highlights))
        return Results(
            text, hits, customer_total + document_total, hints, exact=bool(customers_exact and documents_exact)
        )

    def _boxes_at(self, place: str) -> list[str]:
        """The registered boxes whose room or shelf contains ``place`` (for ``位置:``)."""
        wanted = fold(place).casefold()
        return [
            n for n, box in register(self.store, self.store.head()).items() if wanted in fold(box.location).casefold()
        ]

    def _run(
        self, which: str, query, limit: int, budget: float | None = None, mask=None
    ) -> tuple[list[Hit], int, bool | None]:
        """(hits, number of matches, exact): exact is False when the number is Whoosh's estimate
        and None when the time budget ran out and only part of the matches were ranked. Records
        matching ``mask`` are neither hits nor counted."""
        if query is None:
            return [], 0, True
        try:
            return self._run_once(which, query, limit, budget, mask)
        except FileNotFoundError:
            # a reader opens some files of a segment (lengths, stored fields) on first use, and
            # another session's catch-up may have merged that segment away meanwhile: reopen
            self.close()
            return self._run_once(which, query, limit, budget, mask)

    def _run_once(
        self, which: str, query, limit: int, budget: float | None, mask=None
    ) -> tuple[list[Hit], int, bool | None]:
        searcher = self._searcher(which)
        query = _lean(query, searcher)
        if mask is not None:
            query = Q.AndNot(query, mask)
        collector = SkippingTopCollector(limit=limit)
        if budget is not None:
            collector = TimeLimitCollector(collector, timelimit=budget, use_alarm=False)
        try:
            searcher.search_with_collector(query, collector)
            cut = False
        except TimeLimit:  # a word so common that ranking all its matches would keep people waiting
            cut = True
        results = collector.results()
        if cut and not results.scored_length():
            # the budget ran out before a single match (a cold cache, a busy machine: seen in CI):
            # an empty answer would be wrong, so finish this one without it
            return self._run_once(which, query, limit, None, mask)
        # counting every match of a common word costs more than finding the best ones
        exact = None if cut else results.scored_length() < limit
        total = results.scored_length() if exact else results.estimated_length()
        hits = []
        for found in results:
            stored = found.fields()
            if which == "customers":
                hits.append(
                    Hit(
                        "customer",
                        stored["id"],
                        stored.get("name", ""),
                        found.score,
                        activity=stored.get("activity", ""),
                        snippet_sources=tuple(stored.get(k, "") for k in ("name", "alias", "contact", "prose")),
                    )
                )
            else:
                customer = stored["id"]
                hits.append(
                    Hit(
                        "document",
                        customer,
                        stored.get("cname", ""),
                        found.score,
                        document=stored["filename"],
                        title=stored.get("title"),
                        path=f"{customer_dir(customer)}/{document_file(stored['filename'])}",
                        note=stored.get("note"),
                        blob=stored.get("blob"),
                    )
                )
        return hits, total, exact

    def _highlight(self, hit: Hit, parsed: ParsedQuery, prose: bool = True) -> tuple[str, str]:
        """(why, snippet): the field the hit was found in and its text with the matches marked."""
        terms = parsed.highlight_terms
        if not terms:  # filters only: nothing was typed to find
            return hit.why, hit.highlights
        if hit.kind == "document":
            sources = [("标题", hit.title or ""), ("文件名", hit.document or "")]
            if hit.blob:
                read = lambda: self.archive.plain_document(self.store.read_blob(hit.blob))  # noqa: E731
                try:
                    text = self.texts.get(hit.blob, hit.document or "", read).text
                except CusttuiError:  # sealed, and this copy holds no key: its description only
                    text = ""
                sources.append(("正文", text))
        else:
            snippets = (s.replace("\n", "、") for s in hit.snippet_sources[:3])
            sources = list(zip(CUSTOMER_SOURCES, snippets, strict=False))
            if prose and not any(terms & set(query_terms(s)) for _, s in sources):
                stored = (hit.snippet_sources[3:] or [""])[0]
                if len(stored) >= STORED_PROSE_CHARS and not terms & set(query_terms(stored)):
                    stored = self._customer_body(hit.id)  # the match may be past the stored part
                sources.append(("备注与记录", stored))
        analyzer = bigram_analyzer()
        covered = [(len(terms & set(query_terms(text))) if text else 0, label, text) for label, text in sources]
        # the field holding most of what was typed first (华信厂: the alias, not the name's 华信)
        for count, label, source in sorted(covered, key=lambda found: -found[0]):
            if not count:  # none of the rest holds a word typed: Whoosh's highlighter costs ~0.1 ms a call
                break
            found = highlight(source, terms, analyzer, ContextFragmenter(maxchars=120, surround=30), _Marker(), top=2)
            if found:
                return label, found.replace("\n", " ")
        matched = self._matched_otherwise(hit, parsed) if hit.kind == "customer" else None
        return matched or (hit.why, "  ".join(s for _, s in sources[:2] if s)[:120])

    def _matched_otherwise(self, hit: Hit, parsed: ParsedQuery) -> tuple[str, str] | None:
        """(field, value) a customer matched by without a word of its text: a phone (whose, and the
        number), a number (USCC, ID, contract), or the pinyin of a name, alias or contact."""
        asked: dict[str, set[str]] = {}
        for query in (parsed.customer_query, parsed.precise_query):
            for fieldname, term in query.all_terms() if query is not None else ():
                asked.setdefault(fieldname, set()).add(term.decode() if isinstance(term, bytes) else term)
        try:
            record = self.archive.customer(hit.id)
        except CusttuiError:
            return None
        contacts = record.get("contacts", [])
        if "phone" in asked:
            owners = [("电话", "", p) for p in record.get("phones", [])]
            owners += [("联系人", c.get("name", ""), p) for c in contacts for p in c.get("phones", [])]
            for label, name, phone in owners:
                if phone_terms(phone) & asked["phone"]:
                    return label, f"{name} {phone}".strip()
        if "ident" in asked:
            numbers = [(IDENT_LABELS[k], record.get(k, "")) for k in IDENT_LABELS]
            numbers += [("合同编号", d.get("contract", "")) for d in self.archive.deals(hit.id)]
            for label, number in numbers:
                if number and exact_key(number) in asked["ident"]:
                    return label, number
        typed = asked.get("pinyin", set()) | asked.get("initials", set())
        if typed:
            names = [("名称", record.get("name", ""))] + [("简称", a) for a in record.get("aliases", [])]
            names += [("联系人", c.get("name", "")) for c in contacts]

            def overlap(name: str) -> int:
                full, initials = pinyin_pairs([name])  # a polyphonic pair lists its readings joined by |
                return len(typed & set(f"{full} {initials}".replace("|", " ").split()))

            label, name = max(names, key=lambda pair: overlap(pair[1]))
            if overlap(name):
                return f"{label} (拼音)", name
        return None

    def _customer_body(self, customer_id: str) -> str:
        try:
            record = self.archive.customer(customer_id)
            return customer_body(record, self.archive.notes(customer_id), self.archive.deals(customer_id))
        except CusttuiError:
            return ""


def _record(raw: bytes | None, path: str) -> dict:
    """A record file of a customer folder; only ``.toml`` files are read, so another is a broken record."""
    if raw is None:
        raise RecordError(path, "不是 TOML 记录文件")
    return loads(raw, path)


def _lean(query, searcher):
    """The query without the character pairs so common that checking them costs more than they
    filter: a word's pairs must all be in one field (an And of terms), and at 100k customers
    公司 of 达盛公司 is in every name, so Whoosh walked all its postings blocks to confirm what
    达盛 and 盛公 had already found (alias lookups 30-50 ms). At least two pairs stay, the rarest."""
    if (
        isinstance(query, Q.And)
        and len(query.subqueries) >= 3
        and all(isinstance(q, Q.Term) and q.fieldname == query.subqueries[0].fieldname for q in query.subqueries)
    ):
        common = max(COMMON_PAIR_DOCS, searcher.doc_count_all() * COMMON_PAIR_SHARE)
        ranked = sorted(query.subqueries, key=lambda q: searcher.doc_frequency(q.fieldname, q.text))
        kept = ranked[:2] + [q for q in ranked[2:] if searcher.doc_frequency(q.fieldname, q.text) <= common]
        return query if len(kept) == len(ranked) else Q.And(kept, boost=query.boost)
    if isinstance(query, Q.CompoundQuery):
        return query.apply(lambda q: _lean(q, searcher))
    return query


@contextmanager
def _writers(customers, documents, **options):
    """Writers on both indexes (the documents' one only when ``documents`` is given): all
    commit, or all are cancelled."""
    options.setdefault("compound", COMPOUND)
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


def _precise_first(precise: list[Hit], ranked: list[Hit], text: str) -> list[Hit]:
    """Customers matched exactly (whole name, number, phone, pinyin) ahead of the ranked rest;
    among them, those whose own name or alias is a word of the query ``text`` first (黄燕 the
    customer before the company whose contact is 黄燕)."""
    words = {exact_key(w) for w in [text, *text.split()]}

    def named(hit: Hit) -> bool:
        aliases = hit.snippet_sources[1].split("\n") if len(hit.snippet_sources) > 1 else []
        return any(exact_key(n) in words for n in [hit.name, *aliases] if n)

    top = max((h.score for h in ranked), default=1.0)
    best = max((h.score for h in precise), default=0.0)
    seen = {h.id for h in precise}
    # a named one scores above every other exact match, whatever Whoosh gave
    precise = [hit._replace(score=top + hit.score + (best if named(hit) else 0.0)) for hit in precise]
    precise.sort(key=lambda hit: hit.score, reverse=True)
    return precise + [h for h in ranked if h.id not in seen]


def _ties_by_activity(hits: list[Hit]) -> list[Hit]:
    """Customers that scored the same, the one with the newest communication record or
    transaction first, then by name: an order a person can see the reason for."""
    return sorted(hits, key=lambda hit: (-hit.score, -int(hit.activity or 0), hit.name))


def _merge(customers: list[Hit], documents: list[Hit], limit: int) -> list[Hit]:
    """One list from two indexes whose scores are not comparable: each normalised by its best."""

    def normalised(hits: list[Hit], weight: float) -> list[tuple[float, Hit]]:
        top = max((h.score for h in hits), default=1.0) or 1.0
        return [(weight * h.score / top, h) for h in hits]

    merged = normalised(customers, 1.0) + normalised(documents, 0.95)
    merged.sort(key=lambda pair: pair[0], reverse=True)
    return [hit for _, hit in merged[:limit]]
