"""The access table: which role sees which kinds and fields, without the web."""
from __future__ import annotations

from datetime import timedelta


from archive_store import access

from archive_store.models import AccessGrant, Document, User, utcnow


def _user(role: str, uid: int = 1) -> User:
    return User(id=uid, username=f"{role}-u", role=role, password_hash="x", active=True)


def _doc(doc_type="collection_form", status="effective", **fields) -> Document:
    return Document(doc_no="X-001", archive_id=7, doc_type=doc_type, status=status,
                    fields=fields or {"customer_name": "甲公司", "phone": "13800138000",
                                      "id_number": "11010519491231002X", "needs": "维保"})


def test_index_readers_name_the_roles_that_see_each_kind():
    assert "role:marketing" not in access.index_readers("contract", "P")
    assert "role:sales" in access.index_readers("contract", "P")
    assert "role:sales" not in access.index_readers("other", "P")
    assert "role:sales" not in access.index_readers("something_new", "P")
    assert "role:auditor" not in access.index_readers("business_license", "P")


def test_reader_tokens_are_none_only_for_roles_that_see_every_kind():
    assert access.reader_tokens(_user("dept_head")) is None
    assert access.reader_tokens(_user("sales")) == {"role:sales"}
    assert access.reader_tokens(_user("auditor")) == set()


def test_sales_does_not_see_the_service_only_phone_but_service_does():
    doc = _doc()
    assert "phone" not in access.visible_fields(_user("sales"), doc, [])
    assert access.visible_fields(_user("service"), doc, [])["phone"] == "13800138000"
    assert "needs" in access.visible_fields(_user("sales"), doc, [])
    assert "needs" not in access.visible_fields(_user("service"), doc, [])


def test_core_secret_id_number_needs_a_live_grant_from_a_leader():
    doc, user = _doc(), _user("dept_head", uid=3)
    assert "id_number" not in access.visible_fields(user, doc, [])
    assert "id_number" in access.visible_fields(_user("leader"), doc, [])
    live = AccessGrant(user_id=3, archive_id=7, expires_at=utcnow() + timedelta(days=1))
    expired = AccessGrant(user_id=3, archive_id=7, expires_at=utcnow() - timedelta(seconds=1))
    other_archive = AccessGrant(user_id=3, archive_id=8, expires_at=utcnow() + timedelta(days=1))
    assert "id_number" in access.visible_fields(user, doc, [live])
    assert "id_number" not in access.visible_fields(user, doc, [expired, other_archive])


def test_staff_see_only_effective_records_and_auditors_none():
    assert not access.can_view_document(_user("sales"), _doc(status="pending_review"))
    assert access.can_view_document(_user("dept_head"), _doc(status="pending_review"))
    assert not access.can_view_document(_user("auditor"), _doc())
    assert not access.can_view_document(_user("marketing"), _doc("contract"))


def test_mask_text_hides_printed_forms_of_hidden_values():
    doc = _doc()
    text = "联系电话：+86 138-0013-8000\n身份证号：11010519491231002x\n需求：维保"
    masked = access.mask_text(_user("sales"), doc, text, [])
    assert "8000" not in masked and "1231002" not in masked and "维保" in masked
    snippet = "电话 <mark>138</mark>0013 8000"
    assert "8000" not in access.mask_text(_user("sales"), doc, snippet, [])


def test_field_queries_on_hidden_fields_are_named():
    assert access.hidden_search_keys(_user("sales"), "phone:138 华东") == ["phone"]
    assert access.hidden_search_keys(_user("service"), "phone:138") == []
    assert access.hidden_search_keys(_user("dept_head"), "身份证：1101 OR ID:1101") == ["id_number"]
    assert access.hidden_search_keys(_user("leader"), "身份证:1101") == []


def test_downloads_only_for_roles_that_see_every_field_on_it():
    assert not access.can_download(_user("sales"), _doc("business_license", name="甲"), [])
    assert access.can_download(_user("archive_manager"), _doc("business_license", name="甲"), [])
    assert not access.can_download(_user("archive_manager"), _doc(), [])  # id_number on it
