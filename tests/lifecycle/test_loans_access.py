"""What an approved view or an electronic loan opens on the document pages, and for how long."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from archive_store import loans, viewing
from archive_store.errors import NotAllowed
from archive_store.models import Loan, ViewOpening, utcnow
from archive_store.users import create_account
from tests.lifecycle.helpers import make_archive, make_people

NO = "2025P02001"


@pytest.fixture
def world(system):
    people = make_people(system)
    make_archive(system, NO, owner=people.sales, docs=2)
    with system.db.write() as s:
        marketer, _ = create_account(s, actor="system:test", username="market1", role="marketing",
                                     password="lifecycle-pass-1")
    return people, marketer


def test_an_open_view_lets_its_holder_open_the_named_document_until_its_window_closes(system, world):
    people, marketer = world
    with pytest.raises(NotAllowed):  # contracts are not research: marketing does not open them
        viewing.open_document(system, marketer, f"{NO}-002")
    req = loans.request(system, marketer, NO, kind="view", reason="核对条款", days=2, document_no=f"{NO}-002")
    loans.approve(system, people.dept_head, req.id)
    with pytest.raises(NotAllowed):  # approved, but not opened yet
        viewing.open_document(system, marketer, f"{NO}-002")
    opened = loans.open_view(system, marketer, req.id)
    page = viewing.open_document(system, marketer, f"{NO}-002")
    assert page.doc.doc_no == f"{NO}-002" and not page.can_download
    with pytest.raises(NotAllowed):  # the view names one document, not the archive
        viewing.open_document(system, marketer, f"{NO}-001")
    assert [d.doc_no for d in viewing.open_archive(system, marketer, NO).catalogue] == [f"{NO}-002"]
    with system.db.write() as s:
        s.get(ViewOpening, opened.opening_id).closes_at = utcnow() - timedelta(seconds=1)
    with pytest.raises(NotAllowed):
        viewing.open_document(system, marketer, f"{NO}-002")


def test_an_approved_download_and_an_electronic_loan_allow_downloads_while_they_last(system, world):
    people, marketer = world
    req = loans.request(system, marketer, NO, kind="view", reason="核对", days=1)
    loans.approve(system, people.dept_head, req.id, allow_download=True)
    loans.open_view(system, marketer, req.id)
    assert viewing.open_document(system, marketer, f"{NO}-001").can_download

    loan_req = loans.request(system, people.service, NO, kind="electronic", reason="服务回访", days=3)
    loans.approve(system, people.dept_head, loan_req.id)
    loans.approve(system, people.leader, loan_req.id)
    assert not viewing.open_document(system, people.service, f"{NO}-001").can_download  # not handed out
    loans.hand_out(system, people.manager, loan_req.id)
    assert viewing.open_document(system, people.service, f"{NO}-001").can_download
    with system.db.write() as s:  # its due date passes: the access ends with it
        s.scalar(select(Loan).where(Loan.request_id == loan_req.id)).due_on = loans.today() - timedelta(days=1)
    assert not viewing.open_document(system, people.service, f"{NO}-001").can_download
