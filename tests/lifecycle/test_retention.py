"""Retention rules, due dates and legal holds (issue 21, POLICY.md "Retention and destruction")."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from archive_store import audit, disposal, retention
from archive_store.errors import DossierError, InvalidState, NotAllowed, NotFound
from archive_store.models import AuditEvent, Document, LegalHold, RetentionRule
from tests.lifecycle.helpers import archive_no, doc, file_doc, set_archive


def rule(system, actor, kind="contract", years=5, trigger="document_date", grade=None):
    return retention.set_rule(system, actor, doc_type=kind, grade=grade, years=years, trigger=trigger)


# --- due dates, one per trigger ------------------------------------------------------------

def test_due_date_counts_from_the_end_of_the_business_relationship(system, staff):
    n = file_doc(system, customer="甲公司", relationship_end=date(2015, 6, 30))
    rule(system, staff["am1"], years=3, trigger="relationship_end")
    d = doc(system, n)
    assert (d.retention_class, d.retention_due) == ("3y", date(2018, 6, 30))


def test_a_relationship_that_has_not_ended_is_not_due(system, staff):
    n = file_doc(system, customer="甲公司")
    rule(system, staff["am1"], years=0, trigger="relationship_end")
    assert doc(system, n).retention_due is None
    assert retention.due(system, staff["am1"], as_of=date(2999, 1, 1)) == []
    set_archive(system, archive_no(system, n), relationship_end=date(2020, 1, 1))  # the relationship ends
    assert doc(system, n).retention_due == date(2020, 1, 1)  # 0 years: due at once


def test_due_date_counts_from_the_documents_own_date(system, staff):
    n = file_doc(system, customer="甲公司", issue=date(2012, 2, 29))
    rule(system, staff["am1"], years=5, trigger="document_date")
    assert doc(system, n).retention_due == date(2017, 2, 28)  # no 29 February in 2017


def test_due_date_counts_from_filing(system, staff):
    n = file_doc(system, customer="甲公司", issue=None)
    rule(system, staff["am1"], years=10, trigger="filing")
    d = doc(system, n)
    assert d.retention_due == retention.add_years(d.filed_at.date(), 10)


def test_a_document_without_a_date_is_not_due_by_document_date(system, staff):
    n = file_doc(system, customer="甲公司", issue=None)
    rule(system, staff["am1"], years=1, trigger="document_date")
    assert (doc(system, n).retention_class, doc(system, n).retention_due) == ("1y", None)


def test_permanent_is_never_due(system, staff):
    n = file_doc(system, customer="甲公司", issue=date(1990, 1, 1))
    rule(system, staff["am1"], years=None)
    assert (doc(system, n).retention_class, doc(system, n).retention_due) == ("permanent", None)
    assert retention.class_label("permanent") == "永久"


def test_a_rule_for_the_customers_grade_wins_over_the_kinds_general_rule(system, staff):
    a = file_doc(system, customer="甲公司", grade="A", issue=date(2010, 1, 1))
    c = file_doc(system, customer="丙公司", grade="C", issue=date(2010, 1, 1))
    rule(system, staff["am1"], years=5)
    rule(system, staff["am1"], years=30, grade="A")
    assert doc(system, a).retention_due == date(2040, 1, 1)
    assert doc(system, c).retention_due == date(2015, 1, 1)


def test_a_document_filed_after_the_rule_knows_its_due_date_at_once(system, staff):
    rule(system, staff["am1"], kind="business_license", years=2)
    n = file_doc(system, customer="甲公司", doc_type="business_license", issue=date(2020, 3, 1))
    assert (doc(system, n).retention_class, doc(system, n).retention_due) == ("2y", date(2022, 3, 1))


def test_changing_a_rule_recomputes_every_document_and_is_audited(system, staff):
    n1 = file_doc(system, customer="甲公司", issue=date(2010, 1, 1))
    n2 = file_doc(system, customer="乙公司", issue=date(2011, 1, 1))
    other = file_doc(system, customer="丙公司", doc_type="business_license", issue=date(2010, 1, 1))
    rule(system, staff["am1"], years=5)
    rule(system, staff["am1"], years=20, trigger="document_date")
    assert [doc(system, n).retention_due for n in (n1, n2)] == [date(2030, 1, 1), date(2031, 1, 1)]
    assert doc(system, other).retention_due is None  # another kind: untouched
    with system.db.read() as s:
        events = list(s.scalars(select(AuditEvent).where(AuditEvent.action == "retention.rule_set")
                                .order_by(AuditEvent.seq)))
        assert not audit.verify_chain(s)
    assert len(events) == 2 and events[-1].actor == "am1" and events[-1].object_id == "contract/*"
    assert '"class":"5y"' in events[-1].before and '"class":"20y"' in events[-1].after
    assert '"changed":2' in events[-1].after


def test_the_due_list_plans_ahead_with_as_of(system, staff):
    old = file_doc(system, customer="甲公司", issue=date(2010, 1, 1))
    later = file_doc(system, customer="乙公司", issue=date(2090, 1, 1))
    rule(system, staff["am1"], years=1)
    assert [r.doc_no for r in retention.due(system, staff["head1"])] == [old]
    planned = retention.due(system, staff["lead1"], as_of=date(2091, 1, 1))
    assert [r.doc_no for r in planned] == [old, later]
    assert planned[0].to_json()["due"] == "2011-01-01" and planned[0].retention_class == "1y"


@pytest.mark.parametrize("kw, message", [
    ({"doc_type": "memo"}, "未知的文件类型"),
    ({"grade": "Z"}, "客户等级"),
    ({"trigger": "someday"}, "未知的起算点"),
    ({"years": -1}, "0至200年"),
])
def test_a_bad_rule_is_refused_and_nothing_is_stored(system, staff, kw, message):
    args = {"doc_type": "contract", "grade": None, "years": 5, "trigger": "filing"} | kw
    with pytest.raises(DossierError, match=message):
        retention.set_rule(system, staff["am1"], **args)
    with system.db.read() as s:
        assert s.scalar(select(RetentionRule)) is None


def test_years_are_parsed_from_the_command_line_words():
    assert retention.parse_years("permanent") is None and retention.parse_years("永久") is None
    assert retention.parse_years("0") == 0 and retention.parse_years(" 30 ") == 30
    with pytest.raises(DossierError):
        retention.parse_years("ten")


@pytest.mark.parametrize("who", ["head1", "lead1", "clerk1", "sales1", "audit1", "admin"])
def test_only_the_archive_manager_sets_rules(system, staff, who):
    with pytest.raises(NotAllowed):
        rule(system, staff[who])
    with system.db.read() as s:
        assert s.scalar(select(RetentionRule)) is None


# --- legal holds -----------------------------------------------------------------------------

@pytest.fixture
def due_pair(system, staff):
    """Two due contracts in one archive and one in another."""
    a1 = file_doc(system, customer="甲公司", issue=date(2010, 1, 1))
    a2 = file_doc(system, customer="甲公司", issue=date(2010, 6, 1), text="第二件")
    b1 = file_doc(system, customer="乙公司", issue=date(2010, 1, 1))
    rule(system, staff["am1"], years=5)
    return a1, a2, b1


def test_a_hold_on_an_archive_stops_destruction_of_everything_in_it(system, staff, due_pair):
    a1, a2, b1 = due_pair
    hold = retention.place_hold(system, staff["lead1"], archive_no(system, a1), "合同纠纷诉讼中")
    for n in (a1, a2):
        with pytest.raises(InvalidState, match=f"保留 #{hold}"):
            disposal.propose(system, staff["am1"], [n, b1], "erase")
    rows = {r.doc_no: r.holds for r in retention.due(system, staff["am1"])}
    assert rows == {a1: (hold,), a2: (hold,), b1: ()}  # reported, not hidden
    with system.db.read() as s:
        assert [e.action for e in s.scalars(select(AuditEvent).where(AuditEvent.action.like("disposal.%")))] == []


def test_a_hold_on_one_document_stops_only_that_document(system, staff, due_pair):
    a1, a2, _ = due_pair
    retention.place_hold(system, staff["am1"], a1, "未了事项：待结清尾款")
    with pytest.raises(InvalidState, match="诉讼保留"):
        disposal.propose(system, staff["am1"], [a1], "erase")
    assert disposal.propose(system, staff["am1"], [a2], "erase")


def test_several_holds_at_once_and_each_must_be_released(system, staff, due_pair):
    a1, _, _ = due_pair
    h1 = retention.place_hold(system, staff["am1"], a1, "诉讼一")
    h2 = retention.place_hold(system, staff["lead1"], archive_no(system, a1), "诉讼二")
    retention.release_hold(system, staff["am1"], h1, "一审判决生效")
    with pytest.raises(InvalidState, match=f"#{h2}"):
        disposal.propose(system, staff["am1"], [a1], "erase")
    retention.release_hold(system, staff["lead1"], h2, "和解结案")
    assert disposal.propose(system, staff["am1"], [a1], "erase")


def test_a_hold_blocks_edits_merges_and_removal(system, staff, due_pair):
    a1, a2, b1 = due_pair
    retention.place_hold(system, staff["am1"], a2, "诉讼中")
    with system.db.read() as s:
        held = s.scalar(select(Document).where(Document.doc_no == a2))
        free = s.scalar(select(Document).where(Document.doc_no == b1))
        with pytest.raises(InvalidState, match="不能更正"):
            retention.check_not_held(s, held, doing="更正")  # what review calls before a correction
        retention.check_not_held(s, free)
        with pytest.raises(InvalidState, match="合并"):
            retention.check_archive_not_held(s, held.archive, doing="合并")  # one held document holds its archive
        retention.check_archive_not_held(s, free.archive)


def test_releasing_a_hold_needs_a_reason_and_is_audited(system, staff, due_pair):
    a1, _, _ = due_pair
    h = retention.place_hold(system, staff["am1"], a1, "诉讼中")
    with pytest.raises(DossierError, match="理由"):
        retention.release_hold(system, staff["am1"], h, "  ")
    with pytest.raises(NotAllowed):
        retention.release_hold(system, staff["head1"], h, "结案")
    retention.release_hold(system, staff["lead1"], h, "结案")
    with pytest.raises(InvalidState, match="已于"):
        retention.release_hold(system, staff["lead1"], h, "再次")
    with system.db.read() as s:
        events = [(e.action, e.actor, e.object_id) for e in s.scalars(
            select(AuditEvent).where(AuditEvent.action.like("hold.%")).order_by(AuditEvent.seq))]
        row = s.get(LegalHold, h)
    assert events == [("hold.placed", "am1", a1), ("hold.released", "lead1", a1)]
    assert (row.released_by, row.release_reason) == ("lead1", "结案")
    [listed] = retention.list_holds(system, staff["head1"])
    assert listed.target == a1 and listed.released_at is not None


def test_a_hold_needs_a_reason_a_known_target_and_the_right_role(system, staff, due_pair):
    a1, _, _ = due_pair
    with pytest.raises(DossierError, match="理由"):
        retention.place_hold(system, staff["am1"], a1, "")
    with pytest.raises(NotFound):
        retention.place_hold(system, staff["am1"], "2099X99999", "诉讼")
    for who in ("head1", "clerk1", "sales1", "admin"):
        with pytest.raises(NotAllowed):
            retention.place_hold(system, staff[who], a1, "诉讼")
    with system.db.read() as s:
        assert s.scalar(select(LegalHold)) is None


def test_the_retention_migration_goes_down_and_up_again(system, staff):
    from alembic import command

    from archive_store.db import _alembic_config

    rule(system, staff["am1"])
    cfg = _alembic_config()
    with system.db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003")
        command.upgrade(cfg, "head")
    assert retention.list_rules(system, staff["am1"]) == []  # the tables came back empty
    rule(system, staff["am1"], years=7)
    assert [r.years for r in retention.list_rules(system, staff["head1"])] == [7]
