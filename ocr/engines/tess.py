"""Tesseract, through pytesseract, over Debian's tesseract-ocr with chi_sim / chi_tra.

Each page is read with the model for its script: a combined chi_sim+chi_tra model makes
the engine hesitate between near-identical glyph classes and roughly doubles the error
(bench/README-ocr.md). Each single-script model writes everything in its own script (chi_sim
reads 檔案 as 档案), so its output cannot tell the page's script; the combined model keeps
the glyphs' script. Without a hint, the combined model reads a strip of the page's three
inkiest lines to decide, then the fitting model reads the page. OMP_THREAD_LIMIT is set by the worker
so that parallel pages do not fight over OpenMP threads.
"""
from __future__ import annotations

import unicodedata

import numpy as np
from PIL import Image

from ocr.engines import EngineOutput, RawLine, RawWord
from ocr.errors import OcrFailed, OcrTimeout
from ocr.options import ReadOptions
from ocr.prep import remove_rules, text_strip
from ocr.script import detect_script

_MODEL = {"zh-Hans": "chi_sim", "zh-Hant": "chi_tra"}
# tesseract's models are trained on text of about 300 dpi: an A4 page is 3508 px long
MAX_SIDE = 3600


def _is_cjk(ch: str) -> bool:
    if not ch:
        return False
    o = ord(ch)
    return (0x3000 <= o <= 0x9FFF) or (0xF900 <= o <= 0xFAFF) or (0xFF00 <= o <= 0xFFEF) or (0x20000 <= o <= 0x2FA1F)


def join_tokens(tokens: list[str]) -> str:
    """Tesseract separates every CJK character by a space; keep spaces only between
    non-CJK runs (English words, numbers) where they carry meaning."""
    out = ""
    for t in tokens:
        if not out:
            out = t
        elif _is_cjk(out[-1]) or _is_cjk(t[0]):
            out += t
        else:
            out += " " + t
    return out


class TesseractEngine:
    name = "tesseract"

    def __init__(self, options: ReadOptions, *, timeout_s: float | None = None) -> None:
        import pytesseract

        self._pt = pytesseract
        self.max_side = MAX_SIDE
        self._timeout = timeout_s or options.timeout_s
        try:
            self._version = str(pytesseract.get_tesseract_version())
            langs = set(pytesseract.get_languages(config=""))
        except (pytesseract.TesseractNotFoundError, OSError) as e:
            raise OcrFailed("Tesseract is not installed on this machine.") from e
        missing = {"chi_sim", "chi_tra"} - langs
        if missing:
            raise OcrFailed(f"Tesseract lacks the language data {', '.join(sorted(missing))}.")

    def version(self) -> str:
        return f"tesseract {self._version}"

    def _run(self, pil: Image.Image, lang: str) -> list[RawLine]:
        try:
            data = self._pt.image_to_data(
                pil, lang=lang, config="--oem 1 --psm 3", output_type=self._pt.Output.DICT, timeout=self._timeout
            )
        except RuntimeError as e:
            if "timeout" in str(e).lower():
                raise OcrTimeout("Reading a page took longer than the time limit.") from e
            raise OcrFailed(f"Tesseract failed on this page: {str(e)[:120]}") from e
        except self._pt.TesseractError as e:
            raise OcrFailed(f"Tesseract failed on this page: {str(e)[:120]}") from e

        groups: dict[tuple[int, int, int], list[int]] = {}
        for i, text in enumerate(data["text"]):
            if int(data["level"][i]) != 5 or not str(text).strip():
                continue
            key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
            groups.setdefault(key, []).append(i)
        lines: list[RawLine] = []
        for idx in groups.values():
            words = []
            for i in idx:
                x, y, w, h = (float(data[k][i]) for k in ("left", "top", "width", "height"))
                conf = max(0.0, float(data["conf"][i])) / 100.0
                words.append(RawWord(unicodedata.normalize("NFC", str(data["text"][i]).strip()), (x, y, x + w, y + h), conf))
            text = join_tokens([w.text for w in words])
            if not text.strip():
                continue
            box = (min(w.box[0] for w in words), min(w.box[1] for w in words),
                   max(w.box[2] for w in words), max(w.box[3] for w in words))
            # weight by length: one shaky punctuation mark should not sink a long line
            n = sum(len(w.text) for w in words) or 1
            conf = sum(w.confidence * len(w.text) for w in words) / n
            lines.append(RawLine(text, box, conf, words))
        return lines

    def recognize(self, img: np.ndarray, *, script: str | None = None) -> EngineOutput:
        pil = Image.fromarray(remove_rules(np.asarray(Image.fromarray(img).convert("L"))))
        if script in _MODEL:
            return EngineOutput(self._run(pil, _MODEL[script]), model=_MODEL[script])
        model = _MODEL[self.guess_script(np.asarray(pil))]
        return EngineOutput(self._run(pil, model), model=model)

    def guess_script(self, gray: np.ndarray) -> str:
        strip = text_strip(gray)
        if strip is None:
            return "zh-Hans"
        try:
            text = self._pt.image_to_string(Image.fromarray(strip), lang="chi_sim+chi_tra",
                                            config="--oem 1 --psm 6", timeout=self._timeout)
        except RuntimeError as e:
            raise OcrTimeout("Reading a page took longer than the time limit.") from e
        except self._pt.TesseractError as e:
            raise OcrFailed(f"Tesseract failed on this page: {str(e)[:120]}") from e
        return detect_script(text)

    def osd_rotation(self, img: np.ndarray) -> int | None:
        """Degrees (clockwise) the page is rotated by, from tesseract's OSD, or None if unsure."""
        try:
            res = self._pt.image_to_osd(Image.fromarray(img).convert("L"), output_type=self._pt.Output.DICT,
                                        config="--psm 0", timeout=self._timeout)
        except Exception:  # OSD fails outright on pages with little text; that is "no opinion"
            return None
        if float(res.get("orientation_conf", 0)) < 2.0:
            return None
        return int(res.get("rotate", 0))
