"""The texts of service and relationship documents: complaint forms, follow-up visits, after-sales
tickets, meeting minutes, satisfaction surveys, a letter of intent, a needs analysis, a
cooperation analysis, e-mails, a contact sheet and an individual's preferences. Each ``doc_*``
function takes a ``Ctx`` and returns the document's title and its blocks (see
``generator.content``). Particular customers' complaints and e-mails come from
``data/documents.toml``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from ..common import SCHEMA, SERVICE_STAFF, cn_date, load, money
from ..customers import SERVICE_PRODUCTS, build_contacts
from ..story import deals_for
from .context import Ctx

_DOCUMENTS = load("documents.toml")
COMPLAINTS = {
    cid: (e["category"], e["complaint"], e["cause"], e["measures"], e["result"], e["opinion"])
    for cid, e in _DOCUMENTS["complaints"].items()
}
EMAILS = {
    cid: (e["from"], e["to"], e["subject"], e["body"].removesuffix("\n").split("\n"))
    for cid, e in _DOCUMENTS["emails"].items()
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
            f"{c.name}拟于 {x.date.year} 年内采购{c.prod.short}。"
            "经前期接洽和技术交流, 我方有意向与贵司合作, 现将有关意向说明如下:",
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
            f"{SCHEMA.label('industry', c.industry) if c.industry else ''}"
            f"{SCHEMA.label('size', c.size) if c.size else ''}客户。",
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
