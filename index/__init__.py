"""The search room: a whoosh index over filed documents, for Chinese in both scripts.

Takes plain values (`IndexDoc`), never ORM objects; can always be rebuilt from the
database (`SearchIndex.rebuild`).
"""

from .analysis import fold
from .model import Hit, IndexDoc, IndexNeedsRebuild, IndexWriteError, QueryError, SearchResults
from .query import field_names
from .schema import SCHEMA_VERSION
from .store import SearchIndex

__all__ = [
    "Hit",
    "IndexDoc",
    "IndexNeedsRebuild",
    "IndexWriteError",
    "QueryError",
    "SCHEMA_VERSION",
    "SearchIndex",
    "SearchResults",
    "field_names",
    "fold",
]
