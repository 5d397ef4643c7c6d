"""How text becomes search terms: Chinese bigrams, pinyin with every reading, phone tails.

Whoosh's default analyzer keeps a run of Chinese as one token, so 合同 is not found in 本合同书.
Here every run of Chinese becomes its overlapping character pairs (本合, 合同, 同书), which makes
every fragment of two or more characters findable; latin words and numbers stay whole, lowercased.
Names are also indexed by pinyin, full and initials, for every reading of polyphonic characters
(曾 zeng/ceng, 单 shan/dan/chan).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import islice, product

from pypinyin import Style, pinyin
from whoosh.analysis import Token, Tokenizer

_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
MAX_READINGS = 4         # per character pair, when polyphonic characters multiply the readings


def is_cjk(text: str) -> bool:
    return bool(_CJK.match(text))


def bigrams(run: str) -> list[str]:
    """``本合同书`` -> 本合, 合同, 同书; a single character stays itself."""
    return [run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)]


class BigramTokenizer(Tokenizer):
    """Chinese runs as overlapping bigrams, other words whole and lowercased (with positions)."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for match in _RUN.finditer(value):
            run, offset = match.group(), match.start()
            if is_cjk(run):
                pieces = [(i, piece) for i, piece in enumerate(bigrams(run))]
            else:
                pieces = [(0, run.lower())]
            for i, text in pieces:
                token.text = text
                token.boost = 1.0
                token.stopped = False
                if keeporiginal:
                    token.original = text
                if positions:
                    token.pos = pos
                pos += 1
                if chars:
                    token.startchar = start_char + offset + i
                    token.endchar = token.startchar + len(text)
                yield token


def bigram_analyzer():
    return BigramTokenizer()


def query_terms(text: str) -> list[str]:
    """The terms a query word becomes, in order (the same rules as indexing)."""
    return [t.text for t in BigramTokenizer()(text)]


@lru_cache(maxsize=20000)
def _readings(char: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(full pinyin readings, initials) of one character; a non-Chinese character reads as itself."""
    if not is_cjk(char):
        return (char.lower(),), (char.lower(),)
    full = tuple(dict.fromkeys(pinyin(char, style=Style.NORMAL, heteronym=True)[0]))
    initials = tuple(dict.fromkeys(r[0] for r in full))
    return full, initials


NAME_GAP = 10  # positions between two names in one field, so a phrase never spans them


def pinyin_pairs(names: list[str]) -> tuple[str, str]:
    """Names as pinyin of adjacent character pairs, for positional fields (see PairTokenizer).

    北京华信 -> ``beijing jinghua huaxin`` and ``bj jh hx``; a polyphonic pair lists its readings
    with ``|`` (曾小 -> ``zengxiao|cengxiao``), capped at MAX_READINGS. A query's syllables become
    the same pairs, matched as a phrase: every fragment of two or more characters is findable by
    full pinyin and by initials, at one term per character instead of one per fragment."""
    full_lines, initial_lines = [], []
    for name in names:
        chars = [c for c in name if is_cjk(c) or c.isalnum()]
        readings = [_readings(c) for c in chars]
        full, initials = [], []
        for a, b in zip(readings, readings[1:]):
            full.append("|".join(islice(dict.fromkeys(x + y for x, y in product(a[0], b[0])), MAX_READINGS)))
            initials.append("|".join(islice(dict.fromkeys(x + y for x, y in product(a[1], b[1])), MAX_READINGS)))
        full_lines.append(" ".join(full))
        initial_lines.append(" ".join(initials))
    return "\n".join(full_lines), "\n".join(initial_lines)


class PairTokenizer(Tokenizer):
    """Tokens separated by spaces, alternatives at one position by ``|``, names by newlines."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for line in value.split("\n"):
            for slot in line.split():
                for text in slot.split("|"):
                    token.text, token.boost, token.stopped = text, 1.0, False
                    if positions:
                        token.pos = pos
                    yield token
                pos += 1
            pos += NAME_GAP


@lru_cache(maxsize=1)
def syllables() -> frozenset[str]:
    """Every Mandarin syllable without tones (from pypinyin's dictionary), ü written v."""
    from pypinyin.pinyin_dict import pinyin_dict

    found = set()
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            plain = "".join(c for c in unicodedata.normalize("NFKD", reading) if not unicodedata.combining(c))
            plain = plain.replace("ü", "v")
            if plain.isascii() and plain.isalpha() and any(v in plain for v in "aeiouv"):
                found.add(plain)  # (interjections without a vowel, such as n and hm, make poor splits)
    return frozenset(found)


def segmentations(text: str, limit: int = 2) -> list[list[str]]:
    """Ways to split a pinyin string into syllables (``xian`` -> [xian], [xi, an]), longest first."""
    known, found = syllables(), []

    def walk(rest: str, done: list[str]) -> None:
        if len(found) >= limit:
            return
        if not rest:
            found.append(done)
            return
        for size in range(min(6, len(rest)), 0, -1):
            if rest[:size] in known:
                walk(rest[size:], done + [rest[:size]])

    walk(text, [])
    return found


def pair_terms(parts: list[str]) -> list[str]:
    """Syllables or initials as the adjacent pairs they were indexed as."""
    return [a + b for a, b in zip(parts, parts[1:])]


def phone_terms(phone: str) -> set[str]:
    """A normalised phone (``13812345678``, ``010-62981234-806``, ``400-810-8888``) as terms: its
    digits whole, a landline's number without area code and extension, and the last four digits
    of the number (``t1234``)."""
    parts = phone.split("-")
    if len(parts) >= 2 and parts[0].startswith("0"):
        whole, number = parts[0] + parts[1], parts[1]
    else:
        whole = number = re.sub(r"\D", "", phone)
    return {whole, number, f"t{number[-4:]}"} if number else set()

