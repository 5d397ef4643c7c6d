"""How text becomes search terms: Chinese bigrams, pinyin with every reading, phone tails.

Whoosh's default analyzer keeps a run of Chinese as one token, so 合同 is not found in 本合同书.
Here every run of Chinese becomes its overlapping character pairs (本合, 合同, 同书), which makes
every fragment of two or more characters findable; latin words and numbers stay whole, lowercased.
Names are also indexed by pinyin, full and initials, for every reading of polyphonic characters
(曾 zeng/ceng, 单 shan/dan/chan).
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import islice, product

from pypinyin import Style, pinyin
from whoosh.analysis import Token, Tokenizer

_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
MAX_PINYIN_RUN = 4       # pinyin terms cover name fragments of 2..4 characters, and the whole name
MAX_READINGS = 8         # per fragment, when polyphonic characters multiply the readings


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


def pinyin_terms(name: str) -> tuple[set[str], set[str]]:
    """(full-pinyin terms, initials terms) for a name: the whole name and every 2–4 character
    fragment, each in all its readings (capped), so 曾小贤 gives zengxiaoxian, cengxiaoxian, zxx, cxx…"""
    chars = [c for c in name if is_cjk(c) or c.isalnum()]
    full_terms: set[str] = set()
    initial_terms: set[str] = set()
    spans = [(0, len(chars))] if 1 < len(chars) else []
    spans += [(i, i + n) for n in range(2, MAX_PINYIN_RUN + 1) for i in range(len(chars) - n + 1)]
    for start, end in spans:
        piece = chars[start:end]
        if not any(is_cjk(c) for c in piece):
            continue
        readings = [_readings(c) for c in piece]
        full_terms.update("".join(r) for r in islice(product(*(r[0] for r in readings)), MAX_READINGS))
        initial_terms.update("".join(r) for r in islice(product(*(r[1] for r in readings)), MAX_READINGS))
    return full_terms, initial_terms


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


PINYIN_QUERY = re.compile(r"^[a-z]+$")
