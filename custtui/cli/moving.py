"""Moving a company's existing archive in: ``custtui import`` (a customer list,
``custtui.core.tasks.importing``) and ``custtui inventory`` (a shared drive,
``custtui.core.tasks.inventory``)."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from ..core.base.errors import CusttuiError
from .common import Output, Progress, command_group, open_archive

SHOWN_PER_GROUP = 20  # rows listed per kind in the report; --json lists them all


def cmd_import_customers(args, out: Output) -> int:
    from ..core.tasks import importing

    archive = open_archive(args)
    path = Path(args.file)
    if not path.is_file():
        raise CusttuiError(f"找不到文件 {path}")
    saved = importing.load_mapping(Path(args.mapping), archive.schema()) if args.mapping else None
    planned = importing.plan(archive, path, customer_type=args.type, mapping=saved, sheet=args.sheet)
    if args.save_mapping:
        importing.save_mapping(Path(args.save_mapping), planned.mapping, archive.schema())
    bad, new = planned.with_errors, planned.to_create
    blocked = bool(bad) and not args.skip_errors
    created: list[tuple[int, str]] = []
    interrupted = False
    if not args.dry_run and not blocked and new:
        progress = Progress("导入客户", "导入完成", "位客户")
        with _StopBetweenBatches() as stop:
            for done, batch in importing.apply(archive, planned, args.batch_size):
                created += batch
                progress(done, len(new))
                if stop.asked and done < len(new):
                    interrupted = True
                    break
    out.emit(_as_data(planned, created, args.dry_run, blocked), _report(planned, created, args, blocked, interrupted))
    if interrupted:
        return 130
    return 1 if blocked else 0


def _as_data(planned, created: list[tuple[int, str]], dry_run: bool, blocked: bool) -> dict:
    ids = dict(created)
    return {
        "file": planned.source,
        "sheet": planned.sheet,
        "mapping": planned.mapping,
        "dry_run": dry_run,
        "imported": not dry_run and not blocked,
        "rows": [
            {
                "row": row.number,
                "name": row.name,
                "outcome": _outcome(row, ids),
                "id": ids.get(row.number),
                "errors": list(row.errors),
                "matches": [{"id": s.id, "name": s.name, "reasons": list(s.reasons)} for s in row.existing],
                "same_as_row": row.same_as,
            }
            for row in planned.rows
        ],
        "notes": planned.notes,
    }


def _outcome(row, created: dict[int, str]) -> str:
    if row.errors:
        return "error"
    if row.existing:
        return "existing"
    if row.same_as:
        return "repeated"
    return "created" if row.number in created else "new"


def _report(planned, created: list[tuple[int, str]], args, blocked: bool, interrupted: bool) -> str:
    existing = [row for row in planned.rows if row.existing]
    repeated = [row for row in planned.rows if row.same_as]
    bad, new = planned.with_errors, planned.to_create
    lines = [f"{planned.source} (工作表「{planned.sheet}」): {len(planned.rows)} 行"]
    mapped = [f"{title}→{_label(target, args)}" for title, target in planned.mapping.items() if target]
    lines.append("  列: " + "、".join(mapped))
    lines += [f"  注意: {note}" for note in planned.notes]
    lines.append(f"  新客户 {len(new)} 行")
    if existing:
        lines.append(f"  已在档案中 {len(existing)} 行 (不会重复建立):")
        for row in existing[:SHOWN_PER_GROUP]:
            match = row.existing[0]
            lines.append(f"    第 {row.number} 行 {row.name} = {match.id} {match.name} ({'; '.join(match.reasons)})")
        lines += _more(existing)
    if repeated:
        lines.append(f"  与前面的行重复 {len(repeated)} 行 (只建一次):")
        lines += [f"    第 {row.number} 行 {row.name} 同第 {row.same_as} 行" for row in repeated[:SHOWN_PER_GROUP]]
        lines += _more(repeated)
    if bad:
        lines.append(f"  有错误 {len(bad)} 行:")
        for row in bad[:SHOWN_PER_GROUP]:
            lines += [f"    第 {row.number} 行 {row.name}: {error}" for error in row.errors]
        lines += _more(bad)
    if args.dry_run:
        lines.append("试运行, 未写入任何内容; 去掉 --dry-run 即导入")
    elif blocked:
        lines.append("有错误的行, 未导入任何客户: 改正后重新运行, 或加 --skip-errors 只导入正确的行")
    elif interrupted:
        lines.append(f"已中断: 已导入 {len(created)} 位客户; 再次运行同一命令即继续 (已导入的行会认作已在档案中)")
    elif created:
        span = created[0][1] if len(created) == 1 else f"{created[0][1]} 至 {created[-1][1]}"
        lines.append(f"已导入 {len(created)} 位客户: {span}")
    else:
        lines.append("没有需要导入的新客户")
    return "\n".join(lines)


def _more(rows: list) -> list[str]:
    return [f"    … 另有 {len(rows) - SHOWN_PER_GROUP} 行 (--json 列出全部)"] if len(rows) > SHOWN_PER_GROUP else []


def _label(target: str, args) -> str:
    from ..core.tasks.importing import target_label

    return target_label(target, args.opened.schema()).split(" (")[0]


def cmd_import_template(args, out: Output) -> None:
    from ..core.tasks.importing import write_template

    archive = open_archive(args)
    path = Path(args.out)
    if path.exists():
        raise CusttuiError(f"{path} 已存在, 未覆盖; 请换一个文件名")
    if path.suffix.lower() != ".xlsx":
        raise CusttuiError(f"模板是 Excel 文件, 文件名应以 .xlsx 结尾: {path}")
    count = write_template(archive, path, args.type)
    out.emit({"path": str(path), "columns": count}, f"已生成导入模板 {path} ({count} 列, 填写说明在第二个工作表)")


def cmd_inventory(args, out: Output) -> int:
    if args.target[0] == "apply":
        if len(args.target) != 2:
            raise CusttuiError("用法: custtui inventory apply 盘点清单.xlsx")
        return _inventory_apply(args, out, Path(args.target[1]))
    if len(args.target) != 1:
        raise CusttuiError(
            "用法: custtui inventory 文件夹 --out 盘点清单.xlsx, 或 custtui inventory apply 盘点清单.xlsx"
        )
    return _inventory_scan(args, out, Path(args.target[0]))


def _inventory_scan(args, out: Output, root: Path) -> int:
    from ..core.tasks import inventory

    plan = Path(args.out or f"盘点清单-{root.resolve().name}.xlsx")
    if plan.exists():
        raise CusttuiError(f"{plan} 已存在, 未覆盖; 请用 --out 换一个文件名")
    if plan.suffix.lower() != ".xlsx":
        raise CusttuiError(f"盘点清单是 Excel 文件, 文件名应以 .xlsx 结尾: {plan}")
    archive = open_archive(args)
    entries = inventory.scan(archive, root, Progress("盘点", "盘点完成", "个文件"))
    inventory.write_plan(entries, plan, root)
    found = inventory.counts(entries)
    text = (
        f"已盘点 {root}: {len(entries)} 个文件, 清单写入 {plan} (只读, 未移动任何文件)\n"
        f"  建议归档 {found.to_file} 个; 重复 {found.copies} 个; 已在档案中 {found.filed} 个\n"
        f"  未认出客户 {found.unknown} 个; 客户久无往来 {found.quiet} 个\n"
        f"  在 Excel 中核对「动作」「客户编号」「资料类型」等黄色列, 然后运行 custtui inventory apply {plan}"
    )
    out.emit(
        {"plan": str(plan), "files": len(entries), **found._asdict(), "entries": [e._asdict() for e in entries]}, text
    )
    return 0


def _inventory_apply(args, out: Output, plan: Path) -> int:
    from ..core.tasks import inventory

    if not plan.is_file():
        raise CusttuiError(f"找不到盘点清单 {plan}")
    archive = open_archive(args)
    progress = Progress("归档", "归档完成", "个文件")
    results: list[inventory.Applied] = []
    interrupted = False
    with _StopBetweenBatches() as stop:
        for done, total, batch in inventory.apply(archive, plan, Path(args.dir) if args.dir else None):
            results += batch
            progress(done, total)
            if stop.asked and done < total:
                interrupted = True
                break
    filed = [r for r in results if r.filed]
    lines = [f"第 {r.row} 行 {r.path}: {r.outcome}" for r in results if not r.filed]
    lines.append(
        f"已归档 {len(filed)} 个文件"
        + (f", 其余 {len(results) - len(filed)} 行见上" if len(results) > len(filed) else "")
    )
    if interrupted:
        lines.append("已中断: 再次运行同一命令即继续 (已归档的文件不会重复归档)")
    out.emit({"results": [r._asdict() for r in results], "interrupted": interrupted}, "\n".join(lines))
    return 130 if interrupted else 0


def add_commands(command) -> None:
    """Register ``import`` with ``command(name, func, help) -> parser``."""
    group = command_group(command, "import", "导入已有的客户名单 (Excel/CSV)")
    q = group(
        "customers",
        cmd_import_customers,
        "从 Excel (.xlsx) 或 CSV (UTF-8/GBK) 导入客户: 按列标题对应字段, 已有的客户不会重复建立",
        "从 Excel (.xlsx) 或 CSV (UTF-8/GBK) 导入客户。先用 --dry-run 看报告; 有错误的行时默认不导入。",
    )
    q.add_argument("file", help="客户名单文件, 如 客户基础信息表.xlsx")
    q.add_argument("--dry-run", action="store_true", help="只检查并报告, 不写入")
    q.add_argument("--skip-errors", action="store_true", help="导入正确的行, 列出有错误的行")
    q.add_argument("--type", help="没有「客户类型」列时所有行的客户类型, 如 企业客户 (默认按名称和证件推断)")
    q.add_argument("--mapping", help="使用保存的列映射文件 (TOML)")
    q.add_argument("--save-mapping", help="把本次的列映射保存到文件, 可编辑后用 --mapping 再用")
    q.add_argument("--sheet", help="工作表名称 (默认第一个)")
    q.add_argument(
        "--batch-size", type=_positive, default=500, help="每次提交的客户数 (默认 500; 1 即每位客户一次提交)"
    )
    q = group(
        "template",
        cmd_import_template,
        "按本档案的字段生成导入模板 (Excel)",
        "按本档案的字段生成导入模板 (Excel): 列标题、示例行、下拉选项和填写说明。",
    )
    q.add_argument("--out", required=True, help="模板文件, 如 客户导入模板.xlsx")
    q.add_argument("--type", default="企业客户", help="客户类型 (默认 企业客户), 如 个人客户")

    p = command(
        "inventory",
        cmd_inventory,
        "盘点共享盘: custtui inventory 文件夹 (只读, 写出盘点清单); custtui inventory apply 清单.xlsx (按清单归档)",
    )
    p.add_argument("target", nargs="+", metavar="文件夹 | apply 清单", help="要盘点的文件夹, 或 apply 和盘点清单")
    p.add_argument("--out", help="盘点清单文件 (默认 盘点清单-文件夹名.xlsx)")
    p.add_argument("--dir", help="apply 时文件所在的文件夹 (默认清单中记录的文件夹)")


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"应为正整数, 实为 {text!r}")
    return int(text)


class _StopBetweenBatches:
    """Ctrl-C during an import is taken as a request to stop once the batch being written is
    committed and in the working tree: a signal in the middle of a commit left its files half
    checked out (seen in tests/test_import.py)."""

    asked = False

    def __enter__(self) -> _StopBetweenBatches:
        self.previous = signal.signal(signal.SIGINT, self._ask)
        return self

    def __exit__(self, *exc) -> None:
        signal.signal(signal.SIGINT, self.previous)

    def _ask(self, signum, frame) -> None:
        self.asked = True
        print("\n收到中断: 写完当前这一批就停止…", file=sys.stderr, flush=True)
