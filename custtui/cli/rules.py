"""``custtui rules``: the company's business rules (schema/rules.toml), shown and changed one
value at a time, each change one audited commit."""

from __future__ import annotations

from .common import Output, command_group, open_archive


def cmd_rules_show(args, out: Output) -> None:
    from ..core.archive import rules

    archive = open_archive(args)
    out.emit(archive.schema().rules, rules.rules_text(archive).rstrip())


def cmd_rules_set(args, out: Output) -> None:
    from ..core.archive import rules

    archive = open_archive(args)
    commit = rules.set_rule(archive, args.key, args.value)
    if commit is None:
        out.emit({"commit": None}, f"{args.key} 已是 {args.value}, 未修改")
        return
    out.emit({"commit": commit}, f"已修改业务规则 {args.key} = {args.value} (提交 {commit[:10]})")


def add_commands(command) -> None:
    """Register ``rules`` and its subcommands through ``build_parser``'s ``command``."""
    rules = command_group(command, "rules", "业务规则 (状态期限、命名规则、例行复核的阈值、保管期限): 查看和修改")
    rules("show", cmd_rules_show, "显示档案的业务规则 (schema/rules.toml, 含说明)")
    p = rules(
        "set",
        cmd_rules_set,
        "修改一项业务规则, 作为一次提交记入审计 (需要「修改分类标准与权限」权限)",
        description="修改一项业务规则, 如 custtui rules set routines.value_window_days 180; "
        'custtui rules set routines.key_tiers \'["high", "medium"]\'',
    )
    p.add_argument(
        "key", metavar="规则", help="如 status.dormant_after_days、follow_up.pool_after_days、retention.years.service"
    )
    p.add_argument("value", metavar="值", help="数字、文字, 或 TOML 写法的列表")
