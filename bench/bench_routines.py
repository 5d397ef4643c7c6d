"""The routines at scale (issue 15): each routine's proposals on a synthetic archive, against
recomputing them from every record.

    python bench/bench_routines.py [--customers 100000] [--runs 3] [--sample 20000]

The archive is a bare clone of ``bench/out/tui/synth-N`` sharing its objects, with a copy of its
listing cache (the shared archive is never written). Timed, dry run only (nothing accepted):

1. the facts cache built cold (``index/facts.py``: one ``git ls-tree`` and one ``cat-file`` of
   every deal and document's metadata), once;
2. each routine warm (median of ``--runs``): the listing cache, the facts cache, the proposals, and
   for the half-year its findings, step by step;
3. the monthly routine again after one new deal (the caches move forward by the diff);
4. the baseline: what any recomputation from the records must first do, read and parse every
   ``customer.toml``, deal and document metadata (``git cat-file --batch`` + the TOML parser),
   measured on ``--sample`` customers and extrapolated.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_core import OUT  # noqa: E402
from bench.bench_tui import clone  # noqa: E402
from custtui.core.archive.archive import Archive  # noqa: E402
from custtui.core.base.layout import CUSTOMERS_DIR, DEALS_DIR, DOCS_DIR, META_SUFFIX  # noqa: E402
from custtui.core.index import facts as archive_facts  # noqa: E402
from custtui.core.index.listing import batch_read  # noqa: E402
from custtui.core.records.records import loads  # noqa: E402
from custtui.core.tasks import routines, view  # noqa: E402

USER = "基准"
TODAY = date(2026, 12, 2)
GOAL = 2.0  # seconds for each routine's proposals at 100k customers (issue 15)


def scratch(source: Path, target: Path) -> Path:
    clone(source, target)
    (target / "custtui").mkdir(exist_ok=True)
    shutil.copy2(source / "custtui" / "listing.sqlite", target / "custtui" / "listing.sqlite")
    return target


def timed(work) -> tuple[float, float, object]:
    """Wall seconds, CPU seconds of this process (what an idle machine would take, git aside:
    the machine's 2 cores are shared) and the result."""
    started, cpu = time.perf_counter(), time.process_time()
    result = work()
    return time.perf_counter() - started, time.process_time() - cpu, result


def baseline(archive: Archive, customers: int, sample: int) -> tuple[float, float]:
    """Wall and CPU seconds to read and parse every record a recomputation needs: the paths of
    all, the reading and parsing measured on ``sample`` customers and extrapolated."""
    listed, listed_cpu, files = timed(lambda: list(archive.store.files(archive.head(), f"{CUSTOMERS_DIR}/")))
    keep = set(sorted({path.split("/")[3] for path, _ in files})[:sample])  # type: ignore[union-attr]
    blobs = [
        blob
        for path, blob in files  # type: ignore[union-attr]
        if path.split("/")[3] in keep
        and (
            path.endswith("/customer.toml")
            or f"/{DEALS_DIR}/" in path
            or (f"/{DOCS_DIR}/" in path and path.endswith(META_SUFFIX))
        )
    ]
    read, read_cpu, _ = timed(lambda: [loads(raw, "") for raw in batch_read(archive.store.git_dir, blobs)])
    scale = customers / len(keep)
    return listed + read * scale, listed_cpu + read_cpu * scale


def run(customers: int, runs: int, sample: int) -> list[tuple[str, float, float, str]]:
    source = OUT / "tui" / f"synth-{customers}"
    if not (source / "custtui" / "listing.sqlite").exists():
        raise SystemExit(f"{source} 不存在: 先运行 bench/bench_tui.py --customers {customers} 生成")
    rows: list[tuple[str, float, float, str]] = []
    with tempfile.TemporaryDirectory(prefix="bench-routines-") as tmp:
        archive = Archive(scratch(source, Path(tmp) / "archive"), USER)
        archive.customers()  # the listing cache is warm, as in daily use
        cold, cpu, _ = timed(lambda: archive_facts.at(archive.store, archive.head()).last_contacts())
        rows.append(("facts cache, cold build", cold, cpu, "once per archive copy"))
        for code in routines.ROUTINES:
            times, cpus = [], []
            for _ in range(runs):
                spent, cpu, found = timed(lambda code=code: routines.run(archive, code, None, TODAY))
                times.append(spent)
                cpus.append(cpu)
            assert isinstance(found, routines.Routine)
            note = f"{len(found.proposals)} proposals, {len(found.findings)} findings"
            rows.append((f"{code}", statistics.median(times), statistics.median(cpus), note))
        summaries = view.customers(archive)
        facts = archive_facts.at(archive.store, archive.head())
        schema = archive.schema()
        steps = {
            "  halfyear: 流失 → 历史客户 proposals": lambda: routines.status_moves(
                summaries, facts, TODAY, schema.rules, "halfyear"
            ),
            "  halfyear: completeness": lambda: routines.completeness(summaries, schema),
            "  halfyear: staleness": lambda: routines.staleness(archive, summaries, TODAY, 365),
            "  halfyear: duplicates": lambda: routines.duplicate_suspects(archive),
            "  halfyear: retention": lambda: routines.retention_due(summaries, facts, TODAY, schema, archive.access),
        }
        for label, step in steps.items():
            spent, cpu, found = timed(step)
            rows.append((label, spent, cpu, f"{len(found)} rows"))  # type: ignore[arg-type]
        some = sorted(summaries)[len(summaries) // 2]
        archive.add_deal(some, {"date": "2026-11-30", "amount": "1000", "product": "基准"})
        spent, cpu, _ = timed(lambda: routines.run(archive, "monthly", None, TODAY))
        rows.append(("monthly after one new deal", spent, cpu, "caches moved by the diff"))
        spent, cpu = baseline(archive, customers, sample)
        rows.append(("baseline: read every record", spent, cpu, f"extrapolated from {sample} customers"))
        archive.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sample", type=int, default=20000)
    args = parser.parse_args()
    rows = run(args.customers, args.runs, min(args.sample, args.customers))
    print(f"routines at {args.customers} customers (goal {GOAL:.0f} s for each routine's proposals at 100k)")
    print(f"{'':42} {'wall':>8} {'cpu':>8}")
    for label, spent, cpu, note in rows:
        print(f"{label:42} {spent:7.2f}s {cpu:7.2f}s  {note}")


if __name__ == "__main__":
    main()
