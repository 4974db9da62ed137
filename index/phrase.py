"""Exact phrases as a few rare terms at fixed offsets from one start.

whoosh's `Phrase` runs every bigram of the phrase through its span machinery
(`SpanNear2`), which costs about a third of a millisecond per candidate document;
a boilerplate phrase found in thousands of documents took seconds. Here the phrase
is reduced to the rarest terms that still cover every character (bigrams and jieba
words, each at its offset inside the phrase); index/fast.py intersects their
documents and then their positions, on arrays.

Offsets count units as the analyzer does (a CJK character, or a run of
letters/digits), so "合同编号HT2024" keeps its Latin part at the right place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from whoosh import query as wq

from .analysis import fold, jieba_words, units


def phrase_items(text: str, df: Callable[[str], int] | None) -> list[tuple[str, int]]:
    """(term, offset) pairs that together pin down `text` exactly.

    A CJK character standing alone at the start or the end of the phrase has no
    term sure to be indexed (it is a unigram only where the document's run ends
    there, and punctuation is not indexed), so it is left out: the phrase then
    matches slightly more, never less.
    """
    us = list(units(fold(text)))
    required: list[tuple[str, int]] = []
    cands: list[tuple[str, int, int]] = []  # (term, start, end) in unit positions
    need: set[int] = set()
    pos = 0
    for idx, u in enumerate(us):
        if not u.cjk:
            required.append((u.text, pos))
            pos += 1
            continue
        run, n = u.text, len(u.text)
        if n == 1:
            if 0 < idx < len(us) - 1:
                required.append((run, pos))
            pos += 1
            continue
        need.update(range(pos, pos + n))
        cands += [(run[i:i + 2], pos + i, pos + i + 2) for i in range(n - 1)]
        cands += [(w, pos + k, pos + k + len(w)) for k, w in jieba_words(run)]
        pos += n
    if df is not None:
        cands.sort(key=lambda c: (df(c[0]), -len(c[0])))
    chosen = list(required)
    for term, a, b in cands:
        span = set(range(a, b))
        if span & need:
            chosen.append((term, a))
            need -= span
            if not need:
                break
    return chosen


class ExactPhrase(wq.Query):
    """Documents where every (term, offset) occurs at one common start position.

    Only index/fast.py evaluates it (FastSearcher._phrase); it has no whoosh matcher,
    so whoosh's per-document path fails on it instead of running it slowly."""

    def __init__(self, fieldname: str, items: list[tuple[str, int]], boost: float = 1.0) -> None:
        self.fieldname = fieldname
        self.items = list(items)
        self.boost = boost

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, ExactPhrase) and other.fieldname == self.fieldname
                and other.items == self.items and other.boost == self.boost)

    def __hash__(self) -> int:
        return hash((self.fieldname, tuple(self.items), self.boost))

    def __repr__(self) -> str:
        return f"ExactPhrase({self.fieldname!r}, {self.items!r})"

    __str__ = __repr__

    def field(self) -> str:
        return self.fieldname

    def has_terms(self) -> bool:
        return True

    def terms(self, phrases: bool = True) -> Iterator[tuple[str, str]]:
        for t, _ in self.items:
            yield (self.fieldname, t)

    def normalize(self) -> "ExactPhrase":
        return self
