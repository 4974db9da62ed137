"""The watched inbox: wait until a file has stopped growing, then hand it to the pipeline.

Scanners and network copies write slowly, so a file is taken only when its size and
modification time have not changed for `settle_seconds` (Paperless does the same). The
watchdog observer only wakes the scan early; a periodic scan runs anyway, so a missed
event (common on network shares) delays a file but never loses it, and whatever was in
the inbox at start is picked up by the first scan.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

log = logging.getLogger("dossier.intake")

TEMP_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".crdownload", ".download", ".swp", ".filepart", "~")


def is_candidate(path: Path) -> bool:
    """Hidden and temporary files are someone's work in progress, never ours to take."""
    name = path.name
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


def inbox_files(inbox: Path) -> list[Path]:
    return sorted(p for p in inbox.rglob("*") if p.is_file() and is_candidate(p)
                  and not any(part.startswith(".") for part in p.relative_to(inbox).parts))


class InboxWatcher:
    """Calls `take(path)` for each settled inbox file while `has_room()` says there is capacity."""

    def __init__(self, inbox: Path, *, take: Callable[[Path], None], has_room: Callable[[], bool],
                 settle_seconds: float = 2.0, poll: bool = False, scan_interval: float = 1.0):
        self.inbox = inbox
        self.take = take
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
                for path in self.tracker.ready(inbox_files(self.inbox)):
                    if stop.is_set() or not self.has_room():
                        break
                    self.tracker.forget(path)
                    self.take(path)
                self.wake.wait(self.scan_interval)
                self.wake.clear()
        finally:
            if observer is not None:
                observer.stop()
                observer.join(timeout=5)
