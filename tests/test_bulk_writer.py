"""The oracle for the home-made bulk writer (``index/whoosh_internals.py``, ``BulkWriter``): it writes Whoosh's on-disk
format itself, so the same records indexed by Whoosh's own writer and by the bulk writer must read
back the same, term by term (postings, weights, term statistics) and document by document (stored
fields, field lengths): on the demo archive and on random records. This test is the gate for
upgrading Whoosh (pinned in pyproject.toml)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import index as windex

from custtui.core.index.fields import customer_document, customer_schema, document_entry, document_schema
from custtui.core.index.whoosh_internals import BulkWriter


def whoosh_built(folder: Path, schema, docs: list[dict]):
    folder.mkdir(parents=True)
    ix = windex.create_in(str(folder), schema)
    writer = ix.writer()
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    return windex.open_dir(str(folder))


def bulk_built(folder: Path, schema, docs: list[dict]):
    folder.mkdir(parents=True)
    ix = windex.create_in(str(folder), schema)
    writer = BulkWriter(ix)
    for doc in docs:
        writer.add_document(**doc)
    segment = writer._finalize_segment()
    writer._finish()
    toc = ix.writer()  # as SearchIndex.rebuild commits the segments a build wrote
    toc._close_segment()
    toc._commit_toc([segment])
    toc._finish()
    return windex.open_dir(str(folder))


def contents(ix) -> dict:
    """Everything a reader gives back: per term its statistics and postings, per document its
    stored fields and field lengths."""
    with ix.searcher() as searcher:
        reader = searcher.reader()
        terms = {}
        for field, term in reader.all_terms():
            info = reader.term_info(field, term)
            postings = reader.postings(field, term)
            listed = []
            while postings.is_active():
                listed.append((postings.id(), round(postings.weight(), 6)))
                postings.next()
            terms[(field, term)] = (
                round(info.weight(), 6),
                info.doc_frequency(),
                info.min_length(),
                info.max_length(),
                round(info.max_weight(), 6),
                info.min_id(),
                info.max_id(),
                listed,
            )
        scorable = [name for name, field in ix.schema.items() if field.scorable]
        documents = [
            (reader.stored_fields(n), {f: reader.doc_field_length(n, f) for f in scorable})
            for n in range(reader.doc_count_all())
        ]
        totals = {
            f: (reader.field_length(f), reader.max_field_length(f) if reader.field_length(f) else 0) for f in scorable
        }  # Whoosh's reader fails on the longest of a field no document has
        return {"terms": terms, "documents": documents, "totals": totals, "count": reader.doc_count()}


def assert_same(tmp_path: Path, schema_of, docs: list[dict]) -> None:
    expected = contents(whoosh_built(tmp_path / "whoosh", schema_of(), docs))
    found = contents(bulk_built(tmp_path / "bulk", schema_of(), docs))
    assert found["count"] == expected["count"] == len(docs)
    assert found["totals"] == expected["totals"]
    assert found["documents"] == expected["documents"]
    assert found["terms"].keys() == expected["terms"].keys()
    for key, value in expected["terms"].items():
        assert found["terms"][key] == value, key


def demo_documents(demo) -> tuple[list[dict], list[dict]]:
    customers, documents = [], []
    for cid in sorted(demo.customers()):
        record = demo.customer(cid)
        customers.append(customer_document(record, demo.notes(cid), demo.deals(cid)))
        for doc in demo.documents(cid):
            documents.append(
                document_entry(record, doc.name, doc.meta, doc.blob, f"{doc.meta.get('title', '')} 正文", None)
            )
    return customers, documents


def test_the_bulk_writer_writes_what_whoosh_writes_for_the_demo_archive(demo, tmp_path):
    customers, documents = demo_documents(demo)
    assert len(customers) == 46 and len(documents) > 60
    assert_same(tmp_path / "customers", customer_schema, customers)
    assert_same(tmp_path / "documents", document_schema, documents)


WORDS = st.text(st.sampled_from("华信机械北京上海科技有限公司张伟李娜abcXYZ0123-·（）"), min_size=1, max_size=12)
PHONES = st.from_regex(r"1[3-9]\d{9}", fullmatch=True)
RECORDS = st.fixed_dictionaries(
    {
        "name": WORDS,
        "aliases": st.lists(WORDS, max_size=3),
        "stage": st.sampled_from(["potential", "signed", "stable"]),
        "industry": st.sampled_from(["manufacturing", "retail", "it"]),
        "owner": st.sampled_from(["张伟", "李娜"]),
        "tags": st.lists(WORDS, max_size=2),
        "remark": st.one_of(st.none(), WORDS),
        "phones": st.lists(PHONES, max_size=2),
    }
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=st.lists(RECORDS, min_size=1, max_size=30))
def test_the_bulk_writer_writes_what_whoosh_writes_for_random_records(tmp_path_factory, records):
    tmp_path = tmp_path_factory.mktemp("oracle")
    docs = []
    for number, fields in enumerate(records, 1):
        record = {"id": f"BJ-{number:06d}", "type": "enterprise", **{k: v for k, v in fields.items() if v}}
        notes = [{"content": f"{record['name']} 沟通", "channel": "phone"}] if number % 2 else []
        docs.append(customer_document(record, notes, []))
    assert_same(tmp_path, customer_schema, docs)
