"""``portal-blocks import PATH...``: bring the legacy portal's articles in (see README)."""

from __future__ import annotations

import signal
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from types import FrameType

import click
from flask.cli import with_appcontext

from portal_blocks.db import db
from portal_blocks.demo import ensure_default_layout
from portal_blocks.importing.importer import (
    FORMATS,
    JSONL,
    Importer,
    ImportSummary,
    Record,
    count_records,
    read_file,
    source_files,
    validate,
)
from portal_blocks.importing.pages import TEMPLATE_2021, TEMPLATE_OLD
from portal_blocks.layout.routing import normalise_host
from portal_blocks.state import get_state

#: Runs with at least this many records show a progress bar.
PROGRESS_FROM = 20
#: Records per transaction: small enough that an interruption loses little work, large enough
#: that a batch's look-ups (one statement each) and its commit are shared by many records.
BATCH_SIZE = 200
#: The exit status of a run stopped by Ctrl-C (128 + SIGINT), as shells report one.
INTERRUPTED_STATUS = 130
#: How a run reports its progress: the number of records just done.
Progress = Callable[[int], None]


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--category", help="Category of the imported articles that name none.")
@click.option(
    "--dry-run", is_flag=True, help="Read and check everything, write nothing, print counts."
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option(
    "--main-host",
    "main_hosts",
    multiple=True,
    metavar="HOST",
    help="A host of the portal itself (repeat for each, e.g. backan.gov.vn, www.backan.gov.vn): "
    "its pages answer at their old paths on every host. A page of any other host (a "
    "department sub-site) answers on that host only.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=BATCH_SIZE,
    show_default=True,
    help="Records per transaction (what an interruption may leave to the next run).",
)
@with_appcontext
def import_command(
    paths: tuple[Path, ...],
    category: str | None,
    dry_run: bool,
    quiet: bool,
    main_hosts: tuple[str, ...],
    batch_size: int,
) -> None:
    """Import articles from legacy page text (.txt) and JSON Lines (.jsonl) files, or from
    every such file under the directories given.

    Page text of the 2021 template and of the 2018–2020 template is told apart by its shape.
    Each record is imported whole or not at all, in transactions of a few hundred: an
    interrupted run (Ctrl-C, a killed process) leaves every record fully in or fully out, and
    running it again imports the rest, counting what is in as unchanged. Re-importing updates
    articles in place (keyed by legacy path, else slug). Errors are listed as FILE:LINE:
    message, and the command exits with status 1 if there were any.

    --dry-run reads and checks every record (its template, then the article's fields) and
    counts the records of each template, without touching the database: what only the
    database can refuse (an address another article already has) shows in a real run.

    A page's old address answers on the host of its URL line only (a sub-site's pages on the
    sub-site's domain; one path on two hosts is two pages), unless that host is given with
    --main-host: the portal's own pages answer at their old paths on every host.
    """
    unknown = [str(p) for p in paths if not p.is_dir() and p.suffix.lower() not in FORMATS]
    if unknown:
        raise click.UsageError(
            f"unknown format: {', '.join(unknown)} (expected {' or '.join(FORMATS)})"
        )
    own_hosts = _main_hosts(main_hosts)
    files = source_files(paths)
    timezone = get_state().timezone
    total = sum(count_records(f) for f in files)
    records = (
        record for path in files for record in read_file(path, timezone=timezone, category=category)
    )
    with click.progressbar(
        length=total,
        label="Checking" if dry_run else "Importing",
        file=sys.stderr,
        hidden=quiet or total < PROGRESS_FROM,
    ) as bar:
        if dry_run:
            _dry_run(records, bar.update, len(files))
        else:
            _import(records, bar.update, len(files), batch_size, own_hosts)


def _main_hosts(given: Iterable[str]) -> frozenset[str]:
    """The hosts as routes hold them (lowercased, no port); a value that is no host is a usage
    error, not a silently unbound or bound page."""
    hosts = set()
    for value in given:
        host = normalise_host(value)
        if host is None or "/" in value:
            raise click.BadParameter(
                f"'{value}' is not a host name such as backan.gov.vn", param_hint="--main-host"
            )
        hosts.add(host)
    return frozenset(hosts)


def _batches(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    iterator = iter(records)
    while batch := list(islice(iterator, size)):
        yield batch


class StopAfterBatch:
    """Ctrl-C asks the import to stop after the batch in progress; a second one stops it at
    once.

    Python's own Ctrl-C raises ``KeyboardInterrupt`` wherever the interpreter is, and when that
    is inside a finalizer (SQLAlchemy cleans up its instance states in weakref callbacks, a
    busy import runs thousands of them) the exception is printed as "Exception ignored" and
    lost: the import went on to the end and exited 0. A flag cannot be lost that way.
    """

    def __init__(self) -> None:
        self.asked = False

    def __call__(self, _signum: int, _frame: FrameType | None) -> None:
        if self.asked:
            raise KeyboardInterrupt
        self.asked = True

    @contextmanager
    def installed(self) -> Iterator[StopAfterBatch]:
        if threading.current_thread() is not threading.main_thread():
            yield self  # only the main thread may handle signals: Python's default stays
            return
        previous = signal.signal(signal.SIGINT, self)
        try:
            yield self
        finally:
            signal.signal(signal.SIGINT, previous)


def _import(
    records: Iterable[Record],
    progress: Progress,
    files: int,
    batch_size: int,
    main_hosts: frozenset[str],
) -> None:
    session = db.session_proxy
    importer = Importer(session, ensure_default_layout(session), main_hosts=main_hosts)
    session.commit()  # the default layout: in before any record, whatever happens next
    try:
        with StopAfterBatch().installed() as stop:
            for batch in _batches(records, batch_size):
                importer.add_batch(batch)
                importer.commit()
                progress(len(batch))
                if stop.asked:
                    raise KeyboardInterrupt
    except KeyboardInterrupt:
        try:
            importer.rollback()
        finally:
            _report(importer.summary)
            click.echo(
                f"Interrupted after {importer.summary.records} record(s) of {files} file(s): "
                f"{importer.summary}. Every record is either imported whole or not at all; "
                "run the same command again to import the rest.",
                err=True,
            )
            sys.exit(INTERRUPTED_STATUS)
    importer.analyze()
    _report(importer.summary)
    click.echo(f"Imported {files} file(s): {importer.summary}.")
    if importer.summary.errors:
        sys.exit(1)


def _dry_run(records: Iterable[Record], progress: Progress, files: int) -> None:
    """Every record read and checked against the schema; nothing asked of the database."""
    templates: Counter[str | None] = Counter()
    summary = ImportSummary()
    for record in records:
        templates[record.template] += 1
        if validate(record) is None:
            summary.failed_records += 1
            summary.errors += record.errors
        progress(1)
    _report(summary)
    counts = [
        f"{templates[TEMPLATE_2021]} page(s) of the {TEMPLATE_2021}",
        f"{templates[TEMPLATE_OLD]} page(s) of the {TEMPLATE_OLD}",
        f"{templates[JSONL]} JSONL record(s)",
    ]
    if templates[None]:
        counts.append(f"{templates[None]} file(s) read as neither template")
    click.echo(
        f"Dry run, nothing written: {files} file(s), {', '.join(counts)}; "
        f"{summary.failed_records} with errors."
    )
    if summary.errors:
        sys.exit(1)


def _report(summary: ImportSummary) -> None:
    for error in summary.errors:
        click.echo(str(error), err=True)
