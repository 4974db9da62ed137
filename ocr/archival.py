"""The archival copy: a searchable PDF of the page images with the recognised text laid
over them invisibly, each line at its box (issue 12, item 5).

It is written directly rather than through a layout library for two reasons: the page
JPEGs go in as they are (DCTDecode, no second compression), and the text needs no font
file. Like tesseract's and OCRmyPDF's renderers, the text uses a glyph-less Type0 font in
render mode 3 (invisible) whose character codes are the UTF-16 code units and whose
ToUnicode map is the identity, so viewers select, search and copy the real characters.
Each line is stretched horizontally (Tz) to span its box, so a selection covers the text
it stands for.
"""
from __future__ import annotations

import io
import zlib
from typing import Sequence

from PIL import Image

from ocr.extraction import Page

_TO_UNICODE = (
    b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
    b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
    b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
    b"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
    # bfrange entries may not cross a change of the first byte: one range per high byte
    + b"".join(
        b"%d beginbfrange\n" % len(chunk)
        + b"".join(b"<%02X00> <%02XFF> <%02X00>\n" % (hi, hi, hi) for hi in chunk)
        + b"endbfrange\n"
        for chunk in (range(0, 100), range(100, 200), range(200, 256))  # at most 100 per block
    )
    + b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
)


def _utf16_hex(text: str) -> bytes:
    # characters outside the BMP (rare CJK extensions) become U+FFFD: one code unit each
    units = "".join(c if ord(c) < 0x10000 else "\ufffd" for c in text).encode("utf-16-be")
    return units.hex().upper().encode()


def _fmt(v: float) -> bytes:
    return (b"%.2f" % v).rstrip(b"0").rstrip(b".") or b"0"


class _Writer:
    def __init__(self) -> None:
        self.buf = io.BytesIO()
        self.buf.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        self.offsets: dict[int, int] = {}
        self.count = 0

    def reserve(self) -> int:
        self.count += 1
        return self.count

    def obj(self, num: int, body: bytes) -> None:
        self.offsets[num] = self.buf.tell()
        self.buf.write(b"%d 0 obj\n" % num + body + b"\nendobj\n")

    def stream(self, num: int, dictionary: bytes, data: bytes) -> None:
        self.obj(num, b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream")

    def finish(self, root: int, info: int) -> bytes:
        xref = self.buf.tell()
        self.buf.write(b"xref\n0 %d\n0000000000 65535 f \n" % (self.count + 1))
        for i in range(1, self.count + 1):
            self.buf.write(b"%010d 00000 n \n" % self.offsets[i])
        self.buf.write(b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
                       % (self.count + 1, root, info, xref))
        return self.buf.getvalue()


def build_archival_pdf(pages: Sequence[Page], images: Sequence[bytes], *, dpi: float = 200.0) -> bytes:
    """A PDF with one page per (Page, JPEG) pair. Boxes are in the JPEG's pixels; the PDF
    page is sized so the image appears at `dpi`."""
    if len(pages) != len(images):
        raise ValueError("one image per page is needed")
    w = _Writer()
    catalog, pages_obj, info = w.reserve(), w.reserve(), w.reserve()
    font, cidfont, descriptor, tounicode = w.reserve(), w.reserve(), w.reserve(), w.reserve()
    w.stream(tounicode, b"", _TO_UNICODE)
    w.obj(descriptor, b"<< /Type /FontDescriptor /FontName /GlyphLessFont /Flags 5 /FontBBox [0 0 1000 1000]"
                      b" /ItalicAngle 0 /Ascent 1000 /Descent 0 /CapHeight 1000 /StemV 80 >>")
    w.obj(cidfont, b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /GlyphLessFont"
                   b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
                   b" /FontDescriptor %d 0 R /DW 1000 /CIDToGIDMap /Identity >>" % descriptor)
    w.obj(font, b"<< /Type /Font /Subtype /Type0 /BaseFont /GlyphLessFont /Encoding /Identity-H"
                b" /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (cidfont, tounicode))
    kids: list[int] = []
    for page, jpeg in zip(pages, images):
        with Image.open(io.BytesIO(jpeg)) as im:
            px_w, px_h = im.size
            gray = im.mode == "L"
        sx, sy = px_w / page.width if page.width else 1.0, px_h / page.height if page.height else 1.0
        pt = 72.0 / dpi  # points per image pixel
        pw, ph = px_w * pt, px_h * pt
        img_obj, content, page_obj = w.reserve(), w.reserve(), w.reserve()
        w.stream(img_obj, b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /%s"
                          b" /BitsPerComponent 8 /Filter /DCTDecode" % (px_w, px_h, b"DeviceGray" if gray else b"DeviceRGB"), jpeg)
        ops = [b"q %s 0 0 %s 0 0 cm /Im0 Do Q" % (_fmt(pw), _fmt(ph)), b"BT 3 Tr"]
        for line in page.lines:
            text = line.text.strip()
            if not text:
                continue
            x0, y0 = line.box.x0 * sx * pt, line.box.y0 * sy * pt
            x1, y1 = line.box.x1 * sx * pt, line.box.y1 * sy * pt
            size = max(1.0, (y1 - y0))
            natural = len(text) * size  # the glyph-less font is 1 em wide per code unit
            stretch = max(1.0, 100.0 * (x1 - x0) / natural) if natural else 100.0
            # baseline a little above the box bottom, as for real glyphs with descenders
            base = ph - y1 + 0.15 * size
            ops.append(b"/F0 %s Tf %s Tz 1 0 0 1 %s %s Tm <%s> Tj"
                       % (_fmt(size), _fmt(stretch), _fmt(x0), _fmt(base), _utf16_hex(text)))
        ops.append(b"ET")
        data = zlib.compress(b"\n".join(ops), 6)
        w.stream(content, b"/Filter /FlateDecode", data)
        w.obj(page_obj, b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] /Contents %d 0 R"
                        b" /Resources << /XObject << /Im0 %d 0 R >> /Font << /F0 %d 0 R >> >> >>"
                        % (pages_obj, _fmt(pw), _fmt(ph), content, img_obj, font))
        kids.append(page_obj)
    w.obj(pages_obj, b"<< /Type /Pages /Count %d /Kids [%s] >>" % (len(kids), b" ".join(b"%d 0 R" % k for k in kids)))
    w.obj(catalog, b"<< /Type /Catalog /Pages %d 0 R >>" % pages_obj)
    w.obj(info, b"<< /Producer (Dossier ocr) >>")
    return w.finish(catalog, info)
