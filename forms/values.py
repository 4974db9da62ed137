"""From a found label value to a FieldValue: normalise, check, and set the confidence.

A value that fails its check keeps what was read; the problem is recorded, the confidence
lowered, and a correction (if exactly one is plausible) is offered as `suggestion`.
"""
from __future__ import annotations

import re
from typing import Callable

from forms import codes
from forms.checks import (cut_off_address, cut_off_name, label_inside, lost_characters,
                          person_name_problem)
from forms.entity_types import match_entity_type
from forms.layout import Found
from forms.model import FieldValue, Problem
from forms.normalize import (LONG_TERM, NormaliseError, email_domain_problem, find_dates,
                             fold_email, normalise_email,
                             normalise_phone, parse_money, parse_period, parse_term_end,
                             phone_confusion_fix)
from forms.text import clean_text, to_halfwidth

FAILED = 0.5  # a failed check at least halves the confidence
PROPOSED = 0.4  # ceiling when a correction is proposed


def _failed(label: str, exc: NormaliseError) -> Problem:
    """A value that did not normalise: the reading's sentence, and its code for the portal."""
    return Problem(exc.code, f"{label}: {exc}", label=label, **exc.params)


def make(found: Found | None, value: str, *, problems: tuple[str, ...] = (),
         suggestion: str | None = None, factor: float = 1.0) -> FieldValue:
    conf = (found.confidence if found else 1.0) * factor
    if problems:
        conf *= FAILED
    if suggestion is not None:
        conf = min(conf, PROPOSED)
    return FieldValue(value=value, confidence=round(max(0.0, min(conf, 1.0)), 4),
                      problems=problems, suggestion=suggestion,
                      page=found.page if found else None, box=found.box if found else None)


def text_value(found: Found) -> str:
    """A wrapped value joined back: Chinese wraps anywhere, so lines join without a space
    unless both sides are Latin letters."""
    out = ""
    for part in (p.strip() for p in found.raw.split("\n")):
        if out and part and out[-1].isascii() and out[-1].isalpha() and part[0].isascii() and part[0].isalpha():
            out += " "
        out += part
    return clean_text(out)


_PAIRS = (("(", ")"), ("[", "]"), ("《", "》"), ("“", "”"), ("〔", "〕"))
# a value not in a known vocabulary where one is expected: looked at, not failed
UNKNOWN_TERM = 0.8


# What a value of each kind should look like, beyond the checks every text gets.
_SHAPE_CHECKS: dict[str, Callable[[str], str | None]] = {
    "org": cut_off_name, "person": person_name_problem, "address": cut_off_address,
}


def as_text(found: Found, kind: str = "text") -> FieldValue | None:
    """A text value, with the checks its kind allows: `org` (a company's name), `person`
    (a personal name), `address`, `entity_type` (类型 of a licence), or plain `text`."""
    value = text_value(found)
    if not value:
        return None
    problems: list[str] = []
    suggestion = None
    factor = 1.0
    if kind == "entity_type":
        m = match_entity_type(value)
        value, suggestion = m.value, m.suggestion
        if m.problem:
            problems.append(m.problem)
        elif m.known is None:
            factor = UNKNOWN_TERM
    if any(value.count(o) != value.count(c) for o, c in _PAIRS):
        # 有限责任公司(自然人独资 — OCR lost a bracket, or the value ran into another
        problems.append(Problem("brackets", "brackets do not pair: check the reading"))
    lost = lost_characters(found.lines)
    if lost:
        problems.append(lost)
    check = _SHAPE_CHECKS.get(kind)
    if check and (odd := check(value)):
        problems.append(odd)
    return make(found, value, problems=tuple(problems), suggestion=suggestion, factor=factor)


def as_date(found: Found, label: str) -> FieldValue | None:
    try:
        dates = find_dates(found.raw)
    except NormaliseError as exc:
        return make(found, text_value(found), problems=(_failed(label, exc),))
    if not dates:
        return None
    return make(found, dates[0][2])


def as_term_end(found: Found) -> FieldValue | None:
    try:
        end = parse_term_end(found.raw)
        start = find_dates(found.raw)
    except NormaliseError as exc:
        return make(found, text_value(found), problems=(_failed("营业期限", exc),))
    if end:
        return make(found, end)
    if start:
        # 2015年10月23日至 with nothing read after it: the seal's edge or a lost line took
        # the end, which is a date or 长期; nothing here can tell which
        return make(found, text_value(found), problems=(Problem(
            "term_end_missing", "营业期限: only its start was read; its end (a date or 长期) was not"),))
    return None


def as_period(found: Found, label: str) -> tuple[FieldValue | None, FieldValue | None]:
    try:
        start, end = parse_period(found.raw)
    except NormaliseError as exc:
        bad = make(found, text_value(found), problems=(_failed(label, exc),))
        return bad, None
    return (make(found, start) if start else None, make(found, end) if end else None)


def as_money(found: Found, label: str, daxie_found: Found | None = None,
             require_agreement: bool = False) -> tuple[FieldValue | None, list[str]]:
    """The amount, and document-level problems (大写 and figure disagree)."""
    raw = found.raw
    try:
        figure, daxie = parse_money(raw)
        if daxie is None and daxie_found is not None:
            _, daxie = parse_money(daxie_found.raw)
    except NormaliseError as exc:
        return make(found, text_value(found), problems=(_failed(label, exc),)), []
    if figure is None and daxie is None:
        return None, []
    if figure is not None and daxie is not None and figure != daxie:
        problem = Problem("money_disagree", f"{label}: the figure {figure} and the 大写 amount {daxie} disagree",
                          label=label, figure=figure, daxie=daxie)
        return make(found, figure, problems=(problem,)), [problem]
    value = figure if figure is not None else daxie
    assert value is not None
    # A lone figure has nothing to cross-check it: an OCR misread would pass unseen, so it
    # does not get full confidence; a figure confirmed by its 大写 words does.
    factor = 1.0 if (figure is not None and daxie is not None) else 0.97
    if require_agreement and (figure is None or daxie is None):
        factor = 0.9
    return make(found, value, factor=factor), []


_CODE_RUN = re.compile(r"[0-9A-Za-z][0-9A-Za-z \-]{15,24}[0-9A-Za-z]")


def _code_text(raw: str) -> str:
    """The code-shaped run in a value (a label cell may carry a note after the code)."""
    s = to_halfwidth(raw)
    runs = _CODE_RUN.findall(s)
    if runs:
        return max(runs, key=len)
    return s


def as_code(found: Found, check: Callable[[str], codes.CodeCheck]) -> FieldValue | None:
    code = codes.compact_code(_code_text(found.raw))
    if not code:
        return None
    result = check(code)
    if result.valid:
        return make(found, code)
    problems = [result.problem or Problem("code_invalid", "invalid")]
    if result.suggestion and _only_impossible_changed(code, result.suggestion):
        # O where a code can only hold 0: the correction is forced, not merely possible
        problems.append(Problem("code_proposal_forced", f"proposed correction {result.suggestion} passes the "
                                "check digit and changes only characters such a code never holds",
                                suggestion=result.suggestion))
    elif result.suggestion:
        problems.append(Problem("code_proposal", f"proposed correction {result.suggestion} passes the check digit",
                                suggestion=result.suggestion))
    elif len(result.candidates) > 1:
        problems.append(Problem("code_candidates", f"{len(result.candidates)} corrections would pass the check "
                                "digit; none is proposed", n=len(result.candidates)))
    return make(found, code, problems=tuple(problems), suggestion=result.suggestion)


def _only_impossible_changed(read: str, fixed: str) -> bool:
    if len(read) != len(fixed):
        return False
    changed = [r for r, f in zip(read, fixed) if r != f]
    return bool(changed) and all(c not in codes.USCC_ALPHABET for c in changed)


def as_phone(found: Found) -> FieldValue | None:
    raw = found.raw.strip()
    # a phone cell may hold two numbers or a note: take the first phone-shaped run
    m = re.search(r"[+(\d][\d\s\-()+OolIDSBZ$]{6,}[\dOolIDSBZ$]", raw)
    text = m.group(0) if m else raw
    try:
        return make(found, normalise_phone(text))
    except NormaliseError as exc:
        fix = phone_confusion_fix(text)
        digits = re.sub(r"[\s\-()]", "", text)
        problems = [_failed("联系电话", exc)]
        if fix:
            problems.append(Problem("phone_proposal", f"proposed correction {fix}", suggestion=fix))
        return make(found, digits, problems=tuple(problems), suggestion=fix)


# 1 between letters (gao1in, lin_1iang), or opening the address before letters (1iu.chen), is far
# more often an OCR misreading of l than what the owner typed; 0 between letters likewise
_EMAIL_LOOKALIKE = re.compile(r"(?<=[a-z_.\-])[10](?=[a-z])|^[10](?=[a-z])")
# and the other way: an l before a digit (chenchenl1) is as often a misread 1; the letters
# of most addresses here are pinyin, whose syllables never end in l
_EMAIL_DIGIT_LOOKALIKE = re.compile(r"(?<=[a-z0-9])l(?=\d)")


def as_email(found: Found) -> FieldValue | None:
    """The address with OCR's forms of @ and . folded (fold_email). What the reading cannot
    settle is flagged, with a proposal where there is one: a gap inside the address, a 1 or
    0 among letters, an l before a digit, a domain one letter off a common provider or with
    an odd ending."""
    raw = found.raw.strip()
    try:
        value = normalise_email(raw)
    except NormaliseError as exc:
        return make(found, fold_email(raw)[0], problems=(_failed("电子邮箱", exc),))
    _, gap = fold_email(raw)
    problems: list[str] = []
    local, domain = value.rsplit("@", 1)
    if gap:
        problems.append(Problem("email_gap", "电子邮箱: a gap inside the address where nothing was read "
                                "(an _ . or - may be lost): check the reading"))

    def letters(part: str) -> str:
        return _EMAIL_LOOKALIKE.sub(lambda m: "l" if m.group(0) == "1" else "o", part)

    fixed_local = letters(local)
    domain_problem, fixed_domain = email_domain_problem(value)
    if fixed_domain is None and letters(domain) != domain:  # examp1e.com
        fixed_domain = letters(domain)
    if fixed_local != local or (fixed_domain is not None and not domain_problem):
        problems.append(Problem("email_lookalike", "电子邮箱: a 1 or 0 among letters may be a misread l or o"))
    if _EMAIL_DIGIT_LOOKALIKE.search(fixed_local):
        problems.append(Problem("email_lookalike_digit", "电子邮箱: an l before a digit may be a misread 1"))
        fixed_local = _EMAIL_DIGIT_LOOKALIKE.sub("1", fixed_local)
    if domain_problem:
        problems.append(domain_problem)
    suggestion = f"{fixed_local}@{fixed_domain or domain}"
    return make(found, value, problems=tuple(problems),
                suggestion=suggestion if suggestion != value else None)


_CODE_18 = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{18}(?![0-9A-Z])")


def confirmed_elsewhere(fv: FieldValue, key: str, lines, is_valid: Callable[[str], bool]) -> FieldValue:
    """A code that failed its check where it was labelled, printed once more on the page
    (a form that repeats it, a contract's party block, a licence's copy line): when that
    other print reads as exactly the correction proposed for the first, the page itself
    says what the code is, and that reading is the value. Nothing is replaced: both are
    readings of the page, and the one that validates agrees with the only valid
    correction of the other. Any other code on the page leaves the field as it was."""
    if not fv.problems or fv.suggestion is None:
        return fv
    for t in lines:
        for m in _CODE_18.finditer(re.sub(r"\s", "", to_halfwidth(t.text)).upper()):
            code = m.group(0)
            if code == fv.suggestion and is_valid(code):
                return make(Found(key, "", code, (t,), t, "same_line"), code, factor=0.96)
    return fv


def flag_labels_inside(fields: dict[str, FieldValue], keys, table) -> None:
    """Flag text values that hold another field's label (see checks.label_inside)."""
    for key in keys:
        fv = fields.get(key)
        if fv is None:
            continue
        problem = label_inside(fv.value, table, key)
        if problem:
            fields[key] = flag(fv, problem)


def first_good(candidates: list[FieldValue | None]) -> FieldValue | None:
    """The first value without problems, else the first value."""
    vals = [c for c in candidates if c is not None]
    for v in vals:
        if not v.problems:
            return v
    return vals[0] if vals else None


def flag(fv: FieldValue, problem: str) -> FieldValue:
    """The same value with one more problem and the confidence that goes with it."""
    return FieldValue(fv.value, round(fv.confidence * FAILED, 4), fv.problems + (problem,),
                      fv.suggestion, fv.page, fv.box)


def is_date(value: str | None) -> bool:
    return bool(value) and bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value or ""))


__all__ = ["make", "as_text", "as_date", "as_term_end", "as_period", "as_money", "as_code",
           "as_phone", "as_email", "first_good", "flag", "is_date", "LONG_TERM", "text_value"]
