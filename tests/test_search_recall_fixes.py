"""Misses the recall benchmark (bench/bench_recall.py) found, on names generated here from pools:
initials followed by a full syllable at the end of the word (tyjie for 田艳杰, zwfshu for
泉州伟芳数), initials of names with two vowel-initial characters (aedz for 爱尔电子), pinyin
spaced with one character on a side (fc xia, tian yan jie, tian yj; s haiwei for 上海伟, where
shaiwei is shai-wei; an jie for 爱宁杰 beside three names of 安杰; tian yj beside 提安艳杰), and a
character read a, e or o typed as its initial after a letter it makes a syllable with (tanai for
泰安爱, taa) (issue 13)."""

from __future__ import annotations

import random

import pytest
from pypinyin import Style, lazy_pinyin

from custtui.core.archive.archive import Archive

SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗田潘蔡冯"
GIVEN = "伟芳娜敏静丽强磊军洋艳杰涛明超秀霞平刚桂英华玉兰"
VOWELS = "安恩欧爱奥尔鄂昂"  # characters whose pinyin starts with a, e or o
ONG = "宋龚洪孔董童钟"  # surnames read -ong, which also spell initials (s o n g)
TWO_WAY = "田黄袁梁"  # surnames whose pinyin is two characters' too (tian, ti-an)
PLACES = ["兴安", "泉州", "绵阳", "嘉兴", "潍坊", "德阳"]
AN_PLACES = ["泰安", "淮安", "延安", "六安", "海安"]  # real cities: 安 joins the syllable before (ta+an)
SH_PLACES = ["上海", "沈阳", "长春", "珠海", "郑州", "常州"]  # zh, sh, ch: typed as one letter, s hai…
A_N = ("爱安欧", "宁娜南")  # two initials that spell a syllable: a n, o n
SPLIT = {"田": "提安", "黄": "呼昂", "袁": "于安", "梁": "李昂"}  # the TWO_WAY surname's pinyin as two
TRADES = ["数控", "软件", "物流", "电子", "建材", "纺织"]


def full(text: str) -> list[str]:
    return lazy_pinyin(text, style=Style.NORMAL)


def initials(text: str) -> str:
    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER))


def _generate(seed: int = 31) -> tuple[list[str], ...]:
    """(people, companies, companies with two vowel-initial characters, people surnamed -ong,
    companies of a place ending in 安 and a vowel-initial character, people of a TWO_WAY surname,
    companies of a SH_PLACE, people whose first two initials spell a syllable): distinct random
    names."""
    rng = random.Random(seed)
    made: list[set[str]] = [set() for _ in range(8)]
    makers = [
        lambda: rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2)),
        lambda: f"{rng.choice(PLACES)}{''.join(rng.sample(GIVEN, 2))}{rng.choice(TRADES)}有限公司",
        lambda: f"{rng.choice(PLACES)}{''.join(rng.sample(VOWELS, 2))}{rng.choice(TRADES)}有限公司",
        lambda: rng.choice(ONG) + "".join(rng.sample(GIVEN, 2)),
        lambda: f"{rng.choice(AN_PLACES)}{rng.choice(VOWELS)}{rng.choice(GIVEN)}{rng.choice(TRADES)}有限公司",
        lambda: rng.choice(TWO_WAY) + "".join(rng.sample(GIVEN, 2)),
        lambda: f"{rng.choice(SH_PLACES)}{''.join(rng.sample(GIVEN, 2))}{rng.choice(TRADES)}有限公司",
        lambda: rng.choice(A_N[0]) + rng.choice(A_N[1]) + rng.choice(GIVEN),
    ]
    for names, make in zip(made, makers, strict=True):
        while len(names) < 8:
            names.add(make())
    return tuple(sorted(names) for names in made)


PEOPLE, COMPANIES, VOWELLED, ONGS, AN_TOWNS, TWO_WAYS, SH_TOWNS, A_NS = _generate()
# names the words of a spaced query find apart: 安 + the A_N person's last character (an jie: 安杰…),
# three of them, so the vowel readings (a n jie) are not tried for the word run together
# (AlsoWhenFew); 提安艳杰 for tian yj (田艳杰)
DECOYS = sorted(
    {f"安{name[2]}{given}" for name in A_NS for given in GIVEN[:3]} | {SPLIT[name[0]] + name[1:] for name in TWO_WAYS}
)
RANKED = ["塔乃", "泰安爱华物流有限公司"]  # tanai: ta-nai and t-an-ai
CASES = [
    # two initials, then the last character's full pinyin: t y jie
    *((initials(name[:2]) + full(name[2])[0], name) for name in PEOPLE),
    # three, at the end of a company's trade name: z w f shu (泉州伟芳数)
    *((initials(name[1:4]) + full(name[4])[0], name) for name in COMPANIES),
    # initials with two of a, e, o in them: a e d z (爱尔电子)
    *((initials(name[2:6]), name) for name in VOWELLED),
    # spaced, a single character's pinyin on one side: fc xia, feng cx, feng chao xia
    *((f"{initials(name[:2])} {full(name[2])[0]}", name) for name in PEOPLE[:4]),
    *((f"{full(name[0])[0]} {initials(name[1:])}", name) for name in PEOPLE[4:]),
    *((" ".join(full(name)), name) for name in PEOPLE[::2]),
    *((f"{full(name[0])[0]} {initials(name[1:])}", name) for name in ONGS[:4]),  # song xm
    *((f"{full(name[0])[0]} {initials(name[1:])}", name) for name in TWO_WAYS),  # tian yj
    *((f"{initials(name[0])} {''.join(full(name[1:4]))}", name) for name in SH_TOWNS),  # s haiweifang
    *((f"{initials(name[:2])} {full(name[2])[0]}", name) for name in A_NS),  # an jie
    # the place's first initial, then 安 and the next character in full: t an ai (泰安爱)
    *((initials(name[0]) + "".join(full(name[1:3])), name) for name in AN_TOWNS[:4]),
    # initials that spell pinyin: t a a (泰安爱, as ta-a), h a e (淮安鄂)
    *((initials(name[:3]), name) for name in AN_TOWNS[4:]),
]


@pytest.fixture(scope="module")
def search(tmp_path_factory):
    """Customer names found by a query, in an archive of the generated names."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CUSTTUI_USER", "张伟")
        archive = Archive.init(tmp_path_factory.mktemp("recall") / "archive", "BJ", user="张伟")
        names = PEOPLE + COMPANIES + VOWELLED + ONGS + AN_TOWNS + TWO_WAYS + SH_TOWNS + A_NS + DECOYS + RANKED
        for i, name in enumerate(names):
            archive.add_customer("个人", name, {"phones": f"1391234{i:04d}"})
        index = archive.search_index()
        index.ensure()
        yield lambda query: [hit.name for hit in index.search(query).hits]
        archive.close()


@pytest.mark.parametrize(("query", "name"), CASES, ids=[f"{q}-{n}" for q, n in CASES])
def test_typed_pinyin_finds_the_name(search, query, name):
    assert name in search(query), query


@pytest.mark.parametrize(("query", "name"), CASES[:4], ids=[q for q, _ in CASES[:4]])
def test_a_wrong_initial_finds_nothing(search, query, name):
    """The people's queries with their first initial changed to one no name starts with."""
    assert search("q" + query[1:]) == []


def test_full_syllables_rank_above_a_vowel_typed_as_its_initial(search):
    """tanai is 塔乃 by syllables and 泰安爱 with 安 typed as its initial: both are found (the
    syllables find next to nothing), the name read by syllables first."""
    assert search("tanai")[:2] == RANKED
