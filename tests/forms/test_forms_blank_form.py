"""The printable blank 客户信息收集表 carries the labels the reader looks for."""
import io

import pytest
from pypdf import PdfReader

from forms import analyze, print_blank_form
from forms.collection import LABELS
from forms.layout import fold_with_map
from tests.forms.builders import extraction, line


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "".join(p.extract_text() for p in reader.pages).replace(" ", "").replace("\x00", "")


@pytest.mark.parametrize("script, title", [("zh-Hans", "客户信息收集表"), ("zh-Hant", "客戶信息收集表")])
def test_blank_form_is_a_pdf_with_every_field_label(script, title):
    data = print_blank_form(script, company="示例科技有限公司")
    assert data.startswith(b"%PDF")
    text = _pdf_text(data)
    assert title in text and "示例科技有限公司" in text
    folded = fold_with_map(text)[0]
    for key, labels in LABELS.table.items():
        if key.startswith("_"):
            continue
        assert any(fold_with_map(lab)[0] in folded for lab in labels), key


def test_blank_form_rejects_unknown_script():
    with pytest.raises(ValueError):
        print_blank_form("en")


def test_filled_copy_of_the_printed_form_reads_back():
    """The printed form's text layer, positioned as printed, plus handwriting in the cells."""
    reader = PdfReader(io.BytesIO(print_blank_form("zh-Hans")))
    lines = []

    def visitor(text, cm, tm, font, size):
        if text.strip():
            x, y = tm[4], 842 - tm[5]
            lines.append(line(text.replace("\x00", "").strip(), x * 3, y * 3, h=size * 3))

    reader.pages[0].extract_text(visitor_text=visitor)
    fill = {"客户名称": "成都蜀锦丝绸有限公司", "联系人": "杨帆", "联系电话": "18980001234",
            "收集人": "周敏", "统一社会信用代码": "91110108551385082Q"}
    for ln in list(lines):
        label = ln.text.rstrip("：:")
        if label in fill:
            lines.append(line(fill[label], ln.box.x1 + 3 * 42, ln.box.y0, h=ln.box.height))
    a = analyze(extraction(lines))
    assert a.doc_type == "collection_form"
    v = {k: f.value for k, f in a.fields.items()}
    assert v["customer_name"] == "成都蜀锦丝绸有限公司" and v["contact_person"] == "杨帆"
    assert v["phone"] == "18980001234" and v["collected_by"] == "周敏"
    assert v["uscc"] == "91110108551385082Q" and v["customer_type"] == "enterprise"
