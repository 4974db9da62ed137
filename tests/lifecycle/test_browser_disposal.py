"""A destruction batch in a real headless Chromium: rule, due list, proposal, two approvals,
execution before two witnesses, and the certificate downloaded and read back."""
from __future__ import annotations

import re
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from archive_store import search_docs
from archive_store.models import Document
from archive_store.system import init_data_dir
from tests.lifecycle.helpers import PASSWORD, add_staff, file_doc
from tests.conftest import serve, shot

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    """A data folder of its own (the shared portal seed belongs to other tests), served on loopback."""

    from web.app import create_app

    system, _ = init_data_dir(tmp_path_factory.mktemp("disposal") / "data")
    add_staff(system)
    docs = [file_doc(system, customer="上海甲贸易有限公司", issue=date(2010, 1, 1)),
            file_doc(system, customer="杭州乙科技有限公司", issue=date(2011, 1, 1))]
    search_docs.reindex(system, docs)
    with serve(create_app(system, testing=True)) as url:
        yield system, docs, url
    system.close()


def test_a_batch_runs_from_proposal_to_certificate_download(browser, portal, tmp_path):
    system, docs, url = portal

    def sign_in(username: str):
        ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", accept_downloads=True)
        page = ctx.new_page()
        page.goto(f"{url}/login")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.click("form.stack button[type=submit]")
        page.wait_for_load_state()
        assert "/login" not in page.url
        return ctx, page

    # The archive manager sets the rule in the portal; both contracts fall due.
    ctx, page = sign_in("am1")
    page.click("text=保管与销毁")
    page.click("text=保管期限规则")
    page.select_option("#kind", "contract")
    page.fill("#years", "5")
    page.select_option("#trigger", "document_date")
    page.click("#rule-form button[type=submit]")
    page.wait_for_selector(".flash.ok")
    assert "5 年" in page.locator("table.grid").inner_text()
    page.goto(f"{url}/retention/due?as_of=2020-01-01")
    for n in docs:
        page.check(f"#pick-{n}")
    shot(page, "21-due-list")
    page.select_option("#method", "erase")
    page.click("#propose-form button.primary")
    page.wait_for_selector(".flash.ok")
    batch_url = page.url
    assert re.search(r"/retention/batches/\d+$", batch_url) and "待部门负责人审批" in page.content()
    ctx.close()

    for approver, next_status in (("head1", "待分管领导审批"), ("lead1", "待执行")):
        ctx, page = sign_in(approver)
        page.goto(batch_url)
        page.click("form button.primary:text('审批通过')")
        page.wait_for_selector(".flash.ok")
        assert page.locator("#batch-status").inner_text() == next_status
        ctx.close()

    ctx, page = sign_in("am1")
    page.goto(batch_url)
    page.select_option("#witness1", "clerk1")
    assert page.locator("#witness2 option[value=head1]").count() == 0  # approvers are not offered
    page.select_option("#witness2", "clerk1")  # the same person twice: the verb refuses, nothing changes
    page.click("#execute-form button.primary")
    assert "两名监销人" in page.content()
    page.goto(batch_url)
    page.select_option("#witness1", "clerk1")
    page.select_option("#witness2", "sales1")
    page.fill("#place", "三楼机房")
    page.click("#execute-form button.primary")
    page.wait_for_selector(".flash.ok")
    assert "已执行销毁：销毁 2 件，保留 0 件。" in page.content()
    shot(page, "22-batch-executed")
    with page.expect_download() as download:
        page.click("#certificate")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    ctx.close()

    text = re.sub(r"[\s\x00]+", "", "".join(p.extract_text() for p in PdfReader(saved).pages))
    assert all(n in text for n in docs)
    assert "部门负责人审批：head1测试（head1）" in text and "监销人：clerk1、sales1" in text
    assert "销毁地点：三楼机房" in text
    with system.db.read() as s:
        assert {d.status for d in s.scalars(select(Document))} == {"destroyed"}
