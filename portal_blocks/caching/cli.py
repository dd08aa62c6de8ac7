"""``portal-blocks persisted-queries``: register the theme's documents ahead of time.
``portal-blocks caches clear``: drop every cached response and page in every process."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from redis.exceptions import RedisError

from portal_blocks.cache_tags import ALL
from portal_blocks.caching.invalidation import invalidate
from portal_blocks.caching.persisted import StoreUnavailable
from portal_blocks.state import get_state


@click.group("persisted-queries")
def persisted_queries() -> None:
    """Persisted queries (needed with PORTAL_BLOCKS_PERSISTED_QUERIES_ONLY)."""


@persisted_queries.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def add_command(files: tuple[Path, ...]) -> None:
    """Register each file's GraphQL document; prints its sha256 id, the id clients send.

    Every file is checked (it parses and validates against the app's schema) before any is
    stored: a list with one bad document registers none."""
    persisted = get_state().front.persisted
    documents = [(path, path.read_text(encoding="utf-8")) for path in files]
    problems = [f"{path}: {p}" for path, text in documents if (p := persisted.problem(text))]
    if problems:
        raise click.ClickException("not registered:\n" + "\n".join(problems))
    for path, text in documents:
        try:
            digest = persisted.register(text, lasting=True)
        except StoreUnavailable as exc:
            message = f"{path}: not registered, the store is down ({exc})"
            raise click.ClickException(message) from None
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
    client = get_state().caches.redis
    if client is not None:
        try:
            client.ping()
        except RedisError as exc:  # the other processes would never hear of it
            message = f"caches not cleared: Redis is unreachable ({exc})"
            raise click.ClickException(message) from None
    invalidate(frozenset({ALL}))
    click.echo("caches cleared")
