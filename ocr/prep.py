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
    rows = binary.sum(axis=1, dtype=np.float64)
    return float(np.square(np.diff(rows)).sum())


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


def red_share(img: np.ndarray) -> float:
    small = img[::4, ::4].astype(np.int16)
    r, g, b = small[..., 0], small[..., 1], small[..., 2]
    return float(((r - np.maximum(g, b) > 60) & (r > 120)).mean())


def lift_red(img: np.ndarray, *, min_share: float = 0.001) -> np.ndarray:
    """A page with red ink on it (a seal, a red chop) as the red channel alone, in grey.

    Red ink is as bright as paper in the red channel while black and blue text stay dark,
    so the seal fades and the text under it remains; pixels where seal and text overlap are
    dark in every channel and survive. Pages without red are returned untouched.
    """
    if img.ndim != 3 or red_share(img) < min_share:
        return img
    red = img[..., 0]
    return np.ascontiguousarray(np.stack([red, red, red], axis=-1))
