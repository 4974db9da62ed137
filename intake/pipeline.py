"""One file through the pipeline: claim → read → analyse → store → file → index → clean up.

Each step either passes or raises `IntakeFailure`; `_quarantine` is the one place that turns
a failure into the quarantine record and the job's state. The order of side effects is
fixed: originals and derivatives into the store, then the record committed, then the index,
and only then does the file leave `work/`. A crash at any point leaves the file in `work/`
with its job row, and `recover()` finishes or redoes the job; a sidecar listing what was put
into the store lets recovery remove what a crashed attempt stored but never committed.

Every worker works in a private folder with a lease (intake/lease.py); `take_over` moves a
dead worker's files into this one's and finishes them. A lost database connection is waited
out, never a reason to quarantine (intake/runner.py).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import queue
import secrets
import shutil
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select, update

import forms
import ocr
from archive_store import audit, messages, redaction, unsorted
from archive_store.filestore import sha256_file
from archive_store.filing import Duplicate, FilingInput, file_document, find_duplicate
from archive_store.matching import CustomerRef
from archive_store.models import Document, IntakeJob, IntakeWorker
from archive_store.search_docs import reindex
from archive_store.system import System
from archive_store.verify import expected_files
from intake.errors import MESSAGES, IntakeFailure
from intake.lease import WorkerLease, db_now, db_unavailable, wait_for_db
from intake.lock import LOCK_NAME, PROC_PREFIX, host_name, is_held
from intake.names import disk_name, display_name, for_log, looks_like_a_path
from intake.quarantine import quarantine_file

log = logging.getLogger("dossier.intake")
ACTOR = "system:intake"
INDEX_BATCH_WAIT_S = 0.3
INDEX_BATCH_MAX = 200
# A file under which the whole process died this many times while reading it is set aside.
# Reading runs in memory-capped workers, so a file should never kill the watcher itself;
# this is the last resort, and high because a kill -9 from outside (an operator, the crash
# tests: 6 and 20 kills) cannot be told from a crash, and a slow scan read at every kill
# must not be taken for a killer. Files with crashes behind them are read last.
MAX_READ_CRASHES = 25
# The live page's "reading page x of y" is written at most once a page and this often: a
# scan's pages take seconds each, a text layer's none, and every write takes the database.
PROGRESS_EVERY_S = 0.3
_SEP = "~"


@dataclass(frozen=True)
class Outcome:
    """What happened to one input: the `dossier ingest --json` contract."""

    source: str
    # filed | unsorted (in the clerk's tray, no number yet) | duplicate | rejected, or (a worker
    # only, rarely) taken_over: another worker finishes it (intake/lease.py)
    status: str
    doc_no: str | None = None
    archive_no: str | None = None
    reason: str | None = None
    detail: str | None = None
    job_id: int | None = None
    pages: int = 0
    doc_type: str | None = None
    read_seconds: float = 0.0  # time in the ocr room, for the benchmark's overhead figure
    total_seconds: float = 0.0
    cause: str | None = None  # within a reason: "link", "special", "name", "crashes" (intake/errors.py)

    def to_json(self) -> dict:
        return {"source": self.source, "status": self.status, "doc_no": self.doc_no,
                "archive_no": self.archive_no, "reason": self.reason, "detail": self.detail,
                "doc_type": self.doc_type, "pages": self.pages, "job_id": self.job_id, "cause": self.cause}


@dataclass(frozen=True)
class Job:
    id: int
    work_path: Path
    source: str  # what the user dropped or named, for messages
    business_line: str


class TakenOver(Exception):
    """The job went to another worker while this one could not renew its lease."""


class Pipeline:
    def __init__(self, system: System, *, read_options: ocr.ReadOptions, lease: WorkerLease):
        self.system = system
        self.settings = system.settings
        # every worker works in its own folder under work/ (intake/lease.py), so that taking
        # over a dead worker's files never touches a live one's
        self.lease = lease
        self.work = lease.folder
        self.worker = lease.name
        self.read_options = read_options
        self._filing = threading.Lock()  # filing stays serialised: numbers and the store sidecars
        self._inflight: dict[str, threading.Event] = {}
        self._inflight_lock = threading.Lock()
        self._read_seconds = threading.local()
        self._indexer: queue.Queue = queue.Queue()
        self._index_thread = threading.Thread(target=self._index_batches, name="intake-index", daemon=True)
        self._index_thread.start()

    # -- claiming -------------------------------------------------------------------------
    def business_line_for(self, path: Path) -> str:
        """The inbox sub-folder names the business line; elsewhere the default."""
        try:
            parts = path.relative_to(self.settings.inbox).parts
        except ValueError:
            parts = ()
        if len(parts) > 1 and parts[0] in self.settings.business_lines:
            return parts[0]
        return self.settings.default_business_line

    def _work_path(self, business_line: str, name: str) -> Path:
        return self.work / f"{business_line}{_SEP}{secrets.token_hex(6)}{_SEP}{disk_name(name)}"

    def claim_from_inbox(self, path: Path) -> Job | None:
        """Atomically move an inbox file into work/; None if someone else took it first."""
        biz = self.business_line_for(path)
        target = self._work_path(biz, path.name)
        try:
            os.rename(path, target)
        except FileNotFoundError:
            return None
        return self._open_job(target, source=display_name(str(path.relative_to(self.settings.inbox))),
                              business_line=biz)

    def refuse_from_inbox(self, path: Path, cause: str) -> Outcome | None:
        """An inbox entry that is not an ordinary file (a link, a named pipe): never opened
        and never followed. It is replaced, in quarantine, by a note saying what it was, so
        that nothing in the quarantine can lead a download elsewhere on the server."""
        biz = self.business_line_for(path)
        try:
            what = f"a link to {display_name(os.readlink(path))}" if cause == "link" else "a named pipe, socket or device"
        except OSError:
            what = "a link"
        target = self._work_path(biz, path.name)
        _write_durably(target, f"{display_name(path.name)} was {what}; Dossier did not open it.\n")
        try:
            os.unlink(path)  # the link or pipe itself; whatever it points to is not touched
        except FileNotFoundError:
            target.unlink()
            return None
        job = self._open_job(target, source=display_name(str(path.relative_to(self.settings.inbox))), business_line=biz)
        return None if job is None else self._quarantine(job, IntakeFailure("unsupported", cause=cause))

    def claim_copy(self, path: Path, business_line: str | None = None) -> Job | None:
        """For `dossier ingest`: the user's file stays where it is; we work on a copy."""
        biz = business_line or self.settings.default_business_line
        target = self._work_path(biz, path.name)
        tmp = target.with_name("." + target.name + ".copying")
        shutil.copyfile(path, tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.rename(tmp, target)
        return self._open_job(target, source=display_name(str(path)), business_line=biz)

    def _open_job(self, work_path: Path, *, source: str, business_line: str) -> Job | None:
        """The job row, committed with a renewal of this worker's lease; waits while the
        database is away (the file stays in this worker's folder meanwhile). None if this
        worker had been taken for dead and the file went with its folder to another."""
        def register() -> Job | None:
            with self.system.db.write() as s:
                self.lease.renew_in(s)
                if not work_path.exists():
                    return None
                row = IntakeJob(source_name=source[-512:], work_path=work_path.name, business_line=business_line,
                                state="claimed", worker=self.worker)
                s.add(row)
                s.flush()
                return Job(row.id, work_path, source, business_line)

        return wait_for_db(register, stopping=self.lease.stopping, what=f"registering {for_log(source)}")

    def recover(self) -> list[Job]:
        """At a worker's start: what dead workers left (take-over), and anything in this
        worker's own folder; finished where it was filed, redone otherwise."""
        self._adopt()
        return self._resume(sorted(p for p in self.work.iterdir() if not p.name.startswith(".") and p.is_file()))

    def take_over(self) -> list[Job]:
        """Every so often: the files of workers that have died since, moved into this
        worker's folder; the jobs among them to do again."""
        return self._resume(self._adopt())

    def _adopt(self) -> list[Path]:
        """Move the files of dead workers into this worker's folder, with their jobs.

        Dead: a worker whose lease has run out (any machine), or a folder of this machine
        whose lock no live process holds (at once: the kernel dropped the lock when the
        process ended). Also the files an older Dossier's watcher left in work/ itself. One
        transaction, and the workers' rows locked FOR UPDATE SKIP LOCKED, so two workers
        looking at once never split one folder between them. (PostgreSQL write transactions
        also share one lock, archive_store/db.py, and SQLite has one writer: either alone
        would do; the row locks keep it true should that change.)"""
        work = self.settings.work
        moved: list[Path] = []
        with self.system.db.write() as s:
            now = db_now(s)
            dead = {w.name for w in s.scalars(
                select(IntakeWorker).where(IntakeWorker.lease_until < now, IntakeWorker.name != self.worker)
                .with_for_update(skip_locked=True))}
            for folder in self.dead_here():
                if folder.name in dead:
                    continue
                if s.get(IntakeWorker, folder.name) is not None and s.scalar(
                        select(IntakeWorker.name).where(IntakeWorker.name == folder.name)
                        .with_for_update(skip_locked=True)) is None:
                    continue  # another worker is taking it over right now
                dead.add(folder.name)
            for name in sorted(dead):
                files = self._move_in(work / name)
                s.execute(update(IntakeJob).where(IntakeJob.worker == name, IntakeJob.state == "claimed")
                          .values(worker=self.worker))
                s.execute(IntakeWorker.__table__.delete().where(IntakeWorker.name == name))
                if files:
                    log.warning("took over %d file(s) from %s, a worker that has stopped", len(files), name)
                    audit.record(s, actor=ACTOR, action="intake.taken_over", object_type="intake_worker",
                                 object_id=name[:64], after={"worker": name, "by": self.worker,
                                                             "files": [p.name for p in files]})
                moved += files
            moved += self._move_in(work)  # an older Dossier's watcher worked in work/ itself
        return sorted(moved)

    def dead_here(self) -> list[Path]:
        """The work folders of this machine's workers that have ended: no live process holds
        their lock. Asked of the file system alone, so cheap enough to ask often."""
        return [folder for folder in self.settings.work.glob(f"{PROC_PREFIX}{host_name()}@*")
                if folder.name != self.worker and folder.is_dir() and not is_held(folder / LOCK_NAME)]

    def _move_in(self, folder: Path) -> list[Path]:
        """The files of `folder` (their sidecars with them) moved into this worker's folder;
        returns the files to resume. Sub-folders are other workers'; left alone."""
        moved = []
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            return []
        for entry in entries:
            if entry.name == LOCK_NAME or entry.is_dir(follow_symlinks=False):
                continue
            if entry.name.endswith((".copying", ".tmp")):
                # a copy or a sidecar write that never finished: its source is intact
                os.unlink(entry.path)
                continue
            target = self.work / entry.name
            try:
                os.rename(entry.path, target)
            except FileNotFoundError:
                continue
            if not entry.name.startswith("."):
                moved.append(target)
        if folder != self.settings.work:
            (folder / LOCK_NAME).unlink(missing_ok=True)
            try:
                folder.rmdir()
            except OSError:  # something new in it (its worker came back): left for the next look
                pass
        return moved

    def _resume(self, paths: list[Path]) -> list[Job]:
        """Jobs a stopped worker left: finished where they were filed, redone otherwise. A
        file under which Dossier stopped MAX_READ_CRASHES times while reading it is set aside,
        so that it cannot stop every restart in turn."""
        jobs: list[Job] = []
        for path in paths:
            with self.system.db.write() as s:
                row = s.scalar(select(IntakeJob).where(IntakeJob.work_path == path.name).order_by(IntakeJob.id.desc()))
                if row is None:  # crashed between the move and the job row
                    biz = path.name.split(_SEP, 1)[0]
                    biz = biz if biz in self.settings.business_lines else self.settings.default_business_line
                    row = IntakeJob(source_name=path.name.split(_SEP, 2)[-1], work_path=path.name,
                                    business_line=biz, state="claimed")
                    s.add(row)
                row.worker = self.worker
                s.flush()
                job = Job(row.id, path, row.source_name, row.business_line or self.settings.default_business_line)
                state = row.state
            if state in ("filed", "unsorted"):
                # Committed: what the sidecar lists is referenced now. A stop between the
                # commit and its unlink left it behind, and nothing else would remove it.
                self._sidecar(job).unlink(missing_ok=True)
                self._reading_mark(job).unlink(missing_ok=True)
            if state == "filed":  # committed, but the index or the clean-up had not happened
                self._finish_filed(job)
            elif state == "unsorted":  # committed into the tray: only the clean-up was left
                path.unlink(missing_ok=True)
            elif _read_crashes(self._reading_mark(job)) >= MAX_READ_CRASHES:
                log.warning("setting %s aside: Dossier stopped %d times while reading it", for_log(job.source),
                            MAX_READ_CRASHES)
                self._reading_mark(job).unlink(missing_ok=True)
                self._quarantine(job, IntakeFailure("internal", cause="crashes"))
            else:
                self._undo_uncommitted_store(job)
                jobs.append(job)
        self.flush_index()
        # a file that may have brought the last run down goes after the others (sort is stable)
        return sorted(jobs, key=lambda j: _read_crashes(self._reading_mark(j)))

    def resume(self, job: Job) -> Job | None:
        """After the database came back mid-job: the job to do again, or None if its commit
        had gone through (it is finished like a recovered one)."""
        if not job.work_path.exists():
            raise TakenOver(job.source)
        return next(iter(self._resume([job.work_path])), None)

    def outcome_of(self, job: Job) -> Outcome:
        """What became of a job that `resume` found committed."""
        with self.system.db.read() as s:
            row = s.get(IntakeJob, job.id)
            doc = s.get(Document, row.document_id) if row.document_id else None
            return Outcome(job.source, row.state, doc_no=doc.doc_no if doc else None,
                           archive_no=doc.archive.archive_no if doc else None, job_id=job.id, pages=row.pages or 0)

    # -- processing -----------------------------------------------------------------------
    def process(self, job: Job) -> Outcome:
        started = time.perf_counter()
        self._read_seconds.value = 0.0
        try:
            try:
                outcome = self._process(job)
            except IntakeFailure as failure:
                outcome = self._quarantine(job, failure)
            except Exception as exc:  # never lose a file to a bug: quarantine it and say so
                if isinstance(exc, TakenOver) or db_unavailable(exc):
                    raise  # the database away: waited out by the caller, the file kept (intake/runner.py)
                log.exception("intake failed on %s", for_log(job.source))
                outcome = self._quarantine(job, IntakeFailure("internal", f"{MESSAGES['internal']} ({type(exc).__name__}: {exc})"))
        except TakenOver:
            log.warning("%s was taken over by another worker while this one could not renew its lease; "
                        "left to it", for_log(job.source))
            return Outcome(job.source, "taken_over", job_id=job.id, detail="Another worker finishes this file.")
        return dataclasses.replace(outcome, read_seconds=self._read_seconds.value,
                                   total_seconds=time.perf_counter() - started)

    def _process(self, job: Job) -> Outcome:
        if looks_like_a_path(os.path.basename(job.source)):
            raise IntakeFailure("unsupported", cause="name")
        size = job.work_path.stat().st_size
        if size == 0:
            raise IntakeFailure("empty", "The file is empty (0 bytes).")
        if size > self.read_options.max_bytes:
            raise IntakeFailure("too_large", f"The file is {size / 2**20:.0f} MB; Dossier accepts up to "
                                             f"{self.read_options.max_bytes / 2**20:.0f} MB.")
        sha = sha256_file(job.work_path)
        self._enter(sha)
        try:
            existing = self._existing(sha)
            if existing:
                return self._duplicate(job, sha, *existing)
            read_started = time.perf_counter()
            self._stage(job, "reading")
            mark = self._reading_mark(job)
            # gone again unless this process dies while reading; no fsync: what it guards
            # against is the process being killed, and the kernel keeps what it wrote
            mark.write_text(str(_read_crashes(mark) + 1))
            try:
                result = ocr.read_path(job.work_path, self.read_options, _ReadingProgress(self, job))
            except ocr.ReadError as err:
                raise IntakeFailure(err.reason, err.detail) from None
            finally:
                mark.unlink(missing_ok=True)
                self._read_seconds.value = time.perf_counter() - read_started
            pages = len(result.extraction.pages)
            self._stage(job, "extracting", pages=pages)
            analysis = forms.analyze(result.extraction, our_companies=self.settings.our_companies,
                                     second_look=ocr.second_look(result))
            self._stage(job, "filing", pages=pages)
            with self._filing:
                return self._store_and_file(job, sha, size, result, analysis)
        finally:
            self._leave(sha)

    def _check_owner(self, s, job: Job) -> IntakeJob:
        """The job's row, if the job is still this worker's (see intake/lease.py)."""
        row = s.get(IntakeJob, job.id)
        if row.worker not in (None, self.worker):
            raise TakenOver(job.source)
        return row

    def _stage(self, job: Job, stage: str, pages: int | None = None, pages_read: int | None = None) -> None:
        """Where the job is, for the clerk's live intake page: the pages are known once the
        file is opened, and counted as they are read."""
        with self.system.db.write() as s:
            row = self._check_owner(s, job)
            row.stage, row.pages, row.pages_read = stage, pages, pages_read

    def _enter(self, sha: str) -> None:
        """Two copies of one file in the same burst: the second waits for the first, then
        finds it filed and reports a duplicate instead of reading it again."""
        while True:
            with self._inflight_lock:
                event = self._inflight.get(sha)
                if event is None:
                    self._inflight[sha] = threading.Event()
                    return
            event.wait()

    def _leave(self, sha: str) -> None:
        with self._inflight_lock:
            self._inflight.pop(sha).set()

    def _existing(self, sha: str) -> tuple[str, str] | None:
        with self.system.db.read() as s:
            doc = find_duplicate(s, sha)
            if doc:
                return doc.doc_no, doc.archive.archive_no
            held = unsorted.find_held(s, sha)  # waiting in the tray: named by its tray id
            return (unsorted.object_id(held.id), "") if held else None

    def _duplicate(self, job: Job, sha: str, doc_no: str, archive_no: str) -> Outcome:
        if not self.system.store.has(sha):  # the stored copy went missing: this copy heals it
            self.system.store.put_file(job.work_path)
        with self.system.db.write() as s:
            row = self._check_owner(s, job)
            row.state, row.sha256 = "duplicate", sha
            row.detail = f"the same file is already filed as {doc_no}"
            row.document_id = s.scalar(select(Document.id).where(Document.doc_no == doc_no))
        job.work_path.unlink(missing_ok=True)  # its bytes are safe in the store under `sha`
        return Outcome(job.source, "duplicate", doc_no=doc_no, archive_no=archive_no, job_id=job.id,
                       detail=f"The same file is already filed as {doc_no}.")

    def _sidecar(self, job: Job) -> Path:
        return job.work_path.with_name("." + job.work_path.name + ".stored.json")

    @staticmethod
    def _reading_mark(job: Job) -> Path:
        return job.work_path.with_name("." + job.work_path.name + ".reading")

    def _store_and_file(self, job: Job, sha: str, size: int, result: ocr.ReadResult,
                        analysis: forms.Analysis) -> Outcome:
        store = self.system.store
        extraction = result.extraction
        derived = list(result.page_images) + ([result.archival_pdf] if result.archival_pdf else [])
        planned = [sha] + [hashlib.sha256(b).hexdigest() for b in derived]
        sidecar = self._sidecar(job)
        _write_durably(sidecar, json.dumps([p for p in planned if not store.has(p)]))
        store.put_file(job.work_path)
        previews = [store.put_bytes(img) for img in result.page_images]
        archival = store.put_bytes(result.archival_pdf) if result.archival_pdf else None

        fields = {k: fv.value for k, fv in analysis.fields.items()}
        customer = _customer(analysis)
        item = FilingInput(
            source_name=os.path.basename(job.source), sha256=sha, size=size,
            media_type=extraction.media_type, customer=customer, business_line=job.business_line,
            doc_type=analysis.doc_type, title=analysis.title, pages=len(extraction.pages),
            script=extraction.script, text=extraction.text, fields=fields,
            field_confidence={k: round(fv.confidence, 4) for k, fv in analysis.fields.items()},
            field_problems={k: [forms.problem_json(p) for p in fv.problems]
                            for k, fv in analysis.fields.items() if fv.problems},
            review_reasons=tuple(r.as_json() for r in forms.review_reasons(analysis))
            + (() if customer.name or customer.uscc or customer.id_number
               else (messages.reason("customer_unknown"),)),
            issue_date=_date(analysis.issue_date), archival_sha256=archival,
            page_image_sha256=tuple(previews),
        )
        if unsorted.needs_sorting(item.doc_type, item.customer):
            return self._hold(job, sha, item, analysis, sidecar)
        try:
            with self.system.db.write() as s:
                self._check_owner(s, job)
                doc = file_document(s, self.settings, actor=ACTOR, item=item)
                doc.field_boxes = _field_boxes(analysis)
                doc.secret_boxes = redaction.secret_boxes(extraction.pages)  # every ID, phone, … on the page
                row = s.get(IntakeJob, job.id)
                row.state, row.sha256, row.document_id, row.reason, row.detail = "filed", sha, doc.id, None, None
                outcome = Outcome(job.source, "filed", doc_no=doc.doc_no, archive_no=doc.archive.archive_no,
                                  job_id=job.id, pages=len(extraction.pages), doc_type=doc.doc_type)
            sidecar.unlink()  # committed: what was stored is referenced now
        except Duplicate as dup:  # another process filed the same bytes a moment ago
            sidecar.unlink(missing_ok=True)
            existing = self._existing(sha)
            return self._duplicate(job, sha, dup.doc_no, existing[1] if existing else "")
        except TakenOver:
            raise  # what was stored may be the new owner's too: its own sidecar accounts for it
        except BaseException:
            self._undo_uncommitted_store(job)
            raise
        self._indexer.put((job, outcome.doc_no))
        return outcome

    def _hold(self, job: Job, sha: str, item: FilingInput, analysis: forms.Analysis, sidecar: Path) -> Outcome:
        """Into the clerk's unsorted tray: no archive, no number, nothing to index yet."""
        try:
            with self.system.db.write() as s:
                self._check_owner(s, job)
                row = unsorted.hold(s, actor=ACTOR, item=item, boxes=_field_boxes(analysis))
                job_row = s.get(IntakeJob, job.id)
                job_row.state, job_row.sha256, job_row.unsorted_id = "unsorted", sha, row.id
                job_row.reason = job_row.detail = None
            sidecar.unlink()
        except TakenOver:
            raise
        except BaseException:
            self._undo_uncommitted_store(job)
            raise
        job.work_path.unlink(missing_ok=True)  # its bytes are safe in the store under `sha`
        return Outcome(job.source, "unsorted", job_id=job.id, pages=item.pages, doc_type=item.doc_type,
                       detail=f"unsorted {unsorted.object_id(row.id)}")

    def _finish_filed(self, job: Job) -> None:
        with self.system.db.read() as s:
            row = s.get(IntakeJob, job.id)
            doc_no = s.scalar(select(Document.doc_no).where(Document.id == row.document_id))
        self._indexer.put((job, doc_no))

    def flush_index(self) -> None:
        """Wait until every filed document so far is indexed (or its indexing has failed)."""
        self._indexer.join()

    def close(self) -> None:
        self.flush_index()
        self._indexer.put(None)
        self._index_thread.join()

    def _index_batches(self) -> None:
        """After the commit: index, then let the files leave work/ (their bytes are in the store).

        Whoosh writes a segment per commit, which costs more than filing a born-digital
        document, so documents filed within a moment of each other share one commit."""
        while True:
            first = self._indexer.get()
            if first is None:
                self._indexer.task_done()
                return
            batch = [first]
            deadline = time.monotonic() + INDEX_BATCH_WAIT_S
            while len(batch) < INDEX_BATCH_MAX:
                try:
                    item = self._indexer.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if item is None:  # closing: finish this batch first, then stop
                    self._indexer.task_done()
                    self._indexer.put(None)
                    break
                batch.append(item)
            try:
                # the database away: waited out, so that the files leave work/ once indexed
                wait_for_db(lambda: reindex(self.system, [doc_no for _, doc_no in batch]),
                            stopping=self.lease.stopping, what="indexing")
            except Exception:  # the records are safe; the next recovery or `dossier reindex` catches up
                log.exception("indexing %d document(s) failed; they are filed and the index can be rebuilt", len(batch))
            else:
                for job, _ in batch:
                    job.work_path.unlink(missing_ok=True)
            finally:
                for _ in batch:
                    self._indexer.task_done()

    def _undo_uncommitted_store(self, job: Job) -> None:
        """Remove what an attempt put into the store but never committed a record for."""
        sidecar = self._sidecar(job)
        if not sidecar.exists():
            return
        planned = json.loads(sidecar.read_text() or "[]")
        with self.system.db.read() as s:
            referenced = expected_files(s)
        for sha in planned:
            if sha not in referenced:
                self.system.store.remove(sha)
        sidecar.unlink()

    def _quarantine(self, job: Job, failure: IntakeFailure) -> Outcome:
        with self.system.db.read() as s:
            self._check_owner(s, job)
        self._undo_uncommitted_store(job)
        name = quarantine_file(self.settings, job.work_path, original_name=os.path.basename(job.source),
                               reason=failure.reason, detail=failure.detail, job_id=job.id,
                               business_line=job.business_line, cause=failure.cause)
        with self.system.db.write() as s:
            row = s.get(IntakeJob, job.id)
            row.state, row.reason, row.detail, row.work_path = "quarantined", failure.reason, failure.detail, name
            audit.record(s, actor=ACTOR, action="intake.quarantined", object_type="intake_job",
                         object_id=str(job.id), after={"file": name, "reason": failure.reason})
        return Outcome(job.source, "rejected", reason=failure.reason, detail=failure.detail, job_id=job.id,
                       cause=failure.cause)


class _ReadingProgress:
    """The OCR room's `progress(read, pages)` turned into the job's stage, thinned out: a
    file of one page says only "reading" (its next write is "extracting"), the last page
    read is not written either, and pages read in quick succession make one write."""

    def __init__(self, pipeline: Pipeline, job: Job, clock=time.monotonic):
        self.pipeline, self.job, self.clock = pipeline, job, clock
        self.written: int | None = None
        self.at = 0.0

    def __call__(self, read: int, pages: int) -> None:
        if pages <= 1 or read >= pages or read == self.written:
            return
        now = self.clock()
        if self.written is not None and now - self.at < PROGRESS_EVERY_S:
            return
        try:
            self.pipeline._stage(self.job, "reading", pages=pages, pages_read=read)
        except Exception:  # a busy database must not stop the reading: the count is only shown
            log.warning("could not record the pages read of %s", for_log(self.job.source), exc_info=True)
            return
        self.written, self.at = read, now


def _read_crashes(mark: Path) -> int:
    try:
        return int(mark.read_text() or 0)
    except (OSError, ValueError):
        return 0


def _write_durably(path: Path, text: str) -> None:
    """Whole or absent after a crash: recovery reads this file."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _customer(analysis: forms.Analysis) -> CustomerRef:
    facts = analysis.customer
    ctype = facts.customer_type or ("individual" if facts.id_number and not facts.uscc else "enterprise")
    return CustomerRef(ctype, name=facts.name, uscc=facts.uscc, id_number=facts.id_number, phone=facts.phone)


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _field_boxes(analysis: forms.Analysis) -> dict:
    """Where each field was read, in its page preview's pixels (the ocr room's box frame), so
    the portal can outline it and black out what a reader may not see."""
    return {key: {"page": fv.page, "box": [round(v, 1) for v in (fv.box.x0, fv.box.y0, fv.box.x1, fv.box.y1)]}
            for key, fv in analysis.fields.items() if fv.box is not None and fv.page}
