"""One fold for every room: forms' labels, archive matching and the index compare text the same way."""
import pytest

from archive_store.matching import fold_name
from forms.text import fold
from index.analysis import fold as index_fold
from index.schema import keyword

CASES = [
    # (printed, folded)                     why
    ("ＡＢＣ１２３ 公司", "abc123公司"),      # width, case, the space between
    ("abc123公司", "abc123公司"),
    ("ＨＴ２０２４－００１", "ht2024-001"),  # all ASCII once half-width
    ("營業執照", "营业执照"),                  # Traditional
    ("塡表人", "填表人"),                      # a variant glyph opencc leaves alone
    ("名　　称", "名称"),                      # ideographic spaces
    ("有限公司（北京）", "有限公司(北京)"),      # full-width brackets
    ("E-MAIL：", "e-mail:"),
    ("上海—浦东～", "上海-浦东-"),              # dashes and tildes
    ("\uf900", "岂"),                          # a compatibility ideograph, then Traditional
    ("İ公司", "İ公司"),                        # a letter that lengthens when lowered stays
    ("", ""),
]


@pytest.mark.parametrize("printed, folded", CASES)
def test_fold_gives_one_comparison_form(printed, folded):
    assert fold(printed) == folded


@pytest.mark.parametrize("printed, folded", CASES)
def test_fold_keeping_length_differs_only_in_whitespace(printed, folded):
    kept = fold(printed, keep_length=True)
    assert len(kept) == len(printed)
    assert "".join(kept.split()) == folded


@pytest.mark.parametrize("printed, folded", [c for c in CASES if c[0]])
def test_matching_and_the_index_use_the_same_fold(printed, folded):
    assert fold_name(printed) == folded
    assert "".join(index_fold(printed).split()) == folded
    assert "".join(keyword(printed).split()) == folded
