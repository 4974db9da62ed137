"""Fixing what was read: a person sets a document's kind, corrects or adds a field, or moves
the document to another archive.

A typed value passes the same normalisers as extraction (`forms.entry`), strictly: what
fails is refused with a code (`messages.Refused`), nothing is stored. Each corrected
field keeps, in `field_corrections`, the value as read, who changed it and when, so the
page can show it beside the new value. A corrected customer name or code is also the
archive's, at once, and the archive's documents are re-indexed under it.

The same field rules serve the unsorted tray (`unsorted.py`): `apply_field` works on any
row with the document's field columns.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive_store import access, audit, changes, grants, numbering, retention
from archive_store.errors import InvalidState, NotAllowed
from archive_store.matching import fold_name
from archive_store.messages import Refused
from archive_store.models import Archive, DocStatus, Document, User, utcnow
from archive_store.search_docs import reindex_after_commit
from archive_store.system import System
from archive_store.viewing import load_archive, load_document

MAX_REASON = 1000
KINDS = ("business_license", "contract", "collection_form", "other")
# Which fields each kind carries (FIELDS.md): a field is added only to a kind that has it.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "business_license": ("uscc", "name", "entity_type", "legal_representative", "registered_capital",
                         "established_on", "term_end", "address", "business_scope",
                         "registration_authority", "issued_on"),
    "contract": ("contract_no", "title", "party_a", "party_b", "amount", "signed_on", "start_on", "end_on",
                 "signatory_a", "signatory_b"),
    "collection_form": ("customer_name", "customer_type", "uscc", "id_number", "contact_person", "phone",
                        "email", "address", "industry", "source_channel", "needs", "collected_by",
                        "collected_on"),
    "other": (),
}
# The fields that name the customer, per kind, and the archive column each one is.
IDENTITY_FIELDS: dict[str, dict[str, str]] = {
    "business_license": {"name": "name", "uscc": "uscc"},
    "collection_form": {"customer_name": "name", "uscc": "uscc", "id_number": "id_number", "phone": "phone"},
}
_UNDER_REVIEW = (DocStatus.pending_review, DocStatus.returned)
_CORRECTORS = "只有档案录入员或部门负责人可以更正档案。"


def check_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Refused("reason_required")
    return reason[:MAX_REASON]


def check_kind(doc_type: str) -> str:
    if doc_type not in KINDS:
        raise Refused("unknown_kind", kind=doc_type)
    return doc_type


def normalise(doc_type: str, key: str, value: str) -> str:
    """The stored form of a typed value for `key` on a document of `doc_type`, or Refused."""
    from forms.entry import EntryError, normalise_entry

    if key not in access.GROUP_OF:
        raise Refused("unknown_field", key=key)
    if doc_type != "other" and key not in KIND_FIELDS[doc_type]:
        raise Refused("field_not_for_kind", kind=doc_type, field=key)
    try:
        return normalise_entry(key, value)
    except EntryError as exc:
        raise Refused(exc.code, **exc.params) from None


def apply_field(row: Any, key: str, value: str, actor: User) -> dict[str, Any] | None:
    """Set a checked value on a document or tray row; returns the audit `before`, or None
    when nothing changes. The value as read is kept from the first correction on."""
    old = (row.fields or {}).get(key)
    if old == value and (row.field_set_by or {}).get(key) == "person":
        return None
    history = dict(row.field_corrections or {})
    first = history.get(key)
    as_read = first["as_read"] if first else (old if (row.field_set_by or {}).get(key, "extraction") != "person" else None)
    history[key] = {"as_read": as_read, "by": actor.username, "at": utcnow().isoformat(timespec="seconds")}
    problems = dict(row.field_problems or {})
    cleared = problems.pop(key, None)
    if old and old != value:
        # The page still prints the old value: keep it, so it stays masked for whoever may
        # not see the field (access.mask_text).
        earlier = dict(row.earlier_values or {})
        earlier[key] = [*(v for v in earlier.get(key) or [] if v != old), old]
        row.earlier_values = earlier
    # Assign new dicts: in-place changes to a JSON column are not tracked.
    row.fields = {**(row.fields or {}), key: value}
    row.field_set_by = {**(row.field_set_by or {}), key: "person"}
    row.field_confidence = {**(row.field_confidence or {}), key: 1.0}
    row.field_problems = problems
    row.field_corrections = history
    return {"key": key, "value": old, "problems": cleared}


def drop_reasons(row: Any, *codes: str) -> None:
    """Take away the stored reasons a person's action has answered."""
    row.review_reasons = [r for r in (row.review_reasons or [])
                          if not (isinstance(r, dict) and r.get("code") in codes)]


def _editable(session: Session, actor: User, doc_no: str) -> Document:
    doc = load_document(session, doc_no)
    if not access.can_view_document(actor, doc):
        raise NotAllowed("您无权查看此记录。")
    if doc.status not in _UNDER_REVIEW:
        raise InvalidState(f"{doc.doc_no} 已生效，不能再更正；如需更改，请联系部门负责人。")
    retention.check_not_held(session, doc, "更正")
    return doc


def _carry_to_archive(session: Session, doc: Document, key: str, old: Any, value: str, actor: User) -> bool:
    """A corrected name or code of the customer is the archive's too, when the archive had
    none or had the value this document was read with. Returns whether it changed."""
    column = IDENTITY_FIELDS.get(doc.doc_type, {}).get(key)
    if column is None:
        return False
    archive = doc.archive
    current = getattr(archive, column)
    if current and current != old:
        return False  # the archive was named by another document, or by hand: leave it
    if column in ("uscc", "id_number"):
        holder = session.scalar(select(Archive).where(getattr(Archive, column) == value, Archive.id != archive.id,
                                                      Archive.status != "destroyed"))
        if holder is not None:
            raise Refused("code_in_other_archive", field=key, value=value, archive_no=holder.archive_no)
    before = {column: current}
    setattr(archive, column, value)
    if column == "name":
        archive.name_key = fold_name(value)
    audit.record(session, actor=actor.username, action="archive.identity_corrected", object_type="archive",
                 object_id=archive.archive_no, before=before, after={column: value, "from": doc.doc_no})
    return True


def _archive_docs(session: Session, archive_id: int) -> list[str]:
    return list(session.scalars(select(Document.doc_no).where(Document.archive_id == archive_id)))


def correct_field(system: System, actor: User, doc_no: str, key: str, value: str, reason: str) -> int | None:
    """Correct a field, or add one the extractor did not find. An important field's new value
    waits for a second person (changes.py): returns that change's id."""
    access.require(actor, access.CORRECT_ROLES, _CORRECTORS)
    reason = check_reason(reason)
    reindex = [doc_no]
    with system.db.write() as s:
        doc = _editable(s, actor, doc_no)
        if not access.can_correct(actor, doc, key, grants.active_grants(s, actor, doc.archive_id)):
            raise NotAllowed("您无权查看该字段，因此不能更正它。")
        value = normalise(doc.doc_type, key, value)
        old = (doc.fields or {}).get(key)
        if changes.is_important(system.settings, key) and old != value:
            # 重要信息双人核对: the old value stands until a second person confirms.
            return changes.queue_change(s, actor=actor, archive=doc.archive, document=doc, key=key, old=old,
                                        new=value, reason=reason).id
        before = apply_field(doc, key, value, actor)
        if before is None:
            return None
        audit.record(s, actor=actor.username, action="document.field_corrected", object_type="document",
                     object_id=doc.doc_no, before=before,
                     after={"key": key, "value": value, "set_by": "person", "reason": reason})
        if _carry_to_archive(s, doc, key, old, value, actor):
            reindex = _archive_docs(s, doc.archive_id)
    reindex_after_commit(system, reindex)
    return None


def set_kind(system: System, actor: User, doc_no: str, doc_type: str, reason: str) -> None:
    """The kind the classifier got wrong, or could not tell. Fields the new kind does not
    carry stay as they are (nothing typed is lost); the reviewer sees them."""
    access.require(actor, access.CORRECT_ROLES, _CORRECTORS)
    doc_type, reason = check_kind(doc_type), check_reason(reason)
    with system.db.write() as s:
        doc = _editable(s, actor, doc_no)
        if doc.doc_type == doc_type:
            return
        before = {"doc_type": doc.doc_type}
        doc.doc_type = doc_type
        if doc_type != "other":
            drop_reasons(doc, "kind_unknown", "kind_uncertain")
        audit.record(s, actor=actor.username, action="document.kind_set", object_type="document",
                     object_id=doc.doc_no, before=before, after={"doc_type": doc_type, "reason": reason})
    reindex_after_commit(system, [doc_no])


def check_receiving(session: Session, archive: Archive) -> None:
    """An archive that can take one more document: active (not destroyed, not merged away)
    and not under a legal hold."""
    if archive.status != "active":
        raise Refused("archive_closed", archive_no=archive.archive_no)
    retention.check_archive_not_held(session, archive, "移入文件", with_documents=False)


def move(system: System, actor: User, doc_no: str, archive_no: str, reason: str) -> str:
    """Move a document into another archive. It takes the next item number there; its old
    number stays spent (numbers are never reused), and the audit trail links the two."""
    access.require(actor, access.CORRECT_ROLES, _CORRECTORS)
    reason = check_reason(reason)
    with system.db.write() as s:
        doc = _editable(s, actor, doc_no)
        target = load_archive(s, archive_no)
        if target.id == doc.archive_id:
            raise Refused("same_archive", archive_no=target.archive_no)
        check_receiving(s, target)
        old_no, old_archive = doc.doc_no, doc.archive.archive_no
        item_no = numbering.next_item_no(s, target.archive_no)
        doc.archive_id, doc.archive, doc.item_no = target.id, target, item_no
        doc.doc_no = numbering.doc_no(target.archive_no, item_no)
        drop_reasons(doc, "customer_unknown")
        audit.record(s, actor=actor.username, action="document.moved", object_type="document",
                     object_id=old_no, before={"doc_no": old_no, "archive_no": old_archive},
                     after={"doc_no": doc.doc_no, "archive_no": target.archive_no, "reason": reason})
        new_no = doc.doc_no
    reindex_after_commit(system, [old_no, new_no])
    return new_no
