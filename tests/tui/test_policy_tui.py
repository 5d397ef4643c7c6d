"""The TUI shows each person what the policy lets them see: masked personal data, no finance
documents for a 销售, masked fields not editable, the log without hidden documents."""

from __future__ import annotations

from textual.widgets import TabbedContent, Tree

from custtui.core.archive.staff import add_person
from custtui.tui.screens.edit import CustomerForm
from custtui.tui.widgets.customer_pane import CustomerPane

from .conftest import settle, shown


def staff(demo) -> None:
    add_person(demo, "zhangwei", "张伟", "管理员")
    add_person(demo, "lina", "李娜", "销售")
    add_person(demo, "wangfang", "王芳", "财务")


async def documents_of(app, pilot, main, customer_id: str) -> list[str]:
    """The names in the 文档 tab of a customer, as the pane lists them."""
    main.open_customer(customer_id)
    await settle(app, pilot)
    pane = main.query_one(CustomerPane)
    pane.query_one(TabbedContent).active = "tab-documents"
    await settle(app, pilot)
    tree = pane.query_one("#documents", Tree)
    return [n.data.name for n in tree._tree_nodes.values() if n.data is not None]


async def test_a_sales_person_sees_no_finance_documents_and_masked_id_numbers(open_app, demo):
    staff(demo)
    async with open_app(user="李娜") as (app, pilot, main):
        names = await documents_of(app, pilot, main, "BJ-000001")
        assert names and not any("对账单" in n or "财务报表" in n for n in names)
        assert any(n.startswith("HT-2024-015") for n in names), "the contracts are there"

        stored = demo.customer("BJ-000020")["id_number"]
        main.open_customer("BJ-000020")
        await settle(app, pilot)
        pane = main.query_one(CustomerPane)
        pane.query_one(TabbedContent).active = "tab-overview"
        await settle(app, pilot)
        overview = "\n".join(shown(s) for s in pane.query("#tab-overview Static"))
        assert stored not in overview and f"{stored[:6]}********{stored[-4:]}" in overview

        await pilot.press("e")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, CustomerForm) and "id_number" in form.masked
        assert form.query_one("#f-id_number").disabled


async def test_finance_sees_the_finance_documents(open_app, demo):
    staff(demo)
    async with open_app(user="王芳") as (app, pilot, main):
        assert any("对账单" in n for n in await documents_of(app, pilot, main, "BJ-000001"))


async def test_someone_not_in_the_registry_sees_no_customers(open_app, demo):
    staff(demo)
    async with open_app(user="陌生人") as (app, pilot, main):
        assert main.classification.total == 0
