"""Exact phrases: intersect a few rare terms, then check their positions with sets.

whoosh's `Phrase` runs every bigram of the phrase through its span machinery
(`SpanNear2`), which costs about a third of a millisecond per candidate document;
a boilerplate phrase found in thousands of documents took seconds. Here the phrase
is reduced to the rarest terms that still cover every character (bigrams and jieba
words, each at its offset inside the phrase), candidates come from their
intersection, and a candidate matches when one start position fits every term:
a few set operations per document.

Offsets count units as the analyzer does (a CJK character, or a run of
letters/digits), so "合同编号HT2024" keeps its Latin part at the right place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from whoosh import matching
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
    """Documents where every (term, offset) occurs at one common start position."""

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

    def estimate_size(self, ixreader: Any) -> int:
        return min(ixreader.doc_frequency(self.fieldname, t) for t, _ in self.items)

    def matcher(self, searcher: Any, context: Any = None) -> matching.Matcher:
        offsets: dict[str, list[int]] = {}
        for t, off in self.items:
            offsets.setdefault(t, []).append(off)
        reader = searcher.reader()
        leaves = []
        for t in sorted(offsets, key=lambda t: reader.doc_frequency(self.fieldname, t)):
            m = wq.Term(self.fieldname, t).matcher(searcher, context)
            if not m.is_active():
                return matching.NullMatcher()
            leaves.append((m, offsets[t]))
        if not leaves:
            return matching.NullMatcher()
        # Left-deep, rarest first: the rarest list drives the skipping.
        tree = leaves[0][0]
        for m, _ in leaves[1:]:
            tree = matching.IntersectionMatcher(tree, m)
        return _PhraseMatcher(tree, leaves, self.boost)


class _PhraseMatcher(matching.WrappingMatcher):
    def __init__(self, child: matching.Matcher, leaves: list[tuple[Any, list[int]]],
                 boost: float = 1.0) -> None:
        super().__init__(child, boost)
        self._leaves = leaves
        self._find_next()

    def _fits(self) -> bool:
        starts: set[int] | None = None
        for m, offs in self._leaves:
            positions = m.value_as("positions")
            for off in offs:
                s = {p - off for p in positions}
                starts = s if starts is None else starts & s
                if not starts:
                    return False
        return True

    def _find_next(self) -> bool:
        child = self.child
        moved = False
        while child.is_active() and not self._fits():
            moved = child.next() or moved
        return moved

    def next(self) -> bool:
        moved = self.child.next()
        return self._find_next() or moved

    def skip_to(self, id: int) -> bool:
        moved = self.child.skip_to(id)
        return self._find_next() or moved

    def all_ids(self) -> Iterator[int]:
        while self.is_active():
            yield self.id()
            self.next()

    def copy(self) -> "_PhraseMatcher":
        # The copy must check positions on its own leaves, so take them from the
        # copied tree (left-deep: the last leaf is the right child at each level).
        tree = self.child.copy()
        found: list[Any] = []
        node = tree
        for _ in range(len(self._leaves) - 1):
            found.append(node.b)
            node = node.a
        found.append(node)
        found.reverse()
        return _PhraseMatcher(tree, [(m, offs) for m, (_, offs) in zip(found, self._leaves)], self.boost)

    def replace(self, minquality: float = 0) -> matching.Matcher:
        # The leaves are shared with the tree, so the tree must not be rebuilt.
        return self if self.is_active() else matching.NullMatcher()

    def supports_block_quality(self) -> bool:
        return False
