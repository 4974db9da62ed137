"""Passwords are changed regularly (POLICY.md "Safekeeping"): a minimum length, no common
password, none of the last five again, and after the maximum age sign-in asks for a new one."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from archive_store import users
from archive_store.models import AuditEvent, PasswordHistory, User, utcnow
from archive_store.users import BadPassword

START = "first-pass-0001"


@pytest.fixture
def account(system):
    with system.db.write() as s:
        users.create_account(s, actor="system:test", username="pw-user", role="sales", password=START)
    with system.db.read() as s:
        return s.scalar(select(User).where(User.username == "pw-user"))


def _user(system) -> User:
    with system.db.read() as s:
        return s.scalar(select(User).where(User.username == "pw-user"))


@pytest.mark.parametrize("password, message", [
    ("short-1", "至少需要10个字符"),
    ("1qaz2wsx3edc", "太常见"),
    ("Password123", "太常见"),       # compared in lower case
    ("woaini5201314", "太常见"),
])
def test_a_short_or_common_password_is_refused(system, account, password, message):
    before = _user(system).password_hash
    with pytest.raises(BadPassword, match=message):
        users.change_password(system, account, old=START, new=password)
    assert _user(system).password_hash == before


def test_none_of_the_last_five_passwords_may_be_chosen_again(system, account):
    chosen = [START] + [f"rotating-pass-{n:04d}" for n in range(1, 6)]
    for old, new in zip(chosen, chosen[1:]):
        users.change_password(system, _user(system), old=old, new=new)
    current = chosen[-1]
    # The current one and the four before it are refused ...
    for earlier in chosen[-5:]:
        with pytest.raises(BadPassword, match="最近5次"):
            users.change_password(system, _user(system), old=current, new=earlier)
    # ... the sixth back is allowed again.
    users.change_password(system, _user(system), old=current, new=chosen[0])
    with system.db.read() as s:
        assert s.scalar(select(func.count()).select_from(PasswordHistory)) == 6
        # No hash of any password appears in the audit trail.
        assert not s.scalar(select(func.count()).select_from(AuditEvent)
                            .where(AuditEvent.after.contains("scrypt")))


def test_a_password_past_its_maximum_age_is_expired(system, account):
    assert not users.password_expired(system.settings, account)
    account.password_changed_at = utcnow() - timedelta(days=system.settings.rules.password_max_age_days + 1)
    assert users.password_expired(system.settings, account)


def test_a_new_account_also_gets_the_common_password_check(system):
    with system.db.write() as s, pytest.raises(BadPassword):
        users.create_account(s, actor="system:test", username="lazy", role="sales", password="qwertyuiop")


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def test_sign_in_with_an_expired_password_asks_for_a_new_one_first(system, account):
    from web.app import create_app

    with system.db.write() as s:
        s.scalar(select(User).where(User.username == "pw-user")).password_changed_at = utcnow() - timedelta(days=91)
    client = create_app(system, testing=True).test_client()
    token = _csrf(client.get("/login").get_data(as_text=True))
    answer = client.post("/login", data={"username": "pw-user", "password": START, "csrf_token": token})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/password")
    # Every other page waits until the password is changed.
    assert client.get("/search").headers["Location"].endswith("/password")
    page = client.get("/password").get_data(as_text=True)
    refused = client.post("/password", data={"old": START, "new": START, "confirm": START, "csrf_token": _csrf(page)})
    assert refused.status_code == 400 and "最近5次" in refused.get_data(as_text=True)
    done = client.post("/password", data={"old": START, "new": "a-fresh-pass-0042", "confirm": "a-fresh-pass-0042",
                                          "csrf_token": _csrf(page)})
    assert done.status_code == 302
    assert client.get("/search").status_code == 200
