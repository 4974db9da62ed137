"""`PgSearchIndex`: the search index kept in PostgreSQL (`[index] backend = "postgresql"`).

The same analyzer, the same query language and the same compiled query as the embedded
index (store.py); only where the terms live and who evaluates the tree differ. Each
document is one row of `search_index` whose `terms` tsvector holds every term of every
field, prefixed with the field and carrying the analyzer's positions::

    '合同':3,57  '有限公司':12  'H|合'  'T|服务':1  'K|contract'  'R|role:sales'  'Fparty_a|星河':1

(content's terms bare, every other field's behind a short code), so a whoosh
`Term("content", "合同")` is the lexeme '合同', `Term("doc_type", "contract")` is
'K|contract', a `Prefix` is 'U|9131':*, an `ExactPhrase` (terms at fixed offsets) is a chain of `<N>` operators, and
And/Or/Not are & | !; a GIN index answers the whole boolean tree, the reader tokens
included. Date and money ranges are SQL comparisons on columns. `search_terms` keeps each
term's document count: the compiler picks the rarest terms of a word from it exactly as it
does from whoosh's statistics, so both backends run the same tree and find the same
documents. Relevance is PostgreSQL's ts_rank, not BM25 (and past FULL_RANK matches,
ts_rank over the document's title, customer, codes and fields, then newest first): the
order of hits may differ where the embedded index would rank differently, never the set.

Writes take one advisory lock (index writers queue; readers never wait), and a rebuild
is one transaction: searches see the old entries until it commits. Every portal process
and machine reads the one copy the database keeps and replicates.
"""
from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.engine import Connection
from whoosh import fields as wf
from whoosh import query as wq

from . import fuzzy
from .analysis import CharField, ChineseText, cjk_counts, fold, term_positions
from .model import Hit, IndexDoc, IndexNeedsRebuild, IndexWriteError, QueryError, SearchResults
from .phrase import ExactPhrase
from .query import Compiled, compile_query, parse
from .schema import SCHEMA_VERSION, build_schema, to_whoosh
from .snippet import make_snippet
from .store import Sort, _filter_queries, check_paging

log = logging.getLogger(__name__)

# Index writers (add, remove, rebuild) of every process take this transaction lock.
WRITE_LOCK_KEY = 0x49445853
# tsvector limits: positions 1..16383, 256 positions a lexeme, a lexeme under 2 KB, and
# the lexemes of one document under 1 MB together.
MAX_POS = 16383
MAX_POSITIONS = 256
MAX_LEXEME_BYTES = 2046
MAX_LEXEMES_BYTES = 1_000_000
# Rows in search_terms that are not terms.
_VERSION, _COMPLETE = "#schema_version", "#complete"
_COLUMNS = {"sort_date": "sort_day", "amount": "amount"}  # range fields with a column of their own
_BATCH = 500
# Up to this many matches are ranked by ts_rank over their whole text; past it, by the
# small `head` vector (see `_run`).
FULL_RANK = 2000

_SCHEMA = build_schema()


# --- documents as rows -----------------------------------------------------------------

# Each field's lexemes carry a short code: the tsvector is most of a row, read whole for
# every match ts_rank scores. Content terms go bare (lower case, never holding "|"); the
# codes are capitals, which no folded term starts with, so a prefix stays in its field.
_CODES = {"content": "", "chars": "H", "title": "T", "customer_name": "N", "doc_no": "D", "archive_no": "A",
          "doc_type": "K", "status": "S", "business_line": "B", "uscc": "U", "id_number": "I", "readers": "R"}


def _lex(fieldname: str, term: str) -> str:
    code = _CODES.get(fieldname)
    if code is None:  # f_party_a -> Fparty_a|…
        code = fieldname[0].upper() + fieldname[2:]
    return f"{code}|{term}" if code else term


def _quote(lexeme: str) -> str:
    """A lexeme as tsvector and tsquery input read it back unchanged."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def doc_terms(doc: IndexDoc) -> dict[str, list[int]]:
    """Every lexeme of `doc` -> its positions (1-based; empty for fields without positions):
    exactly the terms the embedded index holds for it, field by field."""
    out: dict[str, list[int]] = {}
    for name, value in to_whoosh(doc).items():
        field = _SCHEMA[name]
        if not field.indexed or not isinstance(value, str):
            continue
        if isinstance(field, CharField):
            for c in cjk_counts(value):
                out[_lex(name, c)] = []
        elif isinstance(field, ChineseText):
            for term, poses in term_positions(value).items():
                out[_lex(name, term)] = [min(p + 1, MAX_POS) for p in poses[:MAX_POSITIONS]]
        elif isinstance(field, wf.KEYWORD):
            for term in value.split():
                out[_lex(name, term)] = []
        elif value:  # ID: the whole value is the term
            out[_lex(name, value)] = []
    return out


def head_terms(doc: IndexDoc) -> dict[str, list[int]]:
    """The lexemes of what a document is called and holds in its fields (title, customer,
    codes, field values: the start of its content, before the text, and their own fields):
    a few dozen, kept beside `terms` to rank a large result set cheaply (see `_run`)."""
    w = to_whoosh(doc)
    head = w["content"][:len(w["content"]) - len(doc.text)]
    out = {term: [min(p + 1, MAX_POS) for p in poses[:MAX_POSITIONS]] for term, poses in term_positions(head).items()}
    for name, value in w.items():
        if (name in ("title", "customer_name") or name[:2] == "f_") and isinstance(value, str):
            for term, poses in term_positions(value).items():
                out[_lex(name, term)] = [min(p + 1, MAX_POS) for p in poses[:MAX_POSITIONS]]
    return out


def tsvector_literal(terms: Mapping[str, list[int]]) -> str:
    parts: list[str] = []
    size = 0
    for lexeme, poses in terms.items():
        n = len(lexeme.encode("utf-8"))
        if n > MAX_LEXEME_BYTES:
            continue  # a run of letters or digits over 2 KB: not searchable here
        size += n
        if size > MAX_LEXEMES_BYTES:
            log.warning("search entry truncated: its terms exceed PostgreSQL's 1 MB for one tsvector")
            break
        q = _quote(lexeme)
        parts.append(q + ":" + ",".join(map(str, dict.fromkeys(poses))) if poses else q)
    return " ".join(parts)


def _day(d: Any) -> int | None:
    return d.toordinal() if d else None


def doc_row(doc: IndexDoc) -> dict[str, Any]:
    w = to_whoosh(doc)
    ranges: dict[str, int] = {}
    for name, value in w.items():
        if name in ("filed_on", "issued_on") or name[:2] == "d_":
            ranges[name] = value.date().toordinal() if isinstance(value, datetime) else value.toordinal()
        elif name[:2] == "n_":
            ranges[name] = int(value)
    return {
        "doc_no": doc.doc_no, "archive_no": doc.archive_no, "doc_type": doc.doc_type, "title": doc.title,
        "terms": tsvector_literal(doc_terms(doc)), "head": tsvector_literal(head_terms(doc)),
        "sort_day": w["sort_day"] or None,
        "amount": w.get("amount"), "ranges": ranges, "body": doc.text,
    }


# --- the compiled query as SQL ---------------------------------------------------------

class _Sql:
    """Translates a whoosh query tree into one SQL condition. Subtrees of terms become one
    tsquery (so one GIN lookup answers them); ranges, and the rare mix of the two under
    an OR or NOT, become SQL around it."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}

    def param(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return ":" + name

    def condition(self, q: wq.Query) -> str:
        kind, part = self.part(q)
        return self.matches(part) if kind == "ts" else part

    def matches(self, tsquery: str) -> str:
        return f"terms @@ CAST({self.param(tsquery)} AS tsquery)"

    def part(self, q: wq.Query) -> tuple[str, str]:
        """("ts", tsquery text) or ("sql", condition)."""
        if isinstance(q, wq.Term):
            return "ts", _quote(_lex(q.fieldname, q.text))
        if isinstance(q, wq.Prefix):
            return "ts", _quote(_lex(q.fieldname, q.text)) + ":*"
        if isinstance(q, ExactPhrase):
            return "ts", _phrase(q)
        if isinstance(q, wq.AndMaybe):  # the second part only adds to the score
            return self.part(q.a)
        if isinstance(q, wq.Every):
            return "sql", "TRUE"
        if isinstance(q, type(wq.NullQuery)):
            return "sql", "FALSE"
        if isinstance(q, wq.NumericRange):  # DateRange too
            return "sql", self.range(q)
        if isinstance(q, wq.Not):
            kind, inner = self.part(q.query)
            return (kind, f"!({inner})") if kind == "ts" else (kind, f"NOT ({inner})")
        if isinstance(q, (wq.And, wq.Or)):
            ts_op, sql_op = (" & ", " AND ") if isinstance(q, wq.And) else (" | ", " OR ")
            parts = [self.part(s) for s in q.subqueries]
            ts = [p for k, p in parts if k == "ts"]
            sql = [p for k, p in parts if k == "sql"]
            if not sql:
                return "ts", "(" + ts_op.join(ts) + ")"
            if ts:
                sql.insert(0, self.matches("(" + ts_op.join(ts) + ")"))
            return "sql", "(" + sql_op.join(sql) + ")"
        raise QueryError(f"The search could not be run: {type(q).__name__} is not supported by this index.")

    def range(self, q: wq.NumericRange) -> str:
        if isinstance(q, wq.DateRange):
            lo, hi = (d.date().toordinal() if d else None for d in (q.startdate, q.enddate))
        else:
            lo, hi = q.start, q.end
        column = _COLUMNS.get(q.fieldname)
        value = column or f"CAST(ranges ->> {self.param(q.fieldname)} AS BIGINT)"
        # A document without the value is outside every range (and inside its NOT).
        conds = [f"{value} IS NOT NULL"]
        if lo is not None:
            conds.append(f"{value} {'>' if q.startexcl else '>='} {self.param(int(lo))}")
        if hi is not None:
            conds.append(f"{value} {'<' if q.endexcl else '<='} {self.param(int(hi))}")
        return "(" + " AND ".join(conds) + ")"


def _phrase(q: ExactPhrase) -> str:
    """Terms at fixed offsets from one start: t1 <d1> t2 <d2> t3 …, in offset order (a
    chain of <N> measures each distance from the term before)."""
    items = sorted(q.items, key=lambda item: item[1])
    out = _quote(_lex(q.fieldname, items[0][0]))
    for (_, before), (term, off) in zip(items, items[1:]):
        out = f"({out} <{off - before}> {_quote(_lex(q.fieldname, term))})"
    return out


def _positive(q: wq.Query) -> list[str]:
    """The lexemes a query asks for (not under a NOT), to rank by."""
    if isinstance(q, wq.Term):
        return [_quote(_lex(q.fieldname, q.text))]
    if isinstance(q, wq.Prefix):
        return [_quote(_lex(q.fieldname, q.text)) + ":*"]
    if isinstance(q, ExactPhrase):
        return [_quote(_lex(q.fieldname, t)) for t, _ in q.items]
    if isinstance(q, wq.AndMaybe):
        return _positive(q.a) + _positive(q.b)
    if isinstance(q, (wq.And, wq.Or)):
        return [t for s in q.subqueries for t in _positive(s)]
    return []


# --- the index -------------------------------------------------------------------------

class PgSearchIndex:
    """The index in the database `engine` points at (PostgreSQL, migrated)."""

    def __init__(self, engine: Engine) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError("PgSearchIndex needs a PostgreSQL database")
        self.engine = engine

    # --- state ---------------------------------------------------------------------

    @staticmethod
    def _state(conn: Connection) -> dict[str, int]:
        rows = conn.execute(text("SELECT term, df FROM search_terms WHERE term IN (:v, :c)"),
                            {"v": _VERSION, "c": _COMPLETE})
        return {t: df for t, df in rows}

    @property
    def needs_rebuild(self) -> bool:
        """True until `rebuild()` has filled the index with this schema version."""
        with self.engine.connect() as conn:
            state = self._state(conn)
        return state.get(_VERSION) != SCHEMA_VERSION or state.get(_COMPLETE) != 1

    def doc_count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM search_index")).scalar_one()

    def close(self) -> None:
        pass

    def __enter__(self) -> "PgSearchIndex":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing ----------------------------------------------------------------------

    def add(self, docs: Iterable[IndexDoc]) -> None:
        """Add or replace documents (by doc_no), in one transaction of its own."""
        rows = [doc_row(d) for d in docs]
        if rows:
            self._write(None, lambda c: self._upsert(c, rows))

    def remove(self, doc_nos: Iterable[str]) -> None:
        nos = list(doc_nos)
        if nos:
            self._write(None, lambda c: self._delete(c, nos))

    def write_in(self, conn: Connection, docs: Iterable[IndexDoc], gone: Iterable[str]) -> bool:
        """Add or replace `docs` and remove `gone` in `conn`'s transaction (a record's own, so
        the entries commit or roll back with it). Only if no other index writer is at work:
        a rebuild holds the lock for minutes, and a record transaction must not wait that
        long holding the records' own write lock. Returns whether it wrote; if not, the
        caller's after-commit reindex (which may wait) writes the entries."""
        rows = [doc_row(d) for d in docs]
        nos = sorted(set(gone) - {r["doc_no"] for r in rows})
        try:
            if not conn.execute(text(f"SELECT pg_try_advisory_xact_lock({WRITE_LOCK_KEY})")).scalar():
                return False
            if nos:
                self._delete(conn, nos)
            if rows:
                self._upsert(conn, rows)
            return True
        except Exception as exc:
            raise IndexWriteError(f"Could not write the search index: {exc}") from exc

    def _write(self, conn: Connection | None, work: Any) -> None:
        try:
            with self.engine.begin() as c:
                c.execute(text(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})"))
                work(c)
        except Exception as exc:
            raise IndexWriteError(f"Could not write the search index: {exc}") from exc

    @staticmethod
    def _old_terms(conn: Connection, doc_nos: list[str]) -> Counter[str]:
        old: Counter[str] = Counter()
        for (lexemes,) in conn.execute(text("SELECT tsvector_to_array(terms) FROM search_index "
                                            "WHERE doc_no = ANY(:nos) FOR UPDATE"), {"nos": doc_nos}):
            old.update(lexemes)
        return old

    @staticmethod
    def _count(conn: Connection, change: Counter[str]) -> None:
        """Apply document-count changes to search_terms (sorted: concurrent writers meet
        the rows in one order)."""
        items = sorted((t, n) for t, n in change.items() if n)
        if not items:
            return
        conn.execute(text(
            "INSERT INTO search_terms (term, df) SELECT t, n FROM unnest(CAST(:t AS text[]), CAST(:n AS int[])) "
            "AS x(t, n) ON CONFLICT (term) DO UPDATE SET df = search_terms.df + excluded.df"),
            {"t": [t for t, _ in items], "n": [n for _, n in items]})
        conn.execute(text("DELETE FROM search_terms WHERE df <= 0 AND term = ANY(:t)"),
                     {"t": [t for t, n in items if n < 0]})

    def _upsert(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        rows = list({r["doc_no"]: r for r in rows}.values())
        change = -self._old_terms(conn, [r["doc_no"] for r in rows])
        conn.execute(text("DELETE FROM search_index WHERE doc_no = ANY(:nos)"), {"nos": [r["doc_no"] for r in rows]})
        self._insert(conn, rows)
        new = conn.execute(text("SELECT tsvector_to_array(terms) FROM search_index WHERE doc_no = ANY(:nos)"),
                           {"nos": [r["doc_no"] for r in rows]})
        for (lexemes,) in new:
            change.update(lexemes)
        self._count(conn, change)

    def _delete(self, conn: Connection, doc_nos: list[str]) -> None:
        change = -self._old_terms(conn, doc_nos)
        conn.execute(text("DELETE FROM search_index WHERE doc_no = ANY(:nos)"), {"nos": doc_nos})
        self._count(conn, change)

    @staticmethod
    def _insert(conn: Connection, rows: list[dict[str, Any]]) -> None:
        import json

        cur = conn.connection.driver_connection.cursor()
        with cur.copy("COPY search_index (doc_no, archive_no, doc_type, title, terms, head, sort_day, amount, "
                      "ranges, body) FROM STDIN") as copy:
            for r in rows:
                copy.write_row((r["doc_no"], r["archive_no"], r["doc_type"], r["title"], r["terms"], r["head"],
                                r["sort_day"],
                                r["amount"], json.dumps(r["ranges"]), r["body"]))

    def rebuild(self, docs: Iterable[IndexDoc]) -> int:
        """Replace every entry with `docs` (the database's documents), in one transaction:
        searches see the old entries until it commits. Returns the count."""
        n = 0
        try:
            with self.engine.begin() as conn:
                conn.execute(text(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})"))
                conn.execute(text("DELETE FROM search_index"))
                conn.execute(text("DELETE FROM search_terms"))
                batch: list[dict[str, Any]] = []
                for doc in docs:
                    batch.append(doc_row(doc))
                    if len(batch) >= _BATCH:
                        self._insert(conn, batch)
                        n += len(batch)
                        batch = []
                if batch:
                    self._insert(conn, batch)
                    n += len(batch)
                conn.execute(text("INSERT INTO search_terms (term, df) "
                                  "SELECT word, ndoc FROM ts_stat('SELECT terms FROM search_index')"))
                conn.execute(text("INSERT INTO search_terms (term, df) VALUES (:v, :sv), (:c, 1)"),
                             {"v": _VERSION, "sv": SCHEMA_VERSION, "c": _COMPLETE})
            with self.engine.connect() as conn:  # fresh statistics for the planner
                conn.execute(text("ANALYZE search_index"))
                conn.commit()
        except Exception as exc:
            raise IndexWriteError(f"Could not rebuild the search index: {exc}") from exc
        return n

    # --- reading ----------------------------------------------------------------------

    def search(self, query: str, *, readers: Collection[str] | None, sort: Sort = "relevance", page: int = 1,
               page_size: int = 20, filters: Mapping[str, str] | None = None, snippets: bool = True) -> SearchResults:
        """As `SearchIndex.search`: the same arguments, checks, errors and loose reading."""
        check_paging(sort, page, page_size)
        tree = parse(query or "")
        compile_query(tree)  # report mistakes before touching the database
        extra = _filter_queries(filters or {})
        if isinstance(readers, str):
            readers = (readers,)
        if readers is not None and not readers:
            return SearchResults(0, page, page_size, ())
        allow = None if readers is None else wq.Or([wq.Term("readers", r) for r in sorted(readers)])
        try:
            with self.engine.connect() as conn:
                # The planner prices `terms @@ q` by the table's small main pages and not by
                # the tsvector each row must inflate to test it, so it picks a scan of every row
                # over the GIN index even for a code found in three documents (50 ms against
                # 1.5 ms at 3,000 documents). The GIN index answers every query with a term;
                # one without any (a range alone, NOT alone) still gets its scan.
                conn.execute(text("SET LOCAL enable_seqscan = off"))
                state = self._state(conn)
                if _VERSION in state and state[_VERSION] != SCHEMA_VERSION:
                    raise IndexNeedsRebuild(
                        f"The search index was built with schema version {state[_VERSION]!r}, this version of "
                        f"Dossier uses {SCHEMA_VERSION}; run `dossier reindex`.")

                @lru_cache(maxsize=None)
                def df(fieldname: str, term: str) -> int:
                    return conn.execute(text("SELECT df FROM search_terms WHERE term = :t"),
                                        {"t": _lex(fieldname, term)}).scalar() or 0

                compiled = compile_query(tree, df=df)
                result = self._run(conn, compiled, extra, allow, sort, page, page_size, snippets)
                if result.total == 0 and compiled.relaxable and (extra or allow is not None) \
                        and self._exists(conn, compiled.query):
                    return result  # the words are there, only not where the user may look
                if result.total == 0 and compiled.relaxable:
                    n_docs = conn.execute(text("SELECT count(*) FROM search_index")).scalar_one()
                    loose = compile_query(tree, relaxed=True, df=df, doc_count=n_docs, expand=self._expander(conn))
                    result = dataclasses.replace(self._run(conn, loose, extra, allow, sort, page, page_size, snippets),
                                                 loose=True)
                return result
        except QueryError:
            raise
        except Exception as exc:  # never let a database error reach the user as a 500
            raise QueryError(f"The search could not be run: {exc}") from exc

    @staticmethod
    def _expander(conn: Connection):
        def expand(fieldname: str, prefix: str) -> Iterable[str]:
            key = _lex(fieldname, prefix)
            pattern = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            rows = conn.execute(text("SELECT term FROM search_terms WHERE term LIKE :p AND df > 0"), {"p": pattern})
            return [t[len(key) - len(prefix):] for (t,) in rows]
        return expand

    @staticmethod
    def _exists(conn: Connection, q: wq.Query) -> bool:
        sql = _Sql()
        cond = sql.condition(q)
        return conn.execute(text(f"SELECT EXISTS (SELECT 1 FROM search_index WHERE {cond})"), sql.params).scalar()

    def _run(self, conn: Connection, compiled: Compiled, extra: list[wq.Query], allow: wq.Query | None,
             sort: Sort, page: int, page_size: int, snippets: bool = True) -> SearchResults:
        q = wq.And([compiled.query, *extra, *([allow] if allow is not None else [])])
        sql = _Sql()
        cond = sql.condition(q)
        pats = fuzzy.patterns(compiled.runs) if sort == "relevance" else []
        total = conn.execute(text(f"SELECT count(*) FROM search_index WHERE {cond}"), sql.params).scalar_one()
        if not total:
            return SearchResults(0, page, page_size, (), compiled.highlights)
        positive = _positive(compiled.query)
        if sort == "date" or not positive:
            order, score = "sort_day DESC NULLS LAST, doc_no", "0.0"
        elif total <= FULL_RANK:
            score = f"ts_rank(terms, CAST({sql.param(' | '.join(positive))} AS tsquery))"
            order = "score DESC, doc_no"
        else:
            # ts_rank reads each match's whole tsvector (~10 µs): 400 ms for a common word at
            # 100,000 documents. Past FULL_RANK matches the order is by the words' place in
            # what the document is called and holds in its fields, then newest first.
            score = f"ts_rank(head, CAST({sql.param(' | '.join(positive))} AS tsquery))"
            order = "score DESC, sort_day DESC NULLS LAST, doc_no"
        # The loose reading re-ranks its best candidates by their text (fuzzy.py), as the
        # embedded index does, so it reads at least that many.
        limit = max(page * page_size, fuzzy.CANDIDATES) if pats else page_size
        offset = 0 if pats else (page - 1) * page_size
        rows = conn.execute(text(
            f"SELECT doc_no, archive_no, doc_type, title, body, {score} AS score "
            f"FROM search_index WHERE {cond} ORDER BY {order} LIMIT {int(limit)} OFFSET {int(offset)}"),
            sql.params).all()
        if pats:
            head = rows[:fuzzy.CANDIDATES]
            order_ = fuzzy.rerank([(i, float(r.score)) for i, r in enumerate(head)], [fold(r.body) for r in head], pats)
            rows = [head[i] for i, _ in order_] + rows[fuzzy.CANDIDATES:]
            rows = rows[(page - 1) * page_size:page * page_size]
        hits = tuple(Hit(r.doc_no, r.archive_no, r.doc_type, r.title, float(r.score) if sort == "relevance" else 0.0,
                         make_snippet(r.body, compiled.highlights) if snippets else "") for r in rows)
        return SearchResults(total, page, page_size, hits, compiled.highlights)
