"""The one way reading a document fails: a ReadError with a reason code and a sentence.

`reason` is what intake writes as the quarantine reason (DESIGN.md, `dossier ingest --json`);
`detail` is shown to the clerk, so it says what is wrong with *the file*, in plain words.
Subclasses exist so callers can catch one case, but everyone may rely on `.reason` alone.
"""
from __future__ import annotations

from typing import Literal

Reason = Literal["empty", "corrupt", "encrypted", "unsupported", "too_large", "ocr_failed", "timeout"]


class ReadError(Exception):
    reason: Reason = "ocr_failed"

    def __init__(self, detail: str, *, reason: Reason | None = None) -> None:
        super().__init__(detail)
        if reason is not None:
            self.reason = reason
        self.detail = detail

    def __reduce__(self):  # so errors raised in a worker process arrive intact
        return (_rebuild, (type(self), self.detail, self.reason))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(reason={self.reason!r}, detail={self.detail!r})"


def _rebuild(cls: type[ReadError], detail: str, reason: Reason) -> ReadError:
    return cls(detail, reason=reason)


class EmptyDocument(ReadError):
    reason = "empty"


class CorruptDocument(ReadError):
    reason = "corrupt"


class EncryptedDocument(ReadError):
    reason = "encrypted"


class UnsupportedFormat(ReadError):
    reason = "unsupported"


class TooLarge(ReadError):
    reason = "too_large"


class OcrFailed(ReadError):
    reason = "ocr_failed"


class OcrTimeout(ReadError):
    reason = "timeout"
