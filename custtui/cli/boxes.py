"""``custtui box …``: the register of paper archive boxes, what a box holds, filing a paper
original or its scan, and printable labels and contents sheets."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..core.base.errors import CusttuiError
from .common import Output, command_group, open_archive

_FIELDS = (  # option -> box field
    ("types", "doc_types"),
    ("room", "room"),
    ("shelf", "shelf"),
    ("status", "status"),
    ("note", "note"),
)


def _box_data(args) -> dict:
    from ..core.records.boxes import parse_years

    data = {field: getattr(args, option) for option, field in _FIELDS if getattr(args, option) is not None}
    if args.years is not None:
        data["year_from"], data["year_to"] = parse_years(args.years)
    return data


def _box_json(box, schema) -> dict:
    from ..core.records.boxes import STATUS

    return {
        "number": box.number,
        "year_from": box.year_from,
        "year_to": box.year_to,
        "doc_types": box.type_labels(schema),
        "room": box.room,
        "shelf": box.shelf,
        "status": STATUS.get(box.status, box.status),
        "note": box.note,
    }


def _box_line(box, schema, count: int) -> str:
    from ..core.records.boxes import STATUS

    types = "、".join(box.type_labels(schema)) or "—"
    return (
        f"{box.number}  {box.years}  {types}  {box.location or '(位置未填)'}  "
        f"{STATUS.get(box.status, box.status)}  {count} 份资料"
    )


def cmd_box_list(args, out: Output) -> None:
    from ..core.archive import boxes

    archive = open_archive(args)
    schema = archive.schema()
    register = boxes.boxes(archive)
    counts = boxes.counts(archive)
    missing = {n: c for n, c in counts.items() if n not in register}
    lines = [_box_line(b, schema, counts.get(n, 0)) for n, b in register.items()]
    lines.append(f"共 {len(register)} 个已登记的纸质档案盒" if register else "还没有登记纸质档案盒")
    if missing:
        lines.append(f"资料中提到但未登记的盒号 ({len(missing)} 个, 用 custtui box add 盒号 --years 年份 … 登记):")
        lines += [f"  {n}  {c} 份资料" for n, c in sorted(missing.items())]
    out.emit(
        {
            "boxes": [dict(_box_json(b, schema), documents=counts.get(n, 0)) for n, b in register.items()],
            "unregistered": [{"number": n, "documents": c} for n, c in sorted(missing.items())],
        },
        "\n".join(lines),
    )


def cmd_box_show(args, out: Output) -> None:
    from ..core.archive import boxes

    archive = open_archive(args)
    schema = archive.schema()
    box = boxes.box(archive, args.number)
    filed, hidden = boxes.contents(archive, box.number)
    lines = [_box_line(box, schema, len(filed) + hidden)]
    if box.note:
        lines.append(f"备注: {box.note}")
    for f in filed:
        when = f"{f.date:%Y-%m-%d}" if f.date else "(无日期)"
        lines.append(f"  {f.customer} {f.customer_name}  {f.doc_type}  {when}  {f.title}  [{f.name}]")
        lines += [f"      附: {name}" for name in f.joined]
    if not filed:
        lines.append("  (盒内没有登记资料)")
    if hidden:
        lines.append(f"另有 {hidden} 份资料你的角色无权查看, 未列出")
    out.emit(
        {
            **_box_json(box, schema),
            "documents": [
                {
                    "customer": f.customer,
                    "customer_name": f.customer_name,
                    "name": f.name,
                    "title": f.title,
                    "doc_type": f.doc_type,
                    "date": f.date,
                    "joined": list(f.joined),
                }
                for f in filed
            ],
            "hidden": hidden,
        },
        "\n".join(lines),
    )


def cmd_box_add(args, out: Output) -> None:
    from ..core.archive import boxes

    archive = open_archive(args)
    number, commit = boxes.add_box(archive, {"number": args.number, **_box_data(args)})
    out.emit({"number": number, "commit": commit}, f"已登记纸质档案盒 {number} ({commit[:10]})")


def cmd_box_set(args, out: Output) -> None:
    from ..core.archive import boxes

    archive = open_archive(args)
    changes = _box_data(args)
    if not changes:
        raise CusttuiError("请至少给出一项要修改的内容, 如 --status 借出 或 --shelf B柜-3层")
    commit = boxes.update_box(archive, args.number, changes)
    out.emit(
        {"number": args.number, "commit": commit},
        f"已修改纸质档案盒 {args.number} ({commit[:10]})" if commit else "没有变化, 未提交",
    )


def cmd_box_put(args, out: Output) -> None:
    from ..core.archive import boxes

    archive = open_archive(args)
    commit = boxes.put(archive, args.number, args.id, args.document)
    out.emit(
        {"id": args.id, "name": args.document, "commit": commit},
        f"已把「{args.document}」的纸质原件登记在 {args.number} ({commit[:10]})" if commit else "没有变化, 未提交",
    )


def cmd_box_scan(args, out: Output) -> None:
    from ..core.archive import boxes

    archive = open_archive(args)
    name, commit = boxes.attach_scan(archive, args.id, args.file, args.original, name=args.name)
    out.emit(
        {"id": args.id, "name": name, "original": args.original, "commit": commit},
        f"已归档扫描件 {name}, 归入纸质原件「{args.original}」的记录 ({commit[:10]})",
    )


def cmd_box_labels(args, out: Output) -> None:
    from ..core.tasks import boxprint

    archive = open_archive(args)
    target = boxprint.labels(archive, args.numbers, Path(args.out))
    out.emit({"file": str(target)}, f"已生成档案盒标签 {target}")


def cmd_box_sheet(args, out: Output) -> None:
    from ..core.tasks import boxprint

    archive = open_archive(args)
    target, count = boxprint.sheet(archive, args.number, Path(args.out))
    out.emit({"file": str(target), "documents": count}, f"已生成 {args.number} 的盒内资料清单 {target} ({count} 份)")


def _box_options(q: argparse.ArgumentParser) -> None:
    q.add_argument("--years", help="盒内资料的年份: 2019 或 2019-2021")
    q.add_argument("--types", help="资料类型, 用逗号分隔, 如 合同,营业执照")
    q.add_argument("--room", help="存放房间, 如 档案室")
    q.add_argument("--shelf", help="柜位, 如 B柜-2层")
    q.add_argument("--status", help="状态: 在库/借出/已销毁")
    q.add_argument("--note", help="备注")


def add_commands(command) -> None:
    """Register ``box`` and its subcommands through ``build_parser``'s ``command``."""
    box = command_group(command, "box", "纸质档案盒: 登记、修改、查看盒内资料、归入扫描件、打印标签和清单")

    box("list", cmd_box_list, "列出已登记的档案盒 (年份、资料类型、位置、状态、资料数) 和资料中提到但未登记的盒号")

    q = box("show", cmd_box_show, "查看一个档案盒和盒内资料: 客户、资料类型、日期")
    q.add_argument("number", metavar="盒号")

    q = box("add", cmd_box_add, "登记一个纸质档案盒")
    q.add_argument("number", metavar="盒号", help="如 BJ-HT-2024-01 (大写字母、数字、汉字, 用 - 连接)")
    _box_options(q)

    q = box("set", cmd_box_set, '修改档案盒的年份、资料类型、位置、状态或备注 (给空值 "" 清除)')
    q.add_argument("number", metavar="盒号")
    _box_options(q)

    q = box("put", cmd_box_put, "把一份已归档资料的纸质原件登记在某个档案盒中")
    q.add_argument("number", metavar="盒号")
    q.add_argument("id", metavar="客户编号")
    q.add_argument("document", metavar="资料文件名")

    q = box("scan", cmd_box_scan, "归档纸质原件的扫描件: 扫描件归入原件的记录 (同类型、日期、盒号, 作为原件的附件)")
    q.add_argument("id", metavar="客户编号")
    q.add_argument("file", metavar="扫描件")
    q.add_argument(
        "--original", required=True, metavar="资料文件名", help="纸质原件的资料记录 (custtui show 中列出的文件名)"
    )
    q.add_argument("--name", help="存档文件名 (默认: 原件名-扫描件)")

    q = box("labels", cmd_box_labels, "打印档案盒标签 (PDF, 每页 8 张; 不覆盖已有文件)")
    q.add_argument("numbers", nargs="*", metavar="盒号", help="默认全部已登记的盒子")
    q.add_argument("--out", required=True, metavar="文件.pdf")

    q = box("sheet", cmd_box_sheet, "打印档案盒的盒内资料清单 (PDF; 需要导出权限; 不覆盖已有文件)")
    q.add_argument("number", metavar="盒号")
    q.add_argument("--out", required=True, metavar="文件.pdf")
