"""The customers' story: contracts, stage changes, communication records (notes) and deals. A
customer's contracts follow from its data file (contract numbers, signing and stable dates, the
product's standard order unless a contract document names other items); the stage history from
its turning points. Customers without hand-written notes or deals get a plausible path for their
stage (first contact, quotation or bid, signing, delivery, the move to stable cooperation, a
service call, the latest contact), told in Chinese from templates in this module with the
trade fairs and reasons of ``data/story.toml``.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from .common import RECENT_FROM, RECENT_TO, SERVICE_STAFF, TODAY, d, fmt_money, load, money, rng_for, workday
from .customers import SERVICE_PRODUCTS, Cust, build_contacts

_STORY = load("story.toml")
STABLE_REASONS = _STORY["stable_reasons"]
EXPOS = _STORY["expos"]


# --- contracts and stage history ------------------------------------------------------------


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


# --- notes: who said what, when ------------------------------------------------------------


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


def issuer_of(c: Cust) -> str:
    return c.name.replace("教育局", "财政局") if c.uscc_style == "organ" else c.superior


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
                    f"在{r.choice(EXPOS[c.industry])}上结识{contact_of(c, r)}, "
                    f"介绍了{p.short}的应用案例, 交换了联系方式。",
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
                        f"上门进行技术交流并勘察现场, "
                        f"与{contact_of(c, r, senior=False)}确认技术参数、安装条件和交付计划。",
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
            text = (
                f"签订《{k.project}合同》{k.number}, 合同金额 {fmt_money(k.amount)} 元, "
                f"约定 {r.choice([30, 45, 60])} 天内交付。"
            )
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


# --- deals -----------------------------------------------------------------------------------


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
