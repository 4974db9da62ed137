"""CSV as the records room opens it: in Excel on a Chinese Windows, so UTF-8 with a BOM (it
reads GBK without one), and every cell inert (a cell beginning = + - @ tab or CR would be
run as a formula or a DDE call: CSV injection, and anyone can put such text in a record)."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """Text a spreadsheet would run gets a leading ' (shown, not run)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def lines(rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The file as text, a row at a time (for streaming): the BOM first."""
    yield "\ufeff"
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in rows:
        writer.writerow([cell(v) for v in row])
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()


def text(rows: Iterable[Sequence[Any]]) -> str:
    return "".join(lines(rows))
