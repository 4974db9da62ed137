"""The audit trail for auditors: filter by user, object, action and time; export as CSV."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, g, render_template, request, stream_with_context

from archive_store import audit_log
from web.auth import system
from web.forms import AuditFilterForm

bp = Blueprint("audit_view", __name__, url_prefix="/audit")
PAGE = 100


def _filters(form: AuditFilterForm) -> dict:
    return {"actor": (form.actor.data or "").strip(), "object_id": (form.object_id.data or "").strip(),
            "action": (form.action.data or "").strip(), "date_from": form.date_from.data,
            "date_to": form.date_to.data}


@bp.get("/")
def events():
    form = AuditFilterForm(request.args)
    if request.args and not form.validate():
        abort(400)
    page = form.page.data or 1
    rows, total = audit_log.events(system(), g.user, _filters(form), page, PAGE)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("audit.html", form=form, events=rows, total=total, page=page,
                           pages=max(1, -(-total // PAGE)), args=args)


@bp.get("/export.csv")
def export():
    form = AuditFilterForm(request.args)
    if request.args and not form.validate():
        abort(400)
    rows = audit_log.export_rows(system(), g.user, _filters(form))

    def generate():
        buf = io.StringIO()
        writer = csv.writer(buf)
        yield "\ufeff"  # so that Excel opens the Chinese text as UTF-8
        for row in rows:
            writer.writerow(row)
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    return Response(stream_with_context(generate()), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=audit.csv"})
