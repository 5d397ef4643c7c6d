"""``custtui check`` against ``git fsck --no-dangling`` on the same archive, in the same run.

    python bench/bench_check.py [--customers 10000 100000] [--runs 3]

Both are timed as whole processes (the command a cron job or an administrator runs), on the
synthetic archive of ``bench/synth.py`` (seven files a customer). The goal: check — which runs git's
fsck itself, beside the incoming gate's validation of every file — within 2x git fsck alone.
"cold": the first check of an archive; "warm": the next one, which skips customer folders whose
tree passed before (the same tree at the same path under the same schema holds the same files).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_core import OUT, synthetic  # noqa: E402


def timed(command: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    return time.perf_counter() - started, done


def bench(customers: int, runs: int) -> dict:
    archive = synthetic(customers)
    fsck = ["git", f"--git-dir={archive}", "fsck", "--no-progress", "--no-dangling"]
    check = [str(Path(sys.executable).parent / "custtui"), "--archive", str(archive), "check"]
    verdicts = archive / "custtui" / "check-passed"
    fsck_s, cold_s, warm_s, outcome = [], [], [], None
    for _ in range(runs):  # alternate, so a busy moment of the machine falls on all three
        seconds, _ = timed(fsck)
        fsck_s.append(seconds)
        verdicts.unlink(missing_ok=True)
        seconds, outcome = timed(check)
        cold_s.append(seconds)
        seconds, outcome = timed(check)
        warm_s.append(seconds)
    files = int(
        subprocess.run(
            ["git", f"--git-dir={archive}", "ls-tree", "-r", "--name-only", "HEAD"], capture_output=True, text=True
        ).stdout.count("\n")
    )
    return {
        "customers": customers,
        "files": files,
        "runs": runs,
        "fsck_s": fsck_s,
        "cold_s": cold_s,
        "warm_s": warm_s,
        "check_exit": outcome.returncode,
        "check_output": outcome.stdout.strip().splitlines()[-1] if outcome.stdout.strip() else outcome.stderr,
        "cold_ratio": statistics.median(cold_s) / statistics.median(fsck_s),
        "warm_ratio": statistics.median(warm_s) / statistics.median(fsck_s),
    }


def report(r: dict) -> str:
    def spread(values: list[float]) -> str:
        return f"{min(values):.1f} / {statistics.median(values):.1f} / {max(values):.1f} s"

    return "\n".join(
        [
            f"== {r['customers']:,} 客户 ({r['files']:,} 个文件), 各 {r['runs']} 次 (最小 / 中位 / 最大) ==",
            f"基线 git fsck --no-dangling: {spread(r['fsck_s'])}",
            f"custtui check (首次):        {spread(r['cold_s'])}  (中位数为 fsck 的 {r['cold_ratio']:.2f} 倍)",
            f"custtui check (再次):        {spread(r['warm_s'])}  (中位数为 fsck 的 {r['warm_ratio']:.2f} 倍; "
            f"退出码 {r['check_exit']}: {r['check_output']})",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results = []
    for customers in args.customers:
        result = bench(customers, args.runs)
        print(report(result), flush=True)
        results.append(result)
    (OUT / "check-results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
