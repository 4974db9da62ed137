"""The lists two people work through: the reviewer's queue (filters, each reason once, bulk
approval of what has nothing open) and the clerk's own pending and returned work.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import defer, joinedload

from archive_store import access, review
from archive_store.messages import code_of
from archive_store.models import DocStatus, Document, User
from archive_store.search_docs import reindex_after_commit
from archive_store.system import System

_REVIEWER_ONLY = "只有部门负责人审核档案。"
_CLERK_ONLY = "只有档案录入员和部门负责人有待办的录入工作。"
MAX_BULK = 200


@dataclass
class QueueRow:
    doc: Document
    reasons: list[Any]              # stored reasons and field problems, each once
    codes: set[str]                 # the reason codes, for the filter
    open_problems: bool             # anything a person has not settled yet
    flagged_codes: list[str] = field(default_factory=list)


def _row(doc: Document) -> QueueRow:
    reasons: list[Any] = []
    seen: set[str] = set()

    def add(item: Any, key: str) -> None:
        if key not in seen:
            seen.add(key)
            reasons.append(item)

    for r in doc.review_reasons or []:
        params = r.get("params", {}) if isinstance(r, dict) else {}
        # A field problem is stored twice (as a reason and on its field): one line for it.
        add(r, f"{params.get('field', '')}|{params.get('detail', '')}" if code_of(r) == "field_problem"
            else str(r))
    for key, problems in (doc.field_problems or {}).items():
        for p in problems or []:
            detail = p.get("params", {}).get("detail", "") if isinstance(p, dict) else str(p)
            add({"code": "field_problem", "params": {"field": key, "detail": detail}}, f"{key}|{detail}")
    codes = {code_of(r) or "note" for r in reasons}
    return QueueRow(doc, reasons, codes, bool(doc.field_problems) or bool(reasons),
                    review.flagged_codes(doc))


def queue(system: System, actor: User, *, kind: str = "", line: str = "", reason: str = "",
          limit: int = 200) -> tuple[list[QueueRow], int]:
    """Pending documents, flagged first, oldest first, filtered by kind, business line and
    reason code; returns the page and the number that pass the filters."""
    access.require(actor, access.REVIEW_ROLES, _REVIEWER_ONLY)
    with system.db.read() as s:
        query = (select(Document).options(joinedload(Document.archive), defer(Document.text))
                 .where(Document.status == DocStatus.pending_review))
        if kind:
            query = query.where(Document.doc_type == kind)
        rows = [_row(d) for d in s.scalars(query).unique()]
    if line:
        rows = [r for r in rows if r.doc.archive.business_line == line]
    if reason:
        rows = [r for r in rows if reason in r.codes]
    rows.sort(key=lambda r: (not r.open_problems, r.doc.filed_at, r.doc.id))
    return rows[:limit], len(rows)


def bulk_approve(system: System, actor: User, doc_nos: list[str]) -> tuple[list[str], list[str]]:
    """Approve, in one transaction, those of `doc_nos` that are pending with nothing open;
    the others are left for a look one by one. Returns (approved, skipped)."""
    access.require(actor, access.REVIEW_ROLES, _REVIEWER_ONLY)
    wanted = list(dict.fromkeys(doc_nos))[:MAX_BULK]
    approved, skipped = [], []
    with system.db.write() as s:
        docs = {d.doc_no: d for d in s.scalars(select(Document).options(joinedload(Document.archive))
                                               .where(Document.doc_no.in_(wanted)))}
        for no in wanted:
            doc = docs.get(no)
            if (doc is None or doc.status != DocStatus.pending_review or not access.can_view_document(actor, doc)
                    or _row(doc).open_problems):
                skipped.append(no)
                continue
            review.approve_in(s, actor, doc)
            approved.append(no)
    reindex_after_commit(system, approved)
    return approved, skipped


def my_work(system: System, actor: User) -> list[Document]:
    """The clerk's own work still open: every returned document (they come back to the
    desk), and the pending ones this person filed or corrected. Returned first."""
    access.require(actor, access.CORRECT_ROLES, _CLERK_ONLY)
    with system.db.read() as s:
        docs = list(s.scalars(select(Document).options(joinedload(Document.archive), defer(Document.text))
                              .where(Document.status.in_((DocStatus.pending_review, DocStatus.returned)))))

    def mine(d: Document) -> bool:
        return (d.status == DocStatus.returned or d.filed_by == actor.username
                or any(c.get("by") == actor.username for c in (d.field_corrections or {}).values()))

    out = [d for d in docs if mine(d)]
    out.sort(key=lambda d: (d.status != DocStatus.returned, d.filed_at, d.id))
    return out
