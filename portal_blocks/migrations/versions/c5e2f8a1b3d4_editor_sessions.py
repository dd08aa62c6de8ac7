"""editor sessions of the layout workspace

An editor signs in to the workspace with an API token once and gets a session: the cookie
holds a signed random id, this table its SHA-256, the token it came from (a revoked token ends
its sessions), the CSRF token the workspace's requests carry, and when it expires or was
ended.

Revision ID: c5e2f8a1b3d4
Revises: b41c7d0e5a92
Create Date: 2026-12-01 14:10:00.000000

"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "c5e2f8a1b3d4"
down_revision = "b41c7d0e5a92"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "editor_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["token_id"], ["api_token.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_hash"),
    )


def downgrade():
    op.drop_table("editor_session")
