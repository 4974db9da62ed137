"""Intake workers in separate processes, on one machine or several (issue 27): `dossier watch
--workers N` as a real subprocess, two "machines" (DOSSIER_HOST) on one inbox and database, a
worker killed mid-file whose job another machine finishes after its lease runs out, and the
database lost mid-run. Runs on SQLite and, in the PostgreSQL pass, on PostgreSQL."""
from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import socket
import time
from collections import defaultdict
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from archive_store.models import Archive, AuditEvent, Document, IntakeJob, IntakeWorker, UnsortedDocument
from archive_store.system import open_system
from tests.conftest import ON_POSTGRES, pg_cluster, run_dossier
from tests.intake import samples
from tests.intake.test_watcher_e2e import Watcher, drop, inbox_files, wait_until, work_files

pytestmark = pytest.mark.e2e


@pytest.fixture
def data(system):
    yield system.settings.data_dir


def query(data: Path, fn):
    system = open_system(data)
    try:
        with system.db.read() as s:
            return fn(s)
    finally:
        system.close()


def jobs(data: Path) -> list[tuple[str, str, str | None, int]]:
    """(source, state, worker, id) of every intake job."""
    return query(data, lambda s: [tuple(r) for r in s.execute(
        select(IntakeJob.source_name, IntakeJob.state, IntakeJob.worker, IntakeJob.id))])


def finished(data: Path) -> int:
    return sum(state != "claimed" for _, state, _, _ in jobs(data))


def live_workers(data: Path) -> list[str]:
    return query(data, lambda s: list(s.scalars(select(IntakeWorker.name))))


def ready(log: Path) -> int:
    """Worker processes that have started watching (each logs one line when it does)."""
    return log.read_text().count("is watching") if log.exists() else 0


def born_digital(folder: Path, n: int, seed: int) -> list[Path]:
    folder.mkdir()
    made = []
    for i in range(n):
        path = folder / f"f{i:02d}.{'docx' if i % 2 else 'pdf'}"
        (samples.docx_form if i % 2 else samples.pdf_form)(path, i, seed=seed)
        made.append(path)
    return made


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_each_filed_once_with_gapless_numbers(data: Path, files: list[Path]) -> None:
    export = [json.loads(line) for line in run_dossier("export", data=data).stdout.splitlines()]
    assert sorted(r["sha256"] for r in export) == sorted(sha(p) for p in files)  # each once, none lost
    assert len({r["doc_no"] for r in export}) == len(files)

    def numbers(s):
        archives = [a.archive_no for a in s.scalars(select(Archive))]
        items = [(d.archive.archive_no, d.item_no, d.doc_no) for d in s.scalars(select(Document))]
        return archives, items

    archives, items = query(data, numbers)
    by_scope = defaultdict(list)
    for no in archives:
        m = re.fullmatch(r"(\d{4}[PS]0[12])(\d{3,})", no)
        assert m, no
        by_scope[m.group(1)].append(int(m.group(2)))
    for scope, seqs in by_scope.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), scope
    per_archive = defaultdict(list)
    for archive_no, item_no, doc_no in items:
        assert doc_no == f"{archive_no}-{item_no:03d}"
        per_archive[archive_no].append(item_no)
    for archive_no, nos in per_archive.items():
        assert sorted(nos) == list(range(1, len(nos) + 1)), archive_no
    states = [state for _, state, _, _ in jobs(data)]
    assert states == ["filed"] * len(files), states  # one job per file: none redone, none a duplicate
    assert not inbox_files(data) and not work_files(data)
    assert run_dossier("verify", data=data).returncode == 0
    assert run_dossier("audit", "verify", data=data).returncode == 0


def set_lease(data: Path, seconds: int) -> None:
    toml = data / "dossier.toml"
    text = toml.read_text(encoding="utf-8")
    assert "lease_seconds = 60" in text
    toml.write_text(text.replace("lease_seconds = 60", f"lease_seconds = {seconds}"), encoding="utf-8")


def test_four_worker_processes_on_one_inbox_file_every_file_once_with_gapless_numbers(data, tmp_path):
    files = born_digital(tmp_path / "src", 40, seed=27)
    for p in files:
        drop(p, data / "inbox")
    watcher = Watcher(data, tmp_path / "watch.log", workers=4).start()
    try:
        wait_until(lambda: len(live_workers(data)) == 4, 180, "four registered worker processes", watcher.log)
        wait_until(lambda: finished(data) == 40, 900, "40 files filed", watcher.log)
        wait_until(lambda: not work_files(data), 120, "the work folders emptied", watcher.log)
        pids = {name.split("@")[2] for name in live_workers(data)}
        assert len(pids) == 4  # four processes, not threads
    finally:
        watcher.stop()
    assert_each_filed_once_with_gapless_numbers(data, files)
    assert len({worker for _, _, worker, _ in jobs(data)}) >= 2  # the work was shared
    assert live_workers(data) == []  # each stopped worker removed its lease and its folder
    assert [p for p in (data / "work").iterdir()] == []


def test_two_machines_share_one_inbox_and_database_and_file_each_file_once(data, tmp_path):
    alpha = Watcher(data, tmp_path / "alpha.log", workers=1, host="alpha").start()
    beta = Watcher(data, tmp_path / "beta.log", workers=1, host="beta").start()
    try:
        wait_until(lambda: ready(alpha.log) == 1 and ready(beta.log) == 1, 180, "both machines watching", alpha.log)
        assert alpha.proc.poll() is None and beta.proc.poll() is None  # one watcher lock per machine
        files = born_digital(tmp_path / "src", 20, seed=31)
        for p in files:
            drop(p, data / "inbox")
        wait_until(lambda: finished(data) == 20, 600, "20 files filed", beta.log)
        wait_until(lambda: not work_files(data), 120, "the work folders emptied", beta.log)
    finally:
        alpha.stop()
        beta.stop()
    assert_each_filed_once_with_gapless_numbers(data, files)
    hosts = {worker.split("@")[1] for _, _, worker, _ in jobs(data)}
    assert hosts == {"alpha", "beta"}


def scanned_pdf(path: Path, pages: int) -> None:
    """A scan of several pages, no text layer: long enough to read that a kill lands mid-read."""
    images = []
    for i in range(pages):
        samples.scan_form(path.with_name(f"page{i}.png"), i, seed=41)
        images.append(Image.open(path.with_name(f"page{i}.png")).convert("RGB"))
    images[0].save(path, save_all=True, append_images=images[1:], resolution=200)


def test_a_worker_killed_mid_file_has_its_job_finished_by_another_machine_once_its_lease_runs_out(data, tmp_path):
    set_lease(data, 4)
    scanned_pdf(tmp_path / "long-scan.pdf", 8)
    drop(tmp_path / "long-scan.pdf", data / "inbox")
    alpha = Watcher(data, tmp_path / "alpha.log", workers=1, host="alpha").start()

    def reading():
        return query(data, lambda s: s.scalar(select(IntakeJob.id).where(
            IntakeJob.source_name == "long-scan.pdf", IntakeJob.stage == "reading")))

    try:
        job_id = wait_until(reading, 300, "alpha reading the scan", alpha.log)
    finally:
        alpha.kill9()  # alpha's supervisor, worker and reader, mid-read
    (job,) = jobs(data)
    assert job[1:] == ("claimed", job[2], job_id) and job[2].startswith("proc@alpha@")  # killed before it finished
    dead_folder = data / "work" / job[2]
    assert [p.name for p in dead_folder.iterdir() if not p.name.startswith(".")]  # the file, left in alpha's folder

    beta = Watcher(data, tmp_path / "beta.log", workers=1, host="beta").start()
    try:
        wait_until(lambda: finished(data) == 1, 400, "beta finishing alpha's job", beta.log)
        wait_until(lambda: not work_files(data), 120, "the work folders emptied", beta.log)
    finally:
        beta.stop()
    (after,) = jobs(data)  # the same job, not a second one
    assert after[3] == job_id and after[1] in ("filed", "unsorted") and after[2].startswith("proc@beta@")
    assert query(data, lambda s: s.scalar(select(func.count()).select_from(Document))
                 + s.scalar(select(func.count()).select_from(UnsortedDocument))) == 1
    taken = query(data, lambda s: [(e.object_id, json.loads(e.after)) for e in s.scalars(
        select(AuditEvent).where(AuditEvent.action == "intake.taken_over"))])
    assert len(taken) == 1 and taken[0][0] == job[2][:64] and taken[0][1]["by"].startswith("proc@beta@")
    assert not dead_folder.exists() and not inbox_files(data)
    assert run_dossier("verify", data=data).returncode == 0


def test_a_worker_killed_mid_file_on_this_machine_has_its_job_finished_without_waiting_for_its_lease(data, tmp_path):
    """On its own machine a dead worker's folder lock is free: its files are taken over at
    once. The lease here is an hour, longer than the test waits, so only the lock can tell."""
    set_lease(data, 3600)
    scanned_pdf(tmp_path / "long-scan.pdf", 8)
    drop(tmp_path / "long-scan.pdf", data / "inbox")
    watcher = Watcher(data, tmp_path / "watch.log", workers=2).start()

    def reading():
        return query(data, lambda s: s.execute(select(IntakeJob.id, IntakeJob.worker).where(
            IntakeJob.source_name == "long-scan.pdf", IntakeJob.stage == "reading")).first())

    try:
        job_id, worker = wait_until(reading, 300, "a worker reading the scan", watcher.log)
        os.kill(int(worker.split("@")[2]), signal.SIGKILL)  # that worker alone, mid-read
        wait_until(lambda: finished(data) == 1, 400, "another worker finishing the job", watcher.log)
        wait_until(lambda: not work_files(data), 120, "the work folders emptied", watcher.log)
    finally:
        watcher.stop()
    ((source, state, by, again),) = jobs(data)
    assert again == job_id and state in ("filed", "unsorted") and by != worker
    assert "intake worker" in watcher.log.read_text() and "stopped (exit status -9)" in watcher.log.read_text()
    taken = query(data, lambda s: list(s.scalars(select(AuditEvent.object_id).where(
        AuditEvent.action == "intake.taken_over"))))
    assert taken == [worker[:64]]
    assert not (data / "work" / worker).exists()


@pytest.mark.skipif(not ON_POSTGRES, reason="a database server to lose: the PostgreSQL pass")
def test_the_database_lost_mid_run_is_waited_out_and_nothing_is_filed_twice_or_lost(data, tmp_path):
    files = born_digital(tmp_path / "src", 16, seed=37)
    for p in files:
        drop(p, data / "inbox")
    watcher = Watcher(data, tmp_path / "watch.log", workers=2).start()
    cluster = pg_cluster()
    try:
        wait_until(lambda: finished(data) >= 3, 300, "the first files filed", watcher.log)
        cluster.stop_server()  # every connection cut, the port closed
        try:
            time.sleep(8)  # the outage: the workers meet it mid-file, claiming and renewing
        finally:
            cluster.start_server()
        wait_until(lambda: finished(data) == 16, 600, "every file after the outage", watcher.log)
        wait_until(lambda: not work_files(data), 120, "the work folders emptied", watcher.log)
    finally:
        watcher.stop()
    assert "database is unreachable" in watcher.log.read_text() or "cannot renew" in watcher.log.read_text()
    assert list((data / "quarantine").iterdir()) == []
    assert_each_filed_once_with_gapless_numbers(data, files)


def test_a_database_that_does_not_answer_at_start_is_one_line_and_status_2(data, tmp_path):
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {"DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{port}/dossier"}
    samples.docx_form(tmp_path / "a.docx", 1)
    for args in (["watch"], ["ingest", str(tmp_path / "a.docx")], ["run", "--port", "0"]):
        result = run_dossier(*args, data=data, env=env, timeout=120)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.startswith("dossier: cannot open the database") and result.stderr.count("\n") == 1, args
        assert "Traceback" not in result.stderr
