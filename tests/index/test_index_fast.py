"""The numpy evaluator (index/fast.py) against whoosh's own searcher.

Same index, same compiled queries: the set of matches and every score must agree
with whoosh, across several segments, with deleted documents, with the
permission mask, and for each query form the compiler produces.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest
from whoosh import query as wq

from index import IndexDoc, SearchIndex
from index.fast import FastSearcher
from index.phrase import ExactPhrase
from index.query import compile_query, parse

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
WORDS = ["合同", "客户", "档案", "管理", "资料", "服务", "信息", "有限公司", "借阅", "审批", "銷毀", "歸檔",
         "保管期限", "甲方", "乙方", "金额", "签订", "营业执照", "经营范围", "注册资本"]


def make_doc(i: int, r: random.Random) -> IndexDoc:
    name = r.choice(SURNAMES) + r.choice(SURNAMES) + r.choice(["科技", "贸易", "实业"]) + "有限公司"
    text = "，".join(r.choice(WORDS) + r.choice(WORDS) for _ in range(r.randrange(5, 40)))
    issued = date(2018, 1, 1) + timedelta(days=r.randrange(0, 2500))
    amount = Decimal(r.randrange(100, 10_000_000)) / 100 if r.random() < 0.7 else None
    return IndexDoc(
        doc_no=f"2025P{i:05d}-001", archive_no=f"2025P{i:05d}", doc_type=["contract", "business_license"][i % 2],
        status="effective", title="合同" if i % 2 == 0 else "营业执照", customer_name=name,
        uscc=None, id_number=None, business_line="P",
        fields={"signed_on": issued.isoformat(), **({"amount": f"{amount:.2f}"} if amount else {})},
        text=f"{name} {text}", filed_on=issued + timedelta(days=10),
        issued_on=issued if r.random() < 0.8 else None, amount=amount,
        readers=(["role:sales", "role:service"][i % 2], f"user:{i % 5}"),
    )


@pytest.fixture(scope="module")
def ix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    r = random.Random(3)
    index = SearchIndex(tmp_path_factory.mktemp("fast"), procs=1)
    index.rebuild(make_doc(i, r) for i in range(300))
    # Two more segments added the way intake adds, one replacing documents
    # (deletions in the first segment) and one removing some.
    index.add(make_doc(i, r) for i in range(280, 330))
    index.add(make_doc(i, r) for i in range(330, 360))
    index.remove(f"2025P{i:05d}-001" for i in (5, 17, 333))
    yield index
    index.close()


QUERIES = [
    "合同", "档案 管理", "合同 OR 銷毀", "合同 NOT 客户", "-合同 档案", '"保管期限"', "王李",
    "type:contract 合同", "amount:>50000 合同", "amount:1000..20000", "signed:2019-01..2020-06",
    "signed:<2019", "date:2020", "name:有限公司", "(审批 OR 借阅) 甲方", "张*", "歸檔 保管",
    '"甲方乙方"', '"管理資料，服务"', '"有限公司 合同" 金额', '-"合同档案" 客户', "管", "档 管理", '"合，客"',
    wq.AndMaybe(wq.Term("content", "审批"), wq.Or([wq.Term("content", "合同"), wq.Term("content", "有限")])),
]


def phrase_docs(searcher, q: ExactPhrase) -> list[int]:
    """Documents where whoosh's own postings put every (term, offset) of `q` at one start."""
    starts: dict[int, set[int]] | None = None
    for term, off in q.items:
        found: dict[int, set[int]] = {}
        if (q.fieldname, term) in searcher.reader():
            m = searcher.reader().postings(q.fieldname, term)
            while m.is_active():
                found[m.id()] = {p - off for p in m.value_as("positions")}
                m.next()
        starts = found if starts is None else {d: s & found[d] for d, s in starts.items() if d in found}
    return sorted(d for d, s in (starts or {}).items() if s)


def reference(searcher, q: wq.Query) -> wq.Query:
    """`q` as whoosh alone can run it: an ExactPhrase (which only fast.py evaluates) becomes
    the AND of its terms, as it is scored, limited at (next to) no score to the documents
    phrase_docs finds."""
    if isinstance(q, ExactPhrase):
        docs = phrase_docs(searcher, q)
        if not docs:
            return wq.NullQuery
        ids = wq.Or([wq.Term("doc_no", searcher.stored_fields(d)["meta"][0].lower()) for d in docs])
        terms = [wq.Term(q.fieldname, t) for t in dict.fromkeys(t for t, _ in q.items)]
        # (a constant score of 0 is taken for "none given" and counts 1)
        return wq.And([*terms, wq.ConstantScoreQuery(ids, 1e-9)])
    return q.apply(lambda child: reference(searcher, child)) if q.children() else q


def whoosh_results(searcher, q: wq.Query, allow: set[int] | None) -> dict[int, float]:
    results = searcher.search(reference(searcher, q), limit=None, filter=allow)
    return {hit.docnum: hit.score for hit in results}


@pytest.mark.parametrize("text", QUERIES)
@pytest.mark.parametrize("readers", [None, ("role:sales",), ("user:3", "role:service")])
def test_same_matches_and_scores_as_whoosh(ix: SearchIndex, text: str | wq.Query, readers: tuple[str, ...] | None) -> None:
    searcher = ix._get_searcher()
    assert len(searcher.leaf_searchers()) >= 2 and searcher.doc_count() < searcher.doc_count_all()
    fast = FastSearcher(searcher)
    if isinstance(text, wq.Query):  # a form the compiler makes only in its loose reading
        q, text = text, str(text)
    else:
        q = compile_query(parse(text), df=searcher.doc_frequency, doc_count=searcher.doc_count_all()).query
    allow_set = None
    allow_mask = None
    if readers:
        rq = wq.Or([wq.Term("readers", r) for r in readers])
        allow_set = set(searcher.docs_for_query(rq))
        allow_mask = np.zeros(searcher.doc_count_all(), dtype=bool)
        allow_mask[list(allow_set)] = True
    expected = whoosh_results(searcher, q, allow_set)
    total, top = fast.search(q, allow_mask, "relevance", 10_000)
    got = dict(top)
    assert total == len(expected), text
    assert set(got) == set(expected), text
    for docnum, score in expected.items():
        if "*" in text:  # a prefix is scored by its terms, not whoosh's constant (fast._prefix)
            break
        assert got[docnum] == pytest.approx(score, rel=1e-4), (text, docnum)
    # Relevance order: score descending, ties by document number.
    keys = [(-s, d) for d, s in top]
    assert keys == sorted(keys)


def test_date_order_is_newest_first_with_undated_last(ix: SearchIndex) -> None:
    res = ix.search("合同", readers=None, sort="date", page_size=200)
    searcher = ix._get_searcher()
    day = searcher.reader().column_reader("sort_day")
    days = [day[next(iter(searcher.docs_for_query(wq.Term("doc_no", h.doc_no.lower()))))] for h in res.hits]
    assert days == sorted(days, reverse=True)
    assert res.total > 20


def test_pages_do_not_overlap_and_cover_everything(ix: SearchIndex) -> None:
    first = ix.search("合同", readers=None, page=1, page_size=20)
    seen: list[str] = []
    for page in range(1, -(-first.total // 20) + 1):
        seen += [h.doc_no for h in ix.search("合同", readers=None, page=page, page_size=20).hits]
    assert len(seen) == len(set(seen)) == first.total


def test_phrases_over_terms_of_several_blocks_agree_with_whoosh(tmp_path) -> None:
    """Terms in thousands of documents span several posting blocks (1,024 postings
    each); a phrase decodes positions only for the rows it needs, block by block."""
    r = random.Random(9)
    docs = []
    for i in range(2600):
        words = [r.choice(WORDS) for _ in range(r.randrange(3, 12))]
        if i % 7 == 0:
            words.insert(r.randrange(len(words) + 1), "档案管理资料")
        docs.append(IndexDoc(
            doc_no=f"2025P{i:05d}-001", archive_no=f"2025P{i:05d}", doc_type="contract", status="effective",
            title="合同", customer_name=None, uscc=None, id_number=None, business_line="P", fields={},
            text="，".join(words), filed_on=None, issued_on=None, amount=None, readers=("role:sales",)))
    index = SearchIndex(tmp_path / "ix", procs=1)
    index.rebuild(docs)
    searcher = index._get_searcher()
    fast = FastSearcher(searcher)
    totals = []
    for text in ['"档案管理资料"', '"管理资料"', '"合同，客户"', '"资料，合同"']:
        q = compile_query(parse(text), df=searcher.doc_frequency, doc_count=searcher.doc_count_all()).query
        expected = whoosh_results(searcher, q, None)
        total, top = fast.search(q, None, "relevance", 10_000)
        assert total == len(expected) and set(dict(top)) == set(expected), text
        totals.append(total)
    assert min(totals) > 20 and totals[0] >= 2600 // 7
    index.close()


def test_positions_of_chosen_rows_are_the_stored_ones(tmp_path) -> None:
    from index.fast import _Segment

    r = random.Random(4)
    index = SearchIndex(tmp_path / "ix", procs=1)
    index.rebuild(make_doc(i, r) for i in range(2500))
    searcher = index._get_searcher()
    seg = _Segment(searcher.leaf_searchers()[0][0], 0)
    field = searcher.schema["content"]
    tbytes = field.to_bytes("合同")
    m = searcher.reader().postings("content", tbytes)
    stored = []
    while m.is_active():
        stored.append(field.format.decode_positions(m.value()))
        m.next()
    assert len(stored) > 2048  # three blocks at least
    rows = np.array(sorted(r.sample(range(len(stored)), 300)) + [len(stored) - 1])
    offsets, flat = seg.positions("content", tbytes, rows)
    assert [flat[offsets[k]:offsets[k + 1]].tolist() for k in range(len(rows))] == [stored[i] for i in rows]
    index.close()


def test_sorted_set_helpers_agree_with_numpy() -> None:
    from index.fast import _sorted_intersect, _sorted_unique

    r = np.random.default_rng(5)
    for n, m in [(0, 5), (5, 0), (1, 1), (50, 3000), (3000, 50), (2000, 2000)]:
        a = np.unique(r.integers(0, 4000, n))
        b = np.unique(r.integers(0, 4000, m))
        assert _sorted_intersect(a, b).tolist() == np.intersect1d(a, b).tolist()
        c = np.sort(r.integers(0, 100, n))
        assert _sorted_unique(c).tolist() == np.unique(c).tolist()
