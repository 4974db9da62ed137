"""The auditor's window on the trail: filtered pages and the CSV export (itself audited)."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select

from archive_store import access, audit
from archive_store.models import AuditEvent, User
from archive_store.system import System

_AUDITOR_ONLY = "只有审计员查看审计记录。"
CSV_HEADER = ["seq", "at_utc", "actor", "action", "object_type", "object_id", "before", "after", "hash"]


def _query(filters: dict[str, Any]) -> Select:
    q = select(AuditEvent)
    if filters.get("actor"):
        q = q.where(AuditEvent.actor == filters["actor"])
    if filters.get("object_id"):
        q = q.where(AuditEvent.object_id == filters["object_id"])
    if filters.get("action"):
        q = q.where(AuditEvent.action.startswith(filters["action"], autoescape=True))
    if isinstance(filters.get("date_from"), date):
        q = q.where(AuditEvent.at >= datetime.combine(filters["date_from"], time()))
    if isinstance(filters.get("date_to"), date):
        q = q.where(AuditEvent.at < datetime.combine(filters["date_to"] + timedelta(days=1), time()))
    return q


def events(system: System, actor: User, filters: dict[str, Any], page: int = 1,
           size: int = 100) -> tuple[list[AuditEvent], int]:
    access.require(actor, access.AUDIT_ROLES, _AUDITOR_ONLY)
    q = _query(filters)
    with system.db.read() as s:
        total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
        rows = list(s.scalars(q.order_by(AuditEvent.seq.desc()).offset((max(page, 1) - 1) * size).limit(size)))
    return rows, total


def export_rows(system: System, actor: User, filters: dict[str, Any]) -> Iterator[list]:
    """The CSV's rows, header first, streamed; the export is recorded before any row leaves."""
    access.require(actor, access.AUDIT_ROLES, _AUDITOR_ONLY)
    with system.db.write() as s:
        audit.record(s, actor=actor.username, action="audit.exported", object_type="audit",
                     object_id="audit_events", after={k: str(v) for k, v in filters.items() if v})

    def rows():
        yield CSV_HEADER
        with system.db.read() as s:
            for e in s.scalars(_query(filters).order_by(AuditEvent.seq)).yield_per(1000):
                yield [e.seq, e.at.isoformat(timespec="seconds"), e.actor, e.action, e.object_type,
                       e.object_id, e.before or "", e.after or "", e.hash]
    return rows()
