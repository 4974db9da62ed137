"""Both engines through the same interface, both scripts."""
from __future__ import annotations

import pytest

from ocr.engines.tess import join_tokens
from ocr.script import detect_document_script, detect_script
from tests.ocr.conftest import SIMPLIFIED, TRADITIONAL, encode, folded, page


def cer(truth: str, got: str) -> float:
    a, b = folded(truth), folded(got)
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1] / max(1, len(a))


@pytest.mark.parametrize("script,lines", [("zh-Hans", SIMPLIFIED), ("zh-Hant", TRADITIONAL)])
def test_each_engine_reads_both_scripts(engine_reader, script, lines):
    p = page(lines, script)
    ex = engine_reader.read(encode(p.image)).extraction
    pg = ex.pages[0]
    assert pg.engine == engine_reader.options.engine
    assert cer(p.text, pg.text) <= 0.1
    assert pg.script == script and ex.script == script
    assert 0.0 < pg.confidence <= 1.0
    assert all(l.words for l in pg.lines)


def test_engines_return_lines_in_the_same_shape(rapid, tess):
    data = encode(page().image)
    a = rapid.read(data).extraction.pages[0]
    b = tess.read(data).extraction.pages[0]
    assert len(a.lines) == len(b.lines) == len(SIMPLIFIED)
    for la, lb in zip(a.lines, b.lines):
        # both engines put the same line in about the same place
        assert abs(la.box.y0 - lb.box.y0) < 25 and abs(la.box.x0 - lb.box.x0) < 25


def test_tesseract_joins_cjk_without_spaces_but_keeps_them_between_latin_words():
    assert join_tokens(["客户", "档案", "ABC", "Co.", "电话", "138"]) == "客户档案ABC Co.电话138"


def test_script_is_decided_from_the_text():
    assert detect_script("客户档案管理制度") == "zh-Hans"
    assert detect_script("客戶檔案管理制度") == "zh-Hant"
    assert detect_script("12345 ABC") == "zh-Hans"  # no evidence: the common case
    # a short Simplified cover does not outvote a long Traditional body
    assert detect_document_script(["档案", "客戶檔案管理辦法總則規範"]) == "zh-Hant"
