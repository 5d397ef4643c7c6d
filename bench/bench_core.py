"""Archive-core benchmarks, each against a baseline measured in the same run.

    python bench/bench_core.py [--customers 10000 100000] [--edits 40] [--baseline-edits 3]

1. One committed edit (update a customer field): custtui's object-level commit + update-ref,
   against GitPython ``index.add`` + ``index.commit`` and ``git add`` + ``git commit`` on the
   same repository (a clone whose index holds the whole archive).
2. 8 processes × 25 concurrent edits: how many of the 200 survive, and commits/s — custtui
   against GitPython's ``index.commit`` (which does not compare-and-swap).
3. Listing every customer: cold cache build and warm read, against parsing every
   customer.toml one by one.

Synthetic archives come from ``bench/synth.py`` and are kept in ``bench/out/``. Results are
printed and written to ``bench/out/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import textwrap
import time
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.synth import build  # noqa: E402
from custtui.core.archive.archive import Archive  # noqa: E402
from custtui.core.records.records import customer_dir, format_id  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"


def synthetic(customers: int) -> Path:
    path = OUT / f"synth-{customers}"
    if not (path / "HEAD").exists():
        shutil.rmtree(path, ignore_errors=True)
        build(path, customers)
    return path


def scratch_clone(source: Path, name: str, bare: bool = True) -> Path:
    """A clone sharing the source's objects, so edits never touch the cached archive."""
    target = OUT / "scratch" / name
    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    args = ["git", "clone", "-q", "--shared"] + (["--bare"] if bare else ["--no-checkout"])
    subprocess.run(args + [str(source), str(target)], check=True)
    subprocess.run(["git", "-C", str(target), "config", "custtui.office", "BJ"], check=True)
    subprocess.run(["git", "-C", str(target), "config", "gc.auto", "0"], check=True)
    if not bare:
        subprocess.run(["git", "-C", str(target), "read-tree", "HEAD"], check=True)
    return target


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def bench_edit(source: Path, customers: int, edits: int, baseline_edits: int) -> dict:
    rng = random.Random(1)
    hub = scratch_clone(source, "edit-hub")
    archive = Archive(hub, user="基准")
    archive.update_customer("BJ-000001", {"address": "预热"})
    ours = []
    for i in range(edits):
        cid = format_id("BJ", rng.randrange(1, customers + 1))
        started = time.perf_counter()
        archive.update_customer(cid, {"address": f"北京市朝阳区建国路{i}号"})
        ours.append(time.perf_counter() - started)
    archive.close()

    clone = scratch_clone(source, "edit-index", bare=False)
    import git as gitpython

    repo = gitpython.Repo(clone)
    gp, cli = [], []
    for i in range(baseline_edits):
        for bucket, commit in ((gp, "gitpython"), (cli, "git")):
            cid = format_id("BJ", rng.randrange(1, customers + 1))
            rel = f"{customer_dir(cid)}/customer.toml"
            file = clone / rel
            file.parent.mkdir(parents=True, exist_ok=True)
            raw = subprocess.run(
                ["git", "-C", str(clone), "show", f"HEAD:{rel}"], capture_output=True, check=True
            ).stdout
            file.write_bytes(raw + f'address = "基线{i}"\n'.encode())
            started = time.perf_counter()
            if commit == "gitpython":
                repo.index.add([rel])
                repo.index.commit(f"baseline {i}")
                repo.index.update()
            else:
                subprocess.run(["git", "-C", str(clone), "add", rel], check=True)
                subprocess.run(["git", "-C", str(clone), "commit", "-q", "-m", f"baseline {i}"], check=True)
            bucket.append(time.perf_counter() - started)
            repo = gitpython.Repo(clone)
    med = statistics.median(ours)
    return {
        "customers": customers,
        "custtui_median_ms": med * 1000,
        "custtui_p95_ms": pct(ours, 95) * 1000,
        "gitpython_index_median_ms": statistics.median(gp) * 1000,
        "git_add_commit_median_ms": statistics.median(cli) * 1000,
        "speedup_vs_gitpython": statistics.median(gp) / med,
    }


def bench_edit_worktree(source: Path, customers: int, edits: int) -> dict:
    """One committed edit on a clone with a checked-out working tree kept in step."""
    target = OUT / "scratch" / "edit-worktree"
    shutil.rmtree(target, ignore_errors=True)
    subprocess.run(["git", "clone", "-q", "--shared", str(source), str(target)], check=True)
    for key, value in (("custtui.office", "BJ"), ("gc.auto", "0"), ("core.splitIndex", "true")):
        subprocess.run(["git", "-C", str(target), "config", key, value], check=True)
    subprocess.run(["git", "-C", str(target), "update-index", "--split-index"], check=True)
    archive = Archive(target, user="基准")
    archive.update_customer("BJ-000001", {"address": "预热"})
    rng, times = random.Random(2), []
    for i in range(edits):
        started = time.perf_counter()
        archive.update_customer(format_id("BJ", rng.randrange(1, customers + 1)), {"address": f"工作区{i}"})
        times.append(time.perf_counter() - started)
    clean = (
        subprocess.run(
            ["git", "-C", str(target), "status", "--porcelain"], capture_output=True, text=True, check=True
        ).stdout
        == ""
    )
    archive.close()
    shutil.rmtree(target, ignore_errors=True)
    return {
        "customers": customers,
        "worktree_median_ms": statistics.median(times) * 1000,
        "worktree_p95_ms": pct(times, 95) * 1000,
        "status_clean": clean,
    }


OURS_WORKER = textwrap.dedent("""
    import sys
    from custtui.core.archive.archive import Archive
    path, me, own, edits = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    archive = Archive(path, user=f"员工{me}")
    for j in range(edits):
        archive.update_customer(own, {"address": f"并发-{me}-{j}"})
""")

GITPYTHON_WORKER = textwrap.dedent("""
    import sys, subprocess
    import git
    path, me, rel, edits = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    repo = git.Repo(path)
    failed = 0
    for j in range(edits):
        with open(f"{path}/{rel}", "a", encoding="utf-8") as f:
            f.write(f"# 并发-{me}-{j}\\n")
        try:
            repo.index.add([rel])
            repo.index.commit(f"edit {me}-{j}")
        except Exception:
            failed += 1
    print(failed)
""")


def bench_concurrency(source: Path, processes: int = 8, edits: int = 25) -> dict:
    hub = scratch_clone(source, "concurrent-hub")
    ids = [format_id("BJ", i + 1) for i in range(processes)]
    start = int(
        subprocess.run(
            ["git", "-C", str(hub), "rev-list", "--count", "HEAD"], capture_output=True, text=True, check=True
        ).stdout
    )
    began = time.perf_counter()
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", OURS_WORKER, str(hub), str(i), ids[i], str(edits)],
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        )
        for i in range(processes)
    ]
    for w in workers:
        w.wait()
    elapsed = time.perf_counter() - began
    kept = (
        int(
            subprocess.run(
                ["git", "-C", str(hub), "rev-list", "--count", "HEAD"], capture_output=True, text=True, check=True
            ).stdout
        )
        - start
    )

    small = OUT / "scratch" / "concurrent-index"
    shutil.rmtree(small, ignore_errors=True)
    build(small, 200, docs=0, bare=False)
    # GitPython cannot read a split index: give the baseline the plain index it expects
    subprocess.run(["git", "-C", str(small), "config", "core.splitIndex", "false"], check=True)
    subprocess.run(["git", "-C", str(small), "update-index", "--no-split-index"], check=True)
    subprocess.run(["git", "-C", str(small), "config", "user.name", "基线"], check=True)
    subprocess.run(["git", "-C", str(small), "config", "user.email", "base@example.cn"], check=True)
    base_start = int(
        subprocess.run(
            ["git", "-C", str(small), "rev-list", "--count", "HEAD"], capture_output=True, text=True, check=True
        ).stdout
    )
    began = time.perf_counter()
    rels = [f"{customer_dir(i)}/customer.toml" for i in ids]
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", GITPYTHON_WORKER, str(small), str(i), rels[i], str(edits)], stdout=subprocess.PIPE
        )
        for i in range(processes)
    ]
    errors = sum(int(w.communicate()[0] or 0) for w in workers)
    base_elapsed = time.perf_counter() - began
    base_kept = (
        int(
            subprocess.run(
                ["git", "-C", str(small), "rev-list", "--count", "HEAD"], capture_output=True, text=True, check=True
            ).stdout
        )
        - base_start
    )
    return {
        "processes": processes,
        "edits_each": edits,
        "custtui_kept": kept,
        "custtui_commits_per_s": kept / elapsed,
        "gitpython_kept": base_kept,
        "gitpython_raised": errors,
        "gitpython_archive_customers": 200,
        "gitpython_commits_per_s": base_kept / base_elapsed,
    }


def bench_listing(source: Path, customers: int) -> dict:
    hub = scratch_clone(source, "listing")
    archive = Archive(hub)
    started = time.perf_counter()
    cold = archive.customers()
    cold_s = time.perf_counter() - started
    assert len(cold) == customers
    archive.close()
    warm = []
    for _ in range(3):
        fresh = Archive(hub)  # a new session: nothing in memory, the cache on disk
        started = time.perf_counter()
        assert len(fresh.customers()) == customers
        warm.append(time.perf_counter() - started)
        fresh.close()
    one_edit = Archive(hub, user="基准")
    one_edit.update_customer("BJ-000002", {"owner": "缓存增量"})
    started = time.perf_counter()
    assert one_edit.customers()["BJ-000002"]["owner"] == "缓存增量"
    incremental = time.perf_counter() - started

    naive_sample = min(customers, 20_000)
    store = one_edit.store
    head = store.head()
    started = time.perf_counter()
    for seq in range(1, naive_sample + 1):
        cid = format_id("BJ", seq)
        tomllib.loads(store.read(head, f"{customer_dir(cid)}/customer.toml").decode())
    naive = (time.perf_counter() - started) * customers / naive_sample
    return {
        "customers": customers,
        "cold_build_s": cold_s,
        "warm_s": statistics.median(warm),
        "after_one_edit_s": incremental,
        "naive_parse_each_s": naive,
        "naive_extrapolated_from": naive_sample,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--baseline-edits", type=int, default=3)
    parser.add_argument(
        "--parts",
        nargs="+",
        default=["edit", "listing", "worktree", "concurrency"],
        choices=["edit", "listing", "worktree", "concurrency"],
    )
    parser.add_argument(
        "--worktree-at",
        type=int,
        nargs="*",
        default=[10_000],
        help="archive sizes at which to also time edits on a checked-out clone",
    )
    args = parser.parse_args()
    os.environ.setdefault("CUSTTUI_USER", "基准")
    results: dict = {"edit": [], "listing": [], "worktree": []}
    for n in args.customers:
        source = synthetic(n)
        if "edit" in args.parts:
            results["edit"].append(bench_edit(source, n, args.edits, args.baseline_edits))
            print(json.dumps(results["edit"][-1], ensure_ascii=False), flush=True)
        if "listing" in args.parts:
            results["listing"].append(bench_listing(source, n))
            print(json.dumps(results["listing"][-1], ensure_ascii=False), flush=True)
    if "worktree" in args.parts:
        for n in args.worktree_at:
            results["worktree"].append(bench_edit_worktree(synthetic(n), n, args.edits))
            print(json.dumps(results["worktree"][-1], ensure_ascii=False), flush=True)
    if "concurrency" in args.parts:
        results["concurrency"] = bench_concurrency(synthetic(max(args.customers)))
        print(json.dumps(results["concurrency"], ensure_ascii=False), flush=True)
    OUT.mkdir(exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(report(results))


def report(results: dict) -> str:
    lines = ["", "一次提交的修改 (中位数)            custtui     GitPython index   git add+commit   倍数"]
    for r in results["edit"]:
        lines.append(
            f"  {r['customers']:>7} 客户               {r['custtui_median_ms']:8.1f} ms "
            f"{r['gitpython_index_median_ms']:12.0f} ms"
            f" {r['git_add_commit_median_ms']:12.0f} ms {r['speedup_vs_gitpython']:8.0f}×"
            f"   (custtui p95 {r['custtui_p95_ms']:.1f} ms)"
        )
    for r in results.get("worktree", []):
        lines.append(
            f"  {r['customers']:>7} 客户, 带工作区      {r['worktree_median_ms']:8.1f} ms"
            f"   (p95 {r['worktree_p95_ms']:.1f} ms, 提交后 git status 干净: {r['status_clean']})"
        )
    lines.append("列出全部客户                    冷缓存构建   热缓存读取   一次修改后   逐个解析(基线)")
    for r in results["listing"]:
        lines.append(
            f"  {r['customers']:>7} 客户               {r['cold_build_s']:8.2f} s {r['warm_s']:10.3f} s"
            f" {r['after_one_edit_s']:10.3f} s {r['naive_parse_each_s']:12.1f} s"
        )
    if "concurrency" in results:
        c = results["concurrency"]
        total = c["processes"] * c["edits_each"]
        lines.append(
            f"{c['processes']} 进程 × {c['edits_each']} 次并发修改: custtui 保留 {c['custtui_kept']}/{total}"
            f" ({c['custtui_commits_per_s']:.0f} 提交/秒); GitPython index.commit 保留 {c['gitpython_kept']}/{total}"
            f" ({c['gitpython_raised']} 次报错, {c['gitpython_commits_per_s']:.0f} 提交/秒, "
            f"{c['gitpython_archive_customers']} 客户的仓库)"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
