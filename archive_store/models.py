"""The system of record's tables. Models hold data; the services in this package change them."""
from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import TSVECTOR
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
    # Raised at sign-out: every portal session carries the epoch it began in, and one
    # from an earlier epoch is over, whatever its cookie says.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    # A generated password (the first admin's, printed once by `init`) must be replaced at
    # the first sign-in: it has been on a screen and in a terminal's scrollback.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    # Business-line codes this account is limited to; empty means every line.
    business_lines: Mapped[list[Any]] = mapped_column(default=list)


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


class ReadFile:
    """The columns of a file Dossier has read: its original, its pages, what was read from it
    and what people corrected. A filed Document and a tray item (UnsortedDocument) share
    them, so the field rules (corrections.apply_field, masking) serve both."""

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
    # key -> {"as_read": value the extractor read (None if a person added the field), "by", "at"}
    field_corrections: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Values a person corrected away, key -> [as extracted, …]: the page still prints them,
    # so they stay masked wherever the field is hidden.
    earlier_values: Mapped[dict[str, Any]] = mapped_column(default=dict)
    review_reasons: Mapped[list[Any]] = mapped_column(default=list)
    issue_date: Mapped[date | None] = mapped_column(Date)
    archival_sha256: Mapped[str | None] = mapped_column(String(64))  # searchable PDF in the store
    page_image_sha256: Mapped[list[Any]] = mapped_column(default=list)  # page previews in the store


class Document(ReadFile, Base):
    """One filed file (件): `doc_no` is the archive number plus its item number."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("archive_id", "item_no"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    doc_no: Mapped[str] = mapped_column(String(80), unique=True)
    archive_id: Mapped[int] = mapped_column(ForeignKey("archives.id"), index=True)
    item_no: Mapped[int] = mapped_column(Integer)
    # Where the secrets `redaction` found are printed, [{"page", "box", "group"}] in the page
    # previews' pixels; "box" is None for one that could not be located on its page. None:
    # never looked (filed before this column), so pages with hidden secrets are withheld.
    secret_boxes: Mapped[list[Any] | None] = mapped_column(JSON, default=None)
    status: Mapped[str] = mapped_column(String(16), default=DocStatus.pending_review)
    retention_class: Mapped[str | None] = mapped_column(String(32))  # "permanent" | "<N>y", from the rule
    retention_rule_id: Mapped[int | None] = mapped_column(Integer)     # the RetentionRule it came from
    retention_due: Mapped[date | None] = mapped_column(Date, index=True)  # None: permanent or trigger unknown
    filed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    filed_by: Mapped[str] = mapped_column(String(64))

    archive: Mapped[Archive] = relationship(back_populates="documents")


class UnsortedDocument(ReadFile, Base):
    """A stored original whose kind or customer could not be recognised (DESIGN.md "Unsorted
    document"): it waits in the clerk's tray with no archive and no number, and becomes a
    `Document` (and takes its number) only when a clerk files it. A table of its own, so
    that every reader of `documents` (export, index, viewing, verify) keeps its promise that
    a document has an archive and a number."""

    __tablename__ = "unsorted_documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    business_line: Mapped[str] = mapped_column(String(8))
    customer_type: Mapped[str | None] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    received_by: Mapped[str] = mapped_column(String(64))


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
    state: Mapped[str] = mapped_column(String(16), default="claimed")  # claimed|filed|unsorted|duplicate|quarantined|dismissed
    reason: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(Text)
    stage: Mapped[str | None] = mapped_column(String(16))  # while claimed: reading | extracting | filing
    pages: Mapped[int | None] = mapped_column(Integer)
    pages_read: Mapped[int | None] = mapped_column(Integer)  # while reading a file of several pages
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    # Set while the file waits in the unsorted tray; cleared when a clerk files it (and
    # document_id is set). No foreign key: the tray row is deleted when it is filed.
    unsorted_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # While claimed: the intake worker whose work folder holds the file (IntakeWorker.name);
    # a worker checks it before each step, so a job taken over from it is not finished twice.
    worker: Mapped[str | None] = mapped_column(String(200), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class IntakeWorker(Base):
    """A live intake worker (a `dossier watch` worker process, a `dossier ingest`): its
    private work folder `work/<name>/` and the lease it renews while it runs. A worker
    whose lease ran out is dead to everyone: another worker, on any machine, takes its
    folder and its jobs over (intake/pipeline.py, `take_over`)."""

    __tablename__ = "intake_workers"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)  # proc@HOST@PID@TOKEN
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    lease_until: Mapped[datetime] = mapped_column(DateTime, index=True)  # the database's clock, UTC


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
    status: Mapped[str] = mapped_column(String(16))  # pending | approved | refused | withdrawn
    asked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)


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
class RetentionRule(Base):
    """How long a kind of document is kept (POLICY.md "Retention and destruction").

    `grade` None is the rule for every grade without a rule of its own; `years` None is
    permanent (永久); 0 years is due as soon as the trigger date is known.
    """

    __tablename__ = "retention_rules"
    __table_args__ = (UniqueConstraint("doc_type", "grade"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(32))
    grade: Mapped[str | None] = mapped_column(String(1))
    years: Mapped[int | None] = mapped_column(Integer)
    trigger: Mapped[str] = mapped_column(String(32))  # relationship_end | document_date | filing
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class LegalHold(Base):
    """诉讼保留 / 未了事项: while open, nothing under it is destroyed, edited, merged or removed."""

    __tablename__ = "legal_holds"
    id: Mapped[int] = mapped_column(primary_key=True)
    archive_id: Mapped[int | None] = mapped_column(ForeignKey("archives.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    placed_by: Mapped[str] = mapped_column(String(64))
    placed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(DateTime)
    released_by: Mapped[str | None] = mapped_column(String(64))
    release_reason: Mapped[str | None] = mapped_column(Text)


class BatchStatus(StrEnum):
    proposed = "proposed"            # waiting for the department head
    dept_approved = "dept_approved"  # waiting for a leader
    approved = "approved"            # may be executed
    executed = "executed"


class DisposalBatch(Base):
    """A destruction plan (销毁清册): proposed, approved by a department head then a leader, executed."""

    __tablename__ = "disposal_batches"
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_no: Mapped[str] = mapped_column(String(32), unique=True)
    method: Mapped[str] = mapped_column(String(16))  # shred | erase
    status: Mapped[str] = mapped_column(String(16), default=BatchStatus.proposed)
    proposed_by: Mapped[str] = mapped_column(String(64))
    proposed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    executed_by: Mapped[str | None] = mapped_column(String(64))
    executed_at: Mapped[datetime | None] = mapped_column(DateTime)
    place: Mapped[str | None] = mapped_column(String(256))
    witnesses: Mapped[list[Any]] = mapped_column(default=list)  # usernames

    items: Mapped[list[DisposalItem]] = relationship(back_populates="batch", order_by="DisposalItem.serial")
    approvals: Mapped[list[DisposalApproval]] = relationship(order_by="DisposalApproval.at")


class DisposalItem(Base):
    """One document in a batch; `outcome` is set at execution: destroyed or withheld (with why)."""

    __tablename__ = "disposal_items"
    __table_args__ = (UniqueConstraint("batch_id", "document_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("disposal_batches.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    serial: Mapped[int] = mapped_column(Integer)
    retention_class: Mapped[str | None] = mapped_column(String(32))  # as proposed
    retention_due: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(16))  # None | destroyed | withheld
    withheld_reason: Mapped[str | None] = mapped_column(Text)

    batch: Mapped[DisposalBatch] = relationship(back_populates="items")
    document: Mapped[Document] = relationship()


class DisposalApproval(Base):
    __tablename__ = "disposal_approvals"
    __table_args__ = (UniqueConstraint("batch_id", "step"), UniqueConstraint("batch_id", "username"))
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("disposal_batches.id"), index=True)
    step: Mapped[str] = mapped_column(String(16))  # dept_head | leader
    username: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(128), default="")
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class DestructionCertificate(Base):
    """The permanent record of an executed batch: a PDF in certificates/, its SHA-256 in the audit chain."""

    __tablename__ = "destruction_certificates"
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("disposal_batches.id"), unique=True)
    file_name: Mapped[str] = mapped_column(String(128))  # inside certificates/, never an absolute path
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    issued_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# The search index kept in the database (`[index] backend = "postgresql"`, index/pgstore.py):
# written and read only by that backend, through SQL of its own; the tables exist on SQLite
# too (empty) so that one chain of migrations describes every database.
_TSVECTOR = TSVECTOR().with_variant(Text(), "sqlite")


class SearchEntry(Base):
    """One filed document as the index sees it: the analyzer's terms of every field, each
    behind a code for its field ("合同" in the content, "R|role:sales" a reader), with
    their positions (index/pgstore.py)."""

    __tablename__ = "search_index"
    __table_args__ = (Index("ix_search_index_terms", "terms", postgresql_using="gin"),)
    doc_no: Mapped[str] = mapped_column(String(80), primary_key=True)
    archive_no: Mapped[str] = mapped_column(String(64))
    doc_type: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)
    terms: Mapped[str] = mapped_column(_TSVECTOR)
    head: Mapped[str] = mapped_column(_TSVECTOR)  # the terms of its title, customer, codes and fields
    sort_day: Mapped[int | None] = mapped_column(Integer, index=True)  # the catalogue date as a day number
    amount: Mapped[int | None] = mapped_column(BigInteger, index=True)  # in fen
    ranges: Mapped[dict[str, Any]] = mapped_column(default=dict)  # other date/money fields: name -> day or fen
    body: Mapped[str] = mapped_column(Text)  # the (scrubbed) text, for snippets


class SearchTerm(Base):
    """How many documents hold each term (the query compiler picks rare terms, as it does
    with whoosh's statistics), and rows '#…' saying how the index was built."""

    __tablename__ = "search_terms"
    __table_args__ = (Index("ix_search_terms_prefix", "term", postgresql_ops={"term": "text_pattern_ops"}),)
    term: Mapped[str] = mapped_column(Text, primary_key=True)
    df: Mapped[int] = mapped_column(Integer)
