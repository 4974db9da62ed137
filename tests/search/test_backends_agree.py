"""The index in PostgreSQL finds exactly what the embedded index finds.

The same 300 varied documents go into both; every query below (names in either script,
codes, field queries, prefixes, ranges of dates and money, phrases, booleans, negation,
misspellings that take the loose reading) is run against both, unrestricted, as a
reader, with the portal's filters, sorted either way. "The same" means: the same total,
the same set of documents across all pages, the same loose/strict answer, and, sorted by
date, the same sequence of dates. Relevance order is not compared: PostgreSQL ranks with
ts_rank, the embedded index with BM25, and only the set is promised to agree.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import opencc
import pytest

from index import IndexDoc, QueryError
from tests.conftest import ON_POSTGRES, new_index

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="compares with the PostgreSQL index (DOSSIER_TEST_DB=postgresql)")

CITIES = ["上海", "北京", "广州", "深圳", "杭州", "南京"]
BRANDS = ["星河", "欧阳锦涛", "蓝天", "华东", "远景", "恒信", "长城", "天和"]
INDUSTRY = ["科技", "贸易", "实业", "信息技术", "医疗器械", "物流"]
PEOPLE = ["张伟", "王芳", "李娜", "刘洋", "欧阳修远", "诸葛明", "赵强", "孙丽"]
SENTENCES = [
    "本合同由甲方与乙方在平等自愿的基础上签订。", "乙方应按期交付设备并提供维保服务。",
    "双方应对本合同内容保密，未经同意不得向第三方披露。", "付款方式：银行转账，分三期支付。",
    "本执照登记事项如有变更应及时办理变更登记。", "经营范围：技术开发、技术咨询、技术服务。",
    "客户需求：年度设备维保服务及备件供应。", "档案管理制度要求纸质原件归档保存。",
    "Contract No. HT-2024 signed in Shanghai, O'Neil & Co. \\ backslash", "违约责任：逾期交付按日支付违约金。",
]
KINDS = ["contract", "business_license", "collection_form"]
S2T = opencc.OpenCC("s2t")
ROLES = ["role:sales", "role:service", "role:marketing", "role:dept_head"]


def corpus(n: int = 300) -> list[IndexDoc]:
    r = random.Random(27)
    docs = []
    for i in range(n):
        kind = KINDS[i % 3]
        name = (f"{r.choice(CITIES)}{r.choice(BRANDS)}{r.choice(INDUSTRY)}有限公司" if r.random() < 0.7
                else r.choice(PEOPLE))
        contact = r.choice(PEOPLE)
        uscc = "9131" + "".join(r.choice("0123456789ABCDEFGHJK") for _ in range(14))
        issued = date(2016, 1, 1) + timedelta(days=r.randrange(0, 3300)) if r.random() < 0.85 else None
        amount = Decimal(r.randrange(1_000, 5_000_000)) / 100 if kind == "contract" and r.random() < 0.9 else None
        body = "\n".join([f"客户名称：{name} 联系人：{contact}", *r.sample(SENTENCES, 4),
                          f"{name}" if r.random() < 0.5 else "", f"编号 HT{i:05d}"])
        if i % 4 == 1:  # printed in Traditional: the fold makes both scripts one
            body = S2T.convert(body)
        fields = {"contract": {"party_a": name, "contract_no": f"HT{i:05d}",
                               **({"amount": f"{amount:.2f}"} if amount else {}),
                               **({"signed_on": issued.isoformat()} if issued else {})},
                  "business_license": {"name": name, "legal_representative": contact},
                  "collection_form": {"customer_name": name, "contact_person": contact, "needs": "设备采购与维保"}}[kind]
        private = {"id_number": (f"1101011990{i:04d}123X",)} if i % 7 == 0 else {}
        docs.append(IndexDoc(
            doc_no=f"2025P{i // 3:05d}-{i % 3 + 1:03d}", archive_no=f"2025P{i // 3:05d}", doc_type=kind,
            status="effective" if r.random() < 0.85 else "pending_review",
            title={"contract": "服务合同", "business_license": "营业执照", "collection_form": "客户信息收集表"}[kind],
            customer_name=name, uscc=uscc if kind != "collection_form" else None, id_number=None,
            business_line=r.choice("PS"), fields=fields, text=body, private=private,
            filed_on=(issued + timedelta(days=30)) if issued else None, issued_on=issued, amount=amount,
            readers=(r.choice(ROLES), f"user:{r.randrange(10)}")))
    return docs


DOCS = corpus()
QUERIES = [
    # names and words, in either script, wide or narrow
    "欧阳锦涛", "歐陽錦濤", "上海星河科技有限公司", "张伟", "張偉", "诸葛明", "合同", "维保服务", "設備", "有限公司",
    "张", "档案管理", "ＨＴ００００３", "ht00003", "neil", "o'neil", "backslash", "HT-2024",
    # phrases
    '"平等自愿的基础上"', '"设备并提供维保"', '“违约金”', '"Contract No"', '"甲方与乙方"',
    # fields, codes, prefixes
    "type:contract", "类型:合同", "type:license 星河", "uscc:9131", "uscc:91310*", "archive:2025P0001*",
    "doc:2025P00010-001", "status:pending_review", "biz:S 合同", "name:欧阳锦涛", "客户:张伟", "title:营业执照",
    "party_a:华东", "contact_person:李娜", "contract_no:HT00012", "id:11010119900000123X", "id:110101",
    "needs:维保",
    # ranges
    "amount:>10000", "amount:5000..20000", "金额:<1万", "amount:>=30000 合同", "signed:2020", "date:2019-01..2020-06",
    "issued:<2018", "filed:>2024-06-30", "date:2022-03", "signed:2020..",
    # booleans and negation
    "合同 OR 执照", "维保 -合同", "NOT type:contract", "(张伟 OR 王芳) 合同", "-amount:>10000", "张伟 AND NOT 李娜",
    "type:contract -signed:2020..2022", "name:(星河 OR 蓝天)", "合同 NOT (维保 OR 保密)",
    # misspelt: nothing has every bigram, the loose reading answers
    "欧阳锦淘", "星河科枝有限公司", "维保服物",
]
READERS = [None, ("role:sales", "user:3"), ("role:dept_head",)]
FILTERS = [{}, {"doc_type": "contract"}, {"status": "effective", "date_from": "2019-01-01", "date_to": "2022-12-31"}]


def everything(ix, q: str, **kw):
    """(total, set of doc_nos over every page, loose, dates in order if sorted by date)."""
    found, days, page, loose = [], [], 1, False
    while True:
        res = ix.search(q, page=page, page_size=200, **kw)
        found += [h.doc_no for h in res.hits]
        loose = res.loose
        if page * 200 >= res.total:
            break
        page += 1
    assert len(found) == len(set(found)) == res.total, q
    return res.total, set(found), loose


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    embedded = new_index("embedded", tmp_path_factory.mktemp("ix"))
    pg = new_index("postgresql", tmp_path_factory.mktemp("unused"))
    assert embedded.rebuild(DOCS) == pg.rebuild(DOCS) == len(DOCS)
    yield embedded, pg
    embedded.close()


@pytest.mark.parametrize("query", QUERIES)
def test_both_backends_find_the_same_documents(both, query):
    embedded, pg = both
    for readers in READERS:
        for filters in FILTERS:
            kw = {"readers": readers, "filters": filters}
            want = everything(embedded, query, **kw)
            got = everything(pg, query, **kw)
            assert got == want, (query, readers, filters)
    # Something in the list must find something, or it tests nothing.
    assert everything(embedded, query, readers=None)[0] > 0


def test_the_queries_cover_strict_and_loose_answers(both):
    embedded, _ = both
    loose = [q for q in QUERIES if embedded.search(q, readers=None).loose]
    assert 1 <= len(loose) < len(QUERIES) // 4


@pytest.mark.parametrize("query", ["合同", "type:contract", "维保 -合同", ""])
def test_sorted_by_date_both_give_the_same_dates_in_the_same_order(both, query):
    embedded, pg = both
    by_day = {d.doc_no: (d.issued_on or d.filed_on) for d in DOCS}
    for readers in READERS:
        a = embedded.search(query, readers=readers, sort="date", page_size=200)
        b = pg.search(query, readers=readers, sort="date", page_size=200)
        assert a.total == b.total
        assert [by_day[h.doc_no] for h in a.hits] == [by_day[h.doc_no] for h in b.hits]


def test_pages_partition_the_results_in_postgresql_too(both):
    _, pg = both
    first, second = (pg.search("合同", readers=None, page=p, page_size=7) for p in (1, 2))
    assert first.total == second.total > 14
    assert not {h.doc_no for h in first.hits} & {h.doc_no for h in second.hits}
    assert [h.score for h in first.hits] == sorted((h.score for h in first.hits), reverse=True)


@pytest.mark.parametrize("query", ['"unclosed', "amount:>abc", "nosuchfield:x", "()", "OR 合同"])
def test_both_backends_refuse_the_same_queries(both, query):
    for ix in both:
        with pytest.raises(QueryError):
            ix.search(query, readers=None)


def test_hits_carry_the_same_values_and_a_marked_snippet(both):
    embedded, pg = both
    a = {h.doc_no: h for h in embedded.search("欧阳锦涛", readers=None, page_size=200).hits}
    b = {h.doc_no: h for h in pg.search("欧阳锦涛", readers=None, page_size=200).hits}
    assert a.keys() == b.keys()
    for no, hit in b.items():
        assert (hit.archive_no, hit.doc_type, hit.title) == (a[no].archive_no, a[no].doc_type, a[no].title)
        assert hit.snippet == a[no].snippet


def test_past_the_full_ranking_limit_the_sets_stay_and_named_matches_come_first(both, monkeypatch):
    """Large result sets are ordered by the words' place in title, customer and fields
    (a small vector), not by ts_rank over every match's text: the sets do not change."""
    from index import pgstore

    embedded, pg = both
    monkeypatch.setattr(pgstore, "FULL_RANK", 5)
    for query in ["合同", "有限公司 维保", "type:contract", "维保 -合同", '"甲方与乙方"']:
        for readers in READERS:
            assert everything(pg, query, readers=readers) == everything(embedded, query, readers=readers)
    hits = pg.search("维保", readers=None, page_size=200).hits
    named = {d.doc_no for d in DOCS if "维保" in " ".join([d.title, d.customer_name or "", *d.fields.values()])}
    assert len(hits) > len(named) > 5
    assert {h.doc_no for h in hits[:len(named)]} == named
