"""The ``portal-blocks`` command: our commands, Flask-Migrate's ``db`` and the host's ``blocks``.

It is a plain click group, not Flask's ``FlaskGroup``: the app is always ours, configured from
the environment and served by gunicorn, so Flask's ``--app``, ``--env-file``, ``--debug``,
``run``, ``shell`` and ``routes`` would only offer ways to load some other app or to serve this
one with the development server.

Failures every command can meet are one line, not a traceback: settings the app refuses
(:class:`~portal_blocks.config.SettingsError`), installed block types it cannot serve
(:class:`~portal_blocks.block_types.loading.BlockTypeError`) and a database without our schema.
"""

from __future__ import annotations

import errno
import os
import socket
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click
from flask import Flask, has_app_context
from flask.cli import ScriptInfo, pass_script_info, with_appcontext
from flask_migrate import upgrade
from flask_migrate.cli import db as migrate_db  # type: ignore[import-not-found]  # no stubs
from gunicorn.app.base import BaseApplication

from portal_blocks import contract
from portal_blocks.app import create_app
from portal_blocks.auth import cli as auth_cli
from portal_blocks.block_types import BUILTIN
from portal_blocks.block_types.loading import BlockTypeError
from portal_blocks.caching.cli import caches, persisted_queries
from portal_blocks.config import SettingsError
from portal_blocks.db import db
from portal_blocks.demo import demo_articles, load_demo
from portal_blocks.graphql.schema import Limits, PortalSchema, schema_for
from portal_blocks.hostcli import SchemaAwareGroup, backup_command, blocks_cli, load_demo_command
from portal_blocks.import_command import import_command
from portal_blocks.memory import keep_large_blocks_off_the_heap, share_startup_objects
from portal_blocks.migrate import UPGRADE_COMMAND
from portal_blocks.observability import configure_logging
from portal_blocks.render.urls import article_url
from portal_blocks.state import get_state

DISTRIBUTION = "portal-blocks"


class PortalGroup(SchemaAwareGroup):
    """Loads the app (:func:`create_app`, from the environment) for the commands that need it,
    through Flask's ``ScriptInfo``, so ``with_appcontext`` and Flask's test runner work as
    with any Flask command."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        # Flask's test runner passes a ScriptInfo of its own app; keep it when given.
        extra.setdefault(
            "obj",
            ScriptInfo(create_app=create_app, set_debug_flag=False, load_dotenv_defaults=False),
        )
        return super().make_context(info_name, args, parent, **extra)

    upgrade_command = UPGRADE_COMMAND

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (SettingsError, BlockTypeError) as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=PortalGroup)
@click.version_option(package_name=DISTRIBUTION, prog_name=DISTRIBUTION)
def cli() -> None:
    """portal-blocks: page blocks for publishing portals, over GraphQL and HTML."""


auth_cli.register(cli)
cli.add_command(migrate_db, "db")
cli.add_command(blocks_cli)  # what a host app gets as `flask blocks ...`
cli.add_command(persisted_queries)
cli.add_command(caches)
cli.add_command(import_command)
cli.add_command(load_demo_command)  # the same command a host app gets as ``blocks load-demo``
cli.add_command(backup_command)  # and as ``blocks backup``


@cli.command("export-schema")
@click.option(
    "--dir",
    "directory",
    default="schema",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
)
@click.option("--check", is_flag=True, help="Fail if the files differ instead of writing them.")
@click.option(
    "--builtin-only",
    is_flag=True,
    help="Only the built-in block types (portal-blocks' own contract), not those of the "
    "installed packages the app serves.",
)
@with_appcontext
def export_schema_command(directory: Path, check: bool, builtin_only: bool) -> None:
    """Write the GraphQL SDL and the block settings JSON Schemas of the block types the app
    serves (with --builtin-only: of the built-in ones, the contract committed in schema/)."""
    schema = builtin_schema() if builtin_only else get_state().schema
    if check:
        drift = contract.compare(directory, schema)
        if drift:
            again = " --builtin-only" if builtin_only else ""
            installed = sorted({t.name for t in schema.block_types} - {t.name for t in BUILTIN})
            hint = (
                f"; the app also serves block types of installed packages ({', '.join(installed)})"
                ": for the built-in ones alone, add --builtin-only"
                if installed
                else ""
            )
            raise click.ClickException(
                f"contract files under {directory} are not what the code produces; "
                f"{drift.describe()}; run `{DISTRIBUTION} export-schema{again} --dir {directory}`"
                + hint
            )
        click.echo("contract files are current")
        return
    for name in contract.write(directory, schema):
        click.echo(f"wrote {directory / name}")


def builtin_schema() -> PortalSchema:
    """The schema of the built-in block types alone (the limits change nothing it prints)."""
    return schema_for(Limits(), tuple(sorted(BUILTIN, key=lambda t: t.name)))


class _Gunicorn(BaseApplication):
    """Serve the app object we already built, with options given in code, not a config file."""

    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Callable[..., Iterable[bytes]]:
        """The WSGI app, typed by what it returns only: types-gunicorn's WSGI callable takes a
        start_response that returns None, so no PEP 3333 app (as typeshed types Flask) fits it."""
        return self.application


def ensure_bindable(host: str, port: int) -> None:
    """Fail now, in one line, if gunicorn could not listen on ``host:port``.

    Otherwise "Serving on ..." would be printed first, and gunicorn would then retry the taken
    port for five seconds, logging each attempt, before it gives up. (Another process may
    still take the port between this check and gunicorn's bind; gunicorn then reports it.)
    """
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise click.ClickException(f"cannot serve on {host}: {exc.strerror}") from None
    family, kind, proto, _name, address = found[0]
    with socket.socket(family, kind, proto) as probe:
        # As gunicorn binds: a port whose last connections linger in TIME_WAIT is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                reason = f"port {port} on {host} is already in use"
            else:
                reason = f"cannot listen on port {port} on {host}: {exc.strerror}"
            raise click.ClickException(f"{reason}; choose another with --port (or PORT)") from None


def _serve(app: Flask, host: str, port: int, workers: int) -> None:
    """Run gunicorn's arbiter, which forks the workers from this process.

    No app context may be active here. Forked workers would inherit it, and Flask pushes a new
    app context for a request only when none is active: every request of a worker would then
    share that one context, and flask-sqlalchemy's session (scoped to the app context) would
    be shared by every request and never removed, holding its transaction open between
    requests and failing every request after one failed statement.
    """
    if has_app_context():
        raise RuntimeError("gunicorn must start outside any app context (its workers fork)")
    keep_large_blocks_off_the_heap()  # inherited by the forked workers
    configure_logging()
    click.echo(f"Serving on http://{host}:{port}/ (GraphQL at /graphql)")
    server = _Gunicorn(
        app,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "accesslog": None,
            "preload_app": True,
            "control_socket_disable": True,
        },
    )
    share_startup_objects()  # last: the workers fork from what is frozen now
    server.run()


_host = click.option("--host", default="127.0.0.1", show_default=True)
_port = click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=lambda: os.environ.get("PORT", "5000"),
    show_default="PORT or 5000",
)
_workers = click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True)


@cli.command("serve")
@_host
@_port
@_workers
@pass_script_info
def serve_command(info: ScriptInfo, host: str, port: int, workers: int) -> None:
    """Serve the app with gunicorn."""
    ensure_bindable(host, port)
    app = info.load_app()
    with app.app_context():
        db.engine.dispose()  # connections must not be shared with forked workers
    _serve(app, host, port, workers)


@cli.command("demo")
@_host
@_port
@_workers
@pass_script_info
def demo_command(info: ScriptInfo, host: str, port: int, workers: int) -> None:
    """Upgrade the database, load the demo content and serve it."""
    ensure_bindable(host, port)
    app = info.load_app()
    # The setup's context ends before gunicorn starts (see _serve).
    with app.app_context():
        upgrade()
        count = load_demo(db.session_proxy)
        path = article_url(demo_articles()[0]["slug"])
        db.session.remove()
        db.engine.dispose()  # connections must not be shared with forked workers
    click.echo(f"Demo content loaded: {count} articles.")
    click.echo(f"Demo portal: http://{host}:{port}/")
    click.echo(f"Demo article: http://{host}:{port}{path}")
    click.echo(
        f"Layout workspace: http://{host}:{port}/editor/ "
        "(a token: portal-blocks create-token --role editor --name demo)"
    )
    _serve(app, host, port, workers)
