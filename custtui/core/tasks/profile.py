"""Everything about one customer at one commit, arranged the way people read a file folder."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..archive.archive import Archive, Document
from ..records.schema import Schema
from . import view


@dataclass
class Filed:
    """A document as it appears in one category: with its attachments, and whether it is filed
    here only as a cross-reference (``also_in``) while its bytes live under another category."""

    document: Document
    attachments: list[Document] = field(default_factory=list)
    cross_reference: bool = False


@dataclass
class Profile:
    commit: str
    record: dict
    notes: list[dict]
    deals: list[dict]
    documents: list[Document]

    @classmethod
    def load(cls, archive: Archive, customer_id: str, at: str | None = None) -> "Profile":
        shown = view.folder(archive, customer_id, at)
        return cls(
            shown.commit,
            shown.record,
            sorted(shown.notes, key=lambda n: n["time"], reverse=True),
            sorted(shown.deals, key=lambda d: d["date"], reverse=True),
            shown.documents,
        )

    @property
    def customer_id(self) -> str:
        return self.record["id"]

    def categories(self, schema: Schema) -> list[tuple[str, list[Filed]]]:
        """(information type label, filed documents) in the standard's order, empty types left out.

        An attachment (``main`` set) sits under its main document; a main document that is not in
        the archive leaves its attachment standing on its own."""
        names = {d.name for d in self.documents}
        attachments: dict[str, list[Document]] = {}
        for doc in self.documents:
            if doc.meta.get("main") in names:
                attachments.setdefault(doc.meta["main"], []).append(doc)
        grouped: dict[str, list[Filed]] = {}
        for doc in self.documents:
            if doc.meta.get("main") in names:
                continue
            own = doc.meta.get("info_type", "other")
            grouped.setdefault(own, []).append(Filed(doc, attachments.get(doc.name, [])))
            for code in doc.meta.get("also_in", []):
                info = code if code in schema.info_types else getattr(schema.doc_types.get(code), "info_type", None)
                if info and info != own:
                    grouped.setdefault(info, []).append(Filed(doc, [], cross_reference=True))
        return [
            (info.label, sorted(grouped[code], key=lambda f: str(f.document.meta.get("date", "")), reverse=True))
            for code, info in schema.info_types.items()
            if code in grouped
        ]
