"""Safekeeping: backup, restore, the restore drill, prune, and a data folder that can move.

Run on SQLite and, in the PostgreSQL pass, on PostgreSQL: there a restore goes into a new,
empty database (`restore_database`), and a copy of a data folder copies its database too."""
from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from archive_store import backup as safekeeping
from archive_store.errors import NotAllowed
from archive_store.models import AuditEvent, User, utcnow
from archive_store.system import open_system
from archive_store.users import console_actor
from archive_store.verify import expected_files
from tests.conftest import DOSSIER, ON_POSTGRES, copy_data_folder, pg_databases, restore_database, run_dossier

sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="about the data folder's own SQLite file")

QUERIES = ["华东", "合同", "张伟", 'party_a:"上海华东贸易有限公司"', "uscc:91310000MA1FL8TK4X"]


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """One seeded data folder per module; each test works on its own copy of it."""
    from archive_store.system import init_data_dir
    from tests.web.seed import seed

    system, _ = init_data_dir(tmp_path_factory.mktemp("template") / "data")
    seed(system)
    system.close()
    return system.settings.data_dir


@pytest.fixture
def live(template, tmp_path):
    data = tmp_path / "live"
    copy_data_folder(template, data)
    system = open_system(data)
    yield system
    system.close()


def operator() -> User:
    return console_actor()


def restore_args() -> list[str]:
    """`dossier restore`'s target database in the PostgreSQL pass."""
    return ["--database", restore_database()] if ON_POSTGRES else []


def restore(src, out, **kw):
    return safekeeping.restore(src, out, database=restore_database(), **kw)


def export(data: Path) -> list[dict]:
    result = run_dossier("export", data=data)
    assert result.returncode == 0, result.stderr
    return sorted((json.loads(line) for line in result.stdout.splitlines()), key=lambda r: r["doc_no"])


def answers(data: Path) -> dict[str, object]:
    out = {}
    for q in QUERIES:
        result = run_dossier("search", q, "--json", data=data)
        assert result.returncode == 0, result.stderr
        out[q] = [(h["doc_no"], h["title"]) for h in json.loads(result.stdout)["hits"]]
    return out


def add_document(system, name: str) -> str:
    from tests.web.seed import _file
    from archive_store.matching import CustomerRef
    from datetime import date

    return _file(system, name=name, doc_type="contract", customer=CustomerRef("enterprise", name=f"{name}有限公司"),
                 title=f"{name}合同", lines=[("合同编号", name, "contract_no")], fields={"contract_no": name},
                 issue=date(2025, 1, 2))


# --- the whole round trip with the real command ------------------------------------------


@pytest.mark.e2e
def test_backup_then_lose_the_folder_then_restore_gives_the_same_documents_and_answers(live, tmp_path):
    data, dest = live.settings.data_dir, tmp_path / "offsite"
    live.close()
    before_docs, before_answers = export(data), answers(data)
    made = run_dossier("backup", str(dest), data=data)
    assert made.returncode == 0, made.stderr
    assert "7 documents" in made.stdout
    shutil.rmtree(data)

    restored = run_dossier("restore", str(dest), *restore_args(), data=data)
    assert restored.returncode == 0, restored.stderr
    verify = run_dossier("verify", data=data)
    assert verify.returncode == 0 and "0 problem(s)" in verify.stdout, verify.stdout
    assert run_dossier("audit", "verify", data=data).returncode == 0
    assert export(data) == before_docs
    assert answers(data) == before_answers
    # the restore itself is on the record of the restored folder
    system = open_system(data)
    with system.db.read() as s:
        assert s.scalar(select(AuditEvent.actor).where(AuditEvent.action == "backup.restored")) == "system:cli"
    system.close()


# --- incremental ------------------------------------------------------------------------


def test_a_second_backup_copies_only_the_new_store_files(live, tmp_path):
    dest = tmp_path / "offsite"
    first = safekeeping.backup(live, operator(), dest)
    stored = {p.name for p in live.store.root.rglob("*") if p.is_file()}
    assert first.new_objects == len(stored)
    add_document(live, "NEW-1")
    second = safekeeping.backup(live, operator(), dest)
    assert second.new_objects == 2  # the new original and its page image, nothing else
    assert second.counts["documents"] == first.counts["documents"] + 1
    # two dated snapshots, each complete with its own manifest, sharing one pool of objects
    assert [p.name for p in safekeeping._snapshots(dest)] == [first.backup_id, second.backup_id]
    objects = [p for p in (dest / "objects").rglob("*") if p.is_file()]
    assert len(objects) == len(stored) + 2
    # the older snapshot still restores as it was
    result = restore(dest, tmp_path / "old", backup_id=first.backup_id)
    assert result.counts["documents"] == first.counts["documents"]


# --- a backup while the watcher files ----------------------------------------------------


@pytest.mark.e2e
def test_a_backup_taken_while_the_watcher_files_restores_consistently(live, tmp_path):
    import threading
    import time

    from tests.intake import samples
    from tests.intake.test_watcher_e2e import Watcher, wait_until

    data, dest = live.settings.data_dir, tmp_path / "offsite"
    src = tmp_path / "src"
    src.mkdir()
    for i in range(16):
        (samples.docx_form if i % 2 else samples.pdf_form)(src / f"f{i:02d}.{'docx' if i % 2 else 'pdf'}", i, seed=25)

    def trickle():  # files keep arriving, as from a scanner, while the backups run
        for p in sorted(src.iterdir()):
            shutil.copyfile(p, data / "inbox" / p.name)
            time.sleep(0.7)

    watcher = Watcher(data, tmp_path / "watch.log").start()
    dropper = threading.Thread(target=trickle)
    try:
        dropper.start()
        taken, deadline = [], time.monotonic() + 400
        while not taken or taken[-1] < 7 + 16:
            made = safekeeping.backup(live, operator(), dest)
            assert not made.warnings, made.warnings
            taken.append(made.counts["documents"])
            assert time.monotonic() < deadline, f"the watcher did not file everything: {taken}"
            time.sleep(0.5)  # a backup every half second or so: enough of them land mid-filing
        dropper.join()
        wait_until(lambda: not [p for p in (data / "work").rglob("*") if p.is_file() and p.name != ".lock"], 60, "the watcher to finish", watcher.log)
    finally:
        watcher.stop()
    snaps = safekeeping._snapshots(dest)
    mid = [snap for snap, n in zip(snaps, taken) if 7 < n < 7 + 16]
    assert mid, f"no backup was taken while filing: documents per backup {taken}"
    for snap in (mid[len(mid) // 2], snaps[-1]):
        counts = safekeeping._manifest(snap)["counts"]
        out = tmp_path / f"restored-{snap.name}"
        result = restore(snap, out, record=False)
        assert result.counts["documents"] == counts["documents"]
        assert run_dossier("verify", data=out).returncode == 0
        assert run_dossier("audit", "verify", data=out).returncode == 0
        restored = open_system(out)
        with restored.db.read() as s:
            named = set(expected_files(s))
        restored.close()
        stored = {p.name for p in (out / "store").rglob("*") if p.is_file()}
        assert named <= stored, "a record names a file the backup does not hold"
        assert len(export(out)) == counts["documents"]


# --- the drill ---------------------------------------------------------------------------


def test_the_drill_restores_checks_compares_and_records_how_it_went(live, tmp_path):
    from archive_store.models import Role

    dest = tmp_path / "offsite"
    safekeeping.backup(live, operator(), dest)
    add_document(live, "AFTER-1")  # the live system moves on after the backup
    report = safekeeping.drill(live, operator(), dest)
    assert report.passed, report.problems
    assert report.backup_counts["documents"] == report.restored_counts["documents"] == 7
    assert report.live_counts["documents"] == 8
    assert report.stored_files_checked == 14 and report.audit_events_checked > 0
    assert len(report.searches) >= 7 and all(restored <= live_ for _, restored, live_ in report.searches)
    manager = User(username="am", role=Role.archive_manager, active=True)
    status = safekeeping.last_drill(live, manager)
    assert status.passed and status.backup_id == report.backup_id and not status.overdue
    with pytest.raises(NotAllowed):
        safekeeping.last_drill(live, User(username="s", role=Role.sales, active=True))


def test_the_drill_of_a_damaged_backup_fails_and_the_failure_is_recorded(live, tmp_path):
    dest = tmp_path / "offsite"
    made = safekeeping.backup(live, operator(), dest)
    victim = next(p for p in (dest / "objects").rglob("*") if p.is_file())
    victim.chmod(0o644)
    victim.write_bytes(b"bit rot")
    report = safekeeping.drill(live, operator(), dest)
    assert not report.passed and "changed: store/" in report.problems[0]
    status = safekeeping.last_drill(live, operator())
    assert not status.passed and status.backup_id == made.backup_id and status.overdue


@pytest.mark.e2e
def test_dossier_drill_prints_the_report_and_exits_0(live, tmp_path):
    data, dest = live.settings.data_dir, tmp_path / "offsite"
    live.close()
    assert run_dossier("backup", str(dest), data=data).returncode == 0
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    result = run_dossier("drill", str(dest), "--scratch", str(scratch), data=data)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASSED" in result.stdout and "documents: 7 in the backup, 7 restored, 7 live" in result.stdout
    assert list(scratch.iterdir()) == []  # the scratch copy is gone afterwards


def test_a_drill_never_run_or_older_than_the_setting_is_overdue():
    assert safekeeping.DrillStatus(None, None, False, [], None, 90).overdue
    assert safekeeping.DrillStatus(utcnow(), "x", True, [], 91, 90).overdue
    assert not safekeeping.DrillStatus(utcnow(), "x", True, [], 89, 90).overdue


# --- bad input ------------------------------------------------------------------------------


def test_a_dest_inside_the_data_folder_is_refused(live):
    with pytest.raises(safekeeping.BackupRefused, match="在数据目录"):
        safekeeping.backup(live, operator(), live.settings.data_dir / "backups")
    result = run_dossier("backup", str(live.settings.data_dir / "certificates" / "bk"), data=live.settings.data_dir)
    assert result.returncode == 1 and "别处" in result.stderr and "Traceback" not in result.stderr


def test_only_the_archive_manager_backs_up(live, tmp_path):
    from archive_store.models import Role

    with pytest.raises(NotAllowed):
        safekeeping.backup(live, User(username="c", role=Role.clerk, active=True), tmp_path / "x")
    assert not (tmp_path / "x").exists()


def _in_small_mount(size: str, script: str) -> subprocess.CompletedProcess:
    """Run `script` with $M a fresh tmpfs of `size`, in a private mount namespace."""
    probe = subprocess.run(["unshare", "--mount", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("cannot make a private mount namespace here")
    return subprocess.run(["unshare", "--mount", "sh", "-c",
                           f"M=$(mktemp -d) && mount -t tmpfs -o size={size} tmpfs $M && {script}"],
                          capture_output=True, text=True, timeout=300)


@pytest.mark.e2e
@pytest.mark.parametrize("full_during", ["database", "store"])
def test_a_full_dest_fails_cleanly_and_leaves_no_backup_that_looks_complete(live, full_during):
    data = live.settings.data_dir
    live.close()
    size = "64k"  # full during the database copy
    if full_during == "store":  # the database fits, the store does not (sized from this folder)
        database = data / "dossier.db"  # none on PostgreSQL: its dump is small
        store = sum(p.stat().st_size for p in (data / "store").rglob("*") if p.is_file())
        room = (database.stat().st_size if database.exists() else 0) + 200 * 1024
        assert store > 2 * 200 * 1024, "the seeded store is too small to overflow the mount"
        size = f"{room // 1024}k"
    result = _in_small_mount(size, f'{DOSSIER} --data {data} backup $M/bk; echo "rc=$?"; '
                                   f'find $M -name manifest.json; ls -A $M/bk/snapshots')
    assert "rc=1" in result.stdout, result.stdout + result.stderr
    assert "空间已满" in result.stderr and "Traceback" not in result.stderr
    assert "manifest.json" not in result.stdout
    assert result.stdout.strip().endswith("rc=1"), "a snapshot folder was left behind: " + result.stdout


@pytest.mark.e2e
def test_a_dest_that_is_not_writable_is_refused(live):
    data = live.settings.data_dir
    live.close()
    result = _in_small_mount("1m", f'mount -o remount,ro $M && {DOSSIER} --data {data} backup $M/bk; echo "rc=$?"')
    assert "rc=1" in result.stdout and "无法写入备份目录" in result.stderr, result.stdout + result.stderr


@pytest.mark.e2e
def test_a_backup_on_a_write_protected_medium_still_restores(live, tmp_path):
    data, out = live.settings.data_dir, tmp_path / "restored"
    live.close()
    result = _in_small_mount("8m", f'{DOSSIER} --data {data} backup $M/bk && mount -o remount,ro $M && '
                                   f'{DOSSIER} --data {out} restore $M/bk {" ".join(restore_args())}; echo "rc=$?"')
    assert "rc=0" in result.stdout, result.stdout + result.stderr
    assert run_dossier("verify", data=out).returncode == 0 and len(export(out)) == 7


def test_two_backups_into_one_dest_at_once_the_second_is_refused(live, tmp_path):
    dest = tmp_path / "offsite"
    dest.mkdir()
    with open(dest / ".lock", "a+") as held:  # as the first backup holds it
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(safekeeping.BackupRefused, match="正被另一个备份"):
            safekeeping.backup(live, operator(), dest)
    assert safekeeping.backup(live, operator(), dest).counts["documents"] == 7


def test_a_restore_into_a_folder_that_is_not_empty_is_refused(live, tmp_path):
    dest = tmp_path / "offsite"
    safekeeping.backup(live, operator(), dest)
    result = run_dossier("restore", str(dest), *restore_args(), data=live.settings.data_dir)
    assert result.returncode == 1 and "不是空目录" in result.stderr
    assert export(live.settings.data_dir)  # nothing lost


def test_a_damaged_backup_is_refused_naming_each_changed_missing_and_extra_file(live, tmp_path):
    dest = tmp_path / "offsite"
    made = safekeeping.backup(live, operator(), dest)
    snap = made.path
    (snap / "data" / "dossier.toml").write_text("# edited\n", encoding="utf-8")
    gone = sorted(p for p in (dest / "objects").rglob("*") if p.is_file())[0]
    gone.unlink()
    (snap / "data" / "stray.txt").write_text("not from the data folder", encoding="utf-8")
    with pytest.raises(safekeeping.BackupRefused) as refused:
        restore(dest, tmp_path / "restored")
    message = str(refused.value)
    assert "changed: dossier.toml" in message
    assert f"missing: store/{gone.name[:2]}/{gone.name[2:4]}/{gone.name}" in message
    assert "extra: stray.txt" in message
    assert not (tmp_path / "restored").exists()


def test_a_snapshot_without_its_manifest_is_not_a_backup(live, tmp_path):
    dest = tmp_path / "offsite"
    made = safekeeping.backup(live, operator(), dest)
    (made.path / "manifest.json").unlink()
    with pytest.raises(safekeeping.BackupRefused, match="没有完整的备份"):
        restore(dest, tmp_path / "restored")


# --- retention ---------------------------------------------------------------------------


def test_prune_removes_expired_backups_and_their_files_but_keeps_the_newest(live, tmp_path):
    dest = tmp_path / "offsite"
    first = safekeeping.backup(live, operator(), dest)
    doc_no = add_document(live, "GONE-1")
    with live.db.read() as s:
        from archive_store.models import Document
        gone_sha = s.scalar(select(Document.sha256).where(Document.doc_no == doc_no))
    second = safekeeping.backup(live, operator(), dest)
    holding = safekeeping.backups_holding(live.settings, gone_sha, dest)
    assert [b for b, _ in holding] == [second.backup_id]
    assert holding[0][1] == (safekeeping._created(second.path) + timedelta(days=365)).date()
    kept_sha = next(r for r in safekeeping._manifest(first.path)["files"] if r.startswith("store/")).rsplit("/", 1)[1]
    assert [b for b, _ in safekeeping.backups_holding(live.settings, kept_sha, dest)] == [first.backup_id, second.backup_id]

    nothing = safekeeping.prune(live, operator(), dest)
    assert nothing.removed == [] and nothing.objects_removed == 0
    later = utcnow() + timedelta(days=live.settings.backup_keep_days + 1)
    result = safekeeping.prune(live, operator(), dest, now=later)
    assert result.removed == [first.backup_id] and result.kept == [second.backup_id]
    assert result.objects_removed == 0  # everything the first held, the second holds too
    assert restore(dest, tmp_path / "r").counts["documents"] == 8


def test_prune_removes_store_files_no_remaining_backup_lists(live, tmp_path):
    dest = tmp_path / "offsite"
    safekeeping.backup(live, operator(), dest)
    stray = dest / "objects" / "ab" / "cd" / ("abcd" + "0" * 60)
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"left by a backup that failed")
    assert safekeeping.prune(live, operator(), dest).objects_removed == 1
    assert not stray.exists()


# --- a data folder that can move ---------------------------------------------------------


@sqlite_only
@pytest.mark.e2e
def test_a_moved_data_folder_works_on_its_own_files(live, tmp_path):
    old = live.settings.data_dir
    live.close()
    before = export(old)
    assert 'database_url = "sqlite:///dossier.db"' in (old / "dossier.toml").read_text(encoding="utf-8")
    new = tmp_path / "elsewhere" / "dossier-data"
    new.parent.mkdir()
    shutil.move(old, new)
    assert export(new) == before
    assert run_dossier("verify", data=new).returncode == 0
    # a copy writes into its own database, not the original's
    copy = tmp_path / "copy"
    shutil.copytree(new, copy)
    assert run_dossier("users", "add", "newclerk", "--role", "clerk", "--generate", data=copy).returncode == 0
    original, copied = open_system(new), open_system(copy)
    with original.db.read() as a, copied.db.read() as b:
        assert a.scalar(select(User).where(User.username == "newclerk")) is None
        assert b.scalar(select(User).where(User.username == "newclerk")) is not None
    original.close(), copied.close()


@sqlite_only
def test_a_copy_of_an_old_folder_that_names_the_original_database_is_refused(live, tmp_path):
    data = live.settings.data_dir
    live.close()
    toml = data / "dossier.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'sqlite:///dossier.db', f"sqlite:///{data}/dossier.db"), encoding="utf-8")
    assert run_dossier("export", data=data).returncode == 0  # the original itself is fine
    copy = tmp_path / "copy"
    shutil.copytree(data, copy)
    result = run_dossier("export", data=copy)
    assert result.returncode == 2 and "copied or moved" in result.stderr


@sqlite_only
def test_a_restore_points_old_absolute_settings_at_the_restored_database(live, tmp_path):
    data = live.settings.data_dir
    toml = data / "dossier.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'sqlite:///dossier.db', f"sqlite:///{data}/dossier.db"), encoding="utf-8")
    safekeeping.backup(live, operator(), tmp_path / "offsite")
    out = tmp_path / "restored"
    safekeeping.restore(tmp_path / "offsite", out)
    assert 'database_url = "sqlite:///dossier.db"' in (out / "dossier.toml").read_text(encoding="utf-8")
    assert len(export(out)) == 7


def test_every_file_of_the_data_folder_comes_along_but_the_index_inbox_work_and_locks(live, tmp_path):
    data = live.settings.data_dir
    (data / "later.key").write_bytes(b"k" * 32)                  # a file some later room adds
    (data / "certificates" / "DC-1.pdf").write_bytes(b"%PDF-1.4 certificate")
    (data / "quarantine" / "bad.pdf").write_bytes(b"bad")
    (data / "inbox" / "arriving.pdf").write_bytes(b"in flux")
    (data / "dossier.lock").write_bytes(b"")
    (data / "audit.head.tmp").write_bytes(b'{"seq": 1')                # an anchor being written
    made = safekeeping.backup(live, operator(), tmp_path / "offsite")
    files = json.loads((made.path / "manifest.json").read_text(encoding="utf-8"))["files"]
    assert {"later.key", "audit.key", "audit.head", "certificates/DC-1.pdf", "quarantine/bad.pdf", "dossier.toml",
            "../database.pgdump" if ON_POSTGRES else "dossier.db"} <= set(files)
    assert not [f for f in files if f.startswith(("index/", "inbox/", "work/")) or f.endswith((".lock", ".tmp"))]


# --- PostgreSQL: which database a restore and a drill write ---------------------------------


postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="a PostgreSQL backup's own rules")


@postgres_only
def test_a_postgres_restore_goes_only_into_an_empty_database_it_is_given(live, tmp_path):
    dest = tmp_path / "offsite"
    safekeeping.backup(live, operator(), dest)
    with pytest.raises(safekeeping.BackupRefused, match="--database"):
        safekeeping.restore(dest, tmp_path / "nowhere")
    busy = str(live.db.engine.url.render_as_string(hide_password=False))
    with pytest.raises(safekeeping.BackupRefused, match="不是空的"):
        safekeeping.restore(dest, tmp_path / "over-live", database=busy)
    result = run_dossier("restore", str(dest), "--database", busy, data=tmp_path / "over-live-cli")
    assert result.returncode == 1 and "不是空的" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "nowhere").exists() and not (tmp_path / "over-live").exists()
    assert len(export(live.settings.data_dir)) == 7  # the live database untouched
    target = restore_database()
    out = tmp_path / "restored"
    assert safekeeping.restore(dest, out, database=target).counts["documents"] == 7
    assert f'database_url = "{target}"' in (out / "dossier.toml").read_text(encoding="utf-8")
    assert len(export(out)) == 7


@postgres_only
def test_a_postgres_drill_restores_into_a_scratch_database_and_drops_it(live, tmp_path):
    dest = tmp_path / "offsite"
    safekeeping.backup(live, operator(), dest)
    before = pg_databases()
    live_db = live.db.engine.url.database
    report = safekeeping.drill(live, operator(), dest)
    assert report.passed, report.problems
    assert report.restored_counts["documents"] == report.live_counts["documents"] == 7
    assert pg_databases() == before and live_db in before  # the scratch database is gone, the live one kept


@postgres_only
def test_a_postgres_backup_without_pg_dump_says_so_and_leaves_nothing(live, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))
    with pytest.raises(safekeeping.BackupRefused, match="找不到 pg_dump"):
        safekeeping.backup(live, operator(), tmp_path / "offsite")
    assert list((tmp_path / "offsite" / "snapshots").iterdir()) == []


@sqlite_only
def test_a_sqlite_backup_is_not_restored_into_a_named_database(live, tmp_path):
    safekeeping.backup(live, operator(), tmp_path / "offsite")
    with pytest.raises(safekeeping.BackupRefused, match="SQLite"):
        safekeeping.restore(tmp_path / "offsite", tmp_path / "r", database="postgresql+psycopg://db.example/dossier")
    assert not (tmp_path / "r").exists()
