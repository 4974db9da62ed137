"""Keeping the index in step with the database: add, update, remove, rebuild, versions."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

import index.store
from index import IndexDoc, IndexNeedsRebuild, QueryError, SearchIndex


def doc(n: int, text: str = "客户档案", **kw: object) -> IndexDoc:
    values: dict[str, object] = dict(
        doc_no=f"2025P02{n:03d}-001", archive_no=f"2025P02{n:03d}", doc_type="contract",
        status="effective", title="合同", customer_name=None, uscc=None, id_number=None,
        business_line="P", fields={}, text=text, filed_on=date(2025, 1, 1), issued_on=None,
        amount=None, readers=("role:sales",),
    )
    values.update(kw)
    return IndexDoc(**values)  # type: ignore[arg-type]


@pytest.fixture
def ix(tmp_path: Path) -> Iterator[SearchIndex]:
    index = SearchIndex(tmp_path / "index", procs=1)
    yield index
    index.close()


def test_new_index_is_empty_and_asks_for_a_rebuild(ix: SearchIndex) -> None:
    assert ix.doc_count() == 0
    assert ix.needs_rebuild
    assert ix.search("档案", readers=None).total == 0


def test_rebuild_returns_the_count_and_clears_needs_rebuild(ix: SearchIndex) -> None:
    assert ix.rebuild(doc(i) for i in range(1, 4)) == 3
    assert ix.doc_count() == 3 and not ix.needs_rebuild


def test_add_then_search_in_the_same_process(ix: SearchIndex) -> None:
    ix.add([doc(1, "北京星河科技")])
    assert ix.search("星河", readers=None).total == 1


def test_add_with_an_existing_doc_no_replaces_the_document(ix: SearchIndex) -> None:
    ix.add([doc(1, "旧的文字")])
    ix.add([doc(1, "新的内容")])
    assert ix.doc_count() == 1
    assert ix.search("旧的", readers=None).total == 0
    assert ix.search("新的", readers=None).total == 1


def test_changed_readers_take_effect_on_update(ix: SearchIndex) -> None:
    ix.add([doc(1, readers=("role:sales",))])
    assert ix.search("档案", readers=["role:sales"]).total == 1
    ix.add([doc(1, readers=("user:3",))])
    assert ix.search("档案", readers=["role:sales"]).total == 0
    assert ix.search("档案", readers=["user:3"]).total == 1


def test_remove_takes_documents_out_of_results_and_counts(ix: SearchIndex) -> None:
    ix.add([doc(1), doc(2), doc(3)])
    ix.remove(["2025P02002-001", "2025P02999-001"])  # an unknown number is no error
    assert ix.doc_count() == 2
    res = ix.search("档案", readers=None)
    assert res.total == 2 and "2025P02002-001" not in {h.doc_no for h in res.hits}


def test_add_and_remove_of_nothing_do_nothing(ix: SearchIndex) -> None:
    ix.add([])
    ix.remove([])
    assert ix.doc_count() == 0


def test_rebuild_drops_documents_the_database_no_longer_has(ix: SearchIndex) -> None:
    ix.add([doc(1, "甲"), doc(2, "乙方")])
    ix.rebuild([doc(2, "乙方")])
    assert ix.doc_count() == 1
    assert [h.doc_no for h in ix.search("", readers=None).hits] == ["2025P02002-001"]


def test_rebuild_leaves_a_single_generation_on_disk(ix: SearchIndex) -> None:
    ix.rebuild([doc(1)])
    ix.rebuild([doc(2)])
    assert len(list(ix.path.glob("g-*"))) == 1


def test_failed_rebuild_keeps_the_old_index(ix: SearchIndex) -> None:
    ix.rebuild([doc(1, "旧索引")])

    def broken() -> Iterator[IndexDoc]:
        yield doc(2, "新索引")
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        ix.rebuild(broken())
    assert ix.search("旧索引", readers=None).total == 1
    assert ix.doc_count() == 1 and len(list(ix.path.glob("g-*"))) == 1


def test_another_process_sees_additions_and_rebuilds(tmp_path: Path) -> None:
    writer = SearchIndex(tmp_path / "index", procs=1)
    reader = SearchIndex(tmp_path / "index", procs=1)
    writer.add([doc(1, "第一份")])
    assert reader.search("第一", readers=None).total == 1
    writer.rebuild([doc(2, "第二份")])
    assert reader.search("第一", readers=None).total == 0
    assert reader.search("第二", readers=None).total == 1
    assert not reader.needs_rebuild


def test_permission_cache_follows_index_changes(ix: SearchIndex) -> None:
    ix.add([doc(1)])
    assert ix.search("", readers=["user:5"]).total == 0
    ix.add([doc(2, readers=("user:5",))])
    assert ix.search("", readers=["user:5"]).total == 1


def test_schema_version_change_asks_for_rebuild_and_rebuild_fixes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = SearchIndex(tmp_path / "index", procs=1)
    old.rebuild([doc(1, "旧版本")])
    old.close()

    monkeypatch.setattr(index.store, "SCHEMA_VERSION", index.store.SCHEMA_VERSION + 1)
    new = SearchIndex(tmp_path / "index", procs=1)
    assert new.needs_rebuild
    with pytest.raises(IndexNeedsRebuild) as err:
        new.search("旧版本", readers=None)
    assert isinstance(err.value, QueryError) and "reindex" in str(err.value)
    new.add([doc(2)])  # a no-op: the rebuild will take it from the database
    assert new.doc_count() == 0

    assert new.rebuild([doc(1, "旧版本"), doc(2, "新文件")]) == 2
    assert not new.needs_rebuild
    assert new.search("新文件", readers=None).total == 1


def test_damaged_index_asks_for_rebuild(tmp_path: Path) -> None:
    ix = SearchIndex(tmp_path / "index", procs=1)
    ix.rebuild([doc(1)])
    ix.close()
    for f in ix.path.glob("g-*/*.toc"):
        f.write_bytes(b"garbage")
    again = SearchIndex(tmp_path / "index", procs=1)
    assert again.needs_rebuild
    with pytest.raises(IndexNeedsRebuild):
        again.search("档案", readers=None)
    again.rebuild([doc(1)])
    assert again.search("档案", readers=None).total == 1


def test_rebuild_with_worker_processes_gives_the_same_results(tmp_path: Path) -> None:
    docs = [doc(i, f"第{i}号客户 张{i}伟 档案管理", readers=(f"user:{i % 3}",)) for i in range(1, 121)]
    single = SearchIndex(tmp_path / "one", procs=1)
    multi = SearchIndex(tmp_path / "two", procs=2)
    assert single.rebuild(docs) == multi.rebuild(docs) == 120
    for q, readers in [("档案管理", None), ('"档案管理"', ["user:1"]), ("张1", None)]:
        a = single.search(q, readers=readers, page_size=200)
        b = multi.search(q, readers=readers, page_size=200)
        assert a.total == b.total > 0
        assert {h.doc_no for h in a.hits} == {h.doc_no for h in b.hits}


def test_index_doc_is_frozen_and_keeps_its_own_copy_of_fields() -> None:
    fields = {"party_a": "甲"}
    d = doc(1, fields=fields)
    fields["party_a"] = "乙"
    assert d.fields["party_a"] == "甲"
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.text = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        d.fields["party_a"] = "丙"  # type: ignore[index]


def test_changes_made_while_a_rebuild_runs_survive_the_switch(tmp_path: Path) -> None:
    rebuilder = SearchIndex(tmp_path / "index", procs=1)
    intake = SearchIndex(tmp_path / "index", procs=1)  # as if in another process
    rebuilder.rebuild([doc(1, "第一份"), doc(2, "第二份")])

    def database() -> Iterator[IndexDoc]:
        yield doc(1, "第一份")
        yield doc(2, "第二份")
        # Filed and destroyed after the rebuild read these rows:
        intake.add([doc(3, "第三份")])
        intake.remove(["2025P02001-001"])

    rebuilder.rebuild(database())
    for ix in (rebuilder, intake):
        assert {h.doc_no for h in ix.search("", readers=None).hits} == {"2025P02002-001", "2025P02003-001"}
    assert not list(rebuilder.path.glob("journal-*"))


READER = """
import sys
from index import SearchIndex
ix = SearchIndex(sys.argv[1], procs=1)
for line in sys.stdin:
    found = ix.search(line.strip(), readers=None)  # similar documents (loose) are not matches
    print("" if found.loose else " ".join(sorted(h.doc_no for h in found.hits)), flush=True)
"""


def test_a_running_process_finds_what_another_process_wrote(tmp_path: Path) -> None:
    # The portal's processes each keep their index open between searches; what the watcher's
    # process adds, removes or rebuilds must show in their next search, without a restart.
    import subprocess
    import sys

    writer = SearchIndex(tmp_path / "index", procs=1)
    writer.rebuild([doc(1, "营业执照")])
    reader = subprocess.Popen([sys.executable, "-c", READER, str(tmp_path / "index")], text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=Path(__file__).parents[2])

    def found(q: str) -> str:
        reader.stdin.write(q + "\n")
        reader.stdin.flush()
        return reader.stdout.readline().strip()

    try:
        assert found("劳动合同") == ""
        writer.add([doc(2, "劳动合同")])
        assert found("劳动合同") == "2025P02002-001"
        writer.remove(["2025P02002-001"])
        assert found("劳动合同") == ""
        writer.rebuild([doc(1, "营业执照"), doc(3, "劳动合同补充")])  # a new generation
        assert found("劳动合同") == "2025P02003-001"
        assert found("营业执照") == "2025P02001-001"
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)
