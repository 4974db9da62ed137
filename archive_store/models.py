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
    # key -> {"as_read": value the extractor read (None if a person added the field), "by", "at"}
    field_corrections: Mapped[dict[str, Any]] = mapped_column(default=dict)
    review_reasons: Mapped[list[Any]] = mapped_column(default=list)
    issue_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=DocStatus.pending_review)
    retention_class: Mapped[str | None] = mapped_column(String(32))
    archival_sha256: Mapped[str | None] = mapped_column(String(64))  # searchable PDF in the store
    page_image_sha256: Mapped[list[Any]] = mapped_column(default=list)  # page previews in the store
    filed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    filed_by: Mapped[str] = mapped_column(String(64))

    archive: Mapped[Archive] = relationship(back_populates="documents")


class UnsortedDocument(Base):
    """A stored original whose kind or customer could not be recognised (DESIGN.md "Unsorted
    document"): it waits in the clerk's tray with no archive and no number, and becomes a
    `Document` (and takes its number) only when a clerk files it. A table of its own, so
    that every reader of `documents` (export, index, viewing, verify) keeps its promise that
    a document has an archive and a number."""

    __tablename__ = "unsorted_documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    business_line: Mapped[str] = mapped_column(String(8))
    customer_type: Mapped[str | None] = mapped_column(String(16))
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
    field_set_by: Mapped[dict[str, Any]] = mapped_column(default=dict)
    field_boxes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    field_corrections: Mapped[dict[str, Any]] = mapped_column(default=dict)
    review_reasons: Mapped[list[Any]] = mapped_column(default=list)
    issue_date: Mapped[date | None] = mapped_column(Date)
    archival_sha256: Mapped[str | None] = mapped_column(String(64))
    page_image_sha256: Mapped[list[Any]] = mapped_column(default=list)
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
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    # Set while the file waits in the unsorted tray; cleared when a clerk files it (and
    # document_id is set). No foreign key: the tray row is deleted when it is filed.
    unsorted_id: Mapped[int | None] = mapped_column(Integer, index=True)
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
