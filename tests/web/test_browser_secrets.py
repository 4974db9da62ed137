"""Issue 19 in a real headless Chromium: a sales user searches a customer's ID number in
every form an attacker would try and finds nothing, and no page shows six or more of its
digits in a row: not the results, not the snippets, not the document itself."""
from __future__ import annotations

import re
from datetime import date

import pytest

from tests.web.test_browser import as_role  # noqa: F401  (a fixture)

pytestmark = pytest.mark.e2e
ID = "330106198702153017"      # valid check digit
SPOUSE = "44030519900101123X"


def _forms(v: str) -> list[str]:
    wide = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in "0123456789Xidphone"})
    return [v, v.translate(wide), f"{v[:6]} {v[6:14]} {v[14:]}", f'"{v}"', f"{v[:6]}*", v[:10],
            f"id:{v}", f"ID:{v}", f"ｉｄ:{v}", f"ｉｄ:{v[:4]}*", f"id:{v[:6]}", f"-id:{v}", f"NOT id:{v}",
            f"身份证:{v}", f"身份證:{v}", f"身份證號:{v[:8]}", f"id_number:{v}", f"id:({v})", f"合同 OR id:{v}",
            f"身份證:{v[:8].translate(wide)}", f"电话:{v}", f"客户 {v}"]


def _runs(text: str, secret: str) -> list[str]:
    joined = re.sub(r"(?<=[\dX])[\s\-]+(?=[\dX])", "", text.translate({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}))
    return [secret[i:i + 6] for i in range(len(secret) - 5) if secret[i:i + 6] in joined]


def _shown(page) -> str:
    """Everything the page carries except its echoes of what the user typed (the search
    box, and the query in links back to this page): those are the user's own words."""
    html = re.sub(r'(<input[^>]*id="q"[^>]*value=")[^"]*(")', r"\1\2", page.content())
    html = re.sub(r"q(=|%3D)[^&\"]*?(&|%26|\")", r"q\1\2", html)
    return page.inner_text("body") + "\n" + html


def test_a_sales_user_finds_nothing_by_an_id_number_and_sees_none_of_its_digits(as_role, live_server, seeded):
    from archive_store.matching import CustomerRef
    from archive_store.search_docs import reindex
    from tests.web.seed import _file

    system, _ = seeded
    doc_no = _file(system, name="browser-secrets.jpg", doc_type="collection_form",
                   customer=CustomerRef("individual", name="钱多多", id_number=ID), title="客户信息收集表",
                   lines=[("姓名", "钱多多", "customer_name"), ("身份证号", ID, "id_number"),
                          ("证件号码（复印件）", f"{ID[:6]} {ID[6:14]} {ID[14:]}", None),
                          ("配偶身份证号", SPOUSE, None), ("需求描述", "养老规划咨询", "needs")],
                   fields={"customer_name": "钱多多", "customer_type": "individual", "id_number": ID,
                           "needs": "养老规划咨询"}, issue=date(2025, 8, 1), line="S")
    reindex(system, [doc_no])

    page = as_role("sales")
    for q in _forms(ID) + _forms(SPOUSE):
        page.goto(f"{live_server}/search")
        page.fill("#q", q)
        page.click(".searchbox > button[type=submit]")
        page.wait_for_load_state()
        shown = _shown(page)
        assert doc_no not in shown, f"{q!r} found the document"
        assert not _runs(shown, ID) and not _runs(shown, SPOUSE), f"{q!r} shows digits: {_runs(shown, ID)}"

    # Searching by what sales may see finds it, and neither the snippet nor the document shows the IDs.
    page.goto(f"{live_server}/search")
    page.fill("#q", "配偶身份证号 养老规划")
    page.click(".searchbox > button[type=submit]")
    page.wait_for_load_state()
    assert doc_no in page.content()
    assert not _runs(_shown(page), ID) and not _runs(_shown(page), SPOUSE)
    page.goto(f"{live_server}/documents/{doc_no}")
    assert "养老规划咨询" in page.inner_text("body")
    assert not _runs(_shown(page), ID) and not _runs(_shown(page), SPOUSE)
