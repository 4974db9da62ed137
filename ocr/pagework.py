"""Reading one page by OCR: what a worker process does with each page job.

A job carries the file's bytes and which page to read, so decoding (the memory-hungry
part) happens inside the worker, under its memory limit, where a hang can be killed.
The engine is created on the worker's first page and kept for every later one.
"""
from __future__ import annotations

import gc
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import cv2
import numpy as np
from PIL import Image

from ocr.engines import Engine, EngineOutput, RawLine, load_engine
from ocr.errors import TooLarge
from ocr.extraction import Box, Line, Page, Seal, Word
from ocr.layout import reading_order
from ocr.options import ReadOptions
from ocr.prep import analyse_layout, lift_red, rotate90, rotate_bound
from ocr.script import detect_script
from ocr.seal import read_seals

# PDF pages are drawn no larger than this (A4 at 300 dpi is 3508 px), then fitted to the engine
RENDER_MAX_SIDE = 3600
# below this the page is left as it is: resampling costs sharpness for nothing
MIN_SKEW_DEG = 0.3
# rapidocr: share of text its direction classifier reads as upside down
UPSIDE_DOWN_SHARE = 0.6
# tesseract: a page it reads this badly is tried the other way up
TESS_RETRY_CONF = 0.7


@dataclass(frozen=True)
class PageJob:
    number: int  # 1-based page number in the document
    kind: str  # "image" or "pdf"
    data: bytes
    index: int  # frame (image) or page (pdf) index, 0-based
    options: ReadOptions


@dataclass(frozen=True)
class PageOut:
    page: Page
    jpeg: bytes | None
    rotation: int  # degrees counter-clockwise applied to make the page upright
    skew: float


T = TypeVar("T")

_engines: dict[tuple, Engine] = {}


def engine_for(options: ReadOptions) -> Engine:
    """The worker's engine for these options, loaded once per process."""
    key = options.engine_key()
    eng = _engines.get(key)
    if eng is None:
        _engines.clear()  # one engine per process: models are big
        eng = _engines[key] = load_engine(options)
    return eng


def _load(job: PageJob) -> np.ndarray:
    o = job.options
    if job.kind == "pdf":
        from ocr.pdf import render_page

        return render_page(job.data, job.index, max_side=RENDER_MAX_SIDE, max_pixels=o.max_pixels, dpi=o.render_dpi)
    from ocr.images import decode_frame

    return decode_frame(job.data, job.index)


def _fit(img: np.ndarray, max_side: int) -> np.ndarray:
    h, w = img.shape[:2]
    f = max_side / max(h, w)
    if f >= 1:
        return img
    return cv2.resize(img, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA)


def _score(out: EngineOutput) -> float:
    return sum(l.confidence * len(l.text) for l in out.lines)


def _mean_conf(lines: list[RawLine]) -> float:
    n = sum(len(l.text) for l in lines)
    return sum(l.confidence * len(l.text) for l in lines) / n if n else 0.0


def recognize_upright(engine: Engine, img: np.ndarray, options: ReadOptions) -> tuple[np.ndarray, EngineOutput, int, float]:
    """Straighten the page, read it, and read it again upside down if the first reading
    says it was. Returns (upright colour image, reading, rotation applied, skew fixed)."""
    rotation = 0
    skew = 0.0
    if options.deskew or options.fix_orientation:
        sideways, angle = analyse_layout(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY))
        if sideways and options.fix_orientation:
            img = rotate90(img, 90)
            rotation = 90
        if options.deskew and abs(angle) >= MIN_SKEW_DEG:
            img = rotate_bound(img, angle)
            skew = angle

    def read(im: np.ndarray) -> EngineOutput:
        return engine.recognize(lift_red(im) if options.remove_seals else im)

    out = read(img)
    if options.fix_orientation and out.lines:
        flip = False
        if out.upside_down is not None:
            flip = out.upside_down > UPSIDE_DOWN_SHARE
            if flip:
                img = rotate90(img, 180)
                out = read(img)
        elif _mean_conf(out.lines) < TESS_RETRY_CONF:
            # an engine without a direction model: try the other way up, keep the better
            turned = rotate90(img, 180)
            other = read(turned)
            if _score(other) > _score(out):
                img, out, flip = turned, other, True
        if flip:
            rotation = (rotation + 180) % 360
    return img, out, rotation, skew


def _to_line(raw: RawLine, f: float) -> Line:
    def box(b: tuple[float, float, float, float]) -> Box:
        return Box(round(b[0] * f, 1), round(b[1] * f, 1), round(b[2] * f, 1), round(b[3] * f, 1))

    words = tuple(Word(w.text, box(w.box), round(w.confidence, 4)) for w in raw.words)
    return Line(raw.text, box(raw.box), round(raw.confidence, 4), words)


def within_memory(fn: Callable[[], T], too_large: str) -> T:
    """`fn()`, with a failed allocation (the worker's memory cap) turned into TooLarge.

    The TooLarge is raised only once the MemoryError is gone: a MemoryError kept as the
    new error's cause keeps its traceback, whose frames hold the very arrays that filled
    the worker, and the next document read by this worker would fail for want of memory."""
    try:
        return fn()
    except MemoryError:
        pass
    gc.collect()
    raise TooLarge(too_large)


def read_page(job: PageJob) -> PageOut:
    """OCR one page into a Page whose boxes are in the preview image's pixels."""
    o = job.options

    def read() -> tuple:
        engine = engine_for(o)
        return (engine,) + recognize_upright(engine, _fit(_load(job), engine.max_side), o)

    engine, img, out, rotation, skew = within_memory(read, f"Page {job.number} needs more memory than a reader may use.")

    h, w = img.shape[:2]
    f = min(1.0, o.page_image_max_side / max(h, w))
    lines = [_to_line(l, f) for l in reading_order(out.lines) if l.text.strip()]
    # the seal's ring, read from the red ink of the upright page (the page itself was read
    # with the red lifted off): forms cross-checks the authority with it
    seals = tuple(Seal(Box(*(round(v * f, 1) for v in (s.box.x0, s.box.y0, s.box.x1, s.box.y1))),
                       s.text, s.confidence) for s in read_seals(engine, img)) if o.read_seals else ()
    text = "\n".join(l.text for l in lines)
    n = sum(len(l.text) for l in lines)
    conf = sum(l.confidence * len(l.text) for l in lines) / n if n else 0.0
    page = Page(
        number=job.number,
        source="ocr",
        engine=engine.name,
        script=detect_script(text),
        width=round(w * f, 1),
        height=round(h * f, 1),
        lines=tuple(lines),
        confidence=round(conf, 4),
        seals=seals,
    )
    jpeg = None
    if o.page_images or o.make_archival_pdf:
        preview = _fit(img, o.page_image_max_side)
        buf = io.BytesIO()
        Image.fromarray(preview).save(buf, "JPEG", quality=o.page_image_quality)
        jpeg = buf.getvalue()
    return PageOut(page, jpeg, rotation, skew)


def read_word(data: bytes, options: ReadOptions) -> tuple[list[Page], list[bytes]]:
    """A Word file's pages and their preview images, read inside a worker: the XML is
    parsed where running out of memory costs a worker, not the intake."""
    from ocr.docx_reader import read_docx
    from ocr.preview import docx_previews

    def read() -> tuple[list[Page], list[bytes]]:
        pages = read_docx(data, options)
        return pages, (docx_previews(pages, options) if options.page_images else [])

    return within_memory(read, "The Word file needs more memory to read than a reader may use.")


def pdf_text_layers(data: bytes, options: ReadOptions) -> tuple[list[Page | None], list[bytes | None]]:
    """Pages read from usable text layers (None where OCR is needed), with previews;
    inside a worker, for the same reason as `read_word`."""
    from ocr.errors import CorruptDocument
    from ocr.pdf import PDFIUM_LOCK, open_pdf, render_preview, text_layer_page

    def read() -> tuple[list[Page | None], list[bytes | None]]:
        with PDFIUM_LOCK:  # workers=0 reads in the caller's process, which may have threads
            doc = open_pdf(data, options)
            try:
                pages: list[Page | None] = []
                previews: list[bytes | None] = []
                for i in range(len(doc)):
                    try:
                        page = text_layer_page(doc, i, options)
                    except MemoryError:
                        raise
                    except Exception as e:  # pdfium's text API fails on some damaged pages
                        raise CorruptDocument(f"Page {i + 1} of the PDF is damaged.") from e
                    pages.append(page)
                    previews.append(render_preview(doc, i, options.page_image_max_side, options.page_image_quality)
                                    if page is not None and options.page_images else None)
            finally:
                doc.close()
        return pages, previews

    return within_memory(read, "The PDF needs more memory to read than a reader may use.")


def worker_init(options: ReadOptions) -> None:
    """Runs once in each worker process: thread limits, memory cap, engine load."""
    threads = str(max(1, options.threads_per_worker))
    os.environ["OMP_THREAD_LIMIT"] = threads  # tesseract's OpenMP, inherited by its processes
    os.environ["OMP_NUM_THREADS"] = threads
    cv2.setNumThreads(1)  # our own resizes are small; OpenCV threads would fight the engine's
    if options.memory_limit_mb:
        try:
            import resource

            limit = options.memory_limit_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ImportError, ValueError, OSError):  # not on this platform: the pixel limits still hold
            pass
    engine_for(options)


def ping(_: int = 0) -> int:
    return os.getpid()


__all__ = ["PageJob", "PageOut", "read_page", "read_word", "pdf_text_layers", "worker_init", "engine_for", "ping"]
