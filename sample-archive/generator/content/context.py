"""What a document's text is made from. ``Ctx`` carries the customer, the document's spec from
the customer's data file, its date, its own random stream and, for contracts and supplements, the
contract; its properties give the contact person, our company's name and the city where papers
are signed. ``item_rows`` turns order lines into a priced table with a total.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..common import OUR_NAME, SCHEMA, money
from ..customers import Cust, build_contacts
from ..story import Contract


@dataclass
class Ctx:
    c: Cust
    spec: dict
    date: date
    r: random.Random
    contract: Contract | None = None

    @property
    def contacts(self):
        return build_contacts(self.c)

    @property
    def contact(self):
        if self.c.type == "individual":
            return {"name": self.c.name, "position": "本人", "phones": self.c.phones}
        cs = self.contacts
        return cs[1] if len(cs) > 1 else cs[0]

    @property
    def our(self):
        return OUR_NAME[self.c.office]

    @property
    def city(self):
        return SCHEMA.region_label(self.c.region).split()[-1]


def item_rows(items):
    rows, total = [], Decimal("0.00")
    for i, (name, spec, unit, price, qty) in enumerate(items, 1):
        amount = money(price) * qty
        total += amount
        rows.append([str(i), name, spec, unit, qty, money(price), amount])
    rows.append(["", "合计", "", "", "", "", total])
    return rows, total


ITEM_HEADER = ["序号", "产品名称", "规格型号", "单位", "数量", "单价(元)", "金额(元)"]


def party(c: Cust) -> str:
    return c.name
