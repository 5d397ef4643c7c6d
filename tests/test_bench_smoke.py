"""The benchmarks run end to end at a tiny size, so they cannot rot (their numbers mean nothing here)."""

from __future__ import annotations

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
    """show, search and set as whole processes beside git cat-file and git grep, on a scratch copy."""
    from bench import bench_cli

    head = Archive(tiny).head()
    result = bench_cli.run(30, runs=1, source=tiny, warm=False)
    assert result["failures"] == [] and result["search_index"] and result["caught_up"]
    figures = result["figures"]
    assert {"show", "search", "set", "git cat-file -p", "git grep -F"} <= set(figures)
    assert {"search 冷缓存", "search 仅查询 冷缓存", "search 仅查询 热缓存"} <= set(figures)
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
