"""What a form asks the core before saving: who already has a USCC or ID number, and which fields
someone else changed since the form opened (view.duplicates, view.changed_since), on the demo."""

from __future__ import annotations

from custtui.core.archive.archive import Archive
from custtui.core.tasks import view

HUAXIN, HUAXIN_USCC = "BJ-000001", "91110108751171783G"


def test_a_number_already_registered_names_its_customer_but_not_the_customer_itself(demo):
    assert view.duplicates(demo, "uscc", HUAXIN_USCC) == [(HUAXIN, "北京华信机械设备制造有限公司")]
    assert view.duplicates(demo, "uscc", HUAXIN_USCC, HUAXIN) == [], "its own number is no clash"
    assert view.duplicates(demo, "uscc", "91110108751171784E") == []
    assert view.duplicates(demo, "legal_rep", "曾国平") == [], "only numbers that belong to one customer"


def test_fields_changed_by_someone_else_since_the_edit_began(demo):
    base = demo.head()
    assert view.changed_since(demo, HUAXIN, base, ["address"]) == {}
    other = Archive(demo.store.path, user="李娜")
    other.update_customer(HUAXIN, {"address": "北京市朝阳区建国路 88 号", "legal_rep": "曾国强"})
    other.close()
    changed = view.changed_since(demo, HUAXIN, base, ["address", "name"])
    assert list(changed) == ["address"], "only the fields asked about that really changed"
    value, entry = changed["address"]
    assert value == "北京市朝阳区建国路 88 号" and entry is not None and entry.author == "李娜"
