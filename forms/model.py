"""The values forms hands to archive_store: frozen, so they can cross rooms safely."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Mapping

from ocr.extraction import Box

DocType = Literal["business_license", "contract", "collection_form", "other"]
CustomerType = Literal["individual", "enterprise"]


class Problem(str):
    """A problem found in a reading: the English sentence it always was (so it logs, prints
    and compares as before), with a code and parameters that the portal renders in the
    reader's language (archive_store/messages.py holds the wording)."""

    code: str
    params: dict[str, str]

    def __new__(cls, code: str, text: str, **params: object) -> "Problem":
        self = super().__new__(cls, text)
        self.code = code
        self.params = {k: str(v) for k, v in params.items()}
        return self

    def __reduce__(self):
        return (_problem, (self.code, str(self), self.params))

    def as_json(self) -> dict:
        return {"code": self.code, "params": dict(self.params)}


def _problem(code: str, text: str, params: dict) -> Problem:
    return Problem(code, text, **params)


def problem_json(p: str) -> dict:
    """A stored problem: its code and parameters; a plain sentence becomes a note."""
    return p.as_json() if isinstance(p, Problem) else {"code": "note", "params": {"detail": str(p)}}


@dataclass(frozen=True)
class FieldValue:
    value: str
    confidence: float
    problems: tuple[str, ...] = ()
    suggestion: str | None = None  # a proposed correction; never applied to `value`
    page: int | None = None
    box: Box | None = None


@dataclass(frozen=True)
class CustomerFacts:
    customer_type: CustomerType | None
    name: str | None
    uscc: str | None
    id_number: str | None
    phone: str | None


@dataclass(frozen=True)
class Analysis:
    doc_type: DocType
    type_confidence: float
    fields: Mapping[str, FieldValue]
    customer: CustomerFacts
    issue_date: str | None
    problems: tuple[str, ...] = ()
    title: str | None = None
    # the documents the file holds, each (kind, its page numbers), when it holds more than
    # one (a licence scanned with an ID card copy): the fields are the first one's of
    # `doc_type`; a filer may split the file by these
    documents: tuple[tuple[str, tuple[int, ...]], ...] = ()
