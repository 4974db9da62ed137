"""Customer archives day to day: by hand, edits, the managers' lists, duplicates and merging,
the two-person check's queue, the catalogue. Views read the request, call one verb and
render; who may do what is the verbs' (archive_store/archives.py, changes.py, catalogue.py)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from archive_store import archives, catalogue, changes
from web.archive_forms import (EditArchiveForm, ListFilterForm, MergeForm, NewArchiveForm, ReassignForm,
                               RejectForm)
from web.auth import system
from web.forms import ActionForm, choices

bp = Blueprint("archives", __name__, url_prefix="/customers")


def _lines():
    return choices(sorted(system().settings.business_lines.items()))


STAGE_LABELS = {"potential": _l("潜在"), "intention": _l("意向"), "deal": _l("成交"), "lost": _l("流失")}
CARD_LABELS = {"grade": _l("等级"), "stage": _l("合作阶段"), "owner": _l("负责人"), "business_line": _l("业务条线"),
               "paper_location": _l("纸质档案位置"), "relationship_start": _l("关系开始"),
               "relationship_end": _l("关系结束"), "first_contact_on": _l("首次联系"), "name": _l("客户名称"),
               "status": _l("状态"), "into": _l("并入"), "from": _l("来自"), "doc_no": _l("件号"),
               "archive_no": _l("档案号")}


@bp.app_template_global("stage_label")
def stage_label(stage: str) -> str:
    return str(STAGE_LABELS.get(stage, stage))


@bp.app_template_global("card_label")
def card_label(key: str) -> str:
    from web.labels import FIELD_LABELS

    return str(CARD_LABELS.get(key) or FIELD_LABELS.get(key, key))


@bp.app_template_filter("audit_diff")
def audit_diff(event) -> list[tuple[str, object, object]]:
    """An audit event's before and after for the history, masked for the viewer."""
    return archives.diff_rows(g.user, event)


@bp.get("/")
def index():
    form = ListFilterForm(request.args)
    form.business_line.choices = choices([("", _("全部"))]) + _lines()
    if request.args and not form.validate():
        abort(400)
    listing = archives.list_archives(system(), g.user, stage=form.stage.data, grade=form.grade.data,
                                     business_line=form.business_line.data, owner=form.owner.data)
    return render_template("archives/list.html", form=form, listing=listing)


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = NewArchiveForm()
    form.business_line.choices = _lines()
    if form.validate_on_submit():
        no = archives.create(system(), g.user, name=form.name.data, customer_type=form.customer_type.data,
                             business_line=form.business_line.data, uscc=form.uscc.data or None,
                             id_number=form.id_number.data or None, phone=form.phone.data or None)
        flash(_("已建档：%(no)s", no=no), "ok")
        return redirect(url_for("records.archive", archive_no=no))
    return render_template("archives/new.html", form=form), 400 if request.method == "POST" else 200


@bp.route("/<archive_no>/edit", methods=["GET", "POST"])
def edit(archive_no: str):
    card = archives.card(system(), g.user, archive_no)
    form = EditArchiveForm(data=card if request.method == "GET" else None)
    form.business_line.choices = _lines()
    owners = archives.owner_candidates(system(), g.user)
    if card["owner"] and card["owner"] not in owners:
        owners.append(card["owner"])  # a deactivated owner stays shown until someone reassigns
    form.owner.choices = choices([("", "—")] + [(u, u) for u in owners])
    if form.validate_on_submit():
        values = {k: form[k].data for k in archives.EDITABLE if k not in ("uscc", "id_number")}
        for key in ("uscc", "id_number"):  # blank: unchanged (the ID number may not be shown)
            if form[key].data:
                values[key] = form[key].data
        result = archives.edit(system(), g.user, card["archive_no"], values, reason=form.reason.data or "")
        if result.waiting:
            flash(_("重要信息的更改须由另一人核对后生效：%(keys)s", keys="、".join(result.waiting)), "ok")
        flash(_("已保存。") if result.changed else _("没有其他更改。"), "ok")
        return redirect(url_for("records.archive", archive_no=card["archive_no"]))
    return render_template("archives/edit.html", form=form, card=card), 400 if request.method == "POST" else 200


def _reassign_form() -> ReassignForm:
    form = ReassignForm()
    form.owner.choices = choices((u, u) for u in archives.owner_candidates(system(), g.user))
    return form


@bp.get("/late")
def late():
    return render_template("archives/late.html", rows=archives.late_entries(system(), g.user),
                           days=system().settings.rules.late_entry_working_days, reassign=_reassign_form())


@bp.get("/uncontacted")
def uncontacted():
    return render_template("archives/uncontacted.html", rows=archives.uncontacted(system(), g.user),
                           days=system().settings.rules.contact_days, reassign=_reassign_form())


@bp.post("/<archive_no>/reassign")
def reassign(archive_no: str):
    form = _reassign_form()
    if not form.validate_on_submit():
        abort(400)
    archives.reassign(system(), g.user, archive_no, form.owner.data)
    flash(_("已改派 %(no)s 给 %(owner)s。", no=archive_no, owner=form.owner.data), "ok")
    return redirect(request.referrer if _same_site(request.referrer) else url_for("archives.uncontacted"))


def _same_site(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)


@bp.get("/duplicates")
def duplicates():
    return render_template("archives/duplicates.html", found=archives.duplicates(system(), g.user),
                           form=MergeForm())


@bp.post("/merge")
def merge():
    form = MergeForm()
    if not form.validate_on_submit():
        abort(400)
    result = archives.merge(system(), g.user, form.from_no.data, form.into_no.data, reason=form.reason.data or "")
    flash(_("已将 %(a)s 并入 %(b)s（%(n)s 件）。", a=form.from_no.data, b=result.archive_no, n=len(result.moved)), "ok")
    return redirect(url_for("records.archive", archive_no=result.archive_no))


@bp.get("/changes")
def pending():
    return render_template("archives/changes.html", rows=changes.list_changes(system(), g.user),
                           action=ActionForm(), reject=RejectForm())


@bp.post("/changes/<int:change_id>/confirm")
def confirm(change_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    number = changes.confirm(system(), g.user, change_id)
    flash(_("已核对，更改生效：%(no)s", no=number), "ok")
    return redirect(url_for("archives.pending"))


@bp.post("/changes/<int:change_id>/reject")
def reject(change_id: int):
    form = RejectForm()
    if not form.validate_on_submit():
        abort(400)
    changes.reject(system(), g.user, change_id, form.reason.data)
    flash(_("已驳回。"), "ok")
    return redirect(url_for("archives.pending"))


@bp.get("/<archive_no>/catalogue.<fmt>")
def catalogue_file(archive_no: str, fmt: str):
    if fmt not in ("pdf", "csv"):
        abort(404)
    import io

    cat = catalogue.build(system(), g.user, archive_no)
    if fmt == "pdf":
        data, mime = catalogue.to_pdf(cat), "application/pdf"
    else:
        data, mime = catalogue.to_csv(cat).encode("utf-8"), "text/csv; charset=utf-8"
    return send_file(io.BytesIO(data), mimetype=mime, as_attachment=True,
                     download_name=f"{cat.archive_no}-catalogue.{fmt}", max_age=0)
