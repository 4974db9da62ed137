"""Viewing records: a document with its fields, page images and downloads; the archive page
with its catalogue (卷内目录). Every opening, and every refusal, is an audit event (the view
log); what a user may see comes from `access`, with redaction applied here on the server.

Files are found by a sha256 read from the database, through `FileStore`: nothing here takes
a path from a URL.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, defer, joinedload

from archive_store import access, audit, grants, redaction
from archive_store.errors import NotAllowed, NotFound
from archive_store.models import Archive, AuditEvent, DocStatus, Document, User
from archive_store.system import System

_NO = re.compile(r"[A-Za-z0-9_-]{1,80}")
# Events that are themselves the view log: the archive page's history leaves them out.
_VIEW_ACTIONS = ("document.viewed", "document.page_viewed", "archive.viewed")


def check_no(value: str) -> str:
    """An archive or document number as typed or taken from a URL: its shape, or NotFound."""
    if not _NO.fullmatch(value or ""):
        raise NotFound(value)
    return value


def refuse(system: System, user: User, object_type: str, object_id: str, action: str,
           message: str = "您无权查看此记录。") -> NotAllowed:
    """Audit a refused look (itself worth an auditor's attention) and return the error to raise."""
    with system.db.write() as s:
        audit.record(s, actor=user.username, action=f"{object_type}.{action}_denied",
                     object_type=object_type, object_id=object_id)
    return NotAllowed(message)


def lent(session: Session, user: User, doc: Document) -> access.Lent:
    """What an approved view or an electronic loan of the user's opens of this effective
    document right now (archive_store.loans keeps the windows)."""
    from archive_store import loans

    if not user.active or user.id is None or doc.status != DocStatus.effective:
        return access.NOT_LENT
    view = loans.active_view(session, user, doc.archive_id)
    if view is not None and view.covers(doc.id):
        return access.Lent(open=True, download=view.allow_download)
    if loans.active_electronic_loan(session, user, doc.archive_id) is not None:
        return access.Lent(open=True, download=True)
    return access.NOT_LENT


def _may_open(session: Session, user: User, doc: Document) -> access.Lent | None:
    """None if the user may not open the document; else what a loan adds to the role's rule."""
    extra = lent(session, user, doc)
    return extra if access.can_view_document(user, doc) or extra.open else None


def load_document(session: Session, doc_no: str) -> Document:
    doc = session.scalar(select(Document).options(joinedload(Document.archive))
                         .where(Document.doc_no == check_no(doc_no)))
    if doc is None:
        doc = _moved_document(session, doc_no)  # a number given up in a merge still finds it
    if doc is None:
        raise NotFound(doc_no)
    return doc


def load_archive(session: Session, archive_no: str) -> Archive:
    archive = session.scalar(select(Archive).where(Archive.archive_no == check_no(archive_no)))
    if archive is None:
        raise NotFound(archive_no)
    return archive


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
    pages: list[dict]            # {"number", "shown"}
    can_download: bool
    can_review: bool
    can_correct: bool
    reasons: list[str] = field(default_factory=list)  # review reasons, masked for the reader


def field_boxes(doc: Document) -> dict[str, dict]:
    """Well-formed field boxes only: {"page": n >= 1, "box": [x0, y0, x1, y1]}."""
    raw = doc.field_boxes or {}
    out = {}
    for key, where in (raw.items() if isinstance(raw, dict) else ()):
        try:
            page, box = int(where.get("page", 1)), [float(v) for v in where["box"]]
        except (AttributeError, KeyError, TypeError, ValueError):
            continue
        if page >= 1 and len(box) == 4 and box[0] <= box[2] and box[1] <= box[3]:
            out[key] = {"page": page, "box": box}
    return out


def _secret_boxes(doc: Document) -> list[dict]:
    """Well-formed secret boxes only (see `Document.secret_boxes`)."""
    out = []
    for entry in doc.secret_boxes or ():
        try:
            page, group, box = int(entry["page"]), str(entry["group"]), entry.get("box")
            box = [float(v) for v in box] if box is not None else None
        except (AttributeError, KeyError, TypeError, ValueError):
            continue
        if box is None or (len(box) == 4 and box[0] <= box[2] and box[1] <= box[3]):
            out.append({"page": page, "group": group, "box": box})
    return out


def _redactions(doc: Document, hidden: list[str], hidden_groups: frozenset[str]) -> dict[int, list] | None:
    """page -> the boxes to black out for this reader, or None if the pages cannot be shown:
    a hidden field without a box, or a secret in the text that is hidden from the reader
    and was never located (a document filed before secrets were boxed, or one whose line
    had no box) is somewhere on some page, and we cannot say where."""
    boxes = field_boxes(doc)
    if any(key not in boxes for key in hidden):
        return None
    secrets = [b for b in _secret_boxes(doc) if b["group"] in hidden_groups]
    if doc.secret_boxes is None and any(f.group in hidden_groups for f in redaction.find(doc.text or "")):
        return None
    if any(b["box"] is None for b in secrets):
        return None
    out: dict[int, list] = {}
    for where in [boxes[k] for k in hidden] + secrets:
        out.setdefault(where["page"], []).append(where["box"])
    return out


def open_document(system: System, user: User, doc_no: str) -> DocumentView:
    with system.db.read() as s:
        doc = load_document(s, doc_no)
        extra = _may_open(s, user, doc)
        if extra is None:
            raise refuse(system, user, "document", doc.doc_no, "view")
        held = grants.active_grants(s, user, doc.archive_id)
        visible = access.visible_fields(user, doc, held, extra)
        hidden = access.hidden_keys(user, doc, held)
        under_review = doc.status in (DocStatus.pending_review, DocStatus.returned)
        boxes = field_boxes(doc)
        reasons, problems = access.review_notes(user, doc, held)
        rows = [FieldRow(key=k, value=str(v), confidence=(doc.field_confidence or {}).get(k),
                         problems=problems.get(k, []),
                         set_by=(doc.field_set_by or {}).get(k, "extraction"), box=boxes.get(k),
                         correctable=under_review and access.can_correct(user, doc, k, held))
                for k, v in visible.items()]
        shown = _redactions(doc, hidden, access.hidden_groups(user, doc, held)) is not None
        # A destroyed document keeps its number, catalogue line and fields; its files are gone.
        gone = doc.status == DocStatus.destroyed
        pages = [] if gone else [{"number": n, "shown": shown}
                                 for n in range(1, len(doc.page_image_sha256 or []) + 1)]
        view = DocumentView(
            doc=doc, archive=doc.archive, fields=rows, hidden=hidden,
            text=access.mask_text(user, doc, doc.text or "", held), pages=pages,
            can_download=not gone and access.can_download(user, doc, held, extra),
            can_review=user.role in access.REVIEW_ROLES and doc.status == DocStatus.pending_review,
            can_correct=under_review and user.role in access.CORRECT_ROLES, reasons=reasons,
        )
    with system.db.write() as s:
        audit.record(s, actor=user.username, action="document.viewed", object_type="document",
                     object_id=doc.doc_no, after={"fields": sorted(visible), "hidden": sorted(hidden)})
    return view


def page_image(system: System, user: User, doc_no: str, number: int) -> bytes:
    """A page preview (JPEG), every field the user may not see blacked out over its box."""
    from PIL import Image, ImageDraw

    with system.db.read() as s:
        doc = load_document(s, doc_no)
        if _may_open(s, user, doc) is None:
            raise refuse(system, user, "document", doc.doc_no, "page")
        shas = doc.page_image_sha256 or []
        if doc.status == DocStatus.destroyed or not 1 <= number <= len(shas):
            raise NotFound(f"{doc_no} page {number}")
        held = grants.active_grants(s, user, doc.archive_id)
        hidden = access.hidden_keys(user, doc, held)
        redactions = _redactions(doc, hidden, access.hidden_groups(user, doc, held))
        if redactions is None:
            raise NotAllowed("此页含有您无权查看的信息。")
        data = system.store.read(shas[number - 1])
    redact = redactions.get(number, [])
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
    path: Path
    name: str
    media_type: str


def download(system: System, user: User, doc_no: str, which: str) -> Download:
    """The original (`original`) or the searchable archival PDF (`pdf`) of a document."""
    with system.db.read() as s:
        doc = load_document(s, doc_no)
        extra = _may_open(s, user, doc) or access.NOT_LENT
        if not access.can_download(user, doc, grants.active_grants(s, user, doc.archive_id), extra):
            raise refuse(system, user, "document", doc.doc_no, "download")
        if doc.status == DocStatus.destroyed:
            raise NotFound(f"{doc.doc_no} 已销毁。")
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
    grants: list[grants.GrantRow] = field(default_factory=list)
    grant_candidates: list[str] = field(default_factory=list)


def catalogue(session: Session, user: User, archive: Archive) -> tuple[list[Document], int]:
    """The documents of an archive the user may open, in issue-date order (按形成时间顺序,
    undated last), and how many others there are."""
    docs = list(session.scalars(select(Document).options(defer(Document.text))
                                .where(Document.archive_id == archive.id)))
    shown = [d for d in docs if access.can_view_document(user, d) or lent(session, user, d).open]
    shown.sort(key=lambda d: (d.issue_date is None, d.issue_date or date.max, d.item_no))
    return shown, len(docs) - len(shown)


def open_card(system: System, session: Session, user: User, archive_no: str,
              action: str) -> tuple[Archive, list[Document], int]:
    """The archive a number leads to (a merged-away one to its survivor), the documents of it
    the user may open and how many others there are; refused, and the refusal audited, when
    the user may not open its card (the archive page and its catalogue alike)."""
    if not (user.active and user.role in access.READER_ROLES):
        raise refuse(system, user, "archive", check_no(archive_no), action)
    archive = survivor(session, load_archive(session, archive_no))
    shown, withheld = catalogue(session, user, archive)
    if not access.can_view_archive(user, archive, shown):
        raise refuse(system, user, "archive", archive.archive_no, action)
    return archive, shown, withheld


def open_archive(system: System, user: User, archive_no: str) -> ArchiveView:
    with system.db.read() as s:
        archive, shown, withheld = open_card(system, s, user, archive_no, "view")
        ids = [archive.archive_no, *(d.doc_no for d in shown)]
        history = list(s.scalars(select(AuditEvent).where(AuditEvent.object_id.in_(ids))
                                 .where(AuditEvent.action.not_in(_VIEW_ACTIONS))
                                 .order_by(AuditEvent.seq.desc()).limit(50)))
        owner = s.get(User, archive.owner_id).display_name if archive.owner_id else None
        view = ArchiveView(archive=archive, owner=owner, catalogue=shown, withheld=withheld, history=history)
        if user.role in access.GRANT_ROLES:
            view.grants = grants.archive_grants(s, archive.id)
            view.grant_candidates = sorted(
                u.username for u in s.scalars(select(User).where(User.active.is_(True)))
                if u.role not in access.GRANT_ROLES and access.role_access(u.role).kinds)
    with system.db.write() as s:
        audit.record(s, actor=user.username, action="archive.viewed", object_type="archive",
                     object_id=archive.archive_no)
    return view


def _moved_document(session: Session, doc_no: str) -> Document | None:
    from archive_store.archives import resolve_doc_no  # archives imports this module

    return resolve_doc_no(session, doc_no)


def survivor(session: Session, archive: Archive) -> Archive:
    """The archive a (possibly merged-away) archive's number leads to."""
    seen = set()
    while archive.merged_into_id is not None and archive.id not in seen:
        seen.add(archive.id)
        archive = session.get(Archive, archive.merged_into_id)
    return archive
