"""`dossier verify`: a read-only pass over the store that reports and fixes nothing.

A destroyed document's files are expected to be gone: they are not reported missing, and
one still present is reported ("not destroyed")."""
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


def leftover_files(session: Session, store: FileStore, owners: dict[str, str]) -> dict[str, str]:
    """Files of destroyed documents still in the store that no live document owns (sha256 -> doc_no).

    A destroyed file is expected to be gone; one still here means an execution stopped
    between its commit and the removal (asking for the batch's certificate finishes it).
    """
    left: dict[str, str] = {}
    rows = session.execute(
        select(Document.doc_no, Document.sha256, Document.archival_sha256, Document.page_image_sha256)
        .where(Document.status == DocStatus.destroyed)
    )
    for doc_no, sha, archival, previews in rows:
        for one in (sha, archival, *(previews or ())):
            if one and one not in owners and store.has(one):
                left[one] = doc_no
    return left


def verify_store(session: Session, store: FileStore) -> FixityReport:
    owners = expected_files(session)
    problems = store.check(owners)
    left = leftover_files(session, store, owners)
    problems += [FixityProblem(sha, "not destroyed", store.path_for(sha)) for sha in left]
    return FixityReport(checked=len(owners), problems=problems, owners=owners | left)


def verify(system) -> FixityReport:
    """`dossier verify`: a read-only pass that reports every problem and fixes nothing."""
    with system.db.read() as session:
        return verify_store(session, system.store)
