"""Fixing what was read, on the document page: the kind, a field (corrected or added), the
archive it belongs to. A refusal (a value that fails its check) comes back on the page."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _

from archive_store import corrections
from archive_store.messages import Refused
from web.auth import system
from web.forms import ActionForm
from web.labels import say

bp = Blueprint("fix", __name__, url_prefix="/documents")


@bp.post("/<doc_no>/fix/<verb>")
def act(doc_no: str, verb: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    form = request.form
    try:
        if verb == "field":
            waiting = corrections.correct_field(system(), g.user, doc_no, form.get("key", ""),
                                                form.get("value", ""), form.get("reason", ""))
            if waiting:  # an important field: the old value stands until a second person confirms
                flash(_("重要信息的更正须由另一人核对后生效（待核对编号 %(id)s）。", id=waiting), "ok")
            else:
                flash(_("已更正字段。"), "ok")
        elif verb == "kind":
            corrections.set_kind(system(), g.user, doc_no, form.get("doc_type", ""), form.get("reason", ""))
            flash(_("已更正类型。"), "ok")
        elif verb == "move":
            doc_no = corrections.move(system(), g.user, doc_no, form.get("archive_no", "").strip(),
                                      form.get("reason", ""))
            flash(_("已移至新档案，新件号：%(no)s", no=doc_no), "ok")
        else:
            abort(404)
    except Refused as exc:
        flash(say(exc.code, exc.params), "error")
    return redirect(url_for("records.document", doc_no=doc_no))
