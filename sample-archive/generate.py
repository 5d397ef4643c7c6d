#!/usr/bin/env python3
"""Build the sample customer archive (华信集团客户档案) used for demos and tests of custtui.

Run from the repository root with the project's virtualenv:

    .venv/bin/python sample-archive/generate.py           # rebuild, then verify
    .venv/bin/python sample-archive/generate.py --check   # verify only

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

from custtui.core.records import Validator, customer_dir, dumps, format_id  # noqa: E402
from custtui.core.schema import Schema  # noqa: E402
from custtui.core.validate import id_check_digit, uscc_check_char  # noqa: E402

SEED = "huaxin-sample-archive-v1"
TODAY = date(2026, 11, 1)                # the archive's "now"
RECENT_FROM = date(2026, 5, 10)          # active customers have a contact on or after this day
RECENT_TO = date(2026, 10, 28)
FONT_FILE = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
ARCHIVE_NAME = "华信集团客户档案"
OFFICES = {"BJ": "北京总部", "SH": "上海分公司"}
STAFF = {"BJ": ["张伟", "李娜", "王芳"], "SH": ["刘洋", "陈静", "赵磊"]}
SERVICE_STAFF = {"BJ": "王芳", "SH": "赵磊"}   # 客服: records follow-ups and tickets
ALL_STAFF = {n for names in STAFF.values() for n in names}
OUR_NAME = {"BJ": "华信集团有限公司", "SH": "华信集团有限公司上海分公司"}
OUR_ADDR = {"BJ": "北京市海淀区西北旺东路 10 号院 7 号楼", "SH": "上海市闵行区申长路 988 弄 3 号楼"}
OUR_PHONE = {"BJ": "010-82886600", "SH": "021-64838800"}

NOTE_ORDER = ["time", "channel", "participants", "content", "needs", "feedback", "by"]
DEAL_ORDER = ["date", "amount", "product", "contract", "by"]
META_ORDER = ["info_type", "doc_type", "title", "date", "stage", "sensitivity", "number", "project", "main",
              "also_in", "paper_box", "paper_shelf", "sha256", "size", "original_name", "added_by", "added_at"]
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
            digit = n // 10 ** i % 10
            if digit == 0:
                zero = bool(out)
            else:
                out += ("零" if zero else "") + nums[digit] + unit
                zero = False
        return out

    text, pending_zero = "", False
    for group, name in (((yuan // 10 ** 8) % 10 ** 4, "亿"), ((yuan // 10 ** 4) % 10 ** 4, "万"), (yuan % 10 ** 4, "")):
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

_ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"   # characters usable in both GB 11714 and GB 32100


def org_code(r: random.Random, style: str) -> str:
    """A 9-character organisation code (GB 11714-1997): 8 body characters and a check character."""
    if style == "new":          # assigned by the market regulator after 2015: MA + 6 characters
        body = "MA" + "".join(r.choice(_ORG_ALPHABET) for _ in range(6))
    elif style == "organ":      # 机关
        body = "0000" + "".join(r.choice("0123456789") for _ in range(4))
    elif style == "institution":  # 事业单位
        body = "4" + "".join(r.choice("0123456789") for _ in range(7))
    else:
        body = r.choice("567") + "".join(r.choice("0123456789") for _ in range(7))
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, weights))
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
    items: list            # (name, spec, unit, unit price, quantity)
    service: tuple         # (name, yearly price)
    need: str
    issue: str
    feedback: str
    plan: str


P = {
    "cnc": Product("数控机床", "数控机床采购",
                   [("数控车床", "CK6150×1000", "台", "168000.00", 2), ("立式加工中心", "VMC850", "台", "289000.00", 1)],
                   ("数控设备年度维保服务", "36000.00"),
                   "现有普通车床精度不够, 希望更换数控设备, 交货期不超过 60 天",
                   "立式加工中心主轴运转时有异响, X 轴定位精度超差",
                   "设备运行稳定, 操作工已能独立编程", "下半年再增加 2 台数控车床"),
    "cnc_mold": Product("精密加工中心", "精密加工中心采购",
                        [("高速立式加工中心", "HX-VMC1160 / 12000rpm", "台", "356000.00", 1),
                         ("精密电火花成型机", "HX-EDM450", "台", "148000.00", 1),
                         ("三坐标测量机", "HX-CMM0806", "台", "212000.00", 1)],
                        ("精密设备年度维保服务", "42000.00"),
                        "模具精度要求 ±0.005mm, 现有设备老化, 希望整线更新",
                        "加工中心刀库换刀卡刀, 报警代码 2041",
                        "模具一次试模合格率提高, 交付周期缩短", "明年新增一条注塑模具生产线"),
    "robot": Product("焊接机器人工作站", "焊接自动化改造",
                     [("焊接机器人工作站", "HX-RW1400 双工位", "套", "238000.00", 2),
                      ("焊接烟尘净化器", "HX-FC3", "台", "18500.00", 2)],
                     ("机器人年度保养服务", "28000.00"),
                     "一线焊工招工难, 希望用机器人替代人工, 节拍提升 30%",
                     "机器人示教程序丢失, 焊缝出现偏移",
                     "焊接合格率由 92% 提升到 98%", "新厂区二期再上 3 套工作站"),
    "laser": Product("光纤激光切割机", "激光切割设备采购",
                     [("光纤激光切割机", "HX-3015 / 6kW", "台", "398000.00", 1),
                      ("螺杆空压机 (切割配套)", "HX-15A", "台", "36000.00", 1)],
                     ("激光器保养及镜片更换服务", "15000.00"),
                     "外协切割成本高、交期不可控, 计划自建下料车间",
                     "切割头保护镜片频繁污染, 切缝挂渣",
                     "下料效率明显提高, 外协费用每月节省约 4 万元", "增加一台交换工作台机型"),
    "aircomp": Product("永磁变频螺杆空压机", "空压站节能改造",
                       [("永磁变频螺杆空压机", "HX-37PM", "台", "78000.00", 4),
                        ("冷冻式干燥机", "HX-D8", "台", "16800.00", 2),
                        ("空压站智能联控系统", "HX-AC100", "套", "56000.00", 1)],
                       ("空压站能效托管服务", "48000.00"),
                       "空压站能耗高, 希望节能 20% 以上",
                       "一台空压机频繁报排气温度高",
                       "空压站单位产气电耗下降约 22%", "另一厂区空压站同步改造"),
    "server": Product("服务器及存储设备", "数据中心扩容",
                      [("机架式服务器", "HX-R2480 双路/512G", "台", "68000.00", 6),
                       ("分布式存储", "HX-S300 / 200TB", "套", "236000.00", 1),
                       ("万兆交换机", "HX-SW48X", "台", "32000.00", 2)],
                      ("机房运维服务 (年度)", "96000.00"),
                      "业务系统扩容, 现有服务器已满负荷, 要求兼容现有虚拟化平台",
                      "存储节点一块硬盘告警, 阵列降级",
                      "扩容后系统响应时间明显缩短", "明年建设同城灾备机房"),
    "server_s": Product("服务器", "服务器采购",
                        [("机架式服务器", "HX-R2280 / 256G", "台", "42000.00", 4),
                         ("千兆交换机", "HX-SW24G", "台", "6800.00", 2)],
                        ("服务器维保服务 (年度)", "18000.00"),
                        "研发测试环境不够用, 需要新增服务器, 希望一个月内到货",
                        "一台服务器电源模块故障",
                        "交付及时, 上架调试顺利", "明年考虑上云与本地混合部署"),
    "it_ops": Product("业务系统运维服务", "业务系统运维服务",
                      [("核心业务系统运维服务", "年度 / 5×8 小时", "年", "180000.00", 1),
                       ("等保测评整改咨询", "三级", "项", "60000.00", 1)],
                      ("业务系统运维服务续约", "180000.00"),
                      "租赁业务系统由外包团队维护, 希望由专业团队接手并通过等保三级",
                      "月末批量计息任务超时",
                      "等保测评一次通过", "新设两家分公司后增加运维范围"),
    "mes": Product("MES 生产执行系统", "MES系统实施",
                   [("MES 生产执行系统软件许可", "HX-MES 标准版 / 200 用户", "套", "420000.00", 1),
                    ("实施及二次开发服务", "按人天计", "人天", "2800.00", 120),
                    ("车间数据采集终端", "HX-T10", "台", "4500.00", 40)],
                   ("MES 系统年度运维服务", "85000.00"),
                   "生产数据靠纸质报表, 希望工单、质量追溯全流程电子化",
                   "夜班数据采集终端掉线, 报工数据延迟",
                   "工单准时完成率提升明显, 管理层认可", "二期接入仓储 WMS"),
    "warehouse": Product("重型货架及 AGV 搬运机器人", "智能仓储升级",
                         [("重型横梁式货架", "4 层 / 载重 2T/层", "组", "3200.00", 180),
                          ("潜伏式 AGV 搬运机器人", "HX-AGV600", "台", "118000.00", 4),
                          ("仓储管理系统 WMS", "HX-WMS", "套", "160000.00", 1)],
                         ("AGV 及 WMS 年度运维", "60000.00"),
                         "旺季爆仓, 人工拣货出错率高, 希望提升库容和拣货效率",
                         "AGV 充电桩通信异常, 两台车无法自动回充",
                         "拣货效率提升约 40%, 错发率明显下降", "新建冷库区同步上线 WMS"),
    "shelf": Product("仓储货架", "仓储货架采购",
                     [("中型货架", "4 层 / 载重 300kg/层", "组", "980.00", 60),
                      ("手动液压搬运车", "HX-2.5T", "台", "1650.00", 4)],
                     ("货架年度安全检测", "3000.00"),
                     "仓库搬迁, 需要新货架并尽快安装",
                     "个别横梁挂钩松动",
                     "安装规范, 仓库整洁很多", "新租仓库再增加 40 组货架"),
    "supply": Product("仓储货架及分拣设备", "仓储分拣系统采购",
                      [("重型横梁式货架", "4 层 / 载重 1.5T/层", "组", "2600.00", 60),
                       ("交叉带分拣机", "HX-CS200 / 80 格口", "套", "168000.00", 1)],
                      ("分拣系统年度维保", "22000.00"),
                      "跨境订单量增长快, 人工分拣跟不上, 希望半自动化",
                      "分拣机部分格口光电误报",
                      "日分拣能力从 8000 单提升到 2 万单", "龙华新仓明年投用后再上一套"),
    "coldchain": Product("冷链温湿度监控系统", "冷链监控系统建设",
                         [("无线温湿度传感器", "HX-TH20", "个", "380.00", 200),
                          ("冷链监控平台软件", "HX-CCM 云平台 / 3 年", "套", "68000.00", 1),
                          ("冷藏车载温度记录仪", "HX-VT5", "台", "1800.00", 30)],
                         ("冷链监控平台年费", "24000.00"),
                         "药监和客户审核要求全程温度可追溯, 目前靠人工记录",
                         "部分传感器数据上传延迟, 平台曲线出现断点",
                         "迎检时温度记录可一键导出, 审核顺利通过", "新开门店统一接入平台"),
    "pos": Product("门店智能收银终端", "门店收银系统升级",
                   [("智能收银终端", "HX-POS8 双屏", "台", "5600.00", 60),
                    ("自助收银机", "HX-SCO2", "台", "16800.00", 20),
                    ("收银系统软件授权", "HX-Retail / 门店", "店", "3000.00", 30)],
                   ("收银系统年度运维", "120000.00"),
                   "高峰期排队严重, 希望增加自助收银并与会员系统打通",
                   "部分门店自助收银机扫码枪识别率下降",
                   "高峰期排队时间缩短一半", "明年新开 15 家门店全部采用新系统"),
    "pos_s": Product("餐饮收银及点餐系统", "门店收银点餐系统",
                     [("餐饮收银一体机", "HX-POS5", "台", "4200.00", 6),
                      ("扫码点餐系统授权", "HX-Dine / 门店 / 年", "店", "2400.00", 6),
                      ("厨房打印机", "HX-KP80", "台", "680.00", 12)],
                     ("收银系统年度运维", "6000.00"),
                     "高峰期点餐慢, 希望扫码点餐并与外卖平台订单合并",
                     "厨房打印机偶发漏单",
                     "翻台率提高, 服务员减少两人", "新店开业时一起上线"),
    "bms": Product("楼宇自控系统", "楼宇智能化改造",
                   [("楼宇自控 DDC 控制器", "HX-DDC32", "台", "6800.00", 45),
                    ("楼宇自控管理平台", "HX-BA Pro", "套", "180000.00", 1),
                    ("智能照明控制模块", "HX-LC8", "个", "1200.00", 120)],
                   ("楼宇自控系统维保", "52000.00"),
                   "写字楼能耗偏高, 物业希望集中监控空调和照明",
                   "B 座空调机组联动失效",
                   "公区能耗下降约 15%", "二期商业综合体同步改造"),
    "pv": Product("工商业储能柜", "储能电站建设",
                  [("工商业储能柜", "HX-ESS215 / 215kWh", "台", "268000.00", 2),
                   ("储能能量管理系统", "HX-EMS", "套", "45000.00", 1)],
                  ("储能系统运维服务", "30000.00"),
                  "峰谷电价差大, 希望通过储能削峰填谷降低电费",
                  "一台储能柜 BMS 报单体电压不均衡",
                  "每月电费节省约 3 万元", "再建一座 1MWh 储能站"),
    "site": Product("智慧工地监控系统", "智慧工地建设",
                    [("塔吊防碰撞监控系统", "HX-TC100", "套", "26000.00", 8),
                     ("工地高清视频监控", "HX-CAM 4K 套装", "套", "9800.00", 20),
                     ("智慧工地管理平台", "HX-Site / 年", "套", "88000.00", 1)],
                    ("智慧工地平台年费", "36000.00"),
                    "住建部门要求塔吊安装监控, 同时希望远程查看各项目进度",
                    "两台塔吊监控终端信号中断",
                    "项目部远程巡检方便, 通过了安全文明工地检查", "新中标的三个项目继续使用"),
    "irrigation": Product("智能水肥一体化灌溉系统", "智能灌溉系统",
                          [("水肥一体机", "HX-WF300", "台", "56000.00", 2),
                           ("土壤墒情传感器", "HX-SM6", "个", "1600.00", 40),
                           ("智能灌溉控制平台", "HX-Agri", "套", "38000.00", 1)],
                          ("灌溉系统年度维护", "12000.00"),
                          "种植基地用水量大, 希望按需灌溉、节水节肥",
                          "一处电磁阀不能远程开启",
                          "灌溉用水减少约 30%", "扩展到新增的 2000 亩饲草地"),
    "irrigation_s": Product("智能灌溉示范设备", "智能灌溉示范项目",
                            [("水肥一体机", "HX-WF100", "台", "32000.00", 1),
                             ("土壤墒情传感器", "HX-SM6", "个", "1600.00", 12),
                             ("气象监测站", "HX-WS7", "套", "9800.00", 1)],
                            ("示范点设备年度维护", "5000.00"),
                            "建设节水灌溉示范点, 供全区农户参观学习",
                            "气象站风速传感器数据异常",
                            "示范点接待参观 20 余批次, 效果直观", "明年在两个乡镇各增加一个示范点"),
    "classroom": Product("智慧教室设备", "智慧教室建设",
                         [("86 英寸智慧黑板", "HX-SB86", "台", "16800.00", 30),
                          ("常态化录播系统", "HX-Rec4", "套", "45000.00", 2),
                          ("教学管理平台", "HX-Edu 校级版", "套", "58000.00", 1)],
                         ("智慧教室运维服务", "40000.00"),
                         "落实教育信息化要求, 建设智慧教室并支持常态化录播",
                         "两间教室智慧黑板触控失灵",
                         "老师上手快, 公开课录播效果好", "明年再改造 20 间普通教室"),
    "hospital": Product("医院信息化运维", "医院信息系统运维",
                        [("医院信息系统运维服务", "HIS/LIS/PACS 年度", "年", "480000.00", 1),
                         ("服务器及存储巡检", "季度巡检", "次", "6000.00", 4),
                         ("驻场工程师", "2 人", "人年", "150000.00", 2)],
                        ("医院信息系统运维续约", "480000.00"),
                        "信息科人手不足, 希望引入第三方驻场运维, 保障 HIS 7×24 小时运行",
                        "门诊 HIS 高峰期卡顿",
                        "故障响应时间缩短到 15 分钟以内", "明年增加网络安全等保测评服务"),
    "engraver": Product("激光雕刻机", "激光雕刻机采购",
                        [("CO2 激光雕刻机", "HX-L6090 / 100W", "台", "28600.00", 1),
                         ("冷水机", "CW-5200", "台", "2400.00", 1)],
                        ("激光管更换及保养", "1800.00"),
                        "木作工作室接定制订单, 希望能雕刻木板和亚克力",
                        "雕刻时出现断光",
                        "加工精度满足定制需求, 操作简单", "考虑再添一台光纤打标机"),
    "3dprint": Product("桌面级 3D 打印机", "3D打印机采购",
                       [("桌面级 3D 打印机", "HX-P3 / 多色", "台", "12800.00", 2),
                        ("PLA 耗材", "1kg/卷", "卷", "89.00", 20)],
                       ("打印机保养", "800.00"),
                       "做产品设计打样, 需要多色打印和较高精度",
                       "喷头堵塞, 出丝不均",
                       "打样周期从一周缩短到一天", "如果接到量产单再考虑光固化机型"),
    "dental": Product("诊所消毒供应设备", "口腔诊所消毒设备采购",
                      [("B 级高压蒸汽灭菌器", "HX-B23L", "台", "26800.00", 1),
                       ("超声波清洗机", "HX-US6", "台", "4200.00", 1),
                       ("医用封口机", "HX-SK2", "台", "3600.00", 1)],
                      ("灭菌器年度校验及维保", "3800.00"),
                      "诊所扩到 4 台牙椅, 消毒设备要满足卫生监督检查要求",
                      "灭菌器门封圈漏气报警",
                      "卫生监督检查顺利通过", "年底新开分诊所, 需要再配一套"),
    "cnc_used": Product("翻新数控车床", "二手数控车床采购",
                        [("翻新数控车床", "CK6140 / 2019 年产", "台", "62000.00", 2)],
                        ("数控车床保养", "2500.00"),
                        "小作坊接汽配零件加工, 预算有限, 想买性价比高的翻新机",
                        "尾座顶尖松动, 工件有振纹",
                        "翻新机精度够用, 回本比预期快", "生意好的话明年换一台新机"),
    "hardware": Product("冲压设备", "冲压设备采购",
                        [("开式固定台压力机", "HX-J23-80T", "台", "68000.00", 1),
                         ("自动送料机", "HX-NC300", "台", "18500.00", 1)],
                        ("冲床年度保养", "3000.00"),
                        "订单增加, 老冲床精度差、噪音大, 需要更换",
                        "送料机步距不准",
                        "冲压件毛刺少了, 返工率下降", "再添一台 45 吨小冲床"),
    "airfresh": Product("全屋新风净化系统", "新风系统安装",
                        [("全热交换新风机", "HX-ERV350", "台", "8600.00", 3),
                         ("安装辅材及施工", "民宿 12 间客房", "项", "21000.00", 1)],
                        ("新风滤网更换", "1600.00"),
                        "民宿靠近公路, 客人反映灰尘和噪音, 希望装新风又不破坏老房子结构",
                        "一台新风机运行噪音偏大",
                        "客人评价里关于空气的差评没有了", "明年装修二号院时一起安装"),
    "small_server": Product("小型服务器与存储", "工作室服务器采购",
                            [("塔式服务器", "HX-T150 / 128G", "台", "18500.00", 1),
                             ("NAS 存储", "HX-NAS8 / 64TB", "台", "16800.00", 1)],
                            ("服务器上门维护", "1200.00"),
                            "游戏美术资源多, 需要本地服务器做版本管理和自动构建",
                            "NAS 一块硬盘坏道告警",
                            "构建时间缩短一半", "团队扩到 10 人时再加一台服务器"),
    "consult": Product("数字化转型咨询", "数字化转型咨询",
                       [("数字化转型咨询服务", "现状诊断 + 三年规划", "项", "180000.00", 1)],
                       ("咨询顾问驻场服务", "60000.00"),
                       "投后管理企业多, 想了解制造业企业数字化改造的投入产出",
                       "报告交付延后一周",
                       "规划报告得到投委会认可", "投资的两家工厂可能落地改造项目"),
    "exhibit": Product("会展 LED 显示屏及设备租赁", "会展设备租赁",
                       [("LED 全彩显示屏租赁", "P3.9 / 60㎡ / 场", "场", "28000.00", 6),
                        ("舞台音响及灯光租赁", "标准套装", "场", "12000.00", 6)],
                       ("现场技术保障", "3000.00"),
                       "承接展会搭建, 需要稳定的 LED 屏和音响租赁供应商",
                       "一块 LED 模组出现坏点",
                       "现场保障到位, 主办方满意", "—"),
    "ecom": Product("电商仓储货架及打包台", "电商仓储设备采购",
                    [("轻型货架", "5 层", "组", "420.00", 30),
                     ("打包工作台", "1.8m", "张", "980.00", 4),
                     ("热敏面单打印机", "HX-LP4", "台", "760.00", 2)],
                    ("货架安装", "600.00"),
                    "店铺换了大一点的仓库, 需要货架和打包台, 希望周末上门安装",
                    "一张打包台桌腿不稳",
                    "仓库整洁, 打包效率提高", "双十一前可能再加一排货架"),
}
