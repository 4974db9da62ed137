"""intake workers in several processes and on several machines: each live worker's lease,
and the worker that holds a claimed job

Revision ID: 0012_workers
Revises: 0011_search_index
"""
from alembic import op
import sqlalchemy as sa


revision = '0012_workers'
down_revision = '0011_search_index'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('intake_workers',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('lease_until', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    with op.batch_alter_table('intake_workers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intake_workers_lease_until'), ['lease_until'], unique=False)
    with op.batch_alter_table('intake_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('worker', sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f('ix_intake_jobs_worker'), ['worker'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('intake_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intake_jobs_worker'))
        batch_op.drop_column('worker')
    with op.batch_alter_table('intake_workers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intake_workers_lease_until'))
    op.drop_table('intake_workers')
