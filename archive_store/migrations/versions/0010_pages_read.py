"""an intake job's pages read so far, for the live intake page's "reading page x of y"

Revision ID: 0010_pages_read
Revises: 0009_desk
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_pages_read'
down_revision = '0009_desk'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('intake_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pages_read', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('intake_jobs', schema=None) as batch_op:
        batch_op.drop_column('pages_read')
