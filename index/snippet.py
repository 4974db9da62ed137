"""Snippets: a short window of the text around the densest cluster of matches.

Written here rather than with `whoosh.highlight` because that re-runs the full
analyzer (jieba included) over every hit's text. The query's folded bigrams and
words are turned into one regular expression in which every character matches
its Simplified and Traditional forms (and, for letters and digits, both cases and
both widths), run over the text as stored: folding a 2,000-character text first
cost about a millisecond a hit. The marks land on the original characters in
whichever script the document was printed.
"""

from __future__ import annotations

import html
import re
import threading
from bisect import bisect_left
from functools import lru_cache
from itertools import accumulate

from .analysis import _CJK_RE, fold

WINDOW = 120  # characters shown


_lock = threading.Lock()
_converters: list = []  # s2t, s2tw, s2hk: one Simplified character's Traditional forms
_ALNUM = "A-Za-z0-9\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"


def _traditional(c: str) -> set[str]:
    with _lock:
        if not _converters:
            import opencc

            _converters.extend(opencc.OpenCC(n) for n in ("s2t", "s2tw", "s2hk"))
    return {t for conv in _converters if len(t := conv.convert(c)) == 1}


@lru_cache(maxsize=8192)
def _char_class(c: str) -> str:
    """A regex matching every form of the folded character `c` in a stored text."""
    forms = {c}
    if c.isascii() and c.isalnum():
        forms |= {c.lower(), c.upper()}
        forms |= {chr(ord(x) + 0xFEE0) for x in list(forms)}
    elif _CJK_RE.match(c):
        forms |= _traditional(c)
        forms = {f for f in forms if fold(f) == c} or {c}
    if len(forms) == 1:
        return re.escape(c)
    return "[" + "".join(re.escape(f) for f in sorted(forms)) + "]"


@lru_cache(maxsize=512)
def _terms_regex(terms: frozenset[str]) -> re.Pattern[str] | None:
    """Every place one of `terms` starts (a lookahead, so overlapping matches such
    as the bigrams 档案 and 案的 are all found); the longest term wins at a place."""
    alts = []
    for term in sorted((t for t in terms if t), key=len, reverse=True):
        body = "".join(_char_class(c) for c in term)
        if term.isascii() and term.isalnum():  # a Latin word or number, not inside a longer one
            body = f"(?<![{_ALNUM}]){body}(?![{_ALNUM}])"
        alts.append(body)
    if not alts:
        return None
    return re.compile("(?=(" + "|".join(alts) + "))")


def _spans(text: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    regex = _terms_regex(terms)
    if regex is None:
        return []
    merged: list[tuple[int, int]] = []
    for m in regex.finditer(text):
        s, e = m.start(), m.start() + len(m.group(1))
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def make_snippet(text: str, terms: frozenset[str], width: int = WINDOW) -> str:
    """`text` cut to about `width` characters, HTML-escaped, matches in <mark>."""
    text = " ".join(text.split())  # whitespace of scans is noise in one line
    if not text:
        return ""
    spans = _spans(text, terms)
    if not spans:
        cut = text[:width]
        return html.escape(cut) + ("…" if len(text) > width else "")
    # The window start that covers the most matched characters.
    # Spans are sorted and disjoint, so only the last one in a window can stick
    # out of it: prefix sums of their lengths give each window's coverage.
    starts = [s for s, _ in spans]
    total = list(accumulate((e - s for s, e in spans), initial=0))
    best, best_i = -1, 0
    for i, (s, _) in enumerate(spans):
        j = bisect_left(starts, s + width)
        covered = total[j] - total[i] - max(0, spans[j - 1][1] - (s + width))
        if covered > best:
            best, best_i = covered, i
    first = spans[best_i][0]
    # Start a little before the first match so it reads in context.
    lo = max(0, min(first - width // 6, len(text) - width))
    hi = min(len(text), lo + width)
    out: list[str] = ["…"] if lo > 0 else []
    pos = lo
    for s, e in spans:
        if e <= lo or s >= hi:
            continue
        s, e = max(s, lo), min(e, hi)
        out.append(html.escape(text[pos:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        pos = e
    out.append(html.escape(text[pos:hi]))
    if hi < len(text):
        out.append("…")
    return "".join(out)
