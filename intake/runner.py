"""Running the pipeline over many files: documents read in parallel, filing serialised.

Reading (OCR) is the expensive part and runs in the ocr room's worker processes; here a
thread per worker feeds it documents, so a burst of one-page scans keeps every core busy.
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import ocr
from archive_store.search_docs import ensure_index
from archive_store.system import System
from intake.pipeline import Job, Outcome, Pipeline
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
            if p.is_file() and is_candidate(p) and not any(part.startswith(".") for part in p.relative_to(path).parts):
                yield p


class Intake:
    def __init__(self, system: System, *, workers: int | None = None, engine: str | None = None):
        self.system = system
        self.options = read_options_for(system, workers=workers, engine=engine)
        self.workers = self.options.workers
        self.pipeline = Pipeline(system, read_options=self.options)
        self.pool = ThreadPoolExecutor(self.workers, thread_name_prefix="intake")
        self._busy = 0
        self._busy_lock = threading.Lock()

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.pipeline.close()

    def submit(self, job: Job, on_done: Callable[[Outcome], None] | None = None) -> Future:
        with self._busy_lock:
            self._busy += 1

        def work() -> Outcome:
            try:
                outcome = self.pipeline.process(job)
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
        files = expand(paths, skip=self.system.settings.data_dir)
        futures = [self.submit(self.pipeline.claim_copy(p, business_line), on_done) for p in files]
        outcomes = [f.result() for f in futures]
        self.pipeline.flush_index()
        return outcomes

    def watch(self, stop: threading.Event, *, settle_seconds: float = 2.0, poll: bool = False,
              on_done: Callable[[Outcome], None] | None = None) -> None:
        ensure_index(self.system)
        self.recover(on_done)

        def take(path: Path) -> None:
            job = self.pipeline.claim_from_inbox(path)
            if job is not None:
                self.submit(job, on_done)

        InboxWatcher(self.system.settings.inbox, take=take, has_room=self.has_room,
                     settle_seconds=settle_seconds, poll=poll).run(stop)
