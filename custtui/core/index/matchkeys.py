"""The keys duplicates look customers up by: a normalised name, each alias, each phone, the USCC
and the ID number. The listing stores them in an indexed table, so finding the customers a new
record may duplicate is a few lookups, never a pass over 100k customers."""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

NAME, ALIAS, PHONE, USCC, ID_NUMBER = "n", "a", "p", "u", "i"

_BRACKETS = str.maketrans({"【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")", "{": "(", "}": ")"})
_BRACKETS.update(str.maketrans({"〈": "(", "〉": ")", "《": "(", "》": ")", "「": "(", "」": ")"}))
# Legal-form endings, removed together from the end (集团股份有限公司 -> ""), after punctuation and
# spaces are gone (Co., Ltd. -> coltd). 分公司 is kept: a branch is registered on its own.
_LEGAL_ENDINGS = re.compile(
    r"(?:(?<!分)(?:股份有限公司|有限责任公司|有限公司|公司)|\(集团\)|集团|\(\)"
    r"|companylimited|corporation|limited|company|coltd|group|corp|ltd|inc)+$"
)
# Characters that never tell two names apart: punctuation (brackets included, once the legal forms
# inside them are gone), separators, controls and invisible format characters (zero-width, BOM).
_DROPPED = frozenset(("Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Zs", "Zl", "Zp", "Cc", "Cf"))
PHONE_DIGITS = 7  # fewer digits is no phone number to compare
_NOT_DIGITS = re.compile(r"\D")


def name_key(name: str) -> str:
    """A company or person name as duplicates compare it.

    NFKC folds full-width Latin, digits and brackets (``ＢＥＩＪＩＮＧ``, ``（``) and compatibility
    ideographs; it leaves CJK unified ideographs alone, so it is safe for Chinese names. Brackets of
    every kind count as ``()``, legal-form endings (有限公司, 有限责任公司, 股份有限公司, 公司, (集团),
    集团, Co., Ltd. …) and a ``(集团)`` anywhere are removed, then punctuation, spaces and invisible
    characters are dropped and Latin is case-folded.

    What a bracket holds other than a legal form is *kept* (only the brackets go): 华信科技(上海)有限
    公司 is a subsidiary or branch registered on its own, not 华信科技有限公司, so the two must not
    collide; 华信科技(上海) and 华信科技上海 do. 分公司 is kept for the same reason. A name made only of
    legal forms (``有限公司``) keeps them rather than becoming empty.
    """
    text = unicodedata.normalize("NFKC", name).translate(_BRACKETS).casefold()
    if not text.replace("(", "").replace(")", "").isalnum():  # most names are: no per-character pass
        text = "".join(ch for ch in text if ch in "()" or unicodedata.category(ch) not in _DROPPED)
    compact = _LEGAL_ENDINGS.sub("", text.replace("(集团)", ""))
    return compact.replace("(", "").replace(")", "") or text.replace("(", "").replace(")", "")


def phone_key(phone: str) -> str:
    """A phone as duplicates compare it: its digits (``010-6298 1234`` == ``01062981234``)."""
    return _NOT_DIGITS.sub("", phone if phone.isascii() else unicodedata.normalize("NFKC", phone))


def match_keys(
    name: str, aliases: Iterable[str], uscc: str, id_number: str, phones: Iterable[str]
) -> set[tuple[str, str]]:
    """(kind, key) of every value a duplicate could share with this customer."""
    keys = {(NAME, name_key(name))} if name else set()
    keys |= {(ALIAS, name_key(alias)) for alias in aliases if alias}
    keys |= {(PHONE, key) for phone in phones if len(key := phone_key(phone)) >= PHONE_DIGITS}
    if uscc:  # as the validator stores them: upper case
        keys.add((USCC, uscc.upper()))
    if id_number:
        keys.add((ID_NUMBER, id_number.upper()))
    return {(kind, key) for kind, key in keys if key}
