"""Staff reach the archive over a real OpenSSH server only through custtui, the gitolite way.

The service account's ``authorized_keys`` is what ``custtui ssh authorized-keys`` prints: each key
forced to ``custtui serve --user ID``. A 销售 key cannot get a shell, run a command or pass
``--user``; a key without the sync permission cannot fetch; the office sync key clones and pushes;
a disabled person's key is refused; every refusal is in the access log. One test drives the
terminal interface over ``ssh -tt`` in tmux and checks the commit it makes carries the person.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import git, run_cli

from custtui.core.access import access_log
from custtui.core.archive.archive import Archive
from custtui.core.archive.staff import add_person, disable_person

CUSTTUI = Path(sys.executable).parent / "custtui"


def _git(*args, env=None, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )


class Office:
    """An archive with a staff registry, its keys, and the sshd serving it."""

    def __init__(self, archive: Archive, sshd) -> None:
        self.archive, self.sshd = archive, sshd
        self.path = archive.store.path
        self.keys = {name: sshd.new_client_key(name) for name in ("admin", "lina", "wangfang", "office-sh", "zhaolei")}

        def public(name: str) -> list[str]:
            return [self.keys[name][1]]

        add_person(archive, "admin", "张伟", "管理员", keys=public("admin"))
        add_person(archive, "lina", "李娜", "销售", keys=public("lina"))
        add_person(archive, "wangfang", "王芳", "财务", keys=public("wangfang"))
        add_person(archive, "office-sh", "上海办事处同步", "管理员", roles=["office_sync"], keys=public("office-sh"))
        add_person(archive, "zhaolei", "赵磊", "客服", keys=public("zhaolei"))
        self.stale = self.authorized_keys()  # generated while 赵磊 was still active
        disable_person(archive, "zhaolei")
        self.install(self.authorized_keys())

    def authorized_keys(self) -> str:
        done = run_cli("--archive", self.path, "ssh", "authorized-keys")
        assert done.code == 0, done.err
        return done.out

    def install(self, text: str) -> None:
        self.sshd.reset(authorize_client=False)
        self.sshd.authorized_keys.write_text(text)

    def key(self, name: str) -> Path:
        return self.keys[name][0]

    def ssh(self, name: str, command: str | None = None) -> subprocess.CompletedProcess:
        return self.sshd.run(command, key=self.key(name), timeout=60)

    def log(self, person: str | None = None) -> list[dict]:
        return access_log.entries(self.archive, person=person)


@pytest.fixture
def office(archive, sshd) -> Office:
    return Office(archive, sshd)


def test_authorized_keys_force_one_command_per_active_key(office):
    lines = office.authorized_keys().splitlines()
    assert len(lines) == 4, "admin, 李娜, 王芳 and the office sync key; not the disabled 赵磊"
    for line in lines:
        assert line.startswith(f'restrict,pty,command="{CUSTTUI} --archive {office.path} serve --user ')
    by_person = {re.search(r"serve --user ([a-z.-]+)\"", line).group(1): line for line in lines}
    assert set(by_person) == {"admin", "lina", "wangfang", "office-sh"}
    assert by_person["lina"].endswith(" " + office.keys["lina"][1])
    assert office.keys["zhaolei"][1] not in "\n".join(lines)
    assert office.keys["zhaolei"][1] in office.stale, "the key was listed while 赵磊 was active"

    written = office.sshd.dir / "written_keys"
    done = run_cli(
        "--archive",
        office.path,
        "ssh",
        "authorized-keys",
        "--output",
        written,
        "--executable",
        "/opt/custtui/bin/custtui",
    )
    assert done.code == 0 and "4 位员工的 4 把公钥" in done.out, done.err
    assert written.read_text() == office.authorized_keys().replace(str(CUSTTUI), "/opt/custtui/bin/custtui")
    assert written.stat().st_mode & 0o777 == 0o600

    refused = run_cli("--archive", office.path, "--user", "李娜", "ssh", "authorized-keys")
    assert refused.code == 1 and "缺少权限「管理员工与密钥」(manage_staff)" in refused.err and not refused.out

    listing = run_cli("--archive", office.path, "staff", "list").out
    assert re.search(r"lina\s+李娜\s+销售\s+sales\s+在职\s+1 把公钥", listing)
    assert re.search(r"zhaolei\s+赵磊\s+客服\s+service\s+已停用\s+1 把公钥", listing)


def test_no_shell_no_command_no_user_switch(office):
    before = git(office.path, "rev-parse", "HEAD")
    for command in ("ls /", "bash", "bash -i", "custtui --user admin tui", "echo hi; id"):
        done = office.ssh("lina", command)
        assert done.returncode == 1, (command, done.stdout, done.stderr, office.sshd.log())
        assert done.stdout == "", "nothing ran: no listing, no prompt"
        assert f"李娜 (lina) 只能通过 custtui 使用档案, 不允许执行命令 «{command}»" in done.stderr

    # --user in the client's command line does not change who the key belongs to
    done = office.ssh("lina", "custtui serve --user admin")
    assert done.returncode == 1 and "李娜 (lina)" in done.stderr and "张伟" not in done.stderr
    # nor a variable in the environment (here set for the key, as a leaked CUSTTUI_USER would be)
    line = next(line for line in office.authorized_keys().splitlines() if "--user lina" in line)
    office.install(line.replace("restrict,pty,", 'restrict,pty,environment="CUSTTUI_USER=张伟",') + "\n")
    done = office.ssh("lina", f"git-upload-pack '{office.path}'")
    assert done.returncode == 1 and "缺少权限「办事处服务器 (持有完整副本)」(replicate): 李娜" in done.stderr, (
        done.stderr
    )
    # without a terminal the interface is refused rather than started blind
    done = office.ssh("lina")
    assert done.returncode == 1 and "终端界面需要终端" in done.stderr

    refusals = office.log("lina")
    assert [e["action"] for e in refusals] == ["refused"] * 8
    assert [e["target"] for e in refusals[:6]] == [
        "ls /",
        "bash",
        "bash -i",
        "custtui --user admin tui",
        "echo hi; id",
        "custtui serve --user admin",
    ]
    assert all(e["person"] == "李娜" and e["account"] == "lina" for e in refusals)
    assert "不允许执行命令 «custtui serve --user admin»" in refusals[5]["detail"]
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$", refusals[0]["time"]), "local time with its zone"
    assert office.log("张伟") == [] and office.log("admin") == []
    assert git(office.path, "rev-parse", "HEAD") == before

    shown = run_cli("--archive", office.path, "--user", "张伟", "access-log", "--person", "lina")
    assert shown.code == 0 and shown.out.count("李娜 (lina)  拒绝访问") == 8, shown.out
    denied = run_cli("--archive", office.path, "--user", "李娜", "access-log")
    assert denied.code == 1 and "缺少权限「查看访问日志」(read_access_log)" in denied.err


def test_only_an_office_server_key_can_fetch(office, tmp_path):
    """A clone holds every record unmasked, so git access is for office servers only (replicate):
    not for 销售 or 财务, and not for an administrator either."""
    for name, who in (("lina", "李娜"), ("wangfang", "王芳"), ("admin", "张伟")):
        env = office.sshd.git_env(office.key(name))
        done = _git("clone", "-q", office.sshd.url(office.path), tmp_path / name, env=env)
        assert done.returncode != 0 and not (tmp_path / name).exists()
        assert f"缺少权限「办事处服务器 (持有完整副本)」(replicate): {who}" in done.stderr, done.stderr
        done = _git("ls-remote", office.sshd.url(office.path), env=env)
        assert done.returncode != 0 and "(replicate)" in done.stderr and not done.stdout
    assert [(e["person"], e["action"]) for e in office.log()] == [("李娜", "refused")] * 2 + [
        ("王芳", "refused")
    ] * 2 + [("张伟", "refused")] * 2


def test_the_office_sync_key_clones_and_pushes(office, tmp_path):
    env = office.sshd.git_env(office.key("office-sh"))
    clone = tmp_path / "sh"
    done = _git("clone", "-q", office.sshd.url(office.path), clone, env=env)
    assert done.returncode == 0, done.stderr + office.sshd.log()
    assert git(clone, "rev-parse", "HEAD") == git(office.path, "rev-parse", "HEAD")

    (clone / "offices" / "SH.toml").write_text('code = "SH"\nname = "上海分公司"\nnext = 1\n', "utf-8")
    git(clone, "add", "offices/SH.toml")
    who = {
        f"GIT_{role}_{key}": value
        for role in ("AUTHOR", "COMMITTER")
        for key, value in (("NAME", "上海办事处同步"), ("EMAIL", "office-sh@SH"))
    }
    assert _git("commit", "-q", "-m", "登记办事处 SH", cwd=clone, env=who).returncode == 0
    done = _git("push", "-q", "origin", "HEAD:main", cwd=clone, env=env)
    assert done.returncode == 0, done.stderr + office.sshd.log()
    assert git(office.path, "log", "-1", "--format=%s %ae").strip() == "登记办事处 SH office-sh@SH"
    assert git(office.path, "rev-parse", "HEAD") == git(clone, "rev-parse", "HEAD")
    assert "上海分公司" in (office.path / "offices" / "SH.toml").read_text("utf-8"), "the working tree follows"

    # the same archive by other spellings: with .git, and through a link in the account's home
    assert _git("ls-remote", office.sshd.url(office.path) + ".git", env=env).returncode == 0
    (office.sshd.remote_home / "archive").unlink(missing_ok=True)
    (office.sshd.remote_home / "archive").symlink_to(office.path)
    tilde = f"ssh://{office.sshd.user}@127.0.0.1:{office.sshd.port}/~/archive"
    done = _git("ls-remote", tilde, env=env)
    assert done.returncode == 0 and "refs/heads/main" in done.stdout, done.stderr

    actions = [(e["person"], e["account"], e["action"], e["target"]) for e in office.log()]
    assert actions == [
        ("上海办事处同步", "office-sh", action, str(office.path)) for action in ("fetch", "push", "fetch", "fetch")
    ]
    assert office.log()[1]["detail"] == f"git-receive-pack '{office.path}'"


def test_another_repository_or_a_smuggled_option_is_refused(office, tmp_path):
    other = tmp_path / "other.git"
    _git("init", "-q", "--bare", other)
    env = office.sshd.git_env(office.key("office-sh"))
    done = _git("ls-remote", office.sshd.url(other), env=env)
    assert done.returncode != 0 and f"只能同步本档案 {office.path}, 不能访问仓库 «{other}»" in done.stderr, done.stderr
    for command in (
        f"git-upload-pack '{office.path}/..'",
        "git-upload-pack '--help'",
        f"git-upload-pack '{office.path}' --user admin",
        f"git-upload-pack '{office.path}'; sh",
    ):
        done = office.ssh("office-sh", command)
        assert done.returncode == 1 and "上海办事处同步 (office-sh)" in done.stderr and not done.stdout, command
    assert [e["action"] for e in office.log("office-sh")] == ["refused"] * 5


def test_a_disabled_persons_key_is_refused(office):
    done = office.ssh("zhaolei", "")
    assert done.returncode == 255 and "Permission denied" in done.stderr, "no line for the key: sshd refuses it"
    # an authorized_keys not yet regenerated after disabling: custtui serve refuses all the same
    office.install(office.stale)
    for command in (None, f"git-upload-pack '{office.path}'"):
        done = office.ssh("zhaolei", command)
        assert done.returncode == 1 and "赵磊 (zhaolei) 的账号已停用" in done.stderr, done.stderr
    assert [(e["action"], e["account"]) for e in office.log("赵磊")] == [("refused", "zhaolei")] * 2
    # an ID that is not in the registry at all
    office.install(office.stale.replace("--user zhaolei", "--user nobody"))
    done = office.ssh("zhaolei", "ls")
    assert done.returncode == 1 and "账号 nobody 不在员工名册中" in done.stderr
    assert office.log("nobody")[0]["action"] == "refused"


def test_the_access_log_is_append_only_json_lines(archive, tmp_path):
    first = access_log.record(archive, "李娜", "view", "BJ-000001/合同.pdf", "机密")
    access_log.record(archive, "王芳", "export", "BJ-000002/报表.xlsx")
    path = archive.store.git_dir / "custtui" / "access.log"
    lines = path.read_text("utf-8").splitlines()
    assert json.loads(lines[0]) == first and first["person"] == "李娜" and first["detail"] == "机密"
    assert [e["person"] for e in access_log.entries(archive)] == ["李娜", "王芳"]
    assert access_log.entries(archive, person="王芳")[0]["action"] == "export"
    assert access_log.entries(archive, since="2999-01-01") == []
    # concurrent writers do not interleave
    script = (
        "import sys; from custtui.core.archive.archive import Archive; from custtui.core.access import access_log\n"
        "a = Archive(sys.argv[1])\n"
        "for i in range(200): access_log.record(a, sys.argv[2], 'view', 'x' * 500, str(i))\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, str(archive.store.path), f"p{n}"]) for n in range(4)]
    assert [p.wait(60) for p in procs] == [0] * 4
    found = access_log.entries(archive)
    assert len(found) == 802 and all(e["action"] in ("view", "export") for e in found)
    with path.open("a") as f:  # a hand edit shows up instead of vanishing
        f.write("不是一条记录\n")
    assert access_log.entries(archive)[-1]["action"] == "invalid"
    # no registry: anyone may read it
    shown = run_cli("--archive", archive.store.path, "access-log", "--person", "李娜", "--since", "2000-01-01")
    assert shown.code == 0 and "李娜  查看  BJ-000001/合同.pdf  机密" in shown.out, shown.out


# --- the terminal interface over ssh -tt -------------------------------------------------------


def test_a_sales_key_opens_the_interface_as_that_person(indexed_demo_template, sshd, tmp_path):
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed: the terminal-over-ssh test needs it")
    from tui.test_e2e_tmux import FOLDER, NEW_REP, Terminal, find_and_edit_the_representative

    path = tmp_path / "demo"
    shutil.copytree(indexed_demo_template, path, symlinks=True)
    archive = Archive(path)
    key, public = sshd.new_client_key("lina-tui")
    add_person(archive, "admin", "张伟", "管理员")
    add_person(archive, "lina", "李娜", "销售", keys=[public])
    before = git(path, "rev-parse", "HEAD").strip()
    done = run_cli("--archive", path, "ssh", "authorized-keys")
    assert done.code == 0 and done.out.count("\n") == 1, done.err
    sshd.reset(authorize_client=False)
    sshd.authorized_keys.write_text(done.out)

    home = tmp_path / "home"
    home.mkdir()
    terminal = Terminal(
        tmp_path, {"HOME": str(home), "TERM": "xterm-256color", "LANG": "C.UTF-8", "CUSTTUI_USER": "张伟"}
    )  # the client's own variables reach nothing
    try:
        terminal.start([*sshd.ssh_args(key), "-tt", f"{sshd.user}@127.0.0.1"])
        terminal.wait_for(r"全部客户", what="the classification tree", timeout=60)
        terminal.wait_for(r"李娜", what="the person in the header")

        find_and_edit_the_representative(terminal)
        terminal.send("/")  # a 财务 document is not found by a 销售, not even counted
        terminal.wait_for(r"搜索客户和文档", what="the search screen")
        terminal.type("对账单")
        shown = terminal.wait_for(r"没有找到与「对账单」相符", what="no finance document for 销售")
        assert "xlsx" not in shown
        terminal.send("Escape")
        terminal.wait_quiet()
        terminal.send("q")
        status = terminal.exit_status()
        assert status == 0, f"ssh exited with {status}:\n{terminal.tmux('capture-pane', '-p', '-S', '-400')}"
    finally:
        terminal.close()

    assert git(path, "log", "-1", "--format=%an <%ae>").strip() == "李娜 <lina@BJ>", (
        "the commit carries the key's person"
    )
    assert git(path, "rev-parse", "HEAD~1").strip() == before, "exactly one new commit"
    assert f'legal_rep = "{NEW_REP}"' in git(path, "show", f"HEAD:{FOLDER}/customer.toml")
    opened = access_log.entries(archive, person="lina")
    assert [(e["action"], e["person"]) for e in opened] == [("tui", "李娜")]
    archive.close()
