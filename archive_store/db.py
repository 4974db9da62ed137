"""Engine, sessions and migrations.

SQLite is the embedded default. Writers there take the database lock when their
transaction begins (BEGIN IMMEDIATE), so two filings never deadlock upgrading a read lock
and the numbering counters are serialised; readers stay lock-free under WAL.

PostgreSQL keeps the same rule: a write transaction first takes one transaction-scoped
advisory lock, so the verbs' check-then-insert steps (an archive found or made for a
customer, a number taken, an open loan per paper file) see what the previous writer
committed, as they do on SQLite. Readers never take it. Writes are short (reading a file
happens before its transaction), so the one lock is not what limits throughput.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from archive_store.errors import SetupError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


# any fixed number: the key of the one advisory lock all Dossier writers share
WRITE_LOCK_KEY = 0x446F7373


def make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        # a server that does not answer (a host down, a firewall dropping packets) is an error
        # within seconds, not a connection attempt that hangs for minutes; pre-ping replaces
        # the pool's connections a restarted server has cut
        args = {} if "connect_timeout" in url else {"connect_timeout": 10}
        engine = create_engine(url, pool_pre_ping=True, connect_args=args)

        @event.listens_for(engine, "begin")
        def _on_pg_begin(conn):
            if conn.get_execution_options().get("write", False):
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")

        return engine
    engine = create_engine(url, connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        immediate = conn.get_execution_options().get("write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """One per process: the engine and the two kinds of session it hands out."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self.engine.execution_options(write=True), expire_on_commit=False)

    @property
    def write_sessions(self) -> sessionmaker:
        """The factory of write sessions, for listeners on every write transaction."""
        return self._write

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction that changes records: committed on success, rolled back on error."""
        with self._write() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session:
            yield session

    def attach(self, **info) -> None:
        """Values every session from now on carries in `session.info` (the audit key)."""
        self._read.configure(info=dict(info))
        self._write.configure(info=dict(info))

    def dispose(self) -> None:
        self.engine.dispose()


def _alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    """The newest migration's revision, read from the scripts' own lines: the one no
    other script revises."""
    revisions, revised = set(), set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        source = script.read_text(encoding="utf-8")
        revisions.update(re.findall(r"^revision = ['\"](\w+)['\"]", source, re.M))
        revised.update(re.findall(r"^down_revision = ['\"](\w+)['\"]", source, re.M))
    (head,) = revisions - revised
    return head


def _at_head(db: Database) -> bool:
    # Most starts find the database at the newest schema: answered with one query instead
    # of loading alembic (a fifth of a second before a command does anything).
    try:
        with db.engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
    except (OperationalError, DatabaseError):
        return False  # no table yet, or not a database: alembic says which


def migrate(db: Database) -> None:
    """Bring the database to the newest schema; refuse one written by a newer Dossier."""
    if _at_head(db):
        return
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    cfg = _alembic_config()
    scripts = ScriptDirectory.from_config(cfg)
    try:
        with db.engine.begin() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
            if current is not None and current not in {s.revision for s in scripts.walk_revisions()}:
                raise SetupError(
                    f"the database at {db.engine.url.render_as_string(hide_password=True)} was written by a newer version of Dossier "
                    f"(schema {current}); install that version or restore a backup"
                )
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except (OperationalError, DatabaseError) as exc:
        # the driver's first line is the reason (PostgreSQL adds hints on further lines);
        # the URL without its password, since this line goes to logs
        reason = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__
        shown = db.engine.url.render_as_string(hide_password=True)
        raise SetupError(f"cannot open the database at {shown}: {reason}") from None
