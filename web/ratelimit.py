"""Login rate limits, per account and per client address, kept in the process.

In process rather than in the database: the portal runs as one waitress process with
threads, so one in-memory table sees every attempt; and counting failures in the database
would turn each wrong password into a write that takes SQLite's write lock, letting a
password-guesser slow everyone's filing and reviews (a failed attempt is still an audit
event, but only while the limits let attempts through, so a flood writes a bounded
number of rows). The cost: a restart forgets the
counts, and several portal processes would each count on their own (move this to the
database or a shared store before running more than one).
"""
from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

WINDOW = 15 * 60          # seconds
PER_ACCOUNT = 5           # failures per account per window
PER_ADDRESS = 20          # failures per client address per window (many accounts tried)
_MAX_KEYS = 100_000       # a flood of made-up names cannot grow the table without end


class LoginLimiter:
    def __init__(self, window: float = WINDOW, per_account: int = PER_ACCOUNT,
                 per_address: int = PER_ADDRESS, clock=time.monotonic):
        self.window, self.per_account, self.per_address = window, per_account, per_address
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures[key]
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def blocked(self, username: str, address: str) -> bool:
        now = self._clock()
        with self._lock:
            return (len(self._recent("u:" + username.lower(), now)) >= self.per_account
                    or len(self._recent("a:" + address, now)) >= self.per_address)

    def failed(self, username: str, address: str) -> None:
        now = self._clock()
        with self._lock:
            if len(self._failures) > _MAX_KEYS:
                for key in [k for k, q in self._failures.items() if not q or q[-1] <= now - self.window]:
                    del self._failures[key]
            self._recent("u:" + username.lower(), now).append(now)
            self._recent("a:" + address, now).append(now)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop("u:" + username.lower(), None)
