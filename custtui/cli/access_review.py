"""``custtui access-review``: who may see and change what, with each person's last use; ``--sign``
records the sign-off as one commit."""

from __future__ import annotations

from pathlib import Path

from ..core.base.errors import CusttuiError
from .common import Output, open_archive


def cmd_access_review(args, out: Output) -> None:
    from ..core.tasks import access_review

    if not args.sign and (args.note or args.period):
        raise CusttuiError("--note 和 --period 只在签署时使用: 请加上 --sign")
    archive = open_archive(args)
    idle = access_review.IDLE_DAYS if args.idle_days is None else args.idle_days
    found = access_review.report(archive, idle_days=idle)
    if args.out:
        target = access_review.export(archive, found, Path(args.out).expanduser())
        out.emit(
            {"path": str(target), "people": len(found.people)}, f"已导出访问权限复核 {len(found.people)} 人: {target}"
        )
    if args.sign:
        commit = access_review.sign(archive, found, note=args.note or "", period=args.period)
        signed = access_review.review_period(args.period, found.as_of).text
        out.emit(
            {"commit": commit, "period": signed, "digest": found.digest, "flags": found.flags},
            f"已签署 {signed} 的访问权限复核 ({len(found.people)} 人, {len(found.flags)} 项提示), 提交 {commit[:10]}",
        )
    elif not args.out:
        out.emit(found.as_dict(), found.text())


def add_commands(command) -> None:
    """Register this module's command with ``command(name, func, help) -> parser``."""
    p = command(
        "access-review",
        cmd_access_review,
        "访问权限复核: 每人可查看、修改什么, 最近一次使用; --sign 签署 (需要查看访问日志或管理员工的权限)",
    )
    p.add_argument("--sign", action="store_true", help="签署本次复核 (一次提交 reviews/access-<期间>.toml)")
    p.add_argument("--note", metavar="意见", help="签署时的复核意见")
    p.add_argument("--period", metavar="期间", help="签署哪个期间: 季度 2026-Q4 或半年度 2026-H2 (默认本季度)")
    p.add_argument("--idle-days", type=int, metavar="天数", help="多少天未使用即提示 (默认 90)")
    p.add_argument("--out", metavar="文件", help="把报告写入 .xlsx 或 .csv 文件 (不覆盖已有文件, 记入访问日志)")
