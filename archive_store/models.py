"""The system of record's tables. Models hold data; the services in this package change them."""
from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """Naive UTC, microseconds kept: stored and hashed the same way on every database."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Role(StrEnum):
    clerk = "clerk"                      # 档案录入
    sales = "sales"                      # staff
    service = "service"
    marketing = "marketing"
    dept_head = "dept_head"              # 部门负责人
    leader = "leader"                    # 分管领导
    archive_manager = "archive_manager"  # 档案管理员
    auditor = "auditor"
    admin = "admin"


class DocStatus(StrEnum):
    pending_review = "pending_review"
    effective = "effective"
    returned = "returned"
    destroyed = "destroyed"


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128), default="")
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Archive(Base):
    """One customer's file (一户一档). Its number never changes and is never reused."""

    __tablename__ = "archives"
    id: Mapped[int] = mapped_column(primary_key=True)
    archive_no: Mapped[str] = mapped_column(String(64), unique=True)
    customer_type: Mapped[str] = mapped_column(String(16))  # individual | enterprise
    business_line: Mapped[str] = mapped_column(String(8))
    name: Mapped[str | None] = mapped_column(String(256))
    name_key: Mapped[str | None] = mapped_column(String(256), index=True)  # folded for matching
    uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    grade: Mapped[str | None] = mapped_column(String(1))  # A/B/C
    stage: Mapped[str] = mapped_column(String(16), default="potential")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    relationship_start: Mapped[date | None] = mapped_column(Date)
    relationship_end: Mapped[date | None] = mapped_column(Date)
    paper_location: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("archives.id"))  # merged away: the survivor
    first_contact_on: Mapped[date | None] = mapped_column(Date)  # the owner's first contact with the customer

    documents: Mapped[list[Document]] = relationship(
        back_populates="archive", order_by="Document.item_no"
    )


class Document(Base):
    """One filed file (件): `doc_no` is the archive number plus its item number."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("archive_id", "item_no"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    doc_no: Mapped[str] = mapped_column(String(80), unique=True)
    archive_id: Mapped[int] = mapped_column(ForeignKey("archives.id"), index=True)
    item_no: Mapped[int] = mapped_column(Integer)
    doc_type: Mapped[str] = mapped_column(String(32))
    title: Mapped[str | None] = mapped_column(String(256))
    source_name: Mapped[str] = mapped_column(String(512))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(128))
    pages: Mapped[int] = mapped_column(Integer, default=0)
    script: Mapped[str | None] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text, default="")
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    field_confidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    field_problems: Mapped[dict[str, Any]] = mapped_column(default=dict)
    field_set_by: Mapped[dict[str, Any]] = mapped_column(default=dict)  # key -> "extraction" | "person"
    field_boxes: Mapped[dict[str, Any]] = mapped_column(default=dict)  # key -> {"page": n, "box": [x0, y0, x1, y1]}
    review_reasons: Mapped[list[Any]] = mapped_column(default=list)
    issue_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=DocStatus.pending_review)
    retention_class: Mapped[str | None] = mapped_column(String(32))
    archival_sha256: Mapped[str | None] = mapped_column(String(64))  # searchable PDF in the store
    page_image_sha256: Mapped[list[Any]] = mapped_column(default=list)  # page previews in the store
    filed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    filed_by: Mapped[str] = mapped_column(String(64))

    archive: Mapped[Archive] = relationship(back_populates="documents")


class AccessGrant(Base):
    """A leader's approval for one user to see one archive's core-secret fields, until a date."""

    __tablename__ = "access_grants"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    archive_id: Mapped[int] = mapped_column(ForeignKey("archives.id"), index=True)
    field_group: Mapped[str] = mapped_column(String(32), default="core")
    reason: Mapped[str] = mapped_column(Text)
    granted_by: Mapped[str] = mapped_column(String(64))
    granted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(64))
    days: Mapped[int] = mapped_column(Integer, default=30)


class IntakeJob(Base):
    """One file's way through the pipeline, kept after it ends."""

    __tablename__ = "intake_jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_name: Mapped[str] = mapped_column(String(512))
    work_path: Mapped[str | None] = mapped_column(String(1024))
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    business_line: Mapped[str | None] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(16), default="claimed")  # claimed|filed|duplicate|quarantined|dismissed
    reason: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(Text)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Counter(Base):
    """A numbering sequence: one row per scope, incremented inside the filing transaction."""

    __tablename__ = "counters"
    scope: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class AuditEvent(Base):
    """Append-only; each row carries the hash of the one before it."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(80), index=True)
    before: Mapped[str | None] = mapped_column(Text)  # canonical JSON, hashed as stored
    after: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class BorrowRequest(Base):
    """A request to view (查阅) or borrow (借阅, the paper folder or an electronic copy).

    Views and loans share one table, so `dossier borrow approve ID` names either without
    saying which, and both keep the same history of approvals. Refused and withdrawn
    requests stay, with their status.
    """

    __tablename__ = "borrow_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # view | paper | electronic
    archive_id: Mapped[int] = mapped_column(ForeignKey("archives.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))  # a view of one document
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    department: Mapped[str] = mapped_column(String(64), default="")  # the requester's, when asked
    reason: Mapped[str] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text, default="")  # what a view wants to see
    days: Mapped[int] = mapped_column(Integer)  # working days
    planned_return: Mapped[date] = mapped_column(Date)  # as asked; the loan's due date is set at hand-out
    allow_download: Mapped[bool] = mapped_column(default=False)  # views: the approver's decision
    status: Mapped[str] = mapped_column(String(16), index=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)


class BorrowApproval(Base):
    """One decision on a request or on an extension: who, at which step, yes or no, why."""

    __tablename__ = "borrow_approvals"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("borrow_requests.id"), index=True)
    extension_id: Mapped[int | None] = mapped_column(ForeignKey("loan_extensions.id"))
    step: Mapped[str] = mapped_column(String(16))  # dept_head | leader
    decision: Mapped[str] = mapped_column(String(16))  # approved | refused
    actor: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Loan(Base):
    """What the borrow desk handed out for an approved request, and how it came back."""

    __tablename__ = "loans"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("borrow_requests.id"), unique=True)
    borrower_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    archive_id: Mapped[int] = mapped_column(ForeignKey("archives.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # paper | electronic
    paper_location: Mapped[str | None] = mapped_column(String(128))  # where it was taken from
    handed_out_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    handed_out_by: Mapped[str] = mapped_column(String(64))
    out_on: Mapped[date] = mapped_column(Date, index=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    received_at: Mapped[datetime | None] = mapped_column(DateTime)  # the borrower signed for it
    returned_at: Mapped[datetime | None] = mapped_column(DateTime)
    returned_on: Mapped[date | None] = mapped_column(Date)
    received_back_by: Mapped[str | None] = mapped_column(String(64))
    condition: Mapped[str | None] = mapped_column(String(16))  # complete | damaged | pages_missing
    return_note: Mapped[str | None] = mapped_column(Text)


class LoanExtension(Base):
    """A borrower's request for more working days, asked before the due date."""

    __tablename__ = "loan_extensions"
    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    days: Mapped[int] = mapped_column(Integer)
    old_due: Mapped[date] = mapped_column(Date)
    new_due: Mapped[date | None] = mapped_column(Date)  # set when approved
    status: Mapped[str] = mapped_column(String(16))  # pending | approved | refused
    asked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class DocNoAlias(Base):
    """A document number given up when a merge moved the document into another archive:
    the number stays reserved and still finds the document."""

    __tablename__ = "doc_no_aliases"
    id: Mapped[int] = mapped_column(primary_key=True)
    old_doc_no: Mapped[str] = mapped_column(String(80), unique=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    moved_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PendingChange(Base):
    """An important field's new value, waiting for a second person (重要信息双人核对).

    Until it is confirmed the record keeps its old value."""

    __tablename__ = "pending_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    archive_id: Mapped[int] = mapped_column(ForeignKey("archives.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)  # None: the archive's own field
    key: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)  # pending|confirmed|rejected
    proposed_by: Mapped[str] = mapped_column(String(64))
    proposed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)


class ViewOpening(Base):
    """One opening of an approved view: who, when, until when, and the viewer's confirmation."""

    __tablename__ = "view_openings"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("borrow_requests.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    closes_at: Mapped[datetime] = mapped_column(DateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
class PasswordHistory(Base):
    """Hashes of a user's earlier passwords, so the last few are not chosen again."""

    __tablename__ = "password_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
