"""Review before a record takes effect (档案审核 … 审核通过后，档案正式生效, POLICY.md).

Each verb checks who acts and what state the document is in, changes the row and writes
the audit event with before and after, all in the caller's write transaction. Re-indexing
is the caller's job, after the commit (the index is never written inside a transaction).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer, joinedload

from archive_store import access, audit
from archive_store.errors import DossierError, InvalidState, NotAllowed
from archive_store.models import DocStatus, Document, User

MAX_VALUE = 2000
MAX_REASON = 1000


def _check_reviewer(actor: User) -> None:
    if actor.role not in access.REVIEW_ROLES or not actor.active:
        raise NotAllowed("only a department head reviews records")


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DossierError("a reason is needed")
    return reason[:MAX_REASON]


def approve(session: Session, *, actor: User, doc: Document) -> None:
    _check_reviewer(actor)
    if doc.status != DocStatus.pending_review:
        raise InvalidState(f"{doc.doc_no} is {doc.status}, not pending review")
    doc.status = DocStatus.effective
    audit.record(session, actor=actor.username, action="document.approved", object_type="document",
                 object_id=doc.doc_no, before={"status": DocStatus.pending_review},
                 after={"status": DocStatus.effective})


def return_to_clerk(session: Session, *, actor: User, doc: Document, reason: str) -> None:
    _check_reviewer(actor)
    reason = _reason(reason)
    if doc.status != DocStatus.pending_review:
        raise InvalidState(f"{doc.doc_no} is {doc.status}, not pending review")
    before = {"status": doc.status, "review_reasons": list(doc.review_reasons or [])}
    doc.status = DocStatus.returned
    # A new list, so SQLAlchemy sees the JSON column change.
    doc.review_reasons = [*(doc.review_reasons or []), f"退回：{reason}"]
    audit.record(session, actor=actor.username, action="document.returned", object_type="document",
                 object_id=doc.doc_no, before=before,
                 after={"status": doc.status, "review_reasons": doc.review_reasons, "reason": reason})


def resubmit(session: Session, *, actor: User, doc: Document) -> None:
    """The clerk sends a returned document, fixed, back to the review queue."""
    if actor.role not in access.CORRECT_ROLES:
        raise NotAllowed("only a clerk or a department head resubmits a record")
    if doc.status != DocStatus.returned:
        raise InvalidState(f"{doc.doc_no} is {doc.status}, not returned")
    doc.status = DocStatus.pending_review
    audit.record(session, actor=actor.username, action="document.resubmitted", object_type="document",
                 object_id=doc.doc_no, before={"status": DocStatus.returned},
                 after={"status": DocStatus.pending_review})


def correct_field(session: Session, *, actor: User, doc: Document, key: str, value: str,
                  reason: str, grants: list[Any] | None = None) -> None:
    """A person sets a field; it is marked as set by a person and its problems are cleared."""
    if actor.role not in access.CORRECT_ROLES or not actor.active:
        raise NotAllowed("only a department head or a clerk corrects a field")
    if doc.status not in (DocStatus.pending_review, DocStatus.returned):
        raise InvalidState(f"{doc.doc_no} is {doc.status}: only records under review are corrected")
    if key not in access.GROUP_OF:
        raise DossierError(f"unknown field {key!r}")
    if not access.can_correct(actor, doc, key, grants or []):
        raise NotAllowed("you may not see that field, so you may not correct it")
    reason = _reason(reason)
    value = (value or "").strip()
    if not value:
        raise DossierError("a value is needed; to remove a field, return the record to the clerk")
    if len(value) > MAX_VALUE:
        raise DossierError(f"a value is at most {MAX_VALUE} characters")
    old = (doc.fields or {}).get(key)
    if old == value and (doc.field_set_by or {}).get(key) == "person":
        return
    # Assign new dicts: in-place changes to a JSON column are not tracked.
    doc.fields = {**(doc.fields or {}), key: value}
    doc.field_set_by = {**(doc.field_set_by or {}), key: "person"}
    doc.field_confidence = {**(doc.field_confidence or {}), key: 1.0}
    problems = dict(doc.field_problems or {})
    cleared = problems.pop(key, None)
    doc.field_problems = problems
    audit.record(session, actor=actor.username, action="document.field_corrected", object_type="document",
                 object_id=doc.doc_no,
                 before={"key": key, "value": old, "problems": cleared},
                 after={"key": key, "value": value, "set_by": "person", "reason": reason})


def queue(session: Session, *, limit: int = 200) -> tuple[list[Document], int]:
    """Pending documents, flagged ones (review reasons or field problems) first, oldest first.

    The flag lives in JSON columns whose emptiness each database tests differently, so
    the ordering is done here on the (small) pending set. Returns the page and the total.
    """
    docs = list(session.scalars(
        select(Document).options(joinedload(Document.archive), defer(Document.text))
        .where(Document.status == DocStatus.pending_review)).unique())
    docs.sort(key=lambda d: (not (d.review_reasons or d.field_problems), d.filed_at, d.id))
    return docs[:limit], len(docs)
