"""The Flask application factory (Flask's tutorial shape): the system in, the portal out.

One blueprint per area; views read the request, call one service verb and render. What
is safe by default lives here: CSRF on every POST, expiring sessions, security headers,
limits on what a request may carry, and an error page for every refusal.
"""
from __future__ import annotations

from datetime import timedelta

from flask import Flask, g, render_template, request
from flask_babel import Babel
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from archive_store.errors import DossierError, InvalidState, NotAllowed, NotFound
from archive_store.messages import Refused
from archive_store.system import System
from web import auth, i18n, labels, safekeeping
from web.ratelimit import LoginLimiter
from flask_babel import gettext as _gettext

MAX_QUERY_STRING = 2048


def create_app(system: System, *, testing: bool = False) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=system.settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        # Behind HTTPS the cookie must never travel in clear (settings: secure_cookies).
        SESSION_COOKIE_SECURE=system.settings.secure_cookies,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="dossier_session",
        # Absolute lifetime of a sign-in; the idle limit is checked in web.auth.
        PERMANENT_SESSION_LIFETIME=timedelta(hours=10),
        IDLE_TIMEOUT=timedelta(minutes=30),
        MAX_CONTENT_LENGTH=256 * 1024,  # the portal takes forms, never uploads
        WTF_CSRF_TIME_LIMIT=None,        # the token lives as long as the session does
        BABEL_DEFAULT_LOCALE=i18n.DEFAULT_LOCALE,
        BABEL_DEFAULT_TIMEZONE="Asia/Shanghai",
        BABEL_TRANSLATION_DIRECTORIES=str(i18n.TRANSLATIONS),
        TESTING=testing,
    )
    app.extensions["dossier"] = system
    app.extensions["dossier.login_limiter"] = LoginLimiter(_limits_file(system))
    from web import desk as _desk
    # Before CSRFProtect's own hook, which reads the form: the upload's larger limit must
    # be in place by then.
    app.before_request(_desk.allow_upload_size)
    CSRFProtect(app)
    Babel(app, locale_selector=i18n.select_locale, timezone_selector=lambda: "Asia/Shanghai")
    i18n.register_filters(app)
    labels.register(app)
    safekeeping.register(app)

    from web import admin, archives, audit_view, desk, fixes, loans, records, retention, review, tray

    app.register_blueprint(auth.bp)
    app.register_blueprint(records.bp)
    app.register_blueprint(review.bp)
    app.register_blueprint(desk.bp)
    app.register_blueprint(tray.bp)
    app.register_blueprint(fixes.bp)
    app.register_blueprint(audit_view.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(loans.bp)
    app.register_blueprint(archives.bp)
    app.register_blueprint(retention.bp)

    app.before_request(_check_request_shape)
    app.before_request(auth.load_user)
    app.after_request(_security_headers)
    _register_errors(app)
    return app


def _limits_file(system: System):
    """The sign-in counts all of this machine's portal processes share (web/ratelimit.py)."""
    from intake.lock import RUN_DIR, host_name

    return system.settings.data_dir / RUN_DIR / f"login-limits@{host_name()}.sqlite"


def _check_request_shape():
    # Odd or huge query strings are refused before any view sees them.
    if len(request.query_string) > MAX_QUERY_STRING:
        return render_error(400, "请求过长。")
    for key, value in request.args.items(multi=True):
        if "\x00" in key or "\x00" in value:
            return render_error(400, "请求含有无效字符。")
    return None


def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    )
    if getattr(g, "user", None) is not None:
        # Records are not to be copied (POLICY.md): nothing a signed-in page shows is cached.
        response.headers["Cache-Control"] = "no-store"
    return response


def render_error(status: int, message: str | None = None, *, translated: bool = False):
    from flask_babel import gettext
    titles = {400: gettext("请求有误"), 403: gettext("无权访问"), 404: gettext("找不到"),
              405: gettext("不支持的操作"), 409: gettext("状态不允许"), 413: gettext("请求过大"),
              429: gettext("尝试次数过多"), 500: gettext("系统出错")}
    return render_template("error.html", status=status, title=titles.get(status, str(status)),
                           message=(message if translated else gettext(message)) if message else None), status


def _register_errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render_error(400, _gettext("表单已过期或无效，请返回重新提交。"))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return render_error(exc.code or 500)

    @app.errorhandler(NotAllowed)
    def not_allowed(exc):
        return render_error(403, str(exc))

    @app.errorhandler(NotFound)
    def not_found(exc):
        return render_error(404)

    @app.errorhandler(InvalidState)
    def invalid_state(exc):
        return render_error(409, str(exc))

    @app.errorhandler(Refused)
    def refused(exc):
        return render_error(400, labels.say(exc.code, exc.params), translated=True)

    @app.errorhandler(DossierError)
    def dossier_error(exc):
        return render_error(400, str(exc))

    @app.errorhandler(Exception)
    def unexpected(exc):
        # Logged with its traceback for the operator; the user sees a plain page.
        app.logger.exception("unhandled error on %s", request.path)
        return render_error(500)
