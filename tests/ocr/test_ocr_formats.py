"""Every format, detected by its content, read the right way (text layer, OCR, Word)."""
from __future__ import annotations

import io

import docx
from fpdf import FPDF
from PIL import Image

from ocr import read_path
from ocr.archival import build_archival_pdf
from ocr.extraction import Box, Line, Page
from tests.ocr.conftest import SIMPLIFIED, TRADITIONAL, encode, folded, options, page

TEXT = "客户档案管理制度第一条为规范公司客户档案的建立和管理提高客户服务质量特制定本制度"


def text_pdf(*pages: str) -> bytes:
    pdf = FPDF()
    pdf.add_font("wqy", fname="/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
    for text in pages:
        pdf.add_page()
        pdf.set_font("wqy", size=14)
        pdf.multi_cell(0, 10, text)
    return bytes(pdf.output())


def image_pdf(*imgs: Image.Image) -> bytes:
    buf = io.BytesIO()
    imgs[0].save(buf, "PDF", resolution=150, save_all=True, append_images=list(imgs[1:]))
    return buf.getvalue()


def test_png_is_read_by_ocr_with_lines_words_and_boxes(rapid):
    p = page()
    res = rapid.read(encode(p.image))
    ex = res.extraction
    assert ex.media_type == "image/png"
    pg = ex.pages[0]
    assert pg.source == "ocr" and pg.engine == "rapidocr"
    assert folded(pg.text) == folded(p.text)
    assert 0.8 < pg.confidence <= 1.0
    for line in pg.lines:
        assert line.words, "RapidOCR returns a box per character"
        for w in line.words:
            assert line.box.x0 - 2 <= w.box.x0 <= w.box.x1 <= line.box.x1 + 2
    assert 0 < pg.lines[0].box.x1 <= pg.width and 0 < pg.lines[-1].box.y1 <= pg.height


def test_jpeg_preview_is_in_the_boxes_frame(rapid):
    p = page()
    res = rapid.read(encode(p.image, "JPEG", quality=90))
    assert res.extraction.media_type == "image/jpeg"
    preview = Image.open(io.BytesIO(res.page_images[0]))
    pg = res.extraction.pages[0]
    assert preview.size == (round(pg.width), round(pg.height))


def test_multipage_tiff_gives_one_page_per_frame(rapid):
    a, b = page(SIMPLIFIED[:1]), page(SIMPLIFIED[1:2])
    buf = io.BytesIO()
    a.image.save(buf, "TIFF", save_all=True, append_images=[b.image], compression="tiff_deflate")
    ex = rapid.read(buf.getvalue()).extraction
    assert ex.media_type == "image/tiff"
    assert [p.number for p in ex.pages] == [1, 2]
    assert folded(ex.pages[0].text) == folded(SIMPLIFIED[0])
    assert folded(ex.pages[1].text) == folded(SIMPLIFIED[1])


def test_text_layer_pdf_is_read_without_ocr_and_gets_no_archival_copy(rapid):
    res = rapid.read(text_pdf(TEXT, TEXT[::-1]))
    ex = res.extraction
    assert [p.source for p in ex.pages] == ["text_layer", "text_layer"]
    assert all(p.engine is None and p.confidence == 1.0 for p in ex.pages)
    assert folded(ex.pages[0].text) == TEXT
    assert res.archival_pdf is None
    assert len(res.page_images) == 2


def test_scanned_pdf_is_ocred(rapid):
    ex = rapid.read(image_pdf(page().image)).extraction
    assert ex.pages[0].source == "ocr"
    assert folded(ex.pages[0].text) == folded(page().text)


def test_mixed_pdf_is_read_page_by_page(rapid):
    scanned = image_pdf(page().image)
    digital = text_pdf(TEXT)
    from pypdf import PdfReader, PdfWriter

    w = PdfWriter()
    for src in (digital, scanned):
        for pg in PdfReader(io.BytesIO(src)).pages:
            w.add_page(pg)
    buf = io.BytesIO()
    w.write(buf)
    res = rapid.read(buf.getvalue())
    assert [p.source for p in res.extraction.pages] == ["text_layer", "ocr"]
    assert folded(res.extraction.pages[1].text) == folded(page().text)
    assert res.archival_pdf is not None  # part of it had to be OCR'd


def test_garbage_text_layer_is_ignored_and_the_page_ocred(rapid):
    p = page()
    jpeg = encode(p.image, "JPEG", quality=90)
    junk = Line("\ue000\ue001\ue002" * 10, Box(10, 10, 300, 40), 1.0)
    pdf = build_archival_pdf([Page(1, "ocr", "x", "zh-Hans", p.image.width, p.image.height, (junk,), 1.0)], [jpeg])
    pg = rapid.read(pdf).extraction.pages[0]
    assert pg.source == "ocr"
    assert folded(pg.text) == folded(p.text)


def test_docx_paragraphs_and_tables_in_reading_order_with_page_breaks(rapid):
    d = docx.Document()
    d.add_paragraph("客户信息收集表")
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "客户名称", "华信科技有限公司"
    t.cell(1, 0).text, t.cell(1, 1).text = "联系电话", "13812345678"
    d.add_paragraph("以上信息真实有效。")
    d.add_page_break()
    d.add_paragraph("第二頁 客戶簽字")
    buf = io.BytesIO()
    d.save(buf)
    res = rapid.read(buf.getvalue())
    ex = res.extraction
    assert [p.source for p in ex.pages] == ["docx", "docx"]
    assert ex.pages[0].text.splitlines() == ["客户信息收集表", "客户名称", "华信科技有限公司", "联系电话", "13812345678", "以上信息真实有效。"]
    name, value = ex.pages[0].lines[1], ex.pages[0].lines[2]
    assert value.box.x0 > name.box.x1 and abs(value.box.y0 - name.box.y0) < 1  # the cell to the right
    assert ex.pages[1].script == "zh-Hant"
    assert res.archival_pdf is None and len(res.page_images) == 2


def test_format_comes_from_content_not_the_file_name(rapid, tmp_path):
    p = page()
    path = tmp_path / "contract.pdf"  # a PNG wearing a PDF's name
    path.write_bytes(encode(p.image))
    res = read_path(path, options(workers=1, threads_per_worker=2))
    assert res.extraction.media_type == "image/png"
    assert folded(res.extraction.text) == folded(p.text)


def test_traditional_page_is_recorded_as_zh_hant(rapid):
    ex = rapid.read(encode(page(TRADITIONAL, "zh-Hant").image)).extraction
    assert ex.script == "zh-Hant" and ex.pages[0].script == "zh-Hant"
    assert folded(ex.text) == folded("".join(TRADITIONAL))
