"""Filing: a read and analysed document becomes a numbered record in its customer's archive.

Everything happens in the caller's write transaction: the archive number, the item
number, the rows and the audit events commit together or not at all.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive_store import audit, numbering, retention
from archive_store.errors import DossierError
from archive_store.matching import CustomerRef, find_archive, fold_name
from archive_store.models import Archive, DocStatus, Document, utcnow
from archive_store.settings import Settings


class Duplicate(DossierError):
    def __init__(self, doc_no: str):
        super().__init__(f"the same file is already filed as {doc_no}")
        self.doc_no = doc_no


@dataclass(frozen=True)
class FilingInput:
    source_name: str
    sha256: str
    size: int
    media_type: str
    customer: CustomerRef
    business_line: str
    doc_type: str = "other"
    title: str | None = None
    pages: int = 0
    script: str | None = None
    text: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    field_confidence: dict[str, float] = field(default_factory=dict)
    field_problems: dict[str, list[str]] = field(default_factory=dict)
    review_reasons: tuple[Any, ...] = ()  # messages.reason() dicts
    issue_date: date | None = None
    archival_sha256: str | None = None
    page_image_sha256: tuple[str, ...] = ()


def find_duplicate(session: Session, sha256: str) -> Document | None:
    return session.scalar(select(Document).where(Document.sha256 == sha256))


def file_document(session: Session, settings: Settings, *, actor: str, item: FilingInput,
                  today: date | None = None) -> Document:
    if item.business_line not in settings.business_lines:
        raise DossierError(f"unknown business line {item.business_line!r}; known: {sorted(settings.business_lines)}")
    existing = find_duplicate(session, item.sha256)
    if existing is not None:
        raise Duplicate(existing.doc_no)

    archive = find_archive(session, item.customer)
    if archive is None:
        archive = open_archive(session, settings, actor=actor, customer=item.customer,
                               business_line=item.business_line, today=today or date.today())
    else:
        _complete_identity(session, archive, item.customer, actor=actor)
    return add_to_archive(session, archive, actor=actor, item=item)


def add_to_archive(session: Session, archive: Archive, *, actor: str, item: FilingInput,
                   field_set_by: dict[str, str] | None = None,
                   field_corrections: dict[str, Any] | None = None,
                   field_boxes: dict[str, Any] | None = None) -> Document:
    """The document takes the archive's next item number; the tray passes what a person
    already did to the fields (who set them, their corrections) along."""
    item_no = numbering.next_item_no(session, archive.archive_no)
    doc = Document(
        doc_no=numbering.doc_no(archive.archive_no, item_no),
        archive_id=archive.id,
        item_no=item_no,
        doc_type=item.doc_type,
        title=item.title,
        source_name=item.source_name,
        sha256=item.sha256,
        size=item.size,
        media_type=item.media_type,
        pages=item.pages,
        script=item.script,
        text=item.text,
        fields=dict(item.fields),
        field_confidence=dict(item.field_confidence),
        field_problems={k: list(v) for k, v in item.field_problems.items()},
        field_set_by=dict(field_set_by) if field_set_by is not None else {k: "extraction" for k in item.fields},
        field_corrections=dict(field_corrections or {}),
        field_boxes=dict(field_boxes or {}),
        review_reasons=list(item.review_reasons),
        issue_date=item.issue_date,
        status=DocStatus.pending_review,
        archival_sha256=item.archival_sha256,
        page_image_sha256=list(item.page_image_sha256),
        filed_at=utcnow(),
        filed_by=actor,
    )
    session.add(doc)
    session.flush()
    retention.assign(session, doc)  # every document knows its class and due date from the day it is filed
    audit.record(session, actor=actor, action="document.filed", object_type="document",
                 object_id=doc.doc_no,
                 after={"archive_no": archive.archive_no, "doc_type": doc.doc_type, "sha256": doc.sha256,
                        "source_name": doc.source_name, "fields": doc.fields,
                        "review_reasons": doc.review_reasons})
    return doc


def open_archive(session: Session, settings: Settings, *, actor: str, customer: CustomerRef,
                 business_line: str, today: date) -> Archive:
    archive_no = numbering.next_archive_no(
        session, settings.numbering_pattern, on=today, biz=business_line,
        customer_type=customer.customer_type,
    )
    archive = Archive(
        archive_no=archive_no,
        customer_type=customer.customer_type,
        business_line=business_line,
        name=customer.name,
        name_key=fold_name(customer.name),
        uscc=customer.uscc.upper() if customer.uscc else None,
        id_number=customer.id_number.upper() if customer.id_number else None,
        phone=customer.phone,
        relationship_start=today,
    )
    session.add(archive)
    session.flush()
    audit.record(session, actor=actor, action="archive.opened", object_type="archive",
                 object_id=archive_no, after=_identity(archive) | {"business_line": business_line})
    return archive


def _identity(archive: Archive) -> dict[str, Any]:
    return {"customer_type": archive.customer_type, "name": archive.name, "uscc": archive.uscc,
            "id_number": archive.id_number, "phone": archive.phone}


def _complete_identity(session: Session, archive: Archive, customer: CustomerRef, *, actor: str) -> None:
    """A later document may carry what the first did not (a licence brings the USCC)."""
    before = _identity(archive)
    if not archive.uscc and customer.uscc:
        archive.uscc = customer.uscc.upper()
    if not archive.id_number and customer.id_number:
        archive.id_number = customer.id_number.upper()
    if not archive.phone and customer.phone:
        archive.phone = customer.phone
    if not archive.name and customer.name:
        archive.name, archive.name_key = customer.name, fold_name(customer.name)
    after = _identity(archive)
    if after != before:
        audit.record(session, actor=actor, action="archive.identity_completed", object_type="archive",
                     object_id=archive.archive_no, before=before, after=after)
