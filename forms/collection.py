"""客户信息收集表: every company prints its own, so only the labels are relied on."""
from __future__ import annotations

from forms import codes
from forms.layout import CODE_SHAPE, DATE_SHAPE, Found, Labels, TextLine, find_values
from forms.model import FieldValue
from forms.values import (as_code, as_date, as_email, as_phone, as_text, confirmed_elsewhere,
                          first_good, flag_labels_inside, make)
from forms.text import fold

LABELS = Labels("collection_form", {
    "customer_name": ["客户名称", "单位名称", "企业名称", "公司名称", "客户姓名", "姓名", "名称"],
    "customer_type": ["客户类型", "客户类别"],
    "uscc": ["统一社会信用代码", "社会信用代码", "信用代码"],
    "id_number": ["身份证号码", "身份证号", "证件号码", "身份证"],
    "contact_person": ["联系人"],
    "phone": ["联系电话", "电话", "手机号码", "手机", "联系方式"],
    # E-mail's l is read as 1 or I as often as in the address itself
    "email": ["电子邮箱", "电子邮件", "邮箱", "E-MAIL", "EMAIL", "E-MAI1", "EMAI1", "E-MAII"],
    "address": ["联系地址", "通讯地址", "地址"],
    "industry": ["所属行业", "行业"],
    "source_channel": ["信息来源", "来源渠道"],
    "needs": ["需求描述", "客户需求"],
    "collected_by": ["收集人", "填表人"],
    "collected_on": ["收集日期", "填表日期"],
    "_remarks": ["备注", "签字", "签名"],
}, multiline=("needs", "address", "customer_name"),
   shapes={"uscc": CODE_SHAPE, "id_number": CODE_SHAPE, "collected_on": DATE_SHAPE,
           "phone": r"\d\s?\d\s?\d", "email": r"[@＠﹫©®]|\w\s*\(at\)\s*\w"})

_TICKED = "☑☒✓✔√■●◉▣⊠✗✘xX×"
_UNTICKED = "□☐○◯▢口"
_OPTIONS = {"individual": ("个人", "自然人"), "enterprise": ("企业", "单位", "公司", "法人")}


def parse_customer_type(text: str) -> str | None:
    """个人 / 企业 as ticked on the form (☑ or ■ or √ before the word, or √ after it), or
    written alone."""
    s = fold(text)
    spots = {kind: [(s.find(w), w) for w in words if s.find(w) >= 0] for kind, words in _OPTIONS.items()}
    spots = {k: v[0] for k, v in spots.items() if v}
    # 个人√ 企业: a tick after a word belongs to it, not to the word that follows
    after = [k for k, (i, w) in spots.items() if s[i + len(w):i + len(w) + 1] in tuple("✓✔√")]
    if len(after) == 1:
        return after[0]
    marks: dict[str, str] = {}
    for kind, (i, w) in spots.items():
        before = s[i - 1] if i > 0 else ""
        if before and before in _TICKED:
            marks[kind] = "ticked"
        elif before and before in _UNTICKED:
            marks[kind] = "empty"
        else:
            marks[kind] = "bare"
    ticked = [k for k, m in marks.items() if m == "ticked"]
    if len(ticked) == 1:
        return ticked[0]
    # OCR often turns the tick into some other glyph but reads the empty box as 口/□
    not_empty = [k for k, m in marks.items() if m != "empty"]
    if len(marks) == 2 and len(not_empty) == 1:
        return not_empty[0]
    if len(marks) == 1 and list(marks.values())[0] == "bare":
        return next(iter(marks))
    return None


def extract(lines: list[TextLine]) -> tuple[dict[str, FieldValue], list[str]]:
    found = find_values(lines, LABELS)
    fields: dict[str, FieldValue] = {}
    problems: list[str] = []

    def pick(key, conv):
        v = first_good([conv(f) for f in found.get(key, [])])
        if v is not None:
            fields[key] = v

    for key, kind in (("customer_name", "org"), ("contact_person", "person"), ("address", "address"),
                      ("industry", "text"), ("source_channel", "text"), ("needs", "text"),
                      ("collected_by", "person")):
        pick(key, lambda f, kind=kind: as_text(f, kind))
    flag_labels_inside(fields, ("customer_name", "contact_person", "address", "industry",
                                "source_channel", "needs", "collected_by"), LABELS.table)
    pick("uscc", lambda f: as_code(f, codes.check_uscc))
    pick("id_number", lambda f: as_code(f, codes.check_id_number))
    for key, valid in (("uscc", codes.is_valid_uscc), ("id_number", codes.is_valid_id_number)):
        if key in fields:
            fields[key] = confirmed_elsewhere(fields[key], key, lines, valid)
    pick("phone", as_phone)
    pick("email", as_email)
    pick("collected_on", lambda f: as_date(f, "收集日期"))

    ctype = _customer_type(found.get("customer_type", []), lines)
    inferred = _infer_type(fields)
    if ctype is not None:
        fv, kind = ctype
        if inferred and inferred != kind:
            p = f"客户类型 is ticked {kind} but the identity on the form is {inferred}'s"
            fields["customer_type"] = make(fv, kind, problems=(p,))
            problems.append(p)
        else:
            fields["customer_type"] = make(fv, kind)
    elif inferred:
        # no readable tick: the identity code printed on the form says which it is
        fields["customer_type"] = FieldValue(inferred, 0.75, ("客户类型: no tick read; inferred "
                                                             "from the identity on the form",))
    return fields, problems


def _customer_type(founds: list[Found], lines: list[TextLine]):
    for f in founds:
        kind = parse_customer_type(f.raw)
        if kind:
            return f, kind
    # the options may be in boxes of their own beside the label
    for f in founds:
        row = [t for t in lines if t.page == f.page and t is not f.label_line
               and abs((t.box.y0 + t.box.y1) / 2 - (f.label_line.box.y0 + f.label_line.box.y1) / 2)
               < 0.6 * f.label_line.height and t.box.x0 > f.label_line.box.x0]
        row.sort(key=lambda t: t.box.x0)
        kind = parse_customer_type(" ".join(t.text for t in row))
        if kind:
            return Found(f.key, f.label, " ".join(t.text for t in row), tuple(row),
                         f.label_line, "right"), kind
    return None


def _infer_type(fields: dict[str, FieldValue]) -> str | None:
    if "uscc" in fields and not fields["uscc"].problems:
        return "enterprise"
    if "id_number" in fields and not fields["id_number"].problems:
        return "individual"
    return None


__all__ = ["extract", "parse_customer_type", "LABELS"]
