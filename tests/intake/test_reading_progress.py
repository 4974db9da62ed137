"""The live intake page's "reading page x of y": the OCR room's page count reaches the job's
row as the pages are read, one write a page at most, and none for a file of one page."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from archive_store.models import IntakeJob
from intake import pipeline as pipeline_mod
from tests.intake import samples


@contextmanager
def job_writes():
    """Every write of an intake job's row: (state, stage, pages, pages read)."""
    seen: list[tuple] = []

    def record(mapper, connection, row):
        seen.append((row.state, row.stage, row.pages, row.pages_read))

    event.listen(IntakeJob, "after_update", record)
    try:
        yield seen
    finally:
        event.remove(IntakeJob, "after_update", record)


def shown(writes) -> list[str]:
    """What the live page says while the file is read, write by write."""
    return [f"reading page {read + 1} of {pages}" for state, stage, pages, read in writes
            if stage == "reading" and read is not None]


def test_a_scan_of_several_pages_reports_each_page_in_order_to_its_job(intake, tmp_path, monkeypatch):
    # two workers read two pages at once; without the time limit every page is written
    monkeypatch.setattr(pipeline_mod, "PROGRESS_EVERY_S", 0)
    samples.scanned_pdf(tmp_path / "扫描件.pdf", 1, pages=3)
    with job_writes() as writes:
        [outcome] = intake.ingest([tmp_path / "扫描件.pdf"])
    assert outcome.status == "filed" and outcome.pages == 3, outcome
    assert shown(writes) == ["reading page 1 of 3", "reading page 2 of 3", "reading page 3 of 3"]
    stages = [w[1] for w in writes]
    assert stages.index("extracting") > max(i for i, s in enumerate(stages) if s == "reading")
    assert writes[-1][0] == "filed"


def test_a_one_page_scan_writes_no_page_count(intake, tmp_path):
    samples.scan_form(tmp_path / "scan.png", 2)
    with job_writes() as writes:
        [outcome] = intake.ingest([tmp_path / "scan.png"])
    assert outcome.status == "filed", outcome
    assert shown(writes) == []
    assert [w[1] for w in writes if w[0] == "claimed"] == ["reading", "extracting", "filing"]


def test_pages_read_in_quick_succession_make_one_write():
    writes = []

    class Pipe:
        def _stage(self, job, stage, pages=None, pages_read=None):
            writes.append((pages_read, pages))

    now = [100.0]
    progress = pipeline_mod._ReadingProgress(Pipe(), job=None, clock=lambda: now[0])
    for read in range(0, 6):  # six pages done within one moment: only the first is written
        progress(read, 6)
    assert writes == [(0, 6)]
    now[0] += 1.0  # a moment later
    progress(5, 6)
    progress(5, 6)  # the same count again: no write
    progress(6, 6)  # all read: "extracting" is the next write, not this
    assert writes == [(0, 6), (5, 6)]
