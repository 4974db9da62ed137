"""A data folder whose search index lives in PostgreSQL (`[index] backend = "postgresql"`):
entries commit with their records, every process searches the one copy, and `dossier
reindex` and `dossier search` use it."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from archive_store.matching import CustomerRef
from archive_store.models import Archive, Document
from archive_store.search_docs import open_index
from archive_store.system import init_data_dir, open_system
from index import PgSearchIndex
from tests.conftest import ON_POSTGRES, run_dossier, use_index_backend

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="the PostgreSQL index needs DOSSIER_TEST_DB=postgresql")


def found(system, query: str) -> set[str]:
    return {h.doc_no for h in open_index(system).search(query, readers=None, page_size=200).hits}


@pytest.fixture
def folder(tmp_path):
    data = tmp_path / "data"
    use_index_backend(data, "postgresql")
    system, _ = init_data_dir(data)
    yield system
    system.close()


def file_one(system, name: str, text: str) -> str:
    from tests.web.seed import _file

    return _file(system, name=f"{name}.jpg", doc_type="contract", customer=CustomerRef("enterprise", name=name),
                 title="服务合同", lines=[("甲方", name, "party_a"), ("说明", text, None)],
                 fields={"party_a": name}, issue=date(2025, 3, 1))


def test_a_filed_document_is_searchable_when_its_transaction_commits(folder):
    """No reindex is called here: the filing transaction itself wrote the entry."""
    assert isinstance(open_index(folder), PgSearchIndex)
    doc_no = file_one(folder, "星河远景科技有限公司", "年度设备维保")
    assert found(folder, "星河远景") == {doc_no}
    assert found(folder, "party_a:星河远景 维保") == {doc_no}


def test_an_entry_changes_and_rolls_back_with_its_record(folder):
    doc_no = file_one(folder, "蓝天实业有限公司", "备件供应")
    with folder.db.write() as s:
        s.scalar(select(Document).where(Document.doc_no == doc_no)).title = "设备租赁合同"
    assert found(folder, "title:租赁") == {doc_no}
    with pytest.raises(RuntimeError):
        with folder.db.write() as s:
            s.scalar(select(Document).where(Document.doc_no == doc_no)).title = "保密协议"
            s.flush()
            raise RuntimeError("the verb fails after changing the record")
    assert found(folder, "title:保密协议") == set()
    assert found(folder, "title:租赁") == {doc_no}


def test_renaming_an_archive_re_indexes_its_documents_and_destroying_removes_them(folder):
    doc_no = file_one(folder, "华东贸易有限公司", "年度合同")
    with folder.db.write() as s:
        s.scalar(select(Archive).join(Document).where(Document.doc_no == doc_no)).name = "恒信物流有限公司"
    assert found(folder, "name:恒信物流") == {doc_no}
    assert found(folder, "name:华东贸易") == set()
    with folder.db.write() as s:
        s.scalar(select(Document).where(Document.doc_no == doc_no)).status = "destroyed"
    assert found(folder, "恒信物流") == set()


def test_every_process_searches_the_one_copy(folder):
    other = open_system(folder.settings.data_dir)  # another portal process, or another machine
    try:
        assert found(other, "长城电子") == set()
        doc_no = file_one(folder, "长城电子有限公司", "采购")
        assert found(other, "长城电子") == {doc_no}
    finally:
        other.close()


def test_dossier_reindex_and_search_use_the_database_index(folder):
    doc_no = file_one(folder, "天和医疗器械有限公司", "维保服务")
    data = folder.settings.data_dir
    index = open_index(folder)
    assert index.needs_rebuild  # entries are written as records change, but never rebuilt yet
    result = run_dossier("reindex", data=data)
    assert result.returncode == 0 and "indexed 1 documents" in result.stdout, result.stderr
    assert not index.needs_rebuild and index.doc_count() == 1
    result = run_dossier("search", "天和医疗 维保", "--json", data=data)
    assert result.returncode == 0, result.stderr
    assert [h["doc_no"] for h in json.loads(result.stdout)["hits"]] == [doc_no]
    assert not (data / "index").exists() or not any((data / "index").glob("g-*"))  # no whoosh files made


def test_filing_does_not_wait_for_a_rebuild_and_its_entry_follows_after(folder):
    """A rebuild holds the index's lock for minutes; a filing transaction (holding the
    records' write lock) must not wait for it. Its entry is written after the commit
    instead, by the reindex the verbs and the intake call then."""
    import threading

    from sqlalchemy import text

    from archive_store.search_docs import reindex
    from index.pgstore import WRITE_LOCK_KEY

    with folder.db.engine.connect() as rebuilding:
        rebuilding.execute(text(f"SELECT pg_advisory_lock({WRITE_LOCK_KEY})"))
        filed: list[str] = []
        worker = threading.Thread(target=lambda: filed.append(file_one(folder, "远景物流有限公司", "运输")))
        worker.start()
        worker.join(timeout=60)
        assert not worker.is_alive() and filed, "filing waited for the index's lock"
        assert found(folder, "远景物流") == set()
        rebuilding.execute(text(f"SELECT pg_advisory_unlock({WRITE_LOCK_KEY})"))
    reindex(folder, filed)
    assert found(folder, "远景物流") == set(filed)
