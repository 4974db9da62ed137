"""The Chinese analyzer: folding, bigrams, jieba words, positions, phrases."""

from __future__ import annotations

import logging
from collections import defaultdict

import pytest

from index import analysis
from index.analysis import ChineseTokenizer, fold, jieba_words, term_positions, tokens
from index.phrase import phrase_items


def texts(s: str, **kw: bool) -> list[str]:
    return [t.text for t in tokens(s, **kw)]


def test_fold_turns_traditional_into_simplified_without_changing_length() -> None:
    trad = "客戶檔案管理與營業執照"
    assert fold(trad) == "客户档案管理与营业执照"
    assert len(fold(trad)) == len(trad)


def test_fold_turns_full_width_letters_digits_and_space_into_lower_case_ascii() -> None:
    assert fold("ＨＴ２０２４－００１\u3000ａｂｃ：") == "ht2024-001 abc:"


def test_cjk_run_gives_bigrams_and_its_last_character_at_consecutive_positions() -> None:
    toks = list(tokens("客户档案", with_words=False))
    assert [(t.text, t.pos) for t in toks] == [("客户", 0), ("户档", 1), ("档案", 2), ("案", 3)]


def test_single_cjk_character_between_latin_is_a_unit_of_its_own() -> None:
    assert [(t.text, t.pos) for t in tokens("A座B")] == [("a", 0), ("座", 1), ("b", 2)]


def test_latin_and_digit_runs_are_lower_cased_single_tokens() -> None:
    assert texts("HT2024-001 Abc") == ["ht2024", "001", "abc"]


def test_jieba_adds_dictionary_words_of_three_or_more_characters() -> None:
    words = {(t.text, t.pos) for t in tokens("上海贸易有限公司营业执照") if len(t.text) >= 3}
    # A word sits at the position of its first character, like the bigram there.
    assert words == {("有限公司", 4), ("营业执照", 8)}


def test_traditional_and_simplified_texts_produce_the_same_tokens() -> None:
    assert texts("營業執照 統一社會信用代碼") == texts("营业执照 统一社会信用代码")


def test_full_width_and_half_width_texts_produce_the_same_tokens() -> None:
    assert texts("合同编号ＨＴ２０２４") == texts("合同编号HT2024")


def test_token_offsets_point_at_the_original_characters() -> None:
    s = "甲方：歐陽錦濤"
    for t in tokens(s):
        assert fold(s[t.start:t.end]).lower() == t.text


def test_unseen_name_is_still_indexed_as_bigrams() -> None:
    # 欧阳锦涛 is not a jieba word; its bigrams carry it.
    assert {"欧阳", "阳锦", "锦涛"} <= set(texts("欧阳锦涛"))


def test_phrase_items_cover_every_character_at_its_offset() -> None:
    assert phrase_items("档案管理", None) == [("档案", 0), ("案管", 1), ("管理", 2)]
    assert phrase_items("客户A", None) == [("a", 2), ("客户", 0)]
    # Rarest first, and a dictionary word covers the bigrams inside it.
    rare = {"营业执照": 1}
    assert phrase_items("营业执照", lambda t: rare.get(t, 100)) == [("营业执照", 0)]


def test_whoosh_tokenizer_reports_positions_and_offsets() -> None:
    toks = [(t.text, t.pos, t.startchar, t.endchar)
            for t in ChineseTokenizer()("檔案AB", positions=True, chars=True)]
    assert toks == [("档案", 0, 0, 2), ("案", 1, 1, 2), ("ab", 2, 2, 4)]


def test_the_indexing_fast_path_gives_the_same_terms_and_positions_as_tokens() -> None:
    # term_positions() re-states tokens() for speed; the two must never drift apart.
    text = "合同編號ＨＴ２０２４-001：甲方上海歐陽錦濤貿易有限公司，乙方 张伟；金额 150,000元。档案管理制度"
    for with_words in (True, False):
        expected: dict[str, list[int]] = defaultdict(list)
        for tok in tokens(text, with_words=with_words):
            expected[tok.text].append(tok.pos)
        got = term_positions(text, with_words=with_words)
        assert {t: sorted(p) for t, p in got.items()} == {t: sorted(p) for t, p in expected.items()}


@pytest.fixture
def fresh_dictionary(tmp_path, monkeypatch):
    """jieba's words as a new process finds them, with the cache in an empty folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(analysis, "_words", None)
    built: list[int] = []
    build = analysis._build
    monkeypatch.setattr(analysis, "_build", lambda source: built.append(1) or build(source))
    return built


def test_jieba_words_are_built_once_then_read_from_the_cache(fresh_dictionary, monkeypatch):
    assert list(jieba_words("营业执照")) == [(0, "营业执照")]
    assert fresh_dictionary == [1]
    assert analysis._cache_file(analysis._jieba_dict()).exists()
    monkeypatch.setattr(analysis, "_words", None)  # the next process
    assert list(jieba_words("北京欧阳贸易有限公司营业执照")) == [(6, "有限公司"), (10, "营业执照")]
    assert fresh_dictionary == [1]


def test_a_damaged_jieba_cache_is_built_again(fresh_dictionary):
    cache = analysis._cache_file(analysis._jieba_dict())
    cache.parent.mkdir(parents=True)
    cache.write_bytes(b"\x00 half a file")
    assert list(jieba_words("营业执照")) == [(0, "营业执照")]
    assert fresh_dictionary == [1]


def test_the_cached_words_are_jiebas_own_prefix_dictionary(fresh_dictionary):
    """What jieba_words looks up is jieba's FREQ, cut to entries of three characters or
    more: words (a count) and the beginnings of longer words (0)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    expected: defaultdict[str, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for k, v in jieba.dt.FREQ.items():
        if len(k) >= 3:
            expected[k[0]][0 if v else 1].add(k)
    ours = analysis.jieba_dictionary()
    assert {c: ours.starting_with(c) for c in expected} == expected
    assert ours.starting_with("\u3400") == (frozenset(), frozenset())  # no word starts so
