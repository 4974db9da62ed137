"""Fixtures shared by every room's tests."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
DOSSIER = str(Path(sys.executable).parent / "dossier")

# `DOSSIER_TEST_DB=postgresql` runs the suite against a temporary PostgreSQL cluster
# (tests/pg.py): every new data folder gets its own database. Unset, SQLite as shipped.
ON_POSTGRES = os.environ.get("DOSSIER_TEST_DB") == "postgresql"
_cluster = None


def pytest_configure(config):
    global _cluster
    if not ON_POSTGRES:
        return
    from archive_store import settings as settings_mod
    from archive_store import system as system_mod
    from tests.pg import Cluster

    _cluster = Cluster()
    _cluster.start()
    plain = settings_mod.write_default_settings

    def write_default_settings(data_dir):
        path = plain(data_dir)
        text = path.read_text(encoding="utf-8").replace(
            'database_url = "sqlite:///dossier.db"', f'database_url = "{_cluster.new_database()}"')
        path.write_text(text, encoding="utf-8")
        return path

    # both names: system.py imported the function before this patch
    settings_mod.write_default_settings = write_default_settings
    system_mod.write_default_settings = write_default_settings


def empty_database(data: Path) -> str:
    """Point the data folder `data` (its dossier.toml written) at an empty database, and
    return its URL: the folder's own SQLite file, or a new PostgreSQL database."""
    if not ON_POSTGRES:
        return f"sqlite:///{data}/dossier.db"
    path = data / "dossier.toml"
    url = _cluster.new_database(empty=True)
    path.write_text(re.sub(r'(?m)^database_url = .*$', f'database_url = "{url}"', path.read_text(encoding="utf-8")),
                    encoding="utf-8")
    return url


def restore_database() -> str | None:
    """Where a restore in the PostgreSQL pass puts a backup's database: a new, empty one
    (None on SQLite: the restored folder's own dossier.db)."""
    return _cluster.new_database(empty=True) if ON_POSTGRES else None


def copy_data_folder(src: Path, dst: Path) -> None:
    """A copy of a closed data folder that works on its own: on PostgreSQL with a copy of
    its database, named in the copy's dossier.toml."""
    import shutil

    shutil.copytree(src, dst)
    if ON_POSTGRES:
        path = dst / "dossier.toml"
        text = path.read_text(encoding="utf-8")
        url = re.search(r'(?m)^database_url = "([^"]+)"$', text).group(1)
        path.write_text(text.replace(url, _cluster.new_database(like=url)), encoding="utf-8")


def pg_databases() -> set[str]:
    return _cluster.databases()


# The search index's two backends (archive_store.search_docs.open_index): tests of search
# behaviour run against each; the database one needs the PostgreSQL pass.
INDEX_BACKENDS = ["embedded", pytest.param("postgresql", marks=pytest.mark.skipif(
    not ON_POSTGRES, reason="the PostgreSQL index needs DOSSIER_TEST_DB=postgresql"))]


def new_index(backend: str, folder: Path):
    """An empty index of `backend`: whoosh files in `folder`, or a new migrated database."""
    if backend == "embedded":
        from index import SearchIndex

        return SearchIndex(folder, procs=1)
    from sqlalchemy import create_engine

    from index import PgSearchIndex

    return PgSearchIndex(create_engine(_cluster.new_database()))


def use_index_backend(data: Path, backend: str) -> None:
    """Write `[index] backend` into the data folder `data` (made if needed) before it is opened."""
    from archive_store.settings import SETTINGS_FILE, write_default_settings

    data.mkdir(parents=True, exist_ok=True)
    path = data / SETTINGS_FILE
    if not path.exists():
        write_default_settings(data)
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r'(?m)^backend = .*$', f'backend = "{backend}"', text), encoding="utf-8")


def pg_cluster():
    """The PostgreSQL pass's cluster (None on SQLite), for tests that stop its server."""
    return _cluster


def pytest_unconfigure(config):
    if _cluster is not None:
        _cluster.stop()


def pytest_report_header(config):
    return f"database: {'PostgreSQL (temporary cluster)' if ON_POSTGRES else 'SQLite'}"


@pytest.fixture
def system(tmp_path):
    """A fresh data folder, initialised and migrated, with its admin account."""
    from archive_store.system import init_data_dir

    sys_, _password = init_data_dir(tmp_path / "data")
    yield sys_
    sys_.close()


def run_dossier(*args: str, data: Path | None = None, input: str | None = None,
                env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real `dossier` command as a user would."""
    if ON_POSTGRES and data is not None and args[:1] in (("init",), ("run",)) and not (Path(data) / "dossier.toml").exists():
        # `dossier init` keeps settings it finds: these name a database of its own on the cluster
        from archive_store import settings as settings_mod

        Path(data).mkdir(parents=True, exist_ok=True)
        settings_mod.write_default_settings(Path(data))
    full_env = {k: v for k, v in os.environ.items() if k not in ("DOSSIER_DATA", "DATABASE_URL")}
    full_env.update(env or {})
    cmd = [DOSSIER] + (["--data", str(data)] if data else []) + list(args)
    return subprocess.run(cmd, input=input, capture_output=True, text=True, env=full_env, timeout=timeout)


# --- the portal in a real browser ------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"  # Debian's package: never a browser Playwright downloads
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = REPO / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the run, driven by Playwright."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@contextmanager
def serve(app) -> Iterator[str]:
    """The portal on werkzeug's threaded server in a thread, on a free loopback port (the
    browser tests' in-process app; `dossier run` serves with gunicorn, tests/test_run_main_job.py)."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def shot(page, name: str) -> None:
    """A screenshot to look at after the run (test-artifacts/screenshots)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
