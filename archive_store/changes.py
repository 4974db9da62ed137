"""The two-person check (重要信息双人核对, POLICY.md "Important entries are checked by two
people"): a person's change to an important field waits here until a second person
confirms it; until then the record keeps its old value.

The settings name the important fields (`[rules] important_fields`). Both ways a person
changes a value come through here: an archive edit (archives.edit, for the archive's own
USCC or ID number) and a reviewer's correction of a document's field (corrections.correct_field).
It is its own module, not part of archives.py, so that review.py can call it without
importing the archive verbs (which import review's neighbours).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive_store import access, audit, grants
from archive_store.errors import DossierError, InvalidState, NotAllowed, NotFound
from archive_store.models import Archive, Document, PendingChange, Role, User, utcnow
from archive_store.search_docs import reindex_after_commit
from archive_store.settings import Settings
from archive_store.system import System

# The second person: someone who keeps the records themselves (they see every non-core
# field). Staff may propose through an edit, but do not check each other's entries.
CHECK_ROLES = frozenset({Role.clerk, Role.dept_head, Role.archive_manager, Role.leader})
LIST_ROLES = CHECK_ROLES | {access.OPERATOR}
# Staff who may propose through an archive edit (archives.EDIT_ROLES) may withdraw their own.
_PROPOSER_ROLES = frozenset({Role.sales, Role.service, Role.marketing})


def is_important(settings: Settings, key: str) -> bool:
    return key in settings.rules.important_fields


def queue_change(session: Session, *, actor: User, archive: Archive, document: Document | None, key: str,
                 old: str | None, new: str, reason: str = "") -> PendingChange:
    """Inside the proposer's transaction: the change waits; the record is not touched."""
    waiting = session.scalar(select(PendingChange).where(
        PendingChange.state == "pending", PendingChange.archive_id == archive.id, PendingChange.key == key,
        (PendingChange.document_id == document.id) if document is not None else PendingChange.document_id.is_(None)))
    if waiting is not None:
        # Two waiting values for one field would leave the checker choosing between them.
        raise InvalidState(f"该字段已有一项待核对的更改（编号 {waiting.id}），请先核对或驳回。")
    row = PendingChange(archive_id=archive.id, document_id=document.id if document is not None else None,
                        key=key, old_value=None if old is None else str(old), new_value=new, reason=reason[:1000],
                        proposed_by=actor.username, proposed_at=utcnow())
    session.add(row)
    session.flush()
    audit.record(session, actor=actor.username, action="change.proposed", object_type=_type(document),
                 object_id=_object_no(archive, document),
                 before={"key": key, "value": row.old_value},
                 after={"key": key, "value": new, "change": row.id, "reason": row.reason})
    return row


@dataclass(frozen=True)
class ChangeRow:
    id: int
    object_no: str       # the archive or document number
    archive_no: str
    key: str
    old_value: str | None
    new_value: str
    reason: str
    state: str
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    masked: bool         # the values are core-secret and this user may not see them


def list_changes(system: System, actor: User, *, state: str = "pending") -> list[ChangeRow]:
    access.require(actor, LIST_ROLES, "只有档案管理人员可以查看待核对的更改。")
    with system.db.read() as s:
        rows = list(s.scalars(select(PendingChange).where(PendingChange.state == state)
                              .order_by(PendingChange.id)))
        out = []
        for row in rows:
            archive, doc = s.get(Archive, row.archive_id), s.get(Document, row.document_id) if row.document_id else None
            masked = not _sees(s, actor, archive, row.key)
            out.append(ChangeRow(
                id=row.id, object_no=_object_no(archive, doc), archive_no=archive.archive_no, key=row.key,
                old_value="■■■" if masked and row.old_value else row.old_value,
                new_value="■■■" if masked else row.new_value, reason=row.reason, state=row.state,
                proposed_by=row.proposed_by, proposed_at=row.proposed_at, decided_by=row.decided_by,
                masked=masked))
    return out


def confirm(system: System, actor: User, change_id: int) -> str:
    """A second person confirms: the new value takes effect. Returns the record's number."""
    access.require(actor, CHECK_ROLES, "只有档案录入员、部门负责人、档案管理员或分管领导可以核对重要信息。")
    reindex: list[str] = []
    with system.db.write() as s:
        row, archive, doc = _load(s, change_id)
        if row.proposed_by == actor.username:
            raise NotAllowed("不能核对自己提出的更改，请由另一人确认。")
        if not _sees(s, actor, archive, row.key):
            raise NotAllowed("您无权查看该字段，因此不能核对它。")
        from archive_store.archives import _check_editable  # archives imports this module

        _check_editable(s, archive)
        if doc is not None and doc.status == "destroyed":
            raise InvalidState(f"{doc.doc_no} 已销毁，不能更改。")
        if doc is not None:
            from archive_store import retention

            retention.check_not_held(s, doc, "更改")
        current = _current(archive, doc, row.key)
        if current != row.old_value:
            # Someone changed it since: confirming now would overwrite a value the
            # proposer never saw.
            raise InvalidState(f"该字段已被改为 {current!r}，此更改已过时，请驳回后重新提出。")
        if doc is not None:
            from archive_store.corrections import apply_field  # corrections imports this module

            apply_field(doc, row.key, row.new_value, actor)
            reindex = [doc.doc_no]
        else:
            setattr(archive, row.key, row.new_value)
            reindex = [d.doc_no for d in archive.documents]  # the index carries the archive's codes
        row.state, row.decided_by, row.decided_at = "confirmed", actor.username, utcnow()
        audit.record(s, actor=actor.username, action="change.confirmed", object_type=_type(doc),
                     object_id=_object_no(archive, doc),
                     before={"key": row.key, "value": row.old_value},
                     after={"key": row.key, "value": row.new_value, "change": row.id,
                            "proposed_by": row.proposed_by, "set_by": "person"})
        number = _object_no(archive, doc)
    reindex_after_commit(system, reindex)
    return number


def reject(system: System, actor: User, change_id: int, reason: str) -> None:
    """The second person refuses the change (or the proposer withdraws it): the old value stays."""
    access.require(actor, CHECK_ROLES | _PROPOSER_ROLES, "只有档案管理人员可以驳回待核对的更改。")
    reason = (reason or "").strip()
    if not reason:
        raise DossierError("需要填写理由。")
    with system.db.write() as s:
        row, archive, doc = _load(s, change_id)
        if row.proposed_by != actor.username and actor.role not in CHECK_ROLES:
            raise NotAllowed("只能撤回自己提出的更改。")
        row.state, row.decided_by, row.decided_at = "rejected", actor.username, utcnow()
        audit.record(s, actor=actor.username, action="change.rejected", object_type=_type(doc),
                     object_id=_object_no(archive, doc),
                     after={"key": row.key, "change": row.id, "reason": reason[:1000]})


def waiting_on(session: Session, doc: Document) -> int:
    """How many changes wait on this document: it does not take effect with them open."""
    return session.scalar(select(func.count()).select_from(PendingChange).where(
        PendingChange.document_id == doc.id, PendingChange.state == "pending")) or 0


def pending_for(session: Session, archive: Archive) -> int:
    """How many changes wait on this archive or its documents."""
    return session.scalar(select(func.count()).select_from(PendingChange).where(
        PendingChange.archive_id == archive.id, PendingChange.state == "pending")) or 0


# --- helpers ------------------------------------------------------------------------------

def _load(s: Session, change_id: int) -> tuple[PendingChange, Archive, Document | None]:
    row = s.get(PendingChange, change_id)
    if row is None:
        raise NotFound(f"没有待核对的更改 {change_id}。")
    if row.state != "pending":
        raise InvalidState(f"更改 {change_id} 已处理（{row.state}）。")
    doc = s.get(Document, row.document_id) if row.document_id else None
    # A document may have moved with a merge since: its archive now is the one that counts.
    archive = doc.archive if doc is not None else s.get(Archive, row.archive_id)
    return row, archive, doc


def _sees(s: Session, actor: User, archive: Archive, key: str) -> bool:
    if access.group_of(key) in access.role_access(actor.role).groups:
        return True
    return actor.id is not None and bool(grants.active_grants(s, actor, archive.id))


def _current(archive: Archive, doc: Document | None, key: str) -> str | None:
    value = (doc.fields or {}).get(key) if doc is not None else getattr(archive, key)
    return None if value is None else str(value)


def _type(doc: Document | None) -> str:
    return "document" if doc is not None else "archive"


def _object_no(archive: Archive, doc: Document | None) -> str:
    return doc.doc_no if doc is not None else archive.archive_no
