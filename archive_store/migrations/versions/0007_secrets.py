"""secrets: boxes of the secret values found on each page, values corrected away, session epochs

Revision ID: 0007_secrets
Revises: 0006_archives
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_secrets'
down_revision = '0006_archives'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('earlier_values', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('secret_boxes', sa.JSON(), nullable=True))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('secret_boxes')
        batch_op.drop_column('earlier_values')
