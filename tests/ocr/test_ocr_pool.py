"""The reader as the intake uses it: several threads reading at once through one pool."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ocr import Reader
from tests.ocr.conftest import SIMPLIFIED, TRADITIONAL, encode, folded, options, page
from tests.ocr.test_ocr_formats import TEXT, text_pdf


def test_threads_reading_at_once_each_get_their_own_document(rapid):
    docs = [
        (encode(page(SIMPLIFIED[:1]).image), SIMPLIFIED[0]),
        (encode(page(TRADITIONAL[:1], "zh-Hant").image), TRADITIONAL[0]),
        (text_pdf(TEXT), TEXT),
        (encode(page(SIMPLIFIED[2:]).image), SIMPLIFIED[2]),
    ] * 2
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda d: rapid.read(d[0]).extraction.text, docs))
    assert [folded(r) for r in results] == [folded(t) for _, t in docs]


def test_two_workers_return_a_multipage_document_in_page_order():
    import io

    imgs = [page([s]).image for s in SIMPLIFIED]
    buf = io.BytesIO()
    imgs[0].save(buf, "TIFF", save_all=True, append_images=imgs[1:])
    with Reader(options(workers=2, threads_per_worker=1)) as r:
        ex = r.read(buf.getvalue()).extraction
    assert [p.number for p in ex.pages] == [1, 2, 3]
    assert [folded(p.text) for p in ex.pages] == [folded(s) for s in SIMPLIFIED]
