"""TUI benchmarks as a person sees them: the real command in a terminal, timed from the keystroke.

    python bench/bench_tui.py [--customers 10000 [100000]] [--sizes 80x24 160x45] [--runs 5]
                              [--dialogs 5] [--queries 20] [--build-search]

Each program runs in a tmux pane of its own tmux server (``tmux -L bench-tui-PID``), and the pane's
text is read through one tmux control-mode client every 5 ms (a ``tmux capture-pane`` process per
read would cost ~10 ms of CPU each on a loaded machine). Every time is from the moment the command
or the key is handed to tmux to the first read showing what the person waits for:

1. start → usable tree: ``custtui --archive X --user 基准`` spawned (process start and imports
   included, warm listing cache) until the tree's root with its count, a customer type with its
   count and a customer row are on screen; then ↓ until the table shows the chosen node;
2. every dialog open: e (edit form), n, c, t, a (and until the inbox lists its files), l, /, ?;
3. search: the query typed as a person does (a Chinese word arrives whole from the input method,
   IDs a key every 0.1 s); last keystroke → that query's results drawn (``找到 N 条结果`` with the
   count the index gives for it);
4. quit: q → the terminal's main screen back (alternate screen off), and → the process ended;
5. memory: VmHWM (peak resident set) of the app's own process from ``/proc/PID/status`` just
   before q, after the start runs (no search) and after the session (search included).

Baselines in the same run, the same way (``bench/tui_baselines.py``): the floor of any Textual app
(import, start, one line drawn, quit), and the naive screen: Textual's ``DataTable`` and ``Tree``
fed every customer. Results are printed and written to ``bench/out/tui-results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_core import OUT, pct, synthetic
from custtui.core.archive.archive import Archive
from custtui.core.index.search import VERSION as SEARCH_VERSION

SEARCH_BUILD_LIMIT = 20_000  # above this, the index is built only with --build-search (minutes)
USER = "基准"
POLL_S = 0.005
BASELINES = Path(__file__).resolve().parent / "tui_baselines.py"
GOALS = {"start": 1.0, "dialog": 0.15, "search_p95": 0.15, "quit": 0.3}  # seconds, issue 12 item 8

TREE_ROOT = re.compile(r"全部客户 [\d,]+")
TREE_TYPE = re.compile(r"(个人|企业)客户 [\d,]+")
CUSTOMER_ROW = re.compile(r"\b[A-Z]{2}-\d{6}\b")
NODE_SHOWN = re.compile(r"(个人|企业)客户\s+[\d,]+ 位客户")


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
    found = json.loads(state.read_text())
    return found.get("commit") == head and found.get("version") == SEARCH_VERSION  # an older format is rebuilt


def prepare(
    customers: int, search: bool = True, source: Path | None = None, build_search: bool = False
) -> tuple[Path, bool]:
    """A bench archive of ``customers`` with a warm listing cache (and a search index when it may
    have one), kept in ``bench/out/tui/`` between runs. Returns (path, has a search index)."""
    target = OUT / "tui" / f"synth-{customers}"
    if not ((target / "HEAD").exists() and (target / "custtui" / "listing.sqlite").exists()):
        clone(source or synthetic(customers), target)
        archive = Archive(target)
        started = time.perf_counter()
        assert len(archive.customers()) == customers
        print(f"listing cache of {target.name}: {time.perf_counter() - started:.1f}s", file=sys.stderr)
        archive.close()
    if search and (customers <= SEARCH_BUILD_LIMIT or build_search) and not search_ready(target):
        archive = Archive(target)
        started = time.perf_counter()
        archive.search_index().ensure()
        print(f"search index of {target.name}: {time.perf_counter() - started:.1f}s", file=sys.stderr)
        archive.close()
    return target, search_ready(target)


# --- the terminal ------------------------------------------------------------------------


class Terminal:
    """One tmux pane of a fixed size on a tmux server of its own, read through a control-mode client."""

    def __init__(self, width: int, height: int, env: dict[str, str]) -> None:
        self.socket = f"bench-tui-{os.getpid()}-{width}x{height}"
        self.env = env
        self.home = Path(tempfile.mkdtemp(prefix="bench-tui-"))  # where the commands start, like a person's home
        config = self.home / "tmux.conf"
        config.write_text(
            "set -g status off\nset -g remain-on-exit on\n"
            "set -g default-terminal tmux-256color\nset -g history-limit 0\n"
        )
        self._tmux("-f", str(config), "new-session", "-d", "-s", "bench", "-x", str(width), "-y", str(height), "cat")
        self._tmux("set", "-g", "window-size", "manual")  # in the file it crashes tmux 3.3a; a client must not resize
        self.client = subprocess.Popen(
            ["tmux", "-L", self.socket, "-C", "attach", "-t", "bench"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.replies: queue.Queue[list[str]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.replies.get(timeout=10)  # the attach itself
        self.command("refresh-client -f no-output")

    def _tmux(self, *args: str) -> None:
        subprocess.run(["tmux", "-L", self.socket, *args], check=True, capture_output=True)

    def _read(self) -> None:
        assert self.client.stdout is not None
        block: list[str] | None = None
        for raw in self.client.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if block is None:
                if line.startswith("%begin "):
                    block = []
            elif line.startswith(("%end ", "%error ")):
                self.replies.put(block)
                block = None
            else:
                block.append(line)

    def command(self, line: str) -> list[str]:
        assert self.client.stdin is not None
        self.client.stdin.write(line.encode() + b"\n")
        self.client.stdin.flush()
        return self.replies.get(timeout=30)

    def spawn(self, argv: list[str]) -> float:
        """Start ``argv`` in the pane (replacing what runs there); returns the moment it was handed over."""
        env = " ".join(f"-e {quote(f'{k}={v}')}" for k, v in self.env.items())
        line = f"respawn-pane -k -t bench -c {quote(str(self.home))} {env} {quote(' '.join(quote(a) for a in argv))}"
        began = time.perf_counter()
        self.command(line)
        return began

    def keys(self, *names: str) -> float:
        """Press keys by tmux's names (``Down``, ``Escape``, ``C-u``) or as literal characters."""
        began = time.perf_counter()
        self.command("send-keys -t bench " + " ".join(quote(n) for n in names))
        return began

    def type(self, text: str) -> float:
        began = time.perf_counter()
        self.command(f"send-keys -t bench -l {quote(text)}")
        return began

    def screen(self, attributes: bool = False) -> str:
        return "\n".join(self.command("capture-pane -p -t bench" + (" -e" if attributes else "")))

    def pane(self) -> dict[str, int]:
        dead, alternate, pid = self.command("display -p -t bench '#{pane_dead} #{alternate_on} #{pane_pid}'")[0].split()
        return {"dead": int(dead), "alternate": int(alternate), "pid": int(pid)}

    def until(
        self, condition: Callable[[str], bool], since: float, timeout: float = 120.0, attributes: bool = False
    ) -> float:
        """Seconds from ``since`` to the first read of the pane that satisfies ``condition``."""
        while True:
            shown = self.screen(attributes)
            now = time.perf_counter()
            if condition(shown):
                return now - since
            if now - since > timeout:
                raise TimeoutError(f"not on screen after {timeout:.0f} s:\n{shown}")
            time.sleep(POLL_S)

    def settle(self, quiet: float = 0.2, timeout: float = 30.0) -> str:
        """Wait until the pane has not changed for ``quiet`` seconds (background loads done)."""
        last, since, deadline = self.screen(True), time.perf_counter(), time.perf_counter() + timeout
        while time.perf_counter() - since < quiet and time.perf_counter() < deadline:
            time.sleep(0.02)
            now = self.screen(True)
            if now != last:
                last, since = now, time.perf_counter()
        return self.screen()

    def peak_rss_mb(self) -> float:
        """VmHWM of the process in the pane (the app itself, not the bench)."""
        status = Path(f"/proc/{self.pane()['pid']}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024

    def cpu_s(self) -> float:
        """CPU seconds the process in the pane has used (all its threads): the part of a start that
        does not depend on what else the machine is doing."""
        fields = Path(f"/proc/{self.pane()['pid']}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def quit(self, key: str = "q") -> dict[str, float]:
        """q → the main screen back (alternate screen off), and → the process ended."""
        began, restored = self.keys(key), None
        while True:
            state, now = self.pane(), time.perf_counter()
            if restored is None and not state["alternate"]:
                restored = now - began
            if state["dead"]:
                return {"restored_s": restored if restored is not None else now - began, "exited_s": now - began}
            if now - began > 60:
                raise TimeoutError("the app did not quit within 60 s")
            time.sleep(POLL_S)

    def close(self) -> None:
        self.client.kill()
        self.client.wait()
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)
        Path(os.environ.get("TMUX_TMPDIR", "/tmp"), f"tmux-{os.getuid()}", self.socket).unlink(missing_ok=True)
        shutil.rmtree(self.home, ignore_errors=True)


def quote(text: str) -> str:
    """One argument for a tmux command line (and, nested once more, for the shell tmux runs)."""
    return "'" + text.replace("'", "'\\''") + "'"


# --- what the person waits for ------------------------------------------------------------


def tree_usable(shown: str) -> bool:
    return bool(TREE_ROOT.search(shown) and TREE_TYPE.search(shown) and CUSTOMER_ROW.search(shown))


def type_row(shown: str) -> int:
    return next(i for i, line in enumerate(shown.splitlines()) if TREE_TYPE.search(line))


def line(shown: str, row: int) -> str:
    lines = shown.splitlines()
    return lines[row] if row < len(lines) else ""


CUSTTUI = [str(Path(sys.executable).with_name("custtui"))]  # --custtui: another build of it, to compare


def custtui_command(path: Path) -> list[str]:
    return [*CUSTTUI, "--archive", str(path.resolve()), "--user", USER]


def measure_start(term: Terminal, app: str, path: Path | None, runs: int) -> dict:
    """``runs`` starts of one app: spawn → usable, ↓ → answered, peak RSS, q → restored / ended."""
    print(f"{app}: {runs} starts", file=sys.stderr, flush=True)
    if app == "custtui":
        argv = custtui_command(path)
    else:
        argv = [sys.executable, str(BASELINES), app] + ([str(path.resolve())] if path else [])
    samples: dict[str, list[float]] = {
        key: [] for key in ("usable_s", "cpu_at_usable_s", "answered_s", "peak_rss_mb", "restored_s", "exited_s")
    }
    for _ in range(runs):
        began = term.spawn(argv)
        samples["usable_s"].append(term.until((lambda s: "就绪" in s) if app == "floor" else tree_usable, began))
        samples["cpu_at_usable_s"].append(term.cpu_s())
        if app != "floor":
            row = type_row(term.screen())
            before = line(term.screen(True), row)
            pressed = term.keys("Down")
            if app == "custtui":  # the node picked: the table shows its customers
                latency = term.until(lambda s: bool(NODE_SHOWN.search(s)), pressed)
            else:  # the tree's cursor moved onto the first type
                latency = term.until(
                    lambda s, row=row, before=before: line(s, row) != before, pressed, timeout=600, attributes=True
                )
            samples["answered_s"].append(pressed - began + latency)
            term.settle()
        samples["peak_rss_mb"].append(term.peak_rss_mb())
        for key, value in term.quit().items():
            samples[key].append(value)
    return {key: summary(values) for key, values in samples.items() if values}


DIALOGS: dict[str, tuple[str, Callable[[str], bool]]] = {
    "e": ("编辑表单", lambda s: bool(re.search(r"编辑 [A-Z]{2}-\d{6}", s)) and "保存" in s),
    "n": ("新建客户", lambda s: "新建客户: 选择客户类型" in s),
    "c": ("沟通记录表单", lambda s: "沟通记录: " in s and "保存" in s),
    "t": ("交易记录表单", lambda s: "交易记录: " in s and "保存" in s),
    "a": ("归档资料", lambda s: "归档资料" in s),
    "l": ("档案日志", lambda s: "档案日志" in s and bool(re.search(r"共 [\d,]+ 条", s))),
    "/": ("搜索", lambda s: "输入名称、简称" in s),
    "?": ("按键说明", lambda s: "按键说明" in s),
}
INBOX_FILES = 12


def measure_session(term: Terminal, path: Path, dialogs: int, terms: list[dict], keys: str = "".join(DIALOGS)) -> dict:
    """One working session: each dialog of ``keys`` opened ``dialogs`` times, the searches, then q."""
    print(f"custtui: session, dialogs ×{dialogs}, {len(terms)} queries", file=sys.stderr, flush=True)
    began = term.spawn(custtui_command(path))
    result: dict = {"usable_s": term.until(tree_usable, began)}
    term.settle()
    term.keys("Tab")  # into the table: its first customer is the one e, c and t work on
    term.settle()
    opened: dict[str, list[float]] = {key: [] for key in keys}
    inbox: list[float] = []
    for _ in range(dialogs):
        for key in keys:
            shown = DIALOGS[key][1]
            pressed = term.keys(key)
            opened[key].append(term.until(shown, pressed))
            if key == "a":
                inbox.append(term.until(lambda s: f"{INBOX_FILES} 个文件" in s and "▊ 扫描件-" in s, pressed))
            term.settle()
            term.keys("Escape")
            term.until(lambda s, shown=shown: tree_usable(s) and not shown(s), time.perf_counter(), timeout=30)
            term.settle()
    result["dialogs"] = {key: summary(values) for key, values in opened.items() if values}
    if inbox:
        result["attach_inbox_listed"] = summary(inbox)
    if terms:
        result["search"] = measure_search(term, terms)
    result["peak_rss_mb"] = term.peak_rss_mb()
    result["quit"] = term.quit()
    return result


def measure_search(term: Terminal, terms: list[dict]) -> dict:
    """Each query typed into the search screen; last keystroke → its results drawn. A query whose
    keys never reach the box (seen once in tmux after other dialogs) is counted and typed again."""
    pressed = term.keys("/")
    term.until(DIALOGS["/"][1], pressed)
    term.settle(0.5)
    times, lost = [], 0
    for item in terms:
        for _attempt in range(3):
            term.keys("C-u")
            term.until(lambda s: "输入名称、简称" in s, time.perf_counter())
            term.settle(0.1)
            last = 0.0
            for chunk in item["chunks"]:
                if last:
                    time.sleep(item["gap_s"])
                last = term.type(chunk)
            try:
                times.append(term.until(lambda s, item=item: results_shown(s, item), last, timeout=20))
                break
            except TimeoutError:
                if item["text"] in term.screen():
                    raise
                lost += 1
    term.keys("Escape")
    term.until(lambda s: tree_usable(s) and not DIALOGS["/"][1](s), time.perf_counter(), timeout=30)
    term.settle()
    return {**summary(times), "terms": [item["text"] for item in terms], "keys_lost": lost}


def results_shown(shown: str, item: dict) -> bool:
    """The query's whole text is in the box and its results (their count, or none found) below."""
    if item["text"] not in shown:
        return False
    if item["total"] == 0:
        return f"没有找到与「{item['text']}」" in shown
    return bool(re.search(item["status"], shown)) and item["first"] in shown


def search_terms(path: Path, count: int) -> list[dict]:
    """What people type, as they type it: a trade name, a person's name, a city + trade name (two
    words from the input method), an ID (key by key). Each with what its results show (count and
    first hit, from the index itself), and only where a shorter prefix would not show the same."""
    from custtui.core.tasks import view
    from custtui.tui.screens.search import LIMIT

    rng = random.Random(5)
    archive = Archive(path, USER)
    listing = archive.customers()
    names = [s.get("name") for s in listing.values()]
    companies = [n for n in names if n.endswith("公司")]
    people = [n for n in names if not n.endswith("公司")]
    ids = sorted(listing)

    def shows(text: str) -> tuple:
        results = view.search(archive, text, limit=LIMIT)
        first = results.hits[0].id if results.hits else ""
        return results.total, results.exact, first

    terms: list[dict] = []
    attempts = 0
    while len(terms) < count and attempts < count * 10:
        kind, attempts = len(terms) % 4, attempts + 1
        if kind == 0:
            chunks, gap = [rng.choice(companies)[2:4]], 0.0  # the trade name after the city
        elif kind == 1:
            chunks, gap = [rng.choice(people)], 0.0
        elif kind == 2:
            name = rng.choice(companies)
            chunks, gap = [name[:2], name[2:4]], 0.3
        else:
            chunks, gap = list(rng.choice(ids)), 0.1
        text = "".join(chunks)
        total, exact, first = shows(text)
        prefixes = ["".join(chunks[:i]) for i in range(1, len(chunks))]
        if any(shows(prefix)[::2] == (total, first) for prefix in prefixes):
            continue  # the screen would not change on the last key
        status = rf"找到 {total} 条结果" if exact else r"找到约 [\d,]+ 条结果"
        terms.append({"text": text, "chunks": chunks, "gap_s": gap, "total": total, "status": status, "first": first})
    archive.close()
    return terms


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "p95": pct(values, 95), "n": len(values)}


# --- running -----------------------------------------------------------------------------


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def run(
    customers: int,
    sizes: list[tuple[int, int]],
    runs: int = 5,
    dialogs: int = 5,
    queries: int = 20,
    naive_runs: int | None = None,
    search: bool = True,
    source: Path | None = None,
    build_search: bool = False,
    dialog_keys: str = "".join(DIALOGS),
    warm: bool = True,
) -> dict:
    """Every measure at one archive size, in each terminal size; the session at the first size
    (``warm``: one start first, not counted, so compiled files and the page cache are warm)."""
    path, has_index = prepare(customers, search, source, build_search)
    terms = search_terms(path, queries) if search and has_index and queries else []
    naive_runs = naive_runs if naive_runs is not None else (runs if customers <= SEARCH_BUILD_LIMIT else 1)
    result: dict = {"customers": customers, "search_index": has_index, "load_before": load(), "sizes": {}}
    with tempfile.TemporaryDirectory() as tmp:
        config_home, inbox = Path(tmp) / "config", Path(tmp) / "inbox"
        (config_home / "custtui").mkdir(parents=True)
        inbox.mkdir()
        for i in range(1, INBOX_FILES + 1):
            (inbox / f"扫描件-{i}.txt").write_text(f"北京长明公司:\n2024年3月{i}日\n合同补充协议第{i}号\n", "utf-8")
        (config_home / "custtui" / "config.toml").write_text(f'inbox = "{inbox}"\n', "utf-8")
        env = {"XDG_CONFIG_HOME": str(config_home), "CUSTTUI_USER": USER}
        for width, height in sizes:
            term = Terminal(width, height, env)
            try:
                if warm:
                    measure_start(term, "custtui", path, 1)
                one: dict = {
                    "floor": measure_start(term, "floor", None, runs),
                    "custtui": measure_start(term, "custtui", path, runs),
                    "naive": measure_start(term, "naive", path, naive_runs) if naive_runs else None,
                }
                if (width, height) == sizes[0]:
                    one["session"] = measure_session(term, path, dialogs, terms, dialog_keys)
                result["sizes"][f"{width}x{height}"] = one
            finally:
                term.close()
    result["load_after"] = load()
    return result


def report(results: list[dict]) -> str:
    lines: list[str] = []

    def row(label: str, *figures: dict | None, goal: float | None = None, unit: str = "s") -> None:
        cells = [pad(cell(f, unit), w, True) for f, w in zip((*figures, None, None)[:3], (22, 22, 24), strict=True)]
        lines.append(pad(label, 32) + "".join(cells) + pad(seconds(goal), 10, True))

    for r in results:
        for size, one in r["sizes"].items():
            ours, floor, naive = one["custtui"], one["floor"], one.get("naive") or {}
            lines += [
                "",
                f"{r['customers']:,} 客户, 终端 {size}, 负载 {r['load_before']} → {r['load_after']}; "
                "中位数 / p95, 基线在同一次运行中测得",
                pad("", 32)
                + pad("custtui", 22, True)
                + pad("Textual 最低", 22, True)
                + pad("朴素 DataTable+Tree", 24, True)
                + pad("目标", 10, True),
            ]

            row("启动 → 分类树可用", ours["usable_s"], floor["usable_s"], naive.get("usable_s"), goal=GOALS["start"])
            row("  其中进程所用 CPU", ours["cpu_at_usable_s"], floor["cpu_at_usable_s"], naive.get("cpu_at_usable_s"))
            row("启动 → ↓ 选中节点并显示", ours["answered_s"], None, naive.get("answered_s"))
            row("q → 终端恢复", ours["restored_s"], floor["restored_s"], naive.get("restored_s"))
            row("q → 进程结束", ours["exited_s"], floor["exited_s"], naive.get("exited_s"), goal=GOALS["quit"])
            memory = (ours["peak_rss_mb"], floor["peak_rss_mb"], naive.get("peak_rss_mb"))
            row("峰值内存 VmHWM (无搜索)", *memory, unit="MB")
            session = one.get("session")
            if session:
                for key, figure in session["dialogs"].items():
                    row(f"打开 {key} ({DIALOGS[key][0]})", figure, goal=GOALS["dialog"])
                if "attach_inbox_listed" in session:
                    row("a: 收件箱列出文件", session["attach_inbox_listed"])
                if "search" in session:
                    row("最后一次按键 → 搜索结果", session["search"], goal=GOALS["search_p95"])
                row("q → 终端恢复 (工作之后)", single(session["quit"]["restored_s"]))
                row("q → 进程结束 (工作之后)", single(session["quit"]["exited_s"]), goal=GOALS["quit"])
                row("峰值内存 VmHWM (含搜索)", single(session["peak_rss_mb"]), unit="MB")
    lines.append("(搜索的目标按 p95; 10 万客户时朴素基线只启动一次)")
    return "\n".join(lines)


def seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 1000:,.0f} ms" if value < 10 else f"{value:,.1f} s"


def cell(figure: dict | None, unit: str = "s") -> str:
    if not figure:
        return "—"
    if unit == "MB":
        return f"{figure['median']:,.0f} MB"
    if figure["n"] == 1:
        return seconds(figure["median"])
    return f"{seconds(figure['median'])} / {seconds(figure['p95'])}"


def single(value: float) -> dict:
    return {"median": value, "p95": value, "n": 1}


def pad(text: str, width: int, right: bool = False) -> str:
    """``text`` padded to ``width`` terminal columns (a Chinese character takes two)."""
    import unicodedata

    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    space = " " * max(0, width - used)
    return space + text if right else text + space


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[10_000])
    parser.add_argument("--sizes", nargs="+", default=["80x24", "160x45"])
    parser.add_argument("--runs", type=int, default=5, help="starts of each app per terminal size")
    parser.add_argument("--naive-runs", type=int, help="starts of the naive app (default: --runs, 1 above 20k)")
    parser.add_argument("--dialogs", type=int, default=5, help="times each dialog is opened")
    parser.add_argument("--queries", type=int, default=20)
    parser.add_argument("--no-search", dest="search", action="store_false")
    parser.add_argument("--build-search", action="store_true", help="build the search index above 20k customers")
    parser.add_argument(
        "--custtui",
        help="the command to time instead of this venv's custtui (e.g. 'env PYTHONPATH=… python -m custtui')",
    )
    args = parser.parse_args()
    if args.custtui:
        CUSTTUI[:] = shlex.split(args.custtui)
    sizes = [tuple(int(n) for n in size.split("x")) for size in args.sizes]
    results = []
    for n in args.customers:
        results.append(
            run(
                n,
                sizes,
                args.runs,
                args.dialogs,
                args.queries,
                args.naive_runs,
                args.search,
                build_search=args.build_search,
            )
        )
        print(json.dumps(results[-1], ensure_ascii=False), flush=True)
        OUT.mkdir(exist_ok=True)
        (OUT / "tui-results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(report(results))


if __name__ == "__main__":
    main()
