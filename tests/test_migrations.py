"""The migrations build exactly the schema the models describe, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal_blocks.db import db
from portal_blocks.migrate import VERSION_TABLE


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "version_table": VERSION_TABLE}
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == [], diff
