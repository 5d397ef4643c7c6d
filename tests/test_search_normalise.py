"""Search finds what people type (issue 13): fragments across latin and Chinese, full-width and
invisible characters, phones and numbers in every spelling the validators accept, colons that
are no filter. The archive is generated here from a seed, its index built once for the module."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

import pytest
from generator.common import full_width

from custtui.core.archive.archive import Archive
from custtui.core.index.analysis import BigramTokenizer, fold, query_terms
from custtui.core.index.search import Scope
from custtui.core.records.validate import id_check_digit, uscc_check_char

PLACES = ["阜新", "西安", "泉州", "绵阳", "芜湖", "柳州", "嘉兴", "潍坊", "德阳", "岳阳"]
TRADES = ["数控", "软件", "物流", "医药", "电子", "环保", "纺织", "建材", "机电", "食品"]
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰"
CITIES = ["北京", "天津", "重庆", "南京", "杭州", "成都"]
AREAS = ["021", "010", "0571", "0755", "028"]


@dataclass
class Spec:
    key: str
    kind: str  # 企业 or 个人
    name: str
    fields: dict
    note: str = ""


def _generate(seed: int = 13) -> tuple[list[Spec], dict]:
    """Customers whose names, contacts, notes and numbers mix scripts and spellings, and the
    parts of them the queries are made of."""
    rng = random.Random(seed)
    places, trades = rng.sample(PLACES, 8), rng.sample(TRADES, 8)
    used: set[str] = set()

    def unique(make):
        while (value := make()) in used:
            pass
        used.add(value)
        return value

    def letters(size: int) -> str:
        return unique(lambda: "".join(rng.choice("ABCDEFGHKMNPRSTWXYZ") for _ in range(size)))

    def person() -> str:
        return unique(lambda: rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2)))

    def mobile() -> str:
        return unique(lambda: f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}")

    def number() -> str:
        return unique(lambda: f"{rng.randrange(2, 10)}{rng.randrange(10**7):07d}")

    def uscc() -> str:
        head = f"91{rng.randrange(110000, 650000)}MA{rng.randrange(10**6):06d}{rng.choice('ABCDEFGH')}"
        return head + uscc_check_char(head)

    parts = {
        "middle": letters(5),  # 阜新MCCKA数控有限公司
        "start": letters(3),  # APP软件绵阳分公司
        "digit": str(rng.randrange(2, 10)),  # 泉州电子3号厂
        "stored_wide": letters(3),  # stored as ＲＸＴ环保集团
        "typed_wide": letters(3),  # stored in ASCII, typed full-width
        "hidden": rng.choice(CITIES),  # a note: 地址：<city>…
        "host": letters(4).lower(),
        "area": rng.choice(AREAS),
        "number": number(),
        "extension": str(rng.randrange(100, 1000)),
        "phrase": trades[7] + rng.choice(["配送", "检测", "维保", "安装"]),
        "annex": rng.choice(["合同", "附录", "报价", "图纸"]) + rng.choice(["清单", "明细", "目录"]),
    }
    contacts = [person() for _ in range(8)]
    mobiles = [mobile() for _ in range(8)]
    landline = f"{parts['area']}-{parts['number']}-{parts['extension']}"
    service = f"400-{rng.randrange(100, 1000)}-{rng.randrange(1000, 10000)}"
    names = {
        "middle": f"{places[0]}{parts['middle']}{trades[0]}有限公司",
        "start": f"{parts['start']}{trades[1]}{places[1]}分公司",
        "digit": f"{places[2]}{trades[2]}{parts['digit']}号厂",
        "stored_wide": full_width(parts["stored_wide"]) + f"{trades[3]}集团",
        "typed_wide": f"{parts['typed_wide']}{trades[4]}科技有限公司",
        "landline": f"{places[5]}{trades[5]}有限公司",
        "noted": f"{places[6]}{trades[6]}有限公司",
    }
    specs = []
    for i, (key, name) in enumerate(names.items()):
        phones = [mobiles[i]] + ([landline, service] if key == "landline" else [])
        specs.append(
            Spec(
                key,
                "企业",
                name,
                {
                    "uscc": uscc(),
                    "industry": "制造业" if i % 2 else "批发业",
                    "region": "上海",
                    "contacts": [{"name": contacts[i], "phones": phones}],
                },
            )
        )
    zw, soft = "\u200b", "\u00ad"
    phrase = parts["phrase"]
    specs[-1].note = (
        f"地址：{parts['hidden']}市{places[7]}路{rng.randrange(1, 200)}号, 官网 http://{parts['host']}.cn/a; "
        f"客户要求{phrase[:2]}{zw}{phrase[2:]}, 另见{parts['annex'][0]}{soft}{parts['annex'][1:]}"
    )
    day = f"{rng.randrange(1950, 2000)}0{rng.randrange(1, 10)}1{rng.randrange(10)}"
    id_head = f"110105{day}{rng.randrange(100, 1000)}"
    identity = {"id_number": id_head + id_check_digit(id_head), "phones": [mobiles[7]]}
    specs.append(Spec("person", "个人", contacts[7], identity))
    parts.update(contacts=contacts, mobiles=mobiles, landline=landline, service=service, places=places, trades=trades)
    parts.update(names=names)
    return specs, parts


SPECS, P = _generate()
BY_KEY = {s.key: s for s in SPECS}


@pytest.fixture(scope="module")
def searched(tmp_path_factory):
    """(search index, customer ID by spec key) of the generated archive."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CUSTTUI_USER", "张伟")
        archive = Archive.init(tmp_path_factory.mktemp("mixed") / "archive", "BJ", office_name="北京总部", user="张伟")
        ids = {}
        for spec in SPECS:
            ids[spec.key], _ = archive.add_customer(spec.kind, spec.name, dict(spec.fields))
            if spec.note:
                archive.add_note(ids[spec.key], {"channel": "电话", "content": spec.note})
        index = archive.search_index()
        index.ensure()
    yield index, ids
    archive.close()


def _ids(index, query: str) -> list[str]:
    return [h.id for h in index.search(query, limit=20).hits]


def _mobile(digits: str, style: str) -> str:
    a, b, c = digits[:3], digits[3:7], digits[7:]
    return {
        "spaces": f"{a} {b} {c}",
        "dashes": f"{a}-{b}-{c}",
        "dots": f"{a}.{b}.{c}",
        "+86": f"+86{digits}",
        "0086": f"0086 {a} {b} {c}",
        "full-width": full_width(digits),
        "+86 spaced": f"+86 {a} {b} {c}",
    }[style]


N, T, PL = P["names"], P["trades"], P["places"]
area, number, extension = P["area"], P["number"], P["extension"]
# (query, spec key of the customer it must find, how: "any" among the hits, "first", or "alone")
CASES = [
    # a fragment across a seam of latin and Chinese, as git grep finds it
    (PL[0][1] + P["middle"][0], "middle", "any"),  # 新M
    (PL[0] + P["middle"][0], "middle", "any"),  # 阜新M
    (PL[0] + P["middle"][:4], "middle", "any"),  # 阜新MCCK
    (P["middle"][-1] + T[0][0], "middle", "any"),  # C数
    (P["middle"][1:] + T[0], "middle", "any"),  # CC数控
    (P["middle"].lower() + T[0], "middle", "any"),  # mcc数控
    (P["start"][-1] + T[1][0], "start", "any"),  # P软
    (P["start"][-2:] + T[1], "start", "any"),  # PP软件
    (T[2][1] + P["digit"], "digit", "any"),  # 子3
    (T[2] + P["digit"] + "号", "digit", "any"),  # 电子3号
    (P["digit"] + "号厂", "digit", "any"),  # 3号厂
    # full-width letters folded, in the name and in the query, and exact names first
    (P["stored_wide"] + T[3], "stored_wide", "any"),
    (P["stored_wide"].lower() + T[3][0], "stored_wide", "any"),
    (P["stored_wide"] + T[3] + "集团", "stored_wide", "first"),
    (N["stored_wide"], "stored_wide", "first"),
    (full_width(P["typed_wide"]) + T[4], "typed_wide", "any"),
    (full_width(P["typed_wide"][-1]) + T[4][0], "typed_wide", "any"),
    (full_width(N["typed_wide"]), "typed_wide", "first"),
    (full_width(P["typed_wide"]), "typed_wide", "any"),
    # invisible characters: in the query (pasted) and in the text (a note)
    (N["middle"][:3] + "\u200b" + N["middle"][3:6], "middle", "any"),
    ("\ufeff" + N["digit"], "digit", "first"),
    (N["landline"][:1] + "\u200d" + N["landline"][1:4], "landline", "any"),
    (P["phrase"], "noted", "any"),
    (P["annex"], "noted", "any"),
    # a mobile in every spelling the phone field accepts, and its last four digits
    *((_mobile(P["mobiles"][0], s), "middle", "alone") for s in ("spaces", "dashes", "dots", "+86", "0086")),
    *((_mobile(P["mobiles"][7], s), "person", "alone") for s in ("full-width", "+86 spaced")),
    (P["mobiles"][1][-4:], "start", "first"),
    (full_width(P["mobiles"][2][-4:]), "digit", "first"),
    # a landline with extension, as stored and as people write it, with and without area code
    (P["landline"], "landline", "alone"),
    (f"({area}){number}", "landline", "alone"),
    (f"{area} {number[:4]} {number[4:]}", "landline", "alone"),
    (f"{area}-{number} 转 {extension}", "landline", "alone"),
    (full_width(f"{area}-{number}"), "landline", "alone"),
    (number, "landline", "alone"),
    (f"{number[:4]}-{number[4:]}", "landline", "alone"),
    (number[-4:], "landline", "first"),
    (P["service"], "landline", "alone"),
    (P["service"].replace("-", " "), "landline", "alone"),
    # numbers: full-width, lower case
    (full_width(BY_KEY["middle"].fields["uscc"]), "middle", "alone"),
    (BY_KEY["start"].fields["uscc"].lower(), "start", "alone"),
    (full_width(BY_KEY["person"].fields["id_number"].lower()), "person", "alone"),
    # a colon that is no filter is text; a real filter with a full-width colon
    ("地址：" + P["hidden"], "noted", "any"),
    (f"http://{P['host']}.cn/a", "noted", "any"),
    ("联系人：" + P["contacts"][3], "stored_wide", "alone"),
    (f"电话：{_mobile(P['mobiles'][4], 'spaces')}", "typed_wide", "alone"),
]


@pytest.mark.parametrize("query, key, how", CASES, ids=[c[0] for c in CASES])
def test_what_people_type_finds_the_customer(searched, query, key, how):
    index, ids = searched
    found = _ids(index, query)
    expected = ids[key]
    assert expected in found, (query, BY_KEY[key].name, found)
    if how == "first":
        assert found[0] == expected, (query, found)
    if how == "alone":
        assert found == [expected], (query, found)


def test_the_cases_cover_every_class():
    assert len(CASES) >= 30


def test_a_fragment_across_a_seam_is_not_found_where_it_is_not(searched):
    index, ids = searched
    middle = P["middle"]
    assert _ids(index, PL[0][1] + middle[0]) == [ids["middle"]]
    other = next(c for c in "ABCDEFGHKMNPRSTWXYZ" if c not in middle)
    assert _ids(index, PL[0][1] + other) == []
    assert _ids(index, PL[0] + middle[:3] + other) == [], "a latin run that ends the query begins a word"


def test_a_colon_that_is_no_filter_says_so_only_when_it_looks_like_one(searched):
    index, ids = searched
    hints = index.search("地址：" + P["hidden"]).hints
    assert any(f"「地址」不能用来筛选, 已在全部文字中查找「{P['hidden']}」" in h and "行业" in h for h in hints), hints
    hints = index.search("备忘：" + P["hidden"]).hints
    assert any("「备忘」不是筛选字段" in h and "引号" in h and "行业" in h for h in hints), hints
    url = index.search(f"http://{P['host']}.cn/a")
    assert not url.hints
    colour = index.search("colour:red")
    assert not colour.hits and any("「colour」不是筛选字段" in h for h in colour.hints)


def test_a_real_filter_with_a_full_width_colon_filters(searched):
    index, ids = searched
    manufacturing = {ids[s.key] for s in SPECS if s.fields.get("industry") == "制造业"}
    assert set(_ids(index, "行业：制造业")) == manufacturing
    assert ids["start"] in manufacturing and ids["middle"] not in manufacturing
    assert _ids(index, "行业：制造业 " + N["start"][:4]) == [ids["start"]]
    assert _ids(index, "行业：制造业 " + N["middle"][:4]) == []


def test_highlight_marks_the_whole_mixed_word_in_the_stored_form(searched):
    index, ids = searched
    hit = index.search(full_width(P["typed_wide"]) + T[4]).hits[0]
    assert hit.id == ids["typed_wide"]
    assert f"【{P['typed_wide']}】" in hit.highlights and f"【{T[4]}】" in hit.highlights
    wide = index.search(P["stored_wide"] + T[3]).hits[0]
    assert f"【{full_width(P['stored_wide'])}】" in wide.highlights


@pytest.mark.parametrize("style", ["spaces", "+86", "0086", "full-width", "dots"])
def test_a_masked_phone_is_not_found_by_any_spelling(searched, style):
    index, ids = searched
    masked = Scope(blocked_terms=lambda field, term: field == "phone" and not term.startswith("t"))
    digits = P["mobiles"][0]
    assert ids["middle"] not in [h.id for h in index.search(_mobile(digits, style), scope=masked).hits]
    assert ids["middle"] in [h.id for h in index.search(full_width(digits[-4:]), scope=masked).hits]


def test_terms_and_their_places_agree_on_mixed_text():
    """The full build's fast ``terms`` and the tokens a highlight places (in the unfolded text)
    are the same terms, each covering exactly the characters it stands for."""
    rng = random.Random(5)
    pieces = ["华信", "机", "ABC", "ＡＢＣ", "１２", "7", " ", "\u200b", "\ufeff", "\u00ad", "㈱", "，", "\n", "⼀"]
    tokenizer = BigramTokenizer()
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 9)))
        tokens = [(t.text, t.startchar, t.endchar) for t in tokenizer(text, chars=True)]
        assert tokenizer.terms(text) == {term for term, _, _ in tokens} == set(query_terms(text)), repr(text)
        for term, start, end in tokens:
            assert re.sub(r"\W", "", fold(text[start:end])).lower() == term, (repr(text), term, start, end)
