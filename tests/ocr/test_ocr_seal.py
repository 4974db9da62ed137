"""The red seal over a licence's authority line: the print beneath read through it, and
the seal's own ring of curved text read for the authority's name."""
from __future__ import annotations

import difflib

import numpy as np
import pytest
from PIL import Image

from ocr.seal import find_seals, red_layer, unwrap_ring
from tests.docgen.scan import simulate_scan, stamp_seal
from tests.ocr.conftest import encode, folded, page, rng

RING = "广州市花都区市场监督管理局"
LINES = ["登记机关", "2019年01月01日"]


def sealed_page(seed: int, **scan):
    # a licence's print is about a tenth of its authority seal's diameter (12 pt, 4.2 cm)
    img = page(LINES, px=34).image
    canvas = Image.new("RGB", (1400, 1000), "white")
    canvas.paste(img, (300, 300))
    # stamped over both lines, as authorities stamp a licence (a 4 cm seal on a 1000-px
    # high page is about 300 px)
    sealed = stamp_seal(canvas, rng=rng(seed), text=RING, center=(300 + img.width * 0.6, 300 + img.height * 0.5),
                        diameter=330)
    return simulate_scan(sealed, rng=rng(seed), **scan) if scan else sealed


def test_seal_is_found_by_its_red_ring_and_black_print_is_not_part_of_it():
    img = np.asarray(sealed_page(1))
    seals = find_seals(img)
    assert len(seals) == 1
    cx, cy, r = seals[0]
    assert 140 <= r <= 180
    layer = red_layer(img)
    black = np.asarray(page(LINES).image.convert("L"))  # no red: nothing is a seal
    assert find_seals(np.asarray(page(LINES).image)) == [] and black.min() < 50
    # the separated red layer holds the seal's ink only: the print under it is paper there
    assert (layer[..., 0] < 128).sum() > 2000


def test_ring_unwraps_into_one_straight_line_whatever_the_seal_was_turned():
    for seed in (2, 5):
        img = np.asarray(sealed_page(seed))
        cx, cy, r = find_seals(img)[0]
        strip = unwrap_ring(red_layer(img), cx, cy, r)
        assert strip.shape[1] > 4 * strip.shape[0]  # a line, not a disc


@pytest.mark.parametrize("seed, scan", [(3, {}), (4, {"grey": True, "noise": 0.02, "jpeg_quality": 70}),
                                        (6, {"yellow": True, "skew_deg": 2, "blur": 0.6})])
def test_ring_reads_the_authority_and_the_print_beneath_the_seal_is_read(rapid, seed, scan):
    pg = rapid.read(encode(sealed_page(seed, **scan))).extraction.pages[0]
    assert len(pg.seals) == 1
    # curved, speckled ink on grey paper: a character may be misread (forms cross-checks
    # the ring and flags what it cannot confirm); a clean stamp reads exactly
    ratio = difflib.SequenceMatcher(None, pg.seals[0].text, RING).ratio()
    assert ratio == 1.0 if not scan else ratio >= 0.9
    text = folded(pg.text)
    assert "登记机关" in text and "2019年01月01日" in text
    assert RING not in text  # the ring is evidence beside the page's text, not part of it


def test_ring_of_another_seal_design_reads_the_name_not_the_foot_code(rapid):
    canvas = Image.new("RGB", (1400, 1000), "white")
    canvas.paste(page(LINES, px=34).image, (300, 300))
    sealed = stamp_seal(canvas, rng=rng(9), text=RING, center=(420, 360), diameter=330, span_deg=270,
                        inner_ring=True, foot="4401140012345")
    pg = rapid.read(encode(sealed)).extraction.pages[0]
    assert len(pg.seals) == 1
    assert difflib.SequenceMatcher(None, pg.seals[0].text, RING).ratio() >= 0.9
    assert "4401140012345" not in pg.seals[0].text
