"""The benchmarks run end to end at a tiny size, so they cannot rot (their numbers mean nothing here)."""

from __future__ import annotations

import pytest

from bench import bench_core
from bench.synth import build
from custtui.core.archive import Archive


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
