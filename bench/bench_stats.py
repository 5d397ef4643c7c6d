"""``custtui stats`` (and the statistics screen's computation) at 100k customers, each against
recomputing the same numbers from every record, in the same run.

    python bench/bench_stats.py [--customers 100000] [--moves 2000]

On a bare clone of the synthetic archive bench_tui.py built (``bench/out/tui/synth-N``, only read)
with its listing cache copied, one commit dated today moves ``--moves`` 潜在客户 to 签约客户 and
gives each a transaction, so the comparison with yesterday has a past commit that differs. Timed
after the cache has followed that commit:

- now: counts by 合作阶段 (the screen's first view) and by 行业 × 阶段, from the listing cache;
- since: 阶段 × 行业 against yesterday, the listing taken back to that commit and forward again;
- amounts: with the transactions of the last 12 months and 年采购额, now and with the past date.

The baseline reads every ``customer.toml`` (and, for amounts, every deal file) at each commit it
needs through one ``git ls-tree`` and one ``git cat-file --batch``, and counts; its results must
equal the fast ones.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_core import OUT, scratch_clone  # noqa: E402
from custtui.core.archive.archive import Archive  # noqa: E402
from custtui.core.base.layout import CUSTOMERS_DIR, DEALS_DIR  # noqa: E402
from custtui.core.index.listing import batch_read, customer_id_of, parse_customer  # noqa: E402
from custtui.core.records.records import loads  # noqa: E402
from custtui.core.tasks import stats  # noqa: E402

USER = "基准"


def prepare(customers: int, moves: int) -> tuple[Archive, date]:
    """The clone with one commit of today on top; returns it and yesterday."""
    source = OUT / "tui" / f"synth-{customers}"  # built by bench_tui.py, with its listing cache
    if not (source / "custtui" / "listing.sqlite").exists():
        raise SystemExit(f"{source} has no listing cache: run bench/bench_tui.py --customers {customers} first")
    target = scratch_clone(source, "stats")
    (target / "custtui").mkdir(exist_ok=True)
    shutil.copy2(source / "custtui" / "listing.sqlite", target / "custtui" / "listing.sqlite")
    archive = Archive(target, USER)
    head = archive.head()
    potential = sorted(cid for cid, c in archive.customers(head).items() if c.get("stage") == "potential")[:moves]
    paths = {customer_id_of(p): (p, blob) for p, blob in archive.store.files(head, f"{CUSTOMERS_DIR}/")}
    chosen = [paths[cid] for cid in potential]
    today = date.today()
    changes: dict[str, bytes] = {}
    for i, ((path, _), raw) in enumerate(
        zip(chosen, batch_read(archive.store.git_dir, [b for _, b in chosen]), strict=True)
    ):
        signed = raw.replace(b'stage = "potential"', b'stage = "signed"', 1)
        assert signed != raw, path
        folder = path.rsplit("/", 1)[0]
        changes[path] = signed
        deal = f'date = {today}\namount = "{10000 + i}.00"\nproduct = "基准合同"\nby = "{USER}"\n'
        changes[f"{folder}/{DEALS_DIR}/{today:%Y%m%d}-{i:06x}.toml"] = deal.encode()
    archive.store.transact(lambda _: (changes, f"基准: {moves} 个潜在客户签约"), archive.identity())
    archive.customers()  # the cache follows the new head (not timed: the screen opens on a warm cache)
    return archive, today - timedelta(days=1)


def recount(archive: Archive, dims: tuple[str, ...], commit: str, until: date | None) -> dict:
    """Counts (and with ``until`` the 12 months' transactions and 年采购额) from every record."""
    schema = archive.schema(commit)
    files = list(archive.store.files(commit, f"{CUSTOMERS_DIR}/"))
    records = [(p, b) for p, b in files if customer_id_of(p)]
    deals = [(p, b) for p, b in files if f"/{DEALS_DIR}/" in p] if until else []
    raws = batch_read(archive.store.git_dir, [b for _, b in records + deals])
    groups: dict[str, tuple[str, ...]] = {}
    purchase: dict[tuple[str, ...], Decimal] = defaultdict(Decimal)
    for (path, _), raw in zip(records, raws, strict=False):  # the records first; the deals follow in ``raws``
        record = parse_customer(raw, path)
        key = groups[record["id"]] = tuple(stats.value_label(schema, d, record.get(d)) for d in dims)
        purchase[key] += Decimal(str(record.get("annual_purchase") or 0))
    sums: dict[tuple[str, ...], Decimal] = defaultdict(Decimal)
    start = until - timedelta(days=schema.rules["routines"]["value_window_days"]) if until else None
    for (path, _), raw in zip(deals, raws, strict=True):
        deal = loads(raw, path)
        if start < deal["date"] <= until:  # type: ignore[operator]
            sums[groups[path.split("/")[3]]] += Decimal(str(deal["amount"]))
    return {"counts": Counter(groups.values()), "groups": groups, "deals": dict(sums), "purchase": dict(purchase)}


def timed(work):
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def bench(customers: int, moves: int) -> dict:
    archive, yesterday = prepare(customers, moves)
    head, then = archive.head(), stats.commit_on(archive, yesterday)
    assert then and then != head
    out: dict = {"customers": customers, "moves": moves, "load_before": os.getloadavg()[0]}
    two, one = ("industry", "stage"), ("stage",)

    out["stage_s"], found = timed(lambda: stats.stats(archive, ["阶段"]))
    out["two_s"], both = timed(lambda: stats.stats(archive, list(two)))
    out["baseline_two_s"], slow = timed(lambda: recount(archive, two, head, None))
    assert both.counts == slow["counts"] and sum(found.counts.values()) == sum(slow["counts"].values())

    pair = ("stage", "industry")
    out["since_s"], past = timed(lambda: stats.stats(archive, list(pair), since=yesterday))

    def baseline_since():
        now, before = recount(archive, pair, head, None), recount(archive, pair, then, None)
        moved = Counter((before["groups"][c][0], k[0]) for c, k in now["groups"].items() if c in before["groups"])
        return before["counts"], Counter({m: n for m, n in moved.items() if m[0] != m[1]})

    out["baseline_since_s"], (before, moved) = timed(baseline_since)
    assert past.change and past.change.before == before and past.change.moves == moved
    out["moved"] = sum(moved.values())

    today = date.today()
    out["amounts_s"], money = timed(lambda: stats.stats(archive, ["阶段"], amounts=True, today=today))
    out["baseline_amounts_s"], slow = timed(lambda: recount(archive, one, head, today))
    assert money.deals == slow["deals"] and money.amounts == slow["purchase"]
    out["amounts_since_s"], both_money = timed(
        lambda: stats.stats(archive, ["阶段"], since=yesterday, amounts=True, today=today)
    )
    out["baseline_amounts_since_s"], (slow, slow_then) = timed(
        lambda: (recount(archive, one, head, today), recount(archive, one, then, yesterday))
    )
    assert both_money.change and both_money.change.deals == slow_then["deals"]
    out["deals_12_months"] = str(sum(money.deals.values()))  # type: ignore[union-attr]
    out["load_after"] = os.getloadavg()[0]
    archive.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=100000)
    parser.add_argument("--moves", type=int, default=2000)
    args = parser.parse_args()
    result = bench(args.customers, args.moves)
    (OUT / f"stats-{args.customers}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
