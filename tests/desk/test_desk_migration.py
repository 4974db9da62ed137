"""A data folder at schema 0003 is carried to the desk's schema with its rows intact."""
import sqlite3

from alembic import command
from sqlalchemy import select

from archive_store.db import Database, _alembic_config
from archive_store.models import Document, User
from archive_store.settings import write_default_settings
from archive_store.system import open_system


def test_a_database_at_0003_gains_the_desk_columns_and_keeps_its_rows(tmp_path):
    data = tmp_path / "old"
    data.mkdir()
    write_default_settings(data)
    db = Database(f"sqlite:///{data}/dossier.db")
    cfg = _alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
    db.dispose()
    conn = sqlite3.connect(data / "dossier.db")
    with conn:
        conn.execute("INSERT INTO users (username, display_name, role, password_hash, active, created_at, "
                     "password_changed_at) VALUES ('s1', 's1', 'sales', '!', 1, '2024-01-01', '2024-01-01')")
        conn.execute("INSERT INTO archives (archive_no, customer_type, business_line, stage, status, created_at) "
                     "VALUES ('2024P02001', 'enterprise', 'P', 'deal', 'active', '2024-01-01 00:00:00')")
        conn.execute("INSERT INTO documents (doc_no, archive_id, item_no, doc_type, source_name, sha256, size, "
                     "media_type, pages, text, fields, field_confidence, field_problems, field_set_by, review_reasons, "
                     "status, page_image_sha256, filed_at, filed_by, field_boxes) VALUES ('2024P02001-001', 1, 1, "
                     "'contract', 'a.pdf', ?, 1, 'application/pdf', 1, '', '{}', '{}', '{}', '{}', '[]', 'effective', "
                     "'[]', '2024-01-01 00:00:00', 'clerk', '{}')", ("a" * 64,))
    conn.close()

    system = open_system(data)
    with system.db.read() as s:
        doc = s.scalar(select(Document))
        user = s.scalar(select(User).where(User.username == "s1"))
        assert doc.field_corrections == {} and user.business_lines == [] and user.must_change_password is False
    system.close()
