"""Property: two offices edit, add and delete at random, then sync both ways in a random order.
Afterwards both offices and the hub hold the same tree, and every value an office last wrote is
either current or kept in an open conflict; tags and notes either side added are all there."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custtui.core.archive.archive import Archive
from custtui.core.records.records import customer_dir
from custtui.core.sync.merge import DELETED
from custtui.core.sync.sync import clone, sync

# Random rounds per run: 100 in the suite (~0.8 s each, on one worker), new ones every run (no
# example database); CUSTTUI_SYNC_ROUNDS=2000 for a deeper search before a release.
ROUNDS = int(os.environ.get("CUSTTUI_SYNC_ROUNDS", "100"))
OFFICES = ("BJ", "SH")
USERS = {"BJ": "张伟", "SH": "李娜"}
SCALARS = {
    "address": ["北京路 1 号", "上海路 2 号", "广州路 3 号"],
    "owner": ["张伟", "李娜", "王芳"],
    "grade": ["normal", "vip"],
}
TAGS = ["重点", "华东", "老客户", "待回访"]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A hub and two office copies holding three customers, made once and copied per example (bare:
    the merges are the subject here; test_sync covers working trees)."""
    root = tmp_path_factory.mktemp("offices")
    bj = Archive.init(root / "BJ", "BJ", bare=True, office_name="北京总部", user=USERS["BJ"])
    bj.add_customer(
        "企业",
        "北京华信机械设备制造有限公司",
        {"uscc": "91110000600037341L", "industry": "制造业", "owner": "张伟", "region": "北京", "tags": ["老客户"]},
    )
    bj.add_customer("个人", "曾小贤", {"phones": "13912345678", "owner": "李娜"})
    bj.add_customer("个人", "单田芳", {"phones": "13912345679", "owner": "李娜", "address": "天津"})
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(root / "hub.git")], check=True)
    bj.store.git("remote", "add", "origin", f"file://{root / 'hub.git'}")
    sync(bj)
    clone(
        f"file://{root / 'hub.git'}", root / "SH", "SH", office_name="上海分公司", user=USERS["SH"], bare=True
    ).close()
    bj.close()
    return root


@dataclass
class Intent:
    """What one office meant during the round: its last value per field, the tags it added or
    removed, the notes and customers it added, the customers it deleted."""

    values: dict[tuple[str, str], str] = field(default_factory=dict)
    tags_added: set[tuple[str, str]] = field(default_factory=set)
    tags_removed: set[tuple[str, str]] = field(default_factory=set)
    notes: list[tuple[str, str]] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    deleted: set[str] = field(default_factory=set)
    start: str | None = None  # the office's head when the round began


operation = st.one_of(
    st.tuples(st.just("set"), st.sampled_from(list(SCALARS)), st.integers(0, 2)),
    st.tuples(st.just("tag+"), st.sampled_from(TAGS), st.just(0)),
    st.tuples(st.just("tag-"), st.sampled_from(TAGS), st.just(0)),
    st.tuples(st.just("note"), st.just(""), st.just(0)),
    st.tuples(st.just("new"), st.just(""), st.just(0)),
    st.tuples(st.just("delete"), st.just(""), st.just(0)),
)
step = st.tuples(st.sampled_from(OFFICES), st.integers(0, 2), operation)


def apply(archive: Archive, office: str, intent: Intent, customer_index: int, op: tuple) -> None:
    kind, name, value = op
    alive = sorted(archive.customers())
    if kind == "new":
        label = f"{office}新客户{len(intent.created) + 1}"
        created, _ = archive.add_customer("个人", label, {"phones": "13700000000", "owner": USERS[office]})
        intent.created.append(created)
        return
    if not alive:
        return
    cid = alive[customer_index % len(alive)]
    if kind == "set":
        chosen = SCALARS[name][value % len(SCALARS[name])]
        if archive.update_customer(cid, {name: chosen}):  # None: the value was already there
            intent.values[(cid, name)] = chosen
            if (
                intent.start
                and archive.store.entry(intent.start, customer_dir(cid))
                and archive.customer(cid, intent.start).get(name) == chosen
            ):
                del intent.values[(cid, name)]  # set back to where the round began: no change to merge
    elif kind in ("tag+", "tag-"):
        tags = list(archive.customer(cid).get("tags", []))
        if kind == "tag+" and name not in tags:
            archive.update_customer(cid, {"tags": tags + [name]})
            intent.tags_removed.discard((cid, name))
            intent.tags_added.add((cid, name))
        elif kind == "tag-" and name in tags:
            archive.update_customer(cid, {"tags": [t for t in tags if t != name]})
            intent.tags_added.discard((cid, name))
            intent.tags_removed.add((cid, name))
    elif kind == "note":
        content = f"{office} 第{len(intent.notes) + 1}次沟通"
        archive.add_note(cid, {"channel": "电话", "content": content})
        intent.notes.append((cid, content))
    elif kind == "delete":
        folder = customer_dir(cid)
        archive.store.transact(
            lambda head: ({p: None for p, _ in archive.store.files(head, f"{folder}/")}, f"删除 {cid}\n"),
            archive.identity(),
        )
        intent.deleted.add(cid)


def held(record: dict, key: str, value: str) -> bool:
    """The value is current, or kept in one of the record's open conflicts."""
    return record.get(key) == value or any(
        c.get("field") == key and value in (c.get("kept"), c.get("other")) for c in record.get("conflicts", [])
    )


@settings(
    max_examples=ROUNDS,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, max_size=8), order=st.sampled_from([("BJ", "SH", "BJ"), ("SH", "BJ", "SH")]))
def test_two_offices_converge_and_lose_nothing(template, tmp_path_factory, steps, order):
    root = tmp_path_factory.mktemp("round")
    shutil.copytree(template, root, symlinks=True, dirs_exist_ok=True)
    copies = {}
    for office in OFFICES:
        copies[office] = Archive(root / office, user=USERS[office])
        copies[office].store.git("remote", "set-url", "origin", f"file://{root / 'hub.git'}")
    intents = {office: Intent(start=copies[office].head()) for office in OFFICES}
    try:
        for office, customer_index, op in steps:
            apply(copies[office], office, intents[office], customer_index, op)
        for office in order:
            sync(copies[office])
        trees = {o: a.store.git("rev-parse", "HEAD^{tree}").stdout for o, a in copies.items()}
        hub = subprocess.run(
            ["git", "-C", str(root / "hub.git"), "rev-parse", "main^{tree}"], capture_output=True
        ).stdout
        assert trees["BJ"] == trees["SH"] == hub, "both offices and the hub hold the same archive"
        archive = copies["BJ"]
        everyone = archive.customers()
        for office, intent in intents.items():
            other = intents["SH" if office == "BJ" else "BJ"]
            for (cid, key), value in intent.values.items():
                if cid in intent.deleted:
                    continue
                assert cid in everyone, f"{office} edited {cid}; the other office's deletion must not drop it"
                record = archive.customer(cid)
                assert held(record, key, value), f"{office} wrote {key}={value} on {cid}: {record}"
            for cid, tag in intent.tags_added - {(c, t) for c, t in other.tags_removed}:
                if cid not in intent.deleted:
                    assert tag in archive.customer(cid).get("tags", []), f"{office} added tag {tag} to {cid}"
            for cid, tag in intent.tags_removed - other.tags_added:
                if cid in everyone and cid not in intent.deleted:  # a deletion undone by the other's edit
                    assert tag not in archive.customer(cid).get("tags", []), f"{office} removed tag {tag} from {cid}"
            for cid, content in intent.notes:
                if cid not in intent.deleted:
                    assert content in [n["content"] for n in archive.notes(cid)], f"{office}'s note on {cid}"
            assert set(intent.created) - intent.deleted <= set(everyone), f"{office}'s new customers are there"
            for cid in (
                intent.deleted
                - {c for c, _ in other.values}
                - {c for c, _ in other.notes}
                - {c for c, _ in other.tags_added | other.tags_removed}
            ):
                assert cid not in everyone or any(
                    c.get("field") == DELETED for c in archive.customer(cid).get("conflicts", [])
                ), f"{office} deleted {cid} and nobody else touched it"
    finally:
        for archive in copies.values():
            archive.close()
        shutil.rmtree(root, ignore_errors=True)
