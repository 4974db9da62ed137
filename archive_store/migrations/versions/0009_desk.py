"""the clerk's desk: the unsorted tray, correction history, an intake job's stage, accounts
limited to business lines, and the forced change of a generated password

Revision ID: 0009_desk
Revises: 0008_retention
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_desk'
down_revision = '0008_retention'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('unsorted_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('business_line', sa.String(length=8), nullable=False),
    sa.Column('customer_type', sa.String(length=16), nullable=True),
    sa.Column('doc_type', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=256), nullable=True),
    sa.Column('source_name', sa.String(length=512), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('media_type', sa.String(length=128), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('script', sa.String(length=8), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('field_confidence', sa.JSON(), nullable=False),
    sa.Column('field_problems', sa.JSON(), nullable=False),
    sa.Column('field_set_by', sa.JSON(), nullable=False),
    sa.Column('field_boxes', sa.JSON(), nullable=False),
    sa.Column('field_corrections', sa.JSON(), nullable=False),
    sa.Column('earlier_values', sa.JSON(), nullable=False),
    sa.Column('review_reasons', sa.JSON(), nullable=False),
    sa.Column('issue_date', sa.Date(), nullable=True),
    sa.Column('archival_sha256', sa.String(length=64), nullable=True),
    sa.Column('page_image_sha256', sa.JSON(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('received_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sha256')
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('field_corrections', sa.JSON(), nullable=False, server_default='{}'))
    with op.batch_alter_table('intake_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unsorted_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('stage', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('pages', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_intake_jobs_unsorted_id'), ['unsorted_id'], unique=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('business_lines', sa.JSON(), nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('business_lines')
        batch_op.drop_column('must_change_password')
    with op.batch_alter_table('intake_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intake_jobs_unsorted_id'))
        batch_op.drop_column('pages')
        batch_op.drop_column('stage')
        batch_op.drop_column('unsorted_id')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('field_corrections')
    op.drop_table('unsorted_documents')
