"""Simplified or Traditional: decided from the recognised text with opencc's tables.

A character counts as Traditional evidence when opencc's t2s conversion changes it, and as
Simplified evidence when s2t changes it; characters common to both scripts (most of them)
count for neither. Ties go to Simplified, the common case in the archives.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Literal

import opencc

Script = Literal["zh-Hans", "zh-Hant"]


@lru_cache(maxsize=2)
def _cc(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def script_votes(text: str) -> tuple[int, int]:
    """(simplified-only characters, traditional-only characters) in `text`."""
    if not text:
        return 0, 0
    # character-level tables ("st"/"ts" phrases aside) keep lengths aligned
    to_s = _cc("t2s").convert(text)
    to_t = _cc("s2t").convert(text)
    if len(to_s) != len(text) or len(to_t) != len(text):  # phrase mapping changed the length
        to_s = "".join(_cc("t2s").convert(c) for c in text)
        to_t = "".join(_cc("s2t").convert(c) for c in text)
    trad = sum(1 for a, b in zip(text, to_s) if a != b)
    simp = sum(1 for a, b in zip(text, to_t) if a != b)
    return simp, trad


def detect_script(text: str) -> Script:
    simp, trad = script_votes(text)
    return "zh-Hant" if trad > simp else "zh-Hans"


def detect_document_script(page_texts: list[str]) -> Script:
    """The document's script from all its pages' evidence together, not a majority of pages:
    a cover page with three characters must not outvote a long body."""
    simp = trad = 0
    for t in page_texts:
        s, tr = script_votes(t)
        simp += s
        trad += tr
    return "zh-Hant" if trad > simp else "zh-Hans"
