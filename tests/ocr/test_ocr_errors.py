"""Every way a file can fail, each with its own reason and a sentence for the clerk."""
from __future__ import annotations

import io
import pickle

import pytest
from PIL import Image
from pypdf import PdfWriter

from ocr import ReadError
from ocr.errors import CorruptDocument
from tests.ocr.conftest import encode, options, page
from tests.ocr.test_ocr_formats import text_pdf


def reason_of(reader, data: bytes, **kw) -> ReadError:
    with pytest.raises(ReadError) as e:
        reader.read(data, options(**kw) if kw else None)
    assert e.value.detail and e.value.detail.endswith(".")
    return e.value


def test_zero_bytes_is_empty(rapid):
    assert reason_of(rapid, b"").reason == "empty"


def test_a_blank_page_is_empty(rapid):
    assert reason_of(rapid, encode(Image.new("RGB", (400, 300), "white"))).reason == "empty"


def test_unknown_content_is_unsupported_and_says_what_it_is(rapid):
    e = reason_of(rapid, "这是一个文本文件".encode())
    assert e.reason == "unsupported" and "text" in e.detail
    assert reason_of(rapid, b"GIF89a" + b"\0" * 100).reason == "unsupported"


def test_a_truncated_pdf_is_corrupt(rapid):
    assert reason_of(rapid, text_pdf("客户档案管理制度" * 5)[:300]).reason == "corrupt"


def test_an_image_damaged_after_its_header_is_corrupt(rapid):
    # the header is fine (the size check passes), the pixels fail in the worker process
    data = encode(page().image, "JPEG", quality=90)
    assert reason_of(rapid, data[:400]).reason == "corrupt"


def test_a_password_protected_pdf_is_encrypted(rapid):
    w = PdfWriter()
    w.add_blank_page(200, 200)
    w.encrypt(user_password="secret", owner_password="owner")
    buf = io.BytesIO()
    w.write(buf)
    assert reason_of(rapid, buf.getvalue()).reason == "encrypted"


def test_a_password_protected_office_file_is_encrypted(rapid):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 100
    assert reason_of(rapid, ole).reason == "encrypted"


def test_too_many_pages_is_too_large(rapid):
    assert reason_of(rapid, text_pdf("客户档案" * 10, "第二页" * 10, "第三页" * 10), max_pages=2).reason == "too_large"


def test_a_page_over_the_pixel_limit_is_too_large_before_decoding(rapid):
    huge = encode(Image.new("1", (12000, 12000), 1))  # 144 MP, a few kB on disk
    e = reason_of(rapid, huge)
    assert e.reason == "too_large" and "MP" in e.detail


def test_a_page_that_takes_too_long_times_out_and_the_reader_recovers(rapid):
    data = encode(page().image)
    assert reason_of(rapid, data, timeout_s=0.001).reason == "timeout"
    assert rapid.read(data).extraction.pages[0].lines  # a fresh worker took over


def test_errors_survive_the_trip_from_a_worker_process():
    e = pickle.loads(pickle.dumps(CorruptDocument("Page 2 is damaged.")))
    assert isinstance(e, CorruptDocument) and e.reason == "corrupt" and e.detail == "Page 2 is damaged."


def test_an_empty_word_file_is_empty(rapid):
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    assert reason_of(rapid, buf.getvalue()).reason == "empty"


def test_unknown_engine_is_refused(rapid):
    with pytest.raises(ValueError):
        rapid.read(encode(page().image), options(engine="cuneiform"))
