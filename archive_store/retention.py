"""Retention: how long each kind of document is kept, when it falls due, and legal holds.

POLICY.md "Retention and destruction": archives are kept N years after the business
relationship ends (important ones longer); archives in a legal dispute are kept until it
is settled. Following Alfresco's disposition schedules, the due date is computed and
stored on each document, and recomputed when a rule changes, so the due list is one
indexed query. A hold freezes everything under it; a held document is reported (on the
due list, in a batch), never skipped silently.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from archive_store import access, audit
from archive_store.errors import DossierError, InvalidState, NotFound
from archive_store.models import (Archive, BatchStatus, DisposalBatch, DisposalItem, DocStatus, Document,
                                  LegalHold, RetentionRule, Role, User, utcnow)
from archive_store.system import System

TRIGGERS = ("relationship_end", "document_date", "filing")
TRIGGER_LABELS = {"relationship_end": "业务关系终止之日", "document_date": "文件形成日期", "filing": "归档之日"}
GRADES = ("A", "B", "C")
PERMANENT = "permanent"
MAX_YEARS = 200
MAX_REASON = 1000

RULE_ROLES = frozenset({Role.archive_manager})
HOLD_ROLES = frozenset({Role.archive_manager, Role.leader})
# Those who plan or approve destruction read the due list and the holds; so does the
# console (`dossier retention due` without --as): whoever runs it holds the data folder.
READ_ROLES = frozenset({Role.archive_manager, Role.dept_head, Role.leader, access.OPERATOR})


# --- rules and due dates -------------------------------------------------------------------

def class_code(years: int | None) -> str:
    return PERMANENT if years is None else f"{years}y"


def class_label(code: str | None) -> str:
    """永久 / 10年 / 未定 (no rule applies)."""
    if not code:
        return "未定"
    return "永久" if code == PERMANENT else f"{code[:-1]}年"


def add_years(start: date, years: int) -> date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February in a year that has none: the day before
        return start.replace(year=start.year + years, day=28)


def trigger_date(doc: Document, archive: Archive, trigger: str) -> date | None:
    """The day the clock starts, or None while it is unknown (a relationship not yet ended)."""
    if trigger == "relationship_end":
        return archive.relationship_end
    if trigger == "document_date":
        return doc.issue_date
    return doc.filed_at.date() if doc.filed_at else None


def _pick(rules: dict[tuple[str, str | None], RetentionRule], doc_type: str, grade: str | None) -> RetentionRule | None:
    # A rule for the customer's grade wins over the kind's general rule.
    return rules.get((doc_type, grade)) or rules.get((doc_type, None))


def _rules(session: Session) -> dict[tuple[str, str | None], RetentionRule]:
    return {(r.doc_type, r.grade): r for r in session.scalars(select(RetentionRule))}


def _apply(doc: Document, rule: RetentionRule | None) -> bool:
    """Set the document's class and due date from `rule`; True if anything changed."""
    if rule is None:
        new = (None, None, None)
    else:
        start = trigger_date(doc, doc.archive, rule.trigger)
        due = None if rule.years is None or start is None else add_years(start, rule.years)
        new = (class_code(rule.years), rule.id, due)
    old = (doc.retention_class, doc.retention_rule_id, doc.retention_due)
    if new == old:
        return False
    doc.retention_class, doc.retention_rule_id, doc.retention_due = new
    return True


def assign(session: Session, doc: Document) -> None:
    """Give a newly filed document its class and due date (called inside the filing transaction)."""
    _apply(doc, _pick(_rules(session), doc.doc_type, doc.archive.grade))


def recompute(session: Session, docs: Iterable[Document]) -> int:
    """Recompute class and due date of `docs` (archive loaded); returns how many changed.

    Call it inside the transaction that changes what a due date depends on: a rule, an
    archive's grade or relationship end date, a document's date or kind.
    """
    rules = _rules(session)
    return sum(_apply(d, _pick(rules, d.doc_type, d.archive.grade)) for d in docs)


def recompute_archive(session: Session, archive: Archive) -> int:
    docs = session.scalars(select(Document).options(joinedload(Document.archive))
                           .where(Document.archive_id == archive.id, Document.status != DocStatus.destroyed))
    return recompute(session, docs)


def _rule_json(rule: RetentionRule | None) -> dict | None:
    if rule is None:
        return None
    return {"doc_type": rule.doc_type, "grade": rule.grade, "class": class_code(rule.years), "trigger": rule.trigger}


def parse_years(value: str | int | None) -> int | None:
    """`permanent` (or 永久) is None; otherwise whole years, 0 meaning due at once."""
    if isinstance(value, str) and value.strip().lower() in (PERMANENT, "永久"):
        return None
    try:
        years = int(str(value).strip())
    except ValueError:
        raise DossierError(f"保管期限应为年数或 permanent（永久），而不是 {value!r}。") from None
    if not 0 <= years <= MAX_YEARS:
        raise DossierError(f"保管年限应在0至{MAX_YEARS}年之间。")
    return years


def set_rule(system: System, actor: User, *, doc_type: str, grade: str | None, years: int | None,
             trigger: str) -> int:
    """Create or change the rule for a kind (and grade); every document it governs is recomputed."""
    access.require(actor, RULE_ROLES, "只有档案管理员可以设定保管期限规则。")
    if doc_type not in access.DOC_KINDS:
        raise DossierError(f"未知的文件类型 {doc_type!r}；可选：{', '.join(access.DOC_KINDS)}。")
    grade = (grade or "").strip().upper() or None
    if grade is not None and grade not in GRADES:
        raise DossierError("客户等级应为 A、B 或 C。")
    if trigger not in TRIGGERS:
        raise DossierError(f"未知的起算点 {trigger!r}；可选：{', '.join(TRIGGERS)}。")
    if years is not None and not 0 <= years <= MAX_YEARS:
        raise DossierError(f"保管年限应在0至{MAX_YEARS}年之间。")
    with system.db.write() as s:
        rule = s.scalar(select(RetentionRule).where(RetentionRule.doc_type == doc_type,
                                                    RetentionRule.grade.is_(None) if grade is None
                                                    else RetentionRule.grade == grade))
        before = _rule_json(rule)
        if rule is None:
            rule = RetentionRule(doc_type=doc_type, grade=grade, years=years, trigger=trigger,
                                 set_by=actor.username, set_at=utcnow())
            s.add(rule)
        else:
            rule.years, rule.trigger, rule.set_by, rule.set_at = years, trigger, actor.username, utcnow()
        s.flush()
        docs = list(s.scalars(select(Document).options(joinedload(Document.archive))
                              .where(Document.doc_type == doc_type, Document.status != DocStatus.destroyed)))
        changed = recompute(s, docs)
        audit.record(s, actor=actor.username, action="retention.rule_set", object_type="retention_rule",
                     object_id=f"{doc_type}/{grade or '*'}", before=before,
                     after=_rule_json(rule) | {"documents": len(docs), "changed": changed})
        return rule.id


@dataclass(frozen=True)
class RuleRow:
    id: int
    doc_type: str
    grade: str | None
    years: int | None
    trigger: str
    set_by: str
    set_at: object

    @property
    def label(self) -> str:
        return class_label(class_code(self.years))


def list_rules(system: System, actor: User) -> list[RuleRow]:
    access.require(actor, READ_ROLES, "您的角色无权查看保管期限规则。")
    with system.db.read() as s:
        rules = s.scalars(select(RetentionRule).order_by(RetentionRule.doc_type, RetentionRule.grade))
        return [RuleRow(r.id, r.doc_type, r.grade, r.years, r.trigger, r.set_by, r.set_at) for r in rules]


# --- the due list --------------------------------------------------------------------------

@dataclass(frozen=True)
class DueRow:
    doc_no: str
    archive_no: str
    customer: str | None
    doc_type: str
    retention_class: str
    due: date
    holds: tuple[int, ...]       # open holds over it: reported, never hidden
    batch_no: str | None         # an open batch it is already in

    def to_json(self) -> dict:
        return {"doc_no": self.doc_no, "archive_no": self.archive_no, "customer": self.customer,
                "doc_type": self.doc_type, "retention_class": self.retention_class,
                "due": self.due.isoformat(), "holds": list(self.holds), "batch_no": self.batch_no}


def due(system: System, actor: User, as_of: date | None = None) -> list[DueRow]:
    """Documents whose due date is on or before `as_of` (today by default), oldest due first."""
    access.require(actor, READ_ROLES, "您的角色无权查看到期清单。")
    as_of = as_of or date.today()
    with system.db.read() as s:
        docs = list(s.scalars(select(Document).options(joinedload(Document.archive))
                              .where(Document.status != DocStatus.destroyed, Document.retention_due.is_not(None),
                                     Document.retention_due <= as_of)
                              .order_by(Document.retention_due, Document.doc_no)))
        holds = open_holds_by_document(s, docs)
        batches = open_batches_by_document(s, [d.id for d in docs])
        return [DueRow(d.doc_no, d.archive.archive_no, d.archive.name, d.doc_type, d.retention_class,
                       d.retention_due, tuple(h.id for h in holds.get(d.id, ())), batches.get(d.id))
                for d in docs]


def open_batches_by_document(session: Session, doc_ids: Sequence[int]) -> dict[int, str]:
    """document id -> the number of the not-yet-executed batch it is in."""
    out: dict[int, str] = {}
    for chunk in chunks(doc_ids):
        rows = session.execute(select(DisposalItem.document_id, DisposalBatch.batch_no)
                               .join(DisposalBatch, DisposalBatch.id == DisposalItem.batch_id)
                               .where(DisposalItem.document_id.in_(chunk),
                                      DisposalBatch.status != BatchStatus.executed))
        out.update(dict(rows.all()))
    return out


def chunks(ids: Sequence[int], size: int = 500):
    # SQLite allows a limited number of bound parameters in one IN (...).
    ids = list(ids)
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


# --- legal holds ---------------------------------------------------------------------------

def open_holds(session: Session, document: Document) -> list[LegalHold]:
    """The open holds over one document: on it, or on its archive."""
    return list(session.scalars(select(LegalHold).where(
        LegalHold.released_at.is_(None),
        or_(LegalHold.document_id == document.id, LegalHold.archive_id == document.archive_id))
        .order_by(LegalHold.id)))


def open_holds_by_document(session: Session, docs: Sequence[Document]) -> dict[int, list[LegalHold]]:
    """document id -> its open holds, for many documents in one pass over the (few) open holds."""
    by_doc: dict[int, list[LegalHold]] = {}
    by_archive: dict[int, list[LegalHold]] = {}
    for hold in session.scalars(select(LegalHold).where(LegalHold.released_at.is_(None)).order_by(LegalHold.id)):
        if hold.document_id is not None:
            by_doc.setdefault(hold.document_id, []).append(hold)
        else:
            by_archive.setdefault(hold.archive_id, []).append(hold)
    out = {}
    for d in docs:
        found = by_archive.get(d.archive_id, []) + by_doc.get(d.id, [])
        if found:
            out[d.id] = found
    return out


def _held_message(what: str, holds: list[LegalHold], doing: str) -> str:
    first = holds[0]
    return f"{what} 处于诉讼保留中（保留 #{first.id}：{first.reason}），不能{doing}。"


def check_not_held(session: Session, document: Document, doing: str = "修改") -> None:
    """Refuse a change to a held document (review corrections, merge, removal, destruction).

    Call it inside the transaction that would make the change, before changing anything.
    """
    holds = open_holds(session, document)
    if holds:
        raise InvalidState(_held_message(document.doc_no, holds, doing))


def check_archive_not_held(session: Session, archive: Archive, doing: str = "合并或删除", *,
                           with_documents: bool = True) -> None:
    """Refuse changing an archive while it is held; merging, removing or lending it also
    while any document in it is (`with_documents`). Editing its card is refused only by a
    hold on the archive itself: a hold on one document freezes that document."""
    under = LegalHold.archive_id == archive.id
    if with_documents:
        under = or_(under, LegalHold.document_id.in_(select(Document.id).where(Document.archive_id == archive.id)))
    holds = list(session.scalars(select(LegalHold).where(LegalHold.released_at.is_(None), under)
                                 .order_by(LegalHold.id)))
    if holds:
        raise InvalidState(_held_message(archive.archive_no, holds, doing))


def _reason(reason: str | None, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DossierError(f"{what}需要填写理由。")
    return reason[:MAX_REASON]


def place_hold(system: System, actor: User, target: str, reason: str) -> int:
    """Hold an archive (by archive number) or one document (by document number); returns the hold id."""
    access.require(actor, HOLD_ROLES, "只有档案管理员或分管领导可以设置诉讼保留。")
    reason = _reason(reason, "诉讼保留")
    target = (target or "").strip()
    with system.db.write() as s:
        doc = s.scalar(select(Document).where(Document.doc_no == target))
        archive = None if doc else s.scalar(select(Archive).where(Archive.archive_no == target))
        if doc is None and archive is None:
            raise NotFound(f"没有档号或件号为 {target!r} 的档案。")
        if doc is not None and doc.status == DocStatus.destroyed:
            raise InvalidState(f"{doc.doc_no} 已销毁，无需保留。")
        hold = LegalHold(document_id=doc.id if doc else None, archive_id=None if doc else archive.id,
                         reason=reason, placed_by=actor.username, placed_at=utcnow())
        s.add(hold)
        s.flush()
        audit.record(s, actor=actor.username, action="hold.placed",
                     object_type="document" if doc else "archive", object_id=target,
                     after={"hold": hold.id, "reason": reason})
        return hold.id


def release_hold(system: System, actor: User, hold_id: int, reason: str) -> None:
    access.require(actor, HOLD_ROLES, "只有档案管理员或分管领导可以解除诉讼保留。")
    reason = _reason(reason, "解除保留")
    with system.db.write() as s:
        hold = s.get(LegalHold, hold_id)
        if hold is None:
            raise NotFound(f"没有编号为 {hold_id} 的诉讼保留。")
        if hold.released_at is not None:
            raise InvalidState(f"诉讼保留 #{hold_id} 已于 {hold.released_at:%Y-%m-%d} 解除。")
        hold.released_at, hold.released_by, hold.release_reason = utcnow(), actor.username, reason
        object_type, object_id = _hold_target(s, hold)
        audit.record(s, actor=actor.username, action="hold.released", object_type=object_type,
                     object_id=object_id, before={"hold": hold.id, "reason": hold.reason},
                     after={"hold": hold.id, "release_reason": reason})


def _hold_target(session: Session, hold: LegalHold) -> tuple[str, str]:
    if hold.document_id is not None:
        return "document", session.get(Document, hold.document_id).doc_no
    return "archive", session.get(Archive, hold.archive_id).archive_no


@dataclass(frozen=True)
class HoldRow:
    id: int
    target_type: str  # archive | document
    target: str
    customer: str | None
    reason: str
    placed_by: str
    placed_at: object
    released_at: object
    released_by: str | None
    release_reason: str | None


def list_holds(system: System, actor: User, *, open_only: bool = False) -> list[HoldRow]:
    access.require(actor, READ_ROLES | HOLD_ROLES, "您的角色无权查看诉讼保留。")
    with system.db.read() as s:
        query = select(LegalHold).order_by(LegalHold.released_at.is_not(None), LegalHold.id.desc())
        if open_only:
            query = query.where(LegalHold.released_at.is_(None))
        rows = []
        for h in s.scalars(query):
            kind, target = _hold_target(s, h)
            archive = s.get(Archive, h.archive_id) if h.archive_id else s.get(Document, h.document_id).archive
            rows.append(HoldRow(h.id, kind, target, archive.name, h.reason, h.placed_by, h.placed_at,
                                h.released_at, h.released_by, h.release_reason))
        return rows
