"""One watcher per data folder on each machine, and a mark on every process's own work.

The lock is an advisory `flock` on `run/watcher@HOST.lock` in the data folder: the kernel
drops it when the process ends however it ends (kill -9 included), so a crash never leaves a
stale lock, and the file's content (pid, host, start time) only names the holder for the
message a second watcher prints. The host is part of the name because a lock is only ever
checked on the machine that holds it: when several machines share one PostgreSQL database
and data folder ("Past one machine"), each runs its own watcher, and each must recover only
its own work.

The same kind of lock marks the private work folder (`work/proc@HOST@PID@TOKEN/`) that every
intake worker (a `dossier watch` worker process, `dossier ingest`, `dossier quarantine retry`)
claims its files into: on this machine a folder whose lock no live process holds is a dead
worker's, taken over at once; a folder of another machine is taken over only when its
worker's lease in the database has run out (intake/lease.py).
"""
from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from archive_store.errors import SetupError
from intake.names import disk_name

RUN_DIR = "run"
PROC_PREFIX = "proc@"
LOCK_NAME = ".lock"


def host_name() -> str:
    """This machine's name in lock and work-folder names; DOSSIER_HOST overrides it (tests run
    "two machines" on one, and two containers may share a host name)."""
    return disk_name(os.environ.get("DOSSIER_HOST") or socket.gethostname() or "localhost")


def watcher_lock_path(data_dir: Path, host: str | None = None) -> Path:
    return data_dir / RUN_DIR / f"watcher@{host or host_name()}.lock"


@dataclass(frozen=True)
class Holder:
    pid: int | None
    host: str
    started: str | None  # ISO time, UTC

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host}" + (f", running since {self.started}" if self.started else "")


class AlreadyRunning(SetupError):
    def __init__(self, path: Path, holder: Holder):
        self.holder = holder
        super().__init__(f"another watcher is already watching this data folder ({holder.describe()}); "
                         f"stop it first, or leave it running: one watcher per data folder on each machine "
                         f"(lock: {path})")


class FolderLock:
    """Held from `acquire()` until `release()` or the end of the process."""

    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> "FolderLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        # a few tries: `is_held` (the intake page asking) holds a shared lock for an instant
        for attempt in range(5):
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if attempt == 4:
                    os.close(fd)
                    raise AlreadyRunning(self.path, read_holder(self.path)) from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "host": host_name(),
                                 "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}).encode())
        os.fsync(fd)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None


def read_holder(path: Path) -> Holder:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        info = {}
    return Holder(info.get("pid"), info.get("host") or path.stem.partition("@")[2] or "?", info.get("started"))


def is_held(path: Path) -> bool:
    """Whether a live process holds the lock at `path` (False if there is no such file)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also drops the shared lock taken just to look
    return False


def watcher_holder(data_dir: Path) -> Holder | None:
    """The live watcher of this data folder on this machine, if there is one."""
    path = watcher_lock_path(data_dir)
    return read_holder(path) if is_held(path) else None
