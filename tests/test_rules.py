"""``custtui rules``: the company changes a period or a threshold as one audited commit, the
file's comments stay, and a value the standard refuses is refused naming the key."""

from __future__ import annotations

from conftest import repo_state, run_cli

from custtui.core.archive.archive import Archive
from custtui.core.archive.staff import add_person
from custtui.core.tasks.audit import describe_commit


def test_a_rule_changes_as_one_commit_that_keeps_the_comments(demo):
    path = demo.store.path
    before = demo.head()
    done = run_cli("rules", "set", "routines.value_window_days", "180", "--user", "张伟", cwd=path)
    assert done.code == 0, done.err
    assert "routines.value_window_days = 180" in done.out
    fresh = Archive(path)
    assert fresh.schema().rules["routines"]["value_window_days"] == 180
    assert fresh.store.git("rev-list", "--count", f"{before}..HEAD").stdout.decode().strip() == "1"
    log = run_cli("log", "--limit", "1", "--user", "张伟", cwd=path).out
    assert "张伟" in log and "修改业务规则: routines.value_window_days 365 → 180" in log
    [change] = describe_commit(fresh, fresh.head()).changes
    assert (change.title, change.details) == ("修改业务规则", ["routines.value_window_days 365 → 180"])
    shown = run_cli("rules", "show", cwd=path).out
    assert "value_window_days = 180" in shown and "# 季度价值评估" in shown, "the comments people read stay"
    again = run_cli("rules", "set", "routines.value_window_days", "180", cwd=path)
    assert again.code == 0 and "未修改" in again.out and fresh.head() == demo.store.head()


def test_a_list_value_and_a_new_retention_entry(demo):
    path = demo.store.path
    assert run_cli("rules", "set", "routines.key_tiers", '["high", "medium"]', cwd=path).code == 0
    assert run_cli("rules", "set", "retention.years.service", "8", cwd=path).code == 0
    rules = Archive(path).schema().rules
    assert rules["routines"]["key_tiers"] == ["high", "medium"]
    assert rules["retention"]["years"]["service"] == 8 and rules["retention"]["years"]["basic"] == 30


def test_a_refused_value_names_the_key_and_writes_nothing(demo):
    path = demo.store.path
    state = repo_state(path)
    for key, value, said in (
        ("status.dormant_after_days", "400", "沉睡天数 < 流失天数 < 历史天数"),
        ("routines.key_grade", "gold", "routines.key_grade: 'gold' 不是维度 grade 的取值"),
        ("routines.value_window_days", "-5", "应为不小于 0 的整数"),
        ("retention.years.nothing", "5", "不是 documents.toml 中的信息类型"),
        ("routines.nope", "3", "业务规则中没有 routines.nope"),
    ):
        refused = run_cli("rules", "set", key, value, cwd=path)
        assert refused.code != 0 and said in refused.err and "Traceback" not in refused.err, (key, refused.err)
    assert repo_state(path) == state


def test_only_who_may_edit_the_standard_changes_a_rule(demo):
    add_person(demo, "zhangwei", "张伟", "管理员")
    add_person(demo, "lina", "李娜", "销售")
    path = demo.store.path
    state = repo_state(path)
    refused = run_cli("rules", "set", "follow_up.pool_after_days", "30", "--user", "李娜", cwd=path)
    assert refused.code != 0 and "修改分类标准与权限" in refused.err
    assert repo_state(path) == state
    assert run_cli("rules", "set", "follow_up.pool_after_days", "30", "--user", "张伟", cwd=path).code == 0
