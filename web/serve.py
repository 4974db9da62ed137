"""The main job: the portal on a WSGI server, and the inbox watcher beside it."""
from __future__ import annotations

import click
from waitress import serve as waitress_serve

from archive_store.system import System
from web.app import create_app


def serve(system: System, *, host: str, port: int, watch: bool) -> None:
    app = create_app(system)
    if watch:
        click.echo("inbox watcher: not available yet (it arrives with the intake issue); "
                   "files dropped into the inbox wait there untouched")
    click.echo(f"portal: http://{host}:{port}/")
    waitress_serve(app, host=host, port=port, threads=8)
