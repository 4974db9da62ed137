"""Search, the archive page, the document page, its page images and downloads, grants."""
from __future__ import annotations

import io

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from archive_store import access, corrections, grants, review, search as search_verbs, viewing
from web.auth import system
from web.labels import say
from web.forms import ActionForm, choices, GrantForm, ReasonForm, SearchForm

bp = Blueprint("records", __name__)


@bp.get("/")
def home():
    # Each role lands where its work is; the pages themselves check access.
    role = g.user.role
    if role in access.AUDIT_ROLES:
        return redirect(url_for("audit_view.events"))
    if role in access.ADMIN_ROLES:
        return redirect(url_for("admin.users"))
    if role in access.REVIEW_ROLES:
        return redirect(url_for("review.queue"))
    return redirect(url_for("records.search"))


@bp.get("/search")
def search():
    form = SearchForm(request.args)
    form.business_line.choices = choices([("", _("全部")), *sorted(system().settings.business_lines.items())])
    results, error = None, None
    if request.args:
        if not form.validate():
            abort(400)
        try:
            results = search_verbs.search(
                system(), g.user, (form.q.data or "").strip(), index=_index(), sort=form.sort.data or "relevance",
                page=form.page.data or 1,
                filters={"doc_type": form.doc_type.data, "business_line": form.business_line.data,
                         "status": form.status.data, "date_from": form.date_from.data, "date_to": form.date_to.data})
        except search_verbs.SearchRefused as exc:
            error = say(exc.code, exc.params)
    pinned = access.search_status_filter(g.user)
    return render_template("search.html", form=form, results=results, error=error, pinned=pinned)


def _index():
    # One SearchIndex per app: it keeps its searcher and reader sets warm between requests.
    ext = current_app.extensions
    if "dossier.index" not in ext:
        ext["dossier.index"] = search_verbs.open_index(system())
    return ext["dossier.index"]


@bp.get("/archives/<archive_no>")
def archive(archive_no: str):
    view = viewing.open_archive(system(), g.user, archive_no)
    form = GrantForm()
    form.username.choices = choices((u, u) for u in view.grant_candidates)
    return render_template("archive.html", v=view, grant_form=form, action=ActionForm(),
                           business_lines=system().settings.business_lines)


@bp.post("/archives/<archive_no>/grants")
def grant(archive_no: str):
    form = GrantForm()
    form.username.choices = choices((u, u) for u in request.form.getlist("username")[:1])
    if not form.validate_on_submit():
        abort(400)
    grants.grant(system(), g.user, archive_no, form.username.data, form.reason.data, form.days.data)
    flash(_("已授权。"), "ok")
    return redirect(url_for("records.archive", archive_no=archive_no))


@bp.post("/archives/<archive_no>/grants/<int:grant_id>/revoke")
def revoke(archive_no: str, grant_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    grants.revoke(system(), g.user, archive_no, grant_id)
    flash(_("已撤销授权。"), "ok")
    return redirect(url_for("records.archive", archive_no=archive_no))


@bp.get("/documents/<doc_no>")
def document(doc_no: str):
    view = viewing.open_document(system(), g.user, doc_no)
    return render_template("document.html", v=view, action=ActionForm(), reason_form=ReasonForm(),
                           doc_kinds=corrections.KINDS,
                           kind_fields=corrections.KIND_FIELDS,
                           notes_visible=access.review_notes_visible(g.user, view.doc),
                           flagged=review.flagged_codes(view.doc))


@bp.get("/documents/<doc_no>/pages/<int:number>.jpg")
def page(doc_no: str, number: int):
    data = viewing.page_image(system(), g.user, doc_no, number)
    return send_file(io.BytesIO(data), mimetype="image/jpeg", max_age=0)


@bp.get("/documents/<doc_no>/download/<which>")
def download(doc_no: str, which: str):
    d = viewing.download(system(), g.user, doc_no, which)
    return send_file(d.path, mimetype=d.media_type, as_attachment=True, download_name=d.name, max_age=0)
