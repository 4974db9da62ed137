"""Viewing and borrowing, through the verbs: each rule, and each refusal changing nothing."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from archive_store import audit, borrow_log, loans, users, workdays
from archive_store.errors import DossierError, InvalidState, NotAllowed, NotFound
from archive_store.models import Archive, AuditEvent, BorrowRequest, Loan, ViewOpening, utcnow
from tests.lifecycle.helpers import make_archive, make_people

NO = "2025P02001"


@pytest.fixture
def p(system):
    return make_people(system)


@pytest.fixture
def arch(system, p):
    return make_archive(system, NO, owner=p.sales, docs=2)


def events(system) -> int:
    with system.db.read() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent))


def approved_loan(system, p, kind="paper", days=5, who=None):
    req = loans.request(system, who or p.sales, NO, kind=kind, reason="合同续签核对", days=days)
    loans.approve(system, p.dept_head, req.id, comment="同意")
    loans.approve(system, p.leader, req.id, comment="同意")
    return req.id


def on_loan(system, p, kind="paper", days=5):
    rid = approved_loan(system, p, kind, days)
    loans.hand_out(system, p.manager, rid)
    return rid


def set_due(system, rid, due: date, out: date | None = None):
    """Time passing, without waiting for it: move the loan's dates."""
    with system.db.write() as s:
        loan = s.scalar(select(Loan).where(Loan.request_id == rid))
        loan.due_on = due
        if out:
            loan.out_on = out


def refused_and_unchanged(system, call, error=DossierError):
    before = events(system)
    with pytest.raises(error) as exc:
        call()
    assert events(system) == before
    assert str(exc.value)  # a sentence for the person
    return exc.value


# --- working days ----------------------------------------------------------------------------

def test_a_period_skips_weekends():
    monday = date(2026, 3, 2)
    assert workdays.add_working_days(monday, 5) == date(2026, 3, 9)
    assert workdays.add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)  # Friday + 1 → Monday
    assert workdays.add_working_days(date(2026, 3, 7), 1) == date(2026, 3, 9)  # from a Saturday


def test_a_period_skips_listed_holidays_and_counts_make_up_workdays():
    holidays = {date(2026, 10, d) for d in range(1, 9)}
    made_up = {date(2026, 9, 27), date(2026, 10, 10)}  # Sunday and Saturday worked instead
    assert workdays.add_working_days(date(2026, 9, 25), 1, holidays, made_up) == date(2026, 9, 27)
    assert workdays.add_working_days(date(2026, 9, 30), 1, holidays, made_up) == date(2026, 10, 9)
    assert workdays.add_working_days(date(2026, 10, 9), 1, holidays, made_up) == date(2026, 10, 10)
    assert workdays.working_days_between(date(2026, 9, 30), date(2026, 10, 9), holidays, made_up) == 1


def test_the_settings_carry_holidays_and_the_cap(tmp_path):
    from archive_store.errors import SetupError
    from archive_store.settings import load_settings, write_default_settings

    path = write_default_settings(tmp_path)
    text = path.read_text(encoding="utf-8").replace("holidays = []", 'holidays = ["2026-10-01", 2026-10-02]')
    path.write_text(text.replace("max_days = 10", "max_days = 7"), encoding="utf-8")
    s = load_settings(tmp_path)
    assert s.holidays == {date(2026, 10, 1), date(2026, 10, 2)} and s.borrow_max_days == 7
    path.write_text(text.replace('"2026-10-01"', '"2026-13-01"'), encoding="utf-8")
    with pytest.raises(SetupError, match="loans.holidays"):
        load_settings(tmp_path)


def test_the_due_date_counts_working_days_from_the_hand_out(system, p, arch):
    rid = on_loan(system, p, days=3)
    with system.db.read() as s:
        loan = s.scalar(select(Loan).where(Loan.request_id == rid))
    s_ = system.settings
    assert loan.out_on == loans.today()
    assert loan.due_on == workdays.add_working_days(loan.out_on, 3, s_.holidays, s_.extra_workdays)


# --- the whole way, and its history ------------------------------------------------------------

def test_a_paper_loan_goes_through_both_approvals_the_desk_an_extension_and_the_return(system, p, arch):
    req = loans.request(system, p.sales, NO, kind="paper", reason="合同续签核对", days=5)
    assert req.status == loans.PENDING_DEPT and req.department == "销售部"
    assert loans.approve(system, p.dept_head, req.id, comment="同意").status == loans.PENDING_LEADER
    assert loans.approve(system, p.leader, req.id).status == loans.APPROVED
    loan = loans.hand_out(system, p.manager, req.id)
    assert loan.paper_location == "A柜-03盒" and loan.borrower_id == p.sales.id
    loans.confirm_receipt(system, p.sales, req.id)
    ext = loans.request_extension(system, p.sales, req.id, 2)
    assert [r.id for r in loans.inbox(system, p.dept_head)] == [req.id]
    loans.approve(system, p.dept_head, req.id, comment="准予续借")
    s_ = system.settings
    with system.db.read() as s:
        assert s.get(Loan, loan.id).due_on == workdays.add_working_days(loan.due_on, 2, s_.holidays, s_.extra_workdays)
        assert s.get(type(ext), ext.id).status == "approved"
    back = loans.return_loan(system, p.manager, req.id, condition="complete")
    assert back.condition == "complete"
    row = loans.get_request(system, p.sales, req.id)
    assert row.status == loans.RETURNED and row.received
    assert row.approvers == "dept_head1(部门负责人) leader1(分管领导)"
    with system.db.read() as s:
        actions = [e.action for e in s.scalars(select(AuditEvent).where(AuditEvent.object_id == NO)
                                                .order_by(AuditEvent.seq))]
        assert audit.verify_chain(s) == []
    assert actions == ["loan.requested", "loan.approved", "loan.approved", "loan.handed_out", "loan.received",
                       "loan.extension_requested", "loan.extension_approved", "loan.returned"]


def test_refused_and_withdrawn_requests_keep_their_history(system, p, arch):
    a = loans.request(system, p.sales, NO, kind="paper", reason="核对", days=3)
    refused_and_unchanged(system, lambda: loans.refuse(system, p.dept_head, a.id, comment=" "))
    loans.approve(system, p.dept_head, a.id)
    loans.refuse(system, p.leader, a.id, comment="理由不充分")
    b = loans.request(system, p.sales, NO, kind="paper", reason="再核对", days=3)
    refused_and_unchanged(system, lambda: loans.withdraw(system, p.service, b.id), NotAllowed)
    loans.withdraw(system, p.sales, b.id)
    mine = {r.id: r for r in loans.my_requests(system, p.sales)}
    assert mine[a.id].status == loans.REFUSED and mine[b.id].status == loans.WITHDRAWN
    assert mine[a.id].approvers == "dept_head1(部门负责人)"
    refused_and_unchanged(system, lambda: loans.approve(system, p.leader, a.id), InvalidState)
    refused_and_unchanged(system, lambda: loans.withdraw(system, p.sales, b.id), InvalidState)


# --- "Bad input" ---------------------------------------------------------------------------

def test_nobody_approves_their_own_request(system, p, arch):
    make_archive(system, "2025P02002")
    req = loans.request(system, p.dept_head, "2025P02002", kind="view", reason="抽查", days=1)
    e = refused_and_unchanged(system, lambda: loans.approve(system, p.dept_head, req.id), NotAllowed)
    assert "自己" in str(e)
    loans.approve(system, p.dept_head2, req.id)  # another department head may


def test_approving_twice_or_out_of_order_is_refused(system, p, arch):
    req = loans.request(system, p.sales, NO, kind="paper", reason="核对", days=3)
    e = refused_and_unchanged(system, lambda: loans.approve(system, p.leader, req.id), InvalidState)
    assert "须先由部门负责人审核" in str(e)
    loans.approve(system, p.dept_head, req.id)
    refused_and_unchanged(system, lambda: loans.approve(system, p.dept_head, req.id), InvalidState)
    refused_and_unchanged(system, lambda: loans.approve(system, p.dept_head2, req.id), InvalidState)
    loans.approve(system, p.leader, req.id)
    refused_and_unchanged(system, lambda: loans.approve(system, p.leader, req.id), InvalidState)


def test_only_approvers_approve_and_only_the_desk_hands_out_and_takes_back(system, p, arch):
    req = loans.request(system, p.sales, NO, kind="paper", reason="核对", days=3)
    refused_and_unchanged(system, lambda: loans.approve(system, p.service, req.id), NotAllowed)
    refused_and_unchanged(system, lambda: loans.approve(system, p.manager, req.id), NotAllowed)
    refused_and_unchanged(system, lambda: loans.request(system, p.admin, NO, kind="view", reason="x", days=1),
                          NotAllowed)
    loans.approve(system, p.dept_head, req.id)
    loans.approve(system, p.leader, req.id)
    refused_and_unchanged(system, lambda: loans.hand_out(system, p.sales, req.id), NotAllowed)
    loans.hand_out(system, p.manager, req.id)
    refused_and_unchanged(system, lambda: loans.return_loan(system, p.sales, req.id, condition="complete"),
                          NotAllowed)


def test_an_unapproved_loan_is_not_handed_out(system, p, arch):
    req = loans.request(system, p.sales, NO, kind="paper", reason="核对", days=3)
    e = refused_and_unchanged(system, lambda: loans.hand_out(system, p.manager, req.id), InvalidState)
    assert "未经两级审批" in str(e)
    loans.approve(system, p.dept_head, req.id)
    refused_and_unchanged(system, lambda: loans.hand_out(system, p.manager, req.id), InvalidState)
    view = loans.request(system, p.service, NO, kind="view", reason="看看", days=1)
    refused_and_unchanged(system, lambda: loans.approve(system, p.leader, view.id), NotAllowed)
    loans.approve(system, p.dept_head, view.id)
    refused_and_unchanged(system, lambda: loans.hand_out(system, p.manager, view.id), InvalidState)


def test_what_is_not_on_loan_cannot_be_returned(system, p, arch):
    rid = approved_loan(system, p)
    refused_and_unchanged(system, lambda: loans.return_loan(system, p.manager, rid, condition="complete"),
                          InvalidState)
    loans.hand_out(system, p.manager, rid)
    loans.return_loan(system, p.manager, rid, condition="complete")
    e = refused_and_unchanged(system, lambda: loans.return_loan(system, p.manager, rid, condition="complete"),
                              InvalidState)
    assert "没有借出中的档案" in str(e)
    refused_and_unchanged(system, lambda: loans.hand_out(system, p.manager, rid), InvalidState)


def test_a_damaged_or_incomplete_return_needs_a_note(system, p, arch):
    rid = on_loan(system, p)
    refused_and_unchanged(system, lambda: loans.return_loan(system, p.manager, rid, condition="pages_missing"))
    refused_and_unchanged(system, lambda: loans.return_loan(system, p.manager, rid, condition="lost"))
    loans.return_loan(system, p.manager, rid, condition="pages_missing", note="缺第3页")
    row = loans.get_request(system, p.manager, rid)
    assert row.condition == "pages_missing" and row.note == "缺第3页"


def test_an_extension_is_asked_before_the_due_date_only(system, p, arch):
    rid = on_loan(system, p)
    set_due(system, rid, loans.today() - timedelta(days=1))
    e = refused_and_unchanged(system, lambda: loans.request_extension(system, p.sales, rid, 2), InvalidState)
    assert "已过应还日期" in str(e)
    set_due(system, rid, loans.today())  # on the due day itself it may still be asked
    loans.request_extension(system, p.sales, rid, 2)
    refused_and_unchanged(system, lambda: loans.request_extension(system, p.sales, rid, 2), InvalidState)
    refused_and_unchanged(system, lambda: loans.approve(system, p.leader, rid), NotAllowed)
    loans.refuse(system, p.dept_head, rid, comment="请按期归还")
    assert loans.get_request(system, p.sales, rid).due_on == loans.today()


def test_a_loan_is_never_handed_on_to_another_person(system, p, arch):
    rid = on_loan(system, p)
    refused_and_unchanged(system, lambda: loans.confirm_receipt(system, p.service, rid), NotAllowed)
    refused_and_unchanged(system, lambda: loans.request_extension(system, p.service, rid, 1), NotAllowed)
    with system.db.read() as s:
        assert s.scalar(select(Loan).where(Loan.request_id == rid)).borrower_id == p.sales.id
        assert loans.archive_on_loan(s, 1)


def test_the_paper_folder_is_lent_to_one_person_at_a_time(system, p, arch):
    on_loan(system, p)
    second = approved_loan(system, p, who=p.service)
    e = refused_and_unchanged(system, lambda: loans.hand_out(system, p.manager, second), InvalidState)
    assert "sales1" in str(e)


def test_a_destroyed_archive_is_neither_viewed_nor_borrowed(system, p, arch):
    make_archive(system, "2019P02009", status="destroyed")
    e = refused_and_unchanged(system, lambda: loans.request(system, p.sales, "2019P02009", kind="paper",
                                                            reason="核对", days=2), InvalidState)
    assert "已销毁" in str(e)
    rid = approved_loan(system, p)
    with system.db.write() as s:
        s.scalar(select(Archive).where(Archive.archive_no == NO)).status = "destroyed"
    refused_and_unchanged(system, lambda: loans.hand_out(system, p.manager, rid), InvalidState)


def test_a_period_beyond_the_cap_and_an_unknown_archive_are_refused(system, p, arch):
    cap = system.settings.borrow_max_days
    e = refused_and_unchanged(system, lambda: loans.request(system, p.sales, NO, kind="paper", reason="x",
                                                            days=cap + 1))
    assert f"1至{cap}个工作日" in str(e)
    refused_and_unchanged(system, lambda: loans.request(system, p.sales, NO, kind="paper", reason="x", days=0))
    refused_and_unchanged(system, lambda: loans.request(system, p.sales, NO, kind="paper", reason=" ", days=1))
    refused_and_unchanged(system, lambda: loans.request(system, p.sales, NO, kind="copy", reason="x", days=1))
    refused_and_unchanged(system, lambda: loans.request(system, p.sales, "2099X99999", kind="view", reason="x",
                                                        days=1), NotFound)
    refused_and_unchanged(system, lambda: loans.approve(system, p.dept_head, 9999), NotFound)
    rid = on_loan(system, p)
    refused_and_unchanged(system, lambda: loans.request_extension(system, p.sales, rid, cap + 1))


# --- overdue, reminders, electronic loans ---------------------------------------------------

def test_the_overdue_list_and_the_reminders_for_borrower_and_approver(system, p, arch):
    rid = on_loan(system, p)
    assert loans.list_loans(system, p.manager, overdue=True) == []
    set_due(system, rid, loans.today() - timedelta(days=3), out=loans.today() - timedelta(days=10))
    assert [r.id for r in loans.list_loans(system, p.manager, overdue=True)] == [rid]
    assert [r.id for r in loans.desk(system, p.manager).overdue] == [rid]
    assert any(r.urgent and "到期" in r.message for r in loans.reminders(system, p.sales))
    assert any(r.urgent and f"#{rid}" in r.message for r in loans.reminders(system, p.leader))
    assert not any(r.urgent for r in loans.reminders(system, p.service))
    assert any(r.urgent and "逾期未还" in r.message for r in loans.reminders(system, p.manager))
    # As of a day before it fell due, it was out but not overdue.
    earlier = loans.list_loans(system, p.manager, as_of=loans.today() - timedelta(days=4))
    assert [(r.id, r.status) for r in earlier] == [(rid, loans.ON_LOAN)]
    refused_and_unchanged(system, lambda: loans.list_loans(system, p.sales), NotAllowed)


def test_an_electronic_loan_ends_by_itself_at_its_due_date(system, p, arch):
    rid = on_loan(system, p, kind="electronic")
    with system.db.read() as s:
        assert loans.active_electronic_loan(s, p.sales, 1) is not None
        assert loans.active_electronic_loan(s, p.service, 1) is None
    set_due(system, rid, loans.today() - timedelta(days=1))
    with system.db.read() as s:
        assert loans.active_electronic_loan(s, p.sales, 1) is None
        assert loans.open_loan_count(s, p.sales.id) == 0
    assert loans.get_request(system, p.sales, rid).status == loans.ENDED
    assert loans.list_loans(system, p.manager, overdue=True) == []
    refused_and_unchanged(system, lambda: loans.return_loan(system, p.manager, rid, condition="complete"),
                          InvalidState)


# --- views ---------------------------------------------------------------------------------

def test_an_approved_view_opens_for_a_while_is_logged_and_confirmed(system, p, arch):
    req = loans.request(system, p.service, NO, kind="view", reason="核对合同条款", content="第二份合同",
                        days=2, document_no=f"{NO}-002")
    refused_and_unchanged(system, lambda: loans.open_view(system, p.service, req.id), InvalidState)
    loans.approve(system, p.dept_head, req.id, allow_download=False)
    with system.db.read() as s:
        assert loans.active_view(s, p.service, 1) is None  # approved, but not open until opened
    refused_and_unchanged(system, lambda: loans.open_view(system, p.sales, req.id), NotAllowed)
    view = loans.open_view(system, p.service, req.id)
    assert not view.allow_download and view.covers(2) and not view.covers(1)
    assert loans.open_view(system, p.service, req.id).opening_id == view.opening_id  # a reload is not a new opening
    with system.db.read() as s:
        assert loans.active_view(s, p.service, 1).request_id == req.id
        assert loans.active_view(s, p.sales, 1) is None
    refused_and_unchanged(system, lambda: loans.confirm_view(system, p.sales, req.id), NotAllowed)
    assert loans.confirm_view(system, p.service, req.id) == 1
    refused_and_unchanged(system, lambda: loans.confirm_view(system, p.service, req.id), InvalidState)
    with system.db.write() as s:  # the window's time passes
        s.get(ViewOpening, view.opening_id).closes_at = utcnow() - timedelta(seconds=1)
    with system.db.read() as s:
        assert loans.active_view(s, p.service, 1) is None
    again = loans.open_view(system, p.service, req.id)  # a new opening, logged again
    assert again.opening_id != view.opening_id
    with system.db.read() as s:
        opened = s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "view.opened"))
    assert opened == 2


def test_a_view_allows_downloads_only_when_the_approver_says_so_and_expires(system, p, arch):
    req = loans.request(system, p.sales, NO, kind="view", reason="核对", days=1)
    loans.approve(system, p.dept_head, req.id, allow_download=True)
    assert loans.open_view(system, p.sales, req.id).allow_download
    with system.db.write() as s:
        s.get(BorrowRequest, req.id).decided_at = utcnow() - timedelta(days=30)
    e = refused_and_unchanged(system, lambda: loans.open_view(system, p.sales, req.id), InvalidState)
    assert "到期" in str(e)


# --- leaving staff ------------------------------------------------------------------------

def test_a_user_with_an_open_loan_cannot_be_deactivated(system, p, arch):
    rid = on_loan(system, p)
    h = loans.handover(system, p.admin, "sales1")
    assert [r.id for r in h.loans] == [rid] and h.archives == [(NO, "上海华东贸易有限公司")] and not h.clear
    e = refused_and_unchanged(system, lambda: users.deactivate(system, p.admin, "sales1"), InvalidState)
    assert "未归还" in str(e)
    refused_and_unchanged(system, lambda: users.edit_user(system, p.admin, "sales1", role="sales", active=False),
                          InvalidState)
    refused_and_unchanged(system, lambda: loans.handover(system, p.sales, "sales1"), NotAllowed)
    loans.return_loan(system, p.manager, rid, condition="complete")
    assert loans.handover(system, p.admin, "sales1").clear
    users.deactivate(system, p.admin, "sales1")
    with system.db.read() as s:
        assert not users.find_user(s, "sales1").active


# --- the borrow log ------------------------------------------------------------------------

def test_the_borrow_log_filters_and_writes_csv_and_an_a4_pdf(system, p, arch):
    make_archive(system, "2025P02002", name="杭州示例科技有限公司")
    a = on_loan(system, p)
    b = loans.request(system, p.service, "2025P02002", kind="electronic", reason="=HYPERLINK(1)", days=2).id
    loans.refuse(system, p.dept_head, b, comment="不需要")
    rows, total = loans.borrow_log(system, p.manager)
    assert total == 2 and [r.id for r in rows] == [b, a]
    assert [r.id for r in loans.borrow_log(system, p.leader,
                                           loans.LogFilter(person="service1"))[0]] == [b]
    assert [r.id for r in loans.borrow_log(system, p.manager, loans.LogFilter(archive_no=NO))[0]] == [a]
    assert [r.id for r in loans.borrow_log(system, p.manager, loans.LogFilter(status="refused"))[0]] == [b]
    assert loans.borrow_log(system, p.manager, loans.LogFilter(date_to=loans.today() - timedelta(days=1)))[1] == 0
    set_due(system, a, loans.today() - timedelta(days=1))
    assert [r.id for r in loans.borrow_log(system, p.manager, loans.LogFilter(status="overdue"))[0]] == [a]
    refused_and_unchanged(system, lambda: loans.borrow_log(system, p.sales), NotAllowed)
    refused_and_unchanged(system, lambda: loans.borrow_log(system, p.manager, loans.LogFilter(status="lost")))

    rows = loans.borrow_log_export(system, p.manager)
    text = borrow_log.to_csv(rows)
    assert text.startswith("\ufeff编号,") and "上海华东贸易有限公司" in text and "逾期未还" in text
    assert "'=HYPERLINK(1)" in text  # a formula stays text in a spreadsheet
    pdf = borrow_log.to_pdf(rows, scope="全部档案", printed=loans.today())
    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)  # A4 landscape, like the register
    read = page.extract_text().replace("\x00", "")  # pypdf's reading of fpdf2's CID font, as in tests/forms
    assert "借阅登记表" in read and NO in read and "sales1" in read and "第 1 页" in read
