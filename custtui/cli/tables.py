"""The company's forms out of the archive: ``custtui table`` (客户基础信息表, 客户分类标签表,
资料存储目录表 as XLSX or CSV) and ``custtui dossier`` (one customer's PDF and documents)."""

from __future__ import annotations

import sys
from pathlib import Path

from ..core.base.errors import CusttuiError
from .common import Output, field_pairs, open_archive

FORMS = {
    "basic": "客户基础信息表",
    "tags": "客户分类标签表",
    "documents": "资料存储目录表",
}  # tables.NAMED, spelled here so building the parser imports no core module


def cmd_table(args, out: Output) -> None:
    from ..core.tasks import tables

    archive = open_archive(args)
    where = field_pairs(args.where)
    if args.unmask and args.form != "basic":
        raise CusttuiError("--unmask 只用于客户基础信息表 (basic): 其他表不含打码的个人信息")
    target = Path(args.out).expanduser() if args.out else None
    if target:
        tables.ready(archive, target)  # refused before a long build, not after
    build = tables.BUILDERS[args.form]
    table = build(archive, where, unmask=args.unmask) if args.form == "basic" else build(archive, where)
    for cid in table.skipped:
        print(f"注意: {cid} 的记录已损坏, 未列入表中 (custtui check 可查看原因)", file=sys.stderr)
    if target:
        tables.export(archive, table, target)
        out.emit({"path": str(target), "rows": len(table.rows)}, f"已导出{table.title} {len(table.rows)} 行: {target}")
        return
    out.emit(
        [dict(zip(table.header, row, strict=True)) for row in table.rows],
        "\n".join("\t".join(" ".join(tables.cell_text(v).split()) for v in row) for row in [table.header, *table.rows])
        + f"\n共 {len(table.rows)} 行",
    )


def cmd_dossier(args, out: Output) -> None:
    from ..core.tasks import dossier

    archive = open_archive(args)
    made = dossier.write(archive, args.id, Path(args.out).expanduser(), unmask=args.unmask)
    out.emit(
        {"pdf": str(made.pdf), "zip": str(made.zip), "documents": made.documents},
        f"已生成客户档案: {made.pdf}\n资料压缩包 ({made.documents} 份资料): {made.zip}",
    )


def add_commands(command) -> None:
    """Register this module's subcommands with ``command(name, func, help) -> parser``."""
    p = command(
        "table",
        cmd_table,
        "导出表格: 客户基础信息表、客户分类标签表、资料存储目录表 (按你的权限打码, 只含你能查看的资料)",
    )
    p.add_argument(
        "form",
        choices=tuple(FORMS),
        help="; ".join(f"{code} {title}" for code, title in FORMS.items()),
    )
    p.add_argument(
        "--out", metavar="文件", help="写入 .xlsx 或 .csv 文件 (需要导出权限; 不覆盖已有文件); 不给则显示在屏幕上"
    )
    p.add_argument(
        "--where", nargs="+", action="extend", default=[], metavar="字段=值", help="只含符合条件的客户, 如 行业=制造业"
    )
    p.add_argument("--unmask", action="store_true", help="显示未打码的个人信息 (需要 unmask 权限, 记入访问日志)")

    p = command(
        "dossier",
        cmd_dossier,
        "生成客户档案: 一份 PDF (基础信息、联系人、阶段历史、沟通记录、交易记录、资料目录) 和你能查看的资料的 zip",
    )
    p.add_argument("id", help="客户编号, 如 BJ-000001")
    p.add_argument("--out", default=".", metavar="文件夹", help="保存到哪个文件夹 (默认当前目录; 不覆盖已有文件)")
    p.add_argument("--unmask", action="store_true", help="显示未打码的个人信息 (需要 unmask 权限, 记入访问日志)")
