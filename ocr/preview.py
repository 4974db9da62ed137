"""Page images for documents that have no pixels of their own (Word files): the synthetic
layout drawn as a plain page, so the portal can show every page the same way."""
from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ocr.extraction import Page
from ocr.options import ReadOptions

_FONT_CANDIDATES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)


@lru_cache(maxsize=8)
def _font(px: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    for path, index in _FONT_CANDIDATES:
        if Path(path).exists():
            return ImageFont.truetype(path, px, index=index)
    return ImageFont.load_default()


def docx_previews(pages: list[Page], options: ReadOptions) -> list[bytes]:
    out = []
    for page in pages:
        img = Image.new("RGB", (int(page.width), int(page.height)), "white")
        draw = ImageDraw.Draw(img)
        for line in page.lines:
            px = max(8, int(line.box.height * 0.8))
            draw.text((line.box.x0, line.box.y0), line.text, font=_font(px), fill="black")
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=options.page_image_quality)
        out.append(buf.getvalue())
    return out
