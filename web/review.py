"""The review queue and the review actions (approve, return to the clerk, correct a field)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from archive_store import review
from web.auth import system
from web.forms import ActionForm, CorrectForm, ReasonForm

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.get("/")
def queue():
    docs, total = review.queue(system(), g.user)
    return render_template("review.html", docs=docs, total=total, action=ActionForm())


@bp.post("/<doc_no>/approve")
def approve(doc_no: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    review.approve(system(), g.user, doc_no)
    flash(_("已审核通过：%(no)s", no=doc_no), "ok")
    return redirect(url_for("review.queue"))


@bp.post("/<doc_no>/return")
def return_(doc_no: str):
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    review.return_to_clerk(system(), g.user, doc_no, form.reason.data)
    flash(_("已退回录入员：%(no)s", no=doc_no), "ok")
    return redirect(url_for("review.queue"))


@bp.post("/<doc_no>/resubmit")
def resubmit(doc_no: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    review.resubmit(system(), g.user, doc_no)
    flash(_("已重新提交审核：%(no)s", no=doc_no), "ok")
    return redirect(url_for("records.document", doc_no=doc_no))


@bp.post("/<doc_no>/correct")
def correct(doc_no: str):
    form = CorrectForm()
    if not form.validate_on_submit():
        abort(400)
    waiting = review.correct_field(system(), g.user, doc_no, form.key.data, form.value.data, form.reason.data)
    if waiting:
        flash(_("重要信息的更正须由另一人核对后生效（待核对编号 %(id)s）。", id=waiting), "ok")
    else:
        flash(_("已更正字段。"), "ok")
    return redirect(url_for("records.document", doc_no=doc_no))
