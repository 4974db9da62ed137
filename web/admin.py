"""Users and roles, for admins. A new account gets a generated password, shown once."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from archive_store import users as users_
from web.auth import system
from web.forms import UserCreateForm, UserEditForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users", methods=["GET", "POST"])
def users():
    form = UserCreateForm()
    created = None
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        _, password = users_.add_user(system(), g.user, username=form.username.data,
                                      role=form.role.data, display_name=form.display_name.data or "")
        created = (form.username.data, password or "")
    rows = users_.list_users(system(), g.user)
    return render_template("users.html", form=form, users=rows, created=created, edit=UserEditForm())


@bp.post("/users/<username>")
def edit(username: str):
    form = UserEditForm()
    if not form.validate_on_submit():
        abort(400)
    users_.edit_user(system(), g.user, username, role=form.role.data, active=form.active.data)
    flash(_("已保存：%(u)s", u=username), "ok")
    return redirect(url_for("admin.users"))
