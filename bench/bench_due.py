"""``custtui due`` at scale: the due list from the listing cache, against reading every record.

    python bench/bench_due.py [--customers 100000] [--every 20]

On a bare clone sharing the synthetic archive's objects (the archive itself is not touched),
one commit gives every ``--every``-th customer a follow-up (dates around today) and turns the
公海 rule on (``pool_after_days = 60``). Then, each printed beside its baseline:

1. the due list (``followups.due``) in a new session with the listing cache at the head, the
   whole ``custtui due`` command, and the list after one more follow-up was set (the cache
   catches up from the diff), against finding the due follow-ups by parsing every
   ``customer.toml`` (one ``git cat-file --batch``);
2. the 公海 list (``followups.pool``: the listing, one ``git ls-tree`` for the last notes and
   deals, one ``git log`` for follow-ups done and reassignments).

The listing cache's cold build (once per clone) is printed as well: it is what an archive pays
once after an upgrade that changes the cache (this one adds the follow-up to it).
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_core import OUT, scratch_clone, synthetic  # noqa: E402
from custtui.core.archive.archive import Archive  # noqa: E402
from custtui.core.base.layout import CUSTOMERS_DIR  # noqa: E402
from custtui.core.index.listing import batch_read, customer_id_of  # noqa: E402
from custtui.core.records.records import dumps, loads  # noqa: E402
from custtui.core.tasks import followups  # noqa: E402

TODAY = date.today()


def source(customers: int) -> Path:
    """The shared synthetic archive of the TUI benchmarks when there is one, else bench_core's."""
    shared = OUT / "tui" / f"synth-{customers}"
    return shared if (shared / "HEAD").exists() else synthetic(customers)


def records(archive: Archive) -> list[tuple[str, str, dict]]:
    """(ID, path, record) of every customer, read and parsed: what the baseline pays."""
    head = archive.head()
    wanted = [
        (cid, path, sha)
        for path, sha in archive.store.files(head, f"{CUSTOMERS_DIR}/")
        if (cid := customer_id_of(path))
    ]
    raws = batch_read(archive.store.git_dir, [sha for _, _, sha in wanted])
    return [(cid, path, loads(raw, path)) for (cid, path, _), raw in zip(wanted, raws, strict=True)]


def give_follow_ups(archive: Archive, every: int) -> int:
    """One commit: a follow-up on every ``every``-th customer (-15 … +14 days from today) and the
    公海 rule on; returns how many customers got one."""
    order = archive.validator().field_order()
    changes: dict[str, bytes] = {}
    for i, (_, path, record) in enumerate(records(archive)):
        if i % every == 0:
            when = TODAY + timedelta(days=i // every % 30 - 15)
            record["follow_up"] = {
                "date": when,
                "action": "回访报价",
                "owner": record.get("owner", "张伟"),
                "set_by": "张伟",
            }
            changes[path] = dumps(record, order)
    rules = (archive.store.read(archive.head(), "schema/rules.toml") or b"").decode()
    if "pool_after_days" in rules:
        rules = re.sub(r"(?m)^pool_after_days = \d+$", "pool_after_days = 60", rules)
    else:  # an archive made before the rule: its defaults, but this
        rules += "\n[follow_up]\npool_after_days = 60\n"
    changes["schema/rules.toml"] = rules.encode()
    archive.store.transact(lambda head: (changes, f"跟进提醒基准: {len(changes) - 1} 位客户"), archive.identity())
    return len(changes) - 1


def timed(work, runs: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--every", type=int, default=20, help="every N-th customer gets a follow-up")
    args = parser.parse_args()
    path = scratch_clone(source(args.customers), f"due-{args.customers}")
    archive = Archive(path, user="张伟")
    given = give_follow_ups(archive, args.every)
    start = time.perf_counter()
    archive.customers()
    cold = time.perf_counter() - start
    archive.close()

    archive = Archive(path, user="张伟")  # a new session, the cache at the head
    warm, found = timed(lambda: followups.due(archive, TODAY))
    due_now = len(found)  # type: ignore[arg-type]
    archive.set_follow_up(found[0].customer_id, {"date": TODAY, "action": "再次回访"})  # type: ignore[index]
    after_edit, _ = timed(lambda: followups.due(archive, TODAY), runs=1)

    def from_records() -> int:
        return sum(
            1
            for _, _, record in records(archive)
            if isinstance(step := record.get("follow_up"), dict) and step["date"] <= TODAY
        )

    baseline, counted = timed(from_records, runs=1)
    pooled, flagged = timed(lambda: followups.pool(archive, TODAY), runs=1)
    command = [sys.executable, "-m", "custtui", "--archive", str(path), "--user", "张伟", "due"]
    whole, _ = timed(lambda: subprocess.run(command, check=True, capture_output=True), runs=1)
    print(f"{args.customers:,} customers, {given:,} with a follow-up, {due_now:,} due today or earlier")
    print(f"listing cache, cold build (once):        {cold:6.3f} s")
    print(f"custtui due, warm listing (median of 3): {warm:6.3f} s   baseline, parsing every record: {baseline:.3f} s")
    print(f"custtui due, the whole command:          {whole:6.3f} s   (a new process: imports, opening the archive)")
    print(f"custtui due after one follow-up set:     {after_edit:6.3f} s")
    print(f"custtui due --pool (公海, 60 days):      {pooled:6.3f} s   ({len(flagged):,} flagged)")  # type: ignore[arg-type]
    assert counted == due_now, f"the listing and the records disagree: {due_now} != {counted}"
    archive.close()


if __name__ == "__main__":
    main()
