"""The classification tree view and the customer profile, on the demo archive."""

from __future__ import annotations

import pytest

from custtui.core.base.errors import CusttuiError
from custtui.core.tasks.browse import UNSET_LABEL, Classification, parse_order, pinyin_key, sort_customers
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
    names = [s.get("name") for s in sort_customers(list(demo.customers().values()), "name")]
    keys = [pinyin_key(n) for n in names]
    assert keys == sorted(keys)
    assert pinyin_key("安") < pinyin_key("北") < pinyin_key("中")
    reversed_ids = [s.get("id") for s in sort_customers(list(demo.customers().values()), "id", reverse=True)]
    assert reversed_ids == sorted(reversed_ids, reverse=True)


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
