"""What the ocr room hands to everyone else: the text of a document, page by page.

These frozen dataclasses are the contract between rooms (DESIGN.md "Rooms"). Boxes are in
the page's own pixel frame (origin top-left); for text-layer PDF pages that frame is PDF
points scaled to the rendered page image, for DOCX it is a synthetic layout in which every
paragraph is its own line and every table cell is a line beside its row's other cells, so
"the cell to the right" means the same thing whatever the source.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Source = Literal["ocr", "text_layer", "docx"]
Script = Literal["zh-Hans", "zh-Hant"]


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass(frozen=True)
class Word:
    text: str
    box: Box
    confidence: float


@dataclass(frozen=True)
class Line:
    text: str
    box: Box
    confidence: float
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class Seal:
    """A round red seal on the page: its bounding box and the text of its ring, read
    from the red ink alone (ocr.seal). Evidence for forms, not part of the page's text."""

    box: Box
    text: str
    confidence: float


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    source: Source
    engine: str | None  # "rapidocr", "tesseract", or None when the text was not OCR'd
    script: Script
    width: float
    height: float
    lines: tuple[Line, ...]
    confidence: float  # 0..1, mean over lines; 1.0 for text layers and DOCX
    seals: tuple[Seal, ...] = ()  # OCR'd pages only; their text is not in `lines`

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass(frozen=True)
class Extraction:
    media_type: str
    script: Script
    pages: tuple[Page, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(page.text for page in self.pages)

    def to_json(self) -> dict:
        """The `dossier read --json` contract (DESIGN.md)."""
        return {
            "script": self.script,
            "media_type": self.media_type,
            "pages": [
                {
                    "number": p.number,
                    "source": p.source,
                    "engine": p.engine,
                    "script": p.script,
                    "confidence": round(p.confidence, 4),
                    "text": p.text,
                }
                for p in self.pages
            ],
        }


@dataclass(frozen=True)
class ReadResult:
    """An Extraction plus what the portal and the archive keep beside it."""

    extraction: Extraction
    page_images: tuple[bytes, ...] = field(default=())  # one JPEG per page, in the boxes' frame
    archival_pdf: bytes | None = None  # searchable PDF: page images + invisible text
