"""Recall of search on a generated archive, beside git grep on the same archive (issue 13).

    python bench/bench_recall.py [--customers 300] [--queries 120] [--pdfs 60] [--seed 13]

The archive is made here through the real API (``Archive.init``, ``add_customer``, ``attach``) from
random pools: company names of places, trade words, Latin letters and digits (阜新MCC数控有限公司,
ABC科技…), places and characters whose pinyin splits two ways (西安 xi-an / xian, 长安 chang-an /
chan-gan), people with mobiles and landlines, PDFs whose lines wrap mid-phrase. Every query is
made from one customer's data, so the customer it must find is known. For each class: recall@1,
recall@20 (``search(q)`` as the search box runs it), any-hit (among everything the search
returns, at any rank), the any-hit of ``git grep -F -i QUERY HEAD`` (a path under the customer's
folder), and the median query time. git cannot know pinyin or another spelling of a number: its
column for those classes says what a git user gets, not a fair race.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sample-archive"))

from generator.common import COMMON_CHARACTERS as COMMON  # noqa: E402
from generator.common import full_width  # noqa: E402

from bench.bench_core import OUT  # noqa: E402
from custtui.core.archive.archive import Archive  # noqa: E402
from custtui.core.records.records import customer_dir  # noqa: E402
from custtui.core.records.validate import uscc_check_char  # noqa: E402

USER = "基准"
# places whose pinyin runs into the next syllable (西安 xian, 长安 changan / chan gan, 兴安 xingan / xin gan)
AMBIGUOUS_PLACES = ["西安", "延安", "兴安", "泰安", "吉安", "淮安", "六安", "长安", "海安", "新安", "方安", "皮安"]
PLACES = ["阜新", "泉州", "绵阳", "芜湖", "柳州", "嘉兴", "潍坊", "德阳", "岳阳", "北京", "上海", "天津", "重庆"]
# trade-name characters: vowel-initial ones (安恩欧爱奥尔鄂昂) join the syllable before them two ways
SHORT = "安恩欧爱奥尔鄂昂海创华川先诺农新方甘范金源达信恒宏远鼎天成瑞丰盛嘉禾永泰博雅联汇通明凯正光润西皮长兴"
TRADES = ["数控", "软件", "物流", "医药", "电子", "环保", "纺织", "建材", "机电", "食品", "网络", "装饰", "贸易"]
SUFFIXES = ["有限公司", "分公司", "号厂", "集团"]
LATIN = "ABCDEFGHKMNPRSTWXYZ"
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰文辉建国志红梅鹏飞宇浩然欣怡子涵思远晓东"
AREAS = ["010", "021", "020", "0755", "0571", "0512", "028", "027"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def syllables() -> frozenset[str]:
    """Every toneless pinyin syllable of the common characters, read by pypinyin (not by custtui)."""
    from pypinyin import Style, pinyin

    return frozenset(r for c in COMMON for r in pinyin(c, style=Style.NORMAL, heteronym=True)[0])


def splits(letters: str, known: frozenset[str]) -> int:
    """How many ways ``letters`` splits into pinyin syllables (2 is enough to know)."""
    ways = [1] + [0] * len(letters)
    for end in range(1, len(letters) + 1):
        ways[end] = min(2, sum(ways[start] for start in range(max(0, end - 6), end) if letters[start:end] in known))
    return ways[-1]


# ---------------------------------------------------------------------------- the generated archive


class People:
    """Draws values no one else in the archive has (names, phones, numbers)."""

    def __init__(self, rng: random.Random):
        self.rng, self.used = rng, set()

    def unique(self, make: Callable[[], str]) -> str:
        while (value := make()) in self.used:
            pass
        self.used.add(value)
        return value

    def person(self) -> str:
        r = self.rng
        return self.unique(lambda: r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2, 2)))))

    def mobile(self) -> str:
        return self.unique(lambda: f"1{self.rng.choice('3456789')}{self.rng.randrange(10**9):09d}")

    def landline(self) -> tuple[str, str, str]:
        """(area code, number of 7 or 8 digits, extension or "")."""
        r = self.rng
        area = r.choice(AREAS)
        width = r.choice((6, 7)) if len(area) == 4 else 7
        number = self.unique(lambda: f"{r.randrange(2, 10)}{r.randrange(10**width):0{width}d}")
        return area, number, str(r.randrange(100, 1000)) if r.random() < 0.5 else ""

    def uscc(self) -> str:
        r = self.rng

        def make() -> str:
            head = f"91{r.randrange(110000, 660000)}MA{r.randrange(10**6):06d}{r.choice('ABCDEFGHJKLMNPQRTUWXY')}"
            return head + uscc_check_char(head)

        return self.unique(make)

    def company(self) -> tuple[str, str]:
        """(name, alias): a pattern of place, trade characters, Latin letters or a digit, and a suffix."""
        r = self.rng
        while True:
            place = r.choice(AMBIGUOUS_PLACES if r.random() < 0.4 else PLACES)
            short, trade = "".join(r.sample(SHORT, 2)), r.choice(TRADES)
            latin, digit = "".join(r.choice(LATIN) for _ in range(r.randint(1, 4))), str(r.randint(1, 9))
            name = r.choice(
                [
                    f"{place}{short}{trade}有限公司",  # 西安海创网络有限公司
                    f"{latin}{trade}{place}分公司",  # ABC科技绵阳分公司
                    f"{place}{latin}{short}{trade}有限公司",  # 阜新M恒达数控有限公司
                    f"{place}{short}{trade}{digit}号厂",  # 泉州金源电子3号厂
                    f"{short}{latin}{trade}集团",  # 海创AB物流集团
                ]
            )
            alias = r.choice([f"{short}{trade[0]}", f"{latin}{short}", f"{place[0]}{short}", f"{short}{digit}厂"])
            if name not in self.used and alias not in self.used and alias != name:
                self.used |= {name, alias}
                return name, alias


def prose(rng: random.Random) -> str:
    """A paragraph of random common characters, clause marks and Latin words, long enough to wrap."""
    parts: list[str] = []
    while sum(map(len, parts)) < rng.randint(180, 320):
        roll = rng.random()
        if roll < 0.06:
            parts.append(rng.choice(["ISO9001", "ERP", "MES", "AGV", "5G"]) + "".join(rng.sample(COMMON, 2)))
        elif roll < 0.14:
            parts.append(rng.choice("，、；"))
        else:
            parts.append("".join(rng.choice(COMMON) for _ in range(rng.randint(1, 4))))
    return "".join(parts) + "。"


def make_pdf(paragraphs: list[str], fpdf: bool) -> bytes:
    """A PDF whose paragraphs wrap mid-phrase: reportlab as the sample archive writes them, or fpdf2."""
    if fpdf:
        import logging

        from fpdf import FPDF

        logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # "BDF NOT subset" for each file
        from generator.common import FONT_FILE

        pdf = FPDF()
        pdf.add_page()
        pdf.add_font("WQY", fname=FONT_FILE)
        pdf.set_font("WQY", size=11)
        for text in paragraphs:
            pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())
    from datetime import date

    from generator.render import write_pdf

    return write_pdf("会议纪要", [("p", text) for text in paragraphs], date(2025, 1, 1), USER)


def wrapped_fragments(rng: random.Random, paragraphs: list[str], data: bytes, count: int) -> list[str]:
    """Up to ``count`` fragments of 2–4 characters of a paragraph that pypdf's text breaks at a line end."""
    from pypdf import PdfReader

    lines = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    across = sorted(
        {
            word[i : i + n]
            for text in paragraphs
            for word in re.findall(r"[\u4e00-\u9fffA-Za-z0-9]+", text)
            for n in (2, 3, 4)
            for i in range(len(word) - n + 1)
            if word[i : i + n] not in lines
        }
    )
    return rng.sample(across, min(count, len(across)))


def generate(path: Path, customers: int, pdfs: int, seed: int) -> tuple[Archive, list[dict]]:
    """The archive at ``path`` and, per customer, what it holds (the queries are made of it)."""
    rng = random.Random(seed)
    people = People(rng)
    archive = Archive.init(path, "BJ", bare=True, office_name="北京总部", user=USER)
    made = []
    for _ in range(customers):
        if rng.random() < 0.15:
            name = people.person()
            mobile = people.mobile()
            fields = {"phones": [mobile]}
            facts = {"type": "个人", "name": name, "alias": None, "contact": None, "mobile": mobile, "landline": None}
        else:
            name, alias = people.company()
            contact, mobile = people.person(), people.mobile()
            landline = people.landline() if rng.random() < 0.6 else None
            phones = [mobile] + (["-".join(p for p in landline if p)] if landline else [])
            fields = {
                "aliases": [alias],
                "uscc": people.uscc(),
                "industry": rng.choice(["制造业", "批发业", "零售业", "软件和信息技术服务业"]),
                "contacts": [{"name": contact, "phones": phones}],
            }
            facts = {"type": "企业", "name": name, "alias": alias, "contact": contact, "mobile": mobile}
            facts.update(landline=landline, uscc=fields["uscc"])
        cid, _ = archive.add_customer(facts["type"], name, fields)
        made.append({**facts, "id": cid, "wrapped": []})
    with tempfile.TemporaryDirectory() as inbox:
        for n, owner in enumerate(rng.sample(made, min(pdfs, len(made)))):
            paragraphs = [prose(rng) for _ in range(2)]
            data = make_pdf(paragraphs, fpdf=n % 10 == 9)  # fpdf2 loads the font each time: ~1 s a file
            source = Path(inbox) / f"纪要{n}.pdf"
            source.write_bytes(data)
            archive.attach(owner["id"], source, {"doc_type": "其他资料", "title": "会议纪要"})
            owner["wrapped"] += wrapped_fragments(rng, paragraphs, data, 6)
    archive.pack()  # as git gc leaves an archive: git grep reads one pack, not a file per object
    return archive, made


# ---------------------------------------------------------------------------- the queries


def name_fragment(rng: random.Random, name: str, seam: bool) -> str | None:
    """A 2–4 character run of ``name`` at a random place; with ``seam``, one that spans Latin/digit and Chinese."""
    size = rng.randint(2, 4)
    starts = [
        i for i in range(len(name) - size + 1) if not seam or len({bool(CJK.match(c)) for c in name[i : i + size]}) == 2
    ]
    return name[(i := rng.choice(starts)) : i + size] if starts else None


def pinyin_window(rng: random.Random, name: str, known: frozenset[str], style: str) -> str | None:
    """Pinyin of a 3–4 character run of the name's own part (not its 有限公司), as ``style``: "full"
    (only where the letters split two ways), "initials", "mixed" (xianhc, xahaichuang), "spaced"
    (xian hc: two characters each side) or "spaced1" (one character on one side: fc xia)."""
    from pypinyin import Style, lazy_pinyin

    own = name
    for suffix in SUFFIXES:
        own = own.removesuffix(suffix)
    runs = [run for run in re.findall(r"[\u4e00-\u9fff]+", own) if len(run) >= 3]
    if not runs:
        return None
    run = rng.choice(runs)
    size = rng.randint(3, min(4, len(run)))
    start = rng.randrange(len(run) - size + 1)
    chars = run[start : start + size]
    full = lazy_pinyin(chars, style=Style.NORMAL)
    if style == "full":
        return "".join(full) if splits("".join(full), known) > 1 else None
    if style == "initials":
        return "".join(lazy_pinyin(chars, style=Style.FIRST_LETTER))
    if style == "spaced" and size < 4:
        return None
    # full syllables, then initials, or the other way round; spaced: two characters each side
    # (xian hc), spaced1: one character on one side (fc xia, liuyong f)
    if style == "spaced":
        cut = 2
    else:
        cut = rng.choice([1, size - 1]) if style == "spaced1" else rng.randint(1, size - 1)
    head, tail = full[:cut], [p[0] for p in full[cut:]]
    if rng.random() < 0.5:
        head, tail = [p[0] for p in full[:cut]], full[cut:]
    return "".join(head) + (" " if style.startswith("spaced") else "") + "".join(tail)


def mobile_spellings(digits: str) -> dict[str, str]:
    a, b, c = digits[:3], digits[3:7], digits[7:]
    return {
        "手机 原样": digits,
        "手机 空格 3-4-4": f"{a} {b} {c}",
        "手机 短横": f"{a}-{b}-{c}",
        "手机 +86": f"+86{digits}",
        "手机 0086": f"0086 {a} {b} {c}",
        "手机 全角": full_width(digits),
        "手机 后四位": digits[-4:],
    }


def landline_spellings(area: str, number: str, extension: str) -> dict[str, str]:
    stored = "-".join(p for p in (area, number, extension) if p)
    return {
        "座机 存储形式": stored,
        "座机 括号区号": f"({area}){number}",
        "座机 无区号": number,
        "座机 空格": f"{area} {number[:4]} {number[4:]}",
        "座机 分机 转": f"{area}-{number} 转 {extension}",
    }


def queries(made: list[dict], per_class: int, seed: int) -> dict[str, list[tuple[str, dict]]]:
    """Class -> [(query, customer it must find)], at most ``per_class`` each, customers drawn at random."""
    rng = random.Random(seed + 1)
    known = syllables()
    out: dict[str, list[tuple[str, dict]]] = {}

    def draw(label: str, make: Callable[[dict], str | None], pool: list[dict] | None = None) -> None:
        pool = list(pool if pool is not None else made)
        rng.shuffle(pool)
        picked = []
        for tries in range(per_class * 20):  # a customer may be drawn twice, with another fragment
            if len(picked) == per_class or not pool:
                break
            customer = pool[tries % len(pool)]
            if (query := make(customer)) is not None:
                picked.append((query, customer))
        out[label] = picked

    companies = [c for c in made if c["type"] == "企业"]
    draw("名称 全称", lambda c: c["name"])
    draw("简称", lambda c: c["alias"], companies)
    draw("名称片段 2–4 字", lambda c: name_fragment(rng, c["name"], seam=False))
    draw("名称片段 跨文字边界", lambda c: name_fragment(rng, c["name"], seam=True))
    wrapped = [(f, c) for c in made for f in c["wrapped"]]
    out["正文片段 跨 PDF 换行"] = rng.sample(wrapped, min(per_class, len(wrapped)))
    for label in mobile_spellings("13800000000"):
        draw(label, lambda c, label=label: mobile_spellings(c["mobile"])[label])
    with_landline = [c for c in made if c.get("landline")]
    for label in landline_spellings("010", "62345678", "801"):
        pool = [c for c in with_landline if c["landline"][2]] if "分机" in label else with_landline
        draw(label, lambda c, label=label: landline_spellings(*c["landline"])[label], pool)
    draw("信用代码 全角", lambda c: full_width(c["uscc"]), companies)
    draw("信用代码 小写", lambda c: c["uscc"].lower(), companies)
    draw("拼音 全拼 歧义切分", lambda c: pinyin_window(rng, c["name"], known, "full"))
    draw("拼音 首字母", lambda c: pinyin_window(rng, c["name"], known, "initials"))
    draw("拼音 全拼+首字母 连写", lambda c: pinyin_window(rng, c["name"], known, "mixed"))
    draw("拼音 全拼+首字母 空格", lambda c: pinyin_window(rng, c["name"], known, "spaced"))
    draw("拼音 空格 一边一字", lambda c: pinyin_window(rng, c["name"], known, "spaced1"))
    draw("联系人 姓名", lambda c: c["contact"], companies)
    return out


# ---------------------------------------------------------------------------- measuring


def grep_finds(git_dir: Path, query: str, customer: str) -> bool:
    """Whether ``git grep -F -i`` of the query at HEAD lists a file in the customer's folder."""
    found = subprocess.run(
        ["git", f"--git-dir={git_dir}", "grep", "-l", "-F", "-i", "-e", query, "HEAD"], capture_output=True, text=True
    ).stdout
    folder = f"HEAD:{customer_dir(customer)}/"
    return any(line.startswith(folder) for line in found.splitlines())


def measure(archive: Archive, cases: dict[str, list[tuple[str, dict]]]) -> dict:
    index = archive.search_index()
    index.ensure()
    index.search("华信")  # open the searchers: the first query is not what is measured
    table = {}
    for label, pairs in cases.items():
        ranks, times, grep, misses = [], [], 0, []
        for query, customer in pairs:
            started = time.perf_counter()
            hits = index.search(query).hits
            times.append(time.perf_counter() - started)
            if customer["id"] not in [hit.id for hit in hits]:  # beyond the first page: all the search returns
                hits = index.search(query, limit=100_000).hits
            ids = [hit.id for hit in hits]
            rank = ids.index(customer["id"]) if customer["id"] in ids else None
            ranks.append(rank)
            grep += grep_finds(archive.store.git_dir, query, customer["id"])
            if rank != 0:
                misses.append(
                    {
                        "query": query,
                        "expected": f"{customer['id']} {customer['name']}",
                        "rank": rank,
                        "got": [f"{hit.id} {hit.name} ({hit.why or hit.kind})" for hit in hits[:5]],
                    }
                )
        n = len(pairs) or 1
        table[label] = {
            "queries": len(pairs),
            "recall@1": sum(r == 0 for r in ranks) / n,
            "recall@20": sum(r is not None and r < 20 for r in ranks) / n,
            "any_hit": sum(r is not None for r in ranks) / n,
            "git_grep_any_hit": grep / n,
            "median_ms": statistics.median(times) * 1000 if times else 0.0,
            "misses": misses,
        }
    return table


def run(customers: int, per_class: int, pdfs: int, seed: int, keep: Path | None = None) -> dict:
    """The table; the archive is made in a temporary folder, or at ``keep`` and kept there."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        archive, made = generate(keep or Path(scratch) / "archive", customers, pdfs, seed)
        generated = time.perf_counter() - started
        cases = queries(made, per_class, seed)
        built = time.perf_counter()
        archive.search_index().ensure()
        indexed = time.perf_counter() - built
        table = measure(archive, cases)
        archive.close()
    return {
        "customers": customers,
        "pdfs": pdfs,
        "seed": seed,
        "generate_s": generated,
        "index_s": indexed,
        "total_s": time.perf_counter() - started,
        "classes": table,
    }


def report(result: dict) -> str:
    lines = [
        f"{result['customers']} 客户, {result['pdfs']} 份 PDF, 种子 {result['seed']}:"
        f" 生成 {result['generate_s']:.0f} s, 建索引 {result['index_s']:.0f} s, 共 {result['total_s']:.0f} s",
        f"{'类别':<22}{'查询数':>6}{'recall@1':>10}{'recall@20':>10}{'any-hit':>9}{'git grep':>10}{'中位 ms':>9}",
    ]
    for label, row in result["classes"].items():
        lines.append(
            f"{label:<22}{row['queries']:>6}{row['recall@1']:>10.1%}{row['recall@20']:>10.1%}"
            f"{row['any_hit']:>9.1%}{row['git_grep_any_hit']:>10.1%}{row['median_ms']:>9.1f}"
        )
    lines.append(
        "git grep 不认识拼音, 也不认识号码的其他写法 (空格, +86, 全角…):"
        " 这些行的 git grep 是用户用 git 能得到的, 不是对等比较"
    )
    below = [
        (label, miss)
        for label, row in result["classes"].items()
        for miss in row["misses"]
        if miss["rank"] is None or label in ("名称 全称", "简称")
    ]
    if below:
        lines.append("未找到的查询 (全称与简称: 不在第一位的):")
        lines += [
            f"  {label}: {m['query']!r} 应找到 {m['expected']}, 名次 {m['rank']}, 前五 {m['got']}"
            for label, m in below[:40]
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--queries", type=int, default=120, help="queries per class")
    parser.add_argument("--pdfs", type=int, default=60, help="customers given a PDF that wraps mid-phrase")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--keep", type=Path, help="make the archive here and keep it (to look at a miss)")
    args = parser.parse_args()
    os.environ.setdefault("CUSTTUI_USER", USER)
    result = run(args.customers, args.queries, args.pdfs, args.seed, args.keep)
    print(report(result), flush=True)
    OUT.mkdir(exist_ok=True)
    (OUT / "recall-results.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
