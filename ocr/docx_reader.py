"""Word files (.docx): paragraphs and tables in the order they stand in the body.

A DOCX has no pixels, so its pages get the synthetic frame `ocr.extraction` describes:
every paragraph is a line across the page width; a table row is one band in which each
cell is a line beside the row's other cells. Explicit page breaks start a new page, and so
does a full page: a Word file has no fixed pages of its own, and one page per body would
make a long contract a single picture taller than any image format allows.

A Word file is a ZIP of XML, and a few hundred kilobytes of it can unpack into millions of
paragraphs (an "XML bomb"), so the body is measured while it is unpacked, before it is
parsed: past `max_docx_xml_bytes` or `max_paragraphs` the file is refused as too large.
"""
from __future__ import annotations

import io
import re
import zipfile

from ocr.errors import CorruptDocument, EmptyDocument, EncryptedDocument, TooLarge, UnsupportedFormat
from ocr.extraction import Box, Line, Page
from ocr.options import ReadOptions
from ocr.script import detect_script

PAGE_W = 1000.0
LINE_H = 40.0
MARGIN = 50.0
# an A4 page's proportions (1 : 1.414) at PAGE_W: 31 lines between the margins
PAGE_H = 1414.0
LINES_PER_PAGE = int((PAGE_H - 2 * MARGIN) // LINE_H)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_BODY = "word/document.xml"
# a paragraph opens as <w:p>, <w:p attr…> or <w:p/>, under any namespace prefix (Word
# writes w:, a crafted file need not); <w:pPr>, <w:proofErr> and the like do not count
_PARAGRAPH_OPEN = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,31}:)?p[\s>/]")
_TAIL = 40  # longer than any tag the pattern matches, so a tag cut between chunks counts once
_CHUNK = 1 << 20


def _paragraph_text(p) -> tuple[str, bool]:
    """Text of a paragraph and whether it contains a hard page break."""
    texts: list[str] = []
    page_break = False
    for node in p.iter():
        tag = node.tag
        if tag == _W + "t":
            texts.append(node.text or "")
        elif tag == _W + "tab":
            texts.append("\t")
        elif tag == _W + "br" and node.get(_W + "type") == "page":
            page_break = True
    return "".join(texts).strip(), page_break


def check_package(data: bytes, options: ReadOptions) -> None:
    """Refuse a damaged ZIP, a ZIP that is not a Word file, and a body too big to parse,
    reading the body in chunks so that a bomb is stopped before it is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if _BODY not in z.namelist():
                raise UnsupportedFormat("The file is a ZIP archive that is not a Word document; "
                                        "Dossier reads PDF, JPEG, PNG, TIFF and Word (.docx) files.")
            size = paragraphs = 0
            tail = b""
            with z.open(_BODY) as body:
                while chunk := body.read(_CHUNK):
                    size += len(chunk)
                    if size > options.max_docx_xml_bytes:
                        raise TooLarge(f"The Word file's text unpacks to more than "
                                       f"{options.max_docx_xml_bytes / 2**20:.0f} MB; split it into smaller files.")
                    # the last few bytes of the previous chunk, so a tag cut in two is counted once
                    window = tail + chunk
                    paragraphs += len(_PARAGRAPH_OPEN.findall(window)) - len(_PARAGRAPH_OPEN.findall(tail))
                    tail = window[-_TAIL:]
                    if paragraphs > options.max_paragraphs:
                        raise TooLarge(f"The Word file has more than {options.max_paragraphs:,} paragraphs; "
                                       "split it into smaller files.")
    except (TooLarge, UnsupportedFormat, MemoryError):
        raise
    except Exception as e:  # BadZipFile, zlib.error, EOFError, …: the package itself is broken
        raise CorruptDocument("The Word (ZIP) file is damaged and cannot be opened.") from e


def read_docx(data: bytes, options: ReadOptions | None = None) -> list[Page]:
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError

    o = options or ReadOptions()
    check_package(data, o)
    try:
        document = docx.Document(io.BytesIO(data))
    except MemoryError:
        raise
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise CorruptDocument("The Word file is damaged and cannot be opened.") from e
    except Exception as e:  # lxml parse errors and friends from a broken package
        if "encrypt" in str(e).lower():
            raise EncryptedDocument("The Word file is protected by a password.") from e
        if "memory" in str(e).lower():  # lxml reports a failed allocation as a parse error
            raise MemoryError(str(e)) from e
        raise CorruptDocument("The Word file is damaged and cannot be opened.") from e

    pages: list[list[Line]] = [[]]
    y = MARGIN

    def new_page() -> None:
        nonlocal y
        if len(pages) >= o.max_pages:
            raise TooLarge(f"The Word file runs to more than {o.max_pages} pages; at most {o.max_pages} are read.")
        pages.append([])
        y = MARGIN

    def band(items: list[tuple[str, float, float]]) -> None:
        """One line's height of text: a paragraph, or one line of each cell in a table row."""
        nonlocal y
        if y + LINE_H > PAGE_H - MARGIN + 1e-6 and pages[-1]:
            new_page()
        for text, x0, x1 in items:
            pages[-1].append(Line(text, Box(x0, y, x1, y + LINE_H * 0.8), 1.0))
        y += LINE_H

    body = document.element.body
    for child in body.iterchildren():
        if child.tag == _W + "p":
            text, brk = _paragraph_text(child)
            if text:
                band([(text, MARGIN, PAGE_W - MARGIN)])
            if brk:
                new_page()
        elif child.tag == _W + "tbl":
            for tr in child.iter(_W + "tr"):
                cells = [c for c in tr.iterchildren() if c.tag == _W + "tc"]
                if not cells:
                    continue
                cell_w = (PAGE_W - 2 * MARGIN) / len(cells)
                # a cell may hold several paragraphs: stacked inside the cell, so the row is
                # as many bands as its fullest cell (and may run on to the next page)
                columns = [[t for t, _ in (_paragraph_text(p) for p in tc.iter(_W + "p")) if t] for tc in cells]
                for j in range(max([1] + [len(c) for c in columns])):
                    items = [(c[j], MARGIN + k * cell_w, MARGIN + (k + 1) * cell_w - 4)
                             for k, c in enumerate(columns) if j < len(c)]
                    if items:
                        band(items)
    out: list[Page] = []
    for lines in pages:
        if not lines and out:
            continue
        height = PAGE_H if len(pages) > 1 else max([MARGIN * 2] + [l.box.y1 + MARGIN for l in lines])
        text = "\n".join(l.text for l in lines)
        out.append(Page(len(out) + 1, "docx", None, detect_script(text), PAGE_W, height, tuple(lines), 1.0))
    if not any(p.lines for p in out):
        raise EmptyDocument("The Word file contains no text.")
    return out
