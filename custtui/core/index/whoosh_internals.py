"""The only code that touches Whoosh's internals (its private methods and on-disk format): a
segment writer for full builds that writes Whoosh 2.7's postings itself, assembling an index
from segments written in two processes, a top-N collector that skips more, and a patch to
Whoosh's segment reader.

Why by hand: Whoosh's own writer spends ~50 µs a posting in its sorting pool and per-posting
calls, about 110 postings a customer (see ``BulkWriter``). ``tests/test_bulk_writer.py`` builds
the same records with Whoosh's writer and with this one and compares the readers term by term
and document by document; it is the gate for upgrading the pinned ``whoosh-reloaded``.
"""

from __future__ import annotations

import math
import zlib
from array import array
from pickle import dumps as _dumps
from typing import Any

from whoosh import collectors
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.fields import FieldType
from whoosh.formats import Existence
from whoosh.index import Index
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.util.numlists import delta_encode
from whoosh.writing import SegmentWriter

# Segments as separate files, not one compound file: read (not mapped) from a compound file,
# every small read of a postings block header is a seek and a read through a Python sub-file
# (an alias lookup spent half its time there, measured)
COMPOUND = False


def _remember_missing_columns() -> None:
    """Whoosh 2.7's segment reader forgets that a field has no length column and asks the
    filesystem again for every posting it writes (500,000 stat calls for 2,000 customers,
    two thirds of the build time, measured): remember the answer."""
    from whoosh.codec import whoosh3

    reader_class = whoosh3.W3PerDocReader
    if getattr(reader_class, "_custtui_remembers_missing", False):
        return
    original = reader_class._cached_reader

    def cached_reader(self, fieldname, column):
        missing = self.__dict__.setdefault("_missing_columns", set())
        if fieldname in missing:
            return None
        reader = original(self, fieldname, column)
        if reader is None:
            missing.add(fieldname)
        return reader

    reader_class._cached_reader = cached_reader
    reader_class._custtui_remembers_missing = True


_remember_missing_columns()
_TERMINFO = W3TermInfo._struct  # inlined?, weight, documents, min and max length bytes, max weight, first and last id


class BulkWriter(SegmentWriter):
    """A segment writer for full builds. Whoosh's writer sends every posting through a sorting
    pool and then through four Python calls while writing it (plus a lookup of the document's
    field length): ~50 µs a posting, about 110 postings a customer. This one keeps each term's
    document numbers as documents arrive (they come in order, so nothing is sorted but the
    terms: one number for a term seen once, the most common case, else an array) and writes a
    whole block at a time. Only for ``Existence`` fields (every field here): no value bytes,
    one weight per field. The segment files are the ordinary Whoosh ones."""

    def __init__(self, ix: Index, **kwargs: Any) -> None:
        super().__init__(ix, _lk=False, compound=COMPOUND, **kwargs)
        self._postings: dict[str, dict[bytes, int | array]] = {}
        self._weights: dict[str, float] = {}
        self._lengths: dict[str, array] = {}  # field -> length byte of each document (scorable fields)

    def add_document(self, **fields):
        self._check_state()
        perdoc, schema, docnum = self.perdocwriter, self.schema, self.docnum
        perdoc.start_doc(docnum)
        for fieldname in sorted(fields):
            value = fields[fieldname]
            if value is None:
                continue
            fieldobj = schema[fieldname]
            length = 0
            if fieldobj.indexed:
                terms = self._postings.get(fieldname)
                if terms is None:
                    terms = self._postings[fieldname] = {}
                    self._weights[fieldname] = _float32(fieldobj.format.field_boost)
                found = self._analysed(fieldobj, value)
                for tbytes in found:
                    entry = terms.get(tbytes)
                    if entry is None:
                        terms[tbytes] = docnum
                    elif entry.__class__ is int:
                        terms[tbytes] = array("I", (entry, docnum))
                    else:
                        entry.append(docnum)
                if fieldobj.scorable:
                    length = len(found)  # every term once: Existence
                    lengths = self._lengths.get(fieldname)
                    if lengths is None:
                        lengths = self._lengths[fieldname] = array("B")
                    if len(lengths) < docnum:
                        lengths.extend(bytes(docnum - len(lengths)))
                    lengths.append(length_to_byte(length))
            perdoc.add_field(fieldname, fieldobj, value if fieldobj.stored else None, length)
            if fieldobj.column_type:
                perdoc.add_column_value(fieldname, fieldobj.column_type, fieldobj.to_column_value(value))
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    @staticmethod
    def _analysed(fieldobj, value) -> list[bytes] | set[bytes]:
        """The distinct terms of a value, as ``fieldobj.index`` would give them."""
        if not isinstance(fieldobj.format, Existence):
            raise ValueError(f"{fieldobj!r}: the bulk writer writes postings without values only")
        if isinstance(value, str) and type(fieldobj).index is FieldType.index:
            fast = getattr(fieldobj.analyzer, "terms", None)
            texts = fast(value) if fast else {t.text for t in fieldobj.analyzer(value, mode="index") if not t.stopped}
            return [text.encode("utf-8") for text in texts]
        return {tbytes for tbytes, _, _, _ in fieldobj.index(value)}

    def _flush_segment(self):
        self.perdocwriter.close()
        writer, size = self.fieldwriter, self.codec._blocklimit
        for fieldname in sorted(self._postings):
            writer.start_field(fieldname, self.schema[fieldname])
            prefix, weight = pack_ushort(writer._fieldid), self._weights[fieldname]
            lengths = self._lengths.get(fieldname)
            if lengths is not None and len(lengths) < self.docnum:
                lengths.extend(bytes(self.docnum - len(lengths)))
            terms = self._postings.pop(fieldname)  # the memory goes back as the fields are written
            add, postfile = writer._tindex.add, writer._postfile
            for tbytes in sorted(terms):
                ids = terms[tbytes]
                add(
                    prefix + tbytes,
                    _write_postings(postfile, (ids,) if ids.__class__ is int else ids, weight, lengths, size),
                )
            writer.finish_field()
        writer.close()

    def finish_into(self, segments: list) -> None:
        """Close this writer, adding its segment to ``segments`` when it wrote a document."""
        if self._added:
            segments.append(self._finalize_segment())
        else:
            self._close_segment()
        self._finish()

    def _finish(self):
        # the temporary folder is shared with the other build process: the commit of the
        # table of contents removes it once both are done
        self.is_closed = True


def _float32(value: float) -> float:
    """A weight as Whoosh keeps it (postings weights are 32-bit floats)."""
    return array("f", [value])[0]


def _write_postings(postfile, ids, weight: float, lengths: array | None, size: int) -> bytes:
    """Write one term's postings in blocks of ``size`` exactly as Whoosh's W3PostingsWriter
    does (its block header, pickled info and data tuples), every posting weighing ``weight``;
    returns the term info bytes. Blocks whose pickled data is tiny are not compressed (the
    reader honours the flag)."""
    offset = postfile.tell()
    out = [WHOOSH3_HEADER_MAGIC]
    total = len(ids)
    min_len, max_len = None, 0
    mini_weight = None if weight == 1.0 else weight
    for start in range(0, total, size):
        block_ids = ids[start : start + size]
        low, high = None, 0
        if lengths is not None:
            present = [lengths[d] for d in block_ids if lengths[d]]
            if present:
                low, high = byte_to_length(min(present)), byte_to_length(max(present))
                min_len = low if min_len is None else min(min_len, low)
                max_len = max(max_len, high)
        data = _dumps((tuple(delta_encode(block_ids)), mini_weight, None), 2)
        level = 3 if len(data) >= 64 else 0
        if level:
            data = zlib.compress(data, level)
        info = _dumps((len(block_ids), block_ids[-1], weight, level, length_to_byte(low), length_to_byte(high)), 2)
        length = len(info) + len(data)
        out += [pack_int(-length if start + size >= total else length), info, data]
    payload = b"".join(out)
    postfile.write(payload)
    return (
        _TERMINFO.pack(
            0,
            weight * total,
            total,
            0 if min_len is None else length_to_byte(min_len),
            length_to_byte(max_len),
            weight,
            ids[0],
            ids[-1],
        )
        + pack_long(offset)
        + pack_int(len(payload))
    )


def commit_segments(ix: Index, segments: list) -> None:
    """Make ``segments`` (finished by ``BulkWriter.finish_into``, here or in another process)
    the contents of the empty index ``ix``."""
    writer = ix.writer()
    writer._close_segment()
    writer._commit_toc(segments)
    writer._finish()


class SkippingTopCollector(collectors.TopCollector):
    """Whoosh's top-N collector, also raising its bar when the N-th best is tied.

    Whoosh raises the minimum score only when a better document replaces one, so when thousands
    of records score the same (a common word in the name) it never skips a block and ranks them
    all; a document tied with the N-th best cannot enter anyway, so the bar is set just above it."""

    def _collect(self, global_docnum, score):
        result = super()._collect(global_docnum, score)
        if len(self.items) >= self.limit:
            self.minscore = math.nextafter(self.items[0][0], math.inf)
        return result
