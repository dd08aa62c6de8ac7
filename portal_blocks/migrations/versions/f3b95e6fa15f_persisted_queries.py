"""persisted queries: registered GraphQL documents by sha256

Revision ID: f3b95e6fa15f
Revises: 8c5b7efeab0c
Create Date: 2026-11-26 05:28:35.295934

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3b95e6fa15f'
down_revision = '8c5b7efeab0c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('persisted_query',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('query', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_persisted_query'))
    )


def downgrade():
    op.drop_table('persisted_query')
