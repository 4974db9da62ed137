"""Search with the user's permission filter: the one home of what a search may reach.

The index holds every document with the reader tokens of the roles that may open it
(`access.index_readers`); a search asks only for the user's tokens, pins staff to effective
records, refuses a query that names a field the user may not see (the fields as the query
parser itself reads them, `index.query_fields`: full-width, Traditional, negated, aliased
or prefixed forms all count), and re-checks every hit against the database (the index may
be behind a review or a grant). A plain word cannot reach a secret value: the index keeps
those out of the searchable text (`search_docs.index_doc`). Each hit's snippet is cut from
the document's text after it has been masked for the user, so no window starts inside a
hidden value. Every search is an audit event, its query masked as the user would see it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from archive_store import access, audit, grants, redaction
from archive_store.messages import Refused
from archive_store.models import Document, User
from archive_store.system import System

PAGE_SIZE = 20


class SearchRefused(Refused):
    """A query the user may not run, or one the search language cannot read (the index's
    own sentence travels as `detail`, for the English page and the log)."""


@dataclass
class ShownHit:
    doc_no: str
    archive_no: str
    doc_type: str
    title: str
    snippet: str  # HTML-escaped with <mark>, masked for the user
    status: str
    customer: str | None
    issue_date: date | None
    score: float


@dataclass
class SearchPage:
    total: int
    page: int
    pages: int
    hits: list[ShownHit]
    # No document has every word: `hits` are similar ones (the loose reading), to be shown
    # apart and so labelled, never as matches; `total` counts them.
    similar: bool = False
    # False while the index is missing, damaged or of another schema (the watcher rebuilds it
    # at start): the answer may then be short, and the page and the command line say so.
    index_ready: bool = True


def open_index(system: System):
    from archive_store.search_docs import open_index

    return open_index(system)


def search(system: System, user: User, query: str, *, filters: dict[str, Any] | None = None,
           sort: str = "relevance", page: int = 1, page_size: int = PAGE_SIZE, index=None) -> SearchPage:
    """`index` is a long-lived index from `open_index` (the embedded one keeps its searcher
    warm); None opens one."""
    from index import QueryError, query_fields

    access.require(user, access.READER_ROLES, "您的角色不能检索档案。")
    filters = dict(filters or {})
    pinned = access.search_status_filter(user)
    if pinned:
        filters["status"] = pinned
    filters = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in filters.items() if v}
    readers = access.reader_tokens(user)
    if readers is not None and not readers:
        return SearchPage(0, 1, 1, [])
    try:
        hidden = access.hidden_search_keys(user, query_fields(query or ""))
    except QueryError as exc:
        _record(system, user, query, filters, refused=str(exc))
        raise SearchRefused(str(exc)) from None
    if hidden:
        # Searching by a field one may not see would tell its value by what comes back.
        _record(system, user, query, filters, refused=f"fields: {', '.join(hidden)}", hidden=True)
        raise SearchRefused("query_hidden_fields", fields=", ".join(hidden))
    index = index or open_index(system)
    try:
        # the index's own snippets are not masked: each hit's is cut below from its masked text
        results = index.search(query, readers=readers, sort=sort, page=page, page_size=page_size,
                               filters=filters, snippets=False)
    except QueryError as exc:
        _record(system, user, query, filters, refused=str(exc))
        raise SearchRefused("query_unreadable", detail=str(exc)) from None
    hits = _shown_hits(system, user, [(h.doc_no, h.score) for h in results.hits], results.highlights)
    _record(system, user, query, filters, total=results.total)
    return SearchPage(total=results.total, page=page, pages=max(1, -(-results.total // page_size)), hits=hits,
                      similar=results.loose, index_ready=not index.needs_rebuild)


def _record(system: System, user: User, query: str, filters: dict[str, Any], *, total: int | None = None,
            refused: str | None = None, hidden: bool = False) -> None:
    """The search as an audit event. The query is masked as the user would see it; one that
    named a hidden field is not kept at all (its value may be a part of a secret too short
    to be recognised), only that it was refused and why."""
    shown = redaction.MASK if hidden else redaction.mask(query or "", access.hidden_groups(user))
    after: dict[str, Any] = {"query": shown[:500], "filters": filters}
    if refused is not None:
        after["refused"] = refused[:200]
    else:
        after["total"] = total
    with system.db.write() as s:
        audit.record(s, actor=user.username, action="search.run" if refused is None else "search.refused",
                     object_type="search", object_id="documents", after=after)


def _shown_hits(system: System, user: User, raw: list[tuple[str, float]],
                highlights: frozenset[str]) -> list[ShownHit]:
    from index import make_snippet

    if not raw:
        return []
    with system.db.read() as s:
        docs = {d.doc_no: d for d in s.scalars(select(Document).options(joinedload(Document.archive))
                                               .where(Document.doc_no.in_([no for no, _ in raw])))}
        held = grants.active_grants(s, user) if user.id is not None else []
        out = []
        for doc_no, score in raw:
            doc = docs.get(doc_no)
            if doc is None or not access.can_view_document(user, doc):
                continue
            # Masked whole, then cut: a window that starts mid-number shows none of it.
            snippet = make_snippet(access.mask_text(user, doc, doc.text or "", held), highlights)
            out.append(ShownHit(doc_no=doc.doc_no, archive_no=doc.archive.archive_no, doc_type=doc.doc_type,
                                title=access.mask_text(user, doc, doc.title or doc.source_name, held),
                                snippet=snippet, status=doc.status,
                                customer=doc.archive.name, issue_date=doc.issue_date, score=score))
    return out
