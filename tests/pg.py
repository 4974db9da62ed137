"""A temporary PostgreSQL cluster for the test suite's PostgreSQL pass.

`DOSSIER_TEST_DB=postgresql pytest …` starts one cluster (Debian's initdb/pg_ctl) in a
temporary folder on a free loopback port, and every data folder a test creates gets its own
empty, migrated database cloned from a template, named in its dossier.toml, so tests stay
as independent as they are on SQLite and the `dossier` subprocesses they start read the same
database. The cluster is stopped when pytest ends, whether the tests passed or not.
PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` user.
"""
from __future__ import annotations

import atexit
import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

TEMPLATE = "dossier_template"


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: run `make setup` as root (scripts/install-system.sh)")
    return found[-1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="dossier-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_root = os.getuid() == 0
        self._names = itertools.count(1)
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")

    def _run(self, *args: str) -> None:
        cmd = (["runuser", "-u", "postgres", "--"] if self.as_root else []) + list(args)
        subprocess.run(cmd, check=True, capture_output=True, timeout=120, cwd=self.root)

    def start(self) -> None:
        self._run(_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", "--locale=C.UTF-8")
        # The tests' data is thrown away: no fsync keeps database creation and commits fast.
        self.start_server()
        atexit.register(self.stop)
        self.admin_url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._admin(f"CREATE DATABASE {TEMPLATE}")
        from archive_store.db import Database, migrate

        db = Database(self.url(TEMPLATE))
        migrate(db)
        db.dispose()

    def start_server(self) -> None:
        opts = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.root} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300")
        self._run(_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"), "-o", opts, "-w", "start")

    def stop_server(self) -> None:
        """The server gone (connections cut, port closed) until `start_server`: the database lost mid-run."""
        self._run(_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def stop(self) -> None:
        if self.data.exists():
            try:
                self._run(_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
            except subprocess.CalledProcessError:
                pass  # already stopped
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, name: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(sql)

    def new_database(self, *, empty: bool = False, like: str | None = None) -> str:
        """A database of its own: migrated to the newest schema, or empty (for migration
        tests), or a copy of the database `like` names (no one may be connected to it)."""
        name = f"t{os.getpid()}_{next(self._names)}"
        source = like.rsplit("/", 1)[1] if like else "template0" if empty else TEMPLATE
        self._admin(f"CREATE DATABASE {name} TEMPLATE {source}")
        return self.url(name)

    def databases(self) -> set[str]:
        import psycopg

        with psycopg.connect(self.admin_url.replace("+psycopg", ""), autocommit=True) as conn:
            return {r[0] for r in conn.execute("SELECT datname FROM pg_database")}
