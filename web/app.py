"""The Flask application factory (Flask's tutorial shape): settings in, app out."""
from __future__ import annotations

from flask import Flask, render_template

from archive_store.system import System


def create_app(system: System) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=system.settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.extensions["dossier"] = system

    @app.get("/")
    def home():
        return render_template("home.html")

    return app
