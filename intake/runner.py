"""Running the pipeline over many files: documents read in parallel, filing serialised.

Reading (OCR) is the expensive part and runs in the ocr room's worker processes; here a
thread per worker feeds it documents, so a burst of one-page scans keeps every core busy.
"""
from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import ocr
from archive_store.system import System
from intake.errors import CAUSES, MESSAGES
from intake.lease import WorkerLease, db_unavailable, wait_for_db
from intake.names import display_name, for_log
from intake.pipeline import Job, Outcome, Pipeline, TakenOver
from intake.status import StatusBoard
from intake.watcher import InboxWatcher, is_candidate

log = logging.getLogger("dossier.intake")
HERE_EVERY_S = 5.0  # how often a worker looks for this machine's ended workers' folders


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
    """One intake worker: a thread pool feeding the ocr room's reader processes, working in a
    private work folder with a lease (intake/lease.py). `dossier watch` runs one per worker
    process (intake/workers.py); `dossier ingest` and `quarantine retry` make their own."""

    def __init__(self, system: System, *, workers: int | None = None, engine: str | None = None):
        self.system = system
        self.options = read_options_for(system, workers=workers, engine=engine)
        self.workers = self.options.workers
        self.lease = WorkerLease(system)
        self.pipeline = Pipeline(system, read_options=self.options, lease=self.lease)
        self.pool = ThreadPoolExecutor(self.workers, thread_name_prefix="intake")
        self._busy = 0
        self._busy_lock = threading.Lock()
        self._room = threading.Event()  # a job ended: the watcher looks for the next at once

    def close(self) -> None:
        # the files in hand are finished, but no longer waited on if the database is away:
        # they stay in this worker's folder, and the lease (still renewed until the end)
        # tells the others when to take them over
        self.lease.stopping.set()
        self.pool.shutdown(wait=True)
        self.pipeline.close()
        self.lease.close()

    def submit(self, job: Job, on_done: Callable[[Outcome], None] | None = None) -> Future:
        with self._busy_lock:
            self._busy += 1

        def work() -> Outcome | None:
            try:
                try:
                    outcome = self._process_waiting_out_the_database(job)
                    if outcome is None:
                        return None
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
                self._room.set()

        return self.pool.submit(work)

    def _process_waiting_out_the_database(self, job: Job) -> Outcome | None:
        """The job processed; if the database goes away meanwhile, it is waited for and the
        job resumed where its row says it is (a commit whose answer was lost is not redone).
        None when the worker stops first: the file stays in its folder for the next start."""
        todo: Job | None = job
        while True:
            try:
                if todo is None:
                    return self.pipeline.outcome_of(job)
                return self.pipeline.process(todo)
            except Exception as exc:
                if not db_unavailable(exc):
                    raise
                log.warning("the database went away while working on %s; waiting for it", for_log(job.source))
            try:
                todo = wait_for_db(lambda: self.pipeline.resume(job), stopping=self.lease.stopping,
                                   what=f"resuming {for_log(job.source)}")
            except TakenOver:
                return Outcome(job.source, "taken_over", job_id=job.id, detail="Another worker finishes this file.")
            except Exception as exc:
                if db_unavailable(exc):  # stopping: left in this worker's folder
                    log.warning("stopping with %s unfinished; it is taken over after this worker", for_log(job.source))
                    return None
                raise

    def has_room(self) -> bool:
        with self._busy_lock:
            return self._busy < self.workers * 2

    def recover(self, on_done: Callable[[Outcome], None] | None = None) -> list[Future]:
        jobs = wait_for_db(self.pipeline.recover, stopping=self.lease.stopping, what="recovering")
        return [self.submit(job, on_done) for job in jobs]

    def take_over(self, on_done: Callable[[Outcome], None] | None = None) -> list[Future]:
        """The files of workers that have died, into this one's folder and its queue."""
        try:
            jobs = self.pipeline.take_over()
        except Exception as exc:
            if not db_unavailable(exc):
                raise
            return []  # looked at again at the next turn
        return [self.submit(job, on_done) for job in jobs]

    def ingest(self, paths: Iterable[Path], *, business_line: str | None = None,
               on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
        futures: list[Future | Outcome] = []
        for p in expand(paths, skip=self.system.settings.data_dir):
            try:
                job = self.pipeline.claim_copy(p, business_line)
                if job is not None:
                    futures.append(self.submit(job, on_done))
            except OSError as exc:  # unreadable, a named pipe, vanished: one line like any other
                cause = "special" if isinstance(exc, shutil.SpecialFileError) else None
                outcome = Outcome(display_name(str(p)), "rejected", reason="unsupported" if cause else "corrupt",
                                  detail=(CAUSES["special"] if cause else
                                          f"The file cannot be read: {exc.strerror or exc}."), cause=cause)
                if on_done:
                    on_done(outcome)
                futures.append(outcome)
        outcomes = [o for o in (f if isinstance(f, Outcome) else f.result() for f in futures) if o is not None]
        self.pipeline.flush_index()
        return outcomes

    def watch(self, stop: threading.Event, *, settle_seconds: float = 2.0, poll: bool = False,
              on_done: Callable[[Outcome], None] | None = None, board: StatusBoard | None = None,
              still_wanted: Callable[[], bool] = lambda: True) -> None:
        """Watch the inbox until `stop` is set (or `still_wanted()` says no), taking over dead
        workers' files every half lease. Several of these, in processes on one machine or
        several, share one inbox: the atomic rename that claims a file wins for exactly one."""
        # the reader and its models first: a crash while they load must not count against the
        # file that happened to be read first (pipeline.MAX_READ_CRASHES)
        ocr.reader.default_reader(self.options).start(self.options)
        self.recover(on_done)
        log.info("intake worker %s is watching %s", self.lease.name, self.system.settings.inbox)
        last_look = last_here = time.monotonic()

        def take(path: Path) -> None:
            job = self.pipeline.claim_from_inbox(path)
            if job is not None:
                self.submit(job, on_done)

        def refuse(path: Path, cause: str) -> None:
            outcome = self.pipeline.refuse_from_inbox(path, cause)
            if outcome is not None and on_done:
                on_done(outcome)

        def tick() -> None:
            # every half lease: workers anywhere whose lease ran out; every few seconds: those
            # of this machine that have ended (their folder's lock is free)
            nonlocal last_look, last_here
            now = time.monotonic()
            if not still_wanted():
                stop.set()
            elif now - last_look >= self.lease.seconds / 2 or (
                    now - last_here >= HERE_EVERY_S and self.pipeline.dead_here()):
                last_look = last_here = now
                self.take_over(on_done)
            elif now - last_here >= HERE_EVERY_S:
                last_here = now

        watcher = InboxWatcher(self.system.settings.inbox, take=take, has_room=self.has_room, refuse=refuse,
                               on_change=(lambda w: board.stuck_changed(w.stuck)) if board else (lambda w: None),
                               on_tick=tick, settle_seconds=settle_seconds, poll=poll)
        # a worker holds at most two files (has_room): without this it would wait for the
        # next scan after each, however full the inbox
        self._room = watcher.wake
        watcher.run(stop)
