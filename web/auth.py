"""Signing in and out, one's own password, the language, and who is asking.

Every view needs a signed-in user unless it is listed in PUBLIC, so a new view is closed
by default. The session holds the user's id, when they signed in and were last seen, and
when their password last changed: an idle, too old, or pre-password-change session ends.
"""
from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from archive_store.errors import NotAllowed
from archive_store.users import (BadPassword, change_password, password_expired, session_user, sign_in,
                                 sign_out)
from web.forms import LoginForm, PasswordForm

bp = Blueprint("auth", __name__)
PUBLIC = {"auth.login", "auth.lang", "static"}
EXPIRED_PW_ALLOWED = {"auth.password", "auth.logout", "auth.lang", "static"}


def system():
    return current_app.extensions["dossier"]


def load_user():
    g.user = None
    uid = session.get("uid")
    if uid is not None:
        now = time.time()
        idle = current_app.config["IDLE_TIMEOUT"].total_seconds()
        life = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
        if now - session.get("seen", 0) > idle or now - session.get("since", 0) > life:
            _end_session(_("会话已过期，请重新登录。"))
        else:
            user = session_user(system(), uid)
            if user is None or user.password_changed_at.isoformat() != session.get("pw"):
                _end_session(_("请重新登录。"))
            else:
                g.user = user
                if now - session.get("seen", 0) > 60:  # refresh the cookie at most once a minute
                    session["seen"] = now
                if session.get("expired_pw") and request.endpoint not in EXPIRED_PW_ALLOWED:
                    # Past its maximum age the password must be changed before anything else.
                    return redirect(url_for("auth.password"))
    if g.user is None and request.endpoint not in PUBLIC:
        if request.method == "GET" and request.endpoint is not None:
            return redirect(url_for("auth.login", next=request.full_path if request.args else request.path))
        return redirect(url_for("auth.login"))
    return None


def _end_session(message: str) -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(message, "info")


def _safe_next(target: str | None) -> str:
    # Only a path on this site: never an open redirect.
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
                and "\\" not in target:
            return target
    return url_for("records.home")


def client_address() -> str:
    return request.remote_addr or "?"


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    limiter = current_app.extensions["dossier.login_limiter"]
    if form.validate_on_submit():
        username, address = form.username.data.strip(), client_address()
        if limiter.blocked(username, address):
            return render_template("login.html", form=form,
                                   error=_("尝试次数过多，请15分钟后再试。")), 429
        user = sign_in(system(), username, form.password.data, address=address)
        if user is None:
            limiter.failed(username, address)
            return render_template("login.html", form=form, error=_("用户名或密码不正确。")), 401
        limiter.succeeded(username)
        lang = session.get("lang")
        session.clear()  # a fresh session at sign-in: nothing carried over from before
        session.permanent = True
        now = time.time()
        session.update(uid=user.id, since=now, seen=now, pw=user.password_changed_at.isoformat())
        if lang:
            session["lang"] = lang
        if password_expired(system().settings, user):
            session["expired_pw"] = True
            flash(_("密码已超过有效期，请设置新密码。"), "info")
            return redirect(url_for("auth.password"))
        return redirect(_safe_next(request.args.get("next")))
    status = 400 if request.method == "POST" else 200
    return render_template("login.html", form=form, error=None), status


@bp.post("/logout")
def logout():
    sign_out(system(), g.user)
    _end_session(_("已退出。"))
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
def password():
    form = PasswordForm()
    error = None
    if form.validate_on_submit():
        try:
            user = change_password(system(), g.user, old=form.old.data, new=form.new.data)
            stamp = user.password_changed_at.isoformat()
            session["pw"] = stamp  # this session stays signed in; others end
            session.pop("expired_pw", None)
            flash(_("密码已修改。"), "ok")
            return redirect(url_for("records.search"))
        except NotAllowed:
            error = _("当前密码不正确。")
        except BadPassword as exc:
            error = str(exc)
    return render_template("password.html", form=form, error=error), 400 if request.method == "POST" else 200


@bp.get("/lang/<code>")
def lang(code: str):
    if code in ("zh", "en"):
        session["lang"] = code
    return redirect(_safe_next(request.args.get("next")))
