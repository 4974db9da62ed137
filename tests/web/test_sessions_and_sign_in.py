"""Sessions end on the server at sign-out; sign-in throttling slows the guesser but never
locks the owner out; the Secure cookie flag comes from the settings (issue 19, finding 8)."""
from __future__ import annotations

import dataclasses

from tests.web.conftest import csrf_from, sign_in
from tests.web.seed import PASSWORD, USERS
from web.ratelimit import FREE_PER_PAIR, MAX_WAIT, LoginLimiter


def test_a_session_cookie_kept_from_before_sign_out_no_longer_works(app):
    c = app.test_client()
    sign_in(c, "service")
    assert c.get("/search").status_code == 200
    kept = c.get_cookie("dossier_session").value
    token = csrf_from(c.get("/search").get_data(as_text=True))
    assert c.post("/logout", data={"csrf_token": token}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("dossier_session", kept)
    r = thief.get("/search")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    sign_in(c, "service")  # the owner signs in again as usual
    assert c.get("/search").status_code == 200


def _try(app, address: str, username: str, password: str) -> int:
    c = app.test_client()
    c.environ_base["REMOTE_ADDR"] = address
    token = csrf_from(c.get("/login").get_data(as_text=True))
    return c.post("/login", data={"username": username, "password": password, "csrf_token": token}).status_code


def test_wrong_passwords_from_elsewhere_do_not_lock_the_admin_out(app):
    assert _try(app, "10.20.0.1", "admin", PASSWORD) == 302  # the admin's usual address
    codes = [_try(app, "10.66.0.1", "admin", "guess-guess-guess") for _ in range(30)]
    assert 429 in codes  # the guesser is slowed …
    assert _try(app, "10.20.0.1", "admin", PASSWORD) == 302  # … the owner is not


def test_the_guesser_waits_longer_with_every_failure_but_never_for_ever():
    now = [0.0]
    limiter = LoginLimiter(clock=lambda: now[0])
    for _ in range(FREE_PER_PAIR):
        assert limiter.wait("sales1", "192.0.2.7") == 0
        limiter.failed("sales1", "192.0.2.7")
    waits = []
    for _ in range(12):
        waits.append(limiter.wait("sales1", "192.0.2.7"))
        now[0] += waits[-1]
        limiter.failed("sales1", "192.0.2.7")
    assert all(a <= b for a, b in zip(waits, waits[1:])) and waits[0] > 0
    assert max(waits) <= MAX_WAIT
    now[0] += MAX_WAIT
    assert limiter.wait("sales1", "192.0.2.7") == 0


def test_many_addresses_guessing_one_account_slow_strangers_but_not_the_owners_address():
    now = [0.0]
    limiter = LoginLimiter(clock=lambda: now[0])
    limiter.succeeded("leader1", "192.0.2.10")  # the owner has signed in from here before
    for i in range(200):
        limiter.failed("leader1", f"198.51.100.{i}")
    assert limiter.wait("leader1", "198.51.100.250") > 0   # a new address is slowed
    assert limiter.wait("leader1", "192.0.2.10") == 0     # the owner's is not


def test_the_secure_cookie_flag_comes_from_the_settings(seeded, tmp_path):
    from archive_store.settings import load_settings, write_default_settings
    from archive_store.system import System
    from web.app import create_app

    system, _ = seeded
    assert create_app(system, testing=True).config["SESSION_COOKIE_SECURE"] is False
    secure = System(settings=dataclasses.replace(system.settings, secure_cookies=True), db=system.db,
                    store=system.store)
    app = create_app(secure, testing=True)
    c = app.test_client()
    token = csrf_from(c.get("/login").get_data(as_text=True))
    r = c.post("/login", data={"username": USERS["sales"], "password": PASSWORD, "csrf_token": token})
    assert "Secure" in r.headers["Set-Cookie"]
    write_default_settings(tmp_path)
    toml = (tmp_path / "dossier.toml")
    toml.write_text(toml.read_text().replace("secure_cookies = false", "secure_cookies = true"))
    assert load_settings(tmp_path).secure_cookies is True


def test_staff_cannot_open_the_card_of_a_customer_whose_records_are_in_review(app, seeded):
    from datetime import date

    from archive_store.matching import CustomerRef
    from sqlalchemy import select
    from archive_store.models import Document
    from tests.web.seed import _file

    system, _ = seeded
    doc_no = _file(system, name="card-pending.jpg", doc_type="business_license",
                   customer=CustomerRef("enterprise", name="待审核卡片有限公司"), title="营业执照",
                   lines=[("名称", "待审核卡片有限公司", "name")], fields={"name": "待审核卡片有限公司"},
                   issue=date(2025, 9, 1), effective=False)
    with system.db.read() as s:
        archive_no = s.scalar(select(Document).where(Document.doc_no == doc_no)).archive.archive_no
    sales, head = app.test_client(), app.test_client()
    sign_in(sales, "sales"), sign_in(head, "dept_head")
    r = sales.get(f"/archives/{archive_no}")
    assert r.status_code == 403 and "待审核卡片有限公司" not in r.get_data(as_text=True)
    assert head.get(f"/archives/{archive_no}").status_code == 200


def test_the_portal_processes_share_the_sign_in_counts(tmp_path):
    # `dossier run` serves with several processes: a guesser whose attempts land on different
    # ones is held back as if they had all landed on one.
    import subprocess
    import sys

    path = tmp_path / "run" / "login-limits.sqlite"
    fail = ("import sys; from web.ratelimit import LoginLimiter\n"
            "LoginLimiter(sys.argv[1]).failed('sales1', '192.0.2.7')")
    for _ in range(FREE_PER_PAIR):
        assert LoginLimiter(path).wait("sales1", "192.0.2.7") == 0
        subprocess.run([sys.executable, "-c", fail, str(path)], check=True)
    assert LoginLimiter(path).wait("sales1", "192.0.2.7") > 0
    assert LoginLimiter(path).wait("sales2", "192.0.2.8") == 0
