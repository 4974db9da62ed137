"""The one way a step of the pipeline fails: an IntakeFailure with a reason a clerk reads."""
from __future__ import annotations

# Reason codes shown in quarantine/NAME.reason.json and `dossier ingest --json`.
MESSAGES = {
    "empty": "The file is empty or has no readable page.",
    "corrupt": "The file is damaged and cannot be opened.",
    "encrypted": "The PDF is protected by a password; save an unprotected copy and drop it again.",
    "unsupported": "This kind of file cannot be filed; scan to PDF, JPEG, PNG or TIFF, or save as DOCX.",
    "too_large": "The file is larger than Dossier accepts; split it or scan at a lower resolution.",
    "ocr_failed": "The text of the scan could not be read.",
    "timeout": "Reading the file took too long and was stopped.",
    "internal": "Dossier failed while filing this file; an administrator should look at the log.",
}


# What, within a reason, the file was: a script can tell a link from a named pipe without
# parsing the sentence meant for the clerk.
CAUSES = {
    "link": "The file is a link to somewhere else; links in the inbox are never followed. Copy the file itself into the inbox.",
    "special": "This is not a file but a named pipe, socket or device; only ordinary files can be filed.",
    "name": "The file's name contains a Windows path (\\); rename it and drop it again.",
    "crashes": "Dossier stopped many times while reading this file, so it was set aside; an administrator should look at the log.",
}


class IntakeFailure(Exception):
    def __init__(self, reason: str, detail: str | None = None, *, cause: str | None = None):
        self.reason = reason if reason in MESSAGES else "internal"
        self.cause = cause if cause in CAUSES else None
        self.detail = detail or (CAUSES[self.cause] if self.cause else MESSAGES[self.reason])
        super().__init__(self.detail)
