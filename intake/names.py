"""File names as people gave them, and as Dossier may safely write them.

A name arrives as bytes from the disk (or a network share): often UTF-8, sometimes GBK from
an old Windows machine, sometimes neither. Python hands it over as a str with the bytes it
could not decode smuggled in as surrogates, which no database and no JSON encoder accepts.
So every name has two forms: the display name, text a person can read, kept as given as far
as it can be decoded; and the disk name, made from it for our own folders: no separators,
no control characters, no leading dot, and short enough *in bytes* (a file name may be 255
bytes, and 80 Chinese characters are already 240) to take our prefixes and suffixes.
"""
from __future__ import annotations

import os
import re

# work/ adds "P~<12 hex>~" (16 bytes), quarantine/ adds " (NN)" and ".reason.json" and a
# temporary ".…tmp" around that: 200 bytes leaves room for all of them under 255
DISK_NAME_MAX_BYTES = 200
_MAX_EXT_BYTES = 16
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\~]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def display_name(name: str | bytes) -> str:
    """Readable text for a name taken from the disk: UTF-8, else GB18030 (Windows shares in
    China), else UTF-8 with the undecodable bytes shown as �."""
    raw = name if isinstance(name, bytes) else os.fsencode(name)
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


def disk_name(name: str | bytes) -> str:
    """A name safe to create in our folders, at most DISK_NAME_MAX_BYTES of UTF-8."""
    text = display_name(name)
    text = _UNSAFE.sub("_", text).strip().lstrip(".") or "unnamed"
    stem, dot, ext = text.rpartition(".")
    if not dot or not stem or len(ext.encode()) > _MAX_EXT_BYTES:
        stem, ext = text, ""
    suffix = f".{ext}" if ext else ""
    return _cut(stem, DISK_NAME_MAX_BYTES - len(suffix.encode())) + suffix


def _cut(text: str, max_bytes: int) -> str:
    """The longest start of `text` that fits in `max_bytes` of UTF-8, whole characters only."""
    data = text.encode()
    if len(data) <= max_bytes:
        return text
    return data[:max_bytes].decode("utf-8", errors="ignore")


def for_log(text: str) -> str:
    """One line in the console log whatever the name holds: a newline in a file name must not
    start a line that looks like another file's."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def looks_like_a_path(name: str) -> bool:
    """`..\\..\\evil.pdf`: a Windows path smuggled into one name. Harmless on this disk, but
    it would be a path again wherever the name is used on Windows (a download, an export)."""
    return "\\" in name
