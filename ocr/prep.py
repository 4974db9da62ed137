"""Page clean-up before OCR: straighten, turn sideways pages upright, lift red seals.

All of it runs on a small copy of the page where it can (a 1000-px page shows skew and line
direction as clearly as a 3500-px one), so it costs little next to the OCR itself.
"""
from __future__ import annotations

import cv2
import numpy as np

_ANALYSIS_SIDE = 1000


def _small_binary(gray: np.ndarray) -> np.ndarray:
    h, w = gray.shape
    f = _ANALYSIS_SIDE / max(h, w)
    small = cv2.resize(gray, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA) if f < 1 else gray
    _, binary = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return binary


def _profile_score(binary: np.ndarray, angle: float) -> float:
    """How sharply the rows separate into text lines and gaps at this rotation."""
    if angle:
        h, w = binary.shape
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        binary = cv2.warpAffine(binary, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
    # ink share per row, so pages of any shape (and the same page turned) compare fairly
    rows = binary.sum(axis=1, dtype=np.float64) / (255.0 * binary.shape[1])
    return float(np.square(np.diff(rows)).mean())


def analyse_layout(gray: np.ndarray, *, max_skew: float = 6.0) -> tuple[bool, float]:
    """(sideways, correction): `correction` is the counter-clockwise angle in degrees that
    straightens the page (after `rotate90(img, 90)` when sideways).

    Text lines make the row profile of a page jagged (line, gap, line); on a page lying on
    its side the column profile is the jagged one. Comparing the two at their best skew
    tells sideways from upright without reading a character.
    """
    binary = _small_binary(gray)
    if binary.mean() < 0.5:  # blank page: nothing to analyse
        return False, 0.0

    def best(b: np.ndarray) -> tuple[float, float]:
        coarse = np.arange(-max_skew, max_skew + 1e-9, 0.5)
        scores = [_profile_score(b, a) for a in coarse]
        a0 = float(coarse[int(np.argmax(scores))])
        fine = np.arange(a0 - 0.4, a0 + 0.41, 0.1)
        fscores = [_profile_score(b, a) for a in fine]
        i = int(np.argmax(fscores))
        return float(fine[i]), float(fscores[i])

    a_up, s_up = best(binary)
    a_side, s_side = best(np.ascontiguousarray(np.rot90(binary)))
    if s_side > 1.5 * s_up:
        return True, a_side
    return False, a_up


def rotate_bound(img: np.ndarray, angle: float) -> np.ndarray:
    """Rotate counter-clockwise by `angle` degrees, growing the canvas so no corner is cut,
    filling with the page's own background colour."""
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(h * sin + w * cos + 0.5), int(h * cos + w * sin + 0.5)
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    border = tuple(int(v) for v in np.median(img[:: max(1, h // 50), :: max(1, w // 50)].reshape(-1, img.shape[2] if img.ndim == 3 else 1), axis=0))
    return cv2.warpAffine(img, m, (nw, nh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=border)


def rotate90(img: np.ndarray, degrees_ccw: int) -> np.ndarray:
    k = (degrees_ccw // 90) % 4
    return np.ascontiguousarray(np.rot90(img, k)) if k else img


def _red_mask(img: np.ndarray, margin: int) -> np.ndarray:
    rgb = img.astype(np.int16)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return (r - np.maximum(g, b) > margin) & (r > 120)


def red_share(img: np.ndarray) -> float:
    return float(_red_mask(img[::4, ::4], 60).mean())


def lift_red(img: np.ndarray, *, min_share: float = 0.001) -> np.ndarray:
    """A page with red ink on it (a seal, a red chop) as grey with the red ink gone.

    Red ink is as bright as paper in the red channel while black and blue text stay dark,
    so the page is taken from its red channel; what is still clearly red is then set to
    paper white, because a faint grey ring is enough to upset tesseract's page layout.
    Pixels where seal and text overlap are dark in every channel and survive. Pages
    without red are returned untouched.
    """
    if img.ndim != 3 or red_share(img) < min_share:
        return img
    grey = img[..., 0].copy()
    grey[_red_mask(img, 30)] = 255
    return np.ascontiguousarray(np.stack([grey, grey, grey], axis=-1))


def text_strip(gray: np.ndarray, *, bands: int = 3) -> np.ndarray | None:
    """A small image of the page's `bands` inkiest text lines stacked on each other, or
    None on a blank page. Enough text to tell the script, a fraction of the page's area."""
    h, w = gray.shape
    binary = _small_binary(gray)
    f = h / binary.shape[0]
    ink = binary.sum(axis=1, dtype=np.float64)
    # relative to the inkiest rows, so speckle and grey paper do not join lines into one
    rows = ink > max(0.01 * 255 * binary.shape[1], 0.25 * float(np.percentile(ink, 95)))
    tallest = max(60, 0.06 * binary.shape[0])  # taller than this is a picture or a seal, not a line
    runs: list[tuple[int, int, float]] = []
    start = None
    for y, on in enumerate(list(rows) + [False]):
        if on and start is None:
            start = y
        elif not on and start is not None:
            if 3 <= y - start <= tallest:
                runs.append((start, y, float(binary[start:y].sum())))
            start = None
    if not runs:
        return None
    best = sorted(runs, key=lambda r: -r[2])[:bands]
    pieces = []
    for y0, y1, _ in sorted(best):
        pad = max(2, int((y1 - y0) * f * 0.2))
        pieces.append(gray[max(0, int(y0 * f) - pad): min(h, int(y1 * f) + pad)])
        pieces.append(np.full((pad * 2, w), 255, dtype=gray.dtype))
    return np.vstack(pieces)


def remove_rules(gray: np.ndarray) -> np.ndarray:
    """The page with the long ruled lines of tables and forms painted out.

    Tesseract's page layout takes a ruled table for a picture and reads none of its cells
    (measured: a collection form lost all but its title); with the rules gone the cells are
    ordinary text blocks. Only long straight runs go: at least 150 px and a fifteenth of
    the page, longer than the 一 of an 18-pt title at 300 dpi (about 75 px).
    """
    h, w = gray.shape
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(150, w // 15), 1)))
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(150, h // 30))))
    rules = cv2.dilate(cv2.bitwise_or(horiz, vert), np.ones((3, 3), np.uint8))
    if not rules.any():
        return gray
    out = gray.copy()
    out[rules > 0] = 255
    return out
