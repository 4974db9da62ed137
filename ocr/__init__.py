"""The ocr room: any file a clerk drops → an Extraction (DESIGN.md).

    result = read_path("scan.pdf")            # or read_document(bytes, ReadOptions(...))
    result.extraction.pages[0].lines[0].box   # in result.page_images[0]'s pixels
    result.archival_pdf                       # searchable PDF, for OCR'd documents
    second_look(result)(page, box, alphabet)  # a line read again with only some characters

Failures raise ReadError with `.reason` in {"empty", "corrupt", "encrypted", "unsupported",
"too_large", "ocr_failed", "timeout"} and `.detail`, one sentence for the clerk.
"""
from ocr.errors import ReadError
from ocr.extraction import Box, Extraction, Line, Page, ReadResult, Word
from ocr.options import ENGINES, ReadOptions
from ocr.reader import Reader, read_document, read_path
from ocr.second_look import second_look
from ocr.summary import cli_summary

__all__ = [
    "Box", "Extraction", "Line", "Page", "ReadResult", "Word", "ReadError", "ReadOptions", "ENGINES",
    "Reader", "read_document", "read_path", "second_look", "cli_summary",
]
