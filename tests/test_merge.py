"""The field-level three-way merge of records, on plain dictionaries (no git needed)."""

from __future__ import annotations

from datetime import date

import pytest

from custtui.core.records.records import dumps, loads
from custtui.core.sync.merge import DELETED, MergeRefused, merge_records, merge_toml_bytes


def who(side: str, field: str, value) -> tuple[str, str]:
    return ("北京 张伟", "2026-01-01T09:00:00+08:00") if side == "ours" else ("上海 李娜", "2026-01-02T10:00:00+08:00")


BASE = {
    "id": "BJ-000001",
    "type": "enterprise",
    "name": "华信",
    "address": "北京",
    "grade": "normal",
    "tags": ["老客户"],
    "contacts": [
        {"name": "曾小贤", "position": "采购经理", "phones": ["13812345678"]},
        {"name": "单田芳", "position": "财务"},
    ],
    "stage": "potential",
    "stage_history": [{"date": date(2024, 1, 1), "to": "potential"}],
}


def edited(**changes) -> dict:
    record = {**BASE, **changes}
    return {k: v for k, v in record.items() if v is not None}


def test_untouched_and_one_sided_changes():
    assert merge_records(BASE, BASE, BASE, who) == BASE
    assert merge_records(BASE, edited(address="上海"), BASE, who)["address"] == "上海"
    assert merge_records(BASE, BASE, edited(address="上海"), who)["address"] == "上海"
    assert "grade" not in merge_records(BASE, BASE, edited(grade=None), who), "a cleared field stays cleared"


def test_same_change_on_both_sides_is_no_conflict():
    merged = merge_records(BASE, edited(address="上海"), edited(address="上海"), who)
    assert merged["address"] == "上海" and "conflicts" not in merged


def test_lists_merge_by_element_with_removals_from_both_sides():
    ours = edited(tags=["华东"])  # removed 老客户, added 华东
    theirs = edited(tags=["老客户", "重点", "待回访"])
    assert merge_records(BASE, ours, theirs, who)["tags"] == ["华东", "重点", "待回访"]


def test_contacts_merge_by_name_then_field_by_field():
    ours = edited(
        contacts=[
            {"name": "曾小贤", "position": "采购总监", "phones": ["13812345678"]},
            {"name": "单田芳", "position": "财务"},
            {"name": "王芳", "position": "出纳"},
        ]
    )
    theirs = edited(contacts=[{"name": "曾小贤", "position": "采购经理", "phones": ["13812345678", "010-62981234"]}])
    merged = merge_records(BASE, ours, theirs, who)
    assert merged["contacts"] == [
        {"name": "曾小贤", "position": "采购总监", "phones": ["13812345678", "010-62981234"]},
        {"name": "王芳", "position": "出纳"},
    ], "theirs removed 单田芳, ours added 王芳"
    assert "conflicts" not in merged


def test_one_contact_field_changed_differently_is_a_conflict_on_that_contact():
    ours = edited(contacts=[{"name": "曾小贤", "position": "采购总监", "phones": ["13812345678"]}, BASE["contacts"][1]])
    theirs = edited(
        contacts=[{"name": "曾小贤", "position": "副总经理", "phones": ["13812345678"]}, BASE["contacts"][1]]
    )
    merged = merge_records(BASE, ours, theirs, who)
    assert merged["contacts"][0]["position"] == "采购总监"
    assert [(c["field"], c["kept"], c["other"]) for c in merged["conflicts"]] == [
        ("contacts.曾小贤.position", "采购总监", "副总经理")
    ]


def test_same_field_to_different_values_keeps_ours_and_records_theirs_with_who_and_when():
    merged = merge_records(BASE, edited(address="北京朝阳"), edited(address="上海浦东"), who)
    assert merged["address"] == "北京朝阳"
    assert merged["conflicts"] == [
        {
            "field": "address",
            "kept": "北京朝阳",
            "other": "上海浦东",
            "kept_by": "北京 张伟",
            "kept_at": "2026-01-01T09:00:00+08:00",
            "other_by": "上海 李娜",
            "other_at": "2026-01-02T10:00:00+08:00",
        }
    ]


def test_stage_on_both_sides_conflicts_and_both_history_entries_stay():
    step = lambda day, to: {"date": date(2024, 2, day), "from": "potential", "to": to}  # noqa: E731
    ours = edited(stage="signed", stage_history=BASE["stage_history"] + [step(3, "signed")])
    theirs = edited(stage="terminated", stage_history=BASE["stage_history"] + [step(1, "terminated")])
    merged = merge_records(BASE, ours, theirs, who)
    assert merged["stage"] == "signed" and [c["field"] for c in merged["conflicts"]] == ["stage"]
    assert [s["to"] for s in merged["stage_history"]] == ["potential", "terminated", "signed"], "by date"


def test_conflicts_resolved_on_one_side_stay_resolved():
    open_one = {"field": "address", "kept": "a", "other": "b"}
    base = edited(conflicts=[open_one])
    merged = merge_records(base, edited(), edited(conflicts=[open_one], grade="vip"), who)
    assert "conflicts" not in merged and merged["grade"] == "vip"


def test_edit_against_delete_keeps_the_edit_and_records_who_deleted():
    merged = merge_records(BASE, edited(address="北京朝阳"), None, who)
    assert merged["address"] == "北京朝阳"
    assert [(c["field"], c["other_by"]) for c in merged["conflicts"]] == [(DELETED, "上海 李娜")]
    assert merge_records(BASE, BASE, None, who) is None, "deleted, and untouched on the other side: gone"


def test_the_merged_file_keeps_our_layout_and_reads_back_as_the_merge():
    raw = [dumps(r, list(r)) for r in (BASE, edited(address="北京朝阳"), edited(grade="vip"))]
    merged = merge_toml_bytes("customers/BJ/000/BJ-000001/customer.toml", *raw, who)
    assert loads(merged, "customer.toml") == edited(address="北京朝阳", grade="vip")
    assert merged.decode().splitlines()[:3] == ['id = "BJ-000001"', 'type = "enterprise"', 'name = "华信"']


def test_archive_settings_changed_differently_on_both_sides_are_refused():
    base, ours, theirs = (dumps({"name": n, "format": 1}) for n in ("档案", "北京的档案", "上海的档案"))
    with pytest.raises(MergeRefused, match="archive.toml: 双方把 name 改成了不同的值"):
        merge_toml_bytes("archive.toml", base, ours, theirs, who)
    assert merge_toml_bytes("archive.toml", base, ours, base, who) == ours


def test_an_office_counter_takes_the_larger_number():
    base, ours, theirs = (
        dumps({"code": "BJ", "name": "北京总部", "next": n}, ("code", "name", "next")) for n in (5, 9, 7)
    )
    assert b"next = 9" in merge_toml_bytes("offices/BJ.toml", base, ours, theirs, who)
