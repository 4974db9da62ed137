"""Cheap set-up for the lifecycle tests: accounts by role, archives made as rows, and
directly filed documents.

No OCR and no page rendering: an original is a few distinct bytes, put in the store and
filed through `file_document` as the pipeline would, with a page image and an archival
PDF of their own so that execution has every kind of file to remove.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from archive_store import retention
from archive_store.filing import FilingInput, file_document
from archive_store.matching import CustomerRef
from archive_store.models import Archive, Document, User
from archive_store.system import System
from archive_store.users import create_account

PASSWORD = "lifecycle-pass-1"


@dataclass
class People:
    sales: User
    service: User
    dept_head: User
    dept_head2: User
    leader: User
    manager: User
    admin: User


def make_people(system) -> People:
    made = {}
    with system.db.write() as s:
        for key, role in [("sales", "sales"), ("service", "service"), ("dept_head", "dept_head"),
                          ("dept_head2", "dept_head"), ("leader", "leader"), ("manager", "archive_manager"),
                          ("admin", "admin")]:
            made[key], _ = create_account(s, actor="system:test", username=f"{key}1", role=role,
                                          password=PASSWORD, display_name=key)
    return People(**made)


def make_archive(system, no: str, *, name: str = "上海华东贸易有限公司", location: str | None = "A柜-03盒",
                 owner: User | None = None, status: str = "active", docs: int = 0) -> str:
    with system.db.write() as s:
        archive = Archive(archive_no=no, customer_type="enterprise", business_line="P", name=name,
                          paper_location=location, owner_id=owner.id if owner else None, status=status)
        s.add(archive)
        s.flush()
        for i in range(1, docs + 1):
            s.add(Document(doc_no=f"{no}-{i:03d}", archive_id=archive.id, item_no=i, doc_type="contract",
                           source_name=f"c{i}.pdf", sha256=f"{no}{i}".ljust(64, "0")[:64], size=1,
                           media_type="application/pdf", pages=1, filed_by="system:test", status="effective"))
    return no
STAFF = {  # username -> role
    "am1": "archive_manager", "am2": "archive_manager", "head1": "dept_head", "head2": "dept_head",
    "lead1": "leader", "lead2": "leader", "clerk1": "clerk", "sales1": "sales", "audit1": "auditor",
}


_HASH = generate_password_hash(PASSWORD)  # hashed once: hashing per account is most of a test's time


def add_staff(system: System) -> dict[str, User]:
    with system.db.write() as s:
        s.add_all(User(username=name, role=role, display_name=f"{name}测试", password_hash=_HASH)
                  for name, role in STAFF.items())
    with system.db.read() as s:
        return {u.username: u for u in s.scalars(select(User))}


def file_doc(system: System, *, customer: str, doc_type: str = "contract", issue: date | None = date(2010, 5, 1),
             text: str = "", uscc: str | None = None, grade: str | None = None,
             relationship_end: date | None = None, shared_page: str | None = None,
             fields: dict | None = None) -> str:
    """File one document for `customer` (an enterprise, matched by name); returns its doc_no."""
    tag = f"{customer}/{doc_type}/{issue}/{text}"
    original = system.store.put_bytes(f"original {tag}".encode())
    archival = system.store.put_bytes(f"%PDF archival {tag}".encode())
    page = system.store.put_bytes((shared_page or f"page {tag}").encode())
    with system.db.write() as s:
        doc = file_document(s, system.settings, actor="system:test", item=FilingInput(
            source_name=f"{customer}.pdf", sha256=original, size=len(tag) + 9, media_type="application/pdf",
            customer=CustomerRef("enterprise", name=customer, uscc=uscc), business_line="P",
            doc_type=doc_type, title=f"{customer}{doc_type}", pages=2, script="zh-Hans",
            text=text or f"{customer} 的文件 {doc_type}", fields=fields or {"name": customer},
            issue_date=issue, archival_sha256=archival, page_image_sha256=(page,)))
        doc.status = "effective"
        archive = doc.archive
        if grade:
            archive.grade = grade
        if relationship_end:
            archive.relationship_end = relationship_end
        if grade or relationship_end:
            retention.recompute_archive(s, archive)  # as an archive edit must (see retention.recompute)
        return doc.doc_no


def doc(system: System, doc_no: str) -> Document:
    with system.db.read() as s:
        d = s.scalar(select(Document).where(Document.doc_no == doc_no))
        d.archive  # loaded for the caller
        return d


def archive_no(system: System, doc_no: str) -> str:
    return doc(system, doc_no).archive.archive_no


def set_archive(system: System, archive: str, **values) -> None:
    with system.db.write() as s:
        a = s.scalar(select(Archive).where(Archive.archive_no == archive))
        for k, v in values.items():
            setattr(a, k, v)
        retention.recompute_archive(s, a)
