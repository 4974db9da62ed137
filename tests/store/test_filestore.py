import os
import stat

import pytest

from archive_store.filestore import FileStore
from archive_store.filing import FilingInput, file_document
from archive_store.matching import CustomerRef
from tests.conftest import run_dossier


def test_originals_are_stored_once_by_hash_and_read_only(tmp_path):
    store = FileStore(tmp_path / "store")
    sha = store.put_bytes(b"scan bytes")
    path = store.path_for(sha)
    assert path == tmp_path / "store" / sha[:2] / sha[2:4] / sha
    assert path.read_bytes() == b"scan bytes"
    assert not os.stat(path).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert store.put_bytes(b"scan bytes") == sha  # stored once
    assert [p.name for p in path.parent.iterdir()] == [sha]  # no temporary file left behind


def test_put_file_streams_a_file_into_the_store(tmp_path):
    source = tmp_path / "big.pdf"
    source.write_bytes(os.urandom(3 << 20))
    store = FileStore(tmp_path / "store")
    sha = store.put_file(source)
    assert store.read(sha) == source.read_bytes()


@pytest.mark.parametrize("name", ["../../etc/passwd", "abc", "A" * 64, "0" * 63 + "/"])
def test_a_name_that_is_not_a_digest_never_becomes_a_path(tmp_path, name):
    with pytest.raises(ValueError):
        FileStore(tmp_path).path_for(name)


def _file(system, data: bytes, name: str) -> str:
    sha = system.store.put_bytes(data)
    with system.db.write() as s:
        return file_document(s, system.settings, actor="test", item=FilingInput(
            source_name=name, sha256=sha, size=len(data), media_type="application/pdf",
            customer=CustomerRef("enterprise", name="上海某某有限公司"), business_line="P")).doc_no


def test_verify_finds_an_altered_and_a_missing_stored_file(system):
    data = system.settings.data_dir
    altered_no = _file(system, b"contract one", "a.pdf")
    missing_no = _file(system, b"contract two", "b.pdf")
    _file(system, b"contract three", "c.pdf")

    ok = run_dossier("verify", data=data)
    assert ok.returncode == 0, ok.stderr
    assert "checked 3 stored files: 0 problem(s)" in ok.stdout

    with system.db.read() as s:
        from archive_store.models import Document
        from sqlalchemy import select
        shas = {d.doc_no: d.sha256 for d in s.scalars(select(Document))}
    victim = system.store.path_for(shas[altered_no])
    victim.chmod(0o644)
    victim.write_bytes(b"contract one, quietly changed")
    system.store.path_for(shas[missing_no]).unlink()

    bad = run_dossier("verify", data=data)
    assert bad.returncode == 1
    assert f"altered: {altered_no}" in bad.stdout
    assert f"missing: {missing_no}" in bad.stdout
    assert "2 problem(s)" in bad.stdout
