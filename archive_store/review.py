"""Review before a record takes effect (档案审核 … 审核通过后，档案正式生效, POLICY.md).

Each verb takes the system and the acting user, checks who acts and what state the
document is in, changes the row and writes the audit event with before and after in one
transaction, then re-indexes the document after the commit.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, defer, joinedload

from archive_store import access, audit, changes, grants
from archive_store.errors import DossierError, InvalidState, NotAllowed
from archive_store.models import DocStatus, Document, User
from archive_store.search_docs import reindex_after_commit
from archive_store.system import System
from archive_store.viewing import load_document

MAX_VALUE = 2000
MAX_REASON = 1000
_REVIEWER_ONLY = "只有部门负责人审核档案。"


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DossierError("需要填写理由。")
    return reason[:MAX_REASON]


def _pending(doc: Document, *states: str) -> None:
    if doc.status not in states:
        raise InvalidState(f"{doc.doc_no} 当前状态为 {doc.status}，不能执行此操作。")


def _open(session: Session, actor: User, doc_no: str) -> Document:
    doc = load_document(session, doc_no)
    if not access.can_view_document(actor, doc):
        raise NotAllowed("您无权查看此记录。")
    return doc


def approve(system: System, actor: User, doc_no: str) -> None:
    access.require(actor, access.REVIEW_ROLES, _REVIEWER_ONLY)
    with system.db.write() as s:
        doc = _open(s, actor, doc_no)
        _pending(doc, DocStatus.pending_review)
        if changes.waiting_on(s, doc):
            # It would take effect with the value the correction says is wrong.
            raise InvalidState(f"{doc.doc_no} 有待核对的重要信息更正，请先由另一人核对。")
        doc.status = DocStatus.effective
        audit.record(s, actor=actor.username, action="document.approved", object_type="document",
                     object_id=doc.doc_no, before={"status": DocStatus.pending_review},
                     after={"status": DocStatus.effective})
    reindex_after_commit(system, [doc_no])


def return_to_clerk(system: System, actor: User, doc_no: str, reason: str) -> None:
    access.require(actor, access.REVIEW_ROLES, _REVIEWER_ONLY)
    reason = _reason(reason)
    with system.db.write() as s:
        doc = _open(s, actor, doc_no)
        _pending(doc, DocStatus.pending_review)
        before = {"status": doc.status, "review_reasons": list(doc.review_reasons or [])}
        doc.status = DocStatus.returned
        # A new list, so SQLAlchemy sees the JSON column change.
        doc.review_reasons = [*(doc.review_reasons or []), f"退回：{reason}"]
        audit.record(s, actor=actor.username, action="document.returned", object_type="document",
                     object_id=doc.doc_no, before=before,
                     after={"status": doc.status, "review_reasons": doc.review_reasons, "reason": reason})
    reindex_after_commit(system, [doc_no])


def resubmit(system: System, actor: User, doc_no: str) -> None:
    """The clerk sends a returned document, fixed, back to the review queue."""
    access.require(actor, access.CORRECT_ROLES, "只有档案录入员或部门负责人可以重新提交。")
    with system.db.write() as s:
        doc = _open(s, actor, doc_no)
        _pending(doc, DocStatus.returned)
        doc.status = DocStatus.pending_review
        audit.record(s, actor=actor.username, action="document.resubmitted", object_type="document",
                     object_id=doc.doc_no, before={"status": DocStatus.returned},
                     after={"status": DocStatus.pending_review})
    reindex_after_commit(system, [doc_no])


def correct_field(system: System, actor: User, doc_no: str, key: str, value: str, reason: str) -> int | None:
    """A person sets a field; it is marked as set by a person and its problems are cleared.
    An important field's correction waits for a second person: returns that change's id."""
    access.require(actor, access.CORRECT_ROLES, "只有部门负责人或档案录入员可以更正字段。")
    if key not in access.GROUP_OF:
        raise DossierError(f"未知字段 {key!r}")
    reason = _reason(reason)
    value = (value or "").strip()
    if not value:
        raise DossierError("需要填写新值；要删除字段，请将档案退回录入员。")
    if len(value) > MAX_VALUE:
        raise DossierError(f"字段值最多{MAX_VALUE}个字符。")
    with system.db.write() as s:
        doc = _open(s, actor, doc_no)
        _pending(doc, DocStatus.pending_review, DocStatus.returned)
        if not access.can_correct(actor, doc, key, grants.active_grants(s, actor, doc.archive_id)):
            raise NotAllowed("您无权查看该字段，因此不能更正它。")
        old = (doc.fields or {}).get(key)
        if old == value and (doc.field_set_by or {}).get(key) == "person":
            return
        if changes.is_important(system.settings, key) and old != value:
            # 重要信息双人核对: the old value stands until a second person confirms.
            return changes.queue_change(s, actor=actor, archive=doc.archive, document=doc, key=key, old=old,
                                        new=value, reason=reason).id
        cleared = changes.set_document_field(doc, key, value)
        audit.record(s, actor=actor.username, action="document.field_corrected", object_type="document",
                     object_id=doc.doc_no,
                     before={"key": key, "value": old, "problems": cleared},
                     after={"key": key, "value": value, "set_by": "person", "reason": reason})
    reindex_after_commit(system, [doc_no])
    return None


def queue(system: System, actor: User, *, limit: int = 200) -> tuple[list[Document], int]:
    """Pending documents, flagged ones (review reasons or field problems) first, oldest first.

    The flag lives in JSON columns whose emptiness each database tests differently, so
    the ordering is done here on the (small) pending set. Returns the page and the total.
    """
    access.require(actor, access.REVIEW_ROLES, _REVIEWER_ONLY)
    with system.db.read() as s:
        docs = list(s.scalars(
            select(Document).options(joinedload(Document.archive), defer(Document.text))
            .where(Document.status == DocStatus.pending_review)).unique())
    docs.sort(key=lambda d: (not (d.review_reasons or d.field_problems), d.filed_at, d.id))
    return docs[:limit], len(docs)
