"""The classification tree view and the customer profile, on the demo archive."""

from __future__ import annotations

import pytest

from custtui.core.base.errors import CusttuiError
from custtui.core.index.analysis import pinyin_key
from custtui.core.index.listing import Summary
from custtui.core.tasks.browse import UNSET_LABEL, Classification, parse_order, sort_customers
from custtui.core.tasks.profile import Profile


def test_default_tree_counts_add_up(demo):
    tree = Classification(demo.schema(), demo.customers())
    types = tree.children()
    assert [n.label for n in types] == ["个人客户", "企业客户", "政府及事业单位客户"]
    assert sum(n.count for n in types) == tree.total == len(demo.customers())
    for node in types:
        stages = tree.children(node.path)
        assert sum(s.count for s in stages) == node.count
        for stage in stages:
            members = tree.members(stage.path)
            assert all(m.get("type") == node.value and m.get("stage") == stage.value for m in members)


def test_any_order_of_dimensions_by_label(demo):
    tree = Classification(demo.schema(), demo.customers(), ["地区", "价值层级"])
    areas = tree.children()
    assert "华北" in [a.label for a in areas]
    north = next(a for a in areas if a.label == "华北")
    assert all(demo.schema().macro_region(m.get("region")) == "north" for m in tree.members(north.path))
    assert tree.describe(tree.children(north.path)[0].path).startswith("华北 › ")


def test_multi_valued_field_lists_a_customer_under_each_value(demo):
    tree = Classification(demo.schema(), demo.customers(), ["demand_types"])
    both = [c for c in demo.customers().values() if len(c.get("demand_types") or []) > 1]
    assert both, "the demo has customers with several demand types"
    for value in both[0].get("demand_types"):
        assert both[0].get("id") in {m.get("id") for m in tree.members((value,))}


def test_missing_values_are_grouped_last(demo):
    tree = Classification(demo.schema(), demo.customers(), ["industry"])
    labels = [n.label for n in tree.children()]
    assert labels[-1] == UNSET_LABEL  # individuals have no industry
    assert labels.index("制造业") < labels.index("零售业")  # the standard's order, not the alphabet


def test_unknown_dimension_is_refused_with_the_choices():
    with pytest.raises(CusttuiError, match="颜值.*可选.*行业"):
        parse_order(["行业", "颜值"])


def test_names_sort_by_pinyin(demo):
    ordered = sort_customers(list(demo.customers().values()), "name")
    keys = [pinyin_key(s.get("name"), s.get("type") == "individual") for s in ordered]
    assert keys == sorted(keys)
    assert pinyin_key("安") < pinyin_key("北") < pinyin_key("中")
    reversed_ids = [s.get("id") for s in sort_customers(list(demo.customers().values()), "id", reverse=True)]
    assert reversed_ids == sorted(reversed_ids, reverse=True)


def test_a_persons_surname_sorts_by_its_surname_reading_a_companys_name_does_not():
    people = ["曾小贤", "仇天", "解晓东", "单田芳", "万俟雪", "查良镛", "朴志成", "区丽", "覃明", "尉迟恭", "张伟"]
    companies = ["曾家湾机械有限公司", "单县食品有限公司"]
    listed = [Summary.of({"type": "individual", "name": n, "owner": n}) for n in people]
    listed += [Summary.of({"type": "enterprise", "name": n, "owner": "曾小贤"}) for n in companies]
    names = [s.get("name") for s in sort_customers(listed, "name")]
    assert names == [
        "曾家湾机械有限公司",  # ceng: a place name, not a surname
        "单县食品有限公司",  # dan
        "万俟雪",  # mo qi
        "区丽",  # ou
        "朴志成",  # piao
        "覃明",  # qin
        "仇天",  # qiu
        "单田芳",  # shan
        "解晓东",  # xie
        "尉迟恭",  # yu chi
        "曾小贤",  # zeng
        "查良镛",  # zha
        "张伟",
    ]
    owners = [s.get("owner") for s in sort_customers(listed, "owner") if s.get("type") == "individual"]
    assert owners.index("仇天") > owners.index("朴志成") and owners.index("曾小贤") > owners.index("解晓东")


def test_profile_groups_documents_with_attachments_and_cross_references(demo):
    profile = Profile.load(demo, "BJ-000001")
    categories = dict(profile.categories(demo.schema()))
    contracts = categories["合作记录"]
    main = next(f for f in contracts if f.document.meta.get("doc_type") == "contract" and f.attachments)
    assert all(a.meta["main"] == main.document.name for a in main.attachments)
    attached = {a.name for f in contracts for a in f.attachments}
    assert not attached & {f.document.name for f in contracts}, "an attachment is shown under its main document only"
    crossed = [f for items in categories.values() for f in items if f.cross_reference]
    assert crossed and all(f.document.meta.get("also_in") for f in crossed)
    assert [n["time"] for n in profile.notes] == sorted((n["time"] for n in profile.notes), reverse=True)
