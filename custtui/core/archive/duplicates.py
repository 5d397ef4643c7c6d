"""Likely duplicate customers: the same company or person entered twice, found by evidence.

Evidence is a normalised name or alias (``name_key``), a USCC or ID number, or a phone of the
customer or of one of its contacts. The listing keeps these keys in an indexed table
(``index.matchkeys``), so the customers a record may duplicate are found by a few lookups, and
a scan of the whole archive groups the keys two customers share: never pairwise over 100k. A
USCC or ID number in common is *certain* (the same legal entity); the rest is for a person to
judge. Reasons are Chinese sentences with the values the archive's user may see (ID numbers and
phones masked as their policy says).
"""

from __future__ import annotations

import re
from itertools import combinations
from typing import TYPE_CHECKING, NamedTuple

from ..access.policy import CUSTOMER_RECORD, mask_id_number, mask_phone
from ..index.listing import Listing, Summary, phone_book
from ..index.matchkeys import ALIAS, ID_NUMBER, NAME, PHONE_DIGITS, USCC, match_keys, name_key, phone_key

if TYPE_CHECKING:
    from .archive import Archive

__all__ = ["DuplicateFinder", "Suspect", "describe", "name_key", "phone_key"]

# A key more customers than this share (a switchboard, a placeholder number, a common name) is
# no evidence of one duplicate: a lookup does not name them, a scan counts the key in ``crowded``.
CROWDED = 50


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

    def keys(self) -> set[tuple[str, str]]:
        return match_keys(self.name, self.aliases, self.uscc, self.id_number, (p for p, _ in self.phones))


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
    """The customers of an archive at one commit, looked up by the values duplicates share, and
    the customers added since (an import's earlier rows)."""

    def __init__(self, listing: Listing | None, at: str | None, mask_ids: bool = False, mask_phones: bool = False):
        self.listing, self.at = listing, at
        self.mask_ids, self.mask_phones = mask_ids, mask_phones
        self.entries: dict[str, _Entry] = {}  # the customers added, and those the last scan paired
        self.crowded = 0  # keys a scan left out (see CROWDED)
        self._added: dict[tuple[str, str], set[str]] = {}  # the keys of the customers added
        self._added_ids: set[str] = set()

    @classmethod
    def of(cls, archive: Archive, at: str | None = None) -> DuplicateFinder:
        """Every customer at commit ``at``, or at the head when None: each lookup then reads the
        head of the moment (an import committing batch after batch is read without a diff back to
        where it started). Reasons mask what the archive's user may not see, and someone who may
        not view customer records is shown none (the archive still refuses a second USCC or ID)."""
        access = archive.access
        visible = access.can_view(*CUSTOMER_RECORD)
        return cls(
            archive.listing if visible else None,
            at,
            access.masked("id_number"),
            access.masked("phones"),
        )

    def add(self, customer_id: str, record: dict) -> None:
        """A customer created after ``of`` (an import's earlier rows are seen by its later rows)."""
        entry = _entry(record)
        self.entries[customer_id] = entry
        self._added_ids.add(customer_id)
        for key in entry.keys():
            self._added.setdefault(key, set()).add(customer_id)

    def suspects(self, record: dict, other_than: str | None = None) -> list[Suspect]:
        """The customers ``record`` (a record as the Validator returns it) may duplicate: certain
        ones first, then by how much evidence; never ``other_than``."""
        mine = _entry(record)
        keys = mine.keys()
        found = self.listing.matching(keys, self.at) if self.listing is not None and keys else {}
        for key in keys & self._added.keys():
            found[key] = (found.get(key, set()) - self._added_ids) | self._added[key]  # an added ID is as added
        # a key shared by a crowd (a switchboard) names none of them; a USCC or ID number always does
        ids = {cid for key, ids in found.items() if len(ids) <= CROWDED or key[0] in (USCC, ID_NUMBER) for cid in ids}
        ids.discard(other_than)
        listed = [
            suspect
            for cid, theirs in self._read(ids).items()
            if (suspect := self._suspect(mine, cid, theirs)) is not None
        ]
        return sorted(listed, key=lambda s: (not s.certain, -len(s.reasons), s.id))

    def pairs(self) -> list[tuple[str, Suspect]]:
        """Every pair of likely duplicates in the archive (and the customers added) once, as
        (ID, the suspect it pairs with): certain pairs first, then by how much evidence."""
        groups: dict[tuple[str, str], dict[str, set[str]]] = {}  # (namespace, key) -> kind -> IDs
        rows: list[tuple[str, str, str]] = []
        if self.listing is not None:
            rows = self.listing.shared_keys(self.at)
            also = self.listing.matching(set(self._added), self.at) if self._added else {}
            rows += [(kind, key, cid) for (kind, key), ids in also.items() for cid in ids]
        for kind, key, cid in rows:
            if cid not in self._added_ids:
                groups.setdefault((_space(kind), key), {}).setdefault(kind, set()).add(cid)
        for (kind, key), ids in self._added.items():
            groups.setdefault((_space(kind), key), {}).setdefault(kind, set()).update(ids)
        candidates: set[tuple[str, str]] = set()
        for (space, _), kinds in groups.items():
            members = set().union(*kinds.values())
            # two names, or a name and an alias; two aliases only support other evidence
            linked = members if space != NAME else kinds.get(NAME, set())
            if len(members) < 2 or not linked:
                continue
            if len(members) > CROWDED:
                self.crowded += 1
                continue
            for a, b in combinations(sorted(members), 2):
                if a in linked or b in linked:
                    candidates.add((a, b))
        entries = self._read({cid for pair in candidates for cid in pair})
        self.entries.update(entries)
        found = [
            (a, suspect)
            for a, b in candidates
            if a in entries and b in entries and (suspect := self._suspect(entries[a], b, entries[b])) is not None
        ]
        return sorted(found, key=lambda p: (not p[1].certain, -len(p[1].reasons), p[0], p[1].id))

    def _read(self, ids: set[str]) -> dict[str, _Entry]:
        """The entries of ``ids``: as added, else as the listing has them now."""
        found = {cid: self.entries[cid] for cid in ids & self._added_ids}
        if self.listing is not None and ids - found.keys():
            found.update((cid, _entry(s)) for cid, s in self.listing.summaries(ids - found.keys(), self.at).items())
        return found

    def _suspect(self, mine: _Entry, cid: str, theirs: _Entry) -> Suspect | None:
        """Why ``theirs`` may be the customer ``mine`` describes, or None when nothing is
        evidence enough by itself (two aliases in common only support other evidence: a short
        alias such as 明通公司 is shared by unrelated companies of one 字号 in other cities)."""
        reasons: list[str] = []
        certain = bool(mine.uscc and mine.uscc.upper() == theirs.uscc.upper())
        if certain:
            reasons.append(f"统一社会信用代码相同 {mine.uscc}")
        if mine.id_number and mine.id_number.upper() == theirs.id_number.upper():
            certain = True
            reasons.append(f"身份证号相同 {mask_id_number(mine.id_number) if self.mask_ids else mine.id_number}")
        my_name, their_name = name_key(mine.name), name_key(theirs.name)
        my_aliases = [(alias, name_key(alias)) for alias in mine.aliases]
        their_aliases = [(alias, name_key(alias)) for alias in theirs.aliases]
        if mine.name and my_name == their_name:
            reasons.append(
                "名称完全相同" if mine.name == theirs.name else "名称相同 (不计有限公司、集团、括号、全角与空格)"
            )
        reasons += [f"简称「{alias}」与名称相同" for alias, key in my_aliases if key == their_name]
        reasons += [f"名称与对方简称「{alias}」相同" for alias, key in their_aliases if key == my_name]
        phones: list[str] = []
        for phone, contact in mine.phones:
            key = phone_key(phone)
            theirs_here = [c for p, c in theirs.phones if phone_key(p) == key]
            if theirs_here and len(key) >= PHONE_DIGITS:
                names = list(dict.fromkeys(c for c in (contact, *theirs_here) if c))
                who = f" (联系人 {' / '.join(names)})" if names else ""
                phones.append(f"电话相同 {self._phone(phone)}{who}")
        if not reasons and not phones:
            return None
        shared = {key for _, key in their_aliases}
        reasons += [f"简称「{alias}」相同" for alias, key in my_aliases if key in shared]
        return Suspect(cid, theirs.name, tuple(dict.fromkeys(reasons + phones)), certain)

    def _phone(self, phone: str) -> str:
        """A phone as the reader may see it; a mobile in groups (138 1234 5678)."""
        if self.mask_phones:
            return mask_phone(phone)
        return f"{phone[:3]} {phone[3:7]} {phone[7:]}" if re.fullmatch(r"1\d{10}", phone) else phone


def _space(kind: str) -> str:
    """Names and aliases are compared with each other; phones, USCCs and ID numbers each alone."""
    return NAME if kind == ALIAS else kind


def describe(suspects: list[Suspect]) -> str:
    """A warning a person reads before saving: each likely duplicate with its evidence."""
    lines = ["可能与以下已有客户重复:"]
    for suspect in suspects:
        sure = " (同一主体)" if suspect.certain else ""
        lines.append(f"  {suspect.id} {suspect.name}{sure}")
        lines.extend(f"    - {reason}" for reason in suspect.reasons)
    return "\n".join(lines)
