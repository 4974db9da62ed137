"""The review queue and the review actions (approve, return to the clerk, correct a field)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from archive_store import review, worklists
from archive_store.messages import Refused
from web.auth import system
from web.forms import ActionForm, ReasonForm
from web.labels import say

bp = Blueprint("review", __name__, url_prefix="/review")




@bp.get("/")
def queue():
    f = {k: (request.args.get(k) or "")[:40] for k in ("kind", "line", "reason")}
    rows, total = worklists.queue(system(), g.user, **f)
    return render_template("review.html", rows=rows, total=total, action=ActionForm(), f=f,
                           reason_filters=worklists.CATEGORIES, business_lines=system().settings.business_lines)


@bp.post("/bulk")
def bulk():
    if not ActionForm().validate_on_submit():
        abort(400)
    approved, skipped = worklists.bulk_approve(system(), g.user, request.form.getlist("doc_no"))
    flash(_("已审核通过 %(n)s 件。", n=len(approved)), "ok")
    if skipped:
        flash(_("%(n)s 件有待处理的问题，未审核：%(nos)s", n=len(skipped), nos="、".join(skipped)), "error")
    return redirect(url_for("review.queue"))


@bp.get("/mine")
def mine():
    return render_template("mywork.html", docs=worklists.my_work(system(), g.user))


@bp.post("/<doc_no>/approve")
def approve(doc_no: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        review.approve(system(), g.user, doc_no, confirmed=request.form.get("confirmed") == "1")
    except Refused as exc:
        flash(say(exc.code, exc.params), "error")
        return redirect(url_for("records.document", doc_no=doc_no))
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
