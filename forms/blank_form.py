"""The blank 客户信息收集表, printed with the labels of FIELDS.md.

Each label sits in its own cell with a wide empty cell to its right, which is the layout
the label reader finds most reliably in a scan of a filled copy: the value is either on the
label's line or in the cell to the right.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
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
    (("收集人", ""), ("收集日期", "            年        月        日")),
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


@dataclass(frozen=True)
class Cell:
    """Where one field goes on the printed form, in millimetres from the top-left corner."""

    label: str
    label_box: tuple[float, float, float, float]
    value_box: tuple[float, float, float, float]
    preset: str


def form_cells(company: str | None = None) -> tuple[float, list[Cell]]:
    """The form's geometry: the y where the table starts, and each label and value cell.

    Exposed so that a filled copy can be drawn for tests, and so that the layout and the
    PDF cannot drift apart."""
    left, width = 18.0, 174.0
    y = 20.0 + (9 if company else 0) + 18
    row_h, label_w = 12.0, 42.0
    cells: list[Cell] = []
    for row in ROWS:
        h = row_h * max(TALL.get(lab, 1) for lab, _ in row)
        cell_w = width / len(row)
        x = left
        for label, preset in row:
            lw = label_w if len(row) == 1 else 30.0
            cells.append(Cell(label, (x, y, x + lw, y + h), (x + lw, y, x + cell_w, y + h), preset))
            x += cell_w
        y += h
    return y, cells


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
    pdf.set_line_width(0.3)
    bottom, cells = form_cells(company)
    for c in cells:
        pdf.rect(c.label_box[0], c.label_box[1], c.label_box[2] - c.label_box[0], c.label_box[3] - c.label_box[1])
        pdf.rect(c.value_box[0], c.value_box[1], c.value_box[2] - c.value_box[0], c.value_box[3] - c.value_box[1])
        pdf.set_font("cjk", size=11)
        pdf.set_xy(c.label_box[0] + 2, c.label_box[1])
        pdf.cell(c.label_box[2] - c.label_box[0] - 4, 12.0, t(c.label) + "：")
        if c.preset:
            pdf.set_xy(c.value_box[0] + 3, c.value_box[1])
            pdf.cell(c.value_box[2] - c.value_box[0] - 6, 12.0, t(c.preset))
    pdf.set_font("cjk", size=9)
    pdf.set_xy(left, bottom + 4)
    pdf.cell(width, 6, t(NOTE))
    return bytes(pdf.output())
