"""Cheap set-up for the lifecycle tests: one account per role and archives made as rows."""
from __future__ import annotations

from dataclasses import dataclass

from archive_store.models import Archive, Document, User
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
