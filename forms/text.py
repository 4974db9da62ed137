"""Folding text so that labels match whatever script, width or spacing they were printed in.

Values keep the script they were printed in (FIELDS.md); only comparisons fold.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

_T2S = opencc.OpenCC("t2s")

# Characters OCR and typesetters use for ASCII ones besides the full-width block below:
# the ideographic space, dashes and tildes, small forms.
_EXTRA = str.maketrans({
    "\u3000": " ", "：": ":", "，": ",", "；": ";", "（": "(", "）": ")", "【": "[", "】": "]",
    "—": "-", "－": "-", "–": "-", "―": "-", "~": "-", "～": "-", "〜": "-",
    "．": ".", "。": "。", "﹒": ".", "·": "·", "＠": "@", "﹫": "@",
})

_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}（）()：:，、。；])\s+|\s+(?=[{_CJK}（）()：:，、。；])")


# Full-width ASCII (U+FF01..U+FF5E) and the characters above, one character for one.
_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | _EXTRA


def to_halfwidth(text: str) -> str:
    """Full-width digits, letters and punctuation to ASCII; ideographic space to a space."""
    return text.translate(_WIDTH)


# Variant glyphs an OCR model answers for the standard character (a Traditional font's
# 填 read as 塡) that opencc leaves alone: folded so labels still match (填表人).
_VARIANTS = str.maketrans({"塡": "填", "竝": "并", "戸": "户", "黒": "黑"})

# What fold() maps one character to one character, in one table: width, the variants, the
# CJK compatibility ideographs (which NFC maps to the unified ones) and ASCII case.
_COMPAT = {c: unicodedata.normalize("NFC", chr(c)) for c in range(0xF900, 0xFB00)}
_FOLD = {k: (chr(v) if isinstance(v, int) else v).lower()
         for k, v in (_WIDTH | _VARIANTS | {c: n for c, n in _COMPAT.items() if len(n) == 1 and n != chr(c)}).items()
         } | {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


@lru_cache(maxsize=8192)
def to_simplified(text: str) -> str:
    return _T2S.convert(text).translate(_VARIANTS)


def fold(text: str, *, keep_length: bool = False) -> str:
    """The one comparison form of text, for forms, archive matching and the index:
    half-width, Simplified (variant glyphs too), lower case, no whitespace.

    Values keep their script; only comparisons fold. With `keep_length` whitespace stays
    and the result has exactly the length of `text`, so an offset in it is an offset in
    the original (the index marks snippets this way). OpenCC converts phrase by phrase;
    where a phrase changes length, characters are converted one by one.
    """
    text = text.translate(_FOLD)
    if not text.isascii():
        out = _T2S.convert(text)
        if len(out) != len(text):
            out = "".join(s if len(s := _T2S.convert(c)) == 1 else c for c in text)
        text = out.lower()
        if len(text) != len(out):  # a few letters outside ASCII lengthen when lowered (İ)
            text = "".join(low if len(low := c.lower()) == 1 else c for c in out)
    return text if keep_length else "".join(text.split())


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


# Characters opencc's s2t changes that are nonetheless ordinary in Traditional text (台北,
# 皇后, 范 as a surname, 于 as a surname …): never "corrected".
_ALSO_TRADITIONAL = set("台里后面干只系范于余发松谷丑斗苏汇历向征症几冲卷才表制钟云借曲了据准划志恶尽朴升吁叶"
                        "沈折占周舍困家合克困伙佣御凶卜千万与丰乃么乾亘亚仆仑价众优伤伪佑佘侠侥侩侣"
                        "咸姜尸布帘并庄弦彩径才托扣抵挽搜杰柜梁棱注涂淀游烟熏犹研确秋筑签粮系致蒙蔑"
                        "术谑辟郁采野钩链锈闲雇霉须飘鬓")


@lru_cache(maxsize=1)
def _s2t() -> opencc.OpenCC:  # made when first needed: most callers only fold
    return opencc.OpenCC("s2t")


def to_document_script(text: str, script: str) -> str:
    """Characters an OCR model read in Simplified on a Traditional page, put back.

    OCR models are trained mostly on Simplified text and sometimes answer a Traditional
    glyph with its Simplified form (紹 → 绍). On a page the reader found to be Traditional,
    a character that only exists in Simplified is turned back; characters that are also
    ordinary in Traditional are left alone."""
    if script != "zh-Hant":
        return text
    out = []
    for ch in text:
        if is_cjk(ch) and ch not in _ALSO_TRADITIONAL:
            conv = _s2t().convert(ch)
            out.append(conv if len(conv) == 1 and to_simplified(conv) == ch else ch)
        else:
            out.append(ch)
    return "".join(out)
