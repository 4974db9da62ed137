"""Viewing (查阅) and borrowing (借阅): requests, approvals, the borrow desk, the borrow log.

POLICY.md "Access": a view needs the department head's approval, is recorded and confirmed
by the viewer, and allows no copying unless granted; a loan needs the department head and
then the responsible leader, is signed for, lasts a capped number of working days, may be
extended only before it ends, may not be passed on, and is inspected when it comes back.

Views and loans are one table (`BorrowRequest`, kind view | paper | electronic) so that one
id names either on the command line and both keep the same approval history. A request
moves through these statuses; nothing is ever deleted:

    pending_dept ─▶ pending_leader ─▶ approved ─▶ on_loan ─▶ returned
         │ (a view is approved by the department head alone)
         └──────────────┴──────────────┴─▶ refused | withdrawn

"overdue" (a paper loan past its due date) and "ended" (an electronic loan past its due
date, which ends by itself) are not stored: they follow from the date, so no job has to
run for them to become true.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from archive_store import access, audit
from archive_store.errors import DossierError, InvalidState, NotAllowed, NotFound
from archive_store.models import (Archive, BorrowApproval, BorrowRequest, Document, Loan, LoanExtension, Role,
                                  User, ViewOpening, utcnow)
from archive_store.settings import Settings
from archive_store.users import find_user
from archive_store.workdays import add_working_days, today, working_days_between

# --- the rules as tables ------------------------------------------------------------------

KINDS = ("view", "paper", "electronic")
BORROW_KINDS = frozenset({"paper", "electronic"})
CONDITIONS = ("complete", "damaged", "pages_missing")

PENDING_DEPT, PENDING_LEADER, APPROVED = "pending_dept", "pending_leader", "approved"
ON_LOAN, RETURNED, REFUSED, WITHDRAWN = "on_loan", "returned", "refused", "withdrawn"
OVERDUE, ENDED = "overdue", "ended"  # computed from the date, never stored
STATUSES = (PENDING_DEPT, PENDING_LEADER, APPROVED, ON_LOAN, OVERDUE, ENDED, RETURNED, REFUSED, WITHDRAWN)
STATUS_LABELS = {PENDING_DEPT: "待部门负责人审核", PENDING_LEADER: "待分管领导审批", APPROVED: "已批准",
                 ON_LOAN: "借出中", OVERDUE: "逾期未还", ENDED: "已到期结束", RETURNED: "已归还",
                 REFUSED: "未批准", WITHDRAWN: "已撤回"}
KIND_LABELS = {"view": "查阅", "paper": "借阅纸质", "electronic": "借阅电子"}
CONDITION_LABELS = {"complete": "完好", "damaged": "损坏", "pages_missing": "缺页"}

# Who asks: everyone whose job is to open customer archives (access.READER_ROLES, less the console).
REQUEST_ROLES = frozenset({Role.sales, Role.service, Role.marketing, Role.clerk, Role.dept_head, Role.leader,
                           Role.archive_manager})
FIRST_APPROVERS = frozenset({Role.dept_head})   # views, the first step of a loan, extensions
SECOND_APPROVERS = frozenset({Role.leader})     # the second step of a loan
APPROVE_ROLES = FIRST_APPROVERS | SECOND_APPROVERS
DESK_ROLES = frozenset({Role.archive_manager})
# The borrow log and the lists of open loans: the desk, the approvers, the auditor, and the
# person at the console (`dossier borrow list|log` take no --as).
LOG_ROLES = frozenset({Role.archive_manager, Role.dept_head, Role.leader, Role.auditor, access.OPERATOR})
HANDOVER_ROLES = frozenset({Role.admin, Role.archive_manager, access.OPERATOR})

# Accounts carry no department; the role is the nearest thing, and is copied onto the
# request when it is made so that the register keeps what was true then.
DEPARTMENTS = {Role.sales: "销售部", Role.service: "客服部", Role.marketing: "市场部", Role.clerk: "档案室",
               Role.archive_manager: "档案室", Role.dept_head: "部门负责人", Role.leader: "公司领导"}
STEP_LABELS = {"dept_head": "部门负责人", "leader": "分管领导"}
# A reminder is shown this many working days before a loan falls due.
REMIND_BEFORE = 2


def _due(settings: Settings, start: date, days: int) -> date:
    return add_working_days(start, days, settings.holidays, settings.extra_workdays)


def _check_days(settings: Settings, days: int) -> None:
    cap = settings.borrow_max_days
    if not isinstance(days, int) or not 1 <= days <= cap:
        raise DossierError(f"期限须为1至{cap}个工作日。")


# --- loading and checking -------------------------------------------------------------------

def _archive(session: Session, archive_no: str) -> Archive:
    archive = session.scalar(select(Archive).where(Archive.archive_no == (archive_no or "").strip()[:64]))
    if archive is None:
        raise NotFound(f"没有档案 {archive_no}。")
    return archive


def _request(session: Session, request_id: int) -> BorrowRequest:
    req = session.get(BorrowRequest, request_id) if isinstance(request_id, int) else None
    if req is None:
        raise NotFound(f"没有申请 #{request_id}。")
    return req


def _loan(session: Session, req: BorrowRequest) -> Loan | None:
    return session.scalar(select(Loan).where(Loan.request_id == req.id))


def _check_borrowable(session: Session, archive: Archive) -> None:
    """The one place that says whether an archive may be viewed, borrowed or handed out.

    A destroyed archive keeps its number and catalogue but has nothing left to lend.
    Legal holds (issue 21) will be checked here as well.
    """
    if archive.status == "destroyed":
        raise InvalidState(f"档案 {archive.archive_no} 已销毁，不能查阅或借阅。")


def status_of(req: BorrowRequest, loan: Loan | None, on: date | None = None) -> str:
    """The status a person sees: the stored one, or overdue/ended once the due date has passed."""
    if req.status == ON_LOAN and loan is not None and loan.returned_at is None and (on or today()) > loan.due_on:
        return ENDED if loan.kind == "electronic" else OVERDUE
    return req.status


def _is_open(loan: Loan, on: date) -> bool:
    """Still with the borrower: paper until it comes back, electronic until its due date."""
    if loan.returned_at is not None:
        return False
    return loan.kind == "paper" or on <= loan.due_on


def _label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def _summary(req: BorrowRequest, archive: Archive) -> dict:
    return {"request": req.id, "kind": req.kind, "archive_no": archive.archive_no, "status": req.status}


# --- requests and approvals -----------------------------------------------------------------

def request(system, actor: User, archive_no: str, *, kind: str, reason: str, days: int, content: str = "",
            document_no: str | None = None) -> BorrowRequest:
    """Ask to view an archive (or one of its documents) or to borrow it on paper or electronically."""
    access.require(actor, REQUEST_ROLES, "您的角色不能申请查阅或借阅档案。")
    if kind not in KINDS:
        raise DossierError(f"未知的申请方式 {kind!r}；可选：view（查阅）、paper（纸质借阅）、electronic（电子借阅）。")
    reason, content = (reason or "").strip(), (content or "").strip()
    if not reason:
        raise DossierError("请填写查阅或借阅的事由。")
    if document_no and kind != "view":
        raise DossierError("借阅以整份档案为单位；只有查阅可以指定单个文件。")
    _check_days(system.settings, days)
    with system.db.write() as s:
        archive = _archive(s, archive_no)
        _check_borrowable(s, archive)
        doc_id = None
        if document_no:
            doc = s.scalar(select(Document).where(Document.doc_no == document_no.strip()))
            if doc is None or doc.archive_id != archive.id:
                raise NotFound(f"档案 {archive.archive_no} 中没有文件 {document_no}。")
            doc_id = doc.id
        open_same = s.scalar(select(BorrowRequest.id).where(
            BorrowRequest.requester_id == actor.id, BorrowRequest.archive_id == archive.id,
            BorrowRequest.kind == kind, BorrowRequest.status.in_((PENDING_DEPT, PENDING_LEADER, APPROVED))))
        if open_same is not None:
            raise InvalidState(f"您对档案 {archive.archive_no} 已有一份未办结的同类申请 #{open_same}。")
        req = BorrowRequest(kind=kind, archive_id=archive.id, document_id=doc_id, requester_id=actor.id,
                            department=DEPARTMENTS.get(actor.role, actor.role), reason=reason[:2000],
                            content=content[:2000], days=days, planned_return=_due(system.settings, today(), days),
                            status=PENDING_DEPT, requested_at=utcnow())
        s.add(req)
        s.flush()
        audit.record(s, actor=actor.username, action="loan.requested", object_type="archive",
                     object_id=archive.archive_no,
                     after={**_summary(req, archive), "reason": req.reason, "days": days,
                            "document": document_no or None, "planned_return": req.planned_return.isoformat()})
        return req


def _pending_extension(session: Session, loan: Loan | None) -> LoanExtension | None:
    if loan is None:
        return None
    return session.scalar(select(LoanExtension).where(LoanExtension.loan_id == loan.id,
                                                      LoanExtension.status == "pending"))


def approve(system, actor: User, request_id: int, *, comment: str = "", allow_download: bool = False) -> BorrowRequest:
    """The next approval a request (or its pending extension) is waiting for.

    `allow_download` is the approver's decision for a view: the originals of what is
    viewed may be downloaded. It means nothing for a loan.
    """
    return _decide(system, actor, request_id, "approved", comment=comment, allow_download=allow_download)


def refuse(system, actor: User, request_id: int, *, comment: str) -> BorrowRequest:
    comment = (comment or "").strip()
    if not comment:
        raise DossierError("不批准时须填写意见。")
    return _decide(system, actor, request_id, "refused", comment=comment)


def _decide(system, actor: User, request_id: int, decision: str, *, comment: str,
            allow_download: bool = False) -> BorrowRequest:
    access.require(actor, APPROVE_ROLES, "只有部门负责人或分管领导可以审批。")
    comment = (comment or "").strip()[:2000]
    with system.db.write() as s:
        req = _request(s, request_id)
        archive = s.get(Archive, req.archive_id)
        if req.requester_id == actor.id:
            raise NotAllowed("不能审批自己的申请。")
        if req.status in (PENDING_DEPT, PENDING_LEADER):
            step = "dept_head" if req.status == PENDING_DEPT else "leader"
            if req.kind == "view" and actor.role not in FIRST_APPROVERS:
                raise NotAllowed("查阅申请由部门负责人审批。")
            if actor.role != step:
                if step == "leader":
                    raise InvalidState(f"申请 #{req.id} 部门负责人已审核，等待分管领导审批。")
                raise InvalidState(f"申请 #{req.id} 须先由部门负责人审核，再由分管领导审批。")
            if decision == "approved":
                _check_borrowable(s, archive)
            before = req.status
            s.add(BorrowApproval(request_id=req.id, step=step, decision=decision, actor=actor.username,
                                 comment=comment, at=utcnow()))
            if decision == "refused":
                req.status = REFUSED
            elif req.kind == "view":
                req.status, req.allow_download = APPROVED, bool(allow_download)
            else:
                req.status = PENDING_LEADER if step == "dept_head" else APPROVED
            if req.status in (APPROVED, REFUSED):
                req.decided_at = utcnow()
            audit.record(s, actor=actor.username, action=f"loan.{decision}", object_type="archive",
                         object_id=archive.archive_no, before={"request": req.id, "status": before},
                         after={**_summary(req, archive), "step": step, "comment": comment,
                                **({"allow_download": req.allow_download} if req.kind == "view" else {})})
            return req
        ext = _pending_extension(s, _loan(s, req))
        if ext is None:
            raise InvalidState(f"申请 #{req.id} 当前为“{_label(status_of(req, _loan(s, req)))}”，没有待审批的事项。")
        if actor.role not in FIRST_APPROVERS:
            raise NotAllowed("续借由部门负责人审批。")
        loan = s.get(Loan, ext.loan_id)
        ext.status, ext.decided_by, ext.decided_at = decision, actor.username, utcnow()
        if decision == "approved":
            ext.new_due = _due(system.settings, loan.due_on, ext.days)
            loan.due_on = ext.new_due
        s.add(BorrowApproval(request_id=req.id, extension_id=ext.id, step="dept_head", decision=decision,
                             actor=actor.username, comment=comment, at=utcnow()))
        audit.record(s, actor=actor.username, action=f"loan.extension_{decision}", object_type="archive",
                     object_id=archive.archive_no, before={"request": req.id, "due_on": ext.old_due.isoformat()},
                     after={"request": req.id, "days": ext.days, "due_on": loan.due_on.isoformat(),
                            "comment": comment})
        return req


def withdraw(system, actor: User, request_id: int) -> BorrowRequest:
    """The requester takes back a request that has not been handed out; its history stays."""
    access.require(actor, REQUEST_ROLES, "您的角色不能申请查阅或借阅档案。")
    with system.db.write() as s:
        req = _request(s, request_id)
        if req.requester_id != actor.id:
            raise NotAllowed("只有申请人本人可以撤回申请。")
        if req.status not in (PENDING_DEPT, PENDING_LEADER, APPROVED):
            raise InvalidState(f"申请 #{req.id} 当前为“{_label(req.status)}”，不能撤回。")
        before, req.status = req.status, WITHDRAWN
        archive = s.get(Archive, req.archive_id)
        audit.record(s, actor=actor.username, action="loan.withdrawn", object_type="archive",
                     object_id=archive.archive_no, before={"request": req.id, "status": before},
                     after=_summary(req, archive))
        return req


# --- the borrow desk ---------------------------------------------------------------------

def hand_out(system, actor: User, request_id: int) -> Loan:
    """Register an approved loan as handed out; the due date counts from today.

    The loan always goes to the person who asked: nothing here names a borrower, so a
    loan cannot be handed to someone else.
    """
    access.require(actor, DESK_ROLES, "只有档案管理员办理借出。")
    with system.db.write() as s:
        req = _request(s, request_id)
        archive = s.get(Archive, req.archive_id)
        if req.kind not in BORROW_KINDS:
            raise InvalidState(f"申请 #{req.id} 是查阅申请，无需借出。")
        if req.status != APPROVED:
            if req.status == ON_LOAN:
                raise InvalidState(f"申请 #{req.id} 已借出。")
            raise InvalidState(f"申请 #{req.id} 当前为“{_label(req.status)}”，未经两级审批不能借出。")
        _check_borrowable(s, archive)
        borrower = s.get(User, req.requester_id)
        if not borrower.active:
            raise InvalidState(f"借阅人 {borrower.username} 的账户已停用，不能借出。")
        if req.kind == "paper":
            holder = s.scalar(select(User.username).join(Loan, Loan.borrower_id == User.id).where(
                Loan.archive_id == archive.id, Loan.kind == "paper", Loan.returned_at.is_(None)))
            if holder is not None:
                raise InvalidState(f"档案 {archive.archive_no} 的纸质档案已借给 {holder}，归还后才能再借出。")
        out_on = today()
        loan = Loan(request_id=req.id, borrower_id=borrower.id, archive_id=archive.id, kind=req.kind,
                    paper_location=archive.paper_location if req.kind == "paper" else None,
                    handed_out_at=utcnow(), handed_out_by=actor.username, out_on=out_on,
                    due_on=_due(system.settings, out_on, req.days))
        s.add(loan)
        req.status = ON_LOAN
        s.flush()
        audit.record(s, actor=actor.username, action="loan.handed_out", object_type="archive",
                     object_id=archive.archive_no, before={"request": req.id, "status": APPROVED},
                     after={**_summary(req, archive), "borrower": borrower.username, "due_on": loan.due_on.isoformat(),
                            "paper_location": loan.paper_location})
        return loan


def confirm_receipt(system, actor: User, request_id: int) -> Loan:
    """The borrower signs for what was handed out."""
    access.require(actor, REQUEST_ROLES, "您的角色不能借阅档案。")
    with system.db.write() as s:
        req = _request(s, request_id)
        loan = _loan(s, req)
        if loan is None:
            raise InvalidState(f"申请 #{req.id} 尚未借出。")
        if loan.borrower_id != actor.id:
            raise NotAllowed("只有借阅人本人可以签收；借出的档案不得转交他人。")
        if loan.received_at is not None:
            raise InvalidState(f"申请 #{req.id} 已签收。")
        loan.received_at = utcnow()
        archive = s.get(Archive, req.archive_id)
        audit.record(s, actor=actor.username, action="loan.received", object_type="archive",
                     object_id=archive.archive_no, after={"request": req.id})
        return loan


def request_extension(system, actor: User, request_id: int, days: int) -> LoanExtension:
    """The borrower asks for more working days, before the due date has passed."""
    access.require(actor, REQUEST_ROLES, "您的角色不能借阅档案。")
    _check_days(system.settings, days)
    with system.db.write() as s:
        req = _request(s, request_id)
        loan = _loan(s, req)
        if loan is None or loan.returned_at is not None:
            raise InvalidState(f"申请 #{req.id} 没有借出中的档案，不能续借。")
        if loan.borrower_id != actor.id:
            raise NotAllowed("只有借阅人本人可以申请续借。")
        if today() > loan.due_on:
            raise InvalidState(f"已过应还日期（{loan.due_on.isoformat()}），不能再续借；请先归还。")
        if _pending_extension(s, loan) is not None:
            raise InvalidState(f"申请 #{req.id} 已有一份待审批的续借。")
        ext = LoanExtension(loan_id=loan.id, days=days, old_due=loan.due_on, status="pending", asked_at=utcnow())
        s.add(ext)
        s.flush()
        archive = s.get(Archive, req.archive_id)
        audit.record(s, actor=actor.username, action="loan.extension_requested", object_type="archive",
                     object_id=archive.archive_no,
                     after={"request": req.id, "extension": ext.id, "days": days, "due_on": loan.due_on.isoformat()})
        return ext


def return_loan(system, actor: User, request_id: int, *, condition: str, note: str = "") -> Loan:
    """Take a loan back and record the inspection: complete, damaged or pages missing."""
    access.require(actor, DESK_ROLES, "只有档案管理员办理归还。")
    if condition not in CONDITIONS:
        raise DossierError("归还情况须为 complete（完好）、damaged（损坏）或 pages_missing（缺页）。")
    note = (note or "").strip()[:2000]
    if condition != "complete" and not note:
        raise DossierError("档案损坏或缺页时须填写说明。")
    with system.db.write() as s:
        req = _request(s, request_id)
        loan = _loan(s, req)
        if loan is None or loan.returned_at is not None:
            raise InvalidState(f"申请 #{req.id} 没有借出中的档案，不能归还。")
        if not _is_open(loan, today()):
            raise InvalidState(f"申请 #{req.id} 的电子借阅已于 {loan.due_on.isoformat()} 到期自动结束。")
        loan.returned_at, loan.returned_on = utcnow(), today()
        loan.received_back_by, loan.condition, loan.return_note = actor.username, condition, note
        req.status = RETURNED
        ext = _pending_extension(s, loan)
        if ext is not None:  # nothing left to extend
            ext.status, ext.decided_by, ext.decided_at = "withdrawn", actor.username, utcnow()
        archive = s.get(Archive, req.archive_id)
        audit.record(s, actor=actor.username, action="loan.returned", object_type="archive",
                     object_id=archive.archive_no, before={"request": req.id, "status": ON_LOAN},
                     after={**_summary(req, archive), "condition": condition, "note": note,
                            "late": loan.returned_on > loan.due_on})
        return loan


# --- views ---------------------------------------------------------------------------------

def view_until(settings: Settings, req: BorrowRequest) -> date | None:
    """The last day an approved view may be opened: its working days count from the approval."""
    if req.decided_at is None:
        return None
    return _due(settings, (req.decided_at + timedelta(hours=8)).date(), req.days)


@dataclass(frozen=True)
class ActiveView:
    request_id: int
    opening_id: int
    archive_id: int
    document_id: int | None   # None: the whole archive
    allow_download: bool
    closes_at: datetime

    def covers(self, document_id: int) -> bool:
        return self.document_id is None or self.document_id == document_id


def open_view(system, actor: User, request_id: int) -> ActiveView:
    """Open an approved view for `settings.view_minutes`; every opening is a row and an event.

    Opening again while a window is still open returns that window, so a reload is not a
    second opening.
    """
    access.require(actor, REQUEST_ROLES, "您的角色不能查阅档案。")
    with system.db.write() as s:
        req = _request(s, request_id)
        if req.kind != "view":
            raise InvalidState(f"申请 #{req.id} 不是查阅申请。")
        if req.requester_id != actor.id:
            raise NotAllowed("查阅只限申请人本人。")
        if req.status != APPROVED:
            raise InvalidState(f"申请 #{req.id} 当前为“{_label(req.status)}”，不能查阅。")
        until = view_until(system.settings, req)
        if today() > until:
            raise InvalidState(f"查阅申请 #{req.id} 已于 {until.isoformat()} 到期。")
        archive = s.get(Archive, req.archive_id)
        _check_borrowable(s, archive)
        now = utcnow()
        opening = s.scalar(select(ViewOpening).where(ViewOpening.request_id == req.id, ViewOpening.closes_at > now)
                           .order_by(ViewOpening.id.desc()))
        if opening is None:
            opening = ViewOpening(request_id=req.id, user_id=actor.id, opened_at=now,
                                  closes_at=now + timedelta(minutes=system.settings.view_minutes))
            s.add(opening)
            s.flush()
            doc_no = s.scalar(select(Document.doc_no).where(Document.id == req.document_id)) if req.document_id else None
            audit.record(s, actor=actor.username, action="view.opened", object_type="archive",
                         object_id=archive.archive_no,
                         after={"request": req.id, "opening": opening.id, "document": doc_no, "content": req.content,
                                "closes_at": opening.closes_at.isoformat(timespec="seconds")})
        return ActiveView(req.id, opening.id, req.archive_id, req.document_id, req.allow_download, opening.closes_at)


def confirm_view(system, actor: User, request_id: int) -> int:
    """The viewer confirms (签字确认) the openings of their view; returns how many were confirmed."""
    access.require(actor, REQUEST_ROLES, "您的角色不能查阅档案。")
    with system.db.write() as s:
        req = _request(s, request_id)
        if req.requester_id != actor.id:
            raise NotAllowed("只有查阅人本人可以确认。")
        openings = list(s.scalars(select(ViewOpening).where(ViewOpening.request_id == req.id,
                                                            ViewOpening.confirmed_at.is_(None))))
        if not openings:
            raise InvalidState(f"查阅申请 #{req.id} 没有待确认的查阅记录。")
        now = utcnow()
        for o in openings:
            o.confirmed_at = now
        archive = s.get(Archive, req.archive_id)
        audit.record(s, actor=actor.username, action="view.confirmed", object_type="archive",
                     object_id=archive.archive_no, after={"request": req.id, "openings": [o.id for o in openings]})
        return len(openings)


def active_view(session: Session, user: User, archive_id: int) -> ActiveView | None:
    """The view `user` has open on this archive right now, if any.

    For the document pages: a view lets its holder open the archive's documents (or the
    one it names) while its window is open, and download them only if `allow_download`.
    Core-secret fields still need a leader's grant (archive_store.grants): a view never
    widens the field groups a role sees.
    """
    row = session.execute(
        select(ViewOpening, BorrowRequest).join(BorrowRequest, BorrowRequest.id == ViewOpening.request_id)
        .join(Archive, Archive.id == BorrowRequest.archive_id)
        .where(ViewOpening.user_id == user.id, BorrowRequest.requester_id == user.id,
               BorrowRequest.archive_id == archive_id, BorrowRequest.kind == "view",
               BorrowRequest.status == APPROVED, ViewOpening.closes_at > utcnow(), Archive.status != "destroyed")
        .order_by(ViewOpening.closes_at.desc())).first()
    if row is None:
        return None
    opening, req = row
    return ActiveView(req.id, opening.id, req.archive_id, req.document_id, req.allow_download, opening.closes_at)


def active_electronic_loan(session: Session, user: User, archive_id: int) -> Loan | None:
    """The electronic loan `user` holds on this archive today; none once its due date has passed."""
    return session.scalar(
        select(Loan).join(Archive, Archive.id == Loan.archive_id)
        .where(Loan.borrower_id == user.id, Loan.archive_id == archive_id, Loan.kind == "electronic",
               Loan.returned_at.is_(None), Loan.due_on >= today(), Archive.status != "destroyed"))


# --- what people see: their requests, the inbox, the desk, reminders ------------------------

@dataclass(frozen=True)
class RequestRow:
    id: int
    kind: str
    archive_no: str
    archive_name: str
    document_no: str | None
    requester: str
    department: str
    reason: str
    content: str
    days: int
    requested_at: datetime
    planned_return: date
    status: str                     # as a person sees it (overdue/ended computed)
    allow_download: bool
    paper_location: str | None      # the archive's, for the desk
    out_on: date | None
    due_on: date | None
    received: bool
    returned_on: date | None
    condition: str | None
    note: str | None
    approvers: str                  # "wang(部门负责人) li(分管领导)"
    pending_extension_days: int | None
    view_until: date | None
    view_open_until: datetime | None
    unconfirmed_openings: int


def _rows(system, session: Session, query: Select, on: date | None = None) -> list[RequestRow]:
    on = on or today()
    rows = session.execute(query).all()
    ids = [r[0].id for r in rows]
    approvers: dict[int, list[str]] = {}
    ext_days: dict[int, int] = {}
    openings: dict[int, tuple[datetime | None, int]] = {}
    doc_nos: dict[int, str] = {}
    for chunk in (ids[i:i + 900] for i in range(0, len(ids), 900)):  # SQLite's bound-parameter limit
        for a in session.scalars(select(BorrowApproval).where(BorrowApproval.request_id.in_(chunk),
                                                              BorrowApproval.extension_id.is_(None),
                                                              BorrowApproval.decision == "approved")
                                 .order_by(BorrowApproval.id)):
            approvers.setdefault(a.request_id, []).append(f"{a.actor}({STEP_LABELS.get(a.step, a.step)})")
        for rid, d in session.execute(select(Loan.request_id, LoanExtension.days).join(
                LoanExtension, LoanExtension.loan_id == Loan.id).where(Loan.request_id.in_(chunk),
                                                                        LoanExtension.status == "pending")):
            ext_days[rid] = d
        now = utcnow()
        for o in session.scalars(select(ViewOpening).where(ViewOpening.request_id.in_(chunk))):
            until, n = openings.get(o.request_id, (None, 0))
            if o.closes_at > now and (until is None or o.closes_at > until):
                until = o.closes_at
            openings[o.request_id] = (until, n + (o.confirmed_at is None))
    doc_ids = {r[0].document_id for r in rows if r[0].document_id}
    if doc_ids:
        doc_nos = dict(session.execute(select(Document.id, Document.doc_no).where(Document.id.in_(doc_ids))).all())
    out = []
    for req, loan, archive, username in rows:
        open_until, unconfirmed = openings.get(req.id, (None, 0))
        out.append(RequestRow(
            id=req.id, kind=req.kind, archive_no=archive.archive_no, archive_name=archive.name or "",
            document_no=doc_nos.get(req.document_id), requester=username, department=req.department,
            reason=req.reason, content=req.content, days=req.days, requested_at=req.requested_at,
            planned_return=req.planned_return, status=status_of(req, loan, on), allow_download=req.allow_download,
            paper_location=(loan.paper_location if loan else archive.paper_location) if req.kind == "paper" else None,
            out_on=loan.out_on if loan else None, due_on=loan.due_on if loan else None,
            received=bool(loan and loan.received_at), returned_on=loan.returned_on if loan else None,
            condition=loan.condition if loan else None, note=loan.return_note if loan else None,
            approvers=" ".join(approvers.get(req.id, [])), pending_extension_days=ext_days.get(req.id),
            view_until=view_until(system.settings, req) if req.kind == "view" else None,
            view_open_until=open_until, unconfirmed_openings=unconfirmed))
    return out


def _base() -> Select:
    return (select(BorrowRequest, Loan, Archive, User.username)
            .join(Archive, Archive.id == BorrowRequest.archive_id)
            .join(User, User.id == BorrowRequest.requester_id)
            .outerjoin(Loan, Loan.request_id == BorrowRequest.id))


def get_request(system, actor: User, request_id: int) -> RequestRow:
    """One request, for its requester, the approvers, the desk and the auditor."""
    with system.db.read() as s:
        req = _request(s, request_id)
        if req.requester_id != actor.id:
            access.require(actor, LOG_ROLES, "您无权查看他人的申请。")
        return _rows(system, s, _base().where(BorrowRequest.id == req.id))[0]


def my_requests(system, actor: User) -> list[RequestRow]:
    access.require(actor, REQUEST_ROLES, "您的角色不能申请查阅或借阅档案。")
    with system.db.read() as s:
        return _rows(system, s, _base().where(BorrowRequest.requester_id == actor.id)
                     .order_by(BorrowRequest.id.desc()).limit(500))


def inbox(system, actor: User) -> list[RequestRow]:
    """What waits for this approver: requests at their step, and (department heads) extensions."""
    access.require(actor, APPROVE_ROLES, "只有部门负责人或分管领导可以审批。")
    with system.db.read() as s:
        waiting = [PENDING_DEPT] if actor.role in FIRST_APPROVERS else [PENDING_LEADER]
        cond = BorrowRequest.status.in_(waiting)
        if actor.role in FIRST_APPROVERS:
            ext = select(Loan.request_id).join(LoanExtension, LoanExtension.loan_id == Loan.id).where(
                LoanExtension.status == "pending")
            cond = or_(cond, BorrowRequest.id.in_(ext))
        return _rows(system, s, _base().where(cond, BorrowRequest.requester_id != actor.id)
                     .order_by(BorrowRequest.id))


@dataclass(frozen=True)
class Desk:
    to_hand_out: list[RequestRow]
    on_loan: list[RequestRow]
    overdue: list[RequestRow]
    more: bool  # a list was cut at DESK_ROWS; the borrow log has the rest


# Each of the desk's lists shows at most this many, the most urgent first: a page of
# thousands helps nobody at a counter, and the borrow log filters the rest.
DESK_ROWS = 200


def desk(system, actor: User) -> Desk:
    access.require(actor, DESK_ROLES, "只有档案管理员使用借阅台。")
    on = today()
    with system.db.read() as s:
        waiting = _rows(system, s, _base().where(BorrowRequest.status == APPROVED, BorrowRequest.kind.in_(BORROW_KINDS))
                        .order_by(BorrowRequest.id).limit(DESK_ROWS), on)
        late = _rows(system, s, _base().where(BorrowRequest.status == ON_LOAN, Loan.kind == "paper", Loan.due_on < on)
                     .order_by(Loan.due_on).limit(DESK_ROWS), on)
        out = _rows(system, s, _base().where(BorrowRequest.status == ON_LOAN, Loan.due_on >= on)
                    .order_by(Loan.due_on).limit(DESK_ROWS), on)
    return Desk(waiting, out, late, more=DESK_ROWS in (len(waiting), len(late), len(out)))


def list_loans(system, actor: User, *, overdue: bool = False, as_of: date | None = None) -> list[RequestRow]:
    """Loans still out on `as_of` (default today): paper ones not back, electronic ones not ended."""
    access.require(actor, LOG_ROLES, "您无权查看借阅清单。")
    on = as_of or today()
    with system.db.read() as s:
        q = _base().where(Loan.id.is_not(None), Loan.out_on <= on,
                          or_(Loan.returned_on.is_(None), Loan.returned_on > on))
        if overdue:
            q = q.where(Loan.kind == "paper", Loan.due_on < on)
        else:
            q = q.where(or_(Loan.kind == "paper", Loan.due_on >= on))
        rows = _rows(system, s, q.order_by(Loan.due_on, BorrowRequest.id), on)
    if as_of is not None:  # the status as it was on that day, not as it is now
        rows = [r if r.returned_on is None else replace(r, status=OVERDUE if r.due_on < on else ON_LOAN)
                for r in rows]
    return rows


@dataclass(frozen=True)
class Reminder:
    request_id: int
    archive_no: str
    message: str
    urgent: bool


def reminders(system, user: User) -> list[Reminder]:
    """For the home page: the borrower's loans falling due or overdue, views waiting to be
    confirmed, and for approvers what waits for them and the overdue loans they approved."""
    if user is None or user.role not in REQUEST_ROLES:
        return []
    on = today()
    s_ = system.settings
    out: list[Reminder] = []
    with system.db.read() as s:
        mine = _rows(system, s, _base().where(BorrowRequest.requester_id == user.id,
                                              BorrowRequest.status.in_((ON_LOAN, APPROVED))))
        for r in mine:
            if r.status == OVERDUE:
                out.append(Reminder(r.id, r.archive_no, f"借阅的档案 {r.archive_no} 已于 {r.due_on.isoformat()} 到期，请尽快归还。", True))
            elif r.status == ON_LOAN and working_days_between(on, r.due_on, s_.holidays, s_.extra_workdays) <= REMIND_BEFORE:
                out.append(Reminder(r.id, r.archive_no, f"借阅的档案 {r.archive_no} 将于 {r.due_on.isoformat()} 到期。", False))
            if r.unconfirmed_openings:
                out.append(Reminder(r.id, r.archive_no, f"请确认对档案 {r.archive_no} 的查阅记录。", False))
            if r.status == ON_LOAN and not r.received:
                out.append(Reminder(r.id, r.archive_no, f"请签收借出的档案 {r.archive_no}。", False))
        if user.role in DESK_ROLES:
            late = s.scalar(select(func.count()).select_from(Loan).where(
                Loan.kind == "paper", Loan.returned_at.is_(None), Loan.due_on < on))
            if late:
                out.append(Reminder(0, "", f"有 {late} 份纸质借阅逾期未还。", True))
        if user.role in APPROVE_ROLES:
            n = len(inbox(system, user))
            if n:
                out.append(Reminder(0, "", f"有 {n} 份查阅、借阅或续借申请等待您审批。", False))
            approved_by_me = select(BorrowApproval.request_id).where(BorrowApproval.actor == user.username,
                                                                     BorrowApproval.decision == "approved")
            for r in _rows(system, s, _base().where(BorrowRequest.status == ON_LOAN, Loan.kind == "paper",
                                                    Loan.due_on < on, BorrowRequest.id.in_(approved_by_me))):
                out.append(Reminder(r.id, r.archive_no, f"您批准的借阅 #{r.id}（{r.requester}，档案 {r.archive_no}）"
                                                         f"已于 {r.due_on.isoformat()} 到期未还。", True))
    return out


def archive_loan_status(system, archive_no: str) -> RequestRow | None:
    """Who holds this archive's paper folder and until when (shown on the archive page)."""
    with system.db.read() as s:
        rows = _rows(system, s, _base().where(Archive.archive_no == archive_no, BorrowRequest.status == ON_LOAN,
                                              Loan.kind == "paper"))
    return rows[0] if rows else None


# --- the borrow log (借阅登记表) ----------------------------------------------------------

@dataclass(frozen=True)
class LogFilter:
    date_from: date | None = None    # requested on or after
    date_to: date | None = None      # requested on or before
    person: str | None = None        # the requester's username
    archive_no: str | None = None
    status: str | None = None        # one of STATUSES
    kind: str | None = None


def _log_query(f: LogFilter, on: date) -> Select:
    q = _base()
    # Dates are the requester's (China) calendar; requested_at is stored in UTC.
    if f.date_from:
        q = q.where(BorrowRequest.requested_at >= datetime.combine(f.date_from, datetime.min.time()) - timedelta(hours=8))
    if f.date_to:
        q = q.where(BorrowRequest.requested_at < datetime.combine(f.date_to + timedelta(days=1), datetime.min.time())
                    - timedelta(hours=8))
    if f.person:
        q = q.where(User.username == f.person.strip())
    if f.archive_no:
        q = q.where(Archive.archive_no == f.archive_no.strip())
    if f.kind:
        q = q.where(BorrowRequest.kind == f.kind)
    if f.status == OVERDUE:
        q = q.where(BorrowRequest.status == ON_LOAN, Loan.kind == "paper", Loan.due_on < on)
    elif f.status == ENDED:
        q = q.where(BorrowRequest.status == ON_LOAN, Loan.kind == "electronic", Loan.due_on < on)
    elif f.status == ON_LOAN:
        q = q.where(BorrowRequest.status == ON_LOAN, Loan.due_on >= on)
    elif f.status:
        q = q.where(BorrowRequest.status == f.status)
    return q


def _check_filter(f: LogFilter) -> None:
    if f.status and f.status not in STATUSES:
        raise DossierError(f"未知状态 {f.status!r}。")
    if f.kind and f.kind not in KINDS:
        raise DossierError(f"未知的申请方式 {f.kind!r}。")


def borrow_log(system, actor: User, f: LogFilter = LogFilter(), *, page: int = 1,
               size: int = 50) -> tuple[list[RequestRow], int]:
    """One page of the register, newest first, and how many rows match in all."""
    access.require(actor, LOG_ROLES, "您无权查看借阅登记表。")
    _check_filter(f)
    on = today()
    with system.db.read() as s:
        if f.archive_no:
            _archive(s, f.archive_no)
        q = _log_query(f, on)
        total = s.scalar(select(func.count()).select_from(q.with_only_columns(BorrowRequest.id).subquery()))
        rows = _rows(system, s, q.order_by(BorrowRequest.id.desc()).offset((max(page, 1) - 1) * size).limit(size), on)
    return rows, total


def borrow_log_export(system, actor: User, f: LogFilter = LogFilter()) -> list[RequestRow]:
    """Every matching row, oldest first as the paper register runs; the export is an audit event."""
    access.require(actor, LOG_ROLES, "您无权导出借阅登记表。")
    _check_filter(f)
    with system.db.write() as s:
        if f.archive_no:
            _archive(s, f.archive_no)
        audit.record(s, actor=actor.username, action="loan.log_exported", object_type="borrow_log",
                     object_id=f.archive_no or "all",
                     after={k: str(v) for k, v in f.__dict__.items() if v})
    with system.db.read() as s:
        return _rows(system, s, _log_query(f, today()).order_by(BorrowRequest.id))


# --- leaving staff (离职交接) ------------------------------------------------------------

@dataclass(frozen=True)
class Handover:
    username: str
    active: bool
    loans: list[RequestRow]        # still with them
    requests: list[RequestRow]     # not yet decided or not yet handed out
    archives: list[tuple[str, str]]  # (archive_no, name) they own

    @property
    def clear(self) -> bool:
        return not self.loans


def archive_on_loan(session: Session, archive_id: int) -> bool:
    """Whether any loan of this archive is still out: for disposal, which must not destroy
    what a borrower holds."""
    return session.scalar(select(func.count()).select_from(Loan).where(
        Loan.archive_id == archive_id, Loan.returned_at.is_(None),
        or_(Loan.kind == "paper", Loan.due_on >= today()))) > 0


def open_loan_count(session: Session, user_id: int) -> int:
    """Loans a user still holds: paper not back, electronic not yet ended."""
    return session.scalar(select(func.count()).select_from(Loan).where(
        Loan.borrower_id == user_id, Loan.returned_at.is_(None),
        or_(Loan.kind == "paper", Loan.due_on >= today())))


def handover(system, actor: User, username: str) -> Handover:
    """What a leaving user must hand back or pass on before their account is closed."""
    access.require(actor, HANDOVER_ROLES, "只有管理员或档案管理员可以查看交接清单。")
    on = today()
    with system.db.read() as s:
        user = find_user(s, username)
        rows = _rows(system, s, _base().where(BorrowRequest.requester_id == user.id,
                                              BorrowRequest.status.in_((PENDING_DEPT, PENDING_LEADER, APPROVED,
                                                                        ON_LOAN)))
                     .order_by(BorrowRequest.id), on)
        owned = s.execute(select(Archive.archive_no, Archive.name).where(Archive.owner_id == user.id,
                                                                         Archive.status != "destroyed")
                          .order_by(Archive.archive_no)).all()
    loans = [r for r in rows if r.status in (ON_LOAN, OVERDUE)]
    pending = [r for r in rows if r.status in (PENDING_DEPT, PENDING_LEADER, APPROVED)]
    return Handover(user.username, user.active, loans, pending, [(no, name or "") for no, name in owned])
