"""Opening the system of record: settings, database (migrated forward) and the file store."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from archive_store.audit import load_keys
from archive_store.db import Database, migrate
from archive_store.errors import SetupError
from archive_store.filestore import FileStore
from archive_store.models import Role, User
from archive_store.settings import Settings, data_dir_from_env, load_settings, write_default_settings

DATA_SUBFOLDERS = ("inbox", "work", "quarantine", "store", "index", "certificates")


@dataclass
class System:
    settings: Settings
    db: Database
    store: FileStore

    def close(self) -> None:
        self.db.dispose()


# what holds records, originals or secrets: the service's own user only. The inbox is left
# as it is: it is often shared so that clerks and scanners can write to it.
PRIVATE_SUBFOLDERS = ("work", "quarantine", "store", "index", "certificates")


def _keep_private(settings: Settings) -> None:
    """Files the service writes are readable by its own user only: a umask for everything
    this process creates, and the folders and the SQLite database of a data folder made
    before this rule (or by hand) closed to others."""
    os.umask(0o077)
    for name in PRIVATE_SUBFOLDERS:
        _chmod(settings.data_dir / name, 0o700)
    if settings.database_url.startswith("sqlite:///"):
        db = settings.database_url[len("sqlite:///"):]
        for suffix in ("", "-wal", "-shm", "-journal"):
            _chmod(Path(db + suffix), 0o600)


def _chmod(path: Path, mode: int) -> None:
    try:
        if path.exists() and path.stat().st_mode & 0o077:
            path.chmod(mode)
    except OSError:  # not ours to change (another owner): the umask still covers new files
        pass


def open_system(data_dir: str | os.PathLike | None = None, *, migrate_db: bool = True) -> System:
    settings = load_settings(data_dir)
    for name in DATA_SUBFOLDERS:
        folder = settings.data_dir / name
        try:
            folder.mkdir(exist_ok=True)
        except OSError as exc:
            raise SetupError(f"cannot create {folder}: {exc.strerror}; check the data folder's permissions") from None
    if not os.access(settings.data_dir, os.W_OK):
        raise SetupError(f"the data folder {settings.data_dir} is not writable by this user")
    for code in settings.business_lines:
        (settings.inbox / code).mkdir(exist_ok=True)
    db = Database(settings.database_url)
    if migrate_db:
        migrate(db)
    _keep_private(settings)
    db.attach(audit=load_keys(settings.data_dir, db))
    system = System(settings=settings, db=db, store=FileStore(settings.store))
    if settings.index_backend == "postgresql":
        # Here, not at the top: the index and its analyzer load only where they are used.
        from archive_store.search_docs import index_with_each_commit

        index_with_each_commit(system)
    return system


def init_data_dir(data_dir: str | os.PathLike | None = None) -> tuple[System, str | None]:
    """Create (or complete) a data folder; returns the admin password if one was made now."""
    root = data_dir_from_env(data_dir)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SetupError(f"cannot create the data folder {root}: {exc.strerror}") from None
    if not (root / "dossier.toml").exists():
        write_default_settings(root)
    system = open_system(root)
    password = None
    with system.db.write() as session:
        if not session.scalar(select(func.count()).select_from(User).where(User.role == Role.admin)):
            # here, not at the top: users.py hashes a password as it loads, which every
            # command opening the system would pay
            from archive_store.users import create_account

            _, password = create_account(session, actor="system:init", username="admin", role=Role.admin)
    return system, password

