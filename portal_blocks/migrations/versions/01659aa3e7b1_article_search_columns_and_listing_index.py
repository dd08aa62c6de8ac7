"""article search columns and listing index

Adds the shadow columns that diacritic-insensitive search compares (filled for existing rows
here, by the same Python function the app uses on every write), the index that lists a category
by publish date, and the indexes behind search: pg_trgm GIN on both columns on PostgreSQL, an
FTS5 word index over both, kept in step by triggers, on SQLite.

Revision ID: 01659aa3e7b1
Revises: f3b95e6fa15f
Create Date: 2026-11-26 05:52:41.090470

"""
from alembic import op
import sqlalchemy as sa

from portal_blocks.text.search_text import search_columns

# revision identifiers, used by Alembic.
revision = '01659aa3e7b1'
down_revision = 'f3b95e6fa15f'
branch_labels = None
depends_on = None

BACKFILL_BATCH = 1000

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE article_fts USING fts5(search_folded, search_exact, "
    "content='article', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER article_fts_insert AFTER INSERT ON article BEGIN "
    "INSERT INTO article_fts(rowid, search_folded, search_exact) "
    "VALUES (new.id, new.search_folded, new.search_exact); END",
    "CREATE TRIGGER article_fts_delete AFTER DELETE ON article BEGIN "
    "INSERT INTO article_fts(article_fts, rowid, search_folded, search_exact) "
    "VALUES ('delete', old.id, old.search_folded, old.search_exact); END",
    "CREATE TRIGGER article_fts_update AFTER UPDATE OF search_folded, search_exact ON article "
    "BEGIN "
    "INSERT INTO article_fts(article_fts, rowid, search_folded, search_exact) "
    "VALUES ('delete', old.id, old.search_folded, old.search_exact); "
    "INSERT INTO article_fts(rowid, search_folded, search_exact) "
    "VALUES (new.id, new.search_folded, new.search_exact); END",
    "INSERT INTO article_fts(article_fts) VALUES ('rebuild')",
]


def _backfill():
    article = sa.table(
        'article',
        sa.column('id', sa.Integer),
        sa.column('title', sa.Text),
        sa.column('lead', sa.Text),
        sa.column('body_html', sa.Text),
        sa.column('status', sa.String),
        sa.column('published_at', sa.DateTime(timezone=True)),
        sa.column('created_at', sa.DateTime(timezone=True)),
        sa.column('search_folded', sa.Text),
        sa.column('search_exact', sa.Text),
    )
    bind = op.get_bind()
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(article.c.id, article.c.title, article.c.lead, article.c.body_html)
            .where(article.c.id > last_id)
            .order_by(article.c.id)
            .limit(BACKFILL_BATCH)
        ).all()
        if not rows:
            break
        for row in rows:
            bind.execute(
                article.update()
                .where(article.c.id == row.id)
                .values(**search_columns(row.title, row.lead, row.body_html))
            )
        last_id = rows[-1].id
    # A published article always has a publish date from now on (lists order by it).
    bind.execute(
        article.update()
        .where(article.c.status == 'published', article.c.published_at.is_(None))
        .values(published_at=article.c.created_at)
    )


def upgrade():
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_folded', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('search_exact', sa.Text(), server_default='', nullable=False))
        batch_op.create_index('ix_article_category_published', ['category', 'status', 'published_at', 'id'], unique=False)

    _backfill()

    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in ('search_folded', 'search_exact'):
            op.execute(
                f"CREATE INDEX ix_article_{column}_trgm ON article "
                f"USING gin ({column} gin_trgm_ops)"
            )
    elif dialect == 'sqlite':
        for statement in SQLITE_FTS:
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        for column in ('search_folded', 'search_exact'):
            op.execute(f"DROP INDEX IF EXISTS ix_article_{column}_trgm")
    elif dialect == 'sqlite':
        for name in ('article_fts_insert', 'article_fts_delete', 'article_fts_update'):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS article_fts")

    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.drop_index('ix_article_category_published')
        batch_op.drop_column('search_exact')
        batch_op.drop_column('search_folded')
