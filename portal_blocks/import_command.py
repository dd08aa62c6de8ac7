"""``portal-blocks import FILE...``: bring the legacy portal's articles in (see README)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from portal_blocks.db import db
from portal_blocks.demo import ensure_default_layout
from portal_blocks.importing.importer import FORMATS, Importer, count_records, read_file
from portal_blocks.state import get_state

#: Runs with at least this many records show a progress bar.
PROGRESS_FROM = 20


@click.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--category", help="Category of the imported articles that name none.")
@with_appcontext
def import_command(files: tuple[Path, ...], category: str | None) -> None:
    """Import articles from legacy page text (.txt) and JSON Lines (.jsonl) files.

    Each record is imported whole or not at all; re-importing updates articles in place
    (keyed by legacy path, else slug). Errors are listed as FILE:LINE: message, and the
    command exits with status 1 if there were any.
    """
    unknown = [str(f) for f in files if f.suffix.lower() not in FORMATS]
    if unknown:
        raise click.UsageError(
            f"unknown format: {', '.join(unknown)} (expected {' or '.join(FORMATS)})"
        )
    timezone = get_state().timezone
    session = db.session_proxy
    importer = Importer(session, ensure_default_layout(session))
    total = sum(count_records(f) for f in files)
    with click.progressbar(
        length=total, label="Importing", file=sys.stderr, hidden=total < PROGRESS_FROM
    ) as bar:
        for path in files:
            for record in read_file(path, timezone=timezone, category=category):
                importer.add(record)
                bar.update(1)
            session.commit()
    summary = importer.summary
    for error in summary.errors:
        click.echo(str(error), err=True)
    click.echo(f"Imported {len(files)} file(s): {summary}.")
    if summary.errors:
        sys.exit(1)
