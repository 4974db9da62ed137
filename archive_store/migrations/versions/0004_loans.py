"""loans: view and borrow requests, their approvals, loans, extensions and view openings

Revision ID: 0004_loans
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_loans'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('borrow_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('archive_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('planned_return', sa.Date(), nullable=False),
    sa.Column('allow_download', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['archive_id'], ['archives.id'], ),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ),
    sa.ForeignKeyConstraint(['requester_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('borrow_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_borrow_requests_archive_id'), ['archive_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_borrow_requests_requester_id'), ['requester_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_borrow_requests_status'), ['status'], unique=False)

    op.create_table('loans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('borrower_id', sa.Integer(), nullable=False),
    sa.Column('archive_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('paper_location', sa.String(length=128), nullable=True),
    sa.Column('handed_out_at', sa.DateTime(), nullable=False),
    sa.Column('handed_out_by', sa.String(length=64), nullable=False),
    sa.Column('out_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=True),
    sa.Column('returned_at', sa.DateTime(), nullable=True),
    sa.Column('returned_on', sa.Date(), nullable=True),
    sa.Column('received_back_by', sa.String(length=64), nullable=True),
    sa.Column('condition', sa.String(length=16), nullable=True),
    sa.Column('return_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['archive_id'], ['archives.id'], ),
    sa.ForeignKeyConstraint(['borrower_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['request_id'], ['borrow_requests.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('request_id')
    )
    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loans_archive_id'), ['archive_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_loans_borrower_id'), ['borrower_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_loans_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_loans_out_on'), ['out_on'], unique=False)

    op.create_table('view_openings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('closes_at', sa.DateTime(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['borrow_requests.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('view_openings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_view_openings_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_view_openings_user_id'), ['user_id'], unique=False)

    op.create_table('loan_extensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('loan_id', sa.Integer(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('old_due', sa.Date(), nullable=False),
    sa.Column('new_due', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('asked_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('loan_extensions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loan_extensions_loan_id'), ['loan_id'], unique=False)

    op.create_table('borrow_approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('extension_id', sa.Integer(), nullable=True),
    sa.Column('step', sa.String(length=16), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['extension_id'], ['loan_extensions.id'], ),
    sa.ForeignKeyConstraint(['request_id'], ['borrow_requests.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('borrow_approvals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_borrow_approvals_request_id'), ['request_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('borrow_approvals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_borrow_approvals_request_id'))

    op.drop_table('borrow_approvals')
    with op.batch_alter_table('loan_extensions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loan_extensions_loan_id'))

    op.drop_table('loan_extensions')
    with op.batch_alter_table('view_openings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_view_openings_user_id'))
        batch_op.drop_index(batch_op.f('ix_view_openings_request_id'))

    op.drop_table('view_openings')
    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loans_out_on'))
        batch_op.drop_index(batch_op.f('ix_loans_due_on'))
        batch_op.drop_index(batch_op.f('ix_loans_borrower_id'))
        batch_op.drop_index(batch_op.f('ix_loans_archive_id'))

    op.drop_table('loans')
    with op.batch_alter_table('borrow_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_borrow_requests_status'))
        batch_op.drop_index(batch_op.f('ix_borrow_requests_requester_id'))
        batch_op.drop_index(batch_op.f('ix_borrow_requests_archive_id'))

    op.drop_table('borrow_requests')
