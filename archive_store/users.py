"""Accounts: created, authenticated and changed only here, each change audited.

Verbs take the system and the acting user and check the rule themselves; `create_account`
is the one unchecked step, for `dossier init` (the first admin) and test set-up.
"""
from __future__ import annotations

import functools
import re
import secrets
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from archive_store import access, audit
from archive_store.errors import DossierError, InvalidState, NotAllowed, NotFound
from archive_store.models import PasswordHistory, Role, User, utcnow

MIN_PASSWORD = 10
_USERNAME = re.compile(r"[A-Za-z0-9_.-]{2,64}")


@functools.cache
def _dummy_hash() -> str:
    """A real hash to compare against when the user does not exist, so the answer takes as
    long either way and does not tell who has an account. Made on first use: hashing costs
    0.2 s, which every `dossier` command would otherwise pay at import."""
    return generate_password_hash(secrets.token_hex(16))


class BadPassword(DossierError):
    pass


def console_actor(name: str = "system:cli") -> User:
    """The person at the server's console: never stored, never able to sign in."""
    return User(id=None, username=name, role=access.OPERATOR, active=True, display_name=name,
                password_hash="!")


def find_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == (username or "")[:64]))
    if user is None:
        raise NotFound(f"没有用户 {username!r}。")
    return user


def acting_user(system, username: str) -> User:
    """The account named by `--as USER` on the command line, checked like a sign-in would be."""
    with system.db.read() as s:
        user = find_user(s, username)
    if not user.active:
        raise NotAllowed(f"账户 {user.username} 已停用。")
    return user


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def check_password_rules(password: str, *, min_length: int = MIN_PASSWORD) -> None:
    """Long enough and not one a guesser tries first (POLICY.md: accounts and passwords)."""
    if len(password) < min_length:
        raise BadPassword(f"密码至少需要{min_length}个字符。")
    if password.strip().lower() in _common_passwords():
        raise BadPassword("这个密码太常见，容易被猜中，请换一个。")


@functools.cache
def _common_passwords() -> frozenset[str]:
    text = (Path(__file__).parent / "common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def password_expired(settings, user: User) -> bool:
    """Passwords are changed regularly (POLICY.md): past the maximum age, sign-in asks for a new one."""
    age = utcnow() - user.password_changed_at
    return age > timedelta(days=settings.rules.password_max_age_days)


def _check_not_reused(session: Session, user: User, password: str, keep: int) -> None:
    """The current password and the ones before it, `keep` in all, may not be chosen again."""
    earlier = session.scalars(select(PasswordHistory.password_hash).where(PasswordHistory.user_id == user.id)
                              .order_by(PasswordHistory.id.desc()).limit(max(keep - 1, 0)))
    if any(check_password_hash(h, password) for h in [user.password_hash, *earlier]):
        raise BadPassword(f"不能使用最近{keep}次用过的密码。")


def create_account(
    session: Session, *, actor: str, username: str, role: str, password: str | None = None,
    display_name: str = "", min_length: int = MIN_PASSWORD,
) -> tuple[User, str | None]:
    """Returns the user and the generated password, if one was generated (shown once)."""
    if not _USERNAME.fullmatch(username or ""):
        raise DossierError("用户名为2至64个字母、数字、'.'、'_' 或 '-'。")
    if role not in Role.__members__:
        raise DossierError(f"未知角色 {role!r}；可选：{', '.join(Role)}")
    if session.scalar(select(User).where(User.username == username)):
        raise DossierError(f"用户 {username!r} 已存在。")
    generated = None
    if password is None:
        password = generated = generate_password()
    check_password_rules(password, min_length=min_length)
    user = User(username=username, role=role, display_name=display_name or username,
                password_hash=generate_password_hash(password))
    session.add(user)
    session.flush()
    audit.record(session, actor=actor, action="user.created", object_type="user",
                 object_id=username, after={"role": role, "display_name": user.display_name})
    return user, generated


def add_user(system, actor: User, *, username: str, role: str, password: str | None = None,
             display_name: str = "") -> tuple[User, str | None]:
    access.require(actor, access.ADMIN_ROLES, "只有管理员管理用户。")
    with system.db.write() as s:
        return create_account(s, actor=actor.username, username=username, role=role, password=password,
                              display_name=display_name, min_length=system.settings.rules.password_min_length)


def list_users(system, actor: User) -> list[User]:
    access.require(actor, access.ADMIN_ROLES, "只有管理员管理用户。")
    with system.db.read() as s:
        return list(s.scalars(select(User).order_by(User.username)))


def edit_user(system, actor: User, username: str, *, role: str, active: bool) -> None:
    """Change an account's role or switch it off. Nobody changes their own."""
    access.require(actor, access.ADMIN_ROLES, "只有管理员管理用户。")
    if role not in Role.__members__:
        raise DossierError(f"未知角色 {role!r}")
    with system.db.write() as s:
        target = find_user(s, username)
        if target.id == actor.id and (not active or role != target.role):
            raise DossierError("不能停用自己或更改自己的角色。")
        if target.active and not active:
            # POLICY.md "Access": a leaving employee hands back every file first.
            from archive_store.loans import open_loan_count

            if n := open_loan_count(s, target.id):
                raise InvalidState(f"{target.username} 还有 {n} 份借阅未归还，归还后才能停用账户"
                                   f"（交接清单：dossier users handover {target.username}）。")
        before = {"role": target.role, "active": target.active}
        target.role, target.active = role, active
        audit.record(s, actor=actor.username, action="user.changed", object_type="user",
                     object_id=target.username, before=before, after={"role": target.role, "active": target.active})


def sign_in(system, username: str, password: str, *, address: str) -> User | None:
    """The account if the password is right, else None; both outcomes are audited."""
    username = (username or "").strip()
    with system.db.read() as s:
        user = authenticate(s, username, password)
    with system.db.write() as s:
        if user is None:
            audit.record(s, actor=username[:64] or "?", action="user.login_failed", object_type="user",
                         object_id=username[:80] or "?", after={"address": address})
        else:
            audit.record(s, actor=user.username, action="user.login", object_type="user",
                         object_id=user.username, after={"address": address})
    return user


def sign_out(system, actor: User) -> None:
    with system.db.write() as s:
        audit.record(s, actor=actor.username, action="user.logout", object_type="user", object_id=actor.username)


def session_user(system, user_id: int) -> User | None:
    """The account behind a portal session, if it still exists and is active."""
    with system.db.read() as s:
        user = s.get(User, user_id)
    return user if user is not None and user.active else None


def deactivate(system, actor: User, username: str) -> None:
    """Switch an account off, keeping its role; refused while the user still holds a loan."""
    with system.db.read() as s:
        role = find_user(s, username).role
    edit_user(system, actor, username, role=role, active=False)


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        check_password_hash(_dummy_hash(), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def change_password(system, actor: User, *, old: str, new: str) -> User:
    """The signed-in user changes their own password; returns the updated row."""
    with system.db.write() as s:
        user = s.get(User, actor.id)
        if user is None or not user.active:
            raise NotAllowed("此账户已停用。")
        if not check_password_hash(user.password_hash, old):
            raise NotAllowed("当前密码不正确。")
        check_password_rules(new, min_length=system.settings.rules.password_min_length)
        _check_not_reused(s, user, new, system.settings.rules.password_history)
        s.add(PasswordHistory(user_id=user.id, password_hash=user.password_hash, changed_at=utcnow()))
        user.password_hash = generate_password_hash(new)
        user.password_changed_at = utcnow()
        audit.record(s, actor=user.username, action="user.password_changed",
                     object_type="user", object_id=user.username)
        return user
