"""Alembic environment of portal-blocks' own database.

The engine and metadata always come from portal-blocks' database handle (never from a host's
Flask-SQLAlchemy or Flask-Migrate), and the revision is kept in a version table of our own.
Runs under ``portal-blocks db ...`` (Flask-Migrate, standalone app) and under
``portal_blocks.migrate.upgrade_database()`` (any app with the extension).
"""

import logging
from collections.abc import Iterable
from logging.config import fileConfig
from typing import Any

from flask import current_app
from sqlalchemy import Connection

from alembic import context
from alembic.operations.ops import MigrationScript
from alembic.runtime.migration import MigrationContext
from portal_blocks.db import db
from portal_blocks.migrate import VERSION_TABLE

config = context.config

# Leave a host's logging alone; configure ours only when nothing else has.
if config.config_file_name is not None and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")


def get_engine_url() -> str:
    return db.engine.url.render_as_string(hide_password=False).replace("%", "%%")


config.set_main_option("sqlalchemy.url", get_engine_url())


def configure_args() -> dict[str, Any]:
    """Flask-Migrate's options when it runs us (standalone app), plus our version table."""
    migrate = current_app.extensions.get("migrate")
    args = dict(migrate.configure_args) if migrate is not None and migrate.db is db else {}
    args["version_table"] = VERSION_TABLE
    args.setdefault("render_as_batch", True)
    return args


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url")
    context.configure(url=url, target_metadata=db.metadata, literal_binds=True, **configure_args())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # Prevent an empty revision when autogenerate finds no change.
    def process_revision_directives(
        context: MigrationContext,
        revision: str | Iterable[str | None],
        directives: list[MigrationScript],
    ) -> None:
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            upgrade_ops = script.upgrade_ops
            assert upgrade_ops is not None, "autogenerate gives every script its upgrade ops"
            if upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    args = configure_args()
    if args.get("process_revision_directives") is None:
        args["process_revision_directives"] = process_revision_directives

    with db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=db.metadata, **args)
        try:
            with context.begin_transaction():
                context.run_migrations()
        finally:
            _foreign_keys_on_again(connection)


def _foreign_keys_on_again(connection: Connection) -> None:
    """A SQLite migration that rebuilds a table turns foreign keys off for its connection
    (see 9d7dd34c6f62); the connection goes back to the pool, so they are turned on again,
    outside any transaction (where SQLite would ignore it)."""
    if connection.dialect.name != "sqlite":
        return
    connection.rollback()  # nothing is left uncommitted: each migration commits its own
    connection.exec_driver_sql("PRAGMA foreign_keys=ON")
    connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
