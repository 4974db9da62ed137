"""`dossier verify`: a read-only pass over the store that reports and fixes nothing."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive_store.filestore import FileStore, FixityProblem
from archive_store.models import DocStatus, Document, UnsortedDocument


@dataclass(frozen=True)
class FixityReport:
    checked: int
    problems: list[FixityProblem]
    owners: dict[str, str]  # sha256 -> doc_no, to say whose file it is


def expected_files(session: Session) -> dict[str, str]:
    owners: dict[str, str] = {}
    rows = session.execute(
        select(Document.doc_no, Document.sha256, Document.archival_sha256, Document.page_image_sha256)
        .where(Document.status != DocStatus.destroyed)
    )
    # Originals waiting in the unsorted tray are kept files too, named by their tray id.
    held = session.execute(select(UnsortedDocument.id, UnsortedDocument.sha256, UnsortedDocument.archival_sha256,
                                  UnsortedDocument.page_image_sha256))
    from archive_store.unsorted import object_id

    rows = [*rows, *((object_id(i), sha, archival, previews) for i, sha, archival, previews in held)]
    for doc_no, sha, archival, previews in rows:
        owners[sha] = doc_no
        if archival:
            owners[archival] = doc_no
        for preview in previews or ():
            owners[preview] = doc_no
    return owners


def verify_store(session: Session, store: FileStore) -> FixityReport:
    owners = expected_files(session)
    return FixityReport(checked=len(owners), problems=store.check(owners), owners=owners)
