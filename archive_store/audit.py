"""The audit trail: append-only, each event chained to the one before by its hash.

`record` is called by every service inside the transaction that changes the record, so
the event and the change commit or roll back together. The sequence number comes from the
same counters as the archive numbers, which serialises writers (SQLite's write lock, a row
lock on PostgreSQL), so the chain never forks.

A chain of plain hashes inside the database proves nothing to someone who can write the
database: they edit an event and recompute every hash after it, or delete the last events
and lower the counter. So two things live outside the database, in the data folder:

* `audit.key`, a random key (0600) made when the folder is set up: each event's hash is an
  HMAC-SHA256 under it, which nobody without the key can recompute;
* `audit.head`, the newest event's number and hash, rewritten after each commit that adds
  events: a trail that ends before it, or whose event there has another hash, or whose
  counter is below it, was cut or rewritten.

A data folder from before the key keeps its old events as they were (plain SHA-256, the
hashes they were written with) up to `keyed_from`, recorded in the key file; the first
keyed event, `audit.keyed`, carries the last old hash, so the old chain is sealed under
the key from then on. Re-hashing old events at migration was the alternative, but it
would vouch, under the new key, for whatever the database held on that day.
"""
from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import logging
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive_store.errors import SetupError
from archive_store.models import AuditEvent, Counter, utcnow
from archive_store.numbering import next_value

log = logging.getLogger(__name__)
GENESIS = "0" * 64
AUDIT_SCOPE = "audit"
KEY_FILE = "audit.key"
HEAD_FILE = "audit.head"


@dataclass(frozen=True)
class AuditKeys:
    """The key the trail is signed with and where its head is anchored (the data folder)."""

    key: bytes
    keyed_from: int  # events numbered below this were written before the key (plain SHA-256)
    head_path: Path

    def read_head(self) -> tuple[int, str] | None:
        try:
            raw = json.loads(self.head_path.read_text(encoding="utf-8"))
            return int(raw["seq"]), str(raw["hash"])
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError):
            return (-1, "")  # unreadable: reported by verify_chain

    def write_head(self, seq: int, digest: str) -> None:
        """Anchor (seq, digest) unless a later event is anchored already: writers commit in
        sequence order, but may reach this line in another order."""
        lock_path = self.head_path.with_name(self.head_path.name + ".lock")
        with open(lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            current = self.read_head()
            if current is not None and current[0] >= seq:
                return
            tmp = self.head_path.with_name(self.head_path.name + ".tmp")
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(json.dumps({"seq": seq, "hash": digest}) + "\n")
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.head_path)


def load_keys(data_dir: Path, db) -> AuditKeys:
    """The folder's audit key, made now if it has none (a new folder, or one from before
    the trail was keyed: then its existing events are sealed by an `audit.keyed` event)."""
    path, head = data_dir / KEY_FILE, data_dir / HEAD_FILE
    if path.exists():
        return _read_key_file(path, head)
    with db.write() as s:  # holds the write lock: no event slips in while the key is made
        last = s.scalar(select(Counter.value).where(Counter.scope == AUDIT_SCOPE)) or 0
        if head.exists():
            raise SetupError(f"{path} is missing but the audit trail is anchored in {head}: "
                             "restore audit.key from a backup of this data folder")
        keys = AuditKeys(secrets.token_bytes(32), last + 1, head)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it a moment ago
            s.rollback()
            return _read_key_file(path, head)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(json.dumps({"key": keys.key.hex(), "keyed_from": keys.keyed_from}) + "\n")
            f.flush()
            os.fsync(f.fileno())
        if last:
            s.info["audit"] = keys
            record(s, actor="system:audit", action="audit.keyed", object_type="audit", object_id="audit_events",
                   after={"keyed_from": keys.keyed_from, "earlier_events": "sha256, sealed by this event"})
    return keys


def _read_key_file(path: Path, head: Path) -> AuditKeys:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return AuditKeys(bytes.fromhex(raw["key"]), int(raw["keyed_from"]), head)
    except PermissionError:
        raise SetupError(f"cannot read {path}: check its permissions") from None
    except (ValueError, KeyError, TypeError):
        raise SetupError(f"{path} is damaged: restore it from a backup of this data folder") from None


def _keys(session: Session) -> AuditKeys:
    keys = session.info.get("audit")
    if keys is None:
        # An unkeyed event would break the chain for good: refuse rather than write one.
        raise RuntimeError("the audit key is not loaded: open the data folder with open_system")
    return keys


def canonical(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _digest(event: AuditEvent, keys: AuditKeys | None = None) -> str:
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
    if keys is not None and event.seq >= keys.keyed_from:
        return hmac.new(keys.key, body.encode("utf-8"), hashlib.sha256).hexdigest()
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _anchor_after_commit(session: Session, keys: AuditKeys, seq: int, digest: str) -> None:
    """Write the head once the events are committed: one anchored before a rollback would
    name an event that never was."""
    session.info["audit_head"] = (seq, digest)
    if session.info.get("audit_hooked"):
        return
    session.info["audit_hooked"] = True

    def committed(sess: Session) -> None:
        head = sess.info.pop("audit_head", None)
        if head is None:
            return
        try:
            keys.write_head(*head)
        except OSError:
            # The change is committed; failing the verb now would report a failure that
            # did not happen. The next event anchors a newer head; until then verify
            # simply checks against the older one.
            log.exception("could not anchor the audit head in %s", keys.head_path)

    sa_event.listen(session, "after_commit", committed)
    sa_event.listen(session, "after_rollback", lambda sess: sess.info.pop("audit_head", None))


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
    keys = _keys(session)
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
    event.hash = _digest(event, keys)
    session.add(event)
    session.flush()
    _anchor_after_commit(session, keys, seq, event.hash)
    return event


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str


def verify_chain(session: Session) -> list[ChainProblem]:
    """Walk the chain and report every break: an edited, inserted or deleted event, and a
    trail that no longer reaches the head anchored outside the database."""
    keys = _keys(session)
    problems: list[ChainProblem] = []
    hashes_at_head: dict[int, str] = {}
    head = keys.read_head()
    expected_seq, prev_hash = 1, GENESIS
    for event in _in_order(session):
        if event.seq != expected_seq:
            if event.seq > expected_seq:
                problems.append(ChainProblem(expected_seq, f"events {expected_seq}..{event.seq - 1} are missing (deleted)"))
            else:
                problems.append(ChainProblem(event.seq, "sequence number repeats or goes back (inserted)"))
        if event.prev_hash != prev_hash:
            problems.append(ChainProblem(event.seq, "does not follow the event before it (inserted or deleted before it)"))
        if _digest(event, keys) != event.hash:
            problems.append(ChainProblem(event.seq, "its content does not match its hash (edited)"))
        if head is not None and event.seq == head[0]:
            hashes_at_head[event.seq] = event.hash
        expected_seq, prev_hash = event.seq + 1, event.hash
    last_issued = session.scalar(select(Counter.value).where(Counter.scope == AUDIT_SCOPE)) or 0
    if last_issued >= expected_seq:
        problems.append(ChainProblem(expected_seq, f"events {expected_seq}..{last_issued} are missing from the end (deleted)"))
    elif last_issued < expected_seq - 1:
        problems.append(ChainProblem(last_issued + 1, f"events {last_issued + 1}..{expected_seq - 1} were never issued (inserted)"))
    problems += _check_head(keys, head, expected_seq - 1, last_issued, hashes_at_head)
    return problems


def _check_head(keys: AuditKeys, head: tuple[int, str] | None, last_seq: int, last_issued: int,
                hashes: dict[int, str]) -> list[ChainProblem]:
    if head is None:
        if last_seq >= keys.keyed_from:
            return [ChainProblem(last_seq, f"the chain's head is not anchored ({keys.head_path.name} is missing)")]
        return []
    seq, digest = head
    if seq < 0:
        return [ChainProblem(last_seq, f"{keys.head_path.name} cannot be read (damaged)")]
    out = []
    if last_seq < seq:
        out.append(ChainProblem(last_seq + 1, f"the trail ends at event {last_seq} but event {seq} was anchored: "
                                              f"events {last_seq + 1}..{seq} were removed (truncated)"))
    elif seq in hashes and hashes[seq] != digest:
        out.append(ChainProblem(seq, "its hash is not the anchored one (the trail was rewritten)"))
    if last_issued < seq:
        out.append(ChainProblem(last_issued + 1, f"the event counter stands at {last_issued}, below the "
                                                 f"anchored event {seq} (lowered)"))
    return out


def _in_order(session: Session) -> Iterator[AuditEvent]:
    yield from session.scalars(select(AuditEvent).order_by(AuditEvent.seq, AuditEvent.id)).yield_per(1000)


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def check(system) -> tuple[list[ChainProblem], int]:
    """`dossier audit verify`: every break in the chain, and how many events were read."""
    with system.db.read() as session:
        return verify_chain(session), count(session)
