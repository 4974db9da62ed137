"""The masking of hidden field values finds at least every place the per-value regular
expression it replaced found (archive_store.access._Squeezed): same gaps, any case."""
import html
import random
import re

from archive_store.access import _Squeezed, _value_spans

# The matcher as it was: one expression per value, a gap allowed between any two characters.
_GAP = r"(?:\s|[-‐－.·]|</?mark>)*"


def _chars(value: str) -> str:
    return _GAP.join(re.escape(c) for c in value)


def regex_spans(text: str, key: str, value: str) -> list[tuple[int, int]]:
    value = value.strip()
    if len(value) < 2:
        return []
    pats = [_chars(value)]
    if html.escape(value) != value:
        pats.append(_chars(html.escape(value)))
    if key == "phone" and (digits := re.sub(r"\D", "", value)):
        pats.append(r"(?:\+?86" + _GAP + r")?" + _chars(digits))
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value):
        y, mo, d = (str(int(g)) for g in m.groups())
        pats.append(rf"{y}\s*[年\-/.]\s*0?{mo}\s*[月\-/.]\s*0?{d}(?:\s*日)?")
        pats.append(rf"{y}{int(mo):02d}{int(d):02d}")
    pattern = re.compile("|".join(f"(?:{p})" for p in pats), re.IGNORECASE)
    return [m.span() for m in pattern.finditer(text) if m.end() > m.start()]


def printed(r: random.Random, value: str) -> str:
    """The value as a page may print it: gaps, marks, another case."""
    out = []
    for c in value:
        out.append(c.upper() if r.random() < 0.3 else c.lower() if r.random() < 0.3 else c)
        out.append(r.choice(["", "", "", " ", "-", "－", "·", ".", "<mark>", "</mark>", "\n", "  "]))
    return "".join(out)


def covered(spans) -> set[int]:
    return {i for s, e in spans for i in range(s, e)}


def test_every_place_the_regular_expression_masked_is_masked():
    r = random.Random(7)
    filler = "客户档案合同编号第条款甲乙方金额 abc 86 +86 2025 年 月 日 <mark> . - "
    values = [("phone", "13800138000"), ("phone", "010-88886666"), ("contact_person", "董燕萍"),
              ("email", "Wang.Li@Example.com"), ("name", "A&B <Co>"), ("signed_on", "2025-05-06"),
              ("legal_representative", "Zhang Wei"), ("uscc", "91310000MA1FL8XQ3J"), ("amount", "1,234.50")]
    for _ in range(400):
        key, value = r.choice(values)
        parts = [filler[r.randrange(len(filler)):][:r.randrange(12)] for _ in range(4)]
        shown = printed(r, value) if r.random() < 0.8 else value
        if key == "phone" and r.random() < 0.5:
            shown = r.choice(["+86 ", "86-", "+86"]) + shown
        if key == "signed_on" and r.random() < 0.5:
            shown = r.choice(["2025年5月6日", "2025/05/06", "20250506", "2025 年 05 月 6 日"])
        if key == "name" and r.random() < 0.5:
            shown = html.escape(value)
        text = parts[0] + shown + parts[1] + parts[2] + (shown if r.random() < 0.3 else "") + parts[3]
        old = covered(regex_spans(text, key, value))
        new = covered(_value_spans(_Squeezed(text), text, key, value))
        assert old <= new, (text, key, value, sorted(old - new))
