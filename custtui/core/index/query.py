"""The query language, for people: plain words, quoted phrases, ``字段:值`` filters, date ranges.

    华信                      a fragment of a name, alias, contact, remark, note or document text
    huaxin  hx  zxx           pinyin, full or initials
    5678  138 1234 5678       the last four digits of a phone, or all of it, spelt any way the
    (021)6123-4567 转 801     phone field accepts (spaces, dashes, dots, brackets, +86, extension)
    91110108751171783G        a USCC, ID number, customer number or contract number
    "年度 采购合同"            one expression, spaces between Chinese characters ignored
    行业:制造业 阶段:潜在 华信   filters by Chinese label or code (type:enterprise)
    资料类型:合同 日期:2024-01..2024-06   documents of a type and period
    盒号:BJ-HT-2024-01 位置:B柜        documents whose paper original is in a box, or at a place

Every word must match. The query is folded as the index is (full-width forms, invisible
characters: ``analysis.fold``). A malformed query gets a hint (unbalanced quotes are closed,
brackets ignored); ``名称:值`` with a name that is no filter is text: a field of the record that
cannot filter (地址:北京) has its value searched everywhere, anything else (a URL) is the text as
typed, with a hint when the name looks like a filter's; an unknown value of a filter is a
QueryError naming what is allowed.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, datetime
from datetime import time as dtime
from typing import NamedTuple

from whoosh import matching
from whoosh import query as Q

from ..base.errors import CusttuiError, FieldError
from ..records.schema import Schema
from ..records.validate import normalise_phone
from .analysis import (
    SYLLABLES,
    exact_key,
    fold,
    is_cjk,
    pair_terms,
    phone_key,
    query_terms,
    required_terms,
    segmentations,
    spaced_segmentations,
    spells,
    vowel_segmentations,
)

MAX_QUERY_CHARS = 200

# field label or code -> (kind, target) ; kinds: dim (customer dimension), doc (document dimension), ...
FIELDS: dict[str, tuple[str, str]] = {}
for names, spec in (
    (("类型", "客户类型", "type"), ("dim", "customer_type")),
    (("阶段", "合作阶段", "stage"), ("dim", "stage")),
    (("状态", "客户状态", "status"), ("dim", "status")),
    (("行业", "industry"), ("dim", "industry")),
    (("规模", "size"), ("dim", "size")),
    (("价值", "价值层级", "value", "value_tier"), ("dim", "value_tier")),
    (("需求", "需求类型", "demand", "demand_type"), ("dim", "demand_type")),
    (("等级", "客户等级", "grade"), ("dim", "grade")),
    (("颜色", "颜色标签", "color"), ("dim", "color")),
    (("地域", "地区", "region"), ("region", "region")),
    (("负责人", "owner"), ("raw", "owner")),
    (("标签", "tag", "tags"), ("raw", "tag")),
    (("信息类型", "info", "info_type"), ("info_type", "info_type")),
    (("资料类型", "文档类型", "doc", "doc_type"), ("doc_type", "doc_type")),
    (("敏感", "敏感等级", "sensitivity"), ("doc_dim", "sensitivity")),
    (("日期", "date"), ("date", "date")),
    (("电话", "phone"), ("phone", "phone")),
    (("名称", "name"), ("text", "name")),
    (("联系人", "contact"), ("text", "contact")),
    (("编号", "id"), ("ident", "ident")),
    (("盒号", "档案盒", "box", "paper_box"), ("box", "box")),
    (("位置", "存放位置", "柜位", "place", "paper_shelf"), ("place", "place")),
):
    for name in names:
        FIELDS[name.casefold()] = spec

_DIMENSION_INDEX_FIELD = {"customer_type": "type", "demand_type": "demand"}
_TOKEN = re.compile(r'(?P<field>[^\W\d][^\s:："]*)[:：](?P<value>"[^"]*"?|\S*)|"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+)')
_PUNCT_ONLY = re.compile(r"^[\W_]+$", re.UNICODE)
_IDENT = re.compile(r"^(?=.*\d)[0-9A-Za-z][0-9A-Za-z\-]*$")
# digits with what the phone validator lets between them, not inside a longer word or number
_PHONE_SPAN = re.compile(r"(?<![\w\-.+])[+(]?\d[\d\s().\-]*\d(?:\s*(?:转|分机|ext\.?|x|#)\s*\d+)?(?!\w)", re.IGNORECASE)
_QUOTES = str.maketrans("“”", '""')


class QueryError(CusttuiError):
    """A query that cannot be run, with what to type instead."""


class ParsedQuery(NamedTuple):
    customer_query: Q.Query | None
    document_query: Q.Query | None
    precise_query: Q.Query | None  # exact name, number, phone or pinyin: never cut short
    highlight_terms: set[str]
    hints: list[str]


def field_names() -> str:
    return (
        "类型、阶段、状态、行业、规模、价值、需求、等级、颜色、地域、负责人、标签、"
        "信息类型、资料类型、敏感、日期、电话、名称、联系人、编号、盒号、位置"
    )


def parse_query(text: str, schema: Schema, boxes_at: Callable[[str], list[str]] = lambda place: []) -> ParsedQuery:
    """Parse a query into Whoosh queries for the customer and the document index;
    ``boxes_at(place)`` names the registered boxes whose room or shelf contains ``place``."""
    hints: list[str] = []
    text = (text or "").strip()
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"查询太长 ({len(text)} 个字符), 最多 {MAX_QUERY_CHARS} 个; 请只输入要找的关键词")
    text = _joined_phones(fold(text).translate(_QUOTES))
    if text.count('"') % 2:
        hints.append("引号没有配对, 已当作到结尾的短语")
    if re.search(r"[()（）\[\]{}【】]", text):
        hints.append("括号不是查询语法, 已忽略")
        text = re.sub(r"[()（）\[\]{}【】]", " ", text)
    words: list[tuple[str, bool]] = []  # (text, is phrase)
    customer_filters: list[Q.Query] = []
    document_filters: list[Q.Query] = []
    for match in _TOKEN.finditer(text):
        if match.group("field") is not None:
            name, value = match.group("field"), match.group("value").strip('"')
            spec = FIELDS.get(name.casefold())
            if spec is None and value and not match.group("value").startswith('"') and schema.field(name):
                # 地址:北京 names a field of the record that is no filter: its value is searched
                # everywhere (an address is stored without its label, so 地址北京 is in no text)
                words.append((value, False))
                hints.append(f"「{name}」不能用来筛选, 已在全部文字中查找「{value}」; 筛选字段有: {field_names()}")
                continue
            if spec is None:  # 备忘:北京, http://x.cn: text with a colon
                quoted = match.group("value").startswith('"')
                words.append((_phrase(f"{name}:{value}") if quoted else f"{name}:{value}", quoted))
                if name.isalpha() and len(name) <= (4 if is_cjk(name) else 12) and not value.startswith("/"):
                    hints.append(
                        f"「{name}」不是筛选字段, 已当作文字查找; 筛选字段有: {field_names()}; "
                        f'查找含冒号的文字可加引号, 如 "{name}:{value}"'
                    )
                continue
            if not value:
                raise QueryError(f"「{name}:」后面缺少要筛选的值, 如 {name}:{_example(spec)}")
            _filter(spec, value, schema, customer_filters, document_filters, boxes_at)
        elif match.group("phrase") is not None:
            phrase = _phrase(match.group("phrase"))
            if phrase.strip():
                words.append((phrase, True))
        elif match.group("word"):
            words.append((match.group("word"), False))
    words = [(w, phrase) for w, phrase in words if not _PUNCT_ONLY.match(w)]
    if not words and not customer_filters and not document_filters:
        raise QueryError("请输入要查找的内容: 名称片段、拼音、电话后四位、编号, 或 字段:值 (如 行业:制造业)")
    customer_parts = _spaced_pinyin(words, _customer_word)
    document_parts = [_document_word(w, phrase) for w, phrase in words]
    customer_query = document_query = precise_query = None
    if not document_filters:
        customer_query = _all(customer_parts + customer_filters)
        if words:
            precise_query = _all(_spaced_pinyin(words, _precise_word) + customer_filters)
    if words or document_filters:
        document_query = _all(document_parts + customer_filters + document_filters)
    highlight = {t for w, _ in words for t in query_terms(w)}
    return ParsedQuery(customer_query, document_query, precise_query, highlight, hints)


def _spaced_pinyin(words: list[tuple[str, bool]], part: Callable[..., Q.Query]) -> list[Q.Query]:
    """``part`` of each word; Latin words next to each other, one of them one character's pinyin,
    are also read as one name's pinyin, each word split on its own (``fc xia`` as f-c-xia, ``tian
    yan jie``, ``s haihehua`` as s-hai-he-hua for 上海禾华): such a word alone is too short to be a
    name's pinyin, which needs two characters. ``xian hc`` is two words (西安 + hc) first, and
    joined (先海创) ranked below them: ``tian yj`` (田艳杰; tian is also ti-an), ``xian rj`` (先瑞杰)."""
    parts: list[Q.Query] = []
    i = 0
    while i < len(words):
        end = i
        while end < len(words) and not words[end][1] and _lone(words[end][0]) is not None:
            end += 1
        run = [word for word, _ in words[i:end]]
        lone = len(run) > 1 and any(_lone(word) for word in run)
        if lone or len(run) > 1 and any(word.lower() in SYLLABLES for word in run):
            apart = Q.And([part(word, False) for word in run])
            joined = part("".join(run), False, spaced_segmentations([word.lower() for word in run]))
            joined.boost = 1.0 if lone else JOINED_BOOST
            parts.append(Q.Or([apart, joined]))
            i = end
        else:
            parts.append(part(*words[i]))
            i += 1
    return parts


def _lone(word: str) -> bool | None:
    """None for a word that is not Latin letters; whether it reads only as one character's pinyin
    (f, xia, zhang: not xian, which may be xi-an, nor hc)."""
    lowered = word.lower()
    if not re.fullmatch(r"[a-z]+", lowered):
        return None
    if len(lowered) == 1:
        return True
    two = (r for r in segmentations(lowered) if len(r) > 1 and all(len(p) > 1 for p in r))
    return lowered in SYLLABLES and next(two, None) is None


def _phrase(text: str) -> str:
    """A quoted phrase without the spaces between Chinese characters, which carry no meaning in
    Chinese text (年度 采购 = 年度采购)."""
    return re.sub(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])", "", text)


def _phone(text: str) -> str | None:
    """The phone ``text`` spells, normalised as the phone field stores it (dots read as spaces);
    None when it is none (a landline without area code is not: ``_phone_query`` takes its digits)."""
    try:
        return normalise_phone(re.sub(r"(?<=\d)\.(?=\d)", " ", text))
    except FieldError:
        return None


def _joined_phones(text: str) -> str:
    """``text`` with each phone written in several words (``170 2955 7878``, ``(021) 6123 4567
    转 801``) or with brackets or a country code as one word, the way it is stored; the longest
    run of words that is a phone wins."""

    def joined(match: re.Match) -> str:
        words, out, i = match.group().split(), [], 0
        while i < len(words):
            for j in range(len(words), i, -1):
                phone = _phone(" ".join(words[i:j]))
                if phone:
                    out.append(phone)
                    i = j
                    break
            else:
                out.append(words[i])
                i += 1
        return " ".join(out)

    return _PHONE_SPAN.sub(joined, text)


def _phone_query(text: str) -> Q.Query | None:
    """A phone, whole or its last four digits, as the phone term that finds it."""
    phone = _phone(text)
    if phone:
        return Q.Term("phone", phone_key(phone))
    digits = re.sub(r"[\s\-.()]", "", text)
    if not (digits.isascii() and digits.isdigit()):
        return None
    if len(digits) == 4:
        return Q.Term("phone", f"t{digits}")
    return Q.Term("phone", digits) if len(digits) >= 7 else None


def _all(parts: list[Q.Query]) -> Q.Query:
    if not parts:
        return Q.Every()
    return parts[0] if len(parts) == 1 else Q.And(parts)


def _text(fieldname: str, word: str, boost: float = 1.0) -> Q.Query | None:
    terms = dict(required_terms(word))
    if not terms:
        return None
    if len(terms) == 1:
        return _term(fieldname, *next(iter(terms.items())), boost=boost)
    # every overlapping pair of the word must be there: nearly as exact as a phrase for Chinese
    # and needs no positions in the index (covering the word with alternate pairs only was
    # faster but matched 追加采购数控车床 in notes that merely mention 追加, 采购 and 数控车床)
    return Q.And([_term(fieldname, term, prefix) for term, prefix in terms.items()], boost=boost)


def _term(fieldname: str, term: str, prefix: bool, boost: float = 1.0) -> Q.Query:
    return (Q.Prefix if prefix else Q.Term)(fieldname, term, boost=boost)


def _customer_word(word: str, phrase: bool, readings: list[list[str]] | None = None) -> Q.Query:
    options = [
        q
        for q in (_text("name", word), _text("alias", word), _text("contact", word), _text("body", word))
        if q is not None
    ]
    options.append(Q.Term("exact", exact_key(word), boost=4.0))
    if not phrase:
        options += _special_terms(word, readings=readings)
    return Q.DisjunctionMax(options)


def _precise_word(word: str, phrase: bool, readings: list[list[str]] | None = None) -> Q.Query:
    # vowel readings are guesses, not precise: found, they rank among the rest (and cost half as much)
    options = [Q.Term("exact", exact_key(word))] + ([] if phrase else _special_terms(word, False, readings))
    return options[0] if len(options) == 1 else Q.Or(options)


def _document_word(word: str, phrase: bool) -> Q.Query:
    options = [q for q in (_text("title", word), _text("text", word)) if q is not None]
    if not phrase and _IDENT.match(word):
        options.append(Q.Term("ident", word.lower()))
    return Q.DisjunctionMax(options) if options else Q.NullQuery


def _special_terms(word: str, vowels: bool = True, readings: list[list[str]] | None = None) -> list[Q.Query]:
    """Pinyin, phones and numbers: exact terms in their own fields; with ``vowels``, the word's
    readings with 安, 鄂 or 欧 typed as its initial where its usual ones find next to nothing.
    ``readings``: the pinyin readings of words typed apart (``spaced_segmentations``), vowel ones
    among them, instead of the word's own."""
    lowered = word.lower()
    found: list[Q.Query] = []
    if re.fullmatch(r"[a-z]+", lowered):
        usual = _pinyin_readings(segmentations(lowered) if readings is None else readings, MIXED_BOOST)
        # (without prefixes: expanding shif… of shi-f-ei-yang took more than the rest of the search)
        own_vowels = vowels and readings is None
        vowel = _pinyin_readings(vowel_segmentations(lowered), VOWEL_BOOST, prefixes=False) if own_vowels else []
        # no syllable starts with i, u or v, and few with a, e or o (安, 鄂, 欧): aedz (爱尔电子) is
        # initials; dasheng, which spells pinyin, is initials only as vowel readings are (paca: 皮安川爱)
        spelt = sum(lowered.count(c) for c in "aeo") > 1 and spells(lowered)
        if 2 <= len(lowered) <= 12 and not set(lowered) & set("iuv") and not (spelt and not vowels):
            (vowel if spelt else usual).append(_pairs("initials", pair_terms(list(lowered))))
        if usual and vowel:
            found.append(AlsoWhenFew([Q.DisjunctionMax(usual), Q.DisjunctionMax(vowel)]))
        else:
            found += usual or vowel
    phone = _phone_query(word)
    if phone is not None:
        found.append(phone)
    if _IDENT.match(word):
        found.append(Q.Term("ident", lowered))
    return found


class AlsoWhenFew(Q.CompoundQuery):
    """The first query, and the second too (ranked as ``Q.DisjunctionMax`` ranks) where the first
    matches fewer than ``FEW`` documents in the whole index (deleted ones count): a typed word's vowel
    readings (``vowel_segmentations``) are tried only when its usual ones find next to nothing.
    210 pinyin queries of random names at 10k customers (bench copy of synth-10000): tried always,
    p95 22.7 -> 31.6 ms, median 9.0 -> 12.8 ms; so, p95 24.1 -> 28.6 ms, median 10.3 -> 10.8 ms."""

    JOINT = " ALSO WHEN FEW "
    FEW = 3  # anzhang finds 海安长禾 by an-zhang, and should find 兴安农长 by a-n-zhang too
    intersect_merge = False

    def __init__(self, subqueries: list[Q.Query], boost: float = 1.0):
        super().__init__(subqueries, boost)
        self._few: dict[int, bool] = {}  # per top searcher: whether the first matches fewer than FEW

    def apply(self, fn) -> Q.Query:
        return AlsoWhenFew([fn(q) for q in self.subqueries], self.boost)

    def normalize(self) -> Q.Query:
        first, second = (q.normalize() for q in self.subqueries)
        if first is Q.NullQuery or second is Q.NullQuery:
            return second if first is Q.NullQuery else first
        return AlsoWhenFew([first, second], self.boost)

    def estimate_size(self, ixreader) -> int:  # the first's: sizing the second cost as much as matching it
        return self.subqueries[0].estimate_size(ixreader)

    def estimate_min_size(self, ixreader) -> int:
        return self.subqueries[0].estimate_min_size(ixreader)

    def _matcher(self, subs, searcher, context):
        top = searcher.get_parent()
        if id(top) not in self._few:
            found = 0
            for leaf, _ in top.leaf_searchers():
                matcher = subs[0].matcher(leaf, context)
                while matcher.is_active() and found < self.FEW:
                    found += 1
                    matcher.next()
            self._few[id(top)] = found < self.FEW
        first = subs[0].matcher(searcher, context)
        if not self._few[id(top)]:
            return first
        return matching.DisjunctionMaxMatcher(first, subs[1].matcher(searcher, context))


MIXED_BOOST = 0.3  # a reading with initials ranks below one of full syllables only
JOINED_BOOST = 0.5  # words typed apart read as one name (xian hc: 先海创) rank below them read apart
VOWEL_BOOST = 0.1  # one with 安, 鄂 or 欧 typed as its initial after a letter it joins (t+a) lower still
_VOWEL_SYLLABLES = {v: sorted(s for s in SYLLABLES if s[0] == v) for v in "aeo"}  # a: a ai an ang ao


def _pinyin_readings(readings: list[list[str]], boost: float, prefixes: bool = True) -> list[Q.Query]:
    """Readings of a typed word as full pinyin (xi-an-hai-chuang and xian-hai-chuang) or
    syllables and initials mixed (``xianhc``, ``xahaichuang``) at ``boost``; all initials is
    ``_special_terms``'.

    A pair of syllables is its full-pinyin term; a syllable and the initial after it, the initials
    pair, and (with ``prefixes``) the full-pinyin terms the pair begins when no other pair holds
    the syllable (xian+h: ``xianh``…, as 先海 is indexed); an initial before either, the initials
    pair."""
    found: list[Q.Query] = []
    for pieces in readings:
        initials = sum(len(p) == 1 for p in pieces)
        if len(pieces) < 2 or initials == len(pieces):
            continue
        if not initials:
            found.append(_pairs("pinyin", pair_terms(pieces)))
            continue
        terms: list[Q.Query] = []
        for before, a, b in zip(["", *pieces[:-2]], pieces[:-1], pieces[1:], strict=True):
            if len(a) > 1 and len(b) > 1:
                terms.append(Q.Term("pinyin", a + b))
                continue
            terms.append(Q.Term("initials", a[0] + b[0]))
            if len(a) > 1 and len(before) < 2:  # a syllable in no pair of syllables: xian of xianhc
                # (a prefix where a pair already has it, tianjin+z, doubled the time: 16 -> 32 ms
                # median at 10k customers, for 4 more in 100 first)
                if b in _VOWEL_SYLLABLES:  # ji+a: the pairs jia, jian…, not the hundreds jia… begins
                    terms.append(Q.Or([Q.Term("pinyin", a + syllable) for syllable in _VOWEL_SYLLABLES[b]]))
                elif prefixes:
                    terms.append(Q.Prefix("pinyin", a + b))
        found.append(Q.And(terms, boost=boost))
    return found


def _pairs(fieldname: str, pairs: list[str]) -> Q.Query:
    """Every pair present: not checked for adjacency (a phrase would stop Whoosh from skipping
    postings blocks for the whole query: initials p95 354 ms at 100k), and two or three syllable
    pairs of one name rarely occur apart."""
    return Q.Term(fieldname, pairs[0]) if len(pairs) == 1 else Q.And([Q.Term(fieldname, p) for p in pairs])


def _example(spec: tuple[str, str]) -> str:
    return {"date": "2024-01..2024-06", "region": "深圳", "phone": "5678", "box": "BJ-HT-2024-01", "place": "B柜"}.get(
        spec[0], "值"
    )


def _filter(spec, value, schema, customer_filters, document_filters, boxes_at=lambda place: []) -> None:
    """Append the Whoosh filter for ``字段:值`` to the customer or the document filters."""
    kind, target = spec
    if kind == "dim":
        dimension = schema.dimension(target)
        codes = [dimension.resolve(v) for v in re.split(r"[,，|]", value)]
        if None in codes:
            raise QueryError(f"「{value}」不是有效的{dimension.label}, 可选: {dimension.choices()}")
        customer_filters.append(_any(_DIMENSION_INDEX_FIELD.get(target, target), codes))
    elif kind == "region":
        code = schema.resolve_region(value)
        if code is None:
            raise QueryError(f"「{value}」不是已知的省市, 如 地域:深圳 或 地域:浙江")
        customer_filters.append(Q.Term("region", code))
    elif kind == "raw":
        customer_filters.append(Q.Term(target, value.lower()))
    elif kind == "info_type":
        found = schema.resolve_info_type(value)
        if found is None:
            raise QueryError(
                f"「{value}」不是已知的信息类型, 可选: {'、'.join(i.label for i in schema.info_types.values())}"
            )
        document_filters.append(Q.Term("info_type", found.code))
    elif kind == "doc_type":
        found = schema.resolve_doc_type(value)
        if found is None:
            raise QueryError(f"「{value}」不是已知的资料类型, 如 合同、营业执照、会议纪要")
        document_filters.append(Q.Term("doc_type", found.code))
    elif kind == "doc_dim":
        dimension = schema.dimension(target)
        code = dimension.resolve(value)
        if code is None:
            raise QueryError(f"「{value}」不是有效的{dimension.label}, 可选: {dimension.choices()}")
        document_filters.append(Q.Term(target, code))
    elif kind == "date":
        start, end = _date_range(value)
        # dates are indexed as YYYYMMDD terms: a range of days is a range of terms
        document_filters.append(Q.TermRange("date", start and f"{start:%Y%m%d}", end and f"{end:%Y%m%d}"))
    elif kind == "phone":
        digits = re.sub(r"\D", "", value)
        if len(digits) < 4:
            raise QueryError("电话至少输入后四位数字, 如 电话:5678")
        customer_filters.append(_phone_query(value) or Q.Term("phone", digits))
    elif kind == "text":
        customer_filters.append(_text(target, value) or Q.NullQuery)
    elif kind == "ident":
        customer_filters.append(Q.Term("ident", value.lower()))
    elif kind == "box":
        document_filters.append(_box_term(value))
    elif kind == "place":
        # where a document's paper original is: the shelf recorded on the document, or a
        # registered box standing there (a box moved moves its documents without re-indexing them)
        found = [q for q in (_text("place", value), *(_box_term(n) for n in boxes_at(value))) if q is not None]
        document_filters.append(Q.Or(found) if len(found) > 1 else found[0] if found else Q.NullQuery)


def _box_term(number: str) -> Q.Query:
    return Q.Term("box", exact_key(number).replace(" ", ""))


def _any(fieldname: str, codes: list[str]) -> Q.Query:
    return Q.Term(fieldname, codes[0]) if len(codes) == 1 else Q.Or([Q.Term(fieldname, c) for c in codes])


def _date_range(value: str) -> tuple[datetime | None, datetime | None]:
    """``2024``, ``2024-03``, ``2024-03-15``, ``a..b`` with either end open."""
    start_text, sep, end_text = value.partition("..")
    if not sep:
        end_text = start_text
    start = _bound(start_text, first=True) if start_text else None
    end = _bound(end_text, first=False) if end_text else None
    if start is None and end is None:
        raise QueryError("日期范围至少要有一端, 如 日期:2024 或 日期:2024-01..2024-06")
    if start and end and start > end:
        raise QueryError(f"日期范围的开始 {start:%Y-%m-%d} 晚于结束 {end:%Y-%m-%d}")
    return start, end


def _bound(text: str, first: bool) -> datetime:
    match = re.fullmatch(r"(\d{4})(?:[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?)?", text.strip())
    if not match:
        raise QueryError(f"日期「{text}」格式不对, 应为 2024、2024-03 或 2024-03-15")
    year, month, day = int(match[1]), match[2], match[3]
    try:
        if month is None:
            moment = date(year, 1, 1) if first else date(year, 12, 31)
        elif day is None:
            m = int(month)
            moment = date(year, m, 1) if first else date(year, m, calendar.monthrange(year, m)[1])
        else:
            moment = date(year, int(month), int(day))
    except ValueError:
        raise QueryError(f"日期「{text}」不存在") from None
    return datetime.combine(moment, dtime.min if first else dtime.max)
