"""The live intake page's data and the upload from the browser."""
from __future__ import annotations

import io

import pytest

from archive_store.errors import NotAllowed
from archive_store.users import console_actor
from intake import desk
from tests.intake import samples


def test_an_upload_lands_in_the_inbox_under_a_safe_name_and_bad_files_are_refused(system, tmp_path):
    clerk = console_actor()
    samples.pdf_form(tmp_path / "f.pdf", 1)
    size = (tmp_path / "f.pdf").stat().st_size
    results = desk.upload(system, clerk, [
        ("../../etc/客户表.pdf", io.BytesIO((tmp_path / "f.pdf").read_bytes())),
        ("notes.txt", io.BytesIO(b"just some text")),
        ("empty.pdf", io.BytesIO(b"")),
        ("big.pdf", io.BytesIO(b"%PDF-1.4" + b"0" * size)),
    ], "P", options=__import__("ocr").ReadOptions(max_bytes=size))
    ok, txt, empty, big = results
    assert ok.refused is None and ok.saved_as == "客户表.pdf"
    assert (system.settings.inbox / "P" / "客户表.pdf").is_file()
    assert txt.refused.code == "upload_unsupported" and empty.refused.code == "q_empty"
    assert big.refused.code == "upload_too_large"
    assert sorted(p.name for p in (system.settings.inbox / "P").iterdir()) == ["客户表.pdf"]  # no leftovers
    view = desk.live(system, clerk)
    assert [w.name for w in view.waiting] == ["客户表.pdf"] and view.waiting[0].business_line == "P"


def test_the_live_view_follows_a_file_from_waiting_to_filed(system, tmp_path):
    from intake.runner import Intake

    clerk = console_actor()
    samples.pdf_form(tmp_path / "f.pdf", 2)
    desk.upload(system, clerk, [("form.pdf", open(tmp_path / "f.pdf", "rb"))], None)
    assert [w.name for w in desk.live(system, clerk).waiting] == ["form.pdf"]
    intake = Intake(system, workers=1)
    try:
        intake.ingest([system.settings.inbox / "form.pdf"])
    finally:
        intake.close()
    view = desk.live(system, clerk)
    [done] = [d for d in view.done if d.name == "form.pdf"]
    assert done.state == "filed" and done.doc_no


def test_staff_cannot_upload(world, users):
    system, _ = world
    with pytest.raises(NotAllowed):
        desk.upload(system, users["sales"], [], None)
