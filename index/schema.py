"""The whoosh schema and how an `IndexDoc` becomes a whoosh document."""

from __future__ import annotations

import re
import zlib
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from whoosh import fields

from forms.keys import ALL_KEYS as FIELD_KEYS, DATE_KEYS, MONEY_KEYS

from .analysis import CharField, ChineseText, fold
from .model import IndexDoc

# Bump whenever the schema or the analyzer's output changes: an index with another
# version is rebuilt from the database instead of migrated.
SCHEMA_VERSION = 6  # 6: the one fold of forms.text (lower case, variant glyphs) in the stored folded text
_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def keyword(value: str) -> str:
    """Codes and keywords are compared folded (fold lower-cases)."""
    return fold(value.strip())


def build_schema() -> fields.Schema:
    schema = fields.Schema(
        # Keywords and codes are indexed folded and lower-cased (see `keyword`);
        # what a hit shows comes from `meta`, as given.
        doc_no=fields.ID(unique=True),
        archive_no=fields.ID(),
        doc_type=fields.ID(),
        status=fields.ID(),
        business_line=fields.ID(),
        uscc=fields.ID(),
        id_number=fields.ID(),
        readers=fields.KEYWORD(lowercase=False, scorable=False),
        title=ChineseText(),
        meta=fields.STORED(),  # (doc_no, archive_no, doc_type, title)
        customer_name=ChineseText(),
        # Everything a plain word should find: title, name, codes, field values, text.
        content=ChineseText(),
        # Its CJK characters one by one, for a query of one character (analysis.CharCounts).
        chars=CharField(),
        # The text itself, and folded (same length), compressed: only read back
        # to cut snippets.
        body=fields.STORED(),
        folded=fields.STORED(),
        # Dates and amounts are sortable: ranges are evaluated on their columns (fast.py).
        filed_on=fields.DATETIME(sortable=True),
        issued_on=fields.DATETIME(sortable=True),
        # The catalogue date: issue date, else filing date; the portal's date filter
        # and date: queries use it.
        sort_date=fields.DATETIME(sortable=True),
        # The same as a day number for sorting, 0 when undated: whoosh's column default
        # for a missing date would put undated documents first in a newest-first sort.
        sort_day=fields.NUMERIC(numtype=int, bits=32, sortable=True),
        amount=fields.NUMERIC(numtype=int, bits=64, signed=True, sortable=True),  # in fen
    )
    # Extracted fields, per FIELDS.md key: text, date, money.
    schema.add("f_*", ChineseText(), glob=True)
    schema.add("d_*", fields.DATETIME(sortable=True), glob=True)
    schema.add("n_*", fields.NUMERIC(numtype=int, bits=64, signed=True, sortable=True), glob=True)
    return schema


def to_datetime(d: date) -> datetime:
    return d if isinstance(d, datetime) else datetime(d.year, d.month, d.day)


def to_fen(amount: Decimal | str) -> int | None:
    try:
        return int((Decimal(amount) * 100).to_integral_value())
    except (InvalidOperation, ValueError, TypeError):
        return None


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def to_whoosh(doc: IndexDoc) -> dict[str, Any]:
    """The whoosh document for `doc` (field name -> value)."""
    codes = [doc.doc_no, doc.archive_no, doc.uscc or "", doc.id_number or ""]
    field_values = [v for v in doc.fields.values() if isinstance(v, str)]
    # Newlines keep the parts in separate units; order puts short, strong text first.
    content = "\n".join(
        [doc.title, doc.customer_name or "", " ".join(codes), *field_values, doc.text]
    )
    out: dict[str, Any] = {
        "doc_no": keyword(doc.doc_no),
        "archive_no": keyword(doc.archive_no),
        "doc_type": keyword(doc.doc_type),
        "meta": (doc.doc_no, doc.archive_no, doc.doc_type, doc.title),
        "status": keyword(doc.status),
        "business_line": keyword(doc.business_line),
        "readers": " ".join(doc.readers),
        "title": doc.title,
        "content": content,
        "chars": content,
        "body": zlib.compress(doc.text.encode("utf-8"), 1),
        # The text is the end of `content`; folding content here also serves the
        # analyzer, which folds the same string (fold() remembers it).
        "folded": zlib.compress(fold(content)[len(content) - len(doc.text):].encode("utf-8"), 1),
    }
    if doc.customer_name:
        out["customer_name"] = doc.customer_name
    if doc.uscc:
        out["uscc"] = keyword(doc.uscc)
    if doc.id_number:
        out["id_number"] = keyword(doc.id_number)
    if doc.filed_on:
        out["filed_on"] = to_datetime(doc.filed_on)
    if doc.issued_on:
        out["issued_on"] = to_datetime(doc.issued_on)
    when = doc.issued_on or doc.filed_on
    out["sort_day"] = when.toordinal() if when else 0
    if when:
        out["sort_date"] = to_datetime(when)
    if doc.amount is not None:
        fen = to_fen(doc.amount)
        if fen is not None:
            out["amount"] = fen
    for key, value in doc.fields.items():
        if not isinstance(value, str) or not value or not _KEY_RE.match(key):
            continue
        out["f_" + key] = value
        if key in DATE_KEYS and (d := _parse_date(value)):
            out["d_" + key] = to_datetime(d)
        if key in MONEY_KEYS and (fen := to_fen(value)) is not None:
            out["n_" + key] = fen
    return out
