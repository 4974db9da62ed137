"""营业执照: both the 2019 two-column layout and the older one-column one.

Both print each label beside or above its value, so one label table reads both; the
two-column layout only needs the right-hand neighbour search to stop at the next label.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Sequence

from forms import codes, divisions
from forms.layout import _proportional, CODE_SHAPE, DATE_SHAPE, MONEY_SHAPE, Found, Labels, TextLine, find_values
from forms.entity_types import match_entity_type
from forms.model import FieldValue, Problem
from ocr.extraction import Seal
from forms.text import clean_text, fold
from forms.normalize import NormaliseError, find_dates
from forms.values import (PROPOSED, _failed, as_code, as_date, as_money, as_term_end, as_text, confirmed_elsewhere,
                          first_good, flag, flag_labels_inside, is_date, make, text_value)

LABELS = Labels("business_license", {
    "uscc": ["统一社会信用代码", "社会信用代码", "信用代码"],
    "name": ["名称", "企业名称"],
    "entity_type": ["类型", "主体类型", "企业类型", "公司类型"],
    # 法定代表人姓名 on the older 工商 format: its own label, or 姓名 becomes the value
    "legal_representative": ["法定代表人姓名", "法定代表人", "负责人", "经营者", "执行事务合伙人", "投资人"],
    "registered_capital": ["注册资本", "注册资金", "出资额", "资金数额"],
    "established_on": ["成立日期", "注册日期"],
    "term_end": ["营业期限", "经营期限", "合伙期限"],
    "address": ["住所", "经营场所", "主要经营场所", "营业场所"],  # 营业场所: a branch's
    "business_scope": ["经营范围"],
    "registration_authority": ["登记机关"],
    # not fields, but labels whose values must not be taken for someone else's
    "_licence_no": ["证照编号", "注册号", "编号"],
    "_other": ["组成形式", "实收资本"],
}, multiline=("business_scope", "address", "name", "entity_type", "term_end"), run_on=True,
   shapes={"uscc": CODE_SHAPE, "established_on": DATE_SHAPE, "registered_capital": MONEY_SHAPE})


def extract(lines: list[TextLine], seals: Sequence[tuple[int, Seal]] = ()
            ) -> tuple[dict[str, FieldValue], list[str]]:
    """The licence's fields from its lines; `seals` are the (page, seal) rings ocr read,
    evidence for 登记机关 (see _authority)."""
    found = find_values(lines, LABELS)
    fields: dict[str, FieldValue] = {}
    problems: list[str] = []

    def pick(key, conv):
        vals = [conv(f) for f in found.get(key, [])]
        v = first_good(vals)
        if v is not None:
            fields[key] = v

    pick("uscc", lambda f: as_code(f, codes.check_uscc))
    if "uscc" not in fields:
        fields.update(_uscc_anywhere(lines))
    else:
        fields["uscc"] = confirmed_elsewhere(fields["uscc"], "uscc", lines, codes.is_valid_uscc)
    _type_under_the_name(found)
    for key, kind in (("name", "org"), ("entity_type", "entity_type"),
                      ("legal_representative", "person"), ("address", "address"),
                      ("business_scope", "text")):
        pick(key, lambda f, kind=kind: as_text(f, kind))
    flag_labels_inside(fields, ("name", "entity_type", "legal_representative", "address",
                                "business_scope"), LABELS.table)
    pick("registered_capital", lambda f: as_money(f, "注册资本")[0])
    pick("established_on", lambda f: as_date(f, "成立日期"))
    pick("term_end", as_term_end)

    authority = [f for f in found.get("registration_authority", [])]
    for f in authority:
        name = re.sub(r"\d{4}\s*年.*$", "", text_value(f)).strip()
        # 年 月 日 printed below the label, the figures not read: no name either
        if name and not _date_chars_only(name):
            fields["registration_authority"] = make(f, name)
            break
    authority_lines = [tl for tl in lines
                       if any(h.key == "registration_authority" for h in LABELS.hits(tl))]
    issued = _issued_on(lines, authority_lines, fields)
    if issued is not None:
        fields["issued_on"] = issued
    elif authority_lines:
        # the date is printed under 登记机关 on every licence: not read means covered (a
        # photocopied seal is as dark as the print) or lost, and the reviewer types it
        problems.append(Problem("issued_on_covered",
                                "登记日期 not read under 登记机关: the seal may cover it; type it from the page"))
    # after the issue date: the seal's box covers the date's line, which the date search
    # would otherwise take for a line some other field was read from
    from_ring = _authority(fields, seals)
    _division_checks(fields, from_ring, _registration_no(found))

    est, iss, end = (fields.get(k) for k in ("established_on", "issued_on", "term_end"))
    if est and iss and is_date(est.value) and is_date(iss.value) and est.value > iss.value:
        p = Problem("established_after_issued", "成立日期 is after the date the licence was issued")
        fields["issued_on"] = flag(iss, p)
        problems.append(p)
    start = _term_start(found)
    if est and start and is_date(est.value) and start != est.value:
        # the term runs from the day the enterprise was established: two readings of one
        # date that differ mean one of them is misread (a digit under the seal's edge)
        p = Problem("term_start_disagrees", f"营业期限 starts {start} but 成立日期 reads {est.value}: one of them "
                    "is misread", start=start, established=est.value)
        fields["established_on"] = flag(est, p)
        problems.append(p)
    if est and end and is_date(est.value) and is_date(end.value) and end.value < est.value:
        p = Problem("term_before_established", "营业期限 ends before 成立日期")
        fields["term_end"] = flag(end, p)
        problems.append(p)
    return fields, problems


_COMPLETE_NAME = re.compile(r"(公司|企业|合作社|中心|厂|店|部|社|所|行|馆|\))$")


def _type_under_the_name(found: dict[str, list[Found]]) -> None:
    """名称's value seemingly wrapping onto a line that is an enterprise type
    (股份有限公司（非上市）) after a name that is already whole (…有限公司): that line is
    类型's value, whose label OCR did not read. The name stops above it, and it becomes
    类型 if 类型 was not found (the list of enterprise types is what identifies it; a
    near miss is flagged as any 类型 reading is)."""
    names = found.get("name", [])
    for n, f in enumerate(names):
        parts = f.raw.split("\n")
        if len(parts) != len(f.lines) or len(parts) < 2:
            continue
        for j in range(1, len(parts)):
            # only after a name already complete: 北京星河科技 / 股份有限公司 is one name
            if not _COMPLETE_NAME.search(fold(clean_text("".join(parts[:j])))):
                continue
            m = match_entity_type(clean_text(parts[j]))
            if m.known is None or not (m.exact or m.suggestion):
                continue
            names[n] = Found(f.key, f.label, "\n".join(parts[:j]), f.lines[:j], f.label_line,
                             f.how, f.label_x)
            if not found.get("entity_type"):
                first = f.lines[j]
                found["entity_type"] = [Found("entity_type", "", "\n".join(parts[j:]), f.lines[j:],
                                              first, "below", first.box.x0)]
            break


def _term_start(found: dict[str, list[Found]]) -> str | None:
    for f in found.get("term_end", []):
        try:
            dates = find_dates(f.raw)
        except NormaliseError:
            return None
        if dates:
            return dates[0][2]
    return None


def _date_chars_only(text: str) -> bool:
    return len(re.sub(r"[\d年月日\s.\-/〇○零一二三四五六七八九十]", "", text)) == 0


def _issued_on(lines: list[TextLine], authority_lines: list[TextLine], fields) -> FieldValue | None:
    """The date printed under 登记机关 (the seal sits over it, so look a few lines down)."""
    for lab in authority_lines:
        h = lab.height
        below = [t for t in lines if t.page == lab.page and t is not lab
                 and -0.5 * h <= t.box.y0 - lab.box.y0 <= 8 * h
                 and t.box.x1 > lab.box.x0 - 3 * h]
        below.sort(key=lambda t: (t.box.y0, t.box.x0))
        for t in [lab] + below:
            try:
                dates = find_dates(t.text)
            except NormaliseError as exc:
                return make(Found("issued_on", "登记机关", t.text, (t,), lab, "below"), t.text.strip(),
                            problems=(_failed("登记日期", exc),))
            if dates:
                return make(Found("issued_on", "登记机关", t.text, (t,), lab, "below"), dates[-1][2])
        for text, row in _stitched_rows(below, h):
            try:
                dates = find_dates(text)
            except NormaliseError as exc:
                return make(Found("issued_on", "登记机关", text, row, lab, "below"), text,
                            problems=(_failed("登记日期", exc),))
            if dates:
                return make(Found("issued_on", "登记机关", text, row, lab, "below"), dates[-1][2])
    # No 登记机关 label read (the seal may cover it): the last date on the page that is
    # no other field's, if it stands on a line of its own near the bottom.
    used_boxes = {(fv.page, fv.box) for fv in fields.values() if fv.box is not None}
    for t in reversed(lines):
        if any(b is not None and b.y0 <= t.box.y0 <= b.y1 and p == t.page for p, b in used_boxes):
            continue
        if not _date_chars_only(t.text):
            continue
        try:
            dates = find_dates(t.text)
        except NormaliseError as exc:  # a date with a digit lost: the reviewer sees what was read
            return make(Found("issued_on", "", t.text, (t,), t, "below"), t.text.strip(),
                        problems=(_failed("登记日期", exc),))
        if dates:
            return make(Found("issued_on", "", t.text, (t,), t, "below"), dates[-1][2], factor=0.8)
    return None


def _stitched_rows(lines: list[TextLine], h: float) -> list[tuple[str, tuple[TextLine, ...]]]:
    """Rows whose text OCR cut into boxes, put back together character by character.

    Older licences print 年 月 日 on the form and the office's printer fills the figures in
    a little lower: OCR reads 年月日 as one box and 2019, 01, 01 as three others. Every
    character placed by its position along its box, the row reads 2019年01月01日 again."""
    rows: list[list[TextLine]] = []
    for t in sorted(lines, key=lambda t: (t.box.y0 + t.box.y1) / 2):
        mid = (t.box.y0 + t.box.y1) / 2
        if rows and abs(mid - sum((o.box.y0 + o.box.y1) / 2 for o in rows[-1]) / len(rows[-1])) < 0.9 * h:
            rows[-1].append(t)
        else:
            rows.append([t])
    out = []
    for row in rows:
        if len(row) < 2:
            continue
        chars = []
        for t in row:
            text = t.text
            for i, ch in enumerate(t.folded):
                o = t.fmap[i]  # the character's own cell, not the gap after it
                x0 = _proportional(text, o, t.box.x0, t.box.width)
                x1 = _proportional(text, o + 1, t.box.x0, t.box.width)
                chars.append(((x0 + x1) / 2, ch))
        out.append(("".join(ch for _, ch in sorted(chars, key=lambda c: c[0])), tuple(row)))
    return out


def _uscc_anywhere(lines: list[TextLine]) -> dict[str, FieldValue]:
    """A code the label search missed (label misread): an 18-character run that validates."""
    for t in lines:
        for m in re.finditer(r"[0-9A-Z]{18}", codes.compact_code(t.text)):
            if codes.is_valid_uscc(m.group(0)):
                return {"uscc": make(Found("uscc", "", m.group(0), (t,), t, "same_line"),
                                     m.group(0), factor=0.9)}
    return {}


# what a seal's ring says after the authority's name: the seal's purpose and its number
_RING_TAIL = re.compile(r"(登记专用章|业务专用章|专用章|之印|印章|\(?[0-9A-Z]{6,}\)?)$")
_AUTHORITY = re.compile(r"(局|工商|市场监督|行政审批|管理委员会|委员会)")


def _ring_authority(seals: Sequence[tuple[int, Seal]]) -> tuple[int, Seal, str] | None:
    for page, seal in seals:
        name = clean_text(seal.text).replace(" ", "")
        for _ in range(2):
            name = _RING_TAIL.sub("", name)
        if len(name) >= 5 and _AUTHORITY.search(fold(name)):
            return page, seal, name
    return None


def _seal_value(page: int, seal: Seal, name: str) -> FieldValue:
    conf = seal.confidence * 0.9  # curved text, read once: never as sure as a printed line
    return FieldValue(name, round(conf, 4), (), None, page, seal.box)


def _authority(fields: dict[str, FieldValue], seals: Sequence[tuple[int, Seal]]) -> bool:
    """登记机关 from the print under the seal, cross-checked with the seal's ring.

    What the page prints wins; the ring confirms it or, when they differ, flags it with
    the ring's reading as the evidence (either may be misread). With nothing printed (or
    nothing read under the seal) the ring's name is the value, flagged unless the
    USCC's division agrees with it (_division_checks)."""
    ring = _ring_authority(seals)
    if ring is None:
        return False
    page, seal, name = ring
    read = fields.get("registration_authority")
    if read is None:
        fields["registration_authority"] = _seal_value(page, seal, name)
        return True
    a, b = fold(read.value), fold(name)
    if not (a == b or (len(a) >= 5 and (a in b or b in a))):
        fields["registration_authority"] = flag(read, f"登记机关 printed {read.value!r} but the seal's "
                                                      f"ring reads {name!r}: check which is right")
    return False


def _registration_no(found: dict[str, list[Found]]) -> FieldValue | None:
    """The older 工商 format's 15-digit 注册号: not a field of FIELDS.md, but its first six
    digits are the registering authority's division, as a USCC's characters 3–8 are."""
    for f in found.get("_licence_no", []):
        if f.label != "注册号":
            continue
        m = re.search(r"(?<!\d)\d{15}(?!\d)", codes.compact_code(f.raw))
        if m:
            return make(f, m.group(0))
    return None


def _division_checks(fields: dict[str, FieldValue], from_ring: bool,
                     reg_no: FieldValue | None = None) -> None:
    """Characters 3–8 of the USCC name the registering authority's division (GB/T 2260):
    the authority and the address must be in it. With no authority read, one is proposed
    from the code, flagged: a proposal, not a reading."""
    code = fields.get("uscc")
    if code is None or code.problems:
        code = reg_no  # an old licence: its 注册号 names the division too
    div = divisions.code_division(code.value) if code is not None and not code.problems else None
    which = "注册号" if code is not None and code is reg_no else "USCC"
    auth = fields.get("registration_authority")
    if auth is not None:
        verdict = divisions.agrees(auth.value, div) if div is not None else None
        if verdict is False:
            fields["registration_authority"] = flag(
                auth, Problem("authority_outside_division",
                              f"登记机关 {auth.value!r} is not in {''.join(div.names)}, where the {which}'s "
                              f"division code {div.code} says it was registered",
                              value=auth.value, places="".join(div.names), code_name=which, division=div.code))
        elif from_ring and not (verdict is True and divisions.authority_in_form(auth.value, div)):
            # a curved reading is trusted only when it is exactly the code's own places
            # and a kind of authority: one misread character breaks that
            fv = flag(auth, Problem("authority_from_ring", "登记机关 read only from the seal's curved ring, "
                                    "with nothing printed under it to confirm it"))
            near = divisions.nearest_authority(auth.value, div) if div is not None else None
            if near is not None and near != auth.value:
                fv = replace(fv, suggestion=near, problems=fv.problems + (
                    Problem("authority_near_ring", f"the code's division and a kind of authority give {near!r}, "
                            "a few characters from the ring's reading", suggestion=near),),
                    confidence=min(fv.confidence, PROPOSED))
            fields["registration_authority"] = fv
    elif div is not None and code is not None:
        issued = fields.get("issued_on")
        # a licence re-issued later names the authority of its day: only the issue date
        # tells; an old 注册号 licence was issued before the reform
        when = issued.value if issued and is_date(issued.value) else (
            "2000-01-01" if code is reg_no else None)
        proposal = divisions.proposed_authority(div, when)
        fields["registration_authority"] = FieldValue(
            proposal, 0.3, (Problem("authority_proposed", f"登记机关 not read: proposed from the {which}'s "
                                    f"division code {div.code} ({''.join(div.names)})", code_name=which,
                                    division=div.code, places="".join(div.names)),), proposal, code.page, code.box)
    addr = fields.get("address")
    if addr is not None and div is not None and divisions.agrees(addr.value, div) is False:
        fields["address"] = flag(addr, Problem(
            "address_outside_division", f"the address is not in {''.join(div.names)}, where the {which}'s "
            f"division code {div.code} says it was registered", places="".join(div.names), code_name=which,
            division=div.code))
