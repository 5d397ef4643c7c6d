"""``custtui due``, ``custtui followup set|done|postpone`` and ``custtui reassign``: follow-up reminders."""

from __future__ import annotations

from .common import Output, command_group, open_archive


def _today(args):
    from ..core.records.validate import parse_date

    return parse_date(args.today, "today", "以哪一天为准") if args.today else None


def cmd_due(args, out: Output) -> None:
    from ..core.tasks import followups

    archive = open_archive(args)
    today = _today(args)
    if args.pool:
        flagged = followups.pool(archive, today)
        rules = archive.schema().rules["follow_up"]
        if rules["pool_after_days"] <= 0:
            tail = "公海规则未启用 (rules.toml 中 [follow_up] pool_after_days = 0)"
        else:
            tail = f"共 {len(flagged)} 位客户超过或将超过 {rules['pool_after_days']} 天未跟进"
        rows = [
            f"{p.customer_id}  {p.name}  负责人 {p.owner}  最近跟进 {p.last} ({p.evidence})  {p.state_text}"
            for p in flagged
        ]
        out.emit([p.as_dict() for p in flagged], "\n".join([*rows, tail]))
        return
    items = followups.due(archive, today, days=args.days, mine=args.mine, overdue=args.overdue)
    rows = [
        f"{i.date}  {i.customer_id}  {i.name}  {i.action}  跟进人 {i.owner or '(未指定)'}  【{i.when_text}】"
        for i in items
    ]
    mine = sum(i.mine for i in items)
    tail = f"共 {len(items)} 条待办跟进 (我的 {mine} 条)" if items else "没有到期的跟进"
    out.emit([i.as_dict() for i in items], "\n".join([*rows, tail]))


def cmd_followup_set(args, out: Output) -> None:
    archive = open_archive(args)
    commit = archive.set_follow_up(args.id, {"date": args.date, "action": args.action, "owner": args.owner})
    step = archive.customer(args.id)["follow_up"]
    out.emit(
        {"id": args.id, "commit": commit, "follow_up": step},
        f"已设定 {args.id} 下次跟进 {step['date']} {step['action']} (跟进人 {step['owner']}, {commit[:10]})",
    )


def cmd_followup_done(args, out: Output) -> None:
    note = {"channel": args.channel, "content": args.note} if args.note else None
    archive = open_archive(args)
    name, commit = archive.finish_follow_up(args.id, note)
    out.emit(
        {"id": args.id, "commit": commit, "note": name},
        f"已完成 {args.id} 的跟进{', 并记录沟通' if name else ''} ({commit[:10]})",
    )


def cmd_followup_postpone(args, out: Output) -> None:
    from ..core.tasks import followups

    archive = open_archive(args)
    commit = followups.postpone(archive, args.id, days=args.days, to=args.to, today=_today(args))
    step = archive.customer(args.id)["follow_up"]
    out.emit(
        {"id": args.id, "commit": commit, "follow_up": step},
        f"已推迟 {args.id} 的跟进到 {step['date']} ({commit[:10]})",
    )


def cmd_reassign(args, out: Output) -> None:
    from ..core.tasks import followups

    archive = open_archive(args)
    commit = followups.reassign(archive, args.id, args.owner, args.reason)
    out.emit(
        {"id": args.id, "owner": args.owner, "commit": commit}, f"已把 {args.id} 转交给 {args.owner} ({commit[:10]})"
    )


def add_commands(command) -> None:
    """Register this module's subcommands with ``command(name, func, help) -> parser``."""
    p = command("due", cmd_due, "到期的跟进: 今天及以前到期的 (逾期的标出天数), 我的在前")
    p.add_argument("--mine", action="store_true", help="只看我负责跟进的")
    p.add_argument("--overdue", action="store_true", help="只看已逾期的")
    p.add_argument("--days", type=int, default=0, metavar="N", help="也列出 N 天内到期的")
    p.add_argument("--pool", action="store_true", help="公海规则: 负责人长期未跟进、可转交他人的客户 (含预警)")
    p.add_argument("--today", metavar="日期", help="以哪一天为准 (默认今天)")

    followup = command_group(command, "followup", "跟进提醒: 设定、完成或推迟客户的下次跟进 (每次一个提交)")
    q = followup("set", cmd_followup_set, "设定客户的下次跟进 (替换已有的)")
    q.add_argument("id")
    q.add_argument("date", metavar="日期", help="如 2026-12-05")
    q.add_argument("action", metavar="事项", help="如 回访报价")
    q.add_argument("--owner", metavar="跟进人", help="由谁跟进 (默认客户的负责人)")

    q = followup("done", cmd_followup_done, "完成下次跟进 (清除它); 加 --note 同时记录这次沟通")
    q.add_argument("id")
    q.add_argument("--note", metavar="内容", help="沟通内容: 同一提交中添加一条沟通记录")
    q.add_argument("--channel", default="电话", help="沟通方式 (与 --note 同用; 默认 电话)")

    q = followup("postpone", cmd_followup_postpone, "推迟下次跟进 (默认按 rules.toml 的 postpone_days 天数)")
    q.add_argument("id")
    when = q.add_mutually_exclusive_group()
    when.add_argument("--days", type=int, metavar="N", help="推迟 N 天 (已逾期的从今天算起)")
    when.add_argument("--to", metavar="日期", help="推迟到这一天")
    q.add_argument("--today", metavar="日期", help="以哪一天为准 (默认今天)")

    p = command("reassign", cmd_reassign, "把客户转交给新负责人 (写明原因, 记入提交说明)")
    p.add_argument("id")
    p.add_argument("owner", metavar="新负责人")
    p.add_argument("--reason", required=True, metavar="原因", help="为什么转交, 如 超过 60 天未跟进")
