"""The review queue and the review actions (approve, return to the clerk, correct a field)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from web import services
from archive_store import access
from web.auth import require, system
from web.forms import ActionForm, CorrectForm, ReasonForm

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.get("/")
@require(*access.REVIEW_ROLES)
def queue():
    docs, total = services.review_queue(system(), g.user)
    return render_template("review.html", docs=docs, total=total, action=ActionForm())


@bp.post("/<doc_no>/approve")
@require(*access.REVIEW_ROLES)
def approve(doc_no: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    services.review_action(system(), g.user, doc_no, "approve")
    flash(_("已审核通过：%(no)s", no=doc_no), "ok")
    return redirect(url_for("review.queue"))


@bp.post("/<doc_no>/return")
@require(*access.REVIEW_ROLES)
def return_(doc_no: str):
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    services.review_action(system(), g.user, doc_no, "return", reason=form.reason.data)
    flash(_("已退回录入员：%(no)s", no=doc_no), "ok")
    return redirect(url_for("review.queue"))


@bp.post("/<doc_no>/resubmit")
@require(*access.CORRECT_ROLES)
def resubmit(doc_no: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    services.review_action(system(), g.user, doc_no, "resubmit")
    flash(_("已重新提交审核：%(no)s", no=doc_no), "ok")
    return redirect(url_for("records.document", doc_no=doc_no))


@bp.post("/<doc_no>/correct")
@require(*access.CORRECT_ROLES)
def correct(doc_no: str):
    form = CorrectForm()
    if not form.validate_on_submit():
        abort(400)
    services.review_action(system(), g.user, doc_no, "correct", key=form.key.data, value=form.value.data,
                           reason=form.reason.data)
    flash(_("已更正字段。"), "ok")
    return redirect(url_for("records.document", doc_no=doc_no))
