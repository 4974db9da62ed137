"""A few documents through the real reader: printed, filled, scanned, then analysed.

Slow (OCR of a page takes seconds), so only the paths the text-built tests cannot show:
the printed blank form read back, a degraded scan, a born-digital PDF and a DOCX.
"""
from __future__ import annotations

import io
import random

import pypdfium2
import pytest
from PIL import ImageDraw, ImageFont

import ocr
from forms import analyze, needs_review_reasons, print_blank_form
from forms.blank_form import FONT_CANDIDATES, form_cells
from forms.keys import TEXT_KEYS
from forms.text import clean_text
from tests.docgen.documents import generate, render_image, render_pdf
from tests.docgen.scan import simulate_scan

pytestmark = pytest.mark.slow

OPTIONS = ocr.ReadOptions(make_archival_pdf=False, page_images=False, workers=1)


def _jpeg(img) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def _read(data: bytes):
    return ocr.read_document(data, OPTIONS).extraction


def _mismatches(doc, analysis) -> dict:
    out = {}
    for key, want in doc.truth.items():
        got = analysis.fields.get(key)
        want = clean_text(want) if key in TEXT_KEYS else want
        if got is None or got.value != want:
            out[key] = (want, got.value if got else None)
    return out


def test_filled_copy_of_the_printed_blank_form_reads_back():
    dpi = 200
    k = dpi / 25.4
    page = pypdfium2.PdfDocument(print_blank_form("zh-Hans", company="示例科技有限公司"))[0]
    img = page.render(scale=dpi / 72).to_pil().convert("RGB")
    path = next(p for p, _ in FONT_CANDIDATES if "arphic" in p or "wqy" in p)
    hand = ImageFont.truetype(path, round(4.2 * k), index=0)  # a brush-like face for "handwriting"
    draw = ImageDraw.Draw(img)
    values = {"客户名称": "成都蜀锦丝绸有限公司", "统一社会信用代码": "91110108551385082Q",
              "联系人": "杨帆", "联系电话": "189-8000-1234", "电子邮箱": "yangfan@shujin.cn",
              "所属行业": "纺织", "联系地址": "四川省成都市武侯区天府大道100号", "信息来源": "展会",
              "需求描述": "合同与客户资料扫描建档", "收集人": "周敏"}
    _, cells = form_cells("示例科技有限公司")
    for c in cells:
        x0, y0, x1, y1 = c.value_box
        if c.label in values:
            draw.text(((x0 + 4) * k, (y0 + 3) * k), values[c.label], font=hand, fill=(20, 30, 90))
        if c.label == "客户类型":  # tick the box before 企业
            draw.text(((x0 + 3 + 29) * k, (y0 + 2.5) * k), "√", font=hand, fill=(20, 30, 90))
        if c.label == "收集日期":  # digits written into the blanks before 年, 月, 日
            printed = ImageFont.truetype(FONT_CANDIDATES[0][0], round(11 * 25.4 / 72 * k),
                                         index=FONT_CANDIDATES[0][1]["zh-Hans"])
            for unit, digits in (("年", "2024"), ("月", "3"), ("日", "5")):
                at = (x0 + 3) * k + printed.getlength(c.preset[:c.preset.index(unit)])
                draw.text((at - hand.getlength(digits) - 0.8 * k, (y0 + 3) * k), digits, font=hand,
                          fill=(20, 30, 90))
    scan = simulate_scan(img, rng=random.Random(4), skew_deg=0.8, noise=0.01, jpeg_quality=85)
    a = analyze(_read(_jpeg(scan)))
    assert a.doc_type == "collection_form"
    v = {key: f.value for key, f in a.fields.items()}
    assert v["customer_name"] == "成都蜀锦丝绸有限公司"
    assert v["uscc"] == "91110108551385082Q"
    assert v["contact_person"] == "杨帆"
    assert v["phone"] == "18980001234"
    assert v["collected_by"] == "周敏"
    assert v["collected_on"] == "2024-03-05"
    assert v["customer_type"] == "enterprise"
    assert a.customer.uscc == "91110108551385082Q"


def test_scanned_licence_with_seal_and_skew():
    doc = generate(11, "business_license", "zh-Hans", "two_column_2019")
    img = simulate_scan(render_image(doc, dpi=250), rng=random.Random(11), skew_deg=1.5, noise=0.02,
                        yellow=True, jpeg_quality=75, seal=True)
    a = analyze(_read(_jpeg(img)))
    assert a.doc_type == "business_license"
    wrong = _mismatches(doc, a)
    # whatever OCR got wrong, a wrong code, amount or date is never passed on unflagged
    for key in ("uscc", "registered_capital", "established_on", "issued_on"):
        if key in wrong and key in a.fields:
            assert a.fields[key].problems or a.fields[key].confidence < 0.85, key
    assert len(wrong) <= 2, wrong


def test_born_digital_collection_form_is_exact():
    doc = generate(5, "collection_form", "zh-Hant", "colon_lines")
    a = analyze(_read(render_pdf(doc)))
    assert a.doc_type == "collection_form"
    assert _mismatches(doc, a) == {}
    assert needs_review_reasons(a) == []


def test_docx_contract_is_exact():
    doc = generate(8, "contract", "zh-Hans", "service_two_column")
    a = analyze(_read(doc.docx), our_companies=[doc.our_company])
    assert a.doc_type == "contract"
    assert _mismatches(doc, a) == {}
    assert a.customer.name is not None and a.customer.name != doc.our_company
