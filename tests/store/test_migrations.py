"""A data folder made by an older Dossier is carried forward on start, its records intact."""
from alembic import command
from sqlalchemy import select, text

from archive_store.db import Database, _alembic_config
from archive_store.models import Document
from archive_store.settings import write_default_settings
from archive_store.system import open_system
from tests.conftest import empty_database


def test_a_database_at_the_first_schema_migrates_forward_with_its_rows(tmp_path):
    data = tmp_path / "old"
    data.mkdir()
    write_default_settings(data)
    db = Database(empty_database(data))
    cfg = _alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO archives (archive_no, customer_type, business_line, stage, status, created_at) "
                     "VALUES ('2024P02001', 'enterprise', 'P', 'deal', 'active', '2024-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO documents (doc_no, archive_id, item_no, doc_type, source_name, sha256, size, "
                     "media_type, pages, text, fields, field_confidence, field_problems, field_set_by, review_reasons, "
                     "status, page_image_sha256, filed_at, filed_by) VALUES ('2024P02001-001', 1, 1, 'contract', "
                     "'a.pdf', :sha, 1, 'application/pdf', 1, '', '{}', '{}', '{}', '{}', '[]', 'effective', '[]', "
                     "'2024-01-01 00:00:00', 'clerk')"), {"sha": "a" * 64})
    db.dispose()

    system = open_system(data)  # every start migrates forward
    with system.db.read() as s:
        doc = s.scalar(select(Document))
        assert doc.doc_no == "2024P02001-001" and doc.field_boxes == {}
    system.close()


def test_archives_are_re_keyed_with_the_one_fold(tmp_path):
    data = tmp_path / "old"
    data.mkdir()
    write_default_settings(data)
    db = Database(empty_database(data))
    cfg = _alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
    with db.engine.begin() as conn:  # the key the old fold (NFKC, t2s, lower) gave: the variant 塡 left as it was
        conn.execute(text("INSERT INTO archives (archive_no, customer_type, business_line, stage, status, created_at, "
                     "name, name_key) VALUES ('2024P02001', 'enterprise', 'P', 'deal', 'active', "
                     "'2024-01-01 00:00:00', '塡海ＡＢ有限公司', '塡海ab有限公司')"))
    db.dispose()

    system = open_system(data)
    with system.db.read() as s:
        from archive_store.matching import CustomerRef, find_archive
        found = find_archive(s, CustomerRef("enterprise", name="填海AB有限公司"))
        assert found is not None and found.archive_no == "2024P02001"
    system.close()


def test_head_revision_read_from_the_scripts_is_alembics(tmp_path):
    from alembic.script import ScriptDirectory

    from archive_store.db import head_revision

    assert head_revision() == ScriptDirectory.from_config(_alembic_config()).get_current_head()


def test_a_database_at_the_newest_schema_opens_without_running_alembic(tmp_path, monkeypatch):
    import alembic.command

    from archive_store.system import init_data_dir

    system, _ = init_data_dir(tmp_path / "data")
    system.close()
    ran: list[str] = []
    monkeypatch.setattr(alembic.command, "upgrade", lambda *a, **k: ran.append("upgrade"))
    open_system(tmp_path / "data").close()
    assert ran == []


def test_the_migrations_build_exactly_the_tables_the_models_describe(tmp_path):
    """Every column a model names is made by a migration, and no migration makes one a model
    has lost (a merge once dropped two from a model: values were set and never stored)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from archive_store.models import Base
    from archive_store.system import init_data_dir

    system, _ = init_data_dir(tmp_path / "data")
    try:
        with system.db.engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        system.close()
    assert diffs == []
