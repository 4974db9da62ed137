"""The lists two people work through: the reviewer's queue (filters, each reason once, bulk
approval of what has nothing open) and the clerk's own pending and returned work.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import defer, joinedload

from archive_store import access, grants, review
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
    codes: set[str]                 # the reasons' categories, for the filter
    open_problems: bool             # anything a person has not settled yet
    flagged_codes: list[str] = field(default_factory=list)


# The reviewer filters by what kind of doubt a reason is, not by each check's own code.
CATEGORIES = ("kind_unknown", "kind_uncertain", "customer_unknown", "required_missing", "proposed_correction",
              "low_confidence", "field_problem", "document_problem")
_PROPOSALS = frozenset({"proposed_correction", "code_proposal", "code_proposal_forced", "phone_proposal",
                        "type_near", "type_cut_short_one", "second_look"})


def category(item: Any) -> str:
    code = code_of(item)
    if code in CATEGORIES:
        return code
    if code in _PROPOSALS:
        return "proposed_correction"
    has_field = isinstance(item, dict) and "field" in (item.get("params") or {})
    return "field_problem" if has_field else "document_problem"


def _key(field: str, item: Any) -> str:
    """What makes two listed reasons the same: the field, the code and the other parameters
    (a field's problem is stored both as a reason and on the field itself)."""
    if not isinstance(item, dict):
        return f"{field}|note|{item}"
    params = {k: v for k, v in (item.get("params") or {}).items() if k != "field"}
    code = item.get("code")
    if code in ("field_problem", "note"):  # a sentence stored before codes: its text is its identity
        code = "note"
    return f"{field}|{code}|{sorted(params.items())}"


def _row(doc: Document, actor: User, held: list) -> QueueRow:
    """The row as `actor` may read it: a reason may quote a value, so each is masked."""
    stored_reasons, stored_problems = access.review_notes(actor, doc, held)
    reasons: list[Any] = []
    seen: set[str] = set()
    for r in stored_reasons:
        field = (r.get("params") or {}).get("field", "") if isinstance(r, dict) else ""
        if (k := _key(field, r)) not in seen:
            seen.add(k)
            reasons.append(r)
    for field, problems in stored_problems.items():
        for p in problems or []:
            item = p if isinstance(p, dict) else {"code": "note", "params": {"detail": str(p)}}
            if (k := _key(field, item)) not in seen:
                seen.add(k)
                reasons.append({"code": item.get("code"), "params": {**(item.get("params") or {}), "field": field}})
    codes = {category(r) for r in reasons}
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
        held = grants.active_grants(s, actor)
        rows = [_row(d, actor, held) for d in s.scalars(query).unique()]
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
                    or _row(doc, actor, []).open_problems):
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
