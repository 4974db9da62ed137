"""The audit trail: append-only, each event chained to the one before by its hash.

`record` is called by every service inside the transaction that changes the record, so
the event and the change commit or roll back together. The sequence number comes from the
same counters as the archive numbers, which serialises writers (SQLite's write lock, a row
lock on PostgreSQL), so the chain never forks.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive_store.models import AuditEvent, Counter, utcnow
from archive_store.numbering import next_value

GENESIS = "0" * 64
AUDIT_SCOPE = "audit"


def canonical(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _digest(event: AuditEvent) -> str:
    body = canonical({
        "seq": event.seq,
        "at": event.at.isoformat(timespec="microseconds"),
        "actor": event.actor,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "prev_hash": event.prev_hash,
    })
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    before: Any = None,
    after: Any = None,
) -> AuditEvent:
    seq = next_value(session, AUDIT_SCOPE)
    prev = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq - 1)) if seq > 1 else GENESIS
    event = AuditEvent(
        seq=seq,
        at=utcnow(),
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=canonical(before),
        after=canonical(after),
        prev_hash=prev or GENESIS,
    )
    event.hash = _digest(event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str


def verify_chain(session: Session) -> list[ChainProblem]:
    """Walk the chain and report every break: an edited, inserted or deleted event."""
    problems: list[ChainProblem] = []
    expected_seq, prev_hash = 1, GENESIS
    for event in _in_order(session):
        if event.seq != expected_seq:
            if event.seq > expected_seq:
                problems.append(ChainProblem(expected_seq, f"events {expected_seq}..{event.seq - 1} are missing (deleted)"))
            else:
                problems.append(ChainProblem(event.seq, "sequence number repeats or goes back (inserted)"))
        if event.prev_hash != prev_hash:
            problems.append(ChainProblem(event.seq, "does not follow the event before it (inserted or deleted before it)"))
        if _digest(event) != event.hash:
            problems.append(ChainProblem(event.seq, "its content does not match its hash (edited)"))
        expected_seq, prev_hash = event.seq + 1, event.hash
    last_issued = session.scalar(select(Counter.value).where(Counter.scope == AUDIT_SCOPE)) or 0
    if last_issued >= expected_seq:
        problems.append(ChainProblem(expected_seq, f"events {expected_seq}..{last_issued} are missing from the end (deleted)"))
    elif last_issued < expected_seq - 1:
        problems.append(ChainProblem(last_issued + 1, f"events {last_issued + 1}..{expected_seq - 1} were never issued (inserted)"))
    return problems


def _in_order(session: Session) -> Iterator[AuditEvent]:
    yield from session.scalars(select(AuditEvent).order_by(AuditEvent.seq, AuditEvent.id)).yield_per(1000)


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent)) or 0
