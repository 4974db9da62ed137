"""The human-readable `dossier read` output (the JSON form is Extraction.to_json)."""
from __future__ import annotations

from ocr.extraction import ReadResult

_SOURCE = {"ocr": "OCR", "text_layer": "PDF text layer", "docx": "Word document"}


def cli_summary(result: ReadResult) -> str:
    ex = result.extraction
    out = [f"{ex.media_type} · {len(ex.pages)} page(s) · script {ex.script}"]
    if result.archival_pdf:
        out.append(f"searchable archival PDF: {len(result.archival_pdf) // 1024} KB")
    for p in ex.pages:
        how = _SOURCE.get(p.source, p.source) + (f" ({p.engine})" if p.engine else "")
        out.append("")
        out.append(f"── page {p.number} · {how} · {p.script} · confidence {p.confidence:.0%} · {len(p.lines)} lines")
        out.append(p.text if p.text else "(no text)")
    return "\n".join(out)
