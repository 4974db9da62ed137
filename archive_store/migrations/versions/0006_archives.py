"""archives day to day: merged-away archives and first contact, moved documents' old
numbers, the two-person check's queue, password history

Revision ID: 0006_archives
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_archives'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite: added in place, the reference inline. Batch mode would copy the table to add
    # the foreign key, and dropping the old `archives` is refused while the documents'
    # foreign keys are enforced.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE archives ADD COLUMN merged_into_id INTEGER REFERENCES archives (id)')
    else:
        op.add_column('archives', sa.Column('merged_into_id', sa.Integer(), nullable=True))
        op.create_foreign_key('fk_archives_merged_into_id', 'archives', 'archives', ['merged_into_id'], ['id'])
    op.add_column('archives', sa.Column('first_contact_on', sa.Date(), nullable=True))
    op.create_table('doc_no_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('old_doc_no', sa.String(length=80), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('moved_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('old_doc_no')
    )
    with op.batch_alter_table('doc_no_aliases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_doc_no_aliases_document_id'), ['document_id'], unique=False)
    op.create_table('pending_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('archive_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('old_value', sa.Text(), nullable=True),
    sa.Column('new_value', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('proposed_by', sa.String(length=64), nullable=False),
    sa.Column('proposed_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['archive_id'], ['archives.id'], ),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('pending_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_changes_archive_id'), ['archive_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pending_changes_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pending_changes_state'), ['state'], unique=False)
    op.create_table('password_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('password_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_history_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('password_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_history_user_id'))
    op.drop_table('password_history')
    with op.batch_alter_table('pending_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_changes_state'))
        batch_op.drop_index(batch_op.f('ix_pending_changes_document_id'))
        batch_op.drop_index(batch_op.f('ix_pending_changes_archive_id'))
    op.drop_table('pending_changes')
    with op.batch_alter_table('doc_no_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_doc_no_aliases_document_id'))
    op.drop_table('doc_no_aliases')
    op.drop_column('archives', 'first_contact_on')
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE archives DROP COLUMN merged_into_id')  # SQLite 3.35+
    else:
        op.drop_constraint('fk_archives_merged_into_id', 'archives', type_='foreignkey')
        op.drop_column('archives', 'merged_into_id')
