"""Running the pipeline over many files: documents read in parallel, filing serialised.

Reading (OCR) is the expensive part and runs in the ocr room's worker processes; here a
thread per worker feeds it documents, so a burst of one-page scans keeps every core busy.
"""
from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import ocr
from archive_store.search_docs import ensure_index
from archive_store.system import System
from intake.errors import CAUSES, MESSAGES
from intake.lock import LOCK_NAME, FolderLock
from intake.names import display_name, for_log
from intake.pipeline import Job, Outcome, Pipeline, private_work_dir
from intake.status import StatusBoard
from intake.watcher import InboxWatcher, is_candidate

log = logging.getLogger("dossier.intake")


def read_options_for(system: System, *, workers: int | None = None, engine: str | None = None) -> ocr.ReadOptions:
    n = workers or system.settings.ocr_workers or os.cpu_count() or 1
    return ocr.ReadOptions(engine=engine or system.settings.ocr_engine, workers=n,
                           memory_limit_mb=system.settings.ocr_memory_limit_mb)


def expand(paths: Iterable[Path], *, skip: Path | None = None) -> Iterator[Path]:
    """Files, and the files inside folders (recursively), hidden and temporary ones left out,
    and never the data folder `skip` itself when a folder around it is named."""
    for path in paths:
        if not path.is_dir():
            yield path
            continue
        for p in sorted(path.rglob("*")):
            if skip is not None and p.resolve().is_relative_to(skip):
                continue
            # not only regular files: a named pipe in the folder gets its JSON line too
            if not p.is_dir() and is_candidate(p) and not any(part.startswith(".") for part in p.relative_to(path).parts):
                yield p


class Intake:
    """`watcher=True` only for the one process that holds the data folder's watcher lock
    (web/serve.py): it works in work/ and recovers it. Any other (`dossier ingest`,
    `quarantine retry`) claims into a private work folder of its own, locked while it lives."""

    def __init__(self, system: System, *, workers: int | None = None, engine: str | None = None,
                 watcher: bool = False):
        self.system = system
        self.options = read_options_for(system, workers=workers, engine=engine)
        self.workers = self.options.workers
        self._work_lock: FolderLock | None = None
        work_dir = None
        if not watcher:
            work_dir = private_work_dir(system.settings)
            self._work_lock = FolderLock(work_dir / LOCK_NAME).acquire()
        self.pipeline = Pipeline(system, read_options=self.options, work_dir=work_dir)
        self.pool = ThreadPoolExecutor(self.workers, thread_name_prefix="intake")
        self._busy = 0
        self._busy_lock = threading.Lock()

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.pipeline.close()
        if self._work_lock is not None:
            folder = self._work_lock.path.parent
            self._work_lock.release()
            (folder / LOCK_NAME).unlink(missing_ok=True)
            try:
                folder.rmdir()
            except OSError:  # a job left behind (a crash of its read): the watcher adopts it
                log.warning("work left in %s; the watcher will finish it", folder)

    def submit(self, job: Job, on_done: Callable[[Outcome], None] | None = None) -> Future:
        with self._busy_lock:
            self._busy += 1

        def work() -> Outcome:
            try:
                try:
                    outcome = self.pipeline.process(job)
                except Exception as exc:  # even quarantining failed (a full disk?): report, never raise
                    log.exception("intake failed on %s and could not quarantine it", for_log(job.source))
                    outcome = Outcome(job.source, "rejected", reason="internal", job_id=job.id,
                                      detail=f"{MESSAGES['internal']} ({type(exc).__name__}: {exc})")
                if on_done:
                    on_done(outcome)
                return outcome
            finally:
                with self._busy_lock:
                    self._busy -= 1

        return self.pool.submit(work)

    def has_room(self) -> bool:
        with self._busy_lock:
            return self._busy < self.workers * 2

    def recover(self, on_done: Callable[[Outcome], None] | None = None) -> list[Future]:
        return [self.submit(job, on_done) for job in self.pipeline.recover()]

    def ingest(self, paths: Iterable[Path], *, business_line: str | None = None,
               on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
        futures: list[Future | Outcome] = []
        for p in expand(paths, skip=self.system.settings.data_dir):
            try:
                futures.append(self.submit(self.pipeline.claim_copy(p, business_line), on_done))
            except OSError as exc:  # unreadable, a named pipe, vanished: one line like any other
                cause = "special" if isinstance(exc, shutil.SpecialFileError) else None
                outcome = Outcome(display_name(str(p)), "rejected", reason="unsupported" if cause else "corrupt",
                                  detail=(CAUSES["special"] if cause else
                                          f"The file cannot be read: {exc.strerror or exc}."), cause=cause)
                if on_done:
                    on_done(outcome)
                futures.append(outcome)
        outcomes = [f if isinstance(f, Outcome) else f.result() for f in futures]
        self.pipeline.flush_index()
        return outcomes

    def watch(self, stop: threading.Event, *, settle_seconds: float = 2.0, poll: bool = False,
              on_done: Callable[[Outcome], None] | None = None, board: StatusBoard | None = None) -> None:
        """Only with the watcher lock held (web/serve.py), and `watcher=True`."""
        if board:
            board.checking_index(True)
        try:
            ensure_index(self.system)
        finally:
            if board:
                board.checking_index(False)
        # the workers and their models first: a crash while they load must not count
        # against the file that happened to be read first (pipeline.MAX_READ_CRASHES)
        ocr.reader.default_reader(self.options).start(self.options)
        self.recover(on_done)

        def take(path: Path) -> None:
            job = self.pipeline.claim_from_inbox(path)
            if job is not None:
                self.submit(job, on_done)

        def refuse(path: Path, cause: str) -> None:
            outcome = self.pipeline.refuse_from_inbox(path, cause)
            if outcome is not None and on_done:
                on_done(outcome)

        InboxWatcher(self.system.settings.inbox, take=take, has_room=self.has_room, refuse=refuse,
                     on_change=(lambda w: board.stuck_changed(w.stuck)) if board else (lambda w: None),
                     settle_seconds=settle_seconds, poll=poll).run(stop)
