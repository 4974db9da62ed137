"""Secret values found by what they are, wherever they are printed: the one detector.

Extraction finds an ID number where a form has an ID field; the same number printed a
second time, a spouse's ID on a form, an individual party's ID in a contract (contracts
have no ID field) or a bank account in a remark are found only by looking at the text
itself. This module looks: it finds

* ID numbers (居民身份证号码): 18 characters whose GB 11643 check digit is right, with
  spaces or dashes anywhere between them (`110105 19491231 002X`);
* mobile numbers (11 digits from 13x-19x, with +86 / 0086 in front or not) and landlines
  (an area code 0xx/0xxx and 7-8 digits, or 7-8 digits right after a phone label);
* e-mail addresses;
* bank account numbers: 12-22 digits right after a label (账号, 卡号, 开户, account …),
  or 16-19 digits that pass the Luhn check and start like a bank card (62, 4, 5).

Each kind belongs to a field group of `access.FIELD_GROUPS`: phones and e-mail to
"communication", ID numbers to "core". Bank accounts go to "core" too: under the Personal
Information Protection Law a financial account is sensitive personal information, like an
ID number, and it opens the customer's money to whoever holds it, so it needs the same
leader's approval and no staff role sees it by default.

Detection runs on the text with full-width characters narrowed (same length, so the
spans found are spans of the original), and digits must not run on into other digits, so
a number inside a longer number is not taken for a phone.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

MASK = "■■■"

KIND_GROUP: dict[str, str] = {
    "id_number": "core",
    "bank_account": "core",
    "phone": "communication",
    "email": "communication",
}
SECRET_GROUPS = frozenset(KIND_GROUP.values())

# Full-width forms narrowed one for one (ＡＢ１２＠ -> AB12@), and the ideographic space.
_NARROW = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_NARROW[0x3000] = 0x20

# What may stand between two characters of one printed number: a space (not a line
# break, which usually ends a value) or a dash.
_SEP = r"[ \t\u00a0\-‐‑–—－]?"
_D = r"\d"


def _spaced(n: int, last: str = _D) -> str:
    return _SEP.join([_D] * (n - 1) + [last])


_ID = re.compile(r"(?<![\dA-Za-z])" + _spaced(18, "[\\dXx]") + r"(?![\dA-Za-z])")
_MOBILE = re.compile(r"(?<![\d+])(?:(?:\+|00)86" + _SEP + r"|\(\+?86\)" + _SEP + r")?"
                     r"1[3-9]" + _SEP + _spaced(9) + r"(?!\d)")
# Area codes are 010, 02x (three digits) or 0 + three digits; then 7-8 digits, maybe an
# extension (转 / - / ext).
_LANDLINE = re.compile(r"(?<![\d])(?:\(?0(?:10|2\d|[3-9]\d\d)\)?" + _SEP + r"?)"
                       r"[2-9]" + _SEP + _spaced(6) + r"(?:" + _SEP + r"\d)?"
                       r"(?:(?:转|-|ext\.?|x)\d{1,5})?(?!\d)", re.IGNORECASE)
_PHONE_LABEL = r"(?:电话|電話|手机|手機|座机|座機|传真|傳真|联系方式|聯繫方式|聯絡電話|tel|phone|fax|mobile)"
_LOCAL = re.compile(_PHONE_LABEL + r"[^\d\n]{0,6}(?P<v>[2-9]" + _SEP + _spaced(6) + r"(?:" + _SEP + r"\d)?)(?!\d)",
                    re.IGNORECASE)
_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_BANK_LABEL = r"(?:账号|帳號|账户|帳戶|卡号|卡號|开户|開戶|银行账|銀行帳|account(?:\s*no\.?)?|a/c)"
_LABELLED_BANK = re.compile(_BANK_LABEL + r"[^\d\n]{0,16}(?P<v>\d(?:" + _SEP + r"\d){11,21})(?!\d)", re.IGNORECASE)
_CARD = re.compile(r"(?<!\d)(?:62|4|5)\d?(?:" + _SEP + r"\d){13,18}(?!\d)")


@dataclass(frozen=True)
class Found:
    kind: str   # id_number | phone | email | bank_account
    start: int
    end: int
    value: str  # as printed

    @property
    def group(self) -> str:
        return KIND_GROUP[self.kind]


def _digits(s: str) -> str:
    return re.sub(r"[^\dXx]", "", s).upper()


def id_check_ok(value: str) -> bool:
    """The GB 11643 check digit of an 18-character ID number. Only the check digit: a
    region code or birth date we would reject may still be someone's real number, and
    masking one number too many costs nothing."""
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    total = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(value[:17]))
    return "10X98765432"[total % 11] == value[17]


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def find(text: str) -> list[Found]:
    """Every secret value printed in `text`, in order, overlaps resolved (ID numbers first:
    an 18-digit ID also reads as digits of a bank card)."""
    if not text:
        return []
    narrow = text.translate(_NARROW)
    spans: list[tuple[str, int, int]] = []
    for m in _ID.finditer(narrow):
        if id_check_ok(_digits(m.group())):
            spans.append(("id_number", m.start(), m.end()))
    for m in _EMAIL.finditer(narrow):
        spans.append(("email", m.start(), m.end()))
    for m in _LABELLED_BANK.finditer(narrow):
        spans.append(("bank_account", m.start("v"), m.end("v")))
    for m in _CARD.finditer(narrow):
        if 16 <= len(_digits(m.group())) <= 19 and _luhn(_digits(m.group())):
            spans.append(("bank_account", m.start(), m.end()))
    for m in _MOBILE.finditer(narrow):
        spans.append(("phone", m.start(), m.end()))
    for m in _LANDLINE.finditer(narrow):
        spans.append(("phone", m.start(), m.end()))
    for m in _LOCAL.finditer(narrow):
        spans.append(("phone", m.start("v"), m.end("v")))
    taken: list[Found] = []
    # Earlier kinds in the list win an overlap; among equals, the longer span.
    order = {"id_number": 0, "email": 1, "bank_account": 2, "phone": 3}
    for kind, s, e in sorted(spans, key=lambda t: (order[t[0]], t[1], -(t[2] - t[1]))):
        if any(s < f.end and f.start < e for f in taken):
            continue
        taken.append(Found(kind, s, e, text[s:e]))
    return sorted(taken, key=lambda f: f.start)


def mask(text: str, hidden_groups: Iterable[str]) -> str:
    """`text` with every secret of a group in `hidden_groups` replaced by ■■■."""
    hidden = frozenset(hidden_groups) & SECRET_GROUPS
    if not hidden or not text:
        return text
    return replace(text, [f for f in find(text) if f.group in hidden])


def scrub(text: str) -> str:
    """`text` with every secret value replaced, whoever reads it: for the search index."""
    return mask(text, SECRET_GROUPS)


def replace(text: str, spans: Iterable[Found | tuple[int, int]]) -> str:
    """`text` with the given spans replaced by ■■■ (spans may overlap, in any order)."""
    cuts = sorted((s.start, s.end) if isinstance(s, Found) else tuple(s) for s in spans)
    out, pos = [], 0
    for s, e in cuts:
        if e <= pos:
            continue
        if s >= pos:
            out.append(text[pos:s])
            out.append(MASK)
        pos = max(pos, e)
    out.append(text[pos:])
    return "".join(out)


def kinds_of(text: str) -> dict[str, list[str]]:
    """kind -> the normalised values (digits, or the e-mail lower-cased) found in `text`."""
    return _normalised(find(text))


def split(text: str) -> tuple[str, dict[str, list[str]]]:
    """`text` scrubbed, and what was scrubbed from it (as `kinds_of`), in one pass: the
    search index's view of a document, made for every document at a rebuild."""
    found = find(text)
    return (replace(text, found) if found else text), _normalised(found)


def _normalised(found: list[Found]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in found:
        v = f.value.translate(_NARROW)
        norm = v.strip().lower() if f.kind == "email" else _digits(v)
        if f.kind == "phone" and norm.startswith("86") and len(norm) == 13:
            norm = norm[2:]
        elif f.kind == "phone" and norm.startswith("0086") and len(norm) == 15:
            norm = norm[4:]
        out.setdefault(f.kind, [])
        if norm not in out[f.kind]:
            out[f.kind].append(norm)
    return out


def secret_boxes(pages: Iterable) -> list[dict]:
    """Where on each page the secrets in its text are printed, for blacking them out:
    [{"page": n, "box": [x0, y0, x1, y1] | None, "group": …}].

    `pages` are the ocr room's pages (number, lines with text, box and words); a secret is
    boxed by the words it overlaps, or by its whole line when the words cannot be lined up
    with the line's text; one whose line has no box is listed with "box": None, so that
    the page is withheld from those who may not see it rather than shown unredacted.
    """
    out: list[dict] = []
    for page in pages:
        lines = list(page.lines)
        starts, pos = [], 0
        for line in lines:
            starts.append(pos)
            pos += len(line.text) + 1
        text = "\n".join(line.text for line in lines)
        for f in find(text):
            for line, at in zip(lines, starts):
                a, b = max(f.start - at, 0), min(f.end - at, len(line.text))
                if a < b:
                    box = _box_of(line, a, b)
                    out.append({"page": page.number, "group": f.group,
                                "box": [round(v, 1) for v in box] if box else None})
    return out


def _box_of(line, a: int, b: int) -> tuple[float, float, float, float] | None:
    """The union of the boxes of `line`'s words that cover characters a..b, else the line's."""
    whole = (line.box.x0, line.box.y0, line.box.x1, line.box.y1) if line.box is not None else None
    cursor, hit = 0, []
    for word in line.words or ():
        at = line.text.find(word.text, cursor) if word.text else -1
        if at < 0:
            return whole  # the words do not spell the line: black out all of it
        cursor = at + len(word.text)
        if at < b and a < cursor:
            hit.append(word.box)
    if not hit:
        return whole
    return (min(w.x0 for w in hit), min(w.y0 for w in hit), max(w.x1 for w in hit), max(w.y1 for w in hit))
