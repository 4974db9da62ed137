"""Worker processes that read pages in parallel and can be killed.

Pages are independent, so each worker reads whole pages with its own engine, loaded once.
A page that runs past its time limit, or a worker that dies (out of memory, a crash in
native code), fails the document with a ReadError and the pool is replaced, so one bad
file never stops the inbox. `workers=0` reads in the calling process (no time limit):
for debugging and for measuring the bare cost in benchmarks.
"""
from __future__ import annotations

import math
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool

from ocr.errors import OcrFailed, OcrTimeout, ReadError
from ocr.options import ReadOptions
from ocr.pagework import PageJob, PageOut, ping, read_page, worker_init

# loading the models and importing onnxruntime in a fresh process
STARTUP_TIMEOUT_S = 120.0


class _PoolLost(Exception):
    """The worker processes went away while pages were being read."""


class PagePool:
    def __init__(self, options: ReadOptions) -> None:
        self.options = options
        self.workers = max(0, options.workers)
        self._executor: ProcessPoolExecutor | None = None
        self._generation = 0  # counts pools killed and replaced
        self._lock = threading.Lock()

    def _key(self, options: ReadOptions) -> tuple:
        return options.engine_key() + (options.workers, options.memory_limit_mb)

    def _start(self) -> ProcessPoolExecutor:
        if self._executor is None:
            # spawn, not fork: the caller may hold threads (Flask, watchdog) and locks
            # that a forked child would inherit in a broken state
            ctx = multiprocessing.get_context("spawn")
            ex = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=worker_init, initargs=(self.options,))
            try:
                # start every worker now and wait for its models, so that page time limits
                # measure reading, not start-up
                for f in [ex.submit(ping, i) for i in range(self.workers)]:
                    f.result(timeout=STARTUP_TIMEOUT_S)
            except BrokenProcessPool as e:
                self._kill(ex)
                raise OcrFailed("The OCR engine could not start on this machine.") from e
            except FutureTimeout as e:
                self._kill(ex)
                raise OcrTimeout("The OCR engine took too long to start.") from e
            self._executor = ex
        return self._executor

    @staticmethod
    def _kill(ex: ProcessPoolExecutor) -> None:
        # ProcessPoolExecutor cannot cancel a running task; its worker must be killed.
        # `_processes` is private but the only handle on the workers before Python 3.14.
        procs = list(getattr(ex, "_processes", {}).values())
        for p in procs:
            try:
                os.kill(p.pid, signal.SIGKILL)
            except (ProcessLookupError, TypeError):
                pass
        ex.shutdown(wait=True, cancel_futures=True)

    def accepts(self, options: ReadOptions) -> bool:
        return self._key(options) == self._key(self.options)

    def run(self, jobs: list[PageJob]) -> list[PageOut]:
        """Read the pages; safe to call from several threads at once (the intake does)."""
        if not jobs:
            return []
        if self.workers == 0:
            from ocr.pagework import engine_for

            engine_for(jobs[0].options)
            return [read_page(j) for j in jobs]
        for attempt in (1, 2):
            with self._lock:
                ex = self._start()
                generation = self._generation
            try:
                return self._collect(ex, jobs)
            except _PoolLost as lost:
                # another thread's timeout killed the pool under this document: read it
                # again on the new pool; a pool that died by itself fails the document
                with self._lock:
                    replaced = self._generation != generation
                self._reset(generation)
                if not (replaced and attempt == 1):
                    raise OcrFailed("The reader stopped while reading this file (it may need too much memory).") from lost.__cause__
            except OcrTimeout:
                self._reset(generation)
                raise
        raise AssertionError("unreachable")

    def _collect(self, ex: ProcessPoolExecutor, jobs: list[PageJob]) -> list[PageOut]:
        timeout_s = jobs[0].options.timeout_s
        try:
            futures: list[Future] = [ex.submit(read_page, j) for j in jobs]
        except (BrokenProcessPool, RuntimeError) as e:  # RuntimeError: the pool was shut down
            raise _PoolLost() from e
        # each page may take timeout_s; pages queue behind each other on the workers
        deadline = time.monotonic() + timeout_s * math.ceil(len(jobs) / self.workers)
        try:
            return [f.result(timeout=max(0.0, deadline - time.monotonic())) for f in futures]
        except FutureTimeout as e:
            raise OcrTimeout(f"Reading took longer than the limit of {timeout_s:g} s a page and was stopped.") from e
        except BrokenProcessPool as e:
            raise _PoolLost() from e
        finally:
            for f in futures:
                f.cancel()

    def _reset(self, generation: int) -> None:
        with self._lock:
            if self._generation == generation and self._executor is not None:
                self._kill(self._executor)
                self._executor = None
                self._generation += 1

    def close(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True, cancel_futures=True)
                self._executor = None
