"""article category slugs

Category pages (``/chuyen-muc/<category>``) and the list blocks name a category by its slug,
``article.category_slug`` ("Văn hóa - Xã hội" -> "van-hoa-xa-hoi"), derived from the name on
every write and listed newest first on its own index. Existing rows get theirs here, by the
rule as it is at this revision, one UPDATE per distinct category.

Adding a column and an index changes no table's shape on SQLite beyond ALTER TABLE ADD COLUMN:
no rebuild, so the search triggers stay as they are.

Revision ID: b41c7d0e5a92
Revises: 9d7dd34c6f62
Create Date: 2026-12-01 14:00:00.000000

"""

import re
import unicodedata

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "b41c7d0e5a92"
down_revision = "9d7dd34c6f62"
branch_labels = None
depends_on = None

_EXTRA = str.maketrans({"đ": "d", "ł": "l", "ø": "o", "ħ": "h", "æ": "ae", "œ": "oe", "þ": "th"})
_NOT_SLUG = re.compile(r"[^a-z0-9\s-]")
_SPACES = re.compile(r"[\s-]+")


def category_slug(name):
    """``portal_blocks.text.slug.category_slug`` as it is at this revision."""
    if name is None:
        return None
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_EXTRA)
    stem = _SPACES.sub("-", _NOT_SLUG.sub("", folded).strip()).strip("-")
    return stem[:120].strip("-") or None


_ARTICLE = sa.table(
    "article", sa.column("category", sa.String), sa.column("category_slug", sa.String)
)


def upgrade():
    op.add_column("article", sa.Column("category_slug", sa.String(length=120), nullable=True))
    connection = op.get_bind()
    names = connection.execute(
        sa.select(_ARTICLE.c.category).where(_ARTICLE.c.category.is_not(None)).distinct()
    ).scalars()
    for name in list(names):
        connection.execute(
            _ARTICLE.update()
            .where(_ARTICLE.c.category == name)
            .values(category_slug=category_slug(name))
        )
    op.create_index(
        "ix_article_category_slug_published",
        "article",
        ["category_slug", "status", "published_at", "id"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_article_category_slug_published", table_name="article")
    # ALTER TABLE ... DROP COLUMN on SQLite too (3.35+): a batch rebuild would drop the
    # search triggers with the old table.
    op.drop_column("article", "category_slug")
