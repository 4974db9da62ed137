"""Archive and document numbers (DESIGN.md "Numbers").

A number is a pattern of tokens; the sequence counts within the scope made by the other
tokens. It is taken with one atomic upsert inside the filing transaction, so a rolled-back
filing gives its number back (no gaps) and a committed one never sees it again (no reuse).
"""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from archive_store.models import Counter

CUSTOMER_TYPE_CODES = {"individual": "01", "enterprise": "02"}
_TOKEN = re.compile(r"\{(year|month|day|biz|ctype|seq:(\d+))\}")


def next_value(session: Session, scope: str) -> int:
    """Increment the counter for `scope` and return the new value (the first is 1)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(Counter).values(scope=scope, value=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[Counter.scope], set_={"value": Counter.value + 1}
    ).returning(Counter.value)
    return int(session.execute(stmt).scalar_one())


def render(pattern: str, *, on: date, biz: str, customer_type: str, seq: int | None) -> str:
    """Fill the tokens; with seq=None the sequence token is left out (that is the scope)."""
    ctype = CUSTOMER_TYPE_CODES[customer_type]

    def token(m: re.Match) -> str:
        name = m.group(1)
        if name == "year":
            return f"{on.year:04d}"
        if name == "month":
            return f"{on.month:02d}"
        if name == "day":
            return f"{on.day:02d}"
        if name == "biz":
            return biz
        if name == "ctype":
            return ctype
        return "" if seq is None else f"{seq:0{int(m.group(2))}d}"  # grows past N digits

    return _TOKEN.sub(token, pattern)


def next_archive_no(session: Session, pattern: str, *, on: date, biz: str, customer_type: str) -> str:
    scope = "archive:" + render(pattern, on=on, biz=biz, customer_type=customer_type, seq=None)
    seq = next_value(session, scope)
    return render(pattern, on=on, biz=biz, customer_type=customer_type, seq=seq)


def next_item_no(session: Session, archive_no: str) -> int:
    return next_value(session, "items:" + archive_no)


def doc_no(archive_no: str, item_no: int) -> str:
    return f"{archive_no}-{item_no:03d}"
