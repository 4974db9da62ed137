"""The quarantine: files that could not be filed, each beside NAME.reason.json.

Nothing here deletes a file: a retry moves it back into the inbox, a dismissal moves it
into quarantine/dismissed/ where an administrator can still find it.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from archive_store import access, audit
from archive_store.errors import NotFound
from archive_store.models import IntakeJob, User, utcnow
from archive_store.settings import Settings
from archive_store.system import System
from intake.names import disk_name, display_name

REASON_SUFFIX = ".reason.json"
DISMISSED = "dismissed"


@dataclass(frozen=True)
class QuarantineEntry:
    name: str
    reason: str
    detail: str
    at: datetime
    job_id: int | None
    business_line: str | None
    original_name: str = ""    # as given: the name on disk is made safe (long, non-UTF-8, ..\ names)
    cause: str | None = None   # link | special | name | crashes, where the reason needs one


def _unique(folder: Path, name: str) -> Path:
    stem, dot, ext = name.partition(".") if not name.startswith(".") else (name, "", "")
    candidate, n = folder / name, 2
    while candidate.exists() or (folder / (candidate.name + REASON_SUFFIX)).exists():
        candidate = folder / f"{stem} ({n}){dot}{ext}"
        n += 1
    return candidate


def quarantine_file(settings: Settings, path: Path, *, original_name: str, reason: str, detail: str,
                    job_id: int | None, business_line: str | None, cause: str | None = None) -> str:
    """Move `path` into quarantine/ under its original name made safe for the disk (and
    unique) with its reason; the name as given stays in the reason file for display."""
    original_name = display_name(original_name)
    target = _unique(settings.quarantine, disk_name(original_name))
    note = {"reason": reason, "message": detail, "at": utcnow().isoformat(timespec="seconds") + "Z",
            "job_id": job_id, "original_name": original_name, "business_line": business_line}
    if cause:
        note["cause"] = cause
    reason_path = target.with_name(target.name + REASON_SUFFIX)
    tmp = reason_path.with_name("." + reason_path.name + ".tmp")
    tmp.write_text(json.dumps(note, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, reason_path)  # the reason first: a quarantined file never lacks one
    os.rename(path, target)
    os.chmod(target, 0o600)  # it kept the inbox's mode (often world-readable on a share)
    return target.name


def _entry_path(settings: Settings, name: str) -> Path:
    """A quarantined file by name; names from a URL or the command line never leave the folder."""
    if (not name or "/" in name or "\\" in name or "\x00" in name or name.startswith(".")
            or name.endswith(REASON_SUFFIX) or len(os.fsencode(name)) > 255):
        raise NotFound(f"no quarantined file called {name!r}")
    path = settings.quarantine / name
    if not path.is_file():
        raise NotFound(f"no quarantined file called {name!r}")
    return path


def list_quarantined(settings: Settings) -> list[QuarantineEntry]:
    entries = []
    for reason_path in sorted(settings.quarantine.glob("*" + REASON_SUFFIX)):
        name = reason_path.name[: -len(REASON_SUFFIX)]
        if not (settings.quarantine / name).is_file():
            continue
        try:
            note = json.loads(reason_path.read_text(encoding="utf-8"))
            at = datetime.fromisoformat(note["at"].rstrip("Z"))
        except (ValueError, KeyError, OSError):
            note, at = {"reason": "internal", "message": "the reason file is damaged"}, utcnow()
        entries.append(QuarantineEntry(name, note.get("reason", "internal"), note.get("message", ""), at,
                                       note.get("job_id"), note.get("business_line"),
                                       note.get("original_name") or name, note.get("cause")))
    return sorted(entries, key=lambda e: e.at, reverse=True)


_INTAKE_ONLY = "只有档案录入员和档案管理员处理收件。"


@dataclass
class IntakeView:
    in_progress: list[IntakeJob]
    recent: list[IntakeJob]
    quarantined: list[QuarantineEntry]


def monitor(system: System, actor: User) -> IntakeView:
    """The clerk's intake page: files being worked on, recently filed, the quarantine."""
    access.require(actor, access.INTAKE_ROLES, _INTAKE_ONLY)
    with system.db.read() as s:
        in_progress = list(s.scalars(select(IntakeJob).where(IntakeJob.state == "claimed")
                                     .order_by(IntakeJob.created_at)))
        recent = list(s.scalars(select(IntakeJob).where(IntakeJob.state.in_(("filed", "duplicate")))
                                .order_by(IntakeJob.updated_at.desc()).limit(50)))
    return IntakeView(in_progress, recent, list_quarantined(system.settings))


def retry(system: System, actor: User, name: str) -> Path:
    """Put a quarantined file back into the inbox (its business-line folder) to be read again."""
    access.require(actor, access.INTAKE_ROLES, _INTAKE_ONLY)
    settings = system.settings
    path = _entry_path(settings, name)
    reason_path = path.with_name(path.name + REASON_SUFFIX)
    entry = next((e for e in list_quarantined(settings) if e.name == name), None)
    biz = entry.business_line if entry and entry.business_line in settings.business_lines else None
    folder = settings.inbox / biz if biz else settings.inbox
    folder.mkdir(exist_ok=True)
    target = _unique(folder, path.name)
    with system.db.write() as s:
        audit.record(s, actor=actor.username, action="intake.retried", object_type="quarantine", object_id=name,
                     before={"reason": entry.reason if entry else None}, after={"inbox": str(target.relative_to(settings.inbox))})
        if entry and entry.job_id and (row := s.get(IntakeJob, entry.job_id)):
            row.state = "retried"
        os.rename(path, target)
    reason_path.unlink(missing_ok=True)
    return target


def dismiss(system: System, actor: User, name: str) -> None:
    """Take a file off the clerk's list, keeping it (and its reason) in quarantine/dismissed/."""
    access.require(actor, access.INTAKE_ROLES, _INTAKE_ONLY)
    settings = system.settings
    path = _entry_path(settings, name)
    folder = settings.quarantine / DISMISSED
    folder.mkdir(exist_ok=True)
    target = _unique(folder, path.name)
    with system.db.write() as s:
        audit.record(s, actor=actor.username, action="intake.dismissed", object_type="quarantine", object_id=name,
                     after={"kept_as": f"{DISMISSED}/{target.name}"})
        os.rename(path, target)
    reason_path = path.with_name(path.name + REASON_SUFFIX)
    if reason_path.exists():
        os.rename(reason_path, target.with_name(target.name + REASON_SUFFIX))
