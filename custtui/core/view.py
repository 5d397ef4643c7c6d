"""An archive as one person may see it: records masked, documents and facts filtered by policy.

The command line and the TUI read customers through these functions, so they cannot disagree
about what a person sees; writers use ``Archive`` directly (they need the stored values).
"""

from __future__ import annotations

from .archive import Archive, Document
from .policy import CUSTOMER_RECORD, DEAL_RECORD, NOTE_RECORD, PermissionDenied


def customer(archive: Archive, customer_id: str, at: str | None = None) -> dict:
    access = archive.access
    if not access.can_view(*CUSTOMER_RECORD):
        raise PermissionDenied(f"缺少权限「查看客户档案」: {access.person or '当前用户'} 的角色 {access.label} 不能查看客户档案")
    return access.customer(archive.customer(customer_id, at))


def documents(archive: Archive, customer_id: str, at: str | None = None) -> list[Document]:
    access = archive.access
    return [d for d in archive.documents(customer_id, at) if access.document_visible(d.meta)]


def notes(archive: Archive, customer_id: str, at: str | None = None) -> list[dict]:
    return archive.notes(customer_id, at) if archive.access.can_view(*NOTE_RECORD) else []


def deals(archive: Archive, customer_id: str, at: str | None = None) -> list[dict]:
    access = archive.access
    return [access.deal(d) for d in archive.deals(customer_id, at)] if access.can_view(*DEAL_RECORD) else []
