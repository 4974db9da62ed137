"""Extractions built straight from text, so each rule is tested without OCR."""
from __future__ import annotations

from typing import Sequence

from ocr.extraction import Box, Extraction, Line, Page

CHAR_W = 24.0
LINE_H = 28.0
ROW_PITCH = 48.0


def line(text: str, x: float, y: float, *, h: float = LINE_H, conf: float = 0.99) -> Line:
    w = max(len(text), 1) * h * 0.86
    return Line(text=text, box=Box(x, y, x + w, y + h), confidence=conf)


def rows(*rows: str | Sequence[str | tuple[float, str]], x0: float = 60, gap: float = 60,
         conf: float = 0.99, h: float = LINE_H, pitch: float = ROW_PITCH, y0: float = 60) -> list[Line]:
    """Each row is a string (one line) or a list of cells placed left to right.

    A cell may be (x, text) to put it at a given column, as in a two-column layout."""
    out: list[Line] = []
    y = y0
    for row in rows:
        cells = [row] if isinstance(row, str) else list(row)
        x = x0
        for cell in cells:
            if isinstance(cell, tuple):
                x, cell = cell
            if cell:
                ln = line(cell, x, y, h=h, conf=conf)
                out.append(ln)
                x = ln.box.x1 + gap
            else:
                x += gap * 3
        y += pitch
    return out


def extraction(*pages: Sequence[Line], script: str = "zh-Hans", source: str = "ocr") -> Extraction:
    built = []
    for i, lines in enumerate(pages, start=1):
        conf = min((ln.confidence for ln in lines), default=1.0)
        built.append(Page(number=i, source=source, engine="rapidocr" if source == "ocr" else None,
                          script=script, width=2000, height=2800, lines=tuple(lines),
                          confidence=conf))
    return Extraction(media_type="image/png", script=script, pages=tuple(built))


def text_extraction(text: str, **kw) -> Extraction:
    """One line per text line, in one column."""
    return extraction(rows(*[t for t in text.splitlines() if t.strip()]), **kw)
