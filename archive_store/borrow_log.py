"""The borrow log (借阅登记表) written out: CSV for spreadsheets, an A4 PDF for the binder.

The PDF follows the paper register archive rooms keep: a landscape sheet with the title,
the scope and the date printed, one ruled line per loan with its number, the columns
repeated at the top of every page, and the page count at the foot, so a printed copy can
be filed and read like the book it replaces. The rows come from `loans.borrow_log_export`.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from fpdf import FPDF

from archive_store.loans import CONDITION_LABELS, KIND_LABELS, STATUS_LABELS, RequestRow

# (heading, width in mm, the row's value); the widths fill A4 landscape less 10 mm margins.
COLUMNS: tuple[tuple[str, float, object], ...] = (
    ("序号", 9, None),
    ("申请日期", 17, lambda r: _d(r.requested_at.date())),
    ("借阅人", 17, lambda r: r.requester),
    ("部门", 14, lambda r: r.department),
    ("档案号", 22, lambda r: r.archive_no),
    ("档案名称", 34, lambda r: r.archive_name),
    ("方式", 14, lambda r: KIND_LABELS.get(r.kind, r.kind)),
    ("借阅事由", 34, lambda r: r.reason),
    ("审批人", 30, lambda r: "、".join(_STEP.sub("", r.approvers).split())),  # in order: head, then leader
    ("借出日期", 17, lambda r: _d(r.out_on)),
    ("应还日期", 17, lambda r: _d(r.due_on or (r.view_until if r.kind == "view" else None))),
    ("归还日期", 17, lambda r: _d(r.returned_on)),
    ("归还情况", 13, lambda r: _condition(r)),
    ("状态", 0, lambda r: _SHORT.get(r.status) or STATUS_LABELS.get(r.status, r.status)),  # 0: the rest
)
_SHORT = {"pending_dept": "待部门审核", "pending_leader": "待领导审批"}  # to fit the printed column
_STEP = re.compile(r"\(.*?\)")
CSV_HEADINGS = ("编号", "申请日期", "借阅人", "部门", "档案号", "档案名称", "方式", "借阅事由", "审批人",
                "借出日期", "应还日期", "归还日期", "归还情况", "情况说明", "状态")
FONT = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2)  # the Simplified Chinese face
FALLBACK_FONT = ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0)
ROW_H = 7.0


def _d(value: date | None) -> str:
    return value.isoformat() if value else ""


def _condition(r: RequestRow) -> str:
    return CONDITION_LABELS.get(r.condition, r.condition) if r.condition else ""


def to_csv(rows: Sequence[RequestRow]) -> str:
    """UTF-8 with a BOM, because Excel on a Chinese Windows reads CSV as GBK without one."""
    out = io.StringIO()
    out.write("\ufeff")
    w = csv.writer(out)
    w.writerow(CSV_HEADINGS)
    for r in rows:
        w.writerow([r.id, _d(r.requested_at.date()), r.requester, r.department, r.archive_no,
                    _safe(r.archive_name), KIND_LABELS.get(r.kind, r.kind), _safe(r.reason), r.approvers,
                    _d(r.out_on), _d(r.due_on), _d(r.returned_on), _condition(r), _safe(r.note or ""),
                    STATUS_LABELS.get(r.status, r.status)])
    return out.getvalue()


def _safe(text: str) -> str:
    # A cell starting with = + - @ is run as a formula by spreadsheets: keep it text.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


class _Register(FPDF):
    def __init__(self, title: str, scope: str, printed: date):
        super().__init__(orientation="L", unit="mm", format="A4")
        self.title_text, self.scope, self.printed = title, scope, printed
        self.set_margins(10, 10, 10)
        self.set_auto_page_break(False)
        path, index = FONT if Path(FONT[0]).exists() else FALLBACK_FONT
        self.add_font("cjk", "", path, collection_font_number=index)
        left = self.epw - sum(w for _, w, _ in COLUMNS)
        self.widths = [w or left for _, w, _ in COLUMNS]

    def header(self):
        self.set_font("cjk", size=16)
        self.cell(0, 9, self.title_text, align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_font("cjk", size=9)
        self.cell(self.epw / 2, 6, self.scope)
        self.cell(self.epw / 2, 6, f"打印日期：{self.printed.isoformat()}", align="R", new_x="LMARGIN", new_y="NEXT")
        self.set_fill_color(235, 238, 242)
        for (heading, _, _), w in zip(COLUMNS, self.widths):
            self.cell(w, ROW_H, heading, border=1, align="C", fill=True)
        self.ln(ROW_H)

    def footer(self):
        self.set_y(-12)
        self.set_font("cjk", size=8)
        self.cell(0, 6, f"第 {self.page_no()} 页  共 {{nb}} 页", align="C")


class _Widths:
    """Character widths at the body's font size, measured once each: fpdf2's
    get_string_width per cell was most of the time of a long register."""

    def __init__(self, pdf: FPDF):
        self.pdf, self.cache = pdf, {}

    def __call__(self, ch: str) -> float:
        w = self.cache.get(ch)
        if w is None:
            w = self.cache[ch] = self.pdf.get_string_width(ch)
        return w

    def fit(self, text: str, room: float) -> str:
        """`text` cut to one line of `room` mm, the cut marked with …, as a clerk would abbreviate."""
        text = " ".join((text or "").split())
        total = 0.0
        for i, ch in enumerate(text):
            total += self(ch)
            if total > room:
                keep, used = i, total - self(ch) + self("…")
                while keep and used > room:
                    keep -= 1
                    used -= self(text[keep])
                return text[:keep] + "…"
        return text


def to_pdf(rows: Sequence[RequestRow], *, scope: str, printed: date) -> bytes:
    pdf = _Register("借阅登记表", scope, printed)
    pdf.alias_nb_pages()
    pdf.set_font("cjk", size=8)
    widths = _Widths(pdf)
    pad = pdf.c_margin
    lefts = [pdf.l_margin + sum(pdf.widths[:i]) for i in range(len(pdf.widths))]
    right = pdf.l_margin + sum(pdf.widths)
    bottom = pdf.h - 14
    top = y = 0.0

    def rule_columns(top: float, end: float) -> None:
        # Vertical rules once per page for the rows drawn on it; text() and line() instead
        # of cell() per field, which is several times faster for a register of thousands.
        for x in lefts + [right]:
            pdf.line(x, top, x, end)

    for n, r in enumerate(rows, 1):
        if n == 1 or y + ROW_H > bottom:
            if n > 1:
                rule_columns(top, y)
            pdf.add_page()
            pdf.set_font("cjk", size=8)
            top = y = pdf.get_y()
        for (_, _, value), x, w in zip(COLUMNS, lefts, pdf.widths):
            text = widths.fit(str(n) if value is None else value(r), w - 2 * pad)
            if text:
                pdf.text(x + pad, y + ROW_H / 2 + 1.1, text)
        y += ROW_H
        pdf.line(pdf.l_margin, y, right, y)
    if rows:
        rule_columns(top, y)
    else:
        pdf.add_page()
        pdf.set_font("cjk", size=8)
        pdf.cell(0, ROW_H, "（无记录）", border=1, align="C")
    return bytes(pdf.output())
