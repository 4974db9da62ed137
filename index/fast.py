"""Running a compiled query over whoosh's postings with numpy.

whoosh matches and scores one document at a time in Python, about 5 µs a match:
a word found in 70,000 of 100,000 documents took a third of a second, and a date
or amount range (an OR over dozens of trie terms) longer still. Here each term's
postings are read a block at a time into arrays (and kept, for common terms, in
a bounded cache), AND/OR/NOT are array set operations, ranges are comparisons on
the field's column, BM25 is computed over whole arrays, and the permission
filter is a boolean mask. The result is the same as whoosh's: which documents
match, their BM25F scores (B 0.75, K1 1.2, whoosh's idf), the order; except that
a prefix is scored by its terms (see `_prefix`).

Exact phrases are checked on positions decoded into arrays, a term at a time and
only for the documents that have every term of the phrase.
Query types this module does not know are run by whoosh's own matcher for that
part of the tree, segment by segment, and combined like any other part.

Everything cached belongs to one immutable segment (keyed by its id; deletions
are applied from the current reader at each search), so intake commits, which
add small segments, leave the cache of the large ones in place.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield, byte_to_length
from whoosh.fields import DATETIME, NUMERIC
from whoosh.reading import TermNotFound

from .analysis import ChinesePositions
from .phrase import ExactPhrase

B, K1 = 0.75, 1.2
# Postings of terms in at least this many documents of a segment are cached.
CACHE_MIN_DF = 256
CACHE_BYTES = 256 * 1024 * 1024

_LENGTH_TABLE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)
_EMPTY_IDS = np.empty(0, dtype=np.int32)
_EMPTY_SCORES = np.empty(0, dtype=np.float32)


@dataclass
class Matches:
    """Documents of one segment (sorted local numbers) and their scores."""

    ids: np.ndarray
    scores: np.ndarray


_NONE = Matches(_EMPTY_IDS, _EMPTY_SCORES)


class _Cache:
    """Per-segment arrays shared by all searches of a process (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._arrays: dict[tuple[Any, ...], np.ndarray] = {}
        self._postings: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._bytes = 0

    def array(self, key: tuple[Any, ...], load: Any) -> np.ndarray:
        got = self._arrays.get(key)
        if got is None:
            got = load()
            with self._lock:
                self._arrays[key] = got
        return got

    def postings(self, key: tuple[Any, ...]) -> Any:
        with self._lock:
            got = self._postings.get(key)
            if got is not None:
                self._postings.move_to_end(key)
            return got

    def keep(self, key: tuple[Any, ...], value: Any) -> None:
        with self._lock:
            old = self._postings.pop(key, None)
            if old is not None:
                self._bytes -= old.nbytes
            self._postings[key] = value
            self._bytes += value.nbytes
            while self._bytes > CACHE_BYTES and self._postings:
                _, dropped = self._postings.popitem(last=False)
                self._bytes -= dropped.nbytes

    def forget(self, live: set[Any]) -> None:
        """Drop what belongs to segments no longer in the index."""
        with self._lock:
            for k in [k for k in self._arrays if k[0] not in live]:
                del self._arrays[k]
            for k in [k for k in self._postings if k[0] not in live]:
                self._bytes -= self._postings.pop(k).nbytes


CACHE = _Cache()


class _Segment:
    def __init__(self, searcher: Any, offset: int) -> None:
        self.searcher = searcher  # whoosh's searcher for this segment alone
        self.reader = reader = searcher.reader()
        self.offset = offset
        self.n = reader.doc_count_all()
        self.sid = reader.segment().segment_id()
        deleted = reader.deleted_docs_set if reader.has_deletions() else None
        self.live: np.ndarray | None = None
        if deleted:
            self.live = np.ones(self.n, dtype=bool)
            self.live[np.fromiter(deleted, dtype=np.int64, count=len(deleted))] = False

    # --- arrays read straight from the segment's column files -------------------

    def _column_bytes(self, colreader: Any, width: int) -> bytes | None:
        # whoosh's fixed-width column reader keeps its values end to end in the
        # file; reading them in one piece is 1,000x faster than value by value.
        try:
            dbfile, base, count = colreader._dbfile, colreader._basepos, colreader._count
        except AttributeError:
            return None
        return dbfile.get(base, count * width)

    def lengths(self, fieldname: str) -> np.ndarray:
        def load() -> np.ndarray:
            out = np.zeros(self.n, dtype=np.float32)
            perdoc = self.reader._perdoc
            col = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            if col is None:
                return out
            raw = self._column_bytes(col, 1)
            if raw is None:
                return np.array([self.reader.doc_field_length(d, fieldname, 0) for d in range(self.n)],
                                dtype=np.float32)
            codes = np.frombuffer(raw, dtype=np.uint8)
            out[:len(codes)] = _LENGTH_TABLE[codes]
            return out
        return CACHE.array((self.sid, "len", fieldname), load)

    def column(self, fieldname: str, field: NUMERIC) -> np.ndarray:
        """The field's sortable values as uint64; missing values are field.default."""
        def load() -> np.ndarray:
            col = self.reader.column_reader(fieldname, translate=False)
            if col is None:
                return np.full(self.n, field.default, dtype=np.uint64)
            width = np.dtype(field.sortable_typecode).itemsize
            raw = self._column_bytes(col, width)
            if raw is None:
                values = np.array(list(col), dtype=np.uint64)
            else:
                values = np.frombuffer(raw, dtype=">" + field.sortable_typecode).astype(np.uint64)
            out = np.full(self.n, field.default, dtype=np.uint64)
            out[:len(values)] = values
            return out
        return CACHE.array((self.sid, "col", fieldname), load)

    # --- postings ---------------------------------------------------------------

    def _matcher(self, fieldname: str, tbytes: bytes) -> Any:
        fmt = self.reader.schema[fieldname].format
        return self.reader._terms.matcher(fieldname, tbytes, fmt)

    def read(self, fieldname: str, tbytes: bytes) -> "_TermData":
        """A term's documents and weights, read in one pass over its blocks and, for
        common terms, cached."""
        key = (self.sid, fieldname, tbytes)
        got = CACHE.postings(key)
        if got is not None:
            return got
        try:
            m = self._matcher(fieldname, tbytes)
        except TermNotFound:
            return _NO_TERM
        got = _read_postings(m)
        if len(got.ids) >= CACHE_MIN_DF:
            CACHE.keep(key, got)
        return got

    def positions(self, fieldname: str, tbytes: bytes, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Decoded positions of the term's postings `rows` (ascending indexes into its
        documents): (offsets, flat), row k's positions being flat[offsets[k]:offsets[k + 1]].
        Only the blocks holding those rows are inflated, and only those rows decoded."""
        m = self._matcher(fieldname, tbytes)
        if not hasattr(m, "block_values"):  # inlined postings
            values = []
            while m.is_active():
                values.append(m.value() or b"")
                m.next()
            values = [values[r] for r in rows.tolist()]
            words = np.frombuffer(b"".join(values), dtype=">u4").astype(np.int64)
            return _decode_words(np.fromiter(map(len, values), dtype=np.int64, count=len(values)) // 4, words)
        sizes: list[np.ndarray] = []
        words: list[np.ndarray] = []
        start = k = 0
        while k < len(rows) and m.is_active():
            n = m._blocklength
            end = int(np.searchsorted(rows, start + n))
            if end > k:
                b_sizes, b_values = m.block_values()
                wsize = b_sizes.astype(np.int64) // 4  # 1 + count, in 4-byte words
                local = rows[k:end] - start
                _, at = _gather(np.concatenate(([0], np.cumsum(wsize))), local)
                words.append(np.frombuffer(b_values, dtype=">u4")[at].astype(np.int64))
                sizes.append(wsize[local])
                k = end
            start += n
            m._next_block()
        if not sizes:
            return np.zeros(1, dtype=np.int64), np.empty(0, dtype=np.int64)
        return _decode_words(np.concatenate(sizes), np.concatenate(words))

    def alive(self, ids: np.ndarray) -> np.ndarray:
        return ids if self.live is None or not len(ids) else ids[self.live[ids]]


@dataclass
class _TermData:
    ids: np.ndarray  # document numbers in the segment, ascending
    weights: np.ndarray

    @property
    def nbytes(self) -> int:
        return self.ids.nbytes + self.weights.nbytes


_NO_TERM = _TermData(_EMPTY_IDS, _EMPTY_SCORES)


def _read_postings(m: Any) -> _TermData:
    if not hasattr(m, "block_ids"):
        return _read_one_by_one(m)
    # codec.py's block format: arrays as stored
    ids: list[Any] = []
    weights: list[Any] = []
    while m.is_active():
        b_ids, b_weights = m.block_ids()
        ids.append(b_ids[m._i:])
        weights.append(b_weights[m._i:])
        m._next_block()
    if not ids:
        return _NO_TERM
    return _TermData(np.concatenate(ids).astype(np.int32), np.concatenate(weights).astype(np.float32))


def _read_one_by_one(m: Any) -> _TermData:
    """Inlined postings (a term in a document or two: whoosh keeps them in the term's
    info), or a segment another codec wrote: whoosh's per-posting reading."""
    pairs = []
    while m.is_active():
        pairs.append((m.id(), m.weight()))
        m.next()
    return _TermData(np.array([i for i, _ in pairs], dtype=np.int32),
                     np.array([w for _, w in pairs], dtype=np.float32))


def _decode_words(wsizes: np.ndarray, words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ChinesePositions values (per posting: count, then position deltas, 4-byte
    words; `wsizes` = 1 + count per posting, `words` end to end) decoded all at
    once: (offsets, positions)."""
    n = len(wsizes)
    counts = wsizes - 1
    headers = np.zeros(len(words), dtype=bool)
    if n:
        headers[np.concatenate(([0], np.cumsum(wsizes)[:-1]))] = True
    running = np.cumsum(words[~headers])
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    # Positions restart at each posting: subtract the running sum before it.
    before = np.concatenate(([0], running))[offsets[:-1]]
    return offsets, running - np.repeat(before, counts)


def _gather(offsets: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For items `rows` of a flat array cut at `offsets` (item k is
    flat[offsets[k]:offsets[k + 1]]): (row index repeated per element, index into flat)."""
    counts = offsets[rows + 1] - offsets[rows]
    starts = np.repeat(offsets[rows], counts)
    within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(np.arange(len(rows)), counts), starts + within


class FastSearcher:
    """Evaluates whoosh queries over one `Searcher`'s segments."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self.schema = searcher.schema
        self.n_all = searcher.doc_count_all()
        self.segments = [_Segment(sub, off) for sub, off in searcher.leaf_searchers()]
        CACHE.forget({s.sid for s in self.segments})
        self._idf: dict[tuple[str, str], float] = {}
        self._avg: dict[str, float] = {}
        self._sort_days: np.ndarray | None = None

    # --- the public part -------------------------------------------------------

    def search(self, q: wq.Query, allow: np.ndarray | None, sort: str, limit: int
               ) -> tuple[int, list[tuple[int, float]]]:
        """(total, the first `limit` (docnum, score) in order) for `q`, counting only
        documents whose global number is True in `allow` (None: all). Relevance
        order is score descending; date order is catalogue day, newest first; ties
        go by document number, so pages never overlap."""
        docs, scores = self._collect(q, allow)
        total = len(docs)
        if not total or limit <= 0:
            return total, []
        if sort == "date":
            key = -self.sort_days()[docs].astype(np.float64)
        else:
            key = -scores.astype(np.float64)
        top = _first(key, docs, limit)
        return total, [(int(docs[i]), float(scores[i])) for i in top]

    def matching(self, q: wq.Query) -> np.ndarray:
        """Global numbers of the live documents matching `q`."""
        return self._collect(q, None)[0]

    def _collect(self, q: wq.Query, allow: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        ids_parts, score_parts = [], []
        for seg in self.segments:
            m = self.eval(q, seg)
            ids = seg.alive(m.ids)
            scores = m.scores if ids is m.ids else m.scores[np.searchsorted(m.ids, ids)]
            g = ids.astype(np.int64) + seg.offset
            if allow is not None and len(g):
                keep = allow[g]
                g, scores = g[keep], scores[keep]
            ids_parts.append(g)
            score_parts.append(scores)
        if not ids_parts:
            return np.empty(0, dtype=np.int64), _EMPTY_SCORES
        return np.concatenate(ids_parts), np.concatenate(score_parts)

    def sort_days(self) -> np.ndarray:
        """The catalogue day of every document, as the column's sortable values
        (same order as the days themselves)."""
        if self._sort_days is None:
            field = self.schema["sort_day"]
            parts = [seg.column("sort_day", field) for seg in self.segments]
            self._sort_days = np.concatenate(parts) if parts else np.empty(0, dtype=np.uint64)
        return self._sort_days

    # --- evaluation --------------------------------------------------------------

    def eval(self, q: wq.Query, seg: _Segment) -> Matches:
        if isinstance(q, wq.Term):
            return self._term(q, seg)
        if isinstance(q, wq.And):
            return self._and(q.subqueries, seg)
        if isinstance(q, wq.Or):
            parts = [self.eval(s, seg) for s in q.subqueries]
            return _union(parts)
        if isinstance(q, wq.Not):
            return _minus(_every(seg), self.eval(q.query, seg))
        if isinstance(q, wq.AndMaybe):  # the first part required, the second adds to the score
            return _add_scores(self.eval(q.a, seg), self.eval(q.b, seg))
        if isinstance(q, wq.Every):
            return _every(seg)
        if isinstance(q, type(wq.NullQuery)):
            return _NONE
        if isinstance(q, wq.Prefix):
            return self._prefix(q, seg)
        if isinstance(q, wq.NumericRange):  # DateRange is one too
            return self._range(q, seg)
        if isinstance(q, ExactPhrase) and isinstance(self.schema[q.fieldname].format, ChinesePositions):
            return self._phrase(q, seg)
        return self._by_whoosh(q, seg)

    def _phrase(self, q: ExactPhrase, seg: _Segment) -> Matches:
        """Documents where every (term, offset) of the phrase occurs at one start:
        candidates are the intersection of the terms (scored as whoosh scores an
        ExactPhrase: the sum of its terms), then (document, start) pairs are
        intersected term by term."""
        offsets: dict[str, list[int]] = {}
        for t, off in q.items:
            offsets.setdefault(t, []).append(off)
        field = self.schema[q.fieldname]
        tbytes = {t: field.to_bytes(t) for t in offsets}
        terms = {t: seg.read(q.fieldname, tbytes[t]) for t in offsets}
        order = sorted(offsets, key=lambda t: len(terms[t].ids))  # rarest first
        cand = self._scored(q.fieldname, order[0], terms[order[0]], seg)
        for t in order[1:]:
            if not len(cand.ids):
                return _NONE
            cand = _intersect(cand, self._scored(q.fieldname, t, terms[t], seg))
        starts: np.ndarray | None = None
        docs = cand.ids.astype(np.int64)
        for t in order:
            if not len(docs):
                return _NONE
            flat_offsets, pos = seg.positions(q.fieldname, tbytes[t], np.searchsorted(terms[t].ids, docs))
            doc_of = np.repeat(docs, np.diff(flat_offsets))
            for off in offsets[t]:
                ok = pos >= off
                # Sorted and unique already: documents ascend, and a term's positions
                # ascend within each, once each.
                keys = (doc_of[ok] << 32) | (pos[ok] - off)
                starts = keys if starts is None else _sorted_intersect(starts, keys)
            docs = _sorted_unique(starts >> 32)
        keep = np.isin(cand.ids, docs, assume_unique=True)
        return Matches(cand.ids[keep], cand.scores[keep])

    def _and(self, subs: list[wq.Query], seg: _Segment) -> Matches:
        pos = [s for s in subs if not isinstance(s, wq.Not)]
        neg = [s.query for s in subs if isinstance(s, wq.Not)]
        if not pos:
            result = _every(seg)
        else:
            # Rarest first keeps the intermediate arrays small.
            parts = [self.eval(s, seg) for s in pos]
            parts.sort(key=lambda m: len(m.ids))
            result = parts[0]
            for p in parts[1:]:
                if not len(result.ids):
                    return _NONE
                result = _intersect(result, p)
        for s in neg:
            if not len(result.ids):
                break
            result = _minus(result, self.eval(s, seg))
        if neg:
            # whoosh scores a NOT inside an AND as a match of weight 1 (its
            # InverseMatcher); mirrored so that scores agree.
            result = Matches(result.ids, result.scores + np.float32(len(neg)))
        return result

    def _term(self, q: wq.Term, seg: _Segment) -> Matches:
        field = self.schema[q.fieldname]
        data = seg.read(q.fieldname, field.to_bytes(q.text))
        m = self._scored(q.fieldname, q.text, data, seg)
        return m if q.boost == 1 else Matches(m.ids, m.scores * np.float32(q.boost))

    def _scored(self, fieldname: str, text: str, data: _TermData, seg: _Segment) -> Matches:
        """BM25F of each posting, as whoosh computes it."""
        ids, weights = data.ids, data.weights
        if not len(ids):
            return _NONE
        if not self.schema[fieldname].scorable:  # whoosh scores these by the posting's weight
            return Matches(ids, weights.astype(np.float32))
        idf = self.idf(fieldname, text)
        avg = self.avg_length(fieldname)
        fl = seg.lengths(fieldname)[ids]
        scores = idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * fl / avg)))
        return Matches(ids, scores.astype(np.float32))

    def _prefix(self, q: wq.Prefix, seg: _Segment) -> Matches:
        # Scored as the sum of the expanded terms' scores. (whoosh gives such a
        # match a constant score when the prefix expands to several terms, which
        # ranks 张三丰 no higher than a passing 张.)
        terms = [wq.Term(q.fieldname, t) for t in seg.reader.expand_prefix(q.fieldname, q.text)]
        return _union([self._term(t, seg) for t in terms])

    def _range(self, q: wq.NumericRange, seg: _Segment) -> Matches:
        field = self.schema[q.fieldname]
        if not field.column_type:
            return self._by_whoosh(q, seg)
        values = seg.column(q.fieldname, field)

        def key(v: Any) -> np.uint64:
            # DateRange holds its ends already as the column's longs.
            if isinstance(field, DATETIME) and isinstance(v, int):
                return np.uint64(v)
            return np.uint64(field.to_column_value(v))

        mask = values != np.uint64(field.default)
        if q.start is not None:
            lo = key(q.start)
            mask &= (values > lo) if q.startexcl else (values >= lo)
        if q.end is not None:
            hi = key(q.end)
            mask &= (values < hi) if q.endexcl else (values <= hi)
        ids = np.flatnonzero(mask).astype(np.int32)
        return Matches(ids, np.full(len(ids), q.boost, dtype=np.float32))

    def _by_whoosh(self, q: wq.Query, seg: _Segment) -> Matches:
        """whoosh's own matcher for this part of the query, in this segment."""
        m = q.matcher(seg.searcher)
        ids, scores = [], []
        while m.is_active():
            ids.append(m.id())
            scores.append(m.score())
            m.next()
        return Matches(np.array(ids, dtype=np.int32), np.array(scores, dtype=np.float32))

    # --- statistics (whoosh's, so scores agree) ---------------------------------

    def idf(self, fieldname: str, text: str) -> float:
        key = (fieldname, text)
        got = self._idf.get(key)
        if got is None:
            got = self._idf[key] = float(self.searcher.idf(fieldname, text))
        return got

    def avg_length(self, fieldname: str) -> float:
        got = self._avg.get(fieldname)
        if got is None:
            got = self._avg[fieldname] = float(self.searcher.avg_field_length(fieldname) or 1)
        return got


def _every(seg: _Segment) -> Matches:
    ids = np.arange(seg.n, dtype=np.int32)
    return Matches(ids, np.zeros(seg.n, dtype=np.float32))


def _intersect(a: Matches, b: Matches) -> Matches:
    ids, ia, ib = np.intersect1d(a.ids, b.ids, assume_unique=True, return_indices=True)
    return Matches(ids.astype(np.int32), a.scores[ia] + b.scores[ib])


def _sorted_intersect(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The values in both of two ascending arrays of unique values: a binary search
    of the shorter in the longer, instead of intersect1d's sort of both."""
    if len(a) > len(b):
        a, b = b, a
    if not len(a):
        return a
    at = np.minimum(np.searchsorted(b, a), len(b) - 1)
    return a[b[at] == a]


def _sorted_unique(a: np.ndarray) -> np.ndarray:
    """The distinct values of an ascending array, without np.unique's sort."""
    if not len(a):
        return a
    keep = np.empty(len(a), dtype=bool)
    keep[0] = True
    np.not_equal(a[1:], a[:-1], out=keep[1:])
    return a[keep]


def _add_scores(a: Matches, b: Matches) -> Matches:
    if not len(a.ids) or not len(b.ids):
        return a
    _, ia, ib = np.intersect1d(a.ids, b.ids, assume_unique=True, return_indices=True)
    scores = a.scores.copy()
    scores[ia] += b.scores[ib]
    return Matches(a.ids, scores)


def _minus(a: Matches, b: Matches) -> Matches:
    if not len(b.ids):
        return a
    keep = ~np.isin(a.ids, b.ids, assume_unique=True)
    return Matches(a.ids[keep], a.scores[keep])


def _union(parts: list[Matches], scored: bool = True) -> Matches:
    parts = [p for p in parts if len(p.ids)]
    if not parts:
        return _NONE
    if len(parts) == 1:
        return parts[0]
    ids = np.concatenate([p.ids for p in parts])
    uniq, inverse = np.unique(ids, return_inverse=True)
    scores = np.zeros(len(uniq), dtype=np.float32)
    if scored:
        np.add.at(scores, inverse, np.concatenate([p.scores for p in parts]))
    return Matches(uniq.astype(np.int32), scores)


def _first(key: np.ndarray, docs: np.ndarray, limit: int) -> np.ndarray:
    """Indexes of the `limit` smallest (key, docnum), in that order, ties by docnum."""
    n = len(key)
    if n > limit:
        cut = np.partition(key, limit - 1)[limit - 1]
        below = np.flatnonzero(key < cut)
        # `docs` ascends (segments in order, numbers sorted within), so the
        # ties come out in document order already.
        at = np.flatnonzero(key == cut)[: limit - len(below)]
        pick = np.concatenate([below, at])
    else:
        pick = np.arange(n)
    order = np.lexsort((docs[pick], key[pick]))
    return pick[order]
