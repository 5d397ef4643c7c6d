"""Likely duplicate customers: the name key, the finder, ``custtui duplicates``, and the warnings
of ``add`` and ``attach``, on real archives (one planted archive shared by the read-only tests)."""

from __future__ import annotations

import json
import subprocess

import pytest
from conftest import repo_state, run_cli

from custtui.core.archive.archive import Archive
from custtui.core.archive.duplicates import DuplicateFinder, name_key
from custtui.core.archive.staff import add_person
from custtui.core.records.validate import id_check_digit, uscc_check_char
from custtui.core.sync.reconcile import merge_customers
from custtui.core.sync.sync import clone, sync


def uscc(n: int) -> str:
    first = f"911101087{n:08d}"
    return first + uscc_check_char(first)


def id_number(first17: str = "11010519491231002") -> str:
    return first17 + id_check_digit(first17)


HUAXIN = "北京华信机械设备制造有限公司"


@pytest.mark.parametrize(
    "a, b",
    [
        (HUAXIN, "北京华信机械设备制造有限责任公司"),
        (HUAXIN, "北京华信机械设备制造（集团）有限公司"),
        (HUAXIN, "北京华信机械设备制造【集团】股份有限公司"),
        (HUAXIN, "北京华信机械设备制造集团公司"),
        (HUAXIN, "北京华信机械设备制造"),
        (HUAXIN, " 北京华信 机械设备制造有限公司 "),
        (HUAXIN, "北京华信\u200b机械设备制造有限公司"),  # a zero-width space pasted from a web page
        ("ＢＥＩＪＩＮＧ　ＨＵＡＸＩＮ Ｃｏ．，Ｌｔｄ．", "Beijing Huaxin Co., Ltd."),
        ("Beijing Huaxin Co.,Ltd", "beijing huaxin"),
        ("华信科技(上海)有限公司", "华信科技（上海）有限公司"),
        ("华信科技(上海)有限公司", "华信科技上海有限公司"),
        ("２０２４数码有限公司", "2024数码"),
    ],
)
def test_the_same_name_written_differently_has_one_key(a, b):
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(
    "a, b",
    [
        ("华信科技有限公司", "华信科技(上海)有限公司"),  # a subsidiary or branch is registered on its own
        ("华信科技有限公司", "华信科技分公司"),
        ("北京华信机械设备制造有限公司", "上海华信机械设备制造有限公司"),
        ("华信科技有限公司", "华信电子科技有限公司"),
        ("张三", "张三丰"),
        ("有限公司", "股份有限公司"),  # a name of legal forms only keeps them
    ],
)
def test_different_names_keep_different_keys(a, b):
    assert name_key(a) != name_key(b)


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Archive:
    """Nine customers: a same name with another USCC (1, 2), a same phone under contacts (1, 3),
    an alias that is another's name (4, 5), a subsidiary that is no duplicate (6), a stranger (7)
    and two companies of one 字号 in two cities sharing only a short alias (8, 9).
    Staff: 赵磊 (管理层) sees everything, 刘洋 (市场) sees phones masked."""
    archive = Archive.init(tmp_path_factory.mktemp("planted") / "archive", "BJ", office_name="北京总部", user="张伟")
    enterprise = {"industry": "制造业", "owner": "张伟"}
    archive.add_customer(
        "企业",
        HUAXIN,
        {
            **enterprise,
            "uscc": uscc(1),
            "aliases": ["华信厂"],
            "contacts": [{"name": "张三", "phones": ["13812345678"]}],
        },
    )
    archive.add_customer("企业", "北京华信机械设备制造（集团）有限责任公司", {**enterprise, "uscc": uscc(2)})
    archive.add_customer(
        "企业",
        "上海东方贸易有限公司",
        {**enterprise, "uscc": uscc(3), "contacts": [{"name": "李四", "phones": ["138 1234 5678"]}]},
    )
    archive.add_customer("企业", "深圳华信五金有限公司", {**enterprise, "uscc": uscc(4), "aliases": ["华信科技"]})
    archive.add_customer("企业", "华信科技有限公司", {**enterprise, "uscc": uscc(5)})
    archive.add_customer("企业", "华信科技(上海)有限公司", {**enterprise, "uscc": uscc(6)})
    archive.add_customer("个人", "王五", {"phones": ["13900000001"], "owner": "张伟"})
    archive.add_customer("企业", "天津明通物流有限公司", {**enterprise, "uscc": uscc(8), "aliases": ["明通公司"]})
    archive.add_customer("企业", "成都明通软件有限公司", {**enterprise, "uscc": uscc(9), "aliases": ["明通公司"]})
    for person_id, name, department in (
        ("zhangwei", "张伟", "管理员"),
        ("zhaolei", "赵磊", "管理层"),
        ("liuyang", "刘洋", "市场"),
    ):
        add_person(archive, person_id, name, department)
    yield archive
    archive.close()


def found_pairs(result) -> dict[frozenset, dict]:
    assert result.code == 0, result.err
    return {frozenset((p["a"]["id"], p["b"]["id"])): p for p in json.loads(result.out)["pairs"]}


def test_duplicates_lists_the_planted_pairs_with_their_evidence(planted):
    pairs = found_pairs(run_cli("--archive", planted.store.path, "--user", "赵磊", "--json", "duplicates"))
    name, phone, alias = (
        frozenset(p) for p in (("BJ-000001", "BJ-000002"), ("BJ-000001", "BJ-000003"), ("BJ-000004", "BJ-000005"))
    )
    assert set(pairs) == {name, phone, alias}, "华信科技(上海), 王五 and the 明通 pair with nobody"
    assert pairs[name]["reasons"] == ["名称相同 (不计有限公司、集团、括号、全角与空格)"]
    assert pairs[phone]["reasons"] == ["电话相同 138 1234 5678 (联系人 张三 / 李四)"]
    assert pairs[alias]["reasons"] == ["简称「华信科技」与名称相同"]
    assert not any(p["certain"] for p in pairs.values())
    text = run_cli("--archive", planted.store.path, "--user", "赵磊", "duplicates")
    assert text.code == 0 and "确定重复" not in text.out and "共 3 对疑似重复 (其中 0 对确定)" in text.out
    assert "BJ-000004 深圳华信五金有限公司  ⇄  BJ-000005 华信科技有限公司" in text.out


def test_a_person_with_phones_masked_sees_them_masked_in_the_evidence(planted):
    pairs = found_pairs(run_cli("--archive", planted.store.path, "--user", "刘洋", "--json", "duplicates"))
    assert pairs[frozenset(("BJ-000001", "BJ-000003"))]["reasons"] == ["电话相同 138****5678 (联系人 张三 / 李四)"]


def test_the_finder_sees_rows_added_after_it_and_never_the_customer_itself(planted):
    finder = DuplicateFinder.of(Archive(planted.store.path, user="赵磊"))
    row = {"type": "enterprise", "name": "华信厂", "uscc": uscc(1), "phones": ["010-6298 1234"]}
    first = finder.suspects(row)
    assert [(s.id, s.certain) for s in first] == [("BJ-000001", True)], "the same USCC: the same legal entity"
    assert first[0].reasons == (f"统一社会信用代码相同 {uscc(1)}", "名称与对方简称「华信厂」相同")
    assert finder.suspects(row, other_than="BJ-000001") == []
    finder.add("BJ-000099", {"name": "华信五金厂", "contacts": [{"name": "赵六", "phones": ["010-62981234"]}]})
    later = finder.suspects({"name": "杭州华信五金厂", "aliases": ["华信五金厂"], "phones": ["01062981234"]})
    assert [(s.id, s.reasons) for s in later] == [
        ("BJ-000099", ("简称「华信五金厂」与名称相同", "电话相同 01062981234 (联系人 赵六)"))
    ]
    finder.add("BJ-000098", {"name": "华信科技股份有限公司"})
    assert {(a, s.id) for a, s in finder.pairs()} == {
        ("BJ-000001", "BJ-000002"),
        ("BJ-000001", "BJ-000003"),
        ("BJ-000004", "BJ-000005"),
        ("BJ-000004", "BJ-000098"),
        ("BJ-000005", "BJ-000098"),
    }, "a scan pairs the customers added with the archive's"


def test_add_warns_and_saves_only_when_allowed(archive):
    archive.add_customer("企业", HUAXIN, {"uscc": uscc(1), "industry": "制造业", "aliases": ["华信厂"]})
    path = archive.store.path
    twin = ["--archive", path, "add", "--type", "企业", "--name", "北京华信机械设备制造（集团）有限公司"]
    twin += ["--set", f"uscc={uscc(2)}", "industry=制造业"]
    before = repo_state(path)
    refused = run_cli(*twin)
    assert refused.code == 1 and repo_state(path) == before
    assert f"BJ-000001 {HUAXIN}" in refused.err and "名称相同 (不计有限公司" in refused.err
    assert "--allow-duplicate" in refused.err
    allowed = run_cli(*twin, "--allow-duplicate")
    assert allowed.code == 0 and allowed.out.strip() == "BJ-000002" and f"BJ-000001 {HUAXIN}" in allowed.err
    same_uscc = run_cli(
        "--archive", path, "add", "--type", "企业", "--name", "华信", "--set", f"uscc={uscc(1)}", "industry=制造业",
        "--allow-duplicate",
    )  # fmt: skip
    assert same_uscc.code == 1 and f"已登记为 BJ-000001 {HUAXIN}, 不能重复建档" in same_uscc.err


def test_attach_refuses_a_file_filed_under_another_customer(archive, tmp_path):
    first, _ = archive.add_customer("企业", HUAXIN, {"uscc": uscc(1), "industry": "制造业"})
    other, _ = archive.add_customer("个人", "王五", {"phones": ["13900000001"]})
    scan = tmp_path / "营业执照.pdf"
    scan.write_bytes(b"%PDF-1.4 the same scan, twice\n")
    filed, _ = archive.attach(first, scan, {"info_type": "basic", "doc_type": "营业执照"})
    path = archive.store.path
    before = repo_state(path)
    refused = run_cli("--archive", path, "attach", other, scan, "--info-type", "basic")
    assert refused.code == 1 and repo_state(path) == before
    assert f"与已归档的 {first} 的「{filed}」内容完全相同" in refused.err
    allowed = run_cli("--archive", path, "attach", other, scan, "--info-type", "basic", "--allow-duplicate")
    assert allowed.code == 0, allowed.err


def test_a_certain_duplicate_arriving_by_sync_is_listed_first(tmp_path):
    """Two offices register the same company (same USCC) and the same person (same ID number)
    before syncing: neither could refuse it; ``duplicates`` shows both as certain, first."""
    hub = tmp_path / "hub.git"
    bj = Archive.init(tmp_path / "BJ", "BJ", office_name="北京总部", user="张伟")
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(hub)], check=True)
    bj.store.git("remote", "add", "origin", f"file://{hub}")
    sync(bj, "origin")
    sh = clone(f"file://{hub}", tmp_path / "SH", "SH", office_name="上海", user="李娜")
    for office in (bj, sh):
        office.add_customer("企业", HUAXIN, {"uscc": uscc(1), "industry": "制造业"})
        office.add_customer("个人", "赵敏", {"id_number": id_number(), "phones": ["13700000001"]})
    yunfan = {"industry": "it", "aliases": ["云帆"], "contacts": [{"name": "周七", "phones": ["13600000002"]}]}
    bj.add_customer("企业", "杭州云帆科技有限公司", {**yunfan, "uscc": uscc(2)})
    sh.add_customer("企业", "杭州云帆科技股份有限公司", {**yunfan, "uscc": uscc(3)})
    sync(sh, "origin")
    sync(bj, "origin")
    add_person(bj, "zhangwei", "张伟", "管理员")
    add_person(bj, "lina", "李娜", "销售")
    sh.close()
    shown = run_cli("--archive", bj.store.path, "--user", "李娜", "--json", "duplicates")
    assert shown.code == 0, shown.err
    pairs = [(p["a"]["id"], p["b"]["id"], p["certain"], p["reasons"]) for p in json.loads(shown.out)["pairs"]]
    masked = f"{id_number()[:6]}********{id_number()[-4:]}"
    assert pairs == [
        ("BJ-000002", "SH-000002", True, [f"身份证号相同 {masked}", "名称完全相同", "电话相同 137 0000 0001"]),
        ("BJ-000001", "SH-000001", True, [f"统一社会信用代码相同 {uscc(1)}", "名称完全相同"]),
        (
            "BJ-000003",
            "SH-000003",
            False,
            [
                "名称相同 (不计有限公司、集团、括号、全角与空格)",
                "简称「云帆」相同",
                "电话相同 136 0000 0002 (联系人 周七)",
            ],
        ),
    ], "certain first though the other pair has more evidence; 销售 sees the ID number masked"
    bj.close()


def test_the_lookup_follows_edits_merges_and_older_commits(archive):
    """The listing's match keys move with each commit: a renamed customer is found by its new
    name only, a customer merged into another is no suspect, and an older commit reads as it was."""
    first, _ = archive.add_customer("企业", HUAXIN, {"uscc": uscc(1), "industry": "制造业"})
    finder = DuplicateFinder.of(archive)  # at the head: it reads the head of each lookup
    assert [s.id for s in finder.suspects({"name": HUAXIN})] == [first]
    shop = {"uscc": uscc(2), "industry": "零售业", "contacts": [{"name": "王五", "phones": ["13900000001"]}]}
    second, before = archive.add_customer("企业", "王五五金店", shop)
    archive.update_customer(second, {"name": "北京华信机械设备制造", "contacts": [{"name": "王五"}]})
    assert [s.id for s in finder.suspects({"name": HUAXIN})] == [first, second]
    assert DuplicateFinder.of(archive).suspects({"name": "王五五金店", "phones": ["13900000001"]}) == []
    old = DuplicateFinder.of(archive, at=before).suspects({"name": "王五五金店", "phones": ["13900000001"]})
    assert [(s.id, s.reasons) for s in old] == [(second, ("名称完全相同", "电话相同 139 0000 0001 (联系人 王五)"))]
    merge_customers(archive, first, second)
    assert [s.id for s in DuplicateFinder.of(archive).suspects({"name": HUAXIN})] == [first]
    assert run_cli("--archive", archive.store.path, "duplicates").out.strip() == "没有发现疑似重复的客户"


def test_a_phone_a_crowd_shares_names_none_of_them(planted):
    finder = DuplicateFinder.of(Archive(planted.store.path, user="赵磊"))
    for n in range(51):  # a switchboard every branch of a chain gives as its phone
        finder.add(f"#{n}", {"name": f"连锁超市第{n}分店", "phones": ["4008108888"]})
    assert finder.suspects({"name": "某客户", "phones": ["400-810-8888"]}) == []
    assert [s.id for s in finder.suspects({"name": "连锁超市第7分店", "phones": ["4008108888"]})] == ["#7"]
    assert [a for a, _ in finder.pairs() if a.startswith("#")] == [] and finder.crowded == 1
