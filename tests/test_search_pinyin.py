"""Pinyin read every way it splits (issue 13): xianhaichuang is xi-an-hai-chuang (西安海创) as well as
xian-hai-chuang (先海创意), and full syllables mix with initials (xianhc, xahaichuang). Queries are
spelt from the names by pypinyin, per character as full pinyin (F) or initial (I)."""

from __future__ import annotations

import pytest
from pypinyin import Style, pinyin

from custtui.core.archive.archive import Archive

# names whose pinyin splits more than one way (西安/先, 方安/范甘, 皮安/片, 西农/新欧)
NAMES = [
    "西安海创网络",
    "西安华川科技",
    "先海创意设计",
    "方安物流",
    "范甘装饰",
    "皮安诺琴行",
    "片诺文具",
    "西农种业",
    "新欧南港贸易",
]


def spelt(name: str, pattern: str) -> str:
    """``name``'s first characters typed as ``pattern`` says: F full pinyin, I its initial."""
    full = [p[0] for p in pinyin(name[: len(pattern)], style=Style.NORMAL)]
    return "".join(f if kind == "F" else f[0] for f, kind in zip(full, pattern, strict=True))


@pytest.fixture(scope="module")
def search(tmp_path_factory):
    """Customer names found by a query, best first, in an archive of NAMES."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CUSTTUI_USER", "张伟")
        archive = Archive.init(tmp_path_factory.mktemp("pinyin") / "archive", "BJ", user="张伟")
        for i, name in enumerate(NAMES):
            archive.add_customer("个人", name, {"phones": f"139123456{i:02d}"})
        index = archive.search_index()
        index.ensure()
        yield lambda query: [hit.name for hit in index.search(query).hits]


CASES = [
    # (query, found, not found)
    (spelt("西安海创", "FFFF"), ["西安海创网络", "先海创意设计"], ["西安华川科技"]),  # xianhaichuang
    (spelt("西安海创", "FFII"), ["西安海创网络", "西安华川科技"], ["方安物流"]),  # xianhc
    (spelt("西安海创", "IIFF"), ["西安海创网络"], ["先海创意设计", "西安华川科技"]),  # xahaichuang
    (spelt("西安海创", "FFFI"), ["西安海创网络", "先海创意设计"], ["西安华川科技"]),  # xianhaic
    (spelt("西安华川", "IIFF"), ["西安华川科技"], ["西安海创网络"]),  # xahuachuan
    (spelt("西安", "FF") + " hc", ["西安海创网络", "西安华川科技", "先海创意设计"], []),  # xian hc
    (spelt("西安海创", "IIII"), ["西安海创网络", "西安华川科技"], ["先海创意设计"]),  # xahc
    (spelt("先海创意", "FFFF"), ["先海创意设计"], ["西安海创网络"]),  # xianhaichuangyi
    (spelt("方安物流", "FFFF"), ["方安物流"], ["范甘装饰"]),  # fanganwuliu
    (spelt("范甘装饰", "FFFF"), ["范甘装饰"], ["方安物流"]),  # fanganzhuangshi
    (spelt("方安物流", "FFII"), ["方安物流"], ["范甘装饰"]),  # fanganwl
    (spelt("皮安诺", "FFF"), ["皮安诺琴行", "片诺文具"], ["西安海创网络"]),  # piannuo
    (spelt("新欧南港", "FIII"), ["新欧南港贸易", "西农种业"], ["西安海创网络"]),  # xinong: xin + o n g, xi nong
    (spelt("方安", "FF") + "zs", ["范甘装饰"], ["方安物流"]),  # fanganzs: fan gan + z s
    # near misses: one syllable or initial off
    ("xahaichuan", [], ["西安海创网络", "先海创意设计"]),  # 海创 is haichuang
    ("xianhuachuang", [], ["西安华川科技"]),  # 华川 is huachuan
    (spelt("西安", "FF") + "hx", [], NAMES),  # xianhx
    (spelt("方安", "FF") + "wx", [], ["方安物流", "范甘装饰"]),  # fanganwx: 物流 is wl
]


@pytest.mark.parametrize(("query", "found", "missing"), CASES, ids=[c[0] for c in CASES])
def test_every_reading_of_typed_pinyin_is_tried(search, query, found, missing):
    names = search(query)
    assert set(found) <= set(names), (query, names)
    assert not set(missing) & set(names), (query, names)


def test_a_reading_of_full_syllables_ranks_above_one_with_initials(search):
    query = spelt("西农", "FF")  # xinong: 西农 by syllables, 新欧南港 by xin + initials o n g
    assert query == spelt("新欧南港", "FIII")
    assert search(query)[:2] == ["西农种业", "新欧南港贸易"]


def test_words_typed_apart_rank_first_read_apart(search):
    """``xian hc`` is 西安 + hc first, then xian + h c (先海创意) read as one name."""
    names = search(spelt("西安", "FF") + " hc")
    assert names.index("先海创意设计") > max(names.index("西安海创网络"), names.index("西安华川科技"))
