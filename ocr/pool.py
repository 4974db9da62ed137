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


class PagePool:
    def __init__(self, options: ReadOptions) -> None:
        self.options = options
        self.workers = max(0, options.workers)
        self._executor: ProcessPoolExecutor | None = None
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
        if not jobs:
            return []
        if self.workers == 0:
            from ocr.pagework import engine_for

            engine_for(self.options)
            return [read_page(j) for j in jobs]
        with self._lock:
            ex = self._start()
            futures: list[Future] = [ex.submit(read_page, j) for j in jobs]
            # each page may take timeout_s; pages queue behind each other on the workers
            timeout_s = jobs[0].options.timeout_s
            budget = timeout_s * math.ceil(len(jobs) / self.workers)
            deadline = time.monotonic() + budget
            results: list[PageOut] = []
            try:
                for f in futures:
                    remaining = deadline - time.monotonic()
                    results.append(f.result(timeout=max(0.0, remaining)))
            except FutureTimeout as e:
                self._reset()
                raise OcrTimeout(
                    f"Reading took longer than the limit of {timeout_s:g} s a page and was stopped."
                ) from e
            except BrokenProcessPool as e:
                self._reset()
                raise OcrFailed("The reader stopped while reading this file (it may need too much memory).") from e
            except ReadError:
                for f in futures:
                    f.cancel()
                raise
            return results

    def _reset(self) -> None:
        if self._executor is not None:
            self._kill(self._executor)
            self._executor = None

    def close(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True, cancel_futures=True)
                self._executor = None
