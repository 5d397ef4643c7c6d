"""``custtui routine run``: a routine of the calendar (monthly, quarterly, half-yearly) as a batch
of numbered proposals with their evidence and a list of findings; the proposals a person accepts
(all with ``--yes``, for cron) become one commit that ``custtui revert`` undoes."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from ..core.base.errors import CusttuiError
from .common import Output, command_group, open_archive

ROUTINE_HELP = "monthly 月度、quarterly 季度、halfyear 半年度、retention 保管期限"
ALL, NONE = ("全部", "all", "a", "y", "yes"), ("无", "none", "n", "no", "")


def chosen(text: str, count: int) -> list[int]:
    """The proposal numbers (from 1) a person typed: 全部, 无, or numbers and ranges (1,3-5)."""
    typed = text.strip().lower()
    if typed in ALL:
        return list(range(1, count + 1))
    if typed in NONE:
        return []
    numbers: set[int] = set()
    for part in filter(None, re.split(r"[,，、\s]+", typed)):
        found = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if not found:
            raise CusttuiError(f"「{part}」不是编号: 请写 全部、无, 或编号如 1,3-5")
        first, last = int(found[1]), int(found[2] or found[1])
        if not 1 <= first <= last <= count:
            raise CusttuiError(f"编号 {part} 超出范围: 建议共 {count} 条")
        numbers.update(range(first, last + 1))
    return sorted(numbers)


def _ask(count: int) -> list[int]:
    """Ask on the terminal which proposals to accept, again after a typing mistake (the routine
    is not computed twice); ctrl-D accepts nothing."""
    while True:
        try:
            typed = input("接受哪些建议? (全部 / 无 / 编号如 1,3-5): ")
        except EOFError:
            return []
        try:
            return chosen(typed, count)
        except CusttuiError as exc:
            print(f"{exc}; 请重新输入", file=sys.stderr)


def _text(routine, proposals: list[dict]) -> list[str]:
    from ..core.tasks.routines import FINDING_KINDS

    lines = [
        f"{routine.label} (截至 {routine.as_of.isoformat()}): {len(proposals)} 条建议, {len(routine.findings)} 项发现"
    ]
    for d in proposals:
        lines.append(f"  {d['number']:>3}. {d['customer_id']} {d['name']}  {d['field']}: {d['old']} → {d['new']}")
        if d["evidence"]:
            lines.append(f"       {d['evidence']}")
    for kind in FINDING_KINDS:
        found = [f for f in routine.findings if f.kind == kind]
        if found:
            lines.append(f"{kind} ({len(found)}):")
            lines += [f"  {f.customer_id} {f.name}: {f.detail}" for f in found]
    return lines


def cmd_routine_run(args, out: Output) -> None:
    from ..core.records.validate import parse_date
    from ..core.tasks import routines, tables

    archive = open_archive(args)
    target = Path(args.out).expanduser() if args.out else None
    if target:
        tables.ready(archive, target)  # refused before the work, not after
    today = parse_date(args.today, "today", "复核日期") if args.today else None
    routine = routines.run(archive, args.routine, args.period, today)
    schema = archive.schema()
    proposals = routines.described(routine, schema)
    data: dict = {
        "routine": routines.ROUTINES[routine.period.routine],
        "period": routine.period.text,
        "as_of": routine.as_of,
        "proposals": proposals,
        "findings": [f._asdict() for f in routine.findings],
    }
    lines = _text(routine, proposals)
    if target:
        tables.export(archive, routines.table(routine, schema), target)
        lines.append(f"已导出 {len(proposals)} 条建议和 {len(routine.findings)} 项发现: {target}")
    numbers: list[int] = []
    asked = False
    if not proposals:
        pass
    elif args.dry_run:
        lines.append("试运行: 未保存任何修改")
    elif args.yes:
        numbers = list(range(1, len(proposals) + 1))
    elif sys.stdin.isatty() and not out.as_json:
        print("\n".join(lines))
        lines, asked = [], True
        numbers = _ask(len(proposals))
    else:
        lines.append("未保存: 加 --yes 接受全部建议, 或在终端中运行本命令逐条选择")
    commit = routines.accept(archive, routine, [routine.proposals[n - 1] for n in numbers]) if numbers else None
    if commit and routine.period.routine == "retention":
        lines.append(f"已按所选 {len(numbers)} 条建议删除个人信息 (提交 {commit[:10]}); 删除不能撤销")
    elif commit:
        lines.append(f"已接受 {len(numbers)} 条建议 (提交 {commit[:10]}); 撤销: custtui revert {commit[:10]}")
    elif numbers and routine.period.routine == "retention":
        lines.append("所选客户已有新的联系或阶段变化, 不再超过保管期限, 未删除")
    elif numbers:
        lines.append("所选建议涉及的字段已被他人修改, 未写入")
    elif asked:
        lines.append("未接受任何建议, 未保存")
    data.update(accepted=numbers, commit=commit)
    out.emit(data, "\n".join(lines))


def add_commands(command) -> None:
    """Register ``routine`` and its subcommands through ``build_parser``'s ``command``."""
    routine = command_group(
        command, "routine", "例行复核: 月度状态与阶段、季度价值层级、半年度完整性与重复检查、保管期限到期的删除"
    )
    p = routine(
        "run",
        cmd_routine_run,
        "运行一次例行复核: 列出带依据的建议和发现, 接受的建议作为一次提交 (可用 custtui revert 撤销)",
    )
    p.add_argument("routine", metavar="复核", help=ROUTINE_HELP)
    p.add_argument(
        "--period", metavar="期间", help="如 2026-11 (月度、保管期限)、2026-Q3 (季度)、2026-H2 (半年度); 默认当前期间"
    )
    p.add_argument("--today", metavar="日期", help="以哪一天为准 (默认今天)")
    p.add_argument("--dry-run", action="store_true", help="只列出建议和发现, 不保存")
    p.add_argument("--yes", action="store_true", help="接受全部建议, 不逐条询问 (用于 cron)")
    p.add_argument("--out", metavar="文件", help="把建议和发现写入 .xlsx 或 .csv 文件 (需要导出权限; 不覆盖已有文件)")
