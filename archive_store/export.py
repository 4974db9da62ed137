"""`dossier export --format jsonl`: one line per document, the contract in DESIGN.md."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from archive_store.models import Document


def document_record(doc: Document) -> dict[str, Any]:
    archive = doc.archive
    return {
        "doc_no": doc.doc_no,
        "archive_no": archive.archive_no,
        "doc_type": doc.doc_type,
        "title": doc.title,
        "source_name": doc.source_name,
        "sha256": doc.sha256,
        "media_type": doc.media_type,
        "pages": doc.pages,
        "script": doc.script,
        "status": doc.status,
        "issue_date": doc.issue_date.isoformat() if doc.issue_date else None,
        "fields": doc.fields,
        "field_confidence": doc.field_confidence,
        "field_problems": doc.field_problems,
        "field_set_by": doc.field_set_by,
        "review_reasons": doc.review_reasons,
        "customer": {
            "archive_no": archive.archive_no,
            "customer_type": archive.customer_type,
            "business_line": archive.business_line,
            "name": archive.name,
            "uscc": archive.uscc,
            "id_number": archive.id_number,
            "phone": archive.phone,
        },
        "filed_at": doc.filed_at.isoformat(timespec="seconds") + "Z",
    }


def export_documents(session: Session) -> Iterator[dict[str, Any]]:
    query = select(Document).options(joinedload(Document.archive)).order_by(Document.id)
    for doc in session.scalars(query).yield_per(500):
        yield document_record(doc)


def export_all(system) -> Iterator[dict[str, Any]]:
    """Every document, for `dossier export`: the console's view, with nothing withheld."""
    with system.db.read() as session:
        yield from export_documents(session)
