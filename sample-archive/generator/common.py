"""The generator's fixed world and small tools. It holds the settings every run shares (the random
seed, the archive's "today", the CJK font), the company whose archive this is (华信集团, read from
``data/company.toml``), the custtui schema and validator the records are checked against, a reader
for the TOML files under ``data/``, and helpers used throughout: independent random streams,
dates, money and its Chinese upper-case form (人民币大写), and the check-digit codes of
统一社会信用代码 (GB 32100-2015) and 身份证号 (GB 11643-1999).
"""

from __future__ import annotations

import random
import tomllib
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from custtui.core.base.layout import DOCUMENT_ORDER
from custtui.core.records.records import Validator
from custtui.core.records.schema import Schema
from custtui.core.records.validate import id_check_digit, uscc_check_char

SAMPLE = Path(__file__).resolve().parents[1]  # sample-archive/: the archive is written here
ROOT = SAMPLE.parent  # the repository
DATA = SAMPLE / "data"

SEED = "huaxin-sample-archive-v1"
TODAY = date(2026, 11, 1)  # the archive's "now"
RECENT_FROM = date(2026, 5, 10)  # active customers have a contact on or after this day
RECENT_TO = date(2026, 10, 28)
FONT_FILE = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"


def load(name: str) -> dict:
    """A TOML file under ``data/``."""
    return tomllib.loads((DATA / name).read_text("utf-8"))


_COMPANY = load("company.toml")
ARCHIVE_NAME = _COMPANY["archive_name"]
OFFICES = {code: office["name"] for code, office in _COMPANY["offices"].items()}
STAFF = {code: office["staff"] for code, office in _COMPANY["offices"].items()}
SERVICE_STAFF = {code: office["service"] for code, office in _COMPANY["offices"].items()}  # 客服
ALL_STAFF = {n for names in STAFF.values() for n in names}
OUR_NAME = {code: office["legal_name"] for code, office in _COMPANY["offices"].items()}
OUR_PHONE = {code: office["phone"] for code, office in _COMPANY["offices"].items()}

NOTE_ORDER = ["time", "channel", "participants", "content", "needs", "feedback", "by"]
DEAL_ORDER = ["date", "amount", "product", "contract", "by"]
META_ORDER = DOCUMENT_ORDER  # a document's .meta.toml, in the order custtui writes it

SCHEMA = Schema.load_dir(ROOT / "schema")
VALIDATOR = Validator(SCHEMA)


def rng_for(*parts: object) -> random.Random:
    """An independent, reproducible random stream per purpose (str seeds hash with SHA-512)."""
    return random.Random("|".join([SEED, *map(str, parts)]))


def d(text: str) -> date:
    return date.fromisoformat(text)


def workday(day: date, forward: bool = True) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1 if forward else -1)
    return day


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def fmt_money(value) -> str:
    return f"{money(value):,.2f}"


def ymd(day: date) -> str:
    return day.strftime("%Y%m%d")


def cn_date(day: date) -> str:
    return f"{day.year} 年 {day.month} 月 {day.day} 日"


def rmb_upper(amount) -> str:
    """人民币大写金额, e.g. 125000.00 -> 壹拾贰万伍仟元整."""
    nums = "零壹贰叁肆伍陆柒捌玖"
    cents = int(money(amount) * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10

    def four(n: int) -> str:
        out, zero = "", False
        for i, unit in ((3, "仟"), (2, "佰"), (1, "拾"), (0, "")):
            digit = n // 10**i % 10
            if digit == 0:
                zero = bool(out)
            else:
                out += ("零" if zero else "") + nums[digit] + unit
                zero = False
        return out

    text, pending_zero = "", False
    for group, name in (((yuan // 10**8) % 10**4, "亿"), ((yuan // 10**4) % 10**4, "万"), (yuan % 10**4, "")):
        if group == 0:
            pending_zero = bool(text)
            continue
        if text and (pending_zero or group < 1000):
            text += "零"
        text += four(group) + name
        pending_zero = False
    text = (text or "零") + "元"
    if not jiao and not fen:
        return text + "整"
    if jiao:
        text += nums[jiao] + "角"
    elif yuan:
        text += "零"
    return text + (nums[fen] + "分" if fen else "")


# --- codes: 统一社会信用代码 (GB 32100-2015) and 身份证号 (GB 11643-1999) -----------------------

_ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # characters usable in both GB 11714 and GB 32100


def org_code(r: random.Random, style: str) -> str:
    """A 9-character organisation code (GB 11714-1997): 8 body characters and a check character."""
    if style == "new":  # assigned by the market regulator after 2015: MA + 6 characters
        body = "MA" + "".join(r.choice(_ORG_ALPHABET) for _ in range(6))
    elif style == "organ":  # 机关
        body = "0000" + "".join(r.choice("0123456789") for _ in range(4))
    elif style == "institution":  # 事业单位
        body = "4" + "".join(r.choice("0123456789") for _ in range(7))
    else:
        body = r.choice("567") + "".join(r.choice("0123456789") for _ in range(7))
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, weights, strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(prefix: str, division: str, r: random.Random, style: str) -> str:
    first17 = prefix + division + org_code(r, style)
    return first17 + uscc_check_char(first17)


def make_id_number(division: str, born: date, seq: int) -> str:
    first17 = f"{division}{born:%Y%m%d}{seq:03d}"
    return first17 + id_check_digit(first17)


def masked_id(number: str) -> str:
    return number[:6] + "*" * 8 + number[-4:]


# GB2312 level 1: the 3,755 common characters, for generated prose and names
COMMON_CHARACTERS = [
    bytes([high, low]).decode("gb2312")
    for high in range(0xB0, 0xD8)
    for low in range(0xA1, 0xFF)
    if not (high == 0xD7 and low > 0xF9)
]


def full_width(text: str) -> str:
    """``text`` as typed with a full-width input method: ASCII letters, digits and signs become
    their full-width forms, a space the ideographic space."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text)
