"""forms: an Extraction in, the document's kind and fields out (FIELDS.md).

Pure functions from text to values: no files, no database. `print_blank_form` renders the
blank 客户信息收集表 whose labels this room reads back.

The names below are imported when first used: the index and archive matching import
forms.text alone, and should not pay for cn2an, fpdf and ocr's models (about a second).
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_WHERE = {
    "analyze": "forms.analysis",
    "print_blank_form": "forms.blank_form",
    "Analysis": "forms.model",
    "FieldValue": "forms.model",
    "CustomerFacts": "forms.model",
    "needs_review_reasons": "forms.review",
}
__all__ = list(_WHERE)

if TYPE_CHECKING:
    from forms.analysis import analyze
    from forms.blank_form import print_blank_form
    from forms.model import Analysis, CustomerFacts, FieldValue
    from forms.review import needs_review_reasons


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'forms' has no attribute {name!r}")
    value = getattr(import_module(_WHERE[name]), name)
    globals()[name] = value
    return value
