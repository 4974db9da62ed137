"""The Chinese analyzer: script and width folding, jieba words, character bigrams.

Every string that reaches the index or a query goes through `fold()` first (forms.text's
one fold, keeping the length), so a Traditional query finds a Simplified document and
`ＡＢＣ１２３` finds `abc123`.

Token stream for one text (positions count *units*: one CJK character, or one run
of letters/digits):

* each letter/digit run -> one lower-cased token at its unit position;
* each CJK run of n characters -> a bigram at every position 0..n-2 and the last
  character alone (the "tail unigram") at position n-1.  A one-character run is
  therefore indexed as that character;
* jieba dictionary words of three or more characters, at the position of their
  first character.  Two-character words are exactly the bigram at the same
  position and one-character words are covered by bigrams, so jieba only adds
  the longer words, which sharpen ranking for names of firms and terms of art.

Because every token sits at the unit position where it starts, an exact phrase is
a set of terms at fixed offsets from one start (see `phrase.py`): overlapping
bigrams at consecutive offsets mean a contiguous substring, and a jieba word
stands for the characters it spans.
"""

from __future__ import annotations

import importlib.util
import logging
import marshal
import os
import re
import struct
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple

from whoosh import fields, formats
from whoosh.analysis import Token, Tokenizer

from forms.text import fold as text_fold

# CJK Unified Ideographs, Extension A, compatibility ideographs, Extensions B+.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_UNIT_RE = re.compile(f"([{_CJK}]+)|([^\\W{_CJK}_]+)")
_CJK_RE = re.compile(f"[{_CJK}]")

_MIN_JIEBA_WORD = 3
_ONE = struct.Struct("!II")
log = logging.getLogger(__name__)

_lock = threading.Lock()
_CACHE_FORMAT = 2  # bump when what the cache file holds changes
_NO_WORDS: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())


def _jieba_dict() -> Path:
    # jieba's own dictionary file, found without importing jieba: importing it costs
    # ~0.4 s (pkg_resources), and only its word list is used here.
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("jieba is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "dict.txt"


def _cache_file(source: Path) -> Path:
    """Per user (a cache in a shared /tmp belongs to whoever wrote it first), named by
    the dictionary's size and time and the format, so a new jieba builds a new one."""
    st = source.stat()
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dossier"
    return base / f"jieba-words-{_CACHE_FORMAT}-{st.st_size}-{st.st_mtime_ns}.marshal"


def _build(source: Path) -> tuple[frozenset[str], frozenset[str]]:
    """jieba's prefix dictionary (its gen_pfdict) cut to what jieba_words looks up: entries
    of _MIN_JIEBA_WORD characters or more, as (words, strings that only begin words)."""
    freq: dict[str, int] = {}
    with source.open(encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            word, count = line.rstrip("\n").split(" ")[:2]
            freq[word] = int(count)
            for end in range(_MIN_JIEBA_WORD, len(word)):
                freq.setdefault(word[:end], 0)
    words = frozenset(w for w, n in freq.items() if n and len(w) >= _MIN_JIEBA_WORD)
    prefixes = frozenset(w for w, n in freq.items() if not n and len(w) >= _MIN_JIEBA_WORD)
    return words, prefixes


def _pack(words: frozenset[str], prefixes: frozenset[str]) -> dict[str, bytes]:
    """Grouped by first character, each group marshalled apart."""
    groups: defaultdict[str, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for w in words:
        groups[w[0]][0].add(w)
    for p in prefixes:
        groups[p[0]][1].add(p)
    return {c: marshal.dumps((frozenset(ws), frozenset(ps))) for c, (ws, ps) in groups.items()}


class Words:
    """jieba's words, a group per first character, each unpacked when first looked at:
    a query needs the groups of its few characters (a millisecond), not all 7,000 (a
    quarter of a second); indexing soon has them all, as it would anyway."""

    def __init__(self, packed: dict[str, bytes]) -> None:
        self._packed = packed
        self._groups: dict[str, tuple[frozenset[str], frozenset[str]]] = {}

    def starting_with(self, ch: str) -> tuple[frozenset[str], frozenset[str]]:
        """(words, strings that only begin words) that start with `ch`."""
        got = self._groups.get(ch)
        if got is None:
            blob = self._packed.get(ch)
            got = self._groups[ch] = marshal.loads(blob) if blob else _NO_WORDS
        return got

    def unpack_all(self) -> None:
        for ch in self._packed:
            self.starting_with(ch)


def _load_words() -> Words:
    """From the cache file (~4x faster than building it from jieba's dict.txt), which the
    first process to need it writes (atomically: processes may race to it)."""
    source = _jieba_dict()
    cache = _cache_file(source)
    try:
        with cache.open("rb") as f:
            packed = marshal.load(f)
        if isinstance(packed, dict) and packed:
            return Words(packed)
    except (OSError, ValueError, EOFError, TypeError):
        pass  # missing or damaged: built again
    packed = _pack(*_build(source))
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps(packed))
        os.replace(tmp, cache)
    except OSError as exc:  # a read-only home: searches still work, each building it
        log.warning("cannot write the jieba word cache %s: %s", cache, exc)
    return Words(packed)


_words: Words | None = None


def jieba_dictionary() -> Words:
    """jieba's words, loaded once per process."""
    global _words
    if _words is None:
        with _lock:
            if _words is None:
                _words = _load_words()
    return _words


_last_fold = threading.local()


def fold(text: str) -> str:
    """forms' one fold, keeping the length so that offsets stay valid for snippets.

    The last long text folded is remembered (per thread): indexing folds a
    document's text once to store it and again, the same object, to analyse it.
    """
    last = getattr(_last_fold, "pair", None)
    if last is not None and last[0] is text:
        return last[1]
    folded = text_fold(text, keep_length=True)
    if len(text) > 512:
        _last_fold.pair = (text, folded)
    return folded


class Unit(NamedTuple):
    text: str  # folded, lower-cased
    start: int  # offset in the original text
    cjk: bool


def units(folded: str) -> Iterator[Unit]:
    """Runs of CJK characters and runs of letters/digits, everything else dropped."""
    for m in _UNIT_RE.finditer(folded):
        if m.group(1) is not None:
            yield Unit(m.group(1), m.start(), True)
        else:
            yield Unit(m.group(2).lower(), m.start(), False)


def jieba_words(run: str) -> Iterator[tuple[int, str]]:
    """Every jieba dictionary word of >= 3 characters in a CJK run (jieba's full mode).

    jieba's default (DAG + route) mode segments at ~0.4 M chars/s, which alone
    would cap indexing near 200 documents/s on one core; a full-mode scan over the
    same prefix dictionary runs at ~3 M chars/s and, because it keeps overlapping
    words, finds a superset of the long words the default mode would.
    """
    starting_with = jieba_dictionary().starting_with
    n = len(run)
    for k in range(n - _MIN_JIEBA_WORD + 1):
        words, prefixes = starting_with(run[k])
        for i in range(k + _MIN_JIEBA_WORD, n + 1):
            frag = run[k:i]
            if frag in words:
                yield k, frag
            elif frag not in prefixes:
                break


class Tok(NamedTuple):
    text: str
    pos: int
    start: int  # character offsets in the original text
    end: int


def tokens(text: str, *, with_words: bool = True) -> Iterator[Tok]:
    """The index token stream for `text` (see the module docstring)."""
    pos = 0
    for u in units(fold(text)):
        if not u.cjk:
            yield Tok(u.text, pos, u.start, u.start + len(u.text))
            pos += 1
            continue
        run, s = u.text, u.start
        n = len(run)
        for i in range(n - 1):
            yield Tok(run[i : i + 2], pos + i, s + i, s + i + 2)
        yield Tok(run[-1], pos + n - 1, s + n - 1, s + n)
        if with_words and n >= _MIN_JIEBA_WORD:
            for k, w in jieba_words(run):
                yield Tok(w, pos + k, s + k, s + k + len(w))
        pos += n


class ChineseTokenizer(Tokenizer):
    """whoosh adapter for `tokens()`.

    It is pickled into the index's table of contents, so it must stay importable
    under this name and hold no state; changing its output means bumping
    `SCHEMA_VERSION` so old indexes are rebuilt.
    """

    def __init__(self, with_words: bool = True) -> None:
        self.with_words = with_words

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ChineseTokenizer) and other.with_words == self.with_words

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = fold(value)
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar = start_char
                t.endchar = start_char + len(value)
            yield t
            return
        for tok in tokens(value, with_words=self.with_words):
            t.text = tok.text
            t.boost = 1.0
            if keeporiginal:
                t.original = tok.text
            t.stopped = False
            if positions:
                t.pos = start_pos + tok.pos
            if chars:
                t.startchar = start_char + tok.start
                t.endchar = start_char + tok.end
            yield t


def term_positions(text: str, *, with_words: bool = True) -> dict[str, list[int]]:
    """term -> its unit positions in `text`: the same terms and positions as
    `tokens()`, built straight into a dict because indexing spends most of its
    time here (one slice and one append per character instead of a token object)."""
    poses: defaultdict[str, list[int]] = defaultdict(list)
    pos = 0
    for u in units(fold(text)):
        run = u.text
        if not u.cjk:
            poses[run].append(pos)
            pos += 1
            continue
        n = len(run)
        for i in range(n - 1):
            poses[run[i : i + 2]].append(pos + i)
        poses[run[-1]].append(pos + n - 1)
        if with_words and n >= _MIN_JIEBA_WORD:
            for k, w in jieba_words(run):
                poses[w].append(pos + k)
        pos += n
    return poses


class ChinesePositions(formats.Positions):
    """`Positions` that reads `term_positions()` instead of whoosh Tokens.

    Indexing is dominated by per-token Python overhead; skipping the Token object
    and the generic filter chain saves about a fifth of the build time. Output is
    identical to the generic path.
    """

    def word_values(self, value, analyzer, **kwargs):  # type: ignore[no-untyped-def]
        if not isinstance(analyzer, ChineseTokenizer) or kwargs.get("tokenize") is False:
            yield from super().word_values(value, analyzer, **kwargs)
            return
        fb = self.field_boost
        encode = self.encode
        for w, poslist in term_positions(value, with_words=analyzer.with_words).items():
            yield (w, len(poslist), len(poslist) * fb, encode(poslist))

    def postings(self, value: str, analyzer: "ChineseTokenizer") -> list[tuple[bytes, int, float, bytes]]:
        """What `fields.FieldType.index()` yields for `value`, as one list: the
        fast writer (writer.py) calls this instead of the generator chain."""
        fb = self.field_boost
        one = _ONE.pack
        encode = self.encode
        out = []
        for w, p in term_positions(value, with_words=analyzer.with_words).items():
            n = len(p)
            out.append((w.encode("utf-8"), n, n * fb, one(1, p[0]) if n == 1 else encode(p)))
        return out

    # Positions as 4-byte deltas instead of whoosh's pickle: an order of magnitude
    # cheaper to write and to read back for phrase queries; zlib on the posting
    # blocks takes back most of the size.
    def encode(self, poslist):  # type: ignore[no-untyped-def]
        n = len(poslist)
        if n == 1:  # most terms occur once in a document
            return _ONE.pack(1, poslist[0])
        deltas = [b - a for a, b in zip([0, *poslist], poslist)]
        return struct.pack(f"!I{n}I", n, *deltas)

    def decode_positions(self, valuestring):  # type: ignore[no-untyped-def]
        n = (len(valuestring) - 4) // 4
        return list(accumulate(struct.unpack_from(f"!{n}I", valuestring, 4)))


class ChineseText(fields.TEXT):
    """A TEXT field with the Chinese analyzer, positions, and the fast format."""

    def __init__(self, *, stored: bool = False, field_boost: float = 1.0,
                 with_words: bool = True) -> None:
        super().__init__(analyzer=ChineseTokenizer(with_words), phrase=True,
                         stored=stored, field_boost=field_boost)
        self.format = ChinesePositions(field_boost=field_boost)


def cjk_counts(text: str) -> dict[str, int]:
    """Each CJK character of the folded `text` and how often it occurs."""
    # Counting every character and keeping the CJK ones is 40% faster than a findall.
    is_cjk = _CJK_RE.match
    return {c: n for c, n in Counter(fold(text)).items() if is_cjk(c)}


class CharCounts(formats.Existence):
    """Each CJK character once per document, weighted by its count, no positions.

    The positional field holds a character alone only where a run ends there, so a
    query for one character used to be a prefix over every bigram it starts: at
    100,000 documents, dozens of terms and a million postings. Here it is one term
    (as Lucene's CJK bigram filter keeps unigrams beside its bigrams); documents
    and weights only: 3% more index at 100,000 documents.
    """

    def word_values(self, value, analyzer, **kwargs):  # type: ignore[no-untyped-def]
        fb = self.field_boost
        return [(c, n, n * fb, b"") for c, n in cjk_counts(value).items()]

    def postings(self, value: str, analyzer: object) -> list[tuple[bytes, int, float, bytes]]:
        fb = self.field_boost
        return [(c.encode("utf-8"), n, n * fb, b"") for c, n in cjk_counts(value).items()]


class CharField(fields.TEXT):
    """The CJK characters of a text, for one-character queries (see CharCounts)."""

    def __init__(self) -> None:
        super().__init__(analyzer=ChineseTokenizer(with_words=False), phrase=False)
        self.format = CharCounts()
