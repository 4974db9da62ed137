"""The restore drill's status on the archive manager's and the auditor's pages.

A template include (`_drill.html`) asks `drill_status()`; everyone else gets None and sees
nothing, so the include can sit on any page.
"""
from __future__ import annotations

from flask import Flask, g

from archive_store.errors import NotAllowed
from web.auth import system


def drill_status():
    from archive_store.backup import last_drill

    user = getattr(g, "user", None)
    if user is None:
        return None
    try:
        return last_drill(system(), user)  # the verb says who may see it
    except NotAllowed:
        return None


def register(app: Flask) -> None:
    app.jinja_env.globals["drill_status"] = drill_status
