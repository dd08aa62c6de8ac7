"""The ``portal-blocks`` command: Flask's CLI (``db`` from Flask-Migrate included) plus ours."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade
from gunicorn.app.base import BaseApplication

from portal_blocks import contract
from portal_blocks.app import create_app
from portal_blocks.auth import cli as auth_cli
from portal_blocks.caching.cli import caches, persisted_queries
from portal_blocks.db import db
from portal_blocks.demo import load_demo
from portal_blocks.hostcli import load_demo_command
from portal_blocks.import_command import import_command
from portal_blocks.observability import configure_logging
from portal_blocks.state import get_state


def _create_app() -> Flask:
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def cli() -> None:
    """portal-blocks: page blocks for publishing portals, over GraphQL and HTML."""


auth_cli.register(cli)
cli.add_command(persisted_queries)
cli.add_command(caches)
cli.add_command(import_command)
cli.add_command(load_demo_command)  # the same command a host app gets as ``blocks load-demo``


@cli.command("export-schema")
@click.option(
    "--dir",
    "directory",
    default="schema",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
)
@click.option("--check", is_flag=True, help="Fail if the files differ instead of writing them.")
@with_appcontext
def export_schema_command(directory: Path, check: bool) -> None:
    """Write the GraphQL SDL and the block settings JSON Schemas (the committed contract)."""
    schema = get_state().schema
    if check:
        stale = contract.stale_files(directory, schema)
        if stale:
            raise click.ClickException("stale contract files: " + ", ".join(stale))
        click.echo("contract files are current")
        return
    for name in contract.write(directory, schema):
        click.echo(f"wrote {directory / name}")


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


def _serve(app: Flask, host: str, port: int, workers: int) -> None:
    configure_logging()
    click.echo(f"Serving on http://{host}:{port}/ (GraphQL at /graphql)")
    _Gunicorn(
        app,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "accesslog": None,
            "preload_app": True,
            "control_socket_disable": True,
        },
    ).run()


_host = click.option("--host", default="127.0.0.1", show_default=True)
_port = click.option(
    "--port",
    type=int,
    default=lambda: int(os.environ.get("PORT", "5000")),
    show_default="PORT or 5000",
)
_workers = click.option("--workers", type=int, default=2, show_default=True)


@cli.command("serve")
@_host
@_port
@_workers
@with_appcontext
def serve_command(host: str, port: int, workers: int) -> None:
    """Serve the app with gunicorn."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # flask types it as Flask, not as the proxy
    db.engine.dispose()  # connections must not be shared with forked workers
    _serve(app, host, port, workers)


@cli.command("demo")
@_host
@_port
@_workers
@with_appcontext
def demo_command(host: str, port: int, workers: int) -> None:
    """Upgrade the database, load the demo content and serve it."""
    upgrade()
    count = load_demo(db.session_proxy)
    click.echo(f"Demo content loaded: {count} article(s).")
    click.echo(
        f"Demo article: http://{host}:{port}/tin-tuc/"
        "gia-tri-san-xuat-cong-nghiep-thang-102021-tang-47-f2d9"
    )
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # flask types it as Flask, not as the proxy
    db.session.remove()
    db.engine.dispose()
    _serve(app, host, port, workers)
