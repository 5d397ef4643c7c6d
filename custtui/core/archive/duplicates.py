"""Likely duplicate customers: the same company or person entered twice, found by evidence.

Evidence is a normalised name or alias (``name_key``), a USCC or ID number, or a phone of the
customer or of one of its contacts. Matching goes through dicts keyed by those values (built
once from the listing, whose summary carries every phone as ``phone_book``), never pairwise,
so 100k customers cost one pass. A USCC or ID number in common is *certain* (the same legal
entity); the rest is for a person to judge. Reasons are Chinese sentences with the values the
archive's user may see (ID numbers and phones masked as their policy says).
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, NamedTuple

from ..access.policy import CUSTOMER_RECORD, mask_id_number, mask_phone
from ..index.listing import Summary, phone_book

if TYPE_CHECKING:
    from .archive import Archive

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
_PHONE_DIGITS = 7  # fewer digits is no phone number to compare


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
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", phone))


class Suspect(NamedTuple):
    """An existing customer that may be the same as the one at hand, and why."""

    id: str
    name: str
    reasons: tuple[str, ...]
    certain: bool  # the same USCC or ID number: the same legal entity


class _Entry(NamedTuple):
    """What duplicates compare of one customer."""

    name: str
    aliases: tuple[str, ...]
    uscc: str
    id_number: str
    phones: tuple[tuple[str, str], ...]  # (phone as stored, contact name or "")


def _entry(record: dict | Summary) -> _Entry:
    """The compared parts of a record dict or a listing ``Summary``."""
    if isinstance(record, Summary):
        name, aliases, uscc, id_number, book = record.fields("name", "aliases", "uscc", "id_number", "phone_book")
    else:
        name, aliases, uscc, id_number = (record.get(k) for k in ("name", "aliases", "uscc", "id_number"))
        book = phone_book(record)
    return _Entry(
        str(name or ""),
        tuple(str(a) for a in (aliases if isinstance(aliases, list) else [aliases]) if a),
        str(uscc or ""),
        str(id_number or ""),
        tuple((phone, contact) for phone, _, contact in (item.partition(" ") for item in book or ())),
    )


class DuplicateFinder:
    """Every customer of an archive at one commit, indexed by the values duplicates share."""

    def __init__(self, mask_ids: bool = False, mask_phones: bool = False):
        self.mask_ids, self.mask_phones = mask_ids, mask_phones
        self.entries: dict[str, _Entry] = {}
        self._name_keys: dict[str, tuple[str, tuple[str, ...]]] = {}  # name_key of name, of each alias
        self._by_name: dict[str, set[str]] = {}
        self._by_phone: dict[str, set[str]] = {}
        self._by_uscc: dict[str, set[str]] = {}
        self._by_id_number: dict[str, set[str]] = {}

    @classmethod
    def of(cls, archive: Archive, at: str | None = None) -> DuplicateFinder:
        """Every customer at commit ``at`` (the head when None), read from the listing; reasons
        mask what the archive's user may not see, and someone who may not view customer records
        is shown none (the archive still refuses a second USCC or ID number)."""
        access = archive.access
        finder = cls(access.masked("id_number"), access.masked("phones"))
        if not access.can_view(*CUSTOMER_RECORD):
            return finder
        for cid, summary in archive.customers(at).items():
            finder._index(cid, _entry(summary))
        return finder

    def add(self, customer_id: str, record: dict) -> None:
        """A customer created after ``of`` (an import's earlier rows are seen by its later rows)."""
        self._index(customer_id, _entry(record))

    def _index(self, cid: str, entry: _Entry) -> None:
        self.entries[cid] = entry
        self._name_keys[cid] = name_key(entry.name), tuple(name_key(a) for a in entry.aliases)
        for key in (self._name_keys[cid][0], *self._name_keys[cid][1]):
            if key:
                self._by_name.setdefault(key, set()).add(cid)
        for phone, _ in entry.phones:
            if len(key := phone_key(phone)) >= _PHONE_DIGITS:
                self._by_phone.setdefault(key, set()).add(cid)
        if entry.uscc:
            self._by_uscc.setdefault(entry.uscc, set()).add(cid)
        if entry.id_number:
            self._by_id_number.setdefault(entry.id_number.upper(), set()).add(cid)

    def suspects(self, record: dict, other_than: str | None = None) -> list[Suspect]:
        """The customers ``record`` (a record as the Validator returns it) may duplicate: certain
        ones first, then by how much evidence; never ``other_than``."""
        return self._suspects(_entry(record), other_than)

    def _suspects(self, entry: _Entry, other_than: str | None) -> list[Suspect]:
        reasons: dict[str, list[str]] = {}
        certain: set[str] = set()
        enough: set[str] = set()

        def found(ids: set[str] | None, reason: str, sure: bool = False, alone: bool = True) -> None:
            """``alone``: evidence enough by itself to name the customer, else only supporting."""
            for cid in ids or ():
                if cid != other_than:
                    reasons.setdefault(cid, [])
                    if reason not in reasons[cid]:
                        reasons[cid].append(reason)
                    if sure:
                        certain.add(cid)
                    if alone:
                        enough.add(cid)

        if entry.uscc:
            found(self._by_uscc.get(entry.uscc), f"统一社会信用代码相同 {entry.uscc}", True)
        if entry.id_number:
            shown = mask_id_number(entry.id_number) if self.mask_ids else entry.id_number
            found(self._by_id_number.get(entry.id_number.upper()), f"身份证号相同 {shown}", True)
        self._names(entry, found)
        for phone, contact in entry.phones:
            if len(key := phone_key(phone)) < _PHONE_DIGITS:
                continue
            for cid in self._by_phone.get(key, ()):
                theirs = [c for p, c in self.entries[cid].phones if phone_key(p) == key and c]
                names = list(dict.fromkeys([contact, *theirs] if contact else theirs))
                who = f" (联系人 {' / '.join(names)})" if names else ""
                found({cid}, f"电话相同 {self._phone(phone)}{who}")
        listed = [
            Suspect(cid, self.entries[cid].name, tuple(why), cid in certain)
            for cid, why in reasons.items()
            if cid in enough
        ]
        return sorted(listed, key=lambda s: (not s.certain, -len(s.reasons), s.id))

    def _phone(self, phone: str) -> str:
        """A phone as the reader may see it; a mobile in groups (138 1234 5678)."""
        if self.mask_phones:
            return mask_phone(phone)
        return f"{phone[:3]} {phone[3:7]} {phone[7:]}" if re.fullmatch(r"1\d{10}", phone) else phone

    def _names(self, entry: _Entry, found) -> None:
        """Reasons from names and aliases: whose name or alias matches whose."""
        mine = [(entry.name, False), *((a, True) for a in entry.aliases)]
        for text, is_alias in mine:
            key = name_key(text)
            for cid in self._by_name.get(key, ()):
                other, (their_name, their_aliases) = self.entries[cid], self._name_keys[cid]
                if their_name == key:
                    if is_alias:
                        found({cid}, f"简称「{text}」与名称相同")
                    elif text == other.name:
                        found({cid}, "名称完全相同")
                    else:
                        found({cid}, "名称相同 (不计有限公司、集团、括号、全角与空格)")
                for alias, alias_key in zip(other.aliases, their_aliases, strict=True):
                    if alias_key == key and is_alias:
                        # only supporting: a short alias (明通公司) is shared by unrelated companies
                        # of one 字号 in other cities (18 customers of the 10k sample share one)
                        found({cid}, f"简称「{text}」相同", alone=False)
                    elif alias_key == key:
                        found({cid}, f"名称与对方简称「{alias}」相同")

    def pairs(self) -> list[tuple[str, Suspect]]:
        """Every pair of likely duplicates in the archive once, as (ID, the suspect it pairs
        with): certain pairs first, then by how much evidence, then by ID."""
        found = [
            (cid, suspect)
            for cid, entry in self.entries.items()
            for suspect in self._suspects(entry, cid)
            if cid < suspect.id
        ]
        return sorted(found, key=lambda p: (not p[1].certain, -len(p[1].reasons), p[0], p[1].id))


def describe(suspects: list[Suspect]) -> str:
    """A warning a person reads before saving: each likely duplicate with its evidence."""
    lines = ["可能与以下已有客户重复:"]
    for suspect in suspects:
        sure = " (同一主体)" if suspect.certain else ""
        lines.append(f"  {suspect.id} {suspect.name}{sure}")
        lines.extend(f"    - {reason}" for reason in suspect.reasons)
    return "\n".join(lines)
