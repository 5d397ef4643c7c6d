"""``custtui stats``: the customer structure by one or two dimensions, its change since a past date
(computed from the git history), the amounts (transactions of the last 12 months, 年采购额) only for
who may see them, the XLSX export."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from conftest import git, run_cli, staffed_copy
from openpyxl import load_workbook

from custtui.core.archive.archive import Archive
from custtui.core.tasks import stats

SERVICE_SEES_AMOUNTS = ('mask = ["id_number", "amounts"]\nmay = []', 'mask = ["id_number"]\nmay = []')
TODAY = date(2025, 6, 30)  # inside the demo's years of transactions: some fall in the 12 months before, some not


@pytest.fixture(scope="module")
def staffed(demo_template, tmp_path_factory):
    """One copy of the demo for the module, with staff: 张伟 管理员, 赵磊 管理层 (sees amounts),
    刘洋 市场 (amounts masked), 陈静 客服 (amounts shown, as this company sets it, but no cooperation
    records). Tests only read it, except the past-date test (which runs last)."""
    people = (
        ("zhangwei", "张伟", "管理员"),
        ("zhaolei", "赵磊", "管理层"),
        ("liuyang", "刘洋", "市场"),
        ("chenjing", "陈静", "客服"),
    )
    archive = staffed_copy(
        demo_template, tmp_path_factory.mktemp("stats"), people, SERVICE_SEES_AMOUNTS, "客服看到金额"
    )
    archive.user = "赵磊"
    yield archive
    archive.close()


def expected_label(archive: Archive, dim: str, record: dict) -> str:
    """A customer's group read from its whole record and the schema, not from the listing."""
    schema = archive.schema()
    code = record.get(dim)
    if not code:
        return stats.MISSING
    if dim == "owner":
        return code
    if dim == "region":
        return schema.provinces[schema.cities[code].province if code in schema.cities else code]["label"]
    return schema.dimension("customer_type" if dim == "type" else dim).label_of(code)


@pytest.fixture(scope="module")
def records(staffed) -> dict[str, dict]:
    return {cid: staffed.customer(cid) for cid in staffed.customers()}


@pytest.mark.parametrize("dim", stats.DIMENSIONS)
def test_counts_by_one_dimension_equal_counts_over_every_record(staffed, records, dim):
    found = stats.stats(staffed, [stats.LABELS[dim]])
    expected = Counter((expected_label(staffed, dim, r),) for r in records.values())
    assert found.counts == expected
    assert sum(found.counts.values()) == len(records) > 0
    assert not any(k[0].isascii() and k[0] != "" for k in found.counts if dim not in ("owner",)), "codes shown"


def test_two_dimensions_sum_to_each_one_and_show_as_rows_by_columns(staffed):
    both = stats.stats(staffed, ["行业", "阶段"])
    industry, stage = stats.stats(staffed, ["industry"]).counts, stats.stats(staffed, ["合作阶段"]).counts
    assert len(both.counts) > len(industry)
    for (i,) in industry:
        assert sum(n for (a, _), n in both.counts.items() if a == i) == industry[(i,)]
    for (s,) in stage:
        assert sum(n for (_, b), n in both.counts.items() if b == s) == stage[(s,)]
    done = run_cli("stats", "--by", "行业", "--by", "阶段", "--archive", staffed.store.path, "--user", "赵磊")
    assert done.code == 0, done.err
    lines = done.out.splitlines()
    assert lines[0].split()[:3] == ["行业", "\\", "合作阶段"]
    assert [s for (s,) in sorted(stage)] == sorted(lines[0].split()[3:-1])
    in_schema = [v.label for v in staffed.schema().dimension("stage").values]
    assert lines[0].split()[3:-1] == [s for s in in_schema if (s,) in stage], "columns in the standard's order"
    assert lines[-1].split() == ["合计", *(str(stage[(s,)]) for s in lines[0].split()[3:-1]), str(sum(stage.values()))]


def deal_sums(archive: Archive, records: dict[str, dict], dim: str, until: date) -> Counter:
    """Each group's transactions dated in the window of the quarterly tiers up to ``until``, from
    every deal record."""
    start = until - timedelta(days=archive.schema().rules["routines"]["value_window_days"])
    sums: Counter = Counter()
    for cid, r in records.items():
        for deal in archive.deals(cid):
            if start < deal["date"] <= until:
                sums[(expected_label(archive, dim, r),)] += Decimal(str(deal["amount"]))
    return sums


def test_annual_amounts_only_for_who_may_see_amounts(staffed, records):
    staffed.user = "赵磊"
    found = stats.stats(staffed, ["阶段"], amounts=True, today=TODAY)
    expected: Counter = Counter()
    for r in records.values():
        expected[(expected_label(staffed, "stage", r),)] += Decimal(str(r.get("annual_purchase") or 0))
    assert found.amounts == dict(expected) and sum(expected.values()) > 0
    deals = deal_sums(staffed, records, "stage", TODAY)
    assert found.deals == {k: v for k, v in deals.items() if v} and 0 < sum(deals.values())
    everything = sum(Decimal(str(d["amount"])) for cid in records for d in staffed.deals(cid))
    assert sum(deals.values()) < everything, "the window leaves older transactions out"
    assert found.table().header == ("合作阶段", "客户数", stats.DEALS, stats.AMOUNT)

    staffed.user = "陈静"  # amounts shown, cooperation records not: 年采购额 only
    service = stats.stats(staffed, ["阶段"], amounts=True, today=TODAY)
    assert service.deals is None and service.amounts == found.amounts and service.hidden == stats.DEALS_HIDDEN
    assert stats.DEALS not in service.table().header and stats.DEALS_HIDDEN in service.text()
    staffed.user = "赵磊"
    path = staffed.store.path
    hidden = run_cli("stats", "--by", "阶段", "--amounts", "--json", "--archive", path, "--user", "刘洋")
    assert hidden.code == 0, hidden.err
    data = json.loads(hidden.out)
    assert data["amounts"] == stats.AMOUNTS_HIDDEN
    assert all(stats.AMOUNT not in g and stats.DEALS not in g for g in data["groups"])
    text = run_cli(
        "stats", "--by", "阶段", "--amounts", "--since", "2025-01-01", "--archive", path, "--user", "刘洋"
    ).out
    assert stats.AMOUNTS_HIDDEN in text and stats.AMOUNT not in text.splitlines()[0] and stats.DEALS not in text
    shown = [*expected.values(), *(found.deals or {}).values()]
    assert not any(str(int(v)) in text.replace(",", "") for v in shown if v > 1000)


def test_xlsx_export_matches_and_needs_the_export_right(staffed, tmp_path):
    path, target = staffed.store.path, tmp_path / "结构.xlsx"
    done = run_cli("stats", "--by", "规模", "--by", "地域", "--out", target, "--archive", path, "--user", "赵磊")
    assert done.code == 0 and "已导出" in done.out, done.err
    rows = [list(r) for r in load_workbook(target).active.iter_rows(values_only=True)]
    table = stats.stats(staffed, ["规模", "地域"]).table()
    assert rows[0] == list(table.header) == ["规模", "地域", "客户数"]
    assert rows[1:] == table.rows
    again = run_cli("stats", "--out", target, "--archive", path, "--user", "赵磊")
    assert again.code == 1 and "已存在, 不会覆盖" in again.err and "Traceback" not in again.err
    refused = run_cli("stats", "--out", tmp_path / "市场.xlsx", "--archive", path, "--user", "刘洋")
    assert refused.code == 1 and "导出资料" in refused.err and not (tmp_path / "市场.xlsx").exists()


@pytest.mark.parametrize("wrong", ["颜色", "--since=昨天"])
def test_a_wrong_dimension_or_date_is_one_chinese_sentence(staffed, wrong):
    args = ["--by", wrong] if not wrong.startswith("--") else [wrong]
    done = run_cli("stats", *args, "--archive", staffed.store.path, "--user", "赵磊")
    assert done.code == 1 and "Traceback" not in done.err
    assert len(done.err.strip().splitlines()) == 1
    assert ("行业、规模、地域" in done.err) if wrong == "颜色" else ("2025-12-31" in done.err)


def test_stats_at_a_past_date_equal_stats_on_a_checkout_of_that_commit(staffed, tmp_path):
    """Runs last in the module: it changes the shared copy."""
    staffed.user = "赵磊"
    log = git(staffed.store.path, "log", "--format=%H %cs", staffed.store.branch_ref).split("\n")
    middle = [line.split() for line in log if line][len(log) // 2]
    day = date.fromisoformat(middle[1])
    then = stats.commit_on(staffed, day)
    assert then is not None
    potential = next(cid for cid, c in staffed.customers().items() if c.get("stage") == "potential")
    staffed.update_customer(potential, {"stage": "签约"}, reason="签订年度合同")
    new_id, _ = staffed.add_customer("个人", "统计测试", {"phones": "13912345678", "owner": "赵磊"})

    found = stats.stats(staffed, ["阶段", "行业"], since=day, amounts=True)
    assert found.change is not None and found.change.commit == then
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(staffed.store.path), str(clone)], check=True)
    git(clone, "reset", "-q", "--hard", then)
    past = Archive(clone, user="赵磊")
    try:
        on_checkout = stats.stats(past, ["阶段", "行业"], amounts=True, today=day)
        assert found.change.before == on_checkout.counts
        assert found.change.deals == on_checkout.deals and sum(on_checkout.deals.values()) > 0
        at_then = {cid: c.get("stage") for cid, c in past.customers().items()}
    finally:
        past.close()
    now = {cid: c.get("stage") for cid, c in staffed.customers().items()}
    schema = staffed.schema()
    moved = Counter(
        (schema.label("stage", at_then[cid]), schema.label("stage", now[cid]))
        for cid in now
        if cid in at_then and at_then[cid] != now[cid]
    )
    assert found.change.moves == moved and moved[("潜在客户", "签约客户")] >= 1
    assert new_id in found.change.added and found.change.added == sorted(set(now) - set(at_then))
    assert sum(found.counts.values()) - sum(found.change.before.values()) == len(now) - len(at_then)
