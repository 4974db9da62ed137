"""Bad set-up gets one clear line and exit status 2, never a traceback."""
import os
import socket

import pytest
from sqlalchemy import text

from tests.conftest import ON_POSTGRES, run_dossier


def assert_one_clear_line(result, *words):
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0]


def test_missing_data_folder(tmp_path):
    result = run_dossier("verify", data=tmp_path / "nowhere")
    assert_one_clear_line(result, "does not exist", "dossier init")


def test_data_folder_from_the_environment(tmp_path):
    result = run_dossier("verify", env={"DOSSIER_DATA": str(tmp_path / "elsewhere")})
    assert_one_clear_line(result, str(tmp_path / "elsewhere"))


@pytest.mark.parametrize("line, key", [
    ('numbering_pattern = "{year}{biz}"', "numbering_pattern"),
    ('numbering_pattern = "{year}{nonsense}{seq:3}"', "numbering_pattern"),
    ('default_business_line = "X"', "default_business_line"),
    ('database_url = "not a url"', "database_url"),
])
def test_bad_setting_names_the_setting(system, line, key):
    path = system.settings.data_dir / "dossier.toml"
    text = path.read_text(encoding="utf-8")
    name = line.split(" = ")[0]
    lines = [l for l in text.splitlines() if not l.startswith(name + " ")]
    lines.insert(0, line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_one_clear_line(run_dossier("verify", data=system.settings.data_dir), key)


def test_settings_that_are_not_toml(system):
    (system.settings.data_dir / "dossier.toml").write_text("this is = = not toml", encoding="utf-8")
    assert_one_clear_line(run_dossier("verify", data=system.settings.data_dir), "not valid TOML")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_settings(system):
    (system.settings.data_dir / "dossier.toml").chmod(0)
    assert_one_clear_line(run_dossier("verify", data=system.settings.data_dir), "cannot read")


def test_a_database_from_a_newer_version(system):
    with system.db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    assert_one_clear_line(run_dossier("export", data=system.settings.data_dir), "newer version of Dossier")


@pytest.mark.skipif(ON_POSTGRES, reason="an SQLite file; the unreachable server below is PostgreSQL's case")
def test_a_database_file_that_is_not_a_database(system):
    db = system.settings.data_dir / "dossier.db"
    system.close()
    for suffix in ("", "-wal", "-shm"):
        (db.parent / (db.name + suffix)).unlink(missing_ok=True)
    db.write_bytes(b"garbage " * 100)
    assert_one_clear_line(run_dossier("export", data=system.settings.data_dir), "cannot open the database")


def test_database_url_from_the_environment_wins(system, tmp_path):
    other = tmp_path / "other.db"
    result = run_dossier("export", data=system.settings.data_dir, env={"DATABASE_URL": f"sqlite:///{other}"})
    assert result.returncode == 0, result.stderr
    assert other.exists()


def test_a_database_server_that_does_not_answer(system):
    """Nothing listens at the configured PostgreSQL address: one clear line, exit 2."""
    with socket.socket() as s:  # a loopback port that was free a moment ago and is closed now
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql+psycopg://dossier@127.0.0.1:{port}/dossier"
    assert_one_clear_line(run_dossier("export", data=system.settings.data_dir, env={"DATABASE_URL": url}),
                          "cannot open the database")


@pytest.mark.parametrize("backend, words", [("elasticsearch", ["index.backend", "embedded"]),
                                            ("postgresql", ["index.backend", "not a PostgreSQL database"])])
def test_an_index_backend_the_database_cannot_serve_is_refused(system, backend, words):
    if backend == "postgresql" and ON_POSTGRES:
        pytest.skip("this folder's database is PostgreSQL: the setting is valid")
    from tests.conftest import use_index_backend

    use_index_backend(system.settings.data_dir, backend)
    assert_one_clear_line(run_dossier("verify", data=system.settings.data_dir), *words)
