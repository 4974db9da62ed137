"""The room's entry point: an Extraction in, an Analysis out."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from types import MappingProxyType
from typing import Sequence

from ocr.extraction import Box, Extraction

from forms import classify as _classify
from forms import codes, collection, contract, license
from forms.layout import page_lines
from forms.model import Analysis, CustomerFacts, FieldValue
from forms.text import same_name, to_document_script
from forms.values import is_date

ISSUE_DATE_KEY = {"business_license": "issued_on", "contract": "signed_on",
                  "collection_form": "collected_on"}


# look(page, box, alphabet): the line in `box` read again with only `alphabet`'s characters
SecondLook = Callable[[int, Box, str], str]

# the characters each code can hold, for a second look at a code that failed its check
CODE_ALPHABETS = {"uscc": codes.USCC_ALPHABET, "id_number": "0123456789X"}


def analyze(extraction: Extraction, *, our_companies: Sequence[str] = (),
            second_look: SecondLook | None = None) -> Analysis:
    """What `extraction` is and its fields. `second_look` (ocr.second_look) lets a code
    that failed its check be read again from the page (see `_look_again`)."""
    lines = [tl for page in extraction.pages for tl in page_lines(page)]
    doc_type, type_conf = _classify.classify(extraction.text)
    problems: list[str] = []
    title: str | None = None
    fields: dict[str, FieldValue] = {}
    if doc_type == "business_license":
        fields, problems = license.extract(lines)
        title = _licence_title(extraction.text)
    elif doc_type == "collection_form":
        fields, problems = collection.extract(lines)
        title = _form_title(lines)
    elif doc_type == "contract":
        fields, problems, title = contract.extract(lines)
    else:
        title = _first_line(lines)
    if second_look is not None:
        _look_again(fields, second_look)
    if extraction.script == "zh-Hant":
        fields = {k: _in_script(k, fv, extraction.script) for k, fv in fields.items()}
    customer = _customer(doc_type, fields, our_companies, problems)
    key = ISSUE_DATE_KEY.get(doc_type)
    issue = fields.get(key) if key else None
    issue_date = issue.value if issue and is_date(issue.value) else None
    return Analysis(doc_type=doc_type, type_confidence=type_conf,
                    fields=MappingProxyType(dict(fields)), customer=customer,
                    issue_date=issue_date, problems=tuple(problems), title=title)


def _look_again(fields: dict[str, FieldValue], look: SecondLook) -> None:
    """A code that failed its check and has one correction that passes is read again from
    the page with only the characters such a code holds. When that reading is the
    correction, it becomes the value: the page, read with the code's alphabet, says so.
    It stays flagged for the reviewer with the first reading, so nothing is replaced
    unseen; any other reading leaves the field as it was."""
    for key, alphabet in CODE_ALPHABETS.items():
        fv = fields.get(key)
        if fv is None or fv.suggestion is None or fv.page is None or fv.box is None:
            continue
        again = codes.compact_code(look(fv.page, fv.box, alphabet))
        if fv.suggestion not in again:
            continue
        fields[key] = FieldValue(
            fv.suggestion, fv.confidence,  # already lowered by the failed check
            (f"first read as {fv.value}, which fails the check digit; read again with only the "
             f"characters such a code holds it is {fv.suggestion}, which passes",),
            None, fv.page, fv.box)


TEXT_KEYS = frozenset({
    "name", "entity_type", "legal_representative", "address", "business_scope",
    "registration_authority", "title", "party_a", "party_b", "signatory_a", "signatory_b",
    "customer_name", "contact_person", "industry", "source_channel", "needs", "collected_by"})


def _in_script(key: str, fv: FieldValue, script: str) -> FieldValue:
    if key not in TEXT_KEYS:
        return fv
    value = to_document_script(fv.value, script)
    return fv if value == fv.value else replace(fv, value=value)


def _valid(fields, key) -> str | None:
    fv = fields.get(key)
    return fv.value if fv is not None and not fv.problems else None


def _customer(doc_type, fields, our_companies, problems) -> CustomerFacts:
    if doc_type == "business_license":
        return CustomerFacts("enterprise", _valid(fields, "name"), _valid(fields, "uscc"), None, None)
    if doc_type == "collection_form":
        ctype = fields.get("customer_type")
        return CustomerFacts(ctype.value if ctype else None, _valid(fields, "customer_name"),
                             _valid(fields, "uscc"), _valid(fields, "id_number"),
                             _valid(fields, "phone"))
    if doc_type == "contract":
        a, b = fields.get("party_a"), fields.get("party_b")
        ours = [n for n in our_companies if n]

        def is_ours(fv):
            return fv is not None and any(same_name(fv.value, n) for n in ours)

        if is_ours(a) and not is_ours(b):
            other = b
        elif is_ours(b) and not is_ours(a):
            other = a
        else:
            other = None
            if ours and (a or b):
                problems.append("neither party, or both, is one of our companies: "
                                "the customer is not known")
        if other is None:
            return CustomerFacts(None, None, None, None, None)
        ctype = "enterprise" if contract.looks_like_org(other.value) else "individual"
        return CustomerFacts(ctype, other.value, None, None, None)
    return CustomerFacts(None, None, None, None, None)


def _licence_title(text: str) -> str:
    return "营业执照" if "营业执照" in text else ("營業執照" if "營業執照" in text else "营业执照")


def _form_title(lines) -> str | None:
    for t in lines[:8]:
        if re.search("收集表|登记表|信息表", t.folded):
            return t.text.strip()
    return _first_line(lines)


def _first_line(lines) -> str | None:
    return lines[0].text.strip() if lines else None
