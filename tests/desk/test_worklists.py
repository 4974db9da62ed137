"""The reviewer's queue and the clerk's own list."""
from __future__ import annotations

from datetime import date

import pytest

from archive_store import review, viewing, worklists
from archive_store.matching import CustomerRef
from archive_store.messages import Refused
from tests.web.seed import _file


def _pending(system, tag, *, problems=None, reasons=(), line="P", doc_type="contract", fields=None):
    return _file(system, name=f"wl-{tag}.jpg", doc_type=doc_type, title=f"队列测试{tag}",
                 customer=CustomerRef("enterprise", name=f"队列测试{tag}有限公司"),
                 lines=[("合同编号", tag, "contract_no")], fields=fields or {"contract_no": tag},
                 problems=problems, reasons=reasons, issue=date(2025, 1, 1), line=line, effective=False)


def test_the_queue_filters_by_kind_line_and_reason_and_shows_each_reason_once(world, users):
    system, _ = world
    head = users["dept_head"]
    detail = "合同金额的数字与大写不一致"
    flagged = _pending(system, "F1", problems={"amount": [detail]},
                       reasons=({"code": "field_problem", "params": {"field": "amount", "detail": detail}},))
    plain_s = _pending(system, "S1", line="S")
    rows, _ = worklists.queue(system, head, reason="field_problem")
    [row] = [r for r in rows if r.doc.doc_no == flagged]
    assert len(row.reasons) == 1 and row.open_problems
    assert plain_s not in [r.doc.doc_no for r in rows]
    by_line = [r.doc.doc_no for r in worklists.queue(system, head, line="S")[0]]
    assert plain_s in by_line and flagged not in by_line
    assert flagged not in [r.doc.doc_no for r in worklists.queue(system, head, kind="business_license")[0]]


def test_bulk_approve_takes_only_rows_without_open_problems(world, users):
    system, _ = world
    head = users["dept_head"]
    ok1, ok2 = _pending(system, "B1"), _pending(system, "B2")
    bad = _pending(system, "B3", problems={"amount": ["x"]})
    approved, skipped = worklists.bulk_approve(system, head, [ok1, ok2, bad])
    assert approved == [ok1, ok2] and skipped == [bad]
    with system.db.read() as s:
        assert viewing.load_document(s, ok1).status == "effective"
        assert viewing.load_document(s, bad).status == "pending_review"


def test_approving_an_unresolved_flagged_code_needs_confirmation(world, users):
    system, _ = world
    head = users["dept_head"]
    doc_no = _file(system, name="wl-code.jpg", doc_type="business_license", title="代码存疑",
                   customer=CustomerRef("enterprise", name="代码存疑有限公司"),
                   lines=[("统一社会信用代码", "91310000MA1FL8TK4Y", "uscc")], fields={"uscc": "91310000MA1FL8TK4Y"},
                   problems={"uscc": ["check digit"]}, issue=date(2025, 1, 1), effective=False)
    with pytest.raises(Refused) as refused:
        review.approve(system, head, doc_no)
    assert refused.value.code == "confirm_flagged_code"
    review.approve(system, head, doc_no, confirmed=True)


def test_the_clerk_sees_returned_and_own_pending_work_in_one_list(world, users):
    system, _ = world
    clerk, head = users["clerk"], users["dept_head"]
    returned = _pending(system, "R1")
    review.return_to_clerk(system, head, returned, "缺少附件")
    from archive_store import corrections
    fixed = _pending(system, "C1")
    corrections.correct_field(system, clerk, fixed, "contract_no", "C1-改", "核对")
    other = _pending(system, "O1")
    mine = [d.doc_no for d in worklists.my_work(system, clerk)]
    assert returned in mine and fixed in mine and other not in mine
    assert mine.index(returned) < mine.index(fixed)


def test_staff_do_not_see_internal_review_notes_once_effective(world, users):
    from archive_store import access

    system, data = world
    with system.db.read() as s:
        doc = viewing.load_document(s, data.docs["license"])
    assert not access.review_notes_visible(users["sales"], doc)
    assert access.review_notes_visible(users["clerk"], doc)
