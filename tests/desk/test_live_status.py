"""The live intake page tells the clerk when the watcher is down and which inbox files it
leaves alone on purpose; the search says when its index is being rebuilt."""
from __future__ import annotations

from intake import desk as intake_desk
from tests.store.conftest import users_of


def test_the_live_view_says_the_watcher_is_down_and_lists_hidden_and_temporary_files(world):
    system, _ = world
    inbox = system.settings.inbox
    (inbox / ".~lock.合同.docx#").write_bytes(b"x")
    (inbox / "扫描中.pdf.part").write_bytes(b"x")
    view = intake_desk.live(system, users_of(system)["clerk"])
    assert not view.watcher.running  # no watcher in this test
    assert {(f.name, f.why) for f in view.left_alone} >= {(".~lock.合同.docx#", "hidden"), ("扫描中.pdf.part", "temporary")}


def test_a_search_on_an_index_that_needs_rebuilding_says_so(world, tmp_path):
    import shutil

    from archive_store.search import search
    from archive_store.search_docs import rebuild

    system, _ = world
    clerk = users_of(system)["clerk"]
    rebuild(system)  # as the watcher does at start; the seeded index was only added to
    assert search(system, clerk, "合同").index_ready
    saved = tmp_path / "index"
    shutil.copytree(system.settings.index_dir, saved)
    try:
        shutil.rmtree(system.settings.index_dir)
        system.settings.index_dir.mkdir()
        assert not search(system, clerk, "合同").index_ready
    finally:
        shutil.rmtree(system.settings.index_dir)
        shutil.copytree(saved, system.settings.index_dir)


def test_the_live_view_counts_the_live_intake_workers_of_every_machine(world):
    """Workers on another machine are the intake running, though no watcher runs here."""
    from datetime import timedelta

    from archive_store.models import IntakeWorker, utcnow

    system, _ = world
    clerk = users_of(system)["clerk"]
    assert intake_desk.live(system, clerk).workers == ()
    soon, gone = utcnow() + timedelta(minutes=5), utcnow() - timedelta(minutes=5)
    with system.db.write() as s:
        s.add(IntakeWorker(name="proc@beta@1@aa", host="beta", pid=1, lease_until=soon))
        s.add(IntakeWorker(name="proc@beta@2@bb", host="beta", pid=2, lease_until=soon))
        s.add(IntakeWorker(name="proc@gamma@3@cc", host="gamma", pid=3, lease_until=gone))  # its lease ran out
    assert intake_desk.live(system, clerk).workers == (("beta", 2),)
