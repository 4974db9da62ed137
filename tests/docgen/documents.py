"""Labelled documents for the forms room: business licences, contracts, collection forms.

Each generated document carries its ground truth, the field dict of FIELDS.md exactly as
forms should return it (text fields as printed; `clean_text` is the only normalisation a
comparison applies to them). A page is laid out once, in millimetres, and can then be
rendered as an image (for scans: pass it through `tests.docgen.scan.simulate_scan`) or as a
born-digital PDF with a text layer; contracts also come as DOCX.

Layouts differ the way real paper does, not the way the reader reads: licences in the 2019
two-column design, the older one-column design and the 个体工商户 design; forms as three
different companies print them (ruled grid, label-colon lines, label above value);
contracts from three templates (service contract with a two-column signature block,
purchase contract with signatures one after the other, a contract whose particulars are a
table). Values are random: names, addresses, codes with valid check digits, amounts with
their 大写, dates in every written form, both scripts, several fonts and sizes.
"""
from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Literal

import cn2an
from PIL import Image, ImageDraw, ImageFont
from stdnum.cn import ric, uscc

from tests.docgen.pages import FontFace, cjk_fonts, font_for, to_script

Script = Literal["zh-Hans", "zh-Hant"]
Kind = Literal["business_license", "contract", "collection_form"]
A4 = (210.0, 297.0)
PT_MM = 25.4 / 72


# ----------------------------------------------------------------------------- layout model
@dataclass(frozen=True)
class Text:
    x: float  # mm, left edge
    y: float  # mm, top of the line
    text: str
    pt: float
    color: tuple[int, int, int] = (0, 0, 0)


@dataclass(frozen=True)
class Rule:
    """A straight line (table borders, underlines, tick marks), in mm."""

    x0: float
    y0: float
    x1: float
    y1: float
    width: float = 0.3


@dataclass
class PageLayout:
    items: list[Text | Rule] = field(default_factory=list)

    def text(self, x: float, y: float, text: str, pt: float, **kw) -> Text:
        t = Text(x, y, text, pt, **kw)
        self.items.append(t)
        return t

    def rect(self, x0: float, y0: float, x1: float, y1: float, width: float = 0.3) -> None:
        self.items += [Rule(x0, y0, x1, y0, width), Rule(x1, y0, x1, y1, width),
                       Rule(x1, y1, x0, y1, width), Rule(x0, y1, x0, y0, width)]

    def rule(self, x0: float, y0: float, x1: float, y1: float, width: float = 0.3) -> None:
        self.items.append(Rule(x0, y0, x1, y1, width))


@dataclass
class Document:
    kind: Kind
    layout: str
    script: Script
    font: FontFace
    pages: list[PageLayout]
    truth: dict[str, str]  # FIELDS.md keys → expected values
    our_company: str | None = None  # for contracts: which party is ours
    docx: bytes | None = None  # contracts built as Word files too
    seed: int = 0

    @property
    def name(self) -> str:
        return f"{self.kind}-{self.layout}-{self.script}-{self.seed}"


@lru_cache(maxsize=64)
def _font(face: FontFace, px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(face.path, px, index=face.index)


def text_width_mm(face: FontFace, text: str, pt: float) -> float:
    return _font(face, 100).getlength(text) / 100 * pt * PT_MM


def wrap(face: FontFace, text: str, width_mm: float, pt: float) -> list[str]:
    """Break text character by character to fit (Chinese has no spaces to break at)."""
    lines, cur = [], ""
    for ch in text:
        if cur and text_width_mm(face, cur + ch, pt) > width_mm:
            lines.append(cur)
            cur = ch
        else:
            cur += ch
    if cur:
        lines.append(cur)
    return lines


# ----------------------------------------------------------------------------- rendering
def render_image(doc: Document, page: int = 0, *, dpi: int = 200) -> Image.Image:
    """The page as a clean image; degrade it with `tests.docgen.scan.simulate_scan`."""
    k = dpi / 25.4
    img = Image.new("RGB", (round(A4[0] * k), round(A4[1] * k)), "white")
    draw = ImageDraw.Draw(img)
    for it in doc.pages[page].items:
        if isinstance(it, Rule):
            draw.line((it.x0 * k, it.y0 * k, it.x1 * k, it.y1 * k), fill="black",
                      width=max(1, round(it.width * k)))
        else:
            px = max(8, round(it.pt * PT_MM * k))
            draw.text((it.x * k, it.y * k), it.text, font=_font(doc.font, px), fill=it.color)
    return img


def render_pdf(doc: Document) -> bytes:
    """A born-digital PDF: the same layout with a real text layer."""
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.add_font("doc", "", doc.font.path, collection_font_number=doc.font.index)
    for page in doc.pages:
        pdf.add_page()
        for it in page.items:
            if isinstance(it, Rule):
                pdf.set_line_width(it.width)
                pdf.line(it.x0, it.y0, it.x1, it.y1)
            else:
                pdf.set_font("doc", size=it.pt)
                pdf.set_text_color(*it.color)
                pdf.text(it.x, it.y + it.pt * PT_MM * 0.88, it.text)
    return bytes(pdf.output())


def render_png(doc: Document, page: int = 0, *, dpi: int = 200) -> bytes:
    buf = io.BytesIO()
    render_image(doc, page, dpi=dpi).save(buf, "PNG")
    return buf.getvalue()


# ----------------------------------------------------------------------------- values
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国志红晓梅海波宇浩然子轩雨欣思琪佳怡文博嘉"
CITIES = [("北京市", "朝阳区", "110105"), ("北京市", "海淀区", "110108"), ("上海市", "浦东新区", "310115"),
          ("广东省广州市", "天河区", "440106"), ("广东省深圳市", "南山区", "440305"),
          ("浙江省杭州市", "西湖区", "330106"), ("湖北省武汉市", "洪山区", "420111"),
          ("四川省成都市", "武侯区", "510107"), ("江苏省南京市", "鼓楼区", "320106"),
          ("山东省济南市", "历下区", "370102"), ("福建省厦门市", "思明区", "350203"),
          ("湖南省长沙市", "岳麓区", "430104")]
ROADS = ["建国路", "中山路", "人民路", "解放大道", "南京路", "文三路", "科技园路", "长江路", "滨江大道",
         "学府路", "光谷大道", "天府大道", "望京街", "世纪大道", "珠江路"]
ZIHAO = ["星河", "迅航", "明远", "青禾", "海丰", "云帆", "博创", "恒泰", "金鼎", "华信", "宏远", "蜀锦",
         "南方", "瑞达", "安和", "景行", "鼎盛", "天成", "中科", "致远", "盛世", "新元", "嘉禾", "汇通"]
TRADES = ["科技", "贸易", "文化传媒", "物流", "食品", "包装材料", "建筑工程", "信息技术", "医疗器械",
          "咨询", "教育科技", "电子商务"]
ENTITY_TYPES = ["有限责任公司（自然人投资或控股）", "有限责任公司（自然人独资）", "股份有限公司（非上市）",
                "有限责任公司（法人独资）", "其他有限责任公司"]
# Types printed less often, with longer brackets (a 、 inside some): drawn from a second
# random stream so the documents of a seed otherwise stay what they were.
MORE_ENTITY_TYPES = ["股份有限公司（上市）", "有限责任公司（非自然人投资或控股的法人独资）",
                     "股份有限公司（非上市、自然人投资或控股）", "有限责任公司（外商投资企业法人独资）",
                     "有限责任公司（台港澳法人独资）", "有限责任公司（国有独资）"]
# How scopes are written since 2021: general and licensed items apart, ；between groups and
# the registration authority's note in brackets (with its own commas)
SCOPE_GENERAL_NOTE = "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
SCOPE_LICENSED_NOTE = "（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
SCOPE_ITEMS = ["技术开发", "技术咨询", "技术服务", "技术转让", "软件开发", "信息系统集成服务",
               "计算机软硬件销售", "日用百货销售", "办公用品销售", "会议及展览服务", "企业管理咨询",
               "广告设计、代理", "货物进出口", "技术进出口", "道路货物运输（不含危险货物）",
               "食品销售（仅销售预包装食品）", "建筑材料销售", "档案整理服务", "数据处理服务"]
INDUSTRIES = ["制造业", "信息技术", "批发零售", "文化传媒", "教育", "金融服务", "房地产", "物流运输",
              "医疗健康", "建筑业"]
CHANNELS = ["展会", "老客户介绍", "官网咨询", "电话营销", "线上广告", "行业协会", "上门拜访"]
NEEDS = ["档案数字化外包服务", "历年合同扫描建档", "家庭档案整理", "仓储单据电子化归档",
         "客户资料集中管理与检索", "人事档案整理与数字化", "会计凭证扫描与归档"]
AUTHORITIES = ["市场监督管理局"]
PINYIN = ["wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "zhou", "wu", "xu", "sun",
          "ma", "lin", "gao", "he", "luo", "zheng", "liang", "song"]
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def company(rng: random.Random, city: tuple[str, str, str] | None = None) -> str:
    city = city or rng.choice(CITIES)
    place = city[0].replace("省", "").replace("市", "")[-2:] if rng.random() < 0.6 else ""
    return place + rng.choice(ZIHAO) + rng.choice(TRADES) + rng.choice(["有限公司", "有限公司", "股份有限公司"])


def address(rng: random.Random, city: tuple[str, str, str] | None = None) -> str:
    city = city or rng.choice(CITIES)
    tail = rng.choice(["", f"{rng.randint(1, 30)}栋{rng.randint(101, 2508)}室", f"{rng.randint(2, 28)}层"])
    return f"{city[0]}{city[1]}{rng.choice(ROADS)}{rng.randint(1, 999)}号{tail}"


def make_uscc(rng: random.Random, region: str, lead: str = "91") -> str:
    body = lead + region + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    return body + uscc.calc_check_digit(body)


def make_id(rng: random.Random, region: str) -> str:
    born = f"{rng.randint(1960, 2001)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = region + born + f"{rng.randint(0, 999):03d}"
    return body + ric.calc_check_digit(body + "0")


def mobile(rng: random.Random) -> str:
    return "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))


def phone_printed(rng: random.Random, digits: str) -> str:
    if digits.startswith("0"):
        return rng.choice([f"{digits[:3]}-{digits[3:]}", f"({digits[:3]}){digits[3:]}", digits])
    return rng.choice([digits, f"{digits[:3]}-{digits[3:7]}-{digits[7:]}", f"+86 {digits}",
                       f"{digits[:3]} {digits[3:7]} {digits[7:]}", f"+86-{digits}"])


def random_date(rng: random.Random, y0: int = 2015, y1: int = 2025):
    import datetime as dt
    start = dt.date(y0, 1, 1).toordinal()
    return dt.date.fromordinal(rng.randint(start, dt.date(y1, 12, 28).toordinal()))


_CN = "〇一二三四五六七八九"


def _cn_small(n: int) -> str:
    if n < 10:
        return _CN[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN[tens]) + "十" + (_CN[ones] if ones else "")


DATE_STYLES = ("ymd_cn", "ymd_cn_pad", "dots", "dash_short", "dash", "slash", "hanzi")


def date_printed(d, style: str) -> str:
    if style == "ymd_cn":
        return f"{d.year}年{d.month}月{d.day}日"
    if style == "ymd_cn_pad":
        return f"{d.year}年{d.month:02d}月{d.day:02d}日"
    if style == "dots":
        return f"{d.year}.{d.month:02d}.{d.day:02d}"
    if style == "dash_short":
        return f"{d.year}-{d.month}-{d.day}"
    if style == "dash":
        return d.isoformat()
    if style == "slash":
        return f"{d.year}/{d.month:02d}/{d.day:02d}"
    return "".join(_CN[int(c)] for c in str(d.year)) + f"年{_cn_small(d.month)}月{_cn_small(d.day)}日"


def fullwidth_digits(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)


def amount(rng: random.Random) -> Decimal:
    base = rng.choice([Decimal(rng.randint(1, 99)) * 10000, Decimal(rng.randint(1000, 9999999)),
                       Decimal(rng.randint(100000, 99999999)) / 100])
    return base.quantize(Decimal("0.01"))


def daxie(value: Decimal) -> str:
    words = cn2an.an2cn(str(int(value)) if value == value.to_integral() else f"{value:.2f}", "rmb")
    return words if "角" in words or "分" in words else words.rstrip("整") + "整"


def figure_printed(rng: random.Random, value: Decimal) -> str:
    whole = value == value.to_integral()
    choices = [f"¥{value:,.2f}", f"人民币{value:,.2f}元", f"RMB {value:.2f}", f"{value:,.2f}元"]
    if whole and int(value) % 100 == 0:
        choices.append(f"{(value / 10000).normalize():f}万元".replace(".00万", "万"))
    return rng.choice(choices)


# ----------------------------------------------------------------------------- helpers
class Writer:
    """Puts label/value pairs on a page in the script of the document."""

    def __init__(self, doc_script: Script, face: FontFace, rng: random.Random):
        self.script, self.face, self.rng = doc_script, face, rng

    def t(self, s: str) -> str:
        return to_script(s, self.script) if self.script == "zh-Hant" else s

    def w(self, s: str, pt: float) -> float:
        return text_width_mm(self.face, s, pt)


def _choose_font(rng: random.Random, script: Script) -> FontFace:
    return font_for(script, cjk_fonts(), rng=rng)


def _tv(truth: dict, key: str, value: str | None) -> None:
    if value:
        truth[key] = value


# ----------------------------------------------------------------------------- licences
def business_license(rng: random.Random, script: Script, layout: str | None = None, seed: int = 0) -> Document:
    layout = layout or rng.choice(["two_column_2019", "one_column_old", "sole_trader"])
    face = _choose_font(rng, script)
    W = Writer(script, face, rng)
    t = W.t
    city = rng.choice(CITIES)
    established = random_date(rng, 2000, 2024)
    issued = random_date(rng, established.year, 2025)
    if issued < established:
        issued = established
    code = make_uscc(rng, city[2], lead="92" if layout == "sole_trader" else "91")
    rep = person(rng)
    name_ = company(rng, city) if layout != "sole_trader" else f"{city[1][:-1]}{rng.choice(ZIHAO)}{rng.choice(['便利店', '餐馆', '五金店', '服装店'])}"
    scope = "、".join(rng.sample(SCOPE_ITEMS, rng.randint(3, 8))) + "。"
    variety = random.Random(seed * 7 + 3)  # see MORE_ENTITY_TYPES
    more_type = variety.choice(MORE_ENTITY_TYPES) if variety.random() < 0.35 else None
    scope_style = variety.choice(["plain", "plain", "groups", "note"])
    if scope_style == "groups":
        items = variety.sample(SCOPE_ITEMS, variety.randint(4, 7))
        cut = variety.randint(1, len(items) - 2)
        scope = ("一般项目：" + "、".join(items[:cut]) + "；" + "；".join(items[cut:-1]) + "。"
                 + SCOPE_GENERAL_NOTE + "许可项目：" + items[-1] + "。" + SCOPE_LICENSED_NOTE)
    elif scope_style == "note":
        scope = scope + SCOPE_LICENSED_NOTE
    addr = address(rng, city)
    authority = city[0].split("省")[-1][:3] + city[1] + "市场监督管理局"
    authority = authority.replace("市市", "市")
    long_term = rng.random() < 0.5 and layout != "sole_trader"
    term_end_d = established.replace(year=established.year + rng.choice([10, 20, 30]))
    capital = Decimal(rng.choice([10, 50, 100, 200, 300, 500, 1000, 3000])) * 10000
    cap_printed = rng.choice([daxie(capital).replace("整", "") + "整", f"人民币{int(capital / 10000)}万元",
                              f"{daxie(capital)}（人民币）", f"{int(capital / 10000)}万元人民币"])
    issue_style = rng.choice(["ymd_cn_pad", "ymd_cn", "hanzi"])
    est_style = rng.choice(["ymd_cn_pad", "ymd_cn"])
    truth: dict[str, str] = {}
    page = PageLayout()

    rep_label = {"one_column_old": rng.choice(["法定代表人", "法定代表人", "负责人"]),
                 "two_column_2019": rng.choice(["法定代表人", "法定代表人", "执行事务合伙人", "负责人"]),
                 "sole_trader": "经营者"}[layout]
    addr_label = {"one_column_old": rng.choice(["住所", "营业场所"]) if rep_label == "负责人" else "住所",
                  "two_column_2019": "主要经营场所" if rep_label == "执行事务合伙人" else (
                      "经营场所" if rep_label == "负责人" else "住所"),
                  "sole_trader": "经营场所"}[layout]
    if addr_label == "营业场所":
        addr_label = "经营场所"
    term_text = (f"{date_printed(established, est_style)}至{t(rng.choice(['长期', '长期', '永久']))}" if long_term
                 else f"{date_printed(established, est_style)}至{date_printed(term_end_d, est_style)}")

    pt = rng.choice([11.0, 12.0, 12.5])
    if layout == "two_column_2019":
        title = t("营业执照")
        page.text(105 - W.w(title, 30) / 2, 30, title, 30)
        page.text(105 - W.w(t("（副本）"), 13) / 2, 44, t("（副本）"), 13)
        page.text(22, 55, t("统一社会信用代码"), 10.5)
        page.text(22, 61, code, 11)
        page.text(140, 55, t("证照编号：") + "".join(rng.choice("0123456789") for _ in range(20))[:17], 9)
        y = 80
        lx, vx = 22.0, 22 + W.w(t(max(("法定代表人", rep_label), key=len)), pt) + 6
        rx = 112.0
        rvx = rx + W.w(t("主要经营场所"), pt) + 5
        etype = rng.choice(ENTITY_TYPES)
        left = [("名称", name_), ("类型", more_type or etype), (rep_label, rep)]
        right = [("注册资本", cap_printed), ("成立日期", date_printed(established, est_style)),
                 ("营业期限", term_text)]
        if rep_label == "执行事务合伙人":
            right[0] = ("出资额", cap_printed)
        step = pt * PT_MM * 2.4
        for (ll, lv), (rl, rv) in zip(left, right):
            lab = t(ll) if len(ll) > 2 else t(ll[0]) + "　　　" + t(ll[1])
            page.text(lx, y, lab, pt)
            left_lines = wrap(face, t(lv), rx - vx - 9, pt)
            right_lines = wrap(face, t(rv), 200 - rvx, pt)
            for i, part in enumerate(left_lines):
                page.text(vx, y + i * pt * PT_MM * 1.5, part, pt)
            page.text(rx, y, t(rl), pt)
            for i, part in enumerate(right_lines):
                page.text(rvx, y + i * pt * PT_MM * 1.5, part, pt)
            # a row grows with a value that wraps, as on a printed licence: never over the next
            y += max(step, (max(len(left_lines), len(right_lines)) * 1.5 + 0.9) * pt * PT_MM)
        # 经营范围 (left, wrapped) beside 住所 (right)
        page.text(lx, y, t("经营范围"), pt)
        scope_lines = wrap(face, t(scope), rx - vx - 9, pt)
        for i, part in enumerate(scope_lines):
            page.text(vx, y + i * pt * PT_MM * 1.55, part, pt)
        page.text(rx, y, t(addr_label), pt)
        for i, part in enumerate(wrap(face, t(addr), 200 - rvx, pt)):
            page.text(rvx, y + i * pt * PT_MM * 1.55, part, pt)
        y += max(len(scope_lines), 2) * pt * PT_MM * 1.55 + 15
        page.text(130, max(y, 200), t("登记机关"), pt)
        page.text(130, max(y, 200) + 14, date_printed(issued, issue_style), pt)
        foot = t("国家企业信用信息公示系统网址：") + "http://www.gsxt.gov.cn"
        page.text(105 - W.w(foot, 8) / 2, 275, foot, 8)
        _tv(truth, "entity_type", t(left[1][1]))
    else:
        old = layout == "one_column_old"
        title = t("企业法人营业执照" if old and rep_label == "法定代表人" else "营业执照")
        page.text(105 - W.w(title, 26) / 2, 28, title, 26)
        page.text(105 - W.w(t("（副　本）"), 12) / 2, 40, t("（副　本）"), 12)
        y = 58
        colon = rng.choice(["：", "　", "："])
        labels = [("统一社会信用代码", code)]
        if layout == "sole_trader":
            labels += [("名称", name_), ("类型", "个体工商户"), ("经营者", rep), ("组成形式", "个人经营"),
                       ("经营场所", addr), ("注册日期", date_printed(established, est_style)),
                       ("经营范围", scope)]
        else:
            etype = rng.choice(ENTITY_TYPES)  # drawn either way: the seed's stream stays as it was
            etype = more_type or etype
            labels += [("名称", name_), ("类型", etype), (addr_label, addr), (rep_label, rep),
                       ("注册资本", cap_printed), ("成立日期", date_printed(established, est_style)),
                       ("营业期限", term_text), ("经营范围", scope)]
        lx = 28.0
        vx = lx + W.w(t("统一社会信用代码") + colon, pt) + 3 if rng.random() < 0.5 else None
        for lab, val in labels:
            lab_t = t(lab) + colon
            x = vx if vx is not None else lx + W.w(lab_t, pt) + 2
            page.text(lx, y, lab_t, pt)
            lines = wrap(face, t(val), 185 - x, pt)
            for i, part in enumerate(lines):
                page.text(x, y + i * pt * PT_MM * 1.5, part, pt)
            y += (len(lines) - 1) * pt * PT_MM * 1.5 + pt * PT_MM * 2.6
            if lab == "类型":
                _tv(truth, "entity_type", t(val))
        y = max(y + 20, 215)
        page.text(125, y, t("登记机关"), pt)
        page.text(125, y + 13, date_printed(issued, issue_style), pt)
    truth.update({"uscc": code, "name": t(name_), "legal_representative": t(rep),
                  "established_on": established.isoformat(), "address": t(addr),
                  "business_scope": t(scope).rstrip("。"), "issued_on": issued.isoformat()})
    if layout != "sole_trader":
        truth["registered_capital"] = f"{capital:.2f}"
        truth["term_end"] = "long_term" if long_term else term_end_d.isoformat()
    return Document("business_license", layout, script, face, [page], truth, seed=seed)


# ----------------------------------------------------------------------------- contracts
CLAUSES = [
    "甲乙双方本着平等互利的原则，经友好协商，就相关事宜达成如下协议，以资共同遵守。",
    "乙方应按照本合同约定的时间和质量标准完成服务，并接受甲方的监督检查。",
    "甲方应按照本合同约定按时足额支付费用，并为乙方提供必要的工作条件。",
    "任何一方违反本合同约定，应向守约方支付违约金，并赔偿由此造成的损失。",
    "因履行本合同发生的争议，双方应协商解决；协商不成的，提交甲方所在地人民法院诉讼解决。",
    "本合同一式两份，甲乙双方各执一份，自双方签字盖章之日起生效。",
    "未经对方书面同意，任何一方不得向第三方泄露本合同内容及对方的商业秘密。",
]


def contract(rng: random.Random, script: Script, layout: str | None = None, seed: int = 0) -> Document:
    layout = layout or rng.choice(["service_two_column", "purchase_sequential", "particulars_table"])
    face = _choose_font(rng, script)
    W = Writer(script, face, rng)
    t = W.t
    ours = rng.choice(["客户档案管理有限公司", "档案科技（北京）有限公司", "华章信息服务有限公司"])
    other = company(rng) if rng.random() < 0.8 else person(rng)
    a_is_ours = rng.random() < 0.5
    party_a, party_b = (ours, other) if a_is_ours else (other, ours)
    sig_a, sig_b = person(rng), person(rng)
    if len(party_a) <= 4:
        sig_a = party_a
    if len(party_b) <= 4:
        sig_b = party_b
    value = amount(rng)
    signed = random_date(rng, 2018, 2025)
    import datetime as dt
    start = signed + dt.timedelta(days=rng.randint(0, 20))
    end = start + dt.timedelta(days=rng.choice([180, 364, 365, 729, 1095]))
    dstyle = rng.choice(DATE_STYLES)
    no = rng.choice(["HT", "FW", "GX", "JS", "RJ"]) + "-" + str(signed.year) + "-" + f"{rng.randint(1, 999):03d}"
    title = {"service_two_column": rng.choice(["技术服务合同", "档案整理服务合同", "咨询服务合同"]),
             "purchase_sequential": rng.choice(["购销合同", "采购合同", "设备买卖合同"]),
             "particulars_table": rng.choice(["软件开发协议", "委托服务协议", "合作协议"])}[layout]
    role_a, role_b = {"service_two_column": ("甲方（委托方）", "乙方（受托方）"),
                      "purchase_sequential": ("买方", "卖方"),
                      "particulars_table": ("甲方", "乙方")}[layout]
    fig = figure_printed(rng, value)
    dx = daxie(value)
    period = rng.choice([f"自{date_printed(start, dstyle)}起至{date_printed(end, dstyle)}止",
                         f"{date_printed(start, dstyle)}至{date_printed(end, dstyle)}"])
    signed_p = date_printed(signed, rng.choice(DATE_STYLES))
    amount_label = rng.choice(["合同金额", "合同总价", "总金额"])
    period_label = rng.choice(["合同期限", "有效期"])
    signed_label = rng.choice(["签订日期", "签约日期"])
    no_label = rng.choice(["合同编号", "合同号", "编号"])
    truth = {"title": t(title), "contract_no": no, "party_a": t(party_a), "party_b": t(party_b),
             "amount": f"{value:.2f}", "signed_on": signed.isoformat(), "start_on": start.isoformat(),
             "end_on": end.isoformat(), "signatory_a": t(sig_a), "signatory_b": t(sig_b)}
    pt = rng.choice([10.5, 11.0, 12.0])
    lh = pt * PT_MM * 1.9
    pages: list[PageLayout] = []
    page = PageLayout()
    pages.append(page)
    y = 25.0
    page.text(105 - W.w(t(title), 20) / 2, y, t(title), 20)
    y += 16
    L, R = 22.0, 188.0

    def para(text: str, indent: float = 0.0):
        nonlocal y
        for part in wrap(face, text, R - L - indent, pt):
            page.text(L + indent, y, part, pt)
            y += lh
    if layout == "particulars_table":
        rows = [(no_label, no), ("甲方", party_a), ("乙方", party_b), (amount_label, fig), ("大写", dx),
                (period_label, period), (signed_label, signed_p)]
        lw = 38.0
        rh = pt * PT_MM * 2.6
        for lab, val in rows:
            page.rect(L, y, L + lw, y + rh)
            page.rect(L + lw, y, R, y + rh)
            page.text(L + 2, y + rh * 0.25, t(lab), pt)
            page.text(L + lw + 3, y + rh * 0.25, t(val) if not val[:1].isdigit() else val, pt)
            y += rh
        y += 8
        for c in rng.sample(CLAUSES, 4):
            para(t(c), indent=0)
        y += 10
        half = (R - L) / 2
        for i, (lab_a, lab_b) in enumerate([("甲方（盖章）：", "乙方（盖章）："),
                                            ("授权代表：" + sig_a, "授权代表：" + sig_b)]):
            page.text(L, y, t(lab_a) + (t(party_a) if i == 0 else ""), pt)
            page.text(L + half, y, t(lab_b) + (t(party_b) if i == 0 else ""), pt)
            y += lh * 1.6
        truth_amount_line = None
    else:
        no_line = f"{t(no_label)}：{no}"
        page.text(R - W.w(no_line, pt), y, no_line, pt)
        y += lh * 1.5
        para(f"{t(role_a)}：{t(party_a)}")
        para(t("地址：") + t(address(rng)))
        if layout == "service_two_column":
            para(t("法定代表人：") + t(sig_a))
        para(f"{t(role_b)}：{t(party_b)}")
        para(t("地址：") + t(address(rng)))
        if layout == "service_two_column":
            para(t("法定代表人：") + t(sig_b))
        y += lh * 0.5
        clauses = rng.sample(CLAUSES, 5)
        para(t(clauses[0]), indent=pt * PT_MM * 2)
        para(t("第一条　") + t(clauses[1]))
        if rng.random() < 0.5:
            para(t(f"第二条　{amount_label}：") + fig + t(f"（大写：{dx}）"))
        else:
            para(t(f"第二条　{amount_label}：") + fig)
            para(t(f"大写：{dx}"), indent=pt * PT_MM * 4)
        para(t(f"第三条　{period_label}：") + t(period))
        para(t("第四条　") + t(clauses[2]))
        para(t("第五条　") + t(clauses[3]))
        if layout == "service_two_column" and rng.random() < 0.5:
            page = PageLayout()
            pages.append(page)
            y = 25.0
            para(t("第六条　") + t(clauses[4]))
        y += lh
        if layout == "service_two_column":
            half = (R - L) / 2
            page.text(L, y, t("甲方（盖章）：") + t(party_a), pt)
            page.text(L + half, y, t("乙方（盖章）：") + t(party_b), pt)
            y += lh * 1.8
            page.text(L, y, t("授权代表（签字）：") + t(sig_a), pt)
            page.text(L + half, y, t("授权代表（签字）：") + t(sig_b), pt)
            y += lh * 1.8
        else:
            for role, party, sig in ((role_a, party_a, sig_a), (role_b, party_b, sig_b)):
                para(t(f"{role}（盖章）：") + t(party))
                para(t("法定代表人：") + t(sig))
                y += lh * 0.6
    if layout != "particulars_table":
        page.text(L, y, t(f"{signed_label}：") + signed_p, pt)
    doc = Document("contract", layout, script, face, pages, truth, our_company=t(ours), seed=seed)
    doc.docx = _contract_docx(doc, rows_for_docx=[
        (t(no_label), no), (t(role_a), t(party_a)), (t(role_b), t(party_b)),
        (t(amount_label), fig), (t("大写"), t(dx)), (t(period_label), t(period)),
    ], title=t(title), clauses=[t(c) for c in CLAUSES[:4]], sig=(t(sig_a), t(sig_b)),
        signed=(t(signed_label), signed_p), parties=(t(party_a), t(party_b)), table=rng.random() < 0.5)
    return doc


def _contract_docx(doc: Document, *, rows_for_docx, title, clauses, sig, signed, parties, table) -> bytes:
    """The same contract as a Word file: particulars in a table, or as paragraphs."""
    from docx import Document as Docx

    d = Docx()
    d.add_heading(title, level=1)
    if table:
        tb = d.add_table(rows=0, cols=2)
        tb.style = "Table Grid"
        for lab, val in rows_for_docx:
            cells = tb.add_row().cells
            cells[0].text, cells[1].text = lab, val
    else:
        for lab, val in rows_for_docx:
            d.add_paragraph(f"{lab}：{val}")
    for c in clauses:
        d.add_paragraph(c)
    t = (lambda s: to_script(s, doc.script) if doc.script == "zh-Hant" else s)
    st = d.add_table(rows=2, cols=2)
    st.cell(0, 0).text = t("甲方（盖章）：") + parties[0]
    st.cell(0, 1).text = t("乙方（盖章）：") + parties[1]
    st.cell(1, 0).text = t("授权代表（签字）：") + sig[0]
    st.cell(1, 1).text = t("授权代表（签字）：") + sig[1]
    d.add_paragraph(f"{signed[0]}：{signed[1]}")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


# ----------------------------------------------------------------------------- collection forms
FORM_COMPANIES = ["华东销售部", "客户服务中心", "市场部", "西南大区营业部", "档案服务事业部"]


def collection_form(rng: random.Random, script: Script, layout: str | None = None, seed: int = 0) -> Document:
    layout = layout or rng.choice(["grid", "colon_lines", "label_above"])
    face = _choose_font(rng, script)
    W = Writer(script, face, rng)
    t = W.t
    city = rng.choice(CITIES)
    individual = rng.random() < 0.4
    name_ = person(rng) if individual else company(rng, city)
    code = make_id(rng, city[2]) if individual else make_uscc(rng, city[2])
    contact = name_ if individual else person(rng)
    ph = mobile(rng) if rng.random() < 0.8 else "0" + rng.choice(["10", "21", "20", "27", "28"]) + "".join(
        rng.choice("0123456789") for _ in range(8))
    email = rng.choice(PINYIN) + rng.choice(["", ".", "_"]) + rng.choice(PINYIN) + str(rng.randint(1, 99)) + "@" + \
        rng.choice(["qq.com", "163.com", "example.com", "126.com", "sina.cn"])
    collected = random_date(rng, 2019, 2025)
    fw = rng.random() < 0.2  # full-width digits, as some typists enter them
    fields: list[tuple[str, str, str]] = []  # (key, label, printed value)
    name_label = rng.choice(["姓名", "客户名称"]) if individual else rng.choice(["客户名称", "单位名称"])
    tick_style = rng.choice(["glyph_box", "glyph_check", "word"])
    opts = ["个人", "企业"] if rng.random() < 0.5 else ["企业", "个人"]
    chosen = "个人" if individual else "企业"
    if tick_style == "glyph_box":
        type_text = "  ".join(("■" if o == chosen else "□") + t(o) for o in opts)
    elif tick_style == "glyph_check":
        type_text = "  ".join(("☑" if o == chosen else "□") + t(o) for o in opts)
    else:
        type_text = t(chosen)
    phone_p = phone_printed(rng, ph)
    date_p = date_printed(collected, rng.choice(DATE_STYLES))
    if fw:
        phone_p, date_p = fullwidth_digits(phone_p), fullwidth_digits(date_p)
    email_p = email if rng.random() < 0.7 else email.upper() if rng.random() < 0.3 else email.capitalize()
    fields += [("customer_name", name_label, t(name_)), ("customer_type", "客户类型", type_text),
               ("id_number" if individual else "uscc", "身份证号" if individual else "统一社会信用代码", code)]
    if not individual:
        fields.append(("contact_person", "联系人", t(contact)))
    fields += [("phone", rng.choice(["联系电话", "电话", "手机"]) if ph[0] == "1" else rng.choice(["联系电话", "电话"]), phone_p)]
    if rng.random() < 0.85:
        fields.append(("email", rng.choice(["电子邮箱", "邮箱", "E-mail"]), email_p))
    fields += [("address", rng.choice(["联系地址", "地址"]), t(address(rng, city))),
               ("industry", rng.choice(["所属行业", "行业"]), t(rng.choice(INDUSTRIES))),
               ("source_channel", rng.choice(["信息来源", "来源渠道"]), t(rng.choice(CHANNELS))),
               ("needs", rng.choice(["需求描述", "客户需求"]), t(rng.choice(NEEDS))),
               ("collected_by", rng.choice(["收集人", "填表人"]), t(person(rng))),
               ("collected_on", rng.choice(["收集日期", "填表日期"]), date_p)]
    truth: dict[str, str] = {}
    for key, _lab, val in fields:
        truth[key] = val
    truth["customer_type"] = "individual" if individual else "enterprise"
    truth["collected_on"] = collected.isoformat()
    truth["phone"] = ph
    if "email" in truth:
        truth["email"] = email.lower()
    truth["id_number" if individual else "uscc"] = code

    page = PageLayout()
    owner = rng.choice(FORM_COMPANIES)
    pt = rng.choice([10.5, 11.0, 12.0, 13.0])
    L, R = 20.0, 190.0
    title = t(rng.choice(["客户信息收集表", "客户信息收集表", "客户信息登记收集表"]))
    page.text(105 - W.w(t(owner), 12) / 2, 18, t(owner), 12)
    page.text(105 - W.w(title, 20) / 2, 27, title, 20)
    y = 45.0
    if layout == "grid":
        lw = max(W.w(t(lab), pt) for _, lab, _ in fields) + 6
        rh = pt * PT_MM * 2.8
        i = 0
        pairable = {"contact_person", "phone", "email", "industry", "source_channel", "collected_by",
                    "collected_on"}
        while i < len(fields):
            key, lab, val = fields[i]
            nxt = fields[i + 1] if i + 1 < len(fields) else None
            if key in pairable and nxt and nxt[0] in pairable:
                half = (R - L) / 2
                for j, (k2, l2, v2) in enumerate((fields[i], nxt)):
                    x0 = L + j * half
                    page.rect(x0, y, x0 + lw, y + rh)
                    page.rect(x0 + lw, y, x0 + half, y + rh)
                    page.text(x0 + 2, y + rh * 0.28, t(l2), pt)
                    page.text(x0 + lw + 3, y + rh * 0.28, v2, pt)
                i += 2
            else:
                page.rect(L, y, L + lw, y + rh)
                page.rect(L + lw, y, R, y + rh)
                page.text(L + 2, y + rh * 0.28, t(lab), pt)
                page.text(L + lw + 3, y + rh * 0.28, val, pt)
                i += 1
            y += rh
    elif layout == "colon_lines":
        lh = pt * PT_MM * 2.6
        for key, lab, val in fields:
            lab_t = t(lab) + "："
            page.text(L, y, lab_t, pt)
            x = L + W.w(lab_t, pt) + 2
            page.text(x, y, val, pt)
            page.rule(x - 1, y + pt * PT_MM * 1.25, R, y + pt * PT_MM * 1.25, 0.2)
            y += lh
    else:  # label above value, two boxes per row where they fit
        half = (R - L) / 2
        bh = pt * PT_MM * 4.2
        col = 0
        for key, lab, val in fields:
            wide = key in ("customer_name", "address", "needs", "uscc", "id_number") or W.w(val, pt) > half - 6
            if wide and col == 1:
                y += bh
                col = 0
            x0 = L + col * half
            x1 = R if wide else x0 + half
            page.rect(x0, y, x1, y + bh, 0.25)
            page.text(x0 + 2, y + 1.5, t(lab), pt * 0.8)
            page.text(x0 + 4, y + bh * 0.45, val, pt)
            if wide or col == 1:
                y += bh
                col = 0
            else:
                col = 1
    return Document("collection_form", layout, script, face, [page], truth, seed=seed)


# ----------------------------------------------------------------------------- the corpus
GENERATORS = {"business_license": business_license, "contract": contract, "collection_form": collection_form}
LAYOUTS = {"business_license": ("two_column_2019", "one_column_old", "sole_trader"),
           "contract": ("service_two_column", "purchase_sequential", "particulars_table"),
           "collection_form": ("grid", "colon_lines", "label_above")}


def generate(seed: int, kind: Kind | None = None, script: Script | None = None,
             layout: str | None = None) -> Document:
    """One labelled document; the same seed gives the same document."""
    rng = random.Random(seed)
    kind = kind or rng.choice(list(GENERATORS))
    script = script or rng.choice(["zh-Hans", "zh-Hans", "zh-Hant"])
    return GENERATORS[kind](rng, script, layout, seed=seed)


def corpus(n: int, seed: int = 0) -> list[Document]:
    """`n` documents cycling through every kind, layout and script."""
    docs = []
    combos = [(k, lay, s) for k in LAYOUTS for lay in LAYOUTS[k] for s in ("zh-Hans", "zh-Hant")]
    for i in range(n):
        k, lay, s = combos[i % len(combos)]
        docs.append(generate(seed * 100003 + i, k, s, lay))  # type: ignore[arg-type]
    return docs


def layout_extraction(doc: Document, *, dpi: int = 200, source: str = "text_layer"):
    """The document as a perfect reader would return it: one Line per drawn text item.

    Tests use it to check the forms room without OCR; it is not a model of any engine."""
    from ocr.extraction import Box, Extraction, Line, Page

    k = dpi / 25.4
    pages = []
    for n, layout in enumerate(doc.pages, start=1):
        lines = []
        for it in layout.items:
            if isinstance(it, Text) and it.text.strip():
                w = text_width_mm(doc.font, it.text, it.pt)
                h = it.pt * PT_MM
                lines.append(Line(it.text, Box(it.x * k, it.y * k, (it.x + w) * k, (it.y + h) * k), 1.0))
        pages.append(Page(n, source, None, doc.script, A4[0] * k, A4[1] * k, tuple(lines), 1.0))
    return Extraction("application/pdf", doc.script, tuple(pages))


__all__ = ["Document", "layout_extraction", "PageLayout", "generate", "corpus", "render_image", "render_pdf", "render_png",
           "LAYOUTS", "daxie", "date_printed", "DATE_STYLES"]
