"""The texts of trade and public-procurement documents: contracts and their supplements,
quotations, statements of account, a customer's financial statements, a termination agreement
and settlement, a bank payment slip, a credit rating, an order, and a government customer's
project approval and procurement papers (意向公开, 中标通知书, 采购流程). Each ``doc_*`` function
takes a ``Ctx`` and returns the document's title and its blocks (see ``generator.content``).
Particular customers' clauses and approval numbers come from ``data/documents.toml``.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from ..common import (
    OUR_NAME,
    OUR_PHONE,
    SERVICE_STAFF,
    STAFF,
    cn_date,
    fmt_money,
    load,
    masked_id,
    money,
    rmb_upper,
    workday,
    ymd,
)
from ..customers import id_number
from ..story import approval_day, bid_day, contracts, issuer_of
from .context import ITEM_HEADER, Ctx, item_rows, party

_DOCUMENTS = load("documents.toml")
SUPPLEMENTS = {cid: entry["clauses"] for cid, entry in _DOCUMENTS["supplements"].items()}
DOC_NO = _DOCUMENTS["approval_numbers"]


def doc_contract(x: Ctx):
    c, k = x.c, x.contract
    rows, total = item_rows(k.items)
    days = 45 if k.which == 1 else 15
    kv = [("合同编号", k.number), ("甲方 (买方)", party(c))]
    if c.type == "individual":
        kv.append(("甲方身份证号", masked_id(id_number(c))))
    kv += [("乙方 (卖方)", x.our), ("签订地点", x.city), ("签订日期", cn_date(k.date))]
    if c.type == "government":
        pay = (
            "本项目资金为财政性资金。货物验收合格后, 甲方按财政国库集中支付流程在 30 日内支付合同总额的 95%, "
            "余款 5% 作为质量保证金, 质保期满无质量问题后一次付清。"
        )
    elif c.type == "individual":
        pay = (
            "合同签订后 3 日内甲方支付合同总额的 50%, 安装调试完成并经甲方确认后支付剩余 50%。乙方按甲方要求开具发票。"
        )
    else:
        pay = (
            "合同签订后 7 个工作日内甲方支付合同总额的 30% 作为预付款; 货到现场支付 60%; 验收合格后支付剩余 10%。"
            "乙方在每次收款前开具等额增值税专用发票。"
        )
    blocks = [
        ("title", f"{k.project}合同"),
        ("kv", kv),
        (
            "p",
            "根据《中华人民共和国民法典》及相关法律法规, 甲乙双方本着平等自愿、诚实信用的原则, "
            f"经协商一致, 就{k.project}事宜订立本合同, 共同遵守。",
        ),
        ("h", "第一条 产品 (服务) 名称、规格、数量及价款"),
        ("table", ITEM_HEADER, rows),
        ("p", f"合同总金额 (含 13% 增值税): 人民币{rmb_upper(total)} (¥{fmt_money(total)})。"),
        ("h", "第二条 交货时间、地点及方式"),
        (
            "p",
            f"乙方应于合同签订后 {days} 日内将货物送达甲方指定地点 ({c.address}), 并负责安装调试; "
            "服务类项目自合同签订之日起开始提供服务。",
        ),
        ("h", "第三条 质量标准及验收"),
        (
            "p",
            "产品应符合国家标准、行业标准及双方确认的技术协议。"
            "甲方应在安装调试完成后 7 个工作日内组织验收, 逾期未提出书面异议的, 视为验收合格。",
        ),
        ("h", "第四条 付款方式"),
        ("p", pay),
        ("h", "第五条 售后服务"),
        (
            "p",
            "质保期 12 个月, 自验收合格之日起计算。质保期内乙方接到报修后 4 小时内响应, 24 小时内到场; "
            "质保期外乙方提供有偿维修服务, 备件按成本价供应。",
        ),
        ("h", "第六条 违约责任"),
        (
            "p",
            "乙方逾期交货的, 每逾期一日按逾期部分货款的万分之五向甲方支付违约金; 逾期超过 30 日的, 甲方有权解除合同。"
            "甲方逾期付款的, 按同样标准向乙方支付违约金。",
        ),
        ("h", "第七条 争议解决"),
        ("p", "因本合同引起的争议, 双方应友好协商解决; 协商不成的, 任何一方可向合同签订地人民法院提起诉讼。"),
        ("h", "第八条 其他"),
        (
            "p",
            "本合同一式四份, 双方各执两份, 自双方签字盖章之日起生效。"
            "未尽事宜, 双方可另行签订补充协议, 补充协议与本合同具有同等法律效力。",
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
            f"鉴于甲乙双方于 {cn_date(k.date)} 签订了《{k.project}合同》(编号 {k.number}, 以下简称“原合同”), "
            "现经友好协商, 就以下事项达成补充协议:",
        ),
    ]
    blocks += [("p", f"{'一二三四五'[i]}、{t}") for i, t in enumerate(clauses)]
    blocks += [
        (
            "p",
            "本补充协议是原合同不可分割的组成部分, 与原合同具有同等法律效力; "
            "本补充协议与原合同不一致的, 以本补充协议为准。",
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
                "经评标委员会评审并公示期满无异议, 确定贵单位为中标供应商, "
                f"中标金额为人民币{rmb_upper(k.amount)} (¥{fmt_money(k.amount)})。",
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
            f"第三条 乙方应付逾期交货违约金人民币{rmb_upper(penalty)} (¥{fmt_money(penalty)}), "
            "从甲方应付尾款中直接抵扣。",
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
            f"兹证明: {c.name}与{x.our}之间的合作 (合同编号 {contracts(c)[max(contracts(c))].number}) "
            "已完成结算, 明细如下:",
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
