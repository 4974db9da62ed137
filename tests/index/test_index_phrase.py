"""Exact phrases agree with plain substring search over the analyzer's units."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import opencc
import pytest

from index import IndexDoc, SearchIndex
from index.analysis import fold, units

PARAGRAPH = (
    "为了规范公司客户档案的建立、管理和使用，提高客户服务质量，加强客户关系管理，"
    "特制定本制度。本制度适用于公司所有涉及客户信息管理的部门和员工，包括销售部门、"
    "客服部门、市场部门等。客户档案应当真实准确完整，合同编号HT2024-001由档案管理员登记，"
    "营业执照副本A座B区存放。档案借阅须经部门负责人审批，借阅期限不超过30日。"
)


def unit_seq(text: str) -> list[str]:
    out: list[str] = []
    for u in units(fold(text)):
        out.extend(u.text if u.cjk else [u.text])
    return out


def contains(hay: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(hay[i:i + n] == needle for i in range(len(hay) - n + 1))


def make_docs(r: random.Random) -> list[IndexDoc]:
    s2t = opencc.OpenCC("s2t")
    sentences = [s for s in PARAGRAPH.split("。") if s]
    docs = []
    for i in range(60):
        parts = r.sample(sentences, 3)
        # Some documents get a character dropped or swapped, so near misses exist.
        text = "。".join(parts)
        if i % 3 == 0:
            k = r.randrange(len(text))
            text = text[:k] + text[k + 1:]
        if i % 2:
            text = s2t.convert(text)
        docs.append(IndexDoc(
            doc_no=f"D{i:03d}", archive_no="A", doc_type="contract", status="effective", title="",
            customer_name=None, uscc=None, id_number=None, business_line="P", fields={}, text=text,
            filed_on=date(2025, 1, 1), issued_on=None, amount=None, readers=("r",)))
    return docs


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SearchIndex, list[IndexDoc]]]:
    docs = make_docs(random.Random(3))
    ix = SearchIndex(Path(tmp_path_factory.mktemp("phrase")), procs=1)
    ix.rebuild(docs)
    yield ix, docs
    ix.close()


def test_quoted_phrases_match_exactly_the_documents_containing_them(setup) -> None:  # type: ignore[no-untyped-def]
    ix, docs = setup
    r = random.Random(9)
    seqs = {d.doc_no: unit_seq(d.text) for d in docs}
    checked = 0
    for _ in range(150):
        d = r.choice(docs)
        a = r.randrange(len(d.text) - 3)
        phrase = d.text[a:a + r.randrange(3, 12)]
        if any(c in phrase for c in '"()'):
            continue
        us = list(units(fold(phrase)))
        if not us or (len(us) == 1 and len(us[0].text) == 1):
            continue
        needle = unit_seq(phrase)
        truth = {no for no, seq in seqs.items() if contains(seq, needle)}
        got = {h.doc_no for h in ix.search(f'"{phrase}"', readers=None, page_size=100).hits}
        lone = [u.cjk and len(u.text) == 1 for u in (us[0], us[-1])]
        if any(lone):
            assert truth <= got, phrase  # a lone first or last character is not checked
        else:
            assert got == truth, phrase
        checked += 1
    assert checked > 100


def test_phrase_found_in_the_other_script(setup) -> None:  # type: ignore[no-untyped-def]
    ix, _ = setup
    simplified = ix.search('"档案借阅须经部门负责人审批"', readers=None, page_size=100).total
    traditional = ix.search('"檔案借閱須經部門負責人審批"', readers=None, page_size=100).total
    assert simplified == traditional > 0
