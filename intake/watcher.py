"""The watched inbox: wait until a file has stopped growing, then hand it to the pipeline.

Scanners and network copies write slowly, so a file is taken only when its size and
modification time have not changed for `settle_seconds` (Paperless does the same). The
watchdog observer only wakes the scan early; a periodic scan runs anyway, so a missed
event (common on network shares) delays a file but never loses it, and whatever was in
the inbox at start is picked up by the first scan.

The inbox is often a share anyone in the office can write to, so the scan never follows a
link and never opens anything that is not an ordinary file: links and named pipes are
handed to `refuse`, hidden and temporary files are left waiting (and listed, see
intake/status.py), and a file whose taking fails is remembered as stuck, with its error,
instead of stopping the watcher or being retried in a tight loop.
"""
from __future__ import annotations

import logging
import os
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

log = logging.getLogger("dossier.intake")

TEMP_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".crdownload", ".download", ".swp", ".filepart", "~")


def is_candidate(path: Path) -> bool:
    """Hidden and temporary files are someone's work in progress, never ours to take. A
    name like `..\\..\\evil.pdf` is no one's work in progress but a path in disguise: it is
    taken, to be quarantined with its reason rather than left waiting for ever."""
    name = path.name
    if "\\" in name:
        return True
    return not (name.startswith((".", "~$")) or name.lower().endswith(TEMP_SUFFIXES))


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    since: float


class StabilityTracker:
    def __init__(self, settle_seconds: float, clock: Callable[[], float] = time.monotonic):
        self.settle = settle_seconds
        self.clock = clock
        self._seen: dict[Path, _Seen] = {}

    def ready(self, paths: list[Path]) -> list[Path]:
        """The paths whose size and mtime have held still for the settle time."""
        now, out, present = self.clock(), [], set()
        for path in paths:
            try:
                st = path.stat()
            except FileNotFoundError:
                continue
            present.add(path)
            seen = self._seen.get(path)
            if seen is None or (seen.size, seen.mtime_ns) != (st.st_size, st.st_mtime_ns):
                self._seen[path] = _Seen(st.st_size, st.st_mtime_ns, now)
            elif now - seen.since >= self.settle:
                out.append(path)
        for gone in set(self._seen) - present:
            del self._seen[gone]
        return out

    def forget(self, path: Path) -> None:
        self._seen.pop(path, None)


class _Wake(FileSystemEventHandler):
    def __init__(self, event: threading.Event):
        self.event = event

    def on_any_event(self, event) -> None:
        self.event.set()


@dataclass
class InboxScan:
    files: list[Path] = field(default_factory=list)  # ordinary files to take once settled
    refused: list[tuple[Path, str]] = field(default_factory=list)  # (path, cause): "link" | "special"
    waiting: list[Path] = field(default_factory=list)  # hidden or temporary: someone's work in progress


def scan_inbox(inbox: Path) -> InboxScan:
    """Everything in the inbox, sorted into what to take, refuse and leave waiting; links
    (to files or folders) are reported, never followed."""
    out = InboxScan()
    folders = [(inbox, False)]  # a stack, not recursion: folders nested thousands deep are legal
    while folders:
        folder, hidden = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:  # a folder vanished or is unreadable: the next scan sees it
            log.warning("cannot list %r: %s", str(folder), exc.strerror)
            continue
        for entry in entries:
            path = Path(entry.path)
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:
                continue
            if stat.S_ISLNK(mode):
                out.refused.append((path, "link"))
            elif stat.S_ISDIR(mode):
                folders.append((path, hidden or entry.name.startswith(".")))
            elif not stat.S_ISREG(mode):
                out.refused.append((path, "special"))
            elif hidden or not is_candidate(path):
                out.waiting.append(path)
            else:
                out.files.append(path)
    out.files.sort()
    out.refused.sort()
    out.waiting.sort()
    return out


def inbox_files(inbox: Path) -> list[Path]:
    return scan_inbox(inbox).files


@dataclass(frozen=True)
class Stuck:
    """A file whose taking failed; tried again only when it changes."""
    path: Path
    error: str
    size: int
    mtime_ns: int


class InboxWatcher:
    """Calls `take(path)` for each settled inbox file while `has_room()` says there is capacity."""

    def __init__(self, inbox: Path, *, take: Callable[[Path], None], has_room: Callable[[], bool],
                 refuse: Callable[[Path, str], None] = lambda path, cause: None,
                 on_change: Callable[["InboxWatcher"], None] = lambda watcher: None,
                 on_tick: Callable[[], None] = lambda: None,
                 settle_seconds: float = 2.0, poll: bool = False, scan_interval: float = 1.0):
        self.inbox = inbox
        self.take = take
        self.refuse = refuse
        self.on_change = on_change  # the stuck list changed: for the status file
        self.on_tick = on_tick  # once a scan: the owner's periodic chores
        self.stuck: dict[Path, Stuck] = {}
        self.has_room = has_room
        self.tracker = StabilityTracker(settle_seconds)
        self.poll = poll
        self.scan_interval = scan_interval
        self.wake = threading.Event()

    def _observer(self):
        handler = _Wake(self.wake)
        for kind in ((PollingObserver,) if self.poll else (Observer, PollingObserver)):
            observer = kind()
            try:
                observer.schedule(handler, str(self.inbox), recursive=True)
                observer.start()
                return observer
            except OSError as exc:  # inotify unavailable or out of watches: poll instead
                log.warning("file events unavailable (%s); polling the inbox", exc)
        return None

    def run(self, stop: threading.Event) -> None:
        observer = self._observer()
        try:
            while not stop.is_set():
                found = scan_inbox(self.inbox)
                for path, cause in found.refused:
                    if not stop.is_set() and not self._stuck(path):
                        self._attempt(path, lambda p=path, c=cause: self.refuse(p, c))
                for path in self.tracker.ready([p for p in found.files if not self._stuck(p)]):
                    if stop.is_set() or not self.has_room():
                        break
                    self.tracker.forget(path)
                    self._attempt(path, lambda p=path: self.take(p))
                self._forget_gone()
                self.on_tick()
                self.wake.wait(self.scan_interval)
                self.wake.clear()
        finally:
            if observer is not None:
                observer.stop()
                observer.join(timeout=5)

    def _attempt(self, path: Path, action: Callable[[], None]) -> None:
        """No file stops the watcher: a failure to take one is logged and the file set aside
        as stuck until it changes (a clerk renames or replaces it)."""
        try:
            action()
        except Exception as exc:
            log.exception("could not take %r from the inbox", str(path))
            try:
                st = path.lstat()
            except OSError:
                return  # gone meanwhile: nothing to remember
            self.stuck[path] = Stuck(path, f"{type(exc).__name__}: {exc}", st.st_size, st.st_mtime_ns)
            self.on_change(self)

    def _stuck(self, path: Path) -> bool:
        known = self.stuck.get(path)
        if known is None:
            return False
        try:
            st = path.lstat()
        except OSError:
            return False
        if (st.st_size, st.st_mtime_ns) == (known.size, known.mtime_ns):
            return True
        del self.stuck[path]  # changed: worth another try
        self.on_change(self)
        return False

    def _forget_gone(self) -> None:
        gone = [p for p in self.stuck if not os.path.lexists(p)]
        for p in gone:
            del self.stuck[p]
        if gone:
            self.on_change(self)
