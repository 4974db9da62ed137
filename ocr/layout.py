"""Reading order for lines found anywhere on a page.

Engines report lines roughly top to bottom, which interleaves the columns of a two-column
page. We order them by recursive XY-cut: split the page at a clear vertical gutter into
columns, or at a clear horizontal gap into bands, and recurse; inside a piece that no
longer splits, lines sharing a row read left to right.

A vertical cut is taken only for prose columns (lines that fill their column). A ruled
form has the same kind of gutter between its label and value cells, but there a row reads
label then value, so table-like pieces are cut into bands (rows) instead.
"""
from __future__ import annotations

from typing import Sequence, TypeVar

from ocr.engines import RawLine

L = TypeVar("L", bound=RawLine)


def _gaps(intervals: list[tuple[float, float]], lo: float, hi: float, min_gap: float) -> list[tuple[float, float]]:
    """Empty stretches of [lo, hi] not covered by any interval, at least min_gap long."""
    out = []
    cur = lo
    for a, b in sorted(intervals):
        if a - cur >= min_gap:
            out.append((cur, a))
        cur = max(cur, b)
    return [g for g in out if g[0] > lo]  # a gap before the first line is margin, not a cut


def _rows(lines: list[L]) -> list[L]:
    """Lines grouped into visual rows (vertical overlap), each row left to right."""
    rest = sorted(lines, key=lambda l: (l.box[1] + l.box[3]) / 2)
    ordered: list[L] = []
    while rest:
        first = rest[0]
        h = first.box[3] - first.box[1]
        cy = (first.box[1] + first.box[3]) / 2
        row = [l for l in rest if abs((l.box[1] + l.box[3]) / 2 - cy) < 0.5 * max(h, l.box[3] - l.box[1])]
        row_ids = {id(l) for l in row}
        rest = [l for l in rest if id(l) not in row_ids]
        ordered.extend(sorted(row, key=lambda l: l.box[0]))
    return ordered


def _is_prose(side: list[L]) -> bool:
    if len(side) < 3:
        return False
    x0 = min(l.box[0] for l in side)
    x1 = max(l.box[2] for l in side)
    width = max(1.0, x1 - x0)
    full = sum(1 for l in side if (l.box[2] - l.box[0]) >= 0.6 * width)
    return full >= 0.5 * len(side)


def _gutter(lines: list[L]) -> tuple[float, float] | None:
    """The widest vertical strip no line crosses, if it is at least a character wide."""
    if len(lines) < 2:
        return None
    med_h = sorted(l.box[3] - l.box[1] for l in lines)[len(lines) // 2]
    x0 = min(l.box[0] for l in lines)
    x1 = max(l.box[2] for l in lines)
    vgaps = _gaps([(l.box[0], l.box[2]) for l in lines], x0, x1, min_gap=1.0 * med_h)
    return max(vgaps, key=lambda g: g[1] - g[0]) if vgaps else None


def _split(lines: list[L], g: tuple[float, float]) -> tuple[list[L], list[L]]:
    return [l for l in lines if l.box[2] <= g[0] + 1], [l for l in lines if l.box[0] >= g[1] - 1]


def _columns(lines: list[L]) -> tuple[list[L], list[L]] | None:
    """Left and right prose columns, or None if this is not a two-column block."""
    g = _gutter(lines)
    if g is None:
        return None
    left, right = _split(lines, g)
    if left and right and _is_prose(left) and _is_prose(right):
        return left, right
    return None


def _bands(lines: list[L]) -> list[list[L]]:
    """Lines cut into horizontal bands at every clear gap, top to bottom."""
    med_h = sorted(l.box[3] - l.box[1] for l in lines)[len(lines) // 2]
    y0 = min(l.box[1] for l in lines)
    y1 = max(l.box[3] for l in lines)
    cuts = [(a + b) / 2 for a, b in _gaps([(l.box[1], l.box[3]) for l in lines], y0, y1, min_gap=0.3 * med_h)]
    bands: list[list[L]] = [[] for _ in range(len(cuts) + 1)]
    for l in lines:
        cy = (l.box[1] + l.box[3]) / 2
        bands[sum(1 for c in cuts if cy > c)].append(l)
    return [b for b in bands if b]


def _order(lines: list[L], depth: int) -> list[L]:
    if len(lines) <= 1 or depth > 8:
        return _rows(lines)
    cols = _columns(lines)
    if cols:
        return _order(cols[0], depth + 1) + _order(cols[1], depth + 1)
    bands = _bands(lines)
    if len(bands) <= 1:
        return _rows(lines)
    # Aligned line spacing cuts a two-column page into bands of one line per column; runs
    # of bands that share a gutter are joined again and, if they form prose columns, read
    # column by column. Anything else (a table's rows, a title) reads band by band.
    out: list[L] = []
    i = 0
    while i < len(bands):
        block = list(bands[i])
        j = i + 1
        while j < len(bands) and _gutter(block + bands[j]) is not None:
            block.extend(bands[j])
            j += 1
        cols = _columns(block) if j - i > 1 else None
        if cols:
            out.extend(_order(cols[0], depth + 1) + _order(cols[1], depth + 1))
        else:
            for b in bands[i:j]:
                out.extend(_rows(b))
        i = j
    return out


def reading_order(lines: Sequence[L]) -> list[L]:
    return _order(list(lines), 0)
