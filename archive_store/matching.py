"""Which customer archive a document belongs to.

By USCC, else by ID number, else by exact name (folded across scripts and widths) plus
phone. An enterprise is also matched by its exact registered name alone (names are unique
within a registration authority, and contracts carry no phone), unless the archive already
holds a different USCC. A person known by a name alone is not matched: names repeat.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive_store.models import Archive
from forms.text import fold


@dataclass(frozen=True)
class CustomerRef:
    customer_type: str  # "individual" | "enterprise"
    name: str | None = None
    uscc: str | None = None
    id_number: str | None = None
    phone: str | None = None


def fold_name(name: str | None) -> str | None:
    """The name as archives are matched by it (Archive.name_key): the one fold of forms.
    Changing the fold means re-keying the archives (migration 0004 does it once)."""
    return (fold(name) or None) if name else None


def find_archive(session: Session, customer: CustomerRef) -> Archive | None:
    # A merged-away archive keeps its codes on its card, but its customer lives in the survivor.
    live = Archive.status.not_in(("destroyed", "merged"))
    if customer.uscc:
        found = session.scalar(select(Archive).where(Archive.uscc == customer.uscc.upper(), live))
        if found:
            return found
    if customer.id_number:
        found = session.scalar(select(Archive).where(Archive.id_number == customer.id_number.upper(), live))
        if found:
            return found
    key = fold_name(customer.name)
    if not key:
        return None
    if customer.phone:
        found = session.scalar(
            select(Archive).where(Archive.name_key == key, Archive.phone == customer.phone, live)
            .order_by(Archive.id)
        )
        if found:
            return found
    if customer.customer_type == "enterprise":
        same_code = Archive.uscc.is_(None) if not customer.uscc else Archive.uscc.in_([customer.uscc.upper()])
        return session.scalar(
            select(Archive).where(Archive.name_key == key, Archive.customer_type == "enterprise",
                                  (Archive.uscc.is_(None)) | same_code, live)
            .order_by(Archive.id)
        )
    return None
