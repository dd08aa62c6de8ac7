"""route patterns apart from exact paths

A route per imported legacy address makes the route table as long as the article table. Exact
paths are now found through the unique index on ``pattern``; ``is_pattern`` marks the few
routes with converters, which are the only ones read whole (a partial index), and a check keeps
the flag true to the pattern.

Revision ID: 5b2d0c7e9a41
Revises: 01659aa3e7b1
Create Date: 2026-11-26 08:05:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '5b2d0c7e9a41'
down_revision = '01659aa3e7b1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('route', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('is_pattern', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute("UPDATE route SET is_pattern = (pattern LIKE '%<%')")
    with op.batch_alter_table('route', schema=None) as batch_op:
        batch_op.alter_column('is_pattern', server_default=None)
        batch_op.create_check_constraint(
            'route_is_pattern_matches', "is_pattern = (pattern LIKE '%<%')"
        )
        batch_op.create_index(
            'ix_route_patterns',
            ['id'],
            unique=False,
            postgresql_where=sa.text('is_pattern'),
            sqlite_where=sa.text('is_pattern = 1'),
        )


def downgrade():
    with op.batch_alter_table('route', schema=None) as batch_op:
        batch_op.drop_index(
            'ix_route_patterns',
            postgresql_where=sa.text('is_pattern'),
            sqlite_where=sa.text('is_pattern = 1'),
        )
        batch_op.drop_constraint('route_is_pattern_matches', type_='check')
        batch_op.drop_column('is_pattern')
