"""Small pure functions from printed text to the value forms of FIELDS.md.

Each either returns the normalised value or raises `NormaliseError` with a reason a clerk
can read; "not found" is `None` where the caller needs to tell the two apart.
"""
from __future__ import annotations

import datetime as _dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import cn2an

from forms.model import Problem
from forms.text import to_halfwidth, to_simplified


class NormaliseError(ValueError):
    """The text holds something of the right shape that is not a valid value; `code` and
    `params` say which, for a reader in another language."""

    def __init__(self, message: str, code: str = "unreadable", **params: object):
        super().__init__(message)
        self.code = code
        self.params = {k: str(v) for k, v in params.items()}


# ---------------------------------------------------------------- dates
_CN_DIGIT = {"〇": "0", "○": "0", "零": "0", "O": "0", "o": "0", "Ｏ": "0", "0": "0", "一": "1", "二": "2",
             "三": "3", "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_CN_NUM = "〇○零一二三四五六七八九十"
_DATE_PATTERNS = (
    # 2024年3月5日 (spaces from OCR allowed between the parts)
    re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日?"),
    # 2024.03.05 / 2024-3-5 / 2024/3/5
    re.compile(r"(?<!\d)(?P<y>\d{4})\s*(?P<sep>[./\-])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<d>\d{1,2})(?!\d)"),
    # 二〇二四年三月五日 (OCR reads the 〇 of a seal-covered year as O or 0: 二0二四)
    re.compile(rf"(?P<y>(?=[{_CN_NUM}O0]*[一二三四五六七八九])[{_CN_NUM}O0]{{4}})\s*年\s*(?P<m>[{_CN_NUM}]{{1,3}})\s*月\s*(?P<d>[{_CN_NUM}]{{1,3}})\s*日?"),
    # 20240305, only on its own
    re.compile(r"(?<![\dA-Za-z])(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?![\dA-Za-z])"),
)
# 〇二四年十二月二十三日: a year of three digits opening with 0 lost its first one (a seal's
# edge over the issue date takes it); reported, not guessed
_SHORT_YEAR = re.compile(rf"(?<![{_CN_NUM}\d])[〇○零0][{_CN_NUM}\d]{{2}}\s*年\s*[{_CN_NUM}\d]{{1,3}}\s*月"
                         rf"\s*[{_CN_NUM}\d]{{1,3}}\s*日?")


def _cn_number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if "十" not in text:  # 二〇二四: digit by digit
        return int("".join(_CN_DIGIT.get(c, c) for c in text))
    return int(cn2an.cn2an(text.replace("〇", "零").replace("○", "零"), "normal"))


def find_dates(text: str) -> list[tuple[int, int, str]]:
    """Every date written in `text`, as (start, end, YYYY-MM-DD) in reading order.

    Raises NormaliseError for a date-shaped run that names no real day (2024年2月30日).
    Positions refer to the half-width, simplified form of `text` with the spaces OCR puts
    between digits taken out.
    """
    # OCR spaces out digits ("2 0 25-0 5-0 5"): close those gaps first
    norm = re.sub(r"(?<=\d)\s+(?=[\d./\-年月日])|(?<=[./\-年月])\s+(?=\d)", "",
                  to_simplified(to_halfwidth(text)))
    found: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(norm):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            try:
                y, mo, d = (_cn_number(m.group(k)) for k in ("y", "m", "d"))
            except (KeyError, ValueError) as exc:
                raise NormaliseError(f"unreadable date {m.group(0)!r}", "date_unreadable", value=m.group(0)) from exc
            try:
                day = _dt.date(y, mo, d)
            except ValueError as exc:
                raise NormaliseError(f"no such date {m.group(0).strip()!r}", "date_nonexistent",
                                     value=m.group(0).strip()) from exc
            if not 1900 <= y <= 2100:
                raise NormaliseError(f"implausible year in {m.group(0).strip()!r}", "date_implausible",
                                     value=m.group(0).strip())
            found.append((m.start(), m.end(), day.isoformat()))
            taken.append((m.start(), m.end()))
    if not found and (m := _SHORT_YEAR.search(norm)):
        raise NormaliseError(f"the year in {m.group(0).strip()!r} has lost its first digit", "date_year_lost",
                             value=m.group(0).strip())
    return sorted(found)


def parse_date(text: str) -> str | None:
    """The first date in `text` as YYYY-MM-DD, None if there is none."""
    dates = find_dates(text)
    return dates[0][2] if dates else None


LONG_TERM = "long_term"
_LONG_TERM_WORDS = ("长期", "永久", "不约定期限", "无固定期限")


def parse_term_end(text: str) -> str | None:
    """The end of a 营业期限: a date, or `long_term` for 长期 / 永久 / 不约定期限."""
    norm = to_simplified(to_halfwidth(text)).replace(" ", "")
    dates = find_dates(text)
    # "2019年01月01日至长期": the end is what follows 至 (or the second date).
    tail = norm.split("至", 1)[1] if "至" in norm else norm
    if any(w in tail for w in _LONG_TERM_WORDS):
        return LONG_TERM
    if "至" in norm:
        end = find_dates(tail)
        if end:
            return end[0][2]
    if len(dates) >= 2:
        return dates[-1][2]
    if any(w in norm for w in _LONG_TERM_WORDS):
        return LONG_TERM
    return None


def parse_period(text: str) -> tuple[str | None, str | None]:
    """A contract's 自…起至…止 / …至… / …-… as (start, end)."""
    dates = find_dates(text)
    if len(dates) >= 2:
        return dates[0][2], dates[1][2]
    if len(dates) == 1:
        return dates[0][2], None
    return None, None


# ---------------------------------------------------------------- money
_DAXIE_CHARS = "零壹贰叁参肆伍陆柒捌玖拾佰仟万亿元圆角分整正两〇一二三四五六七八九十百千"
# 參 (simplified 参) is how 叁 is written in Traditional 大写 and in older Simplified print;
# cn2an knows only 叁
_DAXIE_VARIANTS = str.maketrans({"参": "叁"})
_DAXIE_RUN = re.compile(rf"[{_DAXIE_CHARS}]{{2,}}")
_FIGURE = re.compile(
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<unit>亿元|亿|万元|万|元|圆)?")


def _cents(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def parse_daxie(text: str) -> str:
    """壹佰贰拾叁万肆仟伍佰陆拾柒元伍角 → "1234567.50" (also 万元 units, 圆, 整/正)."""
    s = to_simplified(text).replace(" ", "").translate(_DAXIE_VARIANTS)
    s = s.replace("圆", "元").replace("正", "整").rstrip("整")
    s = re.sub(r"^(人民币|RMB)", "", s)
    jiao = fen = 0
    m = re.search(r"(?:([零壹贰叁肆伍陆柒捌玖一二三四五六七八九])角)?(?:零?([壹贰叁肆伍陆柒捌玖一二三四五六七八九])分)?$", s)
    if m and (m.group(1) or m.group(2)):
        jiao = _cn_number_daxie(m.group(1)) if m.group(1) else 0
        fen = _cn_number_daxie(m.group(2)) if m.group(2) else 0
        s = s[: m.start()]
    s = s.rstrip("零")
    multiplier = Decimal(1)  # 贰佰万元: 万 reads the same as a unit or as part of the number
    if s.endswith("元"):
        s = s[:-1]
    if not s and (jiao or fen):
        whole = Decimal(0)
    else:
        if not s or re.search(rf"[^{_DAXIE_CHARS}]", s):
            raise NormaliseError(f"not a 大写 amount: {text!r}", "money_unreadable", value=text)
        try:
            whole = Decimal(int(cn2an.cn2an(s, "normal")))
        except (ValueError, KeyError) as exc:
            raise NormaliseError(f"unreadable 大写 amount {text!r}", "money_unreadable", value=text) from exc
    return _cents(whole * multiplier + Decimal(jiao) / 10 + Decimal(fen) / 100)


def _cn_number_daxie(ch: str) -> int:
    return int(cn2an.cn2an(ch, "normal"))


def parse_figure(text: str) -> str | None:
    """¥1,234,567.50 / 123.4567万元 / RMB 1234567.5 → "1234567.50"; None if no figure."""
    s = to_halfwidth(to_simplified(text)).replace(" ", "").replace("，", ",")
    m = _FIGURE.search(s)
    if not m:
        return None
    try:
        value = Decimal(m.group("num").replace(",", ""))
    except InvalidOperation as exc:
        raise NormaliseError(f"unreadable figure {m.group(0)!r}", "money_unreadable", value=m.group(0)) from exc
    unit = m.group("unit") or ""
    if unit.startswith("万"):
        value *= 10000
    elif unit.startswith("亿"):
        value *= 100000000
    return _cents(value)


_DAXIE_GAP = re.compile(rf"(?<=[{_DAXIE_CHARS}])\s+(?=[{_DAXIE_CHARS}])")


def _join_daxie(text: str) -> str:
    """贰佰伍拾 万元: a form's blank filled in by hand or by a template, the unit printed
    after a gap; the gap is not part of the amount."""
    return _DAXIE_GAP.sub("", text)


def daxie_in(text: str) -> str | None:
    """The longest run of 大写 numerals in `text` that reads as an amount, or None."""
    s = _join_daxie(to_simplified(text))
    runs = sorted((m.group(0) for m in _DAXIE_RUN.finditer(s)), key=len, reverse=True)
    for run in runs:
        if not re.search("[壹贰叁参肆伍陆柒捌玖拾佰仟]", run):
            continue
        return run
    return None


def parse_money(text: str) -> tuple[str | None, str | None]:
    """(figure, 大写) both normalised, either None when the text does not hold one.

    Raises NormaliseError only when something amount-shaped cannot be read.
    """
    s = _join_daxie(to_simplified(to_halfwidth(text)))
    run = daxie_in(s)
    daxie = parse_daxie(run) if run else None
    without = s.replace(run, " ") if run else s
    figure = parse_figure(without)
    return figure, daxie


# ---------------------------------------------------------------- contacts
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{9,11}$")
_PHONE_CONFUSIONS = str.maketrans({"O": "0", "o": "0", "D": "0", "I": "1", "l": "1", "L": "1",
                                   "|": "1", "Z": "2", "S": "5", "$": "5", "B": "8"})


def normalise_phone(text: str) -> str:
    """+86 138-1234-5678 → 13812345678; 010-1234 5678 → 01012345678.

    Raises NormaliseError when what is left is not a mainland mobile or landline number."""
    s = to_halfwidth(text).strip()
    s = re.sub(r"^\(?(\+|00)\s*86\)?", "", s)
    s = re.sub(r"^\(0?86\)", "", s)
    digits = re.sub(r"[\s\-()./]", "", s)
    if not digits:
        raise NormaliseError("empty phone number", "phone_invalid", value="")
    if not digits.isdigit():
        raise NormaliseError(f"phone number holds non-digits: {digits!r}", "phone_invalid", value=digits)
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not (_MOBILE.match(digits) or _LANDLINE.match(digits)):
        raise NormaliseError(f"not a mobile or landline number: {digits}", "phone_invalid", value=digits)
    return digits


def phone_confusion_fix(text: str) -> str | None:
    """A phone read with letters OCR confuses for digits, corrected; None if that does not help."""
    s = to_halfwidth(text)
    fixed = s.translate(_PHONE_CONFUSIONS)
    if fixed == s:
        return None
    try:
        return normalise_phone(fixed)
    except NormaliseError:
        return None


_EMAIL = re.compile(r"^[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}$")
# what OCR and typists put for @ and for the dot: full-width and small forms, ©/® for a
# poorly printed @, the Chinese full stop and comma, a middle dot
_EMAIL_AT = ("＠", "﹫", "©", "®", "(a)", "(at)", "[at]")
_EMAIL_DOT = str.maketrans({"。": ".", "，": ".", ",": ".", "·": ".", "．": ".", "｡": "."})
# a gap OCR left between two letters or digits: nothing was read there, though something
# may be printed (an underscore lost on the form's underline, a dot, a hyphen)
_EMAIL_INNER_GAP = re.compile(r"(?<=[a-z0-9])\s+(?=[a-z0-9])")


def fold_email(text: str) -> tuple[str, bool]:
    """The address with OCR's and typists' forms folded (see _EMAIL_AT, _EMAIL_DOT), lower
    case, spaces out; and whether a space stood between two letters or digits (a
    character there may have been lost, so the caller flags it)."""
    s = to_halfwidth(text).strip().lower()
    for at in _EMAIL_AT:
        if "@" not in s and at in s:
            s = s.replace(at, "@", 1)
    s = s.translate(_EMAIL_DOT)
    s = re.sub(r"^(e-?mail|邮箱|电子邮箱|电子邮件)\s*[:：]?\s*", "", s)
    gap = bool(_EMAIL_INNER_GAP.search(s))
    return re.sub(r"\s+", "", s), gap


def normalise_email(text: str) -> str:
    """Lower case, no spaces, OCR's forms of @ and . folded; raises NormaliseError when it
    is not an address."""
    s, _gap = fold_email(text)
    if not _EMAIL.match(s):
        raise NormaliseError(f"not an e-mail address: {s!r}", "email_invalid", value=s)
    return s


# Mail providers most addresses on a Chinese form use: a domain one letter off one of
# these (qq.corn, l63.com, 126.c0m) is a misreading, and the provider is proposed.
MAIL_PROVIDERS = ("qq.com", "vip.qq.com", "foxmail.com", "163.com", "126.com", "yeah.net",
                  "vip.163.com", "vip.126.com", "sina.com", "sina.cn", "vip.sina.com", "sohu.com",
                  "139.com", "189.cn", "wo.cn", "aliyun.com", "tom.com", "21cn.com", "gmail.com",
                  "outlook.com", "hotmail.com", "live.com", "yahoo.com", "icloud.com", "me.com")
# the endings addresses in China have; another ending is as likely a misreading
COMMON_TLDS = ("com", "cn", "net", "org", "edu", "gov", "hk", "tw", "mo", "io", "co", "cc",
               "info", "biz", "me", "top", "vip", "xyz", "ltd", "tech", "site", "online", "shop",
               "club", "work", "ai", "app", "dev", "uk", "us", "jp", "sg", "de")


def email_domain_problem(address: str) -> tuple[str | None, str | None]:
    """(problem, proposed domain) for a domain that looks misread, else (None, None)."""
    domain = address.rsplit("@", 1)[-1]
    if domain in MAIL_PROVIDERS:
        return None, None
    near = [p for p in MAIL_PROVIDERS if _one_edit(domain, p)]
    if len(near) == 1:
        return Problem("email_domain_near", f"电子邮箱: domain {domain!r} is one letter off {near[0]!r}",
                       domain=domain, near=near[0]), near[0]
    tld = domain.rsplit(".", 1)[-1]
    if tld not in COMMON_TLDS:
        return Problem("email_tld_unusual", f"电子邮箱: the domain ending {tld!r} is unusual: check the reading",
                       tld=tld), None
    return None, None


def _one_edit(a: str, b: str) -> bool:
    """Whether a and b differ by one replaced, inserted or deleted character, or by one
    character read as two (m → rn)."""
    if a == b:
        return False
    if a.replace("rn", "m") == b or b.replace("rn", "m") == a:
        return True
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    if abs(len(a) - len(b)) != 1:
        return False
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))
