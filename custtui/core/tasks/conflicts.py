"""Open conflicts as one person reads them: numbered within their file (the number
``custtui resolve`` and the sync screen resolve by), fields and values in the standard's Chinese,
who set each side and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..archive.archive import Archive
from ..base.layout import CUSTOMER_FILE, DOCS_DIR, META_SUFFIX
from ..records.schema import Schema
from ..sync.merge import DELETED, conflict_label, conflict_value
from . import view


@dataclass(frozen=True)
class OpenConflict:
    """One open conflict: where it is, its number in its file and the stored conflict."""

    customer_id: str
    name: str
    file: str  # inside the customer folder: customer.toml or docs/<name>.meta.toml
    number: int
    conflict: dict

    @property
    def document(self) -> str | None:
        if self.file == CUSTOMER_FILE:
            return None
        return self.file.removeprefix(f"{DOCS_DIR}/").removesuffix(META_SUFFIX)

    @property
    def key(self) -> str:
        return f"{self.customer_id}\x1f{self.file}\x1f{self.number}"

    @property
    def field(self) -> str:
        return self.conflict.get("field", "")

    @property
    def deletion(self) -> bool:
        return self.field == DELETED

    def label(self, schema: Schema) -> str:
        """The field in Chinese (联系人 曾小贤 · 电话), or what a deletion conflict is about."""
        return conflict_label(schema, self.field, self.document is not None)

    def value_text(self, schema: Schema, side: str) -> str:
        """The value of ``side`` (``kept`` or ``other``) as people read it; (空) for nothing."""
        return conflict_value(schema, self.field, self.conflict.get(side), self.document is not None)

    def who(self, side: str, short: bool = False) -> str:
        """Who set ``side``'s value and when (``short``: the day only)."""
        when = when_text(self.conflict.get(f"{side}_at"))
        return " ".join(x for x in (self.conflict.get(f"{side}_by", ""), when[:10] if short else when) if x)

    def line(self, schema: Schema) -> str:
        """The conflict on one line, as ``custtui conflicts`` prints it."""
        where = f" 资料 {self.document}" if self.document else ""
        return (
            f"{self.customer_id} {self.name}{where} #{self.number} {self.label(schema)}: "
            f"当前 {self.value_text(schema, 'kept')} ({self.who('kept')}) / "
            f"另一方 {self.value_text(schema, 'other')} ({self.who('other')})"
        )


def when_text(stamp: Any) -> str:
    """A stored time as people read it: 2024-05-06 14:03."""
    if isinstance(stamp, datetime):
        return f"{stamp:%Y-%m-%d %H:%M}"
    text = str(stamp or "")
    try:
        return f"{datetime.fromisoformat(text):%Y-%m-%d %H:%M}"
    except ValueError:
        return text


def open_conflicts(archive: Archive, customer_id: str | None = None) -> list[OpenConflict]:
    """Every open conflict this person may see (of one customer, or all), numbered in its file."""
    listed = archive.customers()
    numbers: dict[tuple[str, str], int] = {}
    found = []
    for cid, file, conflict in view.conflicts(archive, customer_id):
        numbers[(cid, file)] = numbers.get((cid, file), 0) + 1
        name = listed[cid].get("name", "") if cid in listed else ""
        found.append(OpenConflict(cid, name, file, numbers[(cid, file)], conflict))
    return found
