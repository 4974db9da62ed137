"""The archive catalogue (卷内目录), to print and put in the paper folder or to hand on as CSV.

POLICY.md: documents inside the folder in order of their issue date with a detailed
catalogue. The order and what a user may list are viewing.catalogue's (one home); a
destroyed document keeps its line with its status, because only the content goes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from archive_store import audit, csvfile
from archive_store.models import DocNoAlias, User
from archive_store.system import System
from archive_store.viewing import open_card

COLUMNS = ("序号", "档号", "题名", "类型", "形成日期", "页数", "状态", "备注")
KINDS = {"business_license": "营业执照", "contract": "合同", "collection_form": "客户信息收集表", "other": "其他"}
STATUSES = {"pending_review": "待审核", "effective": "已生效", "returned": "已退回", "destroyed": "已销毁"}
FONTS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")


@dataclass(frozen=True)
class Line:
    serial: int
    doc_no: str
    title: str
    kind: str
    issue_date: date | None
    pages: int
    status: str
    remarks: str


@dataclass(frozen=True)
class Catalogue:
    archive_no: str
    name: str | None
    lines: list[Line]
    withheld: int


def build(system: System, actor: User, archive_no: str) -> Catalogue:
    """The catalogue as `actor` may see it; the export is an audit event like any look."""
    with system.db.read() as s:
        archive, docs, withheld = open_card(system, s, actor, archive_no, "catalogue")
        former: dict[int, list[str]] = {}
        for alias in s.scalars(select(DocNoAlias).where(DocNoAlias.document_id.in_([d.id for d in docs]))
                               .order_by(DocNoAlias.id)):
            former.setdefault(alias.document_id, []).append(alias.old_doc_no)
        lines = [Line(serial=n, doc_no=d.doc_no, title=d.title or d.source_name,
                      kind=KINDS.get(d.doc_type, "其他"), issue_date=d.issue_date, pages=d.pages,
                      status=STATUSES.get(d.status, d.status), remarks=_remarks(d.status, former.get(d.id, [])))
                 for n, d in enumerate(docs, 1)]
        result = Catalogue(archive.archive_no, archive.name, lines, withheld)
    with system.db.write() as s:
        audit.record(s, actor=actor.username, action="archive.catalogue_exported", object_type="archive",
                     object_id=result.archive_no, after={"lines": len(lines)})
    return result


def _remarks(status: str, former: list[str]) -> str:
    notes = []
    if status == "destroyed":
        notes.append("内容已销毁，目录保留")
    if former:
        notes.append("原档号 " + "、".join(former))
    return "；".join(notes)


def to_csv(cat: Catalogue) -> str:
    return csvfile.text([COLUMNS, *(
        [line.serial, line.doc_no, line.title, line.kind, line.issue_date.isoformat() if line.issue_date else "",
         line.pages, line.status, line.remarks] for line in cat.lines)])


def to_pdf(cat: Catalogue) -> bytes:
    """An A4 page (landscape: eight columns) with a CJK font."""
    from fpdf import FPDF

    font = next((f for f in FONTS if Path(f).exists()), None)
    if font is None:
        raise RuntimeError("no CJK font found: install fonts-noto-cjk or fonts-wqy-zenhei")
    pdf = FPDF(orientation="L", format="A4", unit="mm")
    pdf.add_font("cjk", "", font, collection_font_number=2 if "Noto" in font else 0)  # 2: the SC face
    pdf.set_title(f"卷内目录 {cat.archive_no}")
    pdf.add_page()
    pdf.set_font("cjk", size=18)
    pdf.cell(0, 12, "卷内目录", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=11)
    pdf.cell(0, 8, f"档案号：{cat.archive_no}    客户：{cat.name or ''}    共 {len(cat.lines)} 件",
             new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("cjk", size=9)
    from fpdf.fonts import FontFace

    # The CJK font has one face: headings are set apart by a grey fill, not bold.
    heading = FontFace(emphasis="", fill_color=(230, 230, 230))
    with pdf.table(col_widths=(12, 38, 70, 28, 24, 12, 18, 75), line_height=6, headings_style=heading) as table:
        table.row(COLUMNS)
        for line in cat.lines:
            table.row((str(line.serial), line.doc_no, line.title, line.kind,
                       line.issue_date.isoformat() if line.issue_date else "—", str(line.pages), line.status,
                       line.remarks))
    if cat.withheld:
        pdf.ln(2)
        pdf.cell(0, 6, f"另有 {cat.withheld} 件不在导出人的查看范围内，未列出。")
    return bytes(pdf.output())
