"""Search with the user's permission filter: the one home of what a search may reach.

The index holds every document with the reader tokens of the roles that may open it
(`access.index_readers`); a search asks only for the user's tokens, pins staff to effective
records, refuses field queries on fields the user may not see, and re-checks every hit
against the database (the index may be behind a review or a grant) before its snippet,
masked for the user, is shown.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import defer, joinedload

from archive_store import access, grants
from archive_store.errors import DossierError
from archive_store.models import Document, User
from archive_store.system import System

PAGE_SIZE = 20
# What the index promises a snippet is: HTML-escaped text with <mark> tags, nothing else.
_SNIPPET_OK = re.compile(r"(?:[^<>]|<mark>|</mark>)*")


class SearchRefused(DossierError):
    """A query the user may not run, or one the search language cannot read."""


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


def open_index(system: System):
    from index import SearchIndex

    return SearchIndex(system.settings.index_dir)


def search(system: System, user: User, query: str, *, filters: dict[str, Any] | None = None,
           sort: str = "relevance", page: int = 1, page_size: int = PAGE_SIZE, index=None) -> SearchPage:
    """`index` is a long-lived SearchIndex (it keeps its searcher warm); None opens one."""
    from index import QueryError

    access.require(user, access.READER_ROLES, "您的角色不能检索档案。")
    filters = dict(filters or {})
    pinned = access.search_status_filter(user)
    if pinned:
        filters["status"] = pinned
    filters = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in filters.items() if v}
    readers = access.reader_tokens(user)
    if readers is not None and not readers:
        return SearchPage(0, 1, 1, [])
    hidden = access.hidden_search_keys(user, query)
    if hidden:
        # Searching by a field one may not see would tell its value by what comes back.
        raise SearchRefused(f"无权按字段检索：{', '.join(hidden)}")
    index = index or open_index(system)
    try:
        results = index.search(query, readers=readers, sort=sort, page=page, page_size=page_size,
                               filters=filters)
    except QueryError as exc:
        raise SearchRefused(str(exc)) from None
    hits = _shown_hits(system, user, [(h.doc_no, h.snippet, h.score) for h in results.hits])
    return SearchPage(total=results.total, page=page, pages=max(1, -(-results.total // page_size)), hits=hits)


def _shown_hits(system: System, user: User, raw: list[tuple[str, str, float]]) -> list[ShownHit]:
    if not raw:
        return []
    with system.db.read() as s:
        docs = {d.doc_no: d for d in s.scalars(select(Document)
                                               .options(joinedload(Document.archive), defer(Document.text))
                                               .where(Document.doc_no.in_([no for no, _, _ in raw])))}
        held = grants.active_grants(s, user) if user.id is not None else []
        out = []
        for doc_no, snippet, score in raw:
            doc = docs.get(doc_no)
            if doc is None or not access.can_view_document(user, doc):
                continue
            if not _SNIPPET_OK.fullmatch(snippet or ""):
                snippet = ""  # not the escaped text with <mark> we were promised: show none
            out.append(ShownHit(doc_no=doc.doc_no, archive_no=doc.archive.archive_no, doc_type=doc.doc_type,
                                title=doc.title or doc.source_name,
                                snippet=access.mask_text(user, doc, snippet, held), status=doc.status,
                                customer=doc.archive.name, issue_date=doc.issue_date, score=score))
    return out
