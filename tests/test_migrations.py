"""The migrations build exactly the schema the models describe, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal_blocks.db import db
from portal_blocks.migrate import VERSION_TABLE


def _fk_key(constraint) -> tuple:
    return (
        constraint.table.name,
        tuple(c.name for c in constraint.columns),
        constraint.referred_table.name,
    )


def without_unnamed_fk_twins(diff: list) -> list:
    """SQLite does not report the name of a foreign key declared inside ALTER TABLE ADD COLUMN,
    so the same key shows up as removed (unnamed) and added (named): that pair is no change."""
    removed = {_fk_key(d[1]) for d in diff if d[0] == "remove_fk" and d[1].name is None}
    added = {_fk_key(d[1]) for d in diff if d[0] == "add_fk"}
    twins = removed & added
    return [d for d in diff if not (d[0] in ("remove_fk", "add_fk") and _fk_key(d[1]) in twins)]


def managed_by_models(obj, name, type_, reflected, compare_to) -> bool:
    """Search indexes live outside the models: the FTS5 tables and their triggers on SQLite,
    the pg_trgm GIN indexes on PostgreSQL (both made by the search migration)."""
    if type_ == "table" and name and name.startswith("article_fts"):
        return False
    return not (type_ == "index" and name and name.endswith("_trgm"))


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "version_table": VERSION_TABLE,
                "include_object": managed_by_models,
            },
        )
        diff = compare_metadata(context, db.metadata)
    assert without_unnamed_fk_twins(diff) == [], diff
