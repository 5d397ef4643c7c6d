"""The forms out of a large archive, end to end as people run them (issue 14 item 5).

    python bench/bench_exports.py [--customers 10000] [--runs 3]

On a scratch copy of bench_tui's synthetic archive (``bench/out/tui/synth-N``, never written to):
``custtui table basic|tags|documents --out`` as XLSX and CSV, ``custtui list --out`` and
``custtui dossier`` of one customer, each the median wall time of ``--runs`` processes and the
largest resident memory (RUSAGE_CHILDREN). Printed and written to ``bench/out/exports-results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
COMMANDS = {
    "table basic xlsx": ["table", "basic", "--out", "{dir}/basic.xlsx"],
    "table tags xlsx": ["table", "tags", "--out", "{dir}/tags.xlsx"],
    "table documents xlsx": ["table", "documents", "--out", "{dir}/documents.xlsx"],
    "table basic csv": ["table", "basic", "--out", "{dir}/basic.csv"],
    "table documents csv": ["table", "documents", "--out", "{dir}/documents.csv"],
    "list xlsx": ["list", "--out", "{dir}/list.xlsx"],
    "dossier": ["dossier", "{customer}", "--out", "{dir}/dossier"],
}


def timed(argv: list[str]) -> tuple[float, int]:
    """(wall seconds, the largest resident set of any child so far in KB) of one run."""
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed: {done.stderr}")
    return time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    source = OUT / "tui" / f"synth-{args.customers}"
    if not source.exists():
        sys.exit(f"{source} is missing: run bench/bench_tui.py --customers {args.customers} first")
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        archive = Path(scratch) / "archive"
        shutil.copytree(source, archive, symlinks=True)
        customer = (
            subprocess.run(
                ["git", "--git-dir", str(archive), "ls-tree", "--name-only", "HEAD", "customers/BJ/000/"],
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.split()[0]
            .rsplit("/", 1)[1]
        )
        os.environ.setdefault("CUSTTUI_USER", "张伟")  # the synthetic archive has no staff registry: any name
        for name, words in COMMANDS.items():
            walls = []
            for run in range(args.runs):
                folder = Path(scratch) / f"out-{run}"
                folder.mkdir(exist_ok=True)
                argv = [w.format(dir=folder, customer=customer) for w in words]
                wall, rss = timed([sys.executable, "-m", "custtui", "--archive", str(archive), *argv])
                walls.append(wall)
            results[name] = {"median_s": round(statistics.median(walls), 2), "max_rss_kb_so_far": rss}
            print(f"{name:24} {statistics.median(walls):6.2f} s   (largest RSS so far {rss / 1024:.0f} MB)")
    OUT.mkdir(exist_ok=True)
    (OUT / "exports-results.json").write_text(json.dumps({"customers": args.customers, **results}, indent=2))


if __name__ == "__main__":
    main()
