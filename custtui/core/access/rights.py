"""What a change to each path of the archive requires of the person who makes it.

One rule for local writes and for commits that arrive from another copy, so a change this copy
makes is never refused by another, and a peer cannot do more than its author may do here:

- a customer record, a note, a deal: the edit right for its information type (basic, service,
  cooperation; internal); a document or its metadata: the edit right for the document's
  information type and sensitivity (before and after, when it is reclassified);
- removing a customer, a note, a deal or a document: ``delete`` (a file moved to another customer
  in the same commit, as ``merge-customers`` does, is not removed);
- a box of the paper register (``boxes/``): the edit right for documents of some information type
  (internal), as anyone who files documents has; removing a box: ``delete`` (a destroyed box
  stays registered with its status 已销毁);
- a signed access review (``reviews/``): ``read_access_log`` or ``manage_staff``, who may run the
  review; removing one: ``delete``;
- ``staff/``: ``manage_staff``; ``schema/`` (the policy included) and ``archive.toml``:
  ``edit_schema``; registering a new office: ``sync``; its counter: the customer edit right;
  removing an office: ``delete``.

Changes to staff, schema, the archive settings and access reviews, and removals, are
*privileged*: from another copy they count only when the author is verifiable
(``custtui.core.sync.gate``).
"""

from __future__ import annotations

from typing import Callable, NamedTuple

from ..base.errors import CusttuiError
from ..base.layout import META_SUFFIX, Kind, place
from ..records.records import loads
from .policy import CUSTOMER_RECORD, DEAL_RECORD, NOTE_RECORD, PERMISSIONS, SENSITIVITY, Access


class Change(NamedTuple):
    """One file a commit changes: its blob before and after (None: absent)."""

    path: str
    old: str | None
    new: str | None


class Need(NamedTuple):
    """A right a change requires: a permission, or the edit right for (information type, sensitivity)."""

    what: str  # the change, in Chinese: 删除客户 BJ-000001
    permission: str | None = None
    edit: tuple[str, str] | None = None
    privileged: bool = False
    files_documents: bool = False  # the edit right for documents of any information type (internal)
    instead: tuple[str, ...] = ()  # permissions any one of which does as well as ``permission``

    def _lacks_permission(self, access: Access) -> bool:
        return self.permission is not None and not any(access.may(p) for p in (self.permission, *self.instead))

    def met_by(self, access: Access) -> bool:
        if self._lacks_permission(access):
            return False
        if self.files_documents and not files_documents(access):
            return False
        return self.edit is None or access.can_edit(*self.edit)

    def refusal(self, access: Access) -> str:
        lacking = (
            " 或 ".join(f"「{PERMISSIONS[p]}」({p})" for p in (self.permission, *self.instead) if p)
            if self._lacks_permission(access)
            else f"修改 {self.edit[0]}/{self.edit[1]} 级别的资料"
            if self.edit
            else "「修改资料」(任一信息类型的内部级资料)"
            if self.files_documents
            else ""
        )
        return f"{self.what} 需要权限{lacking}, {access.person or '(未知)'} 的角色 {access.label} 没有"


def files_documents(access: Access) -> bool:
    """Whether ``access`` may edit documents of some information type at the internal level:
    who files documents also keeps the register of the boxes their paper originals are in."""
    return access.unrestricted or any(access.can_edit(t, "internal") for r in access.roles or () for t in r.edit)


# who may run and sign the access review: who reads the access log, or who manages the staff
REVIEW_PERMISSIONS = ("read_access_log", "manage_staff")

_FACTS = {
    Kind.CUSTOMER: (CUSTOMER_RECORD, "客户记录"),
    Kind.NOTE: (NOTE_RECORD, "沟通记录"),
    Kind.DEAL: (DEAL_RECORD, "交易记录"),
}


def needs(changes: list[Change], new_entry: Callable[[str], str | None], read: Callable[[str], bytes]) -> list[Need]:
    """The rights ``changes`` (one commit's) require; ``new_entry(path)`` is the blob at a path
    after the commit, ``read(blob)`` its bytes."""
    written = {c.new for c in changes if c.new}
    moved_documents = {
        c.path
        for c in changes
        if c.new is None and c.old in written and (p := place(c.path)) is not None and p.kind is Kind.DOCUMENT
    }
    result = []
    for change in changes:
        where = place(change.path)
        if where is None:
            continue  # not a path of the archive: the gate refuses it before rights are asked
        removed = change.new is None
        if where.kind in (Kind.STAFF, Kind.SCHEMA, Kind.ARCHIVE):
            permission = "manage_staff" if where.kind is Kind.STAFF else "edit_schema"
            result.append(Need(f"修改{where.kind.value} {change.path}", permission, privileged=True))
        elif where.kind is Kind.BOX:
            if removed:
                result.append(Need(f"删除纸质档案盒 {where.name}", "delete", privileged=True))
            else:
                result.append(Need(f"修改纸质档案盒 {where.name}", files_documents=True))
        elif where.kind is Kind.REVIEW:
            if removed:
                result.append(Need(f"删除权限复核 {where.name}", "delete", privileged=True))
            else:
                first, *others = REVIEW_PERMISSIONS
                result.append(Need(f"签署权限复核 {where.name}", first, privileged=True, instead=tuple(others)))
        elif where.kind is Kind.ERASURE:  # a tombstone is never taken back: removing one needs the same right
            result.append(Need(f"删除客户 {where.customer} 的个人信息", "erase", privileged=True))
        elif where.kind is Kind.OFFICE:
            if removed:
                result.append(Need(f"删除办事处 {where.name}", "delete", privileged=True))
            elif change.old is None:
                result.append(Need(f"登记办事处 {where.name}", "sync"))
            else:
                result.append(Need(f"修改办事处 {where.name} 的编号计数", edit=CUSTOMER_RECORD))
        elif where.kind in _FACTS:
            rights, label = _FACTS[where.kind]
            if removed and change.old not in written:
                result.append(Need(f"删除{label} {change.path}", "delete", privileged=True))
            elif not removed:
                result.append(Need(f"修改{label} {where.customer}", edit=rights))
        else:  # a document or its metadata
            document = change.path.removesuffix(META_SUFFIX)
            if removed and document in moved_documents:
                continue  # moved with its document to another customer
            if removed and where.kind is Kind.DOCUMENT:
                result.append(Need(f"删除资料 {where.customer}/{where.name}", "delete", privileged=True))
                continue
            if removed:
                continue  # metadata removed with its document: one removal, asked above
            metas = [
                _classification(read(blob), change.path)
                for blob in {new_entry(document + META_SUFFIX), change.old if where.kind is Kind.DOC_META else None}
                if blob
            ]
            for info_type, sensitivity in metas or [("other", SENSITIVITY[-1])]:
                result.append(Need(f"修改资料 {where.customer}/{where.name}", edit=(info_type, sensitivity)))
    return result


def _classification(raw: bytes, path: str) -> tuple[str, str]:
    """(information type, sensitivity) of a document's metadata; the strictest when unreadable."""
    try:
        meta = loads(raw, path)
    except CusttuiError:
        return "other", SENSITIVITY[-1]
    info_type, sensitivity = meta.get("info_type"), meta.get("sensitivity")
    if not isinstance(info_type, str) or sensitivity not in SENSITIVITY:
        return "other", SENSITIVITY[-1]
    return info_type, sensitivity


def unmet(access: Access, required: list[Need]) -> list[str]:
    """Refusals, one per right ``access`` lacks (none for an archive without a staff registry)."""
    seen, refusals = set(), []
    for need in required:
        if not need.met_by(access) and need.what not in seen:
            seen.add(need.what)
            refusals.append(need.refusal(access))
    return refusals
