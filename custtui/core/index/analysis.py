"""How text becomes search terms: Chinese bigrams, pinyin with every reading, phone tails.

Whoosh's default analyzer keeps a run of Chinese as one token, so 合同 is not found in 本合同书.
Here every run of Chinese becomes its overlapping character pairs (本合, 合同, 同书), which makes
every fragment of two or more characters findable; latin words and numbers stay whole, lowercased,
and where one meets Chinese (APP软件, 阜新MCC, 数字1号) the two characters either side of the seam
are a pair too (p软, 新m, 字1), so a fragment across the seam is findable as well. Text is first
folded the way people do not see (``fold``): full-width and other compatibility forms become their
usual characters (ＡＢＣ１２３ → ABC123) and invisible ones (zero-width space, BOM, soft hyphen) go.
Names are also indexed by pinyin, full and initials, for every reading of polyphonic characters
(曾 zeng/ceng, 单 shan/dan/chan). Sorting by pinyin needs one reading: the usual one, and for a
person's surname the surname's (曾 zeng, 单 shan, 万俟 moqi).
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from itertools import islice, pairwise, product
from typing import Protocol

from whoosh.analysis import Token, Tokenizer

# Characters are read one at a time, so pypinyin's phrase dictionary is never needed: importing it
# took 0.34–0.40 s (0.06–0.11 s without) on every set and first search; the readings of all 41,923
# characters pypinyin knows are the same either way (compared here).
os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")

_CJK_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(f"[{_CJK_CHARS}]+|[0-9A-Za-z]+")
_FIRST_CJK = "\u3400"  # every latin letter and digit is below, every Chinese character above
# Characters that NFKC changes and people cannot tell from the usual ones (full-width forms, CJK
# compatibility ideographs, Kangxi radicals, circled and letter-like forms, odd spaces), and the
# invisible ones. Per character, not NFKC of the whole text: each folded character keeps its
# place in the original (highlights), and nothing composes across characters. Listed by block:
# deciding it for all of Unicode at start-up would cost ~0.5 s.
_FOLDABLE = re.compile(
    "[\u00a0-\u00bf\u01c4-\u01cc\u017f\u034f\u061c\u180b-\u180f\u2000-\u218f\u2460-\u24ff"
    "\u2e80-\u2fdf\u3000\u3190-\u319f\u3200-\u33ff\uf900-\ufaff\ufb00-\ufb06\ufe00-\ufe6f\ufeff"
    "\uff00-\uffef\U0001d400-\U0001d7ff\U0001f100-\U0001f2ff\U0001fbf0-\U0001fbf9\U0002f800-\U0002fa1f"
    "\U000e0000-\U000e01ef]"
)
# invisible but not format characters: the combining grapheme joiner and variation selectors
_INVISIBLE_MARKS = frozenset("\u034f\u180b\u180c\u180d\u180f" + "".join(map(chr, range(0xFE00, 0xFE10))))
_SPACED = re.compile(r"[^ \t\r\n]+")
MAX_READINGS = 4  # per character pair, when polyphonic characters multiply the readings
# Surnames read otherwise than their characters' usual (first) reading; pypinyin has no surname
# dictionary. Two-character surnames are looked up before one-character ones.
SURNAME_READINGS = {
    "万俟": "mo qi",
    "尉迟": "yu chi",
    "单于": "chan yu",
    "澹台": "tan tai",
    **dict.fromkeys("曾", "zeng"),
    **dict.fromkeys("仇", "qiu"),
    **dict.fromkeys("解", "xie"),
    **dict.fromkeys("单", "shan"),
    **dict.fromkeys("查", "zha"),
    **dict.fromkeys("朴", "piao"),
    **dict.fromkeys("区", "ou"),
    **dict.fromkeys("覃", "qin"),
    **dict.fromkeys("盖葛", "ge"),
    **dict.fromkeys("缪", "miao"),
    **dict.fromkeys("翟", "zhai"),
    **dict.fromkeys("秘", "bi"),
    **dict.fromkeys("种重", "chong"),
    **dict.fromkeys("繁", "po"),
    **dict.fromkeys("乐", "yue"),
    **dict.fromkeys("折", "she"),
    **dict.fromkeys("召", "shao"),
    **dict.fromkeys("员", "yun"),
    **dict.fromkeys("句", "gou"),
    **dict.fromkeys("宓", "fu"),
    **dict.fromkeys("隗", "wei"),
    **dict.fromkeys("薄", "bo"),
    **dict.fromkeys("都", "du"),
    **dict.fromkeys("藏", "zang"),
    **dict.fromkeys("阚", "kan"),
    **dict.fromkeys("佴", "nai"),
    **dict.fromkeys("粘", "nian"),
    **dict.fromkeys("卜", "bu"),
}


def is_cjk(text: str) -> bool:
    # compared, not matched: compiling a class of 28,000 characters took 3-4 ms of every search
    first = text[:1]
    return "\u4e00" <= first <= "\u9fff" or "\u3400" <= first <= "\u4dbf" or "\uf900" <= first <= "\ufaff"


@lru_cache(maxsize=4096)
def _folded(char: str) -> str:
    """One foldable character as search sees it: NFKC, or nothing when it is invisible (a format
    character, a variation selector, the combining grapheme joiner)."""
    if unicodedata.category(char) == "Cf" or char in _INVISIBLE_MARKS or char >= "\U000e0000":
        return ""
    return unicodedata.normalize("NFKC", char)


def fold(text: str) -> str:
    """``text`` as search sees it: ``ＡＢＣ科技`` → ``ABC科技``, ``（０２１）`` → ``(021)``, 华信 with a
    zero-width space inside → 华信."""
    return _FOLDABLE.sub(lambda m: _folded(m.group()), text)


def _folded_with_places(text: str) -> tuple[str, list[int] | None]:
    """(``fold(text)``, where each of its characters is in ``text``; None when every character
    stays in its place, as full-width punctuation does)."""
    folds = [(m.start(), _folded(m.group())) for m in _FOLDABLE.finditer(text)]
    out, done = [], 0
    for at, folded in folds:
        out += [text[done:at], folded]
        done = at + 1
    out.append(text[done:])
    if all(len(folded) == 1 for _, folded in folds):
        return "".join(out), None
    places: list[int] = []
    done = 0
    for at, folded in folds:
        places += [*range(done, at), *[at] * len(folded)]
        done = at + 1
    places += range(done, len(text))
    return "".join(out), places


def exact_key(text: str) -> str:
    """A whole name or number as the exact term it is indexed and looked up as."""
    return fold(text).lower()


def bigrams(run: str) -> list[str]:
    """``本合同书`` -> 本合, 合同, 同书; a single character stays itself."""
    return [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]


class _PieceTokenizer(Tokenizer):
    """Whoosh's tokenizer call over ``pieces``: (text, position, (start, end) in the value or None)."""

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for text, position, span in self.pieces(value):
            token.text, token.boost, token.stopped = text, 1.0, False
            if keeporiginal:
                token.original = text
            if positions:
                token.pos = start_pos + position
            if chars and span is not None:
                token.startchar, token.endchar = start_char + span[0], start_char + span[1]
            yield token

    def pieces(self, value: str) -> Iterator[tuple[str, int, tuple[int, int] | None]]:
        raise NotImplementedError


class BigramTokenizer(_PieceTokenizer):
    """Chinese runs as overlapping bigrams, other words whole and lowercased, and a pair across
    each seam of the two; in the order they start, with where they are in the unfolded value."""

    def pieces(self, value: str) -> Iterator[tuple[str, int, tuple[int, int] | None]]:
        text, places = _folded_with_places(value)
        spans = _spans(text)
        if places is None:
            for position, (start, end, term, _) in enumerate(spans):
                yield term, position, (start, end)
        else:
            for position, (start, end, term, _) in enumerate(spans):
                yield term, position, (places[start], places[end - 1] + 1)

    def terms(self, value: str) -> set[str]:
        """The distinct terms of ``value`` (``_spans``' terms, without building a tuple for each:
        a full build's fast path)."""
        text = fold(value)
        found: set[str] = set()
        end, last = -1, ""
        for match in _RUN.finditer(text):
            run, start = match.group(), match.start()
            cjk = run[0] >= _FIRST_CJK
            if last and cjk != (last >= _FIRST_CJK) and not text[end:start].strip(" \t"):
                found.add((last + run[0]).lower())
            if not cjk:
                found.add(run.lower())
            elif len(run) == 1:
                found.add(run)
            else:
                found.update([run[i : i + 2] for i in range(len(run) - 1)])
            end, last = match.end(), run[-1]
        return found


class KeywordTokenizer(Tokenizer):
    """Whoosh's keyword analyzer (values separated by spaces or commas, optionally lowercased)
    with a fast ``terms`` for full builds."""

    def __init__(self, lowercase: bool = False, commas: bool = False):
        self.lowercase, self.commas = lowercase, commas

    def __call__(self, value, **kwargs):
        from whoosh.analysis import KeywordAnalyzer

        return KeywordAnalyzer(lowercase=self.lowercase, commas=self.commas)(value, **kwargs)

    def terms(self, value: str) -> set[str]:
        if self.lowercase:
            value = value.lower()
        if self.commas:  # Whoosh: runs of non-commas, stripped
            return {part.strip() for part in value.split(",") if part}
        return set(_SPACED.findall(value))


class WholeTokenizer(Tokenizer):
    """The whole value as one term (Whoosh's ID analyzer) with a fast ``terms``."""

    def __call__(self, value, **kwargs):
        from whoosh.analysis import IDTokenizer

        return IDTokenizer()(value, **kwargs)

    def terms(self, value: str) -> set[str]:
        return {value}


def _spans(text: str) -> list[tuple[int, int, str, str]]:
    """The terms of folded ``text`` as (start, end, term, kind: ``cjk``, ``latin`` or ``seam``),
    in the order they start."""
    found: list[tuple[int, int, str, str]] = []
    end, last = -1, ""
    for match in _RUN.finditer(text):
        run, start = match.group(), match.start()
        cjk = run[0] >= _FIRST_CJK  # a run is all Chinese or all latin
        if last and cjk != (last >= _FIRST_CJK) and not text[end:start].strip(" \t"):
            found.append((end - 1, start + 1, (last + run[0]).lower(), "seam"))
        if not cjk:
            found.append((start, match.end(), run.lower(), "latin"))
        elif len(run) == 1:
            found.append((start, start + 1, run, "cjk"))
        else:
            found += [(start + i, start + i + 2, run[i : i + 2], "cjk") for i in range(len(run) - 1)]
        end, last = match.end(), run[-1]
    return found


def bigram_analyzer():
    return BigramTokenizer()


def query_terms(text: str) -> list[str]:
    """The terms ``text`` is indexed as, in order (what a highlight marks)."""
    return [term for _, _, term, _ in _spans(fold(text))]


PREFIX_RUN = 4  # a latin run ending a query word this long is looked up as the start of a word


def required_terms(word: str) -> list[tuple[str, bool]]:
    """The terms a query word must find, in order, each with whether any term it begins will do.

    Its indexed terms, except: a latin run at either end of a word that also holds Chinese may be
    only part of a word in the text (P软 of APP软件, 阜新M of 阜新MCC), so the pair across the seam
    stands for it, and a run ending the word from PREFIX_RUN letters on begins a word (阜新MCCA
    finds 阜新MCCAB; shorter, the prefix would match too many terms to be worth it). A single
    Chinese character stands for any pair it begins, unless seams stand for it (A华B)."""
    spans = _spans(fold(word))
    seams = [(start, end) for start, end, _, kind in spans if kind == "seam"]
    if not seams:
        return [(term, kind == "cjk" and len(term) == 1) for _, _, term, kind in spans]
    runs = [span for span in spans if span[3] != "seam"]
    first, last = runs[0], runs[-1]
    found = []
    for span in spans:
        start, end, term, kind = span
        if kind == "latin" and span is first and end - 1 == seams[0][0]:
            continue
        if kind == "latin" and span is last and start == seams[-1][1] - 1:
            if len(term) >= PREFIX_RUN:
                found.append((term, True))
            continue
        if kind == "cjk" and len(term) == 1:
            if not any(s <= start < e for s, e in seams):
                found.append((term, True))
            continue
        found.append((term, False))
    return found


Readings = tuple[tuple[str, ...], tuple[str, ...]]  # (full pinyin readings, initials) of a character


class ReadingStore(Protocol):
    def reading(self, char: str) -> Readings | None: ...

    def remember_reading(self, char: str, readings: Readings) -> None: ...


_reading_stores: list[ReadingStore] = []  # the innermost ``readings_kept_in`` of this process


@contextmanager
def readings_kept_in(store: ReadingStore) -> Iterator[None]:
    """Within: a character's readings are looked up in ``store`` before pypinyin's table is loaded
    (0.06-0.08 s of imports, measured: more than the rest of re-indexing an edited customer), and
    kept there once pypinyin gave them."""
    _reading_stores.append(store)
    try:
        yield
    finally:
        _reading_stores.remove(store)


@lru_cache(maxsize=20000)
def _readings(char: str) -> Readings:
    """(full pinyin readings, initials) of one character; a non-Chinese character reads as itself."""
    if not is_cjk(char):
        return (char.lower(),), (char.lower(),)
    store = _reading_stores[-1] if _reading_stores else None
    kept = store.reading(char) if store is not None else None
    if kept is not None:
        return kept
    from pypinyin import Style, pinyin  # here, not at the top: only pinyin needs it

    full = tuple(dict.fromkeys(pinyin(char, style=Style.NORMAL, heteronym=True)[0]))
    initials = tuple(dict.fromkeys(r[0] for r in full))
    if store is not None:
        store.remember_reading(char, (full, initials))
    return full, initials


@lru_cache(maxsize=1)
def _pinyin_table() -> dict[int, str]:
    """Every Chinese character pypinyin knows → its most common reading without tones, then a space."""
    from pypinyin.pinyin_dict import pinyin_dict  # here: only sorting by name needs it

    return {code: _toneless(readings.split(",")[0]) + " " for code, readings in pinyin_dict.items()}


def _toneless(reading: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", reading) if not unicodedata.combining(c))


@lru_cache(maxsize=200_000)  # the second sort of the same customers costs dictionary lookups only
def pinyin_key(text: str, person: bool = False) -> str:
    """A sort key ordering Chinese text as people expect it (by pinyin, 安 before 北 before 中).
    A ``person``'s name begins with a surname, read as one (曾 zeng, not ceng; 解 xie; 万俟 moqi);
    a company's name does not (曾家湾 stays ceng)."""
    surname = next((s for s in (text[:2], text[:1]) if person and s in SURNAME_READINGS), "")
    head = SURNAME_READINGS[surname] + " " if surname else ""
    return (head + text[len(surname) :].translate(_pinyin_table())).lower()


NAME_GAP = 10  # positions between two names in one field, so a phrase never spans them


def pinyin_pairs(names: list[str]) -> tuple[str, str]:
    """Names as pinyin of adjacent character pairs, for positional fields (see PairTokenizer).

    北京华信 -> ``beijing jinghua huaxin`` and ``bj jh hx``; a polyphonic pair lists its readings
    with ``|`` (曾小 -> ``zengxiao|cengxiao``), capped at MAX_READINGS. A query's syllables become
    the same pairs, matched as a phrase: every fragment of two or more characters is findable by
    full pinyin and by initials, at one term per character instead of one per fragment."""
    full_lines, initial_lines = [], []
    for name in names:
        chars = [c for c in fold(name) if is_cjk(c) or c.isalnum()]
        readings = [_readings(c) for c in chars]
        full, initials = [], []
        for a, b in pairwise(readings):
            full.append("|".join(islice(dict.fromkeys(x + y for x, y in product(a[0], b[0])), MAX_READINGS)))
            initials.append("|".join(islice(dict.fromkeys(x + y for x, y in product(a[1], b[1])), MAX_READINGS)))
        full_lines.append(" ".join(full))
        initial_lines.append(" ".join(initials))
    return "\n".join(full_lines), "\n".join(initial_lines)


class PairTokenizer(_PieceTokenizer):
    """Tokens separated by spaces, alternatives at one position by ``|``, names by newlines."""

    def pieces(self, value: str) -> Iterator[tuple[str, int, tuple[int, int] | None]]:
        position = 0
        for line in value.split("\n"):
            for slot in line.split():
                for text in slot.split("|"):
                    yield text, position, None
                position += 1
            position += NAME_GAP

    def terms(self, value: str) -> set[str]:
        """The distinct terms of ``value``, without Token objects (a full build's fast path)."""
        return set(value.replace("|", " ").split())


# Every Mandarin syllable without tones, ü written v as pypinyin writes it (from its dictionary,
# less the vowel-less interjections such as n and hm, which make poor splits of typed pinyin).
SYLLABLES = frozenset(
    "lv lve nv nve "
    """
    a ai an ang ao ba bai ban bang bao bei ben beng bi bian biang biao bie bin bing bo bong bu
    ca cai can cang cao ce cei cen ceng cha chai chan chang chao che chen cheng chi chong chou
    chu chua chuai chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang
    dao de dei den deng di dia dian diao die din ding diu dong dou du duan dui dun duo e ei en
    eng er fa fan fang fei fen feng fiao fo fou fu ga gai gan gang gao ge gei gen geng gong gou
    gu gua guai guan guang gui gun guo ha hai han hang hao he hei hen heng hong hou hu hua huai
    huan huang hui hun huo ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai
    kan kang kao ke kei ken keng kong kou ku kua kuai kuan kuang kui kun kuo la lai lan lang lao
    le lei len leng li lia lian liang liao lie lin ling liu lo long lou lu luan lue lun luo ma
    mai man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu na nai nan nang nao
    ne nei nen neng ni nia nian niang niao nie nin ning niu nong nou nu nuan nue nun nuo o ou pa
    pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu qi qia qian qiang qiao qie
    qin qing qiong qiu qu quan que qun ran rang rao re ren reng ri rong rou ru rua ruan rui run
    ruo sa sai san sang sao se sen seng sha shai shan shang shao she shei shen sheng shi shou
    shu shua shuai shuan shuang shui shun shuo si song sou su suan sui sun suo ta tai tan tang
    tao te tei teng ti tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen
    weng wo wong wu xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang
    yao ye yi yin ying yo yong you yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai
    zhan zhang zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun
    zhuo zi zong zou zu zuan zui zun zuo
""".split()
)


MAX_READINGS_TYPED = 8
"""Readings of one typed latin word tried at most (fewest initials, then fewest pieces first).
Typed pinyin splits few ways once a letter that would join a syllable next to it is no initial:
xianhaichuang 4, tianjinyuanz 4, xianhc 2, xahaichuang 2 (counted without the cap), but a
28-letter run of xian 128. Each reading is one And of exact terms, so the cap bounds what a
word can cost: 4-character names typed with initials (xianhc, xahaichuang) took a median
7-15 ms, p95 under 30 ms, at 10k customers (bench copy of synth-10000, 126 names)."""
_NOT_INITIALS = frozenset("iuv")  # no syllable starts with i, u or v


_VOWELS = frozenset("aeo")  # initials of the characters read with a vowel alone (安, 鄂, 欧)
# their syllables, as names have them (阿 爱 安 昂 奥 鄂 恩 尔 欧; not ei, eng: 诶, 鞥)
_ALONE = frozenset("a ai an ang ao e en er o ou".split())


def _joinable(piece: str, neighbour: str, vowels: bool = False) -> bool:
    """Whether two pieces, one of them a single letter, make a syllable (xia+n, h+ai, h+e): then
    the letter is part of that syllable, not an initial. With ``vowels``, not where a lone a, e
    or o or a syllable of ``_ALONE`` (安, 爱, 鄂) may stand apart: t+a, f+an, a+n."""
    if vowels and (piece in _VOWELS or neighbour in _ALONE):
        return False
    return (len(piece) == 1 or len(neighbour) == 1) and piece + neighbour in SYLLABLES


def segmentations(text: str, limit: int = MAX_READINGS_TYPED) -> list[list[str]]:
    """Ways to read a typed latin word as pinyin, best first: pieces of two letters or more are
    syllables, single letters initials (``xianhc`` -> [xian, h, c], [xi, an, h, c]; ``xahaichuang``
    -> [x, a, hai, chuang]); fewer initials first, then fewer pieces; at most ``limit``.

    A letter that would join its neighbour syllable into one is no initial (xia+n is xian), nor are
    letters that spell pinyin (``_typed_so``)."""
    return _segmentations(text, limit, False)


MAX_VOWEL_READINGS = 3
"""Readings of ``vowel_segmentations`` tried at most, after a word's ``segmentations``."""


def vowel_segmentations(text: str) -> list[list[str]]:
    """Readings ``segmentations`` leaves out where a character read a, e or o alone (安, 鄂, 欧) was
    typed as its initial after a letter it makes a syllable with: ``tajin`` [t, a, jin] (泰安金),
    ``fanding`` [f, an, ding] (方安鼎), ``heshi`` [h, e, shi] (禾鄂食); best first, at most
    MAX_VOWEL_READINGS. Apart, as the query tries them only where the usual ones find next to
    nothing: a lone a, e or o as an initial anywhere raised a word's readings from 1.33 to 1.95."""
    if not _VOWELS & set(text):
        return []
    usual = segmentations(text)
    more = _segmentations(text, MAX_READINGS_TYPED + MAX_VOWEL_READINGS, True)
    mixed = (pieces for pieces in more if any(len(p) > 1 for p in pieces))  # all initials: the query's
    return [pieces for pieces in mixed if pieces not in usual][:MAX_VOWEL_READINGS]


def spaced_segmentations(words: list[str], limit: int = MAX_READINGS_TYPED) -> list[list[str]]:
    """Readings of Latin words typed apart as one name's pinyin, best first as ``segmentations``
    ranks them: each word read on its own (its syllables, its vowel readings, or its letters as
    initials), since the space says where a syllable ends. Joined, ``s haihehua`` (上海禾华) reads
    only as shai-he-hua and ``an tian`` (爱宁田) only as an-tian; apart they are [s, hai, he, hua]
    and [a, n, tian]."""
    best: list[list[str]] = [[]]
    for word in words:
        readings = segmentations(word) + vowel_segmentations(word)
        if not _NOT_INITIALS & set(word) and list(word) not in readings:
            readings.append(list(word))
        joined = (before + reading for before, reading in product(best, readings))
        # the best of each prefix of the words, as many as may still rank among the best at the end
        best = sorted(joined, key=lambda pieces: (sum(len(p) == 1 for p in pieces), len(pieces)))[: 2 * limit]
    return best[:limit]


def _segmentations(text: str, limit: int, vowels: bool) -> list[list[str]]:
    """``segmentations``, with ``vowels`` as ``_joinable`` and ``_typed_so`` take it. Built from the
    end: the best readings of each suffix, a piece before each (a reading's rank adds up over its
    pieces)."""
    keep = 2 * limit  # per suffix: some of the best are dropped at the end by ``_typed_so``
    best: list[list[tuple[tuple[int, int], list[str]]]] = [[] for _ in text] + [[((0, 0), [])]]
    for start in range(len(text) - 1, -1, -1):
        found = []
        for size in range(1, min(6, len(text) - start) + 1):
            piece = text[start : start + size]
            if size == 1 and piece in _NOT_INITIALS or size > 1 and piece not in SYLLABLES:
                continue
            found += [
                ((i + (size == 1), n + 1), [piece, *rest])
                for (i, n), rest in best[start + size]
                if not rest or not _joinable(piece, rest[0], vowels)
            ]
        found.sort(key=lambda reading: reading[0])
        best[start] = found[:keep]
    readings = [pieces for _, pieces in best[0] if _typed_so(pieces, vowels)]
    return readings[:limit]


def _typed_so(pieces: list[str], vowels: bool = False) -> bool:
    """Whether a mixed reading is how someone would type it: initials next to a syllable do not
    lengthen it (yo+ng is yong), and no run of initials spells pinyin (xi+w+a+n is xiwan). A word
    may end in a syllable after initials (t+y+jie for 田艳杰: z+hang is no reading, being zhang).
    With ``vowels``, a lone a, e or o or a syllable of ``_ALONE`` may do both (h+an; z+h+a, in up to
    three initials: c+h+e+n+g is cheng)."""
    if all(len(p) == 1 for p in pieces) or all(len(p) > 1 for p in pieces):
        return True
    marked = "".join(p if len(p) == 1 else f" {p.upper()} " for p in pieces).split()
    for before, piece, after in zip(["", *marked[:-1]], marked, [*marked[1:], ""], strict=True):
        if piece.isupper():
            syllable, before, after = piece.lower(), before * before.islower(), after * after.islower()
            if vowels and syllable in _ALONE:
                if before[-2:] in ("zh", "ch", "sh"):  # z+h+ang: zhang, as anyone types 张
                    return False
                before = ""
            if vowels and after[:1] in _VOWELS:
                after = ""
            if any(syllable + after[:k] in SYLLABLES for k in range(1, min(3, len(after)) + 1)) or any(
                before[-k:] + syllable in SYLLABLES for k in range(1, min(3, len(before)) + 1)
            ):
                return False
        elif len(piece) > 1 and spells(piece) and not (vowels and len(piece) <= 3 and _VOWELS & set(piece)):
            return False
    return True


@lru_cache(maxsize=4096)
def spells(letters: str) -> bool:
    """Whether ``letters`` split wholly into syllables (dasheng, xian: pinyin, not initials)."""
    return letters in SYLLABLES or any(
        letters[:size] in SYLLABLES and spells(letters[size:]) for size in range(1, min(6, len(letters)))
    )


def pair_terms(parts: list[str]) -> list[str]:
    """Syllables or initials as the adjacent pairs they were indexed as."""
    return [a + b for a, b in pairwise(parts)]


def phone_key(phone: str) -> str:
    """A normalised phone (``13812345678``, ``010-62981234-806``, ``400-810-8888``) as the one term
    that finds it: its digits, a landline's without the extension."""
    parts = phone.split("-")
    if len(parts) >= 2 and parts[0].startswith("0"):
        return parts[0] + parts[1]
    return re.sub(r"\D", "", phone)


def phone_terms(phone: str) -> set[str]:
    """A normalised phone as terms: ``phone_key``, a landline's number without area code and
    extension, and the last four digits of the number (``t1234``)."""
    whole = phone_key(phone)
    parts = phone.split("-")
    number = parts[1] if len(parts) >= 2 and parts[0].startswith("0") else whole
    return {whole, number, f"t{number[-4:]}"} if number else set()
