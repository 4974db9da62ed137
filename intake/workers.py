"""`dossier watch --workers N`: a supervisor and N intake worker processes.

The supervisor holds this machine's watcher lock on the data folder (intake/lock.py: one per
machine, so a second `dossier watch` is refused), checks the search index once, and keeps N
worker processes running, starting one that died again after a pause. Each worker
(`python -m intake.workers`) is an Intake of its own (intake/runner.py): its own scan of the
inbox, its own private, locked work folder with a lease in the database, one reading process.
Workers on other machines that share the database and the data folder (the inbox a network
share, watched with --poll) are the same kind of worker under their own supervisor; a file is
claimed by exactly one of them (the rename that moves it out of the inbox wins once), and a
dead worker's files are finished by another after its lease runs out (intake/lease.py).

Why processes and one reader each: reading is the costly step and the ocr room's readers
are processes already; a worker process per reader adds a separate Python for the filing,
indexing and database work around each read, so a crash or a stuck database connection
stops one worker, not the intake, and the same code runs a worker on another machine.
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
import time

from archive_store.system import System

log = logging.getLogger("dossier.intake")

RESTART_PAUSE_S = (1, 2, 5, 10, 30, 60)  # after repeated failures, at most once a minute
STEADY_S = 300  # a worker that ran this long before dying starts the pauses afresh
STOP_WAIT_S = 120  # for a worker to finish its files after SIGTERM, before it is killed


def report(outcome) -> None:
    """One line per file on stdout: the log of `dossier watch`."""
    from intake.names import for_log

    line = f"{outcome.status}: {for_log(outcome.source)}"
    if outcome.doc_no:
        line += f" → {outcome.doc_no}"
    if outcome.status == "rejected":
        line += f" [{outcome.reason}] {for_log(outcome.detail or '')}"
    print(line, flush=True)


def default_workers(system: System) -> int:
    return system.settings.ocr_workers or os.cpu_count() or 1


def supervise(system: System, *, workers: int | None = None, poll: bool = False, settle_seconds: float = 2.0,
              stop: threading.Event, lock=None) -> None:
    """Keep `workers` worker processes running until `stop` is set; the caller holds (or
    this takes) the machine's watcher lock."""
    from archive_store.search_docs import ensure_index
    from intake.lock import FolderLock, watcher_lock_path
    from intake.status import StatusBoard, worker_boards

    n = workers or default_workers(system)
    own_lock = lock is None
    lock = lock or FolderLock(watcher_lock_path(system.settings.data_dir)).acquire()
    try:
        for old in worker_boards(system.settings.data_dir):
            old.unlink(missing_ok=True)
        board = StatusBoard(system.settings)
        _check_index(system, board, stop, ensure_index)
        print(f"watching {system.settings.inbox} with {n} worker process(es)", flush=True)
        slots = [_Slot(k) for k in range(n)]
        while not stop.is_set():
            for slot in slots:
                if slot.proc is not None and slot.proc.poll() is not None:
                    slot.died(board, stopping=stop.is_set())
                if slot.proc is None and time.monotonic() >= slot.not_before and not stop.is_set():
                    slot.start(system, poll=poll, settle_seconds=settle_seconds)
            stop.wait(0.5)
        _stop_all(slots)
    finally:
        if own_lock:
            lock.release()


def _check_index(system, board, stop, ensure_index) -> None:
    """Once, before the workers start (not in each of them): a missing or damaged index is
    rebuilt. A failure (the database away) is retried after a pause."""
    failures = 0
    while not stop.is_set():
        board.checking_index(True)
        try:
            ensure_index(system)
            return
        except Exception as exc:
            pause = RESTART_PAUSE_S[min(failures, len(RESTART_PAUSE_S) - 1)]
            failures += 1
            log.exception("checking the search index failed; trying again in %d s", pause)
            board.failed(exc, restarted=True)
            stop.wait(pause)
        finally:
            board.checking_index(False)


class _Slot:
    def __init__(self, index: int):
        self.index = index
        self.proc: subprocess.Popen | None = None
        self.started = 0.0
        self.failures = 0
        self.not_before = 0.0

    def start(self, system: System, *, poll: bool, settle_seconds: float) -> None:
        cmd = [sys.executable, "-m", "intake.workers", "--data", str(system.settings.data_dir),
               "--index", str(self.index), "--settle", str(settle_seconds)] + (["--poll"] if poll else [])
        self.proc = subprocess.Popen(cmd)
        self.started = time.monotonic()

    def died(self, board, *, stopping: bool) -> None:
        code = self.proc.returncode
        self.proc = None
        if stopping:
            return
        if time.monotonic() - self.started > STEADY_S:
            self.failures = 0
        pause = RESTART_PAUSE_S[min(self.failures, len(RESTART_PAUSE_S) - 1)]
        self.failures += 1
        self.not_before = time.monotonic() + pause
        log.error("intake worker %d stopped (exit status %s); starting it again in %d s", self.index, code, pause)
        board.failed(RuntimeError(f"intake worker {self.index} stopped with exit status {code}"), restarted=True)


def _stop_all(slots: list[_Slot]) -> None:
    """SIGTERM: each worker finishes the files it holds, then ends; one that does not in time
    is killed (its files are taken over by the next worker to look)."""
    running = [s.proc for s in slots if s.proc is not None and s.proc.poll() is None]
    for p in running:
        p.terminate()
    deadline = time.monotonic() + STOP_WAIT_S
    for p in running:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


# --- the worker process ------------------------------------------------------------------

def worker_main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m intake.workers")
    ap.add_argument("--data", required=True)
    ap.add_argument("--index", type=int, default=0)
    ap.add_argument("--settle", type=float, default=2.0)
    ap.add_argument("--poll", action="store_true")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s worker-{args.index} %(levelname)s %(message)s")

    from archive_store.errors import SetupError
    from archive_store.system import open_system
    from intake.runner import Intake
    from intake.status import StatusBoard

    stop = threading.Event()
    # Ctrl-C reaches the whole process group: the supervisor decides, and sends SIGTERM
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    parent = os.getppid()
    try:
        system = open_system(args.data)
    except SetupError as exc:
        print(f"dossier: {exc}", file=sys.stderr, flush=True)
        return 2
    try:
        intake = Intake(system, workers=1)
        try:
            board = StatusBoard(system.settings, part=f"worker-{args.index}")
            # a supervisor that was killed outright leaves no one to stop this worker
            intake.watch(stop, settle_seconds=args.settle, poll=args.poll, on_done=report, board=board,
                         still_wanted=lambda: os.getppid() == parent)
        finally:
            intake.close()
    finally:
        system.close()
    return 0


if __name__ == "__main__":
    sys.exit(worker_main())
