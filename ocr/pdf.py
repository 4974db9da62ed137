"""PDF files through pdfium: open and check, read text layers, render pages.

A page is read from its text layer when that layer is usable (enough characters, mostly
real CJK/Latin text rather than the private-use or control codes of a broken font map);
otherwise it is rendered and OCR'd. So a mixed PDF is read page by page the right way.
"""
from __future__ import annotations

import io
import threading

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ocr.errors import CorruptDocument, EmptyDocument, EncryptedDocument, TooLarge
from ocr.extraction import Box, Line, Page, Word
from ocr.options import ReadOptions
from ocr.script import detect_script

# PDFium is not thread-safe and pypdfium2 does not lock for us; the intake reads from
# several threads, so every use of pdfium in this process goes through this lock
PDFIUM_LOCK = threading.RLock()

MIN_TEXT_CHARS = 20  # fewer printable characters than this is a scan with a stray page number
MIN_GOOD_SHARE = 0.8


def open_pdf(data: bytes, options: ReadOptions) -> pdfium.PdfDocument:
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if getattr(e, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise EncryptedDocument("The PDF is protected by a password, so it cannot be read.") from e
        if getattr(e, "err_code", None) == pdfium_c.FPDF_ERR_SECURITY:
            raise EncryptedDocument("The PDF uses an encryption Dossier cannot open.") from e
        raise CorruptDocument("The PDF file is damaged and cannot be opened.") from e
    n = len(doc)
    if n == 0:
        doc.close()
        raise EmptyDocument("The PDF has no pages.")
    if n > options.max_pages:
        doc.close()
        raise TooLarge(f"The PDF has {n} pages; at most {options.max_pages} are read.")
    return doc


def _good(ch: str) -> bool:
    o = ord(ch)
    return (
        0x20 < o < 0x7F
        or 0x3000 <= o <= 0x9FFF
        or 0xF900 <= o <= 0xFAFF
        or 0xFF00 <= o <= 0xFFEF
        or 0x2000 <= o <= 0x206F  # general punctuation (dashes, quotes)
        or 0x00A0 <= o <= 0x024F  # Latin-1 and extended Latin
    )


def usable_text(text: str) -> bool:
    chars = [c for c in text if not c.isspace()]
    if len(chars) < MIN_TEXT_CHARS:
        return False
    return sum(1 for c in chars if _good(c)) / len(chars) >= MIN_GOOD_SHARE


def page_scale(width_pt: float, height_pt: float, max_side: int) -> float:
    """Pixels per point for a page drawn with its long side at `max_side` pixels."""
    return max_side / max(width_pt, height_pt, 1.0)


def text_layer_page(doc: pdfium.PdfDocument, index: int, options: ReadOptions) -> Page | None:
    """The page read from its text layer, in the preview image's pixel frame, or None if
    the layer is not usable and the page must be OCR'd."""
    page = doc[index]
    try:
        textpage = page.get_textpage()
        try:
            full = textpage.get_text_range()
            if not usable_text(full):
                return None
            w_pt, h_pt = page.get_size()
            s = page_scale(w_pt, h_pt, options.page_image_max_side)
            # pdfium returns rectangles that each hold a run of text on one line; runs that
            # share a baseline are one line of the page
            runs: list[tuple[str, tuple[float, float, float, float]]] = []
            for i in range(textpage.count_rects()):
                l, b, r, t = textpage.get_rect(i)
                text = textpage.get_text_bounded(l, b, r, t).replace("\r", "").replace("\n", "").strip()
                if text:
                    runs.append((text, (l * s, (h_pt - t) * s, r * s, (h_pt - b) * s)))
        finally:
            textpage.close()
    finally:
        page.close()
    lines = _runs_to_lines(runs)
    text = "\n".join(l.text for l in lines)
    return Page(
        number=index + 1,
        source="text_layer",
        engine=None,
        script=detect_script(text),
        width=round(w_pt * s, 2),
        height=round(h_pt * s, 2),
        lines=tuple(lines),
        confidence=1.0,
    )


def _runs_to_lines(runs: list[tuple[str, tuple[float, float, float, float]]]) -> list[Line]:
    lines: list[Line] = []
    current: list[tuple[str, tuple[float, float, float, float]]] = []

    def flush() -> None:
        if not current:
            return
        current.sort(key=lambda r: r[1][0])
        words = tuple(Word(t, Box(*b), 1.0) for t, b in current)
        parts = [current[0][0]]
        for (pt, pb), (t, b) in zip(current, current[1:]):
            gap = b[0] - pb[2]
            parts.append((" " if gap > 0.5 * (b[3] - b[1]) else "") + t)
        box = Box(min(w.box.x0 for w in words), min(w.box.y0 for w in words),
                  max(w.box.x1 for w in words), max(w.box.y1 for w in words))
        lines.append(Line("".join(parts), box, 1.0, words))
        current.clear()

    for text, box in runs:  # pdfium yields runs in content order, which is reading order
        if current:
            cy = (box[1] + box[3]) / 2
            ly0 = min(b[1] for _, b in current)
            ly1 = max(b[3] for _, b in current)
            if not (ly0 <= cy <= ly1):
                flush()
        current.append((text, box))
    flush()
    return lines


def render_page(data: bytes, index: int, *, max_side: int, max_pixels: int, dpi: int) -> np.ndarray:
    """Page `index` drawn as RGB at `dpi`, shrunk to fit `max_side` and `max_pixels`."""
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        raise CorruptDocument("The PDF file is damaged and cannot be opened.") from e
    try:
        page = doc[index]
        w_pt, h_pt = page.get_size()
        scale = dpi / 72.0
        scale = min(scale, max_side / max(w_pt, h_pt, 1.0))
        scale = min(scale, (max_pixels / max(1.0, w_pt * h_pt)) ** 0.5)
        try:
            bitmap = page.render(scale=scale, rev_byteorder=True, may_draw_forms=True)
            img = bitmap.to_numpy()
            arr = np.array(img[:, :, :3]) if img.ndim == 3 else np.stack([img] * 3, axis=-1)
        except pdfium.PdfiumError as e:
            raise CorruptDocument(f"Page {index + 1} of the PDF cannot be drawn.") from e
        finally:
            page.close()
        return arr
    finally:
        doc.close()


def render_preview(doc: pdfium.PdfDocument, index: int, max_side: int, quality: int) -> bytes:
    """A JPEG of the page with its long side at `max_side` px: the frame text-layer boxes use."""
    page = doc[index]
    try:
        w_pt, h_pt = page.get_size()
        pil = page.render(scale=page_scale(w_pt, h_pt, max_side)).to_pil().convert("RGB")
    finally:
        page.close()
    buf = io.BytesIO()
    pil.save(buf, "JPEG", quality=quality)
    return buf.getvalue()
