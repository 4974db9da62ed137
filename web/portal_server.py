"""The portal on gunicorn: an arbiter and `workers` pre-forked processes, each with a few threads.

A search is CPU-bound and runs one at a time inside a process's index (index/store.py), so one
process with many threads uses one core however many people search; several processes use them
all. `dossier run` (web/serve.py) starts this as its own child,

    python -m web.portal_server DATA HOST PORT WORKERS

a fresh interpreter that shares no database connection, index handle, lock or thread with the
inbox watcher's process. The app is built once in the arbiter and the workers fork from it with
Flask, the templates and the analyzers already loaded; the arbiter drops its database
connections before the first fork, and each worker opens its own index on its first search
(web/records.py), so no handle is ever shared across a fork. Each index notices what other
processes wrote on its next search (index/store.py: generation and segment checks).
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys

from gunicorn.app.base import BaseApplication

from web.serve import bind_address, worker_count

THREADS = 4  # per worker: page views and downloads go on beside a running search


class PortalServer(BaseApplication):
    def __init__(self, data_dir: str, host: str, port: int, workers: int):
        self.data_dir = data_dir
        self.options = {
            "bind": [bind_address(host, port)],
            "workers": worker_count(workers),
            # gthread rather than sync: a keep-alive or slow client waits in the worker's poller,
            # not holding a whole process, and a long download does not trip the worker timeout
            "worker_class": "gthread",
            "threads": THREADS,
            "preload_app": True,
            "graceful_timeout": 10,
            "keepalive": 5,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
            "proc_name": "dossier-portal",
            # gunicorn's control socket lives in one place per user (~/.gunicorn): a second
            # data folder's portal would take it over. Nothing here uses it.
            "control_socket_disable": True,
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # control_socket_disable is new in gunicorn 24
                self.cfg.set(key, value)

    def load(self):
        from archive_store.system import open_system
        from index.analysis import jieba_dictionary
        from web.app import create_app

        system = open_system(self.data_dir, migrate_db=False)  # `dossier run` migrated it
        app = create_app(system)
        jieba_dictionary()  # read once here, shared by every worker
        # Before the workers fork: a pooled connection copied into several processes would be
        # used by all of them at once. Each worker opens its own on its first request.
        system.db.dispose()
        return app


def _die_with_parent(parent: int) -> None:
    """The arbiter stops when `dossier run` ends, however it ends (kill -9 included): a
    portal left behind would keep the port and serve without its watcher."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent ended before the line above
        sys.exit(0)


def main(argv: list[str]) -> None:
    data_dir, host, port, workers = argv
    _die_with_parent(int(os.environ.get("DOSSIER_RUN_PID", os.getppid())))
    PortalServer(data_dir, host, int(port), int(workers)).run()


if __name__ == "__main__":
    main(sys.argv[1:])
