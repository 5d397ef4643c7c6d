"""The commit engine on real repositories: compare-and-swap under real concurrent processes,
sharded trees, bare hubs, and working trees kept in step."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import textwrap
import threading
import time

from conftest import git, run_cli

from custtui.core.archive.archive import Archive
from custtui.core.index.listing import batch_read
from custtui.core.records.records import customer_dir

PROCESSES, EDITS = 8, 25

WORKER = textwrap.dedent("""
    import sys
    from custtui.core.archive.archive import Archive
    path, me, own, shared, edits = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
    archive = Archive(path, user=f"员工{me}")
    for j in range(edits):
        if j % 2:
            archive.add_note(shared, {"channel": "电话", "content": f"员工{me} 第{j}次回访"})
        else:
            archive.update_customer(own, {"address": f"地址-{me}-{j}"})
""")


def test_eight_processes_lose_no_commit(tmp_path):
    archive = Archive.init(tmp_path / "hub", "BJ", bare=True, user="管理员")
    ids = [
        archive.add_customer("个人", f"客户{i}", {"phones": "13800000000", "owner": "张伟"})[0]
        for i in range(PROCESSES + 1)
    ]
    shared = ids[-1]
    start = len(archive.store.log())
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(archive.store.path), str(i), ids[i], shared, str(EDITS)],
            stderr=subprocess.PIPE,
        )
        for i in range(PROCESSES)
    ]
    errors = [w.communicate(timeout=300)[1].decode() for w in workers]
    assert all(w.returncode == 0 for w in workers), errors
    archive = Archive(archive.store.path)
    assert len(archive.store.log()) - start == PROCESSES * EDITS
    assert len(archive.notes(shared)) == PROCESSES * (EDITS // 2)
    for i in range(PROCESSES):
        assert archive.customer(ids[i])["address"] == f"地址-{i}-{EDITS - 1 - (EDITS - 1) % 2}"
    authors = set(git(archive.store.path, "log", "--format=%an").split())
    assert {f"员工{i}" for i in range(PROCESSES)} <= authors
    assert (
        subprocess.run(["git", "-C", str(archive.store.path), "fsck", "--strict"], capture_output=True).returncode == 0
    )
    assert not list((archive.store.git_dir).glob("**/*.lock"))  # no git lock left behind
    for held in (archive.store.git_dir / "custtui").glob("*.flock"):  # and ours are free
        with open(held) as handle:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)


def test_concurrent_new_customers_never_share_an_id(tmp_path):
    archive = Archive.init(tmp_path / "hub", "SH", bare=True, user="管理员")
    script = (
        "import sys; from custtui.core.archive.archive import Archive\n"
        "a = Archive(sys.argv[1], user='王芳')\n"
        "for i in range(6): print(a.add_customer('个人', f'客户{i}', {'phones': '13900000000', 'owner': '王芳'})[0])"
    )
    workers = [
        subprocess.Popen([sys.executable, "-c", script, str(archive.store.path)], stdout=subprocess.PIPE)
        for _ in range(4)
    ]
    ids = [line for w in workers for line in w.communicate(timeout=300)[0].decode().split()]
    assert len(ids) == 24 and len(set(ids)) == 24
    assert sorted(ids) == [f"SH-{n:06d}" for n in range(1, 25)]


def test_an_edit_rewrites_only_the_trees_on_its_path(archive):
    store = archive.store
    customer_id, _ = archive.add_customer("个人", "甲", {"phones": "13800000000", "owner": "张伟"})
    bump = {"offices/BJ.toml": b'code = "BJ"\nname = "BJ"\nnext = 1500\n'}
    store.transact(lambda head: (bump, "调整序号"), archive.identity())
    far_id, _ = archive.add_customer("个人", "乙", {"phones": "13800000001", "owner": "张伟"})
    assert far_id == "BJ-001500" and customer_dir(far_id) == "customers/BJ/001/BJ-001500"
    before = archive.head()
    archive.update_customer(customer_id, {"address": "新地址"})
    after = archive.head()
    changed = [path for path, _, _ in store.diff_commits(before, after)]
    assert changed == ["customers/BJ/000/BJ-000001/customer.toml"]
    assert git(store.path, "rev-parse", f"{before}:customers/BJ/001") == git(
        store.path, "rev-parse", f"{after}:customers/BJ/001"
    )
    assert git(store.path, "rev-parse", f"{before}:schema") == git(store.path, "rev-parse", f"{after}:schema")


def test_bare_hub_works_like_a_clone(tmp_path):
    hub = tmp_path / "hub.git"
    assert run_cli("init", hub, "--office", "BJ", "--bare").code == 0
    added = run_cli(
        "--archive", hub, "add", "--type", "政府", "--name", "海淀区教育局", "--set", "owner=李娜", "--json"
    )
    assert added.code == 0, added.err
    assert run_cli("--archive", hub, "set", "BJ-000001", "remark=政府客户-教育口").code == 0
    shown = run_cli("--archive", hub, "show", "BJ-000001")
    assert "政府客户-教育口" in shown.out and "政府及事业单位客户" in shown.out
    assert git(hub, "config", "core.bare").strip() == "true"
    assert git(hub, "config", "gc.auto").strip() == "0"


def test_working_tree_and_index_stay_in_step(archive):
    path = archive.store.path
    customer_id, _ = archive.add_customer("个人", "甲", {"phones": "13800000000", "owner": "张伟"})
    archive.update_customer(customer_id, {"address": "上海市浦东新区"})
    assert git(path, "status", "--porcelain") == ""
    assert "上海市浦东新区" in (path / customer_dir(customer_id) / "customer.toml").read_text()
    # a person's later plain `git commit -a` (of another file) must not undo the edit
    (path / "archive.toml").write_text((path / "archive.toml").read_text().replace("BJ 客户档案", "北京客户档案"))
    git(path, "commit", "-q", "-a", "-m", "手工提交")
    assert Archive(path).customer(customer_id)["address"] == "上海市浦东新区"


def test_a_session_killed_before_its_working_tree_sync_leaves_nothing_stale(archive):
    path = archive.store.path
    first, _ = archive.add_customer("个人", "甲", {"phones": "13800000000", "owner": "张伟"})
    file = customer_dir(first) + "/customer.toml"
    changed = archive.store.read(archive.head(), file).decode() + 'address = "崩溃前写入"\n'
    # the commit is published but the process dies before touching the working tree
    archive.store.transact(lambda head: ({file: changed.encode()}, "修改"), archive.identity(), sync=False)
    assert git(path, "status", "--porcelain") != ""
    archive.add_customer("个人", "乙", {"phones": "13800000001", "owner": "张伟"})
    assert git(path, "status", "--porcelain") == ""
    assert "崩溃前写入" in (path / file).read_text()


def test_local_uncommitted_edit_is_kept_and_reported(archive):
    path = archive.store.path
    customer_id, _ = archive.add_customer("个人", "甲", {"phones": "13800000000", "owner": "张伟"})
    file = path / customer_dir(customer_id) / "customer.toml"
    file.write_text(file.read_text() + "# 手工备注\n")
    result = run_cli("--archive", path, "set", customer_id, "address=北京")
    assert result.code == 0
    assert "本地修改" in result.err
    assert file.read_text().endswith("# 手工备注\n")
    assert Archive(path).customer(customer_id)["address"] == "北京"


def test_gc_is_off_and_pack_packs(archive):
    for i in range(3):
        archive.add_customer("个人", f"客户{i}", {"phones": "13800000000", "owner": "张伟"})
    assert git(archive.store.path, "config", "gc.auto").strip() == "0"
    archive.pack()
    counts = dict(line.split(": ") for line in git(archive.store.path, "count-objects", "-v").splitlines())
    assert counts["count"] == "0" and int(counts["in-pack"]) > 0


def test_a_bulk_read_stopped_early_ends_its_git_process(archive):
    """Reading stops after the first blob while git still has thousands queued: nothing hangs."""
    sha = subprocess.run(
        ["git", f"--git-dir={archive.store.git_dir}", "hash-object", "-w", "--stdin"],
        input="档案" * 50_000,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    done = threading.Event()

    def read_one():
        blobs = batch_read(archive.store.git_dir, [sha] * 5000)
        assert next(blobs).decode() == "档案" * 50_000
        blobs.close()
        done.set()

    threading.Thread(target=read_one, daemon=True).start()
    assert done.wait(20), "closing the reader after one blob hung (git blocked on a full pipe)"


COMMIT_HEADERS = [
    b"author \xe5\xbc\xa0\xe4\xbc\x9f <zw@bj> 1764547200 +0800",
    b"author \xe5\xbc\xa0\xe4\xbc\x9f <zw@bj> 1764547200 -0130",
    b"author \xe5\xbc\xa0\xe4\xbc\x9f 1764547200 +0800",  # no address
    b"author <> 1764547200 +0800",
    b"author \xe5\x9d\x8f\xe4\xba\xba <bad@x> 99999999999999999999 +0800",  # a time no calendar has
    b"author \xe5\x9d\x8f\xe4\xba\xba <bad@x> 1764547200 +9999",  # an offset past a day
    b"author \xe5\x9d\x8f\xe4\xba\xba <bad@x> soon",
    b"author \xff\xfe <\xff@x> 1764547200 +0800",  # not UTF-8
    b"author",
    b"",  # no author at all
]


def test_a_commit_written_raw_by_a_hostile_copy_reads_as_git_reads_it(tmp_path):
    """Commits are parsed here, not by GitPython (whose import cost every command ~150 ms): a
    malformed author line gives what git shows of it, or the epoch, never an error."""
    archive = Archive.init(tmp_path / "a", "BJ", user="张伟")
    store, tree = archive.store, archive.store.root_tree(archive.head())
    for header in COMMIT_HEADERS:
        raw = b"tree " + tree.encode() + b"\nparent " + archive.head().encode() + b"\n"
        raw += (header + b"\n" if header else b"") + b"committer c <c@x> 1764547200 +0800\nencoding GBK\n\n"
        raw += "说明: 客户资料\n".encode("gbk")
        written = ["git", "-C", str(store.path), "hash-object", "-w", "--literally", "-t", "commit", "--stdin"]
        sha = subprocess.run(written, input=raw, capture_output=True, check=True).stdout.decode().strip()
        info = store.commit_info(sha)
        log = ["git", "-C", str(store.path), "log", "-1", "--encoding=UTF-8", "--format=%an%x00%ae%x00%at", sha]
        shown = subprocess.run(log, capture_output=True, check=True).stdout.decode("utf-8", "replace")
        shown = shown.strip("\n").split("\0")
        assert (info.tree, info.parents, info.summary) == (tree, (archive.head(),), "说明: 客户资料")
        if b"<" in header and shown[2] not in ("", "0"):  # git read a time: so does custtui, to the year 9999
            assert [info.author_name, info.author_email] == shown[:2]
            assert info.author_time.timestamp() == (int(shown[2]) if len(shown[2]) < 12 else 0)
        else:
            assert info.author_time.timestamp() in (0, int(shown[2] or 0)) and info.author_email in ("", shown[1])


def test_a_commit_naming_an_encoding_that_is_no_text_encoding_reads_as_utf8(tmp_path):
    archive = Archive.init(tmp_path / "a", "BJ", user="张伟")
    tree = archive.store.root_tree(archive.head())
    for encoding in (b"idna", b"hex", b"rot13", b"no-such-encoding"):
        raw = b"tree " + tree.encode() + b"\nauthor \xe5\x9d\x8f\xe4\xba\xba <bad@x> 1764547200 +0800\n"
        raw += b"encoding " + encoding + b"\n\n" + "说明: 客户资料\n".encode()
        written = ["git", "-C", str(archive.store.path), "hash-object", "-w", "--literally", "-t", "commit", "--stdin"]
        sha = subprocess.run(written, input=raw, capture_output=True, check=True).stdout.decode().strip()
        info = archive.store.commit_info(sha)
        assert (info.author_name, info.summary) == ("坏人", "说明: 客户资料"), encoding


def test_git_settings_changed_by_anyone_are_read_at_once(tmp_path, monkeypatch):
    """Settings are read once and kept while their files are unchanged: a change made by plain
    git in another process, of the same length, in an included file or in the global file named
    by the environment is seen by the next read of the same open archive."""
    from custtui.core.store.repo import Store

    subprocess.run(["git", "init", "-q", str(tmp_path / "repo")], check=True)
    store = Store(tmp_path / "repo")
    assert store.config("custtui", "office") is None
    git(tmp_path / "repo", "config", "custtui.office", "SH")
    assert store.config("custtui", "office") == "SH"
    git(tmp_path / "repo", "config", "custtui.office", "GZ")  # same length, same second
    assert store.config("custtui", "office") == "GZ"
    included = tmp_path / "offices.cfg"
    included.write_text("[custtui]\n\toffice = BJ\n")
    git(tmp_path / "repo", "config", "include.path", str(included))
    assert store.config("custtui", "office") == "BJ"
    included.write_text("[custtui]\n\toffice = SZ\n")  # in place: same file, same length
    assert store.config("custtui", "office") == "SZ"
    named = tmp_path / "global.cfg"
    named.write_text("[user]\n\tname = 王芳\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(named))
    assert store.config("user", "name") == "王芳"
    store.git("config", "user.name", "李娜")  # custtui's own write, in the repository's file
    assert store.config("user", "name") == "李娜"


def test_locks_a_killed_git_left_do_not_stop_the_next_commit(tmp_path):
    """git never removes the lock files of a git killed mid-update (power cut, kill -9), and
    refuses every later update while they are there; the next custtui commit removes them once
    they are older than any live git holds one, and saves."""
    archive = Archive.init(tmp_path / "archive", "BJ", user="张伟")
    cid, _ = archive.add_customer("个人", "曾小贤", {"phones": "13912345678"})
    archive.close()
    git_dir = tmp_path / "archive" / ".git"
    head = git(tmp_path / "archive", "rev-parse", "HEAD").strip()
    left = [git_dir / "refs" / "heads" / "main.lock", git_dir / "index.lock"]
    for lock in left:
        lock.write_text(head + "\n")
        os.utime(lock, (time.time() - 60, time.time() - 60))
    done = run_cli("--archive", tmp_path / "archive", "set", cid, "remark=断电之后")
    assert done.code == 0, done.err
    assert [lock for lock in left if lock.exists()] == []
    assert git(tmp_path / "archive", "rev-parse", "HEAD").strip() != head
    assert git(tmp_path / "archive", "status", "--porcelain") == ""
    assert subprocess.run(["git", "-C", str(tmp_path / "archive"), "fsck"], capture_output=True).returncode == 0
