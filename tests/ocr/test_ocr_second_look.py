"""A second look at one line with only a code's characters (ocr/second_look.py)."""
from __future__ import annotations

from ocr import ReadOptions, Reader, second_look
from tests.ocr.conftest import encode, page

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
GOOD = "91420111MADANHD04J"


def _code_line(result, code):
    return next(l for l in result.extraction.pages[0].lines if code[:8] in l.text)


def test_second_look_reads_only_the_codes_characters(rapid: Reader):
    # the letter O printed where a USCC can only hold a digit or another letter
    printed = GOOD.replace("0", "O")
    result = rapid.read(encode(page(["营业执照", "统一社会信用代码：" + printed, "名称：湖北省迅航科技有限公司"]).image),
                        ReadOptions(workers=1, make_archival_pdf=False))
    line = _code_line(result, printed)
    assert "O" in line.text  # read as printed at first
    look = second_look(result)
    again = "".join(look(1, line.box, USCC_ALPHABET).split())
    assert again and set(again) <= set(USCC_ALPHABET)  # the label's characters are left out
    code, k = again[-18:], printed.index("O")
    assert code[:k] == GOOD[:k] and code[k + 1:] == GOOD[k + 1:]
    assert code[k] in "0DQ"  # the nearest allowed glyph to an O


def test_second_look_agrees_with_a_right_reading(rapid: Reader):
    result = rapid.read(encode(page(["统一社会信用代码：" + GOOD]).image),
                        ReadOptions(workers=1, make_archival_pdf=False))
    line = _code_line(result, GOOD)
    assert GOOD in "".join(second_look(result)(1, line.box, USCC_ALPHABET).split())


def test_no_second_look_without_page_images_or_on_pages_not_read_by_ocr(rapid: Reader):
    result = rapid.read(encode(page(["统一社会信用代码：" + GOOD]).image),
                        ReadOptions(workers=1, make_archival_pdf=False, page_images=False))
    assert second_look(result) is None
    from dataclasses import replace
    with_images = rapid.read(encode(page(["统一社会信用代码：" + GOOD]).image),
                             ReadOptions(workers=1, make_archival_pdf=False))
    typed = replace(with_images, extraction=replace(
        with_images.extraction, pages=tuple(replace(p, source="text_layer") for p in with_images.extraction.pages)))
    line = _code_line(typed, GOOD)
    assert second_look(typed)(1, line.box, USCC_ALPHABET) == ""
    assert second_look(with_images)(2, line.box, USCC_ALPHABET) == ""  # no such page


def test_a_second_look_that_fails_reads_nothing_and_never_raises(rapid: Reader, monkeypatch):
    import importlib
    sl = importlib.import_module("ocr.second_look")  # the module, not ocr's function of that name
    result = rapid.read(encode(page(["统一社会信用代码：" + GOOD]).image),
                        ReadOptions(workers=1, make_archival_pdf=False))
    line = _code_line(result, GOOD)

    def broken(*_):
        raise RuntimeError("onnxruntime failed")

    monkeypatch.setattr(sl, "read_line", broken)
    assert second_look(result)(1, line.box, USCC_ALPHABET) == ""
