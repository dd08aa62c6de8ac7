"""``portal-blocks persisted-queries``: register the theme's documents ahead of time.
``portal-blocks caches clear``: drop every cached response and page in every process."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from portal_blocks.cache_tags import ALL
from portal_blocks.caching.invalidation import invalidate
from portal_blocks.state import get_state


@click.group("persisted-queries")
def persisted_queries() -> None:
    """Persisted queries (needed with PORTAL_BLOCKS_PERSISTED_QUERIES_ONLY)."""


@persisted_queries.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def add_command(files: tuple[Path, ...]) -> None:
    """Register each file's GraphQL document; prints its sha256 id, the id clients send."""
    persisted = get_state().front.persisted
    for path in files:
        digest = persisted.register(path.read_text(encoding="utf-8"))
        click.echo(f"{digest}  {path}")


@click.group("caches")
def caches() -> None:
    """The response, page-data and viewer caches."""


@caches.command("clear")
@with_appcontext
def clear_command() -> None:
    """Drop every entry, in every process (through Redis, or this host's invalidation log).

    Commits through SQLAlchemy invalidate by themselves; this is for what they cannot see:
    statements run by hand on the database, a restored backup, a host's article store.
    """
    invalidate(frozenset({ALL}))
    click.echo("caches cleared")
