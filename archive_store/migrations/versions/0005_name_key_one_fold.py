"""archives re-keyed with the one text fold (forms.text.fold)

Archive.name_key was folded with NFKC, spaces removed, t2s and lower case; the one fold
also maps variant glyphs (塡→填) and dashes, so a name holding them would no longer match
its own archive and a second archive would be opened for the same customer.

Revision ID: 0005
Revises: 0004_loans
"""
from alembic import op
import sqlalchemy as sa

from archive_store.matching import fold_name

revision = '0005'
down_revision = '0004_loans'
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, name, name_key FROM archives")).all()
    for id_, name, key in rows:
        if fold_name(name) != key:
            conn.execute(sa.text("UPDATE archives SET name_key = :k WHERE id = :i"), {"k": fold_name(name), "i": id_})


def downgrade() -> None:
    pass  # the old keys cannot be told apart from the new ones; matching works on either
