"""Inventory benchmark: a 20,000-file shared drive against the 10,000-customer synthetic archive,
against the inbox's way of matching a file (every customer tried in turn), measured in the same run.

    python bench/bench_inventory.py [--files 20000] [--customers 10000] [--baseline 40]

The drive: folders named after customers, files naming a customer in their text or only by USCC,
copies and unrelated files (plain text, so the extraction is the text cache's, not OCR's). Timed
in one process: ``inventory.scan`` (first, with every text extracted; then again, from the text
cache), writing the plan, and ``inventory.apply`` of the first 1,000 rows marked 归档 (one commit
per 50). The baseline is ``intake.propose`` on ``--baseline`` files, extrapolated to all of them.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_core import OUT, scratch_clone, synthetic  # noqa: E402
from custtui.core.archive.archive import Archive  # noqa: E402
from custtui.core.tasks import intake, inventory  # noqa: E402

KINDS = ["营业执照", "报价单", "合同", "回访表", "对账单", "会议纪要"]


def make_drive(root: Path, archive: Archive, files: int, seed: int = 20) -> None:
    rng = random.Random(seed)
    customers = list(archive.customers().values())
    shutil.rmtree(root, ignore_errors=True)
    for i in range(files):
        customer = rng.choice(customers)
        kind = rng.choice(KINDS)
        style = i % 10
        if style < 4:  # a folder per customer
            path = root / f"{2015 + i % 9}年客户" / customer["name"] / f"{kind}-{i}.txt"
            text = f"{kind}\n日期: 2023-0{1 + i % 9}-1{i % 10}\n编号 {i}\n"
        elif style < 7:  # the name only in the text
            path = root / "未分类客户" / f"扫描-{i:05d}.txt"
            text = f"{kind}\n致: {customer['name']}\n第 {i} 号\n"
        elif style < 8 and customer.get("uscc"):  # only the USCC
            path = root / "资质" / f"{i:05d}.txt"
            text = f"{kind}\n统一社会信用代码: {customer['uscc']}\n"
        elif style < 9:  # a copy
            path = root / "重点项目" / f"副本-{i}.txt"
            text = f"{kind}\n致: {customer['name']}\n第 {i - 1} 号\n"
        else:  # about nobody
            path = root / "行政" / f"通知-{i}.txt"
            text = f"通知 第 {i} 号: 周五下午大扫除\n"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=40)
    args = parser.parse_args()
    archive = Archive(scratch_clone(synthetic(args.customers), "inventory"), user="基准")
    root = OUT / "inventory" / "共享盘"
    make_drive(root, archive, args.files)
    shutil.rmtree(archive.store.git_dir / "custtui" / "text", ignore_errors=True)  # every text extracted afresh

    start = time.perf_counter()
    entries = inventory.scan(archive, root)
    first = time.perf_counter() - start
    start = time.perf_counter()
    inventory.scan(archive, root)
    cached = time.perf_counter() - start
    plan = OUT / "inventory" / "盘点清单.xlsx"
    plan.unlink(missing_ok=True)
    start = time.perf_counter()
    inventory.write_plan(entries, plan, root)
    written = time.perf_counter() - start
    to_file = [e for e in entries if e.action == inventory.FILE]
    start = time.perf_counter()
    filed = 0
    for done, _, batch in inventory.apply(archive, plan):
        filed += sum(1 for r in batch if r.filed)
        if done >= 1000:
            break
    applied = time.perf_counter() - start
    sample = sorted(root.rglob("*.txt"))[: args.baseline]
    start = time.perf_counter()
    for path in sample:
        intake.propose(archive, path)
    per_file = (time.perf_counter() - start) / len(sample)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    n = len(entries)
    print(f"盘点 {n:,} 个文件, 档案 {args.customers:,} 位客户 (bench/bench_inventory.py; 基线在同一次运行中测得)")
    print(f"  盘点 (首次, 提取全部文字)      {first:7.1f} s   {n / first:6.0f} 个/秒")
    print(f"  再次盘点 (文字已缓存)          {cached:7.1f} s")
    print(f"  写出清单 XLSX                  {written:7.1f} s")
    print(f"  按清单归档前 {filed:,} 个 (每 50 个一次提交) {applied:7.1f} s   建议归档共 {len(to_file):,} 个")
    print(f"  基线: 收件箱逐个建议 ({len(sample)} 个)  {per_file * len(sample):7.1f} s → 折合 {per_file * n:,.0f} s")
    print(f"  峰值内存 {peak:.0f} MB")


if __name__ == "__main__":
    main()
