"""Customer archives day to day (POLICY.md "Collecting and filing", "Classification"):
archives opened by hand, their classification, owner and paper location kept current,
the lists managers work from, and duplicates merged.

Each verb takes the system and the acting user, checks the rule, changes the rows and
writes the audit event (with before and after) in one transaction, then re-indexes after
the commit. The archive number never changes, whatever is edited; a merged-away number
stays reserved and leads to the surviving archive. Changes to important fields go
through the two-person check (changes.py).
"""
from __future__ import annotations

import json
from collections import Counter as Tally
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer, joinedload
from stdnum.cn import ric, uscc as uscc_code
from stdnum.exceptions import ValidationError

from archive_store import access, audit, changes, grants, numbering, retention, workdays
from archive_store.errors import DossierError, InvalidState, NotAllowed
from archive_store.filing import _complete_identity, open_archive
from archive_store.matching import CustomerRef, find_archive, fold_name
from archive_store.models import Archive, DocNoAlias, Document, Role, User, utcnow
from archive_store.search_docs import reindex_after_commit
from archive_store.system import System
from archive_store.users import find_user
from archive_store.viewing import load_archive

STAGES = ("potential", "intention", "deal", "lost")  # 潜在、意向、成交、流失
GRADES = ("A", "B", "C")
CUSTOMER_TYPES = ("individual", "enterprise")
LIVE = "active"       # Archive.status of an archive in use
MERGED = "merged"     # its documents moved to Archive.merged_into_id; the number stays reserved
DESTROYED = "destroyed"

# Who keeps an archive's card current: the staff who meet the customer (a customer met by
# phone is entered by the salesperson, POLICY.md [003]) and the records room.
EDIT_ROLES = frozenset({Role.sales, Role.service, Role.marketing, Role.clerk, Role.dept_head,
                        Role.archive_manager, Role.leader})
# Who decides who looks after a customer: the manager may reassign (POLICY.md [002]).
OWNER_ROLES = frozenset({Role.dept_head, Role.archive_manager, Role.leader})
MERGE_ROLES = frozenset({Role.dept_head, Role.archive_manager})
# The managers' lists; the console operator reads them too (`dossier archives late`).
LIST_ROLES = frozenset({Role.dept_head, Role.archive_manager, Role.leader, access.OPERATOR})

# What an edit may change, and how each value is read from a form or the command line.
EDITABLE = ("name", "phone", "grade", "stage", "owner", "business_line", "paper_location",
            "relationship_start", "relationship_end", "first_contact_on", "uscc", "id_number")
_DATES = ("relationship_start", "relationship_end", "first_contact_on")


def _check_editable(session: Session, archive: Archive, *, merging: bool = False) -> None:
    """The one place that says whether an archive may change at all: not destroyed, not
    merged away, not under a legal hold (a merge moves its documents too, so a hold on any
    of them stops it)."""
    if archive.status == DESTROYED:
        raise InvalidState(f"档案 {archive.archive_no} 已销毁，不能更改。")
    if archive.merged_into_id is not None:
        raise InvalidState(f"档案 {archive.archive_no} 已并入其他档案，请在合并后的档案中操作。")
    retention.check_archive_not_held(session, archive, "合并" if merging else "修改", with_documents=merging)


# --- by hand --------------------------------------------------------------------------------

def create(system: System, actor: User, *, name: str, customer_type: str, business_line: str,
           uscc: str | None = None, id_number: str | None = None, phone: str | None = None,
           today: date | None = None) -> str:
    """Open an archive without a scan (a customer met by phone). Returns its number."""
    access.require(actor, EDIT_ROLES, "您的角色不能建立客户档案。")
    name = (name or "").strip()
    if not name or len(name) > 256:
        raise DossierError("需要填写客户名称（最多256个字符）。")
    if customer_type not in CUSTOMER_TYPES:
        raise DossierError("客户类型须为 individual（个人）或 enterprise（企业）。")
    _business_line(system, business_line)
    code = _uscc(uscc) if uscc else None
    idn = _id_number(id_number) if id_number else None
    phone = _text("phone", phone, 32)
    customer = CustomerRef(customer_type, name=name, uscc=code, id_number=idn, phone=phone)
    with system.db.write() as s:
        existing = find_archive(s, customer)
        if existing is not None:
            # Opening a second archive for a known customer is how duplicates are made.
            raise InvalidState(f"该客户已有档案 {existing.archive_no}。")
        archive = open_archive(s, system.settings, actor=actor.username, customer=customer,
                               business_line=business_line, today=today or date.today())
        if actor.id is not None and actor.role in (Role.sales, Role.service, Role.marketing):
            # The person who met the customer looks after them until a manager says otherwise.
            archive.owner_id = actor.id
            audit.record(s, actor=actor.username, action="archive.edited", object_type="archive",
                         object_id=archive.archive_no, before={"owner": None}, after={"owner": actor.username})
        return archive.archive_no


@dataclass(frozen=True)
class EditResult:
    changed: dict[str, Any]     # key -> new value, in effect now
    waiting: dict[str, int]     # key -> the pending change's id (two-person check)


def edit(system: System, actor: User, archive_no: str, values: dict[str, Any], *, reason: str = "") -> EditResult:
    """Change an archive's card. Keys are EDITABLE; None or "" clears an optional value.
    An important field (settings) waits for a second person; everything else takes effect."""
    access.require(actor, EDIT_ROLES, "您的角色不能修改客户档案。")
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise DossierError(f"不能修改：{', '.join(sorted(unknown))}")
    wanted = {key: _read(system, key, value) for key, value in values.items()}
    with system.db.write() as s:
        archive = load_archive(s, archive_no)
        _check_editable(s, archive)
        current = _card(s, archive)
        new = {k: v for k, v in wanted.items() if v != current[k]}
        if "owner" in new and actor.role not in OWNER_ROLES:
            raise NotAllowed("只有部门负责人、档案管理员或分管领导可以指定或更换负责人。")
        if "owner" in new and new["owner"] is not None:
            owner = find_user(s, new["owner"])
            if not owner.active:
                raise DossierError(f"账户 {owner.username} 已停用，不能作为负责人。")
        start = new.get("relationship_start", current["relationship_start"])
        end = new.get("relationship_end", current["relationship_end"])
        if start and end and end < start:
            raise DossierError("关系结束日期不能早于开始日期。")
        if new.get("name") is None and "name" in new:
            raise DossierError("客户名称不能为空。")
        important = {k: v for k, v in new.items() if changes.is_important(system.settings, k)}
        waiting = {}
        for key, value in important.items():
            if value is None:
                raise DossierError("重要信息不能清空。")
            row = changes.queue_change(s, actor=actor, archive=archive, document=None, key=key,
                                       old=current[key], new=value, reason=reason)
            waiting[key] = row.id
        applied = {k: v for k, v in new.items() if k not in important}
        if applied:
            _apply(s, archive, applied)
            audit.record(s, actor=actor.username, action="archive.edited", object_type="archive",
                         object_id=archive.archive_no, before={k: current[k] for k in applied},
                         after=applied | ({"reason": reason} if reason else {}))
        doc_nos = [d.doc_no for d in archive.documents]
    if {"name", "business_line"} & set(applied):
        reindex_after_commit(system, doc_nos)  # the index carries the customer's name and line
    return EditResult(changed=applied, waiting=waiting)


def card(system: System, actor: User, archive_no: str) -> dict[str, Any]:
    """The editable values as the edit form shows them. A core-secret value (the ID
    number) is left out for someone who may not see it; leaving it blank changes nothing."""
    access.require(actor, EDIT_ROLES, "您的角色不能修改客户档案。")
    with system.db.read() as s:
        archive = load_archive(s, archive_no)
        values = _card(s, archive) | {"archive_no": archive.archive_no}
        if access.group_of("id_number") not in access.role_access(actor.role).groups and not (
                actor.id is not None and grants.active_grants(s, actor, archive.id)):
            values["id_number"] = None
    return values


def owner_candidates(system: System, actor: User) -> list[str]:
    """Active accounts that may look after a customer: those who may open its records."""
    access.require(actor, EDIT_ROLES, "您的角色不能修改客户档案。")
    with system.db.read() as s:
        return sorted(u.username for u in s.scalars(select(User).where(User.active.is_(True)))
                      if access.role_access(u.role).kinds)


def _card(s: Session, archive: Archive) -> dict[str, Any]:
    """The editable values as an edit compares them (owner by username)."""
    card = {k: getattr(archive, k) for k in EDITABLE if k != "owner"}
    card["owner"] = s.get(User, archive.owner_id).username if archive.owner_id else None
    return card


def _apply(s: Session, archive: Archive, values: dict[str, Any]) -> None:
    for key, value in values.items():
        if key == "owner":
            archive.owner_id = find_user(s, value).id if value else None
        else:
            setattr(archive, key, value)
            if key == "name":
                archive.name_key = fold_name(value)
    if {"grade", "relationship_end"} & set(values):
        retention.recompute_archive(s, archive)  # its documents' due dates count from these


def _read(system: System, key: str, value: Any) -> Any:
    """A value for `key` as given, checked and in its stored form; None clears."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if key in _DATES:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            raise DossierError(f"日期格式应为 YYYY-MM-DD：{value}") from None
    value = str(value).strip()
    if key == "grade":
        if value.upper() not in GRADES:
            raise DossierError(f"未知等级 {value!r}；可选：A、B、C。")
        return value.upper()
    if key == "stage":
        if value not in STAGES:
            raise DossierError(f"未知合作阶段 {value!r}；可选：{', '.join(STAGES)}。")
        return value
    if key == "business_line":
        return _business_line(system, value)
    if key == "uscc":
        return _uscc(value)
    if key == "id_number":
        return _id_number(value)
    return _text(key, value, {"name": 256, "phone": 32, "owner": 64, "paper_location": 128}[key])


def _business_line(system: System, code: str) -> str:
    if code not in system.settings.business_lines:
        raise DossierError(f"未知业务条线 {code!r}；可选：{', '.join(system.settings.business_lines)}。")
    return code


def _uscc(value: str) -> str:
    try:
        return uscc_code.validate(value.strip().upper())
    except ValidationError:
        raise DossierError(f"统一社会信用代码 {value!r} 无效（位数或校验位不对）。") from None


def _id_number(value: str) -> str:
    try:
        return ric.validate(value.strip().upper())
    except ValidationError:
        raise DossierError(f"身份证号 {value!r} 无效（位数或校验位不对）。") from None


def _text(key: str, value: str | None, limit: int) -> str | None:
    value = (value or "").strip() or None
    if value and len(value) > limit:
        raise DossierError(f"{key} 最多{limit}个字符。")
    return value


# --- the managers' lists -------------------------------------------------------------------

@dataclass(frozen=True)
class ArchiveRow:
    archive_no: str
    name: str | None
    customer_type: str
    business_line: str
    stage: str
    grade: str | None
    owner: str | None
    created_on: date
    first_contact_on: date | None


@dataclass(frozen=True)
class Listing:
    rows: list[ArchiveRow]
    counts: dict[str, dict[str, int]]   # "stage" | "grade" | "business_line" | "owner" -> value -> n


def list_archives(system: System, actor: User, *, stage: str | None = None, grade: str | None = None,
                  business_line: str | None = None, owner: str | None = None) -> Listing:
    """Archives in use, filtered; the counts are over all of them, so a filter shows its share."""
    access.require(actor, LIST_ROLES, "只有部门负责人、档案管理员或分管领导查看档案清单。")
    with system.db.read() as s:
        rows = _rows(s, select(Archive).where(Archive.status == LIVE, Archive.merged_into_id.is_(None)))
    counts = {key: dict(sorted(Tally(getattr(r, key) or "—" for r in rows).items()))
              for key in ("stage", "grade", "business_line", "owner")}
    wanted = {"stage": stage, "grade": grade, "business_line": business_line, "owner": owner}
    shown = [r for r in rows if all(v in (None, "") or (getattr(r, k) or "—") == v for k, v in wanted.items())]
    return Listing(rows=shown, counts=counts)


def _rows(s: Session, query) -> list[ArchiveRow]:
    names = {u.id: u.username for u in s.scalars(select(User))}
    return [ArchiveRow(archive_no=a.archive_no, name=a.name, customer_type=a.customer_type,
                       business_line=a.business_line, stage=a.stage, grade=a.grade,
                       owner=names.get(a.owner_id), created_on=a.created_at.date(),
                       first_contact_on=a.first_contact_on)
            for a in s.scalars(query.order_by(Archive.archive_no))]


@dataclass(frozen=True)
class LateEntry:
    doc_no: str
    archive_no: str
    name: str | None
    owner: str | None
    collected_on: date
    filed_on: date
    working_days: int


def late_entries(system: System, actor: User) -> list[LateEntry]:
    """Collection forms filed more than the allowed working days after their collection date
    (业务人员应在收集后2个工作日内录入, POLICY.md)."""
    access.require(actor, LIST_ROLES, "只有部门负责人、档案管理员或分管领导查看逾期录入清单。")
    limit = system.settings.rules.late_entry_working_days
    out = []
    with system.db.read() as s:
        names = {u.id: u.username for u in s.scalars(select(User))}
        docs = s.scalars(select(Document).options(joinedload(Document.archive), defer(Document.text))
                         .where(Document.doc_type == "collection_form", Document.status != DESTROYED)
                         .order_by(Document.filed_at))
        for doc in docs:
            try:
                collected = date.fromisoformat(str((doc.fields or {}).get("collected_on", "")))
            except ValueError:
                continue  # no readable collection date: nothing to measure
            filed = doc.filed_at.date()
            late = workdays.between(system.settings, collected, filed)
            if late > limit:
                out.append(LateEntry(doc.doc_no, doc.archive.archive_no, doc.archive.name,
                                     names.get(doc.archive.owner_id), collected, filed, late))
    return out


def uncontacted(system: System, actor: User, *, today: date | None = None) -> list[ArchiveRow]:
    """New customers with no first contact within the allowed days of filing
    (新客户须在一周内联系，否则经理可重新分配, POLICY.md); each may be reassigned."""
    access.require(actor, LIST_ROLES, "只有部门负责人、档案管理员或分管领导查看未联系客户清单。")
    cutoff = (today or date.today()) - timedelta(days=system.settings.rules.contact_days)
    with system.db.read() as s:
        rows = _rows(s, select(Archive).where(Archive.status == LIVE, Archive.merged_into_id.is_(None),
                                              Archive.first_contact_on.is_(None), Archive.stage != "lost"))
    return [r for r in rows if r.created_on < cutoff]


def reassign(system: System, actor: User, archive_no: str, owner: str, *, reason: str = "") -> None:
    """A manager gives the customer to another owner: an edit of the owner alone."""
    edit(system, actor, archive_no, {"owner": owner}, reason=reason)


# --- duplicates and merging --------------------------------------------------------------

@dataclass(frozen=True)
class Duplicate:
    reason: str                 # "uscc" | "id_number" | "name"
    value: str
    archive_nos: tuple[str, ...]


def duplicates(system: System, actor: User) -> list[Duplicate]:
    """Archives in use that look like one customer: the same code, or the same name in
    either script (names are compared folded to Simplified)."""
    access.require(actor, LIST_ROLES, "只有部门负责人、档案管理员或分管领导查看重复档案。")
    with system.db.read() as s:
        live = list(s.scalars(select(Archive).where(Archive.status == LIVE, Archive.merged_into_id.is_(None))
                              .order_by(Archive.archive_no)))
    out, seen = [], set()
    for reason, key in (("uscc", lambda a: a.uscc), ("id_number", lambda a: a.id_number),
                        ("name", lambda a: a.name_key)):
        groups: dict[str, list[Archive]] = {}
        for a in live:
            if key(a):
                groups.setdefault(key(a), []).append(a)
        for value, group in groups.items():
            nos = tuple(a.archive_no for a in group)
            if len(nos) > 1 and nos not in seen:  # one proposal per set, by its strongest reason
                seen.add(nos)
                out.append(Duplicate(reason, group[0].name if reason == "name" else value, nos))
    return out


@dataclass(frozen=True)
class MergeResult:
    archive_no: str               # the survivor
    moved: dict[str, str]         # old doc_no -> new doc_no


def merge(system: System, actor: User, from_no: str, into_no: str, *, reason: str = "") -> MergeResult:
    """Move every document of `from_no` into `into_no` under new item numbers; `from_no`
    stays reserved (never reused) and leads to `into_no`."""
    access.require(actor, MERGE_ROLES, "只有部门负责人或档案管理员可以合并档案。")
    if from_no == into_no:
        raise DossierError("不能将档案合并到其自身。")
    with system.db.write() as s:
        source, target = load_archive(s, from_no), load_archive(s, into_no)
        if target.status == DESTROYED:
            raise InvalidState(f"档案 {into_no} 已销毁，不能并入。")
        _check_editable(s, source, merging=True)
        _check_editable(s, target, merging=True)
        if source.customer_type != target.customer_type:
            raise DossierError("个人档案与企业档案不能合并。")
        for code in ("uscc", "id_number"):
            a, b = getattr(source, code), getattr(target, code)
            if a and b and a != b:
                raise DossierError(f"两份档案的{'统一社会信用代码' if code == 'uscc' else '身份证号'}不同，不是同一客户。")
        if changes.pending_for(s, source) or changes.pending_for(s, target):
            # A waiting change names the old archive's record; settle it first.
            raise InvalidState("档案有待核对的重要信息更改，请先核对或驳回。")
        moved: dict[str, str] = {}
        for doc in sorted(source.documents, key=lambda d: d.item_no):
            old = doc.doc_no
            doc.item_no = numbering.next_item_no(s, target.archive_no)
            doc.doc_no = numbering.doc_no(target.archive_no, doc.item_no)
            doc.archive_id = target.id
            s.add(DocNoAlias(old_doc_no=old, document_id=doc.id, moved_at=utcnow()))
            moved[old] = doc.doc_no
            audit.record(s, actor=actor.username, action="document.moved", object_type="document",
                         object_id=doc.doc_no, before={"doc_no": old, "archive_no": from_no},
                         after={"doc_no": doc.doc_no, "archive_no": into_no})
        s.flush()
        # The survivor takes the codes it lacks from the merged-away card: not a person's
        # new value (no two-person check), the same completion a later document brings.
        _complete_identity(s, target, CustomerRef(source.customer_type, name=source.name, uscc=source.uscc,
                                                  id_number=source.id_number, phone=source.phone),
                           actor=actor.username)
        source.status, source.merged_into_id = MERGED, target.id
        # Every document of the survivor: the index carries the archive's codes, which the
        # completion above may have filled in.
        survivors = list(s.scalars(select(Document.doc_no).where(Document.archive_id == target.id)))
        summary = {"from": from_no, "into": into_no, "documents": moved, "reason": reason[:1000]}
        audit.record(s, actor=actor.username, action="archive.merged", object_type="archive",
                     object_id=from_no, before={"status": LIVE}, after={"status": MERGED} | summary)
        audit.record(s, actor=actor.username, action="archive.merged_in", object_type="archive",
                     object_id=into_no, after=summary)
    reindex_after_commit(system, [*moved, *survivors])  # old numbers leave the index
    return MergeResult(archive_no=into_no, moved=moved)


# --- history -------------------------------------------------------------------------------

_NOT_SHOWN = ("documents", "fields", "reason", "change", "proposed_by", "set_by", "review_reasons", "problems")
MASK = "■■■"


def diff_rows(actor: User, event) -> list[tuple[str, Any, Any]]:
    """An audit event's before and after as (key, before, after) rows for an archive's
    history, with the values of fields the actor may not see masked (an ID number set or
    corrected is in the event, and the history is shown to everyone who opens the archive)."""
    before = json.loads(event.before) if event.before else {}
    after = json.loads(event.after) if event.after else {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    if "key" in after:  # one field's value: a correction, a proposed or confirmed change
        rows = [(after["key"], before.get("value"), after.get("value"))]
    else:
        keys = [k for k in after if k not in _NOT_SHOWN] + [k for k in before if k not in after and k not in _NOT_SHOWN]
        rows = [(k, before.get(k), after.get(k)) for k in keys]
    seen = access.role_access(actor.role).groups
    return [(k, b, a) if access.group_of(k) in seen else (k, b and MASK, a and MASK) for k, b, a in rows]


def resolve_doc_no(session: Session, doc_no: str) -> Document | None:
    """The document an old number (given up in a merge) now lives under."""
    alias = session.scalar(select(DocNoAlias).where(DocNoAlias.old_doc_no == doc_no))
    return session.get(Document, alias.document_id) if alias else None
