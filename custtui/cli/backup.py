"""``custtui backup``, ``custtui restore`` and ``custtui drill``: an encrypted backup of the whole
copy, restored into a new directory, and the rehearsal that restores the latest one and checks it."""

from __future__ import annotations

import os
import sys

from ..core.base.errors import CusttuiError
from .common import Output, open_archive

FOLDER_VARIABLE = "CUSTTUI_BACKUP_DIR"


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _progress(args):
    """Progress on stderr, one line a step (as ``custtui sync`` reports), unless the output is JSON."""
    return (lambda message: None) if args.json else _say


def _folder(args) -> str:
    folder = args.folder or os.environ.get(FOLDER_VARIABLE)
    if not folder:
        raise CusttuiError(
            f"请给出备份目录 (如 custtui backup /mnt/backup/custtui), 或设置环境变量 {FOLDER_VARIABLE}; "
            "备份应放在另一块磁盘或另一台机器上"
        )
    return folder


def _passphrase(args) -> str | None:
    from ..core.tasks.backup import passphrase

    return passphrase(os.environ.get(args.passphrase_env), args.passphrase_env) if args.passphrase_env else None


def _secret(args):
    """How to open a backup: ``--identity`` files or ``--passphrase-env``."""
    from ..core.tasks.backup import Secret, identities

    if bool(args.identity) == bool(args.passphrase_env):
        raise CusttuiError("请用 --identity 私钥文件 (可多次) 或 --passphrase-env 变量名 其中之一打开备份")
    if args.passphrase_env:
        return Secret(passphrase=_passphrase(args))
    return Secret(keys=tuple(found for path in args.identity for found in identities(path)))


def cmd_backup(args, out: Output) -> None:
    from ..core.tasks.backup import backup

    made = backup(open_archive(args), _folder(args), args.to, _passphrase(args), _progress(args))
    if made.warning:
        _say(f"注意: {made.warning}")
    manifest = made.manifest
    out.emit(
        {"path": str(made.path), "recipients": made.recipients, **manifest},
        f"已备份到 {made.path}\n"
        f"  提交 {manifest['head'][:10]}, {manifest['customers']} 个客户, {len(manifest['refs'])} 个引用, "
        f"{sum(name.startswith('keys/') for name in manifest['files'])} 把私钥\n"
        f"  能打开它的: {'、'.join(made.recipients)}",
    )


def cmd_restore(args, out: Output) -> None:
    from ..core.tasks.backup import restore

    done = restore(args.file, args.path, _secret(args), args.user, _progress(args))
    manifest, path = done.manifest, done.archive.store.path
    done.archive.close()
    out.emit(
        {"path": str(path), "head": manifest["head"], "customers": done.customers, "keys": done.keys, **manifest},
        "\n".join(
            [
                f"已恢复到 {path} (办事处 {manifest['office']}, 备份于 {manifest['time']}, 由 {manifest['by']})",
                f"  提交 {manifest['head'][:10]}, {done.customers} 个客户, {len(manifest['refs'])} 个引用, "
                f"{len(done.keys)} 把私钥, 访问日志{'已恢复' if 'access.log' in manifest['files'] else '无'}",
                *(f"  注意: {note}" for note in done.notes),
                "  请运行 custtui check 与 custtui verify 确认",
            ]
        ),
    )


def cmd_drill(args, out: Output) -> int:
    from ..core.tasks.backup import drill

    source, steps = drill(_folder(args), _secret(args), args.since, args.user, _progress(args))
    passed = all(step.ok for step in steps)
    out.emit(
        {"backup": str(source), "ok": passed, "steps": [vars(step) for step in steps]},
        "\n".join(
            [f"恢复演练: {source}"]
            + [f"  {'✓' if s.ok else '✗'} {s.title} ({s.seconds:.1f} 秒): {s.detail}" for s in steps]
            + ["演练通过: 这份备份能恢复, 档案与签名都检查通过" if passed else "演练失败: 见上面标 ✗ 的步骤"]
        ),
    )
    return 0 if passed else 1


def _opening(parser) -> None:
    parser.add_argument(
        "--identity",
        action="append",
        metavar="私钥文件",
        help="age 私钥文件 (age-keygen 生成) 或 OpenSSH 私钥 (可多次)",
    )
    parser.add_argument("--passphrase-env", metavar="变量名", help="口令所在的环境变量 (备份是用口令加密的时)")


def add_commands(command) -> None:
    """Register this module's commands with ``command(name, func, help) -> parser``."""
    p = command(
        "backup",
        cmd_backup,
        "备份: 全部历史 (git bundle, 含全部引用)、本副本的私钥与访问日志, 加密为一个文件 (需要管理员工或服务器权限)",
    )
    p.add_argument(
        "folder",
        nargs="?",
        metavar="目录",
        help=f"备份写到哪个目录 (默认 ${FOLDER_VARIABLE}); 须在档案之外, 最好是另一块磁盘或另一台机器",
    )
    p.add_argument(
        "--to",
        action="append",
        metavar="公钥",
        help="也加密给这把 age 公钥 (age1…) 或 OpenSSH 公钥 (可多次); 有管理员工权限者登记的加密公钥总会加上",
    )
    p.add_argument(
        "--passphrase-env",
        metavar="变量名",
        help="改用口令加密, 口令在此环境变量中 (至少 12 个字符; 不再加密给公钥)",
    )

    p = command("restore", cmd_restore, "从备份恢复到一个新目录 (像克隆的副本一样设置好钩子、合并驱动与办事处代码)")
    p.add_argument("file", metavar="备份文件")
    p.add_argument("path", metavar="新目录", help="不存在或为空的目录")
    _opening(p)

    p = command(
        "drill", cmd_drill, "恢复演练: 把目录中最新的备份恢复到临时目录, 运行 check 与 verify, 有失败则退出码 1"
    )
    p.add_argument("folder", nargs="?", metavar="目录", help=f"备份所在目录 (默认 ${FOLDER_VARIABLE})")
    _opening(p)
    p.add_argument("--since", metavar="提交", help="签名检查从哪个提交之后开始 (同 custtui verify --since)")
