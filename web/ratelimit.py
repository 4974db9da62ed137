"""Sign-in throttling that slows the guesser, not the account's owner. Kept in the process.

A fixed lock ("five wrong passwords and the account is shut for 15 minutes") is a weapon:
anyone can shut any account, the admin's included, by typing five wrong passwords. So
nothing here locks; each kind of repeated failure earns a wait that doubles with every
further failure (30 s, 1 min, 2 min … up to 15 minutes), counted three ways:

* per account *and* address: the guesser at one machine, after a few free tries;
* per address, any accounts: one machine trying many accounts;
* per account, from addresses it has never signed in from here: many machines guessing
  one account. The owner's own addresses (where the account signed in before) are not
  held back by this count, so strangers' failures never keep the owner out.

A blocked attempt is not checked against the password (no answer to learn from) and
not counted again. Counts fade: a key with no failure for RESET seconds starts afresh.

Not in the records database: counting failures there would turn each wrong password into
a write that takes its write lock, letting a password-guesser slow everyone's filing and
reviews (a failed attempt is still an audit event, but only while the limits let attempts
through, so a flood writes a bounded number of rows). Instead a small SQLite file of this
machine's own in the data folder (`run/login-limits@HOST.sqlite`) that all the portal's
processes share, so a guesser gains nothing from landing on another process. Several
machines serving one data folder each count on their own.
"""
from __future__ import annotations

import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path

FREE_PER_PAIR = 5         # wrong passwords for one account from one address before waits begin
FREE_PER_ADDRESS = 20     # from one address, over all accounts
FREE_PER_ACCOUNT = 10     # for one account, over the addresses it never signed in from
FIRST_WAIT = 30.0         # seconds, doubled with every further failure
MAX_WAIT = 15 * 60
RESET = 60 * 60           # a key quiet this long is forgotten
KNOWN_PER_ACCOUNT = 20    # addresses remembered per account
_MAX_KEYS = 100_000       # a flood of made-up names cannot grow the tables without end


_TABLES = """
CREATE TABLE IF NOT EXISTS failures (key TEXT PRIMARY KEY, count INTEGER NOT NULL, last REAL NOT NULL);
CREATE TABLE IF NOT EXISTS known (user TEXT NOT NULL, address TEXT NOT NULL, at REAL NOT NULL,
                                  PRIMARY KEY (user, address));
"""


class LoginLimiter:
    """`path`: the shared file; None keeps the counts in this process only (tests)."""

    def __init__(self, path: str | os.PathLike | None = None, clock=time.time):
        # wall-clock time: the processes sharing the file must agree on it
        self._clock = clock
        self._path = str(path) if path else ":memory:"
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid = 0

    @contextmanager
    def _db(self):
        """A transaction on this process's connection (opened after any fork, never shared)."""
        with self._lock:
            if self._conn is None or self._pid != os.getpid():
                if self._path != ":memory:":
                    Path(self._path).parent.mkdir(parents=True, exist_ok=True)
                self._conn = sqlite3.connect(self._path, timeout=10, isolation_level=None,
                                             check_same_thread=False)
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=OFF")  # counts lost with the machine are harmless
                self._conn.executescript(_TABLES)
                self._pid = os.getpid()
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise

    @staticmethod
    def _keys(db: sqlite3.Connection, username: str, address: str) -> list[tuple[str, int]]:
        user = username.strip().lower()
        keys = [(f"p:{user}\n{address}", FREE_PER_PAIR), (f"a:{address}", FREE_PER_ADDRESS)]
        if not db.execute("SELECT 1 FROM known WHERE user = ? AND address = ?", (user, address)).fetchone():
            keys.append((f"u:{user}", FREE_PER_ACCOUNT))
        return keys

    @staticmethod
    def _failures(db: sqlite3.Connection, key: str, now: float) -> tuple[int, float]:
        row = db.execute("SELECT count, last FROM failures WHERE key = ?", (key,)).fetchone()
        return (row[0], row[1]) if row else (0, now)

    def wait(self, username: str, address: str) -> float:
        """Seconds before this account may be tried from this address again (0: go ahead)."""
        now = self._clock()
        waits = [0.0]
        with self._db() as db:
            for key, free in self._keys(db, username, address):
                count, last = self._failures(db, key, now)
                if now - last <= RESET and count >= free:
                    waits.append(last + min(FIRST_WAIT * 2 ** (count - free), MAX_WAIT) - now)
        return max(waits)

    def failed(self, username: str, address: str) -> None:
        now = self._clock()
        with self._db() as db:
            for key, _ in self._keys(db, username, address):
                count, last = self._failures(db, key, now)
                db.execute("INSERT OR REPLACE INTO failures VALUES (?, ?, ?)",
                           (key, 1 if now - last > RESET else count + 1, now))
            # a flood of made-up names cannot grow the table without end: the longest quiet go
            db.execute("DELETE FROM failures WHERE last < ? OR key IN (SELECT key FROM failures "
                       "ORDER BY last DESC LIMIT -1 OFFSET ?)", (now - RESET, _MAX_KEYS))

    def succeeded(self, username: str, address: str) -> None:
        """The owner got in: their own count from here is cleared and the address is
        theirs; the count of strangers' failures on the account stays."""
        user = username.strip().lower()
        now = self._clock()
        with self._db() as db:
            db.execute("DELETE FROM failures WHERE key = ?", (f"p:{user}\n{address}",))
            db.execute("INSERT OR REPLACE INTO known VALUES (?, ?, ?)", (user, address, now))
            db.execute("DELETE FROM known WHERE user = ? AND address NOT IN (SELECT address FROM known "
                       "WHERE user = ? ORDER BY at DESC LIMIT ?)", (user, user, KNOWN_PER_ACCOUNT))
            db.execute("DELETE FROM known WHERE rowid IN (SELECT rowid FROM known ORDER BY at DESC "
                       "LIMIT -1 OFFSET ?)", (_MAX_KEYS,))
