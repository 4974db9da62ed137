"""Viewing and borrowing in the portal: requests, my requests, the approvals inbox, the
borrow desk, the borrow log with its CSV and PDF, and the hand-over list.

Each view reads the form, calls one verb of archive_store.loans and renders; the verbs
check who may do what, so no view checks a role.
"""
from __future__ import annotations


from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from archive_store import borrow_log, loans
from web.auth import system
from web.forms import ActionForm, GetForm, choices

bp = Blueprint("loans", __name__, url_prefix="/loans")

KIND_CHOICES = choices([("view", _l("查阅")), ("paper", _l("借阅纸质档案")), ("electronic", _l("借阅电子档案"))])
CONDITION_CHOICES = choices([("complete", _l("完好")), ("damaged", _l("损坏")), ("pages_missing", _l("缺页"))])
LOG_STATUS_CHOICES = choices([("", _l("全部")), ("pending_dept", _l("待部门负责人审核")),
                              ("pending_leader", _l("待分管领导审批")), ("approved", _l("已批准")),
                              ("on_loan", _l("借出中")), ("overdue", _l("逾期未还")), ("ended", _l("已到期结束")),
                              ("returned", _l("已归还")), ("refused", _l("未批准")), ("withdrawn", _l("已撤回"))])
PAGE_SIZE = 50


class RequestForm(FlaskForm):
    kind = SelectField(_l("方式"), choices=KIND_CHOICES, validators=[DataRequired()])
    reason = TextAreaField(_l("事由"), validators=[DataRequired(), Length(max=2000)])
    content = StringField(_l("查阅内容"), validators=[Optional(), Length(max=2000)])
    document_no = StringField(_l("文件编号（仅查阅，可不填）"), validators=[Optional(), Length(max=80)])
    days = IntegerField(_l("期限（工作日）"), default=5, validators=[DataRequired(), NumberRange(min=1, max=250)])


class DecisionForm(FlaskForm):
    comment = StringField(_l("意见"), validators=[Optional(), Length(max=2000)])
    allow_download = BooleanField(_l("允许下载原件"))


class ExtendForm(FlaskForm):
    days = IntegerField(_l("续借（工作日）"), default=3, validators=[DataRequired(), NumberRange(min=1, max=250)])


class ReturnForm(FlaskForm):
    condition = SelectField(_l("归还情况"), choices=CONDITION_CHOICES, validators=[DataRequired()])
    note = StringField(_l("说明"), validators=[Optional(), Length(max=2000)])


class LogForm(GetForm):
    person = StringField(_l("借阅人"), validators=[Optional(), Length(max=64)])
    archive_no = StringField(_l("档案号"), validators=[Optional(), Length(max=64)])
    status = SelectField(_l("状态"), choices=LOG_STATUS_CHOICES, validators=[Optional()])
    date_from = DateField(_l("申请起始日期"), validators=[Optional()])
    date_to = DateField(_l("申请截止日期"), validators=[Optional()])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000)], default=1)


def _valid(form) -> None:
    if not form.validate_on_submit():
        abort(400)


@bp.app_context_processor
def _globals():
    # Called only by the includes that show them, so other pages pay nothing.
    return {"loan_reminders": lambda: loans.reminders(system(), g.user),
            "archive_loan": lambda archive_no: loans.archive_loan_status(system(), archive_no)}


# --- asking ------------------------------------------------------------------------------

@bp.route("/new/<archive_no>", methods=["GET", "POST"])
def new(archive_no: str):
    form = RequestForm()
    if request.method == "GET":
        form.kind.data = request.args.get("kind", "view")
        form.document_no.data = request.args.get("doc", "")
        return render_template("loans/new.html", form=form, archive_no=archive_no,
                               max_days=system().settings.borrow_max_days)
    _valid(form)
    req = loans.request(system(), g.user, archive_no, kind=form.kind.data, reason=form.reason.data,
                        days=form.days.data, content=form.content.data or "",
                        document_no=form.document_no.data or None)
    flash(_("申请已提交：#%(id)s", id=req.id), "ok")
    return redirect(url_for("loans.detail", request_id=req.id))


@bp.get("/")
def mine():
    return render_template("loans/mine.html", rows=loans.my_requests(system(), g.user), action=ActionForm())


@bp.get("/<int:request_id>")
def detail(request_id: int):
    row = loans.get_request(system(), g.user, request_id)
    return render_template("loans/detail.html", r=row, action=ActionForm(), decision=DecisionForm(),
                           extend=ExtendForm(), give_back=ReturnForm())


@bp.post("/<int:request_id>/withdraw")
def withdraw(request_id: int):
    _valid(ActionForm())
    loans.withdraw(system(), g.user, request_id)
    flash(_("申请已撤回。"), "ok")
    return redirect(url_for("loans.detail", request_id=request_id))


@bp.post("/<int:request_id>/receipt")
def receipt(request_id: int):
    _valid(ActionForm())
    loans.confirm_receipt(system(), g.user, request_id)
    flash(_("已签收。"), "ok")
    return redirect(url_for("loans.detail", request_id=request_id))


@bp.post("/<int:request_id>/open")
def open_view(request_id: int):
    _valid(ActionForm())
    loans.open_view(system(), g.user, request_id)
    flash(_("查阅已开启，到时自动关闭。"), "ok")
    return redirect(url_for("loans.detail", request_id=request_id))


@bp.post("/<int:request_id>/confirm-view")
def confirm_view(request_id: int):
    _valid(ActionForm())
    loans.confirm_view(system(), g.user, request_id)
    flash(_("已确认查阅记录。"), "ok")
    return redirect(url_for("loans.detail", request_id=request_id))


@bp.post("/<int:request_id>/extend")
def extend(request_id: int):
    form = ExtendForm()
    _valid(form)
    loans.request_extension(system(), g.user, request_id, form.days.data)
    flash(_("续借申请已提交，等待部门负责人审批。"), "ok")
    return redirect(url_for("loans.detail", request_id=request_id))


# --- approving ---------------------------------------------------------------------------

@bp.get("/inbox")
def inbox():
    return render_template("loans/inbox.html", rows=loans.inbox(system(), g.user), decision=DecisionForm())


@bp.post("/<int:request_id>/approve")
def approve(request_id: int):
    form = DecisionForm()
    _valid(form)
    loans.approve(system(), g.user, request_id, comment=form.comment.data or "",
                  allow_download=form.allow_download.data)
    flash(_("已批准：#%(id)s", id=request_id), "ok")
    return redirect(url_for("loans.inbox"))


@bp.post("/<int:request_id>/refuse")
def refuse(request_id: int):
    form = DecisionForm()
    _valid(form)
    loans.refuse(system(), g.user, request_id, comment=form.comment.data or "")
    flash(_("已不予批准：#%(id)s", id=request_id), "ok")
    return redirect(url_for("loans.inbox"))


# --- the borrow desk ---------------------------------------------------------------------

@bp.get("/desk")
def desk():
    return render_template("loans/desk.html", d=loans.desk(system(), g.user), action=ActionForm(),
                           give_back=ReturnForm())


@bp.post("/<int:request_id>/hand-out")
def hand_out(request_id: int):
    _valid(ActionForm())
    loan = loans.hand_out(system(), g.user, request_id)
    if loan.paper_location:
        flash(_("已借出 #%(id)s，应还日期 %(due)s；纸质档案位置：%(loc)s", id=request_id, due=loan.due_on.isoformat(),
                loc=loan.paper_location), "ok")
    else:
        flash(_("已借出 #%(id)s，应还日期 %(due)s", id=request_id, due=loan.due_on.isoformat()), "ok")
    return redirect(url_for("loans.desk"))


@bp.post("/<int:request_id>/return")
def give_back(request_id: int):
    form = ReturnForm()
    _valid(form)
    loans.return_loan(system(), g.user, request_id, condition=form.condition.data, note=form.note.data or "")
    flash(_("已归还：#%(id)s", id=request_id), "ok")
    return redirect(url_for("loans.desk"))


# --- the borrow log ----------------------------------------------------------------------

def _log_filter() -> tuple[LogForm, loans.LogFilter]:
    form = LogForm(request.args)
    if request.args and not form.validate():
        abort(400)
    return form, loans.LogFilter(date_from=form.date_from.data, date_to=form.date_to.data,
                                 person=form.person.data or None, archive_no=form.archive_no.data or None,
                                 status=form.status.data or None)


@bp.get("/log")
def log():
    form, f = _log_filter()
    page = form.page.data or 1
    rows, total = loans.borrow_log(system(), g.user, f, page=page, size=PAGE_SIZE)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("loans/log.html", form=form, rows=rows, total=total, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), args=args)


@bp.get("/log.csv")
def log_csv():
    f = _log_filter()[1]
    rows = loans.borrow_log_export(system(), g.user, f)
    return Response(borrow_log.to_csv(rows), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename=borrow-log-{_stamp(f)}.csv"})


@bp.get("/log.pdf")
def log_pdf():
    f = _log_filter()[1]
    rows = loans.borrow_log_export(system(), g.user, f)
    scope = _("档案 %(no)s", no=f.archive_no) if f.archive_no else _("全部档案")
    data = borrow_log.to_pdf(rows, scope=scope, printed=loans.today())
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f"attachment; filename=borrow-log-{_stamp(f)}.pdf"})


def _stamp(f: loans.LogFilter) -> str:
    # Only characters a file name may safely carry: the archive number is checked by the verb.
    no = "".join(c for c in (f.archive_no or "all") if c.isalnum() or c in "-_")
    return f"{no}-{loans.today().isoformat()}"


# --- leaving staff -----------------------------------------------------------------------

@bp.get("/handover/<username>")
def handover(username: str):
    return render_template("loans/handover.html", h=loans.handover(system(), g.user, username))
