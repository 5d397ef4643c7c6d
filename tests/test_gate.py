"""Every other copy is untrusted input: a battery of hostile histories made with plain git (raw tree
objects where git would refuse), sent through a compromised hub to an office that syncs, and
pushed to a custtui hub. For each: one clear Chinese refusal naming the commit and what is wrong,
the victim's branch head and working tree unchanged, nothing written outside the archive, ``git
fsck`` clean, listing and search still working. Honest changes from other offices still arrive.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
from conftest import git, keypair, repo_state
from hostile import FILE, Hostile

from custtui.core.archive import signing
from custtui.core.archive.archive import Archive
from custtui.core.archive.staff import add_person, disable_person
from custtui.core.sync import sync
from custtui.core.sync.gate import Refused
from custtui.core.sync.sync import SyncError
from custtui.core.tasks import view
from custtui.core.vault import crypto

HUAXIN = "customers/BJ/000/BJ-000001"
DOC = "HT-2024-015-数控机床采购-20240105.txt"
FINANCE = "北京华信机械设备制造有限公司-财务报表-20240301.txt"
PEOPLE = ("admin", "lina", "wangfang", "office-bj", "office-sh", "zhaolei", "stranger")


def public(key: Path) -> str:
    return key.with_name(key.name + ".pub").read_text().strip()


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """北京 (the head office, signing with its server key), a compromised hub (plain git: no hooks,
    no fsck) and 上海 (the victim, cloned and signing with its own server key), with a staff
    registry, a customer with a note, a contract and a secret financial statement, and a search
    index; plus a hostile clone of the hub."""
    root = tmp_path_factory.mktemp("gate")
    keys = root / "keys"
    keys.mkdir()
    key = {name: keypair(keys, name) for name in PEOPLE}
    bj = Archive.init(root / "BJ", "BJ", office_name="北京总部", user="张伟")
    add_person(bj, "admin", "张伟", "管理员", roles=["admin", "management"], keys=[public(key["admin"])])
    add_person(bj, "lina", "李娜", "销售", keys=[public(key["lina"])])
    add_person(bj, "wangfang", "王芳", "财务")
    add_person(bj, "office-bj", "北京服务器", "管理员", roles=["office_sync"], keys=[public(key["office-bj"])])
    add_person(bj, "office-sh", "上海服务器", "管理员", roles=["office_sync"], keys=[public(key["office-sh"])])
    add_person(bj, "zhaolei", "赵磊", "客服")
    disable_person(bj, "zhaolei")
    signing.enable(bj, key["office-bj"])
    cid, _ = bj.add_customer(
        "企业",
        "北京华信机械设备制造有限公司",
        {"uscc": "91110000600037341L", "industry": "制造业", "owner": "张伟", "region": "北京", "aliases": "华信厂"},
    )
    bj.add_note(cid, {"channel": "电话", "content": "确认交货期"})
    files = root / "files"
    files.mkdir()
    (files / "contract.txt").write_text("数控机床采购合同 第一条 交货期", "utf-8")
    (files / "finance.txt").write_text("资产负债表 2023 年度", "utf-8")
    bj.attach(
        cid,
        files / "contract.txt",
        {"doc_type": "合同", "number": "HT-2024-015", "project": "数控机床采购", "date": "2024-01-05"},
    )
    bj.user = "wangfang"
    bj.attach(cid, files / "finance.txt", {"doc_type": "财务报表", "date": "2024-03-01", "sensitivity": "绝密"})
    bj.user = "admin"
    subprocess.run(["git", "clone", "-q", "--bare", str(root / "BJ"), str(root / "hub.git")], check=True)
    bj.store.git("remote", "add", "origin", str(root / "hub.git"))
    bj.close()
    sh = sync.clone(str(root / "hub.git"), root / "SH", "SH", office_name="上海分公司", user="office-sh")
    sh.user = "admin"
    signing.enable(sh, key["office-sh"])
    sh.search_index().rebuild()
    sh.close()
    Hostile(root / "evil", str(root / "hub.git"))
    (root / "outside").mkdir()  # where an escaping write would land
    return root


@dataclass
class World:
    root: Path
    evil: Hostile
    victim: Archive
    base: str = ""  # the hub's head when the test began

    @property
    def key(self) -> Callable[[str], Path]:
        return lambda name: self.root / "keys" / name

    def send(self, commit: str) -> None:
        """What a compromised hub does: takes anything (force, no hooks, no fsck)."""
        self.evil.advance(commit)
        done = self.evil.push(commit, force=True)
        assert done.returncode == 0, done.stderr.decode()

    def sync(self):
        return sync.sync(self.victim, push=False)


@pytest.fixture
def world(template, tmp_path) -> World:
    root = tmp_path / "w"
    shutil.copytree(template, root, symlinks=True)
    for office in ("BJ", "SH"):
        git(root / office, "remote", "set-url", "origin", str(root / "hub.git"))
    git(root / "evil", "remote", "set-url", "origin", str(root / "hub.git"))
    victim = Archive(root / "SH", user="office-sh")
    made = World(root, Hostile(root / "evil", str(root / "hub.git"), clone=False), victim)
    made.base = made.evil.out("rev-parse", "HEAD")
    yield made
    victim.close()


def tree_of(evil: Hostile) -> str:
    return evil.head_tree()


def toml(text: str) -> bytes:
    return text.encode("utf-8")


def customer(extra: str = "", name: str | None = "北京华信机械设备制造有限公司", **fields: str) -> bytes:
    """BJ-000001's record as another copy might send it (``name=None``: give it in ``extra``)."""
    values = {
        "id": "BJ-000001",
        "type": "enterprise",
        "name": name,
        "uscc": "91110000600037341L",
        "industry": "manufacturing",
        "region": "110100",
        "stage": "potential",
        "status": "active",
        "owner": "张伟",
        **fields,
    }
    body = "".join(f'{k} = "{v}"\n' for k, v in values.items() if v is not None)
    return (body + extra).encode("utf-8")


def default_policy(*replacements: tuple[str, str]) -> Callable[[Hostile], str]:
    """The archive's policy file with some lines changed."""
    text = (Path(__file__).resolve().parents[1] / "schema" / "policy.toml").read_text("utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    return at("schema/policy.toml", text.encode("utf-8"))


UNMASK_SALES = (
    '[roles.sales]\nlabel = "销售"\nview = { basic = "internal"',
    '[roles.sales]\nlabel = "销售"\nview = { basic = "secret"',
)


# --- the battery ----------------------------------------------------------------------------------
# Each case: (id, how the hostile copy builds its tree from the hub's, author, what the refusal says).
# A builder returns a tree id; ``author`` defaults to 李娜 at 上海 (a registered 销售).

LINA = "李娜 <lina@SH>"
ADMIN = "张伟 <admin@SH>"


def at(path: str | list[bytes], content, mode: bytes = FILE) -> Callable[[Hostile], str]:
    return lambda evil: evil.put(tree_of(evil), path, content, mode)


def without(*paths: str) -> Callable[[Hostile], str]:
    def build(evil: Hostile) -> str:
        tree = tree_of(evil)
        for path in paths:
            tree = evil.put(tree, path, None)
        return tree

    return build


def raw_root(entries: Callable[[Hostile], list], sort: bool = True) -> Callable[[Hostile], str]:
    """The root tree with extra raw entries (modes and names exactly as given)."""
    return lambda evil: evil.raw_tree(evil.entries(tree_of(evil)) + entries(evil), sort=sort)


def sealed(data: bytes, customer: str) -> bytes:
    """``data`` in an envelope naming ``customer``, under keys nobody holds (the gate needs none)."""
    header = crypto.Header(customer, crypto.new_id(), "staff", crypto.new_id())
    return crypto.seal(data, header, crypto.new_key(), crypto.new_key())


def in_docs(name: bytes, content: bytes = b"x") -> Callable[[Hostile], str]:
    return at([*f"{HUAXIN}/docs".encode().split(b"/"), name], content)


def meta(text: str = "数控机床采购合同 第一条 交货期", **changes) -> bytes:
    """Metadata of the contract (or, with ``text`` and the fields, of another document)."""
    data = text.encode("utf-8")
    values = {
        "info_type": "cooperation",
        "doc_type": "contract",
        "title": "合同",
        "date": "2024-01-05",
        "sensitivity": "internal",
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        **changes,
    }
    return "".join(f"{k} = {v}\n" if k in ("date", "size") else f'{k} = "{v}"\n' for k, v in values.items()).encode()


def finance_meta(**changes) -> bytes:
    return meta(
        "资产负债表 2023 年度",
        **{
            "info_type": "credit",
            "doc_type": "financial_statement",
            "title": "财务报表",
            "date": "2024-03-01",
            "sensitivity": "secret",
            **changes,
        },
    )


ESC = "\x1b]52;c;ZWNobyBoYWNrZWQ=\x07\x1b[31m"  # OSC 52 (write the clipboard), then red
ESC_TOML = ESC.replace("\x1b", "\\u001b").replace("\x07", "\\u0007")  # as a TOML string escapes them
CASES = [
    # names git's own fsck refuses (the fetch stops them) ...
    ("dotgit", at([b".git", b"config"], b"[core]\n\thooksPath = /tmp\n"), LINA, "hasDotgit"),
    ("dotgit-upper", at([b".GIT", b"config"], b"x"), LINA, "hasDotgit"),
    ("dotgit-mixed-hooks", at([b".Git", b"hooks", b"post-merge"], b"#!/bin/sh\nid\n"), LINA, "hasDotgit"),
    ("dotgit-ntfs-short", at([b"GIT~1", b"config"], b"x"), LINA, "hasDotgit"),
    ("dotgit-trailing-dot", at([b".git.", b"config"], b"x"), LINA, "hasDotgit"),
    ("dotgit-trailing-space", at([b".git ", b"config"], b"x"), LINA, "hasDotgit"),
    ("dotgit-ntfs-stream", at([b".git::$INDEX_ALLOCATION", b"config"], b"x"), LINA, "hasDotgit"),
    ("dotgit-hfs-ignorable", at([".g\u200cit".encode(), b"config"], b"x"), LINA, "hasDotgit"),
    ("dotdot", at([b"..", b"..", b"outside", b"pwned"], b"x"), LINA, "hasDotdot"),
    ("dot", at([b".", b"x"], b"x"), LINA, "hasDot"),
    ("slash-in-name", at([b"customers/BJ/000/BJ-000001/customer.toml"], b"x"), LINA, "fullPathname"),
    ("absolute", at([b"/etc/passwd"], b"x"), LINA, "fullPathname"),
    ("duplicate-entries", raw_root(lambda e: [(FILE, b"archive.toml", e.blob(b"x"))]), LINA, "duplicateEntries"),
    ("unsorted", raw_root(lambda e: [(FILE, b"aaa", e.blob(b"x"))], sort=False), LINA, "treeNotSorted"),
    ("zero-padded-mode", raw_root(lambda e: [(b"040000", b"zz", e.put(None, "a", b"x"))]), LINA, "zeroPaddedFilemode"),
    (
        "gitmodules",
        at(".gitmodules", b'[submodule "x"]\n\tpath = x\n\turl = --upload-pack=touch /tmp/pwned\n'),
        LINA,
        "gitmodules",
    ),
    # ... and what only custtui's gate knows
    ("gitattributes", at(".gitattributes", b"*.toml filter=evil\n"), LINA, ".gitattributes: 不安全的名称"),
    ("gitignore", at(".gitignore", b"*\n"), LINA, ".gitignore"),
    ("symlink-record", at("archive.toml", b"/etc/passwd", b"120000"), LINA, "不允许的符号链接"),
    ("symlink-document", at(f"{HUAXIN}/docs/shadow.pdf", b"/etc/shadow", b"120000"), LINA, "不允许的符号链接"),
    ("gitlink", raw_root(lambda e: [(b"160000", b"vendor", "0" * 39 + "1")]), LINA, "子模块"),
    ("executable", at("archive.toml", b'name = "x"\nformat = 1\n', b"100755"), LINA, "不允许的可执行文件"),
    (
        "symlink-note",
        at(f"{HUAXIN}/notes/20240101T1000-abcdef.toml", b"/etc/passwd", b"120000"),
        LINA,
        "不允许的符号链接",
    ),
    ("control-name", in_docs(b"a\nb.pdf"), LINA, "控制字符"),
    ("escape-name", in_docs(f"{ESC}.pdf".encode()), LINA, "控制字符"),
    ("invalid-utf8-name", in_docs(b"\xff\xfe.pdf"), LINA, "不是有效的 UTF-8"),
    ("non-nfc-name", in_docs("caf\u0065\u0301.pdf".encode()), LINA, "NFC"),
    ("zero-width-name", in_docs("合同\u200b.pdf".encode()), LINA, "不可见字符"),
    ("bidi-name", in_docs("合同\u202efdp.exe".encode()), LINA, "不可见字符"),
    ("blob-where-tree", at("customers", b"x"), LINA, "不是档案格式中的路径"),
    (
        "tree-as-blob",
        lambda e: e.raw_tree(
            [
                x if x[1] != b"archive.toml" else (FILE, b"archive.toml", e.put(None, "a", b"x"))
                for x in e.entries(tree_of(e))
            ]
        ),
        LINA,
        "完整性检查",
    ),
    # paths the archive format does not have
    ("readme", at("README.md", b"# hi\n"), LINA, "README.md: 不是档案格式中的路径"),
    ("script-in-folder", at(f"{HUAXIN}/run.sh", b"rm -rf /\n"), LINA, "不是档案格式中的路径"),
    ("note-name", at(f"{HUAXIN}/notes/evil.toml", b'content = "x"\n'), LINA, "不是档案格式中的路径"),
    ("wrong-shard", at("customers/BJ/001/BJ-000001/customer.toml", customer()), LINA, "不是档案格式中的路径"),
    ("wrong-office-folder", at("customers/SH/000/BJ-000001/customer.toml", customer()), LINA, "不是档案格式中的路径"),
    ("schema-extra", at("schema/hooks.toml", b"x = 1\n"), LINA, "不是档案格式中的路径"),
    ("staff-name", at("staff/Admin Two.toml", b"x = 1\n"), LINA, "不是档案格式中的路径"),
    ("office-lowercase", at("offices/bj.toml", b"x = 1\n"), LINA, "不是档案格式中的路径"),
    ("doc-colon", in_docs("合同:流.pdf".encode()), LINA, "不是档案格式中的路径"),
    ("doc-device", in_docs(b"CON.pdf"), LINA, "不是档案格式中的路径"),
    ("doc-subfolder", at(f"{HUAXIN}/docs/a/b.pdf", b"x"), LINA, "不是档案格式中的路径"),
    ("doc-dotfile", in_docs(b".hidden"), LINA, "名称以点开头"),
    # content
    ("ten-megabyte-name", at(f"{HUAXIN}/customer.toml", customer(name="华" * ((10 << 20) // 3))), LINA, "文件过大"),
    ("two-megabyte-remark", at(f"{HUAXIN}/customer.toml", customer(remark="x" * (2 << 20))), LINA, "文件过大"),
    ("long-name", at(f"{HUAXIN}/customer.toml", customer(name="华" * 500)), LINA, "最多"),
    ("invalid-toml", at(f"{HUAXIN}/customer.toml", b'name = "unterminated\n'), LINA, "TOML 格式错误"),
    ("invalid-utf8", at(f"{HUAXIN}/customer.toml", b'name = "\xff\xfe"\n'), LINA, "不是 UTF-8 编码"),
    (
        "nested-deep",
        at(f"{HUAXIN}/customer.toml", customer(f"tags = {'[' * 30000}{']' * 30000}\n")),
        LINA,
        "嵌套层次过深",
    ),
    (
        "nested-tables",
        at(f"{HUAXIN}/customer.toml", customer("x = " + "{a=" * 200 + "1" + "}" * 200 + "\n")),
        LINA,
        "嵌套层次过深",
    ),
    ("unknown-field", at(f"{HUAXIN}/customer.toml", customer(hacked="1")), LINA, "未知字段"),
    ("unknown-stage", at(f"{HUAXIN}/customer.toml", customer(stage="hacked")), LINA, "不是有效的合作阶段"),
    ("escape-in-name", at(f"{HUAXIN}/customer.toml", customer(name=f"华信{ESC_TOML}")), LINA, "控制字符 U+001B"),
    ("raw-escape-in-record", at(f"{HUAXIN}/customer.toml", customer(name=f"华信{ESC}")), LINA, "TOML 格式错误"),
    ("bidi-in-name", at(f"{HUAXIN}/customer.toml", customer(name="华信\u202e司公")), LINA, "U+202E"),
    ("zero-width-in-name", at(f"{HUAXIN}/customer.toml", customer(name="华\u200b信")), LINA, "U+200B"),
    ("contacts-not-a-list", at(f"{HUAXIN}/customer.toml", customer("contacts = 5\n")), LINA, "联系人"),
    (
        "table-as-name",
        at(f"{HUAXIN}/customer.toml", customer("name = { a = 1 }\n", name=None)),
        LINA,
        "应为文本, 实为 dict",
    ),
    (
        "id-mismatch",
        at(f"{HUAXIN}/customer.toml", customer().replace(b"BJ-000001", b"BJ-000002", 1)),
        LINA,
        "与文件夹 BJ-000001 不符",
    ),
    (
        "missing-required",
        at(f"{HUAXIN}/customer.toml", customer().replace('owner = "张伟"\n'.encode(), b"")),
        LINA,
        "必须填写此字段",
    ),
    ("bad-uscc", at(f"{HUAXIN}/customer.toml", customer(uscc="91110000600037341X")), LINA, "校验位错误"),
    (
        "note-bad-time",
        at(f"{HUAXIN}/notes/20240101T1000-abcdef.toml", b'time = "yesterday"\nchannel = "phone"\ncontent = "x"\n'),
        LINA,
        "沟通时间",
    ),
    (
        "deal-negative",
        at(f"{HUAXIN}/deals/20240101-abcdef.toml", b'date = 2024-01-01\namount = "-5.00"\nproduct = "x"\n'),
        LINA,
        "不能为负数",
    ),
    (
        "deal-unknown-key",
        at(f"{HUAXIN}/deals/20240101-abcdef.toml", b'date = 2024-01-01\namount = "5.00"\nproduct = "x"\nrun = "x"\n'),
        LINA,
        "未知字段",
    ),
    ("meta-main-escapes", at(f"{HUAXIN}/docs/{DOC}.meta.toml", meta(main="../../etc/passwd")), LINA, "主文件"),
    ("meta-checksum", at(f"{HUAXIN}/docs/{DOC}.meta.toml", meta(sha256="0" * 64)), LINA, "校验和不符"),
    ("meta-sensitivity", at(f"{HUAXIN}/docs/{DOC}.meta.toml", meta(sensitivity="hacked")), LINA, "敏感等级"),
    ("document-without-meta", in_docs("合同副本.pdf".encode()), LINA, "缺少元数据"),
    ("meta-without-document", at(f"{HUAXIN}/docs/孤儿.pdf.meta.toml", meta()), LINA, "不存在"),
    ("document-changed-under-meta", at(f"{HUAXIN}/docs/{DOC}", b"forged contract"), LINA, "校验和不符"),
    (  # an envelope of another customer, slipped into this one's folder
        "sealed-document-other-customer",
        at(f"{HUAXIN}/docs/{DOC}", sealed(b"forged contract", "BJ-000002")),
        LINA,
        "属于客户 BJ-000002",
    ),
    (
        "sealed-garbage",
        at(
            f"{HUAXIN}/customer.toml", customer('sealed = { fields = ["legal_rep"], parts = { staff = "bm90IGl0" } }\n')
        ),
        LINA,
        "不是 custtui 的密文",
    ),
    (
        "sealed-unknown-field",
        at(f"{HUAXIN}/customer.toml", customer('sealed = { fields = ["hacked"] }\n')),
        LINA,
        "未知字段",
    ),
    ("orphan-notes", without(f"{HUAXIN}/customer.toml"), ADMIN, "没有 customer.toml"),
    (
        "staff-id-mismatch",
        at("staff/lina.toml", toml('id = "admin"\nname = "x"\ndepartment = "销售"\n')),
        ADMIN,
        "员工账号",
    ),
    (
        "staff-bad-key",
        at(
            "staff/lina.toml",
            toml('id = "lina"\nname = "李娜"\ndepartment = "销售"\nroles = ["sales"]\nkeys = ["ssh-ed25519 !!!"]\n'),
        ),
        ADMIN,
        "SSH 公钥",
    ),
    (
        "staff-duplicate-name",
        at("staff/li2.toml", toml('id = "li2"\nname = "李娜"\ndepartment = "销售"\nroles = ["sales"]\n')),
        ADMIN,
        "姓名 李娜 与 李娜 (",
    ),
    (
        "staff-name-is-an-id",
        at("staff/li2.toml", toml('id = "li2"\nname = "admin"\ndepartment = "销售"\nroles = ["sales"]\n')),
        ADMIN,
        "的姓名或账号相同",
    ),
    (
        "staff-unknown-role",
        at("staff/li2.toml", toml('id = "li2"\nname = "李二"\ndepartment = "销售"\nroles = ["root"]\n')),
        ADMIN,
        "角色 'root' 未",
    ),
    ("schema-invalid-toml", at("schema/fields.toml", b"[[fields\n"), ADMIN, "schema/fields.toml"),
    ("schema-wrong-shape", at("schema/dimensions.toml", b"dimensions = 5\n"), ADMIN, "分类标准"),
    ("policy-unknown-permission", at("schema/policy.toml", toml('[roles.sales]\nmay = ["root"]\n')), ADMIN, "未知的项"),
    (
        "policy-replicate-with-view",
        at(
            "schema/policy.toml",
            toml('[departments]\n"销售" = "sales"\n[roles.sales]\nview = { basic = "secret" }\nmay = ["replicate"]\n'),
        ),
        ADMIN,
        "只能给服务器账号",
    ),
    ("office-counter-back", at("offices/BJ.toml", toml('code = "BJ"\nname = "北京总部"\nnext = 1\n')), LINA, "退回"),
    ("office-code-mismatch", at("offices/GZ.toml", toml('code = "BJ"\nname = "x"\nnext = 1\n')), LINA, "不符"),
    ("archive-extra-key", at("archive.toml", toml('name = "x"\nformat = 1\nhook = "x"\n')), ADMIN, "只能有 name"),
    # authors and rights
    (
        "unknown-author",
        at(f"{HUAXIN}/customer.toml", customer(address="x")),
        "黑客 <hacker@SH>",
        "不是员工名册中的在职员工",
    ),
    (
        "author-without-office",
        at(f"{HUAXIN}/customer.toml", customer(address="x")),
        "李娜 <lina>",
        "不是员工名册中的在职员工",
    ),
    ("disabled-author", at(f"{HUAXIN}/customer.toml", customer(address="x")), "赵磊 <zhaolei@SH>", "已停用"),
    (
        "sales-declassifies-finance",
        at(f"{HUAXIN}/docs/{FINANCE}.meta.toml", finance_meta(sensitivity="internal")),
        LINA,
        "修改资料",
    ),
    (
        "sales-deletes-customer",
        without(*[f"{HUAXIN}/{p}" for p in ("customer.toml", "notes", "docs")]),
        LINA,
        "「删除」(delete)",
    ),
    (
        "sales-deletes-document",
        without(f"{HUAXIN}/docs/{DOC}", f"{HUAXIN}/docs/{DOC}.meta.toml"),
        LINA,
        "「删除」(delete)",
    ),
    (
        "sales-makes-herself-admin",
        at("staff/lina.toml", toml('id = "lina"\nname = "李娜"\ndepartment = "销售"\nroles = ["admin"]\n')),
        LINA,
        "「管理员工与密钥」(manage_staff)",
    ),
    ("sales-unmasks-everyone", default_policy(UNMASK_SALES), LINA, "「修改分类标准与权限」(edit_schema)"),
    (
        "server-edits-records",
        at(f"{HUAXIN}/customer.toml", customer(address="x")),
        "上海服务器 <office-sh@SH>",
        "修改客户记录",
    ),
    (
        "forged-admin-unsigned",
        at("staff/lina.toml", toml('id = "lina"\nname = "李娜"\ndepartment = "销售"\nroles = ["admin"]\n')),
        ADMIN,
        "此提交未签名",
    ),
    ("forged-admin-deletes", without(f"{HUAXIN}/docs/{DOC}", f"{HUAXIN}/docs/{DOC}.meta.toml"), ADMIN, "此提交未签名"),
    ("forged-admin-policy", default_policy(UNMASK_SALES), ADMIN, "此提交未签名"),
]


def attempt(world: World, build, author: str, sign: str | None = None) -> str:
    commit = world.evil.commit(build(world.evil), author, "改动", sign_with=world.key(sign) if sign else None)
    world.send(commit)
    return commit


def assert_untouched(world: World, before: tuple[str, str]) -> None:
    path = world.victim.store.path
    assert repo_state(path) == before, "branch head and working tree as they were"
    assert not any((world.root / "outside").iterdir()), "nothing written outside the archive"
    assert not (path / ".git" / "pwned").exists() and "hooksPath" not in (path / ".git" / "config").read_text()
    fsck = subprocess.run(["git", "-C", str(path), "fsck", "--no-dangling"], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stderr
    reader = Archive(path, user="admin")  # the office server account itself sees no customers
    try:
        assert "BJ-000001" in view.customers(reader), "listing still works"
        assert [h.id for h in view.search(reader, "华信").hits][:1] == ["BJ-000001"], "search still works"
    finally:
        reader.close()


@pytest.mark.parametrize("case, build, author, says", CASES, ids=[c[0] for c in CASES])
def test_a_hostile_history_is_refused_and_changes_nothing(world, case, build, author, says):
    before = repo_state(world.victim.store.path)
    commit = attempt(world, build, author)
    with pytest.raises((Refused, SyncError)) as refused:
        world.sync()
    message = str(refused.value)
    assert says in message, message
    assert message.startswith("拒绝接收 origin 的"), message
    if isinstance(refused.value, Refused):
        assert f"提交 {commit[:10]}" in message and "本档案未改动" in message, message
        assert "\x1b" not in message and "\u202e" not in message, "names from the other copy are shown escaped"
    assert_untouched(world, before)


def test_an_evil_intermediate_commit_is_refused_though_the_tip_is_clean(world):
    bad = attempt(world, at("README.md", b"x"), LINA)
    world.evil.advance(bad)
    tip = world.evil.commit(world.evil.put(tree_of(world.evil), "README.md", None), LINA, "撤掉")
    world.send(tip)
    before = repo_state(world.victim.store.path)
    with pytest.raises(Refused, match=f"提交 {bad[:10]}"):
        world.sync()
    assert_untouched(world, before)


def test_unrelated_histories_and_octopus_merges_are_refused(world):
    evil = world.evil
    root = evil.commit(evil.put(None, "archive.toml", b'name = "x"\nformat = 1\n'), LINA, "另一个档案", parents=[])
    head = evil.out("rev-parse", "HEAD")
    merged = evil.commit(tree_of(evil), LINA, "合并", parents=[head, root])
    world.send(merged)
    before = repo_state(world.victim.store.path)
    with pytest.raises(Refused, match="没有共同的历史"):
        world.sync()
    side = evil.commit(evil.put(tree_of(evil), f"{HUAXIN}/customer.toml", customer(address="a")), LINA, parents=[head])
    other = evil.commit(evil.put(tree_of(evil), f"{HUAXIN}/customer.toml", customer(address="b")), LINA, parents=[head])
    world.send(evil.commit(tree_of(evil), LINA, "章鱼合并", parents=[head, side, other]))
    with pytest.raises(Refused, match="两个父提交"):
        world.sync()
    assert_untouched(world, before)


def test_an_evil_merge_is_the_merge_authors_own_change(world):
    """A merge commit whose tree is not the merge custtui computes carries its author's own change:
    here a 销售 slipping a finance document's reclassification into a merge."""
    evil = world.evil
    head = evil.out("rev-parse", "HEAD")
    side = evil.commit(
        evil.put(tree_of(evil), f"{HUAXIN}/customer.toml", customer(address="上海路 1 号")), LINA, parents=[head]
    )
    tree = evil.put(evil.head_tree(side), f"{HUAXIN}/docs/{FINANCE}.meta.toml", finance_meta(sensitivity="internal"))
    world.send(evil.commit(tree, LINA, "合并", parents=[head, side]))
    before = repo_state(world.victim.store.path)
    with pytest.raises(Refused, match="修改资料"):
        world.sync()
    assert_untouched(world, before)


def test_signatures_decide_who_may_change_staff_schema_and_delete(world):
    promote = at(
        "staff/lina.toml",
        toml(
            'id = "lina"\nname = "李娜"\ndepartment = "销售"\nroles = ["sales", "finance"]\n'
            f'keys = ["{public(world.key("lina"))}"]\n'
        ),
    )
    before = repo_state(world.victim.store.path)
    for signer, says in (
        ("stranger", "签名密钥未在员工名册中登记"),
        ("lina", "签名者 lina 既不是作者本人, 也不是办事处服务器"),
    ):
        world.evil.advance(world.base)
        attempt(world, promote, ADMIN, sign=signer)
        with pytest.raises(Refused, match=says):
            world.sync()
        assert_untouched(world, before)
    world.evil.advance(world.base)
    attempt(world, promote, ADMIN, sign="admin")  # the administrator's own key
    result = world.sync()
    assert result.received == 1 and "finance" in git(world.victim.store.path, "show", "HEAD:staff/lina.toml")
    attempt(world, without(f"{HUAXIN}/docs/{DOC}", f"{HUAXIN}/docs/{DOC}.meta.toml"), ADMIN, sign="office-bj")
    assert world.sync().received == 1, "an office server vouches for its staff: the deletion arrives"
    assert not (world.victim.store.path / HUAXIN / "docs" / DOC).exists()


def test_honest_changes_from_another_office_arrive(world):
    """What custtui itself writes at 北京 (signed by its server) passes; so does an unsigned
    ordinary edit by a registered person who may make it."""
    bj = Archive(world.root / "BJ", user="admin")
    bj.update_customer("BJ-000001", {"address": "北京市海淀区 1 号"})
    bj.add_note("BJ-000001", {"channel": "会议", "content": "年度回顾"})
    add_person(bj, "chenjing", "陈静", "管理层")
    sync.sync(bj)
    bj.close()
    world.evil.fetch()
    attempt(world, at(f"{HUAXIN}/customer.toml", customer(address="北京市海淀区 1 号", remark="已回访")), LINA)
    result = world.sync()
    assert result.received == 5 and result.gate_seconds > 0, "北京's three, its merge with 上海's registration, 李娜's"
    assert world.victim.customer("BJ-000001")["remark"] == "已回访"
    assert "chenjing" in git(world.victim.store.path, "ls-files", "staff")


def test_a_cli_sync_refusal_is_one_sentence_and_exit_1(world):
    from conftest import run_cli

    attempt(world, at(f"{HUAXIN}/customer.toml", customer(name=f"华信{ESC_TOML}")), LINA)
    done = run_cli("--archive", world.victim.store.path, "--user", "office-sh", "sync")
    assert done.code == 1 and "Traceback" not in done.err
    assert done.err.count("错误:") == 1 and "拒绝接收 origin 的修改" in done.err and "\x1b" not in done.err


# --- at a hub: the pre-receive hook custtui installs ----------------------------------------------


@pytest.fixture
def hub(world) -> Hostile:
    """A hostile clone of 北京's own archive, which takes pushes (updateInstead) through custtui's hooks."""
    return Hostile(world.root / "evil-bj", str(world.root / "BJ"))


def refused_push(done: subprocess.CompletedProcess, says: str) -> str:
    text = done.stderr.decode()
    assert done.returncode != 0 and says in text, text
    assert "Traceback" not in text
    return text


HUB_CASES = [
    ("readme", at("README.md", b"x"), LINA, "README.md: 不是档案格式中的路径"),
    ("symlink", at("archive.toml", b"/etc/passwd", b"120000"), LINA, "不允许的符号链接"),
    (
        "unsigned-staff",
        at("staff/lina.toml", toml('id = "lina"\nname = "李娜"\ndepartment = "销售"\nroles = ["admin"]\n')),
        ADMIN,
        "此提交未签名",
    ),
    ("sales-deletes", without(f"{HUAXIN}/docs/{DOC}", f"{HUAXIN}/docs/{DOC}.meta.toml"), LINA, "(delete)"),
    ("bad-record", at(f"{HUAXIN}/customer.toml", customer(stage="hacked")), LINA, "不是有效的合作阶段"),
    (
        "unknown-author",
        at(f"{HUAXIN}/customer.toml", customer(address="x")),
        "黑客 <hacker@SH>",
        "不是员工名册中的在职员工",
    ),
]


@pytest.mark.parametrize("case, build, author, says", HUB_CASES, ids=[c[0] for c in HUB_CASES])
def test_a_hub_refuses_a_hostile_push_before_anything_moves(world, hub, case, build, author, says):
    bj = world.root / "BJ"
    before = repo_state(bj)
    commit = hub.commit(build(hub), author)
    text = refused_push(hub.push(commit), says)
    assert "拒绝接收推送的修改" in text and f"提交 {commit[:10]}" in text
    assert repo_state(bj) == before, "the hub's branch and its checked-out working tree are as they were"
    assert subprocess.run(["git", "-C", str(bj), "cat-file", "-e", commit]).returncode != 0, (
        "the refused objects stayed in git's quarantine"
    )


def test_a_hub_refuses_rewinding_deleting_and_other_refs(world, hub):
    bj = world.root / "BJ"
    before = repo_state(bj)
    refused_push(hub.push(hub.out("rev-parse", "HEAD~1"), force=True), "拒绝非快进推送")
    refused_push(hub.git("push", hub.url, ":refs/heads/main", check=False), "不能删除分支")
    for ref in ("refs/tags/v1", "refs/heads/other"):
        refused_push(hub.push(hub.out("rev-parse", "HEAD"), ref=ref), f"拒绝 {ref}")
    assert repo_state(bj) == before and git(bj, "for-each-ref", "--format=%(refname)").split() == ["refs/heads/main"]


def test_the_gate_checks_names_itself_when_git_does_not(world, hub):
    """With git's own fsck turned off at the hub, the gate still refuses .git in any spelling."""
    bj = world.root / "BJ"
    git(bj, "config", "receive.fsckObjects", "false")
    git(bj, "config", "transfer.fsckObjects", "false")
    before = repo_state(bj)
    for name in (b".GIT", b"git~1", b".git ", ".g\u200cit".encode(), b".."):
        hub.advance(hub.out("rev-parse", "refs/remotes/origin/main"))
        commit = hub.commit(hub.put(tree_of(hub), [name, b"config"], b"[core]\n\thooksPath = /tmp\n"), LINA)
        refused_push(hub.push(commit), "不安全的名称")
    assert repo_state(bj) == before and "hooksPath" not in (bj / ".git" / "config").read_text()


def test_an_honest_push_reaches_the_hub_and_its_working_tree(world, hub):
    bj = world.root / "BJ"
    commit = hub.commit(hub.put(tree_of(hub), f"{HUAXIN}/customer.toml", customer(address="北京市东城区 8 号")), LINA)
    done = hub.push(commit)
    assert done.returncode == 0, done.stderr.decode()
    assert git(bj, "rev-parse", "HEAD").strip() == commit and 'address = "北京市东城区 8 号"' in (
        bj / HUAXIN / "customer.toml"
    ).read_text("utf-8")
    opened = Archive(bj, user="admin")
    assert opened.customer("BJ-000001")["address"] == "北京市东城区 8 号"
    opened.close()


def test_the_hooks_come_back_when_removed(world):
    from custtui.core.store import hooks

    victim = world.victim
    (victim.store.git_dir / "hooks" / "pre-receive").unlink()
    git(victim.store.path, "config", "receive.fsckObjects", "false")
    assert hooks.missing(victim.store) == ["git 设置 receive.fsckObjects=true", "钩子 hooks/pre-receive"]
    assert "本副本缺少接收检查: 钩子 hooks/pre-receive (运行 custtui install-merge-driver 补上)" in victim.check()
    world.sync()
    assert hooks.missing(victim.store) == []


# --- plain git pull: the reference-transaction hook --------------------------------------------------


def test_plain_git_pull_of_a_hostile_history_is_refused_and_the_working_tree_put_back(world):
    path = world.victim.store.path
    before = repo_state(path)
    attempt(world, at(f"{HUAXIN}/customer.toml", customer(stage="hacked")), LINA)
    done = subprocess.run(
        ["git", "-C", str(path), "pull", "-q", "--ff-only", "origin", "main"], capture_output=True, text=True
    )
    assert done.returncode != 0 and "不是有效的合作阶段" in done.stderr and "拒绝接收 git 带来的修改" in done.stderr, (
        done.stderr
    )
    assert repo_state(path) == before, "HEAD, index and working tree as they were"
    world.evil.advance(world.base)
    attempt(world, at(f"{HUAXIN}/customer.toml", customer(address="北京路 9 号")), LINA)
    assert subprocess.run(["git", "-C", str(path), "pull", "-q", "--ff-only", "origin", "main"]).returncode == 0
    assert 'address = "北京路 9 号"' in (path / HUAXIN / "customer.toml").read_text("utf-8")


# --- over a real sshd: custtui serve, pushes by an office server's key ---------------------------------


def test_over_ssh_an_office_server_key_cannot_push_what_the_gate_refuses(world, sshd):
    from conftest import run_cli

    bj = world.root / "BJ"
    keys = run_cli("--archive", bj, "--user", "admin", "ssh", "authorized-keys")
    assert keys.code == 0, keys.err
    sshd.reset(authorize_client=False)
    sshd.authorized_keys.write_text(keys.out)
    env = sshd.git_env(world.key("office-sh"))
    remote = Hostile(world.root / "evil-ssh", sshd.url(bj), env=env)
    before = repo_state(bj)
    for _, build, author, says in HUB_CASES[2:4]:
        remote.advance(remote.out("rev-parse", "refs/remotes/origin/main"))
        text = refused_push(remote.push(remote.commit(build(remote), author)), says)
        assert "拒绝接收 上海服务器 (office-sh) 推送的修改" in text
    refused_push(remote.push(remote.out("rev-parse", "HEAD~1"), force=True), "拒绝非快进推送")
    assert repo_state(bj) == before
    remote.advance(remote.out("rev-parse", "refs/remotes/origin/main"))
    honest = remote.commit(
        remote.put(tree_of(remote), f"{HUAXIN}/customer.toml", customer(address="上海路 5 号")), LINA
    )
    assert remote.push(honest).returncode == 0
    assert git(bj, "rev-parse", "HEAD").strip() == honest


def test_local_writes_follow_the_rules_every_other_copy_applies(world):
    """What this copy would refuse from a peer it does not write itself: a 销售's revert that
    removes a note is a deletion, and needs the delete permission here too."""
    from custtui.core.access.policy import PermissionDenied

    bj = Archive(world.root / "BJ", user="lina")
    try:
        _, commit = bj.add_note("BJ-000001", {"channel": "电话", "content": "误记的一条"})
        before = bj.head()
        with pytest.raises(
            PermissionDenied, match=r"删除沟通记录 .* 需要权限「删除」\(delete\), 李娜 的角色 销售 没有"
        ):
            bj.revert(commit)
        assert bj.head() == before
        bj.user = "admin"
        assert bj.revert(commit), "someone who may delete can undo it"
    finally:
        bj.close()
