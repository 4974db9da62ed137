"""The search room: a whoosh index over filed documents, for Chinese in both scripts.

Takes plain values (`IndexDoc`), never ORM objects; can always be rebuilt from the
database. Typical use::

    ix = SearchIndex(data_dir / "index")          # cheap; keep one per process
    if ix.needs_rebuild:                           # new, other schema version, damaged
        ix.rebuild(index_docs_from_the_store())    # also `dossier reindex`
    ix.add([doc])                                  # after the filing transaction commits
    ix.remove([doc_no])                            # after destruction / un-filing
    res = ix.search("欧阳 type:contract", readers={"role:sales", "user:7"})
    # `dossier search --json`: {"total": res.total,
    #                           "hits": [dataclasses.asdict(h) for h in res.hits]}

`QueryError` (and its subclass `IndexNeedsRebuild`) carry a sentence for the user;
`IndexWriteError` means the index could not be written (the record stands; a later
`add` or a rebuild repairs the index).

`PgSearchIndex(engine)` is the same index kept in PostgreSQL (`[index] backend =
"postgresql"`): the same methods and answers, shared by every process that reads the database.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# Imported when first used: `from index import QueryError` (or IndexDoc) should not load
# whoosh, numpy and opencc; a search loads them anyway.
_WHERE = {
    "fold": ".analysis",
    "Hit": ".model", "IndexDoc": ".model", "IndexNeedsRebuild": ".model", "IndexWriteError": ".model",
    "QueryError": ".model", "SearchResults": ".model",
    "field_names": ".query", "query_fields": ".query",
    "make_snippet": ".snippet",
    "SCHEMA_VERSION": ".schema",
    "SearchIndex": ".store",
    "PgSearchIndex": ".pgstore",
}
__all__ = sorted(_WHERE)

if TYPE_CHECKING:
    from .analysis import fold
    from .model import Hit, IndexDoc, IndexNeedsRebuild, IndexWriteError, QueryError, SearchResults
    from .query import field_names, query_fields
    from .snippet import make_snippet
    from .schema import SCHEMA_VERSION
    from .store import SearchIndex
    from .pgstore import PgSearchIndex


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'index' has no attribute {name!r}")
    value = getattr(import_module(_WHERE[name], __name__), name)
    globals()[name] = value
    return value
