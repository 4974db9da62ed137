"""Review before a record takes effect (档案审核 … 审核通过后，档案正式生效, POLICY.md).

Each verb takes the system and the acting user, checks who acts and what state the
document is in, changes the row and writes the audit event with before and after in one
transaction, then re-indexes the document after the commit.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from archive_store import access, audit, changes, messages
from archive_store.errors import DossierError, InvalidState, NotAllowed
from archive_store.models import DocStatus, Document, User
from archive_store.search_docs import reindex_after_commit
from archive_store.system import System
from archive_store.viewing import load_document

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


# A code field whose check failed: approving it unread would make a wrong code effective.
FLAGGED_CODES = ("uscc", "id_number")


def flagged_codes(doc: Document) -> list[str]:
    return [k for k in FLAGGED_CODES if (doc.field_problems or {}).get(k)]


def approve(system: System, actor: User, doc_no: str, *, confirmed: bool = False) -> None:
    """A document with an unresolved flagged code is approved only when the reviewer has
    confirmed it (the portal asks)."""
    access.require(actor, access.REVIEW_ROLES, _REVIEWER_ONLY)
    with system.db.write() as s:
        doc = _open(s, actor, doc_no)
        _pending(doc, DocStatus.pending_review)
        if changes.waiting_on(s, doc):
            # It would take effect with the value the correction says is wrong.
            raise InvalidState(f"{doc.doc_no} 有待核对的重要信息更正，请先由另一人核对。")
        if flagged_codes(doc) and not confirmed:
            raise messages.Refused("confirm_flagged_code", fields=", ".join(flagged_codes(doc)))
        approve_in(s, actor, doc)
    reindex_after_commit(system, [doc_no])


def approve_in(s: Session, actor: User, doc: Document) -> None:
    doc.status = DocStatus.effective
    audit.record(s, actor=actor.username, action="document.approved", object_type="document",
                 object_id=doc.doc_no, before={"status": DocStatus.pending_review},
                 after={"status": DocStatus.effective})


def return_to_clerk(system: System, actor: User, doc_no: str, reason: str) -> None:
    access.require(actor, access.REVIEW_ROLES, _REVIEWER_ONLY)
    reason = _reason(reason)
    with system.db.write() as s:
        doc = _open(s, actor, doc_no)
        _pending(doc, DocStatus.pending_review)
        before = {"status": doc.status, "review_reasons": list(doc.review_reasons or [])}
        doc.status = DocStatus.returned
        # A new list, so SQLAlchemy sees the JSON column change.
        doc.review_reasons = [*(doc.review_reasons or []), messages.reason("returned", reason=reason)]
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
