"""Word files have limits like PDFs and images: a long contract is paged, a bomb is refused
before it is parsed, a damaged ZIP is corrupt, and reading them costs a worker's memory only."""
from __future__ import annotations

import io
import zipfile

import docx
import pytest
from PIL import Image

from ocr import ReadError
from ocr.docx_reader import LINES_PER_PAGE, PAGE_H
from tests.ocr.conftest import options


def word(paragraphs: list[str]) -> bytes:
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def bomb(paragraphs: int, paragraph: str = "<w:p><w:r><w:t>长</w:t></w:r></w:p>") -> bytes:
    """An XML bomb as an attacker builds it: a tiny ZIP whose body repeats one paragraph."""
    src = zipfile.ZipFile(io.BytesIO(word([])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                head, tail = data.split(b"<w:body>")
                data = head + b"<w:body>" + paragraph.encode() * paragraphs + tail
            z.writestr(info.filename, data)
    return out.getvalue()


def reason(reader, data: bytes, **kw) -> ReadError:
    with pytest.raises(ReadError) as err:
        reader.read(data, options(**kw) if kw else None)
    return err.value


def test_a_1800_paragraph_contract_is_paged_and_every_preview_is_a_normal_page(rapid):
    res = rapid.read(word([f"第{i}条 双方约定的合同条款" for i in range(1800)]))
    pages = res.extraction.pages
    assert len(pages) == -(-1800 // LINES_PER_PAGE)
    assert sum(len(p.lines) for p in pages) == 1800
    assert pages[-1].lines[-1].text == "第1799条 双方约定的合同条款"
    assert len(res.page_images) == len(pages)
    assert all(Image.open(io.BytesIO(j)).height <= PAGE_H for j in res.page_images)


def test_a_word_xml_bomb_is_too_large_without_being_parsed(rapid):
    data = bomb(1_390_000)
    assert len(data) < 200_000  # 180 KB on disk, 1.39 million paragraphs inside
    assert reason(rapid, data).reason == "too_large"
    # the same under another prefix for Word's namespace: still a paragraph, still counted
    other = bomb(1_390_000, f'<x:p xmlns:x="{W}"><x:r><x:t>长</x:t></x:r></x:p>')
    assert reason(rapid, other).reason == "too_large"


def test_a_word_file_past_the_page_limit_is_too_large(rapid):
    assert reason(rapid, word(["一段"] * 400), max_pages=10).reason == "too_large"


def test_a_damaged_word_zip_is_corrupt_and_a_zip_without_a_word_body_unsupported(rapid):
    good = word(["客户信息收集表"])
    assert reason(rapid, good[: len(good) // 2]).reason == "corrupt"
    assert reason(rapid, b"PK\x03\x04" + bytes(range(256)) * 8).reason == "corrupt"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("notes.txt", "not a document")
    assert reason(rapid, buf.getvalue()).reason == "unsupported"


def test_a_page_that_needs_more_memory_than_a_worker_may_use_is_too_large_and_the_worker_replaced():
    from ocr import Reader, ReadOptions

    big = Image.new("L", (9000, 10000), 255)  # 90 MP: under the pixel limit, over a 1.1 GB worker
    buf = io.BytesIO()
    big.save(buf, "PNG")
    with Reader(ReadOptions(workers=1, memory_limit_mb=1100, timeout_s=120)) as r:
        with pytest.raises(ReadError) as err:
            r.read(buf.getvalue())
        assert err.value.reason == "too_large"
        assert r.read(word(["客户信息收集表 之后的文件照常读取"])).extraction.pages[0].lines


def test_after_a_page_too_large_for_its_memory_the_same_worker_reads_the_next_files():
    from ocr import Reader, ReadOptions

    big = Image.new("L", (9500, 10000), 255)
    buf = io.BytesIO()
    big.save(buf, "PNG")
    with Reader(ReadOptions(workers=1, memory_limit_mb=1300, timeout_s=120)) as r:
        for _ in range(2):
            with pytest.raises(ReadError) as err:
                r.read(buf.getvalue())
            assert err.value.reason == "too_large"
            assert r.read(word(["客户信息收集表"])).extraction.pages[0].lines
        assert r._pool._generation == 0  # no worker had to be replaced for it
