"""forms: an Extraction in, the document's kind and fields out (FIELDS.md).

Pure functions from text to values: no files, no database. `print_blank_form` renders the
blank 客户信息收集表 whose labels this room reads back.
"""
from forms.analysis import analyze
from forms.blank_form import print_blank_form
from forms.model import Analysis, CustomerFacts, FieldValue, Problem, problem_json
from forms.review import Reason, needs_review_reasons, review_reasons

__all__ = ["analyze", "Analysis", "FieldValue", "CustomerFacts", "needs_review_reasons", "review_reasons", "Reason",
           "print_blank_form", "Problem", "problem_json"]
