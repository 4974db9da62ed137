"""Identity codes: the USCC (GB 32100) and the resident ID number (GB 11643).

Check digits come from python-stdnum. When a code read by OCR fails, `propose_correction`
tries the confusions OCR makes between look-alike glyphs and returns the one reading that
validates, if there is exactly one. It never replaces the value: callers keep what was read
and offer the proposal to a person.
"""
from __future__ import annotations

import datetime as _dt
import itertools
import re
from dataclasses import dataclass

from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

from forms.text import to_halfwidth
from forms.model import Problem

# Look-alike glyphs, both ways (issue 4: 0/O/D, 1/I/L, 2/Z, 5/S, 8/B; plus the few printed
# fonts add: 6/G, 7/T, U/V).
CONFUSIONS: dict[str, str] = {
    "0": "ODQ", "O": "0DQ", "D": "0O", "Q": "0O",
    "1": "ILT7", "I": "1L", "L": "1I", "T": "17",  "7": "1T",
    "2": "Z", "Z": "2",
    "5": "S", "S": "5",
    "8": "B", "B": "8",
    "6": "G", "G": "6",
    "U": "V", "V": "U",
}

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def compact_code(text: str) -> str:
    """Upper case, half-width, no spaces or separators."""
    return re.sub(r"[\s\-_.·]", "", to_halfwidth(text)).upper()


@dataclass(frozen=True)
class CodeCheck:
    valid: bool
    problem: str | None = None
    suggestion: str | None = None
    candidates: tuple[str, ...] = ()


def uscc_problem(code: str) -> str | None:
    """Why `code` is not a valid USCC, or None if it is."""
    if len(code) != 18:
        return Problem("uscc_length", f"统一社会信用代码 has {len(code)} characters, not 18", n=len(code))
    if any(c not in USCC_ALPHABET for c in code):
        return Problem("uscc_chars", "统一社会信用代码 holds characters a USCC never uses")
    try:
        uscc.validate(code)
    except ValidationError:
        if not code[:8].isdigit():
            return Problem("uscc_prefix", "统一社会信用代码: the first 8 characters must be digits")
        return Problem("uscc_check", "统一社会信用代码 check digit does not match (GB 32100)")
    return None


def id_number_problem(code: str) -> str | None:
    """Why `code` is not a valid resident ID number, or None if it is.

    The region prefix is not checked: stdnum's table lags the codes in use, and a valid
    check digit already catches the misreads this is for."""
    if len(code) != 18:
        return Problem("id_length", f"身份证号 has {len(code)} characters, not 18", n=len(code))
    if not code[:17].isdigit() or not (code[17].isdigit() or code[17] == "X"):
        return Problem("id_chars", "身份证号 holds characters an ID number never uses")
    if ric.calc_check_digit(code) != code[17]:
        return Problem("id_check", "身份证号 check digit does not match (GB 11643)")
    try:
        born = _dt.date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return Problem("id_birth", "身份证号 holds a birth date that does not exist")
    if not _dt.date(1900, 1, 1) <= born <= _dt.date.today():
        return Problem("id_birth", "身份证号 holds an implausible birth date")
    return None


def _candidates(code: str, max_changes: int):
    positions = [i for i, c in enumerate(code) if c in CONFUSIONS]
    for n in range(1, max_changes + 1):
        for chosen in itertools.combinations(positions, n):
            for repl in itertools.product(*(CONFUSIONS[code[i]] for i in chosen)):
                chars = list(code)
                for i, r in zip(chosen, repl):
                    chars[i] = r
                yield "".join(chars)


def _check(code: str, problem_of) -> CodeCheck:
    problem = problem_of(code)
    if problem is None:
        return CodeCheck(valid=True)
    # Characters the code can never hold must be misreads: change those first, and only
    # widen to every look-alike when that does not give a valid code.
    fixes: set[str] = set()
    for max_changes in (1, 2):
        for cand in _candidates(code, max_changes):
            if problem_of(cand) is None:
                fixes.add(cand)
        if fixes:
            break
    if len(fixes) == 1:
        return CodeCheck(valid=False, problem=problem, suggestion=fixes.pop())
    return CodeCheck(valid=False, problem=problem, candidates=tuple(sorted(fixes)))


def check_uscc(text: str) -> CodeCheck:
    return _check(compact_code(text), uscc_problem)


def check_id_number(text: str) -> CodeCheck:
    code = compact_code(text)
    return _check(code, id_number_problem)


def is_valid_uscc(text: str) -> bool:
    return uscc_problem(compact_code(text)) is None


def is_valid_id_number(text: str) -> bool:
    return id_number_problem(compact_code(text)) is None
