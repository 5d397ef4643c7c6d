"""TUI benchmarks, each against the naive Textual screen measured in the same run.

    python bench/bench_tui.py [--customers 10000 100000] [--moves 20] [--queries 8]

The real app (``CusttuiApp``) is driven with Pilot (``app.run_test``) on a synthetic archive
(``bench/synth.py``) whose listing cache is warm, and timed with ``perf_counter`` around the
user's actions:

1. start → usable tree: from creating the app to the listing loaded and the tree shown;
2. picking a tree node (the table shows its customers) and expanding it (``ClassTree``);
3. switching the selected customer: ↓ in ``CustomerTable`` until the pane shows the profile;
4. first search results after the last keystroke (debounce included), when the archive has a
   search index (built once for ≤ 20,000 customers; at 100k the index of ``bench/out/scratch/search``
   from ``bench_search.py`` is reused when it is there);
5. peak RSS of the process (``resource.getrusage``).

The baseline is what the issue calls naive: Textual's ``DataTable`` filled with every customer and
a plain ``Tree`` with every customer as a leaf under its customer type, fed from the same warm
listing. Each side runs in its own child process, so the peak RSS of one does not hide the other's.
Results are printed and written to ``bench/out/tui-results.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_core import OUT, pct, synthetic
from custtui.core.archive.archive import Archive

SIZE = (160, 45)
SEARCH_BUILD_LIMIT = 20_000  # above this, building the index takes too long for a benchmark run
USER = "基准"


# --- archives ----------------------------------------------------------------------------


def clone(source: Path, target: Path) -> Path:
    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "clone", "-q", "--shared", "--bare", str(source), str(target)], check=True)
    subprocess.run(["git", "-C", str(target), "config", "custtui.office", "BJ"], check=True)
    subprocess.run(["git", "-C", str(target), "config", "gc.auto", "0"], check=True)
    return target


def search_ready(path: Path) -> bool:
    state = path / "custtui" / "search" / "state.json"
    if not state.exists():
        return False
    head = subprocess.run(
        ["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return json.loads(state.read_text()).get("commit") == head


def prepare(customers: int, search: bool = True, source: Path | None = None) -> tuple[Path, bool]:
    """A bench archive of ``customers`` with a warm listing cache (and a search index when it can
    have one), kept in ``bench/out/tui/`` between runs. Returns (path, has a search index)."""
    target = OUT / "tui" / f"synth-{customers}"
    if (target / "HEAD").exists() and (target / "custtui" / "listing.sqlite").exists():
        return target, search_ready(target)
    reuse = OUT / "scratch" / "search"
    if (
        source is None
        and search
        and customers > SEARCH_BUILD_LIMIT
        and search_ready(reuse)
        and len(Archive(reuse).customers()) == customers
    ):
        # bench_search.py's indexed archive: clone it and copy its index instead of building one
        clone(reuse, target)
        shutil.copytree(reuse / "custtui" / "search", target / "custtui" / "search")
    else:
        clone(source or synthetic(customers), target)
    archive = Archive(target)
    started = time.perf_counter()
    assert len(archive.customers()) == customers
    print(f"listing cache of {target.name}: {time.perf_counter() - started:.1f}s", file=sys.stderr)
    if search and customers <= SEARCH_BUILD_LIMIT and not search_ready(target):
        started = time.perf_counter()
        archive.search_index().ensure()
        print(f"search index of {target.name}: {time.perf_counter() - started:.1f}s", file=sys.stderr)
    archive.close()
    return target, search_ready(target)


# --- measuring ---------------------------------------------------------------------------


async def until(condition: Callable[[], bool], timeout: float = 600.0, step: float = 0.002) -> None:
    """Poll ``condition`` on the app's event loop (Pilot's own pause waits ≥ 20 ms for the CPU to go
    idle, which would swamp the numbers: the timed sections never use it)."""
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(step)


def key(app, name: str, character: str | None = None) -> None:
    """A keystroke as the terminal driver delivers it (what ``Pilot.press`` sends, without its waits)."""
    from textual import events

    event = events.Key(name, character)
    event.set_sender(app)
    app._driver.send_message(event)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def summary(values: list[float]) -> dict:
    return {"median_ms": statistics.median(values) * 1000, "p95_ms": pct(values, 95) * 1000, "n": len(values)}


async def measure_custtui(path: Path, moves: int, queries: int, search: bool) -> dict:
    from custtui.tui.app import CusttuiApp
    from custtui.tui.config import Config
    from custtui.tui.screens.main import MainScreen
    from custtui.tui.widgets.class_tree import ClassTree
    from custtui.tui.widgets.customer_pane import CustomerPane
    from custtui.tui.widgets.customer_table import CustomerTable

    result: dict = {"variant": "custtui"}
    with tempfile.TemporaryDirectory() as tmp:
        config = Config(Path(tmp) / "config.toml", export_dir=Path(tmp) / "export")
        started = time.perf_counter()
        app = CusttuiApp(path, USER, config)
        async with app.run_test(size=SIZE) as pilot:

            def main() -> MainScreen | None:
                return app.screen if isinstance(app.screen, MainScreen) else None

            await until(
                lambda: (
                    main() is not None
                    and main().classification is not None
                    and bool(main().query_one(ClassTree).root.children)
                )
            )
            result["start_to_tree_s"] = time.perf_counter() - started
            screen = main()
            pane, tree, table = (
                screen.query_one(CustomerPane),
                screen.query_one(ClassTree),
                screen.query_one(CustomerTable),
            )
            await until(lambda: pane.profile is not None)
            result["start_to_first_profile_s"] = time.perf_counter() - started
            await app.workers.wait_for_complete()

            # the biggest node of each of the first two levels: pick it (table refills), expand it
            picks, expands, node = [], [], tree.root
            for _ in range(2):
                candidates = [c for c in node.children if c.allow_expand]
                if not candidates:
                    break
                node = max(candidates, key=lambda c: len(screen.classification.members(c.data)))
                tree.focus()
                await pilot.pause()
                began = time.perf_counter()
                tree.move_cursor(node)
                await until(lambda node=node: screen.path == node.data)
                picks.append(time.perf_counter() - began)
                await app.workers.wait_for_complete()
                await pilot.pause()
                lines = tree.virtual_size.height
                began = time.perf_counter()
                key(app, "space", " ")
                await until(
                    lambda node=node, lines=lines: (
                        node.is_expanded
                        and bool(node.children)
                        and tree.virtual_size.height >= lines + len(node.children)
                    )
                )
                expands.append(time.perf_counter() - began)
                await pilot.pause()
            result["pick_node"] = summary(picks)
            result["pick_node_members"] = len(screen.classification.members(node.data))
            result["expand_node"] = summary(expands)

            # back to 全部客户; ↓ through the table, each time until the pane shows the customer
            tree.move_cursor(tree.root)
            await until(lambda: screen.path == ())
            await app.workers.wait_for_complete()
            table.focus()
            await pilot.pause()
            switches = []
            for _ in range(moves):
                wanted = table.rows[table.cursor + 1].get("id")
                began = time.perf_counter()
                key(app, "down")
                await until(lambda wanted=wanted: pane.profile is not None and pane.profile.customer_id == wanted)
                switches.append(time.perf_counter() - began)
                await pilot.pause(0.05)  # a person reads the profile before the next ↓
            result["switch_customer"] = summary(switches)

            result["peak_rss_before_search_mb"] = peak_rss_mb()
            if search:
                result["search"] = await measure_search(app, pilot, screen, queries)
        result["peak_rss_mb"] = peak_rss_mb()
    return result


def search_terms(archive: Archive, count: int) -> list[str]:
    """What people type: a trade name (2 characters of a company name), a surname + given name,
    a city + trade name, an ID."""
    rng = random.Random(5)
    listing = archive.customers()
    names = [s.get("name") for s in listing.values()]
    companies = [n for n in names if n.endswith("公司")]
    people = [n for n in names if not n.endswith("公司")]
    terms = []
    for i in range(count):
        kind = i % 4
        if kind == 0 and companies:
            terms.append(rng.choice(companies)[2:4])  # the trade name after the city
        elif kind == 1 and people:
            terms.append(rng.choice(people))
        elif kind == 2 and companies:
            terms.append(rng.choice(companies)[:6])
        else:
            terms.append(rng.choice(sorted(listing)))
    return terms


async def measure_search(app, pilot, main, queries: int) -> dict:
    from textual.widgets import Input

    from custtui.tui.screens.search import SearchScreen

    terms = search_terms(app.archive, queries)
    began = time.perf_counter()
    await pilot.press("slash")
    await until(lambda: isinstance(app.screen, SearchScreen))
    screen = app.screen
    await app.workers.wait_for_complete()  # the index opened
    opened = time.perf_counter() - began
    times, found = [], 0
    field = screen.query_one(Input)
    for term in terms:
        field.value = ""
        await until(lambda: screen.shown_query is None or not screen.text)
        await pilot.pause()
        for character in term[:-1]:
            key(app, character, character)
            await asyncio.sleep(0.08)  # a fast typist
        last_key = time.perf_counter()
        key(app, term[-1], term[-1])
        await until(lambda term=term: screen.shown_query == term, timeout=120)
        times.append(time.perf_counter() - last_key)
        found += bool(screen.hits)
    await pilot.press("escape")
    return {**summary(times), "open_s": opened, "found": found, "terms": terms}


async def measure_naive(path: Path) -> dict:
    """Textual's own widgets fed with everything at once."""
    from textual.app import App, ComposeResult
    from textual.containers import Horizontal
    from textual.widgets import DataTable, Tree

    from custtui.core.index.listing import Summary

    columns = ("id", "name", "stage", "status", "industry", "region", "owner")
    result: dict = {"variant": "naive"}
    timings: dict[str, float] = {}

    class Naive(App):
        def compose(self) -> ComposeResult:
            with Horizontal():
                yield Tree("全部客户", id="tree")
                yield DataTable(id="table", cursor_type="row")

        def on_mount(self) -> None:
            archive = Archive(path)
            began = time.perf_counter()
            listing: dict[str, Summary] = archive.customers()
            timings["listing_s"] = time.perf_counter() - began
            archive.close()
            rows = [tuple(str(s.get(key, "")) for key in columns) for s in listing.values()]
            table = self.query_one(DataTable)
            began = time.perf_counter()
            table.add_columns(*columns)
            table.add_rows(rows)
            timings["table_add_rows_s"] = time.perf_counter() - began
            tree = self.query_one(Tree)
            began = time.perf_counter()
            groups: dict[str, list[str]] = {}
            for s in listing.values():
                groups.setdefault(s.get("type", ""), []).append(f"{s.get('id')} {s.get('name')}")
            for kind, leaves in sorted(groups.items(), key=lambda item: -len(item[1])):
                branch = tree.root.add(f"{kind} {len(leaves)}")
                for leaf in leaves:
                    branch.add_leaf(leaf)
            tree.root.expand()
            timings["tree_add_leaves_s"] = time.perf_counter() - began
            self.rows = len(rows)

    started = time.perf_counter()
    app = Naive()
    async with app.run_test(size=SIZE) as pilot:
        tree, table = app.query_one(Tree), app.query_one(DataTable)
        # usable: every row measured by the table, the tree's lines built
        await until(
            lambda: (
                "tree_add_leaves_s" in timings
                and table.virtual_size.height >= app.rows
                and tree.virtual_size.height >= len(tree.root.children) + 1
            )
        )
        result["start_to_tree_s"] = time.perf_counter() - started
        result.update(timings)
        biggest = tree.root.children[0]
        tree.focus()
        tree.move_cursor(biggest)
        await pilot.pause()
        began = time.perf_counter()
        key(app, "space", " ")
        await until(lambda: biggest.is_expanded and tree.virtual_size.height >= len(biggest.children))
        result["expand_node"] = summary([time.perf_counter() - began])
        result["expand_node_leaves"] = len(biggest.children)
        table.focus()
        await pilot.pause()
        moves = []
        for _ in range(10):
            row = table.cursor_row
            began = time.perf_counter()
            key(app, "down")
            await until(lambda row=row: table.cursor_row == row + 1)
            moves.append(time.perf_counter() - began)
            await pilot.pause(0.05)
        result["cursor_move"] = summary(moves)
    result["peak_rss_mb"] = peak_rss_mb()
    return result


# --- running -----------------------------------------------------------------------------


def child(variant: str, path: Path, moves: int, queries: int, search: bool) -> dict:
    """Run one variant in a fresh process (its own peak RSS) and return its numbers."""
    args = [
        sys.executable,
        __file__,
        "--child",
        variant,
        "--archive",
        str(path),
        "--moves",
        str(moves),
        "--queries",
        str(queries),
    ] + (["--child-search"] if search else [])
    proc = subprocess.run(args, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{variant} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(
    customers: int,
    moves: int = 20,
    queries: int = 8,
    search: bool = True,
    source: Path | None = None,
    in_process: bool = False,
) -> dict:
    """Both variants at one size; ``in_process`` (for the smoke test) skips the child processes,
    so the peak RSS is then the larger of the two."""
    path, has_index = prepare(customers, search, source)
    if in_process:
        ours = asyncio.run(measure_custtui(path, moves, queries, search and has_index))
        naive = asyncio.run(measure_naive(path))
    else:
        ours = child("custtui", path, moves, queries, search and has_index)
        naive = child("naive", path, moves, queries, False)
    return {"customers": customers, "search_index": has_index, "custtui": ours, "naive": naive}


def report(results: list[dict]) -> str:
    def ms(value: float | None) -> str:
        return "—" if value is None else f"{value * 1000:,.0f} ms" if value < 10 else f"{value:,.1f} s"

    lines = ["", f"{'':38}" + "".join(f"{r['customers']:>14,} 客户 (custtui | 基线)" for r in results)]

    def row(label: str, ours: Callable[[dict], float | None], theirs: Callable[[dict], float | None]) -> None:
        cells = []
        for r in results:

            def safe(get, side, r=r):
                try:
                    return get(r[side])
                except (KeyError, TypeError):
                    return None

            cells.append(f"{ms(safe(ours, 'custtui')):>14} | {ms(safe(theirs, 'naive')):<14}")
        lines.append(f"{label:38}" + "    ".join(cells))

    row("启动 → 分类树可用 (热缓存)", lambda c: c["start_to_tree_s"], lambda n: n["start_to_tree_s"])
    row("启动 → 第一位客户详情", lambda c: c["start_to_first_profile_s"], lambda n: None)
    row("  基线: DataTable 填入全部行", lambda c: None, lambda n: n["table_add_rows_s"])
    row("  基线: Tree 加入全部客户叶子", lambda c: None, lambda n: n["tree_add_leaves_s"])
    row("选中最大的树节点 (表格换成其客户)", lambda c: c["pick_node"]["median_ms"] / 1000, lambda n: None)
    row(
        "展开树节点 (中位数)",
        lambda c: c["expand_node"]["median_ms"] / 1000,
        lambda n: n["expand_node"]["median_ms"] / 1000,
    )
    row(
        "切换客户 ↓ → 详情显示 (中位数)",
        lambda c: c["switch_customer"]["median_ms"] / 1000,
        lambda n: n["cursor_move"]["median_ms"] / 1000,
    )
    row("切换客户 (p95)", lambda c: c["switch_customer"]["p95_ms"] / 1000, lambda n: n["cursor_move"]["p95_ms"] / 1000)
    row("最后一次按键 → 搜索结果 (中位数)", lambda c: c["search"]["median_ms"] / 1000, lambda n: None)
    row("最后一次按键 → 搜索结果 (p95)", lambda c: c["search"]["p95_ms"] / 1000, lambda n: None)
    lines.append(
        f"{'峰值内存 (RSS), 搜索前':38}"
        + "    ".join(
            f"{r['custtui'].get('peak_rss_before_search_mb', 0):>11,.0f} MB | {r['naive']['peak_rss_mb']:,.0f} MB{'':8}"
            for r in results
        )
    )
    lines.append(
        f"{'峰值内存 (RSS), 含搜索':38}"
        + "    ".join(f"{r['custtui']['peak_rss_mb']:>11,.0f} MB | {'':16}" for r in results)
    )
    lines.append("(基线的切换 = DataTable 光标下移, 不读取客户详情; 搜索时间含输入防抖 (0.08 s))")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--moves", type=int, default=20)
    parser.add_argument("--queries", type=int, default=8)
    parser.add_argument("--no-search", dest="search", action="store_false")
    parser.add_argument("--child", choices=["custtui", "naive"], help=argparse.SUPPRESS)
    parser.add_argument("--archive", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-search", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        coroutine = (
            measure_custtui(args.archive, args.moves, args.queries, args.child_search)
            if args.child == "custtui"
            else measure_naive(args.archive)
        )
        print(json.dumps(asyncio.run(coroutine), ensure_ascii=False))
        return
    results = []
    for n in args.customers:
        results.append(run(n, args.moves, args.queries, args.search))
        print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    OUT.mkdir(exist_ok=True)
    (OUT / "tui-results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(report(results))


if __name__ == "__main__":
    main()
