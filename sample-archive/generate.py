#!/usr/bin/env python3
"""Build the sample customer archive (华信集团客户档案) used for demos and tests of custtui.

Run from the repository root with the project's virtualenv:

    .venv/bin/python sample-archive/generate.py           # rebuild, then verify
    .venv/bin/python sample-archive/generate.py --check   # verify only

Rebuilding needs the extras ``pip install -e '.[sample]'`` (fpdf2, pillow, reportlab) and the
CJK font from Debian's ``fonts-wqy-zenhei``; the generated files are committed, so nothing else
(demo, tests, CI) needs either.

It deletes and rewrites only what it owns under ``sample-archive/``: ``archive.toml``,
``offices/`` and ``customers/``. Everything is fictional and deterministic: a fixed random seed,
fixed dates (the archive's "today" is 2026-11-01), no network, PDFs in reportlab's invariant
mode and DOCX/XLSX zips rewritten with fixed timestamps, so two runs give byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import random
import re
import shutil
import sys
import tomllib
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from custtui.core.records.records import Validator, customer_dir, dumps, format_id  # noqa: E402
from custtui.core.records.schema import Schema  # noqa: E402
from custtui.core.records.validate import id_check_digit, uscc_check_char  # noqa: E402

SEED = "huaxin-sample-archive-v1"
TODAY = date(2026, 11, 1)  # the archive's "now"
RECENT_FROM = date(2026, 5, 10)  # active customers have a contact on or after this day
RECENT_TO = date(2026, 10, 28)
FONT_FILE = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
ARCHIVE_NAME = "华信集团客户档案"
OFFICES = {"BJ": "北京总部", "SH": "上海分公司"}
STAFF = {"BJ": ["张伟", "李娜", "王芳"], "SH": ["刘洋", "陈静", "赵磊"]}
SERVICE_STAFF = {"BJ": "王芳", "SH": "赵磊"}  # 客服: records follow-ups and tickets
ALL_STAFF = {n for names in STAFF.values() for n in names}
OUR_NAME = {"BJ": "华信集团有限公司", "SH": "华信集团有限公司上海分公司"}
OUR_ADDR = {"BJ": "北京市海淀区西北旺东路 10 号院 7 号楼", "SH": "上海市闵行区申长路 988 弄 3 号楼"}
OUR_PHONE = {"BJ": "010-82886600", "SH": "021-64838800"}

NOTE_ORDER = ["time", "channel", "participants", "content", "needs", "feedback", "by"]
DEAL_ORDER = ["date", "amount", "product", "contract", "by"]
META_ORDER = [
    "info_type",
    "doc_type",
    "title",
    "date",
    "stage",
    "sensitivity",
    "number",
    "project",
    "main",
    "also_in",
    "paper_box",
    "paper_shelf",
    "sha256",
    "size",
    "original_name",
    "added_by",
    "added_at",
]
SYSTEM_META = ("sha256", "size", "original_name", "added_by", "added_at")

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


P = {
    "cnc": Product(
        "数控机床",
        "数控机床采购",
        [("数控车床", "CK6150×1000", "台", "168000.00", 2), ("立式加工中心", "VMC850", "台", "289000.00", 1)],
        ("数控设备年度维保服务", "36000.00"),
        "现有普通车床精度不够, 希望更换数控设备, 交货期不超过 60 天",
        "立式加工中心主轴运转时有异响, X 轴定位精度超差",
        "设备运行稳定, 操作工已能独立编程",
        "下半年再增加 2 台数控车床",
    ),
    "cnc_mold": Product(
        "精密加工中心",
        "精密加工中心采购",
        [
            ("高速立式加工中心", "HX-VMC1160 / 12000rpm", "台", "356000.00", 1),
            ("精密电火花成型机", "HX-EDM450", "台", "148000.00", 1),
            ("三坐标测量机", "HX-CMM0806", "台", "212000.00", 1),
        ],
        ("精密设备年度维保服务", "42000.00"),
        "模具精度要求 ±0.005mm, 现有设备老化, 希望整线更新",
        "加工中心刀库换刀卡刀, 报警代码 2041",
        "模具一次试模合格率提高, 交付周期缩短",
        "明年新增一条注塑模具生产线",
    ),
    "robot": Product(
        "焊接机器人工作站",
        "焊接自动化改造",
        [
            ("焊接机器人工作站", "HX-RW1400 双工位", "套", "238000.00", 2),
            ("焊接烟尘净化器", "HX-FC3", "台", "18500.00", 2),
        ],
        ("机器人年度保养服务", "28000.00"),
        "一线焊工招工难, 希望用机器人替代人工, 节拍提升 30%",
        "机器人示教程序丢失, 焊缝出现偏移",
        "焊接合格率由 92% 提升到 98%",
        "新厂区二期再上 3 套工作站",
    ),
    "laser": Product(
        "光纤激光切割机",
        "激光切割设备采购",
        [
            ("光纤激光切割机", "HX-3015 / 6kW", "台", "398000.00", 1),
            ("螺杆空压机 (切割配套)", "HX-15A", "台", "36000.00", 1),
        ],
        ("激光器保养及镜片更换服务", "15000.00"),
        "外协切割成本高、交期不可控, 计划自建下料车间",
        "切割头保护镜片频繁污染, 切缝挂渣",
        "下料效率明显提高, 外协费用每月节省约 4 万元",
        "增加一台交换工作台机型",
    ),
    "aircomp": Product(
        "永磁变频螺杆空压机",
        "空压站节能改造",
        [
            ("永磁变频螺杆空压机", "HX-37PM", "台", "78000.00", 4),
            ("冷冻式干燥机", "HX-D8", "台", "16800.00", 2),
            ("空压站智能联控系统", "HX-AC100", "套", "56000.00", 1),
        ],
        ("空压站能效托管服务", "48000.00"),
        "空压站能耗高, 希望节能 20% 以上",
        "一台空压机频繁报排气温度高",
        "空压站单位产气电耗下降约 22%",
        "另一厂区空压站同步改造",
    ),
    "server": Product(
        "服务器及存储设备",
        "数据中心扩容",
        [
            ("机架式服务器", "HX-R2480 双路/512G", "台", "68000.00", 6),
            ("分布式存储", "HX-S300 / 200TB", "套", "236000.00", 1),
            ("万兆交换机", "HX-SW48X", "台", "32000.00", 2),
        ],
        ("机房运维服务 (年度)", "96000.00"),
        "业务系统扩容, 现有服务器已满负荷, 要求兼容现有虚拟化平台",
        "存储节点一块硬盘告警, 阵列降级",
        "扩容后系统响应时间明显缩短",
        "明年建设同城灾备机房",
    ),
    "server_s": Product(
        "服务器",
        "服务器采购",
        [("机架式服务器", "HX-R2280 / 256G", "台", "42000.00", 4), ("千兆交换机", "HX-SW24G", "台", "6800.00", 2)],
        ("服务器维保服务 (年度)", "18000.00"),
        "研发测试环境不够用, 需要新增服务器, 希望一个月内到货",
        "一台服务器电源模块故障",
        "交付及时, 上架调试顺利",
        "明年考虑上云与本地混合部署",
    ),
    "it_ops": Product(
        "业务系统运维服务",
        "业务系统运维服务",
        [
            ("核心业务系统运维服务", "年度 / 5×8 小时", "年", "180000.00", 1),
            ("等保测评整改咨询", "三级", "项", "60000.00", 1),
        ],
        ("业务系统运维服务续约", "180000.00"),
        "租赁业务系统由外包团队维护, 希望由专业团队接手并通过等保三级",
        "月末批量计息任务超时",
        "等保测评一次通过",
        "新设两家分公司后增加运维范围",
    ),
    "mes": Product(
        "MES 生产执行系统",
        "MES系统实施",
        [
            ("MES 生产执行系统软件许可", "HX-MES 标准版 / 200 用户", "套", "420000.00", 1),
            ("实施及二次开发服务", "按人天计", "人天", "2800.00", 120),
            ("车间数据采集终端", "HX-T10", "台", "4500.00", 40),
        ],
        ("MES 系统年度运维服务", "85000.00"),
        "生产数据靠纸质报表, 希望工单、质量追溯全流程电子化",
        "夜班数据采集终端掉线, 报工数据延迟",
        "工单准时完成率提升明显, 管理层认可",
        "二期接入仓储 WMS",
    ),
    "warehouse": Product(
        "重型货架及 AGV 搬运机器人",
        "智能仓储升级",
        [
            ("重型横梁式货架", "4 层 / 载重 2T/层", "组", "3200.00", 180),
            ("潜伏式 AGV 搬运机器人", "HX-AGV600", "台", "118000.00", 4),
            ("仓储管理系统 WMS", "HX-WMS", "套", "160000.00", 1),
        ],
        ("AGV 及 WMS 年度运维", "60000.00"),
        "旺季爆仓, 人工拣货出错率高, 希望提升库容和拣货效率",
        "AGV 充电桩通信异常, 两台车无法自动回充",
        "拣货效率提升约 40%, 错发率明显下降",
        "新建冷库区同步上线 WMS",
    ),
    "shelf": Product(
        "仓储货架",
        "仓储货架采购",
        [("中型货架", "4 层 / 载重 300kg/层", "组", "980.00", 60), ("手动液压搬运车", "HX-2.5T", "台", "1650.00", 4)],
        ("货架年度安全检测", "3000.00"),
        "仓库搬迁, 需要新货架并尽快安装",
        "个别横梁挂钩松动",
        "安装规范, 仓库整洁很多",
        "新租仓库再增加 40 组货架",
    ),
    "supply": Product(
        "仓储货架及分拣设备",
        "仓储分拣系统采购",
        [
            ("重型横梁式货架", "4 层 / 载重 1.5T/层", "组", "2600.00", 60),
            ("交叉带分拣机", "HX-CS200 / 80 格口", "套", "168000.00", 1),
        ],
        ("分拣系统年度维保", "22000.00"),
        "跨境订单量增长快, 人工分拣跟不上, 希望半自动化",
        "分拣机部分格口光电误报",
        "日分拣能力从 8000 单提升到 2 万单",
        "龙华新仓明年投用后再上一套",
    ),
    "coldchain": Product(
        "冷链温湿度监控系统",
        "冷链监控系统建设",
        [
            ("无线温湿度传感器", "HX-TH20", "个", "380.00", 200),
            ("冷链监控平台软件", "HX-CCM 云平台 / 3 年", "套", "68000.00", 1),
            ("冷藏车载温度记录仪", "HX-VT5", "台", "1800.00", 30),
        ],
        ("冷链监控平台年费", "24000.00"),
        "药监和客户审核要求全程温度可追溯, 目前靠人工记录",
        "部分传感器数据上传延迟, 平台曲线出现断点",
        "迎检时温度记录可一键导出, 审核顺利通过",
        "新开门店统一接入平台",
    ),
    "pos": Product(
        "门店智能收银终端",
        "门店收银系统升级",
        [
            ("智能收银终端", "HX-POS8 双屏", "台", "5600.00", 60),
            ("自助收银机", "HX-SCO2", "台", "16800.00", 20),
            ("收银系统软件授权", "HX-Retail / 门店", "店", "3000.00", 30),
        ],
        ("收银系统年度运维", "120000.00"),
        "高峰期排队严重, 希望增加自助收银并与会员系统打通",
        "部分门店自助收银机扫码枪识别率下降",
        "高峰期排队时间缩短一半",
        "明年新开 15 家门店全部采用新系统",
    ),
    "pos_s": Product(
        "餐饮收银及点餐系统",
        "门店收银点餐系统",
        [
            ("餐饮收银一体机", "HX-POS5", "台", "4200.00", 6),
            ("扫码点餐系统授权", "HX-Dine / 门店 / 年", "店", "2400.00", 6),
            ("厨房打印机", "HX-KP80", "台", "680.00", 12),
        ],
        ("收银系统年度运维", "6000.00"),
        "高峰期点餐慢, 希望扫码点餐并与外卖平台订单合并",
        "厨房打印机偶发漏单",
        "翻台率提高, 服务员减少两人",
        "新店开业时一起上线",
    ),
    "bms": Product(
        "楼宇自控系统",
        "楼宇智能化改造",
        [
            ("楼宇自控 DDC 控制器", "HX-DDC32", "台", "6800.00", 45),
            ("楼宇自控管理平台", "HX-BA Pro", "套", "180000.00", 1),
            ("智能照明控制模块", "HX-LC8", "个", "1200.00", 120),
        ],
        ("楼宇自控系统维保", "52000.00"),
        "写字楼能耗偏高, 物业希望集中监控空调和照明",
        "B 座空调机组联动失效",
        "公区能耗下降约 15%",
        "二期商业综合体同步改造",
    ),
    "pv": Product(
        "工商业储能柜",
        "储能电站建设",
        [
            ("工商业储能柜", "HX-ESS215 / 215kWh", "台", "268000.00", 2),
            ("储能能量管理系统", "HX-EMS", "套", "45000.00", 1),
        ],
        ("储能系统运维服务", "30000.00"),
        "峰谷电价差大, 希望通过储能削峰填谷降低电费",
        "一台储能柜 BMS 报单体电压不均衡",
        "每月电费节省约 3 万元",
        "再建一座 1MWh 储能站",
    ),
    "site": Product(
        "智慧工地监控系统",
        "智慧工地建设",
        [
            ("塔吊防碰撞监控系统", "HX-TC100", "套", "26000.00", 8),
            ("工地高清视频监控", "HX-CAM 4K 套装", "套", "9800.00", 20),
            ("智慧工地管理平台", "HX-Site / 年", "套", "88000.00", 1),
        ],
        ("智慧工地平台年费", "36000.00"),
        "住建部门要求塔吊安装监控, 同时希望远程查看各项目进度",
        "两台塔吊监控终端信号中断",
        "项目部远程巡检方便, 通过了安全文明工地检查",
        "新中标的三个项目继续使用",
    ),
    "irrigation": Product(
        "智能水肥一体化灌溉系统",
        "智能灌溉系统",
        [
            ("水肥一体机", "HX-WF300", "台", "56000.00", 2),
            ("土壤墒情传感器", "HX-SM6", "个", "1600.00", 40),
            ("智能灌溉控制平台", "HX-Agri", "套", "38000.00", 1),
        ],
        ("灌溉系统年度维护", "12000.00"),
        "种植基地用水量大, 希望按需灌溉、节水节肥",
        "一处电磁阀不能远程开启",
        "灌溉用水减少约 30%",
        "扩展到新增的 2000 亩饲草地",
    ),
    "irrigation_s": Product(
        "智能灌溉示范设备",
        "智能灌溉示范项目",
        [
            ("水肥一体机", "HX-WF100", "台", "32000.00", 1),
            ("土壤墒情传感器", "HX-SM6", "个", "1600.00", 12),
            ("气象监测站", "HX-WS7", "套", "9800.00", 1),
        ],
        ("示范点设备年度维护", "5000.00"),
        "建设节水灌溉示范点, 供全区农户参观学习",
        "气象站风速传感器数据异常",
        "示范点接待参观 20 余批次, 效果直观",
        "明年在两个乡镇各增加一个示范点",
    ),
    "classroom": Product(
        "智慧教室设备",
        "智慧教室建设",
        [
            ("86 英寸智慧黑板", "HX-SB86", "台", "16800.00", 30),
            ("常态化录播系统", "HX-Rec4", "套", "45000.00", 2),
            ("教学管理平台", "HX-Edu 校级版", "套", "58000.00", 1),
        ],
        ("智慧教室运维服务", "40000.00"),
        "落实教育信息化要求, 建设智慧教室并支持常态化录播",
        "两间教室智慧黑板触控失灵",
        "老师上手快, 公开课录播效果好",
        "明年再改造 20 间普通教室",
    ),
    "hospital": Product(
        "医院信息化运维",
        "医院信息系统运维",
        [
            ("医院信息系统运维服务", "HIS/LIS/PACS 年度", "年", "480000.00", 1),
            ("服务器及存储巡检", "季度巡检", "次", "6000.00", 4),
            ("驻场工程师", "2 人", "人年", "150000.00", 2),
        ],
        ("医院信息系统运维续约", "480000.00"),
        "信息科人手不足, 希望引入第三方驻场运维, 保障 HIS 7×24 小时运行",
        "门诊 HIS 高峰期卡顿",
        "故障响应时间缩短到 15 分钟以内",
        "明年增加网络安全等保测评服务",
    ),
    "engraver": Product(
        "激光雕刻机",
        "激光雕刻机采购",
        [("CO2 激光雕刻机", "HX-L6090 / 100W", "台", "28600.00", 1), ("冷水机", "CW-5200", "台", "2400.00", 1)],
        ("激光管更换及保养", "1800.00"),
        "木作工作室接定制订单, 希望能雕刻木板和亚克力",
        "雕刻时出现断光",
        "加工精度满足定制需求, 操作简单",
        "考虑再添一台光纤打标机",
    ),
    "3dprint": Product(
        "桌面级 3D 打印机",
        "3D打印机采购",
        [("桌面级 3D 打印机", "HX-P3 / 多色", "台", "12800.00", 2), ("PLA 耗材", "1kg/卷", "卷", "89.00", 20)],
        ("打印机保养", "800.00"),
        "做产品设计打样, 需要多色打印和较高精度",
        "喷头堵塞, 出丝不均",
        "打样周期从一周缩短到一天",
        "如果接到量产单再考虑光固化机型",
    ),
    "dental": Product(
        "诊所消毒供应设备",
        "口腔诊所消毒设备采购",
        [
            ("B 级高压蒸汽灭菌器", "HX-B23L", "台", "26800.00", 1),
            ("超声波清洗机", "HX-US6", "台", "4200.00", 1),
            ("医用封口机", "HX-SK2", "台", "3600.00", 1),
        ],
        ("灭菌器年度校验及维保", "3800.00"),
        "诊所扩到 4 台牙椅, 消毒设备要满足卫生监督检查要求",
        "灭菌器门封圈漏气报警",
        "卫生监督检查顺利通过",
        "年底新开分诊所, 需要再配一套",
    ),
    "cnc_used": Product(
        "翻新数控车床",
        "二手数控车床采购",
        [("翻新数控车床", "CK6140 / 2019 年产", "台", "62000.00", 2)],
        ("数控车床保养", "2500.00"),
        "小作坊接汽配零件加工, 预算有限, 想买性价比高的翻新机",
        "尾座顶尖松动, 工件有振纹",
        "翻新机精度够用, 回本比预期快",
        "生意好的话明年换一台新机",
    ),
    "hardware": Product(
        "冲压设备",
        "冲压设备采购",
        [("开式固定台压力机", "HX-J23-80T", "台", "68000.00", 1), ("自动送料机", "HX-NC300", "台", "18500.00", 1)],
        ("冲床年度保养", "3000.00"),
        "订单增加, 老冲床精度差、噪音大, 需要更换",
        "送料机步距不准",
        "冲压件毛刺少了, 返工率下降",
        "再添一台 45 吨小冲床",
    ),
    "airfresh": Product(
        "全屋新风净化系统",
        "新风系统安装",
        [
            ("全热交换新风机", "HX-ERV350", "台", "8600.00", 3),
            ("安装辅材及施工", "民宿 12 间客房", "项", "21000.00", 1),
        ],
        ("新风滤网更换", "1600.00"),
        "民宿靠近公路, 客人反映灰尘和噪音, 希望装新风又不破坏老房子结构",
        "一台新风机运行噪音偏大",
        "客人评价里关于空气的差评没有了",
        "明年装修二号院时一起安装",
    ),
    "small_server": Product(
        "小型服务器与存储",
        "工作室服务器采购",
        [("塔式服务器", "HX-T150 / 128G", "台", "18500.00", 1), ("NAS 存储", "HX-NAS8 / 64TB", "台", "16800.00", 1)],
        ("服务器上门维护", "1200.00"),
        "游戏美术资源多, 需要本地服务器做版本管理和自动构建",
        "NAS 一块硬盘坏道告警",
        "构建时间缩短一半",
        "团队扩到 10 人时再加一台服务器",
    ),
    "consult": Product(
        "数字化转型咨询",
        "数字化转型咨询",
        [("数字化转型咨询服务", "现状诊断 + 三年规划", "项", "180000.00", 1)],
        ("咨询顾问驻场服务", "60000.00"),
        "投后管理企业多, 想了解制造业企业数字化改造的投入产出",
        "报告交付延后一周",
        "规划报告得到投委会认可",
        "投资的两家工厂可能落地改造项目",
    ),
    "exhibit": Product(
        "会展 LED 显示屏及设备租赁",
        "会展设备租赁",
        [
            ("LED 全彩显示屏租赁", "P3.9 / 60㎡ / 场", "场", "28000.00", 6),
            ("舞台音响及灯光租赁", "标准套装", "场", "12000.00", 6),
        ],
        ("现场技术保障", "3000.00"),
        "承接展会搭建, 需要稳定的 LED 屏和音响租赁供应商",
        "一块 LED 模组出现坏点",
        "现场保障到位, 主办方满意",
        "—",
    ),
    "ecom": Product(
        "电商仓储货架及打包台",
        "电商仓储设备采购",
        [
            ("轻型货架", "5 层", "组", "420.00", 30),
            ("打包工作台", "1.8m", "张", "980.00", 4),
            ("热敏面单打印机", "HX-LP4", "台", "760.00", 2),
        ],
        ("货架安装", "600.00"),
        "店铺换了大一点的仓库, 需要货架和打包台, 希望周末上门安装",
        "一张打包台桌腿不稳",
        "仓库整洁, 打包效率提高",
        "双十一前可能再加一排货架",
    ),
}


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
    notes: list | None = None  # hand-written notes: (datetime, channel, participants, content, needs, feedback, by)
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
        return P[self.product]


def D(doc_type: str, ext: str, when: str, **opts) -> dict:
    """A document to generate: type, file format, date (ISO or relative to F/S/T/X/B) and options."""
    return {"doc_type": doc_type, "ext": ext, "when": when, **opts}


def C(name, position, *phones, email=None, dm=False):
    return {"name": name, "position": position, "phones": list(phones), "email": email, "decision_maker": dm}


def N(when, channel, who, content, needs=None, feedback=None, by=None):  # one letter keeps the tables short
    return (when, channel, who, content, needs, feedback, by)


CUSTOMERS: list[Cust] = [
    # ======================= 北京总部 =======================
    Cust(
        "BJ",
        1,
        "enterprise",
        "北京华信机械设备制造有限公司",
        "张伟",
        "2023-05-10",
        "stable",
        "cnc",
        "110100",
        "110108",
        "北京市海淀区永丰产业基地丰贤中路 7 号",
        aliases=["华信厂", "华信机械"],
        industry="manufacturing",
        size="medium",
        legal_rep="曾国平",
        annual="860000.00",
        grade="vip",
        color="red",
        tags=["制造业-中型-稳定合作", "年度框架协议", "常用简称"],
        remark="客户内部和老员工都叫它“华信厂”, 与我司同名但无关联关系, 开票、签约时核对全称和信用代码。",
        demand=["purchase", "service"],
        signed="2024-01-05",
        stable="2025-03-10",
        number="HT-2024-015",
        number2="HT-2025-031",
        contacts=[
            C("曾国平", "总经理", "13901128866", "010-62981234", dm=True),
            C("单晓燕", "采购经理", "13811207735", email="shan.xiaoyan@hxjx.example.com", dm=True),
            C("解明", "设备科科长", "13520086614", "010-62981234-806"),
        ],
        notes=[
            N(
                "2023-05-10 10:30",
                "visit",
                ["张伟", "曾国平"],
                "经海淀区机械行业协会介绍首次上门拜访。客户主营农机零部件, 车间现有 14 台普通车床, 计划分两年完成数控化改造。"
                "客户习惯自称“华信厂”, 与我司同名纯属巧合, 双方无关联。",
                "首批需要 2 台数控车床和 1 台立式加工中心, 要求 60 天内交货",
                "希望先到我司合作客户现场看设备实际运行情况",
            ),
            N(
                "2023-11-20 14:00",
                "email",
                ["张伟", "单晓燕"],
                "发送《数控机床报价单》(含税合计 745,000.00 元), 付款方式 3-6-1, 质保 12 个月。",
                None,
                "单经理认为价格偏高, 希望优惠 3% 并把质保延长到 18 个月",
            ),
            N(
                "2024-01-05 15:30",
                "meeting",
                ["张伟", "曾国平", "单晓燕"],
                "在客户会议室签订《数控机床采购合同》HT-2024-015, 合同金额 625,000.00 元, 约定 2024 年 3 月 5 日前交货。",
                None,
                "曾总要求交货期不得延误, 否则影响其二季度订单",
            ),
            N(
                "2025-04-16 09:30",
                "meeting",
                ["张伟", "王芳", "曾国平", "解明"],
                "召开交货延误及合同条款协调会: 立式加工中心主轴异响投诉已处理完毕, 主轴备件晚到 12 天的问题双方确认了整改措施; 同时商定维保合同的响应时限和延误告知条款。",
                "维保响应时间要求 4 小时内到场",
                "对处理结果基本满意, 但要求今后延误必须提前一周书面告知",
            ),
            N(
                "2026-09-18 10:00",
                "phone",
                ["王芳", "解明"],
                "季度回访: 5 台设备运行正常, 三季度售后工单 3 张均已关闭。客户询问明年新增数控车床的排产周期。",
                "明年一季度计划再采购 2 台数控车床",
                "对维保响应速度满意",
            ),
        ],
        deals=[
            ("2024-01-05", "625000.00", "数控车床 CK6150×2、立式加工中心 VMC850×1", "HT-2024-015", "张伟"),
            ("2024-09-12", "336000.00", "数控车床 CK6150×2 (追加订单)", "HT-2024-015", "张伟"),
            ("2025-03-10", "36000.00", "数控设备年度维保服务 (2025 年度)", "HT-2025-031", "张伟"),
            ("2026-03-09", "36000.00", "数控设备年度维保服务 (2026 年度)", "HT-2025-031", "王芳"),
        ],
        docs=[
            D(
                "business_license",
                "jpg",
                "F",
                title="营业执照 (副本) 扫描件",
                original_name="扫描件_0012.jpg",
                added_by="王芳",
                added_after=2,
                paper_box="BJ-JC-2023-01",
                paper_shelf="A柜-1层",
                sensitivity="internal",
            ),
            D(
                "misc",
                "jpg",
                "2024-03-02",
                title="华信厂资质材料 (营业执照)",
                original_name="华信厂营业执照.jpg",
                added_by="张伟",
                same_as="business_license",
            ),
            D(
                "quotation",
                "xlsx",
                "2023-11-20",
                title="数控机床报价单",
                original_name="报价单v3-最终版.xlsx",
                items=[
                    ("数控车床", "CK6150×1000", "台", "172000.00", 2),
                    ("立式加工中心", "VMC850", "台", "298000.00", 1),
                    ("随机刀具及工装", "标准配置", "套", "103000.00", 1),
                ],
            ),
            D(
                "contract",
                "pdf",
                "S",
                original_name="合同终稿(1).pdf",
                paper_box="BJ-HT-2024-01",
                paper_shelf="B柜-2层",
            ),
            D(
                "supplement",
                "docx",
                "2024-06-18",
                title="关于交货期及质保期的补充协议",
                original_name="补充协议-华信厂.docx",
            ),
            D(
                "contract",
                "pdf",
                "T",
                which=2,
                original_name="维保合同2025.pdf",
                paper_box="BJ-HT-2025-02",
                paper_shelf="B柜-3层",
            ),
            D("complaint", "pdf", "2025-04-10", title="投诉处理单 (VMC850 主轴异响及交货延误)", added_by="王芳"),
            D(
                "minutes",
                "docx",
                "2025-04-16",
                title="交货延误及合同条款协调会会议纪要",
                also_in=["complaint"],
                original_name="会议纪要0416.docx",
                added_by="王芳",
            ),
            D(
                "financial_statement",
                "xlsx",
                "2025-03-31",
                title="2024 年度财务报表 (客户提供)",
                original_name="华信厂2024年报表.xlsx",
                sensitivity="confidential",
            ),
            D(
                "ticket",
                "csv",
                "2026-09-30",
                title="售后工单汇总 (2026 年三季度)",
                added_by="王芳",
                original_name="工单导出_2026Q3.csv",
            ),
            D(
                "statement",
                "xlsx",
                "2025-12-31",
                title="2025 年 12 月对账单",
                original_name="对账单(2025年12月).xlsx",
                added_by="王芳",
            ),
        ],
    ),
    Cust(
        "BJ",
        2,
        "enterprise",
        "北京中科瑞达信息技术有限公司",
        "李娜",
        "2025-03-18",
        "signed",
        "server_s",
        "110100",
        "110108",
        "北京市海淀区上地信息路 26 号 3 层 302",
        aliases=["瑞达科技"],
        industry="it",
        size="medium",
        legal_rep="邓立群",
        annual="320000.00",
        color="green",
        tags=["IT业-中型-签约"],
        signed="2025-08-20",
        number="HT-2025-052",
        uscc_style="new",
        docs=[D("quotation", "xlsx", "S-22"), D("contract", "pdf", "S")],
    ),
    Cust(
        "BJ",
        3,
        "enterprise",
        "天津滨海恒通物流有限公司",
        "张伟",
        "2022-04-11",
        "stable",
        "warehouse",
        "120100",
        "120116",
        "天津市滨海新区临港经济区渤海十路 166 号",
        aliases=["恒通物流"],
        industry="logistics",
        size="large",
        legal_rep="袁振华",
        annual="1250000.00",
        grade="vip",
        color="red",
        tags=["物流-大型-稳定合作", "重点客户"],
        demand=["purchase", "service"],
        signed="2022-09-06",
        stable="2023-12-15",
        number="HT-2022-021",
        number2="HT-2023-048",
        docs=[
            D("contract", "pdf", "S", paper_box="BJ-HT-2022-03", paper_shelf="B柜-1层"),
            D("credit_rating", "pdf", "2025-06-30", title="2025 年度客户信用评级报告"),
            D("satisfaction", "xlsx", "2025-12-15", added_by="王芳"),
            D("followup", "docx", "2026-06-18", added_by="王芳"),
            D("statement", "xlsx", "2026-09-30", title="2026 年三季度对账单", added_by="王芳"),
        ],
    ),
    Cust(
        "BJ",
        4,
        "enterprise",
        "石家庄恒岳建设工程有限公司",
        "李娜",
        "2025-06-03",
        "signed",
        "site",
        "130100",
        "130102",
        "河北省石家庄市长安区建设北大街 219 号",
        aliases=["恒岳建设"],
        industry="construction",
        size="large",
        legal_rep="孟庆山",
        annual="580000.00",
        color="orange",
        tags=["建筑业-大型-签约"],
        signed="2025-11-12",
        number="HT-2025-068",
        docs=[D("intent", "docx", "2025-08-15"), D("contract", "pdf", "S")],
    ),
    Cust(
        "BJ",
        5,
        "enterprise",
        "北京京味轩餐饮管理有限公司",
        "王芳",
        "2026-04-22",
        "potential",
        "pos_s",
        "110100",
        "110105",
        "北京市朝阳区三里屯路 19 号院 2 号楼 1 层",
        aliases=["京味轩"],
        industry="catering",
        size="small",
        legal_rep="杜春来",
        annual="60000.00",
        color="yellow",
        tags=["餐饮-小型-潜在", "报价中"],
        uscc_style="new",
        docs=[D("quotation", "xlsx", "2026-05-20")],
    ),
    Cust(
        "BJ",
        6,
        "enterprise",
        "北京博睿德科技股份有限公司",
        "张伟",
        "2022-08-15",
        "stable",
        "server",
        "110100",
        "110108",
        "北京市海淀区中关村软件园二期 17 号楼",
        aliases=["博睿德"],
        industry="it",
        size="large",
        legal_rep="程志远",
        annual="2100000.00",
        grade="vip",
        color="red",
        tags=["IT业-大型-稳定合作", "上市公司"],
        remark="企业客户-上市公司 (科创板), 年报公开后更新财务资料。",
        demand=["purchase", "service", "consulting"],
        signed="2022-12-20",
        stable="2024-02-01",
        number="HT-2022-030",
        number2="HT-2024-006",
        contacts=[
            C("程志远", "董事长", "13801056632", dm=True),
            C(
                "单文博",
                "IT 基础架构部总监",
                "13910237718",
                "010-82713366-2201",
                email="shan.wenbo@brd.example.com",
                dm=True,
            ),
            C("吕佳", "采购专员", "15201093354", email="lv.jia@brd.example.com"),
        ],
        docs=[
            D("contract", "pdf", "S", paper_box="BJ-HT-2022-05", paper_shelf="B柜-1层"),
            D("financial_statement", "xlsx", "2026-04-30", title="2025 年年度报告财务摘要", sensitivity="confidential"),
            D("cooperation_analysis", "docx", "2026-07-10", title="博睿德合作分析 (2022—2026)"),
            D("email", "txt", "2026-08-05", title="关于同城灾备机房建设的邮件往来"),
        ],
    ),
    Cust(
        "BJ",
        7,
        "enterprise",
        "青岛海润食品机械有限公司",
        "李娜",
        "2026-02-26",
        "potential",
        "laser",
        "370200",
        "370212",
        "山东省青岛市崂山区株洲路 151 号",
        aliases=["海润机械"],
        industry="manufacturing",
        size="medium",
        legal_rep="于洪涛",
        annual="300000.00",
        color="orange",
        tags=["制造业-中型-潜在"],
        remark="计划年内自建下料车间, 正在比选三家供应商的报价。",
        docs=[D("needs_analysis", "md", "2026-03-20"), D("quotation", "xlsx", "2026-04-10")],
    ),
    Cust(
        "BJ",
        8,
        "enterprise",
        "济南泉城精密铸造有限公司",
        "张伟",
        "2022-03-08",
        "terminated",
        "cnc",
        "370100",
        "370102",
        "山东省济南市历下区经十路 13777 号",
        aliases=["泉城铸造"],
        industry="manufacturing",
        size="medium",
        legal_rep="仇志刚",
        annual="420000.00",
        status="lost",
        color="grey",
        tags=["制造业-中型-终止合作", "流失原因-交货延迟"],
        remark="2026 年 3 月因我方交货延迟解除合作。若客户回流, 须先由生产部书面确认交期。",
        signed="2022-06-15",
        stable="2023-07-01",
        ended=(
            "2026-03-18",
            "交货延迟: 2025 年第二、三批数控车床分别延迟 45 天和 30 天交付, 客户依合同第六条解除年度框架协议",
        ),
        number="HT-2022-011",
        number2="HT-2023-027",
        contacts=[
            C("仇志刚", "董事长", "13905316678", "0531-88765432", dm=True),
            C("曾慧", "采购部经理", "13605318821", email="zeng.hui@qcjz.example.com"),
            C("房建", "设备部部长", "15098765412"),
        ],
        notes=[
            N(
                "2022-03-08 09:00",
                "phone",
                ["张伟", "曾慧"],
                "客户采购部来电询价数控车床, 用于铸件粗加工, 年需求 4—6 台。",
                "交货及时是第一位的, 铸件订单交期紧",
                None,
            ),
            N(
                "2022-06-15 14:30",
                "meeting",
                ["张伟", "仇志刚", "曾慧"],
                "签订《数控机床采购合同》HT-2022-011, 首批 3 台数控车床, 约定 45 天交货。",
            ),
            N(
                "2023-09-20 10:00",
                "phone",
                ["王芳", "房建"],
                "回访: 首批及框架协议下第一批设备运行正常。客户提醒框架协议下每批交期都写进了合同。",
                None,
                "对设备质量满意, 对交期比较敏感",
            ),
            N(
                "2025-08-12 16:00",
                "visit",
                ["张伟", "王芳", "仇志刚", "曾慧"],
                "客户正式投诉第二批 3 台数控车床延迟 45 天交付, 导致其两笔出口订单违约。我方说明原因为主轴供应商断货, 表示歉意并提出按合同支付违约金。",
                "要求第三批务必按期交付, 否则考虑解除协议",
                "非常不满, 要求书面说明和赔偿方案",
            ),
            N(
                "2026-03-18 15:00",
                "meeting",
                ["张伟", "仇志刚", "曾慧"],
                "第三批设备仍晚到 30 天。双方签署《终止协议》, 解除 2023 年年度框架协议, 已交付设备质保继续有效, 违约金在尾款中抵扣。",
                None,
                "客户表示今后如我方交付能力改善可以再谈, 但短期内不会合作",
            ),
        ],
        deals=[
            ("2022-06-15", "504000.00", "数控车床 CK6150×3", "HT-2022-011", "张伟"),
            ("2023-07-01", "336000.00", "数控车床 CK6150×2 (框架协议第一批)", "HT-2023-027", "张伟"),
            ("2025-04-20", "504000.00", "数控车床 CK6150×3 (框架协议第二批)", "HT-2023-027", "张伟"),
            ("2026-02-27", "336000.00", "数控车床 CK6150×2 (框架协议第三批)", "HT-2023-027", "张伟"),
        ],
        docs=[
            D(
                "contract",
                "pdf",
                "S",
                paper_box="BJ-HT-2022-02",
                paper_shelf="B柜-1层",
                items=[("数控车床", "CK6150×1000", "台", "168000.00", 3)],
            ),
            D(
                "followup",
                "txt",
                "2023-09-20",
                title="2023 年三季度回访记录",
                encoding="gb18030",
                original_name="回访记录2023.txt",
                added_by="王芳",
                added_at="2025-08-20 10:15",
            ),
            D("complaint", "docx", "2025-08-12", title="投诉处理单 (第二批设备交货延迟)", added_by="王芳"),
            D("email", "txt", "2026-02-28", title="客户关于解除框架协议的通知邮件"),
            D(
                "termination",
                "pdf",
                "X",
                title="年度框架协议终止协议",
                paper_box="BJ-HT-2026-01",
                paper_shelf="B柜-4层",
                original_name="终止协议-盖章版.pdf",
            ),
            D("settlement", "pdf", "2026-04-20", title="合作终止结算证明", added_by="张伟"),
        ],
    ),
    Cust(
        "BJ",
        9,
        "enterprise",
        "北京金桥商贸有限公司",
        "王芳",
        "2025-09-09",
        "signed",
        "shelf",
        "110100",
        "110106",
        "北京市丰台区南四环西路 188 号十二区 5 号楼",
        aliases=["金桥商贸"],
        industry="wholesale",
        size="small",
        legal_rep="卢建新",
        annual="85000.00",
        color="blue",
        tags=["批发业-小型-签约"],
        signed="2026-01-15",
        number="HT-2026-004",
        docs=[D("contract", "pdf", "S"), D("order", "csv", "2026-07-03", title="货架追加订单")],
    ),
    Cust(
        "BJ",
        10,
        "enterprise",
        "内蒙古绿野牧业有限公司",
        "李娜",
        "2025-11-20",
        "potential",
        "irrigation",
        "150100",
        "150105",
        "内蒙古自治区呼和浩特市赛罕区金桥开发区腾飞南路 33 号",
        aliases=["绿野牧业"],
        industry="agriculture",
        size="medium",
        legal_rep="其木格",
        annual="150000.00",
        color="yellow",
        tags=["农林牧渔业-中型-潜在"],
        uscc_style="new",
        docs=[D("needs_analysis", "md", "2026-01-10"), D("quotation", "xlsx", "2026-06-02")],
    ),
    Cust(
        "BJ",
        11,
        "enterprise",
        "北京华安置业发展有限公司",
        "张伟",
        "2025-01-14",
        "signed",
        "bms",
        "110100",
        "110105",
        "北京市朝阳区东三环中路 39 号院 华安大厦 18 层",
        aliases=["华安置业"],
        industry="real_estate",
        size="large",
        legal_rep="钱东升",
        annual="650000.00",
        color="orange",
        tags=["房地产业-大型-签约"],
        signed="2025-07-01",
        number="HT-2025-041",
        docs=[
            D("contract", "pdf", "S"),
            D("payment_voucher", "pdf", "2025-07-15", title="首付款电子回单", original_name="电子回单_20250715.pdf"),
        ],
    ),
    Cust(
        "BJ",
        12,
        "enterprise",
        "太原汾河新能源科技有限公司",
        "李娜",
        "2023-02-20",
        "stable",
        "pv",
        "140100",
        "140105",
        "山西省太原市小店区长治路 227 号",
        aliases=["汾河新能源"],
        industry="energy",
        size="medium",
        legal_rep="郝文斌",
        annual="450000.00",
        color="green",
        tags=["能源-中型-稳定合作"],
        demand=["purchase", "service"],
        signed="2023-06-30",
        stable="2024-09-01",
        number="HT-2023-019",
        number2="HT-2024-038",
        docs=[
            D("contract", "pdf", "S"),
            D("statement", "xlsx", "2026-06-30", title="2026 年上半年对账单"),
            D("ticket", "md", "2026-08-11", added_by="王芳"),
        ],
    ),
    Cust(
        "BJ",
        13,
        "enterprise",
        "北京汇诚融资租赁有限公司",
        "李娜",
        "2024-05-06",
        "signed",
        "it_ops",
        "110100",
        "110101",
        "北京市东城区东直门南大街 5 号 中青旅大厦 11 层",
        aliases=["汇诚租赁"],
        industry="finance",
        size="medium",
        legal_rep="谢国栋",
        annual="200000.00",
        status="dormant",
        color="orange",
        tags=["金融业-中型-签约", "沉睡-待唤醒"],
        remark="2026 年初对接人离职后联系中断, 半年复核时列为沉睡客户。",
        demand=["service", "consulting"],
        signed="2024-10-10",
        number="HT-2024-047",
        uscc_style="new",
        contacts=[
            C("谢国栋", "总经理", "13701125590", dm=True),
            C("甘露", "信息技术部经理", "13681042237", "010-65180021"),
        ],
        notes=[
            N(
                "2024-05-06 10:00",
                "meeting",
                ["李娜", "甘露"],
                "在金融科技沙龙上结识甘经理, 客户业务系统目前由外包个人维护, 等保测评未通过。",
                "希望找专业团队接手运维并完成等保三级整改",
                None,
            ),
            N(
                "2024-10-10 15:00",
                "meeting",
                ["李娜", "谢国栋", "甘露"],
                "签订《业务系统运维服务合同》HT-2024-047, 服务期一年, 含等保整改咨询。",
            ),
            N(
                "2025-06-20 11:00",
                "phone",
                ["王芳", "甘露"],
                "回访: 等保三级测评已通过, 月末批量任务超时问题已优化。",
                None,
                "满意, 考虑续约并增加分公司的运维范围",
            ),
            N(
                "2026-01-16 14:30",
                "phone",
                ["李娜", "甘露"],
                "沟通续约: 甘经理表示公司业务收缩, 续约事宜需等新领导到任后再议。2 月起甘经理离职, 新对接人未明确, 多次致电总机无人回复。",
                None,
                "暂不续约, 等通知",
            ),
        ],
        deals=[("2024-10-10", "240000.00", "核心业务系统运维服务 + 等保整改咨询", "HT-2024-047", "李娜")],
        docs=[D("contract", "pdf", "S"), D("followup", "docx", "2025-06-20", added_by="王芳")],
    ),
    Cust(
        "BJ",
        14,
        "enterprise",
        "西安长安智造装备有限公司",
        "张伟",
        "2025-04-08",
        "signed",
        "robot",
        "610100",
        "610113",
        "陕西省西安市雁塔区丈八五路 43 号",
        aliases=["长安智造"],
        industry="manufacturing",
        size="large",
        legal_rep="雷振军",
        annual="980000.00",
        grade="vip",
        color="orange",
        tags=["制造业-大型-签约", "重点跟进"],
        signed="2025-10-28",
        number="HT-2025-072",
        docs=[
            D("quotation", "xlsx", "2025-09-15"),
            D("contract", "pdf", "S", paper_box="BJ-HT-2025-04", paper_shelf="B柜-3层"),
        ],
    ),
    Cust(
        "BJ",
        15,
        "enterprise",
        "北京百草园医药连锁有限公司",
        "王芳",
        "2025-07-02",
        "signed",
        "coldchain",
        "110100",
        "110102",
        "北京市西城区广安门内大街 311 号",
        aliases=["百草园药房"],
        industry="retail",
        size="medium",
        legal_rep="姜红梅",
        annual="180000.00",
        color="blue",
        tags=["零售业-中型-签约"],
        demand=["purchase", "service"],
        signed="2025-12-05",
        number="HT-2025-085",
        docs=[D("contract", "pdf", "S"), D("contact_sheet", "csv", "2025-12-06")],
    ),
    Cust(
        "BJ",
        16,
        "government",
        "北京市丰台区晨光职业技术学校",
        "李娜",
        "2024-09-10",
        "signed",
        "classroom",
        "110100",
        "110106",
        "北京市丰台区南苑路 88 号",
        aliases=["晨光职校"],
        industry="education",
        size="medium",
        legal_rep="任淑珍",
        annual="380000.00",
        superior="北京市丰台区教育委员会",
        procurement="公开招标",
        color="green",
        tags=["教育-中型-签约"],
        remark="政府客户-教育口",
        uscc_style="institution",
        signed="2025-05-20",
        number="HT-2025-039",
        docs=[
            D(
                "project_approval",
                "pdf",
                "2025-03-28",
                title="关于晨光职业技术学校智慧教室建设项目的批复",
                sensitivity="public",
            ),
            D("procurement", "pdf", "2025-05-08", title="中标通知书", sensitivity="public"),
            D("contract", "pdf", "S", paper_box="BJ-HT-2025-03", paper_shelf="B柜-3层"),
        ],
    ),
    Cust(
        "BJ",
        17,
        "government",
        "廊坊市安次区教育局",
        "张伟",
        "2022-10-17",
        "stable",
        "classroom",
        "131000",
        "131002",
        "河北省廊坊市安次区永兴路 56 号",
        aliases=["安次教育局"],
        industry="public_admin",
        size="medium",
        legal_rep="解振华",
        annual="1500000.00",
        superior="廊坊市教育局",
        procurement="政府采购-公开招标",
        grade="vip",
        color="red",
        tags=["公共管理-中型-稳定合作", "教育口"],
        remark="政府客户-教育口",
        uscc_style="organ",
        demand=["purchase", "service"],
        signed="2023-08-22",
        stable="2024-09-05",
        number="HT-2023-026",
        number2="HT-2024-033",
        contacts=[
            C("解振华", "局长", "13932616620", dm=True),
            C("单永红", "装备中心主任", "13703164581", "0316-5213366", dm=True),
            C("侯磊", "装备中心干事", "15832628807"),
        ],
        docs=[
            D(
                "project_approval",
                "pdf",
                "2023-06-12",
                title="关于区属中小学智慧教室建设项目的批复",
                sensitivity="public",
            ),
            D("procurement", "docx", "2023-08-10", title="智慧教室建设项目采购流程文件"),
            D(
                "contract",
                "pdf",
                "S",
                scan=True,
                title="智慧教室建设合同 (盖章扫描件)",
                original_name="扫描件_0031.pdf",
                paper_box="BJ-HT-2023-02",
                paper_shelf="B柜-2层",
            ),
            D("satisfaction", "xlsx", "2025-11-20", added_by="王芳"),
        ],
    ),
    Cust(
        "BJ",
        18,
        "government",
        "北京市门头沟区永定河医院",
        "王芳",
        "2026-03-09",
        "potential",
        "hospital",
        "110100",
        "110109",
        "北京市门头沟区新桥大街 62 号",
        aliases=["永定河医院"],
        industry="healthcare",
        size="medium",
        legal_rep="田建国",
        annual="260000.00",
        superior="北京市门头沟区卫生健康委员会",
        procurement="竞争性磋商",
        color="yellow",
        tags=["医疗卫生-中型-潜在"],
        remark="政府客户-医疗口",
        uscc_style="institution",
        demand=["service"],
        docs=[
            D("needs_analysis", "md", "2026-04-02"),
            D("procurement", "pdf", "2026-07-15", title="采购意向公开 (信息系统运维服务)", sensitivity="public"),
        ],
    ),
    Cust(
        "BJ",
        19,
        "government",
        "北京市房山区农业技术推广站",
        "李娜",
        "2025-04-15",
        "signed",
        "irrigation_s",
        "110100",
        "110111",
        "北京市房山区良乡镇拱辰北大街 7 号",
        aliases=["房山农技站"],
        industry="agriculture",
        size="small",
        legal_rep="苗振东",
        annual="70000.00",
        superior="北京市房山区农业农村局",
        procurement="询价",
        color="blue",
        tags=["农林牧渔业-小型-签约"],
        remark="政府客户-农业口",
        uscc_style="institution",
        signed="2025-08-08",
        number="HT-2025-058",
        docs=[
            D("project_approval", "pdf", "2025-07-01", title="关于节水灌溉示范点建设项目的批复", sensitivity="public"),
            D("contract", "pdf", "S"),
        ],
    ),
    Cust(
        "BJ",
        20,
        "individual",
        "仇丽华",
        "王芳",
        "2023-03-02",
        "stable",
        "dental",
        "110100",
        "110105",
        "北京市朝阳区望京西园三区 311 号楼底商 (丽华口腔诊所)",
        gender="female",
        born="1975-08-01",
        id_division="110105",
        id_seq=2,
        want_check="X",
        phones=["13701016625", "010-64721180"],
        email="qiu.lihua@example.com",
        grade="vip",
        tier="low",
        color="green",
        preferences="偏好微信沟通, 工作日 12:00—13:30 方便接电话; 设备保养请安排在周一 (诊所休息日); 发票开个人名义。",
        tags=["个人客户-口腔诊所-稳定合作"],
        remark="个人开办口腔诊所, 以个人名义签约; 先后介绍三家诊所成为我司客户, 列为 VIP。",
        demand=["purchase", "service"],
        signed="2023-04-18",
        stable="2024-06-01",
        number="HT-2023-009",
        docs=[
            D(
                "id_copy",
                "jpg",
                "S",
                title="身份证复印件 (已打码)",
                original_name="微信图片_20230418.jpg",
                paper_box="BJ-JC-2023-02",
                paper_shelf="A柜-2层",
            ),
            D("contract", "pdf", "S"),
            D("preference", "md", "2024-06-05", title="客户偏好记录"),
            D("followup", "docx", "2026-06-10", added_by="王芳"),
        ],
    ),
    Cust(
        "BJ",
        21,
        "individual",
        "解文杰",
        "张伟",
        "2025-10-12",
        "signed",
        "engraver",
        "110100",
        "110114",
        "北京市昌平区回龙观西大街 115 号 (文杰木作工作室)",
        gender="male",
        born="1982-11-23",
        id_division="130102",
        id_seq=17,
        phones=["15811362247"],
        email="xie.wenjie@example.com",
        tier="low",
        color="blue",
        preferences="姓“解”读作 xiè。白天在工作室, 电话常听不到, 微信留言回复快。",
        tags=["个人客户-木作工作室"],
        signed="2026-02-20",
        number="HT-2026-011",
        docs=[D("quotation", "xlsx", "2026-01-28"), D("contract", "pdf", "S")],
    ),
    Cust(
        "BJ",
        22,
        "individual",
        "周晓梅",
        "李娜",
        "2026-05-28",
        "potential",
        "3dprint",
        "110100",
        "110108",
        "北京市海淀区学院路 30 号 科大天工大厦 B 座 6 层",
        gender="female",
        born="1990-04-16",
        id_division="320106",
        id_seq=46,
        phones=["18610557283"],
        email="zhou.xiaomei@example.com",
        tier="low",
        color="yellow",
        preferences="自由职业产品设计师, 周末也可沟通。",
        tags=["个人客户-设计师-潜在"],
    ),
    Cust(
        "BJ",
        23,
        "individual",
        "郑海涛",
        "张伟",
        "2024-11-05",
        "signed",
        "cnc_used",
        "130100",
        "130104",
        "河北省石家庄市桥西区友谊南大街 202 号 (海涛机加工坊)",
        gender="male",
        born="1968-02-09",
        id_division="130104",
        id_seq=35,
        phones=["13931158862", "0311-87065521"],
        tier="medium",
        color="blue",
        preferences="只接电话, 不用邮箱; 付款习惯分两次。",
        tags=["个人客户-机加工坊"],
        signed="2025-03-12",
        number="HT-2025-022",
        demand=["purchase", "service"],
        docs=[D("contract", "pdf", "S"), D("ticket", "txt", "2026-07-08", added_by="王芳")],
    ),
    # ======================= 上海分公司 =======================
    Cust(
        "SH",
        1,
        "enterprise",
        "上海浦江精密模具有限公司",
        "刘洋",
        "2022-06-20",
        "stable",
        "cnc_mold",
        "310100",
        "310112",
        "上海市闵行区浦江镇联航路 1188 号 8 幢",
        aliases=["浦江模具"],
        industry="manufacturing",
        size="medium",
        legal_rep="顾建平",
        annual="720000.00",
        grade="vip",
        color="red",
        tags=["制造业-中型-稳定合作"],
        demand=["purchase", "service"],
        signed="2022-11-15",
        stable="2023-12-01",
        number="SH-HT-2022-014",
        number2="SH-HT-2023-040",
        docs=[
            D(
                "business_license",
                "png",
                "F",
                title="营业执照 (副本) 扫描件",
                original_name="IMG_20220620_0931.png",
                paper_box="SH-JC-2022-01",
                paper_shelf="1号柜-1层",
            ),
            D(
                "contract",
                "pdf",
                "S",
                original_name="浦江模具合同-签字版.pdf",
                paper_box="SH-HT-2022-02",
                paper_shelf="2号柜-1层",
            ),
            D("supplement", "pdf", "2023-03-01", title="关于增加三坐标测量机培训的补充协议"),
            D(
                "ticket",
                "csv",
                "2024-05-31",
                title="售后工单记录 (旧客服系统导出)",
                encoding="gbk",
                original_name="SHOUHOU_EXPORT.CSV",
                added_by="赵磊",
                added_at="2025-07-03 16:20",
            ),
            D("statement", "xlsx", "2026-09-30", title="2026 年三季度对账单", added_by="赵磊"),
        ],
    ),
    Cust(
        "SH",
        2,
        "enterprise",
        "苏州锦程电子科技有限公司",
        "陈静",
        "2025-02-12",
        "signed",
        "mes",
        "320500",
        "320505",
        "江苏省苏州市虎丘区科灵路 78 号",
        aliases=["锦程电子"],
        industry="manufacturing",
        size="large",
        legal_rep="沈卫东",
        annual="1100000.00",
        grade="vip",
        color="orange",
        tags=["制造业-大型-签约", "项目实施中"],
        demand=["purchase", "consulting"],
        signed="2025-06-18",
        number="SH-HT-2025-019",
        docs=[
            D("needs_analysis", "md", "2025-04-10"),
            D("minutes", "docx", "2025-05-26", title="MES 项目需求评审会会议纪要"),
            D("contract", "pdf", "S"),
        ],
    ),
    Cust(
        "SH",
        3,
        "enterprise",
        "杭州西溪数智科技有限公司",
        "陈静",
        "2026-06-15",
        "potential",
        "server_s",
        "330100",
        "330106",
        "浙江省杭州市西湖区文三路 259 号 昌地火炬大厦 1 号楼 9 层",
        aliases=["西溪数智"],
        industry="it",
        size="small",
        legal_rep="俞晨",
        annual="50000.00",
        color="blue",
        tags=["IT业-小型-潜在"],
        uscc_style="new",
        docs=[D("quotation", "xlsx", "2026-07-02")],
    ),
    Cust(
        "SH",
        4,
        "enterprise",
        "宁波甬达国际物流有限公司",
        "刘洋",
        "2023-04-03",
        "stable",
        "coldchain",
        "330200",
        "330212",
        "浙江省宁波市鄞州区天童南路 588 号",
        aliases=["甬达物流"],
        industry="logistics",
        size="medium",
        legal_rep="邵国强",
        annual="360000.00",
        color="green",
        tags=["物流-中型-稳定合作"],
        demand=["purchase", "service"],
        signed="2023-08-15",
        stable="2024-10-10",
        number="SH-HT-2023-021",
        number2="SH-HT-2024-035",
        docs=[
            D("contract", "pdf", "S"),
            D(
                "followup",
                "txt",
                "2024-03-15",
                title="2024 年一季度回访记录",
                encoding="gb18030",
                original_name="回访-甬达.txt",
                added_by="赵磊",
                added_at="2025-07-03 16:40",
            ),
            D("statement", "xlsx", "2026-06-30", title="2026 年上半年对账单", added_by="赵磊"),
            D("ticket", "md", "2026-09-03", added_by="赵磊"),
        ],
    ),
    Cust(
        "SH",
        5,
        "enterprise",
        "深圳市鹏程供应链管理有限公司",
        "陈静",
        "2025-05-19",
        "signed",
        "supply",
        "440300",
        "440305",
        "广东省深圳市南山区粤海街道科技南十二路 2 号",
        aliases=["鹏程供应链"],
        industry="wholesale",
        size="medium",
        legal_rep="钟伟明",
        annual="240000.00",
        color="blue",
        tags=["批发业-中型-签约"],
        signed="2025-09-26",
        number="SH-HT-2025-027",
        uscc_style="new",
        docs=[D("contract", "pdf", "S"), D("order", "xlsx", "2026-03-18", title="货架追加采购订单")],
    ),
    Cust(
        "SH",
        6,
        "enterprise",
        "广州悦享餐饮连锁有限公司",
        "刘洋",
        "2026-01-08",
        "potential",
        "pos_s",
        "440100",
        "440106",
        "广东省广州市天河区天河北路 233 号 中信广场 21 层",
        aliases=["悦享餐饮"],
        industry="catering",
        size="medium",
        legal_rep="黎永康",
        annual="120000.00",
        color="yellow",
        tags=["餐饮-中型-潜在"],
        docs=[
            D("intent", "docx", "2026-03-05"),
            D(
                "quotation",
                "xlsx",
                "2026-03-20",
                items=[
                    ("餐饮收银一体机", "HX-POS5", "台", "4200.00", 16),
                    ("扫码点餐系统授权", "HX-Dine / 门店 / 年", "店", "2400.00", 16),
                    ("厨房打印机", "HX-KP80", "台", "680.00", 32),
                ],
            ),
        ],
    ),
    Cust(
        "SH",
        7,
        "enterprise",
        "东莞市宏达五金制品有限公司",
        "赵磊",
        "2025-08-05",
        "signed",
        "hardware",
        "441900",
        "441900",
        "广东省东莞市长安镇乌沙社区兴发南路 36 号",
        aliases=["宏达五金厂", "宏达五金"],
        industry="manufacturing",
        size="small",
        legal_rep="莫振雄",
        annual="90000.00",
        color="blue",
        tags=["制造业-小型-签约", "常用简称"],
        remark="当地都叫“宏达五金厂”, 合同和发票用全称。",
        signed="2025-12-10",
        number="SH-HT-2025-034",
        uscc_style="new",
        docs=[
            D(
                "business_license",
                "jpg",
                "F",
                title="营业执照 (副本) 照片",
                original_name="微信图片_20250805103321.jpg",
            ),
            D("contract", "pdf", "S"),
        ],
    ),
    Cust(
        "SH",
        8,
        "enterprise",
        "上海新沪商联超市股份有限公司",
        "刘洋",
        "2022-02-14",
        "stable",
        "pos",
        "310100",
        "310115",
        "上海市浦东新区张杨路 1688 号",
        aliases=["新沪超市", "新沪商联"],
        industry="retail",
        size="large",
        legal_rep="严海平",
        annual="1800000.00",
        grade="vip",
        color="red",
        tags=["零售业-大型-稳定合作", "上市公司"],
        remark="企业客户-上市公司 (沪市主板)。",
        demand=["purchase", "service"],
        signed="2022-07-01",
        stable="2023-09-15",
        number="SH-HT-2022-009",
        number2="SH-HT-2024-016",
        contacts=[
            C("严海平", "董事长", "13901876655", dm=True),
            C(
                "仇建军",
                "信息中心总监",
                "13817265530",
                "021-58792288-3105",
                email="qiu.jianjun@xhsl.example.com",
                dm=True,
            ),
            C("曾晓波", "门店运营部经理", "13761902218"),
        ],
        docs=[
            D("contract", "pdf", "S", paper_box="SH-HT-2022-01", paper_shelf="2号柜-1层"),
            D(
                "contract",
                "pdf",
                "2024-03-20",
                which=2,
                project="门店收银系统扩容",
                items=[
                    ("智能收银终端", "HX-POS8 双屏", "台", "5600.00", 45),
                    ("自助收银机", "HX-SCO2", "台", "16800.00", 30),
                    ("收银系统软件授权", "HX-Retail / 门店", "店", "3000.00", 25),
                ],
            ),
            D("financial_statement", "xlsx", "2026-04-28", title="2025 年年度报告财务摘要", sensitivity="confidential"),
            D("satisfaction", "xlsx", "2025-12-20", added_by="赵磊"),
            D("complaint", "pdf", "2026-08-14", title="投诉处理单 (自助收银机扫码识别率低)", added_by="赵磊"),
        ],
    ),
    Cust(
        "SH",
        9,
        "enterprise",
        "南京金陵智能建造有限公司",
        "陈静",
        "2026-03-30",
        "potential",
        "site",
        "320100",
        "320105",
        "江苏省南京市建邺区江东中路 311 号",
        aliases=["金陵建造"],
        industry="construction",
        size="medium",
        legal_rep="葛振华",
        annual="280000.00",
        color="orange",
        tags=["建筑业-中型-潜在"],
        uscc_style="new",
        docs=[D("needs_analysis", "md", "2026-04-20"), D("quotation", "xlsx", "2026-05-15")],
    ),
    Cust(
        "SH",
        10,
        "enterprise",
        "成都蜀新电子科技有限公司",
        "刘洋",
        "2024-12-02",
        "signed",
        "laser",
        "510100",
        "510116",
        "四川省成都市双流区西航港大道 1999 号",
        aliases=["蜀新电子"],
        industry="manufacturing",
        size="medium",
        legal_rep="蒲建军",
        annual="420000.00",
        color="green",
        tags=["制造业-中型-签约"],
        signed="2025-05-08",
        number="SH-HT-2025-012",
        docs=[D("contract", "pdf", "S"), D("ticket", "md", "2026-07-21", added_by="赵磊")],
    ),
    Cust(
        "SH",
        11,
        "enterprise",
        "温州瓯江阀门有限公司",
        "赵磊",
        "2022-09-14",
        "signed",
        "cnc",
        "330300",
        "330302",
        "浙江省温州市鹿城区双屿街道阀门工业园 12 号",
        aliases=["瓯江阀门"],
        industry="manufacturing",
        size="small",
        legal_rep="叶成林",
        annual="95000.00",
        color="orange",
        tags=["制造业-小型-签约", "老客户回流"],
        remark="2024 年流失, 2025 年 9 月回流重新签约; 价格敏感, 报价需经分公司经理审批。",
        signed="2022-11-25",
        ended=("2024-04-12", "年度协议到期未续签: 客户转向报价更低的本地供应商"),
        back=("2025-09-03", "原供应商设备故障频发, 客户主动回流, 重新签订采购合同"),
        number="SH-HT-2022-031",
        number2="SH-HT-2025-030",
        contacts=[C("叶成林", "总经理", "13706662318", "0577-88612345", dm=True), C("单海燕", "采购", "13858827706")],
        notes=[
            N(
                "2022-09-14 10:00",
                "visit",
                ["赵磊", "叶成林"],
                "上门拜访, 客户生产阀体、阀盖, 现有 6 台老式车床。",
                "想先买 1 台数控车床试用",
                "对价格很敏感",
            ),
            N("2022-11-25 14:00", "meeting", ["赵磊", "叶成林"], "签订数控车床采购合同 SH-HT-2022-031, 1 台 CK6150。"),
            N(
                "2024-03-28 09:30",
                "phone",
                ["赵磊", "单海燕"],
                "沟通年度协议续签, 客户表示本地供应商报价低 12%, 今年不再续签。",
                None,
                "设备本身没问题, 主要是价格",
            ),
            N(
                "2025-07-22 16:00",
                "phone",
                ["赵磊", "叶成林"],
                "叶总主动来电: 去年换的供应商设备故障多、售后慢, 希望恢复合作。",
                "采购 1 台数控车床, 要求 30 天交货并提供一年免费保养",
                "愿意接受我方价格, 但希望付款分三期",
            ),
            N(
                "2026-07-09 10:30",
                "phone",
                ["赵磊", "单海燕"],
                "回访: 回流后采购的设备运行正常, 客户准备 2027 年再增加一台。",
                None,
                "对售后响应满意",
            ),
        ],
        deals=[
            ("2022-11-25", "168000.00", "数控车床 CK6150×1", "SH-HT-2022-031", "赵磊"),
            ("2023-06-16", "8600.00", "刀塔维修及配件", None, "赵磊"),
            ("2025-09-03", "172000.00", "数控车床 CK6150×1 (含一年保养)", "SH-HT-2025-030", "赵磊"),
        ],
        docs=[
            D("contract", "pdf", "S", items=[("数控车床", "CK6150×1000", "台", "168000.00", 1)]),
            D("cooperation_analysis", "md", "2025-08-20", title="瓯江阀门流失与回流分析"),
            D("contract", "pdf", "B", which=2, items=[("数控车床", "CK6150×1000", "台", "172000.00", 1)]),
        ],
    ),
    Cust(
        "SH",
        12,
        "enterprise",
        "无锡太湖新材料股份有限公司",
        "陈静",
        "2022-05-09",
        "stable",
        "aircomp",
        "320200",
        "320214",
        "江苏省无锡市新吴区锡贤路 99 号",
        aliases=["太湖新材"],
        industry="manufacturing",
        size="large",
        legal_rep="华振宇",
        annual="1350000.00",
        grade="vip",
        color="red",
        tags=["制造业-大型-稳定合作", "上市公司"],
        remark="企业客户-上市公司 (创业板)。",
        demand=["purchase", "service", "consulting"],
        signed="2022-10-20",
        stable="2024-01-08",
        number="SH-HT-2022-027",
        number2="SH-HT-2024-002",
        docs=[
            D("contract", "pdf", "S"),
            D("credit_rating", "pdf", "2025-12-31", title="2025 年度客户信用评级报告"),
            D("statement", "xlsx", "2026-09-30", title="2026 年三季度对账单", added_by="赵磊"),
        ],
    ),
    Cust(
        "SH",
        13,
        "enterprise",
        "佛山顺德康居家电有限公司",
        "刘洋",
        "2025-03-03",
        "signed",
        "robot",
        "440600",
        "440606",
        "广东省佛山市顺德区北滘镇工业园兴业路 8 号",
        aliases=["康居家电"],
        industry="manufacturing",
        size="large",
        legal_rep="梁锦荣",
        annual="760000.00",
        color="orange",
        tags=["制造业-大型-签约"],
        signed="2025-08-28",
        number="SH-HT-2025-025",
        docs=[D("quotation", "xlsx", "2025-07-30"), D("contract", "pdf", "S")],
    ),
    Cust(
        "SH",
        14,
        "enterprise",
        "上海浦盛资产管理有限公司",
        "陈静",
        "2025-12-10",
        "potential",
        "consult",
        "310100",
        "310115",
        "上海市浦东新区世纪大道 210 号 二十一世纪大厦 26 层",
        aliases=["浦盛资产"],
        industry="finance",
        size="small",
        legal_rep="陆文清",
        annual="40000.00",
        color="blue",
        tags=["金融业-小型-潜在"],
        demand=["consulting"],
        uscc_style="new",
        docs=[D("email", "txt", "2026-01-15", title="关于数字化转型咨询的邮件往来")],
    ),
    Cust(
        "SH",
        15,
        "enterprise",
        "上海同润会展服务有限公司",
        "赵磊",
        "2022-01-17",
        "terminated",
        "exhibit",
        "310100",
        "310104",
        "上海市徐汇区漕溪北路 331 号 中金国际广场 B 座 9 层",
        aliases=["同润会展"],
        industry="other",
        size="small",
        legal_rep="唐伟",
        annual="30000.00",
        status="history",
        color="grey",
        tags=["其他行业-小型-终止合作"],
        remark="历史客户: 2023 年底合作正常结束, 2026 年半年复核转为历史客户。",
        demand=["purchase"],
        signed="2022-04-08",
        ended=("2023-12-20", "展会项目全部结算完毕, 客户业务转向线上会展, 双方协商终止合作"),
        number="SH-HT-2022-006",
        notes=[
            N(
                "2022-01-17 15:00",
                "phone",
                ["赵磊", "唐伟"],
                "客户承接春季车展搭建, 询价 LED 屏和音响租赁。",
                "6 场活动, 每场 2 天",
            ),
            N("2022-04-08 10:00", "meeting", ["赵磊", "唐伟"], "签订会展设备租赁合同 SH-HT-2022-006, 全年 6 场。"),
            N(
                "2024-01-10 11:00",
                "phone",
                ["赵磊", "唐伟"],
                "结算后回访: 客户今年转做线上会展, 暂无线下设备需求, 合作自然结束。",
                None,
                "感谢两年来的现场保障, 有线下活动会再联系",
            ),
        ],
        deals=[
            ("2022-04-08", "240000.00", "会展 LED 显示屏及音响租赁 (6 场)", "SH-HT-2022-006", "赵磊"),
            ("2023-05-12", "80000.00", "会展设备租赁 (2 场, 追加)", "SH-HT-2022-006", "赵磊"),
        ],
        docs=[D("contract", "pdf", "S"), D("settlement", "pdf", "X", title="合作终止结算证明")],
    ),
    Cust(
        "SH",
        16,
        "government",
        "上海市闵行区春申实验中学",
        "陈静",
        "2023-03-15",
        "stable",
        "classroom",
        "310100",
        "310112",
        "上海市闵行区春申路 2555 号",
        aliases=["春申中学"],
        industry="education",
        size="medium",
        legal_rep="汤慧敏",
        annual="460000.00",
        superior="上海市闵行区教育局",
        procurement="公开招标",
        color="green",
        tags=["教育-中型-稳定合作"],
        remark="政府客户-教育口",
        uscc_style="institution",
        demand=["purchase", "service"],
        signed="2023-07-10",
        stable="2024-08-30",
        number="SH-HT-2023-015",
        number2="SH-HT-2024-029",
        docs=[
            D(
                "org_certificate",
                "png",
                "F",
                title="事业单位法人证书扫描件",
                original_name="scan0007.png",
                paper_box="SH-JC-2023-02",
                paper_shelf="1号柜-2层",
            ),
            D(
                "project_approval",
                "pdf",
                "2023-05-30",
                title="关于春申实验中学智慧教室建设项目的批复",
                sensitivity="public",
            ),
            D("contract", "pdf", "S"),
            D("followup", "docx", "2026-05-20", added_by="赵磊"),
        ],
    ),
    Cust(
        "SH",
        17,
        "government",
        "苏州市吴中区教育局",
        "刘洋",
        "2025-04-21",
        "signed",
        "classroom",
        "320500",
        "320506",
        "江苏省苏州市吴中区东吴北路 299 号",
        aliases=["吴中教育局"],
        industry="public_admin",
        size="large",
        legal_rep="钱国华",
        annual="2200000.00",
        superior="苏州市教育局",
        procurement="政府采购-公开招标",
        color="orange",
        tags=["公共管理-大型-签约"],
        remark="政府客户-教育口",
        uscc_style="organ",
        signed="2025-10-15",
        number="SH-HT-2025-041",
        docs=[
            D(
                "project_approval",
                "pdf",
                "2025-06-20",
                title="关于区属学校智慧教室建设项目的批复",
                sensitivity="public",
            ),
            D("procurement", "pdf", "2025-09-28", title="中标通知书", sensitivity="public"),
            D(
                "contract",
                "pdf",
                "S",
                items=[
                    ("86 英寸智慧黑板", "HX-SB86", "台", "16500.00", 96),
                    ("常态化录播系统", "HX-Rec4", "套", "44000.00", 8),
                    ("教学管理平台", "HX-Edu 区域版", "套", "186000.00", 1),
                ],
            ),
        ],
    ),
    Cust(
        "SH",
        18,
        "government",
        "成都市武侯区第二人民医院",
        "刘洋",
        "2024-10-09",
        "signed",
        "hospital",
        "510100",
        "510107",
        "四川省成都市武侯区武侯祠大街 264 号",
        aliases=["武侯二院"],
        industry="healthcare",
        size="large",
        legal_rep="何志勇",
        annual="880000.00",
        superior="成都市武侯区卫生健康局",
        procurement="公开招标",
        grade="vip",
        color="orange",
        tags=["医疗卫生-大型-签约"],
        remark="政府客户-医疗口",
        uscc_style="institution",
        demand=["service"],
        signed="2025-04-16",
        number="SH-HT-2025-015",
        docs=[
            D("procurement", "docx", "S-5", title="信息系统运维服务项目采购流程文件"),
            D("contract", "pdf", "S"),
            D("ticket", "csv", "2026-08-31", title="驻场运维工单月报 (2026 年 8 月)", added_by="赵磊"),
        ],
    ),
    Cust(
        "SH",
        19,
        "government",
        "深圳市南山区科技创新服务中心",
        "陈静",
        "2026-05-12",
        "potential",
        "server_s",
        "440300",
        "440305",
        "广东省深圳市南山区科技园科苑路 15 号",
        aliases=["南山科创中心"],
        industry="public_admin",
        size="small",
        legal_rep="钟慧玲",
        annual="80000.00",
        superior="深圳市南山区科技创新局",
        procurement="询价",
        color="yellow",
        tags=["公共管理-小型-潜在"],
        remark="政府客户-科技口",
        uscc_style="institution",
        docs=[D("needs_analysis", "md", "2026-06-01")],
    ),
    Cust(
        "SH",
        20,
        "individual",
        "曾佳琪",
        "陈静",
        "2026-04-02",
        "potential",
        "ecom",
        "310100",
        "310107",
        "上海市普陀区真北路 1100 弄 5 号 103 室",
        gender="female",
        born="1995-07-19",
        id_division="310104",
        id_seq=28,
        phones=["17621853306"],
        email="zeng.jiaqi@example.com",
        tier="low",
        color="yellow",
        preferences="姓“曾”读作 zēng。网店店主, 晚上 8 点后回复消息, 喜欢看实物照片和视频。",
        tags=["个人客户-电商店主-潜在"],
        docs=[D("preference", "md", "2026-05-05", title="客户偏好记录")],
    ),
    Cust(
        "SH",
        21,
        "individual",
        "黄志明",
        "赵磊",
        "2022-08-22",
        "stable",
        "hardware",
        "440300",
        "440307",
        "广东省深圳市龙岗区布吉街道粤宝路 48 号 (志明五金批发部)",
        gender="male",
        born="1978-05-30",
        id_division="440303",
        id_seq=13,
        phones=["13923865577", "0755-28761190"],
        tier="medium",
        grade="vip",
        color="green",
        preferences="讲粤语更顺; 月结, 每月 25 日对账。",
        tags=["个人客户-五金批发-稳定合作"],
        demand=["purchase", "service"],
        signed="2022-10-10",
        stable="2024-03-01",
        number="SH-HT-2022-024",
        number2="SH-HT-2024-011",
        docs=[
            D(
                "contract",
                "pdf",
                "S",
                items=[
                    ("开式固定台压力机", "HX-J23-80T", "台", "68000.00", 2),
                    ("自动送料机", "HX-NC300", "台", "18500.00", 2),
                ],
            ),
            D("followup", "txt", "2026-06-25", added_by="赵磊"),
        ],
    ),
    Cust(
        "SH",
        22,
        "individual",
        "林秀英",
        "陈静",
        "2025-06-18",
        "signed",
        "airfresh",
        "330100",
        "330106",
        "浙江省杭州市西湖区龙井路 46 号 (秀英山居民宿)",
        gender="female",
        born="1962-12-03",
        id_division="330106",
        id_seq=84,
        phones=["13588026614", "0571-87963322"],
        tier="low",
        color="green",
        preferences="年纪较大, 习惯打电话, 重要事项请同时告知其女儿 (电话同座机)。",
        tags=["个人客户-民宿-签约"],
        signed="2025-09-05",
        number="SH-HT-2025-029",
        docs=[D("quotation", "xlsx", "2025-08-12"), D("contract", "pdf", "S")],
    ),
    Cust(
        "SH",
        23,
        "individual",
        "何俊",
        "刘洋",
        "2026-02-11",
        "potential",
        "small_server",
        "510100",
        "510107",
        "四川省成都市武侯区天府大道北段 1700 号 环球中心 W6 区",
        gender="male",
        born="1998-09-14",
        id_division="510107",
        id_seq=51,
        phones=["18280136675"],
        email="he.jun@example.com",
        tier="low",
        color="blue",
        preferences="独立游戏工作室负责人, 偏好邮件沟通, 需要书面报价。",
        tags=["个人客户-工作室-潜在"],
    ),
]


# --- contacts ------------------------------------------------------------------------------

AREA_CODES = {
    "110100": "010",
    "120100": "022",
    "310100": "021",
    "500100": "023",
    "130100": "0311",
    "131000": "0316",
    "140100": "0351",
    "150100": "0471",
    "370100": "0531",
    "370200": "0532",
    "610100": "029",
    "320100": "025",
    "320200": "0510",
    "320500": "0512",
    "330100": "0571",
    "330200": "0574",
    "330300": "0577",
    "440100": "020",
    "440300": "0755",
    "440600": "0757",
    "441900": "0769",
    "510100": "028",
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁宋唐许韩冯邓曹彭肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤"
GIVEN = [
    "建国",
    "志强",
    "海燕",
    "秀兰",
    "立新",
    "春梅",
    "晓东",
    "丽娟",
    "文华",
    "永刚",
    "雪梅",
    "俊杰",
    "红霞",
    "德明",
    "玉兰",
    "振宇",
    "桂芳",
    "小军",
    "晓丽",
    "国庆",
    "晨曦",
    "子豪",
    "思远",
    "婷婷",
    "浩然",
    "佳怡",
    "鹏飞",
    "雅琴",
    "明辉",
    "凤英",
    "宏伟",
    "静怡",
    "天佑",
    "慧敏",
    "少华",
    "锦程",
    "宇航",
    "梦瑶",
    "家豪",
    "淑华",
]
SENIOR = {
    "enterprise": ["总经理", "董事长", "副总经理"],
    "education": ["校长"],
    "public_admin": ["主任"],
    "healthcare": ["院长"],
    "agriculture": ["站长"],
}
WORKING = {
    "manufacturing": ["采购经理", "设备部经理", "生产厂长", "采购专员"],
    "it": ["IT 运维主管", "采购经理", "技术总监"],
    "logistics": ["仓储经理", "运营总监", "采购主管"],
    "retail": ["信息部经理", "门店运营经理"],
    "catering": ["运营经理", "店长"],
    "construction": ["项目经理", "安全总监", "设备科科长"],
    "real_estate": ["物业工程部经理", "成本采购经理"],
    "energy": ["项目经理", "运维主管"],
    "agriculture": ["基地场长", "采购主管", "推广科科长"],
    "finance": ["信息技术部经理", "行政主管"],
    "wholesale": ["仓库主管", "采购经理"],
    "other": ["项目经理", "行政主管"],
    "education": ["总务处主任", "信息中心主任", "装备中心主任"],
    "healthcare": ["信息科科长", "设备科科长", "总务科科长"],
    "public_admin": ["综合科科长", "信息化专员", "办公室主任"],
}


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
    contacts = [C(c.legal_rep, r.choice(senior), mobile(r), dm=True)]
    count = r.choice([1, 2, 2]) if c.size == "small" else r.choice([1, 2, 2, 3])
    for i, position in enumerate(r.sample(working, min(count, len(working)))):
        phones = [mobile(r)]
        if r.random() < 0.6:
            phones.append(landline(r, c.region, ext=r.random() < 0.3))
        contacts.append(C(person_name(r, taken), position, *phones, dm=(i == 0 and c.size != "small")))
    return contacts


# --- the story: contracts, stage history, notes, deals -------------------------------------


@dataclass
class Contract:
    number: str
    project: str
    date: date
    items: list
    which: int

    @property
    def amount(self) -> Decimal:
        return sum((money(p) * q for _, _, _, p, q in self.items), Decimal("0.00"))

    def summary(self) -> str:
        return "、".join(
            f"{name} {spec}×{qty}" if unit in ("台", "套") else name for name, spec, unit, _, qty in self.items
        )


def resolve_when(c: Cust, when: str) -> date:
    marks = {"F": c.first, "S": c.signed, "T": c.stable, "X": c.ended and c.ended[0], "B": c.back and c.back[0]}
    m = re.fullmatch(r"([FSTXB])([+-]\d+)?", when)
    if m:
        return d(marks[m[1]]) + timedelta(days=int(m[2] or 0))
    return d(when)


def contracts(c: Cust) -> dict[int, Contract]:
    """The customer's contracts by ``which`` (1 = first, 2 = later)."""
    out = {}
    specs = {doc.get("which", 1): doc for doc in c.docs if doc["doc_type"] == "contract"}
    if c.number:
        spec = specs.get(1, {})
        out[1] = Contract(
            c.number, spec.get("project", c.prod.project), d(c.signed), spec.get("items", c.prod.items), 1
        )
    if c.number2:
        spec = specs.get(2, {})
        if spec:
            when = resolve_when(c, spec["when"])
        else:
            when = d((c.back or (c.stable,))[0])
        default_items = [(c.prod.service[0], "年度", "年", c.prod.service[1], 1)]
        project = spec.get("project", c.prod.project if c.back else c.prod.service[0].replace(" (年度)", ""))
        out[2] = Contract(c.number2, project, when, spec.get("items", default_items), 2)
    return out


STABLE_REASONS = [
    "连续两年复购, 签订年度维保合同, 转为稳定合作",
    "首单验收良好并追加订单, 签订长期服务协议",
    "年度复购且回款及时, 经季度评审转为稳定合作客户",
]


def stage_history(c: Cust) -> list[dict]:
    ks = contracts(c)
    out, stage = [], "potential"

    def move(when: str, to: str, reason: str):
        nonlocal stage
        out.append({"date": d(when), "from": stage, "to": to, "reason": reason, "by": c.owner})
        stage = to

    if c.signed:
        k = ks[1]
        if c.type == "government":
            reason = f"中标后签订《{k.project}合同》{k.number}"
        elif c.id == "BJ-000001":
            reason = f"签订年度采购合同 {k.number}"
        else:
            reason = f"签订《{k.project}合同》{k.number}"
        move(c.signed, "signed", reason)
    if c.stable:
        move(c.stable, "stable", rng_for("stable", c.id).choice(STABLE_REASONS))
    if c.ended:
        move(c.ended[0], "terminated", c.ended[1])
    if c.back:
        move(c.back[0], "signed", c.back[1])
    assert stage == c.stage, (c.id, stage, c.stage)
    return out


def at(day: date, r: random.Random) -> datetime:
    day = workday(day)
    return datetime.combine(day, time(r.choice([9, 9, 10, 10, 11, 14, 14, 15, 16, 17]), r.choice([0, 15, 30, 45])))


def people(c: Cust, r: random.Random, staff: str, k: int = 1) -> list[str]:
    if c.type == "individual":
        return [staff, c.name]
    names = [x["name"] for x in build_contacts(c)]
    return [staff, *r.sample(names, min(k, len(names)))]


def contact_of(c: Cust, r: random.Random, senior: bool = True) -> str:
    if c.type == "individual":
        return c.name
    cs = build_contacts(c)
    x = r.choice(cs if senior or len(cs) == 1 else cs[1:])
    return (
        f"{x['position']}{x['name']}"
        if not x["position"].startswith(("IT", "CTO"))
        else f"{x['name']} ({x['position']})"
    )


EXPOS = {
    "manufacturing": ["中国国际机床展览会", "中国国际工业博览会"],
    "it": ["中国国际数字经济博览会"],
    "logistics": ["中国国际物流与供应链博览会"],
    "retail": ["中国零售业博览会"],
    "wholesale": ["中国零售业博览会"],
    "catering": ["中国餐饮供应链博览会"],
    "construction": ["中国国际建筑科技博览会"],
    "real_estate": ["中国国际建筑科技博览会"],
    "energy": ["中国国际储能大会"],
    "agriculture": ["中国国际农业机械展览会"],
    "finance": ["金融科技论坛"],
    "healthcare": ["中国国际医疗器械博览会"],
    "education": ["中国教育装备展示会"],
    "other": ["中国国际工业博览会"],
}
SERVICE_PRODUCTS = {"hospital", "it_ops", "consult", "exhibit"}


def delivered(c: Cust) -> str:
    if c.product in SERVICE_PRODUCTS:
        return "驻场团队进场, 完成现有系统巡检和工作交接, 服务正式启动; 双方确认了故障分级和响应流程。"
    if c.product == "mes":
        return "MES 一期部署上线, 实施顾问对车间班组长和计划员进行了培训, 试运行一个月后客户组织验收, 验收合格。"
    return f"{c.prod.short}到货并完成安装调试, 工程师对客户人员进行了现场培训, 客户组织验收, 验收合格。"


def bid_day(c: Cust) -> date:
    """When a government customer's tender was opened (开标): 24 days before signing, on a workday."""
    return workday(d(c.signed) - timedelta(days=24), forward=False)


def approval_day(c: Cust) -> date:
    spec = next((x for x in c.docs if x["doc_type"] == "project_approval"), None)
    return resolve_when(c, spec["when"]) if spec else bid_day(c) - timedelta(days=45)


def auto_notes(c: Cust) -> list[tuple]:
    """Communication records for customers without hand-written ones: a plausible path per stage."""
    r = rng_for("notes", c.id)
    p, ks, svc = c.prod, contracts(c), SERVICE_STAFF[c.office]
    first = d(c.first)
    events = []  # (priority, datetime, channel, participants, content, needs, feedback, by)

    def add(prio, day, channel, content, needs=None, feedback=None, by=None, k=1):
        who = by or c.owner
        events.append((prio, at(day, r), channel, people(c, r, who, k), content, needs, feedback, who))

    # first contact
    if c.type == "government":
        add(
            0,
            first,
            "meeting",
            f"参加{c.short}组织的{p.project}项目前期需求调研会, 与{contact_of(c, r)}交流了建设内容和预算范围。",
            p.need,
            f"项目需先报{c.superior}审批, 采购方式预计为{c.procurement}",
        )
    elif c.type == "individual":
        channel, text = r.choice(
            [
                ("wechat", f"{c.name}经朋友介绍加微信咨询{p.short}, 发送了产品资料和案例视频。"),
                ("phone", f"{c.name}来电咨询{p.short}的价格、交货和安装方式。"),
            ]
        )
        add(0, first, channel, text, p.need, r.choice(["希望先看实物或视频再决定", "预算有限, 问能否分期付款", None]))
    else:
        channel, text = r.choice(
            [
                ("phone", f"{contact_of(c, r)}来电咨询{p.short}, 介绍了我司主要型号、交付周期和售后网点分布。"),
                (
                    "meeting",
                    f"在{r.choice(EXPOS[c.industry])}上结识{contact_of(c, r)}, 介绍了{p.short}的应用案例, 交换了联系方式。",
                ),
                ("visit", f"经老客户介绍首次上门拜访{contact_of(c, r)}, 参观了现场, 了解其设备和业务现状。"),
            ]
        )
        add(
            0,
            first,
            channel,
            text,
            p.need,
            r.choice(["希望先看同行业案例", "对价格比较敏感, 要求提供分项报价", "需要内部立项后才能推进", None]),
        )

    sign = d(c.signed) if c.signed else None
    # quotation / bid
    quote_day = None
    if sign and c.type == "government":
        quote_day = bid_day(c)
    elif sign:
        quote_day = max(first + timedelta(days=7), sign - timedelta(days=r.randint(15, 40)))
        if quote_day >= sign:
            quote_day = None
    elif first + timedelta(days=25) < RECENT_TO - timedelta(days=20):
        quote_day = first + timedelta(days=r.randint(18, 45))
    if quote_day:
        if c.type == "government" and sign:
            add(
                2,
                quote_day,
                "meeting",
                f"项目已获{issuer_of(c)}批复, 我方参加{c.procurement.split('-')[-1]}, "
                f"提交了{p.project}项目投标文件并进行了方案讲解。",
                None,
                "评审专家关注售后驻点和培训安排",
            )
        elif c.type == "individual":
            channel, text, fb = r.choice(
                [
                    (
                        "wechat",
                        f"把报价单和安装效果图发给{c.name}, 确认了尺寸、数量和上门安装时间。",
                        "觉得价格还能再谈, 想等促销",
                    ),
                    (
                        "visit",
                        f"上门查看{c.name}的场地, 量好尺寸, 讲解了使用和保养要点。",
                        "对方案满意, 让尽快出正式报价",
                    ),
                ]
            )
            add(2, quote_day, channel, text, None, fb)
        else:
            channel, text, fb = r.choice(
                [
                    (
                        "email",
                        f"按客户要求发送《{p.project}》报价单, 付款方式为预付 30%、到货 60%、验收后 10%。",
                        r.choice(
                            [
                                "认为报价偏高, 希望再优惠 5%",
                                "技术方案基本认可, 等待内部审批",
                                "要求补充售后服务条款和备件价格",
                            ]
                        ),
                    ),
                    (
                        "visit",
                        f"上门进行技术交流并勘察现场, 与{contact_of(c, r, senior=False)}确认技术参数、安装条件和交付计划。",
                        "对方案认可, 要求尽快给出正式报价",
                    ),
                ]
            )
            add(2, quote_day, channel, text, None, fb)
    if sign:
        k = ks[1]
        if c.type == "government":
            text = f"收到中标通知后签订《{k.project}合同》{k.number}, 合同金额 {fmt_money(k.amount)} 元。"
        elif c.type == "individual":
            text = f"与{c.name}签订《{k.project}合同》{k.number}, 金额 {fmt_money(k.amount)} 元, 约定上门安装。"
        else:
            text = f"签订《{k.project}合同》{k.number}, 合同金额 {fmt_money(k.amount)} 元, 约定 {r.choice([30, 45, 60])} 天内交付。"
        add(0, sign, "meeting" if c.type != "individual" else r.choice(["visit", "meeting"]), text, k=2)
        delivery = sign + timedelta(days=r.randint(30, 60))
        if delivery < RECENT_TO - timedelta(days=10):
            add(
                3,
                delivery,
                "visit",
                delivered(c),
                None,
                r.choice(["对安装进度满意", "希望操作手册提供电子版", "要求再安排一次操作培训"]),
                by=svc,
            )
    if c.stable:
        stable = d(c.stable)
        k2 = ks.get(2)
        text = (
            "双方总结首年合作情况"
            + (f", 签订《{k2.project}》合同 {k2.number}" if k2 and k2.date == stable else "")
            + ", 转为长期合作。"
        )
        add(1, stable, "meeting", text, p.plan, p.feedback, k=2)
        issue_day = stable + timedelta(days=r.randint(90, 240))
        if issue_day < RECENT_FROM - timedelta(days=20):
            add(
                4,
                issue_day,
                r.choice(["phone", "wechat"]),
                f"客户反映{p.issue}。已登记售后工单, 安排工程师 24 小时内到场处理。",
                None,
                "处理及时, 问题已解决",
                by=svc,
            )
    # the most recent contact (active customers have one within the last six months)
    last = max(e[1].date() for e in events)
    if c.status == "active" and last < RECENT_FROM:
        lo = max(RECENT_FROM, last + timedelta(days=14))
        day = lo + timedelta(days=r.randint(0, max(0, (RECENT_TO - lo).days)))
        if c.stage == "potential" and c.type == "individual":
            channel, text, fb = r.choice(
                [
                    (
                        "wechat",
                        f"跟进: {c.name}还在对比两家的价格, 我方同意赠送一年免费保养, 约定本月内答复。",
                        "倾向我方, 但要和家人商量",
                    ),
                    ("phone", f"{c.name}来电问新款的到货时间, 已发送新款资料。", None),
                ]
            )
            add(1, day, channel, text, None, fb, k=1)
        elif c.stage == "potential":
            channel, text, fb = r.choice(
                [
                    (
                        "wechat",
                        "跟进报价进展: 客户已完成内部比价, 我方报价排名第二, 约定下周再做一次技术交流。",
                        "希望在交货期上更有优势",
                    ),
                    (
                        "phone",
                        f"跟进: 客户预算已批, 预计{(day.month + 1) % 12 + 1}月底前确定供应商; 已安排方案演示。",
                        None,
                    ),
                    ("email", "按客户要求补充提交了同行业案例和售后服务承诺书。", "资料已转给决策层"),
                ]
            )
            add(1, day, channel, text, None, fb, k=1)
        else:
            channel, text = r.choice(
                [
                    ("phone", f"季度回访: {p.short}运行正常, 了解客户下一年度的采购计划。"),
                    (
                        "visit",
                        f"上门拜访{contact_of(c, r)}, 沟通"
                        + (f" {day.year + 1} 年" if day.month >= 9 else "下半年")
                        + "合作计划。",
                    ),
                ]
            )
            add(1, day, channel, text, p.plan, p.feedback, by=r.choice([c.owner, svc]))
    events.sort(key=lambda e: e[1])
    while len(events) > 5:  # keep first contact, signing, stable and latest; drop the least important
        drop = max(range(len(events)), key=lambda i: (events[i][0], -i))
        events.pop(drop)
    return [e[1:] for e in events]


def notes_for(c: Cust) -> list[dict]:
    if c.notes is not None:
        raw = [(datetime.strptime(n[0], "%Y-%m-%d %H:%M"), *n[1:6], n[6] or n[2][0]) for n in c.notes]
    else:
        raw = auto_notes(c)
    out = []
    for when, channel, who, content, needs, feedback, by in raw:
        out.append(
            {
                "time": when,
                "channel": channel,
                "participants": who,
                "content": content,
                "needs": needs,
                "feedback": feedback,
                "by": by,
            }
        )
    return out


def deals_for(c: Cust) -> list[dict]:
    if c.deals is not None:
        return [{"date": d(x[0]), "amount": x[1], "product": x[2], "contract": x[3], "by": x[4]} for x in c.deals]
    r = rng_for("deals", c.id)
    ks = contracts(c)
    out = []
    for k in ks.values():
        out.append(
            {
                "date": workday(k.date),
                "amount": f"{k.amount:.2f}",
                "product": k.summary() if k.which == 1 else k.project,
                "contract": k.number,
                "by": c.owner,
            }
        )
    if c.stable:
        day = d(c.stable) + timedelta(days=365 + r.randint(-10, 20))
        while day < TODAY - timedelta(days=20) and len(out) < 4:
            out.append(
                {
                    "date": workday(day),
                    "amount": c.prod.service[1],
                    "product": f"{c.prod.service[0]} ({day.year} 年度)",
                    "contract": ks[2].number if 2 in ks else None,
                    "by": r.choice([c.owner, SERVICE_STAFF[c.office]]),
                }
            )
            day += timedelta(days=365)
    elif c.signed and r.random() < 0.4:
        day = d(c.signed) + timedelta(days=r.randint(120, 200))
        if day < TODAY - timedelta(days=20):
            spare = money(ks[1].amount * Decimal("0.04")).quantize(Decimal("100"))
            out.append(
                {
                    "date": workday(day),
                    "amount": f"{spare:.2f}",
                    "product": "备品备件及耗材",
                    "contract": None,
                    "by": c.owner,
                }
            )
    out.sort(key=lambda x: x["date"])
    return out[:4]


# --- document content (a small block model rendered to PDF / DOCX / XLSX / TXT / MD / CSV) -----
# blocks: ("title", s) ("sub", s) ("h", s) ("p", s) ("kv", [(k, v)]) ("table", header, rows)
#         ("sign", [left lines], [right lines]) ("sheet", name)


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


def doc_contract(x: Ctx):
    c, k = x.c, x.contract
    rows, total = item_rows(k.items)
    days = 45 if k.which == 1 else 15
    kv = [("合同编号", k.number), ("甲方 (买方)", party(c))]
    if c.type == "individual":
        kv.append(("甲方身份证号", masked_id(id_number(c))))
    kv += [("乙方 (卖方)", x.our), ("签订地点", x.city), ("签订日期", cn_date(k.date))]
    if c.type == "government":
        pay = "本项目资金为财政性资金。货物验收合格后, 甲方按财政国库集中支付流程在 30 日内支付合同总额的 95%, 余款 5% 作为质量保证金, 质保期满无质量问题后一次付清。"
    elif c.type == "individual":
        pay = (
            "合同签订后 3 日内甲方支付合同总额的 50%, 安装调试完成并经甲方确认后支付剩余 50%。乙方按甲方要求开具发票。"
        )
    else:
        pay = "合同签订后 7 个工作日内甲方支付合同总额的 30% 作为预付款; 货到现场支付 60%; 验收合格后支付剩余 10%。乙方在每次收款前开具等额增值税专用发票。"
    blocks = [
        ("title", f"{k.project}合同"),
        ("kv", kv),
        (
            "p",
            f"根据《中华人民共和国民法典》及相关法律法规, 甲乙双方本着平等自愿、诚实信用的原则, 经协商一致, 就{k.project}事宜订立本合同, 共同遵守。",
        ),
        ("h", "第一条 产品 (服务) 名称、规格、数量及价款"),
        ("table", ITEM_HEADER, rows),
        ("p", f"合同总金额 (含 13% 增值税): 人民币{rmb_upper(total)} (¥{fmt_money(total)})。"),
        ("h", "第二条 交货时间、地点及方式"),
        (
            "p",
            f"乙方应于合同签订后 {days} 日内将货物送达甲方指定地点 ({c.address}), 并负责安装调试; 服务类项目自合同签订之日起开始提供服务。",
        ),
        ("h", "第三条 质量标准及验收"),
        (
            "p",
            "产品应符合国家标准、行业标准及双方确认的技术协议。甲方应在安装调试完成后 7 个工作日内组织验收, 逾期未提出书面异议的, 视为验收合格。",
        ),
        ("h", "第四条 付款方式"),
        ("p", pay),
        ("h", "第五条 售后服务"),
        (
            "p",
            "质保期 12 个月, 自验收合格之日起计算。质保期内乙方接到报修后 4 小时内响应, 24 小时内到场; 质保期外乙方提供有偿维修服务, 备件按成本价供应。",
        ),
        ("h", "第六条 违约责任"),
        (
            "p",
            "乙方逾期交货的, 每逾期一日按逾期部分货款的万分之五向甲方支付违约金; 逾期超过 30 日的, 甲方有权解除合同。甲方逾期付款的, 按同样标准向乙方支付违约金。",
        ),
        ("h", "第七条 争议解决"),
        ("p", "因本合同引起的争议, 双方应友好协商解决; 协商不成的, 任何一方可向合同签订地人民法院提起诉讼。"),
        ("h", "第八条 其他"),
        (
            "p",
            "本合同一式四份, 双方各执两份, 自双方签字盖章之日起生效。未尽事宜, 双方可另行签订补充协议, 补充协议与本合同具有同等法律效力。",
        ),
        (
            "sign",
            [
                f"甲方 (盖章): {party(c)}",
                f"代表签字: {c.name if c.type == 'individual' else c.legal_rep}",
                f"日期: {cn_date(k.date)}",
            ],
            [f"乙方 (盖章): {x.our}", f"代表签字: {c.owner}", f"日期: {cn_date(k.date)}"],
        ),
    ]
    return f"{k.project}合同", blocks


SUPPLEMENTS = {
    "BJ-000001": [
        "甲方追加采购数控车床 CK6150×1000 两台, 单价 168,000.00 元, 合计 336,000.00 元, 乙方应于 2024 年 9 月 30 日前交付。",
        "原合同及本次追加设备的质保期由 12 个月延长至 18 个月。",
        "乙方每次交货前 7 日书面通知甲方; 如预计延误, 应至少提前 7 日书面说明原因及新的交货日期。",
    ],
    "SH-000001": [
        "乙方为甲方增加三坐标测量机操作及编程培训 2 期, 每期 3 天, 培训费用已包含在原合同价款中。",
        "精密电火花成型机的验收标准补充为: 加工表面粗糙度 Ra≤0.4μm。",
        "原合同其他条款不变。",
    ],
}


def doc_supplement(x: Ctx):
    c, k = x.c, x.contract
    clauses = SUPPLEMENTS.get(c.id, ["原合同交货期顺延 15 日。", "原合同其他条款不变。"])
    blocks = [
        ("title", "补充协议"),
        (
            "kv",
            [
                ("协议编号", f"{k.number}-BC01"),
                ("主合同编号", k.number),
                ("甲方", party(c)),
                ("乙方", x.our),
                ("签订日期", cn_date(x.date)),
            ],
        ),
        (
            "p",
            f"鉴于甲乙双方于 {cn_date(k.date)} 签订了《{k.project}合同》(编号 {k.number}, 以下简称“原合同”), 现经友好协商, 就以下事项达成补充协议:",
        ),
    ]
    blocks += [("p", f"{'一二三四五'[i]}、{t}") for i, t in enumerate(clauses)]
    blocks += [
        (
            "p",
            "本补充协议是原合同不可分割的组成部分, 与原合同具有同等法律效力; 本补充协议与原合同不一致的, 以本补充协议为准。",
        ),
        (
            "sign",
            [f"甲方 (盖章): {party(c)}", f"日期: {cn_date(x.date)}"],
            [f"乙方 (盖章): {x.our}", f"日期: {cn_date(x.date)}"],
        ),
    ]
    return "补充协议", blocks


def doc_quotation(x: Ctx):
    c = x.c
    items = x.spec.get("items") or [
        (n, s, u, f"{money(p) * Decimal('1.04'):.0f}.00", q) for n, s, u, p, q in c.prod.items
    ]
    rows, total = item_rows(items)
    blocks = [
        ("title", "报 价 单"),
        (
            "kv",
            [
                ("报价编号", f"QT-{c.office}-{ymd(x.date)}-{c.seq:02d}"),
                ("客户名称", c.name),
                ("联系人", f"{x.contact['name']} ({x.contact['position']})"),
                ("报价日期", x.date.isoformat()),
                ("报价有效期", "30 天"),
                ("报价单位", x.our),
                ("联系电话", OUR_PHONE[c.office]),
            ],
        ),
        ("table", ITEM_HEADER, rows),
        ("p", f"报价合计: 人民币{rmb_upper(total)} (¥{fmt_money(total)})"),
        (
            "p",
            "说明: 1. 以上报价含 13% 增值税及运输、安装调试费用; 2. 交货期为合同签订后 45 天; "
            "3. 付款方式: 预付 30%, 到货 60%, 验收合格后 10%; 4. 质保 12 个月, 终身维护。",
        ),
        ("p", f"报价人: {c.owner}    审核: {next(s for s in STAFF[c.office] if s != c.owner)}"),
    ]
    return "报价单", blocks


def doc_statement(x: Ctx):
    c, r = x.c, x.r
    end = x.date
    start = (
        date(end.year, 1, 1)
        if "上半年" in x.spec.get("title", "")
        else date(end.year, end.month - 2, 1)
        if "季度" in x.spec.get("title", "")
        else date(end.year, end.month, 1)
    )
    balance = money(r.randint(20, 90) * 1000)
    rows = [[start.isoformat(), "", "期初余额", "", "", balance]]
    day = start
    for i in range(r.randint(3, 5)):
        day = min(end, day + timedelta(days=r.randint(6, 25)))
        if i % 2 == 0:
            amount = money(r.randint(8, 60) * 1000 + r.choice([0, 500]))
            balance += amount
            rows.append(
                [
                    day.isoformat(),
                    f"XS{day:%Y%m%d}{i + 1:02d}",
                    r.choice(["发货开票", "维保服务费", "备件销售"]),
                    amount,
                    "",
                    balance,
                ]
            )
        else:
            amount = min(balance, money(r.randint(10, 70) * 1000))
            balance -= amount
            rows.append([day.isoformat(), f"SK{day:%Y%m%d}{i + 1:02d}", "银行转账收款", "", amount, balance])
    rows.append([end.isoformat(), "", "期末余额", "", "", balance])
    blocks = [
        ("title", "对 账 单"),
        ("sub", f"对账期间: {start.isoformat()} 至 {end.isoformat()}"),
        ("kv", [("客户名称", c.name), ("客户编号", c.id), ("币种", "人民币 (元)"), ("编制单位", x.our)]),
        ("table", ["日期", "单据号", "摘要", "本期应收(元)", "本期已收(元)", "余额(元)"], rows),
        ("p", f"截至 {end.isoformat()}, 贵司尚欠我司货款人民币{rmb_upper(balance)} (¥{fmt_money(balance)})。"),
        ("p", "请贵司于收到本对账单后 7 个工作日内核对, 如无异议请盖章回传; 逾期未回复视为确认。"),
        (
            "sign",
            [f"对账单位 (盖章): {x.our}", f"经办人: {SERVICE_STAFF[c.office]}"],
            [f"客户确认 (盖章): {c.name}", "经办人:"],
        ),
    ]
    return "对账单", blocks


def doc_financial(x: Ctx):
    c, r = x.c, x.r
    scale = {"small": 800, "medium": 6000, "large": 60000}[c.size]  # 万元
    rev = money(scale * r.uniform(0.9, 1.3))
    prev = money(rev / Decimal(str(r.uniform(1.02, 1.2))))

    def pl(v):
        cost, sell, admin, fin = v * Decimal("0.72"), v * Decimal("0.06"), v * Decimal("0.08"), v * Decimal("0.01")
        profit = v - cost - sell - admin - fin
        tax = profit * Decimal("0.15")
        return [
            money(v),
            money(cost),
            money(sell),
            money(admin),
            money(fin),
            money(profit),
            money(tax),
            money(profit - tax),
        ]

    now, before = pl(rev), pl(prev)
    names = [
        "一、营业收入",
        "减: 营业成本",
        "销售费用",
        "管理费用",
        "财务费用",
        "二、利润总额",
        "减: 所得税费用",
        "三、净利润",
    ]

    def bs(v):
        cash, recv, stock, fixed = v * Decimal("0.18"), v * Decimal("0.22"), v * Decimal("0.15"), v * Decimal("0.55")
        assets = cash + recv + stock + fixed
        loan, pay = v * Decimal("0.20"), v * Decimal("0.18")
        debt = loan + pay
        return [
            money(cash),
            money(recv),
            money(stock),
            money(fixed),
            money(assets),
            money(loan),
            money(pay),
            money(debt),
            money(assets - debt),
            money(assets),
        ]

    b_now, b_prev = bs(rev * Decimal("1.1")), bs(prev * Decimal("1.1"))
    bnames = [
        "货币资金",
        "应收账款",
        "存货",
        "固定资产",
        "资产总计",
        "短期借款",
        "应付账款",
        "负债合计",
        "所有者权益合计",
        "负债和所有者权益总计",
    ]
    year = x.date.year - 1
    blocks = [
        ("sheet", "资产负债表"),
        ("title", f"{c.name} 资产负债表 (摘要)"),
        ("sub", f"{year} 年 12 月 31 日    单位: 万元"),
        ("table", ["项目", "期末余额", "年初余额"], [[n, a, b] for n, a, b in zip(bnames, b_now, b_prev, strict=True)]),
        ("sheet", "利润表"),
        ("title", f"{c.name} 利润表 (摘要)"),
        ("sub", f"{year} 年度    单位: 万元"),
        ("table", ["项目", "本年金额", "上年金额"], [[n, a, b] for n, a, b in zip(names, now, before, strict=True)]),
        ("p", "资料来源: 客户提供 / 公开年报; 仅供财务部及管理层评估授信使用, 不得外传。"),
    ]
    return "财务报表", blocks


COMPLAINTS = {
    "BJ-000001": (
        "产品质量 / 交货延误",
        "立式加工中心 VMC850 主轴高速运转时有明显异响; 报修后所需主轴轴承备件 12 天才到货, 影响客户一条产线生产。",
        "主轴前端轴承润滑不良导致早期磨损; 备件供应商缺货, 我方未及时告知客户预计到货时间。",
        "更换主轴轴承并重新做动平衡; 提供备用设备一周; 承诺今后备件延误提前书面告知; 赠送一次全面保养。",
        "设备恢复正常, 加工精度复检合格。",
        "接受处理方案, 要求在维保合同中写明响应时限。",
    ),
    "BJ-000008": (
        "交货延迟",
        "框架协议第二批 3 台数控车床约定 2025 年 6 月 4 日交货, 实际 7 月 19 日才到货, 延迟 45 天, 导致客户两笔出口订单违约。",
        "主轴供应商断货, 我方生产计划未及时调整, 也未提前通知客户。",
        "书面致歉; 按合同第六条计付违约金; 第三批设备优先排产并每周通报进度。",
        "违约金计入结算; 第三批交期仍存在风险。",
        "客户非常不满, 表示如第三批再延误将解除协议。",
    ),
    "SH-000008": (
        "产品质量",
        "12 家门店的自助收银机扫码枪在高峰期识别率下降, 顾客需多次扫码, 排队投诉增加。",
        "新版会员码为动态高密度二维码, 原扫码模组解码能力不足。",
        "免费为 30 台自助收银机更换高性能扫码模组; 升级解码固件; 门店高峰期派驻工程师巡检两周。",
        "更换后识别率恢复到 99.5% 以上。",
        "满意, 要求新开门店直接使用新模组。",
    ),
}


def doc_complaint(x: Ctx):
    c = x.c
    kind, what, why, how, result, opinion = COMPLAINTS[c.id]
    contact = x.contact
    kv = [
        ("投诉编号", f"TS-{x.date.year}-{x.r.randint(10, 99):03d}"),
        ("客户名称", c.name),
        ("客户编号", c.id),
        ("投诉人", f"{contact['name']} ({contact['position']})"),
        ("联系电话", contact["phones"][0]),
        ("受理日期", x.date.isoformat()),
        ("受理人", SERVICE_STAFF[c.office]),
        ("投诉类别", kind),
        ("投诉内容", what),
        ("原因分析", why),
        ("处理措施", how),
        ("处理结果", result),
        ("客户意见", opinion),
        ("回访日期", (x.date + timedelta(days=7)).isoformat()),
        ("负责人", c.owner),
    ]
    return "客户投诉处理单", [
        ("title", "客户投诉处理单"),
        ("kv", kv),
        ("sign", [f"受理人: {SERVICE_STAFF[c.office]}"], [f"客户确认: {contact['name']}"]),
    ]


def doc_followup(x: Ctx):
    c, r = x.c, x.r
    scores = [
        ("产品质量", r.choice([4, 5, 5])),
        ("交货及时性", 3 if c.id == "BJ-000008" else r.choice([4, 5])),
        ("售后响应速度", r.choice([4, 5])),
        ("服务态度", 5),
        ("价格满意度", r.choice([3, 4])),
    ]
    contact = x.contact
    kv = [
        ("客户名称", c.name),
        ("客户编号", c.id),
        ("回访日期", x.date.isoformat()),
        ("回访方式", r.choice(["电话回访", "上门回访"])),
        ("回访人", SERVICE_STAFF[c.office]),
        ("被访人", f"{contact['name']} ({contact['position']})"),
    ]
    advice = (
        "希望交货期能再提前一些, 每批发货前提前通知。"
        if c.id == "BJ-000008"
        else r.choice(["希望增加一次操作培训。", "建议售后工程师到场前先电话确认故障情况, 带齐备件。", "暂无意见。"])
    )
    blocks = [
        ("title", "客户回访表"),
        ("kv", kv),
        ("table", ["评价项目", "评分 (5 分制)", "说明"], [[k, v, "满意" if v >= 4 else "一般"] for k, v in scores]),
        ("p", f"客户意见及建议: {advice}"),
        ("p", f"后续跟进: {c.prod.plan}; 由{c.owner}跟进。"),
    ]
    return "客户回访表", blocks


def doc_ticket(x: Ctx):
    c, r = x.c, x.r
    rows = []
    day = x.date - timedelta(days=80)
    faults = [
        (c.prod.issue, "已修复"),
        ("定期保养", "已完成保养"),
        ("操作不当导致报警", "已现场指导, 恢复正常"),
        ("易损件磨损", "已更换配件"),
        (c.prod.issue.split(",")[0] + " (复发)", "已远程处理"),
    ]
    if c.product in SERVICE_PRODUCTS or c.product in ("mes", "server", "server_s", "small_server"):
        faults[1:4] = [("系统例行巡检", "已完成"), ("用户权限调整", "已远程处理"), ("数据备份恢复演练", "已完成")]
    for i in range(r.randint(3, 5)):
        day = min(x.date - timedelta(days=2), day + timedelta(days=r.randint(8, 25)))
        done = day + timedelta(days=r.choice([0, 1, 1, 2]))
        fault, result = faults[i]
        rows.append(
            [
                f"GD{day:%Y%m%d}{i + 1:02d}",
                c.id,
                day.isoformat(),
                c.prod.items[0][1],
                fault,
                SERVICE_STAFF[c.office],
                result,
                done.isoformat(),
                "已关闭",
            ]
        )
    header = ["工单号", "客户编号", "报修日期", "设备型号", "故障描述", "处理人", "处理结果", "完成日期", "状态"]
    return "售后工单", [
        ("title", f"售后工单 — {c.name}"),
        ("table", header, rows),
        ("p", "说明: 工单由客服系统导出, 处理结果以工程师现场服务报告为准。"),
    ]


def doc_minutes(x: Ctx):
    c = x.c
    if c.id == "BJ-000001":
        topic, place = "交货延误及合同条款协调会", "客户二楼会议室"
        attendees = "曾国平、单晓燕、解明 (客户); 张伟、王芳 (华信集团)"
        issues = [
            "VMC850 主轴异响投诉 (投诉处理单 2025-04-10) 的处理结果确认;",
            "主轴备件晚到 12 天的原因及整改;",
            "2025 年度维保合同 (HT-2025-031) 执行细则及补充协议条款。",
        ]
        decisions = [
            "客户确认主轴异响问题已解决, 投诉结案;",
            "我方今后备件预计延误超过 3 天的, 须提前书面告知;",
            "维保响应时限: 4 小时响应、24 小时到场, 写入维保执行细则;",
            "交货延误违约金标准仍按原合同第六条执行。",
        ]
        follow = [
            ["出具维保执行细则", "张伟", "2025-04-25"],
            ["建立主轴备件安全库存", "王芳", "2025-05-15"],
            ["一个月后回访投诉处理效果", "王芳", "2025-05-16"],
        ]
    else:
        topic, place = "MES 项目需求评审会", "客户行政楼 3 楼会议室"
        names = "、".join(ct["name"] for ct in build_contacts(c))
        attendees = f"{names} (客户); {c.owner}、刘洋 (华信集团); 实施顾问 2 人"
        issues = ["一期范围: 工单管理、报工、质量追溯、设备联网;", "与现有 ERP 的接口方式;", "上线时间和验收标准。"]
        decisions = [
            "一期覆盖 SMT 与组装两个车间, 40 台采集终端;",
            "ERP 接口采用中间库方式, 客户 IT 负责提供视图;",
            "2025 年 10 月底前一期上线, 试运行一个月后验收。",
        ]
        follow = [
            ["输出需求规格说明书", c.owner, "2025-06-10"],
            ["提供 ERP 接口视图", names.split("、")[-1], "2025-06-15"],
            ["确定合同条款并签约", c.owner, "2025-06-20"],
        ]
    blocks = (
        [
            ("title", "会议纪要"),
            (
                "kv",
                [
                    ("会议主题", topic),
                    ("会议时间", f"{x.date.isoformat()} 09:30—11:30"),
                    ("会议地点", place),
                    ("主持人", c.owner),
                    ("参会人员", attendees),
                    ("记录人", SERVICE_STAFF[c.office] if c.office == "BJ" else c.owner),
                ],
            ),
            ("h", "一、会议议题"),
        ]
        + [("p", f"{i}. {t}") for i, t in enumerate(issues, 1)]
        + [("h", "二、议定事项")]
        + [("p", f"{i}. {t}") for i, t in enumerate(decisions, 1)]
        + [("h", "三、后续跟进"), ("table", ["事项", "责任人", "完成时限"], follow)]
    )
    return "会议纪要", blocks


def issuer_of(c: Cust) -> str:
    return c.name.replace("教育局", "财政局") if c.uscc_style == "organ" else c.superior


DOC_NO = {
    "BJ-000016": "丰教装〔2025〕27号",
    "BJ-000017": "安财教〔2023〕41号",
    "BJ-000019": "房农发〔2025〕19号",
    "SH-000016": "闵教发〔2023〕58号",
    "SH-000017": "吴财教〔2025〕36号",
}


def doc_approval(x: Ctx):
    c = x.c
    k = contracts(c).get(1)
    budget = money((k.amount if k else money(c.annual)) * Decimal("1.08")).quantize(Decimal("10000"))
    title = x.spec.get("title") or f"关于{c.name}{c.prod.project}项目的批复"
    blocks = [
        ("title", title),
        ("sub", DOC_NO.get(c.id, "")),
        ("p", f"{c.name}:"),
        ("p", f"你单位《关于申请{c.prod.project}项目的请示》收悉。经研究, 现批复如下:"),
        ("p", f"一、同意实施{c.prod.project}项目。建设内容主要包括: {c.prod.short}的采购、安装及配套服务。"),
        ("p", f"二、项目预算控制在人民币 {budget / 10000:.0f} 万元以内, 资金来源为区级财政专项资金, 专款专用。"),
        ("p", f"三、项目采购方式为{c.procurement}, 请严格按照政府采购有关规定组织实施, 做好采购意向公开和结果公告。"),
        ("p", "四、项目完成后, 请及时组织验收并将验收报告报我单位备案。"),
        ("p", "此复。"),
        ("sign", [], [issuer_of(c), cn_date(x.date)]),
    ]
    return title, blocks


def doc_procurement(x: Ctx):
    c = x.c
    k = contracts(c).get(1)
    pno = f"{c.office}ZC-{x.date.year}-{x.r.randint(100, 999)}"
    agency = (
        "北京正衡招标代理有限公司"
        if c.office == "BJ"
        else "江苏信和工程咨询有限公司"
        if c.region.startswith("32")
        else "四川明诚招标代理有限公司"
    )
    if c.stage == "potential":
        title = "政府采购意向公开"
        kv = [
            ("采购单位", c.name),
            ("采购项目名称", f"{c.prod.project}项目"),
            ("采购需求概况", c.prod.need),
            ("预算金额", f"{money(c.annual) / 10000:.0f} 万元"),
            ("预计采购时间", f"{x.date.year} 年 {min(12, x.date.month + 2)} 月"),
            (
                "备注",
                "本次公开的采购意向是本单位政府采购工作的初步安排, 具体采购项目情况以相关采购公告和采购文件为准。",
            ),
        ]
        return title, [("title", title), ("kv", kv), ("sign", [], [c.name, cn_date(x.date)])]
    if x.spec["ext"] == "pdf":
        title = "中标通知书"
        blocks = [
            ("title", title),
            ("sub", f"项目编号: {pno}"),
            ("p", f"{OUR_NAME['BJ']}:"),
            (
                "p",
                f"贵单位于 {cn_date(bid_day(c))} 参加的“{c.name}{k.project}项目”({c.procurement}) 投标, "
                f"经评标委员会评审并公示期满无异议, 确定贵单位为中标供应商, 中标金额为人民币{rmb_upper(k.amount)} (¥{fmt_money(k.amount)})。",
            ),
            ("p", "请贵单位自本通知书发出之日起 30 日内, 按照招标文件和投标文件的约定与采购人签订政府采购合同。"),
            ("kv", [("采购人", c.name), ("采购代理机构", agency), ("联系人", x.contact["name"])]),
            ("sign", [f"采购人: {c.name}"], [f"采购代理机构: {agency}", cn_date(x.date)]),
        ]
        return title, blocks
    title = x.spec.get("title") or "采购流程文件"
    bid, approved = bid_day(c), approval_day(c)
    steps = [
        [workday(approved - timedelta(days=30), False).isoformat(), "采购意向公开", "在政府采购网公开采购意向"],
        [approved.isoformat(), "项目批复", f"{issuer_of(c)}批复同意实施"],
        [
            workday(max(approved + timedelta(days=5), bid - timedelta(days=21))).isoformat(),
            "发布采购公告",
            f"采购方式: {c.procurement}; 代理机构: {agency}",
        ],
        [bid.isoformat(), "开标 / 评审", "5 家供应商参与, 评审专家 5 人"],
        [workday(bid + timedelta(days=3)).isoformat(), "结果公示", f"中标供应商: {OUR_NAME['BJ']}, 公示期 1 个工作日"],
        [workday(bid + timedelta(days=7)).isoformat(), "发出中标通知书", f"项目编号 {pno}"],
        [k.date.isoformat(), "签订合同", f"合同编号 {k.number}" + (" (计划)" if k.date > x.date else "")],
    ]
    blocks = [
        ("title", title),
        (
            "kv",
            [
                ("采购人", c.name),
                ("项目名称", k.project),
                ("项目编号", pno),
                ("预算金额", f"{fmt_money(money(k.amount * Decimal('1.08')).quantize(Decimal('10000')))} 元"),
                ("采购方式", c.procurement),
            ],
        ),
        ("table", ["日期", "环节", "说明"], steps),
        ("p", "附: 采购公告、评审报告、中标公告及中标通知书原件存采购人档案室; 本表由我方项目经理整理归档。"),
    ]
    return title, blocks


def doc_termination(x: Ctx):
    c = x.c
    penalty = money(Decimal("504000") * Decimal("0.0005") * 45 + Decimal("336000") * Decimal("0.0005") * 30)
    k2 = contracts(c)[2]
    blocks = [
        ("title", "终止协议"),
        ("kv", [("协议编号", f"{k2.number}-ZZ01"), ("甲方", c.name), ("乙方", x.our), ("签订日期", cn_date(x.date))]),
        (
            "p",
            f"鉴于: 1. 甲乙双方于 {cn_date(k2.date)} 签订《年度框架采购协议》(编号 {k2.number}); "
            "2. 乙方在该协议项下第二批、第三批数控车床分别延迟 45 日和 30 日交付, 构成协议约定的逾期交货。"
            "经双方友好协商, 就终止合作事宜达成如下协议:",
        ),
        ("p", f"第一条 自 {cn_date(x.date)} 起终止上述框架协议, 尚未下达的订单不再执行。"),
        ("p", "第二条 已交付设备的质保义务按原协议继续履行至质保期满。"),
        (
            "p",
            f"第三条 乙方应付逾期交货违约金人民币{rmb_upper(penalty)} (¥{fmt_money(penalty)}), 从甲方应付尾款中直接抵扣。",
        ),
        ("p", "第四条 双方按本协议结清款项后, 就框架协议不再有其他争议。"),
        ("p", "第五条 本协议一式四份, 双方各执两份, 自双方签字盖章之日起生效。"),
        (
            "sign",
            [f"甲方 (盖章): {c.name}", f"法定代表人: {c.legal_rep}", f"日期: {cn_date(x.date)}"],
            [f"乙方 (盖章): {x.our}", f"授权代表: {c.owner}", f"日期: {cn_date(x.date)}"],
        ),
    ]
    return "终止协议", blocks


def doc_settlement(x: Ctx):
    c = x.c
    if c.id == "BJ-000008":
        penalty = money(Decimal("16380"))
        rows = [
            ["框架协议第二、三批合同金额", money(840000)],
            ["甲方已付款", money(756000)],
            ["逾期交货违约金 (抵扣)", penalty],
            ["甲方应付尾款", money(840000 - 756000) - penalty],
            ["本次实付", money(840000 - 756000) - penalty],
        ]
    else:
        rows = [["合同金额 (含追加)", money(320000)], ["甲方已付款", money(320000)], ["应付尾款", money(0)]]
    blocks = [
        ("title", "结 算 证 明"),
        (
            "p",
            f"兹证明: {c.name}与{x.our}之间的合作 (合同编号 {contracts(c)[max(contracts(c))].number}) 已完成结算, 明细如下:",
        ),
        ("table", ["项目", "金额(元)"], rows),
        ("p", f"截至 {cn_date(x.date)}, 双方款项已全部结清, 无其他债权债务。"),
        ("sign", [f"甲方 (盖章): {c.name}"], [f"乙方 (盖章): {x.our}", cn_date(x.date)]),
    ]
    return "结算证明", blocks


def doc_payment(x: Ctx):
    c = x.c
    k = contracts(c)[1]
    amount = money(k.amount * Decimal("0.3"))
    kv = [
        ("回单类型", "网上银行电子回单"),
        ("交易日期", x.date.isoformat()),
        ("付款人", c.name),
        ("付款账号", "1100 **** **** 6618"),
        ("付款开户行", "工商银行北京国贸支行"),
        ("收款人", x.our),
        ("收款账号", "0200 **** **** 2109"),
        ("收款开户行", "建设银行北京上地支行"),
        ("金额", f"¥{fmt_money(amount)}"),
        ("金额大写", rmb_upper(amount)),
        ("用途", f"{k.number} 合同预付款 (30%)"),
        ("交易流水号", f"{x.date:%Y%m%d}{x.r.randint(10**9, 10**10 - 1)}"),
        ("回单验证码", f"{x.r.randint(10**7, 10**8 - 1)}"),
    ]
    return "电子回单", [
        ("title", "网上银行电子回单"),
        ("kv", kv),
        ("p", "本回单为电子回单, 可通过回单验证码在网上银行验证真伪; 重复打印无效。"),
    ]


def doc_credit(x: Ctx):
    c, r = x.c, x.r
    items = [
        ("付款及时率", 30, r.randint(24, 30), "近 12 个月平均回款周期 38 天"),
        ("合作年限", 15, r.randint(10, 15), f"自 {c.signed[:4]} 年起合作"),
        ("年采购规模", 20, r.randint(16, 20), f"年采购额约 {money(c.annual) / 10000:.0f} 万元"),
        ("财务状况", 20, r.randint(14, 19), "资产负债率适中, 经营现金流为正"),
        ("投诉及纠纷", 15, r.randint(12, 15), "无重大纠纷"),
    ]
    total = sum(s for _, _, s, _ in items)
    grade = "AAA" if total >= 90 else "AA" if total >= 80 else "A"
    blocks = [
        ("title", "客户信用评级报告"),
        (
            "kv",
            [
                ("评级对象", c.name),
                ("客户编号", c.id),
                ("评级日期", x.date.isoformat()),
                ("评级机构", "华信集团财务部 (内部评级)"),
                ("评级结果", f"{grade} ({total} 分)"),
                ("有效期至", date(x.date.year + 1, x.date.month, 28).isoformat()),
                ("建议授信额度", f"{fmt_money(money(c.annual) * Decimal('0.3'))} 元, 账期 60 天"),
            ],
        ),
        ("table", ["评价指标", "权重", "得分", "说明"], [[a, f"{b}%", s, t] for a, b, s, t in items]),
        ("p", f"结论: 客户信用状况良好, 评级 {grade}。建议维持现有账期, 每年复评一次。本报告仅限财务部及管理层使用。"),
    ]
    return "客户信用评级报告", blocks


def doc_satisfaction(x: Ctx):
    c, r = x.c, x.r
    questions = ["产品质量", "交货及时性", "安装调试", "培训效果", "售后响应", "服务态度", "价格合理性"]
    rows = []
    for q in questions:
        level = r.choice([0, 0, 1, 1, 1, 2]) if q != "价格合理性" else r.choice([1, 2])
        rows.append([q] + ["√" if i == level else "" for i in range(4)] + [""])
    blocks = [
        ("title", "客户满意度调查表"),
        (
            "kv",
            [
                ("客户名称", c.name),
                ("客户编号", c.id),
                ("调查日期", x.date.isoformat()),
                ("调查方式", "问卷 (客户填写)"),
                ("填表人", x.contact["name"]),
            ],
        ),
        ("table", ["调查项目", "非常满意", "满意", "一般", "不满意", "备注"], rows),
        ("p", f"总体评价: 满意。建议: {c.prod.plan}时希望提前沟通方案。"),
    ]
    return "客户满意度调查表", blocks


def doc_intent(x: Ctx):
    c = x.c
    blocks = [
        ("title", "采购意向书"),
        ("p", f"致: {x.our}"),
        (
            "p",
            f"{c.name}拟于 {x.date.year} 年内采购{c.prod.short}。经前期接洽和技术交流, 我方有意向与贵司合作, 现将有关意向说明如下:",
        ),
        ("p", f"一、采购内容: {c.prod.short} (具体配置以双方确认的技术方案为准)。"),
        ("p", f"二、预计预算: 人民币 {money(c.annual) / 10000 * Decimal('0.8'):.0f} 万元左右。"),
        ("p", f"三、需求说明: {c.prod.need}。"),
        ("p", "四、本意向书仅表达合作意向, 不构成正式合同, 双方权利义务以正式签订的合同为准。"),
        ("sign", [], [f"{c.name} (盖章)", cn_date(x.date)]),
    ]
    return "采购意向书", blocks


def doc_needs(x: Ctx):
    c = x.c
    rows = [
        ["1", c.prod.need, "高", "核心需求"],
        ["2", "交付周期短, 安装不影响正常生产/运营", "高", ""],
        ["3", "提供操作培训和本地化售后", "中", ""],
        ["4", "付款方式灵活", "中", "可分期"],
    ]
    blocks = [
        ("title", f"{c.name} 需求分析"),
        ("kv", [("客户编号", c.id), ("负责人", c.owner), ("日期", x.date.isoformat())]),
        ("h", "客户背景"),
        (
            "p",
            f"{c.name} ({c.short}) 位于{SCHEMA.region_label(c.region)}, "
            f"{SCHEMA.label('industry', c.industry) if c.industry else ''}{SCHEMA.label('size', c.size) if c.size else ''}客户。",
        ),
        ("h", "现状与痛点"),
        ("p", c.prod.need + "。"),
        ("h", "需求清单"),
        ("table", ["序号", "需求", "优先级", "备注"], rows),
        ("h", "初步方案"),
        ("p", f"推荐{c.prod.short}方案, 参考配置: " + "、".join(i[0] for i in c.prod.items) + "。"),
        ("h", "风险与下一步"),
        ("p", "竞争对手报价可能更低; 下一步安排技术交流和样板客户参观。"),
    ]
    return "需求分析", blocks


def doc_cooperation(x: Ctx):
    c = x.c
    deals = deals_for(c)
    by_year: dict[int, list] = {}
    for deal in deals:
        by_year.setdefault(deal["date"].year, []).append(money(deal["amount"]))
    rows = [[str(y), sum(v), len(v), "100%", 0] for y, v in sorted(by_year.items())]
    if c.id == "SH-000011":
        text = [
            ("h", "流失经过"),
            ("p", "2024 年 3 月年度协议到期, 客户以本地供应商报价低 12% 为由未续签; 我方当时未做价格复核和高层拜访。"),
            ("h", "回流原因"),
            ("p", "客户新供应商设备故障频发、售后响应慢; 叶总主动联系我方。"),
            ("h", "经验"),
            ("p", "价格敏感型小客户在协议到期前 2 个月应安排回访和方案复核; 回流后报价须经分公司经理审批。"),
        ]
    else:
        text = [("h", "结论"), ("p", f"合作稳定、回款及时, 建议列为重点客户, {c.prod.plan}的机会由{c.owner}跟进。")]
    blocks = [
        ("title", x.spec.get("title") or "合作分析"),
        ("kv", [("客户", c.name), ("客户编号", c.id), ("分析日期", x.date.isoformat())]),
        ("h", "历年交易"),
        ("table", ["年度", "成交金额(元)", "笔数", "回款及时率", "投诉次数"], rows),
    ] + text
    return "合作分析", blocks


EMAILS = {
    "BJ-000006": (
        "单文博 <shan.wenbo@brd.example.com>",
        "张伟 <zhangwei@huaxin.example.com>",
        "关于同城灾备机房建设的初步需求",
        [
            "张经理您好:",
            "",
            "我司计划明年上半年在亦庄建设同城灾备机房, 主要承载核心业务系统和数据库的灾备。",
            "初步需求: 服务器约 20 台, 存储容量不低于 500TB, 与主机房之间 RPO 不超过 15 分钟。",
            "请贵司在 8 月底前给出初步方案和预算, 9 月我们内部立项。",
            "",
            "谢谢!",
            "单文博",
            "IT 基础架构部",
        ],
    ),
    "BJ-000008": (
        "曾慧 <zeng.hui@qcjz.example.com>",
        "张伟 <zhangwei@huaxin.example.com>",
        "关于解除年度框架采购协议的通知",
        [
            "张伟经理:",
            "",
            "贵司在年度框架采购协议 (HT-2023-027) 项下第二批设备延迟 45 天交付, 第三批设备至今仍未到货,",
            "已严重影响我司生产和出口订单交付。根据协议第六条, 我司决定在第三批设备交付后解除该框架协议,",
            "请贵司于 3 月中旬前派人协商终止协议及结算事宜。",
            "",
            "济南泉城精密铸造有限公司 采购部",
            "曾慧",
        ],
    ),
    "SH-000014": (
        "陆文清 <lu.wenqing@pusheng.example.com>",
        "陈静 <chenjing@huaxin.example.com>",
        "咨询: 制造业数字化转型项目的投入产出",
        [
            "陈经理您好:",
            "",
            "我们投资的两家制造企业 (汽车零部件、注塑) 正在考虑数字化改造,",
            "想请贵司先做一个现状诊断, 重点评估 MES 和设备联网的投入产出, 以及实施周期。",
            "方便的话下周二下午来我们公司面谈。",
            "",
            "陆文清",
        ],
    ),
}


def doc_email(x: Ctx):
    sender, to, subject, body = EMAILS[x.c.id]
    header = [
        ("发件人", sender),
        ("收件人", to),
        ("日期", f"{x.date.isoformat()} {x.r.randint(9, 17)}:{x.r.choice(['05', '21', '38', '52'])}"),
        ("主题", subject),
    ]
    return subject, [("title", subject), ("kv", header)] + [("p", line) for line in body]


def doc_contacts(x: Ctx):
    rows = []
    for ct in x.contacts:
        mobiles = [p for p in ct["phones"] if not p.startswith("0")]
        lands = [p for p in ct["phones"] if p.startswith("0")]
        rows.append(
            [
                ct["name"],
                ct["position"],
                " ".join(mobiles),
                " ".join(lands),
                ct.get("email") or "",
                "是" if ct.get("decision_maker") else "否",
                x.c.id,
            ]
        )
    return "联系人信息表", [
        ("title", f"{x.c.name} 联系人信息表"),
        ("table", ["姓名", "职务", "手机", "座机", "邮箱", "是否决策人", "客户编号"], rows),
    ]


def doc_order(x: Ctx):
    c, r = x.c, x.r
    items = c.prod.items[:2]
    rows = []
    for i, (name, spec, unit, price, qty) in enumerate(items, 1):
        q = max(1, qty // 3)
        rows.append(
            [
                f"DD{x.date:%Y%m%d}{i:02d}",
                x.date.isoformat(),
                name,
                spec,
                unit,
                q,
                money(price),
                money(price) * q,
                (x.date + timedelta(days=r.choice([10, 15, 20]))).isoformat(),
            ]
        )
    return "订单", [
        ("title", f"采购订单 — {c.name}"),
        ("kv", [("客户编号", c.id), ("下单人", x.contact["name"])]),
        (
            "table",
            ["订单号", "下单日期", "产品名称", "规格型号", "单位", "数量", "单价(元)", "金额(元)", "要求到货日期"],
            rows,
        ),
    ]


def doc_preference(x: Ctx):
    c = x.c
    lines = [p.strip() for p in re.split(r"[;；]", c.preferences or "") if p.strip()]
    blocks = (
        [
            ("title", f"客户偏好记录 — {c.name}"),
            ("kv", [("客户编号", c.id), ("记录人", c.owner), ("更新日期", x.date.isoformat())]),
            ("h", "沟通偏好"),
        ]
        + [("p", "- " + line) for line in lines]
        + [
            ("h", "购买偏好"),
            ("p", f"- 关注: {c.prod.need}"),
            ("p", "- 决策快, 但需要看到实物或视频演示"),
            ("h", "注意事项"),
            ("p", "- 属于个人信息, 仅负责人和客服可查看, 不得外传"),
        ]
    )
    return "客户偏好记录", blocks


BUILDERS = {
    "contract": doc_contract,
    "supplement": doc_supplement,
    "quotation": doc_quotation,
    "statement": doc_statement,
    "financial_statement": doc_financial,
    "complaint": doc_complaint,
    "followup": doc_followup,
    "ticket": doc_ticket,
    "minutes": doc_minutes,
    "project_approval": doc_approval,
    "procurement": doc_procurement,
    "termination": doc_termination,
    "settlement": doc_settlement,
    "payment_voucher": doc_payment,
    "credit_rating": doc_credit,
    "satisfaction": doc_satisfaction,
    "intent": doc_intent,
    "needs_analysis": doc_needs,
    "cooperation_analysis": doc_cooperation,
    "email": doc_email,
    "contact_sheet": doc_contacts,
    "order": doc_order,
    "preference": doc_preference,
}


# --- writers ---------------------------------------------------------------------------------


def cell_text(v) -> str:
    if isinstance(v, Decimal):
        return fmt_money(v)
    return "" if v is None else str(v)


def epoch(day: date, hour: int = 10) -> int:
    """Seconds since 1970 for ``day`` at ``hour`` o'clock Beijing time (UTC+8)."""
    return int((datetime.combine(day, time(hour)) - datetime(1970, 1, 1, 8)).total_seconds())


_FONTS_READY = False


def pdf_fonts():
    global _FONTS_READY
    if not _FONTS_READY:
        from reportlab import rl_config
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        rl_config.invariant = 1
        pdfmetrics.registerFont(TTFont("WQY", FONT_FILE, subfontIndex=0))
        _FONTS_READY = True


def write_pdf(title: str, blocks: list, day: date, author: str) -> bytes:
    import os

    pdf_fonts()
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    base = ParagraphStyle("base", fontName="WQY", fontSize=10.5, leading=17, wordWrap="CJK")
    styles = {
        "title": ParagraphStyle("t", parent=base, fontSize=17, leading=26, alignment=TA_CENTER, spaceAfter=4),
        "sub": ParagraphStyle("s", parent=base, alignment=TA_CENTER, spaceAfter=6),
        "h": ParagraphStyle("h", parent=base, fontSize=11.5, leading=19, spaceBefore=6),
        "p": ParagraphStyle("p", parent=base, spaceAfter=3),
        "cell": ParagraphStyle("c", parent=base, fontSize=9, leading=13),
        "num": ParagraphStyle("n", parent=base, fontSize=9, leading=13, alignment=TA_RIGHT),
    }
    width = A4[0] - 40 * mm
    story = []
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
        ]
    )

    def para(v, style="cell"):
        return Paragraph(
            escape(cell_text(v)), styles["num" if isinstance(v, (Decimal, int)) and style == "cell" else style]
        )

    for block in blocks:
        kind = block[0]
        if kind in ("title", "sub", "h", "p"):
            if block[1]:
                story.append(Paragraph(escape(block[1]), styles[kind]))
        elif kind == "kv":
            rows = [[para(k), para(v)] for k, v in block[1]]
            t = Table(rows, colWidths=[32 * mm, width - 32 * mm])
            t.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                        ("BACKGROUND", (0, 0), (0, -1), colors.Color(0.95, 0.95, 0.95)),
                    ]
                )
            )
            story += [t, Spacer(1, 6)]
        elif kind == "table":
            header, rows = block[1], block[2]
            lens = [max(len(cell_text(r[i])) for r in [header, *rows]) + 2 for i in range(len(header))]
            total = sum(lens)
            widths = [width * n / total for n in lens]
            t = Table(
                [[para(h) for h in header]] + [[para(v) for v in r] for r in rows], colWidths=widths, repeatRows=1
            )
            t.setStyle(grid)
            story += [t, Spacer(1, 6)]
        elif kind == "sign":
            left, right = block[1], block[2]
            n = max(len(left), len(right))
            rows = [
                [para(left[i] if i < len(left) else "", "p"), para(right[i] if i < len(right) else "", "p")]
                for i in range(n)
            ]
            story += [Spacer(1, 14), Table(rows, colWidths=[width / 2, width / 2])]
    out = io.BytesIO()
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch(day))
    try:
        doc = SimpleDocTemplate(
            out,
            pagesize=A4,
            leftMargin=20 * mm,
            rightMargin=20 * mm,
            topMargin=18 * mm,
            bottomMargin=18 * mm,
            title=title,
            author=author,
            subject=title,
            creator="华信集团办公系统",
        )
        doc.build(story)
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
    return out.getvalue()


def write_image_pdf(jpeg: bytes, title: str, day: date) -> bytes:
    """A scanned page: the JPEG fills an A4 page, no text layer."""
    import os

    pdf_fonts()
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch(day, 16))
    try:
        cv = canvas.Canvas(out, pagesize=A4, invariant=1)
        cv.setTitle(title)
        cv.setCreator("Canon DR-C225 ScanSoft")
        cv.drawImage(ImageReader(io.BytesIO(jpeg)), 0, 0, width=A4[0], height=A4[1])
        cv.showPage()
        cv.save()
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
    return out.getvalue()


def fixed_zip(data: bytes, when: datetime) -> bytes:
    """Rewrite an OOXML zip with fixed entry timestamps (``when``, Beijing time) and core-property dates (UTC)."""
    stamp = (when - timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    lambda m: m.group(1) + stamp + m.group(3),
                    content,
                )
                content = re.sub(
                    rb"(<cp:lastPrinted>)[^<]*(</cp:lastPrinted>)", lambda m: m.group(1) + stamp + m.group(2), content
                )
            entry = zipfile.ZipInfo(
                info.filename, date_time=(when.year, when.month, when.day, when.hour, when.minute, 0)
            )
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            entry.create_system = 0
            dst.writestr(entry, content)
    return out.getvalue()


def write_docx(title: str, blocks: list, day: date, author: str) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")

    def run(paragraph, text, size=None, bold=False, font=None):
        r = paragraph.add_run(text)
        r.bold = bold
        if size:
            r.font.size = Pt(size)
        if font:
            r.font.name = font
            r._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
        return r

    def table(rows, header=True):
        t = doc.add_table(rows=len(rows), cols=len(rows[0]))
        t.style = "Table Grid"
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                cell = t.cell(i, j)
                cell.text = ""
                run(cell.paragraphs[0], cell_text(v), size=9, bold=(header and i == 0))
                if isinstance(v, (Decimal, int)):
                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        doc.add_paragraph()

    for block in blocks:
        kind = block[0]
        if kind == "title":
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run(p, block[1], size=16, bold=True, font="黑体")
        elif kind == "sub" and block[1]:
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run(p, block[1])
        elif kind == "h":
            run(doc.add_paragraph(), block[1], size=12, bold=True, font="黑体")
        elif kind == "p":
            doc.add_paragraph(block[1])
        elif kind == "kv":
            table([[k, v] for k, v in block[1]], header=False)
        elif kind == "table":
            table([block[1], *block[2]])
        elif kind == "sign":
            for line in block[1]:
                doc.add_paragraph(line)
            for line in block[2]:
                doc.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    when = datetime.combine(day, time(10))  # Beijing time; core properties are UTC
    props = doc.core_properties
    props.title, props.author, props.last_modified_by, props.comments = title, author, author, ""
    props.created = props.modified = props.last_printed = when - timedelta(hours=8)
    props.revision = 1
    out = io.BytesIO()
    doc.save(out)
    return fixed_zip(out.getvalue(), when)


def write_xlsx(title: str, blocks: list, day: date, author: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    first_sheet = True
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    widths: dict = {}
    row = 1

    def width_of(text: str) -> int:
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

    def put(r, col, v, bold=False, fill=False, border=True):
        cell = ws.cell(row=r, column=col)
        if isinstance(v, Decimal):
            cell.value = float(v)
            cell.number_format = "#,##0.00"
        else:
            cell.value = v if isinstance(v, int) else cell_text(v)
        if bold:
            cell.font = Font(bold=True)
        if fill:
            cell.fill = PatternFill("solid", fgColor="DDDDDD")
        if border:
            cell.border = box
        key = (ws.title, col)
        widths[key] = max(widths.get(key, 8), min(48, width_of(cell_text(v)) + 2))

    ncols = max([len(b[1]) for b in blocks if b[0] == "table"] + [2])
    for block in blocks:
        kind = block[0]
        if kind == "sheet":
            if first_sheet:
                ws.title = block[1]
            else:
                ws = wb.create_sheet(block[1])
                row = 1
            first_sheet = False
            continue
        first_sheet = False
        if kind in ("title", "sub", "h", "p"):
            if not block[1]:
                continue
            cell = ws.cell(row=row, column=1, value=block[1])
            if kind == "title":
                cell.font = Font(bold=True, size=14)
                cell.alignment = Alignment(horizontal="center")
                ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
            elif kind == "h":
                cell.font = Font(bold=True)
            elif kind == "sub":
                cell.alignment = Alignment(horizontal="center")
                ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
            row += 1
        elif kind == "kv":
            for k, v in block[1]:
                put(row, 1, k, bold=True, fill=True)
                put(row, 2, v)
                row += 1
            row += 1
        elif kind == "table":
            for j, h in enumerate(block[1], 1):
                put(row, j, h, bold=True, fill=True)
            row += 1
            for r in block[2]:
                for j, v in enumerate(r, 1):
                    put(row, j, v, bold=(r[1:2] == ["合计"] or r[0:1] == ["合计"]))
                row += 1
            row += 1
        elif kind == "sign":
            row += 1
            for line in [*block[1], *block[2]]:
                ws.cell(row=row, column=1, value=line)
                row += 1
    from openpyxl.utils import get_column_letter

    for (sheet, col), w in sorted(widths.items()):
        wb[sheet].column_dimensions[get_column_letter(col)].width = w
    when = datetime.combine(day, time(10))
    wb.properties.creator = author
    wb.properties.lastModifiedBy = author
    wb.properties.title = title
    wb.properties.created = wb.properties.modified = when - timedelta(hours=8)
    out = io.BytesIO()
    wb.save(out)
    return fixed_zip(out.getvalue(), when)


def write_text(title: str, blocks: list, markdown: bool) -> str:
    lines = []
    for block in blocks:
        kind = block[0]
        if kind == "title":
            lines += [f"# {block[1]}", ""] if markdown else [block[1], "=" * (len(block[1]) * 2), ""]
        elif kind == "sub" and block[1]:
            lines += [block[1], ""]
        elif kind == "h":
            lines += ([""] if lines and lines[-1] else []) + (
                [f"## {block[1]}", ""] if markdown else [f"【{block[1]}】"]
            )
        elif kind == "p":
            lines.append(block[1])
            if markdown and not block[1].startswith("- "):
                lines.append("")
        elif kind == "kv":
            lines += [f"- **{k}**: {cell_text(v)}" if markdown else f"{k}: {cell_text(v)}" for k, v in block[1]]
            lines.append("")
        elif kind == "table":
            header, rows = block[1], block[2]
            if markdown:
                lines.append("| " + " | ".join(header) + " |")
                lines.append(
                    "|"
                    + "|".join("---:" if isinstance(rows[0][i], (Decimal, int)) else "---" for i in range(len(header)))
                    + "|"
                )
                lines += ["| " + " | ".join(cell_text(v) for v in r) + " |" for r in rows]
            else:
                lines.append("\t".join(header))
                lines += ["\t".join(cell_text(v) for v in r) for r in rows]
            lines.append("")
        elif kind == "sign":
            lines += ["", *block[1], *block[2]]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def write_csv(blocks: list) -> str:
    table = next(b for b in blocks if b[0] == "table")
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(table[1])
    for r in table[2]:
        w.writerow([f"{v:.2f}" if isinstance(v, Decimal) else cell_text(v) for v in r])
    return out.getvalue()


# --- scans (Pillow): white page, black text, a little noise and skew ------------------------

DISTRICTS = {
    "110101": "北京市东城区",
    "110102": "北京市西城区",
    "110105": "北京市朝阳区",
    "110106": "北京市丰台区",
    "110108": "北京市海淀区",
    "110109": "北京市门头沟区",
    "110111": "北京市房山区",
    "110114": "北京市昌平区",
    "120116": "天津市滨海新区",
    "130102": "石家庄市长安区",
    "130104": "石家庄市桥西区",
    "131002": "廊坊市安次区",
    "140105": "太原市小店区",
    "150105": "呼和浩特市赛罕区",
    "370102": "济南市历下区",
    "370212": "青岛市崂山区",
    "610113": "西安市雁塔区",
    "310104": "上海市徐汇区",
    "310107": "上海市普陀区",
    "310112": "上海市闵行区",
    "310115": "上海市浦东新区",
    "320105": "南京市建邺区",
    "320106": "南京市鼓楼区",
    "320214": "无锡市新吴区",
    "320505": "苏州市虎丘区",
    "320506": "苏州市吴中区",
    "330106": "杭州市西湖区",
    "330212": "宁波市鄞州区",
    "330302": "温州市鹿城区",
    "440106": "广州市天河区",
    "440303": "深圳市罗湖区",
    "440305": "深圳市南山区",
    "440307": "深圳市龙岗区",
    "440606": "佛山市顺德区",
    "441900": "东莞市",
    "510107": "成都市武侯区",
    "510116": "成都市双流区",
}
_FONT_CACHE: dict = {}


def font(size: int):
    from PIL import ImageFont

    if size not in _FONT_CACHE:
        _FONT_CACHE[size] = ImageFont.truetype(FONT_FILE, size, index=0)
    return _FONT_CACHE[size]


class Page:
    W, H = 1000, 1400

    def __init__(self):
        from PIL import Image, ImageDraw

        self.img = Image.new("L", (self.W, self.H), 255)
        self.draw = ImageDraw.Draw(self.img)

    def text(self, x, y, s, size=40, fill=15, anchor="la"):
        self.draw.text((x, y), s, font=font(size), fill=fill, anchor=anchor)

    def center(self, y, s, size=40, fill=15):
        self.text(self.W // 2, y, s, size, fill, anchor="ma")

    def wrap(self, x, y, s, size, right, leading=None) -> int:
        """Draw ``s`` from (x, y), breaking lines at ``right``; returns the y below the last line."""
        leading = leading or int(size * 1.45)
        f, line = font(size), ""
        for ch in s:
            if f.getlength(line + ch) > right - x:
                self.text(x, y, line, size)
                y, line = y + leading, ch
            else:
                line += ch
        if line:
            self.text(x, y, line, size)
            y += leading
        return y

    def field(self, x, y, label, value, size=40, right=920) -> int:
        self.text(x, y, label, size)
        return self.wrap(x + int(font(size).getlength(label)) + 16, y, value, size, right)

    def seal(self, cx, cy, radius, text, size=22):
        import math

        self.draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), outline=110, width=6)
        star = [
            (
                cx + (28 if i % 2 == 0 else 11) * math.sin(i * math.pi / 5),
                cy - (28 if i % 2 == 0 else 11) * math.cos(i * math.pi / 5),
            )
            for i in range(10)
        ]
        self.draw.polygon(star, fill=110)
        self.text(cx, cy + 40, text, size, fill=110, anchor="ma")

    def squiggle(self, x, y, r: random.Random, width=160):
        pts, px = [], x
        while px < x + width:
            pts.append((px, y + r.randint(-18, 18)))
            px += r.randint(10, 22)
        self.draw.line(pts, fill=40, width=4, joint="curve")

    def finish(self, r: random.Random, fmt: str) -> bytes:
        from PIL import Image, ImageFilter

        px = self.img.load()
        for _ in range(1800):
            x, y = r.randrange(self.W), r.randrange(self.H)
            px[x, y] = min(px[x, y], r.randint(110, 210))
        for _ in range(14):
            x, y, s = r.randrange(self.W), r.randrange(self.H), r.randint(1, 3)
            self.draw.ellipse((x, y, x + s, y + s), fill=r.randint(90, 160))
        img = self.img.filter(ImageFilter.GaussianBlur(0.6))
        img = img.rotate(r.uniform(-0.9, 0.9), resample=Image.Resampling.BICUBIC, fillcolor=228)
        img = img.point(lambda v: int(v * 0.92 + 12))
        out = io.BytesIO()
        if fmt == "png":
            img.save(out, "PNG", optimize=True)
        else:
            img.save(out, "JPEG", quality=78)
        return out.getvalue()


CAPITAL = {"small": "伍佰万元整", "medium": "叁仟万元整", "large": "贰亿元整"}
SCOPES = {
    "manufacturing": "制造、加工机械设备及零部件; 销售机械设备、五金交电、金属材料; 技术开发、技术咨询、技术服务; 货物进出口、技术进出口。",
    "retail": "销售日用品、食品、家用电器; 零售药品; 仓储服务。",
}


def scan_license(c: Cust, r: random.Random) -> Page:
    pg = Page()
    pg.draw.rectangle((36, 36, 964, 1364), outline=60, width=8)
    pg.draw.rectangle((54, 54, 946, 1346), outline=60, width=2)
    pg.seal(500, 150, 58, "", 1)
    pg.center(232, "营  业  执  照", 78)
    pg.center(330, "(副    本)", 40)
    pg.text(90, 400, "统一社会信用代码", 30)
    pg.text(90, 440, uscc_of(c), 42)
    pg.text(910, 410, f"编号 {c.division}{r.randint(10**8, 10**9 - 1)}", 24, anchor="ra")
    founded = (
        date(2008 + r.randint(0, 8), r.randint(1, 12), r.randint(1, 28))
        if c.uscc_style == "old"
        else date(2017 + r.randint(0, 4), r.randint(1, 12), r.randint(1, 28))
    )
    y = 520
    y = pg.field(90, y, "名　　称", c.name)
    y = pg.field(90, y + 4, "类　　型", "有限责任公司 (自然人投资或控股)")
    y = pg.field(90, y + 4, "法定代表人", c.legal_rep)
    y = pg.field(90, y + 4, "经营范围", SCOPES.get(c.industry, "技术开发、技术服务; 销售机械设备。"), size=32)
    y = pg.field(90, y + 4, "注册资本", CAPITAL[c.size])
    y = pg.field(90, y + 4, "成立日期", f"{founded.year} 年 {founded.month:02d} 月 {founded.day:02d} 日")
    y = pg.field(
        90, y + 4, "营业期限", f"{founded.year} 年 {founded.month:02d} 月 {founded.day:02d} 日 至 长期", size=36
    )
    pg.field(90, y + 4, "住　　所", c.address, size=36)
    for i in range(14):  # a QR-code-like block
        for j in range(14):
            if r.random() < 0.5 or (i < 3 and j < 3) or (i < 3 and j > 10) or (i > 10 and j < 3):
                pg.draw.rectangle((100 + j * 10, 1160 + i * 10, 109 + j * 10, 1169 + i * 10), fill=25)
    pg.text(520, 1165, "登记机关", 34)
    pg.seal(815, 1215, 90, f"{DISTRICTS[c.division]}市场监督管理局"[-10:], 20)
    issued = resolve_when(c, "F") - timedelta(days=r.randint(60, 400))
    pg.text(600, 1300, f"{issued.year} 年 {issued.month:02d} 月 {issued.day:02d} 日", 34)
    pg.text(90, 1310, "国家企业信用信息公示系统网址: www.gsxt.gov.cn", 20)
    return pg


def scan_org_certificate(c: Cust, r: random.Random) -> Page:
    pg = Page()
    pg.draw.rectangle((40, 40, 960, 1360), outline=60, width=6)
    pg.center(120, "事业单位法人证书", 64)
    pg.center(210, "(副  本)", 40)
    pg.text(90, 290, "统一社会信用代码", 30)
    pg.text(90, 330, uscc_of(c), 42)
    y = 430
    y = pg.field(90, y, "名　　称", c.name)
    y = pg.field(90, y + 8, "宗旨和业务范围", "实施初级中学、高级中学学历教育, 促进基础教育发展。", size=34)
    y = pg.field(90, y + 8, "住　　所", c.address, size=36)
    y = pg.field(90, y + 8, "法定代表人", c.legal_rep)
    y = pg.field(90, y + 8, "经费来源", "财政补助")
    y = pg.field(90, y + 8, "开办资金", "¥ 3260 万元")
    y = pg.field(90, y + 8, "举办单位", c.superior)
    pg.field(90, y + 8, "有效期", "自 2022 年 06 月 28 日至 2027 年 06 月 28 日", size=32)
    pg.text(480, 1110, "登记管理机关", 32)
    pg.seal(810, 1190, 95, "事业单位登记管理局", 20)
    pg.text(560, 1300, "2022 年 06 月 28 日", 34)
    return pg


def scan_id_copy(c: Cust, r: random.Random) -> Page:
    pg = Page()
    number = id_number(c)
    x0, y0 = 72, 110
    pg.draw.rounded_rectangle((x0, y0, x0 + 856, y0 + 540), radius=30, outline=70, width=4, fill=246)
    pg.text(x0 + 40, y0 + 50, "姓名", 30, fill=90)
    pg.text(x0 + 130, y0 + 44, c.name, 40)
    pg.text(x0 + 40, y0 + 120, "性别", 30, fill=90)
    pg.text(x0 + 130, y0 + 114, "女" if c.gender == "female" else "男", 40)
    pg.text(x0 + 250, y0 + 120, "民族", 30, fill=90)
    pg.text(x0 + 340, y0 + 114, "汉", 40)
    pg.text(x0 + 40, y0 + 190, "出生", 30, fill=90)
    pg.draw.rectangle((x0 + 125, y0 + 180, x0 + 500, y0 + 232), fill=0)  # 打码
    pg.text(x0 + 40, y0 + 260, "住址", 30, fill=90)
    street = c.address.split("(")[0].strip()
    pg.text(x0 + 130, y0 + 254, street[:8], 40)
    pg.draw.rectangle((x0 + 130 + int(font(40).getlength(street[:8])) + 6, y0 + 250, x0 + 560, y0 + 302), fill=0)
    pg.text(x0 + 40, y0 + 440, "公民身份号码", 30, fill=90)
    pg.text(x0 + 250, y0 + 432, masked_id(number), 42)
    pg.draw.rectangle((x0 + 600, y0 + 60, x0 + 810, y0 + 330), fill=215)  # photo
    pg.draw.ellipse((x0 + 650, y0 + 95, x0 + 760, y0 + 215), fill=165)
    pg.draw.pieslice((x0 + 615, y0 + 210, x0 + 795, y0 + 400), 180, 360, fill=165)
    x0, y0 = 72, 720
    pg.draw.rounded_rectangle((x0, y0, x0 + 856, y0 + 540), radius=30, outline=70, width=4, fill=246)
    pg.seal(x0 + 110, y0 + 110, 60, "", 1)
    pg.text(x0 + 500, y0 + 70, "中华人民共和国", 44, anchor="ma")
    pg.text(x0 + 500, y0 + 150, "居民身份证", 64, anchor="ma")
    issuer = DISTRICTS[c.id_division]
    city, district = (issuer[:3], issuer[3:]) if issuer[2] == "市" else (issuer[:4], issuer[4:])
    pg.text(x0 + 60, y0 + 380, "签发机关", 30, fill=90)
    pg.text(x0 + 210, y0 + 374, f"{city}公安局{district[:-1]}分局", 36)
    pg.text(x0 + 60, y0 + 450, "有效期限", 30, fill=90)
    pg.text(x0 + 210, y0 + 444, "2016.05.12-2036.05.12", 36)
    pg.center(1300, "仅供华信集团签约备案使用 再次复印无效", 36, fill=40)
    return pg


def scan_contract_page(c: Cust, k: Contract, r: random.Random) -> Page:
    pg = Page()
    pg.text(920, 70, f"合同编号: {k.number}", 28, anchor="ra")
    y = 150
    y = pg.wrap(90, y, "第七条 争议解决", 34, 910)
    y = pg.wrap(
        90, y, "因本合同引起的争议, 双方应友好协商解决; 协商不成的, 任何一方可向合同签订地人民法院提起诉讼。", 32, 910
    )
    y = pg.wrap(90, y + 20, "第八条 其他", 34, 910)
    y = pg.wrap(
        90, y, "本合同一式四份, 双方各执两份, 自双方签字盖章之日起生效。未尽事宜, 双方可另行签订补充协议。", 32, 910
    )
    y += 80
    for who, _rep, seal_text in ((c.name, c.legal_rep, c.name[-6:]), (OUR_NAME[c.office], c.owner, "华信集团有限公司")):
        pg.text(90, y, f"{'甲' if who == c.name else '乙'}方 (盖章): {who}", 34)
        pg.text(90, y + 70, "法定代表人或授权代表:", 34)
        pg.squiggle(470, y + 90, r)
        pg.text(90, y + 140, f"日期: {cn_date(k.date)}", 34)
        pg.seal(770, y + 90, 92, seal_text, 20)
        y += 330
    pg.center(1330, "第 6 页 共 6 页", 28)
    return pg


# --- building the archive ------------------------------------------------------------------

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


def customer_record(c: Cust) -> dict:
    rec = {"id": c.id, "type": c.type, "name": c.name, "aliases": c.aliases}
    if c.type != "individual":
        rec |= {"uscc": uscc_of(c), "legal_rep": c.legal_rep, "annual_purchase": c.annual}
    if c.type == "government":
        rec |= {"superior": c.superior, "procurement_method": c.procurement}
    if c.type == "individual":
        rec |= {
            "id_number": id_number(c),
            "gender": c.gender,
            "phones": c.phones,
            "email": c.email,
            "preferences": c.preferences,
        }
    else:
        rec |= {"industry": c.industry, "size": c.size}
    tier = c.tier if c.type == "individual" else SCHEMA.value_tier_for(float(c.annual))
    rec |= {
        "region": c.region,
        "address": c.address,
        "stage": c.stage,
        "status": c.status,
        "value_tier": tier,
        "demand_types": c.demand,
        "grade": c.grade,
        "color": c.color,
        "tags": c.tags,
        "remark": c.remark,
        "owner": c.owner,
        "first_contact": d(c.first),
    }
    if c.type != "individual":
        rec["contacts"] = build_contacts(c)
    rec["stage_history"] = stage_history(c)
    return rec


def safe_name(stem: str, ext: str, taken: set) -> str:
    stem = re.sub(r'[/\\:*?"<>|\x00-\x1f]', "-", stem).strip(" .")
    name, n = f"{stem}.{ext}", 1
    while name in taken:
        n += 1
        name = f"{stem}-{n}.{ext}"
    taken.add(name)
    return name


ORIGINAL_NAMES = {
    "pdf": ["{label}.pdf", "{short}{label}.pdf", "{label}-终版.pdf", "{label}(盖章版).pdf"],
    "docx": ["{label}.docx", "新建 Microsoft Word 文档.docx", "{short}-{label}.docx", "{label}v2.docx"],
    "xlsx": ["{label}{ym}.xlsx", "{short}{label}.xlsx", "工作簿1.xlsx", "{label}(定稿).xlsx"],
    "md": ["{label}.md", "{short}-{label}.md"],
    "txt": ["{label}.txt", "新建文本文档.txt"],
    "csv": ["{label}.csv", "export_{ym}.csv"],
}


def build_documents(c: Cust) -> list[tuple[str, bytes, dict]]:
    """(file name, bytes, meta) for each of the customer's documents, in spec order."""
    out, taken, produced = [], set(), {}
    for i, spec in enumerate(c.docs):
        r = rng_for("doc", c.id, i)
        code, ext = spec["doc_type"], spec["ext"]
        doc_type = SCHEMA.doc_types[code]
        day = resolve_when(c, spec["when"])
        k = None
        if code == "contract":
            k = contracts(c)[spec.get("which", 1)]
            assert k.date == day, (c.id, k.number, k.date, day)
            stem, title = f"{k.number}-{k.project}-{ymd(day)}", f"{k.project}合同"
        else:
            stem, title = f"{c.name}-{doc_type.label}-{ymd(day)}", doc_type.label
        if code == "supplement":
            k = contracts(c)[1]
        name = safe_name(stem, ext, taken)
        author = spec.get("added_by", c.owner)
        if spec.get("same_as"):
            data = produced[spec["same_as"]]
        elif code == "business_license":
            data = scan_license(c, r).finish(r, ext)
        elif code == "org_certificate":
            data = scan_org_certificate(c, r).finish(r, ext)
        elif code == "id_copy":
            data = scan_id_copy(c, r).finish(r, ext)
        elif spec.get("scan"):
            data = write_image_pdf(scan_contract_page(c, k, r).finish(r, "jpg"), title, day)
        else:
            title, blocks = BUILDERS[code](Ctx(c, spec, day, r, k))
            if ext == "pdf":
                data = write_pdf(title, blocks, day, author)
            elif ext == "docx":
                data = write_docx(title, blocks, day, author)
            elif ext == "xlsx":
                data = write_xlsx(title, blocks, day, author)
            else:
                text = write_csv(blocks) if ext == "csv" else write_text(title, blocks, markdown=(ext == "md"))
                encoding = spec.get("encoding", "utf-8")
                if encoding != "utf-8":
                    text = text.replace("\r\n", "\n").replace("\n", "\r\n")
                data = text.encode(encoding)
        produced.setdefault(code, data)
        meta_in = {"info_type": doc_type.info_type, "doc_type": code, "title": spec.get("title") or title, "date": day}
        for key in ("stage", "sensitivity", "paper_box", "paper_shelf", "also_in"):
            if spec.get(key):
                meta_in[key] = spec[key]
        if code == "contract":
            meta_in |= {"number": k.number, "project": k.project}
            if k.which == 2 and c.stable and day >= d(c.stable):
                meta_in["stage"] = "stable"
        if code == "supplement":
            main = next(n for n, _, m in out if m.get("number") == k.number)
            meta_in["main"] = main
        meta = VALIDATOR.document(meta_in, c.type)
        if spec.get("added_at"):
            added = datetime.strptime(spec["added_at"], "%Y-%m-%d %H:%M")
        else:
            added = at(day + timedelta(days=spec.get("added_after", r.choice([0, 0, 1, 2, 3]))), r)
            if added.date() < day:
                added = datetime.combine(day, time(17, 30))
        original = spec.get("original_name") or r.choice(ORIGINAL_NAMES[ext]).format(
            label=doc_type.label, short=c.short, ym=day.strftime("%Y%m")
        )
        meta |= {
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
            "original_name": original,
            "added_by": author,
            "added_at": added,
        }
        out.append((name, data, meta))
    return out


def build(root: Path) -> None:
    for sub in ("customers", "offices"):
        if (root / sub).exists():
            shutil.rmtree(root / sub)
    (root / "archive.toml").unlink(missing_ok=True)
    (root / "archive.toml").write_bytes(dumps({"name": ARCHIVE_NAME, "format": 1}, ["name", "format"]))
    for office, name in OFFICES.items():
        used = [c.seq for c in CUSTOMERS if c.office == office]
        (root / "offices").mkdir(exist_ok=True)
        (root / "offices" / f"{office}.toml").write_bytes(
            dumps({"code": office, "name": name, "next": max(used) + 1}, ["code", "name", "next"])
        )
    order = VALIDATOR.field_order()
    for c in CUSTOMERS:
        folder = root / customer_dir(c.id)
        folder.mkdir(parents=True)
        record = VALIDATOR.customer(customer_record(c))
        (folder / "customer.toml").write_bytes(dumps(record, order))
        r = rng_for("names", c.id)
        for note in notes_for(c):
            by = note.pop("by")
            rec = VALIDATOR.note(note) | {"by": by}
            (folder / "notes").mkdir(exist_ok=True)
            (folder / "notes" / f"{rec['time']:%Y%m%dT%H%M}-{r.getrandbits(24):06x}.toml").write_bytes(
                dumps(rec, NOTE_ORDER)
            )
        for deal in deals_for(c):
            rec = VALIDATOR.deal(deal) | {"by": deal["by"]}
            (folder / "deals").mkdir(exist_ok=True)
            (folder / "deals" / f"{rec['date']:%Y%m%d}-{r.getrandbits(24):06x}.toml").write_bytes(
                dumps(rec, DEAL_ORDER)
            )
        for name, data, meta in build_documents(c):
            (folder / "docs").mkdir(exist_ok=True)
            (folder / "docs" / name).write_bytes(data)
            (folder / "docs" / f"{name}.meta.toml").write_bytes(dumps(meta, META_ORDER))


# --- verification --------------------------------------------------------------------------


class Problems(list):
    def add(self, where, what):
        self.append(f"{where}: {what}")


def extract_text(path: Path) -> str:
    ext = path.suffix.lower()[1:]
    if ext == "pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    if ext == "docx":
        from docx import Document

        doc = Document(path)
        parts = [p.text for p in doc.paragraphs]
        parts += [cell.text for t in doc.tables for row in t.rows for cell in row.cells]
        return "\n".join(parts)
    if ext == "xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True)
        return "\n".join(str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    if ext in ("txt", "csv", "md"):
        raw = path.read_bytes()
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("gb18030")
    return ""


def check(root: Path) -> int:
    from collections import Counter

    problems = Problems()
    stats = Counter()
    formats, encodings, by_type, sha_seen = Counter(), Counter(), Counter(), {}
    status_count = Counter()
    archive = tomllib.loads((root / "archive.toml").read_text("utf-8"))
    if archive != {"name": ARCHIVE_NAME, "format": 1}:
        problems.add("archive.toml", archive)
    seqs: dict = {}
    for folder in sorted((root / "customers").glob("*/*/*")):
        cid = folder.name
        where = cid
        if customer_dir(cid) != folder.relative_to(root).as_posix():
            problems.add(where, "folder does not match the id")
        office, seq = cid.split("-")
        seqs.setdefault(office, []).append(int(seq))
        raw = (folder / "customer.toml").read_bytes()
        record = tomllib.loads(raw.decode("utf-8"))
        try:
            norm = VALIDATOR.customer(record)
        except Exception as exc:  # noqa: BLE001
            problems.add(where, f"Validator.customer rejects: {exc}")
            continue
        if dumps(norm, VALIDATOR.field_order()) != raw:
            problems.add(where, "customer.toml is not in normalised form")
        if record["id"] != cid:
            problems.add(where, "id field differs from folder")
        ctype = record["type"]
        by_type[ctype] += 1
        status_count[record.get("status")] += 1
        first = record["first_contact"]
        if not date(2022, 1, 1) <= first <= date(2026, 6, 30):
            problems.add(where, f"first_contact {first} outside 2022-01..2026-06")
        if record["owner"] not in STAFF[office]:
            problems.add(where, f"owner {record['owner']} is not a {office} staff member")
        # codes
        if ctype != "individual":
            uscc = record["uscc"]
            want = "91" if ctype == "enterprise" else ("11", "12")
            if not uscc.startswith(want):
                problems.add(where, f"USCC prefix {uscc[:2]}")
            if uscc[2:6] != record["region"][:4]:
                problems.add(where, f"USCC division {uscc[2:8]} not in region {record['region']}")
            tier = SCHEMA.value_tier_for(float(record["annual_purchase"]))
            if record.get("value_tier") != tier:
                problems.add(where, f"value_tier {record.get('value_tier')} but annual_purchase says {tier}")
            if not any(ct.get("decision_maker") for ct in record.get("contacts", [])):
                problems.add(where, "no decision maker among contacts")
        else:
            born = int(record["id_number"][6:10])
            if not 1960 <= born <= 2000:
                problems.add(where, f"born {born}")
            if (int(record["id_number"][16]) % 2 == 1) != (record["gender"] == "male"):
                problems.add(where, "gender does not match the ID number")
        # stage history
        stage, last = "potential", first
        for h in record.get("stage_history", []):
            if set(h) != {"date", "from", "to", "reason", "by"}:
                problems.add(where, f"stage_history keys {sorted(h)}")
            if h["from"] != stage or h["date"] <= last or h["by"] not in ALL_STAFF:
                problems.add(where, f"stage_history entry out of order: {h}")
            if SCHEMA.dimension("stage").value(h["to"]) is None:
                problems.add(where, f"stage_history to {h['to']}")
            stage, last = h["to"], h["date"]
        if stage != record["stage"]:
            problems.add(where, f"stage {record['stage']} but history ends at {stage}")
        # notes
        note_times = []
        for path in sorted((folder / "notes").glob("*.toml")):
            stats["notes"] += 1
            n = tomllib.loads(path.read_text("utf-8"))
            try:
                VALIDATOR.note(n)
            except Exception as exc:  # noqa: BLE001
                problems.add(path.name, f"Validator.note rejects: {exc}")
            if not re.fullmatch(rf"{n['time']:%Y%m%dT%H%M}-[0-9a-f]{{6}}\.toml", path.name):
                problems.add(path.name, "note file name does not match its time")
            if not (datetime.combine(first, time()) <= n["time"] < datetime.combine(TODAY, time())):
                problems.add(path.name, f"note time {n['time']} outside first_contact..{TODAY}")
            if n["by"] not in ALL_STAFF:
                problems.add(path.name, f"by {n['by']}")
            note_times.append(n["time"].date())
        if not 1 <= len(note_times) <= 5:
            problems.add(where, f"{len(note_times)} notes")
        quiet = (TODAY - max(note_times)).days if note_times else 9999
        dormant_days = SCHEMA.rules["status"]["dormant_after_days"]
        if record.get("status") == "active" and quiet > dormant_days:
            problems.add(where, f"active but last note {quiet} days ago")
        if record.get("status") == "dormant" and quiet <= dormant_days:
            problems.add(where, f"dormant but last note only {quiet} days ago")
        # deals
        deal_count = 0
        yearly = Counter()
        for path in sorted((folder / "deals").glob("*.toml")):
            deal_count += 1
            x = tomllib.loads(path.read_text("utf-8"))
            try:
                VALIDATOR.deal(x)
            except Exception as exc:  # noqa: BLE001
                problems.add(path.name, f"Validator.deal rejects: {exc}")
            if not re.fullmatch(r"\d+\.\d{2}", x["amount"]):
                problems.add(path.name, f"amount {x['amount']!r}")
            if not first <= x["date"] < TODAY or not re.fullmatch(
                rf"{x['date']:%Y%m%d}-[0-9a-f]{{6}}\.toml", path.name
            ):
                problems.add(path.name, "deal date / file name")
            yearly[x["date"].year] += Decimal(x["amount"])
        stats["deals"] += deal_count
        if deal_count > 4:
            problems.add(where, f"{deal_count} deals")
        if ctype == "individual" and yearly:
            tier = SCHEMA.value_tier_for(float(max(yearly.values())))
            if tier != record.get("value_tier"):
                problems.add(where, f"individual value_tier {record.get('value_tier')} but yearly purchases say {tier}")
        # documents
        docs = folder / "docs"
        files = sorted(p for p in docs.glob("*") if not p.name.endswith(".meta.toml")) if docs.exists() else []
        metas = sorted(docs.glob("*.meta.toml")) if docs.exists() else []
        if {m.name[: -len(".meta.toml")] for m in metas} != {f.name for f in files}:
            problems.add(where, "documents and .meta.toml files do not pair up")
        for f in files:
            meta = tomllib.loads((docs / f"{f.name}.meta.toml").read_text("utf-8"))
            w = f"{cid}/docs/{f.name}"
            stats["documents"] += 1
            formats[f.suffix[1:]] += 1
            data = f.read_bytes()
            if meta["sha256"] != hashlib.sha256(data).hexdigest() or meta["size"] != len(data):
                problems.add(w, "sha256/size mismatch")
            sha_seen.setdefault(meta["sha256"], []).append(w)
            core = {k: v for k, v in meta.items() if k not in SYSTEM_META}
            try:
                back = VALIDATOR.document(core, ctype)
                if back != core:
                    problems.add(w, f"meta not normalised: {back} != {core}")
            except Exception as exc:  # noqa: BLE001
                problems.add(w, f"Validator.document rejects: {exc}")
            dt = SCHEMA.doc_types[meta["doc_type"]]
            if dt.for_types and ctype not in dt.for_types:
                problems.add(w, f"{dt.code} is only for {dt.for_types}")
            stem = (
                f"{meta['number']}-{meta['project']}-{ymd(meta['date'])}"
                if dt.code == "contract"
                else f"{record['name']}-{dt.label}-{ymd(meta['date'])}"
            )
            if not re.fullmatch(re.escape(stem) + r"(-\d+)?\." + re.escape(f.suffix[1:]), f.name):
                problems.add(w, f"name does not follow the naming rule ({stem})")
            if len(f.name.encode()) > 200 or len(f.name) > SCHEMA.rules["documents"]["max_name_length"]:
                problems.add(w, "name too long")
            if not (datetime.combine(meta["date"], time()) <= meta["added_at"] < datetime.combine(TODAY, time())):
                problems.add(w, f"added_at {meta['added_at']}")
            if meta["added_by"] not in ALL_STAFF:
                problems.add(w, f"added_by {meta['added_by']}")
            if meta.get("main") and not (docs / meta["main"]).is_file():
                problems.add(w, f"main {meta['main']} missing")
            if dt.code in ("contract",) and not (meta.get("number") and meta.get("project")):
                problems.add(w, "contract without number/project")
            # content
            ext = f.suffix[1:]
            if ext in ("txt", "csv", "md"):
                try:
                    data.decode("utf-8")
                    encodings["utf-8"] += 1
                except UnicodeDecodeError:
                    encodings["gb18030/gbk"] += 1
            if ext in ("pdf", "docx", "xlsx", "txt", "csv", "md"):
                text = extract_text(f)
                if ext == "pdf" and not text.strip():
                    from pypdf import PdfReader

                    images = sum(len(p.images) for p in PdfReader(f).pages)
                    stats["image-only pdf"] += 1
                    if images != 1:
                        problems.add(w, "PDF without text and without exactly one image")
                    continue
                key = meta.get("number") or record["id"] if ext == "csv" else meta.get("number") or record["name"]
                if key not in text and record["name"] not in text and not re.search(r"[\u4e00-\u9fff]{4}", text):
                    problems.add(w, "no Chinese text extracted")
                if ext == "pdf":
                    stats["text pdf"] += 1
                    if key not in text.replace("\n", ""):
                        problems.add(w, f"extracted text lacks {key}")
            else:
                from PIL import Image

                with Image.open(f) as im:
                    if im.mode != "L" or im.size != (Page.W, Page.H):
                        problems.add(w, f"scan is {im.mode} {im.size}")
    dups = {k: v for k, v in sha_seen.items() if len(v) > 1}
    if len(dups) != 1:
        problems.add("documents", f"expected exactly one duplicated file, found {len(dups)}")
    for office, used in seqs.items():
        office_toml = tomllib.loads((root / "offices" / f"{office}.toml").read_text("utf-8"))
        if office_toml["next"] != max(used) + 1 or office_toml["name"] != OFFICES[office]:
            problems.add(f"offices/{office}.toml", office_toml)
    if status_count["dormant"] != 1 or status_count["lost"] != 1:
        problems.add("customers", f"status counts {dict(status_count)}")
    if stats["documents"] < 64 or sum(by_type.values()) < 44:
        problems.add("archive", "too few customers or documents")
    if encodings["gb18030/gbk"] < 2:
        problems.add("archive", "fewer than two GB18030/GBK text files")
    size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and p.name != "generate.py")
    if size >= 15 * 1024 * 1024:
        problems.add("archive", f"{size} bytes >= 15 MB")
    print(f"customers: {sum(by_type.values())} {dict(by_type)}; status {dict(status_count)}")
    print(
        f"notes: {stats['notes']}; deals: {stats['deals']}; documents: {stats['documents']} {dict(sorted(formats.items()))}"
    )
    print(
        f"text files: {dict(encodings)}; text PDFs {stats['text pdf']}, image-only PDFs {stats['image-only pdf']}; "
        f"duplicated file: {list(dups.values())}"
    )
    print(f"total size: {size / 1024 / 1024:.2f} MB")
    for p in problems:
        print("PROBLEM", p)
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only verify the existing sample archive")
    args = parser.parse_args()
    if not args.check:
        build(HERE)
    return check(HERE)


if __name__ == "__main__":
    sys.exit(main())
