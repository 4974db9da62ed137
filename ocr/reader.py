"""From bytes to a ReadResult: detect the format, read text layers and Word files in a
worker (under its memory cap), send every page that needs OCR to the worker pool,
assemble the archival PDF."""
from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Callable

from ocr.archival import build_archival_pdf
from ocr.errors import EmptyDocument, EncryptedDocument, ReadError, TooLarge, UnsupportedFormat
from ocr.extraction import Extraction, Page, ReadResult
from ocr.options import ENGINES, ReadOptions
from ocr.pagework import PageJob, pdf_text_layers, read_word
from ocr.pool import PagePool
from ocr.script import detect_document_script
from ocr.sniff import DOCX, describe_unknown, sniff

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")

# (pages read, pages in the file), called in the reading thread: first as soon as the number
# of pages is known, then as pages are read. A Word file, read whole, reports nothing.
Progress = Callable[[int, int], None]


class Reader:
    """Reads documents with a pool of OCR workers that lives as long as the Reader.

    Make one per process that reads many files (the intake), or use `read_document`,
    which keeps one for you.
    """

    def __init__(self, options: ReadOptions | None = None) -> None:
        self.options = options or ReadOptions()
        self._pool = PagePool(self.options)
        self._swap = threading.Lock()

    def __enter__(self) -> "Reader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._pool.close()

    def start(self, options: ReadOptions | None = None) -> None:
        """Start the workers and load their models now rather than on the first page."""
        self._pool_for(options or self.options).start()

    def _pool_for(self, o: ReadOptions) -> PagePool:
        with self._swap:
            if not self._pool.accepts(o):  # another engine set-up: new workers for it
                self._pool.close()
                self._pool = PagePool(o)
            return self._pool

    def read(self, data: bytes, options: ReadOptions | None = None, progress: Progress | None = None) -> ReadResult:
        o = options or self.options
        if o.engine not in ENGINES:
            raise ValueError(f"unknown OCR engine {o.engine!r} (choose {' or '.join(ENGINES)})")
        self._pool_for(o)
        if not data:
            raise EmptyDocument("The file is empty (0 bytes).")
        if len(data) > o.max_bytes:
            raise TooLarge(f"The file is {len(data) / 2**20:.0f} MB; the limit is {o.max_bytes / 2**20:.0f} MB.")
        if data.startswith(b"PK\x03\x04"):
            # a ZIP is opened only in a worker: even its directory can be a bomb; a damaged
            # ZIP is a damaged Word file (corrupt), a ZIP without a Word body is unsupported
            pages, images = self._pool.call(read_word, data, o, timeout_s=_whole_document_limit(o))
            return self._result(DOCX, pages, images, archival=False, options=o)
        media = sniff(data)
        if media is None:
            if data.startswith(_OLE) and _ENCRYPTED_PACKAGE in data:
                raise EncryptedDocument("The Office file is protected by a password, so it cannot be read.")
            raise UnsupportedFormat(
                f"The file is {describe_unknown(data)}; Dossier reads PDF, JPEG, PNG, TIFF and Word (.docx) files."
            )
        if media == "application/pdf":
            return self._read_pdf(data, o, progress)
        return self._read_image(data, media, o, progress)

    def _read_image(self, data: bytes, media: str, o: ReadOptions, progress: Progress | None) -> ReadResult:
        from ocr.images import frame_count

        n = frame_count(data, o)
        if progress:
            progress(0, n)
        outs = self._pool.run([PageJob(i + 1, "image", data, i, o) for i in range(n)],
                              (lambda k: progress(k, n)) if progress else None)
        pages = [out.page for out in outs]
        jpegs = [out.jpeg for out in outs]
        return self._result(media, pages, jpegs, archival=True, options=o)

    def _read_pdf(self, data: bytes, o: ReadOptions, progress: Progress | None) -> ReadResult:
        pages, previews = self._pool.call(pdf_text_layers, data, o, timeout_s=_whole_document_limit(o))
        todo = [PageJob(i + 1, "pdf", data, i, o) for i, p in enumerate(pages) if p is None]
        had_text = len(pages) - len(todo)  # pages read from their text layers: done already
        if progress:
            progress(had_text, len(pages))
        for out in self._pool.run(todo, (lambda k: progress(had_text + k, len(pages))) if progress else None):
            pages[out.page.number - 1] = out.page
            previews[out.page.number - 1] = out.jpeg
        done = [p for p in pages if p is not None]
        # the original is already searchable where every page had a text layer
        return self._result("application/pdf", done, previews, archival=bool(todo), options=o)

    def _result(self, media: str, pages: list[Page], images, *, archival: bool, options: ReadOptions) -> ReadResult:
        if not any(p.lines for p in pages):
            raise EmptyDocument("No text could be read in this file; it may be blank or a picture without writing.")
        extraction = Extraction(media, detect_document_script([p.text for p in pages]), tuple(pages))
        imgs = tuple(images) if options.page_images and all(images) else ()
        pdf = None
        if archival and options.make_archival_pdf and all(images):
            pdf = build_archival_pdf(pages, list(images))
        return ReadResult(extraction, imgs, pdf)


def _whole_document_limit(o: ReadOptions) -> float:
    """Time for one whole-document step in a worker (a Word body, a PDF's text layers and
    previews): a page of it takes well under 2 s, so this stops a hang, never a long file."""
    return o.timeout_s + 2.0 * o.max_pages


_default: Reader | None = None
_default_lock = threading.Lock()


def default_reader(options: ReadOptions | None) -> Reader:
    """One shared Reader per process, so its workers and their models are reused across
    calls; it is rebuilt when a call needs a different engine set-up."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Reader(options)
            atexit.register(_close_default)
        return _default


def _close_default() -> None:
    global _default
    if _default is not None:
        _default.close()
        _default = None


def read_document(data: bytes, options: ReadOptions | None = None, progress: Progress | None = None) -> ReadResult:
    """Read a document held in memory. Raises ReadError (see `ocr.errors`)."""
    o = options or ReadOptions()
    return default_reader(o).read(data, o, progress)


def read_path(path: str | os.PathLike, options: ReadOptions | None = None,
              progress: Progress | None = None) -> ReadResult:
    """Read a document from disk; the format is taken from its content, not its name.
    `progress(pages read, pages)` follows the reading (see `Progress`)."""
    o = options or ReadOptions()
    try:
        size = os.path.getsize(path)
    except FileNotFoundError as e:
        raise ReadError("The file does not exist.", reason="corrupt") from e
    if size > o.max_bytes:
        raise TooLarge(f"The file is {size / 2**20:.0f} MB; the limit is {o.max_bytes / 2**20:.0f} MB.")
    with open(path, "rb") as f:
        return read_document(f.read(), o, progress)
