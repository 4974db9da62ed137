"""The unsorted tray (DESIGN.md "Unsorted document"): originals whose kind or customer could
not be recognised wait here with no archive and no number. The clerk sets the kind, types
or corrects the fields, and files each into an existing archive (found by name, code or
number) or a new one; only then is a number spent.

The pipeline calls `needs_sorting` and `hold` inside its filing transaction, as it calls
`filing.file_document` for a recognised document. The field rules are `corrections`'.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, defer

from archive_store import access, audit, filing
from archive_store.corrections import apply_field, check_kind, check_receiving, drop_reasons, normalise
from archive_store.errors import NotAllowed, NotFound
from archive_store.matching import CustomerRef, fold_name
from archive_store.messages import Refused
from archive_store.models import Archive, IntakeJob, UnsortedDocument, User
from archive_store.search_docs import reindex_after_commit
from archive_store.system import System
from archive_store.viewing import check_no, field_boxes, load_archive

_TRAY_ONLY = "只有档案录入员和档案管理员处理待分拣文件。"
MAX_CANDIDATES = 20


def object_id(item_id: int) -> str:
    """How a tray item is named in the audit trail and on the page (it has no number)."""
    return f"U{item_id}"


def needs_sorting(doc_type: str, customer: CustomerRef) -> bool:
    """A document waits for a clerk when its kind is unknown or nothing names its customer:
    filing it would open a nameless archive and spend a number nobody has looked at."""
    return doc_type == "other" or not (customer.name or customer.uscc or customer.id_number)


def hold(session: Session, *, actor: str, item: filing.FilingInput,
         boxes: dict[str, Any] | None = None) -> UnsortedDocument:
    """Put a read document into the tray, in the caller's transaction."""
    row = UnsortedDocument(
        business_line=item.business_line, customer_type=item.customer.customer_type,
        doc_type=item.doc_type, title=item.title, source_name=item.source_name, sha256=item.sha256,
        size=item.size, media_type=item.media_type, pages=item.pages, script=item.script, text=item.text,
        fields=dict(item.fields), field_confidence=dict(item.field_confidence),
        field_problems={k: list(v) for k, v in item.field_problems.items()},
        field_set_by={k: "extraction" for k in item.fields}, field_boxes=dict(boxes or {}),
        field_corrections={}, review_reasons=list(item.review_reasons), issue_date=item.issue_date,
        archival_sha256=item.archival_sha256, page_image_sha256=list(item.page_image_sha256),
        received_by=actor,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="unsorted.received", object_type="unsorted",
                 object_id=object_id(row.id),
                 after={"doc_type": row.doc_type, "sha256": row.sha256, "source_name": row.source_name,
                        "fields": row.fields, "review_reasons": row.review_reasons})
    return row


def find_held(session: Session, sha256: str) -> UnsortedDocument | None:
    return session.scalar(select(UnsortedDocument).where(UnsortedDocument.sha256 == sha256))


# --- the clerk's verbs ------------------------------------------------------------------

def _load(session: Session, item_id: int) -> UnsortedDocument:
    row = session.get(UnsortedDocument, item_id)
    if row is None:
        raise NotFound(object_id(item_id))
    return row


def tray(system: System, actor: User) -> list[UnsortedDocument]:
    access.require(actor, access.TRAY_ROLES, _TRAY_ONLY)
    with system.db.read() as s:
        return list(s.scalars(select(UnsortedDocument).options(defer(UnsortedDocument.text))
                              .order_by(UnsortedDocument.received_at, UnsortedDocument.id)))


@dataclass
class TrayField:
    key: str
    value: str
    problems: list[Any]
    set_by: str
    confidence: float | None
    correction: dict[str, Any] | None


@dataclass
class TrayItem:
    row: UnsortedDocument
    fields: list[TrayField]
    hidden: list[str]
    pages_shown: bool
    suggested: dict[str, str]  # the customer a new archive would be opened for


def _hidden(actor: User, row: UnsortedDocument) -> list[str]:
    groups = access.role_access(actor.role).groups
    return [k for k, v in (row.fields or {}).items() if v and access.group_of(k) not in groups]


def suggested_customer(row: UnsortedDocument) -> dict[str, str]:
    f = row.fields or {}
    name = f.get("name") or f.get("customer_name") or ""
    ctype = f.get("customer_type") or row.customer_type or ("enterprise" if f.get("uscc") else "individual")
    return {"name": name, "customer_type": ctype, "uscc": f.get("uscc", ""),
            "business_line": row.business_line}


def open_item(system: System, actor: User, item_id: int) -> TrayItem:
    access.require(actor, access.TRAY_ROLES, _TRAY_ONLY)
    with system.db.read() as s:
        row = _load(s, item_id)
    hidden = _hidden(actor, row)
    rows = [TrayField(k, str(v), list((row.field_problems or {}).get(k) or []),
                      (row.field_set_by or {}).get(k, "extraction"), (row.field_confidence or {}).get(k),
                      (row.field_corrections or {}).get(k))
            for k, v in (row.fields or {}).items() if k not in hidden]
    row.text = access.mask_text(actor, row, row.text or "")  # a detached copy: shown, never saved
    return TrayItem(row, rows, hidden, not hidden, suggested_customer(row))


def page_image(system: System, actor: User, item_id: int, number: int) -> bytes:
    """A tray item's page preview; withheld while it holds a field the clerk may not see
    (the viewing room's redaction needs the archive's grants, which a tray item has not)."""
    access.require(actor, access.TRAY_ROLES, _TRAY_ONLY)
    with system.db.read() as s:
        row = _load(s, item_id)
    shas = row.page_image_sha256 or []
    if not 1 <= number <= len(shas):
        raise NotFound(f"{object_id(item_id)} page {number}")
    if _hidden(actor, row):
        raise NotAllowed("此页含有您无权查看的信息。")
    return system.store.read(shas[number - 1])


def set_kind(system: System, actor: User, item_id: int, doc_type: str) -> None:
    access.require(actor, access.TRAY_ROLES, _TRAY_ONLY)
    doc_type = check_kind(doc_type)
    with system.db.write() as s:
        row = _load(s, item_id)
        if row.doc_type == doc_type:
            return
        before = {"doc_type": row.doc_type}
        row.doc_type = doc_type
        if doc_type != "other":
            drop_reasons(row, "kind_unknown", "kind_uncertain")
        audit.record(s, actor=actor.username, action="unsorted.kind_set", object_type="unsorted",
                     object_id=object_id(row.id), before=before, after={"doc_type": doc_type})


def set_field(system: System, actor: User, item_id: int, key: str, value: str) -> None:
    """Type or correct a field: checked as every correction is (`corrections.normalise`)."""
    access.require(actor, access.TRAY_ROLES, _TRAY_ONLY)
    if access.group_of(key) not in access.role_access(actor.role).groups:
        raise NotAllowed("您无权查看该字段，因此不能填写它。")
    with system.db.write() as s:
        row = _load(s, item_id)
        value = normalise(row.doc_type, key, value)
        before = apply_field(row, key, value, actor)
        if before is not None:
            audit.record(s, actor=actor.username, action="unsorted.field_set", object_type="unsorted",
                         object_id=object_id(row.id), before=before, after={"key": key, "value": value})


def candidates(system: System, actor: User, text: str) -> list[Archive]:
    """Archives to file into, found by number, USCC or ID number exactly, or by name."""
    access.require(actor, access.TRAY_ROLES, _TRAY_ONLY)
    text = (text or "").strip()[:100]
    if not text:
        return []
    key = fold_name(text) or ""
    code = text.upper()
    with system.db.read() as s:
        return list(s.scalars(
            select(Archive).where(Archive.status == "active")
            .where(or_(Archive.archive_no == code, Archive.uscc == code, Archive.id_number == code,
                       Archive.name_key.contains(key, autoescape=True)))
            .order_by(Archive.archive_no).limit(MAX_CANDIDATES)))


def _filing_input(row: UnsortedDocument, customer: CustomerRef) -> filing.FilingInput:
    return filing.FilingInput(
        source_name=row.source_name, sha256=row.sha256, size=row.size, media_type=row.media_type,
        customer=customer, business_line=row.business_line, doc_type=row.doc_type, title=row.title,
        pages=row.pages, script=row.script, text=row.text, fields=dict(row.fields or {}),
        field_confidence=dict(row.field_confidence or {}), field_problems=dict(row.field_problems or {}),
        review_reasons=tuple(row.review_reasons or ()), issue_date=row.issue_date,
        archival_sha256=row.archival_sha256, page_image_sha256=tuple(row.page_image_sha256 or ()))


def _file(s: Session, actor: User, row: UnsortedDocument, archive: Archive, customer: CustomerRef) -> str:
    drop_reasons(row, "customer_unknown")  # the clerk has said whose it is
    if row.doc_type != "other":
        drop_reasons(row, "kind_unknown", "kind_uncertain")
    doc = filing.add_to_archive(s, archive, actor=actor.username, item=_filing_input(row, customer),
                                field_set_by=dict(row.field_set_by or {}),
                                field_corrections=dict(row.field_corrections or {}),
                                field_boxes=dict(row.field_boxes or {}))
    audit.record(s, actor=actor.username, action="unsorted.filed", object_type="unsorted",
                 object_id=object_id(row.id), after={"doc_no": doc.doc_no, "archive_no": archive.archive_no})
    for job in s.scalars(select(IntakeJob).where(IntakeJob.unsorted_id == row.id)):
        job.state, job.document_id, job.unsorted_id = "filed", doc.id, None
    s.delete(row)
    return doc.doc_no


def file_into(system: System, actor: User, item_id: int, archive_no: str) -> str:
    """File a tray item into an existing archive; returns its new document number."""
    access.require(actor, access.TRAY_ROLES, _TRAY_ONLY)
    with system.db.write() as s:
        row = _load(s, item_id)
        archive = load_archive(s, check_no(archive_no))
        check_receiving(s, archive)
        doc_no = _file(s, actor, row, archive, CustomerRef(archive.customer_type, name=archive.name))
    reindex_after_commit(system, [doc_no])
    return doc_no


def file_new(system: System, actor: User, item_id: int, *, name: str, customer_type: str,
             business_line: str, uscc: str = "", id_number: str = "", today: date | None = None) -> str:
    """Open an archive for the customer the clerk names and file the tray item into it:
    only now is an archive number spent. A code that is already an archive's sends the
    clerk there instead (one customer, one archive)."""
    access.require(actor, access.TRAY_ROLES, _TRAY_ONLY)
    name = normalise("other", "customer_name", name) if (name or "").strip() else ""
    if not name:
        raise Refused("name_required")
    customer_type = normalise("other", "customer_type", customer_type)
    uscc = normalise("other", "uscc", uscc) if (uscc or "").strip() else None
    id_number = normalise("other", "id_number", id_number) if (id_number or "").strip() else None
    if business_line not in system.settings.business_lines:
        raise Refused("unknown_business_line", line=business_line)
    with system.db.write() as s:
        row = _load(s, item_id)
        for column, value in (("uscc", uscc), ("id_number", id_number)):
            holder = value and s.scalar(select(Archive).where(getattr(Archive, column) == value,
                                                              Archive.status != "destroyed"))
            if holder:
                raise Refused("code_in_other_archive", field=column, value=value, archive_no=holder.archive_no)
        customer = CustomerRef(customer_type, name=name, uscc=uscc, id_number=id_number)
        archive = filing.open_archive(s, system.settings, actor=actor.username, customer=customer,
                                      business_line=business_line, today=today or date.today())
        doc_no = _file(s, actor, row, archive, customer)
    reindex_after_commit(system, [doc_no])
    return doc_no
