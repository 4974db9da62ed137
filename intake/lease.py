"""Leases: how intake workers in several processes, on one machine or several, tell a dead
worker from a busy one, and what a worker does while the database is away.

Every intake worker (a `dossier watch` worker process, a `dossier ingest`) works in a private
folder `work/proc@HOST@PID@TOKEN/`, locked with flock while it lives (intake/lock.py), and
registers the folder's name in `intake_workers` with a lease that a thread renews every third
of `[intake] lease_seconds`, on the database's clock (the machines' clocks may disagree; the
database's is the one they all read). A worker whose lease has run out is dead to everyone:
another worker moves its folder's files into its own and finishes them (Pipeline.take_over).
On the dead worker's own machine its free flock says so at once, without waiting for the lease.

A worker that could not renew for a whole lease (the database was away that long) may find
its jobs taken over when it comes back; each step of a job checks that the job is still its
own (Pipeline._check_owner), so a job is never finished twice.

While the database is unreachable, workers log once, wait and retry (`wait_for_db`): a file a
worker holds stays in its folder with its job, neither quarantined nor given up.
"""
from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

from sqlalchemy import delete, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from archive_store.models import IntakeWorker, utcnow
from archive_store.system import System
from intake.lock import LOCK_NAME, PROC_PREFIX, FolderLock, host_name

log = logging.getLogger("dossier.intake")

DB_RETRY_PAUSE_S = (1, 2, 5, 10)
T = TypeVar("T")


def db_unavailable(exc: BaseException) -> bool:
    """A lost or refused connection (or SQLite's lock timeout): worth waiting out, never a
    reason to quarantine a file."""
    return isinstance(exc, (OperationalError, InterfaceError)) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated)


def wait_for_db(action: Callable[[], T], *, stopping: threading.Event, what: str) -> T:
    """`action()`, tried again after a pause for as long as the database is unreachable;
    raises when `stopping` is set (the work stays where it is, for the next start)."""
    failures = 0
    while True:
        try:
            result = action()
        except Exception as exc:
            if not db_unavailable(exc) or stopping.is_set():
                raise
            if failures == 0:
                log.warning("the database is unreachable while %s; waiting and trying again (%s)", what,
                            str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
            stopping.wait(DB_RETRY_PAUSE_S[min(failures, len(DB_RETRY_PAUSE_S) - 1)])
            failures += 1
            continue
        if failures:
            log.warning("the database is back; %s goes on", what)
        return result


def db_now(s: Session) -> datetime:
    """Now, naive UTC, by the database's clock when it is a server that other machines share."""
    if s.get_bind().dialect.name == "postgresql":
        return s.scalar(text("SELECT timezone('UTC', now())"))
    return utcnow()


class WorkerLease:
    """This worker's private work folder, its lock, and its lease, renewed by a thread until
    `close()`."""

    def __init__(self, system: System):
        self.system = system
        self.seconds = system.settings.lease_seconds
        self.name = f"{PROC_PREFIX}{host_name()}@{os.getpid()}@{secrets.token_hex(3)}"
        self.folder = system.settings.work / self.name
        self.stopping = threading.Event()  # set: waits for the database give up (the worker is stopping)
        self._beating = threading.Event()
        self._lock: FolderLock | None = None
        self._registered = False
        self._make_folder()
        with system.db.write() as s:
            self.renew_in(s)
        self._thread = threading.Thread(target=self._beat, name="intake-lease", daemon=True)
        self._thread.start()

    def _make_folder(self) -> None:
        """Made under a hidden name and renamed once locked: another worker never sees this
        folder without its lock held, so never takes it for a dead one's."""
        if self._lock is not None:
            self._lock.release()
        tmp = self.folder.with_name(".new-" + self.name)
        tmp.mkdir(parents=True, exist_ok=True)
        lock = FolderLock(tmp / LOCK_NAME).acquire()
        os.rename(tmp, self.folder)
        lock.path = self.folder / LOCK_NAME
        self._lock = lock

    def renew_in(self, s: Session) -> None:
        """Inside a write transaction: the lease runs `seconds` from now. Called by the
        heartbeat and with every claim, so a claim's job row and the lease that covers it are
        committed together."""
        until = db_now(s) + timedelta(seconds=self.seconds)
        row = s.get(IntakeWorker, self.name)
        if row is not None:
            row.lease_until = until
            return
        if self._registered:
            log.warning("this worker (%s) could not renew its lease in time and was taken for dead: "
                        "its jobs went to another worker; it goes on with new ones", self.name)
        s.add(IntakeWorker(name=self.name, host=host_name(), pid=os.getpid(), lease_until=until))
        self._registered = True

    def _beat(self) -> None:
        failing = False
        while not self._beating.wait(self.seconds / 3):
            try:
                if not self.folder.is_dir():  # emptied and removed by a take-over
                    self._make_folder()
                with self.system.db.write() as s:
                    self.renew_in(s)
                if failing:
                    log.warning("lease of %s renewed again", self.name)
                failing = False
            except Exception as exc:  # the database away: the next beat tries again
                if not failing:
                    log.warning("cannot renew the lease of %s: %s", self.name, str(exc).splitlines()[0] if str(exc) else exc)
                failing = True

    def close(self) -> None:
        """An empty folder is removed with its lease; one with work left keeps both, and the
        work is taken over when the lease runs out (on this machine, at once)."""
        self.stopping.set()
        self._beating.set()
        self._thread.join()
        left = [p for p in _entries(self.folder) if p.name != LOCK_NAME]
        if not left:
            try:
                with self.system.db.write() as s:
                    s.execute(delete(IntakeWorker).where(IntakeWorker.name == self.name))
            except Exception:  # noqa: BLE001 - the lease runs out by itself
                log.warning("could not remove the lease of %s; it runs out by itself", self.name)
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        if not left:
            (self.folder / LOCK_NAME).unlink(missing_ok=True)
            try:
                self.folder.rmdir()
            except OSError:
                pass
        else:
            log.warning("work left in %s; another worker takes it over", self.folder)


def _entries(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except FileNotFoundError:
        return []
