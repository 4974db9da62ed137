"""Snippets: a short window of the text around the densest cluster of matches.

Written here rather than with `whoosh.highlight` because that re-runs the full
analyzer (jieba included) over every hit's text; matching the query's folded
bigrams and words with `str.find` over the folded text is an order of magnitude
cheaper, and `fold()` keeps offsets, so the marks land on the original characters
in whichever script the document was printed. The index stores each text folded
as well (folding 2,000 characters costs about a millisecond, twenty a page).
"""

from __future__ import annotations

import html
from bisect import bisect_left
from itertools import accumulate

from .analysis import fold

WINDOW = 120  # characters shown


def _word_char(c: str) -> bool:
    return c.isascii() and c.isalnum()


def _spans(folded: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    for term in terms:
        if not term:
            continue
        ascii_word = term.isascii() and term.isalnum()
        start = 0
        while (i := folded.find(term, start)) >= 0:
            j = i + len(term)
            # A Latin word or number must not match inside a longer one.
            if not ascii_word or (
                (i == 0 or not _word_char(folded[i - 1])) and (j == len(folded) or not _word_char(folded[j]))
            ):
                found.append((i, j))
            start = i + 1
    found.sort()
    merged: list[tuple[int, int]] = []
    for s, e in found:
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def make_snippet(text: str, terms: frozenset[str], width: int = WINDOW, folded: str | None = None) -> str:
    """`text` cut to about `width` characters, HTML-escaped, matches in <mark>;
    `folded` is `fold(text)` when the caller has it."""
    if folded is None or len(folded) != len(text):
        folded = fold(text)
    # Whitespace of scans is noise in one line; folding maps whitespace to
    # whitespace, so both strings collapse alike.
    text = " ".join(text.split())
    folded = " ".join(folded.split())
    if not text or len(folded) != len(text):
        folded = fold(text)
    if not text:
        return ""
    lowered = folded.lower()
    if len(lowered) == len(folded):  # lower() can lengthen a few letters
        folded = lowered
    spans = _spans(folded, terms)
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
