"""The portal through Flask's test client: sign-in, access on the server, review, bad input."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from archive_store.messages import render
from archive_store.models import AuditEvent, Document, User
from tests.web.conftest import csrf_from, sign_in
from tests.web.seed import PASSWORD, USERS


def _events(system, **where) -> int:
    with system.db.read() as s:
        q = select(func.count()).select_from(AuditEvent)
        for k, v in where.items():
            q = q.where(getattr(AuditEvent, k) == v)
        return s.scalar(q)


def _doc(system, doc_no) -> Document:
    with system.db.read() as s:
        return s.scalar(select(Document).where(Document.doc_no == doc_no))


def _token(client, path="/search"):
    return csrf_from(client.get(path).get_data(as_text=True))


# --- signing in -------------------------------------------------------------------------

def test_every_page_needs_a_signed_in_user(client):
    for path in ("/", "/search", "/review/", "/audit/", "/admin/users", "/documents/X-1"):
        r = client.get(path)
        assert r.status_code == 302 and r.headers["Location"].startswith("/login")


def test_wrong_password_is_refused_and_audited(client, seeded):
    before = _events(seeded[0], action="user.login_failed")
    r = client.post("/login", data={"username": "sales1", "password": "wrong-password",
                                    "csrf_token": _token(client, "/login")})
    assert r.status_code == 401 and "不正确" in r.get_data(as_text=True)
    assert _events(seeded[0], action="user.login_failed") == before + 1


def test_login_is_rate_limited_per_account_and_per_address(app):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.9.9.1"
    token = _token(client, "/login")
    codes = [client.post("/login", data={"username": "ghost", "password": "wrong-password-x",
                                         "csrf_token": token}).status_code for _ in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    for i in range(20):  # other names from the same address, until the address is blocked
        last = client.post("/login", data={"username": f"ghost{i}", "password": "nope-nope-nope",
                                           "csrf_token": token}).status_code
    assert last == 429
    # even the right password is refused from that address now
    r = client.post("/login", data={"username": "sales1", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 429


def test_post_without_csrf_token_is_refused_and_changes_nothing(client, seeded):
    sign_in(client, "dept_head")
    doc_no = seeded[1].docs["pending_flagged"]
    r = client.post(f"/review/{doc_no}/approve", data={})
    assert r.status_code == 400
    assert _doc(seeded[0], doc_no).status == "pending_review"


def test_idle_session_expires(client):
    sign_in(client, "sales")
    assert client.get("/search").status_code == 200
    with client.session_transaction() as sess:
        sess["seen"] -= 31 * 60
    r = client.get("/search")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")


def test_password_change_ends_other_sessions(app, seeded):
    system = seeded[0]
    with system.db.write() as s:
        from archive_store.users import create_account
        create_account(s, actor="test", username="pwuser", role="sales", password="first-password-1")
    a, b = app.test_client(), app.test_client()
    for c in (a, b):
        c.post("/login", data={"username": "pwuser", "password": "first-password-1",
                               "csrf_token": _token(c, "/login")})
    r = a.post("/password", data={"old": "first-password-1", "new": "second-password-2",
                                  "confirm": "second-password-2", "csrf_token": _token(a, "/password")})
    assert r.status_code == 302
    assert a.get("/search").status_code == 200
    assert b.get("/search").status_code == 302  # the other session ended


# --- field-level visibility on the server ------------------------------------------------

def test_sales_page_has_no_service_only_field_and_service_page_has_it(app, seeded):
    doc_no = seeded[1].docs["form"]
    sales, service = app.test_client(), app.test_client()
    sign_in(sales, "sales"), sign_in(service, "service")
    s_html = sales.get(f"/documents/{doc_no}").get_data(as_text=True)
    v_html = service.get(f"/documents/{doc_no}").get_data(as_text=True)
    assert "13800138000" not in s_html and "8000" not in s_html and "lina@" not in s_html
    assert "13800138000" in v_html and "lina@huadong.example" in v_html


def _dark_share(jpeg: bytes, box) -> float:
    img = Image.open(io.BytesIO(jpeg)).convert("L").crop(tuple(box))
    pixels = img.tobytes()
    return sum(1 for p in pixels if p < 40) / len(pixels)


def test_page_image_is_redacted_over_hidden_fields(app, seeded):
    system, data = seeded
    doc = _doc(system, data.docs["form"])
    box = doc.field_boxes["phone"]["box"]
    sales, service = app.test_client(), app.test_client()
    sign_in(sales, "sales"), sign_in(service, "service")
    url = f"/documents/{doc.doc_no}/pages/1.jpg"
    assert _dark_share(sales.get(url).data, box) > 0.95
    assert _dark_share(service.get(url).data, box) < 0.5


def test_search_results_are_filtered_and_masked_for_the_user(app, seeded):
    c = app.test_client()
    sign_in(c, "sales")
    html = c.get("/search?q=华东").get_data(as_text=True)
    assert seeded[1].docs["form"] in html and "8000" not in html
    assert seeded[1].docs["pending_flagged"] not in html  # not effective yet
    assert "无权按字段检索" in c.get("/search?q=phone:13800138000").get_data(as_text=True)
    m = app.test_client()
    sign_in(m, "marketing")
    assert seeded[1].docs["contract"] not in m.get("/search?q=华东").get_data(as_text=True)


@pytest.mark.parametrize("role,label", [("sales", "other"), ("marketing", "contract"),
                                        ("sales", "pending_flagged"), ("auditor", "license")])
def test_another_roles_document_by_url_is_403_and_audited(app, seeded, role, label):
    system, data = seeded
    c = app.test_client()
    sign_in(c, role)
    doc_no = data.docs[label]
    before = _events(system, action="document.view_denied", object_id=doc_no)
    r = c.get(f"/documents/{doc_no}")
    assert r.status_code == 403 and "无权" in r.get_data(as_text=True)
    assert c.get(f"/documents/{doc_no}/pages/1.jpg").status_code == 403
    assert c.get(f"/documents/{doc_no}/download/original").status_code == 403
    assert _events(system, action="document.view_denied", object_id=doc_no) == before + 1


def test_every_view_and_download_is_an_audit_event(app, seeded):
    system, data = seeded
    c = app.test_client()
    sign_in(c, "archive_manager")
    doc_no = data.docs["license"]
    views, downloads = (_events(system, action=a, object_id=doc_no)
                        for a in ("document.viewed", "document.downloaded"))
    assert c.get(f"/documents/{doc_no}").status_code == 200
    r = c.get(f"/documents/{doc_no}/download/original")
    assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment")
    assert r.data == system.store.read(_doc(system, doc_no).sha256)
    assert _events(system, action="document.viewed", object_id=doc_no) == views + 1
    assert _events(system, action="document.downloaded", object_id=doc_no) == downloads + 1
    # the ID number is core-secret: the manager may not take that original away
    assert c.get(f"/documents/{data.docs['person_form']}/download/original").status_code == 403


def test_leader_grant_lets_a_user_see_the_core_secret_field(app, seeded):
    system, data = seeded
    doc_no, archive_no = data.docs["person_form"], data.archives["person_form"]
    service, leader = app.test_client(), app.test_client()
    sign_in(service, "service"), sign_in(leader, "leader")
    assert "11010519491231002X" not in service.get(f"/documents/{doc_no}").get_data(as_text=True)
    assert "11010519491231002X" in leader.get(f"/documents/{doc_no}").get_data(as_text=True)
    token = _token(leader, f"/archives/{archive_no}")
    r = leader.post(f"/archives/{archive_no}/grants",
                    data={"username": "service1", "reason": "核对身份办理售后", "days": "1", "csrf_token": token})
    assert r.status_code == 302
    assert "11010519491231002X" in service.get(f"/documents/{doc_no}").get_data(as_text=True)
    assert _events(system, action="access.granted", object_id=archive_no) >= 1
    # and only a leader grants
    r = service.post(f"/archives/{archive_no}/grants", data={"username": "sales1", "reason": "x", "days": "1",
                                                             "csrf_token": _token(service)})
    assert r.status_code == 403


# --- review ------------------------------------------------------------------------------

def test_review_queue_lists_flagged_first_with_reasons(app, seeded):
    c = app.test_client()
    sign_in(c, "dept_head")
    html = c.get("/review/").get_data(as_text=True)
    assert "合同金额的数字与大写不一致" in html
    assert html.index(seeded[1].docs["pending_flagged"]) < html.index(seeded[1].docs["pending_plain"])
    sales = app.test_client()
    sign_in(sales, "sales")
    assert sales.get("/review/").status_code == 403


def test_reviewer_corrects_then_approves_and_others_cannot(app, seeded):
    system, data = seeded
    from tests.web.seed import _file
    from archive_store.matching import CustomerRef
    doc_no = _file(system, name="web-review.jpg", doc_type="contract", title="审核页测试",
                   customer=CustomerRef("enterprise", name="上海华东贸易有限公司"),
                   lines=[("合同金额", "¥9,900.00", "amount")], fields={"amount": "990.00"},
                   issue=None, effective=False)
    clerk = app.test_client()
    sign_in(clerk, "clerk")
    r = clerk.post(f"/review/{doc_no}/approve", data={"csrf_token": _token(clerk)})
    assert r.status_code == 403 and _doc(system, doc_no).status == "pending_review"
    head = app.test_client()
    sign_in(head, "dept_head")
    token = _token(head)
    r = head.post(f"/documents/{doc_no}/fix/field", data={"key": "amount", "value": "9900.00",
                                                     "reason": "对照原件", "csrf_token": token})
    assert r.status_code == 302
    # The amount is an important field: the correction waits for a second person (双人核对).
    assert _doc(system, doc_no).fields["amount"] == "990.00"
    with system.db.read() as s:
        from archive_store.models import PendingChange
        change_id = s.scalar(select(PendingChange.id).where(PendingChange.document_id == _doc(system, doc_no).id))
    assert head.post(f"/customers/changes/{change_id}/confirm", data={"csrf_token": token}).status_code == 403
    assert clerk.post(f"/customers/changes/{change_id}/confirm",
                      data={"csrf_token": _token(clerk)}).status_code == 302
    html = head.get(f"/documents/{doc_no}").get_data(as_text=True)
    assert "人工更正" in html and "¥9,900.00" in html
    assert head.post(f"/review/{doc_no}/approve", data={"csrf_token": token}).status_code == 302
    assert _doc(system, doc_no).status == "effective"
    assert head.post(f"/review/{doc_no}/approve", data={"csrf_token": token}).status_code == 409


@pytest.mark.parametrize("form", [
    {"key": "__class__", "value": "x", "reason": "r"},
    {"key": "amount", "value": "", "reason": "r"},
    {"key": "amount", "value": "1", "reason": ""},
    {"key": "no_such_field", "value": "1", "reason": "r"},
    {"key": "amount", "value": "x" * 3000, "reason": "r"},
])
def test_tampered_correction_forms_are_refused_and_change_nothing(app, seeded, form):
    system, data = seeded
    doc_no = data.docs["pending_plain"]
    before = _doc(system, doc_no).fields
    c = app.test_client()
    sign_in(c, "dept_head")
    r = c.post(f"/documents/{doc_no}/fix/field", data={**form, "csrf_token": _token(c)}, follow_redirects=True)
    assert r.status_code == 400 or 'class="flash error"' in r.get_data(as_text=True)
    assert _doc(system, doc_no).fields == before


# --- bad input ---------------------------------------------------------------------------

@pytest.mark.parametrize("path,status", [
    ("/documents/NOPE-001", 404), ("/documents/..%2F..%2Fetc%2Fpasswd", 404),
    ("/documents/%E4%B8%AD", 404), ("/archives/NOPE", 404), ("/documents/X/pages/0.jpg", 404),
    ("/documents/X/download/../../x", 404), ("/search?page=abc", 400), ("/search?page=-1", 400),
    ("/search?page=99999999999999999999", 400), ("/search?date_from=2025-13-45", 400),
    ("/search?doc_type=<script>", 400), ("/search?q=" + "长" * 3000, 400), ("/search?q=a%00b", 400),
    ("/audit/?page=x", 400), ("/no/such/page", 404),
])
def test_bad_requests_get_a_plain_error_page(app, path, status):
    c = app.test_client()
    sign_in(c, "sales")
    r = c.get(path)
    assert r.status_code == status
    body = r.get_data(as_text=True)
    assert "Traceback" not in body and "<h1>" in body


def test_odd_search_queries_never_500(app):
    c = app.test_client()
    sign_in(c, "dept_head")
    for q in ['"', "(((", "amount:>abc", "uscc:", "a:b:c", "*", "OR", "签订日期:2099-99-99", "\\"]:
        assert c.get("/search", query_string={"q": q}).status_code == 200


def test_page_image_of_a_document_whose_second_page_does_not_exist(app, seeded):
    c = app.test_client()
    sign_in(c, "dept_head")
    assert c.get(f"/documents/{seeded[1].docs['license']}/pages/2.jpg").status_code == 404


# --- the other desks ---------------------------------------------------------------------

def test_auditor_filters_and_exports_the_trail(app, seeded):
    c = app.test_client()
    sign_in(c, "auditor")
    html = c.get("/audit/?action=document.&actor=system:test").get_data(as_text=True)
    assert "document.filed" in html
    r = c.get("/audit/export.csv?action=document.filed")
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and text.startswith("\ufeffseq,") and "document.filed" in text
    assert _events(seeded[0], action="audit.exported") >= 1
    other = app.test_client()
    sign_in(other, "dept_head")
    assert other.get("/audit/export.csv").status_code == 403


def test_admin_creates_a_user_with_a_password_shown_once(app, seeded):
    c = app.test_client()
    sign_in(c, "admin")
    token = _token(c, "/admin/users")
    r = c.post("/admin/users", data={"username": "newbie", "display_name": "新人", "role": "sales",
                                     "csrf_token": token})
    assert r.status_code == 200 and "只显示一次" in r.get_data(as_text=True)
    r = c.post("/admin/users/newbie", data={"role": "service", "active": "y", "csrf_token": token})
    assert r.status_code == 302
    with seeded[0].db.read() as s:
        assert s.scalar(select(User.role).where(User.username == "newbie")) == "service"
    assert c.post("/admin/users/newbie", data={"role": "nosuchrole", "csrf_token": token}).status_code == 400
    sales = app.test_client()
    sign_in(sales, "sales")
    assert sales.get("/admin/users").status_code == 403


def test_clerk_sees_the_intake_monitor_and_unknown_quarantine_names_are_404(app):
    c = app.test_client()
    sign_in(c, "clerk")
    assert c.get("/intake/").status_code == 200
    r = c.post("/intake/quarantine/retry", data={"name": "../../etc/passwd", "csrf_token": _token(c, "/intake/")})
    assert r.status_code == 404


def test_chinese_by_default_english_on_request_with_dates_each_way(app, seeded):
    c = app.test_client()
    sign_in(c, "dept_head")
    doc_no = seeded[1].docs["license"]
    zh = c.get(f"/documents/{doc_no}").get_data(as_text=True)
    assert 'lang="zh-CN"' in zh and "2019年4月8日" in zh and "字段" in zh
    c.get("/lang/en")
    en = c.get(f"/documents/{doc_no}").get_data(as_text=True)
    assert 'lang="en"' in en and "Apr 8, 2019" in en and "Fields" in en


def test_logout_ends_the_session(app):
    c = app.test_client()
    sign_in(c, "sales")
    assert c.post("/logout", data={"csrf_token": _token(c)}).status_code == 302
    assert c.get("/search").status_code == 302


def test_return_to_clerk_needs_a_reason_and_the_clerk_resubmits(app, seeded):
    system, _ = seeded
    from tests.web.seed import _file
    from archive_store.matching import CustomerRef
    doc_no = _file(system, name="web-return.jpg", doc_type="business_license", title="退回测试",
                   customer=CustomerRef("enterprise", name="退回测试有限公司"),
                   lines=[("名称", "退回测试有限公司", "name")], fields={"name": "退回测试有限公司"},
                   issue=None, effective=False)
    head = app.test_client()
    sign_in(head, "dept_head")
    token = _token(head)
    assert head.post(f"/review/{doc_no}/return", data={"reason": "", "csrf_token": token}).status_code == 400
    assert _doc(system, doc_no).status == "pending_review"
    assert head.post(f"/review/{doc_no}/return", data={"reason": "缺少盖章页", "csrf_token": token}).status_code == 302
    doc = _doc(system, doc_no)
    assert doc.status == "returned" and any("缺少盖章页" in render(r) for r in doc.review_reasons)
    clerk = app.test_client()
    sign_in(clerk, "clerk")
    assert "缺少盖章页" in clerk.get(f"/documents/{doc_no}").get_data(as_text=True)
    assert clerk.post(f"/review/{doc_no}/resubmit", data={"csrf_token": _token(clerk)}).status_code == 302
    assert _doc(system, doc_no).status == "pending_review"


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:x"])
def test_redirects_after_sign_in_and_language_stay_on_this_site(app, target):
    c = app.test_client()
    token = _token(c, "/login")
    r = c.post("/login?next=" + target, data={"username": "sales1", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302 and r.headers["Location"] == "/"
    r = c.get("/lang/zh?next=" + target)
    assert r.headers["Location"] == "/"


def test_search_pages_and_filters(app, seeded):
    c = app.test_client()
    sign_in(c, "dept_head")
    html = c.get("/search?q=华东&doc_type=contract").get_data(as_text=True)
    assert seeded[1].docs["contract"] in html and seeded[1].docs["license"] not in html
    html = c.get("/search?q=华东&date_from=2024-01-01&date_to=2024-12-31").get_data(as_text=True)
    assert seeded[1].docs["contract"] in html and seeded[1].docs["license"] not in html
    assert c.get("/search?q=华东&page=2").status_code == 200
    html = c.get("/search?q=华东&date_from=2025-01-01&date_to=2024-01-01").get_data(as_text=True)
    assert 'class="flash error"' in html  # the index's own sentence, not a 500


def test_clerk_retries_and_dismisses_quarantined_files_from_the_monitor(app, seeded):
    system, _ = seeded
    from intake.quarantine import list_quarantined, quarantine_file

    names = []
    for n in ("坏文件一.pdf", "坏文件二.pdf"):
        src = system.settings.work / n
        src.write_bytes(b"%PDF-1.4 broken")
        names.append(quarantine_file(system.settings, src, original_name=n, reason="corrupt",
                                     detail="文件已损坏，无法读取", job_id=None, business_line="P"))
    c = app.test_client()
    sign_in(c, "clerk")
    html = c.get("/intake/").get_data(as_text=True)
    assert "坏文件一.pdf" in html and "文件已损坏" in html
    token = _token(c, "/intake/")
    assert c.post("/intake/quarantine/retry", data={"name": names[0], "csrf_token": token}).status_code == 302
    assert (system.settings.inbox / "P" / names[0]).exists()
    assert c.post("/intake/quarantine/dismiss", data={"name": names[1], "csrf_token": token}).status_code == 302
    assert names[1] not in {e.name for e in list_quarantined(system.settings)}
    assert c.post("/intake/quarantine/delete", data={"name": names[1], "csrf_token": token}).status_code == 400
    (system.settings.inbox / "P" / names[0]).unlink()  # the watcher is not running here


def test_a_page_is_withheld_when_a_hidden_field_has_no_box_to_black_out(app, seeded):
    system, _ = seeded
    from tests.web.seed import _file
    from archive_store.matching import CustomerRef
    doc_no = _file(system, name="nobox.jpg", doc_type="collection_form", title="无框测试",
                   customer=CustomerRef("enterprise", name="无框测试有限公司"),
                   lines=[("客户名称", "无框测试有限公司", "customer_name"), ("联系电话", "13711112222", "phone")],
                   fields={"customer_name": "无框测试有限公司", "phone": "13711112222"}, issue=None)
    with system.db.write() as s:
        doc = s.scalar(select(Document).where(Document.doc_no == doc_no))
        doc.field_boxes = {"customer_name": doc.field_boxes["customer_name"], "phone": {"page": 1, "box": "junk"}}
    sales, service = app.test_client(), app.test_client()
    sign_in(sales, "sales"), sign_in(service, "service")
    assert "未显示" in sales.get(f"/documents/{doc_no}").get_data(as_text=True)
    assert sales.get(f"/documents/{doc_no}/pages/1.jpg").status_code == 403
    assert service.get(f"/documents/{doc_no}/pages/1.jpg").status_code == 200
