"""An archive at a glance: counts by type and stage, documents, history."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..archive.archive import Archive
from ..base.layout import CUSTOMERS_DIR, META_SUFFIX


@dataclass
class Summary:
    name: str
    path: str
    head: str | None
    customers: int
    by_type: dict[str, int]
    by_stage: dict[str, int]
    documents: int
    commits: int
    authors: dict[str, int]

    def as_dict(self) -> dict:
        return dict(self.__dict__)

    def text(self) -> str:
        def counts(data: dict[str, int]) -> str:
            return "  ".join(f"{k} {v}" for k, v in data.items())

        return "\n".join(
            [
                f"档案: {self.name}  ({self.path})",
                f"客户: {self.customers}    资料: {self.documents}    提交: {self.commits}",
                f"按类型: {counts(self.by_type)}",
                f"按阶段: {counts(self.by_stage)}",
                f"经手人: {counts(self.authors)}",
            ]
        )


def summarise(archive: Archive) -> Summary:
    head = archive.head()
    schema = archive.schema()
    customers = archive.customers().values()
    by_type = Counter(schema.label("customer_type", c.get("type", "")) for c in customers)
    by_stage = Counter(schema.label("stage", c.get("stage", "")) for c in customers)
    documents = sum(1 for path, _ in archive.store.files(head, f"{CUSTOMERS_DIR}/") if path.endswith(META_SUFFIX))
    authors = archive.store.git("log", "--format=%an", archive.store.branch_ref).stdout.decode().split("\n")
    author_counts = Counter(a for a in authors if a)
    return Summary(
        archive.archive_name(),
        str(archive.store.path),
        head,
        len(customers),
        dict(by_type.most_common()),
        dict(by_stage.most_common()),
        documents,
        sum(author_counts.values()),
        dict(author_counts.most_common()),
    )
