"""Names as given and as written, the inbox scan that never follows a link, the data folder's
lock, the status the intake page reads, and what the service writes being private."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading

import pytest

from intake.lock import AlreadyRunning, FolderLock, watcher_holder, watcher_lock_path
from intake.names import DISK_NAME_MAX_BYTES, disk_name, display_name, for_log
from intake.status import StatusBoard, index_status, waiting_files, watcher_status
from intake.watcher import InboxWatcher, scan_inbox
from tests.intake import samples


def test_a_long_chinese_name_is_cut_in_bytes_on_whole_characters_keeping_its_extension():
    name = "长" * 80 + ".pdf"  # 244 bytes: legal, but no room left for our prefixes
    safe = disk_name(name)
    assert len(safe.encode()) <= DISK_NAME_MAX_BYTES and safe.endswith(".pdf") and set(safe[:-4]) == {"长"}


def test_names_that_are_not_utf8_are_read_as_gbk_or_shown_with_replacement_characters():
    gbk = os.fsdecode("合同.pdf".encode("gb18030"))
    assert display_name(gbk) == "合同.pdf"
    junk = os.fsdecode(b"\xff\xfe\x80scan.pdf")
    assert display_name(junk) == "\ufffd\ufffd\ufffdscan.pdf"
    assert disk_name(junk).encode("utf-8")  # always writable, always valid UTF-8


@pytest.mark.parametrize("name, safe", [("..\\..\\evil.pdf", "_.._evil.pdf"), ("a/b", "a_b"), (".hidden.pdf", "hidden.pdf"),
                                        ("x~y.pdf", "x_y.pdf"), ("two\nlines.pdf", "two_lines.pdf"), ("", "unnamed")])
def test_disk_names_have_no_separators_dots_in_front_or_control_characters(name, safe):
    assert disk_name(name) == safe


def test_a_newline_in_a_name_stays_on_one_log_line():
    assert for_log("a\nfiled: b.pdf") == "a\\nfiled: b.pdf"


def test_the_scan_refuses_links_and_pipes_without_following_them_and_lists_waiting_files(tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "S").mkdir(parents=True)
    outside = tmp_path / "secret.pdf"
    samples.pdf_form(outside, 1)
    (inbox / "link.pdf").symlink_to(outside)
    (inbox / "S" / "dirlink").symlink_to(tmp_path, target_is_directory=True)
    os.mkfifo(inbox / "pipe.pdf")
    (inbox / "ok.pdf").write_bytes(b"%PDF-")
    (inbox / ".scanner-tmp.pdf").write_bytes(b"half")
    (inbox / "S" / "copying.pdf.part").write_bytes(b"half")
    (inbox / ".sync").mkdir()
    (inbox / ".sync" / "inside.pdf").write_bytes(b"x")
    found = scan_inbox(inbox)
    assert found.files == [inbox / "ok.pdf"]
    assert sorted((p.relative_to(inbox).as_posix(), c) for p, c in found.refused) == [
        ("S/dirlink", "link"), ("link.pdf", "link"), ("pipe.pdf", "special")]
    assert sorted(p.relative_to(inbox).as_posix() for p in found.waiting) == [
        ".scanner-tmp.pdf", ".sync/inside.pdf", "S/copying.pdf.part"]


def test_folders_nested_deeper_than_python_recursion_are_scanned(tmp_path):
    inbox = tmp_path / "inbox"
    deep = str(inbox)
    os.mkdir(deep)
    for _ in range(1500):  # 3,000 characters: within PATH_MAX, past the recursion limit
        deep += "/d"
        os.mkdir(deep)
    with open(deep + "/deep.pdf", "wb") as f:
        f.write(b"%PDF-")
    try:
        files = scan_inbox(inbox).files
        assert len(files) == 1 and files[0].name == "deep.pdf"
    finally:  # shutil.rmtree, which pytest cleans up with, recurses and would fail on it
        os.unlink(deep + "/deep.pdf")
        while deep != str(inbox):
            os.rmdir(deep)
            deep = deep.rsplit("/", 1)[0]


def test_a_file_that_cannot_be_taken_is_stuck_until_it_changes_and_the_watcher_goes_on(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "bad.pdf").write_bytes(b"1")
    (inbox / "good.pdf").write_bytes(b"2")
    taken, stop = [], threading.Event()

    def take(path):
        if path.name == "bad.pdf":
            raise OSError(36, "File name too long")
        taken.append(path.name)
        path.unlink()
        stop.set()

    w = InboxWatcher(inbox, take=take, has_room=lambda: True, settle_seconds=0, poll=True, scan_interval=0.05)
    w.run(stop)
    assert taken == ["good.pdf"] and list(w.stuck) == [inbox / "bad.pdf"]
    assert "File name too long" in w.stuck[inbox / "bad.pdf"].error
    assert w._stuck(inbox / "bad.pdf")  # not retried while unchanged
    (inbox / "bad.pdf").write_bytes(b"changed")
    assert not w._stuck(inbox / "bad.pdf")


def test_a_second_lock_on_the_data_folder_is_refused_naming_the_holder(tmp_path):
    path = watcher_lock_path(tmp_path)
    first = FolderLock(path).acquire()
    try:
        # another process, as a second `dossier watch` would be
        code = ("import sys; from pathlib import Path; from intake.lock import FolderLock, AlreadyRunning\n"
                "try:\n    FolderLock(Path(sys.argv[1])).acquire()\nexcept AlreadyRunning as e:\n    print(e); sys.exit(3)")
        out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, cwd=os.getcwd())
        assert out.returncode == 3, out.stderr
        assert f"pid {os.getpid()}" in out.stdout and "another watcher" in out.stdout
        assert watcher_holder(tmp_path).pid == os.getpid()
    finally:
        first.release()
    assert watcher_holder(tmp_path) is None
    FolderLock(path).acquire().release()  # free again once the holder is gone


def test_the_status_board_reports_failures_and_stuck_files_only_while_a_watcher_lives(system):
    settings = system.settings
    lock = FolderLock(watcher_lock_path(settings.data_dir)).acquire()
    board = StatusBoard(settings)
    board.failed(RuntimeError("database went away"), restarted=True)
    from intake.watcher import Stuck

    board.stuck_changed({settings.inbox / "长.pdf": Stuck(settings.inbox / "长.pdf", "OSError: too long", 1, 1)})
    st = watcher_status(settings)
    assert st.running and st.holder.pid == os.getpid() and st.restarts == 1
    assert st.failures[0].error == "RuntimeError: database went away" and st.failures[0].restarted
    assert [(s.name, s.error) for s in st.stuck] == [("长.pdf", "OSError: too long")]
    board.checking_index(True)
    assert index_status(settings).state == "rebuilding"
    board.checking_index(False)
    assert index_status(settings).state in ("ready", "rebuilding")  # a new folder's index was never built
    lock.release()
    st = watcher_status(settings)
    assert not st.running and st.stuck == () and st.failures  # the history stays readable


def test_waiting_files_are_listed_with_why(system):
    inbox = system.settings.inbox
    (inbox / ".scan-0001.pdf").write_bytes(b"half")
    (inbox / "S" / "copy.pdf.part").write_bytes(b"half!")
    got = {(w.name, w.why, w.size) for w in waiting_files(system.settings)}
    assert got == {(".scan-0001.pdf", "hidden", 4), ("S/copy.pdf.part", "temporary", 5)}


def test_a_missing_or_damaged_index_is_reported_and_rebuilt_on_start(system, tmp_path):
    import shutil

    from archive_store.search_docs import ensure_index
    from intake.runner import Intake
    from index import SearchIndex

    rows = samples.docx_form(tmp_path / "a.docx", 1)
    i = Intake(system, workers=1)
    try:
        i.ingest([tmp_path / "a.docx"])
    finally:
        i.close()
    ensure_index(system)
    assert index_status(system.settings).state == "ready"
    name = rows["客户名称"]
    for damage in ("missing", "current", "version", "segments", "one segment", "behind"):
        ix_dir = system.settings.index_dir
        if damage == "missing":
            shutil.rmtree(ix_dir)
        elif damage == "current":
            (ix_dir / "CURRENT").write_text("g-nonexistent")
        else:
            gen = ix_dir / (ix_dir / "CURRENT").read_text().strip()
            if damage == "version":
                (gen / "dossier-index.json").write_text("{not json")
            elif damage == "segments":
                for f in gen.iterdir():
                    if f.name != "dossier-index.json":
                        f.write_bytes(b"\0" * 64)
            elif damage == "one segment":  # the table of contents still opens
                for f in gen.glob("*.seg"):
                    f.write_bytes(f.read_bytes()[: f.stat().st_size // 2])
            else:  # an index restored from an older backup: a document missing from it
                SearchIndex(ix_dir).remove([export_doc_no(system)])
        if damage in ("missing", "current", "version", "segments"):
            assert index_status(system.settings).state == "needs_rebuild", damage  # no watcher runs here
        assert ensure_index(system), damage
        assert SearchIndex(system.settings.index_dir).search(name, readers=None).total == 1, damage


def export_doc_no(system) -> str:
    from archive_store.export import export_documents

    with system.db.read() as s:
        return next(iter(export_documents(s)))["doc_no"]


def test_what_the_service_writes_is_private_to_its_user(system, tmp_path):
    from intake.runner import Intake

    samples.docx_form(tmp_path / "a.docx", 1)
    samples.empty(tmp_path / "empty.pdf")
    i = Intake(system, workers=1)
    try:
        i.ingest([tmp_path / "a.docx", tmp_path / "empty.pdf"])
    finally:
        i.close()
    data = system.settings.data_dir
    own_db = [data / "dossier.db"] if system.settings.database_url.startswith("sqlite") else []  # else a server's
    for path in [*own_db, *(data / "store").rglob("*"), *(data / "quarantine").rglob("*"),
                 *(data / "index").rglob("*"), data / "work", data / "dossier.toml"]:
        assert stat.S_IMODE(path.lstat().st_mode) & 0o077 == 0, path


def test_recovery_leaves_a_live_process_work_alone_and_adopts_an_ended_one(system, tmp_path):
    from intake.runner import Intake

    samples.docx_form(tmp_path / "live.docx", 1)
    samples.docx_form(tmp_path / "ended.docx", 2)
    live, ended = Intake(system, workers=1), Intake(system, workers=1)
    watcher = Intake(system, workers=1)
    try:
        live_job = live.pipeline.claim_copy(tmp_path / "live.docx")
        ended_job = ended.pipeline.claim_copy(tmp_path / "ended.docx")
        ended.lease._beating.set()  # as if `dossier ingest` had been killed here: no heartbeat,
        ended.lease._lock.release()  # and its folder's lock dropped
        recovered = watcher.pipeline.recover()
        assert [j.id for j in recovered] == [ended_job.id]
        assert recovered[0].work_path.parent == watcher.pipeline.work
        assert live_job.work_path.exists() and not ended_job.work_path.parent.exists()
        assert watcher.pipeline.process(recovered[0]).status == "filed"
    finally:
        for i in (live, watcher):
            i.close()


def test_a_file_under_which_the_watcher_died_again_and_again_is_set_aside_on_the_next_start(system):
    from intake.pipeline import MAX_READ_CRASHES
    from intake.runner import Intake

    samples.docx_form(system.settings.inbox / "killer.docx", 1)
    watcher = Intake(system, workers=1)
    try:
        job = watcher.pipeline.claim_from_inbox(system.settings.inbox / "killer.docx")
        watcher.pipeline._reading_mark(job).write_text(str(MAX_READ_CRASHES))  # that many deaths while reading it
        assert watcher.pipeline.recover() == []
    finally:
        watcher.close()
    note = samples.reason_of(system, "killer.docx")
    assert (note["reason"], note["cause"]) == ("internal", "crashes")
    assert [p for p in system.settings.work.iterdir()] == []


def test_after_a_crash_the_files_that_were_being_read_are_read_last(system):
    from intake.runner import Intake

    for name in ("a.docx", "b.docx", "c.docx"):
        samples.docx_form(system.settings.inbox / name, ord(name[0]))
    watcher = Intake(system, workers=1)
    try:
        jobs = {n: watcher.pipeline.claim_from_inbox(system.settings.inbox / n) for n in ("a.docx", "b.docx", "c.docx")}
        watcher.pipeline._reading_mark(jobs["a.docx"]).write_text("2")
        watcher.pipeline._reading_mark(jobs["b.docx"]).write_text("1")
        assert [j.source for j in watcher.pipeline.recover()] == ["c.docx", "b.docx", "a.docx"]
    finally:
        watcher.close()
