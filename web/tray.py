"""The clerk's unsorted tray: what intake could not recognise, typed and filed by hand."""
from __future__ import annotations

import io

from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from archive_store import corrections, unsorted
from archive_store.messages import Refused
from web.auth import system
from web.forms import ActionForm
from web.labels import say

bp = Blueprint("tray", __name__, url_prefix="/tray")


@bp.get("/")
def index():
    return render_template("tray.html", items=unsorted.tray(system(), g.user))


@bp.get("/<int:item_id>")
def item(item_id: int):
    view = unsorted.open_item(system(), g.user, item_id)
    q = (request.args.get("q") or "").strip()[:100]
    found = unsorted.candidates(system(), g.user, q) if q else None
    return render_template("tray_item.html", v=view, q=q, found=found, action=ActionForm(),
                           doc_kinds=corrections.KINDS, kind_fields=corrections.KIND_FIELDS,
                           business_lines=system().settings.business_lines)


@bp.get("/<int:item_id>/pages/<int:number>.jpg")
def page(item_id: int, number: int):
    data = unsorted.page_image(system(), g.user, item_id, number)
    return send_file(io.BytesIO(data), mimetype="image/jpeg", max_age=0)


def _posted() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


@bp.post("/<int:item_id>/<verb>")
def act(item_id: int, verb: str):
    _posted()
    form, here = request.form, url_for("tray.item", item_id=item_id)
    try:
        if verb == "kind":
            unsorted.set_kind(system(), g.user, item_id, form.get("doc_type", ""))
            flash(_("已设置类型。"), "ok")
        elif verb == "field":
            unsorted.set_field(system(), g.user, item_id, form.get("key", ""), form.get("value", ""))
            flash(_("已保存字段。"), "ok")
        elif verb == "file":
            doc_no = unsorted.file_into(system(), g.user, item_id, form.get("archive_no", ""))
            flash(_("已归档：%(no)s", no=doc_no), "ok")
            return redirect(url_for("records.document", doc_no=doc_no))
        elif verb == "new":
            doc_no = unsorted.file_new(system(), g.user, item_id, name=form.get("name", ""),
                                       customer_type=form.get("customer_type", ""),
                                       business_line=form.get("business_line", ""),
                                       uscc=form.get("uscc", ""), id_number=form.get("id_number", ""))
            flash(_("已建档并归档：%(no)s", no=doc_no), "ok")
            return redirect(url_for("records.document", doc_no=doc_no))
        else:
            abort(404)
    except Refused as exc:
        # Back to the item, the reason on top: what was typed before stays saved.
        flash(say(exc.code, exc.params), "error")
    return redirect(here)
