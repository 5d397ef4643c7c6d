"""The command line end to end, as a script or an SSH session waits for it: process start to output.

    python bench/bench_cli.py [--customers 10000 100000] [--runs 20] [--custtui CMD] [--compare CMD] [--source ARCHIVE]

At each size, on a scratch bare clone of bench_tui's synthetic archive (``bench/out/tui/synth-N``;
its listing cache and search index copied, so nothing is written to the kept archive), in rounds
so that a drift of the machine's speed reaches every command alike:

- ``custtui show ID`` of a random customer, beside ``git cat-file -p HEAD:…/customer.toml`` of the
  same customer;
- ``custtui search Q`` for what people type (a trade name, its pinyin, a phone's last four digits,
  an ID), beside ``git grep -F Q HEAD`` (the same text, every file at the head);
- the same search first right after the index's files were dropped from the page cache, as the
  first query of a morning finds them;
- ``custtui set ID grade=…``: one commit, and the search index caught up with it before the
  process ends;
- each of the three both through the person's resident process (``custtui/cli/resident.py``, started by
  the warm-up round, as by a person's first command; rows ``show``, ``search``, ``set``) and with
  ``CUSTTUI_RESIDENT=0``, a process that imports everything itself (rows ``… 每次启动``);
- the floor: ``python -c pass`` with the interpreter the timed custtui runs on;
- with ``--compare 'env PYTHONPATH=OLD python -m custtui'``: another build of custtui, its show,
  search and set in the same rounds (another customer changed), so a before/after holds on a
  machine whose load drifts.

Each figure is the wall time from starting the process to its end with all its output read, and
the CPU seconds the process and its children used (``RUSAGE_CHILDREN``). Results are printed and
written to ``bench/out/cli-results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_core import OUT, pct  # noqa: E402
from bench.bench_tui import SEARCH_BUILD_LIMIT, clone, pad, prepare, search_ready  # noqa: E402
from custtui.core.archive.archive import Archive  # noqa: E402
from custtui.core.base.layout import CUSTOMER_FILE  # noqa: E402
from custtui.core.records.records import customer_dir  # noqa: E402

USER = ["基准"]  # --user: who acts (an archive with a staff registry needs one who may edit)
GOALS = {"show": 0.12, "search": 0.2, "set": 0.25}  # seconds at 100k customers, issue 13 item 8
GREP_RUNS_ABOVE_20K = 5  # git grep reads every blob at the head: ~10 s a run at 100k customers
ROWS = ["python", "git", "show", "search", "set"]  # the report's order
ALONE = " 每次启动"  # rows of commands run with CUSTTUI_RESIDENT=0
CUSTTUI = [str(Path(sys.executable).with_name("custtui"))]  # --custtui: another build of it
COMPARE: list[str] = []  # --compare: a second build timed in the same rounds
COMPARED = "对照"


# --- archives and what is typed ------------------------------------------------------------


def scratch(source: Path, target: Path) -> Path:
    """A bare clone sharing ``source``'s objects, with copies of its listing cache, search index and
    text cache (which keeps the characters' pinyin readings an edit re-indexes with)."""
    clone(source, target)
    (target / "custtui").mkdir(exist_ok=True)
    for name in ("listing.sqlite", "search", "text"):
        found = source / "custtui" / name
        if found.is_dir():
            shutil.copytree(found, target / "custtui" / name)
        elif found.exists():
            shutil.copy2(found, target / "custtui" / name)
    return target


def jobs(path: Path, runs: int, seed: int = 3) -> dict[str, list]:
    """Per round: a customer to show, a query of each kind, a customer to change (and its new grade)."""
    from pypinyin import lazy_pinyin

    rng = random.Random(seed)
    archive = Archive(path, USER[0])
    listing = archive.customers()
    ids = sorted(listing)
    companies = [cid for cid in ids if str(listing[cid].get("name", "")).endswith("公司")] or ids
    shown = [rng.choice(ids) for _ in range(runs)]
    queries = []
    for i in range(runs):
        cid = rng.choice(companies)
        record = archive.customer(cid)
        trade = record["name"][2:4]
        phones = [p for c in record.get("contacts", []) for p in c.get("phones", []) if p[-4:].isdigit()]
        kinds = [("名称片段", trade), ("拼音", "".join(lazy_pinyin(trade))), ("编号", cid)]
        if phones:
            kinds.append(("电话后四位", phones[0][-4:]))
        queries.append(kinds[i % len(kinds)])
    changed = []
    for cid in rng.sample(ids, min(len(ids), 2 * runs)):  # the second half for --compare's build
        grade = archive.customer(cid).get("grade")
        changed.append((cid, "normal" if grade == "vip" else "vip"))
    archive.close()
    return {"show": shown, "search": queries, "set": changed}


# --- timing ----------------------------------------------------------------------------------


def timed(argv: list[str], cwd: Path, env: dict[str, str], resident_pid: int = 0) -> tuple[float, float, int, str]:
    """(wall seconds, CPU seconds of the process and its children, exit code, stdout); with
    ``resident_pid``, the CPU of the resident's child that ran the command too."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    forked = children_cpu(resident_pid)
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu + children_cpu(resident_pid) - forked, done.returncode, done.stdout + done.stderr


def children_cpu(pid: int) -> float:
    """CPU seconds of the children ``pid`` has reaped (``/proc/PID/stat``'s cutime and cstime):
    the resident reaps each command's child before it answers."""
    if not pid:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "p95": pct(values, 95), "n": len(values)}


def run(customers: int, runs: int = 20, source: Path | None = None, warm: bool = True) -> dict:
    """Every measure at one archive size (``source``: an archive to use instead of bench_tui's)."""
    if source is None:
        source, _ = prepare(customers)
    with tempfile.TemporaryDirectory() as tmp:
        path = scratch(source, Path(tmp) / "archive")
        cwd = Path(tmp) / "cwd"  # a neutral folder: no archive found from where the command runs
        cwd.mkdir()
        has_index = search_ready(path)
        if not has_index and customers <= SEARCH_BUILD_LIMIT:
            archive = Archive(path, USER[0])
            archive.search_index().ensure()
            archive.close()
            has_index = True
        grep_runs = runs if customers <= SEARCH_BUILD_LIMIT else GREP_RUNS_ABOVE_20K
        result: dict = {"customers": customers, "search_index": has_index, "load_before": load()}
        work = jobs(path, runs)
        result["figures"], result["failures"] = rounds(path, cwd, work, has_index, warm, grep_runs)
        if has_index:
            result["figures"].update(query_only(path, [text for _, text in work["search"]]))
        result["caught_up"] = search_ready(path) if has_index else None
    result["load_after"] = load()
    return result


def rounds(
    path: Path, cwd: Path, work: dict[str, list], has_index: bool, warm: bool, grep_runs: int
) -> tuple[dict, list[str]]:
    """Each round runs every command once, custtui's (and --compare's) beside its baselines; the
    first is a warm-up (compiled files, the page cache) when ``warm``. Returns the figures and what failed."""
    runs = len(work["show"])
    env = {**os.environ, "CUSTTUI_USER": USER[0], "XDG_CONFIG_HOME": str(cwd / "config")}
    env.pop("CUSTTUI_ARCHIVE", None)
    # an installed custtui runs from compiled bytecode (pip writes it); without it every run compiles
    # every module it imports again (0.3–0.7 s here): the warm-up round writes it
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    runtime = cwd.parent / "run"  # the resident's socket: this run's own, stopped at its end
    runtime.mkdir(mode=0o700, exist_ok=True)
    env.update(XDG_RUNTIME_DIR=str(runtime), CUSTTUI_RESIDENT="1")
    alone = {**env, "CUSTTUI_RESIDENT": "0"}
    builds = [("", CUSTTUI)] + ([(f" [{COMPARED}]", COMPARE)] if COMPARE else [])
    figures: dict[str, dict[str, list]] = {}
    failures: list[str] = []
    before = {"pid": 0, "served": 0}  # the resident once it listens
    handed: list[str] = []  # the commands it should have run

    def measure(
        names: tuple[str, ...], argv: list[str], counted: bool, expect: str | None = None, ok=(0,), using=env
    ) -> None:
        ours = before["pid"] and using is env and argv[: len(CUSTTUI)] == CUSTTUI
        wall, cpu, code, out = timed(argv, cwd, using, before["pid"] if ours else 0)
        if ours:
            handed.append(shlex.join(argv))
        if code not in ok or (expect is not None and expect not in out):
            failures.append(f"{names[0]}: {shlex.join(argv)} → {code}: {out[:200]}")
        for name in names if counted else ():
            one = figures.setdefault(name, {"wall": [], "cpu": []})
            one["wall"].append(wall)
            one["cpu"].append(cpu)

    # a person's first command runs by itself and starts the resident, which the rounds then use
    measure(("show",), [*CUSTTUI, "--archive", str(path.resolve()), "show", work["show"][0]], False)
    before.update(resident(env))
    for counted, i in [(False, 0)] * warm + [(True, i) for i in range(runs)]:
        cid, (kind, text) = work["show"][i], work["search"][i]
        measure(("python -c pass",), [interpreter(), "-c", "pass"], counted)
        blob = f"HEAD:{customer_dir(cid)}/{CUSTOMER_FILE}"
        measure(("git cat-file -p",), ["git", "-C", str(path), "cat-file", "-p", blob], counted, expect=cid)
        if i < grep_runs:
            measure(("git grep -F",), ["git", "-C", str(path), "grep", "-F", "-e", text, "HEAD"], counted, ok=(0, 1))
        for b, (label, command) in enumerate(builds):
            custtui = [*command, "--archive", str(path.resolve())]
            j = i + b * runs
            for way, using in (("", env), (ALONE, alone)):
                measure((f"show{way}{label}",), [*custtui, "show", cid], counted, expect=cid, using=using)
                if has_index:
                    evict(path / "custtui" / "search")  # the first query after the index left the page cache
                    measure((f"search 冷缓存{way}{label}",), [*custtui, "search", text], counted, using=using)
                    names = (f"search{way}{label}", f"search {kind}{way}{label}")
                    measure(names, [*custtui, "search", text], counted, using=using)
                set_id, grade = work["set"][j]
                measure(
                    (f"set{way}{label}",), [*custtui, "set", set_id, f"grade={grade}"], counted, "已保存", using=using
                )
                work["set"][j] = (set_id, "normal" if grade == "vip" else "vip")  # the next change undoes it
    served = resident(env, "stop")["served"] - before["served"]
    if served != len(handed):
        failures.append(f"常驻进程处理了 {served} 条命令, 交给它的有 {len(handed)} 条")
    return {name: {k: summary(v) for k, v in one.items()} for name, one in figures.items()}, failures


def resident(env: dict[str, str], action: str = "status") -> dict:
    """custtui's resident process: its pid and how many commands it has run (waiting for it to listen)."""
    deadline = time.monotonic() + 60
    while True:
        done = subprocess.run([*CUSTTUI, "--json", "resident", action], env=env, capture_output=True, text=True)
        status = json.loads(done.stdout or "{}")
        if status.get("running") or time.monotonic() > deadline:
            return {"pid": 0, "served": 0, **status}
        time.sleep(0.1)


def query_only(path: Path, queries: list[str]) -> dict[str, dict]:
    """The query alone, in one process: each first with the index's files just dropped from the
    page cache (and its searcher closed), then again warm."""
    archive = Archive(path, USER[0])
    index = archive.search_index()
    index.search(queries[0])  # modules imported, the reader's code warm
    cold, warm = [], []
    for text in queries:
        index.close()
        evict(path / "custtui" / "search")
        for times in (cold, warm):
            started = time.perf_counter()
            index.search(text)
            times.append(time.perf_counter() - started)
    archive.close()
    return {"search 仅查询 冷缓存": {"wall": summary(cold)}, "search 仅查询 热缓存": {"wall": summary(warm)}}


def interpreter() -> str:
    """The Python the timed custtui runs on (its script's neighbour in a venv), else this one."""
    beside = Path(CUSTTUI[0]).with_name("python")
    return str(beside) if beside.exists() else sys.executable


def evict(folder: Path) -> None:
    """Drop a folder's files from the page cache (``posix_fadvise``: no root needed), as after a
    night of other work or a restart: the next read comes from the disk."""
    for file in folder.rglob("*"):
        if file.is_file():
            fd = os.open(file, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- report ----------------------------------------------------------------------------------


def seconds(value: float) -> str:
    return f"{value * 1000:,.0f} ms" if value < 10 else f"{value:,.1f} s"


def report(results: list[dict]) -> str:
    lines: list[str] = []
    for r in results:
        lines += [
            "",
            f"{r['customers']:,} 客户, 负载 {r['load_before']} → {r['load_after']}; "
            "从启动进程到输出读完, 中位数 / p95; CPU 为进程及其子进程所用",
            pad("", 32) + pad("墙钟时间", 22, True) + pad("CPU 中位数", 14, True) + pad("目标 (10 万客户)", 20, True),
        ]
        for name, one in sorted(r["figures"].items(), key=lambda item: ROWS.index(item[0].split(" ")[0])):
            wall, cpu = one["wall"], one.get("cpu")
            goal = GOALS.get(name)
            lines.append(
                pad(f"{'  ' if name.startswith('search ') and name[7] != '[' else ''}{name} (n={wall['n']})", 32)
                + pad(f"{seconds(wall['median'])} / {seconds(wall['p95'])}", 22, True)
                + pad(seconds(cpu["median"]) if cpu else "", 14, True)
                + pad(seconds(goal) if goal else "", 20, True)
            )
        if not r["search_index"]:
            lines.append("(此档案没有搜索索引, 未测搜索)")
        if r["search_index"]:
            lines.append(f"set 之后索引已追上最新提交: {'是' if r['caught_up'] else '否'}")
        lines += [f"失败: {f}" for f in r["failures"]]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[10_000])
    parser.add_argument("--runs", type=int, default=20, help="counted runs of each command")
    parser.add_argument(
        "--custtui",
        help="another build to time (e.g. 'env PYTHONPATH=… python -m custtui')",
    )
    parser.add_argument("--compare", help=f"a second build, timed in the same rounds (rows marked [{COMPARED}])")
    parser.add_argument(
        "--source", type=Path, help="an archive with its caches to clone instead of bench_tui's (one size)"
    )
    parser.add_argument("--user", default=USER[0], help="who acts (default: 基准)")
    args = parser.parse_args()
    USER[:] = [args.user]
    if args.custtui:
        CUSTTUI[:] = shlex.split(args.custtui)
    if args.compare:
        COMPARE[:] = shlex.split(args.compare)
    results = []
    for n in args.customers:
        results.append(run(n, args.runs, source=args.source))
        print(json.dumps(results[-1], ensure_ascii=False), flush=True)
        OUT.mkdir(exist_ok=True)
        (OUT / "cli-results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(report(results))


if __name__ == "__main__":
    main()
