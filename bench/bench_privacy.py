"""Encryption (加密保存) at scale: what sealing costs, each figure beside the plaintext archive's.

    python bench/bench_privacy.py [--customers 100000] [--runs 5] [--reuse]

Two bare clones share the synthetic archive's objects (the archive itself is not touched) and get
the same staff: an admin (管理员) and a manager (管理层, who may erase). On the sealed clone the
manager gets a key at this copy (``keys.new_identity``), ``[privacy] enabled = true`` is committed,
and every customer record, communication record and document is sealed in ONE commit through the
writers' own code (``privacy.seal.seal_changes``, the key store saved before the commit): what
turning encryption on for an existing archive costs. A sample of records is checked: its raw blob
holds no phone number of the plaintext record, and ``Archive.customer`` opens it to the plaintext
record. Then, sealed beside plain, as the manager:

1. one edit (``Archive.update_customer``) of a plain field and of a sealed one (address), median
   of ``--runs``: the commit, the search index's catch-up and the listing's;
2. the listing's cold build (``archive.customers()`` with the cache removed, a new session);
3. the full search index build from nothing (index and extracted-text cache removed);
4. ``custtui show ID`` as a whole process, median of ``--runs``;
5. erasing one customer (``Archive.erase``) with the upkeep it runs (``pack(prune=True,
   rewrite_index=False)``: reflogs expired, git repacked and pruned, the listing and text caches
   purged), printed in parts, against that upkeep alone on the plain clone; then the full
   ``custtui pack`` (``pack(prune=True)``, which also rewrites the search index: Whoosh's
   ``optimize``) on both.

``--reuse`` measures the erasure and the packs again on the clones the last run left.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import bench_core  # noqa: E402
from bench.bench_core import scratch_clone, synthetic  # noqa: E402
from custtui.core.archive import keys  # noqa: E402
from custtui.core.archive.archive import Archive  # noqa: E402
from custtui.core.archive.staff import add_person  # noqa: E402
from custtui.core.base.layout import CUSTOMERS_DIR, Kind, place  # noqa: E402
from custtui.core.index.listing import batch_read  # noqa: E402
from custtui.core.privacy.seal import seal_changes  # noqa: E402
from custtui.core.records.records import customer_dir, format_id  # noqa: E402
from custtui.core.vault import crypto  # noqa: E402

ADMIN, MANAGER = "jizhun", "wangfang"
SEALED_KINDS = (Kind.CUSTOMER, Kind.NOTE, Kind.DOCUMENT)
MOBILE = re.compile(rb"1[3-9]\d{9}")


def staffed(path: Path) -> Archive:
    """The archive at ``path`` with an admin and a manager registered; opened as the manager."""
    add_person(Archive(path, user="基准"), ADMIN, "基准", "管理员")
    add_person(Archive(path, user=ADMIN), MANAGER, "王芳", "管理层")
    return Archive(path, user=MANAGER)


def enable_privacy(path: Path) -> None:
    """As the admin: the manager's key at this copy, then ``[privacy] enabled = true`` in one
    policy commit."""
    archive = Archive(path, user=ADMIN)
    keys.new_identity(archive, MANAGER)
    policy = (archive.store.read(archive.head(), "schema/policy.toml") or b"").decode()
    policy = policy.replace("enabled = false", "enabled = true", 1)
    archive.store.transact(lambda head: ({"schema/policy.toml": policy.encode()}, "启用加密保存"), archive.identity())
    archive.close()


def seal_everything(archive: Archive) -> dict[str, float]:
    """Seal every customer record, communication record and document in one commit, as a writer
    would (``seal_changes``, then the key store, then the commit), and pack the new objects.
    Returns the seconds of each step and how many files were sealed."""
    store, head = archive.store, archive.head()
    started = time.perf_counter()
    wanted = [(path, sha) for path, sha in store.files(head, f"{CUSTOMERS_DIR}/") if _sealable(path)]
    changes: dict = dict(zip([p for p, _ in wanted], batch_read(store.git_dir, [s for _, s in wanted]), strict=True))
    read = time.perf_counter()
    keyring = archive.keyring
    keyring.reload()
    seal_changes(store, head, changes, keyring, archive.policy(head), archive.registry(head), MANAGER)
    sealed = time.perf_counter()
    keyring.save(archive.identity(), "密钥库更新: 加密保存全部客户")
    message = f"加密保存: {len(changes):,} 个文件"
    store.transact(lambda head: (changes, message), archive.identity())
    committed = time.perf_counter()
    archive.pack()
    return {
        "files": len(changes),
        "read_s": read - started,
        "seal_s": sealed - read,
        "commit_s": committed - sealed,
        "pack_s": time.perf_counter() - committed,
    }


def _sealable(path: str) -> bool:
    where = place(path)
    return where is not None and where.customer is not None and where.kind in SEALED_KINDS


def check_sealed(plain: Archive, sealed: Archive, sample: list[str]) -> None:
    """Each sampled record's raw blob holds none of its plaintext mobiles and opens to the plain
    record; its documents are envelopes."""
    for cid in sample:
        folder = customer_dir(cid)
        path = f"{folder}/customer.toml"
        mobiles = set(MOBILE.findall(plain.store.read(plain.head(), path) or b""))
        raw = sealed.store.read(sealed.head(), path) or b""
        assert b"sealed" in raw and not any(m in raw for m in mobiles), f"{cid} is not sealed"
        assert sealed.customer(cid) == plain.customer(cid), f"{cid} does not open to its plaintext"
        documents = [sha for name, sha in sealed.store.files(sealed.head(), f"{folder}/docs/") if _sealable(name)]
        assert all(crypto.is_sealed(sealed.store.read_blob(sha)) for sha in documents), (
            f"{cid}: a document in plaintext"
        )


def seconds(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def median_of(runs: int, work: Callable[[int], object]) -> float:
    return statistics.median(seconds(partial(work, i)) for i in range(runs))


def cold_listing(path: Path) -> float:
    for stale in (path / "custtui").glob("listing.sqlite*"):
        stale.unlink()
    archive = Archive(path, user=MANAGER)
    spent = seconds(archive.customers)
    archive.close()
    return spent


def index_build(path: Path) -> float:
    for folder in ("search", "text"):
        shutil.rmtree(path / "custtui" / folder, ignore_errors=True)
    archive = Archive(path, user=MANAGER)
    spent = seconds(archive.search_index().rebuild)
    archive.close()
    return spent


def edit(archive: Archive, picks: list[str], fields: Callable[[int], dict], offset: int) -> Callable[[int], object]:
    """One committed edit and the listing's catch-up, as a writer and its next list see them."""

    def work(i: int) -> None:
        archive.update_customer(picks[offset + i], fields(offset + i))
        archive.customers()

    return work


def show(path: Path, cid: str) -> Callable[[int], object]:
    command = [sys.executable, "-m", "custtui", "--archive", str(path), "--user", MANAGER, "show", cid]
    return lambda i: subprocess.run(command, check=True, capture_output=True)


def upkeep(archive: Archive, run: Callable[[], object]) -> dict[str, float]:
    """``run`` timed in parts: ``pack`` and, within it, the purge of the caches."""
    spent: dict[str, float] = {}
    pack, purge = archive.pack, archive.purge_caches

    def timed_pack(*args, **kwargs) -> None:
        spent["pack_s"] = seconds(lambda: pack(*args, **kwargs))

    def timed_purge(*args, **kwargs) -> None:
        spent["purge_s"] = seconds(lambda: purge(*args, **kwargs))

    archive.pack, archive.purge_caches = timed_pack, timed_purge  # type: ignore[method-assign]
    try:
        spent["total_s"] = seconds(run)
    finally:
        archive.pack, archive.purge_caches = pack, purge  # type: ignore[method-assign]
    return spent


def full_pack(archive: Archive) -> dict[str, float]:
    """``custtui pack``: prune and purge, the search index's files rewritten."""
    return upkeep(archive, lambda: archive.pack(prune=True))


def bench_erasure(paths: dict[str, Path], picks: list[str], out=print) -> dict:
    """Erase the last of ``picks`` not yet erased on the sealed clone, its upkeep beside the same
    upkeep on the plain one, then ``custtui pack`` on both."""
    plain, sealed = Archive(paths["plain"], user=MANAGER), Archive(paths["sealed"], user=MANAGER)
    cid = next(c for c in reversed(picks) if sealed.store.entry(sealed.head(), f"erasures/{c}.toml") is None)
    erased = upkeep(sealed, lambda: sealed.erase([cid], "《个人信息保护法》第四十七条: 基准测试"))
    assert sealed.store.read(sealed.head(), f"erasures/{cid}.toml"), "no tombstone"
    purging = "    of which purging the caches:"
    for label, spent in (
        ("erase one customer, in all:", erased["total_s"]),
        ("  the commit, the key store, the access log:", erased["total_s"] - erased["pack_s"]),
        ("  its upkeep (prune; listing, texts):", erased["pack_s"]),
        (purging, erased["purge_s"]),
    ):
        out(f"{label:<44} {spent:8.3f} s")  # printed before the baselines, which take as long
    upkept = upkeep(plain, lambda: plain.pack(prune=True, rewrite_index=False))
    out(f"{'plain: the same upkeep alone:':<44} {upkept['pack_s']:8.3f} s")
    out(f"{purging:<44} {upkept['purge_s']:8.3f} s")
    packed = {kind: full_pack(archive) for kind, archive in (("sealed", sealed), ("plain", plain))}
    _row(out, "custtui pack (rewrites the search index)", {kind: spent["pack_s"] for kind, spent in packed.items()})
    _row(out, purging.rstrip(":"), {kind: spent["purge_s"] for kind, spent in packed.items()})
    for archive in (plain, sealed):
        archive.close()
    return {"sealed": erased, "plain": upkept, "custtui_pack": packed}


def choices(customers: int, runs: int) -> list[str]:
    rng = random.Random(16)
    return [format_id("BJ", rng.randrange(1, customers + 1)) for _ in range(4 * runs + 2)]


def clones(customers: int) -> dict[str, Path]:
    return {name: bench_core.OUT / "scratch" / f"privacy-{name}-{customers}" for name in ("plain", "sealed")}


def bench(customers: int, runs: int, out=print) -> dict:
    picks, paths = choices(customers, runs), clones(customers)
    for path in paths.values():
        scratch_clone(synthetic(customers), path.name)
    plain, sealed = staffed(paths["plain"]), staffed(paths["sealed"])
    enable_privacy(paths["sealed"])
    made = seal_everything(sealed)
    sealing = made["read_s"] + made["seal_s"] + made["commit_s"]
    check_sealed(plain, sealed, picks[:20])
    out(f"{customers:,} customers; sealed clone beside the plain one in the same run")
    out(
        f"turning encryption on: {made['files']:,} files sealed in one commit in {sealing:.1f} s "
        f"({customers / sealing:,.0f} customers/s): read {made['read_s']:.1f} s, seal {made['seal_s']:.1f} s, "
        f"key store + commit {made['commit_s']:.1f} s; then packing them {made['pack_s']:.1f} s"
    )
    result: dict = {"customers": customers, "sealing": made}
    for name, measure in (("listing_cold_s", cold_listing), ("index_build_s", index_build)):
        result[name] = {kind: measure(paths[kind]) for kind in ("sealed", "plain")}
        label = "listing, cold build" if name == "listing_cold_s" else "search index, full build"
        _row(out, label, result[name])
    plain, sealed = Archive(paths["plain"], user=MANAGER), Archive(paths["sealed"], user=MANAGER)
    both = {"plain": plain, "sealed": sealed}
    for archive in both.values():  # warm-up: opens the listing and search index once
        edit(archive, picks, lambda i: {"remark": "预热"}, 4 * runs)(0)
    for name, label, fields, offset in (
        ("edit_plain_field_s", "remark", lambda i: {"remark": f"基准备注 {i}"}, 0),
        ("edit_sealed_field_s", "address (sealed)", lambda i: {"address": f"北京市朝阳区建国路{i}号"}, runs),
    ):
        result[name] = {kind: median_of(runs, edit(a, picks, fields, offset)) for kind, a in both.items()}
        _row(out, f"one edit of {label}, median of {runs}", result[name])
    result["show_s"] = {kind: median_of(runs, show(paths[kind], picks[2 * runs + 1])) for kind in both}
    _row(out, f"custtui show ID, a process, median of {runs}", result["show_s"])
    for archive in both.values():
        archive.close()
    result["erase"] = bench_erasure(paths, picks, out)
    return result


def _row(out, label: str, pair: dict[str, float]) -> None:
    ratio = pair["sealed"] / pair["plain"]
    out(f"{label + ':':<44} {pair['sealed']:8.3f} s   plain: {pair['plain']:.3f} s ({ratio:.2f}×)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5, help="edits and show processes per median")
    parser.add_argument("--reuse", action="store_true", help="only the erasure and packs, on the last run's clones")
    args = parser.parse_args()
    out = lambda line: print(line, flush=True)  # noqa: E731
    if args.reuse:
        bench_erasure(clones(args.customers), choices(args.customers, args.runs), out)
    else:
        bench(args.customers, args.runs, out)


if __name__ == "__main__":
    main()
