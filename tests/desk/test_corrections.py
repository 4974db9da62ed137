"""Fixing what was read on a filed document: checked like extraction, remembered, and the
archive's name and search follow at once."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from archive_store import corrections, search, viewing
from archive_store.errors import InvalidState, NotAllowed
from archive_store.matching import CustomerRef
from archive_store.messages import Refused
from archive_store.models import Archive, AuditEvent
from tests.web.seed import _file


def _pending_licence(system, name="常州东风五金有限公司", sha_tag="x"):
    return _file(system, name=f"licence-{sha_tag}.jpg", doc_type="business_license",
                 customer=CustomerRef("enterprise", name=name), title="营业执照",
                 lines=[("名称", name, "name")], fields={"name": name}, issue=date(2024, 1, 2),
                 effective=False)


def test_a_corrected_name_renames_the_archive_and_search_finds_it_at_once(world, users):
    system, _ = world
    clerk, leader = users["clerk"], users["leader"]
    doc_no = _pending_licence(system, "常州东凤五金有限公司", "misread")
    corrections.correct_field(system, clerk, doc_no, "name", "常州东风五金制品有限公司", "对照原件")
    with system.db.read() as s:
        doc = viewing.load_document(s, doc_no)
        assert doc.archive.name == "常州东风五金制品有限公司"
        c = doc.field_corrections["name"]
        assert c["as_read"] == "常州东凤五金有限公司" and c["by"] == "clerk1" and c["at"]
    found = search.search(system, leader, "东风五金制品")
    assert doc_no in [h.doc_no for h in found.hits]
    assert found.hits[0].customer == "常州东风五金制品有限公司"
    # a second correction keeps the value as first read
    corrections.correct_field(system, clerk, doc_no, "name", "常州东风五金制品股份有限公司", "再次核对")
    with system.db.read() as s:
        assert viewing.load_document(s, doc_no).field_corrections["name"]["as_read"] == "常州东凤五金有限公司"


def test_an_amount_that_is_not_an_amount_is_refused_and_nothing_changes(world, users):
    system, data = world
    doc_no = data.docs["pending_flagged"]
    with pytest.raises(Refused) as refused:
        corrections.correct_field(system, users["clerk"], doc_no, "amount", "两百万左右", "客户口述")
    assert refused.value.code == "not_amount"
    with system.db.read() as s:
        assert viewing.load_document(s, doc_no).fields["amount"] == "8800.00"


def test_a_field_the_extractor_missed_is_added_and_the_kind_is_changed(world, users):
    system, _ = world
    clerk = users["clerk"]
    doc_no = _pending_licence(system, "南通江海建材有限公司", "add")
    corrections.correct_field(system, clerk, doc_no, "registered_capital", "¥3,000,000", "原件第一页")
    with system.db.read() as s:
        doc = viewing.load_document(s, doc_no)
        assert doc.fields["registered_capital"] == "3000000.00"
        assert doc.field_corrections["registered_capital"]["as_read"] is None
    with pytest.raises(Refused):  # a contract field on a licence
        corrections.correct_field(system, clerk, doc_no, "party_a", "某公司", "x")
    corrections.set_kind(system, clerk, doc_no, "contract", "其实是合同")
    with system.db.read() as s:
        assert viewing.load_document(s, doc_no).doc_type == "contract"


def test_a_document_moves_to_another_archive_under_a_new_item_number(world, users):
    system, data = world
    doc_no = _pending_licence(system, "扬州瘦西湖旅游有限公司", "move")
    target = data.archives["license"]
    new_no = corrections.move(system, users["clerk"], doc_no, target, "客户同一")
    assert new_no.startswith(target + "-") and new_no != doc_no
    with system.db.read() as s:
        assert viewing.load_document(s, new_no).archive.archive_no == target
        ev = s.scalar(select(AuditEvent).where(AuditEvent.action == "document.moved",
                                               AuditEvent.object_id == doc_no))
        assert new_no in ev.after
    hits = search.search(system, users["leader"], "扬州瘦西湖").hits
    assert [h.doc_no for h in hits] == [new_no]


def test_moving_into_a_destroyed_archive_is_refused(world, users):
    system, data = world
    doc_no = _pending_licence(system, "镇江金山醋业有限公司", "dead")
    with system.db.write() as s:
        dead = s.scalar(select(Archive).where(Archive.archive_no == data.archives["person_form"]))
        dead.status = "destroyed"
    try:
        with pytest.raises(Refused) as refused:
            corrections.move(system, users["clerk"], doc_no, data.archives["person_form"], "x")
        assert refused.value.code == "archive_closed"
    finally:
        with system.db.write() as s:
            s.scalar(select(Archive).where(Archive.archive_no == data.archives["person_form"])).status = "active"


def test_staff_cannot_correct_and_an_effective_record_is_not_corrected(world, users):
    system, data = world
    with pytest.raises(NotAllowed):
        corrections.correct_field(system, users["sales"], data.docs["pending_plain"], "name", "x", "y")
    with pytest.raises(InvalidState):
        corrections.correct_field(system, users["clerk"], data.docs["license"], "name", "x", "y")
