"""``custtui stats``: the customer structure by one or two dimensions, and its change since a date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..core.base.errors import CusttuiError
from .common import Output, open_archive

DIMENSION_HELP = (
    "行业、规模、地域、价值层级、合作阶段、客户状态、负责人、客户类型"  # stats.LABELS, without importing core
)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CusttuiError(f"日期 {text} 无法识别: 请写成 2025-12-31 的形式") from None


def cmd_stats(args, out: Output) -> None:
    from ..core.tasks import stats, tables

    archive = open_archive(args)
    target = Path(args.out).expanduser() if args.out else None
    if target:
        tables.ready(archive, target)  # refused before counting, not after
    found = stats.stats(archive, args.by, _day(args.since) if args.since else None, amounts=args.amounts)
    if target:
        table = found.table()
        tables.export(archive, table, target)
        out.emit({"path": str(target), "rows": len(table.rows)}, f"已导出{table.title} {len(table.rows)} 行: {target}")
        return
    out.emit(found.as_dict(), found.text())


def add_commands(command) -> None:
    """Register this module's subcommands with ``command(name, func, help) -> parser``."""
    p = command("stats", cmd_stats, "客户结构统计: 按一到两个维度的客户数, 以及与过去某一天相比的变化")
    p.add_argument(
        "--by",
        action="append",
        default=[],
        metavar="维度",
        help=f"按哪个维度统计 (可给两次): {DIMENSION_HELP}; 默认合作阶段",
    )
    p.add_argument(
        "--since",
        metavar="日期",
        help="与这一天 (如 2025-12-31) 的档案相比: 数量变化、第一个维度的变动、新增和减少的客户",
    )
    p.add_argument(
        "--amounts",
        action="store_true",
        help="每组客户近12个月的交易额 (有 --since 时也给出那一天之前12个月的) 和年采购额合计;"
        " 金额被打码的角色两者都看不到, 不能查看合作记录的看不到交易额",
    )
    p.add_argument("--out", metavar="文件", help="写入 .xlsx 或 .csv 文件 (需要导出权限; 不覆盖已有文件)")
