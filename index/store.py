"""`SearchIndex`: the façade over the whoosh index (open, add, remove, rebuild, search).

On disk::

    PATH/CURRENT            name of the live generation, replaced atomically
    PATH/g-<id>/            a whoosh index
    PATH/g-<id>/dossier-index.json   {"schema_version": N, "complete": bool}

`rebuild()` writes a whole new generation beside the live one and switches
`CURRENT` only when it is complete, so searches keep working during a reindex and
a crash half-way leaves the old index in place. Other processes notice the switch
on their next search. The index is never the only copy of anything: when the
schema version differs, it is rebuilt from the database, not migrated.
"""

from __future__ import annotations

import dataclasses

import fcntl
import json
import os
import pickle
import shutil
import threading
import time
import uuid
import zlib
from collections import OrderedDict
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
from whoosh import index as windex
from whoosh import query as wq
from whoosh.index import LockError
from whoosh.searching import Searcher

from .analysis import jieba_dictionary
from .codec import DossierCodec
from . import fuzzy
from .fast import FastSearcher
from .model import Hit, IndexDoc, IndexNeedsRebuild, IndexWriteError, QueryError, SearchResults
from .query import Compiled, Expand, compile_query, parse, _period, _TYPE_VALUES
from .schema import SCHEMA_VERSION, build_schema, keyword, to_datetime, to_whoosh
from .snippet import make_snippet
from .writer import FastSegmentWriter, build_segments

_CURRENT = "CURRENT"
_LOCK = "LOCK"
_JOURNAL = "journal-"  # journal-<generation>: changes made while that generation is built
_VERSION = "dossier-index.json"
_ALLOW_CACHE = 64
MAX_PAGE_SIZE = 200

Sort = Literal["relevance", "date"]


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + f".{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _read_journal(path: Path) -> Iterator[tuple[str, list[Any]]]:
    with path.open("rb") as f:
        while True:
            try:
                yield pickle.load(f)
            except EOFError:
                return


class SearchIndex:
    """Opens (or creates) the index at `path`.

    `procs` is the number of processes `rebuild()` indexes with; `write_timeout`
    is how long `add`/`remove` wait for another process's writer lock.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        procs: int | None = None,
        write_timeout: float = 30.0,
    ) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.procs = procs if procs is not None else min(2, os.cpu_count() or 1)
        self.write_timeout = write_timeout
        self._lock = threading.RLock()
        self._gen: str | None = None
        self._ix: windex.Index | None = None
        self._searcher: Searcher | None = None
        self._allow: OrderedDict[frozenset[str], np.ndarray] = OrderedDict()
        self._fast_searcher: FastSearcher | None = None
        self._problem: str | None = None  # why the index cannot be used, if it cannot
        self._complete = False
        with self._lock, self._file_lock():
            self._open()

    # --- opening -------------------------------------------------------------

    def _read_current(self) -> str | None:
        try:
            name = (self.path / _CURRENT).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name or None

    def _new_generation(self) -> tuple[str, windex.Index]:
        name = "g-" + uuid.uuid4().hex[:12]
        gdir = self.path / name
        gdir.mkdir()
        ix = windex.create_in(str(gdir), build_schema())
        self._write_version(gdir, complete=False)
        return name, ix

    @staticmethod
    def _write_version(gdir: Path, *, complete: bool) -> None:
        _write_atomic(gdir / _VERSION, json.dumps({"schema_version": SCHEMA_VERSION, "complete": complete}))

    def _open(self) -> None:
        self._close_searcher()
        self._ix = None
        self._problem = None
        gen = self._read_current()
        if gen is None or not (self.path / gen).is_dir():
            gen, self._ix = self._new_generation()
            _write_atomic(self.path / _CURRENT, gen)
            self._gen, self._complete = gen, False
            return
        self._gen = gen
        gdir = self.path / gen
        try:
            meta = json.loads((gdir / _VERSION).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        self._complete = bool(meta.get("complete"))
        if meta.get("schema_version") != SCHEMA_VERSION:
            self._problem = (
                f"The search index was built with schema version {meta.get('schema_version')!r}, "
                f"this version of Dossier uses {SCHEMA_VERSION}; run `dossier reindex`."
            )
            return
        try:
            self._ix = windex.open_dir(str(gdir))
        except Exception as exc:  # whoosh raises many kinds for a damaged index
            self._problem = f"The search index cannot be opened ({exc}); run `dossier reindex`."

    def _close_searcher(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
        self._searcher = None
        self._allow.clear()

    def _check_generation(self) -> None:
        """Follow a rebuild done by this or another process."""
        if self._read_current() != self._gen:
            self._open()

    @property
    def needs_rebuild(self) -> bool:
        """True when the index cannot be trusted to mirror the database: another schema
        version, unreadable, or never filled by `rebuild()` since it was created."""
        with self._lock:
            self._check_generation()
            return self._problem is not None or not self._complete

    def close(self) -> None:
        with self._lock:
            self._close_searcher()

    def __enter__(self) -> "SearchIndex":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing -------------------------------------------------------------

    @contextmanager
    def _file_lock(self) -> Iterator[None]:
        """Serialises writers across processes (intake, `dossier reindex`, the portal)."""
        fd = os.open(self.path / _LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + self.write_timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise IndexWriteError(
                            "The search index is being written by another process; try again shortly."
                        ) from None
                    time.sleep(0.05)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _journal(self, op: tuple[str, list[Any]]) -> None:
        """While a rebuild runs, record each change so it can be replayed into the new
        generation before the switch; otherwise a document filed after the rebuild
        read the database would vanish with the old generation."""
        for journal in self.path.glob(_JOURNAL + "*"):
            if not (self.path / journal.name[len(_JOURNAL):]).is_dir():
                journal.unlink(missing_ok=True)  # left by a rebuild that died
                continue
            with journal.open("ab") as f:
                pickle.dump(op, f)

    def add(self, docs: Iterable[IndexDoc]) -> None:
        """Add or replace documents (by doc_no), in one commit."""
        batch = [to_whoosh(d) for d in docs]
        if not batch:
            return
        with self._lock, self._file_lock():
            self._check_generation()
            self._journal(("add", batch))
            if self._ix is None:
                # An index waiting for a rebuild: the records are in the database and
                # the rebuild will include them.
                return
            self._apply(self._ix, [("add", batch)])

    def remove(self, doc_nos: Iterable[str]) -> None:
        keys = [keyword(n) for n in doc_nos]
        if not keys:
            return
        with self._lock, self._file_lock():
            self._check_generation()
            self._journal(("remove", keys))
            if self._ix is None:
                return
            self._apply(self._ix, [("remove", keys)])

    def _apply(self, ix: windex.Index, ops: Iterable[tuple[str, list[Any]]]) -> None:
        try:
            writer = FastSegmentWriter(ix, timeout=self.write_timeout, codec=DossierCodec())
        except LockError as exc:
            raise IndexWriteError(
                "The search index is being written by another process; try again shortly."
            ) from exc
        try:
            for kind, items in ops:
                for item in items:
                    if kind == "add":
                        writer.update_document(**item)
                    else:
                        writer.delete_by_term("doc_no", item)
            writer.commit()
        except Exception as exc:
            writer.cancel()
            raise IndexWriteError(f"Could not write the search index: {exc}") from exc

    def rebuild(self, docs: Iterable[IndexDoc]) -> int:
        """Build a fresh index from `docs` (the database) and switch to it; returns the count.

        Searches and writes keep going against the live generation meanwhile; writes
        made during the rebuild are replayed into the new one before it goes live.
        """
        # Load jieba's dictionary before the build forks, so its workers inherit it instead of each loading it again
        # (opencc's converter is made when forms.text is imported).
        jieba_dictionary().unpack_all()
        with self._file_lock():
            name, ix = self._new_generation()
            journal = self.path / (_JOURNAL + name)
            journal.touch()
        gdir = self.path / name
        # Building forks worker processes; forking a process that runs other threads
        # (the watcher's observer, a web server) can leave a child stuck on a lock
        # some thread held, so such processes index in one process instead.
        procs = self.procs if threading.active_count() == 1 else 1
        try:
            n = build_segments(ix, docs, to_whoosh, procs=procs, codec=DossierCodec())
            with self._lock, self._file_lock():
                self._apply(ix, _read_journal(journal))
                ix.close()
                self._write_version(gdir, complete=True)
                _write_atomic(self.path / _CURRENT, name)
                journal.unlink()
                self._open()
        except BaseException:
            journal.unlink(missing_ok=True)
            shutil.rmtree(gdir, ignore_errors=True)
            raise
        # Older generations may still be open in other processes; POSIX keeps their
        # files readable until closed, and those processes switch on their next search.
        for old in self.path.glob("g-*"):
            if old.name != name and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
        return n

    # --- reading -------------------------------------------------------------

    def doc_count(self) -> int:
        with self._lock:
            self._check_generation()
            if self._ix is None:
                return 0
            return self._get_searcher().doc_count()

    def _get_searcher(self) -> Searcher:
        assert self._ix is not None
        if self._searcher is None:
            self._searcher = self._ix.searcher()
            self._allow.clear()
        elif not self._searcher.up_to_date():
            # Not Searcher.refresh(): whoosh-reloaded's reader reuse keeps segments the
            # new generation has merged away and misses deletions in reused ones.
            self._searcher.close()
            self._searcher = self._ix.searcher()
            self._allow.clear()
        return self._searcher

    def _fast(self, searcher: Searcher) -> FastSearcher:
        if self._fast_searcher is None or self._fast_searcher.searcher is not searcher:
            self._fast_searcher = FastSearcher(searcher)
            self._allow.clear()
        return self._fast_searcher

    def _allowed(self, fast: FastSearcher, readers: frozenset[str]) -> np.ndarray:
        """Which documents `readers` may see (a mask over document numbers), cached
        until the index changes: applied inside the search, so totals and pages
        count only what the user may see."""
        got = self._allow.get(readers)
        if got is None:
            q = wq.Or([wq.Term("readers", r) for r in sorted(readers)])
            got = np.zeros(fast.n_all, dtype=bool)
            got[fast.matching(q)] = True
            self._allow[readers] = got
            while len(self._allow) > _ALLOW_CACHE:
                self._allow.popitem(last=False)
        else:
            self._allow.move_to_end(readers)
        return got

    def search(
        self,
        query: str,
        *,
        readers: Collection[str] | None,
        sort: Sort = "relevance",
        page: int = 1,
        page_size: int = 20,
        filters: Mapping[str, str] | None = None,
        snippets: bool = True,
    ) -> SearchResults:
        """Search; `readers=None` is unrestricted, otherwise only documents sharing a token.
        `snippets=False` leaves each hit's snippet empty, for a caller that cuts its own
        from a masked text (archive_store.search).

        Raises `QueryError` (readable) for anything wrong with the query, the filters
        or the paging, and `IndexNeedsRebuild` (a `QueryError`) when the index on
        disk must be rebuilt first.
        """
        check_paging(sort, page, page_size)
        tree = parse(query or "")
        compile_query(tree)  # report mistakes before touching the index
        extra = _filter_queries(filters or {})
        if isinstance(readers, str):  # a lone token is a common slip; a str is a Collection
            readers = (readers,)
        with self._lock:
            self._check_generation()
            if self._ix is None:
                raise IndexNeedsRebuild(self._problem or "The search index needs to be rebuilt.")
            try:
                searcher = self._get_searcher()
                if searcher.doc_count_all() == 0:  # whoosh fails on an index with no segments
                    return SearchResults(0, page, page_size, ())
                fast = self._fast(searcher)
                allow = None if readers is None else self._allowed(fast, frozenset(readers))
                if allow is not None and not allow.any():
                    return SearchResults(0, page, page_size, ())
                df = lru_cache(maxsize=None)(searcher.doc_frequency)
                n_docs = searcher.doc_count_all()
                compiled = compile_query(tree, df=df, doc_count=n_docs)
                result = self._run(searcher, fast, compiled, extra, allow, sort, page, page_size, snippets)
                if result.total == 0 and compiled.relaxable and (extra or allow is not None) \
                        and len(fast.matching(compiled.query)):
                    # The words are there, only not among the documents the filters or
                    # the user's permissions leave: that is the answer, not a typo.
                    return result
                if result.total == 0 and compiled.relaxable:
                    # Nothing has every bigram: accept documents with most of them,
                    # ranked by how many, so a misspelt or OCR-damaged name still finds.
                    loose = compile_query(tree, relaxed=True, df=df, doc_count=n_docs,
                                          expand=_expander(searcher))
                    result = dataclasses.replace(
                        self._run(searcher, fast, loose, extra, allow, sort, page, page_size, snippets),
                        loose=True)
                return result
            except QueryError:
                raise
            except Exception as exc:  # never let a whoosh error reach the user as a 500
                raise QueryError(f"The search could not be run: {exc}") from exc

    def _run(
        self,
        searcher: Searcher,
        fast: FastSearcher,
        compiled: Compiled,
        extra: list[wq.Query],
        allow: np.ndarray | None,
        sort: Sort,
        page: int,
        page_size: int,
        snippets: bool = True,
    ) -> SearchResults:
        q = wq.And([compiled.query, *extra]) if extra else compiled.query
        pats = fuzzy.patterns(compiled.runs) if sort == "relevance" else []
        limit = max(page * page_size, fuzzy.CANDIDATES) if pats else page * page_size
        total, top = fast.search(q, allow, sort, limit)
        if pats:
            head = top[:fuzzy.CANDIDATES]
            folded = [_text(searcher.stored_fields(d), "folded") for d, _ in head]
            top = fuzzy.rerank(head, folded, pats) + top[fuzzy.CANDIDATES:]
        hits: list[Hit] = []
        for docnum, score in top[(page - 1) * page_size:page * page_size]:
            stored = searcher.stored_fields(docnum)
            doc_no, archive_no, doc_type, title = stored["meta"]
            snippet = make_snippet(_text(stored), compiled.highlights, folded=_text(stored, "folded")) \
                if snippets else ""
            hits.append(Hit(doc_no, archive_no, doc_type, title, score if sort == "relevance" else 0.0, snippet))
        return SearchResults(total, page, page_size, tuple(hits), compiled.highlights)


def check_paging(sort: str, page: int, page_size: int) -> None:
    if sort not in ("relevance", "date"):
        raise QueryError(f"Results can be sorted by relevance or by date, not “{sort}”.")
    if not isinstance(page, int) or page < 1:
        raise QueryError("The page number must be 1 or more.")
    if not isinstance(page_size, int) or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise QueryError(f"The page size must be between 1 and {MAX_PAGE_SIZE}.")


def _expander(searcher: Searcher) -> Expand:
    """(fieldname, prefix) -> the index's terms starting with prefix, as text."""
    reader = searcher.reader()
    return lambda fieldname, prefix: (t.decode("utf-8") for t in reader.expand_prefix(fieldname, prefix))


def _text(stored: Mapping[str, Any], name: str = "body") -> str:
    return zlib.decompress(stored[name]).decode("utf-8") if stored.get(name) else ""


_FILTER_FIELDS = {
    "doc_type": "doc_type", "type": "doc_type",
    "business_line": "business_line", "biz": "business_line",
    "status": "status",
}
_DATE_FILTERS = {"date_from", "date_to", "from", "to"}


def _filter_queries(filters: Mapping[str, str]) -> list[wq.Query]:
    """The portal's drop-downs; an empty value means "any"."""
    out: list[wq.Query] = []
    start = end = None
    for key, value in filters.items():
        if value is None or not str(value).strip():
            continue
        value = str(value)
        if key in _FILTER_FIELDS:
            v = keyword(value)
            if _FILTER_FIELDS[key] == "doc_type":
                v = _TYPE_VALUES.get(v, v)
            out.append(wq.Term(_FILTER_FIELDS[key], v))
        elif key in _DATE_FILTERS:
            lo, hi = _period(value, "date")
            if key in ("date_from", "from"):
                start = to_datetime(lo)
            else:
                end = to_datetime(hi)
        else:
            raise QueryError(
                f"Unknown filter “{key}”; filters are doc_type, business_line, status, date_from, date_to."
            )
    if start is not None or end is not None:
        if start is not None and end is not None and start > end:
            raise QueryError("The “from” date is after the “to” date.")
        out.append(wq.DateRange("sort_date", start, end))
    return out
