"""合同: title, number, the two parties, amount (figure and 大写), dates, signatories."""
from __future__ import annotations

import re

from forms.layout import DATE_SHAPE, MONEY_SHAPE, Found, Labels, LabelHit, TextLine, find_values
from forms.model import FieldValue, Problem
from forms.text import clean_text, fold
from forms.values import as_date, as_money, as_period, first_good, flag, is_date, make

# The roles contracts print for their parties (a purchase contract's 买方/卖方 or 供方/需方,
# a design contract's 委托方/设计方, the Civil Code's 买受人/出卖人). Which is 甲方 is the
# convention below, unless the contract says so itself: 供方（甲方） (see _bracketed_role).
PARTY_A = ["甲方", "买方", "委托方", "委托人", "发包方", "发包人", "出租方", "需方", "买受人", "定作方",
           "定作人"]
PARTY_B = ["乙方", "卖方", "受托方", "受托人", "承包方", "承包人", "承租方", "供方", "设计方", "设计人",
           "出卖人", "研究开发人", "承揽方", "承揽人", "服务方"]
SIGNATORY = ["授权代表", "法定代表人", "法人代表", "委托代理人", "代表人", "签字代表"]

LABELS = Labels("contract", {
    "contract_no": ["合同编号", "合同号", "协议编号", "编号"],
    "party_a": PARTY_A,
    "party_b": PARTY_B,
    "amount": ["合同金额", "总金额", "合同总价", "合同总额", "合同价款", "合同总金额"],
    "_daxie": ["大写金额", "人民币大写", "大写"],
    "signed_on": ["签订日期", "签约日期", "签署日期", "签订时间", "签约时间", "签署时间"],
    "_period": ["合同期限", "有效期限", "有效期", "服务期限", "合作期限"],
    "_signatory": SIGNATORY,
    "_other": ["地址", "住所", "联系电话", "电话", "开户行", "账号", "统一社会信用代码", "日期",
               "签订地点", "邮编", "传真"],
}, multiline=(), shapes={"signed_on": DATE_SHAPE, "_period": DATE_SHAPE, "amount": MONEY_SHAPE})

_ORG_SUFFIX = re.compile(r"(公司|集团|中心|研究院|研究所|学院|大学|医院|厂|店|事务所|合作社|协会|"
                         r"银行|分行|支行|局|委员会|部|工作室|商行|有限合伙\))$")
_ROLE_PREFIX = re.compile(r"^\s*[（(][^）)]{0,12}[）)]")
_SIGN_WORDS = re.compile(r"[（(]?\s*(签字|签名|签章|盖章|公章|签字或盖章|盖章或签字)\s*[）)]?\s*[:：]?")


def _party_name(found: Found) -> str | None:
    raw = found.raw
    m = _ROLE_PREFIX.match(raw)
    had_colon = False
    if m:
        raw = raw[m.end():]
    raw = _SIGN_WORDS.sub("", raw)
    if re.match(r"^\s*[:：]", raw) or found.how != "same_line":
        had_colon = True
    name = clean_text(raw)
    name = re.sub(r"^[（(][^）)]{0,12}[）)]", "", name).strip(" :：")
    # 武汉某设计院有限公司（证书编号：…）（以下称乙方）: what follows the name in brackets (a
    # certificate, 以下称…) is not the name; the next label cut it off before it closed
    name = re.sub(r"[（(](以下|下称|简称|证书|资质|统一社会信用代码|证号)[^（(]*$", "", name).strip(" :：,，")
    if not name or len(name) > 40 or re.search(r"[，。,；;！？]", name):
        return None
    if not had_colon and not _ORG_SUFFIX.search(name) and len(name) > 4:
        return None  # 甲方应于… is a clause, not a party line
    if re.match(r"^(应|须|需|在|将|不|有权|同意|负责|按|向|对|为|的|与|和)", name):
        return None
    return name


def looks_like_org(name: str) -> bool:
    return bool(_ORG_SUFFIX.search(fold(name).replace("(", "").replace(")", ""))) or len(name) > 6


def _title(lines: list[TextLine]) -> tuple[str, TextLine] | None:
    first_page = [t for t in lines if t.page == min(t.page for t in lines)] if lines else []
    best = None
    for t in first_page[:12]:
        f = t.folded.strip("《》")
        if not re.search(r"(合同|协议|合同书|协议书)(\(.{1,6}\))?$", f) or len(f) > 30:
            continue
        if LABELS.starts_with_label(t) or re.search(r"[:：，。]", t.text):
            continue
        if best is None or t.height > best.height * 1.1:
            best = t
    if best is None:
        return None
    return clean_text(best.text).strip("《》"), best


def extract(lines: list[TextLine]) -> tuple[dict[str, FieldValue], list[str], str | None]:
    found = find_values(lines, LABELS)
    fields: dict[str, FieldValue] = {}
    problems: list[str] = []

    t = _title(lines)
    title = None
    if t:
        title, tl = t
        fields["title"] = make(Found("title", "", tl.text, (tl,), tl, "same_line"), title)

    _bracketed_role(found)
    nos = [f for f in found.get("contract_no", []) if _own_number_label(f)]
    for f in nos:
        no = clean_text(f.raw).replace(" ", "")
        if no and re.search(r"\d", no):
            fields["contract_no"] = make(f, no)
            break

    for key in ("party_a", "party_b"):
        for f in found.get(key, []):
            name = _party_name(f)
            if name:
                fields[key] = make(f, name)
                break

    daxie = (found.get("_daxie") or [None])[0]
    amounts = []
    for f in found.get("amount", []):
        fv, doc_problems = as_money(f, "合同金额", daxie, require_agreement=True)
        if fv is not None:
            amounts.append((fv, doc_problems))
    if amounts:
        fv, doc_problems = next(((a, p) for a, p in amounts if not a.problems), amounts[0])
        fields["amount"] = fv
        problems += doc_problems
    elif daxie is not None:
        # no 合同金额 label (研究开发经费和报酬（大写）贰佰伍拾万元): the 大写 line is the only
        # amount the contract names; nothing checks it, and its label is not ours
        fv, _ = as_money(daxie, "合同金额", require_agreement=True)
        if fv is not None and not fv.problems and re.search(r"[1-9]", fv.value):
            fields["amount"] = flag(fv, f"no 合同金额 label: the amount is the 大写 figure after "
                                        f"{clean_text(daxie.label_line.text)[:30]!r}")

    v = first_good([as_date(f, "签订日期") for f in found.get("signed_on", [])])
    if v is not None:
        fields["signed_on"] = v
    for f in found.get("_period", []):
        start, end = as_period(f, "合同期限")
        if start is not None:
            fields["start_on"] = start
            if end is not None:
                fields["end_on"] = end
            break

    fields.update(_signatories(lines, found))

    s, e = fields.get("start_on"), fields.get("end_on")
    if s and e and is_date(s.value) and is_date(e.value) and s.value > e.value:
        p = Problem("period_reversed", "合同期限 ends before it starts")
        fields["end_on"] = flag(e, p)
        problems.append(p)
    a, b = fields.get("party_a"), fields.get("party_b")
    if a and b and fold(a.value) == fold(b.value):
        problems.append(Problem("parties_same", "甲方 and 乙方 are the same name"))
    return fields, problems, title


def _own_number_label(f: Found) -> bool:
    """A number is the contract's only when its label says so: 编号 alone counts where it
    stands as a label (opening a line or a cell), not as the end of another word
    (证书编号：1158…（以下称乙方 is a designer's certificate, 登记编号 a registry's)."""
    if f.label != "编号":
        return True
    tl = f.label_line
    for m in re.finditer("编号", tl.folded):
        s = m.start()
        if s == 0 or tl.fmap[s] - tl.fmap[s - 1] > 1 or not _is_cjk(tl.folded[s - 1]):
            return True
    return False


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


_ROLE_IN_BRACKETS = re.compile(r"^\((甲方|乙方)\)")


def _bracketed_role(found: dict[str, list[Found]]) -> None:
    """供方（甲方）：… — a party label qualified by 甲方 or 乙方 in brackets is that party,
    whichever side its role word usually stands on: the contract says which it is."""
    moved: dict[str, list[Found]] = {"party_a": [], "party_b": []}
    for key in ("party_a", "party_b"):
        keep = []
        for f in found.get(key, []):
            tl = f.label_line
            at = tl.folded.find(fold(f.label))
            m = _ROLE_IN_BRACKETS.match(tl.folded[at + len(fold(f.label)):]) if at >= 0 else None
            role = {"甲方": "party_a", "乙方": "party_b"}.get(m.group(1)) if m else None
            if role is not None and role != key:
                moved[role].append(Found(role, f.label, f.raw, f.lines, f.label_line, f.how, f.label_x))
            else:
                keep.append(f)
        found[key] = keep
    for key, fs in moved.items():
        if fs:
            found[key] = fs + found.get(key, [])


_MAIN_SIGNATORY = ("授权代表", "法定代表人", "法人代表", "签字代表")


def _signatories(lines: list[TextLine], found) -> dict[str, FieldValue]:
    """授权代表 / 法定代表人 under each party: the party whose label stands above it in the
    same column (two-column signature block) or most recently before it on its page (one
    after the other). The last one read wins, since signature blocks close the contract.

    A signature page with no party label read on it (the role printed vertically, one
    character a line, or not read) is assigned by the order of its blocks, 甲方's first as
    contracts print them, and flagged: that is a convention, not something read."""
    anchors = [(hit.key, hit) for tl in lines for hit in _party_anchors(tl)]
    out: dict[str, FieldValue] = {}
    sureness: dict[str, int] = {}
    order = {id(t): i for i, t in enumerate(lines)}
    unsure: list[tuple[Found, str]] = []
    for f in found.get("_signatory", []):
        name = clean_text(_SIGN_WORDS.sub("", f.raw)).strip(" :：")
        name = re.sub(r"^[（(][^）)]{0,12}[）)]", "", name).strip(" :：")
        if not name or len(name) > 12 or re.search(r"[，。,；;]", name) or re.search(r"\d", name):
            continue
        lab = f.label_line
        x = f.label_x
        before = [(k, h) for k, h in anchors if h.tl.page == lab.page and
                  order[id(h.tl)] <= order[id(lab)]]
        if not before:
            unsure.append((f, name))
            continue
        page_w = max(t.box.x1 for t in lines if t.page == lab.page) or 1.0
        same_col = [(k, h) for k, h in before if abs(h.tl.char_x(h.start) - x) < 0.2 * page_w]
        pool = same_col or before
        key, _ = max(pool, key=lambda kh: (kh[1].tl.page, kh[1].tl.box.y0, order[id(kh[1].tl)]))
        sig_key = "signatory_a" if key == "party_a" else "signatory_b"
        # a signatory whose party label stands in another column (that label was not read)
        # is a guess: it never overrides one found under its own party's label
        sure = 2 if same_col else 1
        if sureness.get(sig_key, 0) > sure:
            continue
        sureness[sig_key] = sure
        out[sig_key] = make(f, name)
    blocks = _blocks(unsure)
    if len(blocks) == 2:
        for sig_key, block, party in zip(("signatory_a", "signatory_b"), blocks, ("甲方", "乙方")):
            if sig_key in out:
                continue
            f, name = next(((f, n) for f, n in block if f.label in _MAIN_SIGNATORY), block[0])
            out[sig_key] = make(f, name, problems=(Problem(
                "signatory_by_order", f"no 甲方/乙方 label read beside this signature block: taken as {party}'s "
                "by the order the blocks are printed in", party=party),))
    return out


def _blocks(signatories: list[tuple[Found, str]]) -> list[list[tuple[Found, str]]]:
    """Signatories in reading order, cut into signature blocks: a label seen again (a
    second 法定代表人) opens the next block."""
    blocks: list[list[tuple[Found, str]]] = []
    seen: set[str] = set()
    for f, name in signatories:
        if not blocks or f.label in seen:
            blocks.append([])
            seen = set()
        blocks[-1].append((f, name))
        seen.add(f.label)
    return blocks


def _party_anchors(tl: TextLine) -> list[LabelHit]:
    """甲方 / 乙方 labels that head a party's lines (甲方（盖章）：, 乙方：某公司), not the
    words of a clause that happen to stand between gaps (收，由 甲方 出具…)."""
    hits = LABELS.hits(tl)
    out = []
    for k, hit in enumerate(hits):
        if hit.key not in ("party_a", "party_b"):
            continue
        nxt = hits[k + 1].start if k + 1 < len(hits) else None
        raw = tl.original(hit.end, nxt)
        rest = raw.strip(" :：;；,，、|_")
        if (not rest or _SIGN_WORDS.fullmatch(rest)
                or _party_name(Found(hit.key, hit.label, raw, (tl,), tl, "same_line")) is not None):
            out.append(hit)
    return out
