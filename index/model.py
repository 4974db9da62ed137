"""Values that cross into and out of the index room (plain, frozen)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType


@dataclass(frozen=True)
class IndexDoc:
    """One filed document as the index sees it; built by the caller from the store."""

    doc_no: str
    archive_no: str
    doc_type: str
    status: str
    title: str
    customer_name: str | None
    uscc: str | None
    id_number: str | None
    business_line: str
    fields: Mapping[str, str]
    text: str
    filed_on: date | None
    issued_on: date | None
    amount: Decimal | None
    # Access tokens that may see this document, e.g. ("role:sales", "user:7").
    readers: tuple[str, ...] = ()
    # Values searchable only by naming their field (key -> values; "id_number" goes to the
    # id_number field, others to f_<key>), never by a plain word: the caller keeps here
    # what not every reader may see, and leaves it out of `fields` and `text`.
    private: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A frozen dataclass holding a caller's dict could still change under us.
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))
        object.__setattr__(self, "readers", tuple(self.readers))
        object.__setattr__(self, "private", MappingProxyType({k: tuple(v) for k, v in self.private.items()}))

    def __reduce__(self) -> tuple[object, tuple[dict[str, object]]]:
        # MappingProxyType cannot be pickled; the rebuild sends documents to workers.
        return (_index_doc, (dict(self.__dict__, fields=dict(self.fields), private=dict(self.private)),))


def _index_doc(state: dict[str, object]) -> IndexDoc:
    return IndexDoc(**state)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Hit:
    doc_no: str
    archive_no: str
    doc_type: str
    title: str
    score: float
    # Plain text, HTML-escaped, with matches wrapped in <mark>…</mark>.
    snippet: str


@dataclass(frozen=True)
class SearchResults:
    total: int
    page: int
    page_size: int
    hits: tuple[Hit, ...] = field(default_factory=tuple)
    # The folded strings the snippets mark, so a caller can cut its own snippet from a
    # text it has masked (index.make_snippet).
    highlights: frozenset[str] = frozenset()
    # True when no document has every word and these are the loose reading's (most of the
    # words, or a word with one character misread): similar, not matches.
    loose: bool = False


class QueryError(Exception):
    """The query cannot be understood; str() is a sentence fit to show the user."""


class IndexNeedsRebuild(QueryError):
    """The index on disk was built by another schema version; run `dossier reindex`."""


class IndexWriteError(RuntimeError):
    """The index could not be written (locked by another writer for too long, disk)."""
