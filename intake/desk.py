"""The clerk's live intake page and the upload from the browser.

`live` reads what is waiting in the inbox, what the pipeline is working on (and at which
stage) and what it has finished; the page polls it. `upload` puts files into the inbox as
if they had been copied there: under a safe name, written whole before they appear (a
hidden temporary name, then a rename), checked first against the pipeline's own limits so
that an obviously wrong file is refused on the spot rather than quarantined later.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

import ocr
from archive_store import access, audit
from archive_store.messages import Refused
from archive_store.models import Document, IntakeJob, IntakeWorker, User, utcnow
from archive_store.system import System
from intake.names import disk_name
from intake import status
from intake.lease import db_now
from intake.quarantine import QuarantineEntry, _unique, list_quarantined
from intake.watcher import inbox_files
from ocr.sniff import sniff

_INTAKE_ONLY = "只有档案录入员和档案管理员处理收件。"
MAX_FILES = 20
RECENT = 50
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Waiting:
    name: str
    business_line: str | None
    size: int
    since: datetime


@dataclass(frozen=True)
class Working:
    job_id: int
    name: str
    stage: str           # claimed | reading | extracting | filing
    pages: int | None    # known once the file is opened
    pages_read: int | None  # while reading a file of several pages: "reading page pages_read + 1 of pages"
    since: datetime


@dataclass(frozen=True)
class Done:
    job_id: int
    name: str
    state: str           # filed | unsorted | duplicate
    doc_no: str | None
    unsorted_id: int | None
    needs_review: bool   # the reading left something for the reviewer to check
    at: datetime


@dataclass(frozen=True)
class LiveView:
    waiting: list[Waiting]
    working: list[Working]
    done: list[Done]
    quarantined: list[QuarantineEntry]
    watcher: status.WatcherStatus            # alive or not, its failures and the files it could not take
    left_alone: list[status.WaitingFile]     # hidden and temporary names: someone's work in progress
    index: status.IndexStatus
    # live intake workers per machine (leases not run out): watchers' worker processes on
    # this machine or others, and any `dossier ingest`
    workers: tuple[tuple[str, int], ...] = ()


def _waiting(system: System) -> list[Waiting]:
    inbox = system.settings.inbox
    out = []
    for p in inbox_files(inbox):
        try:
            st = p.stat()
        except FileNotFoundError:  # taken by the watcher meanwhile
            continue
        parts = p.relative_to(inbox).parts
        line = parts[0] if len(parts) > 1 and parts[0] in system.settings.business_lines else None
        out.append(Waiting(p.name, line, st.st_size, datetime.utcfromtimestamp(st.st_mtime)))
    return out


def live(system: System, actor: User) -> LiveView:
    from archive_store.search_docs import open_index

    access.require(actor, access.INTAKE_ROLES, _INTAKE_ONLY)
    with system.db.read() as s:
        now = db_now(s)
        workers = tuple((host, n) for host, n in s.execute(
            select(IntakeWorker.host, func.count()).where(IntakeWorker.lease_until >= now)
            .group_by(IntakeWorker.host).order_by(IntakeWorker.host)))
        working = [Working(j.id, os.path.basename(j.source_name), j.stage or "claimed", j.pages,
                           j.pages_read, j.created_at)
                   for j in s.scalars(select(IntakeJob).where(IntakeJob.state == "claimed")
                                      .order_by(IntakeJob.created_at))]
        jobs = list(s.scalars(select(IntakeJob).where(IntakeJob.state.in_(("filed", "unsorted", "duplicate")))
                              .order_by(IntakeJob.updated_at.desc(), IntakeJob.id.desc()).limit(RECENT)))
        ids = [j.document_id for j in jobs if j.document_id]
        docs = {d.id: d for d in s.scalars(select(Document).options(joinedload(Document.archive))
                                           .where(Document.id.in_(ids)))} if ids else {}
        done = []
        for j in jobs:
            doc = docs.get(j.document_id)
            done.append(Done(j.id, os.path.basename(j.source_name), j.state, doc.doc_no if doc else None,
                             j.unsorted_id, bool(doc and (doc.review_reasons or doc.field_problems)),
                             j.updated_at))
    settings = system.settings
    return LiveView(_waiting(system), working, done, list_quarantined(settings), status.watcher_status(settings),
                    status.waiting_files(settings), status.index_status(settings, open_index(system)), workers)


@dataclass(frozen=True)
class Uploaded:
    name: str            # as sent
    saved_as: str | None  # the name in the inbox, when accepted
    refused: Refused | None


def upload(system: System, actor: User, files: list[tuple[str, BinaryIO]], business_line: str | None,
           *, options: ocr.ReadOptions | None = None) -> list[Uploaded]:
    """Each file into the inbox (its business line's folder), or refused with a reason;
    one bad file does not stop the others."""
    access.require(actor, access.INTAKE_ROLES, _INTAKE_ONLY)
    settings = system.settings
    if business_line and business_line not in settings.business_lines:
        raise Refused("unknown_business_line", line=business_line)
    if len(files) > MAX_FILES:
        raise Refused("upload_too_many", limit=MAX_FILES)
    limit = (options or ocr.ReadOptions()).max_bytes
    folder = settings.inbox / business_line if business_line else settings.inbox
    folder.mkdir(exist_ok=True)
    out = []
    for name, stream in files:
        shown = (name or "")[:200]
        try:
            saved = _accept(folder, name, stream, limit)
        except Refused as refused:
            out.append(Uploaded(shown, None, refused))
            continue
        with system.db.write() as s:
            audit.record(s, actor=actor.username, action="intake.uploaded", object_type="inbox",
                         object_id=saved.name[:80],
                         after={"file": str(saved.relative_to(settings.inbox)), "size": saved.stat().st_size,
                                "sent_as": shown, "at": utcnow().isoformat(timespec="seconds")})
        out.append(Uploaded(shown, saved.name, None))
    return out


def _accept(folder: Path, name: str, stream: BinaryIO, limit: int) -> Path:
    # The browser's name for it, without any folder a browser may send (C:\fakepath\…).
    safe = disk_name((name or "").replace("\\", "/").rsplit("/", 1)[-1])
    tmp = folder / f".upload-{secrets.token_hex(6)}"  # hidden: the watcher leaves it alone
    size = 0
    try:
        with open(tmp, "wb") as f:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise Refused("upload_too_large", name=safe, limit_mb=limit // 2**20)
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
        if size == 0:
            raise Refused("q_empty")
        with open(tmp, "rb") as f:
            head = f.read(4096)
            # a Word file is a ZIP: only its directory says it is one, so read it whole
            media = sniff(head + f.read() if head.startswith(b"PK") else head)
        if media is None:
            raise Refused("upload_unsupported", name=safe)
        target = _unique(folder, safe)
        os.rename(tmp, target)
        return target
    finally:
        tmp.unlink(missing_ok=True)
