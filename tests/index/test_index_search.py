"""Searching: every query form, both scripts, snippets, permissions, filters, paging."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest

from index import IndexDoc, QueryError, SearchIndex
from tests.conftest import INDEX_BACKENDS, new_index


@pytest.fixture(params=INDEX_BACKENDS)
def fresh(request: pytest.FixtureRequest, tmp_path):
    """Makes empty indexes of one backend (each test runs against both)."""
    return lambda name: new_index(request.param, tmp_path / name)


def make_doc(n: int, text: str, **kw: object) -> IndexDoc:
    values: dict[str, object] = dict(
        doc_no=f"2025P02{n:03d}-001", archive_no=f"2025P02{n:03d}", doc_type="contract",
        status="effective", title="合同", customer_name=None, uscc=None, id_number=None,
        business_line="P", fields={}, text=text, filed_on=date(2025, 1, 1) + timedelta(days=n - 1), issued_on=None,
        amount=None, readers=("role:sales",),
    )
    values.update(kw)
    return IndexDoc(**values)  # type: ignore[arg-type]


DOCS = [
    make_doc(1, "本合同由甲方上海歐陽錦濤貿易有限公司與乙方簽訂，合同編號HT2024-001。",
             title="采购合同", customer_name="上海歐陽錦濤貿易有限公司",
             uscc="91310000MA1K3XYZ12", fields={"party_a": "上海歐陽錦濤貿易有限公司",
                                                 "contract_no": "HT2024-001", "signed_on": "2024-03-05",
                                                 "amount": "150000.00"},
             issued_on=date(2024, 3, 5), amount=Decimal("150000.00"), readers=("role:sales", "user:7")),
    make_doc(2, "营业执照 名称 北京星河科技有限公司 统一社会信用代码 91110000AB12345678 档案管理制度",
             doc_type="business_license", title="营业执照", customer_name="北京星河科技有限公司",
             uscc="91110000AB12345678", business_line="S", status="pending_review",
             issued_on=date(2023, 6, 1), readers=("role:dept_head",)),
    make_doc(3, "客户信息收集表 客户名称 张伟 身份证号 110101199003071234 需求：档案的管理 <script>x</script>",
             doc_type="collection_form", title="客户信息收集表", customer_name="张伟",
             id_number="11010119900307123X", issued_on=date(2025, 2, 1), readers=("user:9",)),
    make_doc(4, "服務合同 甲方 廣州藍天實業有限公司 合同金額 80000元 簽訂日期 2024年8月1日",
             customer_name="廣州藍天實業有限公司", fields={"signed_on": "2024-08-01", "amount": "80000.00"},
             issued_on=date(2024, 8, 1), amount=Decimal("80000.00"), readers=("role:sales",)),
    # OCR damaged the name: 锦涛 came out as 锦淘.
    make_doc(5, "委托书 受托方 杭州欧阳锦淘咨询有限公司 备注", customer_name=None, filed_on=None,
             issued_on=None, readers=("role:service",)),
]


@pytest.fixture(scope="module", params=INDEX_BACKENDS)
def ix(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    index = new_index(request.param, tmp_path_factory.mktemp("ix"))
    index.rebuild(DOCS)
    yield index
    index.close()


def nos(ix: SearchIndex, q: str, **kw: object) -> list[int]:
    res = ix.search(q, readers=kw.pop("readers", None), **kw)  # type: ignore[arg-type]
    return sorted(int(h.doc_no[7:10]) for h in res.hits)


# --- plain words, both scripts ------------------------------------------------------

def test_simplified_query_finds_traditional_document(ix: SearchIndex) -> None:
    assert nos(ix, "欧阳锦涛") == [1]


def test_traditional_query_finds_simplified_document(ix: SearchIndex) -> None:
    assert nos(ix, "星河科技") == nos(ix, "星河科技") == [2]
    assert nos(ix, "營業執照") == [2]


def test_full_width_query_finds_half_width_text(ix: SearchIndex) -> None:
    assert nos(ix, "ＨＴ２０２４") == [1]


def test_name_jieba_does_not_know_is_found_through_bigrams(ix: SearchIndex) -> None:
    assert nos(ix, "蓝天实业") == [4]


def test_single_character_query_finds_it_inside_a_word(ix: SearchIndex) -> None:
    assert nos(ix, "伟") == [3]


def test_plain_words_must_all_match(ix: SearchIndex) -> None:
    assert nos(ix, "合同 上海") == [1]


def test_misspelt_name_falls_back_to_the_closest_documents(ix: SearchIndex) -> None:
    # No document has every bigram of 杭州欧阳锦涛咨询, so the looser reading ranks
    # those with the most: the OCR-damaged 杭州欧阳锦淘咨询 first.
    res = ix.search("杭州欧阳锦涛咨询", readers=None)
    assert res.hits[0].doc_no.startswith("2025P02005")
    # And a typo in the query still finds the document.
    assert ix.search("欧阳锦海贸易", readers=None).hits[0].doc_no.startswith("2025P02001")


def test_code_typed_without_a_field_is_found_in_the_text(ix: SearchIndex) -> None:
    assert nos(ix, "91110000AB12345678") == [2]


# --- phrases -------------------------------------------------------------------------

def test_quoted_phrase_matches_only_contiguous_text(ix: SearchIndex) -> None:
    assert nos(ix, "档案 管理") == [2, 3]
    assert nos(ix, '"档案管理"') == [2]


def test_quoted_phrase_across_chinese_and_latin(ix: SearchIndex) -> None:
    assert nos(ix, '"合同編號HT2024"') == [1]
    assert nos(ix, '"合同编号HT2025"') == []


def test_chinese_quotation_marks_work_like_ascii_ones(ix: SearchIndex) -> None:
    assert nos(ix, "“档案管理”") == [2]


# --- field queries -------------------------------------------------------------------

@pytest.mark.parametrize(
    "query, expected",
    [
        ("uscc:91310000MA1K3XYZ12", [1]),
        ("uscc:91310000ma1k3xyz12", [1]),
        ("uscc:9131", [1]),  # shorter than 18: a prefix
        ("uscc:9111*", [2]),
        ("id:11010119900307123x", [3]),
        ("type:contract", [1, 4, 5]),
        ("type:business_license", [2]),
        ("类型:营业执照", [2]),
        ("類型:合同", [1, 4, 5]),
        ("amount:>100000", [1]),
        ("amount:>=80000", [1, 4]),
        ("amount:<100000", [4]),
        ("amount:80000", [4]),
        ("amount:50000..100000", [4]),
        ("amount:>10万", [1]),
        ("金额:>100,000", [1]),
        ("signed:2024-01..2024-06", [1]),
        ("signed:2024", [1, 4]),
        ("signed:>2024-03-05", [4]),
        ("signed:2024-08..", [4]),
        ("issued:..2023-12", [2]),
        ("name:张伟", [3]),
        ("name:欧阳锦涛", [1]),
        ("archive:2025P02002", [2]),
        ("archive:2025p0200*", [1, 2, 3, 4, 5]),
        ("doc:2025P02004-001", [4]),
        ("status:pending_review", [2]),
        ("biz:s", [2]),
        ("party_a:欧阳", [1]),
        ("contract_no:HT2024", [1]),
        ("title:采购", [1]),
        ("type:(contract OR business_license) 有限公司", [1, 2, 4, 5]),
    ],
)
def test_field_query(ix: SearchIndex, query: str, expected: list[int]) -> None:
    assert nos(ix, query) == expected


# --- boolean -----------------------------------------------------------------------

@pytest.mark.parametrize(
    "query, expected",
    [
        ("有限公司 AND 北京", [2]),
        ("北京 OR 广州", [2, 4]),
        ("有限公司 NOT 北京", [1, 4, 5]),
        ("有限公司 -北京", [1, 4, 5]),
        ("NOT 有限公司", [3]),
        ("(北京 OR 广州) 科技", [2]),
        ("type:contract NOT amount:>100000", [4, 5]),
    ],
)
def test_boolean_query(ix: SearchIndex, query: str, expected: list[int]) -> None:
    assert nos(ix, query) == expected


def test_empty_query_lists_everything_the_filters_allow(ix: SearchIndex) -> None:
    assert ix.search("", readers=None).total == len(DOCS)
    assert nos(ix, "", filters={"doc_type": "contract"}) == [1, 4, 5]


# --- sorting and paging --------------------------------------------------------------

def test_sort_by_date_puts_newest_first_and_undated_last(ix: SearchIndex) -> None:
    res = ix.search("", readers=None, sort="date")
    assert [h.doc_no[:10] for h in res.hits] == [
        "2025P02003", "2025P02004", "2025P02001", "2025P02002", "2025P02005"]


def test_relevance_sort_ranks_stronger_matches_first(ix: SearchIndex) -> None:
    res = ix.search("合同", readers=None)
    assert res.hits[0].score >= res.hits[-1].score > 0


def test_pages_partition_the_results_and_keep_the_total(ix: SearchIndex) -> None:
    seen = []
    for page in (1, 2, 3):
        res = ix.search("", readers=None, sort="date", page=page, page_size=2)
        assert res.total == 5 and res.page == page and res.page_size == 2
        seen += [h.doc_no for h in res.hits]
    assert len(seen) == len(set(seen)) == 5
    assert ix.search("", readers=None, page=4, page_size=2).hits == ()


# --- snippets ----------------------------------------------------------------------------

def test_snippet_marks_the_match_in_the_documents_own_script(ix: SearchIndex) -> None:
    hit = ix.search("欧阳锦涛", readers=None).hits[0]
    assert "<mark>歐陽錦濤</mark>" in hit.snippet


def test_snippet_is_html_escaped_outside_the_marks(ix: SearchIndex) -> None:
    hit = ix.search("张伟", readers=None).hits[0]
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet
    assert re.sub(r"</?mark>", "", hit.snippet).count("<") == 0


def test_snippet_does_not_mark_excluded_words(ix: SearchIndex) -> None:
    hit = ix.search("有限公司 NOT 北京", readers=None).hits[0]
    assert "<mark>有限公司</mark>" in hit.snippet
    assert "<mark>北京" not in hit.snippet


def test_hit_carries_the_values_as_filed(ix: SearchIndex) -> None:
    hit = ix.search("uscc:91310000MA1K3XYZ12", readers=None).hits[0]
    assert (hit.doc_no, hit.archive_no, hit.doc_type, hit.title) == (
        "2025P02001-001", "2025P02001", "contract", "采购合同")


# --- permissions and filters ---------------------------------------------------------------

def test_readers_limit_results_and_the_total(ix: SearchIndex) -> None:
    res = ix.search("有限公司", readers={"role:sales"})
    assert res.total == 2 and {h.doc_no[:10] for h in res.hits} == {"2025P02001", "2025P02004"}


def test_any_shared_reader_token_is_enough(ix: SearchIndex) -> None:
    assert nos(ix, "", readers=["user:9", "role:dept_head"]) == [2, 3]


def test_paging_counts_only_visible_documents(ix: SearchIndex) -> None:
    res = ix.search("", readers=["role:sales"], page=1, page_size=1, sort="date")
    assert res.total == 2 and len(res.hits) == 1
    res2 = ix.search("", readers=["role:sales"], page=2, page_size=1, sort="date")
    assert len(res2.hits) == 1 and res2.hits[0].doc_no != res.hits[0].doc_no
    assert ix.search("", readers=["role:sales"], page=3, page_size=1).hits == ()


def test_no_reader_tokens_sees_nothing_and_none_sees_everything(ix: SearchIndex) -> None:
    assert ix.search("有限公司", readers=()).total == 0
    assert ix.search("有限公司", readers=["role:nobody"]).total == 0
    assert ix.search("有限公司", readers=None).total == 4


def test_a_lone_reader_string_is_one_token(ix: SearchIndex) -> None:
    assert ix.search("", readers="user:9").total == 1  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({"doc_type": "business_license"}, [2]),
        ({"doc_type": "营业执照"}, [2]),
        ({"business_line": "S"}, [2]),
        ({"status": "effective"}, [1, 3, 4, 5]),
        ({"date_from": "2024-06-01"}, [3, 4]),
        ({"date_to": "2024-03"}, [1, 2]),
        ({"date_from": "2024-01-01", "date_to": "2024-12-31", "doc_type": ""}, [1, 4]),
    ],
)
def test_portal_filters(ix: SearchIndex, filters: dict[str, str], expected: list[int]) -> None:
    assert nos(ix, "", filters=filters) == expected


# --- mistakes ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "query",
    ['"档案', "(档案", "档案)", "OR 档案", "档案 AND", "档案 OR", "NOT", "-", "foo:bar", "uscc:",
     "amount:abc", "amount:>", "signed:2024-13", "signed:2024-06..2024-01", "signed:..", '""',
     "()", "(" * 40 + "a" + ")" * 40, "x" * 1001, "，。、"],
)
def test_malformed_query_raises_a_readable_query_error(ix: SearchIndex, query: str) -> None:
    with pytest.raises(QueryError) as err:
        ix.search(query, readers=None)
    message = str(err.value)
    assert message[0].isupper() or message[0] in "“\"" or message[0].isalpha()
    assert message.endswith(".") and "Traceback" not in message and "whoosh" not in message


@pytest.mark.parametrize(
    "kwargs",
    [{"page": 0}, {"page_size": 0}, {"page_size": 10_000}, {"sort": "size"},
     {"filters": {"colour": "red"}}, {"filters": {"date_from": "next week"}},
     {"filters": {"date_from": "2025-01-01", "date_to": "2024-01-01"}}],
)
def test_bad_paging_sorting_or_filters_raise_query_error(ix: SearchIndex, kwargs: dict) -> None:
    with pytest.raises(QueryError):
        ix.search("合同", readers=None, **kwargs)


def test_words_with_colons_that_are_not_fields_are_plain_text(ix: SearchIndex) -> None:
    assert ix.search("10:30", readers=None).total == 0


def test_strict_reading_takes_the_rarest_terms_that_cover_the_word() -> None:
    from whoosh import query as wq

    from index.query import compile_query, parse

    df = {"营业执照": 3, "营业": 40, "业执": 9, "执照": 30}
    word = compile_query(parse("营业执照"), df=lambda f, t: df.get(t, 100), doc_count=100)
    assert word.query == wq.Term("content", "营业执照")
    # Without the word, the rarest bigrams that still cover all four characters.
    df.pop("营业执照")
    grams = compile_query(parse("营业执照"), df=lambda f, t: df.get(t, 0 if t == "营业执照" else 100),
                          doc_count=100)
    assert isinstance(grams.query, wq.Term) and grams.query.text == "营业执照"  # df 0: fail fast
    cover = compile_query(parse("营业执照"), df=lambda f, t: df.get(t, 1000), doc_count=100)
    assert set(cover.query.subqueries) == {wq.Term("content", "业执"), wq.Term("content", "执照"),
                                           wq.Term("content", "营业")}


def test_loose_reading_ranks_the_document_with_the_whole_phrase_first(fresh) -> None:
    """A damaged name shares its one intact bigram with several customers; the
    phrase's common bigrams, which only add to the score, pick the right one."""
    phrase = "确保档案的完整准确"
    docs = [make_doc(1, f"客户 王军强 承诺{phrase}，按期归还。", customer_name="王军强")]
    docs += [make_doc(2 + k, f"客户 王军{c} 借阅登记。", customer_name=f"王军{c}") for k, c in enumerate("伟杰华明丽")]
    docs += [make_doc(10 + k, f"制度第{k}条 {phrase}。", filed_on=None) for k in range(20)]
    index = fresh("ix")
    index.rebuild(docs)
    res = index.search(f"王军墙 {phrase}", readers=None)  # 强 read as 墙
    assert res.hits[0].doc_no == docs[0].doc_no


def test_a_name_with_one_wrong_character_still_finds_its_customer(fresh) -> None:
    """梁梅媛 typed as 梁理媛 keeps none of its bigrams; among documents that share
    the rest of the query, the one whose text holds the name but for one
    character comes first, in whichever script it was printed."""
    phrase = "接收动车客车火灾信息"
    docs = [make_doc(1, f"客戶 梁梅媛 負責{phrase.replace('动车', '動車')}。", customer_name="梁梅媛")]
    docs += [make_doc(2 + k, f"联系人 {n} 负责{phrase}。", filed_on=None)
             for k, n in enumerate(["王建国", "李四海", "赵敏", "钱多多", "孙理想", "周媛媛"] * 5)]
    index = fresh("ix")
    index.rebuild(docs)
    res = index.search(f"梁理媛 {phrase}", readers=None, page_size=5)
    assert res.total == len(docs)
    assert res.hits[0].doc_no == docs[0].doc_no


PHRASE = "接收动车客车火灾信息"


def first_hit(fresh, contacts: list[str], target: IndexDoc, query: str) -> str:
    """The best hit for `query` among `target` and, filed before it, one document per
    contact sharing PHRASE."""
    others = [make_doc(1 + k, f"联系人 {n} 负责{PHRASE}，{n}签收。", filed_on=None) for k, n in enumerate(contacts)]
    index = fresh(query)
    index.rebuild([*others, target])
    return index.search(query, readers=None, page_size=10).hits[0].doc_no


def test_a_misread_middle_character_is_found_beyond_the_first_candidates(fresh) -> None:
    """钱梅媛 typed as 钱理媛 keeps none of its bigrams, and 150 documents filed before
    the customer's share the phrase as well as it does: ranked by the bigrams alone
    it is not among the candidates re-ranked by text, so it must be found by 钱?媛."""
    contacts = ["王建国", "李四海", "赵晓敏", "钱多多", "孙理想", "周媛媛"] * 25
    target = make_doc(151, f"客戶 錢梅媛 負責{PHRASE.replace('动车', '動車')}，錢梅媛簽收。", customer_name="錢梅媛")
    assert first_hit(fresh, contacts, target, f"钱理媛 {PHRASE}") == target.doc_no
    # With an outer character misread the name keeps a bigram and is found by it.
    assert first_hit(fresh, contacts, target, f"钱梅嫒 {PHRASE}") == target.doc_no


def test_a_two_character_name_with_one_misread_still_counts_its_other_character(fresh) -> None:
    """薛娴 typed as 病娴 keeps no bigram; the documents that hold 娴, most of all the
    one whose customer it is and names it three times, rank above those that do not."""
    target = make_doc(61, f"客户 薛娴 负责{PHRASE}，薛娴签收，薛娴存档。", customer_name="薛娴")
    assert first_hit(fresh, ["王建", "李海", "赵敏", "钱多", "孙想", "周媛"] * 10, target,
                     f"病娴 {PHRASE}") == target.doc_no


def test_the_loose_reading_repairs_only_a_character_no_bigram_vouches_for() -> None:
    from whoosh import query as wq

    from index.query import compile_query, parse

    known = {"钱梅", "梅媛", "钱多", "多媛", "钱理"}
    df = lambda f, t: 5 if t in known else 0  # noqa: E731
    expand = lambda f, p: [t for t in sorted(known) if t.startswith(p)]  # noqa: E731

    def walk(q: wq.Query) -> Iterator[wq.Query]:
        yield q
        for c in q.children():
            yield from walk(c)

    def repairs(word: str) -> set[tuple[str, ...]]:
        c = compile_query(parse(f"{word} 档案"), relaxed=True, df=df, doc_count=100, expand=expand)
        return {tuple(sorted(t.text for t in q.subqueries)) for q in walk(c.query)
                if isinstance(q, wq.And) and all(isinstance(t, wq.Term) for t in q.subqueries)}

    # 钱理 is known but 理媛 is not: 理 is suspect; 钱梅+梅媛 and 钱多+多媛 fill the gap.
    assert repairs("钱理媛") == {("梅媛", "钱梅"), ("多媛", "钱多")}
    assert repairs("钱梅媛") == set()  # both bigrams known: nothing to repair
    assert repairs("钱媛") == set()  # two characters: no neighbours on both sides


def test_snippet_marks_codes_in_any_case_and_width_but_not_inside_longer_ones(fresh) -> None:
    index = fresh("ix")
    index.rebuild([make_doc(1, "合同編號ＨＴ２０２４ 附件 XHT2024 另附 ht2024-2")])
    snippet = index.search("HT2024", readers=None).hits[0].snippet
    assert "<mark>ＨＴ２０２４</mark>" in snippet and "<mark>ht2024</mark>" in snippet
    assert "X<mark>" not in snippet


def test_a_filter_that_excludes_the_exact_match_does_not_bring_near_misses(fresh) -> None:
    """北京星河科技 is a business licence: asking for it among contracts, or as a
    user who may not see it, finds nothing, rather than other documents sharing a
    bigram of the name (the loose reading is for misread words, not for filters)."""
    index = fresh("ix")
    index.rebuild([
        make_doc(1, "营业执照 名称 北京星河科技有限公司", doc_type="business_license", readers=("role:dept_head",)),
        make_doc(2, "合同 甲方 星河贸易有限公司", readers=("role:sales",)),
        *(make_doc(3 + k, f"合同 第{k}号 附件", readers=("role:sales",)) for k in range(20)),
    ])
    assert index.search("北京星河科技", readers=None).total == 1
    assert index.search("北京星河科技", readers=None, filters={"doc_type": "contract"}).total == 0
    assert index.search("北京星河科技", readers=["role:sales"]).total == 0
