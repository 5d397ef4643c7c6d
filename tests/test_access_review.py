"""The access review (权限复核): who may see and change what, each person's last use from a real
access log and their last commit, the flags a reviewer wants, who may run it, the sign-off as one
commit of ``reviews/access-<period>.toml``, and the gate refusing a hostile copy's malformed one.

One copy of the demo archive with a staff registry and a real access log serves the questions;
signing and the hostile copy each work on their own copy of it."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import git, keypair, repo_state, run_cli
from hostile import Hostile

from custtui.core.access import access_log
from custtui.core.access.policy import PermissionDenied
from custtui.core.access.reviews import review_bytes, review_record, stored_review
from custtui.core.archive.archive import Archive
from custtui.core.archive.staff import add_key, add_person, disable_person
from custtui.core.base.errors import CusttuiError
from custtui.core.base.layout import Kind, place
from custtui.core.sync.gate import Refused
from custtui.core.sync.sync import sync
from custtui.core.tasks import access_review, tables, view
from custtui.core.tasks.audit import describe_commit

PERIOD = access_review.review_period(None, date.today()).text  # this quarter: 2026-Q4
PATH = f"reviews/access-{PERIOD}.toml"


@pytest.fixture(scope="module")
def signing_key(tmp_path_factory) -> Path:
    """张伟's SSH key: registered to him, so a commit it signs is vouched for by him."""
    return keypair(tmp_path_factory.mktemp("keys"), "zhangwei")


@pytest.fixture(scope="module")
def staffed(demo_template, signing_key, tmp_path_factory) -> Archive:
    """The demo with five people (刘洋 left, his key still registered), and what they did logged:
    李娜 exported the customer table, 王芳 read an ID number unmasked; 赵磊 was only refused (not a
    use), and someone edited the log by hand (lines that are no entry, or odd JSON)."""
    root = tmp_path_factory.mktemp("access-review")
    shutil.copytree(demo_template, root / "demo", symlinks=True)
    archive = Archive(root / "demo", user="张伟")
    add_person(archive, "zhangwei", "张伟", "管理员", keys=[signing_key.with_suffix(".pub").read_text()])
    add_person(archive, "lina", "李娜", "销售")
    add_person(archive, "wangfang", "王芳", "财务")
    add_person(archive, "zhaolei", "赵磊", "管理层")
    add_person(archive, "liuyang", "刘洋", "市场")
    add_key(archive, "liuyang", keypair(root, "liuyang").with_suffix(".pub").read_text())
    disable_person(archive, "liuyang")
    archive.user = "李娜"
    tables.export(archive, tables.basic(archive), root / "客户.xlsx")
    archive.user = "王芳"
    view.customer(archive, "BJ-000020", unmask=True)
    access_log.record(archive, "赵磊", "refused", "ssh", "密钥未登记")
    with access_log.log_path(archive).open("a", encoding="utf-8") as log:
        log.write(
            '不是 JSON\n{"time": "2026-01-01T00:00:00", "person": {"name": 1}, "account": [1], "action": "view"}\n'
        )
    archive.user = "张伟"
    yield archive
    archive.close()


@pytest.fixture(scope="module")
def review(staffed) -> access_review.Report:
    return access_review.report(staffed)


def person(found: access_review.Report, pid: str) -> access_review.PersonAccess:
    return next(p for p in found.people if p.id == pid)


def test_each_person_shows_roles_rights_and_last_use_from_the_access_log(staffed, review):
    [logged] = [e for e in access_log.entries(staffed, person="lina") if e["action"] != "invalid"]
    lina, wangfang = person(review, "lina"), person(review, "wangfang")
    assert lina.roles == ("销售",) and lina.status == "在职"
    assert "导出资料" in access_review.permission_text(lina.may) and "删除" not in access_review.permission_text(
        lina.may
    )
    assert lina.last_use is not None and lina.last_use.action == "导出"
    assert lina.last_use.target == logged["target"] == "客户基础信息表"
    assert wangfang.last_use is not None and wangfang.last_use.action == "查看未打码的个人信息"
    assert wangfang.last_use.target == "BJ-000020"
    assert "合作记录 绝密" in wangfang.view and "身份证号" in wangfang.masked
    assert person(review, "zhaolei").last_use is None and person(review, "zhaolei").masked == ()


def test_the_last_commit_is_each_persons_own_newest(staffed, review):
    zhangwei = person(review, "zhangwei")
    newest = git(staffed.store.path, "log", "-1", "--format=%H", "--author=<zhangwei@").strip()
    assert zhangwei.last_commit is not None and zhangwei.last_commit.commit == newest
    assert person(review, "lina").last_commit is None  # she never wrote to the archive


@pytest.mark.parametrize(
    "pid, says",
    [
        ("liuyang", "已停用, 但仍登记有 1 把公钥和角色 市场"),
        ("zhaolei", "从未使用"),
    ],
)
def test_people_a_reviewer_must_look_at_are_flagged(review, pid, says):
    assert any(says in f for f in person(review, pid).flags), person(review, pid).flags


@pytest.mark.parametrize(
    "role, says",
    [
        ("sales", "有权限 导出资料, 1 人持有"),
        ("finance", "导出资料、查看未打码的个人信息"),
        ("management", "删除"),
        ("service", "无在职人员持有"),
        ("marketing", "无在职人员持有"),  # only 刘洋, who left
    ],
)
def test_roles_with_strong_rights_and_roles_nobody_holds_are_flagged(review, role, says):
    flags = next(r.flags for r in review.roles if r.code == role)
    assert any(says in f for f in flags), flags


@pytest.mark.parametrize("days_later, idle_days, idle", [(0, 90, False), (100, 90, True), (100, 365, False)])
def test_no_use_in_n_days_is_flagged(staffed, days_later, idle_days, idle):
    found = access_review.report(staffed, idle_days=idle_days, today=date.today() + timedelta(days=days_later))
    for pid in ("lina", "wangfang", "zhangwei"):
        assert any(f"{idle_days} 天以上未使用" in f for f in person(found, pid).flags) == idle, pid


@pytest.mark.parametrize(
    "user, allowed", [("张伟", True), ("赵磊", True), ("李娜", False), ("王芳", False), ("刘洋", False)]
)
def test_only_who_reads_the_access_log_or_manages_staff_may_run_it(staffed, user, allowed):
    staffed.user = user
    try:
        if allowed:
            assert len(access_review.report(staffed).people) == 5
        else:
            with pytest.raises(PermissionDenied, match="访问权限复核需要权限「查看访问日志」"):
                access_review.report(staffed)
    finally:
        staffed.user = "张伟"


def test_the_command_line_prints_the_report_its_json_digests_and_refuses_in_chinese(staffed):
    shown = run_cli("--archive", staffed.store.path, "--user", "张伟", "access-review")
    assert shown.code == 0, shown.err
    assert "李娜 (lina)" in shown.out and "最近使用: " in shown.out and "导出" in shown.out
    as_json = run_cli("--archive", staffed.store.path, "--user", "张伟", "access-review", "--json")
    text = json.dumps(json.loads(as_json.out), ensure_ascii=False, sort_keys=True)
    assert access_review.report(staffed).digest == "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    refused = run_cli("--archive", staffed.store.path, "--user", "李娜", "access-review", "--sign")
    assert refused.code == 1 and "错误: 访问权限复核需要权限" in refused.err and "李娜" in refused.err


# --- the sign-off ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def signed(staffed, tmp_path_factory):
    """A copy of the staffed archive whose access review 张伟 signed with a note."""
    path = tmp_path_factory.mktemp("signed") / "demo"
    shutil.copytree(staffed.store.path, path, symlinks=True)
    before = git(path, "rev-parse", "HEAD").strip()
    result = run_cli(
        "--archive",
        path,
        "--user",
        "张伟",
        "access-review",
        "--sign",
        "--period",
        PERIOD,
        "--note",
        "已核对, 刘洋的密钥待删",
    )
    assert result.code == 0, result.err
    archive = Archive(path, user="张伟")
    yield archive, before
    archive.close()


def test_signing_is_one_commit_with_the_review_file(signed):
    archive, before = signed
    head = archive.head()
    assert git(archive.store.path, "rev-parse", "HEAD~1").strip() == before
    assert git(archive.store.path, "diff", "--name-only", before, head).split() == [PATH]
    assert archive.commit_info(head).author_email.startswith("zhangwei@")
    stored = access_review.last_review(archive, head)
    assert stored is not None
    assert (stored.period, stored.reviewer, stored.commit, stored.note) == (
        PERIOD,
        "zhangwei",
        before,
        "已核对, 刘洋的密钥待删",
    )
    assert any("刘洋 (liuyang): 已停用" in f for f in stored.flags)
    assert stored.digest.startswith("sha256:") and stored.people == 5
    log = run_cli("--archive", archive.store.path, "log", "--limit", "1")
    assert f"签署访问权限复核: {PERIOD}, 5 人" in log.out
    [change] = describe_commit(archive, head).changes
    assert change.title == f"签署访问权限复核 {PERIOD}"
    assert {"复核人: zhangwei", "复核人数: 5", "复核意见: 已核对, 刘洋的密钥待删"} <= set(change.details)


def test_an_administrator_who_may_delete_withdraws_a_sign_off_by_revert(signed, tmp_path):
    """管理员 edits no customer record, yet may undo what their rights cover: the revert is judged
    path by path (removing the sign-off needs delete), not by the customer edit right."""
    path = tmp_path / "demo"
    shutil.copytree(signed[0].store.path, path, symlinks=True)
    head = git(path, "rev-parse", "HEAD").strip()
    refused = run_cli("--archive", path, "--user", "李娜", "revert", head)
    assert refused.code != 0 and "需要权限「删除」" in refused.err, refused.err
    assert git(path, "rev-parse", "HEAD").strip() == head
    done = run_cli("--archive", path, "--user", "张伟", "revert", head)
    assert done.code == 0, done.err
    assert not (path / PATH).exists()
    assert git(path, "rev-parse", "HEAD^{tree}") == git(path, "rev-parse", "HEAD~2^{tree}")


def test_a_signed_archive_passes_check(signed):
    checked = run_cli("--archive", signed[0].store.path, "check")
    assert checked.code == 0, checked.out + checked.err


def test_a_period_is_signed_once_and_not_ahead(signed):
    archive, _ = signed
    head = archive.head()
    with pytest.raises(CusttuiError, match=f"{PERIOD} 的访问权限复核已由 zhangwei"):
        access_review.sign(archive, access_review.report(archive), period=PERIOD)
    with pytest.raises(CusttuiError, match="尚未开始, 不能提前签署"):
        access_review.sign(archive, access_review.report(archive), period=f"{date.today().year + 1}-Q1")
    assert archive.head() == head


def test_the_next_review_lists_what_changed_since_the_last_signed_one(signed):
    archive, _ = signed
    stale = access_review.report(archive)
    assert stale.last is not None and stale.last.period == PERIOD and stale.moved == []
    add_person(archive, "sunli", "孙丽", "客服")
    with pytest.raises(CusttuiError, match="员工名册或权限已有变动"):
        access_review.sign(archive, stale, period=f"{date.today().year}-H{1 + (date.today().month > 6)}")
    moved = access_review.report(archive).moved
    assert [(m.kind, m.who) for m in moved] == [("新登记", "孙丽 (sunli)")]


# --- another copy's sign-off ------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(staffed, tmp_path_factory):
    """(victim: a copy of the staffed archive, a plain-git clone of it as its remote ``evil``)."""
    root = tmp_path_factory.mktemp("hostile-reviews")
    shutil.copytree(staffed.store.path, root / "victim", symlinks=True)
    victim = Archive(root / "victim", user="张伟")
    evil = Hostile(root / "evil", str(root / "victim"))
    git(victim.store.path, "remote", "add", "evil", str(evil.path))
    yield victim, evil
    victim.close()


def good(commit: str, reviewer: str = "zhangwei") -> str:
    record = {"period": PERIOD, "date": date(2026, 12, 2), "reviewer": reviewer, "commit": commit}
    record |= {"digest": "sha256:" + "ab" * 32, "people": 5, "flags": ["角色 客服 (service): 无在职人员持有"]}
    return review_bytes(review_record(record)).decode()


ZHANGWEI = "张伟 <zhangwei@BJ>"


@pytest.mark.parametrize(
    "path, period",
    [
        ("reviews/access-2026-Q4.toml", "2026-Q4"),
        ("reviews/access-2026-H2.toml", "2026-H2"),
        ("reviews/access-2026-Q5.toml", None),
        ("reviews/access-2026-q4.toml", None),
        ("reviews/其他.toml", None),
        ("reviews/2026/access-2026-Q4.toml", None),
    ],
)
def test_the_archive_format_knows_a_sign_off_by_its_period(path, period):
    where = place(path)
    assert (where.kind, where.name) == (Kind.REVIEW, period) if period else where is None


@pytest.mark.parametrize(
    "tweak, says",
    [
        (lambda t: t.replace(f'period = "{PERIOD}"', 'period = "1999-Q1"'), "与文件名"),
        (lambda t: t.replace("date = 2026-12-02", 'date = "2026-12-02"'), "应为日期"),
        (lambda t: t.replace("people = 5", "people = 5\nsecret = 1"), "未知字段"),
        (lambda t: t.replace("people = 5", "people  =  5"), "不是规范写法"),
        (lambda t: t.replace('reviewer = "zhangwei"', 'reviewer = "张伟"'), "应为员工账号"),
        (lambda t: t.replace("sha256:", "md5:"), "sha256"),
        (lambda t: "period = [", "TOML"),
    ],
    ids=["period", "date", "unknown-key", "spacing", "reviewer", "digest", "toml"],
)
def test_a_sign_off_not_as_custtui_writes_it_is_refused_naming_the_rule(tweak, says):
    with pytest.raises(CusttuiError) as refused:
        stored_review(tweak(good("ab" * 20)).encode(), PATH)
    assert says in str(refused.value), str(refused.value)


@pytest.mark.parametrize(
    "path, tweak, author, says",
    [
        (PATH, lambda t: t.replace(f'period = "{PERIOD}"', 'period = "1999-Q1"'), ZHANGWEI, "与文件名"),
        (PATH, lambda t: re.sub("[0-9a-f]{40}", "0" * 40, t), ZHANGWEI, "不在本提交之前的历史中"),
        ("reviews/access-2026-Q5.toml", lambda t: t, ZHANGWEI, "不是档案格式中的路径"),
        (PATH, lambda t: t, "李娜 <lina@BJ>", "「查看访问日志」(read_access_log) 或 「管理员工与密钥」(manage_staff)"),
        (
            PATH,
            lambda t: t.replace('reviewer = "zhangwei"', 'reviewer = "zhaolei"'),
            ZHANGWEI,
            "复核人 zhaolei 不是提交作者",
        ),
        (PATH, lambda t: t, ZHANGWEI, "作者必须可验证"),  # unsigned
    ],
    ids=["period", "foreign-commit", "q5", "no-right", "in-anothers-name", "unsigned"],
)
def test_a_hostile_copys_bad_sign_off_is_refused_at_sync(hostile, path, tweak, author, says):
    victim, evil = hostile
    base = git(victim.store.path, "rev-parse", "HEAD").strip()
    data = tweak(good(base)).encode()
    evil.advance(evil.commit(evil.put(evil.head_tree(base), path, data), author, "签署访问权限复核", [base]))
    before = repo_state(victim.store.path)
    with pytest.raises(Refused) as refused:
        sync(victim, "evil", push=False)
    message = str(refused.value)
    assert message.startswith("拒绝接收") and "本档案未改动" in message, message
    assert says in message, message
    assert repo_state(victim.store.path) == before


def test_an_honest_signed_off_review_from_another_copy_arrives(hostile, signing_key):
    victim, evil = hostile
    base = git(victim.store.path, "rev-parse", "HEAD").strip()
    tree = evil.put(evil.head_tree(base), PATH, good(base).encode())
    evil.advance(evil.commit(tree, ZHANGWEI, "签署访问权限复核", [base], sign_with=signing_key))
    sync(victim, "evil", push=False)
    arrived = access_review.last_review(victim, victim.head())
    assert arrived is not None
    assert (arrived.period, arrived.reviewer, arrived.commit) == (PERIOD, "zhangwei", base)


def test_the_report_goes_out_as_xlsx_once_and_is_logged(staffed, review, tmp_path):
    import openpyxl

    target = access_review.export(staffed, review, tmp_path / "权限复核.xlsx")
    rows = list(openpyxl.load_workbook(target).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("账号", "姓名") and {r[0] for r in rows[1:]} == {p.id for p in review.people}
    assert (
        access_log.entries(staffed)[-1]["action"] == "export"
        and str(target) in access_log.entries(staffed)[-1]["detail"]
    )
    with pytest.raises(CusttuiError, match="已存在, 不会覆盖"):
        access_review.export(staffed, review, target)


def test_a_sign_off_pushed_to_this_copy_passes_its_hooks_only_when_sound(hostile, signing_key):
    """Pushed rather than fetched: the gate runs in git's hook, on objects still in quarantine."""
    victim, evil = hostile
    base = git(victim.store.path, "rev-parse", "HEAD").strip()
    pushed = {}
    for name, content in (("foreign", re.sub("[0-9a-f]{40}", "0" * 40, good(base))), ("sound", good(base))):
        tree = evil.put(evil.head_tree(base), PATH, content.encode())
        commit = evil.commit(tree, ZHANGWEI, "签署访问权限复核", [base], sign_with=signing_key)
        done = evil.push(commit, url=str(victim.store.path))
        head = git(victim.store.path, "rev-parse", "HEAD").strip()
        pushed[name] = (done.returncode, done.stderr.decode(), head == commit)
    code, said, taken = pushed["foreign"]
    assert code != 0 and "不在本提交之前的历史中" in said and not taken, said
    code, said, taken = pushed["sound"]
    assert code == 0 and taken, said


def test_two_copies_signing_the_same_period_differently_stop_the_sync_naming_it():
    from custtui.core.sync.merge import MergeRefused, merge_toml_bytes

    signed = {
        "period": "2026-Q4",
        "date": date(2026, 12, 1),
        "reviewer": "zhangwei",
        "commit": "a" * 40,
        "digest": "sha256:" + "b" * 64,
        "people": 5,
        "flags": [],
    }
    ours = review_bytes(review_record({**signed, "note": "北京已核对"}))
    theirs = review_bytes(review_record({**signed, "note": "上海已核对"}))
    with pytest.raises(MergeRefused, match="双方把 复核意见 改成了不同的值; 这是访问权限复核的签署"):
        merge_toml_bytes(PATH, None, ours, theirs, lambda side, field, value: ("", ""))
