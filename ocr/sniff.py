"""What a file is, decided from its first bytes, never from its name (a clerk's scanner
names everything .pdf, and a renamed file must be caught, not trusted)."""
from __future__ import annotations

import io
import zipfile
from typing import Literal

MediaType = Literal[
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/tiff",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# what a clerk might drop that we can name but not read; the name makes the error clearer
_KNOWN_OTHERS: tuple[tuple[bytes, str], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Word/Excel (OLE) file"),
    (b"GIF8", "a GIF image"),
    (b"BM", "a BMP image"),
    (b"Rar!", "a RAR archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"{\\rtf", "an RTF document"),
)


def sniff(data: bytes) -> str | None:
    """The media type of `data` if Dossier can read it, else None."""
    head = data[:1024]
    # PDF allows junk before the header (within the first 1024 bytes)
    if b"%PDF-" in head:
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                if "word/document.xml" in z.namelist():
                    return DOCX
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
    return None


def describe_unknown(data: bytes) -> str:
    """A clerk-readable guess at what an unreadable file is."""
    head = data[:16]
    for magic, what in _KNOWN_OTHERS:
        if head.startswith(magic):
            return what
    if head.startswith(b"PK\x03\x04"):
        return "a ZIP archive that is not a Word document"
    try:
        data[:4096].decode("utf-8")
        return "a plain text file"
    except UnicodeDecodeError:
        return "a file of unknown type"
