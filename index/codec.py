"""whoosh's W3 codec with cheaper writing and a posting block format numpy reads.

Writing: at commit whoosh sorts every posting of the segment and then, per
posting, looks up the document's field length through the column reader and
calls three methods that check types and update block statistics one value at a
time. With about 1,200 postings per document that loop was half of the build
time. Here a term's postings are handed to the postings writer a block at a time
and field lengths are read once per field.

Blocks: W3 pickles each block (a tuple of ids, weights and a tuple of value
strings) and its header; unpickling took 0.3 ms a block and was most of the cost
of a search that reads a common term. Here a block is flat little-endian arrays

    header   count u32, last id u32, max weight f32, compressed u8 (0 or 1),
             min length u8, max length u8, size of the first part u32   (struct _HEAD)
    part 1   id deltas u32[count], weights f32[count]
    part 2   for formats with values: value sizes u32[count], the values

each part LZ4-compressed on its own when the block's data is 256 bytes or more
(LZ4 rather than zlib: on these blocks it inflates 3.5x and compresses 8x faster
for 7% more bytes, and inflating positions was most of an exact phrase's time).
The positions (part 2) are most of a block's bytes; a search that only needs
documents and weights, which is every search but an exact phrase, inflates
part 1 alone. `_LeafMatcher` reads blocks for whoosh's matcher API and hands the
arrays to index/fast.py as they are (`block_ids`, `block_values`). Term files,
columns and stored fields stay W3's.
"""

from __future__ import annotations

import struct
from typing import Any

import lz4.block
import numpy as np
from whoosh.codec.whoosh3 import (
    _INT_SIZE, WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldWriter, W3LeafMatcher, W3PostingsWriter,
)
from whoosh.matching import ListMatcher
from whoosh.util.numeric import byte_to_length, length_to_byte

_HEAD = struct.Struct("<IIfBBBI")

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
    def add_many(self, ids: Any, weights: Any, values: list[bytes], lengths: list[int]) -> None:
        """`add_posting` for a whole term's postings, a block at a time."""
        if self._byteids:
            raise NotImplementedError("term vectors are not used by Dossier's schema")
        limit = self._blocklimit
        for s in range(0, len(ids), limit):
            if self._ids:
                self._write_block()
            block_lengths = [n for n in lengths[s:s + limit] if n]
            self._ids = ids[s:s + limit]
            self._weights = weights[s:s + limit]
            self._values = values[s:s + limit]
            self._maxweight = max(self._weights)
            self._minlength = min(block_lengths) if block_lengths else None
            self._maxlength = max(block_lengths) if block_lengths else 0

    def _write_block(self, last: bool = False) -> None:
        postfile = self._postfile
        if not self._blockcount:
            postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        ids = np.asarray(self._ids, dtype=np.uint32)
        deltas = ids.copy()
        deltas[1:] -= ids[:-1]
        first = deltas.astype("<u4").tobytes() + np.asarray(self._weights, dtype="<f4").tobytes()
        second = b""
        if self._format.fixed_value_size() != 0:
            values = self._values
            second = np.fromiter(map(len, values), dtype="<u4", count=len(values)).tobytes() + b"".join(values)
        comp = 1 if len(first) + len(second) >= _MIN_COMPRESS else 0
        if comp:
            first = lz4.block.compress(first)
            second = lz4.block.compress(second) if second else b""
        data = first + second
        head = _HEAD.pack(len(ids), int(ids[-1]), float(self._maxweight), comp,
                          length_to_byte(self._minlength), length_to_byte(self._maxlength), len(first))
        size = len(head) + len(data)
        postfile.write_int(-size if last else size)
        postfile.write(head)
        postfile.write(data)
        self._blockcount += 1
        self._new_block()


class _LeafMatcher(W3LeafMatcher):
    """whoosh's posting matcher over the flat block format above."""

    def _goto(self, position: int) -> None:
        postfile = self._postfile
        self._data = self._more = self._ids = self._weights = self._values = None
        self._i = 0
        postfile.seek(position)
        length = postfile.read_int()
        if length < 0:
            self._lastblock = True
            length = -length
        self._nextoffset = position + _INT_SIZE + length
        self._dataoffset = position + _INT_SIZE + _HEAD.size
        (self._blocklength, self._maxid, self._maxweight, self._compression,
         mn, mx, self._firstsize) = _HEAD.unpack(postfile.read(_HEAD.size))
        self._minlength = byte_to_length(mn)
        self._maxlength = byte_to_length(mx)

    def _part(self, start: int, end: int) -> bytes:
        raw = self._postfile.get(start, end - start)
        return lz4.block.decompress(raw) if self._compression and raw else raw

    def block_ids(self) -> tuple[np.ndarray, np.ndarray]:
        """This block's (document ids, weights)."""
        if self._data is None:
            raw = self._part(self._dataoffset, self._dataoffset + self._firstsize)
            n = self._blocklength
            self._data = (np.cumsum(np.frombuffer(raw, dtype="<u4", count=n), dtype=np.int64),
                          np.frombuffer(raw, dtype="<f4", count=n, offset=4 * n))
        return self._data

    def block_values(self) -> tuple[np.ndarray | None, bytes | None]:
        """This block's (value sizes, values end to end); (None, None) for a format
        without values."""
        if self._more is None:
            raw = self._part(self._dataoffset + self._firstsize, self._nextoffset)
            n = self._blocklength
            self._more = (np.frombuffer(raw, dtype="<u4", count=n), raw[4 * n:]) if raw else (None, None)
        return self._more

    def _read_ids(self) -> None:
        self._ids = self.block_ids()[0].tolist()

    def _read_weights(self) -> None:
        self._weights = self.block_ids()[1].tolist()

    def _read_values(self) -> None:
        sizes, values = self.block_values()
        if sizes is None:
            self._values = (None,) * self._blocklength
            return
        ends = np.cumsum(sizes).tolist()
        self._values = tuple(values[a:b] for a, b in zip([0, *ends[:-1]], ends))


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
        # 1,024 postings a block instead of whoosh's 128: numpy reads a block in one
        # piece and the per-block work (header, slices) is paid 8x less often;
        # 8,000 documents built 10% faster and came out 4% smaller.
        # Whether a block is compressed is decided per block (_MIN_COMPRESS), with
        # LZ4, so whoosh's compression level is not passed on.
        super().__init__(blocklimit=1024)

    def field_writer(self, storage, segment):  # type: ignore[no-untyped-def]
        return _FieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):  # type: ignore[no-untyped-def]
        return _PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                               inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):  # type: ignore[no-untyped-def]
        if terminfo.is_inlined():
            ids, weights, values = terminfo.inlined_postings()
            return ListMatcher(ids, weights, values, format_, scorer=scorer, term=term, terminfo=terminfo)
        offset, length = terminfo.extent()
        return _LeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)
