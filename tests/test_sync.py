"""Office sync on real repositories: a bare hub, office clones over file:// and over a real sshd,
field-level merges, recorded conflicts, retries when another office pushed first, kill -9."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import git, run_cli

from custtui.core.archive.archive import Archive
from custtui.core.base.errors import CusttuiError
from custtui.core.records.records import customer_dir
from custtui.core.store import hooks
from custtui.core.store.repo import Store
from custtui.core.sync.merge import DELETED
from custtui.core.sync.reconcile import merge_customers, resolve_conflict
from custtui.core.sync.sync import SyncError, clone, open_conflicts, sync

HUAXIN = {
    "uscc": "91110000600037341L",
    "industry": "制造业",
    "owner": "张伟",
    "region": "北京",
    "aliases": ["华信厂"],
    "tags": ["老客户"],
    "contacts": [{"name": "曾小贤", "position": "采购经理", "phones": ["13812345678"]}],
}


class Offices:
    """A bare hub, the 北京 office that created the archive, and further offices cloned from the hub."""

    def __init__(self, root: Path):
        self.root = root
        self.hub = root / "hub.git"
        self.copies: dict[str, Archive] = {}

    def url(self) -> str:
        return f"file://{self.hub}"

    def clone(self, office: str, user: str) -> Archive:
        self.copies[office] = clone(self.url(), self.root / office, office, office_name=f"{office} 办事处", user=user)
        return self.copies[office]

    def close(self) -> None:
        for archive in self.copies.values():
            archive.close()


def make_offices(root: Path) -> tuple[Offices, str]:
    offices = Offices(root)
    bj = Archive.init(root / "BJ", "BJ", office_name="北京总部", user="张伟")
    huaxin, _ = bj.add_customer("企业", "北京华信机械设备制造有限公司", dict(HUAXIN))
    bj.add_customer("个人", "曾小贤", {"phones": "13912345678", "owner": "李娜"})
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(offices.hub)], check=True)
    bj.store.git("remote", "add", "origin", offices.url())
    sync(bj, "origin")
    offices.copies["BJ"] = bj
    return offices, huaxin


@pytest.fixture
def offices(tmp_path):
    made, huaxin = make_offices(tmp_path)
    made.clone("SH", "李娜")
    made.huaxin = huaxin
    yield made
    made.close()


def tree(archive: Archive) -> str:
    return archive.store.git("rev-parse", "HEAD^{tree}").stdout.decode().strip()


def hub_tree(offices: Offices) -> str:
    return git(offices.hub, "rev-parse", "main^{tree}").strip()


def test_clone_registers_its_own_office_and_refuses_a_taken_code(offices, tmp_path):
    sh = offices.copies["SH"]
    assert sh.office == "SH"
    assert git(offices.hub, "show", "main:offices/SH.toml").count('code = "SH"') == 1, "registered at the hub at once"
    with pytest.raises(CusttuiError, match="办事处代码 SH 已被「SH 办事处」使用"):
        clone(offices.url(), tmp_path / "SH-again", "SH", user="王芳")
    assert not (tmp_path / "SH-again").exists(), "a refused clone leaves nothing behind"
    new_id, _ = sh.add_customer("个人", "上海客户", {"phones": "13700000000", "owner": "李娜"})
    assert new_id == "SH-000001", "IDs of the new office never collide with another office's"


def test_edits_of_different_fields_on_both_sides_both_survive(offices):
    bj, sh, cid = offices.copies["BJ"], offices.copies["SH"], offices.huaxin
    bj.update_customer(cid, {"address": "北京市海淀区中关村大街 1 号"})
    sh.update_customer(cid, {"grade": "VIP", "tags": ["老客户", "华东"]})
    bj.update_customer(cid, {"tags": ["老客户", "重点"], "aliases": ["华信厂", "华信机械"]})
    sh.add_note(cid, {"channel": "电话", "content": "上海回访"})
    bj.add_note(cid, {"channel": "微信", "content": "北京回访"})
    first = sync(sh)
    second = sync(bj)
    assert first.pushed and second.merged and second.pushed and not second.conflicts
    sync(sh)
    record = bj.customer(cid)
    assert record["address"] == "北京市海淀区中关村大街 1 号" and record["grade"] == "vip"
    assert record["tags"] == ["老客户", "重点", "华东"], "lists merge by element"
    assert record["aliases"] == ["华信厂", "华信机械"]
    assert sorted(n["content"] for n in bj.notes(cid)) == ["上海回访", "北京回访"], "facts never conflict"
    assert "conflicts" not in record
    assert tree(bj) == tree(sh) == hub_tree(offices)
    assert bj.store.work_tree and git(bj.store.work_tree, "status", "--porcelain") == "", "the working tree follows"
    assert (bj.store.work_tree / customer_dir(cid) / "customer.toml").read_text().count("华东") == 1


def test_same_field_changed_on_both_sides_is_recorded_with_who_and_when(offices):
    bj, sh, cid = offices.copies["BJ"], offices.copies["SH"], offices.huaxin
    sh.update_customer(cid, {"address": "上海市浦东新区 2 号"})
    sync(sh)
    bj.update_customer(cid, {"address": "北京市朝阳区 3 号"})
    result = sync(bj)
    assert [(c["field"], c["kept"], c["other"]) for _, c in result.conflicts] == [
        ("address", "北京市朝阳区 3 号", "上海市浦东新区 2 号")
    ]
    conflict = result.conflicts[0][1]
    assert conflict["kept_by"] == "张伟" and conflict["other_by"] == "李娜"
    assert conflict["kept_at"] and conflict["other_at"]
    sync(sh)
    assert sh.customer(cid)["address"] == "北京市朝阳区 3 号", "one value stays current, the same everywhere"
    assert [(c, f, x["other"]) for c, f, x in open_conflicts(sh)] == [(cid, "customer.toml", "上海市浦东新区 2 号")]
    assert sh.listing.customers()[cid]["conflicts"] == 1, "the listing knows, for the badge"

    resolve_conflict(sh, cid, 1, "other")
    assert sh.customer(cid)["address"] == "上海市浦东新区 2 号"
    assert "conflicts" not in sh.customer(cid)
    subject = git(sh.store.path, "log", "-1", "--format=%an %s")
    assert subject.startswith("李娜 解决冲突") and "地址 改用另一方的值 上海市浦东新区 2 号" in subject
    assert "address" not in subject
    sync(sh)
    sync(bj)
    assert open_conflicts(bj) == [] and bj.customer(cid)["address"] == "上海市浦东新区 2 号"


def test_stage_changed_on_both_sides_keeps_both_histories_and_records_the_conflict(offices):
    bj, sh, cid = offices.copies["BJ"], offices.copies["SH"], offices.huaxin
    sh.update_customer(cid, {"stage": "签约"}, reason="上海签了合同")
    bj.update_customer(cid, {"stage": "终止"}, reason="北京认为已终止")
    sync(sh)
    result = sync(bj)
    record = bj.customer(cid)
    assert record["stage"] == "terminated"
    assert [c["field"] for _, c in result.conflicts] == ["stage"]
    assert sorted(step["reason"] for step in record["stage_history"]) == ["上海签了合同", "北京认为已终止"]
    assert result.conflict_lines(bj.schema()) == [f"{cid} 合作阶段: 保留 终止合作客户, 另一方 签约客户 (李娜)"]
    resolve_conflict(bj, cid, 1, "current")
    subject = git(bj.store.path, "log", "-1", "--format=%s").strip()
    assert subject.endswith("合作阶段 保留当前值 终止合作客户"), "labels, never stage or terminated"


def test_conflicts_name_fields_and_values_by_their_labels(offices):
    bj, sh, cid = offices.copies["BJ"], offices.copies["SH"], offices.huaxin
    sh.update_customer(cid, {"legal_rep": "欧阳修", "owner": "李娜", "industry": "批发"})
    sync(sh)
    bj.update_customer(cid, {"legal_rep": "司马光", "owner": "王芳", "industry": "零售"})
    lines = sync(bj).conflict_lines(bj.schema())
    assert sorted(lines) == [
        f"{cid} 法定代表人: 保留 司马光, 另一方 欧阳修 (李娜)",
        f"{cid} 行业: 保留 零售业, 另一方 批发业 (李娜)",
        f"{cid} 负责人: 保留 王芳, 另一方 李娜 (李娜)",
    ]
    order = [c["field"] for c in bj.customer(cid)["conflicts"]]
    resolve_conflict(bj, cid, order.index("industry") + 1, "other")
    assert git(bj.store.path, "log", "-1", "--format=%s").strip().endswith("行业 改用另一方的值 批发业")


def test_edit_against_delete_keeps_the_edit_and_records_the_deletion(offices):
    bj, sh, cid = offices.copies["BJ"], offices.copies["SH"], offices.huaxin
    folder = customer_dir(cid)
    sh.store.transact(
        lambda head: ({p: None for p, _ in sh.store.files(head, f"{folder}/")}, "删除客户\n"), sh.identity()
    )
    sync(sh)
    bj.update_customer(cid, {"address": "北京市朝阳区 3 号"})
    result = sync(bj)
    assert bj.customer(cid)["address"] == "北京市朝阳区 3 号"
    assert [(c["field"], c["other_by"]) for _, c in result.conflicts] == [(DELETED, "李娜")]
    resolve_conflict(bj, cid, 1, "other")  # the office accepts the deletion after all
    assert bj.store.entry(bj.head(), folder) is None


def test_documents_attached_on_both_sides(offices, tmp_path):
    bj, sh, cid = offices.copies["BJ"], offices.copies["SH"], offices.huaxin
    same = tmp_path / "营业执照.txt"
    same.write_text("统一社会信用代码 91110000600037341L", "utf-8")
    bj.attach(cid, same, {"doc_type": "营业执照", "date": "2024-01-01"})
    sh.attach(cid, same, {"doc_type": "营业执照", "date": "2024-01-01"})
    bj_file, sh_file = tmp_path / "bj.txt", tmp_path / "sh.txt"
    bj_file.write_text("北京版会议纪要", "utf-8")
    sh_file.write_text("上海版会议纪要", "utf-8")
    bj.attach(cid, bj_file, {"doc_type": "会议纪要", "date": "2024-02-02", "title": "纪要"})
    sh.attach(cid, sh_file, {"doc_type": "会议纪要", "date": "2024-02-02", "title": "纪要"})
    sync(sh)
    result = sync(bj)
    names = [d.name for d in bj.documents(cid)]
    licences = [n for n in names if "营业执照" in n]
    assert len(licences) == 1, f"the same file attached on both sides is kept once: {names}"
    minutes = [d for d in bj.documents(cid) if "纪要" in d.name]
    assert len(minutes) == 2 and result.kept_twice, f"different files under one name are both kept: {names}"
    texts = {bj.document_bytes(cid, d.name).decode() for d in minutes}
    assert texts == {"北京版会议纪要", "上海版会议纪要"}
    assert bj.check() == [], "every document still has its metadata and checksum"


def test_a_push_that_loses_the_race_fetches_merges_and_retries(offices):
    """The hub's pre-receive hook lets another office's commit land first, once."""
    bj, sh, cid = offices.copies["BJ"], offices.copies["SH"], offices.huaxin
    gz = offices.clone("GZ", "王芳")
    gz.update_customer(cid, {"grade": "VIP"})
    gz.store.git("push", "-q", "origin", "HEAD:refs/heads/incoming")
    marker = offices.root / "race-once"
    marker.touch()
    hook = offices.hub / "hooks" / "pre-receive"
    # (outside git's quarantine: the incoming objects are not needed to move the branch)
    hook.write_text(
        f"#!/bin/sh\nif [ -e {marker} ]; then rm {marker}; unset GIT_QUARANTINE_PATH; "
        "git update-ref refs/heads/main refs/heads/incoming; fi\n"
    )
    hook.chmod(0o755)
    bj.update_customer(cid, {"address": "北京市朝阳区 3 号"})
    result = sync(bj)
    assert result.pushed and result.attempts == 2
    record = Archive(offices.hub).customer(cid)
    assert record["grade"] == "vip" and record["address"] == "北京市朝阳区 3 号", "nothing of either push is lost"
    sync(sh)
    sync(gz)
    assert tree(sh) == tree(gz) == tree(bj) == hub_tree(offices)


def test_git_pull_with_the_driver_gives_the_same_tree_as_custtui_sync(offices, tmp_path):
    bj, sh, cid = offices.copies["BJ"], offices.copies["SH"], offices.huaxin
    sh.update_customer(cid, {"address": "上海市浦东新区 2 号", "tags": ["老客户", "华东"], "grade": "VIP"})
    sh.add_note(cid, {"channel": "电话", "content": "上海回访"})
    sync(sh)
    bj.update_customer(cid, {"address": "北京市朝阳区 3 号", "tags": ["老客户", "重点"], "size": "大型"})
    twin_path = tmp_path / "BJ-twin"
    shutil.copytree(bj.store.path, twin_path, symlinks=True)
    result = sync(bj, push=False)
    assert result.conflicts
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "张伟",
        "GIT_AUTHOR_EMAIL": "",
        "GIT_COMMITTER_NAME": "张伟",
        "GIT_COMMITTER_EMAIL": "zw@example.cn",
    }
    pulled = subprocess.run(
        ["git", "-C", str(twin_path), "pull", "-q", "--no-rebase", "--no-edit", "origin", "main"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert pulled.returncode == 0, pulled.stderr
    assert git(twin_path, "rev-parse", "HEAD^{tree}").strip() == tree(bj)
    assert git(twin_path, "status", "--porcelain") == ""


def test_install_merge_driver_for_a_plain_git_clone(offices, tmp_path):
    plain = tmp_path / "plain"
    subprocess.run(["git", "clone", "-q", offices.url(), str(plain)], check=True)
    assert run_cli("install-merge-driver", "--archive", plain).code == 0
    assert "merge=custtui" in (plain / ".git" / "info" / "attributes").read_text()
    assert "custtui merge-driver" in git(plain, "config", "merge.custtui.driver")


def test_merge_customers_folds_b_into_a_and_leaves_a_pointer(offices, tmp_path):
    bj, sh, cid = offices.copies["BJ"], offices.copies["SH"], offices.huaxin
    twin, _ = sh.add_customer(
        "企业",
        "北京华信机械设备制造 有限公司",
        {
            "uscc": "91510116536763233N",
            "industry": "制造业",
            "owner": "李娜",
            "address": "北京市朝阳区 9 号",
            "tags": ["华东"],
        },
    )
    sh.add_note(twin, {"channel": "电话", "content": "上海登记时的沟通"})
    paper = tmp_path / "合同.txt"
    paper.write_text("采购合同", "utf-8")
    sh.attach(twin, paper, {"doc_type": "合同", "date": "2024-03-03", "number": "SH-HT-1"})
    sync(sh)
    result = sync(bj)
    assert [({a, b}, why) for a, b, why in result.duplicates] == [
        ({cid, twin}, "名称相同 (北京华信机械设备制造 有限公司)")
    ]
    commit = merge_customers(bj, cid, twin)
    record = bj.customer(cid)
    assert record["address"] == "北京市朝阳区 9 号", "a field A lacked is filled from B"
    assert record["tags"] == ["老客户", "华东"] and "北京华信机械设备制造 有限公司" in record["aliases"]
    assert [n["content"] for n in bj.notes(cid)] == ["上海登记时的沟通"]
    assert any("SH-HT-1" in d.name for d in bj.documents(cid))
    assert [c["field"] for c in record.get("conflicts", [])] == ["uscc", "owner"], (
        "differing values become open conflicts"
    )
    assert bj.customer(twin)["merged_into"] == cid
    assert twin not in bj.customers() and cid in bj.customers()
    assert git(bj.store.path, "log", "--format=%H", "--", f"{customer_dir(twin)}/customer.toml").split()[0] == commit
    assert len(git(bj.store.path, "log", "--format=%H", "--", customer_dir(twin)).split()) >= 3, "B's history stays"
    assert bj.check() == []
    shown = run_cli("show", twin, "--archive", bj.store.path)
    assert shown.code == 0 and f"已并入 {cid}" in shown.out


def test_sync_over_real_ssh(sshd, tmp_path):
    offices, cid = make_offices(tmp_path)
    env = sshd.git_env()
    os.environ.update(env)
    try:
        sh = clone(sshd.url(offices.hub), tmp_path / "SH", "SH", user="李娜")
        sh.update_customer(cid, {"grade": "VIP"})
        bj = offices.copies["BJ"]
        bj.store.git("remote", "set-url", "origin", sshd.url(offices.hub))
        bj.update_customer(cid, {"address": "北京市朝阳区 3 号"})
        assert sync(sh).pushed
        assert sync(bj).merged
        sync(sh)
        assert tree(sh) == tree(bj) == hub_tree(offices)
        assert sh.customer(cid)["address"] == "北京市朝阳区 3 号" and bj.customer(cid)["grade"] == "vip"
    finally:
        for key in env:
            os.environ.pop(key, None)
        offices.close()


KILLER = """
import sys
from custtui.core.archive.archive import Archive
from custtui.core.sync.sync import sync
sync(Archive(sys.argv[1], user="张伟"))
"""


def test_kill_9_in_the_middle_of_a_sync_leaves_the_archive_whole(offices):
    """A sync killed at several moments (fetching, merging, pushing) at an office whose hub runs
    custtui's hooks: fsck clean, the next session brings the working tree in step, the next sync
    completes, both offices agree and no lock file is left (a git killed while it held one leaves
    it: the next commit at the office, or push at the hub, removes it)."""
    bj, sh, cid = offices.copies["BJ"], offices.copies["SH"], offices.huaxin
    for i in range(40):
        sh.add_customer("个人", f"上海客户{i}", {"phones": f"137{i:08d}", "owner": "李娜"})
    sync(sh)
    hooks.install(Store(offices.hub))
    hook = offices.hub / "hooks" / "pre-receive"
    gate = hook.read_text()
    hook.write_text(gate.replace("\n", "\nsleep 1\n", 1))  # a slow network at the push, then the gate
    for delay in (0.05, 0.3, 0.6, 1.0):
        bj.update_customer(cid, {"address": f"北京市朝阳区 {delay} 号"})
        proc = subprocess.Popen([sys.executable, "-c", KILLER, str(bj.store.path)], start_new_session=True)
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGKILL)  # the sync and the git it runs
        proc.wait()
        for repo in (bj.store.git_dir, offices.hub):
            fsck = subprocess.run(["git", f"--git-dir={repo}", "fsck", "--no-dangling"], capture_output=True, text=True)
            assert fsck.returncode == 0, fsck.stdout + fsck.stderr
        Archive(bj.store.path).close()  # the next session brings a working tree left behind in step
        assert git(bj.store.work_tree, "status", "--porcelain") == ""
    hook.write_text(gate)
    sync(bj)
    sync(sh)
    assert [p for repo in (bj.store.git_dir, offices.hub) for p in repo.rglob("*.lock")] == []
    assert tree(bj) == tree(sh) == hub_tree(offices)
    assert bj.customer(cid)["address"] == "北京市朝阳区 1.0 号"
    assert len(bj.customers()) == 42


def test_a_lock_left_at_a_hub_without_custtuis_hooks_is_named(offices):
    """A plain bare hub cannot clear a lock a killed push left there: the sync says which file
    is in the way and how it goes, instead of retrying as if another office kept pushing."""
    bj, cid = offices.copies["BJ"], offices.huaxin
    bj.update_customer(cid, {"address": "北京市朝阳区 5 号"})
    lock = offices.hub / "refs" / "heads" / "main.lock"
    lock.write_text(git(offices.hub, "rev-parse", "main"))
    with pytest.raises(SyncError, match="中断的推送") as refused:
        sync(bj)
    assert str(lock) in str(refused.value) and "install-merge-driver" in str(refused.value)
    lock.unlink()
    sync(bj)
    assert hub_tree(offices) == tree(bj)


def test_cli_sync_conflicts_and_resolve(offices):
    bj, sh, cid = offices.copies["BJ"], offices.copies["SH"], offices.huaxin
    sh.update_customer(cid, {"address": "上海市浦东新区 2 号"})
    sync(sh)
    bj.update_customer(cid, {"address": "北京市朝阳区 3 号"})
    path = bj.store.path
    done = run_cli("sync", "--archive", path, "--quiet")
    assert done.code == 0, done.err
    assert "记录了 1 处冲突" in done.out and "上海市浦东新区 2 号" in done.out
    listed = run_cli("conflicts", "--archive", path)
    name = bj.customer(cid)["name"]
    assert (
        f"{cid} {name} #1 地址: 当前 北京市朝阳区 3 号 (张伟" in listed.out
        and "另一方 上海市浦东新区 2 号 (李娜" in listed.out
    ), "the same Chinese labels as the sync screen, not field codes"
    wrong = run_cli("resolve", cid, "2", "--keep", "other", "--archive", path)
    assert wrong.code == 1 and "只有 1 处未解决的冲突" in wrong.err
    assert run_cli("resolve", cid, "1", "--keep", "current", "--archive", path).code == 0
    assert run_cli("conflicts", "--archive", path).out.strip() == "没有未解决的冲突"
    nowhere = run_cli("sync", "nowhere", "--archive", path)
    assert nowhere.code == 1 and "没有名为 nowhere 的远程仓库" in nowhere.err


def test_archive_settings_changed_differently_on_both_sides_stop_the_sync_and_change_nothing(offices):
    bj, sh = offices.copies["BJ"], offices.copies["SH"]
    for archive, name in ((bj, "北京的档案"), (sh, "上海的档案")):
        archive.store.transact(
            lambda head, n=name: ({"archive.toml": f'name = "{n}"\nformat = 1\n'.encode()}, "改档案名称\n"),
            archive.identity(),
        )
    sync(sh)
    before = bj.head()
    with pytest.raises(CusttuiError, match="archive.toml: 双方把 name 改成了不同的值"):
        sync(bj)
    assert bj.head() == before and git(bj.store.work_tree, "status", "--porcelain") == ""
    assert not list(bj.store.git_dir.rglob("*.lock"))


EDITOR = """
import sys
from custtui.core.archive.archive import Archive
path, user, customer, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
archive = Archive(path, user=user)
for i in range(rounds):
    archive.add_note(customer, {"channel": "电话", "content": f"{user} 第{i}次"})
"""

SYNCER = """
import sys
from custtui.core.archive.archive import Archive
from custtui.core.sync.sync import sync
archive = Archive(sys.argv[1], user="同步任务")
for _ in range(int(sys.argv[2])):
    sync(archive)
"""


def test_staff_keep_working_while_syncs_run_from_cron_and_by_hand(offices):
    """Real processes: two people commit on the 北京 copy while two syncs of it overlap (cron and a
    person) and 上海 syncs too; nothing is lost and both copies end equal."""
    bj, sh, cid = offices.copies["BJ"], offices.copies["SH"], offices.huaxin
    procs = [
        subprocess.Popen([sys.executable, "-c", EDITOR, str(bj.store.path), user, cid, "12"])
        for user in ("张伟", "王芳")
    ]
    procs += [
        subprocess.Popen([sys.executable, "-c", SYNCER, str(path), "4"])
        for path in (bj.store.path, bj.store.path, sh.store.path)
    ]
    procs.append(subprocess.Popen([sys.executable, "-c", EDITOR, str(sh.store.path), "李娜", cid, "8"]))
    assert [p.wait(timeout=240) for p in procs] == [0] * len(procs)
    sync(bj)
    sync(sh)
    sync(bj)
    assert tree(bj) == tree(sh) == hub_tree(offices)
    contents = [n["content"] for n in sh.notes(cid)]
    assert sorted(contents) == sorted(
        [f"{u} 第{i}次" for u in ("张伟", "王芳") for i in range(12)] + [f"李娜 第{i}次" for i in range(8)]
    )
    assert git(bj.store.work_tree, "status", "--porcelain") == ""
    assert subprocess.run(["git", "-C", str(bj.store.path), "fsck", "--strict"], capture_output=True).returncode == 0


def test_a_document_filed_differently_on_both_sides_is_a_conflict_on_the_document(offices, tmp_path):
    bj, sh, cid = offices.copies["BJ"], offices.copies["SH"], offices.huaxin
    licence = tmp_path / "执照.txt"
    licence.write_text("营业执照", "utf-8")
    bj.attach(cid, licence, {"doc_type": "营业执照", "date": "2024-01-01"})
    sync(bj)
    sync(sh)
    name = bj.documents(cid)[0].name
    bj.update_document(cid, name, {"paper_box": "BJ-盒-01"})
    sh.update_document(cid, name, {"paper_box": "SH-盒-07", "paper_shelf": "3 号柜"})
    sync(sh)
    sync(bj)
    meta = bj.documents(cid)[0].meta
    assert meta["paper_box"] == "BJ-盒-01" and meta["paper_shelf"] == "3 号柜"
    found = open_conflicts(bj)
    assert [(c, f, x["field"], x["other"]) for c, f, x in found] == [
        (cid, f"docs/{name}.meta.toml", "paper_box", "SH-盒-07")
    ]
    listed = run_cli("conflicts", cid, "--archive", bj.store.path)
    assert f"资料 {name} #1 纸质档案盒号: 当前 BJ-盒-01 (张伟" in listed.out and "另一方 SH-盒-07 (李娜" in listed.out
    resolve_conflict(bj, cid, 1, "other", document=name)
    assert bj.documents(cid)[0].meta["paper_box"] == "SH-盒-07" and open_conflicts(bj) == []
    assert bj.check() == []


def test_conflicts_are_shown_masked_to_whom_the_policy_masks_them(offices):
    from custtui.core.archive.staff import add_person
    from custtui.core.tasks import view

    bj, sh = offices.copies["BJ"], offices.copies["SH"]
    person = bj.add_customer("个人", "单田芳", {"phones": "13912345670", "owner": "李娜"})[0]
    sync(bj)
    sync(sh)
    sh.update_customer(person, {"id_number": "51010719980914051X"})
    sync(sh)
    bj.update_customer(person, {"id_number": "330106196212030840"})
    bj.user = "系统管理员"
    add_person(bj, "admin", "系统管理员", "管理员")
    add_person(bj, "zhangwei", "张伟", "管理层")
    add_person(bj, "liuyang", "刘洋", "市场")
    bj.user = "张伟"
    sync(bj)
    assert [(c, x["kept"], x["other"]) for c, _, x in view.conflicts(bj)] == [
        (person, "330106196212030840", "51010719980914051X")
    ]
    bj.user = "刘洋"
    [(_, _, masked)] = view.conflicts(bj)
    assert (masked["kept"], masked["other"]) == ("330106********0840", "510107********051X")
    bj.user = "张伟"
    resolve_conflict(bj, person, 1, "other", expected=masked)  # found again by who and when, not values
    assert bj.customer(person)["id_number"] == "51010719980914051X"


def test_a_box_edited_on_both_sides_merges_by_field_and_stops_on_the_same_field(offices):
    from custtui.core.archive import boxes

    bj, sh = offices.copies["BJ"], offices.copies["SH"]
    boxes.add_box(bj, {"number": "BJ-HT-2031-01", "year_from": 2031, "room": "档案室", "shelf": "A柜"})
    sync(bj)
    sync(sh)
    boxes.update_box(bj, "BJ-HT-2031-01", {"status": "借出"})
    boxes.update_box(sh, "BJ-HT-2031-01", {"note": "上海借阅登记"})
    sync(sh)
    sync(bj)
    merged = boxes.box(bj, "BJ-HT-2031-01")
    assert (merged.status, merged.note) == ("lent", "上海借阅登记")  # different fields: both kept
    boxes.update_box(bj, "BJ-HT-2031-01", {"shelf": "B柜"})
    sync(bj)
    sync(sh)
    boxes.update_box(bj, "BJ-HT-2031-01", {"shelf": "C柜"})
    boxes.update_box(sh, "BJ-HT-2031-01", {"shelf": "D柜"})
    sync(sh)
    before = bj.head()
    with pytest.raises(CusttuiError, match="双方把 柜位 改成了不同的值; 这是纸质档案盒的登记"):
        sync(bj)
    assert bj.head() == before and git(bj.store.work_tree, "status", "--porcelain") == ""
