"""The classification standard as data: complete, checked, and owned by each archive."""

from __future__ import annotations

import shutil

import pytest

from custtui.core.archive.archive import Archive
from custtui.core.base.errors import SchemaError
from custtui.core.records.schema import Schema, default_schema_dir


@pytest.fixture(scope="module")
def schema() -> Schema:
    return Schema.load_dir(default_schema_dir())


def labels(schema, dimension):
    return [v.label for v in schema.dimension(dimension).values]


def test_every_dimension_of_the_standard_is_there(schema):
    assert labels(schema, "customer_type") == ["个人客户", "企业客户", "政府及事业单位客户"]
    assert labels(schema, "stage") == ["潜在客户", "签约客户", "稳定合作客户", "终止合作客户"]
    assert {"沉睡", "流失", "历史客户"} <= set(labels(schema, "status"))
    assert {"制造业", "零售业", "IT业"} <= set(labels(schema, "industry"))
    assert labels(schema, "size") == ["小型", "中型", "大型"]
    assert labels(schema, "demand_type") == ["产品采购", "服务支持", "咨询合作"]
    assert labels(schema, "grade") == ["普通", "VIP"]
    assert labels(schema, "sensitivity") == ["公开", "内部", "机密", "绝密"]
    assert schema.dimension("color").value("red").extra["meaning"] == "重点客户"
    assert [i.label for i in schema.info_types.values()] == ["基础信息", "合作记录", "服务记录", "资信资料", "其他"]
    for doc in ("营业执照", "合同", "补充协议", "报价单", "对账单", "投诉处理单", "回访表", "售后工单", "会议纪要"):
        assert schema.resolve_doc_type(doc) is not None, doc
    assert len(schema.provinces) == 34 and schema.region_label("440300") == "广东省 深圳市"
    assert schema.macro_region("330100") == "east"


def test_value_tiers_and_status_periods_are_data(schema):
    assert schema.value_tier_for(500_000) == "high"
    assert schema.value_tier_for(499_999.99) == "medium"
    assert schema.value_tier_for(100_000) == "medium"
    assert schema.value_tier_for(99_999) == "low"
    assert schema.rules["status"]["dormant_after_days"] == 182
    assert schema.rules["status"]["lost_after_days"] == 365


def test_fields_depend_on_customer_type(schema):
    enterprise = {f.code for f in schema.fields_for("enterprise")}
    individual = {f.code for f in schema.fields_for("individual")}
    assert {"uscc", "legal_rep", "industry", "contacts"} <= enterprise and "id_number" not in enterprise
    assert {"id_number", "gender", "phones"} <= individual and "uscc" not in individual
    assert "enterprise" in schema.fields["uscc"].required_for
    assert "superior" in {f.code for f in schema.fields_for("government")}


def test_labels_codes_and_aliases_all_resolve(schema):
    assert schema.resolve("customer_type", "企业") == "enterprise"
    assert schema.resolve("customer_type", "Enterprise") == "enterprise"
    assert schema.resolve("stage", "成交") == "signed"
    assert schema.resolve("stage", "不存在") is None
    assert schema.resolve_region("杭州") == "330100" and schema.resolve_region("浙江") == "330000"


BROKEN = [
    ("dimensions.toml", lambda t: t.replace('label = "客户类型"', 'label = ""'), "customer_type.label", "非空"),
    (
        "dimensions.toml",
        lambda t: t.replace(
            '{ code = "small", label = "小型", aliases = ["小"] }', '{ code = "small", label = "中型" }'
        ),
        "size.values[1]",
        "重复",
    ),
    ("dimensions.toml", lambda t: t + "\n[broken\n", "(语法)", "TOML"),
    ("documents.toml", lambda t: t.replace('stage = "potential"', 'stage = "maybe"', 1), "doc_types[0].stage", "maybe"),
    ("fields.toml", lambda t: t.replace('kind = "uscc"', 'kind = "barcode"'), "fields.uscc.kind", "barcode"),
    (
        "fields.toml",
        lambda t: t.replace('dimension = "industry"', 'dimension = "sector"'),
        "fields.industry.dimension",
        "sector",
    ),
    (
        "fields.toml",
        lambda t: t.replace('required_for = ["enterprise"]', 'required_for = ["alien"]', 1),
        "fields.uscc.required_for",
        "alien",
    ),
    ("rules.toml", lambda t: t.replace("lost_after_days = 365", "lost_after_days = 30"), "status", "沉睡天数"),
    ("regions.toml", lambda t: t.replace('macro = "north"', 'macro = "arctic"', 1), "macro", "arctic"),
]


@pytest.mark.parametrize("file, edit, key, problem", BROKEN, ids=[b[2] for b in BROKEN])
def test_a_broken_schema_names_file_key_and_problem(tmp_path, file, edit, key, problem):
    folder = tmp_path / "schema"
    shutil.copytree(default_schema_dir(), folder)
    target = folder / file
    target.write_text(edit(target.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(SchemaError) as caught:
        Schema.load_dir(folder)
    message = str(caught.value)
    assert file in message and key in message and problem in message, message
    with pytest.raises(SchemaError):
        Archive.init(tmp_path / "archive", "BJ", user="张伟", schema_dir=folder)
    assert not (tmp_path / "archive").exists()


def test_init_copies_the_schema_into_the_archive(archive):
    for name in ("dimensions.toml", "documents.toml", "regions.toml", "fields.toml", "rules.toml"):
        assert archive.store.read(archive.head(), f"schema/{name}") == (default_schema_dir() / name).read_bytes()
