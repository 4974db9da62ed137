"""One interface, one module per external engine (STYLE.md ocr/).

An engine turns an upright-ish RGB page image into lines in the image's pixel frame. It
knows nothing of files, pages or orientation policy; `ocr.pagework` owns those. Engines are
created once per worker process (`load_engine`) and reused for every page it reads.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from ocr.options import ReadOptions


@dataclass
class RawWord:
    text: str
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in the image's pixels
    confidence: float


@dataclass
class RawLine:
    text: str
    box: tuple[float, float, float, float]
    confidence: float  # 0..1
    words: list[RawWord] = field(default_factory=list)


@dataclass
class EngineOutput:
    lines: list[RawLine]
    # the engine's own evidence that the page is upside down: share of text (0..1) it read
    # as rotated 180°, or None if it has no opinion
    upside_down: float | None = None
    model: str = ""  # e.g. "chi_sim" — which model actually read the page


class Engine(Protocol):
    name: str
    max_side: int  # pages are shrunk to this long side before the engine reads them

    def recognize(self, img: np.ndarray, *, script: str | None = None) -> EngineOutput:
        """Read an RGB uint8 image. `script` ("zh-Hans"/"zh-Hant") picks a model where the
        engine has one per script; None lets the engine decide."""
        ...

    def version(self) -> str: ...


def load_engine(options: ReadOptions) -> Engine:
    if options.engine == "rapidocr":
        from ocr.engines.rapid import RapidEngine

        return RapidEngine(options)
    if options.engine == "tesseract":
        from ocr.engines.tess import TesseractEngine

        return TesseractEngine(options)
    raise ValueError(f"unknown OCR engine {options.engine!r} (choose rapidocr or tesseract)")


def quad_to_box(quad) -> tuple[float, float, float, float]:
    pts = np.asarray(quad, dtype=np.float32).reshape(-1, 2)
    return float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max())
