"""类型 on a business licence: the market-entity types the registration authorities print.

The 类型 line is not free text: it is one of a short list of enterprise types (the
registration authorities' classification). A reading is compared with that list after
folding script, width and brackets, so 有限责任公司(自然人独资 — the closing bracket lost at
a line end, as OCR often loses it — is still known for what it is. The value stays as
printed (script, characters); only a lost bracket is put back, since the list leaves no
doubt which one. A reading that is one or two characters off a known type keeps what was
read, is flagged, and the known type is proposed.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import opencc

from forms.text import clean_text, fold, to_simplified
from forms.model import Problem

_BASES = ("有限责任公司", "股份有限公司")
KNOWN_TYPES: tuple[str, ...] = (
    "有限责任公司", "其他有限责任公司", "股份有限公司", "其他股份有限公司",
    "有限责任公司（自然人独资）", "有限责任公司（自然人投资或控股）", "有限责任公司（法人独资）",
    "有限责任公司（非自然人投资或控股的法人独资）", "有限责任公司（自然人投资或控股的法人独资）",
    "有限责任公司（国有独资）", "有限责任公司（国有控股）", "有限责任公司（外商投资企业投资）",
    "有限责任公司（外商投资企业法人独资）", "有限责任公司（外商投资企业与内资合资）",
    "有限责任公司（外商投资企业合资）", "有限责任公司（外国法人独资）", "有限责任公司（外国自然人独资）",
    "有限责任公司（外国非法人经济组织独资）", "有限责任公司（台港澳法人独资）",
    "有限责任公司（台港澳自然人独资）", "有限责任公司（台港澳与境内合资）", "有限责任公司（台港澳合资）",
    "有限责任公司（台港澳与外国投资者合资）", "有限责任公司（中外合资）", "有限责任公司（中外合作）",
    "有限责任公司（港澳台投资、非独资）", "有限责任公司（外商投资、非独资）",
    "有限责任公司（港澳台法人独资）", "有限责任公司（港澳台自然人独资）",
    "股份有限公司（上市）", "股份有限公司（非上市）", "股份有限公司（上市、自然人投资或控股）",
    "股份有限公司（非上市、自然人投资或控股）", "股份有限公司（上市、国有控股）",
    "股份有限公司（非上市、国有控股）", "股份有限公司（中外合资、上市）", "股份有限公司（中外合资、未上市）",
    "股份有限公司（台港澳与境内合资、上市）", "股份有限公司（台港澳与境内合资、未上市）",
    "股份有限公司（外商投资、上市）", "股份有限公司（外商投资、未上市）",
    "股份有限公司（港澳台投资、上市）", "股份有限公司（港澳台投资、未上市）",
    "其他股份有限公司（上市）", "其他股份有限公司（非上市）",
    "有限责任公司分公司", "有限责任公司分公司（自然人独资）", "有限责任公司分公司（自然人投资或控股）",
    "有限责任公司分公司（法人独资）", "有限责任公司分公司（国有独资）", "其他有限责任公司分公司",
    "股份有限公司分公司", "股份有限公司分公司（上市）", "股份有限公司分公司（非上市）",
    "其他股份有限公司分公司（上市）", "其他股份有限公司分公司（非上市）",
    "外商投资企业分公司", "外国（地区）企业常驻代表机构",
    "个人独资企业", "个人独资企业分支机构", "合伙企业", "普通合伙企业", "特殊普通合伙企业",
    "有限合伙企业", "合伙企业分支机构", "外商投资合伙企业", "外商投资有限合伙企业", "外商投资普通合伙企业",
    "个体工商户", "农民专业合作社", "农民专业合作社分支机构", "农民专业合作社联合社",
    "全民所有制", "集体所有制", "股份制", "股份合作制", "联营", "全民所有制分支机构（非法人）",
    "集体分支机构（非法人）", "非公司私营企业", "非公司企业法人",
)

_T2S_SAFE = opencc.OpenCC("s2t")


def _key(text: str) -> str:
    """The comparison form: simplified, half-width, no spaces, one kind of bracket and
    list mark (OCR reads （ as ( or C, 、 as , or ,)."""
    f = fold(text).replace("[", "(").replace("]", ")").replace(",", "、").replace("，", "、")
    return f


def _no_brackets(text: str) -> str:
    return re.sub(r"[()]", "", text)


_BY_KEY = {_key(t): t for t in KNOWN_TYPES}
_BY_BARE = {}
for _t in KNOWN_TYPES:
    _BY_BARE.setdefault(_no_brackets(_key(_t)), []).append(_t)


@dataclass(frozen=True)
class TypeMatch:
    value: str  # what to report: as read, with a lost bracket put back
    known: str | None  # the known type it is (Simplified, full-width brackets)
    exact: bool  # equal to a known type once folded (brackets put back included)
    suggestion: str | None = None  # for a near miss: the known type, in the value's script
    problem: str | None = None


def match_entity_type(value: str) -> TypeMatch:
    key = _key(value)
    if key in _BY_KEY:
        return TypeMatch(value, _BY_KEY[key], True)
    bare = _no_brackets(key)
    cands = _BY_BARE.get(bare, [])
    if len(cands) == 1:
        fixed = _restore_brackets(value, cands[0])
        if fixed is not None:
            return TypeMatch(fixed, cands[0], True)
    # cut short (its wrapped end not read): the one known type it begins
    longer = [t for t in KNOWN_TYPES if len(bare) >= 8 and _no_brackets(_key(t)).startswith(bare)
              and _no_brackets(_key(t)) != bare]
    if len(longer) > 1:  # the start of several types: which one is not for us to guess
        return TypeMatch(value, None, False, problem=Problem("type_cut_short", f"类型 {value!r} is cut short: check the reading",
                                                        value=value))
    if len(longer) == 1:
        return TypeMatch(value, longer[0], False, suggestion=_in_script_of(value, longer[0]),
                         problem=Problem("type_cut_short_one", f"类型 {value!r} is cut short; the one known type it "
                                         f"begins is {_in_script_of(value, longer[0])!r}",
                                         value=value, known=_in_script_of(value, longer[0])))
    # a near miss: one or two characters misread, dropped or added
    scored = sorted(((difflib.SequenceMatcher(None, bare, _no_brackets(_key(t))).ratio(), t)
                     for t in KNOWN_TYPES), reverse=True)
    best_ratio, best = scored[0]
    second = scored[1][0] if len(scored) > 1 else 0.0
    if best_ratio >= 0.85 and best_ratio - second > 0.02:
        return TypeMatch(value, best, False, suggestion=_in_script_of(value, best),
                         problem=Problem("type_near", f"类型 {value!r} is not a known enterprise type; "
                                         f"nearest is {_in_script_of(value, best)!r}",
                                         value=value, known=_in_script_of(value, best)))
    return TypeMatch(value, None, False,
                     problem=None if _looks_like_type(bare) else
                     Problem("type_unknown", f"类型 {value!r} is not a known enterprise type: check the reading",
                             value=value))


def _restore_brackets(value: str, known: str) -> str | None:
    """The reading with the brackets the known type has and the reading lost, keeping the
    reading's characters (script) and its bracket width. None when the brackets the
    reading does have are not where the known type puts them."""
    full = "（" in value or "）" in value or not ("(" in value or ")" in value)
    chars = [c for c in value if not c.isspace()]
    out: list[str] = []
    i = 0
    for k in known:
        if k in "（）":
            if i < len(chars) and chars[i] in "（）()":
                out.append(chars[i])
                i += 1
            else:
                out.append(k if full else {"（": "(", "）": ")"}[k])
            continue
        if i < len(chars) and chars[i] in "（）()":
            return None  # a bracket where the known type has none
        if i >= len(chars):
            return None
        out.append(chars[i])
        i += 1
    if i != len(chars):
        return None
    return "".join(out)


def _in_script_of(value: str, known: str) -> str:
    traditional = to_simplified(value) != value
    return clean_text(_T2S_SAFE.convert(known) if traditional else known)


def _looks_like_type(bare: str) -> bool:
    """Some types are new or local; a reading that names a company form is not doubted."""
    return any(w in bare for w in ("公司", "企业", "合作社", "个体", "所有制", "机构", "合伙"))


__all__ = ["KNOWN_TYPES", "match_entity_type", "TypeMatch"]
