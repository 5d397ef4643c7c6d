"""What pinyin queries cost before and after a change to search, in one process (issue 13).

    python bench/bench_pinyin_cost.py ARCHIVE [--before REV] [--queries 280] [--seed 13]

ARCHIVE is a bare archive with a built search index (a copy of bench/out/tui/synth-10000: searching
may bring its index up to date). The package as it was at REV (default HEAD) is unpacked into a
temporary folder and imported beside the working tree's as ``custtui_before``; each query is run
by one and then the other, in turn first, three rounds, through ``SearchIndex.search`` with only
``parse_query`` swapped (a change to the index itself is not measured). The queries are 2–4
characters of random customers' names, typed as full pinyin, initials, mixed (xianhc,
xahaichuang) or spaced with one character on one side (fc xia). Prints each kind's median and
p95 of the queries' median times, and how many queries found anything.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import io
import os
import random
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from custtui.core.archive.archive import Archive  # noqa: E402
from custtui.core.base.errors import FieldError  # noqa: E402
from custtui.core.index import query as after  # noqa: E402
from custtui.core.index import search as search_module  # noqa: E402

KINDS = ("full", "initials", "mixed", "spaced")
SUFFIX = re.compile(r"(有限责任公司|股份有限公司|有限公司|分公司|集团|工作室|店|厂)$")


def load_before(rev: str, folder: Path):
    """The query module of ``rev``'s package, imported as ``custtui_before.core.index.query``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "custtui"], capture_output=True, check=True)
    tarfile.open(fileobj=io.BytesIO(archive.stdout)).extractall(folder, filter="data")
    package = folder / "custtui"
    spec = importlib.util.spec_from_file_location(
        "custtui_before", package / "__init__.py", submodule_search_locations=[str(package)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["custtui_before"] = module
    spec.loader.exec_module(module)
    before = importlib.import_module("custtui_before.core.index.query")
    before.FieldError = FieldError  # its phone validator imports the working tree's errors
    return before


def queries(names: list[str], count: int, seed: int) -> list[tuple[str, str]]:
    """(kind, query) for ``count`` random names, the kinds in turn."""
    from pypinyin import Style, lazy_pinyin

    rng = random.Random(seed)
    made = []
    for i, name in enumerate(rng.sample(names, min(count, len(names)))):
        run = max(re.findall(r"[\u4e00-\u9fff]+", SUFFIX.sub("", name)), key=len, default="")
        if len(run) < 2:
            continue
        size = rng.randint(2, min(4, len(run)))
        start = rng.randrange(len(run) - size + 1)
        full = lazy_pinyin(run[start : start + size], style=Style.NORMAL)
        initials = [p[0] for p in full]
        kind = KINDS[i % len(KINDS)]
        cut = rng.randint(1, size - 1)
        if kind == "full":
            query = "".join(full)
        elif kind == "initials":
            query = "".join(initials)
        elif kind == "mixed":
            head, tail = (full[:cut], initials[cut:]) if rng.random() < 0.5 else (initials[:cut], full[cut:])
            query = "".join(head + tail)
        elif rng.random() < 0.5:  # spaced: one character in full on one side
            query = f"{full[0]} {''.join(initials[1:])}"
        else:
            query = f"{''.join(initials[:-1])} {full[-1]}"
        made.append((kind, query))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("archive", type=Path)
    parser.add_argument("--before", default="HEAD", help="the revision to compare the working tree with")
    parser.add_argument("--queries", type=int, default=280)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    os.environ.setdefault("CUSTTUI_USER", "基准")
    with tempfile.TemporaryDirectory() as scratch:
        before = load_before(args.before, Path(scratch))
        archive = Archive(args.archive, "基准")
        index = archive.search_index()
        index.ensure()
        names = sorted(summary["name"] for summary in archive.customers().values())
        cases = queries(names, args.queries, args.seed)
        versions = {"before": before, "after": after}

        def run(label: str, query: str) -> tuple[float, int]:
            search_module.parse_query = versions[label].parse_query  # type: ignore[attr-defined]
            started = time.perf_counter()
            hits = index.search(query).hits
            return time.perf_counter() - started, len(hits)

        for _, query in cases[:20]:  # open the searchers, fill the caches
            run("before", query), run("after", query)
        times: dict[str, dict[str, list[float]]] = {label: {} for label in versions}
        found = {label: 0 for label in versions}
        for round_ in range(3):
            for k, (_, query) in enumerate(cases):
                order = ["before", "after"] if (k + round_) % 2 == 0 else ["after", "before"]
                for label in order:
                    took, hits = run(label, query)
                    times[label].setdefault(query, []).append(took)
                    found[label] += round_ == 0 and hits > 0
        archive.close()
    print(f"{len(cases)} queries, {args.archive}, {args.before} against the working tree; ms, each query's median of 3")
    for kind in ("all", "all but spaced", *KINDS):
        chosen = [q for k, q in cases if kind == k or kind == "all" or kind == "all but spaced" and k != "spaced"]
        row = []
        for label in versions:
            ms = sorted(statistics.median(times[label][q]) * 1000 for q in chosen)
            row.append(f"{label} median {statistics.median(ms):.1f} p95 {ms[int(0.95 * (len(ms) - 1))]:.1f}")
        print(f"{kind:<15} {len(chosen):>4}  " + " | ".join(row))
    print(f"queries that found anything: before {found['before']}, after {found['after']}")


if __name__ == "__main__":
    main()
