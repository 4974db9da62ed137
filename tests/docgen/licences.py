"""Business licences made the way real ones are (issue 26).

What documents.business_license draws is the print alone, with 登记机关 left empty. A real
licence carries the authority's red seal, stamped over the 登记机关 line and the issue date,
and the authority's name is often printed nowhere else: it is the seal's own ring of
curved text. Licences since 2000 come in several layouts, all drawn here with their own
label sets and geometry:

- national_2015: the national format since 2015 (two columns, QR code top right, 证照编号);
- old_gongshang: the older 工商 format (企业法人营业执照, 注册号 instead of a USCC, colons,
  公司类型, 营业期限 自…至…, the date in Chinese numerals);
- getihu: 个体工商户 (经营者, 组成形式, 经营场所, 注册日期, no capital or term);
- electronic: an electronic licence rendered for printing (authority printed as text,
  no stamped seal, a note on the right);
- branch: a branch licence (…分公司, 负责人, 营业场所, no capital).

Each comes in both scripts; `scan_licence` stamps the seal and degrades the page as a
flatbed scan, a photocopy or a phone photo, stored upright or turned 90°/180°. Random
choices come from the seed, so a seed gives the same licence every time.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from PIL import Image

from tests.docgen.documents import (CITIES, ENTITY_TYPES, PT_MM, SCOPE_ITEMS, ZIHAO, Document, PageLayout,
                                    Script, Writer, _choose_font, company, daxie, date_printed, make_uscc,
                                    person, random_date, render_image, wrap)
from tests.docgen.scan import simulate_scan, stamp_seal

LAYOUTS = ("national_2015", "old_gongshang", "getihu", "electronic", "branch")
LEVELS = ("scan", "photocopy", "photo")


@dataclass(frozen=True)
class SealMark:
    """Where the authority's seal is stamped (mm, page 0) and the text of its ring."""

    x: float
    y: float
    diameter: float
    text: str


def _authority(city: tuple[str, str, str], kind: str) -> str:
    place = city[0].split("省")[-1]  # 湖北省武汉市 → 武汉市; 北京市 stays
    return place + city[1] + kind


def _qr(page: PageLayout, x: float, y: float, size: float, rng: random.Random) -> None:
    """A QR-code-like block: the three finder squares and random modules."""
    n = 21
    m = size / n
    for i in range(n):
        for j in range(n):
            finder = (i < 7 and j < 7) or (i < 7 and j >= n - 7) or (i >= n - 7 and j < 7)
            if finder:
                on = i % 6 == 0 or j % 6 == 0 or (2 <= i % 14 <= 4 and 2 <= j % 14 <= 4) \
                    if (i < 7 and j < 7) else rng.random() < 0.6
            else:
                on = rng.random() < 0.5
            if on:
                page.rule(x + j * m, y + i * m + m / 2, x + (j + 1) * m, y + i * m + m / 2, width=m)


def licence(seed: int, script: Script, layout: str) -> tuple[Document, SealMark | None]:
    rng = random.Random(seed * 31 + LAYOUTS.index(layout))
    face = _choose_font(rng, script)
    W = Writer(script, face, rng)
    t = W.t
    city = rng.choice(CITIES)
    established = random_date(rng, 2000 if layout == "old_gongshang" else 2015,
                              2014 if layout == "old_gongshang" else 2024)
    issued = min(random_date(rng, established.year, 2025), dt.date(2025, 12, 28))
    if issued < established:
        issued = established
    rep = person(rng)
    scope = "、".join(rng.sample(SCOPE_ITEMS, rng.randint(3, 6))) + "。"
    addr = f"{city[0]}{city[1]}{rng.choice(['建国路', '中山路', '人民路', '长江路'])}{rng.randint(1, 999)}号"
    capital = Decimal(rng.choice([10, 50, 100, 200, 500, 1000])) * 10000
    long_term = rng.random() < 0.5
    term_end = established.replace(year=established.year + rng.choice([10, 20, 30]))
    est_style = rng.choice(["ymd_cn_pad", "ymd_cn"])
    kind = "工商行政管理局" if layout == "old_gongshang" else rng.choice(
        ["市场监督管理局", "市场监督管理局", "行政审批局"])
    authority = _authority(city, kind)
    truth: dict[str, str] = {}
    page = PageLayout()
    pt = rng.choice([11.0, 12.0])
    seal: SealMark | None = None
    issue_text = date_printed(issued, "hanzi" if layout == "old_gongshang" or rng.random() < 0.3
                              else rng.choice(["ymd_cn_pad", "ymd_cn"]))

    if layout == "old_gongshang":
        reg_no = city[2] + "".join(rng.choice("0123456789") for _ in range(9))
        name = company(rng, city)
        title = t("企业法人营业执照")
        page.text(105 - W.w(title, 26) / 2, 28, title, 26)
        page.text(105 - W.w(t("（副本）"), 12) / 2, 40, t("（副本）"), 12)
        page.text(120, 50, t("注册号：") + reg_no, 10)
        rows = [("名称", name), ("住所", addr), ("法定代表人姓名", rep), ("注册资本", f"人民币{int(capital / 10000)}万元"),
                ("实收资本", f"人民币{int(capital / 10000)}万元"), ("公司类型", rng.choice(ENTITY_TYPES)),
                ("经营范围", scope), ("成立日期", date_printed(established, est_style)),
                ("营业期限", f"自{date_printed(established, est_style)}至"
                           + (t("长期") if long_term else date_printed(term_end, est_style)))]
        y = 62
        for lab, val in rows:
            lab_t = t(lab) + "："
            x = 28 + W.w(t("法定代表人姓名："), pt) + 2
            page.text(28, y, lab_t, pt)
            lines = wrap(face, t(val), 185 - x, pt)
            for i, part in enumerate(lines):
                page.text(x, y + i * pt * PT_MM * 1.5, part, pt)
            y += (len(lines) - 1) * pt * PT_MM * 1.5 + pt * PT_MM * 2.6
            if lab == "公司类型":
                truth["entity_type"] = t(val)
        ay = max(y + 25, 220)
        page.text(125, ay, t("登记机关"), pt)
        page.text(122, ay + 14, issue_text, pt)
        seal = SealMark(150, ay + 6, 42, t(authority))
        truth.update(name=t(name), address=t(addr), legal_representative=t(rep),
                     registered_capital=f"{capital:.2f}", established_on=established.isoformat(),
                     term_end="long_term" if long_term else term_end.isoformat())
    else:
        code = make_uscc(rng, city[2], lead="92" if layout == "getihu" else "91")
        title = t("营业执照")
        page.text(105 - W.w(title, 30) / 2, 30, title, 30)
        page.text(105 - W.w(t("（副本）"), 13) / 2, 44, t("（副本）"), 13)
        page.text(22, 52, t("统一社会信用代码"), 10.5)
        page.text(22, 58, code, 11)
        if layout in ("national_2015", "electronic", "branch"):
            page.text(22, 46, t("证照编号：") + "".join(rng.choice("0123456789") for _ in range(17)), 8)
            _qr(page, 165, 46, 22, rng)
        if layout == "electronic":
            for i, note in enumerate(["电子营业执照文件仅供信", "息参考，具体信息请登录", "公示系统查验。"]):
                page.text(165, 70 + i * 4, t(note), 7)
        lx, rx = 22.0, 112.0
        vx = lx + W.w(t("法定代表人"), pt) + 6
        rvx = rx + W.w(t("营业场所"), pt) + 6
        if layout == "getihu":
            name = f"{city[1][:-1]}{rng.choice(ZIHAO)}{rng.choice(['便利店', '餐馆', '五金店', '服装店'])}"
            left = [("名称", name), ("类型", "个体工商户"), ("经营者", rep), ("经营范围", scope)]
            right = [("组成形式", "个人经营"), ("注册日期", date_printed(established, est_style)),
                     ("经营场所", addr)]
            truth.update(entity_type=t("个体工商户"))
        elif layout == "branch":
            parent = company(rng, city)
            name = parent + rng.choice(["北京", "上海", "成都", "第一", "城东"]) + "分公司"
            etype = rng.choice(["有限责任公司分公司（自然人投资或控股）", "有限责任公司分公司", "股份有限公司分公司"])
            left = [("名称", name), ("类型", etype), ("负责人", rep), ("经营范围", scope)]
            right = [("成立日期", date_printed(established, est_style)),
                     ("营业期限", f"{date_printed(established, est_style)}至" + (t("长期") if long_term
                                                                            else date_printed(term_end, est_style))),
                     ("营业场所", addr)]
            truth.update(entity_type=t(etype))
        else:
            name = company(rng, city)
            etype = rng.choice(ENTITY_TYPES)
            cap = rng.choice([daxie(capital).replace("整", "") + "整", f"人民币{int(capital / 10000)}万元",
                              f"{daxie(capital)}（人民币）"])
            left = [("名称", name), ("类型", etype), ("法定代表人", rep), ("经营范围", scope)]
            right = [("注册资本", cap), ("成立日期", date_printed(established, est_style)),
                     ("营业期限", f"{date_printed(established, est_style)}至" + (t("长期") if long_term
                                                                            else date_printed(term_end, est_style))),
                     ("住所", addr)]
            truth.update(entity_type=t(etype), registered_capital=f"{capital:.2f}")
        y = 82
        step = pt * PT_MM * 2.4
        for rows_, x_lab, x_val, width in ((left, lx, vx, rx - vx - 8), (right, rx, rvx, 200 - rvx)):
            yy = y
            for lab, val in rows_:
                lab_t = t(lab) if len(lab) > 2 else t(lab[0]) + "　　　" + t(lab[1])
                page.text(x_lab, yy, lab_t, pt)
                parts = wrap(face, t(val), width, pt)
                for i, part in enumerate(parts):
                    page.text(x_val, yy + i * pt * PT_MM * 1.5, part, pt)
                yy += max(step, (len(parts) * 1.5 + 0.9) * pt * PT_MM)
            y_end = yy
        ay = max(y_end + 30, 215)
        page.text(128, ay, t("登记机关"), pt)
        if layout == "electronic" or rng.random() < 0.3:
            page.text(128 + W.w(t("登记机关"), pt) + 4, ay, t(authority), pt - 1)
        page.text(130, ay + 14, issue_text, pt)
        foot = t("国家企业信用信息公示系统网址：") + "http://www.gsxt.gov.cn"
        page.text(105 - W.w(foot, 8) / 2, 275, foot, 8)
        if layout != "electronic":
            seal = SealMark(150, ay + 7, 42, t(authority))
        truth.update(uscc=code, name=t(name), legal_representative=t(rep), address=t(addr),
                     established_on=established.isoformat())
        if layout != "getihu":
            truth["term_end"] = "long_term" if long_term else term_end.isoformat()
    truth["business_scope"] = t(scope).rstrip("。")
    truth["registration_authority"] = t(authority)
    truth["issued_on"] = issued.isoformat()
    doc = Document("business_license", layout, script, face, [page], truth, seed=seed)
    return doc, seal


def photocopy(img: Image.Image, rng: random.Random) -> Image.Image:
    """A photocopy: grey, hard contrast, toner specks; the seal's red goes dark grey."""
    import numpy as np

    g = np.asarray(img.convert("L"), dtype=np.float32)
    g = np.clip((g - 60) * 1.5, 0, 255)
    nprng = np.random.default_rng(rng.randrange(2**32))
    specks = nprng.random(g.shape) < 0.002
    g[specks] = 40
    return Image.fromarray(g.astype(np.uint8), "L").convert("RGB")


def scan_licence(doc: Document, seal: SealMark | None, rng: random.Random, *, level: str = "scan",
                 rotate: int = 0, dpi: int = 200) -> Image.Image:
    """The licence as it reaches the inbox: the seal stamped over the authority line and
    the date, then scanned, photocopied (then scanned) or photographed."""
    img = render_image(doc, dpi=dpi)
    if seal is not None:
        k = dpi / 25.4
        # seals are cut by different makers: the name's arc, an inner ring, a code at the foot
        design = random.Random(rng.random())
        img = stamp_seal(img, rng=rng, text=seal.text, center=(seal.x * k, seal.y * k),
                         diameter=int(seal.diameter * k), span_deg=design.uniform(200, 280),
                         inner_ring=design.random() < 0.3,
                         foot="".join(design.choice("0123456789") for _ in range(13)) if design.random() < 0.4 else None)
    if level == "photocopy":
        img = photocopy(img, rng)
        return simulate_scan(img, rng=rng, rotate=rotate, skew_deg=rng.uniform(-1.5, 1.5), noise=0.01,
                             jpeg_quality=80)
    if level == "photo":
        return simulate_scan(img, rng=rng, rotate=rotate, skew_deg=rng.uniform(-3, 3), noise=rng.uniform(0.01, 0.02),
                             grey=True, jpeg_quality=rng.randint(70, 85), scale=rng.uniform(0.75, 0.9),
                             blur=rng.uniform(0.3, 0.8), perspective=rng.uniform(0.005, 0.02))
    return simulate_scan(img, rng=rng, rotate=rotate, skew_deg=rng.uniform(-1.5, 1.5), noise=rng.uniform(0, 0.015),
                         yellow=rng.random() < 0.4, jpeg_quality=rng.randint(75, 90))


__all__ = ["LAYOUTS", "LEVELS", "SealMark", "licence", "scan_licence", "photocopy"]
