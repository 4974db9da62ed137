"""The intake monitor for clerks: jobs in progress, recently filed, the quarantine."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from web import services
from archive_store import access
from web.auth import require, system
from web.forms import ActionForm

bp = Blueprint("desk", __name__, url_prefix="/intake")


@bp.get("/")
@require(*access.INTAKE_ROLES)
def monitor():
    view = services.intake_monitor(system(), g.user)
    return render_template("intake.html", v=view, action=ActionForm())


@bp.post("/quarantine/<verb>")
@require(*access.INTAKE_ROLES)
def quarantine(verb: str):
    if verb not in ("retry", "dismiss") or not ActionForm().validate_on_submit():
        abort(400)
    name = request.form.get("name", "")
    if not name or len(name) > 512:
        abort(400)
    services.quarantine_action(system(), g.user, name, verb)
    flash(_("已重新处理。") if verb == "retry" else _("已忽略。"), "ok")
    return redirect(url_for("desk.monitor"))
