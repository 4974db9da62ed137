"""Checks on text values that catch what OCR lost or misread without saying so.

An OCR engine can drop a character (a 、 most often) or a whole line and still report a
high confidence. Nothing here changes a value: each check returns the problem to record,
so the value is flagged for a person and the confidence lowered.
"""
from __future__ import annotations

import re
from typing import Sequence

from forms.layout import TextLine
from forms.model import Problem
from forms.text import fold

_IDEOGRAPH = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# a line of Chinese text and full-width punctuation only (digits and Latin letters have
# widths of their own in every font, so they make a line's width unpredictable)
_CJK_LINE = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff（）()、，。：；,:;]+$")
# How much wider per character one line of a value may be than another before a character
# is taken to be missing. Lines of one value share font and size: measured on scans their
# pitch agrees within 2%; one character lost from a 12-character line makes 9%.
LOST_PITCH = 1.06
MIN_CHARS = 6


def _measurable(tl: TextLine) -> bool:
    """A line whose width tells how many characters it holds: read by OCR, Chinese only,
    long enough, and opening and closing on an ideograph (punctuation ink fills only part
    of its cell, differently in each font)."""
    text = tl.text.strip()
    return (tl.source == "ocr" and len(text) >= MIN_CHARS and bool(_CJK_LINE.match(text))
            and bool(_IDEOGRAPH.match(text[0])) and bool(_IDEOGRAPH.match(text[-1])))


def lost_characters(lines: Sequence[TextLine]) -> str | None:
    """The lines of one wrapped value are set in one font at one size, so each character
    takes the same width: a line much wider per character than its neighbours has lost
    characters the engine did not read (a 、 between two items of a business scope)."""
    measured = [t for t in lines if _measurable(t)]
    if len(measured) < 2:
        return None
    pitch = {id(t): t.box.width / len(t.text.strip()) for t in measured}
    narrowest = min(pitch.values())
    worst = max(measured, key=lambda t: pitch[id(t)])
    if pitch[id(worst)] / narrowest <= LOST_PITCH:
        return None
    missing = round(worst.box.width / narrowest - len(worst.text.strip()))
    return Problem("lost_characters",
                   f"the line {worst.text.strip()!r} is wider than its {len(worst.text.strip())} characters: "
                   f"about {max(missing, 1)} character(s) (a 、 or more) may not have been read",
                   line=worst.text.strip(), n=max(missing, 1))


# An organisation's name ends in its form; cut short, the end of it is left hanging.
_CUT_OFF_ORG = re.compile(r"(有限|股份有限|有限责任|责任|有限公|股份|合伙|分公)$")


def cut_off_name(value: str) -> str | None:
    """A company name that stops in the middle of its legal form (…股份有限): the rest was
    on a line that was not read."""
    f = fold(value).replace("(", "").replace(")", "")
    if _CUT_OFF_ORG.search(f) and not f.endswith(("公司", "有限合伙")):
        return Problem("name_cut_off", "the name stops in the middle of its legal form (公司 missing?): "
                       "check the reading")
    return None


_ORG_WORD = re.compile(r"(公司|企业|中心|合伙|事务所|委派|集团|合作社|研究院|店|厂)")


# …滨江大道9: a street number with no 号 after it is where a wrapped address lost its end
_CUT_OFF_ADDRESS = re.compile(r"(路|街|道|巷|弄|胡同|公路)\d+$")


def cut_off_address(value: str) -> str | None:
    if _CUT_OFF_ADDRESS.search(fold(value)):
        return Problem("address_cut_off",
                       "the address stops at a street number with no 号: its end may be on a line not read")
    return None


def label_inside(value: str, table: dict[str, Sequence[str]], own_key: str) -> str | None:
    """Another field's label (four characters or more: 注册资本, 联系电话) inside a value:
    OCR joined two boxes, and the value ran into the next field."""
    f = fold(value)
    for key, labels in table.items():
        if key == own_key:
            continue
        for label in labels:
            lab = fold(label)
            if len(lab) >= 4 and lab in f:
                return Problem("label_inside", f"the value holds the label {label!r}: it may have run into "
                               "the next field", label=label)
    return None


def person_name_problem(value: str) -> str | None:
    """A Chinese personal name has two to four characters (a ·-joined transliteration
    more); one character, or a run of many, is a misreading or a wrong span."""
    f = fold(value)
    if "·" in f or "•" in f or not f or not all(_IDEOGRAPH.match(c) for c in f):
        return None
    if _ORG_WORD.search(f):  # 执行事务合伙人 may be a firm
        return None
    if len(f) == 1:
        return Problem("person_name_short", "a personal name of one character: part of it was not read")
    if len(f) > 5:
        return Problem("person_name_long",
                       f"a personal name of {len(f)} characters: the value may have run into other text", n=len(f))
    return None


__all__ = ["lost_characters", "cut_off_name", "cut_off_address", "label_inside", "person_name_problem",
           "LOST_PITCH"]
