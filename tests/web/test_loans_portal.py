"""The loans pages through Flask's test client: forms carry CSRF, the verbs refuse, a view
is opened and confirmed, reminders reach the landing page, and an admin cannot switch off
a user who still holds a loan. Its own data folder: the shared portal seed stays as it is."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from archive_store import loans
from archive_store.models import Loan
from tests.lifecycle.helpers import PASSWORD, make_archive, make_people
from tests.web.conftest import csrf_from

NO = "2025P02001"


@pytest.fixture
def site(system):
    from web.app import create_app

    people = make_people(system)
    make_archive(system, NO, docs=1)
    return create_app(system, testing=True), people


def signed_in(app, username):
    c = app.test_client()
    token = csrf_from(c.get("/login").get_data(as_text=True))
    assert c.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token}).status_code == 302
    return c


def post(c, path, page, **data):
    token = csrf_from(c.get(page).get_data(as_text=True))
    return c.post(path, data={"csrf_token": token, **data})


def test_a_view_is_asked_approved_opened_and_confirmed_in_the_portal(site, system):
    app, p = site
    sales, head = signed_in(app, "sales1"), signed_in(app, "dept_head1")
    assert "申请查阅" in sales.get(f"/archives/{NO}").get_data(as_text=True)
    assert sales.post(f"/loans/new/{NO}", data={"kind": "view", "reason": "x", "days": "1"}).status_code == 400
    r = post(sales, f"/loans/new/{NO}", f"/loans/new/{NO}", kind="view", reason="核对条款", content="合同第3条",
             document_no=f"{NO}-001", days="1")
    assert r.status_code == 302
    rid = int(r.location.rsplit("/", 1)[1])
    assert f"/loans/{rid}" in head.get("/loans/inbox").get_data(as_text=True)
    assert post(head, f"/loans/{rid}/approve", "/loans/inbox", comment="同意", allow_download="y").status_code == 302
    assert post(sales, f"/loans/{rid}/open", f"/loans/{rid}").status_code == 302
    page = sales.get(f"/loans/{rid}").get_data(as_text=True)
    assert "查阅进行中" in page and "确认查阅记录" in page
    with system.db.read() as s:
        view = loans.active_view(s, p.sales, 1)
    assert view.allow_download and view.request_id == rid
    post(sales, f"/loans/{rid}/confirm-view", f"/loans/{rid}")
    assert "/confirm-view" not in sales.get(f"/loans/{rid}").get_data(as_text=True)


def test_the_verbs_refuse_in_the_portal_as_on_the_command_line(site, system):
    app, p = site
    sales = signed_in(app, "sales1")
    assert sales.get("/loans/desk").status_code == 403
    assert sales.get("/loans/log").status_code == 403
    assert sales.get("/loans/log.pdf").status_code == 403
    assert sales.get("/loans/handover/sales1").status_code == 403
    r = post(sales, f"/loans/new/{NO}", f"/loans/new/{NO}", kind="paper", reason="x", days="99")
    assert r.status_code == 400 and "期限须为1至" in r.get_data(as_text=True)
    assert sales.get("/loans/new/2099X00000").status_code == 200  # the form; the verb answers on submit
    assert post(sales, "/loans/new/2099X00000", f"/loans/new/{NO}", kind="view", reason="x", days="1").status_code == 404


def test_reminders_reach_the_landing_page_and_an_open_loan_blocks_deactivation(site, system):
    app, p = site
    req = loans.request(system, p.sales, NO, kind="paper", reason="核对", days=2)
    loans.approve(system, p.dept_head, req.id)
    loans.approve(system, p.leader, req.id)
    loans.hand_out(system, p.manager, req.id)
    with system.db.write() as s:
        s.scalar(select(Loan)).due_on = loans.today() - timedelta(days=1)
    sales = signed_in(app, "sales1")
    assert "请尽快归还" in sales.get("/search").get_data(as_text=True)
    assert "逾期未还" in signed_in(app, "manager1").get("/loans/desk").get_data(as_text=True)
    admin = signed_in(app, "admin1")
    r = post(admin, "/admin/users/sales1", "/admin/users", role="sales")
    assert r.status_code == 409 and "未归还" in r.get_data(as_text=True)
    assert "还有未归还的借阅" in admin.get("/loans/handover/sales1").get_data(as_text=True)
