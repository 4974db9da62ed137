"""The clerk's intake page: files waiting, in progress (with their stage) and done, refreshing
by itself; upload from the browser; the quarantine's actions."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from intake import desk, quarantine
from web.auth import system
from web.forms import ActionForm
from web.labels import say

bp = Blueprint("desk", __name__, url_prefix="/intake")
# The upload's own request limit (the portal's is 256 KB): the pipeline's per-file limit,
# for the whole request; a larger batch is sent in parts.
UPLOAD_LIMIT = 500 * 1024 * 1024


def allow_upload_size() -> None:
    """The upload route alone may carry files (app.py registers this before CSRF reads the form)."""
    if request.endpoint == "desk.upload":
        request.max_content_length = UPLOAD_LIMIT


@bp.get("/")
def monitor():
    return render_template("intake.html", v=desk.live(system(), g.user), action=ActionForm(),
                           business_lines=system().settings.business_lines)


@bp.get("/live")
def live():
    """The changing part of the page, fetched every few seconds by static/live.js."""
    return render_template("intake_live.html", v=desk.live(system(), g.user), action=ActionForm())


@bp.post("/upload")
def upload():
    if not ActionForm().validate_on_submit():
        abort(400)
    files = [(f.filename or "", f.stream) for f in request.files.getlist("files") if f]
    if not files:
        flash(_("请选择要上传的文件。"), "error")
        return redirect(url_for("desk.monitor"))
    results = desk.upload(system(), g.user, files, request.form.get("business_line") or None)
    taken = [r for r in results if r.refused is None]
    if taken:
        flash(_("已放入收件箱 %(n)s 个文件，正在处理。", n=len(taken)), "ok")
    for r in results:
        if r.refused is not None:
            flash(say(r.refused.code, r.refused.params), "error")
    return redirect(url_for("desk.monitor"))


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
