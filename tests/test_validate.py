"""Tests of custtui.core.records.validate: real-format vectors, bad inputs with their messages, and property tests."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from custtui.core.base.errors import CusttuiError, FieldError
from custtui.core.records.validate import (
    USCC_ALPHABET,
    id_check_digit,
    normalise_phone,
    parse_amount,
    parse_date,
    parse_datetime,
    uscc_check_char,
    validate_email,
    validate_id_card,
    validate_text,
    validate_uscc,
)

TODAY = date(2025, 6, 1)
DIGITS = "0123456789"


def rejects(func, value, fragment: str, label: str, /, **kwargs) -> FieldError:
    """Assert ``func(value)`` raises FieldError naming ``label`` and containing ``fragment``."""
    with pytest.raises(FieldError) as info:
        func(value, **kwargs)
    message = str(info.value)
    assert f"「{label}」" in message, message
    assert fragment in message, message
    return info.value


# --- unified social credit code ------------------------------------------------------------------------------------


def test_uscc_check_char_vector():
    assert uscc_check_char("91110000600037341") == "L"


@pytest.mark.parametrize("bad", ["9111000060003734", "911100006000373411", "91110000600037I41", "9111000060003734l"])
def test_uscc_check_char_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        uscc_check_char(bad)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("91110000600037341L", "91110000600037341L"),
        ("91110000600037341l", "91110000600037341L"),
        (" 9111 0000 6000 3734 1L ", "91110000600037341L"),
        ("９１１１００００６０００３７３４１Ｌ", "91110000600037341L"),  # full-width, typed with an IME
        ("91310000MA1FL8TQ36", "91310000MA1FL8TQ36"),
        ("92440300MA5G0L3B2R", "92440300MA5G0L3B2R"),
        ("12100000400000624D", "12100000400000624D"),
    ],
)
def test_validate_uscc_accepts(raw, expected):
    assert validate_uscc(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("91110000600037341N", "校验位错误: 应为 L, 实为 N"),
        ("91110000600037341", "应为 18 位, 实为 17 位"),
        ("91110000600037341LL", "应为 18 位, 实为 19 位"),
        ("91110000600O37341L", "第 12 位「O」不是合法字符"),
        ("9111000060003734IL", "不是合法字符: 只能是数字和除 I、O、Z、S、V 外的大写字母"),
        ("01110000600037341L", "第 1 位登记管理部门代码不能为 0"),
        ("9111A000600037341L", "第 3-8 位应为 6 位数字的行政区划码, 实为 11A000"),
        ("", "不能为空"),
    ],
)
def test_validate_uscc_rejects(raw, fragment):
    rejects(validate_uscc, raw, fragment, "统一社会信用代码")


def test_validate_uscc_uses_given_field_and_label():
    error = rejects(
        validate_uscc, "91110000600037341N", "校验位错误", "开票单位代码", field="payer", label="开票单位代码"
    )
    assert error.field == "payer"
    assert isinstance(error, CusttuiError)


def test_validate_uscc_rejects_non_string():
    rejects(validate_uscc, 911100006000373410, "应为文本, 实为 int", "统一社会信用代码")


@st.composite
def uscc_prefixes(draw) -> str:
    """17 characters: a non-zero registration authority code, a category, a 6-digit division code, 9 more."""
    authority = draw(st.sampled_from(USCC_ALPHABET[1:]))
    category = draw(st.sampled_from(USCC_ALPHABET))
    division = draw(st.text(DIGITS, min_size=6, max_size=6))
    body = draw(st.text(USCC_ALPHABET, min_size=9, max_size=9))
    return authority + category + division + body


@given(uscc_prefixes())
def test_uscc_check_char_makes_weighted_sum_zero(prefix):
    code = prefix + uscc_check_char(prefix)
    weights = [pow(3, i, 31) for i in range(17)] + [1]
    assert sum(USCC_ALPHABET.index(c) * w for c, w in zip(code, weights, strict=True)) % 31 == 0


@given(uscc_prefixes())
def test_uscc_with_its_check_char_validates_and_no_other_does(prefix):
    check = uscc_check_char(prefix)
    code = prefix + check
    assert validate_uscc(code) == code
    assert validate_uscc(validate_uscc(code)) == code
    assert validate_uscc(f" {code.lower()} ") == code
    for other in USCC_ALPHABET.replace(check, ""):
        with pytest.raises(FieldError, match=f"校验位错误: 应为 {check}, 实为 {other}"):
            validate_uscc(prefix + other)


# --- resident ID number --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first17", "check"),
    [("11010519491231002", "X"), ("44030420000229001", "4"), ("11010119000101001", "4"), ("11010519490230002", "0")],
)
def test_id_check_digit_vectors(first17, check):
    assert id_check_digit(first17) == check


@pytest.mark.parametrize(
    "bad", ["1101051949123100", "110105194912310021", "1101051949123100X", "１１０１０５１９４９１２３１００２"]
)
def test_id_check_digit_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        id_check_digit(bad)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("11010519491231002X", "11010519491231002X"),
        ("11010519491231002x", "11010519491231002X"),
        (" 110105 19491231 002X ", "11010519491231002X"),
        ("440304200002290014", "440304200002290014"),  # born on a leap day
        ("110101190001010014", "110101190001010014"),  # the earliest date allowed
    ],
)
def test_validate_id_card_accepts(raw, expected):
    assert validate_id_card(raw, today=TODAY) == expected


def test_invalid_date_vector_has_a_correct_check_digit():
    assert id_check_digit("11010519490230002") == "0"


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("110105194912310021", "校验位错误: 应为 X, 实为 1"),
        ("110105194902300020", "出生日期 (第 7-14 位) 19490230 不是真实存在的日期: 1949 年 2 月只有 28 天"),
        ("11010519491331002" + id_check_digit("11010519491331002"), "月份应为 1-12, 实为 13"),
        ("11010118991231001X", "18991231 早于 1900 年"),
        ("110101209901010017", "20990101 晚于今天"),
        ("110105491231002", "应为 18 位, 实为 15 位"),
        ("11010519491231002Y", "前 17 位应为数字, 最后一位为数字或 X"),
        ("1101051949123100X2", "前 17 位应为数字"),
        ("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "前 17 位应为数字"),
    ],
)
def test_validate_id_card_rejects(raw, fragment):
    rejects(validate_id_card, raw, fragment, "身份证号", today=TODAY)


def test_validate_id_card_future_is_relative_to_today():
    number = "110101202506020011"
    number = number[:17] + id_check_digit(number[:17])
    assert validate_id_card(number, today=date(2025, 6, 2)) == number
    rejects(validate_id_card, number, "晚于今天", "法定代表人身份证号", label="法定代表人身份证号", today=TODAY)


@given(
    region=st.text(DIGITS, min_size=6, max_size=6),
    born=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    sequence=st.text(DIGITS, min_size=3, max_size=3),
)
def test_id_with_its_check_digit_validates_and_no_other_does(region, born, sequence):
    prefix = f"{region}{born:%Y%m%d}{sequence}"
    check = id_check_digit(prefix)
    number = prefix + check
    weights = [pow(2, 17 - i, 11) for i in range(18)]
    assert sum((10 if c == "X" else int(c)) * w for c, w in zip(number, weights, strict=True)) % 11 == 1
    assert validate_id_card(number, today=TODAY) == number
    assert validate_id_card(validate_id_card(number.lower(), today=TODAY), today=TODAY) == number
    for other in (DIGITS + "X").replace(check, ""):
        with pytest.raises(FieldError, match=f"校验位错误: 应为 {check}, 实为 {other}"):
            validate_id_card(prefix + other, today=TODAY)


# --- phone ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+86-19912345678", "19912345678"),
        ("8615912345678", "15912345678"),
        ("0086 17712345678", "17712345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("010-62345678", "010-62345678"),
        ("01062345678", "010-62345678"),
        ("(0755)8888 6666", "0755-88886666"),
        ("（0755）8888-6666", "0755-88886666"),
        ("021 6234 5678", "021-62345678"),
        ("0571-88881234-801", "0571-88881234-801"),
        ("0571-88881234 转 801", "0571-88881234-801"),
        ("020-8888 6666 ext 12", "020-88886666-12"),
        ("0898-6888123", "0898-6888123"),
        ("400-810-8888", "400-810-8888"),
        ("4008108888", "400-810-8888"),
        ("800 820 8820", "800-820-8820"),
    ],
)
def test_normalise_phone_accepts(raw, expected):
    assert normalise_phone(raw) == expected
    assert normalise_phone(expected) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("1381234567", "手机号应为 11 位数字且以 1 开头"),
        ("138123456789", "手机号应为 11 位数字且以 1 开头"),
        ("12812345678", "第 2 位为 3-9"),
        ("+86 1381234567", "手机号应为 11 位数字"),
        ("62345678", "固定电话需带区号"),
        ("0123-6234567", "区号 0123 不正确"),
        ("0012-62345678", "区号 0012 不正确"),
        ("02", "区号 02 不完整"),
        ("0755-888866", "区号后的号码应为 7 或 8 位且不以 0 或 1 开头, 实为 888866"),
        ("0755-08886666", "不以 0 或 1 开头"),
        # The subscriber number of a real landline never starts with 1, so 010-12345678 is rejected.
        ("010-12345678", "不以 0 或 1 开头, 实为 12345678"),
        ("0571-88881234-1234567", "分机号应为 1-6 位数字, 实为 7 位"),
        ("0571-88881234-801 转 9", "号码后有多余的数字"),
        ("400-810-888", "400 号码应为 10 位数字"),
        ("tel: 13812345678", "电话号码格式不对"),
        ("0755-8888-6666a", "电话号码格式不对"),
        ("١٣٨١٢٣٤٥٦٧٨", "电话号码格式不对"),  # Arabic-Indic digits are not accepted as digits
        ("", "不能为空"),
    ],
)
def test_normalise_phone_rejects(raw, fragment):
    rejects(normalise_phone, raw, fragment, "电话")


def test_normalise_phone_rejects_non_string():
    rejects(normalise_phone, 13812345678, "应为文本", "联系电话", label="联系电话")


@given(
    number=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    prefix=st.sampled_from(["", "+86", "+86 ", "86", "0086 "]),
    separator=st.sampled_from(["", " ", "-"]),
)
def test_mobile_in_any_layout_normalises_to_bare_digits(number, prefix, separator):
    raw = prefix + separator.join([number[:3], number[3:7], number[7:]])
    assert normalise_phone(raw) == number
    assert normalise_phone(normalise_phone(raw)) == number


@given(
    area=st.one_of(
        st.sampled_from(["010", *(f"02{d}" for d in DIGITS)]), st.from_regex(r"0[3-9][0-9][0-9]", fullmatch=True)
    ),
    number=st.from_regex(r"[2-9][0-9]{6,7}", fullmatch=True),
    layout=st.sampled_from(["{a}-{n}", "({a}){n}", "{a} {n}", "{a}{n}"]),
)
def test_landline_in_any_layout_normalises_to_area_dash_number(area, number, layout):
    normal = f"{area}-{number}"
    assert normalise_phone(layout.format(a=area, n=number)) == normal
    assert normalise_phone(normal) == normal


# --- e-mail --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("zhang.san@example.com", "zhang.san@example.com"),
        ("Zhang.San@Example.COM", "Zhang.San@example.com"),
        ("  12345678@qq.com ", "12345678@qq.com"),
        ("li_si+crm@mail.company.com.cn", "li_si+crm@mail.company.com.cn"),
        ("wang-wu@sub-domain.163.com", "wang-wu@sub-domain.163.com"),
        ("service＠taobao.com", "service@taobao.com"),  # full-width @ from an IME
        ("info@Example.XN--FIQS8S", "info@example.xn--fiqs8s"),
    ],
)
def test_validate_email_accepts(raw, expected):
    assert validate_email(raw) == expected
    assert validate_email(expected) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("zhang san@example.com", "不能含有空格"),
        ("zhang.san.example.com", "应含且只含一个 @"),
        ("a@b@example.com", "应含且只含一个 @"),
        ("zhang@localhost", "格式应为 名称@域名"),
        ("zhang@example.c", "格式应为 名称@域名"),
        ("zhang..san@example.com", "格式应为 名称@域名"),
        (".zhang@example.com", "格式应为 名称@域名"),
        ("zhang@-example.com", "格式应为 名称@域名"),
        ("张三@example.com", "格式应为 名称@域名"),
        ("@example.com", "格式应为 名称@域名"),
        ("a" * 65 + "@example.com", "过长"),
        ("", "不能为空"),
    ],
)
def test_validate_email_rejects(raw, fragment):
    rejects(validate_email, raw, fragment, "电子邮箱")


# --- dates and times -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-15", date(2024, 3, 15)),
        ("2024/3/15", date(2024, 3, 15)),
        ("2024.03.15", date(2024, 3, 15)),
        ("2024年3月15日", date(2024, 3, 15)),
        ("2024 年 3 月 5 日", date(2024, 3, 5)),
        ("2024年12月1", date(2024, 12, 1)),
        (" 2024-02-29 ", date(2024, 2, 29)),
        ("２０２４－０３－１５", date(2024, 3, 15)),
        (date(2024, 3, 15), date(2024, 3, 15)),
        (datetime(2024, 3, 15, 10, 30), date(2024, 3, 15)),
    ],
)
def test_parse_date_accepts(raw, expected):
    parsed = parse_date(raw)
    assert parsed == expected
    assert type(parsed) is date


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("2023-02-29", "2023-02-29 不是真实存在的日期: 2023 年 2 月只有 28 天"),
        ("2024-04-31", "2024 年 4 月只有 30 天"),
        ("2024-13-01", "月份应为 1-12, 实为 13"),
        ("2024-00-10", "月份应为 1-12, 实为 0"),
        ("2024-03-00", "2024-03-00 不是真实存在的日期: 日不能为 0"),
        ("0000-01-01", "年份不能为 0000"),
        ("15/03/2024", "日期格式应为 YYYY-MM-DD, 如 2024-03-15"),
        ("2024-03/15", "日期格式应为 YYYY-MM-DD"),
        ("24-3-15", "日期格式应为 YYYY-MM-DD"),
        ("2024-03-15 10:30", "日期格式应为 YYYY-MM-DD"),
        ("下周一", "日期格式应为 YYYY-MM-DD"),
        ("", "不能为空"),
    ],
)
def test_parse_date_rejects(raw, fragment):
    rejects(parse_date, raw, fragment, "日期")


def test_parse_date_rejects_non_date_objects():
    rejects(parse_date, 20240315, "应为文本, 实为 int", "签约日期", label="签约日期")


@given(
    st.dates(),
    st.sampled_from(
        [
            "{d.year:04d}-{d.month:02d}-{d.day:02d}",
            "{d.year:04d}/{d.month}/{d.day}",
            "{d.year:04d}.{d.month:02d}.{d.day:02d}",
            "{d.year:04d}年{d.month}月{d.day}日",
        ]
    ),
)
def test_parse_date_round_trips_every_format(day, layout):
    assert parse_date(layout.format(d=day)) == day


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-15 10:30", datetime(2024, 3, 15, 10, 30)),
        ("2024-03-15T10:30:00", datetime(2024, 3, 15, 10, 30)),
        ("2024-03-15 23:59:59", datetime(2024, 3, 15, 23, 59, 59)),
        ("2024/3/15 8:05", datetime(2024, 3, 15, 8, 5)),
        ("2024年3月15日 14:00", datetime(2024, 3, 15, 14, 0)),
        ("2024-03-15", datetime(2024, 3, 15)),
        (date(2024, 3, 15), datetime(2024, 3, 15)),
        (datetime(2024, 3, 15, 10, 30, 5), datetime(2024, 3, 15, 10, 30, 5)),
    ],
)
def test_parse_datetime_accepts(raw, expected):
    assert parse_datetime(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("2024-03-15 24:00", "时刻 24:00 不存在: 小时应为 0-23"),
        ("2024-03-15 10:60", "时刻 10:60 不存在"),
        ("2024-03-15 10:30:61", "时刻 10:30:61 不存在"),
        ("2023-02-29 10:30", "2023 年 2 月只有 28 天"),
        ("2024-03-15 10", "时间格式应为 YYYY-MM-DD HH:MM, 如 2024-03-15 10:30"),
        ("10:30", "时间格式应为 YYYY-MM-DD HH:MM"),
        ("2024-03-15 10:30 下午", "时间格式应为 YYYY-MM-DD HH:MM"),
        ("", "不能为空"),
    ],
)
def test_parse_datetime_rejects(raw, fragment):
    rejects(parse_datetime, raw, fragment, "时间")


@given(
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)).map(lambda d: d.replace(microsecond=0))
)
def test_parse_datetime_round_trips(moment):
    assert parse_datetime(f"{moment.year:04d}-{moment:%m-%d %H:%M:%S}") == moment
    assert parse_datetime(moment.isoformat()) == moment


# --- amounts -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (1234, "1234.00"),
        (Decimal("1234.5"), "1234.50"),
        (1234.5, "1234.50"),
        (0.1, "0.10"),
        ("1,234.50", "1234.50"),
        ("1,234,567", "1234567.00"),
        ("¥1234.5", "1234.50"),
        ("￥ 1,234.5", "1234.50"),
        ("RMB 100", "100.00"),
        ("12.5万", "125000.00"),
        ("3万元", "30000.00"),
        ("1.2345万", "12345.00"),
        ("2亿", "200000000.00"),
        ("1234元", "1234.00"),
        ("  88.80 ", "88.80"),
        ("1234.500", "1234.50"),
        ("-0", "0.00"),
        ("１２万", "120000.00"),
    ],
)
def test_parse_amount_accepts(raw, expected):
    parsed = parse_amount(raw)
    assert parsed == Decimal(expected)
    assert str(parsed) == expected


def test_parse_amount_allows_negative_when_asked():
    assert parse_amount("-1,234.5", allow_negative=True) == Decimal("-1234.50")
    assert parse_amount(-3, allow_negative=True) == Decimal("-3.00")


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("-5", "金额不能为负数, 实为 -5.00"),
        (-0.01, "不能为负数"),
        ("1.234", "最多保留 2 位小数 (到分), 实为 1.234"),
        (0.1 + 0.2, "最多保留 2 位小数"),
        ("1.2345678万", "最多保留 2 位小数 (到分), 实为 12345.678"),
        ("1,23.4", "金额格式不对"),
        ("12,3456", "金额格式不对"),
        ("abc", "金额格式不对"),
        ("1e5", "金额格式不对"),
        ("NaN", "金额格式不对"),
        ("五百元", "金额格式不对"),
        ("12.5万万", "金额格式不对"),
        (float("nan"), "必须是有限的数字"),
        (float("inf"), "必须是有限的数字"),
        (Decimal("NaN"), "必须是有限的数字"),
        (Decimal("-Infinity"), "必须是有限的数字"),
        (Decimal("1e30"), "金额过大"),
        (True, "应为数字或文本, 实为 bool"),
        ([1], "应为数字或文本, 实为 list"),
        ("", "不能为空"),
    ],
)
def test_parse_amount_rejects(raw, fragment):
    rejects(parse_amount, raw, fragment, "金额")


@given(st.decimals(min_value=0, max_value=Decimal("1e12"), places=2).map(abs))
def test_parse_amount_round_trips_and_is_idempotent(amount):
    for text in (str(amount), f"{amount:,.2f}", f"¥{amount}", f"{amount}元"):
        assert parse_amount(text) == amount
    assert parse_amount(parse_amount(amount)) == amount
    assert parse_amount(f"{amount}万") == amount * 10_000


# --- free text -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kwargs", "expected"),
    [
        ("  北京某某科技有限公司  ", {}, "北京某某科技有限公司"),
        ("\u3000张三\u3000", {}, "张三"),
        ("", {}, ""),
        ("字" * 200, {}, "字" * 200),
        ("第一行\n第二行\t备注", {"multiline": True}, "第一行\n第二行\t备注"),
        ("第一行\r\n第二行\r第三行", {"multiline": True}, "第一行\n第二行\n第三行"),
        ("abcde", {"max_length": 5}, "abcde"),
    ],
)
def test_validate_text_accepts(raw, kwargs, expected):
    assert validate_text(raw, "name", "名称", **kwargs) == expected


@pytest.mark.parametrize(
    ("raw", "kwargs", "fragment"),
    [
        ("字" * 201, {}, "最多 200 个字, 实为 201 个字"),
        ("abcdef", {"max_length": 5}, "最多 5 个字, 实为 6 个字"),
        ("第一行\n第二行", {}, "只能填写一行, 不能换行"),
        ("a\u2028b", {}, "不能换行"),
        ("a\tb", {}, "控制字符 U+0009 (第 2 个字符)"),
        ("北京\x07科技", {}, "控制字符 U+0007 (第 3 个字符)"),
        ("备注\x00", {"multiline": True}, "控制字符 U+0000"),
        ("a\x1bb", {"multiline": True}, "控制字符 U+001B"),
        (None, {}, "应为文本, 实为 NoneType"),
        (42, {}, "应为文本, 实为 int"),
        ("华信\u200b机械", {}, "不可见的格式字符 U+200B (第 3 个字符"),
        ("华信\u202e机械", {}, "不可见的格式字符 U+202E"),
        ("\ufeff华信", {}, "不可见的格式字符 U+FEFF"),
        ("第一行\n\u2067隔离", {"multiline": True}, "不可见的格式字符 U+2067"),
    ],
)
def test_validate_text_rejects(raw, kwargs, fragment):
    rejects(validate_text, raw, fragment, "名称", field="name", label="名称", **kwargs)


@given(st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp")), max_size=50))
def test_validate_text_keeps_clean_text_and_is_idempotent(text):
    result = validate_text(text, "note", "备注")
    assert result == text.strip()
    assert validate_text(result, "note", "备注") == result
