"""A loan walked through the portal in a real headless Chromium: a sales user asks, the
department head and the leader approve, the desk hands it out, the borrower signs and asks
for an extension, the department head grants it, the desk takes it back damaged, and the
borrow log shows it and downloads as CSV and as a PDF whose text is read back.

It runs on its own data folder and server, so the loans it makes do not change what the
other portal tests see.
"""
from __future__ import annotations

import csv
import io
import re

import pytest
from pypdf import PdfReader

from tests.web.seed import PASSWORD, USERS, seed
from tests.conftest import serve, shot

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def loans_site(tmp_path_factory):
    from archive_store.models import Archive
    from archive_store.system import init_data_dir
    from web.app import create_app

    system, _ = init_data_dir(tmp_path_factory.mktemp("loans") / "data")
    data = seed(system)
    archive_no = data.archives["contract"]
    with system.db.write() as s:
        s.query(Archive).filter_by(archive_no=archive_no).one().paper_location = "A柜-07盒"
    app = create_app(system, testing=True)
    with serve(app) as url:
        yield url, archive_no
    system.close()


def test_a_sales_loan_through_both_approvals_the_desk_an_extension_the_return_and_the_log(browser, loans_site):
    site, archive_no = loans_site
    contexts = []

    def as_role(role):
        ctx = browser.new_context(viewport={"width": 1366, "height": 800}, locale="zh-CN", accept_downloads=True)
        contexts.append(ctx)
        page = ctx.new_page()
        page.goto(f"{site}/login")
        page.fill("#username", USERS[role])
        page.fill("#password", PASSWORD)
        submit(page, "form.stack button[type=submit]")
        page.wait_for_load_state()
        assert "/login" not in page.url
        return page

    def submit(page, selector):
        # Every action is a form POST answered by a redirect: wait for the page it lands on.
        with page.expect_navigation():
            page.click(selector)

    try:
        sales = as_role("sales")
        sales.goto(f"{site}/archives/{archive_no}")
        submit(sales, "text=申请借阅")
        assert sales.locator("#kind").input_value() == "paper"
        sales.fill("#reason", "核对设备采购合同原件")
        sales.fill("#days", "3")
        shot(sales, "loans-01-request")
        submit(sales, "form.stack button[type=submit]")
        assert "申请已提交" in sales.content()
        rid = re.search(r"/loans/(\d+)$", sales.url).group(1)
        assert "待部门负责人审核" in sales.content()

        head = as_role("dept_head")
        head.goto(f"{site}/loans/inbox")
        head.fill(f"#c-{rid}", "同意借阅")
        shot(head, "loans-02-inbox")
        submit(head, f"form:has(#c-{rid}) button:has-text('批准')")
        assert f"已批准：#{rid}" in head.content()

        leader = as_role("leader")
        leader.goto(f"{site}/loans/inbox")
        submit(leader, f"form:has(#c-{rid}) button:has-text('批准')")
        assert f"已批准：#{rid}" in leader.content()

        desk = as_role("archive_manager")
        desk.goto(f"{site}/loans/desk")
        assert "纸质档案位置：A柜-07盒" in desk.content()
        shot(desk, "loans-03-desk")
        submit(desk, f"form[action='/loans/{rid}/hand-out'] button")
        assert f"已借出 #{rid}" in desk.content() and "A柜-07盒" in desk.content()

        sales.goto(f"{site}/loans/{rid}")
        submit(sales, "text=确认签收")
        assert "已签收。" in sales.content()
        sales.fill("#extend-days", "2")
        submit(sales, "text=申请续借")
        assert "续借申请已提交" in sales.content()

        head.goto(f"{site}/loans/inbox")
        submit(head, f"form:has(#c-{rid}) button:has-text('批准续借')")
        assert f"已批准：#{rid}" in head.content()

        desk.goto(f"{site}/loans/desk")
        desk.select_option(f"#cond-{rid}", "damaged")
        desk.fill(f"form:has(#cond-{rid}) input[name=note]", "封面破损")
        submit(desk, f"form:has(#cond-{rid}) button")
        assert f"已归还：#{rid}" in desk.content()

        desk.goto(f"{site}/loans/log?archive_no={archive_no}")
        row = desk.locator(f"tr:has(a[href='/loans/{rid}'])")
        text = row.inner_text()
        assert "sales1" in text and "销售部" in text and "损坏：封面破损" in text and "已归还" in text
        assert "dept_head1(部门负责人) leader1(分管领导)" in text
        shot(desk, "loans-04-log")

        with desk.expect_download() as got:
            desk.click("#log-csv")
        rows = list(csv.reader(io.StringIO(open(got.value.path(), encoding="utf-8-sig").read())))
        assert rows[0][0] == "编号" and [r[0] for r in rows[1:]] == [rid]
        assert rows[1][2] == "sales1" and rows[1][12] == "损坏" and rows[1][14] == "已归还"

        with desk.expect_download() as got:
            desk.click("#log-pdf")
        pdf = PdfReader(got.value.path())
        read = "".join(p.extract_text() for p in pdf.pages).replace("\x00", "")
        assert "借阅登记表" in read and archive_no in read and "sales1" in read and "损坏" in read
    finally:
        for ctx in contexts:
            ctx.close()
