"""Backups and the emergency plan (docs/emergency.md), run the way an office runs them: the real
``custtui`` command on a real archive, its history signed by the office server's key.

Backup → wipe → restore → check and verify; the drill on a good and on a damaged backup; wrong
keys, wrong passphrases and damaged files refused in one sentence with nothing left behind; and
each step of the emergency plan that exists today."""

from __future__ import annotations

import io
import json
import shutil
import stat
import tarfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyrage
import pytest
from conftest import bypass_commit, git, keypair, run_cli
from test_signing import public

from custtui.core.archive import keys
from custtui.core.archive.archive import Archive
from custtui.core.archive.signing import enable
from custtui.core.archive.staff import add_person
from custtui.core.store import hooks
from custtui.core.vault.paths import KEYSTORE_REF, key_dir

ADMIN = ("--user", "admin")


@dataclass
class Office:
    """Office BJ's copy of the demo archive: 张伟 (admin) has an encryption key (``custtui key
    new``), the office server account signs every commit after ``since``."""

    path: Path
    identity: Path  # 张伟's age identity, in the copy's key folder (custtui key new)
    offline: Path  # an age identity kept off the server (age-keygen, in the safe)
    to: tuple[str, str]  # ``--to`` its public key
    since: str  # the last unsigned commit (the demo's history)
    server_key: Path


@pytest.fixture
def office(demo, tmp_path) -> Office:
    archive = Archive(demo.store.path, user="admin")
    server = keypair(tmp_path, "server-bj")
    add_person(archive, "admin", "张伟", "管理员", roles=["admin", "management"])
    add_person(archive, "office-bj", "北京服务器", "管理员", roles=["office_sync"], keys=[public(server)])
    add_person(archive, "lina", "李娜", "销售")
    add_person(archive, "zhaomin", "赵敏", "法务")  # sees ID numbers masked, may unmask them (logged)
    since = archive.head()
    enable(archive, server)
    keys.new_identity(archive, "admin")  # the key store ref appears beside the history
    offline = tmp_path / "offline-age.key"
    safe = pyrage.x25519.Identity.generate()
    offline.write_text(f"{safe}\n")
    archive.close()
    to = ("--to", str(safe.to_public()))
    return Office(demo.store.path, key_dir(archive.store) / "admin.key", offline, to, since, server)


def offline_identity(office: Office) -> pyrage.x25519.Identity:
    return pyrage.x25519.Identity.from_str(office.offline.read_text().strip())


def age_keys(path: Path, person_id: str) -> list[str]:
    listed = run_cli("--archive", path, *ADMIN, "--json", "staff", "list")
    return next(p["age_keys"] for p in json.loads(listed.out) if p["id"] == person_id)


def customers(path: Path, *where: str) -> list[tuple[str, str]]:
    listed = run_cli("--archive", path, *ADMIN, "--json", "list", *(("--where", *where) if where else ()))
    assert listed.code == 0, listed.err
    return [(c["id"], c["name"]) for c in json.loads(listed.out)]


def backup_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.custtui-backup"))


def test_backup_wipe_restore_then_check_and_verify_pass(office, tmp_path):
    before = customers(office.path)
    head = git(office.path, "rev-parse", "HEAD").strip()
    keystore = git(office.path, "rev-parse", KEYSTORE_REF).strip()
    person = customers(office.path, "type=个人")[0][0]
    assert run_cli("--archive", office.path, "--user", "zhaomin", "show", person, "--unmask").code == 0  # logged
    folder = tmp_path / "backups"
    made = run_cli("--archive", office.path, *ADMIN, "backup", folder, *office.to)
    assert made.code == 0, made.err
    assert f"能打开它的: {office.to[1][:16]}…、张伟 (admin)" in made.out and "正在加密" in made.err
    assert "注意" not in made.err, "one of its keys is kept off the server"
    server_identity = office.identity.read_text()
    (backup,) = backup_files(folder)
    assert backup.name.startswith("华信集团客户档案-BJ-") and stat.S_IMODE(backup.stat().st_mode) == 0o600
    raw = backup.read_bytes()
    assert raw.startswith(b"age-encryption.org/v1\n")
    for plain in ["华信集团客户档案", "AGE-SECRET-KEY-", "refs/custtui/keys", *(name for _, name in before)]:
        assert plain.encode() not in raw, f"{plain} in the backup's raw bytes"

    shutil.rmtree(office.path)  # the office's disk is lost
    restored = tmp_path / "restored"
    back = run_cli("restore", backup, restored, "--identity", office.offline)
    assert back.code == 0, back.err
    assert f"提交 {head[:10]}, {len(before)} 个客户" in back.out
    assert run_cli("--archive", restored, *ADMIN, "check").code == 0
    verified = run_cli("--archive", restored, *ADMIN, "verify", "--since", office.since)
    assert verified.code == 0 and "所有提交都由允许的密钥签名" in verified.out
    assert customers(restored) == before
    assert git(restored, "rev-parse", "HEAD").strip() == head
    assert git(restored, "rev-parse", KEYSTORE_REF).strip() == keystore, "the key store ref came back"
    assert git(restored, "status", "--porcelain") == ""

    store = Archive(restored).store
    key = key_dir(store) / "admin.key"
    assert key.read_text() == server_identity and stat.S_IMODE(key.stat().st_mode) == 0o600
    assert hooks.missing(store) == [] and git(restored, "config", "custtui.office").strip() == "BJ"
    assert git(restored, "config", "custtui.signingKey").strip() == str(office.server_key.resolve())
    log = run_cli("--archive", restored, *ADMIN, "access-log").out
    assert "查看未打码的个人信息" in log and f"恢复  {backup}" in log, "the log came back, and says who restored"
    # the restored copy works: a new signed change
    assert run_cli("--archive", restored, *ADMIN, "set", before[0][0], "owner=李娜").code == 0
    assert run_cli("--archive", restored, *ADMIN, "verify", "--since", office.since).code == 0


def test_the_drill_passes_on_a_good_backup_and_fails_on_a_damaged_one(office, tmp_path):
    folder, scratch = tmp_path / "backups", tmp_path / "scratch"
    scratch.mkdir()
    made = run_cli("--archive", office.path, *ADMIN, "backup", folder)
    assert made.code == 0 and "服务器丢失时它们会一起丢失" in made.err and "--to" in made.err
    drill = ["drill", folder, "--identity", office.identity, "--since", office.since]  # on the server itself
    passed = run_cli(*drill, env={"TMPDIR": str(scratch)})
    assert passed.code == 0, passed.out + passed.err
    assert passed.out.count("✓") == 3 and "演练通过" in passed.out
    assert "检查档案 (custtui check)" in passed.out and "检查签名 (custtui verify)" in passed.out
    assert list(scratch.iterdir()) == [], "the temporary copy is removed"
    report = json.loads(run_cli("--json", *drill, env={"TMPDIR": str(scratch)}).out)
    assert report["ok"] and [s["ok"] for s in report["steps"]] == [True] * 3
    assert all(s["seconds"] > 0 for s in report["steps"])

    (good,) = backup_files(folder)
    damaged = bytearray(good.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    later = folder / good.name.replace("BJ-2", "BJ-3")  # a newer name: the drill takes it
    later.write_bytes(bytes(damaged))
    failed = run_cli(*drill, env={"TMPDIR": str(scratch)})
    assert failed.code == 1 and "✗ 恢复" in failed.out and "已损坏或不完整" in failed.out and "演练失败" in failed.out
    assert list(scratch.iterdir()) == []


def test_a_drill_fails_when_the_restored_history_has_an_unsigned_commit(office, tmp_path):
    bypass_commit(office.path, "-q", "--allow-empty", "-m", "手工提交")
    folder = tmp_path / "backups"
    assert run_cli("--archive", office.path, *ADMIN, "backup", folder).code == 0
    failed = run_cli("drill", folder, "--identity", office.identity, "--since", office.since)
    assert failed.code == 1 and "✗ 检查签名" in failed.out and "手工提交: 未签名" in failed.out


def test_wrong_keys_damaged_files_and_missing_recipients_leave_nothing_behind(office, demo_template, tmp_path):
    folder = tmp_path / "backups"
    refused = run_cli("--archive", office.path, "--user", "lina", "backup", folder, *office.to)
    assert refused.code == 1 and "李娜 不能备份档案" in refused.err and "(manage_staff)" in refused.err
    assert backup_files(folder) == []
    inside = run_cli("--archive", office.path, *ADMIN, "backup", office.path / "备份", *office.to)
    assert inside.code == 1 and "档案丢失时备份会一起丢失" in inside.err and not (office.path / "备份").exists()
    assert run_cli("--archive", office.path, *ADMIN, "backup", folder, *office.to).code == 0
    (backup,) = backup_files(folder)
    stranger = tmp_path / "stranger.key"
    stranger.write_text(f"{pyrage.x25519.Identity.generate()}\n")
    truncated = tmp_path / "truncated.custtui-backup"
    truncated.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    target = tmp_path / "restored"
    for source, key, said in (
        (backup, stranger, "给出的私钥不是它的接收者之一"),
        (truncated, office.identity, "文件已损坏或不完整"),
        (backup, office.server_key.with_suffix(".nothing"), "读不出私钥文件"),
    ):
        refused = run_cli("restore", source, target, "--identity", key)
        assert refused.code == 1 and said in refused.err and "Traceback" not in refused.err
        assert not target.exists() and [p.name for p in tmp_path.glob(".custtui-restore-*")] == []

    # forged by someone who knows a recipient's public key: its manifest is input like any other
    with tarfile.open(fileobj=io.BytesIO(pyrage.decrypt(backup.read_bytes(), [offline_identity(office)]))) as tar:
        parts = {m.name: tar.extractfile(m).read() for m in tar}
    manifest = json.loads(parts["manifest.json"])
    forged = tmp_path / "forged.custtui-backup"
    for change in ({"office": "../../etc"}, {"branch": "HEAD"}, {"head": "0" * 40}):
        parts["manifest.json"] = json.dumps({**manifest, **change}).encode()
        made = io.BytesIO()
        with tarfile.open(fileobj=made, mode="w") as tar:
            for name, data in parts.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        forged.write_bytes(pyrage.encrypt(made.getvalue(), [offline_identity(office).to_public()]))
        refused = run_cli("restore", forged, target, "--identity", office.offline)
        assert refused.code == 1 and "内容不完整或被改动过" in refused.err and not target.exists(), change

    target.mkdir()
    (target / "别人的文件").write_text("x")
    refused = run_cli("restore", backup, target, "--identity", office.identity)
    assert refused.code == 1 and "不是空目录" in refused.err and [p.name for p in target.iterdir()] == ["别人的文件"]

    # an office without registered keys: a clear refusal, then a passphrase from the environment
    plain = tmp_path / "plain"
    shutil.copytree(demo_template, plain, symlinks=True)
    other = tmp_path / "other-backups"
    refused = run_cli("--archive", plain, "backup", other)
    assert refused.code == 1 and "备份没有接收者" in refused.err and "--passphrase-env" in refused.err
    assert backup_files(other) == []
    secret = {"CUSTTUI_BACKUP_DIR": str(other), "BACKUP_PASS": "一个足够长的备份口令 2026"}
    assert run_cli("--archive", plain, "backup", "--passphrase-env", "BACKUP_PASS", env=secret).code == 0
    (sealed,) = backup_files(other)
    for options, said in (
        (["--passphrase-env", "BACKUP_PASS"], "口令不对"),
        (["--identity", office.identity], "它是用口令加密的"),
    ):
        env = {"BACKUP_PASS": "另一个口令另一个口令"}
        refused = run_cli("restore", sealed, target.with_name("p"), *options, env=env)
        assert refused.code == 1 and said in refused.err and not target.with_name("p").exists()
    done = run_cli("restore", sealed, target.with_name("p"), "--passphrase-env", "BACKUP_PASS", env=secret)
    assert done.code == 0, done.err
    assert run_cli("--archive", target.with_name("p"), "check").code == 0


def test_each_step_of_the_emergency_plan_runs(office, tmp_path):
    """docs/emergency.md, in its order, on a real archive."""
    base = ["--archive", office.path]
    folder = tmp_path / "backups"
    # 1. loss: the nightly backup, the drill, the restore
    assert run_cli(*base, *ADMIN, "backup", folder, *office.to).code == 0
    assert run_cli("drill", folder, "--identity", office.offline, "--since", office.since).code == 0

    # 2. a leaked or lost key: what did it read? (the access log, one person since a day)
    customer, person = customers(office.path)[0][0], customers(office.path, "type=个人")[0][0]
    assert run_cli(*base, "--user", "zhaomin", "show", person, "--unmask").code == 0
    assert run_cli(*base, *ADMIN, "access-log").out.count("查看未打码的个人信息") == 1
    assert run_cli(*base, "--user", "zhaomin", "show", customers(office.path, "type=个人")[1][0], "--unmask").code == 0
    slice_ = run_cli(*base, *ADMIN, "access-log", "--person", "zhaomin", "--since", "2026-01-01")
    assert slice_.code == 0 and slice_.out.count("查看未打码的个人信息") == 2 and person in slice_.out
    assert "备份" not in slice_.out, "only what that person did"
    today = datetime.now().date().isoformat()
    one = ["--person", "zhaomin", "--until", today, "--action", "查看未打码的个人信息", "--target", person]
    assert run_cli(*base, *ADMIN, "access-log", *one).out.count("查看未打码的个人信息") == 1
    # … and her encryption key: revoked, every audience's key rotated, a new one made
    assert run_cli(*base, *ADMIN, "key", "new", "zhaomin").code == 0
    leaked = age_keys(office.path, "zhaomin")
    assert run_cli(*base, *ADMIN, "key", "revoke", "zhaomin").code == 0 and age_keys(office.path, "zhaomin") == []
    assert run_cli(*base, *ADMIN, "key", "rotate").code == 0
    assert run_cli(*base, *ADMIN, "key", "new", "zhaomin").code == 0
    assert age_keys(office.path, "zhaomin") not in ([], leaked)

    # 3. a compromised office: its server key signed a change, then its account is disabled
    sh = keypair(tmp_path, "server-sh")
    assert run_cli(*base, *ADMIN, "staff", "add", "office-sh", "--name", "上海服务器", "--department", "管理员",
                   "--role", "office_sync", "--key", f"{sh}.pub").code == 0  # fmt: skip
    for key, office_code in ((sh, "SH"), (office.server_key, "BJ")):  # a change made at SH, signed with its key
        git(office.path, "config", "custtui.signingKey", str(key))
        git(office.path, "config", "custtui.office", office_code)
        if office_code == "SH":
            assert run_cli(*base, *ADMIN, "set", customer, "owner=李娜").code == 0
    assert run_cli(*base, *ADMIN, "verify", "--since", office.since).code == 0, "before: SH may vouch as a server"
    assert run_cli(*base, *ADMIN, "staff", "disable", "office-sh").code == 0
    keys = run_cli(*base, *ADMIN, "ssh", "authorized-keys")
    assert keys.code == 0 and public(sh).split()[1] not in keys.out and public(office.server_key).split()[1] in keys.out
    found = run_cli(*base, *ADMIN, "verify", "--since", office.since)
    assert found.code == 1 and found.out.count("\n") == 1, found.out
    assert "签名者 office-sh 既不是作者本人, 也不是办事处服务器" in found.out
    history = run_cli(*base, *ADMIN, "log", "--author", "@SH>", "--since", "2026-01-01")
    assert history.code == 0 and history.out.splitlines()[0].startswith(found.out.split()[0])
    assert len(history.out.splitlines()) == 1, "only the change made at SH"
