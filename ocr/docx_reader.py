"""Word files (.docx): paragraphs and tables in the order they stand in the body.

A DOCX has no pixels, so its pages get the synthetic frame `ocr.extraction` describes:
every paragraph is a line across the page width; a table row is one band in which each
cell is a line beside the row's other cells. Explicit page breaks start a new page.
"""
from __future__ import annotations

import io
import zipfile

from ocr.errors import CorruptDocument, EmptyDocument, EncryptedDocument
from ocr.extraction import Box, Line, Page
from ocr.script import detect_script

PAGE_W = 1000.0
LINE_H = 40.0
MARGIN = 50.0

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


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


def read_docx(data: bytes) -> list[Page]:
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise CorruptDocument("The Word file is damaged and cannot be opened.") from e
    except Exception as e:  # lxml parse errors and friends from a broken package
        if "encrypt" in str(e).lower():
            raise EncryptedDocument("The Word file is protected by a password.") from e
        raise CorruptDocument("The Word file is damaged and cannot be opened.") from e

    pages: list[list[Line]] = [[]]
    y = MARGIN

    def add(text: str, x0: float, x1: float, top: float) -> None:
        pages[-1].append(Line(text, Box(x0, top, x1, top + LINE_H * 0.8), 1.0))

    body = document.element.body
    for child in body.iterchildren():
        if child.tag == _W + "p":
            text, brk = _paragraph_text(child)
            if text:
                add(text, MARGIN, PAGE_W - MARGIN, y)
                y += LINE_H
            if brk:
                pages.append([])
                y = MARGIN
        elif child.tag == _W + "tbl":
            for tr in child.iter(_W + "tr"):
                cells = [c for c in tr.iterchildren() if c.tag == _W + "tc"]
                if not cells:
                    continue
                cell_w = (PAGE_W - 2 * MARGIN) / len(cells)
                row_h = 1
                for k, tc in enumerate(cells):
                    # a cell may hold several paragraphs: stack them inside the cell
                    paras = [t for t, _ in (_paragraph_text(p) for p in tc.iter(_W + "p")) if t]
                    for j, t in enumerate(paras):
                        add(t, MARGIN + k * cell_w, MARGIN + (k + 1) * cell_w - 4, y + j * LINE_H)
                    row_h = max(row_h, len(paras))
                y += row_h * LINE_H
    out: list[Page] = []
    for lines in pages:
        if not lines and out:
            continue
        height = max([MARGIN * 2] + [l.box.y1 + MARGIN for l in lines])
        text = "\n".join(l.text for l in lines)
        out.append(Page(len(out) + 1, "docx", None, detect_script(text), PAGE_W, height, tuple(lines), 1.0))
    if not any(p.lines for p in out):
        raise EmptyDocument("The Word file contains no text.")
    return out
