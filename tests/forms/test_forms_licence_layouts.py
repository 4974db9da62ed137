"""Every licence layout in use since 2000, both scripts, found by labels and geometry:
as a perfect reader gives the page (fast), and a few through the real reader with the
authority's seal stamped over 登记机关, degraded and turned (slow)."""
from __future__ import annotations

import io
import random
from dataclasses import replace

import pytest

import ocr
from forms import analyze
from forms.text import clean_text, fold
from ocr.extraction import Box, Extraction, Seal
from tests.docgen.documents import layout_extraction
from tests.docgen.licences import LAYOUTS, licence, scan_licence

TEXT = {"business_scope", "address", "name", "entity_type", "legal_representative", "registration_authority"}


def same(key, got, want):
    if key in TEXT:
        return fold(clean_text(got)).replace("(", "").replace(")", "") == \
            fold(clean_text(want)).replace("(", "").replace(")", "")
    return got == want


def with_ring(doc, seal, dpi=200):
    """The page as a perfect reader gives it, with the seal's ring read as printed."""
    ex = layout_extraction(doc, dpi=dpi)
    if seal is None:
        return ex
    k = dpi / 25.4
    r = seal.diameter / 2
    ring = Seal(Box((seal.x - r) * k, (seal.y - r) * k, (seal.x + r) * k, (seal.y + r) * k), seal.text, 0.99)
    return Extraction(ex.media_type, ex.script, (replace(ex.pages[0], seals=(ring,)),))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("script", ["zh-Hans", "zh-Hant"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_each_layout_reads_every_field_by_labels_and_geometry(layout, script, seed):
    doc, seal = licence(seed, script, layout)
    a = analyze(with_ring(doc, seal))
    assert a.doc_type == "business_license"
    wrong = {k: (want, a.fields.get(k) and a.fields[k].value) for k, want in doc.truth.items()
             if k not in a.fields or not same(k, a.fields[k].value, want)}
    assert wrong == {}
    # nothing read needs a look: the ring agrees with the code's division
    assert not any(fv.problems for fv in a.fields.values())


def test_old_format_without_a_uscc_reads_its_other_fields_and_invents_no_code():
    doc, seal = licence(4, "zh-Hans", "old_gongshang")
    a = analyze(with_ring(doc, seal))
    assert "uscc" not in a.fields and "uscc" not in doc.truth
    assert a.fields["registration_authority"].value == doc.truth["registration_authority"]


OPTIONS = ocr.ReadOptions(make_archival_pdf=False, page_images=False, workers=1)


@pytest.mark.slow
@pytest.mark.parametrize("layout, script, level, rotate", [
    ("national_2015", "zh-Hans", "scan", 180),
    ("old_gongshang", "zh-Hant", "scan", 90),
    ("branch", "zh-Hans", "photo", 0),
])
def test_sealed_degraded_turned_licence_through_the_reader(layout, script, level, rotate):
    doc, seal = licence(11, script, layout)
    img = scan_licence(doc, seal, random.Random(11), level=level, rotate=rotate)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=88)
    a = analyze(ocr.read_document(buf.getvalue(), OPTIONS).extraction)
    assert a.doc_type == "business_license"
    for key in ("issued_on", "established_on", "legal_representative", "registration_authority"):
        fv = a.fields.get(key)
        # right, or flagged for the reviewer: never silently wrong
        assert fv is not None and (same(key, fv.value, doc.truth[key]) or fv.problems), key
    assert a.fields["registration_authority"].page == 1
