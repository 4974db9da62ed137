"""Re-ranking the loose reading by words with one wrong character.

When nothing has every bigram of a query, a character was misread: in the
query (typed from a damaged scan) or in the document (OCR). A three-character
name with its middle character wrong keeps none of its bigrams, so the bigram
index alone cannot tell the customer's document from the hundreds that share
the rest of the query. Here the best-scoring candidates of the loose reading are
checked against their text for each word sought, allowing one character to
differ, and the documents that contain more of the words move up.

The check runs on the folded text the index stores beside each document, so
the query's folded words match it in either script.
"""

from __future__ import annotations

import re
from functools import lru_cache

_SPACE = re.compile(r"\s+")

# Candidates re-ranked, words of at least this many characters, at most this many words.
CANDIDATES = 50
MIN_RUN = 3
MAX_RUNS = 8
MAX_RUN = 16


@lru_cache(maxsize=1024)
def pattern(run: str) -> re.Pattern[str]:
    """The folded `run` with any one character replaced (or none)."""
    chars = [re.escape(c) for c in run]
    return re.compile("|".join("".join(chars[:i]) + "." + "".join(chars[i + 1:]) for i in range(len(run))))


def patterns(runs: tuple[str, ...]) -> list[re.Pattern[str]]:
    return [pattern(r) for r in runs if MIN_RUN <= len(r) <= MAX_RUN][:MAX_RUNS]


def rerank(hits: list[tuple[int, float]], texts: list[str], pats: list[re.Pattern[str]]
           ) -> list[tuple[int, float]]:
    """`hits` (docnum, score), best first, re-ordered: documents whose folded text
    holds more of the words (one character may differ) first, then by score."""
    if not pats:
        return hits
    # OCR text often has spaces inside names (王 军 强).
    texts = [_SPACE.sub("", t) for t in texts]
    found = [sum(1 for p in pats if p.search(text)) for text in texts]
    order = sorted(range(len(hits)), key=lambda i: (-found[i], -hits[i][1], hits[i][0]))
    return [hits[i] for i in order]
