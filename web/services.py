"""What the portal's views call: one verb per page, composing archive_store's rules.

Each verb takes the signed-in user, checks access on the server (archive_store.access),
writes the audit event for what was seen or done, and returns plain values to render.
Nothing here takes a path from a URL: files are found by a sha256 read from the database,
through `FileStore.path_for`.
"""
from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, defer, joinedload

from archive_store import access, audit, review
from archive_store import grants as grants_
from archive_store.errors import DossierError, NotAllowed, NotFound
from archive_store.models import Archive, AuditEvent, DocStatus, Document, IntakeJob, User
from archive_store.system import System

log = logging.getLogger(__name__)
_NO = re.compile(r"[A-Za-z0-9_-]{1,80}")
PAGE_SIZE = 20


def _check_no(value: str) -> str:
    if not _NO.fullmatch(value or ""):
        raise NotFound(value)
    return value


def _deny(system: System, user: User, object_type: str, object_id: str, action: str) -> NotAllowed:
    # A refused look is itself worth an auditor's attention.
    with system.db.write() as s:
        audit.record(s, actor=user.username, action=f"{object_type}.{action}_denied",
                     object_type=object_type, object_id=object_id)
    return NotAllowed("您无权查看此记录。")


# --- documents --------------------------------------------------------------------------

@dataclass
class FieldRow:
    key: str
    value: str
    confidence: float | None
    problems: list[str]
    set_by: str
    box: dict | None
    correctable: bool


@dataclass
class DocumentView:
    doc: Document
    archive: Archive
    fields: list[FieldRow]
    hidden: list[str]
    text: str
    pages: list[dict]            # {"number", "shown", "width", "height"}
    can_download: bool
    can_review: bool
    can_correct: bool


def _load_doc(s: Session, doc_no: str) -> Document:
    doc = s.scalar(select(Document).options(joinedload(Document.archive))
                   .where(Document.doc_no == _check_no(doc_no)))
    if doc is None:
        raise NotFound(doc_no)
    return doc


def _boxes(doc: Document) -> dict[str, dict]:
    """Well-formed field boxes only: {"page": n >= 1, "box": [x0, y0, x1, y1]} (tolerates none)."""
    raw = getattr(doc, "field_boxes", None) or {}
    out = {}
    for key, where in (raw.items() if isinstance(raw, dict) else ()):
        try:
            page, box = int(where.get("page", 1)), [float(v) for v in where["box"]]
        except (AttributeError, KeyError, TypeError, ValueError):
            continue
        if page >= 1 and len(box) == 4 and box[0] <= box[2] and box[1] <= box[3]:
            out[key] = {"page": page, "box": box}
    return out


def _page_shown(doc: Document, hidden: list[str], number: int) -> bool:
    """A page image is shown if every hidden field on it can be blacked out by its box."""
    boxes = _boxes(doc)
    # A hidden value without a box is somewhere on some page, and we cannot say where.
    return all(key in boxes for key in hidden)


def open_document(system: System, user: User, doc_no: str) -> DocumentView:
    with system.db.read() as s:
        doc = _load_doc(s, doc_no)
        if not access.can_view_document(user, doc):
            raise _deny(system, user, "document", doc.doc_no, "view")
        grants = grants_.active_grants(s, user, doc.archive_id)
        visible = access.visible_fields(user, doc, grants)
        hidden = access.hidden_keys(user, doc, grants)
        under_review = doc.status in (DocStatus.pending_review, DocStatus.returned)
        boxes = _boxes(doc)
        rows = [FieldRow(key=k, value=str(v), confidence=(doc.field_confidence or {}).get(k),
                         problems=list((doc.field_problems or {}).get(k) or []),
                         set_by=(doc.field_set_by or {}).get(k, "extraction"),
                         box=boxes.get(k),
                         correctable=under_review and access.can_correct(user, doc, k, grants))
                for k, v in visible.items()]
        pages = [{"number": n, "shown": _page_shown(doc, hidden, n)}
                 for n in range(1, len(doc.page_image_sha256 or []) + 1)]
        view = DocumentView(
            doc=doc, archive=doc.archive, fields=rows, hidden=hidden,
            text=access.mask_text(user, doc, doc.text or "", grants), pages=pages,
            can_download=access.can_download(user, doc, grants),
            can_review=user.role in access.REVIEW_ROLES and doc.status == DocStatus.pending_review,
            can_correct=under_review and user.role in access.CORRECT_ROLES,
        )
    with system.db.write() as s:
        audit.record(s, actor=user.username, action="document.viewed", object_type="document",
                     object_id=doc.doc_no, after={"fields": sorted(visible), "hidden": sorted(hidden)})
    return view


def page_image(system: System, user: User, doc_no: str, number: int) -> bytes:
    """The page preview, with every field the user may not see blacked out over its box."""
    from PIL import Image, ImageDraw

    with system.db.read() as s:
        doc = _load_doc(s, doc_no)
        if not access.can_view_document(user, doc):
            raise _deny(system, user, "document", doc.doc_no, "page")
        shas = doc.page_image_sha256 or []
        if not 1 <= number <= len(shas):
            raise NotFound(f"{doc_no} page {number}")
        grants = grants_.active_grants(s, user, doc.archive_id)
        hidden = access.hidden_keys(user, doc, grants)
        if not _page_shown(doc, hidden, number):
            raise NotAllowed("此页含有您无权查看的信息。")
        data = system.store.read(shas[number - 1])  # a sha from the database, never from the URL
        boxes = _boxes(doc)
    redact = [boxes[k]["box"] for k in hidden if boxes[k]["page"] == number]
    if redact:
        img = Image.open(io.BytesIO(data)).convert("RGB")
        draw = ImageDraw.Draw(img)
        for x0, y0, x1, y1 in redact:
            draw.rectangle([x0 - 4, y0 - 4, x1 + 4, y1 + 4], fill=(0, 0, 0))
        out = io.BytesIO()
        img.save(out, "JPEG", quality=85)
        data = out.getvalue()
    with system.db.write() as s:
        audit.record(s, actor=user.username, action="document.page_viewed", object_type="document",
                     object_id=doc.doc_no, after={"page": number, "redacted": sorted(hidden)})
    return data


@dataclass(frozen=True)
class Download:
    path: Any
    name: str
    media_type: str


def download(system: System, user: User, doc_no: str, which: str) -> Download:
    with system.db.read() as s:
        doc = _load_doc(s, doc_no)
        grants = grants_.active_grants(s, user, doc.archive_id)
        if not access.can_download(user, doc, grants):
            raise _deny(system, user, "document", doc.doc_no, "download")
        if which == "original":
            sha, media, suffix = doc.sha256, doc.media_type, _suffix(doc.source_name)
        elif which == "pdf" and doc.archival_sha256:
            sha, media, suffix = doc.archival_sha256, "application/pdf", ".pdf"
        else:
            raise NotFound(which)
        path = system.store.path_for(sha)
    if not path.is_file():
        raise NotFound(sha)
    with system.db.write() as s:
        audit.record(s, actor=user.username, action="document.downloaded", object_type="document",
                     object_id=doc.doc_no, after={"which": which, "sha256": sha})
    return Download(path=path, name=f"{doc.doc_no}{suffix}", media_type=media or "application/octet-stream")


def _suffix(name: str) -> str:
    m = re.search(r"\.([A-Za-z0-9]{1,8})$", name or "")
    return "." + m.group(1).lower() if m else ""


# --- archives ---------------------------------------------------------------------------

@dataclass
class ArchiveView:
    archive: Archive
    owner: str | None
    catalogue: list[Document]
    withheld: int
    history: list[AuditEvent]
    grants: list[Any] = field(default_factory=list)
    grant_candidates: list[str] = field(default_factory=list)
    usernames: dict[int, str] = field(default_factory=dict)


def open_archive(system: System, user: User, archive_no: str) -> ArchiveView:
    with system.db.read() as s:
        archive = s.scalar(select(Archive).where(Archive.archive_no == _check_no(archive_no)))
        if archive is None:
            raise NotFound(archive_no)
        if not access.can_view_archive(user):
            raise _deny(system, user, "archive", archive.archive_no, "view")
        docs = list(s.scalars(select(Document).options(defer(Document.text))
                              .where(Document.archive_id == archive.id)))
        shown = [d for d in docs if access.can_view_document(user, d)]
        # The catalogue is ordered by issue date (POLICY.md: 按形成时间顺序), undated last.
        shown.sort(key=lambda d: (d.issue_date is None, d.issue_date or date.max, d.item_no))
        ids = [archive.archive_no, *(d.doc_no for d in shown)]
        history = list(s.scalars(select(AuditEvent).where(AuditEvent.object_id.in_(ids))
                                 .where(AuditEvent.action.not_in(("document.viewed", "document.page_viewed",
                                                                  "archive.viewed")))
                                 .order_by(AuditEvent.seq.desc()).limit(50)))
        owner = s.get(User, archive.owner_id).display_name if archive.owner_id else None
        view = ArchiveView(archive=archive, owner=owner, catalogue=shown, withheld=len(docs) - len(shown),
                           history=history)
        if user.role in access.GRANT_ROLES:
            view.grants = grants_.archive_grants(s, archive.id)
            users = list(s.scalars(select(User).where(User.active.is_(True))))
            view.usernames = {u.id: u.username for u in users}
            view.grant_candidates = sorted(u.username for u in users if u.role not in access.GRANT_ROLES
                                           and access.role_access(u.role).kinds)
    with system.db.write() as s:
        audit.record(s, actor=user.username, action="archive.viewed", object_type="archive",
                     object_id=archive.archive_no)
    return view




# --- search -----------------------------------------------------------------------------

@dataclass
class ShownHit:
    doc_no: str
    archive_no: str
    doc_type: str
    title: str
    snippet: str  # HTML-escaped with <mark>, masked for the user
    status: str
    customer: str | None
    issue_date: date | None


@dataclass
class SearchPage:
    total: int
    page: int
    pages: int
    hits: list[ShownHit]
    engine: str
    error: str | None = None


_SNIPPET_OK = re.compile(r"(?:[^<>]|<mark>|</mark>)*")


def search(system: System, user: User, *, query: str, filters: dict[str, Any], sort: str,
           page: int, index: Any = None) -> SearchPage:
    """`index` is the app's long-lived SearchIndex (it caches its searcher); None: the database."""
    pinned = access.search_status_filter(user)
    if pinned:
        filters = {**filters, "status": pinned}
    filters = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in filters.items() if v}
    readers = access.reader_tokens(user)
    if readers is not None and not readers:
        return SearchPage(0, 1, 1, [], "none")
    hidden = access.hidden_search_keys(user, query)
    if hidden:
        # Searching by a field one may not see would tell its value by what comes back.
        return SearchPage(0, 1, 1, [], "none", error=f"无权按字段检索：{', '.join(hidden)}")
    if index is not None:
        from index import QueryError
        try:
            results = index.search(query, readers=readers, sort=sort, page=page, page_size=PAGE_SIZE,
                                   filters=filters)
        except QueryError as exc:
            return SearchPage(0, 1, 1, [], "index", error=str(exc))
        raw = [(h.doc_no, h.snippet) for h in results.hits]
        total, engine = results.total, "index"
    else:
        raw, total = _db_search(system, query, filters, sort, page)
        engine = "database"
    hits = _shown_hits(system, user, raw)
    return SearchPage(total=total, page=page, pages=max(1, -(-total // PAGE_SIZE)), hits=hits, engine=engine)


def open_index(system: System) -> Any:
    """The search index, or None when the index room is not installed (the database answers)."""
    try:
        from index import SearchIndex
    except ImportError:
        return None
    return SearchIndex(system.settings.index_dir)


def _shown_hits(system: System, user: User, raw: list[tuple[str, str]]) -> list[ShownHit]:
    """Re-check every hit against the database: the index may be behind a review or a grant."""
    if not raw:
        return []
    with system.db.read() as s:
        docs = {d.doc_no: d for d in s.scalars(select(Document)
                                               .options(joinedload(Document.archive), defer(Document.text))
                                               .where(Document.doc_no.in_([no for no, _ in raw])))}
        grants = grants_.active_grants(s, user)
        out = []
        for doc_no, snippet in raw:
            doc = docs.get(doc_no)
            if doc is None or not access.can_view_document(user, doc):
                continue
            if not _SNIPPET_OK.fullmatch(snippet or ""):
                snippet = ""  # not the escaped text with <mark> we were promised: show none
            out.append(ShownHit(doc_no=doc.doc_no, archive_no=doc.archive.archive_no, doc_type=doc.doc_type,
                                title=doc.title or doc.source_name, snippet=access.mask_text(user, doc, snippet, grants),
                                status=doc.status, customer=doc.archive.name, issue_date=doc.issue_date))
    return out


def _db_search(system: System, query: str, filters: dict[str, Any], sort: str, page: int):
    """Until the index room lands: a plain LIKE over the database, escaped snippets."""
    from markupsafe import escape

    with system.db.read() as s:
        q = select(Document).join(Archive)
        if query:
            like = f"%{query}%"
            q = q.where(or_(Document.doc_no.like(like), Document.title.like(like), Archive.name.like(like),
                            Document.text.like(like)))
        if filters.get("doc_type"):
            q = q.where(Document.doc_type == filters["doc_type"])
        if filters.get("business_line"):
            q = q.where(Archive.business_line == filters["business_line"])
        if filters.get("status"):
            q = q.where(Document.status == filters["status"])
        if filters.get("date_from"):
            q = q.where(Document.issue_date >= date.fromisoformat(filters["date_from"]))
        if filters.get("date_to"):
            q = q.where(Document.issue_date <= date.fromisoformat(filters["date_to"]))
        total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
        q = q.order_by(Document.issue_date.desc() if sort == "date" else Document.id.desc())
        docs = list(s.scalars(q.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
        raw = []
        for d in docs:
            text = d.text or ""
            i = text.find(query) if query else -1
            part = text[max(0, i - 40): i + 80] if i >= 0 else text[:120]
            snippet = str(escape(part))
            if query and i >= 0:
                snippet = snippet.replace(str(escape(query)), f"<mark>{escape(query)}</mark>")
            raw.append((d.doc_no, snippet))
    return raw, total


# --- review -----------------------------------------------------------------------------

def review_queue(system: System, user: User) -> tuple[list[Document], int]:
    if user.role not in access.REVIEW_ROLES:
        raise NotAllowed("只有部门负责人审核档案。")
    with system.db.read() as s:
        return review.queue(s)


def review_action(system: System, user: User, doc_no: str, verb: str, **kw: Any) -> str:
    """approve | return | correct | resubmit; then re-index the document, after the commit."""
    with system.db.write() as s:
        doc = _load_doc(s, doc_no)
        if not access.can_view_document(user, doc):
            raise NotAllowed("您无权查看此记录。")
        if verb == "approve":
            review.approve(s, actor=user, doc=doc)
        elif verb == "return":
            review.return_to_clerk(s, actor=user, doc=doc, reason=kw["reason"])
        elif verb == "correct":
            grants = grants_.active_grants(s, user, doc.archive_id)
            review.correct_field(s, actor=user, doc=doc, key=kw["key"], value=kw["value"],
                                 reason=kw["reason"], grants=grants)
        elif verb == "resubmit":
            review.resubmit(s, actor=user, doc=doc)
        else:
            raise DossierError(f"unknown action {verb!r}")
        doc_no = doc.doc_no
    reindex(system, [doc_no])
    return doc_no


def reindex(system: System, doc_nos: list[str]) -> None:
    try:
        from archive_store.search_docs import reindex as _reindex  # the lead's; guarded until it lands
    except ImportError:
        return
    try:
        _reindex(system, doc_nos)
    except Exception:  # noqa: BLE001 - the record is committed; the index can be rebuilt from it
        log.exception("re-indexing %s failed; run `dossier reindex`", doc_nos)


# --- intake monitor ---------------------------------------------------------------------

@dataclass
class IntakeView:
    in_progress: list[IntakeJob]
    recent: list[IntakeJob]
    quarantined: list[Any]
    quarantine_source: str


def intake_monitor(system: System, user: User) -> IntakeView:
    if user.role not in access.INTAKE_ROLES:
        raise NotAllowed("只有档案录入员和档案管理员查看收件情况。")
    with system.db.read() as s:
        in_progress = list(s.scalars(select(IntakeJob).where(IntakeJob.state == "claimed")
                                     .order_by(IntakeJob.created_at)))
        recent = list(s.scalars(select(IntakeJob).where(IntakeJob.state.in_(("filed", "duplicate")))
                                .order_by(IntakeJob.updated_at.desc()).limit(50)))
        jobs_q = list(s.scalars(select(IntakeJob).where(IntakeJob.state == "quarantined")
                                .order_by(IntakeJob.updated_at.desc()).limit(200)))
    try:
        from intake.quarantine import list_quarantined  # the lead's; guarded until it lands
    except ImportError:
        return IntakeView(in_progress, recent, jobs_q, "jobs")
    return IntakeView(in_progress, recent, list(list_quarantined(system.settings)), "folder")


def quarantine_action(system: System, user: User, name: str, verb: str) -> None:
    if user.role not in access.INTAKE_ROLES:
        raise NotAllowed("只有档案录入员和档案管理员处理隔离文件。")
    try:
        from intake.quarantine import dismiss, list_quarantined, retry
    except ImportError:
        raise DossierError("隔离区操作尚不可用。") from None
    # The name must be one the quarantine lists now: a URL never names a file by itself.
    if name not in {e.name for e in list_quarantined(system.settings)}:
        raise NotFound(name)
    (retry if verb == "retry" else dismiss)(system, name, actor=user.username)


# --- audit trail ------------------------------------------------------------------------

def audit_query(filters: dict[str, Any]):
    q = select(AuditEvent)
    if filters.get("actor"):
        q = q.where(AuditEvent.actor == filters["actor"])
    if filters.get("object_id"):
        q = q.where(AuditEvent.object_id == filters["object_id"])
    if filters.get("action"):
        q = q.where(AuditEvent.action.startswith(filters["action"], autoescape=True))
    if filters.get("date_from"):
        q = q.where(AuditEvent.at >= filters["date_from"])
    if filters.get("date_to"):
        from datetime import datetime, time, timedelta
        q = q.where(AuditEvent.at < datetime.combine(filters["date_to"] + timedelta(days=1), time()))
    return q


def audit_page(system: System, user: User, filters: dict[str, Any], page: int, size: int = 100):
    if user.role not in access.AUDIT_ROLES:
        raise NotAllowed("只有审计员查看审计记录。")
    q = audit_query(filters)
    with system.db.read() as s:
        total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
        events = list(s.scalars(q.order_by(AuditEvent.seq.desc()).offset((page - 1) * size).limit(size)))
    return events, total


def audit_export(system: System, user: User, filters: dict[str, Any]):
    """Rows for the CSV, streamed; the export itself is an audit event."""
    if user.role not in access.AUDIT_ROLES:
        raise NotAllowed("只有审计员导出审计记录。")
    with system.db.write() as s:
        audit.record(s, actor=user.username, action="audit.exported", object_type="audit",
                     object_id="audit_events", after={k: str(v) for k, v in filters.items() if v})

    def rows():
        yield ["seq", "at_utc", "actor", "action", "object_type", "object_id", "before", "after", "hash"]
        with system.db.read() as s:
            for e in s.scalars(audit_query(filters).order_by(AuditEvent.seq)).yield_per(1000):
                yield [e.seq, e.at.isoformat(timespec="seconds"), e.actor, e.action, e.object_type,
                       e.object_id, e.before or "", e.after or "", e.hash]
    return rows()


