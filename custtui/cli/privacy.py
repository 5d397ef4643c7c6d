"""``custtui key`` (encryption keys of the staff registry) and ``custtui erase`` (erasure of a
customer's personal data): thin over ``core/archive/keys.py`` and ``Archive.erase``."""

from __future__ import annotations

import sys

from ..core.base.errors import CusttuiError
from .common import Output, command_group, open_archive


def cmd_key_new(args, out: Output) -> None:
    from ..core.archive import keys

    archive = open_archive(args)
    public = keys.new_identity(archive, args.person)
    out.emit(
        {"person": args.person, "age_key": public},
        f"已为 {args.person} 在本副本生成加密密钥并登记公钥 {public}\n"
        "私钥只在本副本的 .git/custtui/keys/ 中; 请把它纳入备份 (custtui backup)",
    )


def cmd_key_switch(args, out: Output) -> None:
    from ..core.archive import keys

    on = args.key_action == "enable"
    commit = keys.set_encryption(open_archive(args), on)
    state = "已启用加密保存" if on else "已停用加密保存"
    out.emit({"commit": commit, "enabled": on}, f"{state} (提交 {commit[:10]})" if commit else f"本来就{state[1:]}")


def cmd_key_list(args, out: Output) -> None:
    from ..core.archive import keys

    rows = keys.audiences(open_archive(args))
    lines = [
        f"{row.label:<16} 第 {row.generations} 代  持有人: {'、'.join(row.holders)}  "
        f"{'本副本可解开' if row.opens_here else '本副本没有此密钥 (只存密文)'}"
        for row in rows
    ]
    out.emit([row._asdict() for row in rows], "\n".join(lines) or "尚未启用加密保存 (schema/policy.toml 的 [privacy])")


def cmd_key_revoke(args, out: Output) -> None:
    from ..core.archive import keys

    said = keys.revoke(open_archive(args), args.person, args.key)
    out.emit({"changes": said}, f"已吊销 {args.person} 的加密公钥; " + ("; ".join(said) or "密钥库无需更新"))


def cmd_key_rotate(args, out: Output) -> None:
    from ..core.archive import keys

    said = keys.rotate(open_archive(args))
    out.emit({"changes": said}, "\n".join(said) or "没有可更换的密钥")


def cmd_erase(args, out: Output) -> None:
    from ..core.privacy.erase import HISTORY_KEEPS_PLAINTEXT, erased_scope

    archive = open_archive(args)
    scope = erased_scope(args.whole)
    if not args.yes:
        if not sys.stdin.isatty():
            raise CusttuiError("删除个人信息不可撤销: 请在终端确认, 或加 --yes")
        print(f"将删除 {'、'.join(args.ids)} 的{scope}, 依据「{args.basis}」; 销毁密钥后无法恢复。", file=sys.stderr)
        if input("确认请输入 删除: ").strip() != "删除":
            out.emit({"commit": None}, "已取消, 未删除任何内容")
            return
    commit = archive.erase(args.ids, args.basis, whole=args.whole)
    sealed = archive.policy().privacy.enabled
    out.emit(
        {"commit": commit, "erased": args.ids, "history_has_plaintext": not sealed},
        f"已删除 {'、'.join(args.ids)} 的{scope} (提交 {commit[:10]}), 密钥已销毁并清理; "
        "其他办事处同步后即销毁各自的副本" + ("" if sealed else "\n" + HISTORY_KEEPS_PLAINTEXT),
    )


def add_commands(command) -> None:
    """Register ``key`` and ``erase`` through ``build_parser``'s ``command``."""
    key = command_group(command, "key", "加密密钥: 为员工生成、列出、吊销、更换 (加密保存见 docs/privacy.md)")
    p = key("new", cmd_key_new, "在本副本为员工生成加密密钥, 登记其公钥 (需要管理员工的权限)")
    p.add_argument("person", metavar="员工账号")
    key("list", cmd_key_list, "列出各类加密内容的密钥: 第几代、持有人、本副本能否解开")
    key("enable", cmd_key_switch, "启用加密保存 (schema/policy.toml 的 [privacy]; 需要修改分类标准的权限)")
    key("disable", cmd_key_switch, "停用加密保存: 此后的修改以明文写入 (已加密的内容不变)")
    p = key("revoke", cmd_key_revoke, "吊销员工的加密公钥: 此后写入的内容该密钥无法解开 (需要管理员工的权限)")
    p.add_argument("person", metavar="员工账号")
    p.add_argument("key", nargs="?", metavar="公钥", help="age1… (默认: 此人的全部加密公钥)")
    key("rotate", cmd_key_rotate, "为每类加密内容启用新一代密钥 (怀疑泄露时; 需要管理员工的权限)")
    p = command("erase", cmd_erase, "删除客户的个人信息: 销毁其密钥, 留下删除记录 (需要删除个人信息的权限)")
    p.add_argument("ids", nargs="+", metavar="客户编号")
    p.add_argument(
        "--basis", required=True, metavar="依据", help="法律依据, 如 《个人信息保护法》第四十七条: 保存期限届满"
    )
    p.add_argument("--whole", action="store_true", help="删除整个客户 (默认只删除个人信息, 保留企业名称等)")
    p.add_argument("--yes", action="store_true", help="不再确认 (用于脚本)")
