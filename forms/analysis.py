"""The room's entry point: an Extraction in, an Analysis out."""
from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import replace
from types import MappingProxyType
from typing import Sequence

from ocr.extraction import Box, Extraction

from forms import classify as _classify
from forms import codes, collection, contract, license
from forms.keys import TEXT_KEYS
from forms.layout import page_lines
from forms.model import Analysis, CustomerFacts, FieldValue, Problem
from forms.normalize import NormaliseError, normalise_email, normalise_phone
from forms.text import same_name, to_document_script
from forms.values import is_date

ISSUE_DATE_KEY = {"business_license": "issued_on", "contract": "signed_on",
                  "collection_form": "collected_on"}


# look(page, box, alphabet): the line in `box` read again with only `alphabet`'s characters
SecondLook = Callable[[int, Box, str], str]


def _has_code(reading: str, value: str) -> bool:
    return value in codes.compact_code(reading)


def _has_run(pattern: str, normalise: Callable[[str], str]) -> Callable[[str, str], bool]:
    """Whether a reading holds the value as a run of `pattern`, once normalised."""
    def holds(reading: str, value: str) -> bool:
        for m in re.finditer(pattern, reading):
            try:
                if normalise(m.group(0)) == value:
                    return True
            except NormaliseError:
                continue
        return False
    return holds


# What a second look reads a value with (the characters it can hold; for an address, also
# the colon and space that part it from its label), and whether a reading holds a value.
SECOND_LOOKS: dict[str, tuple[str, Callable[[str, str], bool]]] = {
    "uscc": (codes.USCC_ALPHABET, _has_code),
    "id_number": ("0123456789X", _has_code),
    "phone": ("0123456789+-() ", _has_run(r"[+(\d][\d\s\-()+]{6,}\d", normalise_phone)),
    "email": (string.ascii_letters + string.digits + "._%+-@: ：",
              _has_run(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+", normalise_email)),
}


def analyze(extraction: Extraction, *, our_companies: Sequence[str] = (),
            second_look: SecondLook | None = None) -> Analysis:
    """What `extraction` is and its fields. `second_look` (ocr.second_look) lets a value
    that failed its check be read again from the page (see `_look_again`)."""
    doc_type, type_conf = _classify.classify(extraction.text)
    problems: list[str] = []
    documents = tuple(split_documents(extraction))
    pages = extraction.pages
    if len(documents) > 1:
        # fields come only from the pages of the document the file is filed as: a licence
        # scanned with a medical-institution licence must not take that one's 登记机关
        own = next((nums for kind, nums in documents if kind == doc_type), documents[0][1])
        pages = tuple(p for p in extraction.pages if p.number in own)
        others = "; ".join(f"{kind} on page{'s' if len(n) > 1 else ''} {', '.join(map(str, n))}"
                           for kind, n in documents if n != own)
        problems.append(Problem(
            "several_documents", f"this file holds more than one document: the {doc_type} is on page"
            f"{'s' if len(own) > 1 else ''} {', '.join(map(str, own))}, and {others}; split it so each is filed on its own",
            kind=doc_type, pages=", ".join(map(str, own)), others=others))
    else:
        documents = ()
    lines = [tl for page in pages for tl in page_lines(page)]
    title: str | None = None
    fields: dict[str, FieldValue] = {}
    if doc_type == "business_license":
        fields, more = license.extract(lines, [(p.number, s) for p in pages for s in p.seals])
        problems += more
        title = _licence_title(extraction.text)
    elif doc_type == "collection_form":
        fields, more = collection.extract(lines)
        problems += more
        title = _form_title(lines)
    elif doc_type == "contract":
        fields, more, title = contract.extract(lines)
        problems += more
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
                    issue_date=issue_date, problems=tuple(problems), title=title, documents=documents)


# A page that names one of these is a certificate of another kind, whatever words it
# shares with a licence (登记机关, 有效期限): it is never part of a licence
OTHER_CERTIFICATES = ("医疗机构执业许可证", "居民身份证", "公民身份号码", "食品经营许可证", "开户许可证",
                      "税务登记证", "组织机构代码证", "道路运输经营许可证", "卫生许可证", "药品经营许可证")


def page_kind(text: str) -> str:
    from forms.text import fold

    f = fold(text)
    if any(c in f for c in OTHER_CERTIFICATES) and "营业执照" not in f:
        return "other"
    return _classify.classify(text)[0]


def split_documents(extraction: Extraction) -> list[tuple[str, tuple[int, ...]]]:
    """The documents in a file, as (kind, page numbers), by the kind of each page.

    A licence is a page of its own: whatever follows it is another document. Otherwise a
    page that reads as another kind starts a new document, and a page of no kind (a
    contract's clauses, an annex) goes on with the one before."""
    docs: list[tuple[str, list[int]]] = []
    for page in extraction.pages:
        kind = page_kind(page.text)
        if not docs:
            docs.append((kind, [page.number]))
            continue
        cur = docs[-1][0]
        if kind == "business_license" or cur == "business_license" or (kind != "other" and kind != cur
                                                                        and cur != "other"):
            docs.append((kind, [page.number]))
        elif cur == "other" and kind != "other":
            docs[-1] = (kind, docs[-1][1] + [page.number])
        else:
            docs[-1][1].append(page.number)
    return [(k, tuple(n)) for k, n in docs]


def _look_again(fields: dict[str, FieldValue], look: SecondLook) -> None:
    """A value that failed its check and has a proposed correction (a code's one correction
    that passes, a phone's 5 for an S, an address's l for a 1 among letters) is read again
    from the page with only the characters such a value holds. When that reading is the
    proposal, it becomes the value: the page, read again, says so. It stays flagged for the
    reviewer with the first reading, so nothing is replaced unseen; any other reading leaves
    the field as it was."""
    for key, (alphabet, holds) in SECOND_LOOKS.items():
        fv = fields.get(key)
        if fv is None or fv.suggestion is None or fv.page is None or fv.box is None:
            continue
        if not holds(look(fv.page, fv.box, alphabet), fv.suggestion):
            continue
        # the confidence stays as the failed check lowered it
        fields[key] = replace(fv, value=fv.suggestion, suggestion=None, problems=(Problem(
            "second_look", f"first read as {fv.value} ({fv.problems[0] if fv.problems else 'failed its check'}); "
            f"read again with only the characters it can hold, it is {fv.suggestion}, as proposed",
            read=fv.value, value=fv.suggestion),))


def _in_script(key: str, fv: FieldValue, script: str) -> FieldValue:
    if key not in TEXT_KEYS:
        return fv
    value = to_document_script(fv.value, script)
    # a proposal made from a table (an authority from the division code) is in Simplified
    suggestion = to_document_script(fv.suggestion, script) if fv.suggestion else fv.suggestion
    if value == fv.value and suggestion == fv.suggestion:
        return fv
    return replace(fv, value=value, suggestion=suggestion)


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
                problems.append(Problem("parties_not_ours", "neither party, or both, is one of our companies: "
                                        "the customer is not known"))
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
