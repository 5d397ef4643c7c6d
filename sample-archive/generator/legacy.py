"""A company's customer list as it arrives when it moves in: a spreadsheet with a title row above
the column titles, titles in the company's own words, and every value in one of the spellings
people type (phones with spaces or +86, full-width digits, dates as Excel dates or 2024年3月5日,
amounts as 12.5万). ``LegacyCustomer`` keeps what each row means, so a test can check the import
cell by cell; ``write_xlsx`` and ``write_csv`` write the same rows (the CSV in GBK, as Excel in
China saves it).
"""

from __future__ import annotations

import csv
import os
import random
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple

from .common import full_width, make_uscc

COLUMNS = [
    "序号",
    "企业名称",
    "统一社会信用代码",
    "所属行业",
    "企业规模",
    "联系人",
    "职务",
    "手机",
    "首次联系时间",
    "年采购额",
    "地区",
    "备注",
]
_PLACES = [
    ("北京", "110108"),
    ("上海", "310115"),
    ("深圳", "440300"),
    ("杭州", "330106"),
    ("成都", "510107"),
    ("武汉", "420106"),
]
_TRADES = "华信 恒通 瑞达 新潮 鼎盛 宏远 嘉禾 金桥 天成 博远 诚达 永安 安泰 海创 中和 德邦 盛世 长城 兴业 万通".split()
_KINDS = [
    ("机械设备制造", "制造业"),
    ("信息技术", "IT业"),
    ("物流", "交通运输和物流业"),
    ("建设工程", "建筑业"),
    ("商贸", "批发业"),
]
_SIZES = ["小型", "中型", "大型"]
_SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"
_POSITIONS = ["采购经理", "总经理", "办公室主任", "设备科长", "财务"]


class LegacyCustomer(NamedTuple):
    """What a row means, however it is spelled in the file."""

    name: str
    uscc: str
    industry: str  # the archive's label
    size: str
    contact: str
    position: str
    mobile: str  # 11 digits
    first_contact: date
    amount: int  # yuan
    city: str


def customers(count: int, seed: int = 14) -> list[LegacyCustomer]:
    """``count`` distinct companies (names and USCCs never repeat)."""
    rng = random.Random(seed)
    made: list[LegacyCustomer] = []
    names: set[str] = set()
    while len(made) < count:
        (city, division), (kind, industry) = rng.choice(_PLACES), rng.choice(_KINDS)
        trade = rng.choice(_TRADES) + (rng.choice(_TRADES)[0] if len(made) > 80 else "")
        name = f"{city}{trade}{kind}有限公司"
        if name in names:
            continue
        names.add(name)
        made.append(
            LegacyCustomer(
                name,
                make_uscc("91", division, rng, "new"),
                industry,
                rng.choice(_SIZES),
                rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(["", rng.choice(_GIVEN)]),
                rng.choice(_POSITIONS),
                f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                date(2019, 1, 1) + timedelta(days=rng.randrange(2000)),
                rng.choice([0, 50_000, 125_000, 860_000, 1_200_000]),
                city,
            )
        )
    return made


def spelled(customer: LegacyCustomer, rng: random.Random, as_text: bool) -> list:
    """A row of ``COLUMNS`` for ``customer`` as someone typed it (``as_text``: for a CSV, where
    an Excel date or number cannot be)."""
    m = customer.mobile
    phone = rng.choice([m, f"{m[:3]} {m[3:7]} {m[7:]}", f"+86 {m}", f"{m[:3]}-{m[3:7]}-{m[7:]}", full_width(m)])
    day = customer.first_contact
    when = rng.choice(
        [f"{day.year}年{day.month}月{day.day}日", f"{day.year}/{day.month}/{day.day}", day.isoformat()]
        + ([] if as_text else [day, day])
    )
    amount = customer.amount
    if not amount:
        money: object = ""
    elif amount % 10_000 == 0 or amount % 5_000 == 0:
        money = rng.choice([f"{amount / 10_000:g}万", f"{amount:,}", f"￥{amount}"] + ([] if as_text else [amount]))
    else:
        money = f"{amount:,}"
    name = customer.name.replace("有限公司", rng.choice(["有限公司", "有限公司", "有限公司 "]))
    return ["", name, customer.uscc, customer.industry, customer.size, customer.contact, customer.position,
            phone, when, money, customer.city, ""]  # fmt: skip


def write_xlsx(path: Path, rows: list[list], title: str = "客户基础信息表") -> None:
    """The rows under a title row and a blank row, as companies keep their lists; 序号 numbered."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "客户名单"
    sheet.append([title])
    sheet.append([])
    sheet.append(COLUMNS)
    for number, row in enumerate(rows, 1):
        sheet.append([number, *row[1:]])
    book.save(path)


def write_csv(path: Path, rows: list[list], encoding: str = "gbk") -> None:
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows([[number, *row[1:]] for number, row in enumerate(rows, 1)])


class DriveFile(NamedTuple):
    """A file of a generated shared drive and what an inventory should make of it."""

    path: str  # relative, as people read it (a GBK name decoded)
    customer_id: str  # "" when nothing names a customer
    duplicate_of: str = ""  # the path with the same bytes, listed first
    rescan_of: str = ""  # the path with the same text under other bytes


def write_drive(root: Path, customers: list[tuple[str, str, str]], contract: tuple[str, str]) -> list[DriveFile]:
    """A company's shared drive: year and project folders named after customers (``customers``
    is (ID, name, USCC) of three or more), a file copied into a second folder, a scan saved twice
    (same text, other bytes), a Word file naming a customer only in its text, a file named only by
    a contract number (``contract`` is (number, the customer it belongs to)), a file with a GBK
    name, and files about nobody."""
    from docx import Document

    (a, a_name, a_uscc), (b, b_name, _), (c, c_name, _) = customers[:3]
    made: list[DriveFile] = []

    def text_file(relative: str, text: str, customer: str, **expect: str) -> None:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        made.append(DriveFile(relative, customer, **expect))

    licence = f"营业执照\n名称: {a_name}\n统一社会信用代码: {a_uscc}\n成立日期: 2015年3月2日\n"
    text_file(f"2019年客户/{a_name}/营业执照.txt", licence, a)
    (root / "重点项目").mkdir()
    shutil.copyfile(root / made[-1].path, root / "重点项目" / "营业执照.txt")
    made.append(DriveFile("重点项目/营业执照.txt", a, duplicate_of=made[-1].path))
    text_file(f"未分类客户/{b_name}-报价单.txt", f"报价单\n致: {b_name}\n日期: 2023-06-01\n数控机床 1 台 ¥125,000\n", b)
    text_file(
        "未分类客户/扫描件-001.txt", f"报价单\r\n致:  {b_name}\r\n日期: 2023-06-01\r\n数控机床 1 台  ¥125,000\r\n", b,
        rescan_of=made[-1].path,
    )  # fmt: skip
    number, owner = contract
    text_file(f"销售订单附件/{number}.txt", f"合同编号: {number}\n第二批货物交付确认, 签收日期 2024年3月5日\n", owner)
    document = Document()
    document.add_paragraph("服务回访记录")
    document.add_paragraph(f"客户: {c_name}  回访日期: 2024-08-20  满意度: 满意")
    (root / "客服").mkdir()
    document.save(root / "客服" / "回访记录.docx")
    made.append(DriveFile("客服/回访记录.docx", c))
    gbk = "往来函件.txt".encode("gbk")
    letter = f"往来邮件\n{b_name}: 关于延期交货的说明\n"
    (root / "未分类客户").joinpath(os.fsdecode(gbk)).write_text(letter, encoding="utf-8")
    made.append(DriveFile("未分类客户/往来函件.txt", b))
    text_file("行政/会议室预订表.txt", "会议室预订: 周一 9:00 三楼小会议室\n", "")
    (root / ".git-like-hidden").mkdir()
    (root / ".git-like-hidden" / "忽略.txt").write_text("隐藏文件夹不盘点", encoding="utf-8")
    return made
