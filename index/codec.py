"""whoosh's W3 codec with a cheaper commit; the files it writes are plain W3.

At commit whoosh sorts every posting of the segment and then, per posting, looks
up the document's field length through the column reader and calls three
methods that check types and update block statistics one value at a time. With
about 1,200 postings per document that loop was half of the build time. Here a
term's postings are collected into lists and handed to the postings writer a
block at a time, field lengths are read once per field, and blocks too small to
gain from zlib (most bigrams occur in a handful of documents) are stored
uncompressed: whoosh records the compression per block, so readers handle both.
"""

from __future__ import annotations

from array import array
from typing import Any

from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3PostingsWriter

# Block payloads (pickled ids, weights, positions) shorter than this are written as is.
_MIN_COMPRESS = 256


class _LengthCache:
    """Every document's length of one field, read once, as a list."""

    def __init__(self, lengths: Any) -> None:
        self._lengths = lengths
        try:
            self._n = lengths.doc_count_all()
        except AttributeError:
            self._n = -1

    def column(self, fieldname: str) -> Any:
        dfl = self._lengths.doc_field_length
        if self._n < 0:
            return _Lookup(dfl, fieldname)
        return [dfl(d, fieldname, 0) for d in range(self._n)]


class _Lookup:
    def __init__(self, dfl: Any, fieldname: str) -> None:
        self._dfl, self._fieldname = dfl, fieldname

    def __getitem__(self, docnum: int) -> int:
        return self._dfl(docnum, self._fieldname, 0)


class _NoLengths:
    def __getitem__(self, docnum: int) -> int:
        return 0


class _PostingsWriter(W3PostingsWriter):
    def add_many(self, ids: list[int], weights: list[float], values: list[bytes],
                 lengths: list[int]) -> None:
        """`add_posting` for a whole term's postings, a block at a time."""
        limit = self._blocklimit
        for s in range(0, len(ids), limit):
            if self._ids:
                self._write_block()
            block_lengths = [n for n in lengths[s:s + limit] if n]
            self._ids = array("I", ids[s:s + limit])
            self._weights = array("f", weights[s:s + limit])
            self._values = [v for v in values[s:s + limit] if v]
            self._maxweight = max(self._weights)
            self._minlength = min(block_lengths) if block_lengths else None
            self._maxlength = max(block_lengths) if block_lengths else 0

    def _write_block(self, last: bool = False) -> None:
        # whoosh compresses every block (its own "too small to bother" test is
        # overwritten on the next line); zlib costs ~20 µs even on a few bytes.
        compression = self._compression
        if self._compression and len(self._ids) * 12 < _MIN_COMPRESS:
            self._compression = 0
        try:
            super()._write_block(last)
        finally:
            self._compression = compression


class _FieldWriter(W3FieldWriter):
    def add_postings(self, schema, lengths, items):  # type: ignore[no-untyped-def]
        """Write postings sorted by (field, term, docnum): whoosh's posting tuples,
        or, from the fast writer's pool, a term at a time (`iter_terms`)."""
        terms = items.iter_terms() if hasattr(items, "iter_terms") else _group(items)
        cache = _LengthCache(lengths) if lengths else None
        lastfn = None
        col: Any = _NoLengths()
        for fieldname, btext, ids, weights, values in terms:
            if fieldname != lastfn:
                if lastfn is not None:
                    self.finish_field()
                self.start_field(fieldname, schema[fieldname])
                col = cache.column(fieldname) if cache else _NoLengths()
                lastfn = fieldname
            self.start_term(btext)
            try:
                lens = [col[d] for d in ids]
            except IndexError:  # a document added after the cache was read
                lens = [lengths.doc_field_length(d, fieldname, 0) for d in ids]
            self._postwriter.add_many(ids, weights, values, lens)
            self.finish_term()
        if lastfn is not None:
            self.finish_field()


def _group(items: Any) -> Any:
    """whoosh's sorted (field, term, docnum, weight, value) tuples, a term at a time."""
    key = None
    ids: list[int] = []
    weights: list[float] = []
    values: list[bytes] = []
    for fieldname, btext, docnum, weight, value in items:
        if (fieldname, btext) != key:
            if key is not None:
                yield (*key, ids, weights, values)
            key, ids, weights, values = (fieldname, btext), [], [], []
        ids.append(docnum)
        weights.append(weight)
        values.append(value or b"")
    if key is not None:
        yield (*key, ids, weights, values)


class DossierCodec(W3Codec):
    def __init__(self) -> None:
        super().__init__(compression=1)

    def field_writer(self, storage, segment):  # type: ignore[no-untyped-def]
        return _FieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):  # type: ignore[no-untyped-def]
        return _PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                               compression=self._compression, inlinelimit=self._inlinelimit)
