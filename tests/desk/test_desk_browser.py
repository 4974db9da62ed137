"""The clerk's and the reviewer's day in a real headless Chromium, at a laptop's width and at
a phone's (390 px): upload → unsorted → typed and filed, a correction that renames the
archive and its search, bulk approval, and the live intake page watching a file go from
waiting to filed. Every page visited must fit its viewport and, in Chinese, show no English
sentence from the message catalogue."""
from __future__ import annotations

import re
import threading
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.web.seed import _file
from tests.conftest import shot
from tests.web.conftest import pages_as

pytestmark = pytest.mark.e2e
WIDTHS = {"wide": 1366, "phone": 390}
CATALOGUE = Path(__file__).resolve().parents[2] / "web/translations/en/LC_MESSAGES/messages.po"
# Four English words in a row is a sentence, not a name, a number or a file.
_ENGLISH_RUN = re.compile(r"\b[A-Za-z]{2,}(?: [A-Za-z]{2,}){3,}\b")


@pytest.fixture(scope="module")
def english_sentences():
    with open(CATALOGUE, "rb") as f:
        catalog = read_po(f)
    out = set()
    for m in catalog:
        text = m.string if isinstance(m.string, str) else ""
        # the fixed part of a translation, placeholders cut out: what the page would show
        for part in re.split(r"%\(\w+\)s", text):
            part = part.strip(" :.,;()")
            if part.count(" ") >= 2 and len(part) >= 12:
                out.add(part)
    return out


@pytest.fixture(scope="module")
def watcher(seeded):
    """The inbox watcher beside the portal, as `dossier run` has it."""
    from intake.runner import Intake

    intake = Intake(seeded[0], workers=1)
    stop = threading.Event()
    thread = threading.Thread(target=intake.watch, args=(stop,),
                              kwargs={"settle_seconds": 0.3, "poll": True}, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=60)
    intake.close()


@pytest.fixture(params=list(WIDTHS))
def width(request):
    return request.param


@pytest.fixture
def as_role(browser, live_server, width):
    with pages_as(browser, live_server, WIDTHS[width]) as open_as:
        yield open_as


@pytest.fixture
def check(english_sentences, width):
    def fits_and_speaks_chinese(page, name: str) -> None:
        page.wait_for_load_state()
        scroll, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        shot(page, f"desk-{name}-{width}")
        assert scroll <= inner, f"{name} is {scroll}px wide in a {inner}px viewport"
        text = page.inner_text("body")
        found = [s for s in english_sentences if s in text] + _ENGLISH_RUN.findall(text)
        assert not found, f"English on the Chinese page {name}: {found}"
    return fits_and_speaks_chinese


def _wait_for(page, selector: str, text: str, seconds: float = 90) -> None:
    """Poll without eval (the page's CSP forbids it): the live page refreshes itself."""
    for _ in range(int(seconds * 5)):
        if text in page.locator(selector).inner_text():
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"{text!r} never appeared in {selector}: {page.locator(selector).inner_text()!r}")


def test_upload_then_unsorted_then_typed_and_filed_while_the_intake_page_watches(
        as_role, live_server, seeded, watcher, check, width, tmp_path):
    from docx import Document as Docx

    from tests.intake import samples

    form = tmp_path / f"客户表-{width}.pdf"
    samples.pdf_form(form, 40 + len(width))
    memo = tmp_path / f"会议纪要-{width}.docx"
    d = Docx()
    d.add_heading("会议纪要", level=1)
    d.add_paragraph(f"本周例会（{width}）讨论了下季度的工作安排。")
    d.save(memo)
    bad = tmp_path / "notes.txt"
    bad.write_text("plain text is not a scan")

    page = as_role("clerk")
    page.goto(f"{live_server}/intake/")
    check(page, "intake")
    page.set_input_files("#upload input[name=files]", [str(form), str(memo), str(bad)])
    page.click("#upload button[type=submit]")
    page.wait_for_load_state()
    assert "不是可归档的文件类型" in page.inner_text("main")  # refused on the spot, in Chinese
    _wait_for(page, "#done", form.name)
    _wait_for(page, "#done", memo.name)
    check(page, "intake-done")
    row = page.locator("#done li", has_text=form.name)
    assert row.locator("a").count() == 1 and ("待审核" in row.inner_text() or "需复核" in row.inner_text())

    page.locator("#done li", has_text=memo.name).locator("a").click()
    page.wait_for_selector("#kind-form")
    assert "尚无档案号" in page.inner_text("h1")
    check(page, "tray-item")
    page.select_option("#kind-form select", "collection_form")
    page.click("#kind-form button")
    page.wait_for_selector(".flash.ok")
    page.select_option("#add-field select", "collected_on")
    page.fill("#add-field input[name=value]", "下周一")
    page.click("#add-field button")
    assert "不是一个日期" in page.inner_text(".flash.error")
    customer = f"嘉兴南湖{'宽屏' if width == 'wide' else '手机'}电子有限公司"
    page.select_option("#add-field select", "customer_name")
    page.fill("#add-field input[name=value]", customer)
    page.click("#add-field button")
    page.wait_for_selector(".flash.ok")
    assert page.input_value("#new-archive input[name=name]") == customer
    page.click("#new-archive button[type=submit]")
    page.wait_for_selector("section.fields")
    assert customer in page.inner_text(".crumbs") and "原识别值" in page.inner_text("section.fields")
    check(page, "filed-from-tray")


def test_a_correction_renames_the_archive_and_search_finds_the_new_name(as_role, live_server, seeded, check, width):
    from archive_store.matching import CustomerRef

    wrong, right = f"绍兴黄酒{width}贸易有限公同", f"绍兴黄酒{width}贸易有限公司"
    doc_no = _file(seeded[0], name=f"rename-{width}.jpg", doc_type="business_license", title="营业执照",
                   customer=CustomerRef("enterprise", name=wrong), lines=[("名称", wrong, "name")],
                   fields={"name": wrong}, issue=date(2024, 5, 6), effective=False)
    from archive_store.search_docs import reindex
    reindex(seeded[0], [doc_no])
    page = as_role("clerk")
    page.goto(f"{live_server}/documents/{doc_no}")
    check(page, "document")
    page.locator("#field-name details summary").click()
    page.fill("#field-name input[name=value]", right)
    page.fill("#field-name input[name=reason]", "对照原件")
    page.click("#field-name button[type=submit]")
    page.wait_for_selector(".flash.ok")
    assert right in page.inner_text(".crumbs")
    assert wrong in page.inner_text("#field-name") and "clerk1" in page.inner_text("#field-name")
    check(page, "document-corrected")
    page.goto(f"{live_server}/search")
    page.fill("#q", right)
    page.click(".searchbox > button[type=submit]")
    page.wait_for_selector("ol.hits")
    assert doc_no in page.inner_text("ol.hits") and "相近" not in page.inner_text("main")
    check(page, "search")
    page.fill("#q", "火星公司")
    page.click(".searchbox > button[type=submit]")
    page.wait_for_load_state()
    assert "共 " not in page.inner_text("p.count") if page.locator("p.count").count() else True
    check(page, "search-similar")


def test_the_reviewer_bulk_approves_rows_with_nothing_open(as_role, live_server, seeded, check, width):
    from archive_store.matching import CustomerRef

    nos = [_file(seeded[0], name=f"bulk-{width}-{i}.jpg", doc_type="contract", title=f"批量合同{width}{i}",
                 customer=CustomerRef("enterprise", name="上海华东贸易有限公司"),
                 lines=[("合同编号", f"B-{i}", "contract_no")], fields={"contract_no": f"B-{i}"},
                 issue=date(2025, 2, 1), effective=False) for i in (1, 2)]
    page = as_role("dept_head")
    page.goto(f"{live_server}/review/")
    check(page, "review")
    for no in nos:
        page.check(f"input[name=doc_no][value='{no}']")
    page.click("#bulk button.primary")
    page.wait_for_selector(".flash.ok")
    assert "已审核通过 2 件" in page.inner_text(".flash.ok")
    for no in nos:
        assert page.locator(f"input[name=doc_no][value='{no}']").count() == 0
    check(page, "review-after-bulk")
    page.goto(f"{live_server}/review/?reason=field_problem")
    check(page, "review-filtered")


def test_the_auditor_reads_labelled_changes(as_role, live_server, check):
    page = as_role("auditor")
    page.goto(f"{live_server}/audit/")
    assert page.locator("dl.changes").count() >= 1
    check(page, "audit")


@pytest.mark.parametrize("role,paths", [
    ("clerk", ["/tray/", "/review/mine", "/search?q=华东", "/archives/{license_archive}", "/documents/{form}"]),
    ("sales", ["/search?q=华东", "/archives/{license_archive}", "/documents/{contract}"]),
    ("leader", ["/archives/{license_archive}", "/documents/{person_form}"]),
    ("admin", ["/admin/users", "/password"]),
])
def test_every_desk_page_fits_the_viewport_and_speaks_chinese(as_role, live_server, seeded, check, role, paths):
    data = seeded[1]
    values = {"license_archive": data.archives["license"], "form": data.docs["form"],
              "contract": data.docs["contract"], "person_form": data.docs["person_form"]}
    page = as_role(role)
    for path in paths:
        response = page.goto(live_server + path.format(**values))
        assert response.status == 200, path
        check(page, f"{role}{path.split('?')[0].replace('/', '-')}")


def test_the_live_page_counts_the_pages_of_a_long_scan_as_they_are_read(browser, live_server, watcher, tmp_path):
    """A scan of eight pages, each read by OCR in turn by the one worker: seconds a page, so
    the page's two-second refresh sees the count, then the file filed."""
    from tests.intake import samples

    scan = tmp_path / "八页扫描件.pdf"
    samples.scanned_pdf(scan, 50, pages=8)
    with pages_as(browser, live_server) as open_as:
        page = open_as("clerk")
        page.goto(f"{live_server}/intake/")
        page.set_input_files("#upload input[name=files]", [str(scan)])
        page.click("#upload button[type=submit]")
        page.wait_for_load_state()
        _wait_for(page, "#working", "页，共 8 页", seconds=300)
        row = page.locator("#working li", has_text=scan.name).inner_text()
        assert re.search(r"正在识别第 [1-8] 页，共 8 页", row), row
        shot(page, "desk-intake-reading-pages")
        _wait_for(page, "#done", scan.name, seconds=300)
        assert page.locator("#done li", has_text=scan.name).locator("a").count() == 1  # filed, under its number
