"""The main job: the portal on gunicorn's processes, and the inbox watcher beside them.

One watcher per data folder on each machine: `run_watcher` holds the data folder's lock
(intake/lock.py) for as long as it runs, so a second `dossier watch` or `dossier run` is
refused with the first one's pid and host before it touches anything. Inside that, the
intake's worker processes (intake/workers.py); one that fails is started again after a
pause, and the failure goes to the log and to the intake page (intake/status.py): a worker
that died silently while the portal kept answering would stop filing with nobody the wiser.
"""
from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import click

from archive_store.errors import SetupError
from archive_store.system import System
from intake.workers import RESTART_PAUSE_S, STEADY_S  # the portal restarts like a worker

log = logging.getLogger("dossier.intake")
portal_log = logging.getLogger("dossier.portal")


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


def serve(system: System, *, host: str, port: int, watch: bool, workers: int = 0) -> None:
    """The portal on gunicorn in a child process (web/portal_server.py) and, unless `watch`
    is false, the inbox watcher in this one: the watcher's threads and worker processes are
    never forked into the portal's processes, and the watcher runs exactly once however many
    portal processes there are. SIGTERM or SIGINT stops both; a portal that ends by itself is
    started again after a pause, like the watcher."""
    # refused before the portal starts: a second `dossier run` on a watched folder says so
    lock = watcher_lock(system) if watch else None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        _check_port(host, port)
        stop = threading.Event()
        portal: list[subprocess.Popen] = []

        def stop_portal():
            for proc in portal:
                if proc.poll() is None:
                    proc.terminate()  # gunicorn: finish the requests under way, then stop

        _stop_on_signals(stop, also=stop_portal)
        watcher = None
        if watch:
            watcher = threading.Thread(target=run_watcher, kwargs={"system": system, "stop": stop, "lock": lock},
                                       name="inbox-watcher", daemon=True)
            watcher.start()
        click.echo(f"portal: http://{bind_address(host, port)}/ ({worker_count(workers)} processes)")
        try:
            _run_portal(system, host, port, workers, stop, portal)
        finally:
            stop.set()
            stop_portal()
            for proc in portal:
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            if watcher:
                watcher.join(timeout=30)
    finally:
        if lock:
            lock.release()


def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def worker_count(workers: int) -> int:
    """Portal processes: 0 means one per core this process may run on."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return workers or cores or 1


def _check_port(host: str, port: int) -> None:
    """A port another program holds is a setup problem, said once, not a portal restarted
    every few seconds."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
            sock.bind((host, port))
    except OSError as exc:
        raise SetupError(f"cannot serve the portal on {bind_address(host, port)}: "
                         f"{exc.strerror or exc}") from None


def _run_portal(system: System, host: str, port: int, workers: int, stop: threading.Event,
                portal: list[subprocess.Popen]) -> None:
    """Run the portal's process until `stop`; started from the main thread (its parent-death
    signal follows the thread that started it)."""
    failures = 0
    env = {**os.environ, "DOSSIER_RUN_PID": str(os.getpid())}
    while not stop.is_set():
        started = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "web.portal_server", str(system.settings.data_dir),
                                 host, str(port), str(workers)], env=env)
        portal[:] = [proc]
        if stop.is_set():  # a signal came while it started
            proc.terminate()
        code = proc.wait()
        if stop.is_set():
            return
        if time.monotonic() - started > STEADY_S:
            failures = 0
        pause = RESTART_PAUSE_S[min(failures, len(RESTART_PAUSE_S) - 1)]
        failures += 1
        portal_log.error("the portal stopped (exit status %s); starting it again in %d s", code, pause)
        stop.wait(pause)
