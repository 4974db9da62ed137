"""The main job: the portal on a WSGI server, and the inbox watcher beside it.

One watcher per data folder on each machine: `run_watcher` holds the data folder's lock
(intake/lock.py) for as long as it runs, so a second `dossier watch` or `dossier run` is
refused with the first one's pid and host before it touches anything. Inside that, the
intake's worker processes (intake/workers.py); one that fails is started again after a
pause, and the failure goes to the log and to the intake page (intake/status.py): a worker
that died silently while the portal kept answering would stop filing with nobody the wiser.
"""
from __future__ import annotations

import logging
import signal
import threading

import click
from waitress import create_server

from archive_store.system import System
from web.app import create_app

log = logging.getLogger("dossier.intake")


def _stop_on_signals(stop: threading.Event, also=lambda: None) -> None:
    def handler(signum, frame):
        stop.set()
        also()
    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def watcher_lock(system: System):
    """Take this machine's watcher lock on the data folder, or raise AlreadyRunning."""
    from intake.lock import FolderLock, watcher_lock_path

    return FolderLock(watcher_lock_path(system.settings.data_dir)).acquire()


def run_watcher(system: System, *, workers: int | None = None, poll: bool = False,
                settle_seconds: float = 2.0, stop: threading.Event | None = None, lock=None) -> None:
    """Watch until `stop` is set (or a signal): the intake's supervisor and its worker
    processes (intake/workers.py), which start a failed worker again after a pause."""
    from intake.workers import supervise

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        _stop_on_signals(stop)
    own_lock = lock is None
    lock = lock or watcher_lock(system)  # before anything else: a refused watcher touches nothing
    try:
        supervise(system, workers=workers, poll=poll, settle_seconds=settle_seconds, stop=stop, lock=lock)
    finally:
        if own_lock:
            lock.release()


def serve(system: System, *, host: str, port: int, watch: bool) -> None:
    # refused before the portal starts: a second `dossier run` on a watched folder says so
    lock = watcher_lock(system) if watch else None
    app = create_app(system)
    # Searches run one at a time inside the index; enough threads that a page view never
    # waits behind a queue of searches (measured in bench/portal_bench.py).
    server = create_server(app, host=host, port=port, threads=32)
    stop = threading.Event()
    watcher = None
    if watch:
        watcher = threading.Thread(target=run_watcher, kwargs={"system": system, "stop": stop, "lock": lock},
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
        if lock:
            lock.release()
