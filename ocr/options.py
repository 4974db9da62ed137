"""How to read a document: engine, limits, outputs. One frozen value passed down, no globals."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal

EngineName = Literal["rapidocr", "tesseract"]
ENGINES: tuple[str, ...] = ("rapidocr", "tesseract")


@dataclass(frozen=True)
class ReadOptions:
    engine: EngineName = "rapidocr"
    # the page is shrunk to this long side before OCR (RapidOCR's Global.max_side_len) and
    # line crops for recognition are cut from it. 2400 and 3600 now read the 20 clean bench
    # pages alike (CER 0.63% and 0.60%); 3600's old deficit (4.6%) was the direction
    # classifier turning long upright lines over, fixed in ocr/engines/rapid.py.
    # 2400 keeps the page and its crops smaller; bench/README-ocr.md.
    max_side_len: int = 2400
    # detection runs on a copy shrunk to this long side (Det.limit_type=max); recognition
    # still reads crops of the max_side_len image. Detection cost grows with area, and text
    # lines are found as well on the smaller copy (bench/README-ocr.md).
    det_side_len: int = 1600
    text_score: float = 0.5  # RapidOCR drops lines it is less sure of than this
    max_pixels: int = 100_000_000  # per page; an A3 scan at 600 dpi (7016×9921 = 69.6 MP) must pass
    max_pages: int = 500
    # Word files: a body that unpacks past this, or holds more paragraphs, is refused before
    # it is parsed (a 180 KB XML bomb unpacks to 1.39 million paragraphs); a 500-page contract
    # is some 15,000 paragraphs and a few MB
    max_paragraphs: int = 100_000
    max_docx_xml_bytes: int = 64 * 1024 * 1024
    max_bytes: int = 500 * 1024 * 1024
    timeout_s: float = 120.0  # per page of OCR; the worker is killed and the read fails
    make_archival_pdf: bool = True
    page_images: bool = True  # JPEG previews; off for text-only uses (search reindex, bench)
    page_image_max_side: int = 2000  # previews and the archival PDF's page images
    page_image_quality: int = 80
    render_dpi: int = 300  # PDF pages that need OCR are rendered at this resolution
    remove_seals: bool = True  # lift red ink off the page before OCR (seals over text)
    read_seals: bool = True  # read the ring of each round red seal (ocr.seal)
    deskew: bool = True
    fix_orientation: bool = True
    workers: int = field(default_factory=lambda: max(1, min(os.cpu_count() or 1, 4)))
    # threads per worker inside the engine (onnxruntime intra-op; tesseract's OpenMP);
    # workers × threads should not exceed the cores (bench/README-ocr.md)
    threads_per_worker: int = 1
    # address-space cap of each reading worker process (the `[ocr] memory_limit_mb` setting):
    # an idle RapidOCR worker maps ~0.8 GB, one reading a 70 MP A3 scan at 600 dpi 1.5 GB
    memory_limit_mb: int | None = 2048

    def engine_key(self) -> tuple:
        """What a worker's loaded engine depends on; other options may change per call."""
        return (self.engine, self.max_side_len, self.det_side_len, self.text_score, self.threads_per_worker)
