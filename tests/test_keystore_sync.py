"""The key store travels with sync: a bare hub running custtui's hooks, three offices cloned from it,
hostile copies made with plain git. Keys spread as a union; a smaller key store removes nothing,
at a hub, at an office or from a hostile remote; a tombstone makes every office forget its keys,
and after upkeep no object in any repository (loose, packed or unreachable) holds them."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pyrage
import pytest
from conftest import CUSTTUI, git, run_cli
from hostile import Hostile
from test_sync import Offices, make_offices

from custtui.core.archive.archive import Archive
from custtui.core.store import hooks
from custtui.core.store.repo import Store
from custtui.core.sync.sync import add_remote, sync
from custtui.core.vault import crypto
from custtui.core.vault.keystore import Generation, KeyStore, now_iso
from custtui.core.vault.paths import KEYSTORE_REF

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


@pytest.fixture
def offices(tmp_path):
    """北京 (which made the archive), 上海 and 广州 cloned from a hub that runs custtui's hooks."""
    made, huaxin = make_offices(tmp_path)
    hooks.install(Store(made.hub))
    made.clone("SH", "李娜")
    made.clone("GZ", "王芳")
    made.huaxin = huaxin
    yield made
    made.close()


def add_key(archive: Archive, customer: str) -> tuple[str, str]:
    """A new customer key entry (and a new ``staff`` generation) in ``archive``'s key store, saved;
    returns (key id, the wrapped key's text)."""
    store = KeyStore.open(archive.store)
    key_id = crypto.new_id()
    wrapped = crypto.wrap_key(crypto.new_key(), crypto.new_key(), f"{customer}|{key_id}")
    holder = str(pyrage.x25519.Identity.generate().to_public())
    generation = Generation(
        crypto.new_id(), "staff", now_iso(), "zhangwei", {holder: crypto.wrap(crypto.new_key(), [holder])}, {}
    )
    store.add_generation(generation)
    store.add_customer_key(customer, key_id, generation.id, wrapped)
    store.save(archive.identity(), "密钥库: 测试")
    return key_id, wrapped


def key_ids(archive: Archive, customer: str) -> set[str]:
    return {key_id for key_id, _, _ in KeyStore.open(archive.store).customer_entries(customer)}


def keystore_at(path: Path) -> str:
    return git(path, "rev-parse", "-q", "--verify", KEYSTORE_REF, check=False).strip()


def git_given(path: Path, text: str, *args: str) -> str:
    """``git args`` in ``path`` with ``text`` on its standard input."""
    return subprocess.run(
        ["git", "-C", str(path), *args], input=text, capture_output=True, text=True, check=True
    ).stdout.strip()


def every_object(path: Path) -> bytes:
    """Every object of the repository, loose and packed, reachable or not, with its content."""
    return subprocess.run(
        ["git", "-C", str(path), "cat-file", "--batch-all-objects", "--batch"], capture_output=True, check=True
    ).stdout


def sync_all(offices: Offices, *names: str) -> None:
    for name in names:
        sync(offices.copies[name], "origin")


def refused(done: subprocess.CompletedProcess, says: str) -> None:
    text = done.stderr.decode()
    assert done.returncode != 0 and says in text, text
    assert "Traceback" not in text


def key_store_commit(evil: Hostile, tree: str = EMPTY_TREE, parents: tuple[str, ...] = ()) -> str:
    """A key store commit made with plain git: empty unless ``tree`` is given, parentless unless told."""
    return evil.commit(tree, "坏人 <bad@SH>", "密钥库", parents=list(parents))


def test_a_key_added_at_one_office_reaches_the_others_through_the_hub_and_a_quiet_sync_writes_nothing(offices):
    bj, sh, gz = (offices.copies[name] for name in ("BJ", "SH", "GZ"))
    at_bj, _ = add_key(bj, offices.huaxin)
    at_sh, _ = add_key(sh, offices.huaxin)
    sync_all(offices, "BJ", "SH", "GZ", "BJ")
    for archive in (bj, sh, gz):
        assert key_ids(archive, offices.huaxin) == {at_bj, at_sh}
        assert len(KeyStore.open(archive.store).generations) == 2
    assert keystore_at(offices.hub) == keystore_at(bj.store.path) == keystore_at(gz.store.path)
    assert git(offices.hub, "rev-list", "--count", KEYSTORE_REF).strip() == "1", "one parentless commit"

    before = {name: keystore_at(archive.store.git_dir) for name, archive in offices.copies.items()}
    result = sync(sh, "origin")
    assert result.summary() == "与 origin 已一致, 无需同步" and not result.keys_pushed
    assert {name: keystore_at(archive.store.git_dir) for name, archive in offices.copies.items()} == before

    cloned = offices.clone("HZ", "赵敏")
    assert key_ids(cloned, offices.huaxin) == {at_bj, at_sh}, "a clone gets the key store too"


def test_a_hub_and_an_office_refuse_a_key_store_that_drops_keys(offices, tmp_path):
    bj = offices.copies["BJ"]
    kept, _ = add_key(bj, offices.huaxin)
    sync(bj, "origin")
    sync(offices.copies["SH"], "origin")
    hub_keys = keystore_at(offices.hub)
    evil = Hostile(tmp_path / "evil", offices.url())
    evil.git("fetch", "-q", offices.url(), f"{KEYSTORE_REF}:{KEYSTORE_REF}")
    sh_url = str(offices.copies["SH"].store.path)

    for url in (offices.url(), sh_url):
        refused(evil.push(key_store_commit(evil), ref=KEYSTORE_REF, url=url, force=True), "缺少本库已有的 2 个密钥")
        refused(evil.git("push", url, f":{KEYSTORE_REF}", check=False), f"不能删除密钥库 {KEYSTORE_REF}")
    whole = evil.head_tree(KEYSTORE_REF)
    refused(evil.push(key_store_commit(evil, whole, (hub_keys,)), ref=KEYSTORE_REF, force=True), "不能有父提交")
    stray = key_store_commit(evil, evil.put(whole, "notes.txt", b"x"))
    refused(evil.push(stray, ref=KEYSTORE_REF, force=True), "含有密钥库之外的文件 'notes.txt'")

    assert keystore_at(offices.hub) == hub_keys
    assert key_ids(offices.copies["SH"], offices.huaxin) == {kept}
    more = add_key(offices.copies["GZ"], offices.huaxin)[0]
    sync(offices.copies["GZ"], "origin")
    assert key_ids(Archive(offices.hub), offices.huaxin) == {kept, more}, "an honest office's key store is taken"


def test_a_hostile_remote_sending_an_empty_key_store_removes_nothing(offices, tmp_path):
    sh = offices.copies["SH"]
    kept, _ = add_key(sh, offices.huaxin)
    evil = tmp_path / "evil.git"
    subprocess.run(["git", "clone", "-q", "--bare", offices.url(), str(evil)], check=True)
    empty = git(evil, "commit-tree", EMPTY_TREE, "-m", "密钥库").strip()
    git(evil, "update-ref", KEYSTORE_REF, empty)
    add_remote(sh, "evil", f"file://{evil}")

    sync(sh, "evil")
    assert key_ids(sh, offices.huaxin) == {kept}
    assert key_ids(Archive(evil), offices.huaxin) == {kept}, "the remote received the union back"

    for text, code, says in (("generations = 1", 0, "密钥库已推送"), ("[[[", 1, "evil 的密钥库无法读取, 未采用")):
        damaged = git_given(evil, text, "hash-object", "-w", "--stdin")
        tree = git_given(evil, f"100644 blob {damaged}\taudiences.toml\n", "mktree")
        git(evil, "update-ref", KEYSTORE_REF, git(evil, "commit-tree", tree, "-m", "密钥库").strip())
        done = run_cli("--archive", sh.store.path, "sync", "evil")
        assert done.code == code and "Traceback" not in done.err and says in done.out + done.err, done.err
        assert key_ids(sh, offices.huaxin) == {kept}


def test_an_erasure_makes_every_office_forget_the_key_and_upkeep_leaves_no_object_holding_it(offices, tmp_path):
    bj, sh, gz = (offices.copies[name] for name in ("BJ", "SH", "GZ"))
    erased, wrapped = add_key(bj, offices.huaxin)
    sync_all(offices, "BJ", "SH", "GZ")
    stale = tmp_path / "stale.git"  # a copy that never hears of the erasure and keeps sending the key
    subprocess.run(["git", "clone", "-q", "--bare", offices.url(), str(stale)], check=True)
    git(stale, "fetch", "-q", offices.url(), f"{KEYSTORE_REF}:{KEYSTORE_REF}")
    evil = Hostile(tmp_path / "evil", offices.url())
    evil.git("fetch", "-q", offices.url(), f"{KEYSTORE_REF}:refs/old-keys")
    assert all(wrapped.encode() in every_object(a.store.git_dir) for a in (bj, sh, gz))

    if hasattr(Archive, "erase"):
        bj.erase([offices.huaxin], "《个人信息保护法》第四十七条: 客户要求删除")
    else:
        pytest.fail("the lead's Archive.erase is expected")
    sync_all(offices, "BJ", "SH", "GZ")
    result = sync(sh, "origin")
    for archive in (bj, sh, gz):
        assert erased not in key_ids(archive, offices.huaxin)
    add_remote(gz, "stale", f"file://{stale}")
    assert sync(gz, "stale").keys_received == 0, "the erased key is not taken back from a stale copy"
    assert erased not in key_ids(gz, offices.huaxin)

    sneaked = key_store_commit(evil, evil.head_tree("refs/old-keys"))
    refused(evil.push(sneaked, ref=KEYSTORE_REF, force=True), "含有已随个人信息删除而销毁的密钥")

    assert run_cli("--archive", offices.hub, "pack").code == 0
    for archive in (bj, sh, gz):  # their syncs pruned by themselves
        assert wrapped.encode() not in every_object(archive.store.git_dir), archive.office
    assert wrapped.encode() not in every_object(offices.hub)
    assert result.summary() == "与 origin 已一致, 无需同步"


def test_a_hub_removes_the_locks_a_killed_push_left(offices):
    """A push killed while the hub's git held its ref locks leaves them, and plain git refuses
    every push after it; the hub's gate removes them once older than a live git holds one."""
    bj = offices.copies["BJ"]
    add_key(bj, offices.huaxin)
    bj.update_customer(offices.huaxin, {"address": "北京市朝阳区 9 号"})
    left = [offices.hub / "refs" / "heads" / "main.lock", offices.hub / "refs" / "custtui" / "keys.lock"]
    for lock in left:
        lock.parent.mkdir(parents=True, exist_ok=True)
        lock.write_text(git(offices.hub, "rev-parse", "main").strip() + "\n")
        os.utime(lock, (time.time() - 60, time.time() - 60))
    sync(bj, "origin")
    assert [lock for lock in left if lock.exists()] == []
    assert git(offices.hub, "rev-parse", "main").strip() == bj.head()
    assert keystore_at(offices.hub) == keystore_at(bj.store.path)


def test_offices_syncing_at_once_leave_the_hub_with_every_key(offices):
    """Each push is guarded by a lease on the key store it fetched and by the hub's superset rule:
    the office that loses the race fetches, merges and pushes again, so no key is lost."""
    added = {add_key(archive, offices.huaxin)[0] for archive in offices.copies.values()}
    running = [
        subprocess.Popen(
            [*CUSTTUI, "--archive", str(archive.store.path), "sync", "--quiet"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for archive in offices.copies.values()
    ]
    for process in running:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()
    assert key_ids(Archive(offices.hub), offices.huaxin) == added
