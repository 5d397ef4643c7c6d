"""Search benchmarks against the naive Whoosh index, measured in the same run.

    python bench/bench_search.py [--customers 10000] [--queries 200]

The naive baseline is what the issue measured first: one Whoosh index, jieba's ChineseAnalyzer
on names and document text, Whoosh's QueryParser, one process. Both are built from the same
synthetic archive (bench/synth.py, documents as text so extraction is not what is timed; the
text cache is warmed before timing). Reported: build rate and size, query latency by kind,
searcher open time, catch-up after one edit and after a commit touching 1,000 customers, and the
share of random 2- and 4-character fragments of names and document text that find their record.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_core import OUT, pct, scratch_clone, synthetic  # noqa: E402
from custtui.core.archive.archive import Archive  # noqa: E402
from custtui.core.records.records import customer_dir, dumps  # noqa: E402


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def naive_build(archive: Archive, target: Path) -> tuple[float, int]:
    """The baseline: jieba's analyzer, one index, one process."""
    from jieba.analyse import ChineseAnalyzer
    from whoosh import index as windex
    from whoosh.fields import ID, TEXT, Schema

    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    analyzer = ChineseAnalyzer()
    index = windex.create_in(
        str(target),
        Schema(
            id=ID(stored=True),
            kind=ID(stored=True),
            name=TEXT(analyzer=analyzer, stored=True),
            text=TEXT(analyzer=analyzer),
        ),
    )
    search = archive.search_index()
    started = time.perf_counter()
    writer = index.writer(limitmb=256)
    for cid in sorted(archive.customers()):
        record = archive.customer(cid)
        writer.add_document(
            id=cid,
            kind="customer",
            name=record["name"],
            text=" ".join(record.get("aliases", []) + [c["name"] for c in record.get("contacts", [])]),
        )
        for doc in archive.documents(cid):
            text = search.texts.get(doc.blob, doc.name, lambda b=doc.blob: archive.store.read_blob(b)).text
            writer.add_document(id=cid, kind="document", name=doc.meta.get("title", ""), text=text)
    writer.commit()
    return time.perf_counter() - started, folder_size(target)


def naive_search(target: Path):
    from whoosh import index as windex
    from whoosh.qparser import MultifieldParser

    index = windex.open_dir(str(target))
    searcher = index.searcher()
    parser = MultifieldParser(["name", "text"], index.schema)

    def run(query: str) -> list[str]:
        return [hit["id"] for hit in searcher.search(parser.parse(query), limit=20)]

    return run


def fragments(rng: random.Random, texts: list[tuple[str, str]], size: int, count: int) -> list[tuple[str, str]]:
    """(fragment, owner) pairs: random runs of Chinese characters of ``size``."""
    picked = []
    while len(picked) < count:
        owner, text = rng.choice(texts)
        runs = [r for r in "".join(c if "\u4e00" <= c <= "\u9fff" else " " for c in text).split() if len(r) >= size]
        if runs:
            run = rng.choice(runs)
            start = rng.randrange(len(run) - size + 1)
            picked.append((run[start : start + size], owner))
    return picked


def timed(run, queries: list[str]) -> dict:
    times = []
    for query in queries:
        started = time.perf_counter()
        run(query)
        times.append(time.perf_counter() - started)
    return {"p50_ms": statistics.median(times) * 1000, "p95_ms": pct(times, 95) * 1000}


def bench(customers: int, queries: int, reuse: bool = False, skip_naive_text: bool = False) -> dict:
    if reuse:  # the archive, index and naive index of the last run: queries and catch-up only
        return measure(customers, queries, OUT / "scratch" / "search", None, skip_naive_text)
    source = synthetic(customers)
    hub = scratch_clone(source, "search")
    archive = Archive(hub, user="基准")
    index = archive.search_index()
    cache = OUT / f"text-cache-{customers}"  # extracted texts kept between runs (hard links)
    if cache.exists():
        shutil.copytree(cache, index.texts.folder, copy_function=os.link, dirs_exist_ok=True)
    else:
        index.rebuild()  # warms the text cache, so neither build below times extraction
        shutil.copytree(index.texts.folder, cache, copy_function=os.link)
    started = time.perf_counter()
    index.rebuild()
    ours_build = time.perf_counter() - started
    build_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the build's processes
    ours_size = folder_size(index.folder)
    naive_build_s, naive_size = naive_build(archive, OUT / "scratch" / "naive-index")
    return measure(
        customers,
        queries,
        hub,
        {
            "ours_build_per_s": customers / ours_build,
            "ours_build_s": ours_build,
            "ours_size_mb": ours_size / 2**20,
            "ours_build_peak_rss_mb": build_rss,
            "naive_build_per_s": customers / naive_build_s,
            "naive_size_mb": naive_size / 2**20,
        },
        skip_naive_text,
    )


def measure(customers: int, queries: int, hub: Path, built: dict | None, skip_naive_text: bool = False) -> dict:
    archive = Archive(hub, user="基准")
    index = archive.search_index()
    naive_dir = OUT / "scratch" / "naive-index"
    rng = random.Random(5)
    records = {cid: archive.customer(cid) for cid in rng.sample(sorted(archive.customers()), min(customers, 400))}
    names = [(cid, r["name"]) for cid, r in records.items()]
    texts = []
    for cid in list(records)[:200]:
        for doc in archive.documents(cid):
            texts.append((cid, index.texts.get(doc.blob, doc.name, lambda: b"").text))
    lookups = {
        "name fragment": [f for f, _ in fragments(rng, names, 2, queries)],
        "alias": [rng.choice(r["aliases"]) for r in records.values() if r.get("aliases")][:queries],
        "pinyin": [_pinyin(r["name"][2:4]) for r in records.values() if len(r["name"]) >= 6][:queries],
        "initials": [_initials(r["contacts"][0]["name"]) for r in records.values() if r.get("contacts")][:queries],
        "phone tail": [p[-4:] for r in records.values() for c in r.get("contacts", []) for p in c["phones"][:1]][
            :queries
        ],
    }
    ours = lambda q: index.search(q, limit=20)  # noqa: E731
    started = time.perf_counter()
    fresh = Archive(hub).search_index()
    fresh.search("华信")
    open_s = time.perf_counter() - started
    result = {
        "customers": customers,
        **(built or {"reused": True, "ours_size_mb": folder_size(index.folder) / 2**20}),
        "ours_open_s": open_s,
        "lookup": {},
        "found": {},
    }
    naive = naive_search(naive_dir)
    for kind, qs in lookups.items():
        result["lookup"][kind] = {"ours": timed(ours, qs), "naive": timed(naive, qs)}
    full_text = [f for f, _ in fragments(rng, texts, 4, queries)]
    result["lookup"]["document text"] = {
        "ours": timed(ours, full_text),
        "naive": None if skip_naive_text else timed(naive, full_text),
    }

    for label, pool in (("names", names), ("document text", texts)):
        for size in (2, 4):
            sample = fragments(rng, pool, size, queries)
            ours_found = sum(_ours_finds(index, f, owner) for f, owner in sample)
            if skip_naive_text and label == "document text":
                naive_found = None
            else:
                naive_found = sum(_naive_finds(naive_dir, f, owner) for f, owner in sample) / len(sample)
            result["found"][f"{label} {size}"] = {"ours": ours_found / len(sample), "naive": naive_found}

    times = []
    for i in range(10):
        cid = rng.choice(list(records))
        started = time.perf_counter()
        archive.update_customer(cid, {"address": f"北京市海淀区{i}号"})
        times.append(time.perf_counter() - started)
    result["edit_with_catch_up_ms"] = statistics.median(times) * 1000
    touched = rng.sample(sorted(archive.customers()), min(1000, customers))

    def bulk(head):
        files = {}
        for cid in touched:
            path = f"{customer_dir(cid)}/customer.toml"
            record = archive.customer(cid, head)
            record["remark"] = "同步带来的修改"
            files[path] = dumps(record, archive.validator(head).field_order())
        return files, "同步: 1000 个客户"

    archive.store.transact(bulk, archive.identity())
    started = time.perf_counter()
    archive.search_index().catch_up()
    result["catch_up_1000_s"] = time.perf_counter() - started
    return result


def _ours_finds(index, fragment: str, owner: str) -> bool:
    """Whether the owner is among everything the query matches (not just the first page)."""
    from whoosh import query as Q

    from custtui.core.index.query import parse_query

    parsed = parse_query(fragment, index.archive.schema())
    for which, query in (("customers", parsed.customer_query), ("documents", parsed.document_query)):
        if query is not None and index._searcher(which).search(query, filter=Q.Term("id", owner), limit=1):
            return True
    return False


def _naive_finds(target: Path, fragment: str, owner: str) -> bool:
    from whoosh import index as windex
    from whoosh import query as Q
    from whoosh.qparser import MultifieldParser

    index = windex.open_dir(str(target))
    with index.searcher() as searcher:
        parser = MultifieldParser(["name", "text"], index.schema)
        return bool(searcher.search(parser.parse(fragment), filter=Q.Term("id", owner), limit=1))


def _pinyin(text: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(text))


def _initials(text: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER))


def report(r: dict) -> str:
    built = (
        f"全量建索引: custtui {r['ours_build_per_s']:.0f} 客户/秒, {r['ours_size_mb']:.0f} MB"
        f" (建索引子进程峰值内存 {r.get('ours_build_peak_rss_mb', 0):.0f} MB);"
        f" 朴素 jieba 索引 {r['naive_build_per_s']:.0f} 客户/秒, {r['naive_size_mb']:.0f} MB"
        if "ours_build_per_s" in r
        else f"沿用上次建好的索引 ({r['ours_size_mb']:.0f} MB), 未计建索引"
    )
    lines = [
        f"{r['customers']} 客户 (每个客户 2 份文本资料)",
        built,
        f"打开索引并首次查询: {r['ours_open_s'] * 1000:.0f} ms",
        "查询耗时 (p50 / p95)           custtui              朴素",
    ]
    for kind, both in r["lookup"].items():
        lines.append(
            f"  {kind:<16} {both['ours']['p50_ms']:7.1f} / {both['ours']['p95_ms']:6.1f} ms"
            + (
                f"   {both['naive']['p50_ms']:7.1f} / {both['naive']['p95_ms']:6.1f} ms"
                if both["naive"]
                else "   (未测)"
            )
        )
    lines.append("随机片段能找到原记录的比例       custtui   朴素")
    for kind, both in r["found"].items():
        lines.append(
            f"  {kind:<22} {both['ours']:7.0%}  " + (f"{both['naive']:6.0%}" if both["naive"] is not None else "(未测)")
        )
    lines.append(
        f"一次修改提交并追上索引: {r['edit_with_catch_up_ms']:.0f} ms;"
        f" 一次提交改动 1000 个客户后追上索引: {r['catch_up_1000_s']:.1f} s"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[10_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse the last run's archive, index and naive index: queries and catch-up only",
    )
    parser.add_argument(
        "--skip-naive-text",
        action="store_true",
        help="no naive document-text queries (at 100k each takes ~5 s: 200 of them, half an hour)",
    )
    args = parser.parse_args()
    os.environ.setdefault("CUSTTUI_USER", "基准")
    results = []
    for n in args.customers:
        results.append(bench(n, args.queries, args.reuse, args.skip_naive_text))
        print(json.dumps(results[-1], ensure_ascii=False), flush=True)
        print(report(results[-1]), flush=True)
    OUT.mkdir(exist_ok=True)
    (OUT / ("search-results-reused.json" if args.reuse else "search-results.json")).write_text(
        json.dumps(results, ensure_ascii=False, indent=2)
    )


if __name__ == "__main__":
    main()
