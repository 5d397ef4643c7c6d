"""The benchmarks run end to end at a tiny size, so they cannot rot (their numbers mean nothing here)."""

from __future__ import annotations

import re
import shutil

import pytest

from bench import bench_core
from bench.synth import build
from custtui.core.archive.archive import Archive


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    monkeypatch.setattr(bench_core, "OUT", tmp_path / "out")
    return build(tmp_path / "synth", 30, docs=1)


def test_synthetic_archive_is_valid(tiny):
    archive = Archive(tiny)
    assert len(archive.customers()) == 30
    assert archive.check() == []


def test_core_benchmarks_run_and_report(tiny):
    edit = bench_core.bench_edit(tiny, 30, edits=3, baseline_edits=1)
    assert edit["custtui_median_ms"] > 0 and edit["gitpython_index_median_ms"] > 0
    worktree = bench_core.bench_edit_worktree(tiny, 30, edits=2)
    assert worktree["status_clean"]
    listing = bench_core.bench_listing(tiny, 30)
    assert listing["warm_s"] > 0
    text = bench_core.report({"edit": [edit], "listing": [listing], "worktree": [worktree]})
    assert "custtui" in text and "30 客户" in text


@pytest.mark.skipif(shutil.which("tmux") is None, reason="the TUI benchmark drives the apps in tmux")
def test_tui_benchmark_runs_and_reports(tiny, tmp_path, monkeypatch):
    """custtui, the Textual floor and the naive DataTable/Tree screen, each started as a command in a
    tmux pane and timed from the screen (no search: building an index is bench_search's business)."""
    from bench import bench_tui

    monkeypatch.setattr(bench_tui, "OUT", tmp_path / "out")
    result = bench_tui.run(
        30, [(80, 24)], runs=1, dialogs=1, queries=0, search=False, source=tiny, dialog_keys="ea", warm=False
    )
    one = result["sizes"]["80x24"]
    ours, floor, naive, session = one["custtui"], one["floor"], one["naive"], one["session"]
    assert 0 < floor["usable_s"]["median"] and 0 < ours["usable_s"]["median"] < ours["answered_s"]["median"]
    assert naive["answered_s"]["n"] == 1 and ours["exited_s"]["median"] >= ours["restored_s"]["median"]
    # each process's own peak: custtui holds the archive and Textual, the floor only Textual
    assert ours["peak_rss_mb"]["median"] > floor["peak_rss_mb"]["median"] > 10
    assert set(session["dialogs"]) == {"e", "a"} and session["attach_inbox_listed"]["n"] == 1
    text = bench_tui.report([result])
    assert "30 客户" in text and "打开 e (编辑表单)" in text and "DataTable" in text


def test_sync_benchmark_runs_and_reports(tmp_path, monkeypatch):
    from bench import bench_sync

    monkeypatch.setattr(bench_core, "OUT", tmp_path / "out")
    result = bench_sync.bench(40, changed=10)
    assert result["same_trees"] and result["conflict_recorded"]
    assert result["bj_received_customers"] == 10 and result["bj_conflicts"] == result["same_field"] == 1
    assert "索引追赶" in bench_sync.report(result)


def test_cli_benchmark_runs_and_reports(tiny):
    """show, search and set as whole processes beside git cat-file and git grep, on a scratch copy,
    through the resident process (every one it was handed, it ran) and each by itself."""
    from bench import bench_cli

    head = Archive(tiny).head()
    result = bench_cli.run(30, runs=1, source=tiny, warm=False)
    assert result["failures"] == [] and result["search_index"] and result["caught_up"]
    figures = result["figures"]
    assert {"show", "search", "set", "git cat-file -p", "git grep -F"} <= set(figures)
    assert {"search 冷缓存", "search 仅查询 冷缓存", "search 仅查询 热缓存"} <= set(figures)
    assert {"show 每次启动", "search 每次启动", "set 每次启动"} <= set(figures)  # beside the resident's rows
    assert figures["set"]["wall"]["median"] > figures["git cat-file -p"]["wall"]["median"] > 0
    assert Archive(tiny).head() == head and not (tiny / "custtui" / "search").exists()  # the kept one untouched
    text = bench_cli.report([result])
    assert "30 客户" in text and "git grep -F" in text


def test_recall_benchmark_runs_and_reports():
    """A generated archive, each class's queries beside git grep: an exact name is found first."""
    from bench import bench_recall

    result = bench_recall.run(30, 10, 3, 13)
    assert result["classes"]["名称 全称"]["recall@1"] == 1.0
    assert result["classes"]["手机 空格 3-4-4"]["queries"] == 10
    assert "git grep" in bench_recall.report(result)


@pytest.fixture(scope="module")
def tui_out(tmp_path_factory):
    """A folder laid out like ``bench/out`` holding ``tui/synth-60`` with its listing cache, as
    bench_tui.py leaves it: the source the due, routines and stats benchmarks clone."""
    out = tmp_path_factory.mktemp("bench-out")
    archive = Archive(build(out / "tui" / "synth-60", 60, docs=1))
    archive.customers()
    archive.close()
    return out


@pytest.fixture
def from_tui_out(tui_out, tmp_path, monkeypatch):
    """Points a benchmark module at ``tui_out`` (scratch clones go to this test's tmp_path) and,
    after the test, checks the source archive was only read."""
    monkeypatch.setattr(bench_core, "OUT", tmp_path / "out")
    source = tui_out / "tui" / "synth-60"
    head = Archive(source).head()
    yield lambda module: monkeypatch.setattr(module, "OUT", tui_out)
    assert Archive(source).head() == head


def test_due_benchmark_runs_and_reports(from_tui_out, monkeypatch, capsys):
    """The due list from the listing cache beside parsing every record, and the 公海 list."""
    from bench import bench_due

    from_tui_out(bench_due)
    monkeypatch.setattr("sys.argv", ["bench_due.py", "--customers", "60", "--every", "3"])
    bench_due.main()
    text = capsys.readouterr().out
    assert text.startswith("60 customers, 20 with a follow-up, ")
    rows = {line.split(":")[0].strip(): line for line in text.splitlines()[1:]}
    assert set(rows) == {
        "listing cache, cold build (once)",
        "custtui due, warm listing (median of 3)",
        "custtui due, the whole command",
        "custtui due after one follow-up set",
        "custtui due --pool (公海, 60 days)",
    }
    assert "baseline, parsing every record" in rows["custtui due, warm listing (median of 3)"]
    cold, warm, baseline, whole, _, _ = (float(s) for s in re.findall(r"(\d+\.\d+) s", text))
    # printed to the millisecond: a warm query on 60 customers may show 0.000, a new process may not
    assert cold > 0 and baseline > 0 and whole > warm


def test_routines_benchmark_runs_and_reports(from_tui_out):
    """Each routine's proposals, the half-year's steps, after one new deal, beside reading every record."""
    from bench import bench_routines
    from custtui.core.tasks import routines

    from_tui_out(bench_routines)
    rows = {label: (wall, cpu, note) for label, wall, cpu, note in bench_routines.run(60, 1, 30)}
    for code in routines.ROUTINES:
        assert re.fullmatch(r"\d+ proposals, \d+ findings", rows[code][2]), rows[code]
    assert {"facts cache, cold build", "monthly after one new deal", "baseline: read every record"} <= set(rows)
    assert sum(label.startswith("  halfyear: ") for label in rows) == 5
    assert rows["baseline: read every record"][2] == "extrapolated from 30 customers"
    assert all(wall > 0 and cpu > 0 for wall, cpu, _ in rows.values())


def test_stats_benchmark_runs_and_reports(from_tui_out):
    """Counts now, against yesterday and with amounts, each beside recounting every record (the
    benchmark itself asserts both give the same numbers)."""
    from bench import bench_stats

    from_tui_out(bench_stats)
    result = bench_stats.bench(60, 5)
    assert result["customers"] == 60 and result["moved"] == 5
    assert float(result["deals_12_months"]) > 0
    timings = {key for key in result if key.endswith("_s")}
    assert {"stage_s", "two_s", "since_s", "amounts_s", "amounts_since_s"} <= timings
    assert {f"baseline_{key}" for key in ("two_s", "since_s", "amounts_s", "amounts_since_s")} <= timings
    assert all(result[key] > 0 for key in timings)


def test_privacy_benchmark_runs_and_reports(tmp_path, monkeypatch):
    """A sealed clone beside a plain one: every record, note and document sealed in one commit (the
    benchmark checks a sample holds no plaintext phone and opens again), each figure beside plain."""
    from bench import bench_privacy

    monkeypatch.setattr(bench_core, "OUT", tmp_path / "out")
    lines: list[str] = []
    result = bench_privacy.bench(30, 1, out=lines.append)
    assert result["sealing"]["files"] == 30 * 4  # a record, a note and two documents each
    text = "\n".join(lines)
    assert text.startswith("30 customers") and "turning encryption on: 120 files sealed in one commit" in text
    for key in ("listing_cold_s", "index_build_s", "edit_plain_field_s", "edit_sealed_field_s", "show_s"):
        assert result[key]["sealed"] > 0 and result[key]["plain"] > 0, key
    erased, plain = result["erase"]["sealed"], result["erase"]["plain"]
    assert erased["total_s"] > erased["pack_s"] > erased["purge_s"] > 0 and plain["pack_s"] > plain["purge_s"] > 0
    packed = result["erase"]["custtui_pack"]
    assert all(packed[kind]["pack_s"] > packed[kind]["purge_s"] > 0 for kind in ("sealed", "plain"))
    assert [line.split(":")[0].strip() for line in lines[-8:]] == [
        "erase one customer, in all",
        "the commit, the key store, the access log",
        "its upkeep (prune; listing, texts)",
        "of which purging the caches",
        "plain",
        "of which purging the caches",
        "custtui pack (rewrites the search index)",
        "of which purging the caches",
    ]
    assert sum("plain:" in line for line in lines) == 8
