"""RapidOCR (PP-OCR detection, direction and recognition models on onnxruntime).

The models ship inside the `rapidocr` wheel; `model_root_dir` is pinned to them so nothing
is ever downloaded at run time. We call the pipeline's steps ourselves (rather than
`engine(img)`) for one reason: the direction classifier's per-line verdicts, which the
public result drops, are the cheapest evidence that a whole page is upside down.
"""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from ocr.engines import EngineOutput, RawLine, RawWord, quad_to_box
from ocr.errors import OcrFailed
from ocr.options import ReadOptions


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

    def recognize(self, img: np.ndarray, *, script: str | None = None) -> EngineOutput:
        # RapidOCR takes OpenCV's BGR order
        bgr = np.ascontiguousarray(img[:, :, ::-1])
        try:
            prepped, op_record = self._ocr.preprocess_img(bgr)
            det, cls, rec, crops = self._ocr.run_ocr_steps(prepped, op_record)
            out = self._ocr.build_final_output(bgr, det, cls, rec, crops, op_record)
        except MemoryError:
            raise
        except Exception as e:  # onnxruntime and OpenCV raise bare RuntimeErrors/cv2.errors
            raise OcrFailed(f"The OCR engine failed on this page ({type(e).__name__}).") from e

        upside = None
        votes = getattr(cls, "cls_res", None)
        if votes:
            total = sum(float(s) for _, s in votes) or 1.0
            upside = sum(float(s) for label, s in votes if label == "180") / total

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
