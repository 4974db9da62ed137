"""Every kind of search runs on index/fast.py's arrays, never on whoosh's per-document path.

fast.py reads whoosh-reloaded's private layout (the column files, the posting blocks of
codec.py). Where that layout is not what it expects it falls back to whoosh's own
per-document reading, which gives the same results about 1,000 times slower: a renamed
internal in a new whoosh would leave every other test green. These tests record each
fallback taken and fail on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from whoosh import query as wq
from whoosh.matching import ListMatcher
from whoosh.searching import Searcher

import index.fast as fast
from index import IndexDoc, SearchIndex

NAMES = ["上海华强电子有限公司", "北京欧阳贸易有限公司", "深圳张三丰科技有限公司", "杭州李四实业有限公司"]
WORDS = ["合同", "客户", "档案", "管理", "借阅", "审批", "營業執照", "经营范围", "保管期限", "甲方", "乙方"]


def make_doc(i: int) -> IndexDoc:
    name = NAMES[i % len(NAMES)]
    words = [WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(8 + i % 5)]
    day = date(2019, 1, 1) + timedelta(days=37 * i)
    return IndexDoc(
        doc_no=f"2025P{i:05d}-001", archive_no=f"2025P{i:05d}", doc_type=("contract", "business_license")[i % 2],
        status="effective", title="合同" if i % 2 == 0 else "营业执照", customer_name=name,
        uscc="91310115MA1K3YJ12X" if i % 4 == 0 else None, id_number=None, business_line="PS"[i % 2],
        fields={"signed_on": day.isoformat(), "amount": f"{1000 * (i + 1)}.00", "party_a": name},
        text=f"{name}，" + "，".join(words) + "，合同编号HT2024-001。", filed_on=day + timedelta(days=3),
        issued_on=day, amount=Decimal(1000 * (i + 1)), readers=(("role:sales", "role:service")[i % 2], f"user:{i % 3}"),
    )


@pytest.fixture(scope="module")
def ix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    index = SearchIndex(tmp_path_factory.mktemp("fastpath"), procs=1)
    index.rebuild(make_doc(i) for i in range(80))
    index.add(make_doc(i) for i in range(70, 90))  # a second segment, with deletions in the first
    yield index
    index.close()


@pytest.fixture
def slow(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The fallbacks taken while the test runs, by name."""
    taken: list[str] = []

    def by_whoosh(self, q, seg):  # type: ignore[no-untyped-def]
        taken.append(f"whoosh matcher for {q!r}")
        return by_whoosh_orig(self, q, seg)
    by_whoosh_orig = fast.FastSearcher._by_whoosh
    monkeypatch.setattr(fast.FastSearcher, "_by_whoosh", by_whoosh)

    def column_bytes(self, colreader, width):  # type: ignore[no-untyped-def]
        got = column_bytes_orig(self, colreader, width)
        if got is None:
            taken.append(f"column read value by value ({type(colreader).__name__})")
        return got
    column_bytes_orig = fast._Segment._column_bytes
    monkeypatch.setattr(fast._Segment, "_column_bytes", column_bytes)

    def one_by_one(m):  # type: ignore[no-untyped-def]
        # a term in one document is inlined in whoosh's term info (a ListMatcher): fine;
        # any other matcher without codec.py's blocks is read posting by posting
        if not isinstance(m, ListMatcher):
            taken.append(f"postings read one by one ({type(m).__name__})")
        return one_by_one_orig(m)
    one_by_one_orig = fast._read_one_by_one
    monkeypatch.setattr(fast, "_read_one_by_one", one_by_one)
    monkeypatch.setattr(fast, "CACHE", fast._Cache())  # so each test reads columns and postings afresh

    def whoosh_search(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        taken.append("whoosh's Searcher.search")
        return whoosh_search_orig(self, *args, **kwargs)
    whoosh_search_orig = Searcher.search
    monkeypatch.setattr(Searcher, "search", whoosh_search)

    answered: list[int] = []

    def fast_search(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        answered.append(1)
        return fast_search_orig(self, *args, **kwargs)
    fast_search_orig = fast.FastSearcher.search
    monkeypatch.setattr(fast.FastSearcher, "search", fast_search)
    yield taken
    assert answered, "the search never reached FastSearcher.search"


QUERIES = [
    ("one word", "合同", {}),
    ("words in the other script", "营业执照 經營範圍", {}),
    ("OR and NOT", "(借阅 OR 审批) -甲方", {}),
    ("exact phrase", '"保管期限，合同"', {}),
    ("phrase across letters", '"合同编号HT2024"', {}),
    ("one character", "档", {}),
    ("field term", "type:contract 合同", {}),
    ("code prefix", "uscc:913101", {}),
    ("name prefix", "张*", {}),
    ("amount range", "amount:>20000 合同", {}),
    ("date range", "signed:2019-01..2020-06", {}),
    ("filters", "合同", {"doc_type": "contract", "date_from": "2019-06-01"}),
    ("misspelt name: the loose reading", "欧阳贸昜", {}),
]


@pytest.mark.parametrize("label, query, filters", QUERIES, ids=[q[0] for q in QUERIES])
@pytest.mark.parametrize("readers", [None, ("role:sales", "user:1")], ids=["everything", "as sales"])
@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_search_takes_the_fast_path(ix: SearchIndex, slow: list[str], label: str, query: str,
                                    filters: dict[str, str], readers: tuple[str, ...] | None, sort: str) -> None:
    res = ix.search(query, readers=readers, sort=sort, filters=filters, page_size=50)
    assert slow == [], label
    if readers is None and sort == "relevance":
        assert res.total > 0, label  # a search that finds nothing proves nothing


def test_a_query_kind_fast_py_does_not_know_is_caught(ix: SearchIndex, slow: list[str]) -> None:
    """The check itself can fail: a wildcard (which the query language never makes) goes
    to whoosh's matcher, and the spy sees it."""
    searcher = ix._get_searcher()
    total, _ = fast.FastSearcher(searcher).search(wq.Wildcard("content", "合*"), None, "relevance", 10)
    assert total > 0 and slow and "whoosh matcher" in slow[0]
