"""``custtui revert``: what it changed, in Chinese, and a stage revert only with a reason."""

from __future__ import annotations

import json

from conftest import run_cli


def stage_change(archive) -> tuple[str, str]:
    customer_id, _ = archive.add_customer("个人", "曾小贤", {"phones": "13912345678", "owner": "张伟"})
    archive.update_customer(customer_id, {"stage": "签约"}, reason="签订年度采购合同")
    return customer_id, archive.update_customer(customer_id, {"stage": "终止"}, reason="交货延迟")


def test_a_stage_revert_without_a_reason_is_refused_with_what_to_type(archive):
    customer_id, ended = stage_change(archive)
    refused = run_cli("--archive", archive.store.path, "revert", ended)
    assert refused.code == 1 and archive.head() == ended
    assert "变更原因" in refused.err and "请用 --reason 写明原因" in refused.err
    assert "终止合作客户 → 签约客户" in refused.err


def test_a_stage_revert_with_a_reason_adds_a_step_and_says_what_changed(archive):
    customer_id, ended = stage_change(archive)
    done = run_cli("--archive", archive.store.path, "revert", ended[:10], "--reason", "误操作")
    assert done.code == 0, done.err
    assert "已撤销 张伟" in done.out and ended[:10] in done.out
    assert "合作阶段: 终止合作客户 → 签约客户" in done.out
    steps = archive.customer(customer_id)["stage_history"]
    assert [(s["to"], s.get("reason")) for s in steps] == [
        ("signed", "签订年度采购合同"),
        ("terminated", "交货延迟"),
        ("signed", "误操作"),
    ]


def test_json_names_the_new_commit_and_the_changes_and_a_needless_reason_is_refused(archive):
    customer_id, _ = stage_change(archive)
    colour = archive.update_customer(customer_id, {"color": "红"})
    a = ["--archive", archive.store.path, "--json", "revert", colour]
    refused = run_cli(*a, "--reason", "填错了")
    assert refused.code == 1 and "只有撤销合作阶段的变更时才需要填写原因" in json.loads(refused.err)["error"]
    done = run_cli(*a)
    assert done.code == 0, done.err
    answer = json.loads(done.out)
    assert answer["commit"] == archive.head() and answer["reverted"] == colour
    assert answer["changes"] == [["修改客户资料", "颜色标签: 红色 → (空)"]]
