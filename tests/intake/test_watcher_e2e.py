"""The real `dossier watch` on a temporary inbox: what a clerk's day throws at it."""
from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from archive_store.models import Document, IntakeJob, UnsortedDocument
from archive_store.system import open_system
from archive_store.verify import expected_files
from tests.conftest import DOSSIER, run_dossier
from tests.intake import samples

pytestmark = pytest.mark.e2e


class Watcher:
    """`dossier watch` as a subprocess; `host` plays another machine (DOSSIER_HOST)."""

    def __init__(self, data: Path, log: Path, *, workers: int = 2, host: str | None = None):
        self.data, self.log, self.workers, self.host = data, log, workers, host
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Watcher":
        env = {k: v for k, v in os.environ.items() if k not in ("DOSSIER_DATA", "DATABASE_URL", "DOSSIER_HOST")}
        if self.host:
            env["DOSSIER_HOST"] = self.host
        out = open(self.log, "a")
        # Its own process group, so a crash can take its worker and OCR processes down with it.
        self.proc = subprocess.Popen([DOSSIER, "--data", str(self.data), "watch", "--workers", str(self.workers),
                                      "--settle", "1"],
                                     stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        return self

    def kill9(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill9()


@pytest.fixture
def data(system):
    yield system.settings.data_dir


@pytest.fixture
def watcher(data, tmp_path):
    w = Watcher(data, tmp_path / "watch.log")
    yield w
    w.stop()


def counts(data: Path) -> dict[str, int]:
    system = open_system(data)
    try:
        with system.db.read() as s:
            rows = s.execute(select(IntakeJob.state, func.count()).group_by(IntakeJob.state)).all()
            out = {state: n for state, n in rows}
            out["documents"] = s.scalar(select(func.count()).select_from(Document))
            # kept: filed, or waiting in the clerk's tray (a scan nothing recognised)
            out["kept"] = out["documents"] + s.scalar(select(func.count()).select_from(UnsortedDocument))
            return out
    finally:
        system.close()


def wait_until(predicate, timeout: float, what: str, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}" + (f"\n{log.read_text()[-3000:]}" if log else ""))


def drop(src: Path, inbox_dir: Path, name: str | None = None) -> Path:
    """Copy a file in the way a scanner or a network share would: write, then it appears."""
    inbox_dir.mkdir(parents=True, exist_ok=True)
    target = inbox_dir / (name or src.name)
    shutil.copyfile(src, target)
    return target


def inbox_files(data: Path) -> list[Path]:
    return [p for p in (data / "inbox").rglob("*") if p.is_file()]


def work_files(data: Path) -> list[Path]:
    """What the workers hold: the files in their work folders, besides each folder's lock."""
    return [p for p in (data / "work").rglob("*") if p.is_file() and p.name != ".lock"]


def test_files_waiting_at_start_and_arriving_later_are_all_filed(data, watcher, tmp_path):
    inbox = data / "inbox"
    samples.docx_form(tmp_path / "early.docx", 1)
    samples.pdf_form(tmp_path / "early-s.pdf", 2)
    drop(tmp_path / "early.docx", inbox)
    drop(tmp_path / "early-s.pdf", inbox / "S")
    watcher.start()
    wait_until(lambda: counts(data)["documents"] == 2, 120, "the files already in the inbox", watcher.log)
    samples.scan_form(tmp_path / "later.png", 3)
    drop(tmp_path / "later.png", inbox / "S")
    wait_until(lambda: counts(data)["documents"] == 3, 120, "a file dropped later", watcher.log)
    export = {r["source_name"]: r for r in map(__import__("json").loads,
                                                run_dossier("export", data=data).stdout.splitlines())}
    assert export["early.docx"]["customer"]["business_line"] == "P"
    assert export["early-s.pdf"]["customer"]["business_line"] == "S"
    assert export["later.png"]["doc_type"] == "collection_form"
    assert inbox_files(data) == [] and work_files(data) == []


def test_a_slow_copy_is_taken_only_when_it_is_complete(data, watcher, tmp_path):
    samples.scan_form(tmp_path / "slow.png", 5)
    payload = (tmp_path / "slow.png").read_bytes()
    watcher.start()
    time.sleep(2)
    target = data / "inbox" / "slow.png"
    with open(target, "wb") as f:  # six pieces with pauses shorter than the settle time
        for i in range(6):
            f.write(payload[i * len(payload) // 6:(i + 1) * len(payload) // 6])
            f.flush()
            time.sleep(0.6)
    wait_until(lambda: counts(data)["documents"] == 1, 120, "the slow copy", watcher.log)
    c = counts(data)
    assert c.get("quarantined", 0) == 0
    export = __import__("json").loads(run_dossier("export", data=data).stdout)
    assert export["sha256"] == hashlib.sha256(payload).hexdigest()


def test_a_burst_of_100_files_is_filed_once_each(data, watcher, tmp_path):
    burst = tmp_path / "burst"
    burst.mkdir()
    for i in range(100):
        (samples.docx_form if i % 2 else samples.pdf_form)(burst / f"f{i:03d}.{'docx' if i % 2 else 'pdf'}", i, seed=11)
    watcher.start()
    for p in sorted(burst.iterdir()):
        drop(p, data / "inbox")
    wait_until(lambda: counts(data)["documents"] == 100, 400, "100 documents", watcher.log)
    c = counts(data)
    assert c["filed"] == 100 and c.get("quarantined", 0) == 0
    assert inbox_files(data) == []
    lines = run_dossier("export", data=data).stdout.splitlines()
    assert len({__import__("json").loads(l)["sha256"] for l in lines}) == 100


def test_duplicates_bad_files_and_temporary_files(data, watcher, tmp_path):
    inbox = data / "inbox"
    samples.pdf_form(tmp_path / "contract.pdf", 1)
    samples.empty(tmp_path / "empty.pdf")
    samples.corrupt_pdf(tmp_path / "broken.pdf")
    samples.encrypted_pdf(tmp_path / "locked.pdf", tmp_path / "contract.pdf")
    samples.unsupported(tmp_path / "bundle.zip")
    watcher.start()
    drop(tmp_path / "contract.pdf", inbox)
    wait_until(lambda: counts(data)["documents"] == 1, 120, "the first copy", watcher.log)
    drop(tmp_path / "contract.pdf", inbox / "S", "scan again.pdf")
    for name in ("empty.pdf", "broken.pdf", "locked.pdf", "bundle.zip"):
        drop(tmp_path / name, inbox)
    (inbox / ".scanner-tmp.pdf").write_bytes(b"half")
    (inbox / "copying.pdf.part").write_bytes(b"half")
    (inbox / "~$draft.docx").write_bytes(b"lock")
    wait_until(lambda: counts(data).get("quarantined", 0) == 4 and counts(data).get("duplicate", 0) == 1,
               120, "quarantine and duplicate", watcher.log)
    assert counts(data)["documents"] == 1
    reasons = {p.name[:-len(".reason.json")]: __import__("json").loads(p.read_text())["reason"]
               for p in (data / "quarantine").glob("*.reason.json")}
    assert reasons == {"empty.pdf": "empty", "broken.pdf": "corrupt", "locked.pdf": "encrypted",
                       "bundle.zip": "unsupported"}
    listed = run_dossier("quarantine", "list", data=data).stdout
    assert "locked.pdf\tencrypted" in listed
    # temporary and hidden files are left alone; the duplicate left the inbox
    assert sorted(p.name for p in inbox_files(data)) == [".scanner-tmp.pdf", "copying.pdf.part", "~$draft.docx"]


def test_killed_at_random_moments_every_file_is_filed_exactly_once(data, tmp_path):
    rng = random.Random(20261125)
    src = tmp_path / "src"
    src.mkdir()
    made = []
    for i in range(24):
        kind = i % 4
        name = f"doc{i:02d}." + ("png" if kind == 0 else "docx" if kind == 1 else "pdf")
        (samples.scan_form if kind == 0 else samples.docx_form if kind == 1 else samples.pdf_form)(src / name, i, seed=3)
        made.append(src / name)
    samples.empty(src / "zz-empty.pdf")
    for p in made + [src / "zz-empty.pdf"]:
        drop(p, data / "inbox")
    log = tmp_path / "crash.log"
    kills = 0
    for round_ in range(6):
        w = Watcher(data, log).start()
        time.sleep(rng.uniform(1.5, 6.0))
        if w.proc.poll() is None:
            w.kill9()
            kills += 1
    final = Watcher(data, log).start()
    try:
        wait_until(lambda: counts(data)["documents"] == len(made) and not inbox_files(data)
                   and not work_files(data), 400, "every file after the crashes", log)
    finally:
        final.stop()
    assert kills >= 3
    export = [__import__("json").loads(l) for l in run_dossier("export", data=data).stdout.splitlines()]
    assert sorted(r["sha256"] for r in export) == sorted(hashlib.sha256(p.read_bytes()).hexdigest() for p in made)
    assert [p.name for p in (data / "quarantine").iterdir() if not p.name.endswith(".reason.json")] == ["zz-empty.pdf"]
    system = open_system(data)
    with system.db.read() as s:
        stored = {p.name for p in (data / "store").rglob("*") if p.is_file()}
        assert stored == set(expected_files(s)), "an orphan or a missing file in the store"
    system.close()
    assert run_dossier("verify", data=data).returncode == 0
    assert run_dossier("audit", "verify", data=data).returncode == 0
