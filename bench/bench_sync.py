"""Office sync benchmark: 1,000 changed customers each way at 10k–100k, merge and index catch-up
timed separately, against baselines measured in the same run.

    python bench/bench_sync.py [--customers 10000 100000] [--changed 1000] [--one-commit-each]

Two office copies (bare, sharing the synthetic archive's objects) and a hub. Each office changes
``--changed`` customers in one commit (a tenth of them the same customers on both sides: half
of those different fields, half the same field, which become recorded conflicts) and catches
up its own search index. Then: office SH syncs (push), office BJ syncs (fetch, merge, catch up,
push), office SH syncs again (fast-forward, catch up). Every sync runs the incoming gate on what
it receives; its share is reported. ``--one-commit-each``: 上海's changes arrive as one commit per
customer (as a busy day of single edits would), the gate's worst case. Baselines: ``git merge-tree --write-tree``
(git's own merge in C, no field-level merge: same-file edits become conflict markers) on the
same two commits, and rebuilding the search index instead of catching it up.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_core import OUT, scratch_clone, synthetic  # noqa: E402
from custtui.core.archive.archive import Archive  # noqa: E402
from custtui.core.records.records import customer_dir, dumps  # noqa: E402
from custtui.core.sync.sync import sync  # noqa: E402


def office_copy(hub: Path, name: str, office: str) -> Archive:
    path = scratch_clone(hub, f"sync-{name}")
    subprocess.run(["git", "-C", str(path), "config", "custtui.office", office], check=True)
    return Archive(path, user=f"{office} 基准")


def bulk_edit(archive: Archive, customers: list[str], field: str, value: str, one_each: bool = False) -> None:
    """One commit changing ``field`` of every customer in ``customers`` (or one commit each)."""

    def build(batch: list[str]):
        def changes(head):
            order = archive.validator(head).field_order()
            files = {}
            for cid in batch:
                record = archive.customer(cid, head)
                record[field] = value
                files[f"{customer_dir(cid)}/customer.toml"] = dumps(record, order)
            return files, f"修改 {len(batch)} 位客户\n"

        return changes

    for batch in [[cid] for cid in customers] if one_each else [customers]:
        archive.store.transact(build(batch), archive.identity(), sync=False)


def bench(customers: int, changed: int, one_each: bool = False) -> dict:
    source = synthetic(customers)
    hub_path = scratch_clone(source, "sync-hub")
    hub = Archive(hub_path, user="管理员")
    hub.commit_change(
        lambda head: ({"offices/SH.toml": dumps({"code": "SH", "name": "上海分公司", "next": 1})}, "登记办事处 SH\n")
    )
    bj, sh = office_copy(hub_path, "BJ", "BJ"), office_copy(hub_path, "SH", "SH")
    for archive in (bj, sh):
        archive.customers()  # the listing cache, as a running office has it

    index = bj.search_index()
    started = time.perf_counter()
    index.rebuild()
    rebuild_s = time.perf_counter() - started
    shutil.copytree(index.folder, sh.search_index().folder, dirs_exist_ok=True)
    assert sh.search_built()

    rng = random.Random(11)
    everyone = sorted(bj.customers())
    overlap = max(2, changed // 10)
    picked = rng.sample(everyone, 2 * changed - overlap)
    bj_set, sh_set = picked[:changed], picked[changed - overlap :]
    same_field = set(bj_set[changed - overlap :][: overlap // 2])
    bulk_edit(bj, bj_set, "remark", "北京: 年度回访已完成")
    sh_fields = [c for c in sh_set if c not in same_field]
    bulk_edit(sh, sh_fields, "address", "上海市浦东新区世纪大道 100 号", one_each)
    bulk_edit(sh, sorted(same_field), "remark", "上海: 客户要求改约", one_each)
    for archive in (bj, sh):
        archive.search_index().catch_up()

    bj_head, sh_head = bj.head(), sh.head()
    first = sync(sh)
    started = time.perf_counter()
    second = sync(bj)
    bj_total = time.perf_counter() - started
    started = time.perf_counter()
    third = sync(sh)
    sh_total = time.perf_counter() - started

    started = time.perf_counter()
    plain = subprocess.run(
        ["git", "--git-dir", str(bj.store.git_dir), "merge-tree", "--write-tree", bj_head, sh_head],
        capture_output=True,
        text=True,
    )
    git_merge_s = time.perf_counter() - started

    record = bj.customer(sorted(same_field)[0])
    return {
        "customers": customers,
        "changed_each_way": changed,
        "overlap": overlap,
        "same_field": len(same_field),
        "one_commit_each": one_each,
        "sh_push_s": first.merge_seconds,
        "bj_merge_s": second.merge_seconds,
        "bj_catch_up_s": second.catch_up_seconds,
        "bj_gate_s": second.gate_seconds,
        "bj_received_commits": second.received,
        "sh_gate_s": third.gate_seconds,
        "sh_received_commits": third.received,
        "bj_total_s": bj_total,
        "bj_conflicts": len(second.conflicts),
        "bj_received_customers": len(second.customers),
        "sh_fast_forward_s": third.merge_seconds,
        "sh_catch_up_s": third.catch_up_seconds,
        "sh_total_s": sh_total,
        "sh_received_customers": len(third.customers),
        "baseline_git_merge_tree_s": git_merge_s,
        "baseline_git_merge_tree_conflicted": plain.returncode == 1,
        "baseline_index_rebuild_s": rebuild_s,
        "same_trees": bj.store.git("rev-parse", "HEAD^{tree}").stdout
        == sh.store.git("rev-parse", "HEAD^{tree}").stdout,
        "conflict_recorded": any(c.get("field") == "remark" for c in record.get("conflicts", [])),
    }


def report(r: dict) -> str:
    return "\n".join(
        [
            f"== {r['customers']:,} 客户, 每边修改 {r['changed_each_way']:,} 位 (其中 {r['overlap']} 位双方都改, "
            f"{r['same_field']} 位改了同一字段) ==",
            f"北京同步 (获取+检查+合并+发布+推送) 检查 {r['bj_gate_s']:.2f} s "
            f"(占 {r['bj_gate_s'] / r['bj_total_s']:.0%}), 合并 {r['bj_merge_s'] - r['bj_gate_s']:.2f} s, "
            f"索引追赶 {r['bj_catch_up_s']:.2f} s, 共 {r['bj_total_s']:.2f} s; 收到 {r['bj_received_commits']} 个提交、"
            f"{r['bj_received_customers']} 位客户的修改, 记录 {r['bj_conflicts']} 处冲突",
            f"上海同步 (快进) 检查 {r['sh_gate_s']:.2f} s, 合并 {r['sh_fast_forward_s'] - r['sh_gate_s']:.2f} s, "
            f"索引追赶 {r['sh_catch_up_s']:.2f} s, 共 {r['sh_total_s']:.2f} s; 收到 {r['sh_received_commits']} 个提交、"
            f"{r['sh_received_customers']} 位客户的修改",
            f"基线: git merge-tree --write-tree {r['baseline_git_merge_tree_s']:.2f} s"
            f" ({'有冲突标记' if r['baseline_git_merge_tree_conflicted'] else '无冲突'}); "
            f"重建索引 {r['baseline_index_rebuild_s']:.1f} s",
            f"两处树一致: {r['same_trees']}; 同字段冲突已记录: {r['conflict_recorded']}",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--changed", type=int, default=1000)
    parser.add_argument("--one-commit-each", action="store_true", help="上海's changes as one commit per customer")
    args = parser.parse_args()
    results = []
    for customers in args.customers:
        result = bench(customers, min(args.changed, customers // 4), args.one_commit_each)
        print(report(result), flush=True)
        results.append(result)
    (OUT / "sync-results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
