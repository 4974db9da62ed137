"""A second look at one line of a page, reading only the characters a value can hold.

A code read as 91370102BXKFLJ2KOP fails its check digit because of one O, a letter no
USCC holds; of the characters a USCC can hold, the recogniser's best for that glyph was
0. Reading the line again with every character outside the code's alphabet left out (the
CTC decoding keeps the best *allowed* character at each step) is what tesseract's
whitelist does, with RapidOCR's recogniser. forms/ asks for it only for a value that failed
its check (a code, an e-mail address with a 1 among letters) and uses it only when it
agrees with the correction proposed (forms/analysis.py). The crop is the value's own box,
with a margin: read so, l and 1 in an address came out right where the page's reading had
them wrong (bench/forms_bench.py).

It runs in the calling process, not the OCR pool: it is rare (a failed code), reads one
line crop from the page preview, and loads only the recognition model (a 21 MB file).
"""
from __future__ import annotations

import io
import logging
import threading
from collections.abc import Callable

import numpy as np
from PIL import Image

from ocr.extraction import Box, ReadResult

# margin around the line's box, in line heights: the recogniser expects some space
_PAD = 0.25

log = logging.getLogger(__name__)

_lock = threading.Lock()
_recogniser = None


def _rec():  # -> rapidocr's TextRecognizer, loaded once per process
    global _recogniser
    if _recogniser is None:
        with _lock:
            if _recogniser is None:
                from ocr.engines.rapid import RapidEngine
                from ocr.options import ReadOptions

                _recogniser = RapidEngine(ReadOptions()).recogniser()
    return _recogniser


def read_line(image: np.ndarray, box: Box, alphabet: str) -> str:
    """The text of `box` in `image` (RGB), read with only the characters of `alphabet`."""
    rec = _rec()
    h = max(1.0, min(box.y1 - box.y0, box.x1 - box.x0))  # the line's height, either way up
    x0, x1 = max(0, int(box.x0 - _PAD * h)), min(image.shape[1], int(box.x1 + _PAD * h) + 1)
    y0, y1 = max(0, int(box.y0 - _PAD * h)), min(image.shape[0], int(box.y1 + _PAD * h) + 1)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return ""
    crop = image[y0:y1, x0:x1, ::-1]  # the recogniser takes BGR
    if crop.shape[0] >= 1.5 * crop.shape[1]:  # a line running down the page, as RapidOCR turns it
        crop = np.rot90(crop)
    crop = np.ascontiguousarray(crop)
    _, height, width = rec.rec_image_shape
    batch = rec.resize_norm_img(crop, max(crop.shape[1] / crop.shape[0], width / height))
    probs = rec.session(batch[np.newaxis].astype(np.float32))  # 1 × steps × characters
    chars = rec.postprocess_op.character  # index 0 is CTC's blank
    allowed = np.fromiter((i == 0 or c in alphabet for i, c in enumerate(chars)), bool, len(chars))
    # RapidOCR's own CTC decoding, over the allowed characters only
    (text, _score), = rec.postprocess_op(np.where(allowed, probs, -1.0))[0]
    return text


def second_look(result: ReadResult) -> Callable[[int, Box, str], str] | None:
    """`look(page_number, box, alphabet)` over `result`'s OCR'd pages, for forms.analyze;
    None when the result kept no page images. Pages that were not OCR'd (text layers,
    DOCX) hold the characters as written, so a second look there reads nothing."""
    if not result.page_images:
        return None
    pages = {p.number: p for p in result.extraction.pages}
    decoded: dict[int, np.ndarray] = {}

    def look(page: int, box: Box, alphabet: str) -> str:
        if page not in pages or pages[page].source != "ocr" or page > len(result.page_images):
            return ""
        try:
            if page not in decoded:
                decoded[page] = np.asarray(Image.open(io.BytesIO(result.page_images[page - 1])).convert("RGB"))
            return read_line(decoded[page], box, alphabet)
        except Exception:  # a second look is optional: the first reading stands, flagged
            log.exception("second look at page %d failed", page)
            return ""

    return look
