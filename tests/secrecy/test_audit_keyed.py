"""The audit trail is keyed outside the database and its head anchored outside it, so that
editing with re-chaining, truncating and lowering the counter are all caught by
`dossier audit verify` (issue 19, finding 7)."""
from __future__ import annotations

import hashlib
import json
import sqlite3
import stat

import pytest

from archive_store import audit
from archive_store.errors import SetupError
from tests.conftest import run_dossier


@pytest.fixture
def trail(system):
    with system.db.write() as s:
        for i in range(6):
            audit.record(s, actor="clerk1", action="document.filed", object_type="document",
                         object_id=f"2025P02001-{i:03d}", after={"n": i})
    return system


def _db(system) -> sqlite3.Connection:
    return sqlite3.connect(system.settings.data_dir / "dossier.db")


def _rows(conn) -> list[tuple]:
    return conn.execute("SELECT id, seq, at, actor, action, object_type, object_id, before, after, prev_hash "
                        "FROM audit_events ORDER BY seq").fetchall()


def _plain_digest(seq, at, actor, action, object_type, object_id, before, after, prev_hash) -> str:
    """What a forger without the key computes: the hash as the code publishes it, unkeyed."""
    from datetime import datetime
    body = audit.canonical({"seq": seq, "at": datetime.fromisoformat(at).isoformat(timespec="microseconds"),
                            "actor": actor, "action": action, "object_type": object_type, "object_id": object_id,
                            "before": before, "after": after, "prev_hash": prev_hash})
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _rechain(conn, from_seq: int) -> None:
    prev = audit.GENESIS
    for row in _rows(conn):
        rid, seq = row[0], row[1]
        if seq < from_seq:
            prev = conn.execute("SELECT hash FROM audit_events WHERE id = ?", (rid,)).fetchone()[0]
            continue
        digest = _plain_digest(*row[1:9], prev)
        conn.execute("UPDATE audit_events SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, rid))
        prev = digest


def _verify(system):
    return run_dossier("audit", "verify", data=system.settings.data_dir)


def test_the_key_is_made_at_init_readable_only_by_its_owner_and_the_head_follows_each_commit(trail):
    data = trail.settings.data_dir
    assert stat.S_IMODE((data / audit.KEY_FILE).stat().st_mode) == 0o600
    with trail.db.read() as s:
        last = audit.count(s)
    assert json.loads((data / audit.HEAD_FILE).read_text())["seq"] == last
    result = _verify(trail)
    assert result.returncode == 0 and "0 problem(s)" in result.stdout, result.stdout


def test_an_edit_with_every_later_hash_recomputed_is_caught(trail):
    conn = _db(trail)
    with conn:
        conn.execute("UPDATE audit_events SET actor = 'someone_else' WHERE seq = 3")
        _rechain(conn, 3)
    conn.close()
    result = _verify(trail)
    assert result.returncode == 1
    assert "event 3: its content does not match its hash (edited)" in result.stdout


def test_deleting_the_last_events_and_lowering_the_counter_is_caught(trail):
    conn = _db(trail)
    with conn:
        last = conn.execute("SELECT max(seq) FROM audit_events").fetchone()[0]
        conn.execute("DELETE FROM audit_events WHERE seq > ?", (last - 2,))
        conn.execute("UPDATE counters SET value = ? WHERE scope = 'audit'", (last - 2,))
    conn.close()
    result = _verify(trail)
    assert result.returncode == 1, result.stdout
    assert "truncated" in result.stdout and f"{last - 1}..{last}" in result.stdout


def test_a_lowered_counter_alone_is_caught(trail):
    conn = _db(trail)
    with conn:
        conn.execute("UPDATE counters SET value = value - 1 WHERE scope = 'audit'")
    conn.close()
    result = _verify(trail)
    assert result.returncode == 1 and "lowered" in result.stdout, result.stdout


def test_rewriting_the_whole_trail_from_the_start_is_caught(trail):
    conn = _db(trail)
    with conn:
        conn.execute("UPDATE audit_events SET after = '{\"n\":99}' WHERE seq = 1")
        _rechain(conn, 1)
    conn.close()
    result = _verify(trail)
    assert result.returncode == 1 and "(edited)" in result.stdout


def test_an_older_unkeyed_trail_is_sealed_under_the_key_and_stays_verifiable(tmp_path):
    """A data folder from before the key: its events keep their SHA-256 hashes, the first
    keyed event seals them, and rewriting them later is still caught."""
    from archive_store.system import init_data_dir, open_system

    system, _ = init_data_dir(tmp_path / "data")
    with system.db.write() as s:
        for i in range(4):
            audit.record(s, actor="clerk1", action="document.filed", object_type="document",
                         object_id=f"OLD-{i}", after={"n": i})
    system.close()
    data = tmp_path / "data"
    conn = sqlite3.connect(data / "dossier.db")
    with conn:
        _rechain(conn, 1)  # as the old code hashed them: plain SHA-256
        old_last = conn.execute("SELECT max(seq) FROM audit_events").fetchone()[0]
    conn.close()
    (data / audit.KEY_FILE).unlink()
    (data / audit.HEAD_FILE).unlink()

    system = open_system(data)
    keys = json.loads((data / audit.KEY_FILE).read_text())
    assert keys["keyed_from"] == old_last + 1
    system.close()
    result = run_dossier("audit", "verify", data=data)
    assert result.returncode == 0, result.stdout

    conn = sqlite3.connect(data / "dossier.db")
    with conn:  # an old event edited, the old part of the chain recomputed the old way
        conn.execute("UPDATE audit_events SET actor = 'forger' WHERE seq = 2")
        _rechain(conn, 2)
    conn.close()
    result = run_dossier("audit", "verify", data=data)
    assert result.returncode == 1 and f"event {old_last + 1}" in result.stdout, result.stdout


def test_a_missing_key_with_an_anchored_head_is_a_set_up_error_not_a_new_key(trail):
    from archive_store.system import open_system

    (trail.settings.data_dir / audit.KEY_FILE).unlink()
    with pytest.raises(SetupError, match="restore audit.key"):
        open_system(trail.settings.data_dir)
