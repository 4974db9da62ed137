"""Writing whoosh segments faster, for the Chinese text fields.

Indexing one 2,000-character document makes about 1,200 postings. whoosh's
`SegmentWriter` puts each one through a generator chain and a size estimate,
collects them as tuples, sorts them all, and past `limitmb` spills sorted runs to
disk and merges them back with a Python heap: at a few thousand documents the
spill and merge cost more than the analysis itself.

Here postings are grouped by term as they arrive (`TermPool`: per term an array of
document numbers, an array of weights and the position bytes end to end), so at
commit only the terms are sorted and each term's postings go to the codec in one
piece (see `codec.py`). The segment files are whoosh's own W3 format.

The pool lives in memory (about 20 bytes a posting), so a rebuild writes one
segment per `SEGMENT_DOCS` documents, in `procs` worker processes
(`build_segments`), and commits them together.
"""

from __future__ import annotations

import multiprocessing
import queue
from array import array
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from whoosh.writing import SegmentWriter

# Documents per segment in a rebuild: ~24 M postings, about 500 MB of pool.
SEGMENT_DOCS = 20_000


class _Term:
    __slots__ = ("ids", "weights", "values", "ends")

    def __init__(self) -> None:
        self.ids = array("I")
        self.weights = array("f")
        self.values = bytearray()
        self.ends = array("I")


class TermPool:
    """Postings grouped by (field, term); stands in for whoosh's `PostingPool`."""

    def __init__(self) -> None:
        self.fields: dict[str, dict[bytes, _Term]] = {}
        self.fieldnames: set[str] = set()

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        fieldname, tbytes, docnum, weight, vbytes = item
        self.add_doc(fieldname, docnum, [(tbytes, 0, weight, vbytes)])

    def add_doc(self, fieldname: str, docnum: int,
                postings: Iterable[tuple[bytes, int, float, bytes | None]]) -> int:
        """One document's postings in one field; returns the field length (sum of freqs)."""
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        length = 0
        for tbytes, freq, weight, vbytes in postings:
            t = terms.get(tbytes)
            if t is None:
                t = terms[tbytes] = _Term()
            t.ids.append(docnum)
            t.weights.append(weight)
            if vbytes:
                t.values += vbytes
            t.ends.append(len(t.values))
            length += freq
        return length

    def iter_terms(self) -> Iterator[tuple[str, bytes, array, array, list[bytes]]]:
        """(fieldname, term, docnums, weights, values) in the order whoosh writes them."""
        for fieldname in sorted(self.fields):
            terms = self.fields[fieldname]
            for tbytes in sorted(terms):
                t = terms[tbytes]
                buf, start, values = t.values, 0, []
                for end in t.ends:
                    values.append(bytes(buf[start:end]))
                    start = end
                yield fieldname, tbytes, t.ids, t.weights, values

    def iter_postings(self) -> "GroupedPostings":
        return GroupedPostings(self)

    def cleanup(self) -> None:
        self.fields.clear()


class GroupedPostings:
    """What `SegmentWriter` hands the codec at commit. Our codec reads it a term at a
    time (`iter_terms`); any other reader gets whoosh's sorted posting tuples."""

    def __init__(self, pool: TermPool) -> None:
        self.iter_terms = pool.iter_terms

    def __iter__(self) -> Iterator[tuple[str, bytes, int, float, bytes]]:
        for fieldname, tbytes, ids, weights, values in self.iter_terms():
            for docnum, weight, value in zip(ids, weights, values):
                yield fieldname, tbytes, docnum, weight, value


class FastSegmentWriter(SegmentWriter):
    """`SegmentWriter` with a `TermPool` and a one-pass `add_document`."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self.pool = TermPool()

    def add_document(self, **fields: Any) -> None:
        self._check_state()
        schema = self.schema
        docnum = self.docnum
        add_doc = self.pool.add_doc
        perdoc = self.perdocwriter
        names = sorted(n for n in fields if not n.startswith("_"))
        self._check_fields(schema, names)
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    fmt = field.format
                    if hasattr(fmt, "postings") and isinstance(value, str):  # analysis.py's fast formats
                        posts = fmt.postings(value, field.analyzer)
                    else:
                        posts = field.index(value)
                    length = add_doc(name, docnum, posts)
                    if not field.scorable:
                        length = 0
                perdoc.add_field(name, field, value if field.stored else None, length)
                column = field.column_type
                if column:
                    perdoc.add_column_value(name, column, field.to_column_value(value))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1


# --- rebuilding in several processes -------------------------------------------------

_BATCH = 256  # documents per message to a worker


def _write_segments(ix: Any, writer_args: dict[str, Any], batches: Iterable[list[Any]],
                    prepare: Callable[[Any], dict[str, Any]], segment_docs: int) -> list[Any]:
    """Write `batches` of documents (`prepare(doc)` gives the whoosh fields) as
    segments of about `segment_docs` documents each."""
    segments: list[Any] = []
    writer = None
    try:
        for batch in batches:
            if writer is None:
                writer = FastSegmentWriter(ix, _lk=False, **writer_args)
            for doc in batch:
                writer.add_document(**prepare(doc))
            if writer.docnum >= segment_docs:
                segments.append(writer._finalize_segment())
                writer = None
        if writer is not None:
            segments.append(writer._finalize_segment())
    except BaseException:
        if writer is not None:
            writer.cancel()
        raise
    return segments


def _worker(ix: Any, writer_args: dict[str, Any], jobs: Any, results: Any,
            prepare: Callable[[Any], dict[str, Any]], segment_docs: int) -> None:
    try:
        count = 0

        def batches() -> Iterator[list[Any]]:
            nonlocal count
            for batch in iter(jobs.get, None):
                count += len(batch)
                yield batch

        segments = _write_segments(ix, writer_args, batches(), prepare, segment_docs)
        results.put(("ok", (count, segments)))
    except BaseException as exc:  # reported to the parent, which raises it
        results.put(("error", f"{type(exc).__name__}: {exc}"))


def _batches(docs: Iterable[Any]) -> Iterator[list[Any]]:
    it = iter(docs)
    while batch := list(islice(it, _BATCH)):
        yield batch


def build_segments(ix: Any, docs: Iterable[Any], prepare: Callable[[Any], dict[str, Any]], *,
                   procs: int, segment_docs: int = SEGMENT_DOCS, **writer_args: Any) -> int:
    """Add `docs` to the new, empty index `ix` as segments written by `procs`
    processes, and commit; `prepare(doc)` (run in the workers) gives a document's
    whoosh fields. Nothing else may write to `ix` meanwhile. Returns the count."""
    n = 0

    def counted() -> Iterator[list[Any]]:
        nonlocal n
        for batch in _batches(docs):
            n += len(batch)
            yield batch

    if procs <= 1:
        segments = _write_segments(ix, writer_args, counted(), prepare, segment_docs)
    else:
        segments = _in_processes(ix, writer_args, counted(), prepare, procs, segment_docs)
    committer = FastSegmentWriter(ix, _lk=False, **writer_args)
    committer._close_segment()
    committer._commit_toc(segments)
    committer._finish()
    return n


def _in_processes(ix: Any, writer_args: dict[str, Any], batches: Iterator[list[Any]],
                  prepare: Callable[[Any], dict[str, Any]], procs: int, segment_docs: int) -> list[Any]:
    # fork: the workers inherit the index object and the loaded dictionaries.
    ctx = multiprocessing.get_context("fork")
    jobs = ctx.Queue(procs * 2)
    results = ctx.Queue()
    workers = [ctx.Process(target=_worker, args=(ix, writer_args, jobs, results, prepare, segment_docs),
                           daemon=True) for _ in range(procs)]
    for w in workers:
        w.start()
    replies: list[tuple[str, Any]] = []

    def put(item: Any) -> None:
        # A worker that failed stops reading; do not wait on a full queue forever.
        while True:
            try:
                jobs.put(item, timeout=1)
                return
            except queue.Full:
                if not all(w.is_alive() for w in workers):
                    raise RuntimeError("an indexing process stopped") from None

    sent = 0
    try:
        for batch in batches:
            put(batch)
            sent += len(batch)
        for _ in workers:
            put(None)
        while len(replies) < procs:
            try:
                replies.append(results.get(timeout=1))
            except queue.Empty:
                if not any(w.is_alive() for w in workers) and results.empty():
                    raise RuntimeError("an indexing process stopped") from None
    finally:
        for w in workers:
            if w.is_alive() and len(replies) < procs:
                w.terminate()
            w.join()
    errors = [detail for status, detail in replies if status == "error"]
    if errors:
        raise RuntimeError("indexing failed: " + "; ".join(errors))
    # A batch the queue could not send (pickling happens in a background thread,
    # which only logs its errors) would otherwise go missing without a word.
    if sum(count for _, (count, _) in replies) != sent:
        raise RuntimeError("indexing failed: some documents never reached an indexing process")
    return [seg for _, (_, segs) in replies for seg in segs]
