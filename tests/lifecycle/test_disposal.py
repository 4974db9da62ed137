"""Disposal batches: proposal, two approvals, execution before witnesses, the certificate."""
from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from archive_store import audit, corrections, disposal, retention, search_docs
from archive_store.errors import DossierError, InvalidState, NotAllowed, NotFound
from archive_store.models import (Archive, AuditEvent, DestructionCertificate, DisposalBatch, Document,
                                  User)
from archive_store.verify import verify_store
from index import SearchIndex
from tests.lifecycle.helpers import archive_no, doc, file_doc


@pytest.fixture
def due(system, staff):
    """Three due contracts (two customers) and one not due; all indexed."""
    docs = [file_doc(system, customer="上海甲贸易有限公司", issue=date(2010, 1, 1), text="甲公司设备采购合同 红木"),
            file_doc(system, customer="上海甲贸易有限公司", issue=date(2011, 3, 1), text="甲公司维保合同 红木",
                     fields={"name": "甲", "start_on": "2011-03-01", "end_on": "2012-02-28"}),
            file_doc(system, customer="杭州乙科技有限公司", issue=date(2012, 5, 1), text="乙公司合同 红木")]
    fresh = file_doc(system, customer="杭州乙科技有限公司", issue=date(2099, 1, 1), text="乙公司新合同 红木")
    retention.set_rule(system, staff["am1"], doc_type="contract", grade=None, years=5, trigger="document_date")
    search_docs.reindex(system, [*docs, fresh])
    return docs, fresh


def approved(system, staff, doc_nos, method="erase"):
    batch = disposal.propose(system, staff["am1"], doc_nos, method)
    disposal.approve(system, staff["head1"], batch)
    disposal.approve(system, staff["lead1"], batch)
    return batch


def hits(system, query="红木"):
    return {h.doc_no for h in SearchIndex(system.settings.index_dir).search(query, readers=None).hits}


def snapshot(system):
    """Everything a refusal must leave as it was."""
    with system.db.read() as s:
        return (s.scalar(select(func.count()).select_from(AuditEvent)),
                sorted((b.batch_no, b.status, tuple(b.witnesses)) for b in s.scalars(select(DisposalBatch))),
                sorted((d.doc_no, d.status) for d in s.scalars(select(Document))),
                sorted(p.name for p in system.settings.store.rglob("*") if p.is_file()))


# --- execution ---------------------------------------------------------------------------------

def test_execution_removes_the_content_and_keeps_the_number_and_catalogue_line(system, staff, due):
    docs, fresh = due
    before = {n: doc(system, n) for n in docs}
    assert hits(system) == {*docs, fresh}
    batch = approved(system, staff, docs)
    result = disposal.execute(system, staff["am1"], batch, ["clerk1", "sales1"])
    assert result.destroyed == tuple(docs) and result.withheld == ()

    for n, d in before.items():  # the store: every file of theirs is gone
        for sha in (d.sha256, d.archival_sha256, *d.page_image_sha256):
            assert not system.store.has(sha)
    assert hits(system) == {fresh}  # the index: search finds nothing of theirs
    with system.db.read() as s:  # the database: the ghost stays
        for n, d in before.items():
            row = s.scalar(select(Document).where(Document.doc_no == n))
            assert (row.status, row.sha256, row.fields, row.issue_date, row.title) == \
                   ("destroyed", d.sha256, d.fields, d.issue_date, d.title)
        jia = s.scalar(select(Archive).where(Archive.archive_no == archive_no(system, docs[0])))
        assert [(x.doc_no, x.status) for x in jia.documents] == [(docs[0], "destroyed"), (docs[1], "destroyed")]
        assert jia.status == "destroyed"  # every document in it is gone; its number stays
        yi = s.scalar(select(Archive).where(Archive.archive_no == archive_no(system, fresh)))
        assert yi.status == "active"
        report = verify_store(s, system.store)
        assert report.problems == [] and report.checked == 3  # destroyed files are expected gone
        assert audit.verify_chain(s) == []
        actions = [e.action for e in s.scalars(select(AuditEvent).order_by(AuditEvent.seq))][-6:]
    assert actions == ["document.destroyed"] * 3 + ["archive.destroyed", "disposal.executed",
                                                    "disposal.certificate_issued"]


def test_a_file_shared_with_a_document_that_stays_is_kept(system, staff):
    gone = file_doc(system, customer="甲公司", issue=date(2010, 1, 1), shared_page="同一页")
    kept = file_doc(system, customer="乙公司", issue=date(2099, 1, 1), shared_page="同一页")
    retention.set_rule(system, staff["am1"], doc_type="contract", grade=None, years=1, trigger="document_date")
    page = doc(system, gone).page_image_sha256[0]
    assert doc(system, kept).page_image_sha256 == [page]
    disposal.execute(system, staff["am1"], approved(system, staff, [gone]), ["clerk1", "sales1"])
    assert system.store.has(page) and not system.store.has(doc(system, gone).sha256)
    with system.db.read() as s:
        assert verify_store(s, system.store).problems == []


def test_an_item_held_after_approval_drops_out_and_is_listed_as_withheld(system, staff, due):
    docs, _ = due
    batch = approved(system, staff, docs)
    hold = retention.place_hold(system, staff["lead1"], docs[1], "诉讼保全")
    result = disposal.execute(system, staff["am1"], batch, ["clerk1", "sales1"])
    assert result.destroyed == (docs[0], docs[2])
    assert result.withheld == ((docs[1], f"诉讼保留 #{hold}：诉讼保全"),)
    held = doc(system, docs[1])
    assert held.status == "effective" and system.store.has(held.sha256) and docs[1] in hits(system)
    _, pdf = disposal.certificate(system, staff["am1"], batch)
    text = pdf_text(pdf)
    assert f"未销毁（保留）的文件：2.{docs[1]}诉讼保留#{hold}：诉讼保全" in text


def test_a_hold_placed_before_approval_is_reported_at_approval(system, staff, due):
    docs, _ = due
    batch = disposal.propose(system, staff["am1"], docs, "erase")
    retention.place_hold(system, staff["am1"], archive_no(system, docs[2]), "诉讼")
    disposal.approve(system, staff["head1"], batch)
    with system.db.read() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "disposal.approved"))
    assert json.loads(event.after)["held"] == [docs[2]]
    view = disposal.batch_view(system, staff["head1"], batch)
    assert set(view.held) == {doc(system, docs[2]).id}


# --- refusals: each leaves everything as it was -----------------------------------------------

def test_destroying_an_item_not_yet_due_is_refused(system, staff, due):
    docs, fresh = due
    was = snapshot(system)
    with pytest.raises(InvalidState, match=f"尚未到期.*{fresh}"):
        disposal.propose(system, staff["am1"], [docs[0], fresh], "erase")
    assert snapshot(system) == was


def test_destroying_an_item_under_hold_is_refused(system, staff, due):
    docs, _ = due
    retention.place_hold(system, staff["am1"], docs[0], "诉讼")
    was = snapshot(system)
    with pytest.raises(InvalidState, match="诉讼保留"):
        disposal.propose(system, staff["am1"], docs, "erase")
    assert snapshot(system) == was


@pytest.mark.parametrize("doc_nos, method, error, message", [
    (["2099P02999-001"], "erase", NotFound, "没有这些件号"),
    ([], "erase", DossierError, "至少需要一件"),
    (None, "burn", DossierError, "销毁方式"),
])
def test_a_bad_proposal_is_refused(system, staff, due, doc_nos, method, error, message):
    docs, _ = due
    was = snapshot(system)
    with pytest.raises(error, match=message):
        disposal.propose(system, staff["am1"], docs if doc_nos is None else doc_nos, method)
    assert snapshot(system) == was


def test_an_item_already_in_an_open_batch_or_destroyed_cannot_be_proposed_again(system, staff, due):
    docs, _ = due
    first = disposal.propose(system, staff["am1"], docs[:1], "erase")
    with pytest.raises(InvalidState, match="其他未执行的销毁批次"):
        disposal.propose(system, staff["am1"], docs[:2], "erase")
    disposal.approve(system, staff["head1"], first)
    disposal.approve(system, staff["lead1"], first)
    disposal.execute(system, staff["am1"], first, ["clerk1", "sales1"])
    with pytest.raises(InvalidState, match="已销毁"):
        disposal.propose(system, staff["am1"], docs[:1], "erase")


@pytest.mark.parametrize("who", ["head1", "lead1", "clerk1", "sales1", "audit1", "admin"])
def test_only_the_archive_manager_proposes(system, staff, due, who):
    was = snapshot(system)
    with pytest.raises(NotAllowed):
        disposal.propose(system, staff[who], due[0], "erase")
    assert snapshot(system) == was


def test_executing_a_batch_not_fully_approved_is_refused(system, staff, due):
    docs, _ = due
    batch = disposal.propose(system, staff["am1"], docs, "erase")
    for approver in ("head1", "lead1"):
        was = snapshot(system)
        with pytest.raises(InvalidState, match="尚未经部门负责人和分管领导审批"):
            disposal.execute(system, staff["am1"], batch, ["clerk1", "sales1"])
        assert snapshot(system) == was
        disposal.approve(system, staff[approver], batch)


def test_approving_ones_own_batch_is_refused(system, staff, due):
    from archive_store.users import edit_user

    batch = disposal.propose(system, staff["am1"], due[0], "erase")
    edit_user(system, staff["admin"], "am1", role="dept_head", active=True)  # the proposer changes job
    with system.db.read() as s:
        now_head = s.scalar(select(User).where(User.username == "am1"))
    was = snapshot(system)
    with pytest.raises(NotAllowed, match="不能审批自己的计划"):
        disposal.approve(system, now_head, batch)
    assert snapshot(system) == was


def test_approving_twice_is_refused(system, staff, due):
    from archive_store.users import edit_user

    batch = disposal.propose(system, staff["am1"], due[0], "erase")
    disposal.approve(system, staff["head1"], batch)
    was = snapshot(system)
    with pytest.raises(NotAllowed, match="不能重复审批"):
        disposal.approve(system, staff["head1"], batch)
    edit_user(system, staff["admin"], "head1", role="leader", active=True)  # promoted: still one approval
    with system.db.read() as s:
        promoted = s.scalar(select(User).where(User.username == "head1"))
    with pytest.raises(NotAllowed, match="不能重复审批"):
        disposal.approve(system, promoted, batch)
    disposal.approve(system, staff["lead1"], batch)
    with pytest.raises(InvalidState, match="已审批完毕"):
        disposal.approve(system, staff["lead2"], batch)


def test_the_leader_approves_only_after_the_department_head(system, staff, due):
    batch = disposal.propose(system, staff["am1"], due[0], "erase")
    with pytest.raises(NotAllowed, match="须先由部门负责人审批"):
        disposal.approve(system, staff["lead1"], batch)
    disposal.approve(system, staff["head1"], batch)
    with pytest.raises(NotAllowed, match="现须由分管领导审批"):
        disposal.approve(system, staff["head2"], batch)
    with pytest.raises(NotAllowed):
        disposal.approve(system, staff["am2"], batch)


@pytest.mark.parametrize("witnesses, error, message", [
    (["clerk1"], DossierError, "两名监销人"),
    (["clerk1", "clerk1"], DossierError, "两名监销人"),
    ([], DossierError, "两名监销人"),
    (["clerk1", "am2x"], NotFound, "没有用户"),
    (["clerk1", "am1"], NotAllowed, "提出人"),   # am1 proposed; am2 executes below
    (["clerk1", "head1"], NotAllowed, "审批了本批次"),
    (["lead1", "sales1"], NotAllowed, "审批了本批次"),
    (["clerk1", "am2"], NotAllowed, "执行人"),
])
def test_witnesses_are_two_people_who_neither_proposed_approved_nor_execute(system, staff, due, witnesses,
                                                                           error, message):
    batch = approved(system, staff, due[0])
    was = snapshot(system)
    with pytest.raises(error, match=message):
        disposal.execute(system, staff["am2"], batch, witnesses)
    assert snapshot(system) == was


def test_executing_twice_is_refused(system, staff, due):
    batch = approved(system, staff, due[0])
    disposal.execute(system, staff["am1"], batch, ["clerk1", "sales1"])
    was = snapshot(system)
    with pytest.raises(InvalidState, match="不能重复执行"):
        disposal.execute(system, staff["am1"], batch, ["clerk1", "sales1"])
    with pytest.raises(InvalidState, match="已执行"):
        disposal.approve(system, staff["lead2"], batch)
    assert snapshot(system) == was


def test_a_rule_lengthened_after_approval_withholds_the_item(system, staff, due):
    docs, _ = due
    batch = approved(system, staff, docs)
    retention.set_rule(system, staff["am1"], doc_type="contract", grade=None, years=None, trigger="document_date")
    result = disposal.execute(system, staff["am1"], batch, ["clerk1", "sales1"])
    assert result.destroyed == () and [w for _, w in result.withheld] == ["保管期限规则变更后尚未到期（永久）"] * 3


# --- the certificate -------------------------------------------------------------------------

def pdf_text(data: bytes) -> str:
    """The PDF's text with the spacing pypdf adds between glyphs taken out."""
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"[\s\x00]+", "", "".join(p.extract_text() for p in reader.pages))


def test_the_certificate_states_the_batch_the_people_every_item_and_the_totals(system, staff, due):
    docs, _ = due
    batch = approved(system, staff, docs, method="shred")
    result = disposal.execute(system, staff["am1"], batch, ["clerk1", "sales1"], place="三楼档案室")
    name, data = disposal.certificate(system, staff["lead1"], batch)

    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)  # A4
    text = pdf_text(data)
    with system.db.read() as s:
        b = s.get(DisposalBatch, batch)
        executed = disposal._local(b.executed_at)
    expected = [
        "档案销毁清册及销毁证明", f"批次号：{result.batch_no}", f"销毁日期：{executed:%Y-%m-%d}",
        "销毁方式：粉碎（纸质）", "销毁地点：三楼档案室", "提出人（档案管理员）：am1",
        "部门负责人审批：head1测试（head1）", "分管领导审批：lead1测试（lead1）",
        "执行人：am1", "监销人：clerk1、sales1",
        "序号件号档号客户名称类别起止日期页数保管期限到期日",
    ]
    for serial, n in enumerate(docs, 1):
        d = doc(system, n)
        dates = ("2011-03-01至2012-02-28" if serial == 2 else d.issue_date.isoformat())
        expected.append(f"{serial}{n}{d.archive.archive_no}{d.archive.name}合同{dates}2"
                        f"5年{retention.add_years(d.issue_date, 5).isoformat()}原件SHA-256：{d.sha256}")
    expected += ["依据的保管期限规则：合同（所有等级）：5年，自文件形成日期起算", "合计：销毁3件，共6页", "未销毁（保留）0件",
                 "电子原件、归档PDF和页面图像已从Dossier存储中删除（删除9个文件；与未销毁文件共用的0个文件保留）",
                 "检索索引中的条目已删除", "备份：", f"{result.batch_no}第1页/共1页"]
    for line in expected:
        assert line in text, line

    # Stored for good in certificates/, its fingerprint in the audit chain.
    assert name == f"{result.batch_no}.pdf"
    assert (system.settings.certificates / name).read_bytes() == data
    digest = hashlib.sha256(data).hexdigest()
    assert digest == result.certificate_sha256
    with system.db.read() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "disposal.certificate_issued"))
        assert json.loads(event.after)["sha256"] == digest
        assert s.scalar(select(DestructionCertificate)).sha256 == digest
        assert audit.verify_chain(s) == []


def test_a_long_batch_runs_over_pages_each_with_its_header(system, staff):
    docs = [file_doc(system, customer=f"客户{i:03d}有限公司", issue=date(2010, 1, 1)) for i in range(60)]
    retention.set_rule(system, staff["am1"], doc_type="contract", grade=None, years=1, trigger="document_date")
    disposal.execute(system, staff["am1"], approved(system, staff, docs), ["clerk1", "sales1"])
    _, data = disposal.certificate(system, staff["am1"], 1)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) > 1
    text = pdf_text(data)
    assert all(n in text for n in docs) and "合计：销毁60件，共120页" in text
    assert all("序号件号档号" in re.sub(r"[\s\x00]+", "", p.extract_text()) for p in reader.pages[:-1])


def test_a_certificate_altered_on_disk_is_refused(system, staff, due):
    batch = approved(system, staff, due[0])
    disposal.execute(system, staff["am1"], batch, ["clerk1", "sales1"])
    name, _ = disposal.certificate(system, staff["am1"], batch)
    path = system.settings.certificates / name
    path.chmod(0o644)
    path.write_bytes(path.read_bytes() + b"%")
    with pytest.raises(DossierError, match="指纹不符"):
        disposal.certificate(system, staff["am1"], batch)


def test_no_certificate_before_execution_and_not_for_staff(system, staff, due):
    batch = approved(system, staff, due[0])
    with pytest.raises(InvalidState, match="尚未执行"):
        disposal.certificate(system, staff["am1"], batch)
    disposal.execute(system, staff["am1"], batch, ["clerk1", "sales1"])
    for who in ("sales1", "clerk1", "admin"):
        with pytest.raises(NotAllowed):
            disposal.certificate(system, staff[who], batch)


def test_a_stop_after_the_commit_is_finished_when_the_certificate_is_asked_for(system, staff, due, monkeypatch):
    docs, _ = due
    batch = approved(system, staff, docs)

    def crash(*_a, **_k):
        raise KeyboardInterrupt("the process stops here")

    real = disposal._finish
    monkeypatch.setattr(disposal, "_finish", crash)
    with pytest.raises(KeyboardInterrupt):
        disposal.execute(system, staff["am1"], batch, ["clerk1", "sales1"])
    monkeypatch.setattr(disposal, "_finish", real)
    assert doc(system, docs[0]).status == "destroyed" and system.store.has(doc(system, docs[0]).sha256)
    with system.db.read() as s:
        report = verify_store(s, system.store)
    assert {p.problem for p in report.problems} == {"not destroyed"} and len(report.problems) == 9  # 3 files each
    assert {report.owners[p.sha256] for p in report.problems} == set(docs)
    disposal.certificate(system, staff["am1"], batch)
    assert not system.store.has(doc(system, docs[0]).sha256) and hits(system) == {due[1]}
    with system.db.read() as s:
        assert verify_store(s, system.store).problems == []


# --- what the other lifecycles see of holds, loans and destroyed records -----------------------

def test_holds_stop_borrowing_archive_edits_merges_and_corrections(system, staff):
    from archive_store import archives, loans, review
    from archive_store.errors import InvalidState as Held

    doc_no = file_doc(system, customer="冻结检查有限公司")
    no = archive_no(system, doc_no)
    other = archive_no(system, file_doc(system, customer="冻结检查有限公司分部"))
    retention.place_hold(system, staff["am1"], no, reason="诉讼进行中")
    with pytest.raises(Held, match="保留"):
        loans.request(system, staff["sales1"], no, kind="paper", reason="核对", days=3)
    with pytest.raises(Held, match="保留"):
        archives.edit(system, staff["am1"], no, {"grade": "A"})
    with pytest.raises(Held, match="保留"):
        archives.merge(system, staff["am1"], other, no)
    with system.db.write() as s:
        s.scalar(select(Document).where(Document.doc_no == doc_no)).status = "pending_review"
    with pytest.raises(Held, match="保留"):
        corrections.correct_field(system, staff["head1"], doc_no, "name", "冻结检查有限责任公司", "对照原件")


def test_an_archive_out_on_loan_is_not_destroyed(system, staff):
    from archive_store import loans

    doc_no = file_doc(system, customer="外借中有限公司", issue=date(2000, 1, 1))
    retention.set_rule(system, staff["am1"], doc_type="contract", grade=None, years=0, trigger="document_date")
    req = loans.request(system, staff["sales1"], archive_no(system, doc_no), kind="paper", reason="核对", days=3)
    loans.approve(system, staff["head1"], req.id)
    loans.approve(system, staff["lead1"], req.id)
    loans.hand_out(system, staff["am1"], req.id)
    with pytest.raises(InvalidState, match="外借"):
        disposal.propose(system, staff["am1"], [doc_no], "shred")


def test_a_destroyed_document_keeps_its_page_but_shows_no_image_and_offers_no_download(system, staff, due):
    from archive_store import viewing

    docs, _ = due
    disposal.execute(system, staff["am1"], approved(system, staff, [docs[0]]), ["clerk1", "sales1"])
    page = viewing.open_document(system, staff["am1"], docs[0])
    assert page.doc.status == "destroyed" and page.pages == [] and not page.can_download
    with pytest.raises(NotFound):
        viewing.page_image(system, staff["am1"], docs[0], 1)
    with pytest.raises(NotFound):
        viewing.download(system, staff["am1"], docs[0], "original")


def test_the_certificate_names_the_backups_that_still_hold_a_destroyed_original(system, staff, due, tmp_path):
    import dataclasses

    from archive_store import backup

    docs, _ = due
    dest = tmp_path / "backups"
    dest.mkdir()
    taken = backup.backup(system, staff["am1"], dest)
    system.settings = dataclasses.replace(system.settings, backup_dest=dest)
    batch = approved(system, staff, docs[:1])
    disposal.execute(system, staff["am1"], batch, ["clerk1", "sales1"])
    text = pdf_text(disposal.certificate(system, staff["lead1"], batch)[1])
    assert taken.backup_id in text and "份备份仍含上列文件" in text
