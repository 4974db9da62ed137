"""Customer archives day to day, through the verbs: by hand, edits with before and after,
the managers' lists, duplicates and merging, the two-person check and the catalogue.
Each refusal changes nothing."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from archive_store import archives, catalogue, changes, corrections, review, viewing
from archive_store.errors import DossierError, InvalidState, NotAllowed
from archive_store.models import Archive, AuditEvent, DocNoAlias, Document, utcnow
from archive_store.workdays import working_days_between
from tests.store.conftest import users_of, world  # noqa: F401  (the module's seeded data folder)



def _valid_uscc(prefix: str) -> str:
    from stdnum.cn import uscc

    return prefix + uscc.calc_check_digit(prefix)


def _events(system) -> int:
    with system.db.read() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent))


def _archive(system, no: str) -> Archive:
    with system.db.read() as s:
        return s.scalar(select(Archive).where(Archive.archive_no == no))


def _last_event(system, object_id: str, action: str) -> AuditEvent:
    with system.db.read() as s:
        return s.scalars(select(AuditEvent).where(AuditEvent.object_id == object_id, AuditEvent.action == action)
                         .order_by(AuditEvent.seq.desc())).first()


def _new(system, who, name: str, **kw) -> str:
    kw.setdefault("customer_type", "enterprise")
    kw.setdefault("business_line", "P")
    return archives.create(system, who["sales"], name=name, **kw)


def _file_form(system, customer_name: str, *, collected: date, uscc: str | None = None) -> str:
    from archive_store.matching import CustomerRef
    from tests.web.seed import _file

    fields = {"customer_name": customer_name, "collected_on": collected.isoformat()}
    return _file(system, name=f"{customer_name}-{collected}.jpg", doc_type="collection_form",
                 customer=CustomerRef("enterprise", name=customer_name, uscc=uscc), title="客户信息收集表",
                 lines=[("客户名称", customer_name, "customer_name")], fields=fields, issue=collected)


# --- by hand ------------------------------------------------------------------------------

def test_an_archive_opened_by_hand_takes_the_next_number_and_its_creator_as_owner(world):
    system, _ = world
    who = users_of(system)
    no = _new(system, who, "电话客户甲有限公司", uscc=_valid_uscc("91310115MA1H7GXX0"))
    a = _archive(system, no)
    assert no.startswith(f"{date.today().year}P02") and a.owner_id == who["sales"].id
    assert a.stage == "potential" and a.relationship_start == date.today()
    assert _last_event(system, no, "archive.opened") is not None


def test_opening_a_second_archive_for_a_known_customer_is_refused(world):
    system, _ = world
    who = users_of(system)
    _new(system, who, "繁简同名测试有限公司")
    code = _valid_uscc("91310120MA1JXXXX0")
    _new(system, who, "有码客户有限公司", uscc=code)
    before = _events(system)
    with pytest.raises(InvalidState, match="已有档案"):
        _new(system, who, "繁簡同名測試有限公司")  # the same name in Traditional script
    with pytest.raises(InvalidState):
        _new(system, who, "另一个名字", uscc=code)
    assert _events(system) == before


@pytest.mark.parametrize("kw, message", [
    ({"business_line": "Z"}, "未知业务条线"),
    ({"customer_type": "robot"}, "客户类型"),
    ({"uscc": "91310000MA1FL8TK4Y"}, "统一社会信用代码"),
    ({"customer_type": "individual", "id_number": "110105194912310021"}, "身份证号"),
    ({"name": "  "}, "客户名称"),
])
def test_creating_with_bad_input_is_refused_and_changes_nothing(world, kw, message):
    system, _ = world
    who = users_of(system)
    before = _events(system)
    kw = {"name": "坏输入客户", **kw}
    with pytest.raises(DossierError, match=message):
        _new(system, who, **kw)
    assert _events(system) == before


def test_roles_that_keep_no_archives_may_not_create_or_edit(world):
    system, _ = world
    who = users_of(system)
    no = _new(system, who, "角色测试有限公司")
    for role in ("auditor", "admin"):
        with pytest.raises(NotAllowed):
            archives.create(system, who[role], name="不应建立", customer_type="enterprise", business_line="P")
        with pytest.raises(NotAllowed):
            archives.edit(system, who[role], no, {"grade": "A"})


# --- edits --------------------------------------------------------------------------------

def test_an_edit_keeps_the_number_and_records_before_and_after(world):
    system, _ = world
    who = users_of(system)
    no = _new(system, who, "编辑测试有限公司")
    result = archives.edit(system, who["dept_head"], no, {
        "grade": "a", "stage": "intention", "owner": who["service"].username, "business_line": "S",
        "paper_location": "3号柜-12盒", "relationship_end": "2030-12-31", "first_contact_on": date.today()})
    assert result.waiting == {} and result.changed["grade"] == "A"
    a = _archive(system, no)
    assert a.archive_no == no and a.business_line == "S" and a.grade == "A" and a.owner_id == who["service"].id
    assert a.paper_location == "3号柜-12盒" and a.relationship_end == date(2030, 12, 31)
    event = _last_event(system, no, "archive.edited")
    before, after = json.loads(event.before), json.loads(event.after)
    assert before["grade"] is None and after["grade"] == "A"
    assert before["owner"] == who["sales"].username and after["owner"] == who["service"].username
    assert before["business_line"] == "P" and after["business_line"] == "S"
    history = viewing.open_archive(system, who["dept_head"], no).history
    assert any(e.action == "archive.edited" for e in history)


def test_an_edit_that_changes_nothing_records_nothing(world):
    system, _ = world
    who = users_of(system)
    no = _new(system, who, "无变化有限公司")
    before = _events(system)
    assert archives.edit(system, who["sales"], no, {"stage": "potential"}).changed == {}
    assert _events(system) == before


@pytest.mark.parametrize("values, message", [
    ({"grade": "D"}, "未知等级"),
    ({"stage": "won"}, "未知合作阶段"),
    ({"business_line": "X"}, "未知业务条线"),
    ({"relationship_end": "2000-01-01"}, "早于开始"),
    ({"relationship_end": "31/12/2030"}, "日期格式"),
    ({"archive_no": "2099P02001"}, "不能修改"),
])
def test_bad_edits_are_refused_and_change_nothing(world, values, message):
    system, _ = world
    who = users_of(system)
    no = _new(system, who, f"坏编辑{message}有限公司")
    before, card = _events(system), _archive(system, no)
    with pytest.raises(DossierError, match=message):
        archives.edit(system, who["dept_head"], no, values)
    after = _archive(system, no)
    assert _events(system) == before
    assert (after.grade, after.stage, after.business_line, after.relationship_end) == \
        (card.grade, card.stage, card.business_line, card.relationship_end)


def test_reassigning_to_a_deactivated_user_is_refused(world):
    system, _ = world
    who = users_of(system)
    from archive_store.users import create_account

    with system.db.write() as s:
        gone, _ = create_account(s, actor="system:test", username="left-company", role="sales",
                                 password="a-long-test-password")
        gone.active = False
    no = _new(system, who, "离职交接有限公司")
    before = _events(system)
    with pytest.raises(DossierError, match="已停用"):
        archives.reassign(system, who["dept_head"], no, "left-company")
    assert _archive(system, no).owner_id == who["sales"].id and _events(system) == before


def test_only_a_manager_changes_the_owner(world):
    system, _ = world
    who = users_of(system)
    no = _new(system, who, "负责人权限有限公司")
    with pytest.raises(NotAllowed):
        archives.edit(system, who["sales"], no, {"owner": who["service"].username})
    # The same owner sent back unchanged (a form's untouched field) is not a change of owner.
    archives.edit(system, who["sales"], no, {"owner": who["sales"].username, "grade": "B"})
    archives.reassign(system, who["archive_manager"], no, who["service"].username, reason="原负责人休假")
    assert _archive(system, no).owner_id == who["service"].id


def test_a_destroyed_archive_may_not_be_edited(world):
    system, _ = world
    who = users_of(system)
    no = _new(system, who, "已销毁有限公司")
    with system.db.write() as s:
        s.scalar(select(Archive).where(Archive.archive_no == no)).status = "destroyed"
    before = _events(system)
    with pytest.raises(InvalidState, match="已销毁"):
        archives.edit(system, who["dept_head"], no, {"grade": "A"})
    assert _events(system) == before


# --- the two-person check -----------------------------------------------------------------

def test_an_important_archive_field_waits_for_a_second_person(world):
    system, _ = world
    who = users_of(system)
    old_code, new_code = _valid_uscc("91320100MA1MXXXX0"), _valid_uscc("91320100MA1MYYYY0")
    no = _new(system, who, "双人核对有限公司", uscc=old_code)
    result = archives.edit(system, who["clerk"], no, {"uscc": new_code, "grade": "B"}, reason="营业执照更换")
    assert result.changed == {"grade": "B"} and set(result.waiting) == {"uscc"}
    assert _archive(system, no).uscc == old_code  # the old value stands
    change_id = result.waiting["uscc"]
    pending = {c.id: c for c in changes.list_changes(system, who["dept_head"])}
    assert pending[change_id].old_value == old_code and pending[change_id].new_value == new_code

    before = _events(system)
    with pytest.raises(NotAllowed, match="自己"):
        changes.confirm(system, who["clerk"], change_id)
    with pytest.raises(NotAllowed):
        changes.confirm(system, who["sales"], change_id)
    assert _events(system) == before and _archive(system, no).uscc == old_code

    assert changes.confirm(system, who["dept_head"], change_id) == no
    assert _archive(system, no).uscc == new_code
    event = _last_event(system, no, "change.confirmed")
    assert json.loads(event.before)["value"] == old_code and json.loads(event.after)["proposed_by"] == "clerk1"
    with pytest.raises(InvalidState):
        changes.confirm(system, who["leader"], change_id)


def test_a_second_waiting_change_to_the_same_field_is_refused(world):
    system, _ = world
    who = users_of(system)
    no = _new(system, who, "重复提出有限公司", uscc=_valid_uscc("91330100MA2AXXXX0"))
    archives.edit(system, who["clerk"], no, {"uscc": _valid_uscc("91330100MA2AYYYY0")})
    with pytest.raises(InvalidState, match="待核对"):
        archives.edit(system, who["dept_head"], no, {"uscc": _valid_uscc("91330100MA2AWWWW0")})


def test_a_rejected_change_leaves_the_old_value(world):
    system, _ = world
    who = users_of(system)
    code = _valid_uscc("91340100MA2BXXXX0")
    no = _new(system, who, "驳回更改有限公司", uscc=code)
    change_id = archives.edit(system, who["clerk"], no, {"uscc": _valid_uscc("91340100MA2BYYYY0")}).waiting["uscc"]
    with pytest.raises(DossierError):
        changes.reject(system, who["dept_head"], change_id, "")
    changes.reject(system, who["dept_head"], change_id, "执照上的代码并未变更")
    assert _archive(system, no).uscc == code
    assert change_id not in {c.id for c in changes.list_changes(system, who["dept_head"])}


def test_a_reviewers_correction_of_an_important_field_waits_for_a_second_person(world):
    system, data = world
    who = users_of(system)
    doc_no = data.docs["pending_flagged"]  # a pending contract whose amount is flagged
    with system.db.read() as s:
        old = s.scalar(select(Document).where(Document.doc_no == doc_no)).fields["amount"]
    change_id = corrections.correct_field(system, who["dept_head"], doc_no, "amount", "88000.00", "大写为捌万捌仟元")
    assert change_id is not None
    with system.db.read() as s:
        doc = s.scalar(select(Document).where(Document.doc_no == doc_no))
        assert doc.fields["amount"] == old and doc.field_problems.get("amount")
    with pytest.raises(NotAllowed):
        changes.confirm(system, who["dept_head"], change_id)
    changes.confirm(system, who["clerk"], change_id)
    with system.db.read() as s:
        doc = s.scalar(select(Document).where(Document.doc_no == doc_no))
        assert doc.fields["amount"] == "88000.00" and doc.field_set_by["amount"] == "person"
        assert "amount" not in doc.field_problems
    # A field that is not important still takes effect at once.
    assert corrections.correct_field(system, who["dept_head"], doc_no, "contract_no", "HD-2025-0102", "笔误") is None


def test_a_core_secret_change_is_masked_for_those_who_may_not_see_it(world):
    system, _ = world
    who = users_of(system)
    no = archives.create(system, who["sales"], name="核心字段个人", customer_type="individual", business_line="S",
                         id_number="110101199003074477")
    change_id = archives.edit(system, who["clerk"], no, {"id_number": "11010519491231002X"}).waiting["id_number"]
    shown = {c.id: c for c in changes.list_changes(system, who["dept_head"])}[change_id]
    assert shown.masked and "1101" not in (shown.new_value + (shown.old_value or ""))
    with pytest.raises(NotAllowed, match="无权查看"):
        changes.confirm(system, who["dept_head"], change_id)
    changes.confirm(system, who["leader"], change_id)
    assert _archive(system, no).id_number == "11010519491231002X"


# --- lists ----------------------------------------------------------------------------------

def test_working_days_skip_weekends():
    friday = date(2025, 7, 4)
    assert working_days_between(friday, friday + timedelta(days=3)) == 1   # to Monday
    assert working_days_between(friday, friday + timedelta(days=4)) == 2   # to Tuesday
    assert working_days_between(friday, friday + timedelta(days=14)) == 10
    assert working_days_between(friday, friday) == 0


def test_late_entries_list_forms_filed_more_than_two_working_days_after_collection(world):
    system, _ = world
    who = users_of(system)
    late = _file_form(system, "迟录客户有限公司", collected=date.today() - timedelta(days=30))
    on_time = _file_form(system, "按时客户有限公司", collected=date.today())
    listed = {e.doc_no: e for e in archives.late_entries(system, who["dept_head"])}
    assert late in listed and on_time not in listed and listed[late].working_days > 2
    with pytest.raises(NotAllowed):
        archives.late_entries(system, who["sales"])


def test_uncontacted_lists_customers_without_first_contact_after_seven_days(world):
    system, _ = world
    who = users_of(system)
    old = _new(system, who, "未联系老客户有限公司")
    contacted = _new(system, who, "已联系客户有限公司")
    fresh = _new(system, who, "新建客户有限公司")
    with system.db.write() as s:
        for no in (old, contacted):
            s.scalar(select(Archive).where(Archive.archive_no == no)).created_at = utcnow() - timedelta(days=10)
    archives.edit(system, who["sales"], contacted, {"first_contact_on": date.today() - timedelta(days=9)})
    listed = {r.archive_no for r in archives.uncontacted(system, who["dept_head"])}
    assert old in listed and contacted not in listed and fresh not in listed
    archives.reassign(system, who["dept_head"], old, who["service"].username)
    assert [r.owner for r in archives.uncontacted(system, who["dept_head"]) if r.archive_no == old] == ["service1"]


def test_the_lists_count_by_stage_grade_line_and_owner(world):
    system, _ = world
    who = users_of(system)
    no = _new(system, who, "清单计数有限公司")
    archives.edit(system, who["dept_head"], no, {"grade": "C", "stage": "deal"})
    listing = archives.list_archives(system, who["leader"], grade="C", stage="deal")
    assert no in {r.archive_no for r in listing.rows}
    assert listing.counts["grade"]["C"] >= 1 and listing.counts["stage"]["deal"] >= 1
    assert sum(listing.counts["owner"].values()) == sum(listing.counts["stage"].values())


# --- duplicates and merging ---------------------------------------------------------------

def _two_of_one_customer(system, who, name: str, code: str) -> tuple[str, str]:
    """The second archive comes from a scan whose name OCR read differently, before the code was known."""
    keep = _new(system, who, name, uscc=code)
    with system.db.write() as s:
        from archive_store.filing import open_archive
        from archive_store.matching import CustomerRef

        dup = open_archive(s, system.settings, actor="system:test",
                           customer=CustomerRef("enterprise", name=name.replace("有限公司", "有限責任公司")),
                           business_line="P", today=date.today()).archive_no
    return keep, dup


def test_duplicates_are_proposed_by_code_and_by_name_in_either_script(world):
    system, _ = world
    who = users_of(system)
    code = _valid_uscc("91350100MA2CXXXX0")
    a = _new(system, who, "重复提议有限公司", uscc=code)
    with system.db.write() as s:  # the same code twice: made before a rule stopped it
        from archive_store.filing import open_archive
        from archive_store.matching import CustomerRef

        b = open_archive(s, system.settings, actor="system:test",
                         customer=CustomerRef("enterprise", name="别名有限公司", uscc=code),
                         business_line="P", today=date.today()).archive_no
        c = open_archive(s, system.settings, actor="system:test",
                         customer=CustomerRef("enterprise", name="雙名測試有限公司"),
                         business_line="P", today=date.today()).archive_no
        d = open_archive(s, system.settings, actor="system:test",
                         customer=CustomerRef("enterprise", name="双名测试有限公司", uscc=_valid_uscc("91350100MA2DXXXX0")),
                         business_line="S", today=date.today()).archive_no
    found = {(p.reason, p.archive_nos) for p in archives.duplicates(system, who["archive_manager"])}
    assert ("uscc", tuple(sorted((a, b)))) in found
    assert ("name", tuple(sorted((c, d)))) in found


def test_merging_moves_documents_keeps_numbers_and_search_finds_them_under_the_survivor(world):
    from archive_store.search import search
    from archive_store.search_docs import reindex

    system, _ = world
    who = users_of(system)
    code = _valid_uscc("91370100MA3CXXXX0")
    keep, dup = _two_of_one_customer(system, who, "合并检验有限公司", code)
    kept_doc = _file_form(system, "合并检验有限公司", collected=date(2025, 1, 6), uscc=code)
    from archive_store.matching import CustomerRef
    from tests.web.seed import _file

    moved_docs = [_file(system, name=f"merge-{i}.jpg", doc_type="collection_form",
                        customer=CustomerRef("enterprise", name="合并检验有限責任公司"), title=f"收集表{i}",
                        lines=[("客户名称", "合并检验有限責任公司", "customer_name")],
                        fields={"customer_name": "合并检验有限責任公司"}, issue=date(2025, 2, i))
                  for i in (1, 2)]
    reindex(system, [kept_doc, *moved_docs])
    assert all(d.startswith(dup + "-") for d in moved_docs)
    items_before = int(kept_doc.rsplit("-", 1)[1])
    hits = search(system, who["dept_head"], "合并检验").hits
    assert {h.archive_no for h in hits} == {keep, dup}

    result = archives.merge(system, who["archive_manager"], dup, keep, reason="同一客户，OCR读错名称")
    assert result.archive_no == keep and set(result.moved) == set(moved_docs)
    new_nos = list(result.moved.values())
    assert all(n.startswith(keep + "-") for n in new_nos)
    with system.db.read() as s:
        docs = list(s.scalars(select(Document).join(Archive).where(Archive.archive_no == keep)))
        items = [d.item_no for d in docs]
        assert len(items) == len(set(items)) == 3 and min(int(n.rsplit("-", 1)[1]) for n in new_nos) > items_before
        gone = s.scalar(select(Archive).where(Archive.archive_no == dup))
        assert gone.status == "merged" and gone.merged_into_id == s.scalar(
            select(Archive.id).where(Archive.archive_no == keep))
        assert {a.old_doc_no for a in s.scalars(select(DocNoAlias))} >= set(moved_docs)
    # Search finds every document under the survivor; the old numbers are gone from the index.
    hits = search(system, who["dept_head"], "合并检验").hits
    assert {h.archive_no for h in hits} == {keep} and set(new_nos) <= {h.doc_no for h in hits}
    # The old numbers still lead to the documents and the survivor; they are never reused.
    assert viewing.open_archive(system, who["dept_head"], dup).archive.archive_no == keep
    assert viewing.open_document(system, who["dept_head"], moved_docs[0]).doc.doc_no == result.moved[moved_docs[0]]
    assert _new(system, who, "合并后新客户有限公司") != dup
    # The audit trail tells the story on both numbers and on each document.
    merged = json.loads(_last_event(system, dup, "archive.merged").after)
    assert merged["into"] == keep and merged["documents"] == result.moved
    assert json.loads(_last_event(system, keep, "archive.merged_in").after)["from"] == dup
    for old, new in result.moved.items():
        assert json.loads(_last_event(system, new, "document.moved").before)["doc_no"] == old
    from archive_store.audit import verify_chain

    with system.db.read() as s:
        assert verify_chain(s) == []


def test_a_merged_away_archive_is_not_matched_by_a_new_filing_or_edited(world):
    from archive_store.filing import open_archive
    from archive_store.matching import CustomerRef

    system, _ = world
    who = users_of(system)
    code = _valid_uscc("91370200MA3DXXXX0")
    dup = _new(system, who, "合并匹配有限公司", uscc=code)  # the older archive, found first by its code
    with system.db.write() as s:
        keep = open_archive(s, system.settings, actor="system:test",
                            customer=CustomerRef("enterprise", name="合并匹配有限公司", uscc=code),
                            business_line="P", today=date.today()).archive_no
    archives.merge(system, who["dept_head"], dup, keep)
    doc = _file_form(system, "合并匹配有限公司", collected=date.today(), uscc=code)
    assert doc.startswith(keep + "-")
    with pytest.raises(InvalidState, match="已并入"):
        archives.edit(system, who["dept_head"], dup, {"grade": "A"})


@pytest.mark.parametrize("case", ["itself", "destroyed", "merged", "other_code", "types", "role"])
def test_bad_merges_are_refused_and_change_nothing(world, case):
    system, _ = world
    who = users_of(system)
    a = _new(system, who, f"坏合并{case}甲有限公司")
    b = _new(system, who, f"坏合并{case}乙有限公司")
    actor = who["archive_manager"]
    if case == "itself":
        b = a
    elif case == "destroyed":
        with system.db.write() as s:
            s.scalar(select(Archive).where(Archive.archive_no == b)).status = "destroyed"
    elif case == "merged":
        c = _new(system, who, f"坏合并{case}丙有限公司")
        archives.merge(system, actor, b, c)
    elif case == "other_code":
        for no, code in ((a, "91370300MA3EXXXX0"), (b, "91370300MA3EYYYY0")):
            change_id = archives.edit(system, who["dept_head"], no, {"uscc": _valid_uscc(code)}).waiting["uscc"]
            changes.confirm(system, actor, change_id)
    elif case == "types":
        b = archives.create(system, who["sales"], name=f"坏合并个人{case}", customer_type="individual",
                            business_line="P")
    elif case == "role":
        actor = who["sales"]
    before = _events(system)
    with pytest.raises(DossierError):
        archives.merge(system, actor, a, b)
    assert _events(system) == before and _archive(system, a).status == "active"


def test_merging_with_a_change_waiting_is_refused(world):
    system, _ = world
    who = users_of(system)
    code = _valid_uscc("91370400MA3FXXXX0")
    keep, dup = _two_of_one_customer(system, who, "待核对合并有限公司", code)
    archives.edit(system, who["clerk"], keep, {"uscc": _valid_uscc("91370400MA3FYYYY0")})
    with pytest.raises(InvalidState, match="待核对"):
        archives.merge(system, who["dept_head"], dup, keep)


# --- the catalogue --------------------------------------------------------------------------

def test_the_catalogue_lists_by_issue_date_and_keeps_destroyed_items(world):
    system, data = world
    who = users_of(system)
    no = data.archives["license"]
    with system.db.write() as s:
        victim = s.scalar(select(Document).where(Document.doc_no == data.docs["contract"]))
        victim.status = "destroyed"
    try:
        cat = catalogue.build(system, who["archive_manager"], no)
        dates = [line.issue_date for line in cat.lines if line.issue_date]
        assert dates == sorted(dates) and [line.serial for line in cat.lines] == list(range(1, len(cat.lines) + 1))
        destroyed = [line for line in cat.lines if line.doc_no == data.docs["contract"]]
        assert destroyed and destroyed[0].status == "已销毁" and "目录保留" in destroyed[0].remarks
        rows = list(csv.reader(io.StringIO(catalogue.to_csv(cat).lstrip("\ufeff"))))
        assert rows[0] == list(catalogue.COLUMNS) and len(rows) == len(cat.lines) + 1
        pdf = catalogue.to_pdf(cat)
        assert pdf.startswith(b"%PDF")
        from pypdf import PdfReader

        text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().replace("\x00", "")
        assert "卷内目录" in text and no in text
        assert _last_event(system, no, "archive.catalogue_exported") is not None
    finally:
        with system.db.write() as s:
            s.scalar(select(Document).where(Document.doc_no == data.docs["contract"])).status = "effective"


def test_staff_see_only_what_they_may_open_in_the_catalogue(world):
    system, data = world
    who = users_of(system)
    cat = catalogue.build(system, who["marketing"], data.archives["license"])
    assert data.docs["contract"] not in {line.doc_no for line in cat.lines} and cat.withheld >= 1
    with pytest.raises(NotAllowed):
        catalogue.build(system, who["auditor"], data.archives["license"])


def test_a_record_with_a_correction_waiting_is_not_approved_until_it_is_confirmed(world):
    from archive_store.matching import CustomerRef
    from tests.web.seed import _file

    system, _ = world
    who = users_of(system)
    doc_no = _file(system, name="approve-wait.jpg", doc_type="contract", title="待核对合同",
                   customer=CustomerRef("enterprise", name="审批等待有限公司"),
                   lines=[("合同金额", "¥5,000.00", "amount")], fields={"amount": "500.00"},
                   issue=date(2025, 3, 1), effective=False)
    change_id = corrections.correct_field(system, who["dept_head"], doc_no, "amount", "5000.00", "对照原件")
    with pytest.raises(InvalidState, match="待核对"):
        review.approve(system, who["dept_head"], doc_no)
    changes.confirm(system, who["clerk"], change_id)
    review.approve(system, who["dept_head"], doc_no)


def test_a_change_overtaken_by_another_is_not_confirmed(world):
    system, data = world
    who = users_of(system)
    code = _valid_uscc("91420100MA4KXXXX0")
    no = _new(system, who, "过时更改有限公司", uscc=code)
    change_id = archives.edit(system, who["clerk"], no, {"uscc": _valid_uscc("91420100MA4KYYYY0")}).waiting["uscc"]
    with system.db.write() as s:  # meanwhile the code changed by another way (a later licence, say)
        s.scalar(select(Archive).where(Archive.archive_no == no)).uscc = _valid_uscc("91420100MA4KWWWW0")
    with pytest.raises(InvalidState, match="过时"):
        changes.confirm(system, who["dept_head"], change_id)


def test_the_catalogue_of_a_merged_away_number_is_the_survivors(world):
    system, _ = world
    who = users_of(system)
    keep, dup = _two_of_one_customer(system, who, "目录合并有限公司", _valid_uscc("91430100MA4LXXXX0"))
    _file_form(system, "目录合并有限責任公司", collected=date(2025, 5, 5))
    archives.merge(system, who["dept_head"], dup, keep)
    cat = catalogue.build(system, who["dept_head"], dup)
    assert cat.archive_no == keep and any("原档号 " + dup in line.remarks for line in cat.lines)


def test_the_history_masks_values_the_viewer_may_not_see(world):
    system, _ = world
    who = users_of(system)
    no = archives.create(system, who["sales"], name="历史脱敏个人", customer_type="individual", business_line="S",
                         id_number="110101199003074477", phone="13800001111")
    change_id = archives.edit(system, who["clerk"], no, {"id_number": "11010519491231002X"}).waiting["id_number"]
    changes.confirm(system, who["leader"], change_id)
    for role, sees in (("sales", False), ("leader", True)):
        view = viewing.open_archive(system, who[role], no)
        shown = json.dumps([archives.diff_rows(who[role], e) for e in view.history], ensure_ascii=False)
        assert ("11010519491231002X" in shown) is sees and ("110101199003074477" in shown) is sees
        assert "■■■" in shown or sees
