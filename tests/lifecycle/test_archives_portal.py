"""The customer-archive pages through Flask's test client: each POST needs its CSRF token,
a refusal is a clean page, and the pages call the verbs (the rules are tested there)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from archive_store.models import Archive, AuditEvent
from tests.web.seed import PASSWORD, USERS, seed


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from archive_store.system import init_data_dir
    from web.app import create_app

    system, _ = init_data_dir(tmp_path_factory.mktemp("archives-portal") / "data")
    data = seed(system)
    application = create_app(system, testing=True)
    application.extensions["seeded"] = data
    yield application
    system.close()


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def client_for(app, role: str):
    client = app.test_client()
    token = _token(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"username": USERS[role], "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    return client


def test_creating_by_hand_needs_the_csrf_token(app):
    head = client_for(app, "dept_head")
    assert head.post("/customers/new", data={"name": "无令牌有限公司", "customer_type": "enterprise",
                                             "business_line": "P"}).status_code == 400
    token = _token(head.get("/customers/new").get_data(as_text=True))
    answer = head.post("/customers/new", data={"name": "有令牌有限公司", "customer_type": "enterprise",
                                               "business_line": "P", "csrf_token": token})
    assert answer.status_code == 302 and "/archives/" in answer.headers["Location"]


def test_a_refusal_is_a_page_with_the_reason_and_changes_nothing(app):
    head = client_for(app, "dept_head")
    token = _token(head.get("/customers/new").get_data(as_text=True))
    answer = head.post("/customers/new", data={"name": "坏条线有限公司", "customer_type": "enterprise",
                                               "business_line": "Q", "csrf_token": token})
    assert answer.status_code == 400  # not one of the choices: the form refuses it
    no = head.post("/customers/new", data={"name": "页面编辑有限公司", "customer_type": "enterprise",
                                           "business_line": "P", "csrf_token": token}).headers["Location"].rsplit("/", 1)[1]
    page = head.get(f"/customers/{no}/edit").get_data(as_text=True)
    answer = head.post(f"/customers/{no}/edit", data={
        "name": "页面编辑有限公司", "stage": "deal", "business_line": "P", "relationship_start": "2026-01-10",
        "relationship_end": "2025-01-01", "csrf_token": _token(page)})
    assert answer.status_code == 400 and "关系结束日期不能早于开始日期" in answer.get_data(as_text=True)
    system = app.extensions["dossier"]
    with system.db.read() as s:
        assert s.scalar(select(Archive).where(Archive.archive_no == no)).stage == "potential"
        assert not s.scalar(select(AuditEvent).where(AuditEvent.object_id == no, AuditEvent.action == "archive.edited"))


def test_staff_do_not_reach_the_managers_lists_or_the_queue(app):
    sales = client_for(app, "sales")
    for url in ("/customers/", "/customers/late", "/customers/uncontacted", "/customers/duplicates",
                "/customers/changes"):
        assert sales.get(url).status_code == 403, url
    auditor = client_for(app, "auditor")
    token = _token(auditor.get("/customers/new").get_data(as_text=True))
    assert auditor.post("/customers/new", data={"name": "审计员建档有限公司", "customer_type": "enterprise",
                                                "business_line": "P", "csrf_token": token}).status_code == 403


def test_the_managers_pages_render_and_the_catalogue_downloads(app):
    head = client_for(app, "archive_manager")
    for url in ("/customers/", "/customers/?stage=potential&grade=", "/customers/late", "/customers/uncontacted",
                "/customers/duplicates", "/customers/changes"):
        assert head.get(url).status_code == 200, url
    no = app.extensions["seeded"].archives["license"]
    pdf = head.get(f"/customers/{no}/catalogue.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    csv = head.get(f"/customers/{no}/catalogue.csv")
    assert csv.status_code == 200 and "档号" in csv.get_data(as_text=True)
    assert head.get(f"/customers/{no}/catalogue.exe").status_code == 404
