"""The ``custtui`` command: a thin layer over ``custtui.core`` for scripts, cron and people."""

from __future__ import annotations

import argparse
import errno
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.base.errors import CusttuiError, FieldError
from .access_review import add_commands as add_access_review_commands
from .backup import add_commands as add_backup_commands
from .boxes import add_commands as add_box_commands
from .common import Output, Progress, archive_path, chinese_argparse, field_pairs, global_options, open_archive
from .duplicates import add_commands as add_duplicates_commands
from .followups import add_commands as add_followup_commands
from .launch import typed_command
from .moving import add_commands as add_import_commands
from .privacy import add_commands as add_privacy_commands
from .routines import add_commands as add_routine_commands
from .rules import add_commands as add_rules_commands
from .ssh import add_commands as add_ssh_commands
from .stats import add_commands as add_stats_commands
from .tables import add_commands as add_table_commands

if TYPE_CHECKING:
    from ..core.archive.archive import Archive

# Each command imports what it needs when it runs: a command started from a script or over SSH
# should not pay for the search engine, pinyin, sync or the interface it does not use
# (bench/bench_cli.py times them end to end).


# --- commands ----------------------------------------------------------------------------


def cmd_init(args, out: Output) -> None:
    from ..core.archive.archive import Archive

    archive = Archive.init(
        args.path, args.office, bare=args.bare, name=args.name, office_name=args.office_name, user=_creator(args)
    )
    _ready_index(archive, args)
    out.emit(
        {"path": str(archive.store.path), "office": archive.office, "commit": archive.head()},
        f"已创建档案 {archive.store.path} (办事处 {archive.office})",
    )


def _creator(args) -> str | None:
    """Who creates an archive: ``--user``, $CUSTTUI_USER, else git's user.name (said on stderr)."""
    if args.user or os.environ.get("CUSTTUI_USER"):
        return args.user
    found = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True).stdout.strip()
    if found:
        print(
            f"注意: 未指定操作人, 以 git user.name「{found}」作为提交作者 (用 --user 或 CUSTTUI_USER 指定)",
            file=sys.stderr,
        )
    return found or None


def cmd_demo(args, out: Output) -> None:
    from ..core.tasks.demo import build_demo
    from ..core.tasks.summary import summarise

    archive = build_demo(args.path, user=args.user)
    _ready_index(archive, args)
    summary = summarise(archive)
    out.emit(summary.as_dict(), f"示例档案已创建: {archive.store.path}\n\n{summary.text()}")


def cmd_resident(args, out: Output) -> int:
    from datetime import datetime

    from . import resident

    answer = resident.ask(args.action)
    if answer is None:
        out.emit({"running": False}, "没有运行中的常驻进程 (下一次 show、search 或 set 会启动它)")
        return 0
    since = datetime.fromtimestamp(answer["started"]).strftime("%Y-%m-%d %H:%M:%S")
    stopping = " 正在停止" if args.action == "stop" else ""
    out.emit(
        {"running": True, "pid": answer["pid"], "started": since, "served": answer["served"]},
        f"常驻进程 {answer['pid']}, 自 {since} 起处理了 {answer['served']} 条命令{stopping}",
    )
    return 0


def cmd_summary(args, out: Output) -> None:
    from ..core.tasks.summary import summarise

    summary = summarise(open_archive(args))
    out.emit(summary.as_dict(), summary.text())


def cmd_add(args, out: Output) -> None:
    from ..core.archive.duplicates import DuplicateFinder, describe

    archive = open_archive(args)
    fields = field_pairs(args.set)
    try:
        draft = archive.validator().customer({"type": args.type, "name": args.name, **fields}, check_required=False)
    except CusttuiError:  # add_customer says what is wrong, in its own order (system fields first)
        draft = None
    suspects = DuplicateFinder.of(archive).suspects(draft) if draft else []
    # a same USCC or ID number is refused by add_customer itself (naming the customer), flag or not
    if suspects and not any(s.certain for s in suspects):
        print(describe(suspects), file=sys.stderr)
        if not args.allow_duplicate:
            raise CusttuiError("未保存: 确认不是同一客户后, 加 --allow-duplicate 重新运行即可新建")
    customer_id, commit = archive.add_customer(args.type, args.name, fields)
    out.emit({"id": customer_id, "commit": commit}, customer_id)


def cmd_set(args, out: Output) -> None:
    archive = open_archive(args)
    commit = archive.update_customer(args.id, field_pairs(args.fields), reason=args.reason)
    out.emit(
        {"id": args.id, "commit": commit},
        f"已保存 {args.id} ({commit[:10]})" if commit else f"{args.id} 没有变化, 未提交",
    )


def cmd_show(args, out: Output) -> None:
    from ..core.records.present import LOCKED_TEXT, display, field_label
    from ..core.tasks import view

    archive = open_archive(args)
    shown = view.folder(archive, args.id, unmask=args.unmask)
    record = shown.record
    if record.get("merged_into"):
        target = record["merged_into"]
        out.emit(record, f"{args.id} {record['name']} 已并入 {target}; 请查看 custtui show {target}")
        return
    schema = archive.schema()
    notes, deals, docs = shown.notes, shown.deals, shown.documents
    data = {**record, "notes": notes, "deals": deals, "documents": [{"name": d.name, **d.meta} for d in docs]}
    lines = [f"{record['id']}  {record['name']}"]
    for key, value in record.items():
        if key in ("id", "name", "contacts", "stage_history"):
            continue
        lines.append(f"  {field_label(schema, key)}: {display(schema, key, value)}")
    for contact in record.get("contacts", []):
        flag = " (决策人)" if contact.get("decision_maker") else ""
        lines.append(
            f"  联系人: {contact['name']} {contact.get('position', '')}{flag} "
            f"{' '.join(contact.get('phones', []))} {contact.get('email', '')}".rstrip()
        )
    for step in record.get("stage_history", []):
        lines.append(
            f"  阶段变更: {step['date']} {schema.label('stage', step.get('from', ''))}"
            f"→{schema.label('stage', step['to'])} {step.get('reason', '')} ({step.get('by', '')})"
        )
    if notes:
        lines.append(f"沟通记录 ({len(notes)}):")
        lines += [
            f"  {n['time']:%Y-%m-%d %H:%M} {schema.label('channel', n['channel'])} {n.get('content', LOCKED_TEXT)[:40]}"
            for n in notes
        ]
    if deals:
        lines.append(f"交易记录 ({len(deals)}):")
        lines += [f"  {d['date']} {_amount(d['amount']):>14} 元 {d['product']}" for d in deals]
    if docs:
        lines.append(f"资料 ({len(docs)}):")
        for doc in docs:
            info = schema.info_types[doc.meta["info_type"]].label
            lines.append(f"  [{info}] {doc.name} ({schema.label('sensitivity', doc.meta['sensitivity'])})")
    out.emit(data, "\n".join(lines))


def _amount(value: Any) -> str:
    """An amount with thousands separators, or the mask as it is."""
    from decimal import Decimal

    try:
        return f"{Decimal(value):,.2f}"
    except ArithmeticError:
        return str(value)


def cmd_list(args, out: Output) -> None:
    from ..core.tasks import view

    archive = open_archive(args)
    schema = archive.schema()
    found = view.find(archive, field_pairs(args.where))
    if args.out:
        _write_out(args, out, archive, "listed", found)
        return
    rows = [
        f"{c['id']}  ⚠ 记录已损坏: {c['error']}"
        if c.get("error")
        else f"{c['id']}  {c.get('name', '')}  {schema.label('customer_type', c.get('type', ''))}  "
        f"{schema.label('stage', c.get('stage', ''))}  {c.get('owner', '')}"
        for c in found
    ]
    out.emit(
        [{k: c.get(k) for k in ("id", "name", "type", "stage", "owner", "industry", "region", "error")} for c in found],
        "\n".join(rows + [f"共 {len(found)} 个客户"]),
    )


def _write_out(args, out: Output, archive: Archive, kind: str, shown: Any) -> None:
    """``--out FILE`` of list and search: the result as shown, written as XLSX or CSV."""
    from ..core.tasks import tables

    table = tables.listed(archive, shown) if kind == "listed" else tables.searched(shown)
    target = tables.export(archive, table, Path(args.out).expanduser())
    out.emit({"path": str(target), "rows": len(table.rows)}, f"已导出 {len(table.rows)} 行: {target}")


def cmd_note(args, out: Output) -> None:
    archive = open_archive(args)
    data = {
        k: v
        for k, v in (
            ("time", args.time),
            ("channel", args.channel),
            ("participants", args.participants),
            ("content", args.content),
            ("needs", args.needs),
            ("feedback", args.feedback),
        )
        if v is not None
    }
    if (args.next is None) != (args.next_action is None):
        raise CusttuiError("设定下次跟进需要同时给出 --next 日期和 --next-action 事项")
    step = {"date": args.next, "action": args.next_action, "owner": args.next_owner} if args.next else None
    name, commit = archive.add_note(args.id, data, follow_up=step)
    out.emit({"id": args.id, "file": name, "commit": commit}, f"已记录沟通 {args.id} ({commit[:10]})")


def cmd_deal(args, out: Output) -> None:
    archive = open_archive(args)
    data = {
        k: v
        for k, v in (
            ("date", args.date),
            ("amount", args.amount),
            ("product", args.product),
            ("contract", args.contract),
        )
        if v is not None
    }
    name, commit = archive.add_deal(args.id, data)
    out.emit({"id": args.id, "file": name, "commit": commit}, f"已记录交易 {args.id} ({commit[:10]})")


def cmd_attach(args, out: Output) -> None:
    from ..core.base.layout import DOCUMENT_FIELDS

    archive = open_archive(args)
    meta = {key: getattr(args, key) for key in DOCUMENT_FIELDS if getattr(args, key) is not None}
    if not args.allow_duplicate:  # anywhere in the archive, as the TUI checks; attach itself sees one customer
        import hashlib

        from ..core.archive.archive import read_document_file

        data = read_document_file(Path(args.file), archive.schema().rules["documents"]["max_file_bytes"])
        if held := archive.documents_with_checksum(hashlib.sha256(data).hexdigest()):
            where = "、".join(f"{cid} 的「{name}」" for cid, name in held)
            raise FieldError(
                "file",
                "资料文件",
                f"与已归档的 {where}内容完全相同 (校验和一致), 未重复归档; 确需再归档请加 --allow-duplicate",
            )
    name, commit = archive.attach(args.id, args.file, meta, name=args.name, allow_duplicate=args.allow_duplicate)
    out.emit({"id": args.id, "name": name, "commit": commit}, f"已归档 {name} ({commit[:10]})")


def cmd_log(args, out: Output) -> None:
    from ..core.records.validate import parse_date
    from ..core.tasks import view

    archive = open_archive(args)
    since = parse_date(args.since, "since", "起始日期") if args.since else None
    until = parse_date(args.until, "until", "截止日期") if args.until else None
    entries = view.history(
        archive, args.id, field=args.field, author=args.author, since=since, until=until, limit=args.limit
    )
    out.emit(
        [
            {
                "commit": e.commit,
                "author": e.author,
                "time": e.when,
                "summary": e.summary,
                "customer": e.customer,
                "action": e.action,
                "fields": e.fields,
            }
            for e in entries
        ],
        "\n".join(f"{e.commit[:10]}  {e.when:%Y-%m-%d %H:%M}  {e.author}  {e.summary}" for e in entries) or "没有记录",
    )


def cmd_revert(args, out: Output) -> None:
    from ..core.tasks.audit import revert_plan

    archive = open_archive(args)
    plan = revert_plan(archive, args.commit)
    if plan.stage and not (args.reason or "").strip():
        raise FieldError(
            "--reason",
            "变更原因",
            f"撤销的是合作阶段的变更, 会在阶段历史中新增一条 {plan.stage[0]} → {plan.stage[1]} 的变更 (原记录保留);"
            " 请用 --reason 写明原因",
        )
    commit = archive.revert(plan.report.commit, reason=args.reason)
    report = plan.report
    out.emit(
        {"commit": commit, "reverted": report.commit, "changes": [[c.title, *c.details] for c in plan.changes]},
        f"已撤销 {report.author} {report.when:%Y-%m-%d %H:%M} 的提交 {report.commit[:10]}, 新提交 {commit[:10]}:\n"
        + "\n".join(f"  {c.title}" + "".join(f"\n    {d}" for d in c.details) for c in plan.changes),
    )


RETENTION_SHOWN = 20  # overdue customers and documents ``check`` names before counting the rest


def cmd_check(args, out: Output) -> int:
    """Damage (exit 1), then what is kept past its retention: a task for people, not damage, so
    it leaves the exit status alone."""
    from ..core.tasks import routines

    archive = open_archive(args)
    problems = archive.check()
    text = "\n".join(problems) + f"\n共发现 {len(problems)} 个问题" if problems else "检查通过: 档案完好"
    try:
        overdue = routines.run(archive, "retention")
    except CusttuiError as exc:  # a standard that does not load is among the problems already
        out.emit({"ok": not problems, "problems": problems}, f"{text}\n保管期限未能检查: {exc}")
        return 1 if problems else 0
    due = [f"{p.customer_id} {p.name}: {p.evidence}" for p in overdue.proposals]
    due += [f"{f.customer_id} {f.name}: {f.detail}" for f in overdue.findings]
    if due:
        text += (
            f"\n保管期限 (不是损坏, 需要人复核): {len(overdue.proposals)} 个客户、{len(overdue.findings)} 份资料"
            "已超过保管期限; 运行 custtui routine run 保管期限 决定删除或保留\n  "
            + "\n  ".join(due[:RETENTION_SHOWN])
            + (f"\n  …另有 {len(due) - RETENTION_SHOWN} 项" if len(due) > RETENTION_SHOWN else "")
        )
    retention = {
        "customers": routines.described(overdue, archive.schema()),
        "documents": [f._asdict() for f in overdue.findings],
    }
    out.emit({"ok": not problems, "problems": problems, "retention": retention}, text)
    return 1 if problems else 0


def cmd_review(args, out: Output) -> None:
    from ..core.records.validate import parse_date
    from ..core.tasks.review import apply_review, review

    archive = open_archive(args)
    schema = archive.schema()
    today = parse_date(args.today, "today", "复核日期") if args.today else None
    changes = review(archive, today)
    commit = apply_review(archive, changes) if args.apply else None
    rows = [
        f"{c.customer_id}  {c.name}  {schema.label('status', c.current)}→{schema.label('status', c.suggested)}"
        f"  (最近联系 {c.last_activity})"
        for c in changes
    ]
    tail = (
        f"已更新 {len(changes)} 个客户的状态 ({commit[:10]})"
        if commit
        else (f"共 {len(changes)} 个客户需调整状态; 加 --apply 保存" if changes else "所有客户状态与最近联系时间相符")
    )
    out.emit({"changes": [c.__dict__ for c in changes], "commit": commit}, "\n".join(rows + [tail]))


def _index_progress(args) -> Progress | None:
    """The search index's build progress on stderr, unless the output is JSON."""
    return None if args.json else Progress("正在建立搜索索引", "搜索索引已建立", "位客户")


def _ready_index(archive: Archive, args) -> None:
    """Build a new archive's search index now, so the first search (in the TUI too) does not wait."""
    if archive.store.work_tree is not None:
        archive.search_index(on_message=_notice).ensure(progress=_index_progress(args))


def _notice(message: str) -> None:
    print(f"注意: {message}", file=sys.stderr)


def cmd_search(args, out: Output) -> None:
    from ..core.tasks import view

    archive = open_archive(args)
    index = archive.search_index(on_message=_notice)
    index.ensure(progress=_index_progress(args))
    results = view.search(archive, " ".join(args.query), limit=args.limit)
    if args.out:
        _write_out(args, out, archive, "searched", results)
        return
    lines = [f"注意: {hint}" for hint in results.hints]
    for hit in results.hits:
        where = f"  资料 {hit.document}" if hit.kind == "document" else ""
        lines.append(f"{hit.id}  {hit.name}{where}")
        if hit.highlights:
            lines.append(f"    {hit.why}: {hit.highlights}" if hit.why else f"    {hit.highlights}")
        if hit.note:
            lines.append(f"    ({hit.note})")
    lines.append(
        f"{'共' if results.exact else '约'} {results.total} 条结果"
        + (f", 显示前 {len(results.hits)} 条" if results.total > len(results.hits) else "")
    )
    out.emit(
        {
            "query": results.query,
            "total": results.total,
            "total_exact": results.exact,
            "hints": results.hints,
            "hits": [hit.as_dict() for hit in results.hits],
        },
        "\n".join(lines),
    )


def cmd_reindex(args, out: Output) -> None:
    archive = open_archive(args)
    count = archive.search_index(on_message=_notice).rebuild(progress=_index_progress(args))
    out.emit({"customers": count, "commit": archive.head()}, f"搜索索引已重建: {count} 个客户")


def cmd_tui(args, out: Output) -> int:
    from ..core.archive.archive import Archive

    path = archive_path(args)
    Archive(path, user=args.user).close()  # a clear error before the screen switches (and before Textual loads)
    from ..tui.app import run_app

    return run_app(path, args.user)


NO_ARCHIVE = """{problem}

custtui 打开的是一份客户档案 (一个 git 仓库):
  打开已有档案: custtui --archive 档案路径 (或设置 CUSTTUI_ARCHIVE, 或在档案目录中运行 custtui)
  新建演示档案: custtui --user 你的姓名 demo 新目录
  新建空白档案: custtui --user 你的姓名 init 新目录 --office BJ
  查看全部命令: custtui --help"""


def open_default(args, out: Output) -> int:
    """``custtui`` alone: the interface on the archive found, or what to do when there is none."""
    try:
        return cmd_tui(args, out)
    except CusttuiError as exc:
        print(NO_ARCHIVE.format(problem=f"错误: {exc}"), file=sys.stderr)
        return 2


def cmd_clone(args, out: Output) -> None:
    from ..core.sync import sync

    archive = sync.clone(
        args.url, args.path, args.office, office_name=args.office_name, user=_creator(args), bare=args.bare
    )
    _ready_index(archive, args)
    out.emit(
        {"path": str(archive.store.path), "office": archive.office, "commit": archive.head()},
        f"已克隆到 {archive.store.path}, 本副本的办事处代码 {archive.office} 已登记并推送",
    )


def cmd_remote(args, out: Output) -> None:
    from ..core.sync import sync

    archive = open_archive(args)
    if args.action == "add":
        if not args.url:
            raise CusttuiError("用法: custtui remote add 名称 地址")
        sync.add_remote(archive, args.name, args.url)
    elif args.action == "remove":
        sync.remove_remote(archive, args.name)
    known = sync.remotes(archive)
    out.emit(known, "\n".join(f"{name}\t{url}" for name, url in known.items()) or "(没有远程仓库)")


def cmd_sync(args, out: Output) -> int:
    from ..core.sync import sync

    archive = open_archive(args)
    progress = (lambda message: None) if args.json or args.quiet else (lambda message: print(message, file=sys.stderr))
    result = sync.sync(archive, args.remote, push=not args.no_push, on_progress=progress)
    lines = [result.summary() + ("; 用 custtui conflicts 查看并解决" if result.conflicts else "")]
    lines += [f"  冲突 {line}" for line in result.conflict_lines(archive.schema())]
    lines += [f"  同名不同内容, 另存: {path}" for path in result.kept_twice]
    lines += [f"  疑似重复: {a} 与 {b} ({why}); 可用 custtui merge-customers 合并" for a, b, why in result.duplicates]
    if args.timing:
        lines.append(
            f"  检查 {result.gate_seconds:.2f} 秒, 合并 {result.merge_seconds - result.gate_seconds:.2f} 秒, "
            f"索引追赶 {result.catch_up_seconds:.2f} 秒"
        )
    out.emit({**vars(result), "conflicts": [{"path": p, **c} for p, c in result.conflicts]}, "\n".join(lines))
    return 0


def cmd_conflicts(args, out: Output) -> None:
    from ..core.tasks.conflicts import open_conflicts

    archive = open_archive(args)
    found, schema = open_conflicts(archive, args.id), archive.schema()
    rows = [{"id": c.customer_id, "file": c.file, "number": c.number, **c.conflict} for c in found]
    out.emit(rows, "\n".join(c.line(schema) for c in found) or "没有未解决的冲突")


def cmd_resolve(args, out: Output) -> None:
    from ..core.sync.reconcile import resolve_conflict

    archive = open_archive(args)
    commit = resolve_conflict(archive, args.id, args.number, args.keep, document=args.document)
    out.emit({"id": args.id, "commit": commit}, f"已解决 {args.id} 的第 {args.number} 处冲突 ({commit[:10]})")


def cmd_merge_customers(args, out: Output) -> None:
    from ..core.sync.reconcile import merge_customers

    archive = open_archive(args)
    commit = merge_customers(archive, args.keep, args.fold)
    out.emit(
        {"id": args.keep, "merged": args.fold, "commit": commit},
        f"已把 {args.fold} 并入 {args.keep} ({commit[:10]}); "
        f"不同的字段值记为冲突, 可用 custtui conflicts {args.keep} 查看",
    )


def cmd_install_merge_driver(args, out: Output) -> None:
    from ..core.store import hooks

    archive = open_archive(args)
    hooks.install_driver(archive.store)
    hooks.install(archive.store)
    out.emit(
        {"ok": True},
        "已安装字段级合并驱动与接收检查: git pull/merge 将按字段合并 TOML 记录, 推送和 git pull 收到的提交都先经过检查",
    )


def cmd_gate_hook(args, out: Output) -> int:
    """git's hooks call this (custtui.core.store.hooks): the gate for a push or a plain-git branch move."""
    from ..core.archive.archive import Archive
    from ..core.sync import gate

    updates = [tuple(line.split()[:3]) for line in sys.stdin.read().splitlines() if len(line.split()) >= 3]
    where = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True)
    path = (
        where.stdout.strip()
        if where.returncode == 0 and args.mode == "local"
        else os.environ.get("GIT_DIR") or os.getcwd()
    )
    try:
        archive = Archive(path)
        if args.mode == "push":
            gate.receive(archive, updates, os.environ.get("CUSTTUI_STAFF"))
        else:
            gate.local_update(archive, updates)
    except CusttuiError as exc:
        print(f"错误: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # fail closed: an unexpected problem refuses the update, never lets it through
        print(f"错误: custtui 检查此次更新时出错 ({type(exc).__name__}: {exc}), 为安全起见拒绝", file=sys.stderr)
        return 1
    return 0


def cmd_merge_driver(args, out: Output) -> int:
    from ..core.sync.merge import run_driver

    return run_driver(args.base, args.ours, args.theirs, args.path, dict(os.environ))


def cmd_export(args, out: Output) -> None:
    from ..core.tasks import view

    target = view.export_document(open_archive(args), args.id, args.name, Path(args.to).expanduser())
    out.emit({"path": str(target)}, f"已导出副本: {target}")


def cmd_signing(args, out: Output) -> None:
    from ..core.archive import signing

    owner = signing.enable(open_archive(args), args.key)
    who = f", 该公钥登记给 {owner.label}" if owner else " (员工名册为空: 密钥只记在本副本)"
    out.emit(
        {"key": str(args.key), "owner": owner.id if owner else None},
        f"此后 custtui 在本副本的提交都用 {args.key} 签名{who}; git 本身不使用此密钥, 手工提交不会被签名",
    )


def cmd_verify(args, out: Output) -> int:
    from ..core.archive import signing

    findings = signing.verify(open_archive(args), args.since)
    out.emit(
        [vars(f) for f in findings],
        "\n".join(f"{f.commit[:10]} {f.when} {f.author} {f.subject}: {f.problem}" for f in findings)
        or "所有提交都由允许的密钥签名",
    )
    return 1 if findings else 0


def cmd_pack(args, out: Output) -> None:
    open_archive(args).pack(prune=True)
    out.emit({"ok": True}, "已打包整理仓库对象, 并清除了不再被引用的对象 (含已销毁的密钥)")


# --- parser ------------------------------------------------------------------------------


class _Unbuilt:
    """Stands for the parser of a subcommand that was not typed: building all 39 with their
    arguments took 8-11 ms of every command (measured), the one typed takes a fraction of it."""

    def __getattr__(self, name: str):
        return lambda *args, **kwargs: self


def build_parser(typed: str | None = None) -> tuple[argparse.ArgumentParser, bool]:
    """The command line's parser; with ``typed``, only that subcommand's is built. Returns the
    parser and whether ``typed`` was one of the subcommands (if not, build them all)."""
    common = global_options()
    parser = argparse.ArgumentParser(prog="custtui", parents=[common], description="custtui 客户档案管理")
    sub = parser.add_subparsers(dest="command", metavar="命令")
    built = []

    def command(name: str, func, help: str) -> argparse.ArgumentParser:
        if typed is not None and name != typed:
            return _Unbuilt()  # type: ignore[return-value]
        built.append(name)
        p = sub.add_parser(name, parents=[common], help=help, description=help)
        p.set_defaults(func=func)
        return p

    p = command("init", cmd_init, "创建新档案")
    p.add_argument("path")
    p.add_argument("--office", required=True, help="本办事处代码, 如 BJ")
    p.add_argument("--office-name", help="办事处名称, 如 北京总部")
    p.add_argument("--name", help="档案名称")
    p.add_argument("--bare", action="store_true", help="创建裸仓库 (服务器中心库)")

    p = command("demo", cmd_demo, "用示例档案 (sample-archive/) 创建一个带历史的演示档案")
    p.add_argument("path")

    command("summary", cmd_summary, "档案概况")

    p = command("add", cmd_add, "新建客户, 输出客户编号")
    p.add_argument("--type", required=True, help="客户类型: 个人/企业/政府 或代码")
    p.add_argument("--name", required=True, help="客户名称")
    p.add_argument(
        "--set", nargs="+", action="extend", default=[], metavar="字段=值", help="字段=值 (可多次使用 --set, 都会生效)"
    )
    p.add_argument(
        "--allow-duplicate",
        action="store_true",
        help="名称、简称或电话与已有客户相同时仍然新建 (同一信用代码/身份证号仍会拒绝)",
    )

    p = command("set", cmd_set, "修改客户字段")
    p.add_argument("id")
    p.add_argument("fields", nargs="+", metavar="字段=值")
    p.add_argument("--reason", help="合作阶段变更的原因")

    p = command("show", cmd_show, "查看客户")
    p.add_argument("id")
    p.add_argument("--unmask", action="store_true", help="显示未打码的个人信息 (需要 unmask 权限, 记入访问日志)")

    p = command("list", cmd_list, "列出客户")
    p.add_argument("--where", nargs="+", action="extend", default=[], metavar="字段=值")
    p.add_argument("--out", metavar="文件", help="把列出的客户写入 .xlsx 或 .csv 文件 (需要导出权限; 不覆盖已有文件)")

    p = command("note", cmd_note, "添加沟通记录")
    p.add_argument("id")
    p.add_argument("--time", help="沟通时间, 默认现在")
    p.add_argument("--channel", required=True, help="沟通方式: 电话/邮件/会议/微信/上门拜访")
    p.add_argument("--participants", help="参与人, 用逗号分隔")
    p.add_argument("--content", required=True, help="沟通内容")
    p.add_argument("--needs", help="客户需求")
    p.add_argument("--feedback", help="客户反馈")
    p.add_argument("--next", metavar="日期", help="下次跟进日期 (与 --next-action 同用, 同一提交中设定)")
    p.add_argument("--next-action", metavar="事项", help="下次跟进事项, 如 回访报价")
    p.add_argument("--next-owner", metavar="跟进人", help="由谁跟进 (默认客户的负责人)")

    p = command("deal", cmd_deal, "添加交易记录")
    p.add_argument("id")
    p.add_argument("--date", help="交易日期, 默认今天")
    p.add_argument("--amount", required=True, help="金额, 如 125000 或 12.5万")
    p.add_argument("--product", required=True, help="产品或服务")
    p.add_argument("--contract", help="合同编号")

    p = command("attach", cmd_attach, "归档一份资料")
    p.add_argument("id")
    p.add_argument("file")
    for flag, help in (
        ("--info-type", "信息类型"),
        ("--doc-type", "资料类型, 如 合同、营业执照"),
        ("--date", "资料日期"),
        ("--sensitivity", "敏感等级"),
        ("--title", "标题"),
        ("--number", "合同编号"),
        ("--project", "合作项目"),
        ("--main", "所属主文件"),
        ("--also-in", "同时归入的类别"),
        ("--paper-box", "纸质原件盒号"),
        ("--paper-shelf", "纸质原件柜位"),
        ("--stage", "合作阶段"),
        ("--name", "存档文件名 (默认按命名规则生成)"),
    ):
        p.add_argument(flag, help=help)
    p.add_argument("--allow-duplicate", action="store_true", help="内容与档案中任何已归档资料相同时仍然归档")

    p = command("export", cmd_export, "把一份资料的副本保存到文件夹 (需要导出权限; 不覆盖已有文件)")
    p.add_argument("id")
    p.add_argument("name", help="资料文件名 (custtui show 中列出的)")
    p.add_argument("--to", default=".", help="保存到哪个文件夹 (默认当前目录)")

    p = command("log", cmd_log, "查看审计历史")
    p.add_argument("id", nargs="?")
    p.add_argument("--field", help="只看修改了某字段的提交")
    p.add_argument("--author", help="只看某人的提交")
    p.add_argument("--since", help="起始日期, 如 2024-01-01")
    p.add_argument("--until", help="截止日期")
    p.add_argument("--limit", type=int, help="最多显示条数")

    p = command("revert", cmd_revert, "撤销一次修改 (产生新提交, 原提交保留)")
    p.add_argument("commit")
    p.add_argument("--reason", help="变更原因: 撤销合作阶段的变更时必填, 记入阶段历史")

    p = command("review", cmd_review, "状态复核: 按最近联系时间找出应转为沉睡/流失/历史客户的客户")
    p.add_argument("--today", help="以哪一天为准 (默认今天)")
    p.add_argument("--apply", action="store_true", help="保存建议的状态 (一次提交)")

    p = command("search", cmd_search, "搜索客户和资料 (名称片段、拼音、电话后四位、编号、字段:值)")
    p.add_argument("query", nargs="+", help='如 华信、huaxin、5678、行业:制造业 阶段:潜在、"采购合同"')
    p.add_argument("--limit", type=int, default=20, help="最多显示条数 (默认 20)")
    p.add_argument("--out", metavar="文件", help="把显示的结果写入 .xlsx 或 .csv 文件 (需要导出权限; 不覆盖已有文件)")

    command("reindex", cmd_reindex, "重建搜索索引")

    p = command("clone", cmd_clone, "为新办事处克隆档案 (登记本副本的办事处代码)")
    p.add_argument("url", help="中心库或其他办事处的地址, 如 ssh://archive@server/srv/archive.git")
    p.add_argument("path")
    p.add_argument("--office", required=True, help="本副本的办事处代码, 如 SH (不能与已有的重复)")
    p.add_argument("--office-name", help="办事处名称, 如 上海分公司")
    p.add_argument("--bare", action="store_true", help="不带工作区 (作为办事处自己的中心库)")

    p = command("remote", cmd_remote, "查看或设置同步用的远程仓库")
    p.add_argument("action", nargs="?", choices=("list", "add", "remove"), default="list")
    p.add_argument("name", nargs="?")
    p.add_argument("url", nargs="?")

    p = command("sync", cmd_sync, "与其他办事处同步: 获取、按字段合并、推送 (可放入 cron)")
    p.add_argument("remote", nargs="?", help="远程仓库名 (默认 origin)")
    p.add_argument("--no-push", action="store_true", help="只获取并合并, 不推送")
    p.add_argument("--quiet", action="store_true", help="不显示进度")
    p.add_argument("--timing", action="store_true", help="显示合并与索引追赶的耗时")

    p = command("conflicts", cmd_conflicts, "列出同步记录的未解决冲突")
    p.add_argument("id", nargs="?", help="只看某位客户")

    p = command("resolve", cmd_resolve, "解决一处冲突: 保留当前值或改用另一方的值")
    p.add_argument("id")
    p.add_argument("number", type=int, help="冲突序号 (custtui conflicts 中的 #)")
    p.add_argument(
        "--keep", required=True, choices=("current", "other"), help="current 保留当前值; other 改用另一方的值"
    )
    p.add_argument("--document", help="冲突在这份资料的元数据中 (资料文件名)")

    p = command("merge-customers", cmd_merge_customers, "把重复客户 B 并入 A (B 留作指向 A 的记录)")
    p.add_argument("keep", metavar="A")
    p.add_argument("fold", metavar="B")

    command("install-merge-driver", cmd_install_merge_driver, "为普通 git clone 的副本安装字段级合并驱动和接收检查")
    p = sub.add_parser("gate-hook")  # run by git's hooks, not by people: no help, so not listed
    p.set_defaults(func=cmd_gate_hook)
    p.add_argument("mode", choices=("push", "local"))
    p = sub.add_parser("merge-driver")  # run by git, not by people: no help, so not listed
    p.set_defaults(func=cmd_merge_driver)
    for name in ("base", "ours", "theirs", "path"):
        p.add_argument(name)

    add_ssh_commands(command)
    add_box_commands(command)
    add_table_commands(command)
    add_duplicates_commands(command)
    add_import_commands(command)
    add_stats_commands(command)
    add_access_review_commands(command)
    add_followup_commands(command)
    add_routine_commands(command)
    add_rules_commands(command)
    add_backup_commands(command)
    add_privacy_commands(command)

    p = command("signing", cmd_signing, "用本办事处服务器的 SSH 密钥 (须已登记在员工名册中) 签名 custtui 的每个提交")
    p.add_argument("action", choices=("enable",))
    p.add_argument("key", help="SSH 私钥路径, 如 ~/.ssh/id_ed25519 (公钥 .pub 在旁)")

    p = command("verify", cmd_verify, "检查提交签名: 列出未签名或非允许密钥签名的提交, 有则退出码 1")
    p.add_argument("--since", help="从哪个提交之后开始检查 (默认全部)")

    command("tui", cmd_tui, "打开终端界面 (浏览、搜索、编辑、归档、审计)")
    command("check", cmd_check, "检查档案: git fsck 与全部记录校验")
    command("pack", cmd_pack, "打包整理仓库, 清除不再被引用的对象 (批量操作后、删除个人信息后或空闲时)")

    p = command("resident", cmd_resident, "常驻进程: 让 show、search、set 不必每次重新加载 (status 查看, stop 停止)")
    p.add_argument("action", choices=("status", "stop"))
    return parser, bool(built)


def main(argv: list[str] | None = None) -> int:
    chinese_argparse()
    argv = sys.argv[1:] if argv is None else argv
    parser, found = build_parser(typed_command(argv))
    if not found:  # no subcommand, help, or a word that is none: argparse lists them all
        parser, _ = build_parser()
    args = parser.parse_args(argv)
    for key, default in (("archive", None), ("user", None), ("json", False)):
        if not hasattr(args, key):
            setattr(args, key, default)
    if not getattr(args, "func", None):
        args.func = open_default
    out = Output(args.json)
    try:
        code = args.func(args, out) or 0
        opened = getattr(args, "opened", None)
        for path in opened.store.stale_paths if opened else ():
            print(f"注意: 工作区文件 {path} 有未提交的本地修改, 已保留; 档案中的版本已更新", file=sys.stderr)
        sys.stdout.flush()  # a closed pipe or a full disk shows here, inside the handlers below
        return code
    except CusttuiError as exc:
        # a field is named with its code too: on the command line the code is what people type
        text = f"字段「{exc.label}」({exc.field}): {exc.rule}" if isinstance(exc, FieldError) else str(exc)
        if args.json:
            print(json.dumps({"error": text}, ensure_ascii=False), file=sys.stderr)
        else:
            print(f"错误: {text}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断, 未写入任何修改", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader (| head, a closed terminal) went away: one sentence, and no second error at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        print("输出管道已关闭 (如 | head), 其余输出没有显示", file=sys.stderr)
        return 141
    except OSError as exc:
        print(f"错误: {os_error_sentence(exc)}", file=sys.stderr)
        return 1


_OS_ERRORS = {
    errno.ENOSPC: "磁盘空间已满",
    errno.EDQUOT: "磁盘配额已用完",
    errno.EROFS: "文件系统是只读的",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.EIO: "磁盘读写出错",
    errno.EFBIG: "文件太大",
}


def os_error_sentence(exc: OSError) -> str:
    """One Chinese sentence for a failed read or write (a full disk, a read-only mount …)."""
    what = _OS_ERRORS.get(exc.errno or 0, exc.strerror or str(exc))
    where = f" ({exc.filename})" if exc.filename else ""
    return f"{what}{where}, 操作没有完成; 档案只会停在这次修改之前或之后, 不会只写一半 (可运行 custtui check 确认)"


if __name__ == "__main__":
    sys.exit(main())
