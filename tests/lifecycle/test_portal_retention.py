"""The retention pages through Flask's test client: the verbs' refusals become clean pages."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from archive_store import retention
from archive_store.models import LegalHold, RetentionRule
from archive_store.users import console_actor
from tests.lifecycle.helpers import PASSWORD, archive_no, file_doc


@pytest.fixture
def client(system, staff):
    from web.app import create_app

    return create_app(system, testing=True).test_client()


def token(client, path: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def sign_in(client, username: str) -> None:
    client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token(client, "/login")})


def test_staff_get_the_verbs_refusal_and_managers_see_the_pages(client, system):
    sign_in(client, "sales1")
    for path in ("/retention/due", "/retention/rules", "/retention/holds", "/retention/batches"):
        page = client.get(path)
        assert page.status_code == 403, path
    assert "保管与销毁" not in client.get("/search").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": token(client, "/search")})
    sign_in(client, "head1")
    for path in ("/retention/due?as_of=2030-01-01", "/retention/rules", "/retention/holds", "/retention/batches"):
        assert client.get(path).status_code == 200, path
    assert client.get("/retention/due?as_of=not-a-date").status_code == 400
    client.get("/lang/en")
    for path, words in (("/retention/due", "Due list"), ("/retention/rules", "Retention rules"),
                        ("/retention/holds", "Legal holds"), ("/retention/batches", "Destruction batches")):
        page = client.get(path)
        assert page.status_code == 200 and words in page.get_data(as_text=True), path


def test_a_rule_and_a_hold_set_in_the_portal(client, system):
    n = file_doc(system, customer="甲公司", issue=date(2010, 1, 1))
    sign_in(client, "am1")
    assert client.post("/retention/rules", data={"kind": "contract", "years": "5", "trigger": "filing"}).status_code == 400
    page = client.post("/retention/rules", data={"kind": "contract", "grade": "", "years": "3",
                                                 "trigger": "document_date", "csrf_token": token(client, "/retention/rules")},
                       follow_redirects=True)
    assert "3 年" in page.get_data(as_text=True)
    due = client.get("/retention/due").get_data(as_text=True)
    assert n in due and 'id="pick-' in due
    page = client.post("/retention/holds", data={"target": archive_no(system, n), "reason": "诉讼中",
                                                 "csrf_token": token(client, "/retention/holds")}, follow_redirects=True)
    assert "已设置诉讼保留" in page.get_data(as_text=True)
    due = client.get("/retention/due").get_data(as_text=True)
    assert "诉讼保留 #1" in due and 'id="pick-' not in due  # reported, not offered
    refused = client.post("/retention/batches", data={"doc_no": n, "method": "erase",
                                                      "csrf_token": token(client, "/retention/due")})
    assert refused.status_code == 409 and "诉讼保留" in refused.get_data(as_text=True)
    page = client.post("/retention/holds/1/release", data={"reason": "结案", "csrf_token": token(client, "/retention/holds")},
                       follow_redirects=True)
    assert "已解除诉讼保留 #1" in page.get_data(as_text=True)
    with system.db.read() as s:
        assert s.scalar(select(RetentionRule)).years == 3
        assert s.get(LegalHold, 1).release_reason == "结案"
    assert retention.due(system, console_actor())[0].holds == ()
