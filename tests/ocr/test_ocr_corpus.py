"""Real scans made by others, read in place from ../shared/corpus (never copied here)."""
from __future__ import annotations

import json

import pytest

from tests.ocr.conftest import CORPUS, folded

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not on this machine")


def labels() -> dict:
    return json.loads((CORPUS / "labels" / "transcriptions.json").read_text(encoding="utf-8"))


def test_upside_down_id_card_is_turned_and_read(rapid):
    data = (CORPUS / "id_cards" / "chineseocr_idcard_sample_rot180.jpeg").read_bytes()
    text = folded(rapid.read(data).extraction.text)
    fields = labels()["id_cards/chineseocr_idcard_sample_rot180.jpeg"]["fields"]
    assert fields["公民身份号码"] in text
    assert fields["姓名"] in text


def test_single_text_line_matches_rapidocrs_own_expected_output(rapid):
    expected = json.loads((CORPUS / "labels" / "rapidocr_tests_expected.json").read_text(encoding="utf-8"))
    data = (CORPUS / "text" / "rapidocr_text_rec.jpg").read_bytes()
    assert "韩国小馆" in json.dumps(expected, ensure_ascii=False)
    assert "韩国小馆" in rapid.read(data).extraction.text


def test_business_license_with_a_seal_yields_its_code(rapid):
    data = (CORPUS / "business_license" / "cicba_business_license_sample.png").read_bytes()
    text = folded(rapid.read(data).extraction.text)
    fields = labels()["business_license/cicba_business_license_sample.png"]["fields"]
    assert fields["统一社会信用代码"] in text
    assert fields["法定代表人"] in text


def test_born_digital_contract_is_read_from_its_text_layer(rapid):
    data = (CORPUS / "contracts" / "tech_development_contract_born_digital.pdf").read_bytes()
    res = rapid.read(data)
    ex = res.extraction
    assert len(ex.pages) == 8 and all(p.source == "text_layer" for p in ex.pages)
    assert res.archival_pdf is None
    reference = (CORPUS / "labels" / "tech_development_contract_born_digital.pdftotext.txt").read_text(encoding="utf-8")
    ours = folded(ex.text)
    # every reasonably long line of pdftotext's reading is in ours
    ref_lines = [folded(l) for l in reference.splitlines() if len(folded(l)) >= 12]
    assert ref_lines and sum(1 for l in ref_lines if l in ours) / len(ref_lines) > 0.9
    assert ex.script == "zh-Hans"
