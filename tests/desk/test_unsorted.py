"""The unsorted tray: a scan nobody could recognise spends no number until a clerk files it."""
from __future__ import annotations

import pytest
from docx import Document as Docx
from sqlalchemy import func, select

from archive_store import export, unsorted, viewing
from archive_store.errors import NotAllowed
from archive_store.messages import Refused
from archive_store.models import Archive, Counter, Document, IntakeJob, UnsortedDocument
from tests.desk.conftest import held


def _memo(path):
    doc = Docx()
    doc.add_heading("会议纪要", level=1)
    doc.add_paragraph("本周例会讨论了下季度的工作安排，与任何客户无关。")
    doc.save(path)


def test_a_memo_from_the_inbox_waits_in_the_tray_with_no_archive_and_no_number(system, tmp_path):
    from intake.runner import Intake

    _memo(tmp_path / "memo.docx")
    intake = Intake(system, workers=1)
    try:
        [outcome] = intake.ingest([tmp_path / "memo.docx"])
        [again] = intake.ingest([tmp_path / "memo.docx"])
    finally:
        intake.close()
    assert outcome.status == "unsorted" and outcome.doc_no is None and outcome.archive_no is None
    assert again.status == "duplicate"
    with system.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Archive)) == 0
        assert s.scalar(select(func.count()).select_from(Document)) == 0
        assert not s.scalar(select(func.count()).select_from(Counter).where(Counter.scope.like("archive:%")))
        row = s.scalar(select(UnsortedDocument))
        assert row.doc_type == "other" and "会议纪要" in row.text
        assert {r["code"] for r in row.review_reasons} >= {"kind_unknown"}
        assert s.get(IntakeJob, outcome.job_id).unsorted_id == row.id
        assert list(export.export_documents(s)) == []
    assert system.store.has(row.sha256)  # the original is kept while it waits


def test_the_clerk_types_kind_and_fields_and_files_into_a_new_archive(world, users):
    system, _ = world
    clerk = users["clerk"]
    item = held(system)
    unsorted.set_kind(system, clerk, item, "business_license")
    unsorted.set_field(system, clerk, item, "name", "苏州新桥精密机械有限公司")
    unsorted.set_field(system, clerk, item, "registered_capital", "贰佰万元整")
    view = unsorted.open_item(system, clerk, item)
    assert view.suggested["name"] == "苏州新桥精密机械有限公司"
    doc_no = unsorted.file_new(system, clerk, item, name=view.suggested["name"], customer_type="企业",
                               business_line="P")
    with system.db.read() as s:
        doc = viewing.load_document(s, doc_no)
        assert doc.archive.name == "苏州新桥精密机械有限公司" and doc.doc_no.startswith(doc.archive.archive_no)
        assert doc.fields["registered_capital"] == "2000000.00" and doc.field_set_by["name"] == "person"
        assert doc.field_corrections["name"]["as_read"] is None and doc.field_corrections["name"]["by"] == "clerk1"
        assert doc.status == "pending_review"
        assert not [r for r in doc.review_reasons if r["code"] in ("kind_unknown", "customer_unknown")]
        assert s.get(UnsortedDocument, item) is None


def test_a_tray_item_is_filed_into_an_archive_found_by_name_code_or_number(world, users):
    system, data = world
    clerk = users["clerk"]
    acme_no = data.archives["license"]
    for text in ("华东贸易", acme_no):
        assert acme_no in [a.archive_no for a in unsorted.candidates(system, clerk, text)]
    item = held(system, doc_type="contract", fields={"party_a": "上海华东贸易有限公司"})
    doc_no = unsorted.file_into(system, clerk, item, acme_no)
    assert doc_no.startswith(acme_no + "-")


def test_a_value_that_fails_its_validator_is_refused_and_nothing_changes(world, users):
    system, _ = world
    clerk = users["clerk"]
    item = held(system, doc_type="contract")
    with pytest.raises(Refused) as refused:
        unsorted.set_field(system, clerk, item, "amount", "两百万左右")
    assert refused.value.code == "not_amount" and "不是一个确定的金额" in str(refused.value)
    with pytest.raises(Refused):
        unsorted.set_field(system, clerk, item, "signed_on", "下个月")
    with pytest.raises(Refused):
        unsorted.file_new(system, clerk, item, name="", customer_type="enterprise", business_line="P")
    with system.db.read() as s:
        row = s.get(UnsortedDocument, item)
        assert row.fields == {} and row.field_corrections == {}


def test_staff_and_reviewers_do_not_work_the_tray(world, users):
    system, _ = world
    for role in ("sales", "dept_head", "auditor"):
        with pytest.raises(NotAllowed):
            unsorted.tray(system, users[role])


def test_a_number_already_burnt_on_a_nameless_archive_stays_spent(world, users):
    system, _ = world
    clerk = users["clerk"]
    from archive_store import filing
    from archive_store.matching import CustomerRef
    with system.db.write() as s:  # as the pipeline did before the tray existed
        burnt = filing.open_archive(s, system.settings, actor="system:intake", customer=CustomerRef("enterprise"),
                                    business_line="P", today=__import__("datetime").date.today()).archive_no
    item = held(system)
    unsorted.set_kind(system, clerk, item, "business_license")
    doc_no = unsorted.file_new(system, clerk, item, name="无锡北塘纺织有限公司", customer_type="enterprise",
                               business_line="P")
    assert not doc_no.startswith(burnt) and doc_no[:len(burnt)] > burnt
    with system.db.read() as s:
        assert s.scalar(select(Archive).where(Archive.archive_no == burnt)) is not None


def test_verify_checks_the_files_waiting_in_the_tray(world):
    from archive_store.verify import expected_files

    system, _ = world
    item = held(system)
    with system.db.read() as s:
        owners = expected_files(s)
        sha = s.get(UnsortedDocument, item).sha256
    assert owners[sha] == f"U{item}"
