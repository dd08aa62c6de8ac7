"""display preferences of anonymous viewers

Revision ID: 4e41e7537d52
Revises: 30a3bc8da00c
Create Date: 2026-11-26 05:28:01.684526

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4e41e7537d52'
down_revision = '30a3bc8da00c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('display_preference',
    sa.Column('viewer_id', sa.String(length=64), nullable=False),
    sa.Column('text_size', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('viewer_id', name=op.f('pk_display_preference'))
    )


def downgrade():
    op.drop_table('display_preference')
