"""The portal in a real headless Chromium (Debian's), signed in as each role.

Walks search → archive → document → review (correct, approve), proves by URL that a
sales user sees neither a service-only field nor another role's document, and saves
screenshots of the main pages under test-artifacts/screenshots/.
"""
from __future__ import annotations


import pytest

from tests.conftest import shot
from tests.web.conftest import pages_as

pytestmark = pytest.mark.e2e


@pytest.fixture
def as_role(browser, live_server):
    with pages_as(browser, live_server) as open_as:
        yield open_as


def test_login_page_and_a_wrong_password(browser, live_server):
    ctx = browser.new_context(viewport={"width": 1366, "height": 800})
    page = ctx.new_page()
    page.goto(f"{live_server}/search")
    assert "/login" in page.url
    shot(page, "01-login")
    page.fill("#username", "nobody-here")
    page.fill("#password", "not-the-password")
    page.click("form.stack button[type=submit]")
    assert "用户名或密码不正确" in page.content()
    ctx.close()


@pytest.mark.parametrize("role", ["sales", "service", "marketing", "dept_head", "leader", "archive_manager",
                                  "clerk"])
def test_each_role_walks_search_archive_document(as_role, live_server, seeded, role):
    page = as_role(role)
    page.goto(f"{live_server}/search")
    page.fill("#q", "华东")
    page.click(".searchbox > button[type=submit]")
    page.wait_for_selector("ol.hits")
    hits = page.locator("ol.hits li h2 a")
    assert hits.count() >= 1
    if role == "sales":
        shot(page, "02-search")
    page.locator("ol.hits li .meta a").first.click()
    page.wait_for_selector("table.grid")
    assert "卷内目录" in page.content()
    if role == "sales":
        shot(page, "03-archive")
    page.locator("table.grid tbody a").first.click()
    page.wait_for_selector("section.fields")
    assert page.locator("section.fields table tbody tr").count() >= 1
    if role == "service":
        shot(page, "04-document")


def test_sales_cannot_see_service_only_field_or_other_roles_document_by_url(as_role, live_server, seeded):
    data = seeded[1]
    page = as_role("sales")
    page.goto(f"{live_server}/documents/{data.docs['form']}")
    body = page.content()
    assert "李娜" in body                     # a field sales may see
    assert "13800138000" not in body and "138 0013 8000" not in body and "lina@" not in body
    assert page.locator("#field-phone").count() == 0
    shot(page, "05-document-as-sales")
    response = page.goto(f"{live_server}/documents/{data.docs['other']}")
    assert response.status == 403 and "无权" in page.content()
    shot(page, "06-forbidden")
    response = page.goto(f"{live_server}/documents/{data.docs['pending_flagged']}/pages/1.jpg")
    assert response.status == 403
    response = page.goto(f"{live_server}/documents/{data.docs['license']}/download/original")
    assert response.status == 403


def test_service_sees_the_phone_and_the_box_is_outlined_on_click(as_role, live_server, seeded):
    page = as_role("service")
    page.goto(f"{live_server}/documents/{seeded[1].docs['form']}")
    assert "13800138000" in page.content()
    img = page.locator("figure.page img").first
    for _ in range(50):  # wait_for_function would need eval, which the page's CSP forbids
        if img.evaluate("el => el.complete && el.naturalWidth > 0"):
            break
        page.wait_for_timeout(100)
    page.click("#field-phone button.fieldlink")
    mark = page.locator(".box-mark")
    assert mark.count() == 1
    box = mark.bounding_box()
    assert box["width"] > 20 and box["height"] > 5
    shot(page, "07-field-box")


def test_department_head_corrects_a_field_and_approves_from_the_queue(as_role, live_server, seeded):
    from archive_store.matching import CustomerRef
    from tests.web.seed import _file

    # A record of its own: the shared seed's pending ones are other tests' fixtures.
    doc_no = _file(seeded[0], name="browser-review.jpg", doc_type="contract", title="浏览器审核测试合同",
                   customer=CustomerRef("enterprise", name="上海华东贸易有限公司"),
                   lines=[("合同金额", "¥88,000.00", "amount")], fields={"amount": "8800.00"},
                   problems={"amount": ["金额与大写不一致"]}, reasons=("合同金额的数字与大写不一致",),
                   issue=None, effective=False)
    page = as_role("dept_head")
    page.goto(f"{live_server}/review/")
    assert "合同金额的数字与大写不一致" in page.content()
    shot(page, "08-review-queue")
    page.click("a:text('浏览器审核测试合同')")
    page.wait_for_selector("section.fields")
    page.locator("#field-amount details summary").click()
    page.fill("#field-amount input[name=value]", "88000.00")
    page.fill("#field-amount input[name=reason]", "对照原件大写金额更正")
    page.click("#field-amount button[type=submit]")
    page.wait_for_selector(".flash.ok")
    # The amount is an important field: a second person confirms the correction (双人核对).
    assert "另一人核对" in page.inner_text(".flash.ok")
    clerk = as_role("clerk")
    clerk.goto(f"{live_server}/customers/changes")
    clerk.locator("#pending-changes tr", has_text=doc_no).locator("text=核对无误，确认").click()
    clerk.wait_for_selector(".flash.ok")
    page.reload()
    assert "¥88,000.00" in page.locator("#field-amount").inner_text()
    assert "人工更正" in page.locator("#field-amount").inner_text()
    shot(page, "09-document-corrected")
    page.click(".actions button.primary")
    page.wait_for_selector(".flash.ok")
    assert doc_no not in page.locator("ul.queue").inner_text()
    with seeded[0].db.read() as s:
        from sqlalchemy import select
        from archive_store.models import Document
        doc = s.scalar(select(Document).where(Document.doc_no == doc_no))
        assert doc.status == "effective" and doc.field_set_by["amount"] == "person"


def test_desks_of_clerk_auditor_admin_and_english(as_role, live_server):
    page = as_role("clerk")
    page.goto(f"{live_server}/intake/")
    assert "隔离区" in page.content()
    shot(page, "10-intake")
    page = as_role("auditor")
    assert "/audit" in page.url
    page.fill("input[name=action]", "document.")
    page.click("form.filters button[type=submit]")
    assert "document." in page.content()
    shot(page, "11-audit")
    page = as_role("admin")
    assert "/admin/users" in page.url
    shot(page, "12-users")
    page.click("a[lang=en]")
    assert "Users and roles" in page.content()
    shot(page, "13-users-english")
