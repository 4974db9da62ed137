"""The intake monitor for clerks: jobs in progress, recently filed, the quarantine."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from intake import quarantine
from web.auth import system
from web.forms import ActionForm

bp = Blueprint("desk", __name__, url_prefix="/intake")


@bp.get("/")
def monitor():
    return render_template("intake.html", v=quarantine.monitor(system(), g.user), action=ActionForm())


@bp.post("/quarantine/<verb>")
def quarantine_action(verb: str):
    if verb not in ("retry", "dismiss") or not ActionForm().validate_on_submit():
        abort(400)
    name = request.form.get("name", "")
    if verb == "retry":
        quarantine.retry(system(), g.user, name)
        flash(_("已重新处理。"), "ok")
    else:
        quarantine.dismiss(system(), g.user, name)
        flash(_("已忽略。"), "ok")
    return redirect(url_for("desk.monitor"))
