"""The archival copy: page images with the recognised text over them, searchable."""
from __future__ import annotations

import io

from pypdf import PdfReader

from ocr import cli_summary
from tests.docgen.scan import simulate_scan
from tests.ocr.conftest import SIMPLIFIED, encode, folded, page, rng


def test_archival_pdf_holds_the_page_image_and_the_recognised_text(rapid):
    p = page()
    res = rapid.read(encode(simulate_scan(p.image, rng=rng(), seal=True, jpeg_quality=85), "JPEG"))
    assert res.archival_pdf is not None
    pdf = PdfReader(io.BytesIO(res.archival_pdf))
    assert len(pdf.pages) == 1
    pg = pdf.pages[0]
    assert len(pg.images) == 1
    found = folded(pg.extract_text())
    for line in res.extraction.pages[0].lines:
        assert folded(line.text) in found
    assert "档案管理制度" in found


def test_archival_text_sits_at_its_line_box(rapid):
    res = rapid.read(encode(page().image))
    ex_page = res.extraction.pages[0]
    pdf_page = PdfReader(io.BytesIO(res.archival_pdf)).pages[0]
    height_pt = float(pdf_page.mediabox.height)
    scale = height_pt / ex_page.height
    placed: list[tuple[str, float]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            placed.append((text, tm[5]))

    pdf_page.extract_text(visitor_text=visit)
    assert len(placed) == len(ex_page.lines)
    for (text, baseline), line in zip(placed, ex_page.lines):
        assert folded(text) == folded(line.text)
        # the baseline lies within the line's box, measured from the page bottom
        assert (height_pt - line.box.y1 * scale) - 1 <= baseline <= (height_pt - line.box.y0 * scale)


def test_multipage_archival_pdf_has_every_page(rapid):
    a, b = page(SIMPLIFIED[:1]), page(SIMPLIFIED[2:])
    buf = io.BytesIO()
    a.image.save(buf, "TIFF", save_all=True, append_images=[b.image])
    res = rapid.read(buf.getvalue())
    pdf = PdfReader(io.BytesIO(res.archival_pdf))
    assert len(pdf.pages) == 2
    assert "13812345678" in pdf.pages[1].extract_text()


def test_no_archival_copy_when_asked_not_to(rapid):
    from tests.ocr.conftest import options

    res = rapid.read(encode(page().image), options(make_archival_pdf=False, page_images=False))
    assert res.archival_pdf is None and res.page_images == ()
    assert res.extraction.pages[0].lines


def test_cli_summary_names_source_engine_script_confidence_and_text(rapid):
    res = rapid.read(encode(page().image))
    out = cli_summary(res)
    assert "page 1" in out and "OCR (rapidocr)" in out and "zh-Hans" in out and "%" in out
    assert SIMPLIFIED[0] in out
    j = res.extraction.to_json()
    assert j["pages"][0]["source"] == "ocr" and j["script"] == "zh-Hans"
