"""retention and disposal: rules, legal holds, disposal batches with their items and
approvals, destruction certificates; each document's retention rule and due date

Revision ID: 0008_retention
Revises: 0007_secrets
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_retention'
down_revision = '0007_secrets'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('disposal_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_no', sa.String(length=32), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('proposed_by', sa.String(length=64), nullable=False),
    sa.Column('proposed_at', sa.DateTime(), nullable=False),
    sa.Column('executed_by', sa.String(length=64), nullable=True),
    sa.Column('executed_at', sa.DateTime(), nullable=True),
    sa.Column('place', sa.String(length=256), nullable=True),
    sa.Column('witnesses', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('batch_no')
    )
    op.create_table('retention_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('doc_type', sa.String(length=32), nullable=False),
    sa.Column('grade', sa.String(length=1), nullable=True),
    sa.Column('years', sa.Integer(), nullable=True),
    sa.Column('trigger', sa.String(length=32), nullable=False),
    sa.Column('set_by', sa.String(length=64), nullable=False),
    sa.Column('set_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('doc_type', 'grade')
    )
    op.create_table('destruction_certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=128), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['disposal_batches.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('batch_id')
    )
    op.create_table('disposal_approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=16), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=128), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['disposal_batches.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('batch_id', 'step'),
    sa.UniqueConstraint('batch_id', 'username')
    )
    with op.batch_alter_table('disposal_approvals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disposal_approvals_batch_id'), ['batch_id'], unique=False)

    op.create_table('disposal_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.Integer(), nullable=False),
    sa.Column('retention_class', sa.String(length=32), nullable=True),
    sa.Column('retention_due', sa.Date(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('withheld_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['disposal_batches.id'], ),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('batch_id', 'document_id')
    )
    with op.batch_alter_table('disposal_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disposal_items_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_disposal_items_document_id'), ['document_id'], unique=False)

    op.create_table('legal_holds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('archive_id', sa.Integer(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('placed_by', sa.String(length=64), nullable=False),
    sa.Column('placed_at', sa.DateTime(), nullable=False),
    sa.Column('released_at', sa.DateTime(), nullable=True),
    sa.Column('released_by', sa.String(length=64), nullable=True),
    sa.Column('release_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['archive_id'], ['archives.id'], ),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('legal_holds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_legal_holds_archive_id'), ['archive_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_legal_holds_document_id'), ['document_id'], unique=False)

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_rule_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('retention_due', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_documents_retention_due'), ['retention_due'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_retention_due'))
        batch_op.drop_column('retention_due')
        batch_op.drop_column('retention_rule_id')

    with op.batch_alter_table('legal_holds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_legal_holds_document_id'))
        batch_op.drop_index(batch_op.f('ix_legal_holds_archive_id'))

    op.drop_table('legal_holds')
    with op.batch_alter_table('disposal_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disposal_items_document_id'))
        batch_op.drop_index(batch_op.f('ix_disposal_items_batch_id'))

    op.drop_table('disposal_items')
    with op.batch_alter_table('disposal_approvals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disposal_approvals_batch_id'))

    op.drop_table('disposal_approvals')
    op.drop_table('destruction_certificates')
    op.drop_table('retention_rules')
    op.drop_table('disposal_batches')
