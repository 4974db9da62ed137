"""Retention and disposal pages: rules, the due list, legal holds, batches and certificates.

Each view reads the request, calls one verb of archive_store.retention or .disposal and
renders; the verbs decide who may do what, so a refusal is their message on the error page.
"""
from __future__ import annotations

import io
import re

from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from archive_store import disposal, retention
from web.auth import system
from web.forms import ActionForm, DueForm, ExecuteForm, HoldForm, ProposeForm, ReasonForm, RuleForm, choices

bp = Blueprint("retention", __name__, url_prefix="/retention")
_DOC_NO = re.compile(r"^[A-Za-z0-9-]{1,80}$")


@bp.route("/rules", methods=["GET", "POST"])
def rules():
    form = RuleForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        retention.set_rule(system(), g.user, doc_type=form.kind.data, grade=form.grade.data or None,
                           years=retention.parse_years(form.years.data), trigger=form.trigger.data)
        flash(_("规则已保存，相关文件的到期日已重新计算。"), "ok")
        return redirect(url_for("retention.rules"))
    return render_template("retention_rules.html", rules=retention.list_rules(system(), g.user), form=form)


@bp.get("/due")
def due():
    form = DueForm(request.args)
    if request.args and not form.validate():
        abort(400)
    rows = retention.due(system(), g.user, as_of=form.as_of.data)
    return render_template("retention_due.html", rows=rows, form=form, propose=ProposeForm())


@bp.route("/holds", methods=["GET", "POST"])
def holds():
    form = HoldForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        hold_id = retention.place_hold(system(), g.user, form.target.data, form.reason.data)
        flash(_("已设置诉讼保留 #%(id)s。", id=hold_id), "ok")
        return redirect(url_for("retention.holds"))
    return render_template("retention_holds.html", holds=retention.list_holds(system(), g.user), form=form,
                           release=ReasonForm())


@bp.post("/holds/<int:hold_id>/release")
def release(hold_id: int):
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    retention.release_hold(system(), g.user, hold_id, form.reason.data)
    flash(_("已解除诉讼保留 #%(id)s。", id=hold_id), "ok")
    return redirect(url_for("retention.holds"))


@bp.get("/batches")
def batches():
    return render_template("disposal_batches.html", batches=disposal.list_batches(system(), g.user))


@bp.post("/batches")
def propose():
    form = ProposeForm()
    doc_nos = request.form.getlist("doc_no")
    if not form.validate_on_submit() or len(doc_nos) > disposal.MAX_ITEMS or \
            not all(_DOC_NO.match(n) for n in doc_nos):
        abort(400)
    batch_id = disposal.propose(system(), g.user, doc_nos, form.method.data)
    flash(_("已提出销毁计划，等待部门负责人审批。"), "ok")
    return redirect(url_for("retention.batch", batch_id=batch_id))


@bp.get("/batches/<int:batch_id>")
def batch(batch_id: int):
    view = disposal.batch_view(system(), g.user, batch_id)
    execute_form = ExecuteForm()
    people = choices([("", "—"), *((u, u) for u in view.candidates)])
    execute_form.witness1.choices = execute_form.witness2.choices = people
    return render_template("disposal_batch.html", v=view, action=ActionForm(), execute=execute_form)


@bp.post("/batches/<int:batch_id>/approve")
def approve(batch_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    disposal.approve(system(), g.user, batch_id)
    flash(_("已审批。"), "ok")
    return redirect(url_for("retention.batch", batch_id=batch_id))


@bp.post("/batches/<int:batch_id>/execute")
def execute(batch_id: int):
    form = ExecuteForm()
    # The choices only guard the form's shape; whether a person may witness is the verb's rule.
    named = [request.form.get("witness1", ""), request.form.get("witness2", "")]
    form.witness1.choices = form.witness2.choices = choices((n, n) for n in named)
    if not form.validate_on_submit():
        abort(400)
    result = disposal.execute(system(), g.user, batch_id, [form.witness1.data, form.witness2.data],
                              place=form.place.data)
    flash(_("已执行销毁：销毁 %(n)s 件，保留 %(w)s 件。", n=len(result.destroyed), w=len(result.withheld)), "ok")
    return redirect(url_for("retention.batch", batch_id=batch_id))


@bp.get("/batches/<int:batch_id>/certificate.pdf")
def certificate(batch_id: int):
    name, data = disposal.certificate(system(), g.user, batch_id)
    return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True, download_name=name,
                     max_age=0)
