"""A value a person types for a field: checked and normalised by the same rules extraction
uses (FIELDS.md value forms), but strictly. A reading may keep a doubtful value with a
problem attached for a person to look at; a person's entry is that look, so a value that
fails is refused instead of stored.

`EntryError` carries a code and parameters, not a sentence: the portal and the command
line render it in the reader's language.
"""
from __future__ import annotations

import re

from forms import codes
from forms.normalize import (LONG_TERM, NormaliseError, daxie_in, find_dates, normalise_email,
                             normalise_phone, parse_money, parse_term_end)
from forms.text import clean_text, to_halfwidth, to_simplified

DATE_KEYS = frozenset({"established_on", "issued_on", "signed_on", "start_on", "end_on", "collected_on"})
MONEY_KEYS = frozenset({"amount", "registered_capital"})
CUSTOMER_TYPES = {"individual": "individual", "enterprise": "enterprise", "个人": "individual",
                  "企业": "enterprise", "個人": "individual", "企業": "enterprise"}
MAX_TEXT = 2000


class EntryError(ValueError):
    def __init__(self, code: str, **params: str):
        super().__init__(code, params)
        self.code = code
        self.params = params


# What may surround an amount without making it something else than that amount:
# currency words and signs, 整/正, separators. 左右, 约, 多 and the like are left over.
_MONEY_DECORATION = re.compile(r"人民币|RMB|CNY|[¥￥元圆整正,\s:]|万元|万|亿元|亿")
_FIGURE_RUN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


def _money(text: str) -> str:
    try:
        figure, daxie = parse_money(text)
    except NormaliseError:
        raise EntryError("not_amount", value=text) from None
    if figure is None and daxie is None:
        raise EntryError("not_amount", value=text)
    if figure is not None and daxie is not None and figure != daxie:
        raise EntryError("amount_disagrees", figure=figure, daxie=daxie)
    # Whatever is left once the amount and its currency words are taken out must be
    # nothing: 两百万左右, 约200万 or 200万以上 are not amounts a record can hold.
    s = to_simplified(to_halfwidth(text))
    run = daxie_in(s)
    if run:
        s = s.replace(run, "", 1)
    s = _FIGURE_RUN.sub("", s, count=1)
    if _MONEY_DECORATION.sub("", s):
        raise EntryError("not_amount", value=text)
    return figure if figure is not None else daxie  # type: ignore[return-value]


def _date(text: str) -> str:
    try:
        dates = find_dates(text)
    except NormaliseError:
        raise EntryError("not_date", value=text) from None
    if len(dates) != 1:
        raise EntryError("not_date", value=text)
    return dates[0][2]


def _code(text: str, problem_of, code: str) -> str:
    value = codes.compact_code(text)
    if problem_of(value) is not None:
        raise EntryError(code, value=value)
    return value


def normalise_entry(key: str, text: str) -> str:
    """The stored form of `text` typed for field `key`, or EntryError."""
    text = (text or "").strip()
    if not text:
        raise EntryError("empty")
    if len(text) > MAX_TEXT:
        raise EntryError("too_long", limit=str(MAX_TEXT))
    if key in MONEY_KEYS:
        return _money(text)
    if key == "term_end":  # before the dates: it may also be 长期
        if text == LONG_TERM:
            return LONG_TERM
        try:
            end = parse_term_end(text)
        except NormaliseError:
            end = None
        if end is None:
            raise EntryError("not_term_end", value=text)
        return end
    if key in DATE_KEYS:
        return _date(text)
    if key == "uscc":
        return _code(text, codes.uscc_problem, "bad_uscc")
    if key == "id_number":
        return _code(text, codes.id_number_problem, "bad_id_number")
    if key == "phone":
        try:
            return normalise_phone(text)
        except NormaliseError:
            raise EntryError("bad_phone", value=text) from None
    if key == "email":
        try:
            return normalise_email(text)
        except NormaliseError:
            raise EntryError("bad_email", value=text) from None
    if key == "customer_type":
        if text not in CUSTOMER_TYPES:
            raise EntryError("bad_customer_type", value=text)
        return CUSTOMER_TYPES[text]
    return clean_text(text)
