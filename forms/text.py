"""Folding text so that labels match whatever script, width or spacing they were printed in.

Values keep the script they were printed in (FIELDS.md); only comparisons fold.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

_T2S = opencc.OpenCC("t2s")

# Characters OCR and typesetters use for the ASCII ones; NFKC covers most, these it misses
# or maps to something we do not want.
_EXTRA = str.maketrans({
    "\u3000": " ", "：": ":", "，": ",", "；": ";", "（": "(", "）": ")", "【": "[", "】": "]",
    "—": "-", "－": "-", "–": "-", "―": "-", "~": "-", "～": "-", "〜": "-",
    "．": ".", "。": "。", "﹒": ".", "·": "·", "＠": "@", "﹫": "@",
})

_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}（）()：:，、。；])\s+|\s+(?=[{_CJK}（）()：:，、。；])")


def to_halfwidth(text: str) -> str:
    """Full-width digits, letters and punctuation to ASCII; ideographic space to a space."""
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - 0xFEE0))
        elif ch == "\u3000":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out).translate(_EXTRA)


@lru_cache(maxsize=8192)
def to_simplified(text: str) -> str:
    return _T2S.convert(text)


def fold(text: str) -> str:
    """The comparison form: simplified, half-width, no whitespace, ASCII letters upper case."""
    return re.sub(r"\s+", "", to_simplified(to_halfwidth(unicodedata.normalize("NFC", text)))).upper()


def clean_text(text: str) -> str:
    """A text value as FIELDS.md wants it: as printed, whitespace between Chinese removed,
    full-width ASCII made half-width, outer separators stripped."""
    text = to_halfwidth(text)
    text = _SPACE_BETWEEN_CJK.sub("", text)
    text = re.sub(r"\s+", " ", text)
    return text.strip(" :;,，、。")


def is_cjk(ch: str) -> bool:
    return bool(re.match(rf"[{_CJK}]", ch))


def same_name(a: str, b: str) -> bool:
    """Two names are the same when they fold to the same string (scripts, width, spaces)."""
    return fold(a).replace("(", "").replace(")", "") == fold(b).replace("(", "").replace(")", "")
