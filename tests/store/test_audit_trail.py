import pytest
from sqlalchemy import text

from archive_store import audit
from tests.conftest import run_dossier


@pytest.fixture
def trail(system):
    with system.db.write() as s:
        for i in range(5):
            audit.record(s, actor="clerk1", action="document.filed", object_type="document",
                         object_id=f"2025P02001-{i:03d}", before=None, after={"n": i, "名称": "某公司"})
    return system


def _sql(system, statement: str, **params) -> None:
    """A change made behind Dossier's back, straight in the database (SQLite or PostgreSQL)."""
    with system.db.engine.begin() as conn:
        conn.execute(text(statement), params)


def test_an_untouched_trail_verifies(trail):
    result = run_dossier("audit", "verify", data=trail.settings.data_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 problem(s)" in result.stdout


def test_an_edited_event_is_found(trail):
    _sql(trail, "UPDATE audit_events SET actor = 'someone_else' WHERE seq = 3")
    result = run_dossier("audit", "verify", data=trail.settings.data_dir)
    assert result.returncode == 1
    assert "event 3: its content does not match its hash (edited)" in result.stdout


def test_a_deleted_event_is_found(trail):
    _sql(trail, "DELETE FROM audit_events WHERE seq = 4")
    result = run_dossier("audit", "verify", data=trail.settings.data_dir)
    assert result.returncode == 1
    assert "event 4" in result.stdout and "deleted" in result.stdout


def test_deleting_the_last_event_is_found(trail):
    _sql(trail, "DELETE FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events)")
    result = run_dossier("audit", "verify", data=trail.settings.data_dir)
    assert result.returncode == 1
    assert "missing from the end" in result.stdout


def test_an_event_inserted_in_the_middle_is_found(trail):
    _sql(trail, "UPDATE audit_events SET seq = seq + 100 WHERE seq > 3")
    _sql(trail, "UPDATE audit_events SET seq = seq - 99 WHERE seq > 100")  # room for a new 4
    _sql(trail, "INSERT INTO audit_events (seq, at, actor, action, object_type, object_id, before, after, prev_hash, hash) "
                "SELECT 4, at, 'forger', action, object_type, 'X', NULL, NULL, hash, hash FROM audit_events WHERE seq = 3")
    result = run_dossier("audit", "verify", data=trail.settings.data_dir)
    assert result.returncode == 1
    assert "event 4: its content does not match its hash (edited)" in result.stdout
    assert "never issued (inserted)" in result.stdout  # the chain is one longer than the numbers issued


def test_an_event_appended_with_a_correct_hash_is_still_found(trail):
    """A forger who knows the hashing can extend the chain, but not the issued numbers."""
    from archive_store.models import AuditEvent
    from sqlalchemy import select

    with trail.db.read() as s:
        last = s.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
        forged = AuditEvent(seq=last.seq + 1, at=last.at, actor="forger", action="document.filed",
                            object_type="document", object_id="X", before=None, after=None,
                            prev_hash=last.hash)
        forged.hash = audit._digest(forged)
    _sql(trail, "INSERT INTO audit_events (seq, at, actor, action, object_type, object_id, before, after, prev_hash, hash) "
                "VALUES (:seq, :at, 'forger', 'document.filed', 'document', 'X', NULL, NULL, :prev, :hash)",
         seq=forged.seq, at=last.at, prev=forged.prev_hash, hash=forged.hash)
    result = run_dossier("audit", "verify", data=trail.settings.data_dir)
    assert result.returncode == 1
    assert "never issued (inserted)" in result.stdout


def test_events_record_actor_action_object_and_before_after(trail):
    with trail.db.write() as s:
        event = audit.record(s, actor="head1", action="field.corrected", object_type="document",
                             object_id="2025P02001-001", before={"phone": "1380000000"},
                             after={"phone": "13800000000"})
    assert event.actor == "head1" and event.action == "field.corrected"
    assert event.before == '{"phone":"1380000000"}' and event.after == '{"phone":"13800000000"}'
    assert event.prev_hash != audit.GENESIS and len(event.hash) == 64
