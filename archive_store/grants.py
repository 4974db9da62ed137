"""Core-secret grants: a leader lets one user see one archive's core fields for a while.

POLICY.md "Access": core secrets need a senior leader's approval. A grant is a row and an
audit event, and it expires.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive_store import access, audit
from archive_store.errors import DossierError, NotFound
from archive_store.models import AccessGrant, Archive, User, utcnow
from archive_store.system import System
from archive_store.users import find_user


def active_grants(session: Session, user: User, archive_id: int | None = None) -> list[AccessGrant]:
    query = select(AccessGrant).where(AccessGrant.user_id == user.id, AccessGrant.revoked_at.is_(None),
                                      AccessGrant.expires_at > utcnow())
    if archive_id is not None:
        query = query.where(AccessGrant.archive_id == archive_id)
    return list(session.scalars(query))


@dataclass(frozen=True)
class GrantRow:
    id: int
    username: str
    reason: str
    granted_by: str
    granted_at: object
    expires_at: object
    revoked_at: object
    active: bool


def archive_grants(session: Session, archive_id: int) -> list[GrantRow]:
    rows = session.execute(select(AccessGrant, User.username).join(User, User.id == AccessGrant.user_id)
                           .where(AccessGrant.archive_id == archive_id)
                           .order_by(AccessGrant.granted_at.desc()))
    now = utcnow()
    return [GrantRow(g.id, name, g.reason, g.granted_by, g.granted_at, g.expires_at, g.revoked_at,
                     g.revoked_at is None and g.expires_at > now) for g, name in rows]


def _archive(session: Session, archive_no: str) -> Archive:
    archive = session.scalar(select(Archive).where(Archive.archive_no == archive_no))
    if archive is None:
        raise NotFound(archive_no)
    return archive


def grant(system: System, actor: User, archive_no: str, username: str, reason: str, days: int = 30) -> int:
    """Let `username` see the core-secret fields of one archive for `days` days; returns the grant id."""
    access.require(actor, access.GRANT_ROLES, "只有分管领导可以授权查看核心机密字段。")
    reason = (reason or "").strip()
    if not reason:
        raise DossierError("授权需要填写理由。")
    if not 1 <= days <= access.GRANT_MAX_DAYS:
        raise DossierError(f"授权期限为1至{access.GRANT_MAX_DAYS}天。")
    with system.db.write() as s:
        archive = _archive(s, archive_no)
        target = find_user(s, username)
        if not target.active:
            raise DossierError(f"账户 {target.username} 已停用。")
        now = utcnow()
        row = AccessGrant(user_id=target.id, archive_id=archive.id, field_group="core", reason=reason[:1000],
                          granted_by=actor.username, granted_at=now, expires_at=now + timedelta(days=days),
                          days=days)
        s.add(row)
        s.flush()
        audit.record(s, actor=actor.username, action="access.granted", object_type="archive",
                     object_id=archive.archive_no,
                     after={"grant": row.id, "user": target.username, "field_group": "core",
                            "reason": row.reason, "expires_at": row.expires_at.isoformat(timespec="seconds")})
        return row.id


def revoke(system: System, actor: User, archive_no: str, grant_id: int) -> None:
    access.require(actor, access.GRANT_ROLES, "只有分管领导可以撤销授权。")
    with system.db.write() as s:
        archive = _archive(s, archive_no)
        row = s.get(AccessGrant, grant_id)
        if row is None or row.archive_id != archive.id:
            raise NotFound(str(grant_id))
        if row.revoked_at is not None:
            return
        row.revoked_at, row.revoked_by = utcnow(), actor.username
        audit.record(s, actor=actor.username, action="access.revoked", object_type="archive",
                     object_id=archive.archive_no, before={"grant": row.id})
