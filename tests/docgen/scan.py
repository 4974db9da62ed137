"""Turn a clean rendered page into something that looks like a real scan or phone photo.

The degradations are the ones clerks' scans really show (issue 12, "Scans as they really
come"): a red company seal stamped over the text, grey or yellowed paper with uneven light,
a page laid crooked on the glass, stored sideways or upside down, 200 dpi instead of 300,
sensor noise, JPEG artefacts, and the blur and perspective of a phone photo. Every random
choice comes from the `rng` passed in, so a seed gives the same page every time.

`simulate_scan`'s signature is shared with the forms room's document generators: keep it.
"""
from __future__ import annotations

import io
import math
import random

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

__all__ = ["simulate_scan", "stamp_seal", "degrade"]

_SEAL_RED = (205, 30, 35)


def _seal_font(px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        from tests.docgen.pages import cjk_fonts

        face = next(f for f in cjk_fonts() if " SC" in f.name)
        return ImageFont.truetype(face.path, px, index=face.index)
    except Exception:  # no CJK font: a seal of rings and a star still covers the text
        return ImageFont.load_default()


def _seal_image(diameter: int, rng: random.Random, text: str, *, span_deg: float = 240,
                inner_ring: bool = False, foot: str | None = None) -> Image.Image:
    """A round company seal (公章): ring, star, the company name around the top, as an alpha mask.

    Seals differ: the arc the name takes (`span_deg`), a thin inner ring, a registration
    code set straight along the foot (`foot`). The defaults draw the seal as it always was."""
    d = diameter
    mask = Image.new("L", (d, d), 0)
    draw = ImageDraw.Draw(mask)
    ring = max(3, d // 28)
    draw.ellipse((ring, ring, d - ring, d - ring), outline=255, width=ring)
    if inner_ring:
        r_in = ring * 2 + max(1, ring // 2)
        draw.ellipse((r_in, r_in, d - r_in, d - r_in), outline=255, width=max(1, ring // 3))
    # five-pointed star in the middle
    cx = cy = d / 2
    r_out, r_in = d * 0.16, d * 0.065
    pts = []
    for i in range(10):
        ang = -math.pi / 2 + i * math.pi / 5
        r = r_out if i % 2 == 0 else r_in
        pts.append((cx + r * math.cos(ang), cy + r * math.sin(ang)))
    draw.polygon(pts, fill=255)
    # characters around the upper arc, each drawn upright then rotated into place
    px = max(10, int(d * 0.11))
    font = _seal_font(px)
    n = len(text)
    span = math.radians(span_deg)
    for i, ch in enumerate(text):
        ang = -math.pi / 2 - span / 2 + span * (i + 0.5) / n
        tile = Image.new("L", (px * 2, px * 2), 0)
        ImageDraw.Draw(tile).text((px // 2, px // 3), ch, font=font, fill=255)
        tile = tile.rotate(-math.degrees(ang) - 90, resample=Image.BICUBIC)
        rr = d / 2 - ring * 2 - px * 0.75
        x = cx + rr * math.cos(ang) - px
        y = cy + rr * math.sin(ang) - px
        mask.paste(255, (int(x), int(y)), tile)
    if foot:
        small = _seal_font(max(8, int(d * 0.06)))
        w = small.getlength(foot) if hasattr(small, "getlength") else len(foot) * d * 0.03
        draw.text((cx - w / 2, d * 0.74), foot, font=small, fill=255)
    # real ink is uneven: knock out speckles so the seal is not a perfect stencil
    arr = np.asarray(mask, dtype=np.float32) / 255.0
    nprng = np.random.default_rng(rng.randrange(2**32))
    arr *= np.clip(nprng.normal(0.85, 0.2, arr.shape), 0.3, 1.0)
    return Image.fromarray((arr * 255).astype(np.uint8), "L")


def stamp_seal(img: Image.Image, *, rng: random.Random, text: str = "客户档案管理有限公司合同专用章",
               center: tuple[float, float] | None = None, diameter: int | None = None,
               span_deg: float = 240, inner_ring: bool = False, foot: str | None = None) -> Image.Image:
    """Stamp a red seal over the page, multiplied like ink: black text under it stays black.
    `span_deg`, `inner_ring` and `foot` vary the seal's design (see _seal_image)."""
    img = img.convert("RGB")
    w, h = img.size
    d = diameter or int(min(w, h) * rng.uniform(0.22, 0.3))
    if center is None:
        center = (rng.uniform(0.35, 0.75) * w, rng.uniform(0.3, 0.75) * h)
    mask = _seal_image(d, rng, text, span_deg=span_deg, inner_ring=inner_ring, foot=foot).rotate(rng.uniform(-30, 30), resample=Image.BICUBIC)
    x0, y0 = int(center[0] - d / 2), int(center[1] - d / 2)
    m = np.asarray(mask, dtype=np.float32) / 255.0 * rng.uniform(0.75, 0.95)
    xs, ys = max(0, x0), max(0, y0)
    xe, ye = min(w, x0 + d), min(h, y0 + d)
    if xe <= xs or ye <= ys:
        return img
    alpha = m[ys - y0:ye - y0, xs - x0:xe - x0, None]
    out = np.asarray(img).copy()
    region = out[ys:ye, xs:xe].astype(np.float32)
    ink = np.array(_SEAL_RED, dtype=np.float32) / 255.0
    # multiply blend, like ink on paper: out = base * (1 - a + a * ink)
    out[ys:ye, xs:xe] = (region * (1.0 - alpha + alpha * ink)).clip(0, 255).astype(np.uint8)
    return Image.fromarray(out, "RGB")


def _paper(img: Image.Image, rng: random.Random, yellow: bool) -> Image.Image:
    """Grey or yellowed paper with light falling off towards one side."""
    w, h = img.size
    tint = (rng.uniform(0.93, 0.97), rng.uniform(0.86, 0.92), rng.uniform(0.66, 0.78)) if yellow else (
        (g := rng.uniform(0.84, 0.93)), g, g)
    # the light ramp is smooth, so it is computed small and scaled up
    gy, gx = np.mgrid[0:64, 0:64].astype(np.float32) / 63.0
    ang = rng.uniform(0, 2 * math.pi)
    ramp = gx * math.cos(ang) + gy * math.sin(ang)
    ramp = (ramp - ramp.min()) / max(1e-6, float(ramp.max() - ramp.min()))
    paper = np.stack([(1.0 - 0.12 * ramp) * t for t in tint], axis=-1)
    paper_img = Image.fromarray((paper * 255).astype(np.uint8), "RGB").resize((w, h), Image.BILINEAR)
    return ImageChops.multiply(img.convert("RGB"), paper_img)


def _perspective(img: Image.Image, rng: random.Random, amount: float, fill: tuple[int, int, int]) -> Image.Image:
    """Keystone distortion as from a phone held not quite parallel to the page."""
    w, h = img.size
    dx, dy = w * amount, h * amount
    # corners of the source quad that map onto the output rectangle
    quad = (
        rng.uniform(0, dx), rng.uniform(0, dy),
        rng.uniform(0, dx), h - rng.uniform(0, dy),
        w - rng.uniform(0, dx), h - rng.uniform(0, dy),
        w - rng.uniform(0, dx), rng.uniform(0, dy),
    )
    return img.transform((w, h), Image.QUAD, quad, resample=Image.BICUBIC, fillcolor=fill)


def simulate_scan(
    img: Image.Image,
    *,
    rng: random.Random,
    rotate: int = 0,
    skew_deg: float = 0,
    noise: float = 0,
    yellow: bool = False,
    jpeg_quality: int | None = None,
    scale: float = 1.0,
    seal: bool = False,
    blur: float = 0,
    grey: bool = False,
    perspective: float = 0,
) -> Image.Image:
    """A clean page as a scanner or phone would deliver it.

    rotate: how the page is stored, counter-clockwise degrees (0, 90, 180, 270).
    skew_deg: the page laid crooked on the glass (counter-clockwise, a few degrees).
    noise: sensor noise, standard deviation as a fraction of full scale (0.03 is visible).
    yellow / grey: yellowed or grey paper with uneven light (yellow wins if both).
    jpeg_quality: save and reload as JPEG at that quality (None: no JPEG round trip).
    scale: resolution relative to the rendering (a 300-dpi page at 2/3 is a 200-dpi scan).
    seal: stamp a red company seal over the text.
    blur: Gaussian blur radius in pixels of the output (phone focus, cheap scanners).
    perspective: keystone as a fraction of the page size (0.03 is a hand-held phone).
    """
    if rotate % 90:
        raise ValueError("rotate must be 0, 90, 180 or 270")
    out = img.convert("RGB")
    if seal:
        out = stamp_seal(out, rng=rng)
    if yellow or grey:
        out = _paper(out, rng, yellow)
    fill = out.getpixel((2, 2))
    if perspective:
        out = _perspective(out, rng, perspective, fill)
    if skew_deg:
        out = out.rotate(skew_deg, resample=Image.BICUBIC, expand=True, fillcolor=fill)
    if rotate % 360:
        out = out.rotate(rotate % 360, expand=True)  # exact for multiples of 90
    if scale != 1.0:
        out = out.resize((max(1, round(out.width * scale)), max(1, round(out.height * scale))), Image.LANCZOS)
    if blur:
        out = out.filter(ImageFilter.GaussianBlur(blur))
    if noise:
        nprng = np.random.default_rng(rng.randrange(2**32))
        arr = np.asarray(out, dtype=np.int16)
        grain = nprng.normal(0.0, noise * 255.0, arr.shape[:2]).astype(np.int16)
        out = Image.fromarray((arr + grain[..., None]).clip(0, 255).astype(np.uint8), "RGB")
    if jpeg_quality is not None:
        buf = io.BytesIO()
        out.save(buf, "JPEG", quality=int(jpeg_quality))
        buf.seek(0)
        out = Image.open(buf)
        out.load()
        out = out.convert("RGB")
    return out


def degrade(img: Image.Image, rng: random.Random, level: str = "scan") -> Image.Image:
    """A random but realistic mix of the degradations above, for benchmarks.

    level "scan": flatbed scan; "photo": phone photo; "clean": only a JPEG round trip.
    """
    if level == "clean":
        return simulate_scan(img, rng=rng, jpeg_quality=92)
    if level == "photo":
        return simulate_scan(img, rng=rng, skew_deg=rng.uniform(-4, 4), noise=rng.uniform(0.01, 0.03),
                             yellow=rng.random() < 0.5, grey=True, jpeg_quality=rng.randint(60, 80),
                             scale=rng.uniform(0.6, 0.8), blur=rng.uniform(0.5, 1.2),
                             perspective=rng.uniform(0.01, 0.03), seal=rng.random() < 0.3)
    return simulate_scan(img, rng=rng, skew_deg=rng.uniform(-3, 3), noise=rng.uniform(0.0, 0.03),
                         yellow=rng.random() < 0.4, grey=rng.random() < 0.5, jpeg_quality=rng.randint(60, 90),
                         scale=rng.choice([1.0, 2 / 3]), seal=rng.random() < 0.5, blur=rng.uniform(0, 0.8))
