"""Shared readers (one worker pool per engine for the whole session: models load once)
and small generated documents. Pages are kept small so the suite stays quick on 2 cores."""
from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from PIL import Image

from ocr import ReadOptions, Reader
from tests.docgen.pages import RenderedPage, font_for, render_lines

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/corpus")

SIMPLIFIED = ["客户档案管理制度", "第一条 为规范客户信息收集工作", "联系电话 13812345678"]
TRADITIONAL = ["客戶檔案管理辦法", "第一條 為規範客戶資訊收集工作", "營業執照登記機關"]


def options(engine: str = "rapidocr", **kw) -> ReadOptions:
    # one worker with both cores: tests read one small page at a time
    base = dict(engine=engine, workers=1, threads_per_worker=2, timeout_s=120.0)
    base.update(kw)
    return ReadOptions(**base)


@pytest.fixture(scope="session")
def rapid() -> Reader:
    with Reader(options("rapidocr")) as r:
        yield r


@pytest.fixture(scope="session")
def tess() -> Reader:
    with Reader(options("tesseract", threads_per_worker=1)) as r:
        yield r


@pytest.fixture(params=["rapidocr", "tesseract"])
def engine_reader(request, rapid, tess) -> Reader:
    return rapid if request.param == "rapidocr" else tess


def page(lines=SIMPLIFIED, script: str = "zh-Hans", px: int = 44) -> RenderedPage:
    return render_lines(lines, script=script, font=font_for(script), px=px)  # type: ignore[arg-type]


def encode(img: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def folded(s: str) -> str:
    return "".join(s.split())


def rng(seed: int = 7) -> random.Random:
    return random.Random(seed)
