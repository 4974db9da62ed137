"""Worker processes that read pages in parallel and can be killed.

Pages are independent, so each worker reads whole pages with its own engine, loaded once.
A page that runs past its time limit, or a worker that dies (out of memory, a crash in
native code), fails the document with a ReadError and the pool is replaced, so one bad
file never stops the inbox. Whole-document steps that parse untrusted bytes (Word XML, a
PDF's text layers) run here too, through `call`, under the same memory cap. `workers=0` reads in the calling process (no time limit):
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
from typing import Any, Callable, TypeVar

from ocr.errors import OcrFailed, OcrTimeout, TooLarge
from ocr.options import ReadOptions
from ocr.pagework import PageJob, PageOut, ping, read_page, worker_init

T = TypeVar("T")

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

    def start(self) -> None:
        if self.workers:
            with self._lock:
                self._start()

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

    def run(self, jobs: list[PageJob], done: Callable[[int], None] | None = None) -> list[PageOut]:
        """Read the pages; safe to call from several threads at once (the intake does).
        `done(k)` is called in the calling thread as the first k pages are read."""
        if not jobs:
            return []
        if self.workers == 0:
            from ocr.pagework import engine_for

            engine_for(jobs[0].options)
            outs = []
            for j in jobs:
                outs.append(read_page(j))
                if done:
                    done(len(outs))
            return outs
        timeout_s = jobs[0].options.timeout_s * math.ceil(len(jobs) / self.workers)
        return self._submit_all([(read_page, (j,)) for j in jobs], timeout_s,
                                f"Reading took longer than the limit of {jobs[0].options.timeout_s:g} s a page and was stopped.",
                                done)

    def call(self, fn: Callable[..., T], *args: Any, timeout_s: float) -> T:
        """Run one whole-document step (parsing a Word file, a PDF's text layers) in a
        worker, under the workers' memory cap, so that a hostile file can exhaust only a
        worker, never the process that called."""
        if self.workers == 0:
            return fn(*args)
        [out] = self._submit_all([(fn, args)], timeout_s, f"Reading took longer than the limit of {timeout_s:g} s and was stopped.")
        return out

    def _submit_all(self, calls: list[tuple[Callable, tuple]], timeout_s: float, timeout_detail: str,
                    done: Callable[[int], None] | None = None) -> list:
        # A pool that dies by itself (a worker killed for memory, a crash in native code)
        # breaks every document in flight, not only the one that killed it: each is read
        # again on a new pool, and only a document under which a pool dies twice is failed
        # (as too large: nearly always the memory cap). A pool killed by another thread's
        # time-out does not count against this document.
        deaths = 0
        for attempt in range(1, 5):
            with self._lock:
                ex = self._start()
                generation = self._generation
            try:
                return self._collect(ex, calls, timeout_s, timeout_detail, done)
            except _PoolLost as lost:
                with self._lock:
                    replaced = self._generation != generation
                self._reset(generation)
                deaths += 0 if replaced else 1
                if deaths >= 2 or attempt == 4:
                    limit = f" ({self.options.memory_limit_mb} MB)" if self.options.memory_limit_mb else ""
                    raise TooLarge("The reader stopped twice while reading this file: it needs more memory "
                                   f"than a reader may use{limit}.") from lost.__cause__
            except OcrTimeout:
                self._reset(generation)
                raise
        raise AssertionError("unreachable")

    def _collect(self, ex: ProcessPoolExecutor, calls: list[tuple[Callable, tuple]], timeout_s: float,
                 timeout_detail: str, done: Callable[[int], None] | None = None) -> list:
        try:
            futures: list[Future] = [ex.submit(fn, *args) for fn, args in calls]
        except (BrokenProcessPool, RuntimeError) as e:  # RuntimeError: the pool was shut down
            raise _PoolLost() from e
        deadline = time.monotonic() + timeout_s
        try:
            outs = []
            for f in futures:  # in order: done(k) means the first k pages are read
                outs.append(f.result(timeout=max(0.0, deadline - time.monotonic())))
                if done:
                    done(len(outs))
            return outs
        except FutureTimeout as e:
            raise OcrTimeout(timeout_detail) from e
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
