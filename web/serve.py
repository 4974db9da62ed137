"""The main job: the portal on a WSGI server, and the inbox watcher beside it."""
from __future__ import annotations

import logging
import signal
import threading

import click
from waitress import create_server

from archive_store.system import System
from web.app import create_app


def _report(outcome) -> None:
    line = f"{outcome.status}: {outcome.source}"
    if outcome.doc_no:
        line += f" → {outcome.doc_no}"
    if outcome.status == "rejected":
        line += f" [{outcome.reason}] {outcome.detail}"
    click.echo(line)


def _stop_on_signals(stop: threading.Event, also=lambda: None) -> None:
    def handler(signum, frame):
        stop.set()
        also()
    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def run_watcher(system: System, *, workers: int | None = None, poll: bool = False,
                settle_seconds: float = 2.0, stop: threading.Event | None = None) -> None:
    from intake.runner import Intake

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        _stop_on_signals(stop)
    intake = Intake(system, workers=workers)
    click.echo(f"watching {system.settings.inbox} with {intake.workers} worker(s)")
    try:
        intake.watch(stop, settle_seconds=settle_seconds, poll=poll, on_done=_report)
    finally:
        intake.close()


def serve(system: System, *, host: str, port: int, watch: bool) -> None:
    app = create_app(system)
    # Searches run one at a time inside the index; enough threads that a page view never
    # waits behind a queue of searches (measured in bench/portal_bench.py).
    server = create_server(app, host=host, port=port, threads=32)
    stop = threading.Event()
    watcher = None
    if watch:
        watcher = threading.Thread(target=run_watcher, kwargs={"system": system, "stop": stop},
                                   name="inbox-watcher", daemon=True)
        watcher.start()
    _stop_on_signals(stop, also=server.close)
    click.echo(f"portal: http://{host}:{port}/")
    try:
        server.run()
    except OSError:
        pass  # the server socket was closed by the signal handler
    finally:
        stop.set()
        if watcher:
            watcher.join(timeout=30)
