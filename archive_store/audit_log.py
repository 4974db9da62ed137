"""The auditor's window on the trail: filtered pages and the CSV export (itself audited).

The auditor's job is who did what to which record and which fields changed; it needs no
customer data (access.py), so what the trail holds is shown masked for the auditor's own
field groups: every field value becomes ■■■ (its key stays), and secrets found in any other
text (a review reason, a search, a file name) are masked by `redaction`. The stored
events are untouched; the chain is verified on them.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select

from archive_store import access, audit, redaction
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


@dataclass(frozen=True)
class ShownEvent:
    seq: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    before: str | None  # canonical JSON, masked for the reader
    after: str | None
    hash: str


def _mask_value(value: Any, hidden: frozenset[str]) -> Any:
    """`value` (decoded JSON) with what the reader may not see masked: the value of any
    field key of a hidden group (also as {"key": k, "value": v}), and secrets in strings."""
    if isinstance(value, dict):
        named = value.get("key") if isinstance(value.get("key"), str) else None
        out = {}
        for k, v in value.items():
            field = named if k == "value" and named in access.GROUP_OF else k
            if field in access.GROUP_OF and access.group_of(field) in hidden and v not in (None, "", [], {}):
                out[k] = redaction.MASK
            else:
                out[k] = _mask_value(v, hidden)
        return out
    if isinstance(value, list):
        return [_mask_value(v, hidden) for v in value]
    if isinstance(value, str):
        return redaction.mask(value, hidden)
    return value


def _mask_json(raw: str | None, hidden: frozenset[str]) -> str | None:
    if not raw:
        return raw
    try:
        return audit.canonical(_mask_value(json.loads(raw), hidden))
    except ValueError:
        return redaction.mask(raw, hidden)


def shown(event: AuditEvent, reader: User) -> ShownEvent:
    hidden = access.hidden_groups(reader)
    return ShownEvent(event.seq, event.at, redaction.mask(event.actor, hidden), event.action, event.object_type,
                      redaction.mask(event.object_id, hidden), _mask_json(event.before, hidden),
                      _mask_json(event.after, hidden), event.hash)


def events(system: System, actor: User, filters: dict[str, Any], page: int = 1,
           size: int = 100) -> tuple[list[ShownEvent], int]:
    access.require(actor, access.AUDIT_ROLES, _AUDITOR_ONLY)
    q = _query(filters)
    with system.db.read() as s:
        total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
        rows = [shown(e, actor) for e in
                s.scalars(q.order_by(AuditEvent.seq.desc()).offset((max(page, 1) - 1) * size).limit(size))]
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
            for event in s.scalars(_query(filters).order_by(AuditEvent.seq)).yield_per(1000):
                e = shown(event, actor)
                yield [v for v in (e.seq, e.at.isoformat(timespec="seconds"), e.actor, e.action,
                                             e.object_type, e.object_id, e.before or "", e.after or "", e.hash)]
    return rows()
