"""Accounts: created, authenticated and changed only here, each change audited."""
from __future__ import annotations

import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from archive_store import audit
from archive_store.errors import DossierError, NotAllowed
from archive_store.models import Role, User, utcnow

MIN_PASSWORD = 10
_USERNAME = re.compile(r"[A-Za-z0-9_.-]{2,64}")
# A real hash to compare against when the user does not exist, so the answer takes as long
# either way and does not tell who has an account.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


class BadPassword(DossierError):
    pass


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise BadPassword(f"a password needs at least {MIN_PASSWORD} characters")


def create_user(
    session: Session, *, actor: str, username: str, role: str, password: str | None = None,
    display_name: str = "",
) -> tuple[User, str | None]:
    """Returns the user and the generated password, if one was generated (shown once)."""
    if not _USERNAME.fullmatch(username):
        raise DossierError("a user name is 2-64 letters, digits, '.', '_' or '-'")
    if role not in Role.__members__:
        raise DossierError(f"unknown role {role!r}; roles: {', '.join(Role)}")
    if session.scalar(select(User).where(User.username == username)):
        raise DossierError(f"user {username!r} already exists")
    generated = None
    if password is None:
        password = generated = generate_password()
    check_password_rules(password)
    user = User(username=username, role=role, display_name=display_name or username,
                password_hash=generate_password_hash(password))
    session.add(user)
    session.flush()
    audit.record(session, actor=actor, action="user.created", object_type="user",
                 object_id=username, after={"role": role, "display_name": user.display_name})
    return user, generated


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def change_password(session: Session, *, user: User, old: str, new: str) -> None:
    if not check_password_hash(user.password_hash, old):
        raise NotAllowed("the current password is not right")
    check_password_rules(new)
    user.password_hash = generate_password_hash(new)
    user.password_changed_at = utcnow()
    audit.record(session, actor=user.username, action="user.password_changed",
                 object_type="user", object_id=user.username)


def set_role(session: Session, *, actor: str, user: User, role: str, active: bool | None = None) -> None:
    if role not in Role.__members__:
        raise DossierError(f"unknown role {role!r}")
    before = {"role": user.role, "active": user.active}
    user.role = role
    if active is not None:
        user.active = active
    audit.record(session, actor=actor, action="user.changed", object_type="user",
                 object_id=user.username, before=before, after={"role": user.role, "active": user.active})
