"""The customer-archive pages in a real headless Chromium: a department head opens an archive
by hand, changes its grade and owner, merges a duplicate into it and corrects its USCC; an
archive manager confirms the correction (the two-person check). Screenshots go to
test-artifacts/screenshots/."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from archive_store.models import Archive
from tests.web.seed import PASSWORD, USERS, seed
from tests.conftest import serve, shot

pytestmark = pytest.mark.e2e
OLD_USCC = "91310115MA1H7GXX0A"
NEW_USCC = "91320100MA1MXXXX09"


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    """Its own seeded data folder and portal on a free port: this test merges archives."""

    from archive_store.system import init_data_dir
    from web.app import create_app

    system, _ = init_data_dir(tmp_path_factory.mktemp("archives-browser") / "data")
    seed(system)
    with serve(create_app(system, testing=True)) as url:
        yield system, url
    system.close()


def sign_in(browser, url: str, role: str):
    page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    page.goto(f"{url}/login")
    page.fill("#username", USERS[role])
    page.fill("#password", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url
    return page


def _new_archive(page, url: str, name: str, uscc: str | None) -> str:
    page.goto(f"{url}/customers/new")
    page.fill("#name", name)
    page.select_option("#customer_type", "enterprise")
    page.select_option("#business_line", "P")
    if uscc:
        page.fill("#uscc", uscc)
    page.click("#new-archive button[type=submit]")
    page.wait_for_selector(".flash.ok")
    return re.search(r"/archives/([A-Za-z0-9-]+)$", page.url).group(1)


def test_by_hand_edit_merge_and_a_second_person_confirms(portal, browser):
    system, url = portal
    head = sign_in(browser, url, "dept_head")

    # By hand, then grade and owner.
    no = _new_archive(head, url, "浏览器客户有限公司", OLD_USCC)
    shot(head, "archives-01-created")
    head.click("#archive-actions >> text=修改档案")
    head.select_option("#grade", "A")
    head.select_option("#owner", USERS["service"])
    head.fill("#paper_location", "2号柜-5盒")
    head.click("#edit-archive button[type=submit]")
    head.wait_for_selector(".flash.ok")
    card = head.inner_text("dl.card")
    assert "A" in card and "service测试" in card and "2号柜-5盒" in card
    history = head.inner_text("ol.history")
    assert "等级：— → A" in history
    assert f"负责人：— → {USERS['service']}" in history
    shot(head, "archives-02-edited")

    # A duplicate by name in Traditional script, proposed and merged.
    dup = _new_archive(head, url, "瀏覽器客戶有限公司", None)
    head.goto(f"{url}/customers/duplicates")
    assert no in head.inner_text("#duplicates") and dup in head.inner_text("#duplicates")
    shot(head, "archives-03-duplicates")
    head.fill("#from_no", dup)
    head.fill("#into_no", no)
    head.fill("#reason", "同一客户，繁体名称")
    head.click("#merge-form button[type=submit]")
    head.wait_for_selector(".flash.ok")
    assert head.url.endswith(f"/archives/{no}")
    head.goto(f"{url}/archives/{dup}")
    assert no in head.inner_text("#merged-note") and no in head.inner_text("h1")
    assert "并入档案" in head.inner_text("ol.history")

    # A corrected USCC waits for a second person.
    head.goto(f"{url}/customers/{no}/edit")
    head.fill("#uscc", NEW_USCC)
    head.fill("#reason", "营业执照换发")
    head.click("#edit-archive button[type=submit]")
    head.wait_for_selector(".flash.ok")
    assert head.inner_text("#card-uscc") == OLD_USCC
    head.goto(f"{url}/customers/changes")
    row = head.inner_text("#pending-changes")
    assert NEW_USCC in row and "核对无误" not in row  # nobody confirms their own change

    manager = sign_in(browser, url, "archive_manager")
    manager.goto(f"{url}/customers/changes")
    shot(manager, "archives-04-pending-change")
    manager.click("#pending-changes >> text=核对无误，确认")
    manager.wait_for_selector(".flash.ok")
    assert NEW_USCC not in manager.inner_text("#pending-changes")
    manager.goto(f"{url}/archives/{no}")
    assert manager.inner_text("#card-uscc") == NEW_USCC
    assert "核对确认" in manager.inner_text("ol.history")
    shot(manager, "archives-05-confirmed")

    with system.db.read() as s:
        kept = s.scalar(select(Archive).where(Archive.archive_no == no))
        gone = s.scalar(select(Archive).where(Archive.archive_no == dup))
        assert kept.uscc == NEW_USCC and kept.grade == "A" and gone.merged_into_id == kept.id


def test_sales_open_archives_by_hand_but_do_not_see_the_managers_lists(portal, browser):
    _, url = portal
    page = sign_in(browser, url, "sales")
    page.click("header nav >> text=客户档案")
    assert page.url.endswith("/customers/new")
    no = _new_archive(page, url, "销售电话客户有限公司", None)
    assert "sales测试" in page.inner_text("dl.card")  # the one who met the customer owns it
    page.goto(f"{url}/customers/")
    assert "无权访问" in page.content()
    assert no
