"""Round red seals: where they are, and the text of their ring.

A licence's authority seal is printed over the 登记机关 line and the issue date. Two
readings come out of it, and both are by colour, not shape:

- the black print beneath: red ink is as bright as paper in the red channel, so the page
  is read from that channel with clearly red pixels set to paper (`ocr.prep.lift_red`,
  used for every page read);
- the seal's own ring of text (the authority's name): the red layer alone, unwrapped
  around the seal's centre (a polar transform) into one straight line, and read by the
  same engine as the page.

forms/ keeps what the page says first: a value read under the seal wins over the ring;
the ring is evidence to cross-check it, or the value when nothing was read beneath.
"""
from __future__ import annotations

import math
import cv2
import numpy as np

from ocr.engines import Engine
from ocr.extraction import Box, Seal

# redness (R minus the larger of G and B) that counts as seal ink; black print has none,
# the grey of a photocopy none, the yellow-brown of a licence's border little
RED_MARGIN = 40
# a seal is at least this share of the page's short side across (a 4 cm seal on A4 is 0.19)
MIN_DIAMETER = 0.06
MAX_DIAMETER = 0.5
# share of directions around the centre in which the outer ring shows red ink: a seal's
# border is a closed ring; the red of a national emblem or a red title is not
RING_COVER = 0.75
# the ring text stands between these fractions of the seal's radius
TEXT_BAND = (0.52, 0.95)
GAP_BAND = 0.84


def redness(img: np.ndarray) -> np.ndarray:
    """How much redder than it is green or blue each pixel is (0 for black, grey, paper)."""
    rgb = img.astype(np.int16)
    return np.clip(rgb[..., 0] - np.maximum(rgb[..., 1], rgb[..., 2]), 0, 255).astype(np.uint8)


def red_layer(img: np.ndarray, stroke: int | None = None) -> np.ndarray:
    """The red ink alone as dark ink on white (RGB), the black print gone: what the ring
    is read from, so the page's text under the ring does not mix into it.

    Where a black stroke crosses a seal character the pixels are dark, not red, and the
    character would have a hole; a dark pixel closed in by red ink on both sides (within
    a stroke's width, `stroke` pixels) is taken as seal ink too."""
    r = redness(img).astype(np.float32)
    ink = np.clip((r - RED_MARGIN / 2) * (255.0 / 90.0), 0, 255)
    red = (r > RED_MARGIN).astype(np.uint8)
    dark = img.max(axis=2) < 110
    k = max(3, stroke or int(min(img.shape[:2]) * 0.008)) | 1
    closed = cv2.morphologyEx(red, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    ink[(closed > 0) & dark] = 255
    grey = (255 - ink).astype(np.uint8)
    return np.ascontiguousarray(np.stack([grey, grey, grey], axis=-1))


def find_seals(img: np.ndarray) -> list[tuple[float, float, float]]:
    """(cx, cy, radius) of each round red seal on an RGB page, largest first."""
    h, w = img.shape[:2]
    mask = (redness(img) > RED_MARGIN).astype(np.uint8)
    if mask.mean() < 0.0005:
        return []
    short = min(h, w)
    k = max(3, int(short * 0.015)) | 1
    # ink is speckled, the ring text is broken into characters and black print crossing
    # the ring cuts it (that ink is not red): close the gaps so a seal is one blob
    blob = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    contours, _ = cv2.findContours(blob, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    out = []
    for c in contours:
        x, y, bw, bh = cv2.boundingRect(c)
        if not MIN_DIAMETER * short <= max(bw, bh) <= MAX_DIAMETER * short:
            continue
        if not 0.7 <= bw / max(bh, 1) <= 1.43:  # round seals only; an oval one is rare on licences
            continue
        (cx, cy), r = cv2.minEnclosingCircle(c)
        if _ring_cover(mask, cx, cy, r) >= RING_COVER:
            out.append((float(cx), float(cy), float(r)))
    return sorted(out, key=lambda s: -s[2])


def _ring_cover(mask: np.ndarray, cx: float, cy: float, r: float) -> float:
    """Share of 180 directions from the centre with red ink in the outer ring."""
    hit = 0
    n = 180
    for i in range(n):
        a = 2 * math.pi * i / n
        for f in np.linspace(0.8, 1.0, 8):
            x, y = int(round(cx + f * r * math.cos(a))), int(round(cy + f * r * math.sin(a)))
            if 0 <= y < mask.shape[0] and 0 <= x < mask.shape[1] and mask[y, x]:
                hit += 1
                break
    return hit / n


def unwrap_ring(layer: np.ndarray, cx: float, cy: float, r: float) -> np.ndarray:
    """The ring's band of text as one straight line, character tops up, read left to right.

    In warpPolar's output each row is a direction from the centre (clockwise on the
    page, starting to the right) and each column a distance. The ring text runs clockwise
    with its tops facing out, so with the distance axis turned to point up the text reads
    left to right. The cut is made in the middle of the widest empty arc (the foot of
    the seal, where the text ends), wherever the seal was turned when it was stamped."""
    text_r = r * (TEXT_BAND[0] + TEXT_BAND[1]) / 2
    n_ang = max(360, int(2 * math.pi * text_r))  # rows: about one pixel of arc each
    n_rad = max(32, int(r))
    polar = cv2.warpPolar(layer, (n_rad, n_ang), (cx, cy), r, cv2.WARP_POLAR_LINEAR | cv2.INTER_LINEAR)
    lo, hi = int(TEXT_BAND[0] * n_rad), int(TEXT_BAND[1] * n_rad)
    band = polar[:, lo:hi]
    # the gap is looked for inside the seal's border, which closes every direction
    inner = polar[:, lo:int(GAP_BAND * n_rad)]
    ink = (inner[..., 0] < 128).sum(axis=1) > 1
    start = _middle_of_widest_gap(ink)
    band = np.roll(band, -start, axis=0)
    # rows are directions, columns distance: turn so distance runs up the image
    strip = np.ascontiguousarray(np.rot90(band, 1))
    pad = max(4, strip.shape[0] // 4)
    return cv2.copyMakeBorder(strip, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(255, 255, 255))


def _middle_of_widest_gap(ink: np.ndarray) -> int:
    n = len(ink)
    if ink.all() or not ink.any():
        return 0
    best_len, best_mid, run, run_start = 0, 0, 0, 0
    for i in range(2 * n):  # twice round, so a gap across the start is one gap
        if not ink[i % n]:
            if run == 0:
                run_start = i
            run += 1
            if run > best_len and run <= n:
                best_len, best_mid = run, (run_start + run // 2) % n
        else:
            run = 0
    return best_mid


def read_seals(engine: Engine, img: np.ndarray) -> list[Seal]:
    """Every round red seal on the (upright) page with its ring read by `engine`."""
    seals = find_seals(img)
    if not seals:
        return []
    out = []
    h, w = img.shape[:2]
    for cx, cy, r in seals[:3]:
        x0, y0 = max(0, int(cx - r) - 2), max(0, int(cy - r) - 2)
        crop = img[y0:min(h, int(cy + r) + 3), x0:min(w, int(cx + r) + 3)]
        # a black stroke crossing a seal character is narrower than a tenth of the seal
        layer = red_layer(crop, stroke=int(r * 0.1))
        strip = unwrap_ring(layer, cx - x0, cy - y0, r)
        lines = [ln for ln in engine.recognize(strip).lines if ln.text.strip()]
        if not lines:
            continue
        # the ring's name is its longest line; the code some seals carry at the foot is
        # short, and the cut put it at the ends of the strip
        best = max(lines, key=lambda ln: len(ln.text.strip()))
        out.append(Seal(Box(cx - r, cy - r, cx + r, cy + r), best.text.strip(),
                        round(float(best.confidence), 4)))
    return out


__all__ = ["find_seals", "red_layer", "unwrap_ring", "read_seals", "redness"]
