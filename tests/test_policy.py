"""The default policy as the company wrote it: every role × information type × sensitivity × action,
masking, permissions, and the staff registry that maps people to roles."""

from __future__ import annotations

import itertools
import subprocess

import pytest

from custtui.core.access.policy import SENSITIVITY, Access, PermissionDenied, Policy, mask_id_number, mask_phone
from custtui.core.access.registry import lookup
from custtui.core.archive.staff import add_key, add_person, disable_person
from custtui.core.base.errors import CusttuiError, FieldError, SchemaError
from custtui.core.records.schema import Schema, default_schema_dir
from custtui.core.tasks import view

INFO_TYPES = ("basic", "cooperation", "service", "credit", "other")
P, IN, C, S, N = "public", "internal", "confidential", "secret", None  # N: not at all
# the highest sensitivity each role may view / edit, per information type (basic cooperation service credit other)
EXPECTED = {
    "sales": ((IN, IN, IN, N, IN), (IN, IN, IN, N, IN)),
    "service": ((IN, N, IN, N, IN), (IN, N, IN, N, IN)),
    "legal": ((C, C, IN, C, C), (C, C, N, N, C)),
    "finance": ((C, S, IN, S, IN), (N, S, N, S, N)),
    "marketing": ((IN, N, N, N, P), (N, N, N, N, N)),
    "management": ((S, S, S, S, S), (S, S, S, S, S)),
    "admin": ((IN, N, IN, N, IN), (N, N, N, N, N)),
    "office_sync": ((N, N, N, N, N), (N, N, N, N, N)),
}
MAY = {
    "sales": {"export"},
    "service": set(),
    "legal": {"export", "unmask"},
    "finance": {"export", "unmask"},
    "marketing": set(),
    "management": {"export", "sync", "unmask", "delete", "read_access_log"},
    "admin": {"sync", "manage_staff", "edit_schema", "delete", "read_access_log"},
    "office_sync": {"sync", "replicate"},
}
MASK = {
    "sales": {"id_number"},
    "service": {"id_number", "amounts"},
    "legal": {"id_number"},
    "finance": {"id_number"},
    "marketing": {"id_number", "phones", "amounts"},
    "management": set(),
    "admin": {"id_number", "phones", "amounts"},
    "office_sync": {"id_number", "phones", "amounts"},
}


@pytest.fixture(scope="module")
def policy() -> Policy:
    schema = Schema.load_dir(default_schema_dir())
    return Policy.parse((default_schema_dir() / "policy.toml").read_bytes(), schema)


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_every_role_information_type_sensitivity_and_action(policy, role):
    access = Access("某人", [policy.role(role)])
    for action, ceilings in zip(("view", "edit"), EXPECTED[role], strict=True):
        check = access.can_view if action == "view" else access.can_edit
        for (info_type, ceiling), sensitivity in itertools.product(zip(INFO_TYPES, ceilings, strict=True), SENSITIVITY):
            allowed = ceiling is not None and SENSITIVITY.index(sensitivity) <= SENSITIVITY.index(ceiling)
            assert check(info_type, sensitivity) == allowed, f"{role} {action} {info_type}/{sensitivity}"
    for permission in (
        "export",
        "sync",
        "replicate",
        "unmask",
        "manage_staff",
        "edit_schema",
        "delete",
        "read_access_log",
    ):
        assert access.may(permission) == (permission in MAY[role]), f"{role} may {permission}"
    for kind in ("id_number", "phones", "amounts"):
        assert access.masked(kind) == (kind in MASK[role]), f"{role} masked {kind}"


def test_several_roles_add_up_and_a_mask_stays_only_if_every_role_masks(policy):
    both = Access("王芳", [policy.role("sales"), policy.role("finance")])
    assert both.can_view("cooperation", "secret") and both.can_view("service", "internal")
    assert both.masked("id_number") and both.may("unmask"), "masked unless unmasked on purpose (logged)"
    assert not Access("赵磊", [policy.role("sales"), policy.role("management")]).masked("id_number")
    nobody = Access("陌生人", [])
    assert not nobody.can_view("basic", "public") and nobody.masked("phones")


def test_a_refusal_names_the_missing_permission(policy):
    with pytest.raises(PermissionDenied, match=r"缺少权限「办事处同步」\(sync\): 李娜 的角色 销售 没有此权限"):
        Access("李娜", [policy.role("sales")]).require("sync")


def test_masking_personal_data(policy):
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("010-62981234") == "010-****1234"
    record = {
        "id_number": "11010519491231002X",
        "phones": ["13812345678"],
        "contacts": [{"name": "曾小贤", "phones": ["13912345678"]}],
    }
    shown = Access("x", [policy.role("marketing")]).customer(record)
    assert shown == {
        "id_number": "110105********002X",
        "phones": ["138****5678"],
        "contacts": [{"name": "曾小贤", "phones": ["139****5678"]}],
    }
    assert record["phones"] == ["13812345678"], "the stored record is untouched"
    assert Access("x", [policy.role("service")]).deal({"amount": "125000.00"})["amount"] == "***"
    assert policy.amount_fields == {"annual_purchase"}  # the schema's fields of kind amount
    service = Access("x", [policy.role("service")], policy.amount_fields)
    assert service.customer({"name": "甲", "annual_purchase": "860000.00"}) == {"name": "甲", "annual_purchase": "***"}
    assert Access("x", [policy.role("management")]).customer(record) == record


def test_a_broken_policy_names_the_key():
    schema = Schema.load_dir(default_schema_dir())
    with pytest.raises(SchemaError, match=r"roles.sales.view.contracts.*不是已知的信息类型"):
        Policy.parse(b'[roles.sales]\nview = { contracts = "internal" }\n', schema)
    with pytest.raises(SchemaError, match=r"roles.sales.may.*teleport"):
        Policy.parse(b'[roles.sales]\nmay = ["teleport"]\n', schema)


KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ0m0Xv6VQk0bq2s0tqXoN3QeXyMZ0x5c7mX3l1aQyZb 张伟@laptop"


def test_staff_registry_is_audited_and_guarded(archive):
    assert archive.access_for("张伟").unrestricted, "no registry yet: no restrictions"
    with pytest.raises(CusttuiError, match="第一位登记的员工必须能管理员工"):
        add_person(archive, "lina", "李娜", "销售")
    add_person(archive, "admin", "张伟", "管理员")
    add_person(archive, "lina", "李娜", "销售", keys=[KEY])
    assert (
        subprocess.run(
            ["git", "-C", str(archive.store.path), "log", "-1", "--format=%an %s"], capture_output=True, text=True
        ).stdout.strip()
        == "张伟 登记员工: lina 李娜 销售"
    )
    people = archive.registry()
    assert lookup(people, "李娜").roles == ("sales",) and lookup(people, "lina").name == "李娜"
    with pytest.raises(FieldError, match="已登记给 lina 李娜"):
        add_person(archive, "wangfang", "王芳", "财务", keys=[KEY.replace("张伟@laptop", "别的注释")])
    with pytest.raises(FieldError, match="不是已知的部门"):
        add_person(archive, "wangfang", "王芳", "保安")
    with pytest.raises(FieldError, match="SSH 公钥"):
        add_key(archive, "lina", "not a key")
    archive.user = "李娜"
    with pytest.raises(PermissionDenied, match="管理员工与密钥"):
        add_person(archive, "liuyang", "刘洋", "客服")
    archive.user = "张伟"
    disable_person(archive, "lina")
    assert archive.registry()["lina"].active is False and archive.registry()["lina"].keys == (KEY,)
    assert not archive.access_for("李娜").can_view("basic", "public"), "a disabled person sees nothing"
    assert archive.access_for("陌生人").roles == [], "someone not in the registry sees nothing"


@pytest.fixture
def staffed(demo):
    """The demo archive with a staff registry: an administrator, a 销售, a 财务 and a 市场 person."""
    add_person(demo, "zhangwei", "张伟", "管理员")
    add_person(demo, "lina", "李娜", "销售")
    add_person(demo, "wangfang", "王芳", "财务")
    add_person(demo, "liuyang", "刘洋", "市场")
    add_person(demo, "zhaolei", "赵磊", "管理层")
    return demo


def test_show_obeys_the_policy_for_each_person(staffed):
    from conftest import run_cli

    path = staffed.store.path
    sales = run_cli("show", "BJ-000001", "--archive", path, "--user", "李娜")
    assert sales.code == 0, sales.err
    assert "合同" in sales.out and "对账单" not in sales.out and "财务报表" not in sales.out, (
        "a 销售 sees contracts, not the finance documents"
    )
    finance = run_cli("show", "BJ-000001", "--archive", path, "--user", "王芳")
    assert "对账单" in finance.out and "财务报表" in finance.out
    person = run_cli("show", "BJ-000020", "--archive", path, "--user", "李娜")
    stored = staffed.customer("BJ-000020")["id_number"]
    assert stored not in person.out and f"{stored[:6]}********{stored[-4:]}" in person.out
    assert "身份证复印件" not in person.out, "the ID copy (机密) is not listed for 销售"
    marketing = run_cli("show", "BJ-000001", "--archive", path, "--user", "刘洋")
    assert "交易记录" not in marketing.out and "沟通记录" not in marketing.out
    purchase = f"{float(staffed.customer('BJ-000001')['annual_purchase']):,.2f}"
    assert "年采购额: ***" in marketing.out and purchase not in marketing.out  # 市场 has amounts masked
    assert purchase in sales.out, "a 销售 sees the amount"
    stranger = run_cli("show", "BJ-000001", "--archive", path, "--user", "陌生人")
    assert stranger.code == 1 and "陌生人 的角色 (不在员工名册中或已停用) 不能查看客户档案" in stranger.err


def test_writes_obey_the_policy(staffed):
    head = staffed.head()
    staffed.user = "刘洋"
    with pytest.raises(PermissionDenied, match="缺少权限「修改客户档案」: 刘洋 的角色 市场"):
        staffed.update_customer("BJ-000001", {"address": "某地"})
    with pytest.raises(PermissionDenied, match="缺少权限「修改沟通记录」"):
        staffed.add_note("BJ-000001", {"channel": "电话", "content": "x"})
    staffed.user = "李娜"
    with pytest.raises(PermissionDenied, match="缺少权限「办事处同步」"):
        from custtui.core.sync.sync import sync

        sync(staffed)
    with pytest.raises(PermissionDenied, match="不能按身份证号筛选"):
        view.find(staffed, {"id_number": "1101"})
    assert staffed.head() == head, "nothing was written"
    assert staffed.update_customer("BJ-000001", {"address": "北京市海淀区某路 1 号"})


def test_the_audit_trail_obeys_the_policy(staffed):
    from custtui.core.tasks import view

    staffed.user = "赵磊"
    changed = staffed.update_customer("BJ-000020", {"phones": ["13700001111"]})
    staffed.user = "刘洋"
    entry = next(e for e in view.history(staffed, "BJ-000020") if e.commit == changed)
    assert entry.summary.endswith(": (内容已打码)") and "13700001111" not in entry.summary
    [(_, fields)] = view.changes_in(staffed, changed)
    assert [(key, new) for key, _, new in fields] == [("phones", ["137****1111"])]
    staffed.user = "李娜"
    entries = view.history(staffed, "BJ-000001")
    assert entries and not any("对账单" in e.summary or "财务报表" in e.summary for e in entries), (
        "a 销售 does not learn that finance documents were filed"
    )
    statement = next(e for e in staffed.history("BJ-000001") if "对账单" in e.summary)
    assert all(
        path.endswith("customer.toml") or "对账单" not in path for path, _ in view.changes_in(staffed, statement.commit)
    )
    staffed.user = "王芳"
    assert any("对账单" in e.summary for e in view.history(staffed, "BJ-000001"))


def test_export_needs_the_permission_and_a_visible_document(staffed, tmp_path):
    from conftest import run_cli

    path = staffed.store.path
    statement = next(d.name for d in staffed.documents("BJ-000001") if "对账单" in d.name)
    contract = next(d.name for d in staffed.documents("BJ-000001") if d.meta.get("doc_type") == "contract")
    done = run_cli("export", "BJ-000001", contract, "--to", tmp_path / "out", "--archive", path, "--user", "李娜")
    assert done.code == 0 and (tmp_path / "out" / contract).read_bytes() == staffed.document_bytes(
        "BJ-000001", contract
    )
    hidden = run_cli("export", "BJ-000001", statement, "--to", tmp_path / "out", "--archive", path, "--user", "李娜")
    assert hidden.code == 1 and "不能查看它" in hidden.err and not (tmp_path / "out" / statement).exists()
    refused = run_cli("export", "BJ-000001", contract, "--to", tmp_path / "x", "--archive", path, "--user", "刘洋")
    assert refused.code == 1 and "缺少权限「导出资料」(export): 刘洋 的角色 市场 没有此权限" in refused.err
    assert (
        run_cli("export", "BJ-000001", statement, "--to", tmp_path / "f", "--archive", path, "--user", "王芳").code == 0
    )
    from custtui.core.access import access_log

    logged = [(e["person"], e["action"], e["target"]) for e in access_log.entries(staffed)]
    assert ("王芳", "view", f"BJ-000001/{statement}") in logged and (
        "王芳",
        "export",
        f"BJ-000001/{statement}",
    ) in logged
    assert ("李娜", "export", f"BJ-000001/{contract}") in logged
    assert not any(p == "李娜" and t.endswith(statement) for p, _, t in logged), "a refused read leaves nothing to log"


def test_unmasking_needs_the_permission_and_is_logged(staffed):
    from conftest import run_cli

    from custtui.core.access import access_log

    path, stored = staffed.store.path, staffed.customer("BJ-000020")["id_number"]
    finance = run_cli("show", "BJ-000020", "--archive", path, "--user", "王芳")
    assert stored not in finance.out, "masked by default, even for 财务"
    unmasked = run_cli("show", "BJ-000020", "--unmask", "--archive", path, "--user", "王芳")
    assert unmasked.code == 0 and stored in unmasked.out
    assert [(e["person"], e["action"], e["target"], e["detail"]) for e in access_log.entries(staffed)] == [
        ("王芳", "unmask", "BJ-000020", "身份证号")
    ]
    refused = run_cli("show", "BJ-000020", "--unmask", "--archive", path, "--user", "李娜")
    assert refused.code == 1 and "缺少权限「查看未打码的个人信息」(unmask)" in refused.err and stored not in refused.out


@pytest.mark.indexed  # rebuilt below for the staff registry, from the demo's extracted texts
def test_search_obeys_the_policy_no_hit_no_snippet_no_count(staffed):
    from custtui.core.tasks import view

    staffed.search_index().rebuild()
    phone = staffed.customer("BJ-000020")["phones"][0]
    staffed.user = "王芳"
    finance = view.search(staffed, "对账单", limit=50)
    statements = [h for h in finance.hits if h.kind == "document" and "对账单" in (h.document or "")]
    assert statements, "财务 finds the statements"
    assert any(h.id == "BJ-000020" for h in view.search(staffed, phone, limit=10).hits), "and phones by number"
    staffed.user = "李娜"
    sales = view.search(staffed, "对账单", limit=50)
    assert not any("对账单" in (h.document or "") for h in sales.hits)
    assert sales.total <= finance.total - len(statements), "hidden documents are not counted either"
    assert view.search(staffed, "BJ-000020", limit=5).hits, "the sales person still finds the customer"
    staffed.user = "刘洋"
    assert not any(h.id == "BJ-000020" for h in view.search(staffed, phone, limit=10).hits), (
        "a masked phone number cannot be searched for"
    )
    found = view.search(staffed, "BJ-000020", limit=5)
    assert found.hits and phone not in " ".join(h.highlights for h in found.hits)
    tail = view.search(staffed, phone[-4:], limit=50).hits
    told = [h for h in tail if h.id == "BJ-000020" and h.why]
    assert told and phone[-4:] in told[0].highlights and phone not in told[0].highlights, "whose phone: masked"
    note = staffed.notes("BJ-000001")[0]["content"][:6]
    assert not any(h.id == "BJ-000001" and h.kind == "customer" for h in view.search(staffed, note, limit=20).hits), (
        "市场 cannot find a customer by the text of a note it may not read"
    )
    staffed.user = "李娜"
    assert any(h.id == "BJ-000001" for h in view.search(staffed, note, limit=20).hits)
    staffed.user = "陌生人"
    assert view.search(staffed, "华信").hits == []


def test_a_masked_amount_is_shown_as_its_mask_in_show_and_the_edit_form(policy):
    from custtui.core.records.present import amount_text
    from custtui.tui.screens.edit import text_of

    schema = Schema.load_dir(default_schema_dir())
    purchase = schema.fields["annual_purchase"]
    assert (text_of(schema, purchase, "860000.00"), text_of(schema, purchase, "***")) == ("860000.00", "***")
    assert (amount_text("860000.00"), amount_text("***"), amount_text(None)) == ("860,000.00 元", "***", "")
