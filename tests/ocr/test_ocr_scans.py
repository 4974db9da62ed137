"""Scans as they really come: sideways, upside down, skewed, sealed, columns, tables."""
from __future__ import annotations

import numpy as np
import pytest

from ocr.engines import RawLine
from ocr.layout import reading_order
from ocr.prep import analyse_layout, lift_red
from tests.docgen.scan import simulate_scan, stamp_seal
from tests.ocr.conftest import encode, folded, page, rng
from tests.ocr.test_ocr_engines import cer

LONG = ["客户档案管理制度第一章总则", "第一条为规范公司客户档案管理", "第二条本制度适用于公司各部门", "第三条客户档案由档案室统一保管"]


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_rapidocr_turns_pages_stored_sideways_or_upside_down(rapid, rotate):
    p = page(LONG)
    scan = simulate_scan(p.image, rng=rng(rotate), rotate=rotate)
    pg = rapid.read(encode(scan)).extraction.pages[0]
    assert cer(p.text, pg.text) <= 0.05
    assert pg.width > pg.height  # the preview is turned upright too


def test_tesseract_turns_an_upside_down_page(tess):
    p = page(LONG)
    scan = simulate_scan(p.image, rng=rng(1), rotate=180)
    assert cer(p.text, tess.read(encode(scan)).extraction.pages[0].text) <= 0.1


def test_skewed_yellowed_noisy_low_dpi_scan_is_read(engine_reader):
    p = page(LONG, px=60)
    scan = simulate_scan(p.image, rng=rng(3), skew_deg=3, yellow=True, noise=0.02, jpeg_quality=70, scale=2 / 3)
    assert cer(p.text, engine_reader.read(encode(scan, "JPEG", quality=85)).extraction.pages[0].text) <= 0.1


def test_layout_analysis_finds_skew_and_sideways_pages():
    img = np.asarray(page(LONG * 3).image.convert("L"))
    from PIL import Image

    base = Image.fromarray(img)
    sideways, angle = analyse_layout(np.asarray(base.rotate(2.0, expand=True, fillcolor=255)))
    assert not sideways and angle == pytest.approx(-2.0, abs=0.3)
    sideways, _ = analyse_layout(np.asarray(base.rotate(90, expand=True)))
    assert sideways


def test_lifting_red_removes_the_seal_but_keeps_black_text_under_it():
    p = page(LONG)
    sealed = stamp_seal(p.image, rng=rng(2), center=(p.image.width / 2, p.image.height / 2), diameter=p.image.height)
    arr = np.asarray(sealed)
    lifted = lift_red(arr)
    ink = np.asarray(p.image.convert("L")) < 100  # where the black text is
    seal = (arr[..., 0].astype(int) - arr[..., 1] > 60) & ~ink
    assert seal.sum() > 1000
    assert (lifted[..., 1][seal] > 150).mean() > 0.95  # seal ink now reads as paper
    assert (lifted[..., 1][ink] < 128).mean() > 0.9  # text stays dark
    clean = np.asarray(p.image)
    assert lift_red(clean) is clean  # pages without red are left alone


def test_text_under_a_red_seal_is_read(engine_reader):
    p = page(LONG)
    sealed = stamp_seal(p.image, rng=rng(4), center=(p.image.width * 0.45, p.image.height / 2), diameter=int(p.image.height * 0.9))
    pg = engine_reader.read(encode(sealed)).extraction.pages[0]
    assert cer(p.text, pg.text) <= 0.1


def _line(text: str, x0: float, y0: float, x1: float, y1: float) -> RawLine:
    return RawLine(text, (x0, y0, x1, y1), 1.0)


def test_two_columns_are_read_column_by_column_under_a_title():
    lines = [_line("标题", 300, 10, 700, 50)]
    for i in range(5):
        y = 100 + i * 60
        lines.append(_line(f"左{i}", 50, y, 480, y + 40))
        lines.append(_line(f"右{i}", 520, y, 950, y + 40))
    lines.append(_line("右尾", 520, 400, 700, 440))  # right column runs one line longer
    order = [l.text for l in reading_order(lines)]
    assert order == ["标题"] + [f"左{i}" for i in range(5)] + [f"右{i}" for i in range(5)] + ["右尾"]


def test_a_form_table_is_read_row_by_row_label_then_value():
    labels = ["客户名称", "统一社会信用代码", "电话"]
    values = ["华信科技有限公司", "91420100MA4K0000X1", "13812345678"]
    lines = []
    for i, (a, b) in enumerate(zip(labels, values)):
        y = 100 + i * 80
        lines.append(_line(b, 420, y, 420 + 30 * len(b), y + 40))
        lines.append(_line(a, 60, y, 60 + 40 * len(a), y + 40))
    assert [l.text for l in reading_order(lines)] == [t for pair in zip(labels, values) for t in pair]


def test_rules_of_a_table_are_painted_out_and_its_text_kept():
    from ocr.prep import remove_rules
    from tests.docgen.pages import render_table_page

    t = render_table_page([["客户名称", "华信科技有限公司"], ["联系电话", "13812345678"]], script="zh-Hans", dpi=150)
    gray = np.asarray(t.image.convert("L"))
    out = remove_rules(gray)
    ink_rows = (gray < 128).sum(axis=1)
    rule_row = int(np.argmax(ink_rows))  # a horizontal rule: the inkiest row of the page
    assert (out[rule_row] < 128).sum() < 0.05 * (gray[rule_row] < 128).sum()
    # the characters survive: the page keeps a good share of its ink, in the cells' rows
    assert (out < 128).sum() > 0.2 * (gray < 128).sum()
    assert (out[rule_row + 5: rule_row + 60] < 128).sum() > 100


def test_tesseract_reads_the_cells_of_a_ruled_form(tess):
    from tests.docgen.pages import render_table_page

    rows = [["客户名称", "华信科技有限公司"], ["联系电话", "13812345678"], ["客户等级", "A级"]]
    t = render_table_page(rows, script="zh-Hans", dpi=150)
    text = folded(tess.read(encode(t.image)).extraction.text)
    assert sum(1 for row in rows for cell in row if cell in text) >= 5
