"""RapidOCR's line direction classifier is not trusted line by line (ocr/engines/rapid.py).

It squeezes each crop into 48×192 px, so a long upright line can reach it squashed
ten-fold and be called "180" with a score above its 0.9 threshold; the line then used to
be recognised upside down, as garbage. These tests make the classifier lie on purpose.
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from ocr.engines.rapid import RapidEngine, pick_readings, upside_share
from tests.ocr.conftest import SIMPLIFIED, folded, options, page


@pytest.fixture(scope="module")
def engine() -> RapidEngine:
    return RapidEngine(options("rapidocr"))


def _lying_classifier(monkeypatch, engine: RapidEngine, lie_about) -> None:
    """Make the classifier call the crops at `lie_about(n)` upside down, surely (0.99)."""
    real = type(engine._ocr).cls_and_rotate

    def lying(crops):
        turned, cls = real(engine._ocr, crops)
        turned, votes = list(turned), list(cls.cls_res)
        for i in lie_about(len(crops)):
            turned[i] = cv2.rotate(crops[i], cv2.ROTATE_180)
            votes[i] = ("180", 0.99)
        cls.img_list, cls.cls_res = turned, votes
        return turned, cls

    monkeypatch.setattr(engine._ocr, "cls_and_rotate", lying)


def test_a_line_wrongly_called_upside_down_is_still_read(engine, monkeypatch):
    _lying_classifier(monkeypatch, engine, lambda n: [0])
    p = page()
    out = engine.recognize(np.asarray(p.image))
    assert [folded(l.text) for l in out.lines] == [folded(s) for s in SIMPLIFIED]
    assert 0.2 < out.upside_down < 0.5  # one line in three voted upside down


def test_a_page_mostly_voted_upside_down_keeps_the_classifiers_turns(engine, monkeypatch):
    # every line "upside down": the crops are read turned, as RapidOCR does, and the page
    # says it is upside down so that Dossier turns it and reads it again
    _lying_classifier(monkeypatch, engine, lambda n: range(n))
    out = engine.recognize(np.asarray(page().image))
    assert out.upside_down > 0.9
    assert [folded(l.text) for l in out.lines] != [folded(s) for s in SIMPLIFIED]


def test_pick_readings_keeps_the_surer_reading_of_each_turned_line():
    from rapidocr.ch_ppocr_rec import TextRecOutput

    first = TextRecOutput(imgs=None, txts=("垫", "客户档案", "图"), scores=(0.6, 0.99, 0.57),
                          word_results=(("w0",), ("w1",), ("w2",)))
    second = TextRecOutput(imgs=None, txts=("在整理客户档案", "图"), scores=(0.98, 0.4), word_results=(("v0",), ("v2",)))
    merged = pick_readings(first, second, [0, 2])
    assert merged.txts == ("在整理客户档案", "客户档案", "图")
    assert merged.scores == (0.98, 0.99, 0.57)
    assert merged.word_results == (("v0",), ("w1",), ("w2",))


def test_upside_share_weighs_votes_by_confidence():
    assert upside_share([("0", 1.0), ("180", 1.0)]) == 0.5
    assert upside_share([("0", 0.9), ("180", 0.1)]) == pytest.approx(0.1)
