"""The blank 客户信息收集表, printed with the labels of FIELDS.md.

Each label sits in its own cell with a wide empty cell to its right, which is the layout
the label reader finds most reliably in a scan of a filled copy: the value is either on the
label's line or in the cell to the right.
"""
from __future__ import annotations

import functools
from pathlib import Path

import opencc
from fpdf import FPDF

FONT_CANDIDATES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", {"zh-Hans": 2, "zh-Hant": 3}),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", {"zh-Hans": 0, "zh-Hant": 0}),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", {"zh-Hans": 0, "zh-Hant": 2}),
)

TITLE = "客户信息收集表"
# (label, share of the row it takes, None for a full row); the order is the one a clerk
# fills in: who, what kind, identity, how to reach them, what they need, who collected it.
ROWS: tuple[tuple[tuple[str, str], ...], ...] = (
    (("客户名称", ""),),
    (("客户类型", "□ 个人      □ 企业"),),
    (("统一社会信用代码", ""),),
    (("身份证号", ""),),
    (("联系人", ""), ("联系电话", "")),
    (("电子邮箱", ""), ("所属行业", "")),
    (("联系地址", ""),),
    (("信息来源", ""),),
    (("需求描述", ""),),
    (("收集人", ""), ("收集日期", "    年    月    日")),
)
TALL = {"需求描述": 3, "联系地址": 1.5}
NOTE = "请用正楷填写；企业填写统一社会信用代码，个人填写身份证号。"


@functools.lru_cache(maxsize=1)
def _s2t():
    return opencc.OpenCC("s2t")


def _font() -> tuple[str, dict[str, int]]:
    for path, index in FONT_CANDIDATES:
        if Path(path).exists():
            return path, index
    raise RuntimeError("no CJK font found: install fonts-noto-cjk or fonts-wqy-zenhei")


def print_blank_form(script: str = "zh-Hans", company: str | None = None) -> bytes:
    """PDF bytes of the blank collection form in Simplified (zh-Hans) or Traditional (zh-Hant)."""
    if script not in ("zh-Hans", "zh-Hant"):
        raise ValueError(f"script must be zh-Hans or zh-Hant, not {script!r}")

    def t(text: str) -> str:
        return _s2t().convert(text) if script == "zh-Hant" else text

    path, index = _font()
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.add_font("cjk", "", path, collection_font_number=index[script])
    pdf.set_title(t(TITLE))
    pdf.add_page()
    left, width = 18.0, 174.0
    y = 20.0
    if company:
        pdf.set_font("cjk", size=13)
        pdf.set_xy(left, y)
        pdf.cell(width, 8, company, align="C")
        y += 9
    pdf.set_font("cjk", size=20)
    pdf.set_xy(left, y)
    pdf.cell(width, 12, t(TITLE), align="C")
    y += 18
    row_h = 12.0
    label_w = 42.0
    pdf.set_line_width(0.3)
    for row in ROWS:
        h = row_h * max(TALL.get(lab, 1) for lab, _ in row)
        cell_w = width / len(row)
        x = left
        for label, preset in row:
            lw = label_w if len(row) == 1 else 30.0
            pdf.rect(x, y, lw, h)
            pdf.rect(x + lw, y, cell_w - lw, h)
            pdf.set_font("cjk", size=11)
            pdf.set_xy(x + 2, y)
            pdf.cell(lw - 4, row_h, t(label) + "：")
            if preset:
                pdf.set_xy(x + lw + 3, y)
                pdf.cell(cell_w - lw - 6, row_h, t(preset))
            x += cell_w
        y += h
    pdf.set_font("cjk", size=9)
    pdf.set_xy(left, y + 4)
    pdf.cell(width, 6, t(NOTE))
    return bytes(pdf.output())
