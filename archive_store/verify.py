"""`dossier verify`: a read-only pass over the store that reports and fixes nothing."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive_store.filestore import FileStore, FixityProblem
from archive_store.models import DocStatus, Document


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


def verify(system) -> FixityReport:
    """`dossier verify`: a read-only pass that reports every problem and fixes nothing."""
    with system.db.read() as session:
        return verify_store(session, system.store)
