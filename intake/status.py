"""What the intake page shows, as plain values: is the watcher running (and what failed), which
files are visibly waiting or stuck in the inbox, and is the search index being rebuilt.

The watcher keeps its part in `run/watcher@HOST.json` (a `StatusBoard`), because the portal
that shows it may be another process (`dossier run --no-watch` beside `dossier watch`); its
worker processes (intake/workers.py) each keep the files they could not take in
`run/watcher@HOST.worker-K.json`. Whether a watcher is alive is asked of its lock, never of a
file that a crash could leave behind.
"""
from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from archive_store.settings import Settings
from intake.lock import RUN_DIR, Holder, host_name, is_held, read_holder, watcher_lock_path
from intake.names import display_name
from intake.watcher import TEMP_SUFFIXES, scan_inbox

MAX_FAILURES_KEPT = 20


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def status_path(data_dir: Path, host: str | None = None, part: str | None = None) -> Path:
    return data_dir / RUN_DIR / f"watcher@{host or host_name()}{'.' + part if part else ''}.json"


def worker_boards(data_dir: Path) -> list[Path]:
    return sorted((data_dir / RUN_DIR).glob(f"watcher@{host_name()}.worker-*.json"))


@dataclass(frozen=True)
class WatcherFailure:
    at: str  # ISO time, UTC
    error: str  # one line: the exception's type and message
    restarted: bool  # whether the watcher was started again after it


@dataclass(frozen=True)
class StuckFile:
    name: str  # inbox-relative, as a person reads it
    error: str


@dataclass(frozen=True)
class WatcherStatus:
    running: bool
    holder: Holder | None  # the live watcher's pid, host and start time
    restarts: int  # since the running `dossier run` started
    failures: tuple[WatcherFailure, ...]  # newest first
    stuck: tuple[StuckFile, ...]  # files the watcher could not take


@dataclass(frozen=True)
class WaitingFile:
    name: str  # inbox-relative, as a person reads it
    size: int
    modified: datetime  # UTC
    why: str  # "hidden" (a name or folder starting with a dot) | "temporary" (.part, ~$…)


@dataclass(frozen=True)
class IndexStatus:
    state: str  # "ready" | "rebuilding" | "needs_rebuild"
    detail: str


class StatusBoard:
    """The watcher's side: failures, restarts and stuck files, written on every change."""

    def __init__(self, settings: Settings, part: str | None = None):
        self.path = status_path(settings.data_dir, part=part)
        self.inbox = settings.inbox
        self._lock = threading.Lock()
        self._state: dict = {"started": _now(), "restarts": 0, "failures": [], "stuck": [], "checking_index": False}
        self._write()

    def failed(self, error: BaseException, *, restarted: bool) -> None:
        with self._lock:
            line = f"{type(error).__name__}: {error}".splitlines()[0][:500]
            self._state["failures"] = ([{"at": _now(), "error": line, "restarted": restarted}]
                                       + self._state["failures"])[:MAX_FAILURES_KEPT]
            self._state["restarts"] += int(restarted)
            self._write()

    def checking_index(self, on: bool) -> None:
        """Around the start-up check (and rebuild) of the search index."""
        with self._lock:
            self._state["checking_index"] = on
            self._write()

    def stuck_changed(self, stuck: dict) -> None:
        """Called by the InboxWatcher with its `stuck` map."""
        with self._lock:
            self._state["stuck"] = [{"name": _relative(self.inbox, p), "error": s.error} for p, s in stuck.items()]
            self._write()

    def _write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name("." + self.path.name + ".tmp")
        tmp.write_text(json.dumps(self._state, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.path)


def _relative(inbox: Path, path: Path) -> str:
    try:
        return display_name(str(path.relative_to(inbox)))
    except ValueError:
        return display_name(path.name)


def _board(settings: Settings) -> dict:
    return _read(status_path(settings.data_dir))


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def watcher_status(settings: Settings) -> WatcherStatus:
    """This machine's watcher for the data folder: alive or not, and what it reported."""
    lock = watcher_lock_path(settings.data_dir)
    running = is_held(lock)
    state = _board(settings)
    failures = tuple(WatcherFailure(f.get("at", ""), f.get("error", ""), bool(f.get("restarted")))
                     for f in state.get("failures", []))
    stuck: dict[str, StuckFile] = {}
    for board in [state] + [_read(p) for p in worker_boards(settings.data_dir)] if running else ():
        for s in board.get("stuck", []):  # every worker tries a file; each may find it stuck
            stuck.setdefault(s.get("name", ""), StuckFile(s.get("name", ""), s.get("error", "")))
    return WatcherStatus(running, read_holder(lock) if running else None, int(state.get("restarts", 0)),
                         failures, tuple(stuck.values()))


def waiting_files(settings: Settings) -> list[WaitingFile]:
    """Files in the inbox that are left alone on purpose: someone's work in progress."""
    out = []
    for path in scan_inbox(settings.inbox).waiting:
        try:
            st = path.lstat()
        except OSError:
            continue
        name = _relative(settings.inbox, path)
        hidden = any(part.startswith(".") for part in path.relative_to(settings.inbox).parts)
        temporary = path.name.startswith("~$") or path.name.lower().endswith(TEMP_SUFFIXES)
        out.append(WaitingFile(name, st.st_size, datetime.fromtimestamp(st.st_mtime, timezone.utc),
                               "temporary" if temporary and not hidden else "hidden"))
    return out


def index_status(settings: Settings, index=None) -> IndexStatus:
    """Whether searches can be trusted: a missing, damaged or outdated index is rebuilt by
    the watcher when it starts; until then searches find nothing or fail, and the page
    should say so rather than show 0 hits as if that were the answer."""
    from index import SearchIndex

    running = is_held(watcher_lock_path(settings.data_dir))
    if running and _board(settings).get("checking_index"):
        # the damage `needs_rebuild` cannot see (a cut segment) is being repaired too
        return IndexStatus("rebuilding", "检索索引正在检查和重建，完成前检索结果可能不全。")
    ix = index if index is not None else SearchIndex(settings.index_dir)  # the portal passes its own
    if not ix.needs_rebuild:
        return IndexStatus("ready", "检索索引是最新的。")
    if running:
        return IndexStatus("rebuilding", "检索索引正在重建，完成前检索结果可能不全。")
    return IndexStatus("needs_rebuild", "The search index must be rebuilt: start the watcher or run `dossier reindex`.")
