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

In process rather than in the database: the portal runs as one waitress process with
threads, so one in-memory table sees every attempt; and counting failures in the database
would turn each wrong password into a write that takes SQLite's write lock, letting a
password-guesser slow everyone's filing and reviews (a failed attempt is still an audit
event, but only while the limits let attempts through, so a flood writes a bounded
number of rows). The cost: a restart forgets the counts, and several portal processes
would each count on their own (move this to the database or a shared store before
running more than one).
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict

FREE_PER_PAIR = 5         # wrong passwords for one account from one address before waits begin
FREE_PER_ADDRESS = 20     # from one address, over all accounts
FREE_PER_ACCOUNT = 10     # for one account, over the addresses it never signed in from
FIRST_WAIT = 30.0         # seconds, doubled with every further failure
MAX_WAIT = 15 * 60
RESET = 60 * 60           # a key quiet this long is forgotten
KNOWN_PER_ACCOUNT = 20    # addresses remembered per account
_MAX_KEYS = 100_000       # a flood of made-up names cannot grow the tables without end


class LoginLimiter:
    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: OrderedDict[str, tuple[int, float]] = OrderedDict()  # key -> (count, last)
        self._known: OrderedDict[str, OrderedDict[str, None]] = OrderedDict()  # account -> addresses

    def _keys(self, username: str, address: str) -> list[tuple[str, int]]:
        user = username.strip().lower()
        keys = [(f"p:{user}\n{address}", FREE_PER_PAIR), (f"a:{address}", FREE_PER_ADDRESS)]
        if address not in self._known.get(user, ()):
            keys.append((f"u:{user}", FREE_PER_ACCOUNT))
        return keys

    def _wait_for(self, key: str, free: int, now: float) -> float:
        count, last = self._failures.get(key, (0, now))
        if now - last > RESET or count < free:
            return 0.0
        return max(0.0, last + min(FIRST_WAIT * 2 ** (count - free), MAX_WAIT) - now)

    def wait(self, username: str, address: str) -> float:
        """Seconds before this account may be tried from this address again (0: go ahead)."""
        now = self._clock()
        with self._lock:
            return max(self._wait_for(k, free, now) for k, free in self._keys(username, address))

    def failed(self, username: str, address: str) -> None:
        now = self._clock()
        with self._lock:
            for key, _ in self._keys(username, address):
                count, last = self._failures.pop(key, (0, now))
                self._failures[key] = (1 if now - last > RESET else count + 1, now)
            while len(self._failures) > _MAX_KEYS:
                self._failures.popitem(last=False)  # the longest quiet first

    def succeeded(self, username: str, address: str) -> None:
        """The owner got in: their own count from here is cleared and the address is
        theirs; the count of strangers' failures on the account stays."""
        user = username.strip().lower()
        with self._lock:
            self._failures.pop(f"p:{user}\n{address}", None)
            known = self._known.pop(user, OrderedDict())
            known.pop(address, None)
            known[address] = None
            while len(known) > KNOWN_PER_ACCOUNT:
                known.popitem(last=False)
            self._known[user] = known
            while len(self._known) > _MAX_KEYS:
                self._known.popitem(last=False)
