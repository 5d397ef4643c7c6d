"""The sample archive and the demo built from it: realistic, valid, and with a believable history."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date
from pathlib import Path

from conftest import git, run_cli

from custtui.core.records.records import Validator, loads
from custtui.core.tasks.demo import sample_dir
from custtui.core.tasks.review import review

SAMPLE = sample_dir()


def sample_customers() -> list[dict]:
    return [loads(p.read_bytes(), str(p)) for p in sorted(SAMPLE.glob("customers/*/*/*/customer.toml"))]


def sample_documents() -> list[Path]:
    return [p for p in SAMPLE.glob("customers/*/*/*/docs/*") if not p.name.endswith(".meta.toml")]


def test_sample_archive_is_big_and_varied_enough():
    customers = sample_customers()
    assert len(customers) >= 40
    assert set(Counter(c["type"] for c in customers)) == {"individual", "enterprise", "government"}
    assert len({c.get("industry") for c in customers} - {None}) >= 4
    assert len({c.get("region") for c in customers}) >= 5
    assert {c["stage"] for c in customers} == {"potential", "signed", "stable", "terminated"}
    assert {c.get("value_tier") for c in customers} >= {"high", "medium", "low"}
    assert any(c.get("status") == "dormant" for c in customers)
    assert any(c.get("status") == "lost" for c in customers)
    assert any(c.get("aliases") for c in customers)
    docs = sample_documents()
    assert len(docs) >= 60
    suffixes = Counter(p.suffix.lower() for p in docs)
    for kind in (".pdf", ".docx", ".xlsx", ".txt"):
        assert suffixes[kind] >= 1, kind
    assert suffixes[".png"] + suffixes[".jpg"] >= 1
    checksums = Counter(hashlib.sha256(p.read_bytes()).hexdigest() for p in docs)
    assert sorted(checksums.values())[-1] == 2 and list(checksums.values()).count(2) == 1  # exactly one duplicate


def test_every_sample_record_passes_the_schema(demo):
    validator = Validator(demo.schema())
    for record in sample_customers():
        validator.customer(record)
    assert demo.check() == []


def test_sample_documents_have_matching_metadata():
    for doc in sample_documents():
        meta = loads(doc.with_name(doc.name + ".meta.toml").read_bytes(), doc.name)
        assert meta["sha256"] == hashlib.sha256(doc.read_bytes()).hexdigest(), doc.name
        assert meta["size"] == doc.stat().st_size


def test_demo_tree_equals_the_sample_archive(demo):
    tracked = set(git(demo.store.path, "ls-files", "customers", "offices", "archive.toml").splitlines())
    on_disk = {
        p.relative_to(SAMPLE).as_posix()
        for p in SAMPLE.rglob("*")
        if p.is_file() and p.relative_to(SAMPLE).parts[0] in ("customers", "offices", "archive.toml")
    }
    assert tracked == on_disk
    for path in sorted(on_disk):
        assert demo.store.read(demo.head(), path) == (SAMPLE / path).read_bytes(), path
    assert git(demo.store.path, "status", "--porcelain") == ""


def test_demo_history_is_believable(demo):
    log = git(demo.store.path, "log", "--format=%an|%ad|%s", "--date=short").splitlines()
    authors = Counter(line.split("|")[0] for line in log)
    assert len([a for a in authors if a != "系统管理员"]) >= 5
    days = sorted(line.split("|")[1] for line in log)
    assert days[0] < "2023-01-01" and days[-1] > "2026-01-01"
    assert len(log) >= 200
    stage_changes = demo.history(field="stage")
    assert any("→" in e.summary for e in stage_changes)
    customer = next(c for c in sample_customers() if c.get("stage_history"))
    trail = demo.history(customer["id"])
    assert trail[-1].action == "create" and trail[-1].author == customer["owner"]


def test_the_audit_trail_filters_by_person_and_period(demo):
    entries = demo.history(author="李娜", since=date(2024, 1, 1), until=date(2024, 12, 31))
    assert entries and all(e.author == "李娜" and e.when.year == 2024 for e in entries)
    result = run_cli(
        "--archive", demo.store.path, "log", "--author", "李娜", "--since", "2024-01-01", "--until", "2024/12/31"
    )
    assert result.code == 0 and len(result.out.splitlines()) == len(entries)
    bad = run_cli("--archive", demo.store.path, "log", "--since", "去年")
    assert bad.code != 0 and "起始日期" in bad.err


def test_sample_statuses_agree_with_the_review_and_age_as_time_passes(demo):
    assert review(demo, date(2026, 11, 1)) == []  # the sample's "today": every status is current
    later = {c.customer_id: c.suggested for c in review(demo, date(2027, 6, 1))}
    dormant = next(c for c in sample_customers() if c.get("status") == "dormant")
    lost = next(c for c in sample_customers() if c.get("status") == "lost")
    assert later[dormant["id"]] == "lost"
    assert lost["id"] not in later or later[lost["id"]] == "history"
