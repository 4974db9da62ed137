"""Issue 20, end to end: the real `dossier watch` with hostile files and names dropped among
ordinary scans. The ordinary files are filed, each hostile one has its reason, the watcher
lives on within its memory, a second watcher is refused, and `dossier verify` passes."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import DOSSIER, run_dossier
from tests.intake import samples
from tests.intake.test_watcher_e2e import Watcher, counts, drop, inbox_files, wait_until, work_files

pytestmark = pytest.mark.e2e

# low enough that a 95-megapixel page passes it and is refused, high enough for a scan
# (a RapidOCR worker maps ~1.0 GB reading an A4 page at 2400 px)
MEMORY_LIMIT_MB = 1300
LONG_NAME = "长" * 80 + ".pdf"  # 244 bytes
GBK_NAME = "客户合同.pdf".encode("gb18030")  # not UTF-8: from an old Windows share
JUNK_NAME = b"scan-\xff\xfe.pdf"  # neither UTF-8 nor GB18030


@pytest.fixture
def data(system):
    toml = system.settings.data_dir / "dossier.toml"
    toml.write_text(toml.read_text().replace("memory_limit_mb = 2048", f"memory_limit_mb = {MEMORY_LIMIT_MB}"))
    yield system.settings.data_dir


def peak_rss_mb(pid: int) -> float:
    """The process's high-water mark of resident memory (VmHWM), as the kernel counts it."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def reasons(data: Path) -> dict[str, dict]:
    return {n["original_name"]: n for n in (json.loads(p.read_text()) for p in (data / "quarantine").glob("*.reason.json"))}


def test_hostile_files_among_ordinary_scans_each_get_a_reason_and_the_watcher_lives_on(data, tmp_path):
    src, inbox = tmp_path / "src", data / "inbox"
    src.mkdir()
    ordinary = []
    for i in range(2):
        samples.scan_form(src / f"scan{i}.png", i, seed=20)
        samples.docx_form(src / f"form{i}.docx", i, seed=20)
        samples.pdf_form(src / f"form{i}.pdf", i, seed=20)
        ordinary += [src / f"scan{i}.png", src / f"form{i}.docx", src / f"form{i}.pdf"]
    samples.docx_bomb(src / "bomb.docx")
    samples.memory_hog_png(src / "huge.png")
    samples.broken_docx(src / "broken.docx")
    samples.long_contract(src / "contract.docx")
    for n, name in enumerate((LONG_NAME, "two\nlines.pdf")):
        samples.pdf_form(src / f"named{n}.pdf", 100 + n, seed=20)
    samples.pdf_form(src / "gbk.pdf", 102, seed=20)
    samples.pdf_form(src / "junk.pdf", 103, seed=20)
    samples.pdf_form(src / "evil.pdf", 104, seed=20)
    outside = tmp_path / "elsewhere-on-the-server.pdf"
    samples.pdf_form(outside, 105, seed=20)

    log = tmp_path / "watch.log"
    w = Watcher(data, log).start()
    try:
        # the hostile ones first, so the ordinary files must get past them
        drop(src / "bomb.docx", inbox)
        drop(src / "huge.png", inbox / "S")
        drop(src / "broken.docx", inbox)
        drop(src / "contract.docx", inbox)
        drop(src / "named0.pdf", inbox, LONG_NAME)
        drop(src / "named1.pdf", inbox, "two\nlines.pdf")
        drop(src / "evil.pdf", inbox, "..\\..\\evil.pdf")
        os.link(src / "gbk.pdf", os.path.join(os.fsencode(inbox), GBK_NAME))
        os.link(src / "junk.pdf", os.path.join(os.fsencode(inbox), JUNK_NAME))
        (inbox / "link.pdf").symlink_to(outside)
        os.mkfifo(inbox / "pipe.pdf")
        (inbox / ".half-scanned.pdf").write_bytes(b"%PDF-1.7 half")
        for p in ordinary:
            drop(p, inbox)
        # kept (filed, or in the tray when nothing names the customer): the contract, the
        # long, the newline, the GBK and the junk names too
        filed = len(ordinary) + 5
        wait_until(lambda: counts(data)["kept"] == filed and counts(data).get("quarantined", 0) == 6,
                   300, "every file filed or quarantined", log)
        assert w.proc.poll() is None, log.read_text()[-3000:]
        peak = peak_rss_mb(w.proc.pid)
        assert peak < MEMORY_LIMIT_MB, f"the watcher itself peaked at {peak:.0f} MB"
        # a second watcher on the same folder is refused, naming the first
        second = run_dossier("watch", data=data, timeout=120)
        assert second.returncode == 2 and f"pid {w.proc.pid}" in second.stderr, second.stderr
        assert w.proc.poll() is None
    finally:
        w.stop()
    assert w.proc.returncode == 0, log.read_text()[-3000:]

    got = {name: (n["reason"], n.get("cause")) for name, n in reasons(data).items()}
    assert got == {
        "bomb.docx": ("too_large", None),
        "huge.png": ("too_large", None),
        "broken.docx": ("corrupt", None),
        "..\\..\\evil.pdf": ("unsupported", "name"),
        "link.pdf": ("unsupported", "link"),
        "pipe.pdf": ("unsupported", "special"),
    }
    for name in os.listdir(data / "quarantine"):
        assert len(name.encode()) <= 255 and not (data / "quarantine" / name).is_symlink()
    assert outside.exists()  # the link's target is neither filed nor touched
    export = {r["source_name"]: r for r in map(json.loads, run_dossier("export", data=data).stdout.splitlines())}
    assert {LONG_NAME, "two\nlines.pdf", "客户合同.pdf", "scan-\ufffd\ufffd.pdf"} <= set(export)
    assert kept_pages(data, "contract.docx") > 50  # read whole: filed, or in the tray if no customer was named
    assert samples.hashlib_sha(outside) not in {r["sha256"] for r in export.values()}
    # the hidden file waits, visibly; nothing else is left in the inbox or in work/
    assert [p.name for p in inbox_files(data)] == [".half-scanned.pdf"]
    assert work_files(data) == []
    logged = log.read_text()
    assert "filed: two\\nlines.pdf" in logged  # one line in the console log
    assert run_dossier("verify", data=data).returncode == 0
    assert run_dossier("audit", "verify", data=data).returncode == 0


def test_a_second_watcher_is_refused_and_touches_nothing_of_the_first(data, tmp_path):
    inbox = data / "inbox"
    src = tmp_path / "src"
    src.mkdir()
    made = []
    for i in range(12):
        p = src / f"f{i:02d}.{'docx' if i % 2 else 'pdf'}"
        (samples.docx_form if i % 2 else samples.pdf_form)(p, i, seed=7)
        made.append(p)
    samples.scan_form(src / "scan.png", 1, seed=7)
    made.append(src / "scan.png")
    log = tmp_path / "watch.log"
    first = Watcher(data, log).start()
    try:
        wait_until(lambda: "watching" in log.read_text(), 120, "the first watcher", log)
        for p in made:
            drop(p, inbox)
        # while the first is busy with them, a second one starts, again and again
        refusals = []
        for _ in range(3):
            second = subprocess.run([DOSSIER, "--data", str(data), "watch", "--settle", "0"],
                                    capture_output=True, text=True, timeout=120,
                                    env={k: v for k, v in os.environ.items() if k not in ("DOSSIER_DATA", "DATABASE_URL")})
            refusals.append(second)
        wait_until(lambda: counts(data)["documents"] == len(made), 400, "every file", log)
    finally:
        first.stop()
    for r in refusals:
        assert r.returncode == 2, r.stdout + r.stderr
        assert "another watcher is already watching this data folder" in r.stderr
        assert f"pid {first.proc.pid}" in r.stderr
    c = counts(data)
    assert c["filed"] == len(made) and c.get("quarantined", 0) == 0
    assert list((data / "quarantine").iterdir()) == []
    assert run_dossier("verify", data=data).returncode == 0


def test_dossier_ingest_reports_every_hostile_file_as_a_json_line(system, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    samples.pdf_form(src / LONG_NAME, 1)
    samples.pdf_form(Path(os.fsdecode(os.path.join(os.fsencode(src), GBK_NAME))), 2)
    samples.docx_bomb(src / "bomb.docx")
    samples.broken_docx(src / "broken.docx")
    os.mkfifo(src / "pipe.pdf")
    result = run_dossier("ingest", "--json", str(src), str(src / "pipe.pdf"), data=system.settings.data_dir)
    assert "Traceback" not in result.stderr, result.stderr
    lines = [json.loads(l) for l in result.stdout.splitlines()]
    got = {Path(l["source"]).name: (l["status"], l["reason"], l["cause"]) for l in lines}
    assert got == {
        LONG_NAME: ("filed", None, None),
        "客户合同.pdf": ("filed", None, None),
        "bomb.docx": ("rejected", "too_large", None),
        "broken.docx": ("rejected", "corrupt", None),
        "pipe.pdf": ("rejected", "unsupported", "special"),
    }
    assert result.returncode == 1


def test_inside_dossier_run_a_failing_worker_is_restarted_and_the_failure_shown(system, monkeypatch):

    import intake.workers as workers
    import web.serve as serve
    from intake.status import watcher_status

    starts = []
    stop = threading.Event()

    def flaky(slot, system, **kw):  # two workers that die at once, then one that runs until stopped
        starts.append(1)
        if len(starts) == 3:
            stop.set()
        slot.proc = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)" if len(starts) < 3 else "pass"])
        slot.started = time.monotonic()

    monkeypatch.setattr(workers._Slot, "start", flaky)
    monkeypatch.setattr(workers, "RESTART_PAUSE_S", (0,))
    t = threading.Thread(target=serve.run_watcher, kwargs={"system": system, "stop": stop, "workers": 1})
    t.start()
    t.join(60)
    assert not t.is_alive() and len(starts) == 3
    st = watcher_status(system.settings)
    assert st.restarts == 2
    assert [f.error for f in st.failures] == ["RuntimeError: intake worker 0 stopped with exit status 3"] * 2


def kept_pages(data, source_name: str) -> int:
    """The pages of a file that was filed or is waiting in the clerk's tray."""
    from sqlalchemy import select

    from archive_store.models import Document, UnsortedDocument
    from archive_store.system import open_system

    system = open_system(data)
    try:
        with system.db.read() as s:
            for model in (Document, UnsortedDocument):
                pages = s.scalar(select(model.pages).where(model.source_name == source_name))
                if pages is not None:
                    return pages
    finally:
        system.close()
    return 0
