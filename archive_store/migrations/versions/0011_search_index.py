"""the search index in the database, for `[index] backend = "postgresql"`: per document the
analyzer's terms in a tsvector with a GIN index, and each term's document count

Revision ID: 0011_search_index
Revises: 0010_pages_read
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0011_search_index'
down_revision = '0010_pages_read'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('search_index',
    sa.Column('doc_no', sa.String(length=80), nullable=False),
    sa.Column('archive_no', sa.String(length=64), nullable=False),
    sa.Column('doc_type', sa.String(length=32), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('terms', postgresql.TSVECTOR().with_variant(sa.Text(), 'sqlite'), nullable=False),
    sa.Column('head', postgresql.TSVECTOR().with_variant(sa.Text(), 'sqlite'), nullable=False),
    sa.Column('sort_day', sa.Integer(), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=True),
    sa.Column('ranges', sa.JSON(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('doc_no')
    )
    op.create_index('ix_search_index_terms', 'search_index', ['terms'], unique=False, postgresql_using='gin')
    op.create_index('ix_search_index_sort_day', 'search_index', ['sort_day'], unique=False)
    op.create_index('ix_search_index_amount', 'search_index', ['amount'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        # Every match ts_rank scores reads its row's terms whole: LZ4 inflates them several
        # times faster than the default pglz (where the server was built with it).
        op.execute("DO $$ BEGIN ALTER TABLE search_index ALTER COLUMN terms SET COMPRESSION lz4; "
                   "EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN NULL; END $$")
    op.create_table('search_terms',
    sa.Column('term', sa.Text(), nullable=False),
    sa.Column('df', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('term')
    )
    op.create_index('ix_search_terms_prefix', 'search_terms', ['term'], unique=False,
                    postgresql_ops={'term': 'text_pattern_ops'})


def downgrade() -> None:
    op.drop_index('ix_search_terms_prefix', table_name='search_terms')
    op.drop_table('search_terms')
    op.drop_index('ix_search_index_amount', table_name='search_index')
    op.drop_index('ix_search_index_sort_day', table_name='search_index')
    op.drop_index('ix_search_index_terms', table_name='search_index')
    op.drop_table('search_index')
