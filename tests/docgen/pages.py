"""Render Chinese text pages to images, with their ground truth, for OCR tests and benchmarks.

Pages are built from the policy texts in `../shared/seeds/` (Simplified, or Traditional via
opencc s2t), in several CJK fonts, as single- or two-column prose or as a ruled table. Every
renderer returns the image together with the text in reading order, so a caller can score
what an OCR engine read against what was drawn.
"""
from __future__ import annotations

import os
import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, Sequence

from PIL import Image, ImageDraw, ImageFont

Script = Literal["zh-Hans", "zh-Hant"]

SEEDS_DIR = Path(os.environ.get("DOSSIER_SEEDS", Path(__file__).resolve().parents[3] / "shared" / "seeds"))
if not SEEDS_DIR.is_dir():  # the work tree may live elsewhere; the shared folder does not move
    SEEDS_DIR = Path("/work/shared/seeds")

A4_MM = (210.0, 297.0)


@dataclass(frozen=True)
class FontFace:
    """One face of a font file (TTC collections hold several: SC, TC, JP …)."""

    path: str
    index: int
    name: str


@dataclass(frozen=True)
class RenderedPage:
    image: Image.Image
    lines: tuple[str, ...]  # ground truth in reading order, one entry per drawn line
    script: Script
    font: FontFace

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


_FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/wqy", "/usr/share/fonts/truetype/arphic")


@lru_cache(maxsize=1)
def cjk_fonts() -> tuple[FontFace, ...]:
    """Every installed CJK face that can draw both scripts, Noto first."""
    faces: list[FontFace] = []
    for d in _FONT_DIRS:
        p = Path(d)
        if not p.is_dir():
            continue
        for f in sorted(p.iterdir()):
            if f.suffix.lower() not in (".ttc", ".ttf", ".otf"):
                continue
            for index in range(12):
                try:
                    font = ImageFont.truetype(str(f), 20, index=index)
                except OSError:
                    break
                family, style = font.getname()
                # JP/KR faces draw Chinese with foreign glyph forms; mono and bold add nothing.
                if any(tag in family for tag in (" JP", " KR", " HK", "Mono")) or style not in ("Regular", "Book", "Medium", "Light"):
                    continue
                faces.append(FontFace(str(f), index, f"{family} {style}"))
    return tuple(faces)


def font_for(script: Script, faces: Sequence[FontFace] | None = None, *, rng: random.Random | None = None) -> FontFace:
    """A face suited to the script: an SC face for Simplified, a TC face for Traditional."""
    faces = list(faces or cjk_fonts())
    want, avoid = (" SC", " TC") if script == "zh-Hans" else (" TC", " SC")
    fitting = [f for f in faces if want in f.name] + [f for f in faces if want not in f.name and avoid not in f.name]
    if not fitting:
        raise RuntimeError("no CJK font installed (apt-get install fonts-noto-cjk)")
    return rng.choice(fitting) if rng else fitting[0]


@lru_cache(maxsize=64)
def _load(face: FontFace, px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(face.path, px, index=face.index)


_JUNK = re.compile(r"[\ufffd\u00a0\u3000\t]+|_第\d+頁|_第\d+页")


@lru_cache(maxsize=1)
def seed_paragraphs() -> tuple[str, ...]:
    """Paragraphs of the seed policy texts, cleaned of blank lines and broken characters."""
    paras: list[str] = []
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
            line = _JUNK.sub("", raw).strip()
            if len(line) >= 8:
                paras.append(line)
    if not paras:
        raise FileNotFoundError(f"no seed texts in {SEEDS_DIR}")
    return tuple(paras)


@lru_cache(maxsize=2)
def _converter(config: str):
    import opencc

    return opencc.OpenCC(config)


def to_script(text: str, script: Script) -> str:
    """The same text in the wanted script (the seeds mix both)."""
    return _converter("t2s" if script == "zh-Hans" else "s2t").convert(text)


def sample_text(rng: random.Random, chars: int, script: Script) -> list[str]:
    """Consecutive seed paragraphs starting at a random place, about `chars` characters."""
    paras = seed_paragraphs()
    start = rng.randrange(len(paras))
    out: list[str] = []
    total = 0
    i = start
    while total < chars:
        p = to_script(paras[i % len(paras)], script)
        out.append(p)
        total += len(p)
        i += 1
    return out


def _wrap(paragraphs: Sequence[str], font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Break paragraphs into lines that fit `width` pixels, character by character (CJK has no spaces)."""
    lines: list[str] = []
    for para in paragraphs:
        cur = ""
        cur_w = 0.0
        for ch in para:
            w = font.getlength(ch)
            if cur and cur_w + w > width:
                lines.append(cur.rstrip())
                cur, cur_w = ch.lstrip(), (w if ch.strip() else 0.0)
                continue
            cur += ch
            cur_w += w
        if cur.strip():
            lines.append(cur.rstrip())
    return lines


def page_size(dpi: int) -> tuple[int, int]:
    return round(A4_MM[0] / 25.4 * dpi), round(A4_MM[1] / 25.4 * dpi)


def render_text_page(
    paragraphs: Sequence[str],
    *,
    script: Script,
    font: FontFace | None = None,
    dpi: int = 300,
    font_pt: float = 12.0,
    columns: int = 1,
    line_spacing: float = 1.6,
    margin_mm: float = 20.0,
    title: str | None = None,
) -> RenderedPage:
    """Prose on an A4 page, in one or more columns; text that does not fit is left off."""
    font = font or font_for(script)
    w, h = page_size(dpi)
    img = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(img)
    px = max(8, round(font_pt / 72 * dpi))
    f = _load(font, px)
    margin = round(margin_mm / 25.4 * dpi)
    gutter = round(8 / 25.4 * dpi)
    col_w = (w - 2 * margin - gutter * (columns - 1)) / columns
    step = round(px * line_spacing)
    drawn: list[str] = []
    y0 = margin
    if title:
        tf = _load(font, round(px * 1.5))
        tw = tf.getlength(title)
        draw.text(((w - tw) / 2, y0), title, font=tf, fill="black")
        drawn.append(title)
        y0 += round(px * 1.5 * 2)
    rows_per_col = max(1, (h - margin - y0) // step)
    lines = _wrap(paragraphs, f, col_w)
    for c in range(columns):
        x = margin + c * (col_w + gutter)
        for r in range(rows_per_col):
            if not lines:
                break
            line = lines.pop(0)
            draw.text((x, y0 + r * step), line, font=f, fill="black")
            drawn.append(line)
    return RenderedPage(img, tuple(drawn), script, font)


def render_table_page(
    rows: Sequence[Sequence[str]],
    *,
    script: Script,
    font: FontFace | None = None,
    dpi: int = 300,
    font_pt: float = 11.0,
    margin_mm: float = 20.0,
    title: str | None = None,
) -> RenderedPage:
    """A ruled table, one text line per cell, like the forms clerks scan.

    Ground truth lists each row's cells left to right, rows top to bottom.
    """
    font = font or font_for(script)
    w, h = page_size(dpi)
    img = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(img)
    px = max(8, round(font_pt / 72 * dpi))
    f = _load(font, px)
    margin = round(margin_mm / 25.4 * dpi)
    ncols = max(len(r) for r in rows)
    widths = [max(f.getlength(r[c]) if c < len(r) else 0 for r in rows) + px for c in range(ncols)]
    avail = w - 2 * margin
    scale = avail / sum(widths)
    widths = [cw * scale for cw in widths]
    row_h = round(px * 2.2)
    drawn: list[str] = []
    y = margin
    if title:
        tf = _load(font, round(px * 1.5))
        draw.text(((w - tf.getlength(title)) / 2, y), title, font=tf, fill="black")
        drawn.append(title)
        y += round(px * 3)
    stroke = max(2, dpi // 100)
    for row in rows:
        if y + row_h > h - margin:
            break
        x = float(margin)
        for c in range(ncols):
            cell = row[c] if c < len(row) else ""
            draw.rectangle((x, y, x + widths[c], y + row_h), outline="black", width=stroke)
            if cell:
                draw.text((x + px * 0.5, y + (row_h - px) / 2 - px * 0.1), cell, font=f, fill="black")
                drawn.append(cell)
            x += widths[c]
        y += row_h
    return RenderedPage(img, tuple(drawn), script, font)


def form_rows(rng: random.Random, script: Script, n: int = 14) -> list[list[str]]:
    """Label/value rows in the shape of a customer information collection form."""
    labels = ["客户名称", "统一社会信用代码", "法定代表人", "联系电话", "注册地址", "经营范围", "开户银行", "客户等级",
              "业务员", "建档日期", "所属行业", "邮政编码", "电子邮箱", "备注"]
    values = [
        lambda: "".join(rng.choice("华信达通宏远恒泰中科博创金鼎天成") for _ in range(4)) + "有限公司",
        lambda: "91" + "".join(rng.choice("0123456789") for _ in range(6)) + "MA" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8)),
        lambda: rng.choice("王李张刘陈杨黄赵周吴") + rng.choice(["伟", "芳", "敏", "静", "强", "磊", "洋", "艳"]),
        lambda: "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9)),
        lambda: rng.choice(["北京市朝阳区", "上海市浦东新区", "广州市天河区", "武汉市洪山区"]) + f"{rng.randint(1, 999)}号",
        lambda: rng.choice(["软件开发与技术服务", "批发和零售贸易", "物业管理服务", "货物进出口"]),
        lambda: rng.choice(["中国工商银行", "中国建设银行", "招商银行"]) + rng.choice(["分行", "支行"]),
        lambda: rng.choice("ABC") + "级",
        lambda: rng.choice("王李张刘陈") + rng.choice(["明", "华", "军", "丽"]),
        lambda: f"{rng.randint(2018, 2025)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日",
        lambda: rng.choice(["制造业", "信息技术", "房地产", "金融服务"]),
        lambda: "".join(rng.choice("0123456789") for _ in range(6)),
        lambda: "".join(rng.choice("abcdefghijk") for _ in range(6)) + "@example.com",
        lambda: rng.choice(["按季度回访", "重点客户", "无"]),
    ]
    rows = []
    for i in range(min(n, len(labels))):
        rows.append([to_script(labels[i], script), to_script(values[i](), script)])
    return rows


def random_page(rng: random.Random, script: Script, *, dpi: int = 300, kind: str | None = None) -> RenderedPage:
    """One page of a random kind (single column, two columns, table) in a random fitting font."""
    kind = kind or rng.choice(["single", "single", "double", "table"])
    font = font_for(script, rng=rng)
    if kind == "table":
        return render_table_page(form_rows(rng, script), script=script, font=font, dpi=dpi,
                                 title=to_script("客户信息收集表", script))
    columns = 2 if kind == "double" else 1
    return render_text_page(sample_text(rng, 1400, script), script=script, font=font, dpi=dpi,
                            columns=columns, font_pt=rng.choice([10.5, 11.0, 12.0]))


def render_lines(lines: Sequence[str], *, script: Script = "zh-Hans", font: FontFace | None = None,
                 px: int = 40, width: int | None = None, pad: int = 40, line_gap: float = 1.8) -> RenderedPage:
    """A small image holding the given lines, for fast unit tests (no A4 page around it)."""
    font = font or font_for(script)
    f = _load(font, px)
    w = width or int(max(f.getlength(s) for s in lines) + 2 * pad)
    h = int(len(lines) * px * line_gap + 2 * pad)
    img = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(img)
    for i, s in enumerate(lines):
        draw.text((pad, pad + i * px * line_gap), s, font=f, fill="black")
    return RenderedPage(img, tuple(lines), script, font)
