"""Safekeeping (POLICY.md): backups kept elsewhere, restore, and the rehearsed restore drill.

A backup folder (DEST) holds dated snapshots that share one pool of store objects, so a
second backup copies only what is new (the store is content-addressed):

    DEST/
      .lock                       held by the backup or prune writing here (flock)
      objects/ab/cd/<sha256>      the store's files, copied once, shared by every snapshot
      snapshots/<backup id>/
        data/...                  the rest of the data folder under its own relative paths,
        data/dossier.db           the database (SQLite's online backup), or
        database.pgdump           `pg_dump --format=custom` when the database is PostgreSQL
        manifest.json             written last and atomically: no manifest, no backup

A PostgreSQL backup is restored into a database named for it (`restore(..., database=URL)`,
`dossier restore --database URL`), which must be empty; the restored folder's dossier.toml
names that database. The drill restores into a scratch database it creates and drops on the
live database's server, never into the live database itself.

What is copied is a rule, not a list of today's files: every regular file of the data folder
except the folders in NOT_COPIED, the database's own files (copied through the database),
lock files (`*.lock`) and half-written temporary files (`*.tmp`, `.incoming-*`). A file someone adds to the data folder later
(a key, an anchor, certificates) comes along without a change here.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from archive_store import access, audit
from archive_store.errors import DossierError
from archive_store.filestore import fsync_dir, sha256_file
from archive_store.models import AuditEvent, DocStatus, Document, User, utcnow
from archive_store.settings import SETTINGS_FILE, Settings
from archive_store.system import System, open_system

FORMAT = 1
MANIFEST = "manifest.json"
# The index is rebuilt from the database on restore; inbox and work are files in flux that
# belong to the watcher (a file there is either still with its sender or filed soon after).
NOT_COPIED = frozenset({"index", "inbox", "work"})
STORE = "store"
_TEMP_PREFIXES = (".incoming-", ".partial-")
_CHUNK = 1 << 20
DRILL_ACTION = "backup.drilled"
SEARCH_SAMPLE = 10

Progress = Callable[[str, int, int], None]  # (stage, done, total)


class BackupRefused(DossierError):
    """The backup, restore, drill or prune cannot go ahead; the message says why."""


# --- where things are -----------------------------------------------------------------


def _dest(settings: Settings, dest: str | os.PathLike | None) -> Path:
    raw = dest or settings.backup_dest
    if not raw:
        raise BackupRefused("没有指定备份目录：请给出 DEST，或在 dossier.toml 的 [backup] 中设置 dest。")
    path = Path(raw).expanduser().resolve()
    data = settings.data_dir.resolve()
    if path == data or data in path.parents:
        # A backup inside the folder it protects is lost with it, and would back up itself.
        raise BackupRefused(f"备份目录 {path} 在数据目录 {data} 之内：备份必须存放在别处。")
    return path


def _snapshots(dest: Path) -> list[Path]:
    """Complete snapshots, oldest first: a folder without its manifest is not a backup."""
    root = dest / "snapshots"
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if not p.name.startswith(".") and (p / MANIFEST).is_file())


def _object_path(dest: Path, rel: str) -> Path:
    """`store/ab/cd/<sha>` in the data folder is `objects/ab/cd/<sha>` in the backup."""
    return dest / "objects" / rel[len(STORE) + 1:]


def _source_in_backup(dest: Path, snap: Path, rel: str) -> Path:
    if rel.startswith(STORE + "/"):
        return _object_path(dest, rel)
    return snap / "data" / rel


def _sqlite_path(system: System) -> Path | None:
    url = system.db.engine.url
    return Path(url.database).resolve() if url.get_backend_name() == "sqlite" and url.database else None


def _copied_files(data_dir: Path, skip: set[Path]) -> Iterator[tuple[str, Path]]:
    """(relative path, path) of every file the rule copies besides the store and the database."""
    for top, dirs, files in os.walk(data_dir):
        here = Path(top)
        if here == data_dir:
            dirs[:] = [d for d in dirs if d not in NOT_COPIED and d != STORE]
        dirs.sort()
        for name in sorted(files):
            path = here / name
            if path in skip or name.endswith((".lock", ".tmp")) or name.startswith(_TEMP_PREFIXES):
                continue
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(data_dir).as_posix(), path


def _store_files(store: Path) -> Iterator[tuple[str, Path]]:
    for top, dirs, files in os.walk(store):
        dirs.sort()
        for name in sorted(files):
            if re.fullmatch(r"[0-9a-f]{64}", name):
                path = Path(top) / name
                yield (Path(STORE) / path.relative_to(store)).as_posix(), path


# --- locks and writes -------------------------------------------------------------------


@contextlib.contextmanager
def _locked(dest: Path, *, exclusive: bool) -> Iterator[None]:
    """Writers (backup, prune) exclude everyone; readers (restore, drill) only writers."""
    try:
        f = open(dest / ".lock", "a+")
    except OSError as exc:
        if exclusive:
            raise BackupRefused(f"无法写入备份目录 {dest}：{exc.strerror}。") from None
        # A read-only medium (an offline copy, a write-protected disk): no one can be
        # writing into it, so a reader needs no lock.
        yield
        return
    with f:
        try:
            fcntl.flock(f, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupRefused(f"备份目录 {dest} 正被另一个备份、清理或恢复使用：请等它结束后再试。") from None
        yield


def _open_dest(dest: Path) -> None:
    try:
        dest.mkdir(parents=True, exist_ok=True)
        (dest / "objects").mkdir(exist_ok=True)
        (dest / "snapshots").mkdir(exist_ok=True)
        probe = dest / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise BackupRefused(f"无法写入备份目录 {dest}：{exc.strerror}。") from None


def _copy(src: Path, dst: Path) -> tuple[str, int]:
    """Copy and hash in one read; returns (sha256, size). Not fsynced here: `_sync` flushes
    the whole destination once before the manifest is written."""
    h, size = hashlib.sha256(), 0
    dst.parent.mkdir(parents=True, exist_ok=True)
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        while chunk := fin.read(_CHUNK):
            h.update(chunk)
            fout.write(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def _sync(path: Path) -> None:
    """Flush everything written under `path` to disk. One syncfs of its file system costs
    what one fsync does; an fsync per file cost 6 ms each here, 85% of a backup's time."""
    fd = os.open(path, os.O_RDONLY)
    try:
        if _libc_syncfs(fd) != 0:
            os.sync()
    finally:
        os.close(fd)


def _libc_syncfs(fd: int) -> int:
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).syncfs(fd)
    except (OSError, AttributeError):  # not Linux: the portable, heavier call
        return -1


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def _sqlite_out_of_room(exc: sqlite3.Error, system: System, partial: Path) -> bool:
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name == "SQLITE_FULL" or "full" in str(exc):
        return True
    if not name.startswith("SQLITE_IOERR") and "disk I/O error" not in str(exc):
        return False
    try:
        needed = Path(system.db.engine.url.database).stat().st_size
        return shutil.disk_usage(partial if partial.exists() else partial.parent).free < needed
    except (OSError, TypeError):
        return False


def _full(exc: OSError, dest: Path) -> BackupRefused | None:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return BackupRefused(f"备份目录 {dest} 空间已满：备份未完成，已清除未完成的部分。请腾出空间或换一个目录。")
    return None


# --- backup -----------------------------------------------------------------------------


@dataclass
class BackupResult:
    backup_id: str
    path: Path
    files: int
    new_objects: int
    bytes_copied: int
    counts: dict[str, int]
    warnings: list[str] = field(default_factory=list)


def backup(system: System, actor: User, dest: str | os.PathLike | None = None, *,
           progress: Progress | None = None) -> BackupResult:
    """Take a consistent snapshot of the data folder into DEST while intake and the portal run."""
    access.require(actor, access.SAFEKEEPING_ROLES, "只有档案管理员可以备份档案。")
    dest = _dest(system.settings, dest)
    _open_dest(dest)
    with _locked(dest, exclusive=True):
        backup_id = _new_id(dest)
        snap = dest / "snapshots" / backup_id
        partial = dest / "snapshots" / f".partial-{backup_id}"
        try:
            result = _take(system, dest, partial, backup_id, progress)
            os.replace(partial, snap)
            fsync_dir(snap.parent)
        except OSError as exc:
            shutil.rmtree(partial, ignore_errors=True)
            raise (_full(exc, dest) or BackupRefused(f"备份失败：{exc}；未完成的部分已清除。")) from None
        except sqlite3.Error as exc:
            # The online backup reports a full disk in its own words: SQLITE_FULL, or a
            # failed write (SQLITE_IOERR_…) with less room left than the database needs.
            full = _sqlite_out_of_room(exc, system, partial) and _full(OSError(errno.ENOSPC, str(exc)), dest)
            shutil.rmtree(partial, ignore_errors=True)
            raise (full or BackupRefused(f"备份数据库失败：{exc}；未完成的部分已清除。")) from None
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
    result.path = snap
    with system.db.write() as s:
        audit.record(s, actor=actor.username, action="backup.made", object_type="backup", object_id=backup_id,
                     after={"dest": str(dest), "files": result.files, "new_objects": result.new_objects,
                            "bytes_copied": result.bytes_copied, "documents": result.counts.get("documents", 0),
                            "warnings": result.warnings[:20]})
    return result


def _new_id(dest: Path) -> str:
    base = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    backup_id, n = base, 1
    while (dest / "snapshots" / backup_id).exists():
        n += 1
        backup_id = f"{base}-{n}"
    return backup_id


def _take(system: System, dest: Path, snap: Path, backup_id: str, progress: Progress | None) -> BackupResult:
    settings = system.settings
    data_dir = settings.data_dir.resolve()
    started = utcnow()
    files: dict[str, list] = {}
    warnings: list[str] = []
    (snap / "data").mkdir(parents=True)

    # 1. The database and the small files beside it, at one moment: with SQLite, writers are
    # held off (the write lock) for the copy, so the settings, keys and anchors in the folder
    # match the records; readers, the portal's searches, go on under WAL.
    db_path = _sqlite_path(system)
    if db_path is not None:
        skip = {p.with_name(p.name + s) for p in (db_path, data_dir / "dossier.db") for s in ("", "-wal", "-shm", "-journal")}
        with _sqlite_write_lock(db_path):
            _sqlite_copy(db_path, snap / "data" / "dossier.db")
            for rel, path in _copied_files(data_dir, skip):
                with contextlib.suppress(FileNotFoundError):  # a quarantined file retried meanwhile
                    files[rel] = list(_copy(path, snap / "data" / rel))
        files["dossier.db"] = [sha256_file(snap / "data" / "dossier.db"), (snap / "data" / "dossier.db").stat().st_size]
        snapshot_db = create_engine(f"sqlite:///{snap / 'data' / 'dossier.db'}")
        try:
            with snapshot_db.connect() as conn:
                counts, referenced = _counts(conn), _referenced(conn)
        finally:
            snapshot_db.dispose()
    else:
        # PostgreSQL: the small files first (the audit anchor then never runs ahead of the
        # records), then one repeatable-read snapshot, shared with pg_dump, that the counts
        # and the list of referenced files are read from too: writers go on meanwhile.
        for rel, path in _copied_files(data_dir, set()):
            with contextlib.suppress(FileNotFoundError):
                files[rel] = list(_copy(path, snap / "data" / rel))
        with system.db.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                snapshot_id = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                _pg_dump(system.db.engine.url, snap / "database.pgdump", snapshot_id, dest)
                counts, referenced = _counts(conn), _referenced(conn)
        files["../database.pgdump"] = [sha256_file(snap / "database.pgdump"), (snap / "database.pgdump").stat().st_size]

    # 2. The store, after the database: a filing writes its file before it commits, so every
    # file the snapshot's records name is already there. Files newer than the snapshot come
    # along too and are harmless. Objects already in DEST are not copied again.
    store_files = list(_store_files(settings.store))
    _check_space(dest, store_files)
    new_objects = copied = 0
    for done, (rel, path) in enumerate(store_files, 1):
        target = _object_path(dest, rel)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            continue  # destroyed after the snapshot; the snapshot's records say so
        if not target.is_file() or target.stat().st_size != size:
            tmp = target.with_name(f".incoming-{target.name}")
            try:
                sha, size = _copy(path, tmp)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
            if sha != target.name:
                tmp.unlink()
                warnings.append(f"store file {rel} does not match its name (altered in the live store): not copied")
                continue
            os.chmod(tmp, 0o444)
            os.replace(tmp, target)
            new_objects += 1
            copied += size
        files[rel] = [target.name, size]
        if progress:
            progress("store", done, len(store_files))
    for sha in sorted(referenced - {r.rsplit("/", 1)[-1] for r in files if r.startswith(STORE + "/")}):
        warnings.append(f"store file {sha} named by a record was missing from the live store")

    # 3. The manifest last, after everything above is on disk: until it exists, this is not
    # a backup.
    _sync(dest)
    manifest = {
        "format": FORMAT, "backup_id": backup_id, "started_at": started.isoformat(timespec="seconds") + "Z",
        "finished_at": utcnow().isoformat(timespec="seconds") + "Z",
        "database": "sqlite" if db_path is not None else "postgresql",
        "source": str(data_dir), "counts": counts, "warnings": warnings, "files": files,
    }
    _write_atomically(snap / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=0).encode("utf-8"))
    data_bytes = sum(size for rel, (_, size) in files.items() if not rel.startswith(STORE + "/"))
    return BackupResult(backup_id, snap, len(files), new_objects, copied + data_bytes, counts, warnings)


@contextlib.contextmanager
def _sqlite_write_lock(db_path: Path) -> Iterator[None]:
    conn = sqlite3.connect(db_path, timeout=60, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        yield
        conn.execute("ROLLBACK")
    finally:
        conn.close()


def _sqlite_copy(db_path: Path, target: Path) -> None:
    # A second connection reads while the first holds the write lock: under WAL it sees the
    # last commit, and nothing can commit until we are done. (Backing up from the connection
    # that holds the lock waits forever.)
    src = sqlite3.connect(db_path, timeout=60)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        # One self-contained file, no -wal beside it: the restored folder turns WAL back on.
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()


def _counts(bind) -> dict[str, int]:
    """Rows in every table, whatever tables the schema has by then (an engine, or a
    connection: then inside its transaction)."""
    with bind.connect() if isinstance(bind, Engine) else contextlib.nullcontext(bind) as conn:
        names = sorted(inspect(conn).get_table_names())
        return {n: conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one() for n in names}


def _referenced(conn) -> set[str]:
    from archive_store.verify import expected_files

    with Session(bind=conn) as s:
        return set(expected_files(s))


def _check_space(dest: Path, store_files: list[tuple[str, Path]]) -> None:
    needed = 0
    for rel, path in store_files:
        target = _object_path(dest, rel)
        if not target.is_file():
            with contextlib.suppress(FileNotFoundError):
                needed += path.stat().st_size
    free = shutil.disk_usage(dest).free
    if needed + (1 << 20) > free:  # and a megabyte for the manifest
        raise OSError(errno.ENOSPC, f"{needed} bytes needed, {free} free")


def _pg_tool_url(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_dump(url, target: Path, snapshot_id: str, dest: Path) -> None:
    try:
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot_id}",
                        f"--file={target}", _pg_tool_url(url)], check=True, capture_output=True, timeout=3600)
    except FileNotFoundError:
        raise BackupRefused("数据库是 PostgreSQL，但找不到 pg_dump：请安装 PostgreSQL 客户端工具"
                            "（Debian: apt-get install postgresql-client）。") from None
    except subprocess.CalledProcessError as exc:
        said = exc.stderr.decode(errors="replace").strip()
        if "No space left" in said or "Disk quota" in said:
            raise _full(OSError(errno.ENOSPC, said), dest) from None
        raise BackupRefused(f"pg_dump 失败：{said[:500]}") from None


# --- checking and restoring -------------------------------------------------------------


def _find_snapshot(src: str | os.PathLike, backup_id: str | None = None) -> tuple[Path, Path]:
    """(DEST, snapshot) for a DEST (its latest backup, or `backup_id`) or a snapshot folder."""
    src = Path(src).expanduser().resolve()
    if (src / MANIFEST).is_file() and src.parent.name == "snapshots":
        return src.parent.parent, src
    if backup_id:
        snap = src / "snapshots" / backup_id
        if not (snap / MANIFEST).is_file():
            raise BackupRefused(f"{src} 中没有备份 {backup_id}。")
        return src, snap
    snaps = _snapshots(src)
    if not snaps:
        raise BackupRefused(f"{src} 中没有完整的备份（没有 manifest.json）。")
    return src, snaps[-1]


def _manifest(snap: Path) -> dict:
    try:
        manifest = json.loads((snap / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupRefused(f"备份 {snap.name} 的清单无法读取（{exc}）：该备份已损坏。") from None
    if manifest.get("format") != FORMAT or not isinstance(manifest.get("files"), dict):
        raise BackupRefused(f"备份 {snap.name} 的清单格式不认识：该备份已损坏或来自更新的版本。")
    return manifest


def check_backup(src: str | os.PathLike, backup_id: str | None = None, *,
                 progress: Progress | None = None) -> tuple[Path, list[str]]:
    """Re-hash every file a backup lists: (snapshot, problems) with each changed, missing or
    extra file named. Changes nothing."""
    dest, snap = _find_snapshot(src, backup_id)
    manifest = _manifest(snap)
    problems = []
    listed = manifest["files"]
    for done, (rel, (sha, size)) in enumerate(sorted(listed.items()), 1):
        path = _source_in_backup(dest, snap, rel)
        if not path.is_file():
            problems.append(f"missing: {rel}")
        elif path.stat().st_size != size or sha256_file(path) != sha:
            problems.append(f"changed: {rel}")
        if progress:
            progress("check", done, len(listed))
    for path in sorted(p for p in snap.rglob("*") if p.is_file() and p.name != MANIFEST):
        rel = path.relative_to(snap / "data").as_posix() if (snap / "data") in path.parents else f"../{path.name}"
        if rel not in listed:
            problems.append(f"extra: {rel}")
    return snap, problems


@dataclass
class RestoreResult:
    backup_id: str
    data_dir: Path
    files: int
    indexed: int
    counts: dict[str, int]


def restore(src: str | os.PathLike, data_dir: str | os.PathLike, *, backup_id: str | None = None,
            database: str | None = None, actor_name: str = "system:cli", record: bool = True,
            progress: Progress | None = None) -> RestoreResult:
    """Restore a backup into an empty data folder: the backup is checked first and refused,
    with the list of what is wrong, if anything is; then the files, then the index.

    A PostgreSQL backup goes into the empty database `database` (or DATABASE_URL) names,
    and the restored dossier.toml names it; a SQLite backup into the folder's dossier.db.
    No acting user is checked: there is no system yet to hold one. Whoever can read the
    backup and write the folder is the operator; the restored trail records the restore."""
    target = Path(data_dir).expanduser().resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupRefused(f"{target} 不是空目录：恢复只写入新的或空的数据目录，不会覆盖现有档案。")
    dest, snap = _find_snapshot(src, backup_id)
    with _locked(dest, exclusive=False):
        if _manifest(snap).get("database") == "postgresql":
            database = _empty_target_database(database or os.environ.get("DATABASE_URL"))
        elif database:
            raise BackupRefused("这是 SQLite 数据库的备份：它恢复为数据目录中的 dossier.db，不能指定目标数据库。")
        snap, problems = check_backup(snap, progress=progress)
        if problems:
            shown = "\n  ".join(problems[:50]) + (f"\n  …及另外 {len(problems) - 50} 项" if len(problems) > 50 else "")
            raise BackupRefused(f"备份 {snap.name} 已损坏，未恢复：\n  {shown}")
        manifest = _manifest(snap)
        made_target = not target.exists()
        try:
            _restore_files(dest, snap, manifest, target, progress, database)
        except BaseException:
            # The folder was empty before: leave it so, not half restored.
            if made_target:
                shutil.rmtree(target, ignore_errors=True)
            else:
                for child in target.iterdir():
                    shutil.rmtree(child) if child.is_dir() else child.unlink()
            raise
    with _env_without("DATABASE_URL"):  # the restored folder's own settings name its database
        system = open_system(target)
        try:
            from archive_store.search_docs import rebuild

            indexed = rebuild(system)
            counts = _counts(system.db.engine)
            if record:
                with system.db.write() as s:
                    audit.record(s, actor=actor_name, action="backup.restored", object_type="backup",
                                 object_id=manifest["backup_id"], after={"from": str(snap), "source": manifest["source"]})
        finally:
            system.close()
    return RestoreResult(manifest["backup_id"], target, len(manifest["files"]), indexed, counts)


def _restore_files(dest: Path, snap: Path, manifest: dict, target: Path, progress: Progress | None,
                   database: str | None) -> None:
    target.mkdir(parents=True, exist_ok=True)
    listed = manifest["files"]
    for done, rel in enumerate(sorted(listed), 1):
        if rel.startswith("../"):
            continue  # the PostgreSQL dump: restored into the database below
        out = target / rel
        _copy(_source_in_backup(dest, snap, rel), out)
        if rel.startswith(STORE + "/"):
            os.chmod(out, 0o444)  # the store is write-once, as the file store leaves it
        elif rel == SETTINGS_FILE:
            os.chmod(out, 0o600)  # it holds the session secret
        if progress:
            progress("restore", done, len(listed))
    if manifest["database"] == "sqlite":
        _point_settings_at(target / SETTINGS_FILE, "sqlite:///dossier.db")
    else:
        _pg_restore(snap / "database.pgdump", database)
        _point_settings_at(target / SETTINGS_FILE, database)
    _sync(target)


def _point_settings_at(path: Path, url: str) -> None:
    """The restored folder names its own database (its dossier.db, or the database restored
    into), never the one the original named: that may be the live one."""
    if not path.is_file():
        return
    text_ = path.read_text(encoding="utf-8")
    line = f"database_url = {json.dumps(url)}"  # a JSON string is a TOML basic string
    fixed = re.sub(r'(?m)^database_url\s*=.*$', lambda _: line, text_)
    if fixed != text_:
        path.write_text(fixed, encoding="utf-8")


def _pg_engine_url(url: str):
    """The URL as SQLAlchemy opens it with the driver Dossier installs (psycopg 3)."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+psycopg") if parsed.drivername == "postgresql" else parsed


def _empty_target_database(url: str | None) -> str:
    """The database a PostgreSQL backup is restored into: named, reachable and empty. A
    restore never writes into a database that has tables: they may be someone's records."""
    if not url or not url.startswith("postgresql"):
        raise BackupRefused("这是 PostgreSQL 数据库的备份：请用 --database（或环境变量 DATABASE_URL）"
                            "指定一个空的 PostgreSQL 目标数据库后再恢复。")
    from sqlalchemy.exc import SQLAlchemyError

    engine = create_engine(_pg_engine_url(url))
    name = engine.url.database
    try:
        with engine.connect() as conn:
            tables = inspect(conn).get_table_names()
    except SQLAlchemyError as exc:
        raise BackupRefused(f"无法连接目标数据库 {name}：{str(getattr(exc, 'orig', None) or exc).strip()[:300]}") from None
    finally:
        engine.dispose()
    if tables:
        raise BackupRefused(f"目标数据库 {name} 不是空的（已有 {len(tables)} 张表）：恢复只写入空的数据库，"
                            "不会覆盖现有档案。请新建一个空数据库后再恢复。")
    return url


def _pg_restore(dump: Path, url: str) -> None:
    # One transaction: a restore that fails leaves the target database empty, as it was.
    try:
        subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                        f"--dbname={_pg_tool_url(make_url(url))}", str(dump)],
                       check=True, capture_output=True, timeout=3600)
    except FileNotFoundError:
        raise BackupRefused("找不到 pg_restore：请安装 PostgreSQL 客户端工具（Debian: apt-get install postgresql-client）。") from None
    except subprocess.CalledProcessError as exc:
        raise BackupRefused(f"pg_restore 失败：{exc.stderr.decode(errors='replace').strip()[:500]}") from None


@contextlib.contextmanager
def _env_without(name: str) -> Iterator[None]:
    # A restored SQLite folder must open its own dossier.db, never the live database that an
    # environment variable of this process names.
    saved = os.environ.pop(name, None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ[name] = saved


# --- the drill --------------------------------------------------------------------------


@dataclass
class DrillReport:
    backup_id: str | None
    passed: bool
    problems: list[str]
    backup_counts: dict[str, int]
    restored_counts: dict[str, int]
    live_counts: dict[str, int]
    searches: list[tuple[str, int, int]]  # (query, restored total, live total)
    stored_files_checked: int
    audit_events_checked: int
    seconds: float
    stages: dict[str, float] = field(default_factory=dict)  # where the time went


def drill(system: System, actor: User, dest: str | os.PathLike | None = None, *,
          scratch: str | os.PathLike | None = None, progress: Progress | None = None) -> DrillReport:
    """恢复演练: restore the latest backup into a scratch folder, check it as `verify` and
    `audit verify` would, compare it with the live system, and record how it went.

    On PostgreSQL the backup is restored into a scratch database created for the drill on
    the live database's server and dropped afterwards (the live database's role needs
    CREATEDB): the live database is only read, for the comparison."""
    access.require(actor, access.SAFEKEEPING_ROLES, "只有档案管理员可以进行恢复演练。")
    dest = _dest(system.settings, dest)
    started = time.monotonic()
    problems: list[str] = []
    report = DrillReport(None, False, problems, {}, {}, {}, [], 0, 0, 0.0)
    work = Path(tempfile.mkdtemp(prefix="dossier-drill-", dir=scratch))
    scratch_db = None
    try:
        _, snap = _find_snapshot(dest)
        report.backup_id = snap.name
        report.backup_counts = _manifest(snap)["counts"]
        if _manifest(snap).get("database") == "postgresql":
            scratch_db = _scratch_database(system)
        restore(snap, work / "data", record=False, progress=progress, database=scratch_db)
        report.stages["restore"] = time.monotonic() - started
        with _env_without("DATABASE_URL"):
            restored = open_system(work / "data")
        try:
            _compare(system, restored, report)
        finally:
            restored.close()
    except DossierError as exc:
        problems.append(str(exc))
    except Exception as exc:  # noqa: BLE001 - a drill that breaks is a failed drill, and is recorded
        problems.append(f"the drill stopped: {type(exc).__name__}: {exc}")
    finally:
        mark = time.monotonic()
        shutil.rmtree(work, ignore_errors=True)
        if scratch_db:
            try:
                _drop_scratch_database(system, scratch_db)
            except Exception as exc:  # noqa: BLE001 - the drill's result stands; say what is left behind
                problems.append(f"the scratch database {make_url(scratch_db).database} could not be dropped: {exc}")
        report.stages["cleanup"] = time.monotonic() - mark
    report.passed = not problems and report.backup_id is not None
    report.seconds = round(time.monotonic() - started, 2)
    with system.db.write() as s:
        audit.record(s, actor=actor.username, action=DRILL_ACTION, object_type="backup",
                     object_id=report.backup_id or "-",
                     after={"result": "passed" if report.passed else "failed", "dest": str(dest),
                            "problems": problems[:20], "seconds": report.seconds,
                            "documents": report.restored_counts.get("documents", 0)})
    return report


def _scratch_database(system: System) -> str:
    """A new, empty database beside the live one, for the drill to restore into."""
    from sqlalchemy.exc import SQLAlchemyError

    live = system.db.engine.url
    name = f"{live.database[:40]}_drill_{os.urandom(4).hex()}"
    with system.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        try:
            conn.execute(text(f"CREATE DATABASE {conn.dialect.identifier_preparer.quote(name)} TEMPLATE template0"))
        except SQLAlchemyError as exc:
            said = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300]
            raise BackupRefused(f"恢复演练要在数据库服务器上新建一个临时数据库，但没能建成（{said}）："
                                f"请给数据库账号 {live.username} 建库权限（ALTER ROLE … CREATEDB）。") from None
    return live.set(database=name).render_as_string(hide_password=False)


def _drop_scratch_database(system: System, url: str) -> None:
    name = make_url(url).database
    if name == system.db.engine.url.database or "_drill_" not in name:  # never the live database
        raise BackupRefused(f"{name} 不是恢复演练的临时数据库，不会删除。")
    with system.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {conn.dialect.identifier_preparer.quote(name)} WITH (FORCE)"))


def _compare(live: System, restored: System, report: DrillReport) -> None:
    from archive_store.verify import verify_store

    problems = report.problems
    mark = time.monotonic()
    with restored.db.read() as s:
        fixity = verify_store(s, restored.store)
        chain = audit.verify_chain(s)
        report.audit_events_checked = audit.count(s)
    report.stored_files_checked = fixity.checked
    problems += [f"verify: {p.problem} {fixity.owners.get(p.sha256, '?')} {p.sha256}" for p in fixity.problems]
    problems += [f"audit verify: event {p.seq}: {p.problem}" for p in chain]
    report.stages["verify and audit verify"] = time.monotonic() - mark
    mark = time.monotonic()

    report.restored_counts = _counts(restored.db.engine)
    report.live_counts = _counts(live.db.engine)
    for table, n in report.backup_counts.items():
        if report.restored_counts.get(table) != n:
            problems.append(f"counts: {table} has {report.restored_counts.get(table)} rows restored, {n} in the backup")
        # Records are kept, never deleted (a destroyed document keeps its row), so the live
        # system has at least what the backup had.
        if table in ("documents", "archives", "audit_events") and report.live_counts.get(table, 0) < n:
            problems.append(f"counts: {table} has {report.live_counts.get(table)} rows live, fewer than the backup's {n}")
    _compare_searches(live, restored, report)
    report.stages["counts and searches"] = time.monotonic() - mark


def _compare_searches(live: System, restored: System, report: DrillReport) -> None:
    """A spread of the restored documents, each looked up by number and by its customer's
    name in both systems: what the backup finds, the live system finds too."""
    from archive_store.search import search
    from archive_store.users import console_actor

    operator = console_actor("system:drill")
    with restored.db.read() as s:
        ids = list(s.scalars(select(Document.id).where(Document.status != DocStatus.destroyed).order_by(Document.id)))
        step = max(1, len(ids) // SEARCH_SAMPLE)
        sample = [s.get(Document, i) for i in ids[::step][:SEARCH_SAMPLE]]
        queries = [(d.doc_no, f"doc:{d.doc_no}") for d in sample]
        queries += [(d.doc_no, f'"{d.archive.name}"') for d in sample if d.archive.name and '"' not in d.archive.name]
    with live.db.read() as s:
        live_gone = set(s.scalars(select(Document.doc_no).where(Document.status == DocStatus.destroyed)))
    for doc_no, query in queries:
        here = search(restored, operator, query, page_size=200)
        there = search(live, operator, query, page_size=200)
        report.searches.append((query, here.total, there.total))
        if doc_no not in {h.doc_no for h in here.hits}:
            report.problems.append(f"search: {query} does not find {doc_no} in the restored system")
        missing = {h.doc_no for h in here.hits} - {h.doc_no for h in there.hits} - live_gone
        if missing and here.total <= 200 and there.total <= 200:
            report.problems.append(f"search: {query} finds {', '.join(sorted(missing)[:5])} restored but not live")


@dataclass(frozen=True)
class DrillStatus:
    at: datetime | None        # UTC, None: never drilled
    backup_id: str | None
    passed: bool
    problems: list[str]
    age_days: int | None
    max_age_days: int

    @property
    def overdue(self) -> bool:
        return self.at is None or not self.passed or self.age_days > self.max_age_days


def last_drill(system: System, actor: User) -> DrillStatus:
    """When the last restore drill ran and how it went, for the archive manager and the auditor."""
    access.require(actor, access.DRILL_VIEW_ROLES, "您的角色不能查看恢复演练记录。")
    with system.db.read() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == DRILL_ACTION)
                         .order_by(AuditEvent.seq.desc()).limit(1))
    limit = system.settings.drill_max_age_days
    if event is None:
        return DrillStatus(None, None, False, [], None, limit)
    after = json.loads(event.after or "{}")
    return DrillStatus(event.at, event.object_id, after.get("result") == "passed", after.get("problems", []),
                       (utcnow() - event.at).days, limit)


# --- retention --------------------------------------------------------------------------


def _created(snap: Path) -> datetime:
    return datetime.strptime(snap.name[:16], "%Y%m%dT%H%M%SZ")


def _expires_on(settings: Settings, snap: Path) -> date:
    return (_created(snap) + timedelta(days=settings.backup_keep_days)).date()


@dataclass
class PruneResult:
    removed: list[str]
    kept: list[str]
    objects_removed: int


def prune(system: System, actor: User, dest: str | os.PathLike | None = None, *,
          now: datetime | None = None) -> PruneResult:
    """Remove the backups older than `[backup] keep_days`, and the store objects no remaining
    backup lists. The newest backup is always kept, however old: it may be the only one."""
    access.require(actor, access.SAFEKEEPING_ROLES, "只有档案管理员可以清理过期备份。")
    dest = _dest(system.settings, dest)
    if not dest.is_dir():
        raise BackupRefused(f"备份目录 {dest} 不存在。")
    now = now or utcnow()
    with _locked(dest, exclusive=True):
        snaps = _snapshots(dest)
        expired = [p for p in snaps[:-1] if _created(p) + timedelta(days=system.settings.backup_keep_days) < now]
        for snap in expired:
            # The manifest goes first: a half-removed snapshot must never look complete.
            (snap / MANIFEST).unlink()
            fsync_dir(snap)
            shutil.rmtree(snap)
        for stale in (dest / "snapshots").glob(".partial-*"):
            shutil.rmtree(stale, ignore_errors=True)  # a backup that crashed; no one writes it now
        kept = [p for p in snaps if p not in expired]
        listed = set()
        for snap in kept:
            listed |= {rel for rel in _manifest(snap)["files"] if rel.startswith(STORE + "/")}
        removed_objects = 0
        for rel, path in list(_store_files(dest / "objects")):
            if rel not in listed:
                path.unlink()
                removed_objects += 1
    result = PruneResult([p.name for p in expired], [p.name for p in kept], removed_objects)
    with system.db.write() as s:
        audit.record(s, actor=actor.username, action="backup.pruned", object_type="backup", object_id=str(dest),
                     after={"removed": result.removed, "objects_removed": removed_objects,
                            "keep_days": system.settings.backup_keep_days})
    return result


def backups_holding(settings: Settings, sha256: str | Iterable[str],
                    dest: str | os.PathLike | None = None) -> list[tuple[str, date]]:
    """The backups that still hold a stored file (or any of several), and the day each expires
    under the current `keep_days`, for a destruction certificate. The newest backup outlives
    its date until a newer one exists (prune keeps it). Reads each manifest in DEST (or
    `[backup] dest`) once."""
    raw = dest or settings.backup_dest
    if not raw or not Path(raw).is_dir():
        return []
    shas = [sha256] if isinstance(sha256, str) else list(sha256)
    wanted = {f"{STORE}/{sha[:2]}/{sha[2:4]}/{sha}" for sha in shas}
    return [(snap.name, _expires_on(settings, snap)) for snap in _snapshots(Path(raw).expanduser().resolve())
            if wanted & _manifest(snap)["files"].keys()]


def list_backups(settings: Settings, dest: str | os.PathLike | None = None) -> list[dict]:
    dest = _dest(settings, dest)
    out = []
    for snap in _snapshots(dest):
        m = _manifest(snap)
        out.append({"backup_id": snap.name, "finished_at": m["finished_at"], "files": len(m["files"]),
                    "documents": m["counts"].get("documents", 0), "expires_on": _expires_on(settings, snap).isoformat()})
    return out
