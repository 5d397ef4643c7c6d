"""Search on the sample archive: what staff type, and what they expect to come first."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import textwrap

import pytest
from conftest import git, run_cli

from custtui.core.archive.archive import Archive
from custtui.core.index import extract as extract_module
from custtui.core.index.extract import ocr_status
from custtui.core.index.query import QueryError


@pytest.fixture(scope="module")
def index(indexed_demo_template):
    archive = Archive(indexed_demo_template)
    yield archive.search_index()
    archive.close()


@pytest.fixture
def indexed(indexed_demo_template, tmp_path):
    """A private copy of the indexed demo, to change."""
    copy = tmp_path / "demo"
    shutil.copytree(indexed_demo_template, copy, symlinks=True)
    archive = Archive(copy, user="李娜")
    yield archive
    archive.close()


# (query, expected customer of the first hit, expected kind or None, fragment of the document name)
RELEVANCE = [
    # two-character fragments of names
    ("华信", "BJ-000001", "customer", None),
    ("瑞达", "BJ-000002", "customer", None),
    ("恒通", "BJ-000003", "customer", None),
    ("京味轩", "BJ-000005", "customer", None),
    ("博睿", "BJ-000006", "customer", None),
    ("泉城", "BJ-000008", "customer", None),
    ("晨光", "BJ-000016", "customer", None),
    ("永定河", "BJ-000018", "customer", None),
    ("蜀新", "SH-000010", "customer", None),
    ("瓯江", "SH-000011", "customer", None),
    # abbreviations (简称)
    ("华信厂", "BJ-000001", "customer", None),
    ("宏达五金厂", "SH-000007", "customer", None),
    ("新沪超市", "SH-000008", "customer", None),
    ("武侯二院", "SH-000018", "customer", None),
    ("百草园药房", "BJ-000015", "customer", None),
    # full pinyin and initials
    ("huaxinchang", "BJ-000001", "customer", None),
    ("oujiang", "SH-000011", "customer", None),
    ("jingweixuan", "BJ-000005", "customer", None),
    ("xixishuzhi", "SH-000003", "customer", None),
    ("bcyyf", "BJ-000015", "customer", None),
    ("whey", "SH-000018", "customer", None),
    # contacts by name and by every reading of polyphonic surnames
    ("zengguoping", "BJ-000001", "customer", None),
    ("cengguoping", "BJ-000001", "customer", None),
    ("shanxiaoyan", "BJ-000001", "customer", None),
    ("danxiaoyan", "BJ-000001", "customer", None),
    ("qiulihua", "BJ-000020", "customer", None),
    ("choulihua", "BJ-000020", "customer", None),
    ("xiewenjie", "BJ-000021", "customer", None),
    ("jiewenjie", "BJ-000021", "customer", None),
    ("zjq", "SH-000020", "customer", None),
    ("解振华", "BJ-000017", "customer", None),
    ("仇志刚", "BJ-000008", "customer", None),
    # phones: last four digits, whole, landline with and without area code
    ("6678", "BJ-000008", "customer", None),
    ("8866", "BJ-000001", "customer", None),
    ("13811207735", "BJ-000001", "customer", None),
    ("010-62981234", "BJ-000001", "customer", None),
    ("62981234", "BJ-000001", "customer", None),
    # numbers, exactly and case-insensitively
    ("91110108751171783G", "BJ-000001", "customer", None),
    ("91110108751171783g", "BJ-000001", "customer", None),
    ("11010519750803002x", "BJ-000020", "customer", None),
    ("SH-000012", "SH-000012", "customer", None),
    # field filters, with labels or codes
    ("行业:制造业 阶段:潜在", "BJ-000007", "customer", None),
    ("type:government 地域:上海", "SH-000016", "customer", None),
    ("行业:医疗卫生 成都", "SH-000018", "customer", None),
    ("等级:VIP 华信", "BJ-000001", "customer", None),
    # words inside documents: PDF, DOCX, XLSX, GB18030 text, a scan (OCR), a scanned PDF
    ("安财教", "BJ-000017", "document", "项目批复"),
    ("闵教发", "SH-000016", "document", "项目批复"),
    ("追加采购数控车床", "BJ-000001", "document", "补充协议"),
    ("QT-BJ-20231120-01", "BJ-000001", "document", "报价单"),
    ("HT-2023-027-ZZ01", "BJ-000008", "document", "终止协议"),
    ("逾期交货违约金", "BJ-000008", "document", "终止协议"),
    ("运营总监 回访", "SH-000004", "document", "回访表"),
    ("每批发货前提前通知", "BJ-000008", "document", "回访表"),
    ("开办资金", "SH-000016", "document", "事业单位法人证书"),
    ("一式四份 安次", "BJ-000017", "document", "HT-2023-026"),
    ("智慧教室 日期:2023-08", "BJ-000017", "document", None),
    ("资料类型:终止协议", "BJ-000008", "document", "终止协议"),
]

OCR = {"开办资金", "一式四份 安次"}


@pytest.mark.parametrize("query, customer, kind, document", RELEVANCE, ids=[r[0] for r in RELEVANCE])
def test_relevance(index, query, customer, kind, document):
    if query in OCR and not ocr_status()[0]:
        pytest.fail("Tesseract with chi_sim is required for the OCR relevance cases (.ci/setup installs it)")
    results = index.search(query, limit=5)
    assert results.hits, f"{query!r} found nothing"
    top = results.hits[0]
    assert (top.id, top.kind) == (customer, kind), [(h.id, h.kind, h.document) for h in results.hits]
    if document:
        assert document in top.document


def test_relevance_table_is_big_enough():
    assert len(RELEVANCE) >= 40


def test_exact_name_comes_first(index):
    hits = index.search("北京华信机械设备制造有限公司").hits
    assert (hits[0].kind, hits[0].id) == ("customer", "BJ-000001")


def test_every_fragment_of_every_name_is_findable(index, demo_template):
    archive = Archive(demo_template)
    rng = random.Random(3)
    for cid, summary in archive.customers().items():
        name = summary["name"]
        for size in (2, 4):
            if len(name) < size:
                continue
            start = rng.randrange(len(name) - size + 1)
            fragment = name[start : start + size]
            ids = {h.id for h in index.search(fragment, limit=200).hits}
            assert cid in ids, (fragment, name)


def test_highlights_mark_the_match(index):
    hit = index.search("逾期交货违约金").hits[0]
    assert "【" in hit.highlights and "违约" in hit.highlights


def test_document_hits_carry_their_customer_and_path(index):
    hit = index.search("安财教").hits[0]
    assert hit.name == "廊坊市安次区教育局"
    assert hit.path.startswith("customers/BJ/000/BJ-000017/docs/") and hit.path.endswith(".pdf")


@pytest.mark.parametrize(
    "query, message",
    [
        ("", "请输入"),
        ("   ", "请输入"),
        ("!!! ？？ ……", "请输入"),
        ("华" * 10_000, "查询太长"),
        ("行业:航天", "不是有效的行业"),
        ("日期:2024-13", "日期"),
        ("日期:2025..2024", "晚于"),
        ("地域:火星", "省市"),
    ],
)
def test_bad_queries_get_a_clear_message(index, query, message):
    with pytest.raises(QueryError, match=message):
        index.search(query)


def test_malformed_quotes_and_brackets_get_a_hint_not_an_error(index):
    results = index.search('"华信')
    assert results.hits and any("引号" in h for h in results.hints)
    results = index.search("(华信 OR 瑞达")
    assert any("括号" in h for h in results.hints)


def test_cli_search_json(indexed_demo_template):
    result = run_cli("--archive", indexed_demo_template, "--json", "search", "安财教", "--limit", "3")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    hit = data["hits"][0]
    assert {"id", "name", "kind", "score", "highlights", "path"} <= set(hit)
    assert hit["kind"] == "document" and hit["id"] == "BJ-000017"
    bad = run_cli("--archive", indexed_demo_template, "search", "行业:航天")
    assert bad.code != 0 and "不是有效的行业" in bad.err and "Traceback" not in bad.err


def test_index_catches_up_after_each_commit(indexed):
    index = indexed.search_index()
    indexed.update_customer("BJ-000005", {"aliases": ["京味轩", "老北京涮肉坊"]})
    assert index.state()["commit"] == indexed.head()
    assert index.search("涮肉坊").hits[0].id == "BJ-000005"
    note, _ = indexed.add_note("BJ-000009", {"channel": "电话", "content": "客户询问冷链配送的报价"})
    assert index.search("冷链配送").hits[0].id == "BJ-000009"


def test_catch_up_touches_document_entries_only_when_they_change(indexed):
    from whoosh import index as windex

    index = indexed.search_index()
    documents = index.folder / "documents"
    generation = windex.open_dir(str(documents)).latest_generation()
    indexed.update_customer("BJ-000001", {"address": "北京市海淀区上地十街 10 号"})
    assert index.search("上地十街").hits[0].id == "BJ-000001"
    assert windex.open_dir(str(documents)).latest_generation() == generation, "an address is not on documents"
    contracts = index.search("资料类型:合同 阶段:终止").hits
    assert "BJ-000001" not in {h.id for h in contracts}
    indexed.update_customer("BJ-000001", {"stage": "终止"}, reason="停产")
    assert windex.open_dir(str(documents)).latest_generation() > generation
    assert "BJ-000001" in {h.id for h in index.search("资料类型:合同 阶段:终止").hits}


def test_index_catches_up_with_commits_made_outside_the_app(indexed):
    path = indexed.store.path
    record = path / "customers/BJ/000/BJ-000010/customer.toml"
    record.write_text(record.read_text().replace("绿野牧业", "草原绿野牧业"))
    git(path, "commit", "-qam", "手工修改别名")
    fresh = Archive(path)
    assert fresh.search_index().search("草原绿野").hits[0].id == "BJ-000010"


def test_removed_documents_leave_the_index(indexed):
    index = indexed.search_index()
    assert index.search("安财教").hits
    commit = next(e.commit for e in indexed.history("BJ-000017") if e.action == "attach" and "项目批复" in e.summary)
    indexed.revert(commit)
    assert not index.search("安财教").hits


def test_bad_documents_get_a_note_and_leave_the_rest_searchable(indexed, tmp_path):
    from pypdf import PdfWriter

    corrupt = tmp_path / "损坏.pdf"
    corrupt.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage without end")
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("secret")
    encrypted = tmp_path / "加密.pdf"
    with open(encrypted, "wb") as handle:
        writer.write(handle)
    unknown = tmp_path / "乱码.txt"
    rng = random.Random(1)
    unknown.write_bytes(bytes(rng.randrange(128, 256) for _ in range(3000)))
    huge = tmp_path / "巨大.txt"
    with open(huge, "wb") as handle:
        handle.truncate(200 * 1000 * 1000)
    notes = {}
    for file, title in (
        (corrupt, "损坏的合同"),
        (encrypted, "加密的合同"),
        (unknown, "乱码回访"),
        (huge, "巨大的对账单"),
    ):
        name, _ = indexed.attach("BJ-000009", file, {"doc_type": "其他资料", "title": title})
        notes[title] = name
    index = indexed.search_index()
    for title, expected in (
        ("损坏的合同", "损坏"),
        ("加密的合同", "加密"),
        ("乱码回访", "编码"),
        ("巨大的对账单", "太大"),
    ):
        hit = index.search(title).hits[0]
        assert hit.kind == "document" and hit.document == notes[title]
        assert expected in (hit.note or ""), (title, hit.note)
    assert index.search("安财教").hits[0].id == "BJ-000017"


def test_text_is_extracted_once_per_file(indexed, monkeypatch):
    calls = []
    real = extract_module.extract
    monkeypatch.setattr(extract_module, "extract", lambda data, name: calls.append(name) or real(data, name))
    indexed.search_index().rebuild()
    assert calls == []  # every blob's text is already in the cache
    indexed.attach(
        "BJ-000009", _text_file(indexed.store.path.parent / "新.txt", "一份新的会议记录"), {"doc_type": "会议纪要"}
    )
    assert len(calls) == 1


def _text_file(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_or_corrupt_index_is_rebuilt_with_a_message(indexed):
    messages = []
    index = indexed.search_index(on_message=messages.append)
    folder = index.folder / "customers"
    for toc in folder.glob("_MAIN_*.toc"):
        toc.write_bytes(b"not a table of contents")
    fresh = Archive(indexed.store.path).search_index(on_message=messages.append)
    fresh.ensure()
    assert any("损坏" in m for m in messages), messages
    assert fresh.search("华信").hits[0].id == "BJ-000001"
    shutil.rmtree(fresh.folder)
    again = Archive(indexed.store.path).search_index()
    assert again.search("华信").hits[0].id == "BJ-000001"


SEARCHER = textwrap.dedent("""
    import sys
    from custtui.core.archive.archive import Archive
    archive = Archive(sys.argv[1])
    index = archive.search_index()
    for i in range(15):
        assert index.search("华信").hits
""")

EDITOR = textwrap.dedent("""
    import sys
    from custtui.core.archive.archive import Archive
    archive = Archive(sys.argv[1], user="编辑" + sys.argv[2])
    for i in range(6):
        archive.add_note("BJ-00000" + sys.argv[2], {"channel": "电话", "content": f"并发回访{i}"})
""")


def test_searching_while_others_update_never_fails(indexed):
    path = str(indexed.store.path)
    procs = [subprocess.Popen([sys.executable, "-c", EDITOR, path, str(n)], stderr=subprocess.PIPE) for n in (2, 3)]
    procs += [subprocess.Popen([sys.executable, "-c", SEARCHER, path], stderr=subprocess.PIPE) for _ in range(2)]
    errors = [p.communicate(timeout=300)[1].decode() for p in procs]
    assert all(p.returncode == 0 for p in procs), errors
    assert "LockError" not in "".join(errors)
    assert len(indexed.search_index().search("并发回访", limit=50).hits) >= 2


def test_cli_reindex_shows_progress(indexed):
    result = run_cli("--archive", indexed.store.path, "reindex")
    assert result.code == 0, result.err
    assert "搜索索引已重建: 46 个客户" in result.out
    # stderr is not a terminal here: a line when the build starts and one when it ends, no bar
    started, ended = result.err.splitlines()
    assert started == "正在建立搜索索引 (46 位客户)…" and ended.startswith("搜索索引已建立: 46 位客户, 用时")
    assert run_cli("--archive", indexed.store.path, "search", "华信厂").out.startswith("BJ-000001")


def test_full_build_in_two_processes_finds_the_same(indexed, monkeypatch):
    from custtui.core.index import search as search_module

    index = indexed.search_index()
    queries = ["华信", "huaxinchang", "6678", "追加采购数控车床", "行业:制造业 阶段:潜在", "智慧教室 日期:2023-08"]
    before = [[(h.id, h.kind, h.document) for h in index.search(q).hits] for q in queries]
    monkeypatch.setattr(search_module, "PARALLEL_FROM", 10)
    monkeypatch.setattr(search_module, "SEGMENT_CUSTOMERS", 7)  # several segments in each process
    progress = []
    assert index.rebuild(progress=lambda done, total: progress.append((done, total))) == 46
    assert progress[-1] == (46, 46)
    after = [[(h.id, h.kind, h.document) for h in index.search(q).hits] for q in queries]
    assert after == before
    indexed.update_customer("BJ-000005", {"aliases": ["京味轩", "老北京涮肉坊"]})
    assert index.search("涮肉坊").hits[0].id == "BJ-000005"


def test_an_exact_name_ranks_its_customer_above_a_contact_of_that_name(archive):
    archive.add_customer(
        "企业",
        "北京燕山机械有限公司",
        {"uscc": "91110108751171783G", "industry": "制造业", "contacts": [{"name": "黄燕", "phones": ["13912345670"]}]},
    )
    archive.add_customer("个人", "黄燕", {"phones": "13912345671"})
    archive.add_customer("个人", "黄燕华", {"phones": "13912345672"})
    archive.add_customer(
        "企业", "燕华贸易有限公司", {"uscc": "91110000600037341L", "industry": "制造业", "aliases": ["黄燕"]}
    )
    names = [hit.name for hit in archive.search_index().search("黄燕").hits]
    assert set(names[:2]) == {"黄燕", "燕华贸易有限公司"}, "the customer named 黄燕 and the one known as 黄燕 first"
    assert names[2] == "北京燕山机械有限公司", "then the company whose contact is 黄燕, above fragments"


def test_customers_that_score_the_same_come_newest_activity_first_then_by_name(archive):
    for i, name in enumerate(["东城五金商行", "西城五金商行", "南城五金商行", "北城五金商行"]):
        archive.add_customer("个人", name, {"phones": f"1391234568{i}"})
    west, south = (hit.id for hit in _customers(archive, "西城五金商行", "南城五金商行"))
    archive.add_note(west, {"time": "2026-03-01 10:00", "channel": "电话", "content": "询价"})
    archive.add_deal(south, {"date": "2025-05-01", "amount": "1200", "product": "扳手"})
    hits = archive.search_index().search("五金").hits
    assert len({hit.score for hit in hits}) == 1, "the four match alike"
    assert [hit.name for hit in hits] == ["西城五金商行", "南城五金商行", "东城五金商行", "北城五金商行"]


def _customers(archive, *names):
    return [next(h for h in archive.search_index().search(f'"{name}"').hits if h.name == name) for name in names]


@pytest.mark.parametrize(
    "query, why, shown",
    [
        ("华信机械", "名称", "北京华信机械设备制造有限公司"),
        ("华信厂", "简称", "华信厂"),
        ("7735", "联系人", "单晓燕 13811207735"),  # a phone's last four: whose number it is
        ("138 1120 7735", "联系人", "单晓燕 13811207735"),
        ("shanxiaoyan", "联系人 (拼音)", "单晓燕"),
        ("huaxin", "名称 (拼音)", "北京华信机械设备制造有限公司"),  # 信 read xin or shen
        ("91110108751171783G", "统一社会信用代码", "91110108751171783G"),
    ],
)
def test_a_hit_says_where_it_matched(index, query, why, shown):
    hit = next(h for h in index.search(query).hits if h.kind == "customer")
    plain = hit.highlights.replace("【", "").replace("】", "")
    assert hit.id == "BJ-000001" and hit.why == why and shown in plain, (hit.why, hit.highlights)


def test_the_command_line_says_where_a_hit_matched(indexed_demo_template):
    found = run_cli("--archive", indexed_demo_template, "search", "7735")
    assert found.code == 0 and "    联系人: 单晓燕 13811207735" in found.out, found.out


@pytest.mark.indexed
def test_an_edit_after_an_upgrade_leaves_the_old_index_to_the_next_search(demo):
    """An index another version built (its fields not this version's): an edit commits without a
    traceback, and the next search rebuilds the index and finds the edit."""
    state = demo.store.git_dir / "custtui" / "search" / "state.json"
    old = json.loads(state.read_text())
    state.write_text(json.dumps({**old, "version": old["version"] - 1}))
    demo.close()
    edited = run_cli("--archive", demo.store.path, "set", "BJ-000001", "address=北京市海淀区升级路 8 号")
    assert edited.code == 0 and "Traceback" not in edited.err, edited.err
    found = run_cli("--archive", demo.store.path, "search", "升级路")
    assert found.code == 0 and "BJ-000001" in found.out
    assert "搜索索引版本已更新, 正在重建" in found.err  # the edit did not write into the old one
    assert json.loads(state.read_text())["version"] == old["version"]
