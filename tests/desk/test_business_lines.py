"""Accounts limited to business lines: staff see only their lines' archives, in search, on
pages and in downloads; the records room and the managers see every line."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from archive_store import search, users as users_, viewing
from archive_store.errors import DossierError, NotAllowed
from archive_store.models import User


def _fresh(system, name):
    with system.db.read() as s:
        return s.scalar(select(User).where(User.username == name))


def test_a_sales_account_limited_to_line_s_sees_only_line_s(world, users):
    system, data = world
    admin = users["admin"]
    users_.set_business_lines(system, admin, "sales1", ["S"])
    try:
        sales = _fresh(system, "sales1")
        found = {h.doc_no for h in search.search(system, sales, "华东").hits}
        assert data.docs["license"] not in found  # line P
        assert data.docs["person_form"] in {h.doc_no for h in search.search(system, sales, "张伟").hits}  # line S
        with pytest.raises(NotAllowed):
            viewing.open_document(system, sales, data.docs["license"])
        with pytest.raises(NotAllowed):
            viewing.open_archive(system, sales, data.archives["license"])
        with pytest.raises(NotAllowed):
            viewing.page_image(system, sales, data.docs["license"], 1)
        viewing.open_document(system, sales, data.docs["person_form"])
        # the records room and the managers are not limited by a line setting
        users_.set_business_lines(system, admin, "dept_head1", ["S"])
        head = _fresh(system, "dept_head1")
        viewing.open_document(system, head, data.docs["license"])
    finally:
        users_.set_business_lines(system, admin, "sales1", [])
        users_.set_business_lines(system, admin, "dept_head1", [])
    assert data.docs["license"] in {h.doc_no for h in search.search(system, _fresh(system, "sales1"), "华东").hits}


def test_only_an_admin_sets_lines_and_only_known_ones(world, users):
    system, _ = world
    with pytest.raises(NotAllowed):
        users_.set_business_lines(system, users["leader"], "sales1", ["S"])
    with pytest.raises(DossierError):
        users_.set_business_lines(system, users["admin"], "sales1", ["Z9"])
