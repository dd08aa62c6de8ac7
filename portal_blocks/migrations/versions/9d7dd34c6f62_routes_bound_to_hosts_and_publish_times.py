"""routes bound to hosts, addresses compared by key, publish times known or not

A department sub-site's legacy addresses answer on its own host, and one path on two hosts is
two pages: ``route.host`` (NULL: every host, as every route was) and ``article.legacy_host``.
Uniqueness moves from the path alone to the path per host; NULLs are distinct in a unique
constraint on both databases, so the unbound rows get a partial unique index of their own.

Routes are found by ``route.path_key``: the pattern with a SharePoint address (``.aspx``)
lowercased, as SharePoint answered those whatever their case. Existing rows get theirs here;
two routes whose addresses differ only in case would be one key, and stop the upgrade with
both named (an editor decides which one stays; nothing is deleted here).

``article.category_path``: the category's parents and itself, root first, joined by ``/``, as
a legacy address named them (NULL: not known, as for every existing article).

``article.published_time_known``: whether the publish date holds the time of day (true for
every existing article, as they are shown today).

On SQLite, dropping the old unique constraints rebuilds both tables: foreign keys are off for
that (the rebuild drops the old table, and with them on SQLite would cascade the drop to every
route of an article), and the search triggers of ``article`` are made again.

Revision ID: 9d7dd34c6f62
Revises: 5b2d0c7e9a41
Create Date: 2026-12-03 09:10:00.000000

"""

import re

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "9d7dd34c6f62"
down_revision = "5b2d0c7e9a41"
branch_labels = None
depends_on = None

_CONVERTER_PART = re.compile(r"(<[^<>]*>)")

#: The search migration's triggers (01659aa3e7b1), which a rebuild of ``article`` drops.
SQLITE_SEARCH_TRIGGERS = [
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
]


def path_key(pattern):
    """``portal_blocks.text.slug.route_key`` as it is at this revision (a migration keeps the
    rule it ran with, whatever the code does later)."""
    if not pattern.rstrip("/").lower().endswith(".aspx"):
        return pattern
    return "".join(
        part if part.startswith("<") else part.lower() for part in _CONVERTER_PART.split(pattern)
    )


class SameAddressTwice(RuntimeError):
    """Routes that become one address: the upgrade stops before changing anything."""


_ROUTE = sa.table(
    "route",
    sa.column("id", sa.Integer),
    sa.column("pattern", sa.String),
    sa.column("path_key", sa.String),
)


def _path_keys(bind):
    """Each route's key, by id; refused before anything changes (on SQLite, DDL before the
    first data change is committed at once) when two routes would have one."""
    rows = bind.execute(sa.select(_ROUTE.c.id, _ROUTE.c.pattern).order_by(_ROUTE.c.id)).all()
    by_key = {}
    for row in rows:
        by_key.setdefault(path_key(row.pattern), []).append(row)
    clashes = [found for found in by_key.values() if len(found) > 1]
    if clashes:
        listed = "; ".join(
            " and ".join(f"route {r.id} ({r.pattern})" for r in found) for found in clashes
        )
        raise SameAddressTwice(
            "These routes are one address now that SharePoint addresses (.aspx) are matched "
            f"whatever their case: {listed}. Delete or re-route all but one of each, then "
            "upgrade again."
        )
    return {row.id: key for key, (row,) in by_key.items() if key != row.pattern}


def _fill_path_keys(bind, changed):
    bind.execute(_ROUTE.update().values(path_key=_ROUTE.c.pattern))
    for route_id, key in changed.items():
        bind.execute(_ROUTE.update().where(_ROUTE.c.id == route_id).values(path_key=key))


def _foreign_keys_off_on_sqlite():
    """Effective: on SQLite each migration runs in a transaction of its own, which pysqlite
    begins only at the first data change (env.py turns foreign keys on again afterwards)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA foreign_keys=OFF")


def _search_triggers_again():
    if op.get_bind().dialect.name == "sqlite":
        for name in ("article_fts_insert", "article_fts_delete", "article_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        for statement in SQLITE_SEARCH_TRIGGERS:
            op.execute(statement)


def upgrade():
    changed = _path_keys(op.get_bind())
    _foreign_keys_off_on_sqlite()
    with op.batch_alter_table("route", schema=None) as batch_op:
        batch_op.add_column(sa.Column("path_key", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("host", sa.String(length=255), nullable=True))
    _fill_path_keys(op.get_bind(), changed)
    with op.batch_alter_table("route", schema=None) as batch_op:
        batch_op.alter_column("path_key", existing_type=sa.String(length=500), nullable=False)
        batch_op.drop_constraint("uq_route_pattern", type_="unique")
        batch_op.create_unique_constraint("uq_route_path_key_host", ["path_key", "host"])
        batch_op.create_index(
            "uq_route_path_key_any_host",
            ["path_key"],
            unique=True,
            postgresql_where=sa.text("host IS NULL"),
            sqlite_where=sa.text("host IS NULL"),
        )

    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.add_column(sa.Column("legacy_host", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("category_path", sa.String(length=1000), nullable=True))
        batch_op.add_column(
            sa.Column(
                "published_time_known", sa.Boolean(), nullable=False, server_default=sa.true()
            )
        )
        batch_op.drop_constraint("uq_article_legacy_path", type_="unique")
        batch_op.create_unique_constraint(
            "uq_article_legacy_path_host", ["legacy_path", "legacy_host"]
        )
        batch_op.create_index(
            "uq_article_legacy_path_any_host",
            ["legacy_path"],
            unique=True,
            postgresql_where=sa.text("legacy_host IS NULL"),
            sqlite_where=sa.text("legacy_host IS NULL"),
        )
    _search_triggers_again()


class SamePathOnSeveralHosts(RuntimeError):
    """A downgrade would make the rows of several hosts one: it stops, changing nothing."""


def downgrade():
    """Routes bound to a host become unbound (the previous revision has no hosts)."""
    bind = op.get_bind()
    for table, column, path in (
        ("route", "host", "pattern"),
        ("article", "legacy_host", "legacy_path"),
    ):
        taken = (
            bind.execute(
                sa.text(
                    f"SELECT {path} FROM {table} WHERE {path} IS NOT NULL "
                    f"GROUP BY {path} HAVING COUNT(*) > 1"
                )
            )
            .scalars()
            .all()
        )
        if taken:
            raise SamePathOnSeveralHosts(
                f"{len(taken)} {table} {path}(s) are held once per host (e.g. {taken[0]}), "
                f"which the previous revision cannot hold; delete the rows of {table} with a "
                f"{column} you can do without, then downgrade again."
            )
    _foreign_keys_off_on_sqlite()
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_article_legacy_path_any_host",
            postgresql_where=sa.text("legacy_host IS NULL"),
            sqlite_where=sa.text("legacy_host IS NULL"),
        )
        batch_op.drop_constraint("uq_article_legacy_path_host", type_="unique")
        batch_op.create_unique_constraint("uq_article_legacy_path", ["legacy_path"])
        batch_op.drop_column("published_time_known")
        batch_op.drop_column("category_path")
        batch_op.drop_column("legacy_host")
    _search_triggers_again()

    with op.batch_alter_table("route", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_route_path_key_any_host",
            postgresql_where=sa.text("host IS NULL"),
            sqlite_where=sa.text("host IS NULL"),
        )
        batch_op.drop_constraint("uq_route_path_key_host", type_="unique")
        batch_op.create_unique_constraint("uq_route_pattern", ["pattern"])
        batch_op.drop_column("host")
        batch_op.drop_column("path_key")
