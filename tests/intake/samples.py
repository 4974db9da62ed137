"""Small, varied files for the intake tests: good documents of each form and bad ones of each kind.

Kept deliberately simple: the forms room's generator (tests/docgen) covers layout variety;
here what matters is that each file is distinct, realistic enough to be classified, and fast.
"""
from __future__ import annotations

import io
import json
import random
import zipfile
from pathlib import Path

from docx import Document as Docx
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfWriter
from stdnum.cn import uscc as uscc_mod

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
NOTO = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
WORDS = "华强 恒通 鼎盛 瑞丰 宏远 博达 金桥 新元 天成 嘉禾 中科 联合 安泰 东方 星河".split()
CITIES = "上海 北京 深圳 杭州 南京 成都 武汉 苏州".split()


def make_uscc(rng: random.Random) -> str:
    body = "9131" + "".join(rng.choice("0123456789") for _ in range(4)) + "MA" + "".join(
        rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(7))
    return body + uscc_mod.calc_check_digit(body)


def company(rng: random.Random, i: int) -> str:
    return f"{rng.choice(CITIES)}{rng.choice(WORDS)}{rng.choice(WORDS)}{i}号科技有限公司"


def form_rows(i: int, rng: random.Random) -> list[tuple[str, str]]:
    return [
        ("客户名称", company(rng, i)),
        ("客户类型", "☑企业 □个人"),
        ("统一社会信用代码", make_uscc(rng)),
        ("联系人", rng.choice(SURNAMES) + rng.choice("伟芳娜敏静丽强磊军洋")),
        ("联系电话", "13" + "".join(rng.choice("0123456789") for _ in range(9))),
        ("所属行业", rng.choice(["制造业", "软件和信息技术服务业", "批发和零售业"])),
        ("信息来源", rng.choice(["销售拜访", "客户来电", "展会"])),
        ("收集日期", f"2025年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"),
    ]


def docx_form(path: Path, i: int, seed: int = 0) -> dict:
    rng = random.Random(seed * 100_003 + i)
    rows = form_rows(i, rng)
    doc = Docx()
    doc.add_heading("客户信息收集表", level=1)
    table = doc.add_table(rows=len(rows), cols=2)
    for r, (label, value) in enumerate(rows):
        table.cell(r, 0).text = label
        table.cell(r, 1).text = value
    doc.save(path)
    return dict(rows)


def pdf_form(path: Path, i: int, seed: int = 0) -> dict:
    rng = random.Random(seed * 100_019 + i)
    rows = form_rows(i, rng)
    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("cjk", "", FONT)
    pdf.set_font("cjk", size=18)
    pdf.cell(0, 14, "客户信息收集表", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=12)
    for label, value in rows:
        pdf.cell(55, 10, label, border=1)
        pdf.cell(0, 10, value, border=1, new_x="LMARGIN", new_y="NEXT")
    path.write_bytes(bytes(pdf.output()))
    return dict(rows)


def scan_form(path: Path, i: int, seed: int = 0, printed: dict[str, str] | None = None) -> dict:
    """A clean 150-dpi-ish scan image (PNG): OCR'd, so slow; use few. `printed` puts other
    text than the truth in some cells (a misprint to read)."""
    rng = random.Random(seed * 100_043 + i)
    rows = form_rows(i, rng)
    truth = dict(rows)
    rows = [(label, (printed or {}).get(label, value)) for label, value in rows]
    img = Image.new("L", (1240, 1000), 255)
    draw = ImageDraw.Draw(img)
    title, body = ImageFont.truetype(NOTO, 44), ImageFont.truetype(NOTO, 30)
    draw.text((420, 50), "客户信息收集表", font=title, fill=0)
    y = 150
    for label, value in rows:
        draw.rectangle((80, y, 1160, y + 90), outline=0, width=2)
        draw.line((420, y, 420, y + 90), fill=0, width=2)
        draw.text((100, y + 25), label, font=body, fill=0)
        draw.text((440, y + 25), value, font=body, fill=0)
        y += 90
    img.save(path, format="PNG")
    return truth


def scanned_pdf(path: Path, i: int, pages: int, seed: int = 0) -> dict:
    """A scanned form of several pages: one PDF of page images and no text layer, so every
    page goes through OCR in turn (slow, by the page: what the live page's count follows).
    Page 1 is the form, the others its attachment's notes."""
    truth = scan_form(path.with_suffix(".png"), i, seed)
    first = Image.open(path.with_suffix(".png")).convert("L")
    path.with_suffix(".png").unlink()
    body = ImageFont.truetype(NOTO, 30)
    rest = []
    for n in range(2, pages + 1):
        img = Image.new("L", first.size, 255)
        draw = ImageDraw.Draw(img)
        for k in range(8):
            draw.text((100, 80 + 110 * k), f"附件第{n}页 第{k + 1}条 客户资料已核对无误", font=body, fill=0)
        rest.append(img)
    first.save(path, "PDF", resolution=150, save_all=True, append_images=rest)
    return truth


# -- bad files, one per quarantine reason ---------------------------------------------------
def empty(path: Path) -> None:
    path.write_bytes(b"")


def corrupt_pdf(path: Path) -> None:
    path.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" + bytes(range(256)) * 4)


def encrypted_pdf(path: Path, source: Path) -> None:
    from pypdf import PdfReader

    writer = PdfWriter()
    for page in PdfReader(source).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret-pw", owner_password="owner-pw")
    with open(path, "wb") as f:
        writer.write(f)


def unsupported(path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("notes.txt", "not a document we file")
    path.write_bytes(buf.getvalue())


def misnamed(path: Path) -> None:
    """Plain text wearing a .pdf name: detected by content, not by the name."""
    path.write_text("这不是PDF文件，只是一段文字。\n" * 20, encoding="utf-8")


# -- looking at the data folder ---------------------------------------------------------
def reason_of(system, name: str) -> dict:
    return json.loads((system.settings.quarantine / (name + ".reason.json")).read_text(encoding="utf-8"))


def stored_files(system) -> set[str]:
    return {p.name for p in system.settings.store.rglob("*") if p.is_file() and not p.name.startswith(".")}


# -- hostile files (issue 20) ---------------------------------------------------------------
def docx_bomb(path: Path, paragraphs: int = 1_390_000) -> None:
    """An XML bomb as found in the wild: a 180 KB Word file whose body unpacks to 1.39 million
    paragraphs; drawn as one page it would be a picture of 55 million pixels' height."""
    base = io.BytesIO()
    Docx().save(base)
    src = zipfile.ZipFile(io.BytesIO(base.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                head, tail = data.split(b"<w:body>")
                data = head + b"<w:body>" + "<w:p><w:r><w:t>长</w:t></w:r></w:p>".encode() * paragraphs + tail
            z.writestr(info.filename, data)
    path.write_bytes(out.getvalue())


def long_contract(path: Path, paragraphs: int = 1800) -> None:
    """An ordinary long contract: one paragraph per clause."""
    doc = Docx()
    doc.add_heading("买卖合同", level=1)
    for i in range(paragraphs):
        doc.add_paragraph(f"第{i + 1}条 甲乙双方就本合同第{i + 1}项约定如下，双方共同遵守。")
    doc.save(path)


def memory_hog_png(path: Path, width: int = 9500, height: int = 10000) -> None:
    """95 megapixels: under the pixel limit, so only a reader's memory cap stops it."""
    img = Image.new("L", (width, height), 255)
    ImageDraw.Draw(img).rectangle((100, 100, width - 100, height - 100), outline=0, width=20)
    img.save(path, format="PNG")


def broken_docx(path: Path) -> None:
    """A Word file cut off half-way, as a failed copy leaves it."""
    docx_form(path, 0)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def hashlib_sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()
