"""Paper boxes as records: the register (boxes/<number>.toml), what a box holds, 盒号:/位置: search,
a scan joining its paper original, labels and contents sheets as PDF, and the gate refusing a
hostile copy's malformed box file.

One indexed copy of the demo archive serves the module (boxes registered once, many cheap
questions asked of it); the hostile copy is a plain-git clone of a second copy."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pypdf
import pytest
from conftest import bypass_commit, git, repo_state, run_cli
from hostile import Hostile

from custtui.core.access.policy import Access
from custtui.core.access.rights import Change, needs, unmet
from custtui.core.archive import boxes
from custtui.core.archive.archive import Archive
from custtui.core.base.errors import CusttuiError, FieldError, NotFound
from custtui.core.base.layout import Kind, place
from custtui.core.records.boxes import box_record
from custtui.core.sync.gate import Refused
from custtui.core.sync.sync import sync
from custtui.core.tasks import boxprint, view

CONTRACTS = "BJ-HT-2024-01"  # a box the demo's documents name
STORE_ROOM = {"room": "档案室", "shelf": "B柜-2层"}


@pytest.fixture(scope="module")
def shelved(indexed_demo_template, tmp_path_factory) -> Archive:
    """The demo (search index built) with two of the boxes its documents name registered."""
    path = tmp_path_factory.mktemp("boxes") / "demo"
    shutil.copytree(indexed_demo_template, path, symlinks=True)
    archive = Archive(path, user="张伟")
    boxes.add_box(archive, {"number": CONTRACTS.lower(), "year_from": "2024", "doc_types": "合同", **STORE_ROOM})
    boxes.add_box(
        archive,
        {"number": "BJ-JC-2023-01", "year_from": 2023, "year_to": 2023, "doc_types": ["营业执照"], "room": "资料室"},
    )
    yield archive
    archive.close()


def filed_in(archive: Archive) -> dict[str, set[tuple[str, str]]]:
    """Box number -> (customer, document) of every document naming it, read record by record."""
    found: dict[str, set[tuple[str, str]]] = {}
    for cid in archive.customers():
        for doc in archive.documents(cid):
            if doc.meta.get("paper_box"):
                found.setdefault(doc.meta["paper_box"], set()).add((cid, doc.name))
    return found


def test_a_box_is_one_toml_record_written_in_one_commit_by_its_author(shelved):
    path = shelved.store.path
    added = git(path, "log", "--diff-filter=A", "--format=%H", "--", f"boxes/{CONTRACTS}.toml").split()
    assert len(added) == 1
    record = tomllib.loads(git(path, "show", f"{added[0]}:boxes/{CONTRACTS}.toml"))
    assert record == {
        "number": CONTRACTS,  # typed in lower case, stored as the label prints it
        "year_from": 2024,
        "year_to": 2024,
        "doc_types": ["contract"],
        "room": "档案室",
        "shelf": "B柜-2层",
        "status": "stored",
    }
    assert git(path, "log", "-1", "--format=%an", added[0]).strip() == "张伟"
    assert git(path, "show", "--name-only", "--format=", added[0]).split() == [f"boxes/{CONTRACTS}.toml"]
    message = git(path, "log", "-1", "--format=%B", added[0])
    assert message.startswith(f"登记档案盒 {CONTRACTS}: 2024 合同 档案室 B柜-2层 在库")
    assert f"Custtui-Box: {CONTRACTS}" in message
    assert shelved.check() == []  # custtui check accepts the register


def test_documents_naming_unregistered_boxes_are_listed_to_register(shelved):
    named = filed_in(shelved)
    missing = boxes.unregistered(shelved)
    assert missing == {n: len(docs) for n, docs in named.items() if n not in (CONTRACTS, "BJ-JC-2023-01")}
    assert missing, "the demo names boxes that nobody registered"
    listed = run_cli("box", "list", "--archive", shelved.store.path)
    assert listed.code == 0, listed.err
    assert "共 2 个已登记的纸质档案盒" in listed.out
    assert all(number in listed.out for number in missing)


def test_a_box_lists_every_document_filed_in_it(shelved):
    filed, hidden = boxes.contents(shelved, CONTRACTS)
    assert hidden == 0
    assert {(f.customer, f.name) for f in filed} == filed_in(shelved)[CONTRACTS]
    names = {cid: summary["name"] for cid, summary in shelved.customers().items()}
    assert all(f.customer_name == names[f.customer] and f.doc_type == "合同" for f in filed)
    shown = run_cli("box", "show", CONTRACTS.lower(), "--archive", shelved.store.path)
    assert shown.code == 0, shown.err
    assert all(f.name in shown.out and f.customer_name in shown.out for f in filed)


@pytest.mark.parametrize(
    "data, says",
    [
        ({"number": "BJ HT 1", "year_from": 2024}, "盒号只能由"),
        ({"number": "CON", "year_from": 2024}, "Windows 保留设备名"),
        ({"number": "A-1", "year_from": 2024, "year_to": 2020}, "早于起始年份"),
        ({"number": "A-1", "year_from": "二〇二四"}, "不是 1900–2100 之间的年份"),
        ({"number": "A-1"}, "请填写盒内资料的起始年份"),
        ({"number": "A-1", "year_from": 2024, "doc_types": "发票"}, "不是已知的资料类型"),
        ({"number": "A-1", "year_from": 2024, "status": "丢了"}, "不是有效的状态"),
        ({"number": "A-1", "year_from": 2024, "owner": "张伟"}, "未知字段"),
    ],
)
def test_a_box_breaking_a_rule_is_refused_naming_it(shelved, data, says):
    with pytest.raises(FieldError, match=says):
        box_record(data, shelved.schema())


def test_a_box_is_registered_once_and_edited_field_by_field(shelved):
    with pytest.raises(FieldError, match="已登记"):
        boxes.add_box(shelved, {"number": CONTRACTS, "year_from": 2024})
    before = git(shelved.store.path, "rev-parse", "HEAD").strip()
    commit = boxes.update_box(shelved, "BJ-JC-2023-01", {"status": "借出", "note": "法务借阅"})
    assert commit and git(shelved.store.path, "rev-parse", "HEAD~1").strip() == before
    assert boxes.box(shelved, "BJ-JC-2023-01").status == "lent"
    assert boxes.update_box(shelved, "BJ-JC-2023-01", {"status": "lent"}) is None  # nothing changed: no commit
    assert boxes.update_box(shelved, "BJ-JC-2023-01", {"status": "在库", "note": None})
    assert boxes.box(shelved, "BJ-JC-2023-01").note == ""
    with pytest.raises(NotFound, match="未登记"):
        boxes.update_box(shelved, "BJ-XX-1999-01", {"status": "借出"})


@pytest.mark.parametrize("number", ["BJ-HT-2024-01", "BJ-HT-2022-02", "BJ-JC-2023-01", "SH-HT-2022-02"])
def test_the_box_filter_finds_exactly_the_documents_of_that_box(shelved, number):
    expected = filed_in(shelved)[number]
    found = view.search(shelved, f"盒号:{number.lower()}", limit=100).hits
    assert {(h.id, h.document) for h in found} == expected


@pytest.mark.parametrize(
    "where, boxes_there",
    [
        ("档案室", [CONTRACTS]),  # a registered box's room: its documents, whatever shelf they noted
        ("资料室", ["BJ-JC-2023-01"]),
        ("A柜", None),  # the shelf recorded on the documents
    ],
)
def test_the_place_filter_finds_the_documents_kept_there(shelved, where, boxes_there):
    filed = filed_in(shelved)
    if boxes_there is None:
        expected = {
            (cid, doc.name)
            for cid in shelved.customers()
            for doc in shelved.documents(cid)
            if where in doc.meta.get("paper_shelf", "")
        }
    else:
        expected = set().union(*(filed[n] for n in boxes_there))
    assert expected
    found = view.search(shelved, f"位置:{where}", limit=100).hits
    assert {(h.id, h.document) for h in found} == expected


def test_labels_print_the_box_number_years_and_place(shelved, tmp_path):
    target = tmp_path / "标签.pdf"
    done = run_cli("box", "labels", "--out", target, "--archive", shelved.store.path)
    assert done.code == 0, done.err
    text = "".join(page.extract_text() for page in pypdf.PdfReader(target).pages)
    for number, box in boxes.boxes(shelved).items():
        assert number in text and box.years in text and box.location in text
    assert "档案室 B柜-2层" in text and "营业执照" in text
    again = run_cli("box", "labels", CONTRACTS, "--out", target, "--archive", shelved.store.path)
    assert again.code == 1 and "已存在, 不会覆盖" in again.err


def test_the_contents_sheet_is_a_table_of_the_box_documents(shelved, tmp_path):
    target, count = boxprint.sheet(shelved, CONTRACTS, tmp_path / "清单.pdf")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(target).pages).replace("\n", "")
    filed, _ = boxes.contents(shelved, CONTRACTS)
    assert count == len(filed) > 0
    assert f"纸质档案盒 {CONTRACTS} 盒内资料清单" in text
    for f in filed:
        assert f.customer in text and f.customer_name in text and f"{f.date:%Y-%m-%d}" in text


def test_a_scan_joins_the_record_of_its_paper_original(shelved, tmp_path):
    cid, original = sorted(filed_in(shelved)[CONTRACTS])[0]
    before = {d.name: d.meta for d in shelved.documents(cid)}[original]
    scan = tmp_path / "扫描.jpg"
    scan.write_bytes(b"\xff\xd8 a scan of the signed paper")
    done = run_cli("box", "scan", cid, scan, "--original", original, "--archive", shelved.store.path)
    assert done.code == 0, done.err
    stored = {d.name: d.meta for d in shelved.documents(cid)}
    name = f"{Path(original).stem}-扫描件.jpg"
    meta = stored[name]
    assert meta["main"] == original and meta["paper_box"] == CONTRACTS
    for key in ("doc_type", "date", "number", "sensitivity"):
        assert meta.get(key) == before.get(key)
    filed, _ = boxes.contents(shelved, CONTRACTS)
    item = next(f for f in filed if f.name == original)
    assert item.joined == (name,) and name not in {f.name for f in filed}  # one paper item, with its scan
    assert {(h.id, h.document) for h in view.search(shelved, f"盒号:{CONTRACTS}", limit=100).hits} >= {
        (cid, original),
        (cid, name),
    }


def test_filing_in_a_box_needs_a_registered_box_once_there_is_a_register(shelved, demo):
    cid, name = sorted(filed_in(shelved)["BJ-HT-2022-02"])[0]
    with pytest.raises(FieldError, match="BJ-NEW-01 未登记"):
        boxes.put(shelved, "BJ-NEW-01", cid, name)
    assert boxes.put(shelved, CONTRACTS, cid, name)
    meta = {d.name: d.meta for d in shelved.documents(cid)}[name]
    assert (meta["paper_box"], meta["paper_shelf"]) == (CONTRACTS, "B柜-2层")  # the box's shelf
    # an archive with no register yet keeps taking the box numbers people write, in any spelling
    assert boxes.put(demo, "BJ-NEW-01", cid, name)
    other, noted = sorted(filed_in(demo)[CONTRACTS])[0]
    demo.update_document(other, noted, {"paper_box": "bj-new-01"})
    assert boxes.unregistered(demo)["BJ-NEW-01"] == 2


def test_only_who_files_documents_may_keep_the_register(shelved):
    policy = shelved.policy()
    blob = git(shelved.store.path, "rev-parse", f"HEAD:boxes/{CONTRACTS}.toml").strip()
    added = needs([Change(f"boxes/{CONTRACTS}.toml", None, blob)], lambda p: blob, shelved.store.read_blob)
    removed = needs([Change(f"boxes/{CONTRACTS}.toml", blob, None)], lambda p: None, shelved.store.read_blob)
    for role, may_file, may_remove in (
        ("sales", True, False),
        ("finance", True, False),
        ("marketing", False, False),
        ("admin", False, True),  # removing a box is a deletion: the delete permission
    ):
        access = Access("someone", [policy.roles[role]])
        assert (unmet(access, added) == []) is may_file, role
        assert (unmet(access, removed) == []) is may_remove, role
    assert place(f"boxes/{CONTRACTS}.toml") == (Kind.BOX, None, CONTRACTS)
    assert place("boxes/bj-ht-2024-01.toml") is None and place("boxes/A/B.toml") is None


# --- a hostile copy ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(demo_template, tmp_path_factory):
    """(victim archive, a plain-git clone of it named as the victim's remote ``evil``)."""
    root = tmp_path_factory.mktemp("hostile-boxes")
    shutil.copytree(demo_template, root / "victim", symlinks=True)
    victim = Archive(root / "victim", user="张伟")
    evil = Hostile(root / "evil", str(root / "victim"))
    git(victim.store.path, "remote", "add", "evil", str(evil.path))
    yield victim, evil
    victim.close()


GOOD = """number = "BJ-HT-2030-01"
year_from = 2030
year_to = 2030
status = "stored"
"""


@pytest.mark.parametrize(
    "path, content, says",
    [
        ("boxes/BJ-HT-2030-01.toml", GOOD.replace("year_to = 2030", "year_to = 2029"), "早于起始年份"),
        ("boxes/BJ-HT-2030-01.toml", GOOD.replace('number = "BJ-HT-2030-01"', 'number = "BJ-HT-2031-01"'), "与文件名"),
        ("boxes/BJ-HT-2030-01.toml", GOOD.replace("year_from = 2030", 'year_from = "2030"'), "不是规范写法"),
        ("boxes/BJ-HT-2030-01.toml", GOOD.replace('"stored"', '"lost"'), "不是有效的状态"),
        ("boxes/BJ-HT-2030-01.toml", GOOD + 'owner = "x"\n', "未知字段"),
        ("boxes/BJ-HT-2030-01.toml", b"number = [", "TOML 格式错误"),
        ("boxes/bj-ht-2030-01.toml", GOOD, "不是档案格式中的路径"),
        ("boxes/2030/BJ-HT-2030-01.toml", GOOD, "不是档案格式中的路径"),
    ],
    ids=[
        "years-reversed",
        "number-not-file-name",
        "year-as-text",
        "status",
        "unknown-key",
        "toml",
        "lower-case",
        "folder",
    ],
)
def test_a_hostile_copys_malformed_box_is_refused_at_sync(hostile, path, content, says):
    victim, evil = hostile
    base = git(victim.store.path, "rev-parse", "HEAD").strip()
    data = content if isinstance(content, bytes) else content.encode()
    evil.advance(evil.commit(evil.put(evil.head_tree(base), path, data), "张伟 <zhangwei@BJ>", "登记档案盒", [base]))
    before = repo_state(victim.store.path)
    with pytest.raises(Refused) as refused:
        sync(victim, "evil", push=False)
    message = str(refused.value)
    assert message.startswith("拒绝接收") and "本档案未改动" in message, message
    assert path.split("/")[-1] in message and says in message, message
    assert repo_state(victim.store.path) == before


def test_an_honest_box_from_another_copy_arrives(hostile):
    victim, evil = hostile
    base = git(victim.store.path, "rev-parse", "HEAD").strip()
    tree = evil.put(evil.head_tree(base), "boxes/BJ-HT-2030-01.toml", GOOD.encode())
    evil.advance(evil.commit(tree, "张伟 <zhangwei@BJ>", "登记档案盒", [base]))
    sync(victim, "evil", push=False)
    assert boxes.box(victim, "BJ-HT-2030-01").years == "2030"
    with pytest.raises(CusttuiError):
        boxes.box(victim, "BJ-HT-2031-01")


def test_check_reports_a_malformed_box_that_got_in_by_hand(demo):
    """Someone with a shell commits a box past the hooks: ``custtui check`` names the file and the rule."""
    path = demo.store.path / "boxes" / "BJ-HT-2030-01.toml"
    path.parent.mkdir()
    path.write_text(GOOD.replace("year_to = 2030", "year_to = 2029"), encoding="utf-8")
    git(demo.store.path, "add", "boxes")
    bypass_commit(demo.store.path, "-q", "-m", "手工登记档案盒")
    result = run_cli("--archive", demo.store.path, "check")
    assert result.code == 1
    assert "boxes/BJ-HT-2030-01.toml" in result.out + result.err and "早于起始年份" in result.out + result.err


def test_attach_and_the_document_form_follow_the_register(shelved, tmp_path):
    """``attach --paper-box`` and a document edit name a registered box, or are refused and write nothing."""
    scan = tmp_path / "纸质原件登记.txt"
    scan.write_text("纸质原件: 合同第二页", encoding="utf-8")
    before = repo_state(shelved.store.path)
    refused = run_cli(
        "--archive", shelved.store.path, "attach", "BJ-000001", scan, "--doc-type", "合同", "--paper-box", "BJ-NEW-09"
    )
    assert refused.code == 1 and "BJ-NEW-09 未登记" in refused.err
    assert repo_state(shelved.store.path) == before
    cid, name = sorted(filed_in(shelved)[CONTRACTS])[0]
    with pytest.raises(FieldError, match="BJ-NEW-09 未登记"):
        shelved.update_document(cid, name, {"paper_box": "BJ-NEW-09"})
    filed = run_cli(
        "--archive",
        shelved.store.path,
        "attach",
        "BJ-000001",
        scan,
        "--doc-type",
        "合同",
        "--paper-box",
        "bj-jc-2023-01",
    )
    assert filed.code == 0, filed.err


def test_the_audit_tells_what_a_box_commit_did(demo):
    """The history says 登记档案盒 and each field's move by its label, not 修改 文件 boxes/…"""
    from custtui.core.tasks.audit import describe_commit

    _, made = boxes.add_box(demo, {"number": "BJ-HT-2031-01", "year_from": 2031, **STORE_ROOM})
    changed = boxes.update_box(demo, "BJ-HT-2031-01", {"status": "借出", "shelf": ""})
    assert [c.title for c in describe_commit(demo, made).changes] == ["登记档案盒 BJ-HT-2031-01"]
    (change,) = describe_commit(demo, changed).changes
    assert change.title == "档案盒 BJ-HT-2031-01: 柜位 B柜-2层→(空); 状态 在库→借出"
