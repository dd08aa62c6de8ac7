"""``flask blocks ...``: the commands a host app gets with the extension."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import DBAPIError

from portal_blocks.backup import BackupRefused, backup_sqlite
from portal_blocks.caching.cli import caches
from portal_blocks.db import db
from portal_blocks.demo import load_demo
from portal_blocks.migrate import HOST_UPGRADE_COMMAND, missing_from_schema, upgrade_database


class SchemaAwareGroup(click.Group):
    """Commands run on a database whose schema was never created (or is behind) end in one
    line naming the command that creates it, not in a traceback."""

    upgrade_command = HOST_UPGRADE_COMMAND

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DBAPIError as exc:
            missing = missing_from_schema(exc)
            if missing is None:
                raise
            raise click.ClickException(
                f"the database schema is missing or out of date ({missing}): "
                f"run `{self.upgrade_command}`"
            ) from None


@click.group("blocks", cls=SchemaAwareGroup)
def blocks_cli() -> None:
    """portal-blocks' database and demo content, in a host app."""


@blocks_cli.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def upgrade_command(revision: str) -> None:
    """Upgrade portal-blocks' own database (PORTAL_BLOCKS_DATABASE_URL) to REVISION."""
    upgrade_database(revision)
    click.echo(f"portal-blocks database at {revision}")


blocks_cli.add_command(caches)


@blocks_cli.command("backup")
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(destination: Path) -> None:
    """Copy portal-blocks' SQLite database to DESTINATION (a new file) while the app serves:
    a snapshot of the last commit, its write-ahead log included (see portal_blocks.backup)."""
    try:
        backup_sqlite(db.engine, destination)
    except BackupRefused as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"portal-blocks database copied to {destination}")


@blocks_cli.command("load-demo")
@with_appcontext
def load_demo_command() -> None:
    """Load the demo portal: the reference article and 11 more, the article, home and
    category layouts and their routes (idempotent)."""
    count = load_demo(db.session_proxy)
    click.echo(
        f"Demo content loaded: {count} articles, layouts news-detail, home (/) and category "
        "(/chuyen-muc/<category>)."
    )
