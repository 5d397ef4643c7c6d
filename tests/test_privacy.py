"""Privacy under PIPL on real repositories: what an office may not read reaches it as ciphertext
only, erasure destroys keys everywhere without rewriting history, revocation and rotation.

Every claim is checked by reading every object of every repository (loose and packed, reachable or
not: ``git cat-file --batch-all-objects``), and the files custtui keeps beside them."""

from __future__ import annotations

import fcntl
import os
import subprocess
from pathlib import Path

import pytest
from conftest import CUSTTUI, git, keypair, run_cli

from custtui.core.access import access_log
from custtui.core.archive import keys, signing
from custtui.core.archive.archive import Archive
from custtui.core.archive.staff import add_person
from custtui.core.base.errors import CusttuiError, NotFound
from custtui.core.sync.sync import clone, sync
from custtui.core.tasks import view
from custtui.core.vault import crypto
from custtui.core.vault.keyring import Keyring
from custtui.core.vault.paths import KEYSTORE_REF

ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"
ADDRESS = "北京市海淀区中关村大街27号"
STATEMENT = "资产负债表 营业收入九千八百七十六万五千四百三十二元 独有的审计意见段落"
NOTE = "客户说下周来签约, 私人微信号 zhaomin_1990"


def every_object(path: Path) -> bytes:
    """The content of every object in the repository, reachable or not, loose or packed."""
    return subprocess.run(
        ["git", "-C", str(path), "cat-file", "--batch-all-objects", "--unordered", "--batch"],
        capture_output=True,
        check=True,
    ).stdout


def every_file(path: Path) -> bytes:
    """Every file custtui keeps under the repository (objects, caches, indexes), concatenated."""
    return b"".join(f.read_bytes() for f in path.rglob("*") if f.is_file() and not f.is_symlink())


class Offices:
    """北京 (headquarters: management and finance hold keys), 上海 (sales only) and 广州 (sales
    only), each a copy synced through a bare hub, each signing with the offices' server key."""

    def __init__(self, root: Path):
        self.root = root
        self.hub = root / "hub.git"
        server = keypair(root, "server")
        self.server = server
        bj = Archive.init(root / "BJ", "BJ", office_name="北京总部", user="张伟")
        add_person(bj, "zhangwei", "张伟", "管理员")
        bj = Archive(root / "BJ", user="zhangwei")
        add_person(
            bj, "office", "办事处服务器", "管理员", roles=["office_sync"], keys=[server.with_suffix(".pub").read_text()]
        )
        signing.enable(bj, server)
        for person, name, department in (
            ("wangfang", "王芳", "管理层"),
            ("lina", "李娜", "财务"),
            ("chenjing", "陈静", "销售"),
        ):
            add_person(bj, person, name, department)
        keys.new_identity(bj, "wangfang")
        keys.new_identity(bj, "lina")
        enabled = run_cli("key", "enable", cwd=root / "BJ", env={"CUSTTUI_USER": "zhangwei"})
        assert enabled.code == 0 and "已启用加密保存" in enabled.out, enabled.err
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(self.hub)], check=True)
        bj.store.git("remote", "add", "origin", f"file://{self.hub}")
        sync(bj, "origin")
        self.copies = {"BJ": bj}
        for office in ("SH", "GZ"):
            copy = clone(f"file://{self.hub}", root / office, office, user="zhangwei")
            signing.enable(copy, server)
            self.copies[office] = copy
        keys.new_identity(self.copies["SH"], "chenjing")  # her key is made where she works
        self.sync_all()

    def sync_all(self) -> None:
        for office in ("SH", "GZ", "BJ", "SH", "GZ"):  # twice round: what BJ shares reaches the others
            sync(self.copies[office], "origin")

    def as_person(self, office: str, person: str) -> Archive:
        return Archive(self.root / office, user=person)

    def repositories(self) -> list[Path]:
        return [self.hub, *(self.root / office / ".git" for office in self.copies)]


@pytest.fixture(scope="module")
def offices(tmp_path_factory):
    made = Offices(tmp_path_factory.mktemp("privacy"))
    bj = made.as_person("BJ", "wangfang")
    made.customer, _ = bj.add_customer("个人", "赵敏", {"id_number": ID_NUMBER, "phones": [PHONE], "address": ADDRESS})
    statement = made.root / "statement.txt"
    statement.write_text(STATEMENT)
    made.statement, _ = bj.attach(made.customer, statement, {"info_type": "资信资料", "doc_type": "财务报表"})
    bj.add_note(made.customer, {"channel": "电话", "content": NOTE})
    made.sync_all()
    yield made
    for copy in made.copies.values():
        copy.close()


def test_an_office_without_finance_keys_holds_only_ciphertext_of_what_its_people_may_not_read(offices):
    for office in ("SH", "GZ"):
        stored = every_object(offices.root / office)
        assert offices.customer.encode() in stored  # the customer did arrive
        for secret in (ID_NUMBER, "九千八百七十六万", "独有的审计意见", PHONE, NOTE):
            assert secret.encode() not in stored, (office, secret)
    sales = offices.as_person("SH", "chenjing")
    record = sales.customer(offices.customer)
    assert record["phones"] == [PHONE] and record["address"] == ADDRESS  # sales may read these: her key opens them
    assert "id_number" not in record and "id_number" in record["sealed"]["fields"]  # only ciphertext here
    with pytest.raises(crypto.Locked, match="本副本没有"):
        sales.document_bytes(offices.customer, offices.statement)
    sales.customers()  # its caches hold what its keys open, and nothing else
    sales.search_index().rebuild()
    assert sales.search_index().search("中关村大街").hits and not sales.search_index().search("审计意见").hits
    caches = every_file(offices.root / "SH" / ".git" / "custtui")
    assert PHONE.encode() in caches and ID_NUMBER.encode() not in caches and "审计意见".encode() not in caches
    shown = run_cli("show", offices.customer, cwd=offices.root / "SH", env={"CUSTTUI_USER": "chenjing"})
    assert shown.code == 0 and ID_NUMBER not in shown.out
    assert "个人信息: 身份证号 (已加密, 本副本没有可解开的密钥)" in shown.out
    # at the headquarters the person with the right key reads both
    finance = offices.as_person("BJ", "lina")
    assert finance.customer(offices.customer)["id_number"] == ID_NUMBER
    _, statement = view.document_bytes(finance, offices.customer, offices.statement)
    assert STATEMENT in statement.decode()
    logged = access_log.entries(finance, person="lina", action="decrypt")
    assert [e["target"] for e in logged] == [f"{offices.customer}/{offices.statement}"]  # whose key read what
    for secret in (ID_NUMBER, "独有的审计意见", PHONE, NOTE):  # and the headquarters' history holds no plaintext either
        assert secret.encode() not in every_object(offices.root / "BJ")


def test_commit_messages_name_changed_personal_fields_without_their_values(offices):
    bj = offices.as_person("BJ", "wangfang")
    bj.update_customer(offices.customer, {"phones": ["13900001111"]})
    message = bj.store.git("log", "-1", "--format=%B").stdout.decode()
    assert "电话 已修改 (加密保存)" in message and "13900001111" not in message and PHONE not in message


def test_erasure_reaches_every_office_and_leaves_nothing_that_opens(offices, tmp_path):
    bj = offices.as_person("BJ", "wangfang")
    sealed_before = {
        office: offices.copies[office].store.read(offices.copies[office].head(), sealed_path(offices.customer))
        for office in offices.copies
    }
    verified_before = {office: run_cli("verify", cwd=offices.root / office).out for office in offices.copies}
    bj.search_index().rebuild()  # the caches beside the history hold what this copy opened
    assert bj.search_index().search("中关村大街").hits
    assert "独有的审计意见".encode() in every_file(offices.root / "BJ" / ".git" / "custtui")
    wrapped = [w for _, _, w in Keyring(bj.store).keystore.customer_entries(offices.customer)]
    assert wrapped, "the customer had a key"
    bj.erase([offices.customer], "《个人信息保护法》第四十七条: 保存期限届满")
    assert not bj.search_index().search("中关村大街").hits  # out of the results at once
    offices.sync_all()
    for copy in offices.copies.values():
        copy.pack(prune=True)  # the nightly upkeep: also rewrites the search index's files
    subprocess.run(["git", "-C", str(offices.hub), "gc", "-q", "--prune=now"], check=True)
    for repository in offices.repositories():
        stored = every_object(repository)
        for text in wrapped:
            assert text.encode() not in stored, repository  # the key is gone, reachable or not
        for secret in (ID_NUMBER, PHONE, ADDRESS, NOTE, "独有的审计意见"):
            assert secret.encode() not in stored, (repository, secret)  # and the plaintext never was there
    caches = every_file(offices.root / "BJ" / ".git" / "custtui")
    for secret in (ID_NUMBER, "独有的审计意见", NOTE, ADDRESS):
        assert secret.encode() not in caches, secret  # listing, search index and extracted texts purged
    assert not bj.search_index().search("中关村大街").hits
    for office, copy in offices.copies.items():
        keyring = Keyring(copy.store)  # every key this office holds
        assert not keyring.keystore.customer_entries(offices.customer)
        with pytest.raises(crypto.Locked, match="已随个人信息删除而销毁"):
            keyring.open(crypto.from_text(next(iter(tomllib_parts(sealed_before[office])))))
        record = copy.customer(offices.customer)
        assert record["sealed"] == {"fields": ["address", "id_number", "phones"]}
        assert "phones" not in record and record["name"] == "赵敏"
        assert not copy.documents(offices.customer) and not copy.notes(offices.customer)
        log = copy.store.git("log", "-1", "--format=%s", "--", f"erasures/{offices.customer}.toml").stdout.decode()
        assert "删除个人信息" in log and "第四十七条" in log
        # the history is not rewritten: what verified still does, and the erasure itself is signed
        assert run_cli("verify", cwd=offices.root / office).out == verified_before[office]
        assert run_cli("check", cwd=offices.root / office).code == 0
    erased = access_log.entries(bj, action="erase")
    assert erased and erased[-1]["target"] == offices.customer and "第四十七条" in erased[-1]["detail"]


def sealed_path(customer: str) -> str:
    from custtui.core.records.records import customer_dir

    return f"{customer_dir(customer)}/customer.toml"


def tomllib_parts(raw: bytes) -> list[str]:
    import tomllib

    return list(tomllib.loads(raw.decode())["sealed"]["parts"].values())


def test_a_revoked_key_cannot_read_what_is_written_after_its_revocation(offices):
    bj = offices.as_person("BJ", "wangfang")
    customer, _ = bj.add_customer("个人", "钱多多", {"id_number": "110105194912310038", "phones": ["13600001111"]})
    lina_key = offices.root / "BJ/.git/custtui/keys/lina.key"
    kept = lina_key.read_text()
    written_before = bj.store.read(bj.head(), sealed_path(customer))
    admin = offices.as_person("BJ", "zhangwei")
    said = keys.revoke(admin, "lina")
    assert any("新一代" in line for line in said)
    assert not lina_key.exists()
    bj = offices.as_person("BJ", "wangfang")
    bj.update_customer(customer, {"id_number": "110105194912310054"})
    after = bj.store.read(bj.head(), sealed_path(customer))
    import pyrage

    stolen = Keyring(bj.store, [pyrage.x25519.Identity.from_str(kept.split()[-1])])  # only the revoked key
    written_after = set(tomllib_parts(after)) - set(tomllib_parts(written_before))
    assert written_after  # the new ID number's part (the phones' part did not change, and keeps its envelope)
    for part in written_after:
        with pytest.raises(crypto.Locked):
            stolen.open(crypto.from_text(part))
    assert Keyring(bj.store).open(crypto.from_text(next(iter(written_after))))  # the copy's other keys still read it


def test_rotation_needs_the_right_and_seals_new_writes_to_new_keys(offices):
    with pytest.raises(CusttuiError, match="管理员工"):
        keys.rotate(offices.as_person("BJ", "wangfang"))
    admin = offices.as_person("BJ", "zhangwei")
    store = admin.store
    before = Keyring(store).keystore.current("staff").id
    keys.rotate(admin)
    assert Keyring(store).keystore.current("staff").id != before
    assert store.git("rev-parse", KEYSTORE_REF).stdout.strip()


def test_a_key_store_change_waits_while_a_prune_holds_the_archive(offices):
    """``custtui pack`` prunes every unreachable object under the commit lock; a key store saved
    meanwhile would have its new objects deleted before its ref points at them."""
    path = offices.root / "BJ"
    before = git(path, "rev-parse", KEYSTORE_REF).strip()
    with open(path / ".git" / "custtui" / "commit.flock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as Archive.pack(prune=True) holds it
        rotating = subprocess.Popen(
            [*CUSTTUI, "key", "rotate"],
            cwd=path,
            env={**os.environ, "CUSTTUI_USER": "zhangwei"},
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        with pytest.raises(subprocess.TimeoutExpired):
            rotating.wait(timeout=3)
        assert git(path, "rev-parse", KEYSTORE_REF).strip() == before
    out, err = rotating.communicate(timeout=120)
    assert rotating.returncode == 0, err
    after = git(path, "rev-parse", KEYSTORE_REF).strip()
    assert after != before and git(path, "cat-file", "-t", after).strip() == "commit"
    assert subprocess.run(["git", "-C", str(path), "fsck", "--no-progress"], capture_output=True).returncode == 0


def test_erasure_needs_its_right_and_a_basis_and_a_whole_erasure_is_told_on_opening(offices):
    sales = offices.as_person("SH", "chenjing")
    with pytest.raises(CusttuiError, match="删除个人信息"):
        sales.erase(["BJ-000001"], "测试")
    manager = offices.as_person("BJ", "wangfang")
    with pytest.raises(CusttuiError, match="法律依据"):
        manager.erase(["BJ-000001"], " ")
    customer, _ = manager.add_customer("个人", "孙悟空", {"phones": ["13700001234"]})
    manager.erase([customer], "本人要求删除 (《个人信息保护法》第四十七条)", whole=True)
    with pytest.raises(NotFound, match=f"客户 {customer} \\(整个客户\\)已于 .* 由 wangfang 依「本人要求删除"):
        manager.customer(customer)
    shown = run_cli("show", customer, cwd=offices.root / "BJ", env={"CUSTTUI_USER": "wangfang"})
    assert shown.code != 0 and "整个客户" in shown.err and "Traceback" not in shown.err


def test_two_offices_editing_different_personal_fields_merge_and_one_part_edited_twice_is_a_readable_conflict(offices):
    bj = offices.as_person("BJ", "wangfang")
    customer, _ = bj.add_customer("个人", "周芷若", {"id_number": "110105194912310070", "phones": ["13600002222"]})
    offices.sync_all()
    offices.as_person("SH", "chenjing").update_customer(customer, {"phones": ["13600003333"]})
    offices.as_person("BJ", "wangfang").update_customer(customer, {"id_number": "110105194912310097"})
    offices.sync_all()
    for office in ("BJ", "SH"):
        merged = offices.as_person(office, "wangfang").customer(customer)
        assert merged["phones"] == ["13600003333"] and not merged.get("conflicts")
    assert offices.as_person("BJ", "wangfang").customer(customer)["id_number"] == "110105194912310097"
    offices.as_person("SH", "chenjing").update_customer(customer, {"phones": ["13600004444"]})
    offices.as_person("BJ", "wangfang").update_customer(customer, {"phones": ["13600005555"]})
    offices.sync_all()
    listed = run_cli("conflicts", customer, cwd=offices.root / "BJ", env={"CUSTTUI_USER": "wangfang"})
    assert "加密的个人信息 (可查看电话的人)" in listed.out and "(加密内容)" in listed.out, listed.out + listed.err
    resolved = run_cli(
        "resolve", customer, "1", "--keep", "other", cwd=offices.root / "BJ", env={"CUSTTUI_USER": "wangfang"}
    )
    assert resolved.code == 0, resolved.err
    record = offices.as_person("BJ", "wangfang").customer(customer)
    assert record["phones"] in (["13600004444"], ["13600005555"]) and not record.get("conflicts")


def test_a_second_erasure_keeps_naming_the_keys_the_first_destroyed(offices):
    import tomllib

    manager = offices.as_person("BJ", "wangfang")
    customer, _ = manager.add_customer("个人", "张无忌", {"phones": ["13500001111"]})
    manager.erase([customer], "本人要求删除")
    first = tomllib.loads(manager.store.read(manager.head(), f"erasures/{customer}.toml").decode())["keys"]
    manager.update_customer(customer, {"phones": ["13500002222"]})  # personal data given again: a new key
    manager.erase([customer], "本人再次要求删除")
    second = tomllib.loads(manager.store.read(manager.head(), f"erasures/{customer}.toml").decode())["keys"]
    assert first and set(first) < set(second)  # no copy may bring the first key back either


def test_encryption_is_turned_on_only_when_someone_holds_a_key(archive):
    with pytest.raises(CusttuiError, match="还没有人登记加密公钥"):
        keys.set_encryption(archive, True)
    assert not archive.policy().privacy.enabled


def test_erasing_without_encryption_says_the_history_keeps_plaintext(demo):
    demo.user = "张伟"
    erased = run_cli("erase", "BJ-000003", "--basis", "本人要求删除", "--yes", "--user", "张伟", cwd=demo.store.path)
    assert erased.code == 0 and "未启用加密保存, 历史中的旧版本仍含明文" in erased.out, erased.err
    shown = run_cli("show", "BJ-000003", cwd=demo.store.path)
    assert shown.code == 0 and "BJ-000003" in shown.out
