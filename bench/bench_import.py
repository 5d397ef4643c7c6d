"""Spreadsheet import benchmark: a messy 10,000-row customer list into an empty archive, against
adding the same customers one ``custtui add`` at a time, measured in the same run.

    python bench/bench_import.py [--rows 10000] [--baseline 40] [--custtui PATH]

Rows come from ``sample-archive/generator/legacy.py`` (every spelling of phones, dates and
amounts). Timed as people run it, as whole commands: the dry run (read, check every row, match
against the archive), the import itself (default batch size, then one commit per customer on
the first ``--baseline`` rows: the choice the issue leaves open), and a second run of the same
file, which must create nothing. The baseline is ``custtui add`` of ``--baseline`` customers,
one process each, extrapolated to all rows. Memory is the peak resident size of the command.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "sample-archive")]

from generator.legacy import customers, spelled, write_xlsx  # noqa: E402

from bench.bench_core import OUT  # noqa: E402


def run(argv: list[str]) -> tuple[float, float, str]:
    """(seconds, peak MB of this child, stdout) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{argv[:4]} → {done.returncode}: {done.stderr[-500:]}")
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    return seconds, peak, done.stdout


def commits(path: Path) -> int:
    out = subprocess.run(["git", "-C", str(path), "rev-list", "--count", "HEAD"], capture_output=True, text=True)
    return int(out.stdout.strip() or 0)


def fresh(custtui: str, name: str) -> Path:
    path = OUT / "import" / name
    shutil.rmtree(path, ignore_errors=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([custtui, "init", str(path), "--office", "BJ"], check=True, capture_output=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=40, help="customers added one custtui add at a time")
    parser.add_argument("--custtui", default=str(ROOT / ".venv" / "bin" / "custtui"))
    args = parser.parse_args()
    custtui = [args.custtui, "--user", "基准"]
    meant = customers(args.rows)
    rng = random.Random(14)
    sheet = OUT / "import" / f"客户基础信息表-{args.rows}.xlsx"
    sheet.parent.mkdir(parents=True, exist_ok=True)
    write_xlsx(sheet, [spelled(c, rng, as_text=False) for c in meant])

    archive = fresh(args.custtui, "batches")
    base = commits(archive)
    dry, dry_mb, _ = run([*custtui, "--archive", str(archive), "import", "customers", str(sheet), "--dry-run"])
    full, full_mb, out = run([*custtui, "--archive", str(archive), "import", "customers", str(sheet)])
    batches = commits(archive) - base
    again, _, again_out = run([*custtui, "--archive", str(archive), "import", "customers", str(sheet)])
    assert f"已在档案中 {args.rows} 行" in again_out and commits(archive) - base == batches, again_out[-300:]

    few = OUT / "import" / f"客户基础信息表-{args.baseline}.xlsx"
    write_xlsx(few, [spelled(c, rng, as_text=False) for c in meant[: args.baseline]])
    single = fresh(args.custtui, "one-commit-each")
    each, _, _ = run([*custtui, "--archive", str(single), "import", "customers", str(few), "--batch-size", "1"])

    added = fresh(args.custtui, "custtui-add")
    start = time.perf_counter()
    for c in meant[: args.baseline]:
        contact = f'[{{name="{c.contact}", position="{c.position}", phones=["{c.mobile}"]}}]'
        fields = [f"uscc={c.uscc}", f"industry={c.industry}", f"size={c.size}", f"region={c.city}"]
        fields += [f"first_contact={c.first_contact}", f"contacts={contact}"]
        fields += [f"annual_purchase={c.amount}"] if c.amount else []
        run([*custtui, "--archive", str(added), "add", "--type", "企业客户", "--name", c.name, "--set", *fields])
    per_add = (time.perf_counter() - start) / args.baseline

    rows = args.rows
    print(f"导入 {rows:,} 行 (bench/bench_import.py; 基线在同一次运行中测得)")
    print(f"  试运行 (读取、逐行校验、查重)        {dry:7.1f} s   峰值内存 {dry_mb:5.0f} MB")
    print(f"  导入 (每批 500 位一次提交)           {full:7.1f} s   峰值内存 {full_mb:5.0f} MB   {batches} 次提交")
    print(f"  同一文件再导入一次 (不新建)         {again:7.1f} s")
    each_all, add_all, added_s = each / args.baseline * rows, per_add * rows, per_add * args.baseline
    print(f"  每位客户一次提交 ({args.baseline} 行)            {each:7.1f} s   → {each_all:7.0f} s 折合 {rows:,} 行")
    print(f"  基线: custtui add 逐个 ({args.baseline} 位) {added_s:7.1f} s → {add_all:5.0f} s 折合 {rows:,} 行")
    print(f"  导入比逐个 add 快 {per_add * rows / full:.0f} 倍; 末行输出: {out.strip().splitlines()[-1]}")


if __name__ == "__main__":
    main()
