"""Staff over SSH: the ``authorized_keys`` lines, the forced-command entry point, the access log.

The gitolite way: the server has one service account (e.g. ``archive``); each staff key in its
``authorized_keys`` carries a forced command naming the person (``custtui ... serve --user ID``),
so who someone is comes from the key they logged in with and nothing the client sends. Whatever
the client asks for arrives in ``SSH_ORIGINAL_COMMAND``: nothing opens the terminal interface as
that person; ``git-upload-pack``/``git-receive-pack`` of this archive is office sync (for people
with the sync permission); anything else is refused and written to the access log.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

from ..core.access import access_log
from ..core.access.policy import PermissionDenied
from ..core.access.registry import KEY_RULE, Person, check_key
from ..core.archive.archive import Archive
from ..core.archive.staff import add_key, add_person, disable_person
from ..core.base.errors import CusttuiError
from ..core.store import hooks
from .common import command_group, global_options, open_archive

GIT_SERVICES = {"git-upload-pack": "fetch", "git-receive-pack": "push"}
# never trusted inside ``serve``: who the person is comes from the forced command alone
IDENTITY_VARIABLES = (
    "CUSTTUI_USER",
    "CUSTTUI_EMAIL",
    "GIT_AUTHOR_NAME",
    "GIT_AUTHOR_EMAIL",
    "GIT_COMMITTER_NAME",
    "GIT_COMMITTER_EMAIL",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_NAMESPACE",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
)
REGENERATE = "员工或密钥有变化后请重新生成 authorized_keys: custtui ssh authorized-keys --output ~/.ssh/authorized_keys"


# --- custtui ssh authorized-keys ---------------------------------------------------------


def custtui_executable() -> str:
    """The absolute path of the installed ``custtui`` command (not resolving the venv's symlinks)."""
    called = sys.argv[0] if sys.argv else ""
    if Path(called).name == "custtui" and Path(called).exists():
        return os.path.abspath(called)
    beside = Path(sys.executable).parent / "custtui"
    if beside.exists():
        return str(beside.absolute())
    found = shutil.which("custtui")
    if found:
        return os.path.abspath(found)
    raise CusttuiError("找不到 custtui 命令的安装位置, 请用 --executable 指明 (如 /opt/custtui/bin/custtui)")


def authorized_keys_lines(archive: Archive, executable: str) -> list[tuple[Person, str]]:
    """``(person, line)`` for every key of every active person, by staff ID."""
    archive_path = str(archive.store.path)
    for value, what in ((executable, "custtui 命令路径"), (archive_path, "档案路径")):
        if any(ch in value for ch in "\n\r\0"):
            raise CusttuiError(f"{what} {value!r} 含有换行或空字符, 不能写入 authorized_keys")
    lines = []
    for person_id, person in sorted(archive.registry().items()):
        if not person.active:
            continue
        command = shlex.join([executable, "--archive", archive_path, "serve", "--user", person_id])
        # sshd's command="..." only unescapes \" (a backslash before anything else stays itself)
        options = 'restrict,pty,command="' + command.replace('"', '\\"') + '"'
        for key in person.keys:
            try:
                key = check_key(key)
            except CusttuiError:
                print(f"注意: 跳过 {person_id} {person.name} 的一把无法识别的公钥", file=sys.stderr)
                continue
            lines.append((person, f"{options} {key}"))
    return lines


def _write_atomically(target: Path, text: str) -> None:
    target = target.expanduser()
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    import tempfile

    fd, temp = tempfile.mkstemp(prefix=".authorized_keys.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def cmd_authorized_keys(args, out) -> None:
    archive = open_archive(args)
    if archive.registry():
        archive.access_for(archive.user).require("manage_staff")
    executable = os.path.abspath(args.executable) if args.executable else custtui_executable()
    lines = authorized_keys_lines(archive, executable)
    text = "".join(f"{line}\n" for _, line in lines)
    data = [{"id": p.id, "name": p.name, "line": line} for p, line in lines]
    if args.output:
        _write_atomically(Path(args.output), text)
        people = len({p.id for p, _ in lines})
        out.emit(
            {"output": str(Path(args.output).expanduser()), "keys": data},
            f"已写入 {args.output}: {people} 位员工的 {len(lines)} 把公钥",
        )
    elif out.as_json:
        out.emit(data, "")
    else:
        sys.stdout.write(text)


# --- custtui serve -------------------------------------------------------------------------


class Refused(CusttuiError):
    """A request ``serve`` does not carry out (already written to the access log)."""


def _shown(text: str) -> str:
    """A client's command, one line and not too long, for messages."""
    text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    return text if len(text) <= 200 else text[:200] + "…"


def _refuse(archive: Archive, who, target: str, message: str) -> Refused:
    try:
        access_log.record(archive, who, "refused", target, message)
    except OSError as exc:  # refuse all the same; say the log could not be written
        message += f" (访问日志写入失败: {exc})"
    return Refused(message)


def _requested_repository(path: str, home: str) -> list[str]:
    """The real paths a client's repository argument can mean: absolute, under the service
    account's home (relative or ``~/``), or from the root without its leading ``/``; each also
    without a trailing ``.git``."""
    if path.startswith("~"):
        if not (path == "~" or path.startswith("~/")):
            return []  # ~other-user/...
        forms = [home + path[1:]]
    elif path.startswith("/"):
        forms = [path]
    else:
        forms = [os.path.join(home, path), "/" + path]
    found = []
    for form in forms:
        form = form.rstrip("/") or "/"
        found.append(os.path.realpath(form))
        if form.endswith(".git"):
            found.append(os.path.realpath(form[:-4]))
    return found


def _git_request(original: str) -> tuple[str, str] | None:
    """``(git service, repository)`` when the client asked for git fetch/push, else None."""
    try:
        words = shlex.split(original)
    except ValueError:
        return None
    if len(words) == 3 and words[0] == "git" and f"git-{words[1]}" in GIT_SERVICES:
        words = [f"git-{words[1]}", words[2]]
    if len(words) == 2 and words[0] in GIT_SERVICES and words[1] and not words[1].startswith("-"):
        return words[0], words[1]
    return None


def cmd_serve(args, out) -> int:
    original = os.environ.get("SSH_ORIGINAL_COMMAND", "")
    for name in IDENTITY_VARIABLES:
        os.environ.pop(name, None)
    path = args.archive or os.environ.get("CUSTTUI_ARCHIVE") or os.getcwd()
    archive = Archive(path)
    archive.user = None
    try:
        return _serve(archive, args.user, original)
    finally:
        archive.close()


def _serve(archive: Archive, person_id: str | None, original: str) -> int:
    target = original.strip() or "(终端界面)"
    if not person_id:
        raise _refuse(
            archive, None, target, "custtui serve 只能由 authorized_keys 中的强制命令启动, 须以 --user 指明员工账号"
        )
    person = archive.registry().get(person_id)
    if person is None:
        raise _refuse(archive, person_id, target, f"账号 {person_id} 不在员工名册中, 不能使用档案; 请联系管理员登记")
    who = f"{person.name} ({person.id})"
    if not person.active:
        raise _refuse(archive, person, target, f"{who} 的账号已停用, 不能再使用档案")
    archive.user = person.id  # who someone is: the ID the key's forced command names, never a display name

    if not original.strip():
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise _refuse(archive, person, target, f"{who}: 终端界面需要终端, 请用 ssh -t 连接 (不带命令)")
        access_log.record(archive, person, "tui", str(archive.store.path))
        import platformdirs

        from ..tui.app import run_app

        path = str(archive.store.path)
        archive.close()
        os.environ["CUSTTUI_STAFF"] = person.id
        # everyone shares the service account: each person keeps their own settings
        os.environ["CUSTTUI_CONFIG"] = str(
            Path(platformdirs.user_config_dir("custtui")) / "staff" / f"{person.id}.toml"
        )
        return run_app(path, person.id)

    request = _git_request(original)
    if request is None:
        raise _refuse(
            archive,
            person,
            target,
            f"{who} 只能通过 custtui 使用档案, 不允许执行命令 «{_shown(original)}»; "
            f"请不带命令用 ssh -t 登录打开终端界面, 或用 git 同步本档案",
        )
    service, repository = request
    home = os.path.expanduser("~")
    store = archive.store
    ours = {os.path.realpath(store.path), os.path.realpath(store.git_dir)}
    if not ours.intersection(_requested_repository(repository, home)):
        raise _refuse(
            archive, person, target, f"{who} 只能同步本档案 {store.path}, 不能访问仓库 «{_shown(repository)}»"
        )
    try:
        archive.access_for(person.id).require("replicate")
    except PermissionDenied as exc:
        raise _refuse(archive, person, target, str(exc)) from None
    access_log.record(archive, person, GIT_SERVICES[service], str(store.path), original)
    hooks.install(store)  # a push meets the incoming gate even where an older custtui set the archive up
    path = str(store.path)
    archive.close()
    os.environ.update({"CUSTTUI_STAFF": person.id, "CUSTTUI_USER": person.id})  # the push gate's pusher
    sys.stdout.flush()
    sys.stderr.flush()
    os.execvp("git", ["git", service.removeprefix("git-"), path])
    return 1  # not reached


# --- custtui access-log ----------------------------------------------------------------------


def _moment(text: str | None, option: str, label: str):
    """``--since``/``--until``: a day (``2024-05-06``, ``2024/5/6``) or a moment (``2024-05-06 14:30``)."""
    from ..core.base.errors import FieldError
    from ..core.records.validate import parse_date, parse_datetime

    if not text:
        return None
    try:
        return parse_date(text, option, label)
    except FieldError:
        return parse_datetime(text, option, label)


def cmd_access_log(args, out) -> None:
    from ..core.tasks import evidence

    archive = open_archive(args)
    target = Path(args.out).expanduser() if args.out else None
    found = evidence.read(
        archive,
        person=args.person,
        since=_moment(args.since, "since", "起始时间"),
        until=_moment(args.until, "until", "截止时间"),
        action=args.action,
        about=args.target,
        out=target,
    )
    if target is not None:
        out.emit({"path": str(target), "entries": len(found)}, f"已把访问日志 {len(found)} 条写入 {target}")
        return
    lines = []
    for entry in found:
        account = f" ({_shown(str(entry['account']))})" if entry.get("account") else ""
        detail = f"  {_shown(str(entry['detail']))}" if entry.get("detail") else ""
        lines.append(
            f"{entry.get('time', '')}  {_shown(str(entry.get('person', '')))}{account}  {evidence.label(entry)}  "
            f"{_shown(str(entry.get('target', '')))}{detail}"
        )
    text = "\n".join(["时间  人员 (账号)  操作  对象  说明", *lines, f"共 {len(found)} 条"])
    out.emit(found, text if found else "访问日志中没有符合条件的记录")


def cmd_access_log_prune(args, out) -> None:
    archive = open_archive(args)
    try:
        archive.access.require("read_access_log")
    except PermissionDenied as exc:  # an attempt on the evidence is evidence too
        access_log.record(archive, archive.actor, "refused", access_log.LOG_NAME, str(exc))
        raise
    days = archive.schema().rules["retention"]["access_log_days"]
    entry = access_log.prune(archive, archive.actor, days) if days else None
    if entry is None:
        kept = f"保存 {days} 天, 没有更早的记录" if days else "设为永久保存 (retention.access_log_days = 0)"
        out.emit({"pruned": None, "days": days}, f"访问日志{kept}, 未删除任何记录")
    else:
        out.emit({"pruned": entry, "days": days}, f"访问日志: {entry['detail']}; 本次清理已记入日志")


# --- custtui staff ... -----------------------------------------------------------------------


def _keys(value: str) -> list[str]:
    """A public key line, or a file of them (``~/.ssh/id_ed25519.pub``)."""
    text = value.strip()
    if KEY_RULE.match(" ".join(text.split())):
        return [text]
    path = Path(text).expanduser()
    if not path.is_file():
        raise CusttuiError(f"{value!r} 既不是 OpenSSH 公钥 (如 ssh-ed25519 AAAA… 张伟@笔记本), 也不是存在的公钥文件")
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CusttuiError(f"读不出公钥文件 {path}: {exc}") from None
    keys = [line.strip() for line in content.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not keys:
        raise CusttuiError(f"公钥文件 {path} 是空的, 应为一行 OpenSSH 公钥")
    return keys


def cmd_staff_add(args, out) -> None:
    archive = open_archive(args)
    keys = [key for value in args.key or [] for key in _keys(value)]
    commit = add_person(archive, args.id, args.name, args.department, roles=args.role or None, keys=keys)
    person = archive.registry()[args.id]
    out.emit(
        {"id": person.id, "commit": commit, **person.record()},
        f"已登记 {person.id} {person.name} ({person.department}, 角色 {'、'.join(person.roles)}, "
        f"{len(person.keys)} 把公钥) ({commit[:10]})\n{REGENERATE}",
    )


def cmd_staff_disable(args, out) -> None:
    archive = open_archive(args)
    commit = disable_person(archive, args.id)
    out.emit({"id": args.id, "commit": commit}, f"已停用 {args.id} ({commit[:10]}), 其历史记录保留\n{REGENERATE}")


def cmd_staff_key_add(args, out) -> None:
    archive = open_archive(args)
    commits = [add_key(archive, args.id, key) for key in _keys(args.key)]
    out.emit(
        {"id": args.id, "commits": commits},
        f"已为 {args.id} 添加 {len(commits)} 把公钥 ({commits[-1][:10]})\n{REGENERATE}",
    )


def cmd_staff_list(args, out) -> None:
    archive = open_archive(args)
    people = sorted(archive.registry().values(), key=lambda p: p.id)
    rows = [
        f"{p.id}  {p.name}  {p.department}  {','.join(p.roles)}  {'在职' if p.active else '已停用'}  "
        f"{len(p.keys)} 把公钥"
        for p in people
    ]
    out.emit(
        [{**p.record(), "key_count": len(p.keys)} for p in people],
        "\n".join(rows + [f"共 {len(people)} 位员工"]) if people else "员工名册为空 (档案不限制权限)",
    )


# --- registration ----------------------------------------------------------------------------


def add_commands(command) -> None:
    """Register this module's subcommands with ``command(name, func, help) -> parser``."""
    ssh = command_group(command, "ssh", "SSH 访问: 生成服务账号的 authorized_keys")
    q = ssh(
        "authorized-keys",
        cmd_authorized_keys,
        "输出 authorized_keys 的内容: 每位在职员工的每把公钥一行, 强制运行 custtui serve",
    )
    q.add_argument("--output", help="原子地写入此文件 (权限 600), 而不是输出到屏幕, 如 ~/.ssh/authorized_keys")
    q.add_argument("--executable", help="强制命令中 custtui 的绝对路径 (默认: 当前运行的 custtui)")

    command(
        "serve",
        cmd_serve,
        "SSH 强制命令 (由 authorized_keys 调用, 不要手工运行): 按 SSH_ORIGINAL_COMMAND 打开终端界面或提供 git 同步",
    )

    p = command(
        "access-log",
        cmd_access_log,
        "查看访问日志 (个人信息的查看、导出、解密、删除, SSH 访问与拒绝; 需要查看访问日志的权限, 查看本身也记入日志)",
    )
    p.add_argument("--person", help="只看某人 (姓名或员工账号)")
    p.add_argument("--since", help="起始日期或时间, 如 2024-01-01 或 2024-01-01 09:30")
    p.add_argument("--until", help="截止日期或时间 (含当天), 如 2024-03-31")
    p.add_argument("--action", help="只看某种操作: 代码或中文, 如 unmask 或 查看未打码的个人信息")
    p.add_argument("--target", "--customer", dest="target", help="对象或说明中含此文字, 如客户编号 BJ-000020 或资料名")
    p.add_argument("--out", metavar="文件", help="写入 .xlsx 或 .csv 文件 (不覆盖已有文件)")
    q = p.add_subparsers(dest="access_log_action", metavar="prune", required=False).add_parser(
        "prune",
        parents=[global_options()],
        help="删除超过保存期限 (业务规则 retention.access_log_days) 的访问日志记录, 清理本身记入日志",
    )
    q.set_defaults(func=cmd_access_log_prune)

    staff = command_group(command, "staff", "员工名册: 登记、停用、添加公钥、列出")

    q = staff("add", cmd_staff_add, "登记员工 (部门决定默认角色)")
    q.add_argument("id", help="员工账号: 小写字母开头, 如 zhangwei")
    q.add_argument("--name", required=True, help="姓名 (提交作者), 如 张伟")
    q.add_argument("--department", required=True, help="部门: 销售/客服/法务/财务/市场/管理层/管理员")
    q.add_argument("--role", action="append", help="角色代码 (可多次; 默认按部门), 如 office_sync")
    q.add_argument("--key", action="append", help="SSH 公钥: 一行公钥或 .pub 文件 (可多次)")

    q = staff("disable", cmd_staff_disable, "停用员工 (保留其历史; 其公钥不再可用)")
    q.add_argument("id")

    q = staff("key-add", cmd_staff_key_add, "为员工添加 SSH 公钥")
    q.add_argument("id")
    q.add_argument("key", metavar="公钥", help="一行公钥或 .pub 文件")

    staff("list", cmd_staff_list, "列出员工: 账号、姓名、部门、角色、状态、公钥数")
