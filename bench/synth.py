"""Synthetic archives of 10k–100k customers with realistic Chinese fields, built with git fast-import.

    python bench/synth.py OUT_DIR --customers 100000 [--docs 2] [--seed 7]

The archive is created by ``Archive.init`` (bare, office BJ) and filled in one fast-import commit,
in exactly the layout custtui writes: sharded customer folders, a note, a deal and a few small
documents with metadata each. Every USCC and ID number carries a valid check character.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from custtui.core.archive.archive import Archive  # noqa: E402
from custtui.core.records.records import customer_dir, dumps, format_id  # noqa: E402
from custtui.core.records.validate import id_check_digit, uscc_check_char  # noqa: E402

CITIES = [
    ("110100", "北京"),
    ("310100", "上海"),
    ("440100", "广州"),
    ("440300", "深圳"),
    ("330100", "杭州"),
    ("320500", "苏州"),
    ("510100", "成都"),
    ("420100", "武汉"),
    ("610100", "西安"),
    ("370200", "青岛"),
    ("320100", "南京"),
    ("500100", "重庆"),
    ("120100", "天津"),
    ("350200", "厦门"),
    ("430100", "长沙"),
]
WORDS = list("华信恒达宏远金鼎天成瑞丰新源伟业盛世嘉禾永泰博雅中科联创汇通东方明珠长城凯旋正大光明海润通")
TRADES = [
    ("manufacturing", ["机械设备制造", "精密仪器", "汽车零部件", "模具", "电气设备"]),
    ("retail", ["百货", "连锁超市", "家居用品", "服装商贸"]),
    ("it", ["软件", "信息技术", "网络科技", "数据服务"]),
    ("construction", ["建筑工程", "装饰工程", "路桥建设"]),
    ("logistics", ["物流", "供应链管理", "货运代理"]),
    ("healthcare", ["医疗器械", "医药"]),
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤单仇解"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰文辉建国志红梅鹏飞宇浩然欣怡子涵思远晓东"
AREA_CODES = ["010", "021", "020", "0755", "0571", "0512", "028", "027"]
OWNERS = ["张伟", "李娜", "王芳", "刘洋", "陈静", "赵磊"]
STAGES = ["potential", "signed", "stable", "terminated"]
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def uscc(rng: random.Random, division: str) -> str:
    body = "91" + division + "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + uscc_check_char(body)


def id_number(rng: random.Random, division: str) -> str:
    born = date(1960, 1, 1) + timedelta(days=rng.randrange(40 * 365))
    body = f"{division}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + id_check_digit(body)


def customer(rng: random.Random, cid: str) -> dict:
    division, city = rng.choice(CITIES)
    first = date(2018, 1, 1) + timedelta(days=rng.randrange(3000))
    common = {
        "id": cid,
        "region": division,
        "stage": rng.choice(STAGES),
        "status": "active",
        "grade": rng.choice(("normal", "normal", "normal", "vip")),
        "owner": rng.choice(OWNERS),
        "first_contact": first,
    }
    if rng.random() < 0.15:
        return {
            **common,
            "type": "individual",
            "name": person(rng),
            "phones": [mobile(rng)],
            "id_number": id_number(rng, division),
            "gender": rng.choice(("male", "female")),
        }
    industry, kinds = rng.choice(TRADES)
    short = "".join(rng.sample(WORDS, 2))
    name = f"{city}{short}{rng.choice(kinds)}有限公司"
    return {
        **common,
        "type": "enterprise",
        "name": name,
        "aliases": [f"{short}公司"],
        "uscc": uscc(rng, division),
        "industry": industry,
        "size": rng.choice(("small", "medium", "large")),
        "value_tier": rng.choice(("high", "medium", "low")),
        "tags": [f"{city}客户"],
        "contacts": [
            {
                "name": person(rng),
                "position": rng.choice(("采购经理", "总经理", "财务主管", "行政主管")),
                "phones": [mobile(rng), f"{rng.choice(AREA_CODES)}-{rng.randrange(2, 9)}{rng.randrange(10**6, 10**7)}"],
            }
        ],
    }


ORDER = (
    "id",
    "type",
    "name",
    "aliases",
    "uscc",
    "id_number",
    "gender",
    "phones",
    "industry",
    "size",
    "region",
    "stage",
    "status",
    "value_tier",
    "grade",
    "tags",
    "owner",
    "first_contact",
)


def build(out: Path, customers: int, docs: int = 2, seed: int = 7, bare: bool = True) -> Path:
    """Create the synthetic archive at ``out`` and return its path."""
    rng = random.Random(seed)
    archive = Archive.init(out, "BJ", bare=bare, name="基准测试档案", office_name="北京总部", user="基准")
    store = archive.store
    started = time.perf_counter()
    proc = subprocess.Popen(
        ["git", f"--git-dir={store.git_dir}", "fast-import", "--quiet", "--done"], stdin=subprocess.PIPE
    )
    write = proc.stdin.write
    marks: list[tuple[str, int]] = []
    mark = 0

    def blob(data: bytes) -> int:
        nonlocal mark
        mark += 1
        write(b"blob\nmark :%d\ndata %d\n%s\n" % (mark, len(data), data))
        return mark

    for seq in range(1, customers + 1):
        cid = format_id("BJ", seq)
        folder = customer_dir(cid)
        record = customer(rng, cid)
        marks.append((f"{folder}/customer.toml", blob(dumps(record, ORDER))))
        day = record["first_contact"] + timedelta(days=rng.randrange(300))
        note = {
            "time": datetime.combine(day, datetime.min.time()).replace(hour=10),
            "channel": "phone",
            "content": f"与{record['name']}电话沟通采购计划",
            "by": record["owner"],
        }
        marks.append((f"{folder}/notes/{day:%Y%m%d}T1000-{seq:06x}.toml", blob(dumps(note))))
        marks.append(
            (
                f"{folder}/deals/{day:%Y%m%d}-{seq:06x}.toml",
                blob(
                    dumps(
                        {
                            "date": day,
                            "amount": f"{rng.randrange(1000, 900000)}.00",
                            "product": "数控机床",
                            "by": record["owner"],
                        }
                    )
                ),
            )
        )
        for d in range(docs):
            text = f"{record['name']} 资料 {d}\n合同编号 HT-{seq:06d}-{d}\n".encode()
            name = f"{record['name']}-会议纪要-{day:%Y%m%d}-{d}.txt"
            marks.append((f"{folder}/docs/{name}", blob(text)))
            meta = {
                "info_type": "other",
                "doc_type": "minutes",
                "title": "会议纪要",
                "date": day,
                "sensitivity": "internal",
                "sha256": hashlib.sha256(text).hexdigest(),
                "size": len(text),
                "original_name": f"纪要{d}.txt",
                "added_by": record["owner"],
            }
            marks.append((f"{folder}/docs/{name}.meta.toml", blob(dumps(meta))))
    head = store.head()
    message = f"导入 {customers} 个合成客户".encode()
    write(
        f"commit {store.branch_ref}\ncommitter 基准 <bench@example.cn> 1700000000 +0800\n".encode()
        + b"data %d\n%s\nfrom %s\n" % (len(message), message, head.encode())
    )
    for path, m in marks:
        write(b"M 100644 :%d %s\n" % (m, path.encode()))
    counter = dumps({"code": "BJ", "name": "北京总部", "next": customers + 1}, ("code", "name", "next"))
    write(b"M 100644 inline offices/BJ.toml\ndata %d\n%s\n" % (len(counter), counter))
    write(b"\ndone\n")
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    if not bare:
        store.git("reset", "-q", "--hard")
    archive.pack()
    print(
        f"synthetic archive: {customers} customers, {len(marks)} files in "
        f"{time.perf_counter() - started:.1f}s -> {out}",
        file=sys.stderr,
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--docs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--worktree", action="store_true", help="a clone with a working tree instead of bare")
    args = parser.parse_args()
    build(args.out, args.customers, args.docs, args.seed, bare=not args.worktree)


if __name__ == "__main__":
    main()
