"""``portal-blocks create-token | list-tokens | revoke-token``."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from portal_blocks.auth.models import ApiToken, Role
from portal_blocks.auth.tokens import create_token, revoke_token
from portal_blocks.db import db


@click.command("create-token")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", required=True, help="Who or what holds the token (shown in history).")
@with_appcontext
def create_token_command(role: str, name: str) -> None:
    """Create an API token and print it once; only its hash is stored."""
    row, token = create_token(db.session_proxy, name=name, role=Role(role))
    db.session.commit()
    click.echo(f"Token {row.id} for {row.name} ({row.role.value}); it is shown only now:")
    click.echo(token)


@click.command("list-tokens")
@with_appcontext
def list_tokens_command() -> None:
    """List tokens (id, role, name, created, revoked); the tokens themselves are not stored.

    On a terminal the columns get a header row; piped, the output is the rows alone (as with
    ``gh``'s lists), so scripts reading it with ``cut`` or ``read`` need not skip a line.
    """
    rows = db.session.scalars(select(ApiToken).order_by(ApiToken.id))
    if sys.stdout.isatty():
        click.echo("id\trole\tname\tcreated\trevoked")
    for row in rows:
        revoked = row.revoked_at.isoformat() if row.revoked_at else "active"
        click.echo(
            f"{row.id}\t{row.role.value}\t{row.name}\t{row.created_at.isoformat()}\t{revoked}"
        )


@click.command("revoke-token")
@click.argument("token_id", type=int)
@with_appcontext
def revoke_token_command(token_id: int) -> None:
    """Revoke a token by its id (from list-tokens); it stops working at once."""
    row = revoke_token(db.session_proxy, token_id)
    if row is None:
        raise click.ClickException(f"no token with id {token_id}")
    db.session.commit()
    assert row.revoked_at is not None  # revoke_token sets it, unless it was set already
    click.echo(f"Token {row.id} ({row.name}) revoked at {row.revoked_at.isoformat()}.")


def register(group: click.Group) -> None:
    for command in (create_token_command, list_tokens_command, revoke_token_command):
        group.add_command(command)
