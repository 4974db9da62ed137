"""Keeping the search index in step with the records: documents as the index sees them.

The index is never the only copy of anything: it is written after the database commits and
can be rebuilt from it at any time (`dossier reindex`). Which index: `open_index`, by the
setting `[index] backend` (the embedded whoosh files, or the tables in PostgreSQL).
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation

from sqlalchemy import event, func, inspect, or_, select
from sqlalchemy.orm import Session, joinedload

from archive_store import redaction
from archive_store.access import group_of, index_readers
from archive_store.models import Archive, DocStatus, Document
from archive_store.system import System
from index import IndexDoc

log = logging.getLogger(__name__)


def _amount(value: str | None) -> Decimal | None:
    try:
        return Decimal(value) if value else None
    except InvalidOperation:
        return None


def index_doc(doc: Document) -> IndexDoc:
    """The document as the index sees it. Secret values (`redaction`: ID numbers, phones,
    e-mail, bank accounts, wherever printed, and the fields of their groups) are taken out
    of everything a plain word searches and kept only in their own fields, which the search
    verb lets only the roles that see them name: a plain word never finds a document by a
    value its reader may not see."""
    archive = doc.archive
    fields, private = {}, {}
    for key, value in (doc.fields or {}).items():
        if group_of(key) in redaction.SECRET_GROUPS:
            private.setdefault(key, []).append(str(value))
        else:
            fields[key] = redaction.scrub(str(value))
    text, found_in_text = redaction.split(doc.text or "")
    for kind, found in found_in_text.items():
        private.setdefault(kind, []).extend(v for v in found if v not in private.get(kind, []))
    return IndexDoc(
        doc_no=doc.doc_no,
        archive_no=archive.archive_no,
        doc_type=doc.doc_type,
        status=doc.status,
        title=redaction.scrub(doc.title or doc.source_name),
        customer_name=redaction.scrub(archive.name) if archive.name else None,
        uscc=archive.uscc,
        id_number=archive.id_number,
        business_line=archive.business_line,
        fields=fields,
        private={k: tuple(v) for k, v in private.items()},
        text=text,
        filed_on=doc.filed_at.date() if doc.filed_at else None,
        issued_on=doc.issue_date,
        amount=_amount(fields.get("amount")),
        readers=tuple(index_readers(doc.doc_type, archive.business_line)),
    )


def _documents(session: Session, doc_nos: Iterable[str] | None = None) -> Iterator[Document]:
    query = select(Document).options(joinedload(Document.archive)).where(Document.status != DocStatus.destroyed)
    if doc_nos is not None:
        query = query.where(Document.doc_no.in_(list(doc_nos)))
    yield from session.scalars(query.order_by(Document.id)).yield_per(500)


def open_index(system: System):
    """The search index the settings choose: `SearchIndex` over the data folder's index/
    (embedded, the default) or `PgSearchIndex` over the database (`backend = "postgresql"`).
    Both have the same methods and give the same answers."""
    if system.settings.index_backend == "postgresql":
        from index import PgSearchIndex

        return PgSearchIndex(system.db.engine)
    from index import SearchIndex

    return SearchIndex(system.settings.index_dir)


_TOUCHED = "search_docs.touched"  # in session.info: (document ids, archive ids, doc_nos given up)


def index_with_each_commit(system: System) -> None:
    """With the index in PostgreSQL, every write transaction that changes documents (or an
    archive, whose name and line its documents' entries carry) writes their entries before
    it commits: the entry commits or rolls back with the record, and no process ever
    searches an index behind the database. A failing entry is rolled back alone (a
    savepoint) and logged; the record stands, and the after-commit `reindex` the verbs
    still call writes it again (it also catches changes made by bulk statements, and
    entries skipped while a rebuild holds the index, see `PgSearchIndex.write_in`)."""
    index = open_index(system)

    def after_flush(session: Session, _context) -> None:
        docs, archives, old_nos = session.info.setdefault(_TOUCHED, (set(), set(), set()))
        for obj in (*session.new, *session.dirty, *session.deleted):
            if isinstance(obj, Document):
                docs.add(obj.id)
                old_nos.update(inspect(obj).attrs.doc_no.history.deleted or ())
                if obj in session.deleted:
                    old_nos.add(obj.doc_no)
            elif isinstance(obj, Archive):
                archives.add(obj.id)

    def before_commit(session: Session) -> None:
        session.flush()
        got = session.info.pop(_TOUCHED, None)
        if not got or not (got[0] or got[1] or got[2]):
            return
        doc_ids, archive_ids, old_nos = got
        found = list(session.scalars(select(Document).options(joinedload(Document.archive)).where(
            or_(Document.id.in_(doc_ids), Document.archive_id.in_(archive_ids)))))
        live = [index_doc(d) for d in found if d.status != DocStatus.destroyed]
        gone = (old_nos | {d.doc_no for d in found if d.status == DocStatus.destroyed}) - {d.doc_no for d in live}
        conn = session.connection()
        try:
            with conn.begin_nested():
                index.write_in(conn, live, gone)
        except Exception:  # noqa: BLE001
            log.exception("indexing %s with its record failed; the after-commit reindex retries",
                          [d.doc_no for d in live])

    def forget(session: Session, *_args) -> None:
        session.info.pop(_TOUCHED, None)

    event.listen(system.db.write_sessions, "after_flush", after_flush)
    event.listen(system.db.write_sessions, "before_commit", before_commit)
    event.listen(system.db.write_sessions, "after_rollback", forget)


def reindex(system: System, doc_nos: list[str]) -> None:
    """Bring these documents' entries up to date: changed ones re-added, destroyed ones removed."""
    index = open_index(system)
    with system.db.read() as session:
        docs = [index_doc(d) for d in _documents(session, doc_nos)]
    present = {d.doc_no for d in docs}
    gone = [n for n in doc_nos if n not in present]
    if docs:
        index.add(docs)
    if gone:
        index.remove(gone)


def reindex_after_commit(system: System, doc_nos: list[str]) -> None:
    """A verb's last step: the record is committed, so a failing index is logged, not raised
    (the index can always be rebuilt from the database with `dossier reindex`)."""
    try:
        reindex(system, doc_nos)
    except Exception:  # noqa: BLE001
        log.exception("re-indexing %s failed; run `dossier reindex`", doc_nos)


def rebuild(system: System) -> int:
    """`dossier reindex`: the active index rebuilt from the database."""
    index = open_index(system)
    with system.db.read() as session:
        return index.rebuild(index_doc(d) for d in _documents(session))


def ensure_index(system: System) -> bool:
    """At start: an index of another schema version, missing, damaged, never built, or not
    holding every document is rebuilt; returns whether it was. A damaged segment file
    passes `needs_rebuild` (the table of contents still opens) and fails only on the first
    search, so the index is also searched once and its count compared with the database."""
    index = open_index(system)
    if index.needs_rebuild or not _answers_for_every_document(system, index):
        rebuild(system)
        return True
    return False


def _answers_for_every_document(system: System, index) -> bool:
    try:
        index.search("档案", readers=None)  # opens every segment
        indexed = index.doc_count()
    except Exception:  # whoosh fails in many ways on a damaged segment
        return False
    with system.db.read() as session:
        expected = session.scalar(select(func.count()).select_from(Document).where(Document.status != DocStatus.destroyed))
    return indexed == expected
