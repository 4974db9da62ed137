"""RapidOCR (PP-OCR detection, direction and recognition models on onnxruntime).

The models ship inside the `rapidocr` wheel; `model_root_dir` is pinned to them so nothing
is ever downloaded at run time. We call the pipeline's steps ourselves (rather than
`engine(img)`) for two reasons:

- the direction classifier's per-line verdicts, which the public result drops, are the
  cheapest evidence that a whole page is upside down;
- those verdicts are unreliable line by line: the classifier squeezes every crop into a
  48×192 input, so a long line (40–50 times as wide as it is high, a full A4 text line)
  reaches it squashed ten-fold, and it calls upright lines "180" with scores of 0.93–0.99.
  RapidOCR then turns the crop over and recognition reads garbage (2–3 lines a page on the
  seed pages in AR PL UMing and WenQuanYi: most of the clean-page CER, bench/README-ocr.md).
  So on a page that is mostly upright, a line the classifier would turn is recognised both
  ways and the reading the recogniser is surer of is kept; only when most of the page reads
  upside down (the page will be turned and read again) are its verdicts taken as they are.
"""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from ocr.engines import EngineOutput, RawLine, RawWord, quad_to_box
from ocr.errors import OcrFailed
from ocr.options import ReadOptions

# above this share of text voted upside down, the classifier's per-line turns are used as
# they are (the page is upside down and Dossier turns it and reads it again, ocr.pagework)
TRUST_CLS_SHARE = 0.5


class RapidEngine:
    name = "rapidocr"

    def __init__(self, options: ReadOptions) -> None:
        import rapidocr
        from rapidocr import RapidOCR

        logging.getLogger("RapidOCR").setLevel(logging.ERROR)
        models = Path(rapidocr.__file__).resolve().parent / "models"
        params = {
            "Global.log_level": "error",
            "Global.model_root_dir": str(models),
            "Global.max_side_len": options.max_side_len,
            "Global.text_score": options.text_score,
            "Global.return_word_box": True,
            "Det.limit_type": "max",
            "Det.limit_side_len": options.det_side_len,
            "EngineConfig.onnxruntime.intra_op_num_threads": options.threads_per_worker,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        }
        self.max_side = options.max_side_len
        self._ocr = RapidOCR(params=params)
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)
        self._version = getattr(rapidocr, "__version__", "?")

    def version(self) -> str:
        return f"rapidocr {self._version}"

    def recogniser(self):  # -> rapidocr's TextRecognizer (the line recognition model alone)
        return self._ocr._load_rec_model()

    def _run_steps(self, prepped: np.ndarray, op_record: dict):
        """RapidOCR's `run_ocr_steps`, except that a line the direction classifier would turn
        over on a mostly upright page is recognised both ways (module docstring)."""
        from rapidocr.ch_ppocr_cls import TextClsOutput
        from rapidocr.ch_ppocr_det import TextDetOutput
        from rapidocr.ch_ppocr_rec import TextRecOutput
        from rapidocr.main import RapidOCRError

        ocr = self._ocr
        try:
            crops, det = ocr.detect_and_crop(prepped, op_record)
        except RapidOCRError:  # nothing detected: an empty page
            return TextDetOutput(), TextClsOutput(), TextRecOutput(), []
        try:
            turned, cls = ocr.cls_and_rotate(crops)
            votes = cls.cls_res or []
            if votes and upside_share(votes) > TRUST_CLS_SHARE:
                return det, cls, ocr.recognize_txt(turned), crops
            thresh = float(ocr.cfg.Cls.cls_thresh)  # the classifier turns a crop above this
            flipped = [i for i, (label, score) in enumerate(votes) if "180" in label and float(score) > thresh]
            rec = ocr.recognize_txt(crops)
            if flipped:
                rec = pick_readings(rec, ocr.recognize_txt([turned[i] for i in flipped]), flipped)
        except RapidOCRError:
            return det, TextClsOutput(), TextRecOutput(), []
        return det, cls, rec, crops

    def recognize(self, img: np.ndarray, *, script: str | None = None) -> EngineOutput:
        # RapidOCR takes OpenCV's BGR order
        bgr = np.ascontiguousarray(img[:, :, ::-1])
        try:
            prepped, op_record = self._ocr.preprocess_img(bgr)
            det, cls, rec, crops = self._run_steps(prepped, op_record)
            out = self._ocr.build_final_output(bgr, det, cls, rec, crops, op_record)
        except MemoryError:
            raise
        except Exception as e:  # onnxruntime and OpenCV raise bare RuntimeErrors/cv2.errors
            raise OcrFailed(f"The OCR engine failed on this page ({type(e).__name__}).") from e

        votes = getattr(cls, "cls_res", None)
        upside = upside_share(votes) if votes else None

        lines: list[RawLine] = []
        if out.txts:
            words_all = out.word_results if out.word_results and len(out.word_results) == len(out.txts) else None
            for i, (quad, text, score) in enumerate(zip(out.boxes, out.txts, out.scores)):
                words = []
                if words_all is not None:
                    for wt, ws, wbox in words_all[i]:
                        if wbox is not None and str(wt).strip():
                            words.append(RawWord(str(wt), quad_to_box(wbox), float(ws)))
                lines.append(RawLine(str(text), quad_to_box(quad), float(score), words))
        return EngineOutput(lines, upside_down=upside, model="PP-OCRv6")


def upside_share(votes) -> float:
    """Share of the classifier's confidence that went to "180" over all lines."""
    total = sum(float(s) for _, s in votes) or 1.0
    return sum(float(s) for label, s in votes if label == "180") / total


def pick_readings(first, second, indices: list[int]):
    """Merge two recognitions: `first` of every line, `second` of the lines at `indices`
    (the same crops turned over); each of those lines keeps the surer reading."""
    from rapidocr.ch_ppocr_rec import TextRecOutput

    txts, scores = list(first.txts), list(first.scores)
    words = list(first.word_results) if first.word_results is not None else [None] * len(txts)
    imgs = list(first.imgs) if first.imgs is not None else None
    for j, i in enumerate(indices):
        if float(second.scores[j]) > float(scores[i]):
            txts[i], scores[i] = second.txts[j], second.scores[j]
            if second.word_results is not None:
                words[i] = second.word_results[j]
            if imgs is not None and second.imgs is not None:
                imgs[i] = second.imgs[j]
    return TextRecOutput(imgs=imgs, txts=tuple(txts), scores=tuple(scores), word_results=tuple(words),
                         elapse=(first.elapse or 0.0) + (second.elapse or 0.0))
