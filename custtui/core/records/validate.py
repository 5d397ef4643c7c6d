"""Field validators: each returns the normalised value or raises FieldError with a rule a clerk understands.

Parsers of codes, phones, dates and amounts first apply NFKC, so full-width input typed with a Chinese
input method (``１３８``, ``（0755）``, ``＠``, ``￥``) is accepted.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from custtui.core.base.errors import FieldError

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_ID_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
_ID_CHECK = "10X98765432"

_MOBILE = re.compile(r"(?:\+86|0086|86)?(1[3-9]\d{9})", re.ASCII)
_SERVICE = re.compile(r"([48]00)(\d{3})(\d{4})", re.ASCII)
_EXTENSION = re.compile(r"\s*(?:转|分机|ext\.?|x|#)\s*(\d+)$", re.IGNORECASE | re.ASCII)
_LANDLINE_SHAPE = re.compile(r"(?:\(\s*\d+\s*\)|\d)[\d\s\-]*", re.ASCII)

# compiled by re's own cache when an email is first checked, not at import (2 ms of every command)
_EMAIL_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_EMAIL_DOMAIN = r"(?i:(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59}))"

_DATE_SEPARATED = re.compile(r"(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})", re.ASCII)
_DATE_CHINESE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?", re.ASCII)
_DATETIME = re.compile(r"(?P<date>.+?)(?:(?:\s+|T)(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?)?", re.ASCII)

_AMOUNT = re.compile(
    r"(?P<sign>[-+]?)(?:[¥￥]|RMB|人民币)?\s*(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<unit>[万亿]?)元?",
    re.IGNORECASE | re.ASCII,
)
_UNITS = {"": 1, "万": 10_000, "亿": 100_000_000}
_CENT = Decimal("0.01")

# embedding, override and isolate controls: they reorder what a terminal shows ("Trojan Source")
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

_DATE_FORMAT = "日期格式应为 YYYY-MM-DD, 如 2024-03-15 (也可写 2024/3/15、2024.03.15、2024年3月15日)"
_DATETIME_FORMAT = "时间格式应为 YYYY-MM-DD HH:MM, 如 2024-03-15 10:30"
_AMOUNT_FORMAT = "金额格式不对, 应为数字, 如 1234.50、1,234.50、¥1234.5、12.5万 或 3万元"


def _text(value: object, field: str, label: str) -> str:
    """The NFKC-normalised, stripped string; FieldError if not a string or empty."""
    if not isinstance(value, str):
        raise FieldError(field, label, f"应为文本, 实为 {type(value).__name__}")
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        raise FieldError(field, label, "不能为空")
    return text


def _real_date(year: int, month: int, day: int, shown: str, field: str, label: str) -> date:
    """``date(year, month, day)``, or FieldError saying why ``shown`` is not a real date."""
    if year < 1:
        reason = "年份不能为 0000"
    elif not 1 <= month <= 12:
        reason = f"月份应为 1-12, 实为 {month}"
    elif day < 1:
        reason = "日不能为 0"
    elif day > (last := calendar.monthrange(year, month)[1]):
        reason = f"{year} 年 {month} 月只有 {last} 天"
    else:
        return date(year, month, day)
    raise FieldError(field, label, f"{shown} 不是真实存在的日期: {reason}")


def uscc_check_char(first17: str) -> str:
    """GB 32100-2015 check character for the first 17 characters of a unified social credit code."""
    if len(first17) != 17 or any(c not in USCC_ALPHABET for c in first17):
        raise ValueError(f"need 17 characters from {USCC_ALPHABET!r}, got {first17!r}")
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: object, field: str = "uscc", label: str = "统一社会信用代码") -> str:
    """Validate a unified social credit code; returns it uppercased without spaces."""
    code = re.sub(r"\s", "", _text(value, field, label)).upper()
    if len(code) != 18:
        raise FieldError(field, label, f"统一社会信用代码应为 18 位, 实为 {len(code)} 位")
    for pos, char in enumerate(code, 1):
        if char not in USCC_ALPHABET:
            raise FieldError(
                field, label, f"第 {pos} 位「{char}」不是合法字符: 只能是数字和除 I、O、Z、S、V 外的大写字母"
            )
    if code[0] == "0":
        raise FieldError(field, label, "第 1 位登记管理部门代码不能为 0 (企业为 9, 机关事业单位为 1, 社会组织为 5)")
    if not code[2:8].isdigit():
        raise FieldError(field, label, f"第 3-8 位应为 6 位数字的行政区划码, 实为 {code[2:8]}")
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise FieldError(field, label, f"统一社会信用代码校验位错误: 应为 {expected}, 实为 {code[17]}")
    return code


def id_check_digit(first17: str) -> str:
    """GB 11643-1999 (ISO 7064 MOD 11-2) check digit for the first 17 digits; 'X' stands for 10."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError(f"need 17 digits, got {first17!r}")
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def validate_id_card(
    value: object, field: str = "id_number", label: str = "身份证号", today: date | None = None
) -> str:
    """Validate an 18-digit resident ID number (birth date and check digit); returns it with an uppercase X."""
    number = re.sub(r"\s", "", _text(value, field, label)).upper()
    if len(number) != 18:
        raise FieldError(field, label, f"身份证号应为 18 位, 实为 {len(number)} 位")
    if not re.fullmatch(r"\d{17}[\dX]", number, re.ASCII):
        raise FieldError(field, label, "身份证号前 17 位应为数字, 最后一位为数字或 X")
    digits = number[6:14]
    shown = f"出生日期 (第 7-14 位) {digits}"
    born = _real_date(int(digits[:4]), int(digits[4:6]), int(digits[6:]), shown, field, label)
    if born.year < 1900:
        raise FieldError(field, label, f"{shown} 早于 1900 年")
    if born > (today or date.today()):
        raise FieldError(field, label, f"{shown} 晚于今天")
    expected = id_check_digit(number[:17])
    if number[17] != expected:
        raise FieldError(field, label, f"身份证号校验位错误: 应为 {expected}, 实为 {number[17]}")
    return number


def normalise_phone(value: object, field: str = "phone", label: str = "电话") -> str:
    """Normalise a phone number: mobile -> 11 digits, landline -> 区号-号码[-分机], 400/800 -> 400-xxx-xxxx."""
    text = _text(value, field, label)
    compact = re.sub(r"[\s\-]", "", text)
    if mobile := _MOBILE.fullmatch(compact):
        return mobile[1]
    if service := _SERVICE.fullmatch(compact):
        return "-".join(service.groups())
    if re.fullmatch(r"(?:\+86|0086|86)?1\d*", compact, re.ASCII):
        raise FieldError(field, label, "手机号应为 11 位数字且以 1 开头 (第 2 位为 3-9), 如 138 1234 5678")
    if compact[:3] in ("400", "800"):
        raise FieldError(field, label, f"{compact[:3]} 号码应为 10 位数字, 如 {compact[:3]}-810-8888")
    return _landline(text, field, label)


def _landline(text: str, field: str, label: str) -> str:
    """``区号-号码`` or ``区号-号码-分机`` from a landline such as ``(0755)8888 6666`` or ``0571-88881234-801``."""
    extension = ""
    if marked := _EXTENSION.search(text):
        extension, text = marked[1], text[: marked.start()]
    if not _LANDLINE_SHAPE.fullmatch(text):
        raise FieldError(
            field, label, "电话号码格式不对: 手机号为 11 位数字; 固定电话为 区号-号码, 如 010-62345678; 或 400-810-8888"
        )
    groups = re.findall(r"\d+", text)
    head = groups[0]
    if head.startswith(("010", "02")):
        width = 3
    elif re.match(r"0[3-9]", head):
        width = 4
    elif head.startswith("0"):
        raise FieldError(
            field, label, f"区号 {head[:4]} 不正确: 北京 010 和 02X 为 3 位, 其他区号为 4 位且以 03-09 开头"
        )
    else:
        raise FieldError(field, label, "固定电话需带区号, 如 010-62345678 或 0755-88886666")
    if len(head) < width:
        raise FieldError(field, label, f"区号 {head} 不完整: 北京 010 和 02X 为 3 位, 其他区号为 4 位")
    area, rest = head[:width], [g for g in [head[width:], *groups[1:]] if g]
    number = ""
    while rest and len(number + rest[0]) <= 8:
        number += rest.pop(0)
    if len(number) not in (7, 8) or number[0] in "01":
        raise FieldError(field, label, f"区号后的号码应为 7 或 8 位且不以 0 或 1 开头, 实为 {number or ''.join(rest)}")
    if rest:
        if extension:
            raise FieldError(field, label, "号码后有多余的数字")
        extension = "".join(rest)
    if extension and len(extension) > 6:
        raise FieldError(field, label, f"分机号应为 1-6 位数字, 实为 {len(extension)} 位")
    return "-".join(part for part in (area, number, extension) if part)


def validate_email(value: object, field: str = "email", label: str = "电子邮箱") -> str:
    """Pragmatic check of ``name@domain.tld``; returns it with the domain lowercased."""
    text = _text(value, field, label)
    if re.search(r"\s", text):
        raise FieldError(field, label, "电子邮箱不能含有空格")
    if text.count("@") != 1:
        raise FieldError(field, label, "电子邮箱应含且只含一个 @, 如 zhang.san@example.com")
    local, domain = text.split("@")
    if len(text) > 254 or len(local) > 64:
        raise FieldError(field, label, "电子邮箱过长: 最多 254 个字符, @ 前最多 64 个字符")
    if not re.fullmatch(_EMAIL_LOCAL, local) or not re.fullmatch(_EMAIL_DOMAIN, domain):
        raise FieldError(field, label, "电子邮箱格式应为 名称@域名, 如 zhang.san@example.com")
    return f"{local}@{domain.lower()}"


def _date_from_text(text: str, field: str, label: str) -> date | None:
    """The date written in ``text``; None if it is not in a date format, FieldError if it is not a real date."""
    if m := _DATE_SEPARATED.fullmatch(text):
        year, month, day = int(m[1]), int(m[3]), int(m[4])
    elif m := _DATE_CHINESE.fullmatch(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    else:
        return None
    return _real_date(year, month, day, f"{year:04d}-{month:02d}-{day:02d}", field, label)


def parse_date(value: object, field: str = "date", label: str = "日期") -> date:
    """A date from a ``date``/``datetime`` or a string such as ``2024-03-15``, ``2024/3/15`` or ``2024年3月15日``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    parsed = _date_from_text(_text(value, field, label), field, label)
    if parsed is None:
        raise FieldError(field, label, _DATE_FORMAT)
    return parsed


def parse_datetime(value: object, field: str = "time", label: str = "时间") -> datetime:
    """A datetime from a ``datetime``, a ``date`` (midnight) or a string such as ``2024-03-15 10:30``."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    m = _DATETIME.fullmatch(_text(value, field, label))
    day = _date_from_text(m["date"], field, label) if m else None
    if m is None or day is None:
        raise FieldError(field, label, _DATETIME_FORMAT)
    hour, minute, second = (int(m[k] or 0) for k in "hms")
    if hour > 23 or minute > 59 or second > 59:
        shown = ":".join(part for part in (m["h"], m["m"], m["s"]) if part)
        raise FieldError(field, label, f"时刻 {shown} 不存在: 小时应为 0-23, 分和秒应为 0-59")
    return datetime.combine(day, time(hour, minute, second))


def parse_amount(value: object, field: str = "amount", label: str = "金额", *, allow_negative: bool = False) -> Decimal:
    """An amount in yuan as a Decimal quantised to 0.01; accepts ``1,234.50``, ``¥1234.5``, ``12.5万``, ``3万元``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise FieldError(field, label, f"金额应为数字或文本, 实为 {type(value).__name__}")
    if isinstance(value, str):
        m = _AMOUNT.fullmatch(_text(value, field, label))
        if not m:
            raise FieldError(field, label, _AMOUNT_FORMAT)
        amount = Decimal(m["sign"] + m["num"].replace(",", "")) * _UNITS[m["unit"]]
    else:
        amount = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not amount.is_finite():
        raise FieldError(field, label, f"金额必须是有限的数字, 实为 {value}")
    try:
        cents = amount.quantize(_CENT)
    except InvalidOperation:
        raise FieldError(field, label, f"金额过大: {value}") from None
    if cents != amount:
        raise FieldError(field, label, f"金额最多保留 2 位小数 (到分), 实为 {amount.normalize():f}")
    if cents < 0 and not allow_negative:
        raise FieldError(field, label, f"金额不能为负数, 实为 {cents}")
    return cents.copy_abs() if cents == 0 else cents


def validate_text(value: object, field: str, label: str, max_length: int = 200, multiline: bool = False) -> str:
    """Stripped text without control characters (newlines and tabs allowed when multiline) nor invisible
    format characters (zero-width, direction controls; a multiline text may keep joiners), at most
    max_length long."""
    if not isinstance(value, str):
        raise FieldError(field, label, f"应为文本, 实为 {type(value).__name__}")
    text = value.strip()
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > max_length:
        raise FieldError(field, label, f"最多 {max_length} 个字, 实为 {len(text)} 个字")
    if (text.replace("\n", "").replace("\t", "") if multiline else text).isprintable():
        return text  # no control, format or separator character: the usual text, at C speed
    for pos, char in enumerate(text, 1):
        if multiline and char in "\n\t":
            continue
        if not multiline and char in "\n\r\u2028\u2029":
            raise FieldError(field, label, "只能填写一行, 不能换行")
        if unicodedata.category(char) == "Cc":
            raise FieldError(field, label, f"含有不可见的控制字符 U+{ord(char):04X} (第 {pos} 个字符), 请删除")
        if unicodedata.category(char) == "Cf" and (not multiline or char in _BIDI_CONTROLS):
            raise FieldError(
                field,
                label,
                f"含有不可见的格式字符 U+{ord(char):04X} (第 {pos} 个字符, 如零宽字符或"
                f"文字方向控制符), 会让看到的与存下的不一致, 请删除",
            )
    return text
