"""The customers and what they buy, read from ``data/``. ``data/products.toml`` becomes ``Product``
objects and each ``data/customers/<id>.toml`` a ``Cust`` (the file name is the customer's id; files
are read in name order, 北京总部 before 上海分公司). A customer file states the facts and the story's
turning points; hand-written contacts, notes and deals are optional, and what is left out is
invented from fixed random streams. This module invents the missing contact people (names,
positions, phone numbers, from ``data/people.toml`` and ``data/regions.toml``) and derives the codes
printed on records and scans: the 统一社会信用代码 and an individual's 身份证号.
"""

from __future__ import annotations

import random
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from custtui.core.records.records import format_id

from .common import ALL_STAFF, DATA, d, load, make_id_number, make_uscc, rng_for

# --- what 华信集团 sells -------------------------------------------------------------------


@dataclass
class Product:
    short: str
    project: str
    items: list  # (name, spec, unit, unit price, quantity)
    service: tuple  # (name, yearly price)
    need: str
    issue: str
    feedback: str
    plan: str


def item(entry: dict) -> tuple:
    """An order line, ``{name, spec, unit, price, qty}`` in the data files, as a tuple."""
    return (entry["name"], entry["spec"], entry["unit"], entry["price"], entry["qty"])


def _product(entry: dict) -> Product:
    return Product(
        entry["short"],
        entry["project"],
        [item(x) for x in entry["items"]],
        (entry["service"]["name"], entry["service"]["price"]),
        entry["need"],
        entry["issue"],
        entry["feedback"],
        entry["plan"],
    )


_PRODUCTS = load("products.toml")
PRODUCTS = {code: _product(entry) for code, entry in _PRODUCTS.items()}
SERVICE_PRODUCTS = {code for code, entry in _PRODUCTS.items() if entry.get("service_only")}


# --- the customers ---------------------------------------------------------------------------


@dataclass
class Cust:
    office: str
    seq: int
    type: str
    name: str
    owner: str
    first: str
    stage: str
    product: str
    region: str
    division: str  # county-level code used in the USCC / ID number
    address: str
    aliases: list = field(default_factory=list)
    industry: str | None = None
    size: str | None = None
    legal_rep: str | None = None
    annual: str | None = None
    superior: str | None = None
    procurement: str | None = None
    status: str = "active"
    tier: str | None = None  # individuals only; others follow annual_purchase
    grade: str = "normal"
    color: str | None = None
    tags: list = field(default_factory=list)
    remark: str | None = None
    demand: list = field(default_factory=lambda: ["purchase"])
    signed: str | None = None
    stable: str | None = None
    ended: tuple | None = None  # (date, reason) stage -> terminated
    back: tuple | None = None  # (date, reason) terminated -> signed again
    number: str | None = None  # the first contract
    number2: str | None = None  # a later contract (renewal / maintenance / expansion)
    contacts: list | None = None
    uscc_style: str = "old"
    # individuals
    gender: str | None = None
    born: str | None = None
    id_division: str | None = None
    id_seq: int | None = None
    want_check: str | None = None  # search the birth date forward until the check digit is this
    phones: list = field(default_factory=list)
    email: str | None = None
    preferences: str | None = None
    # story and documents
    notes: list | None = None  # hand-written notes: (time, channel, participants, content, needs, feedback, by)
    deals: list | None = None  # hand-written deals: (date, amount, product, contract, by)
    docs: list = field(default_factory=list)

    @property
    def id(self) -> str:
        return format_id(self.office, self.seq)

    @property
    def short(self) -> str:
        return self.aliases[0] if self.aliases else self.name

    @property
    def prod(self) -> Product:
        return PRODUCTS[self.product]


def contact(name, position, *phones, email=None, dm=False) -> dict:
    """A contact person as the customer record holds one."""
    return {"name": name, "position": position, "phones": list(phones), "email": email, "decision_maker": dm}


def _contact(entry: dict) -> dict:
    return contact(
        entry["name"],
        entry["position"],
        *entry.get("phones", []),
        email=entry.get("email"),
        dm=entry.get("decision_maker", False),
    )


def _note(entry: dict) -> tuple:
    keys = ("time", "channel", "participants", "content", "needs", "feedback", "by")
    return tuple(entry.get(k) for k in keys)


def _deal(entry: dict) -> tuple:
    return tuple(entry.get(k) for k in ("date", "amount", "product", "contract", "by"))


def _doc(entry: dict) -> dict:
    """A document to generate: type, file format, date (ISO, or relative to F/S/T/X/B) and options."""
    return {k: [item(x) for x in v] if k == "items" else v for k, v in entry.items()}


def _customer(path: Path) -> Cust:
    entry = tomllib.loads(path.read_text("utf-8"))
    office, seq = path.stem.split("-")
    for key in ("ended", "back"):
        if key in entry:
            entry[key] = (entry[key]["date"], entry[key]["reason"])
    for key, convert in (("contacts", _contact), ("notes", _note), ("deals", _deal), ("docs", _doc)):
        if key in entry:
            entry[key] = [convert(x) for x in entry[key]]
    c = Cust(office, int(seq), **entry)
    assert c.id == path.stem, path
    return c


CUSTOMERS: list[Cust] = [_customer(p) for p in sorted((DATA / "customers").glob("*.toml"))]


# --- contacts ------------------------------------------------------------------------------

_PEOPLE = load("people.toml")
AREA_CODES = load("regions.toml")["area_codes"]
SURNAMES = _PEOPLE["surnames"]
GIVEN = _PEOPLE["given_names"]
SENIOR = _PEOPLE["senior"]
WORKING = _PEOPLE["working"]


def mobile(r: random.Random) -> str:
    return r.choice(["139", "138", "137", "136", "135", "158", "159", "186", "188", "189", "177", "152"]) + "".join(
        r.choice("0123456789") for _ in range(8)
    )


def landline(r: random.Random, region: str, ext: bool = False) -> str:
    area = AREA_CODES[region]
    length = (
        8
        if len(area) == 3 or area in ("0512", "0571", "0574", "0755", "0757", "0769", "0510", "0531", "0532", "0311")
        else 7
    )
    number = r.choice("5678") + "".join(r.choice("0123456789") for _ in range(length - 1))
    return f"{area}-{number}" + (f"-{r.randint(801, 899)}" if ext else "")


def person_name(r: random.Random, taken: set) -> str:
    while True:
        name = r.choice(SURNAMES) + r.choice(GIVEN)
        if name not in taken and name not in ALL_STAFF:
            taken.add(name)
            return name


def build_contacts(c: Cust) -> list[dict]:
    if c.type == "individual":
        return []
    if c.contacts is not None:
        return c.contacts
    r = rng_for("contacts", c.id)
    taken = {c.legal_rep}
    senior = SENIOR["enterprise"] if c.type == "enterprise" else SENIOR.get(c.industry, ["主任"])
    working = WORKING[c.industry]
    contacts = [contact(c.legal_rep, r.choice(senior), mobile(r), dm=True)]
    count = r.choice([1, 2, 2]) if c.size == "small" else r.choice([1, 2, 2, 3])
    for i, position in enumerate(r.sample(working, min(count, len(working)))):
        phones = [mobile(r)]
        if r.random() < 0.6:
            phones.append(landline(r, c.region, ext=r.random() < 0.3))
        contacts.append(contact(person_name(r, taken), position, *phones, dm=(i == 0 and c.size != "small")))
    return contacts


# --- codes -------------------------------------------------------------------------------------

_ID_CACHE: dict = {}


def id_number(c: Cust) -> str:
    if c.id not in _ID_CACHE:
        born = d(c.born)
        while True:
            number = make_id_number(c.id_division, born, c.id_seq)
            if not c.want_check or number[-1] == c.want_check:
                break
            born += timedelta(days=1)
        _ID_CACHE[c.id] = number
    return _ID_CACHE[c.id]


def uscc_of(c: Cust) -> str:
    prefix = {"enterprise": "91", "government": {"organ": "11", "institution": "12"}.get(c.uscc_style)}[c.type]
    return make_uscc(prefix, c.division, rng_for("uscc", c.id), c.uscc_style)
