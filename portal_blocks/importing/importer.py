"""Importing the legacy portal's archive: page text (``.txt``, of either template: see
:mod:`.pages`) and JSON Lines (``.jsonl``), from files or whole directory trees.

Each record is validated in full (format, then :class:`ArticleSchema`) before anything is
written, and then written inside its own savepoint, so a record is imported whole or not at
all, and one bad record (even a line no JSON reader can take) does not stop the others.

Records are written in batches (:meth:`Importer.add_batch`), each committed on its own by the
caller (:meth:`Importer.commit`): an interrupted import, even a killed process, leaves every
record either fully in or fully out, and running it again skips what is in. A batch looks up
its articles and their exact routes in one statement each, so a record already imported as it
is costs no statement of its own ("unchanged"), unless its legacy address is served by a route
pattern rather than an exact route (a 2021 page at ``/Pages/<slug>.aspx``): which pattern
matches is werkzeug's to say, one look-up per such record.

A record is keyed by its legacy path when it has one, else by its slug; a page text without a
URL line, which has no address of its own, is also matched by its title and day to the one
article readers see with both (so the reference page updates the demo article). Importing the
same files again updates articles in place, and changes only what a record gives: a field it
does not name (a category, a status, an image the page text cannot hold) stays as it was.

A legacy path becomes an exact route to its article, so it must be a literal path (the schema
refuses patterns) and must not be another article's or page's address
(:meth:`Importer._route`): an import adds addresses, it never takes one over.

Hosts: a page's URL line names the host it was served on. Department sub-sites have hosts of
their own, and the same path on two of them is two pages, so the route of a page of another
host than the portal's own is bound to that host (``Route.host``, ``Article.legacy_host``) and
answers there only. Which hosts are the portal's own the importer cannot tell: they are given
(``--main-host``, :attr:`Importer.main_hosts`), and their pages' routes are unbound, answering on
every host (the portal under its own name, a test server, an address by IP). A JSON Lines record
names its host in ``legacy_host``, and is bound the same way; a record without a host (no URL
line, no ``legacy_host``) is unbound. A page of another host at a 2021 address
(``/Pages/<slug>.aspx``) gets a slug of its own, told apart by its host (:func:`_slug_on_host`):
with the address's own slug, the shared ``/Pages/<slug>.aspx`` pattern would show it on every
host, where the exact route bound to its host is to show it there alone. One path is one
page per host: two records of one run at the same address of the same host are refused, the
second naming the first.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import ValidationError
from sqlalchemy import or_, select
from sqlalchemy import text as sql_text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from portal_blocks.content.schemas import ArticleSchema
from portal_blocks.content.visibility import VISIBLE_TO_READERS
from portal_blocks.importing.legacy_text import slug_for, suffix_for
from portal_blocks.importing.pages import PageTextError, parse_page
from portal_blocks.layout.routing import RouteMatch, match_route, route_key
from portal_blocks.layout.service import ensure_route, route_at
from portal_blocks.models import Article, Layout, Route
from portal_blocks.text.nul import NUL, NUL_MESSAGE
from portal_blocks.text.slug import LEGACY_ROUTE, is_slug
from portal_blocks.text.slug import legacy_path as legacy_path_of_slug

FORMATS = (".txt", ".jsonl")
#: What the counts call a JSON Lines record (the page templates are named in :mod:`.pages`).
JSONL = "JSONL"
#: Articles an import creates before it first refreshes PostgreSQL's statistics of them.
ANALYZE_FROM = 1000
#: How many articles a page text matched by title and day may name in its error.
MATCHES_SHOWN = 5
#: How a NUL in a field's name is printed (a terminal would drop it).
_SHOWN_NUL = "\\x00"
_schema = ArticleSchema()


@dataclass(frozen=True)
class RecordError:
    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


@dataclass
class Record:
    """One article to import, or the errors that keep it out."""

    source: str
    line: int
    data: dict[str, Any] | None = None
    field_lines: dict[str, int] = field(default_factory=dict)
    errors: list[RecordError] = field(default_factory=list)
    #: A page text's date is a day, not a time: that day, [start, end), in the portal's zone.
    published_day: tuple[datetime, datetime] | None = None
    #: The page template or JSONL the record was read as; ``None``: not known (unreadable).
    template: str | None = None
    #: The host of a page's URL line (whose route is bound to it unless it is one of the
    #: portal's own), and its address's category segments (2018–2020 pages).
    host: str | None = None
    category_path: tuple[str, ...] = ()

    def gives(self, name: str) -> bool:
        """Whether the record names the field (else the schema's default stands in for it)."""
        return self.data is not None and name in self.data


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RecordError] = field(default_factory=list)
    failed_records: int = 0
    #: Created as drafts only because the record gave no status: said, so none goes unnoticed.
    drafts_without_status: int = 0
    #: Pages without an update stamp, dated when imported: said, for an editor to date them.
    dated_at_import: int = 0

    def __str__(self) -> str:
        counts = (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.failed_records} failed"
        )
        if self.drafts_without_status:
            counts += f"; {self.drafts_without_status} imported as drafts (no status given)"
        if self.dated_at_import:
            counts += f"; {self.dated_at_import} page(s) without an update stamp dated at import"
        return counts

    @property
    def records(self) -> int:
        return self.created + self.updated + self.unchanged + self.failed_records

    def merge(self, other: ImportSummary) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.errors += other.errors
        self.failed_records += other.failed_records
        self.drafts_without_status += other.drafts_without_status
        self.dated_at_import += other.dated_at_import


def _read_text(path: Path) -> tuple[str | None, RecordError | None]:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, RecordError(str(path), line, "not UTF-8 text")


def _nul_error(path: Path, text: str) -> RecordError | None:
    """NUL is refused up front, as GraphQL refuses it: PostgreSQL text cannot hold it, and
    SQLite would keep what PostgreSQL cannot."""
    at = text.find(NUL)
    return None if at < 0 else RecordError(str(path), text.count("\n", 0, at) + 1, NUL_MESSAGE)


def _day_of(published_at: str, timezone: str) -> tuple[datetime, datetime]:
    """The day a page text's date names, from its midnight to the next, in ``timezone``."""
    start = datetime.fromisoformat(published_at)
    end = datetime.combine(start.date() + timedelta(days=1), time(), ZoneInfo(timezone))
    return start, end


def read_txt(path: Path, *, timezone: str, category: str | None) -> Iterator[Record]:
    """One page text file is one record, of whichever template its shape is."""
    text, error = _read_text(path)
    if error is None and text is not None:
        error = _nul_error(path, text)
    if error is not None or text is None:
        yield Record(str(path), error.line if error else 1, errors=[error] if error else [])
        return
    try:
        page = parse_page(text, timezone=timezone)
    except PageTextError as exc:
        yield Record(
            str(path),
            exc.errors[0].line,
            errors=[RecordError(str(path), e.line, e.message) for e in exc.errors],
            template=exc.template,
        )
        return
    parsed = page.article
    if category is not None:
        parsed.data.setdefault("category", category)  # a 2018–2020 address names its own
    published_at = parsed.data.get("published_at")
    # A date without its time (the 2021 template, a stamp without one), or none at all (the
    # article is dated when imported): no time of day to show.
    parsed.data["published_time_known"] = bool(published_at) and not parsed.day_only
    yield Record(
        str(path),
        1,
        data=parsed.data,
        field_lines=parsed.field_lines,
        published_day=_day_of(published_at, timezone) if published_at and parsed.day_only else None,
        template=page.template,
        host=parsed.host,
        category_path=parsed.category_path,
    )


def count_records(path: Path) -> int:
    if path.suffix.lower() == ".jsonl":
        with path.open("rb") as handle:
            return sum(1 for line in handle if line.strip())
    return 1


def read_jsonl(path: Path, *, category: str | None) -> Iterator[Record]:
    """One article per line (blank lines are skipped), as :class:`ArticleSchema` reads it."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            data, problem = _json_of(raw, first=number == 1)
            if problem is not None:
                yield Record(
                    str(path), number, errors=[_error(path, number, problem)], template=JSONL
                )
                continue
            if not isinstance(data, dict):
                yield Record(
                    str(path),
                    number,
                    errors=[_error(path, number, "expected a JSON object")],
                    template=JSONL,
                )
                continue
            if category is not None:
                data.setdefault("category", category)
            if not data.get("slug") and isinstance(data.get("title"), str):
                legacy_path = data.get("legacy_path")
                data["slug"] = slug_for(
                    data["title"],
                    legacy_path if isinstance(legacy_path, str) else None,
                    f"{data['title']}\n{data.get('published_at')}",
                )
            yield Record(str(path), number, data=data, template=JSONL)


def _json_of(raw: bytes, *, first: bool) -> tuple[Any, str | None]:
    """One line's JSON value, or why no JSON reader takes it.

    Besides malformed text, Python's reader fails on nesting deeper than its recursion limit
    and on integers longer than its digit limit; those are one bad line too, not a reason to
    stop the run (and, on PostgreSQL, to lose the file's earlier records with it).
    """
    try:
        return json.loads(raw.decode("utf-8-sig" if first else "utf-8")), None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"not JSON: {exc}"
    except RecursionError:
        return None, "not JSON: nested too deeply"
    except ValueError:  # the only other failure: an integer past the digit limit
        return None, f"not JSON: a number with more than {sys.get_int_max_str_digits()} digits"


def _error(path: Path, line: int, message: str) -> RecordError:
    return RecordError(str(path), line, message)


def source_files(paths: Iterable[Path]) -> list[Path]:
    """The files to read: each file given, and under each directory given every ``.txt`` and
    ``.jsonl`` file of its tree, in name order (so a rerun reads them in the same order)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*") if p.suffix.lower() in FORMATS and p.is_file()
            )
        else:
            found.append(path)
    return found


def read_file(path: Path, *, timezone: str, category: str | None = None) -> Iterator[Record]:
    suffix = path.suffix.lower()
    if suffix == ".txt":
        return read_txt(path, timezone=timezone, category=category)
    if suffix == ".jsonl":
        return read_jsonl(path, category=category)
    raise ValueError(f"{path}: unknown format '{suffix}' (expected one of {', '.join(FORMATS)})")


def _flatten(messages: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for key, value in messages.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flatten(value, f"{name}.")
        else:
            for message in value:
                yield name, str(message)


def _nul_errors(record: Record, data: dict[str, Any]) -> list[RecordError]:
    """Each field whose name or text holds NUL (a value that is no text fails the schema)."""
    return [
        RecordError(
            record.source,
            record.field_lines.get(name, record.line),
            f"{name.replace(NUL, _SHOWN_NUL)}: {NUL_MESSAGE}",
        )
        for name, value in data.items()
        if NUL in name or (isinstance(value, str) and NUL in value)
    ]


def validate(record: Record) -> dict[str, Any] | None:
    """The loaded article, or ``None`` with the record's errors filled in."""
    if record.data is None:
        return None
    nul = _nul_errors(record, record.data)
    if nul:
        record.errors += nul
        return None
    try:
        loaded: dict[str, Any] = _schema.load(record.data)
        return loaded
    except ValidationError as exc:
        messages = exc.messages_dict
        record.errors += [
            RecordError(record.source, record.field_lines.get(name, record.line), f"{name}: {msg}")
            for name, msg in _flatten(messages)
        ]
        return None


#: A legacy address as the importer keys it: the host its route is bound to (None: unbound),
#: and its path (an article's) or its route key (a route's).
Address = tuple[str | None, str]


class _Known:
    """The articles and exact routes one batch's records name, fetched for the whole batch,
    and kept up to date as its records are written."""

    def __init__(self) -> None:
        self.by_address: dict[Address, Article] = {}
        self.by_slug: dict[str, Article] = {}
        #: The exact routes at the records' addresses, by host and key: the article of each.
        self.routes: dict[Address, int | None] = {}

    def fetch(self, session: Session, records: Iterable[dict[str, Any]]) -> None:
        paths = {r["legacy_path"] for r in records if r.get("legacy_path")}
        slugs = {r["slug"] for r in records if r.get("slug")}
        self.by_address, self.by_slug, self.routes = {}, {}, {}
        if not paths and not slugs:
            return
        for article in session.scalars(
            select(Article).where(or_(Article.legacy_path.in_(paths), Article.slug.in_(slugs)))
        ):
            self.remember(article)
        if paths:
            keys = {route_key(path) for path in paths}
            rows = session.execute(
                select(Route.host, Route.path_key, Route.article_id).where(Route.path_key.in_(keys))
            )
            self.routes = {(host, key): article_id for host, key, article_id in rows}

    def remember(self, article: Article) -> None:
        if article.legacy_path:
            self.by_address[(article.legacy_host, article.legacy_path)] = article
        self.by_slug[article.slug] = article


class Importer:
    """Writes validated records, a batch at a time; holds the run's counts and errors.

    :attr:`summary` counts what is committed; the batch's own counts join it at
    :meth:`commit`, and are dropped at :meth:`rollback`, so that after an interruption the
    summary says what is in the database.
    """

    def __init__(self, session: Session, layout: Layout, *, main_hosts: Iterable[str] = ()) -> None:
        self.session = session
        self.layout = layout
        #: The portal's own hosts (normalised, see ``routing.normalise_host``): their pages'
        #: routes answer on every host; any other host's are bound to it.
        self.main_hosts = frozenset(main_hosts)
        self.summary = ImportSummary()
        self.pending = ImportSummary()
        self._known = _Known()
        #: Each address of a page read in this run (host, route key): where it was read.
        self._read_at: dict[Address, str] = {}
        self._pending_read_at: dict[Address, str] = {}
        #: Articles created since the statistics were last refreshed (:meth:`analyze`).
        self._unanalysed = 0

    def add(self, record: Record) -> None:
        self.add_batch([record])

    def add_batch(self, records: Sequence[Record]) -> None:
        """Validate and write ``records``, in order, each whole or not at all; commit them
        with :meth:`commit`."""
        loaded = [self._bound(record, validate(record)) for record in records]
        self._begin()
        self._known.fetch(self.session, [fields for fields in loaded if fields is not None])
        for record, fields in zip(records, loaded, strict=True):
            if fields is None:
                self._failed(record)
            else:
                self._add(record, fields)

    def _begin(self) -> None:
        """Open the batch's transaction on SQLite before its first savepoint.

        Python's sqlite3 driver begins a transaction only before a write, so the first
        record's SAVEPOINT would begin it, and that savepoint's RELEASE would commit it: every
        record a commit of its own (a sync to disk each), and the batch no transaction at all.
        """
        connection = self.session.connection()
        if connection.dialect.name != "sqlite":
            return
        driver = connection.connection.dbapi_connection
        if driver is not None and not getattr(driver, "in_transaction", True):
            connection.exec_driver_sql("BEGIN")

    def commit(self) -> None:
        self.session.commit()
        self._unanalysed += self.pending.created
        self.summary.merge(self.pending)
        self._read_at.update(self._pending_read_at)
        self.pending, self._pending_read_at = ImportSummary(), {}
        if self._unanalysed >= max(ANALYZE_FROM, self.summary.created - self._unanalysed):
            self.analyze()

    def analyze(self) -> None:
        """Refresh PostgreSQL's statistics of the tables an import fills, when it filled some.

        A table loaded faster than autovacuum looks at it keeps the statistics of when it was
        small, and the planner then scans all of ``route`` for its few patterns, on every
        record's look-up and on every reader's page. Run as the import doubles what it wrote,
        and at its end. (Without the right to, PostgreSQL warns and skips: nothing fails.)
        """
        if self._unanalysed and self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(sql_text("ANALYZE article, route"))
            self.session.commit()
        self._unanalysed = 0

    def rollback(self) -> None:
        self.session.rollback()
        self.pending, self._pending_read_at = ImportSummary(), {}

    def _bound(self, record: Record, loaded: dict[str, Any] | None) -> dict[str, Any] | None:
        """The record as bound to its host, before the batch looks its articles up: a JSON
        Lines record's host is its ``legacy_host``, and a page of a bound host at the address
        the shared pattern serves (``/Pages/<slug>.aspx``) takes a slug the pattern does not
        give it, lest it answer at that address on every host. None when that slug cannot be
        had (the record's errors say why)."""
        if loaded is None:
            return None
        if record.host is None and loaded.get("legacy_host"):
            record.host = loaded["legacy_host"]
        host, path, slug = self.bound_host(record), loaded.get("legacy_path"), loaded.get("slug")
        if host is None or not path or not slug:
            return loaded
        if route_key(path) == route_key(legacy_path_of_slug(slug)):
            try:
                loaded["slug"] = _slug_on_host(slug, host)
            except ValueError as exc:
                record.errors.append(
                    RecordError(record.source, record.line, f"not imported: {exc}")
                )
                return None
        return loaded

    def bound_host(self, record: Record) -> str | None:
        """The host the record's route is bound to: its page's, unless that is one of the
        portal's own (or it has none)."""
        return None if record.host is None or record.host in self.main_hosts else record.host

    def _add(self, record: Record, loaded: dict[str, Any]) -> None:
        host = self.bound_host(record)
        legacy_path = loaded.get("legacy_path")
        if legacy_path:
            loaded["legacy_host"] = host
        try:
            self._check_read_once(record, host, legacy_path)
            article = self._existing(record, loaded)
            if article is not None and self._is_current(record, loaded, article):
                outcome = "unchanged"
            else:
                with self.session.begin_nested():
                    outcome, article = self._write(record, loaded, article)
                self._known.remember(article)
        except (SQLAlchemyError, ValueError) as exc:
            record.errors.append(
                RecordError(record.source, record.line, f"not imported: {_reason(exc)}")
            )
            self._failed(record)
            return
        if legacy_path and record.host:
            self._pending_read_at[(host, route_key(legacy_path))] = _where(record)
        pending = self.pending
        setattr(pending, outcome, getattr(pending, outcome) + 1)
        if outcome == "created":
            if not record.gives("status"):
                pending.drafts_without_status += 1
            if record.template not in (None, JSONL) and not record.gives("published_at"):
                pending.dated_at_import += 1

    def _failed(self, record: Record) -> None:
        self.pending.failed_records += 1
        self.pending.errors += record.errors

    def _check_read_once(self, record: Record, host: str | None, legacy_path: str | None) -> None:
        """One address of one host is one page: a second page read at it in the same run
        would silently replace the first. (The same path of another host is another page.)"""
        if not legacy_path or not record.host:
            return
        address = (host, route_key(legacy_path))
        seen = self._pending_read_at.get(address) or self._read_at.get(address)
        if seen is not None and seen != _where(record):
            on = f"on {host}" if host is not None else "on the portal's own hosts"
            raise ValueError(
                f"{legacy_path} {on} is also the address of the page read at {seen}; "
                "one address is one page"
            )

    def _is_current(self, record: Record, loaded: dict[str, Any], article: Article) -> bool:
        """Whether the article already holds what the record gives and its legacy address
        leads to it: then nothing is written, and nothing more is asked of the database but,
        for an address no exact route holds, which route it matches."""
        for key, value in _changes(record, loaded, article).items():
            if getattr(article, key) != value:
                return False
        legacy_path = loaded.get("legacy_path")
        if not legacy_path:
            return True
        address = (loaded["legacy_host"], route_key(legacy_path))
        if address in self._known.routes:
            return self._known.routes[address] == article.id
        match = match_route(self.session, legacy_path, loaded["legacy_host"])
        return _leads_there(match, article, loaded["legacy_host"])

    def _write(
        self, record: Record, loaded: dict[str, Any], article: Article | None
    ) -> tuple[str, Article]:
        if article is None:
            article = Article(**loaded)
            self.session.add(article)
            outcome = "created"
        else:
            for key, value in _changes(record, loaded, article).items():
                if getattr(article, key) != value:
                    setattr(article, key, value)
            outcome = "updated" if self.session.is_modified(article) else "unchanged"
        self.session.flush()
        legacy_path = loaded.get("legacy_path")
        if legacy_path:
            self._route(article, legacy_path)
            self._known.routes[(article.legacy_host, route_key(legacy_path))] = article.id
        return outcome, article

    def _existing(self, record: Record, loaded: dict[str, Any]) -> Article | None:
        """The article this record is: by legacy address (host and path), else slug, else (a
        page text without a URL line) by title and day. The batch fetched those by path and
        slug beforehand."""
        legacy_path = loaded.get("legacy_path")
        if legacy_path:
            by_address = self._known.by_address.get((loaded["legacy_host"], legacy_path))
            if by_address is not None:
                return by_address
        article = self._known.by_slug.get(loaded["slug"])
        if article is not None and article.legacy_path and legacy_path:
            if article.legacy_path != legacy_path:
                raise ValueError(
                    f"slug '{article.slug}' belongs to the article at {article.legacy_path}"
                )
            # The same path on another host: another page, whose slug (made from the path)
            # the first one took. Its own is told apart by its host, the same on every run.
            loaded["slug"] = _slug_on_host(loaded["slug"], record.host or "")
            article = self._known.by_slug.get(loaded["slug"])
        if article is not None:
            if article.legacy_path and legacy_path:
                raise ValueError(
                    f"slug '{article.slug}' belongs to the article at {article.legacy_path}"
                )
            return article
        if record.published_day is not None and not legacy_path:
            return self._same_page(loaded["title"], record.published_day)
        return None

    def _same_page(self, title: str, day: tuple[datetime, datetime]) -> Article | None:
        """The article readers see with this title on this day: a page text has no other key,
        and its derived slug differs from that of an article made elsewhere (the demo's)."""
        start, end = day
        matches = self.session.scalars(
            select(Article)
            .where(
                VISIBLE_TO_READERS,
                Article.published_at >= start,
                Article.published_at < end,
                Article.title == title,
            )
            .order_by(Article.id)
            .limit(MATCHES_SHOWN)
        ).all()
        if len(matches) > 1:
            slugs = ", ".join(a.slug for a in matches)
            raise ValueError(
                f"the page's title and date match several articles ({slugs}); "
                "give it a URL line to say which"
            )
        return matches[0] if matches else None

    def _route(self, article: Article, legacy_path: str) -> None:
        """Make the legacy address show the article on its host (``legacy_host``; None: on
        every host), unless a route already leads there; refuse an address that shows, or
        belongs to, another article or page of that host. An unbound route at the path is no
        other page's address on the host: a route bound to it answers there first, and the
        unbound one everywhere else."""
        host = article.legacy_host
        match = match_route(self.session, legacy_path, host)
        if _leads_there(match, article, host):
            return
        if match is not None and match.host != host:
            match = None
        if match is None and (host, route_key(legacy_path)) not in self._known.routes:
            # No route matches, and the batch's look-up found no exact route at this path
            # (nor did a record of the batch add one): nothing to ask before adding it.
            self.session.add(
                Route(
                    pattern=legacy_path,
                    host=host,
                    layout_id=self.layout.id,
                    article_id=article.id,
                )
            )
            self.session.flush()
            return
        taken = self._owner_of(match, legacy_path, article, host)
        if taken is not None:
            raise ValueError(f"{legacy_path} {taken}")
        ensure_route(self.session, legacy_path, self.layout, article_id=article.id, host=host)

    def _owner_of(
        self, match: RouteMatch | None, path: str, article: Article, host: str | None
    ) -> str | None:
        """Whose address ``path`` is on ``host``, when not ``article``'s: said as the error's
        end."""
        exact = self.session.scalar(select(Route).where(*route_at(path, host)))
        if exact is not None and exact.article_id != article.id:
            return self._shown_by(exact.article_id)
        if match is None:
            return None
        if match.article_id is not None:
            return self._shown_by(match.article_id)
        if match.slug is None:
            route = self.session.get(Route, match.route_id)
            # A catch-all pattern's page may give way to an exact path; an exact page may not.
            return None if route is not None and route.is_pattern else self._shown_by(None)
        owner = self.session.scalar(select(Article.slug).where(Article.slug == match.slug))
        if owner is not None:
            return f"is already the address of the article '{owner}'"
        route = self.session.get(Route, match.route_id)
        if route is not None and route.pattern != LEGACY_ROUTE:
            # Any slug's address by that pattern, even before its article exists (a later
            # record may add it): only legacy addresses may name a slug not their article's.
            return f"is the address of slug '{match.slug}' under the route {route.pattern}"
        return None

    def _shown_by(self, article_id: int | None) -> str:
        if article_id is None:
            return "is already the address of another page"
        slug = self.session.scalar(select(Article.slug).where(Article.id == article_id))
        return f"is already the address of the article '{slug}'"


def _where(record: Record) -> str:
    return f"{record.source}:{record.line}"


def _slug_on_host(slug: str, host: str) -> str:
    """The slug of a page whose address another host's page has: its own made from the
    address, then 4 hex characters of its host."""
    own = f"{slug}-{suffix_for(host)}"
    if not is_slug(own):
        raise ValueError(
            f"slug '{slug}' belongs to the page at the same path on another host, and this "
            "page's own would be too long"
        )
    return own


def _leads_there(match: RouteMatch | None, article: Article, host: str | None) -> bool:
    """Whether ``match`` shows the article on ``host`` and there alone: for a bound host, only
    a route bound to it does (an unbound one, a pattern's, shows it on every host)."""
    return match is not None and _leads_to(match, article) and match.host == host


def _leads_to(match: RouteMatch, article: Article) -> bool:
    return match.article_id == article.id or (
        match.article_id is None and match.slug == article.slug
    )


def _changes(record: Record, loaded: dict[str, Any], article: Article) -> dict[str, Any]:
    """What re-importing changes: only the fields the record gives.

    A field it does not name keeps its value rather than taking the schema's default: the
    category an earlier ``--category`` set, the status an editor published, the image a page
    text cannot hold. An article keeps its slug (its address), and a publish date unless the
    record gives a new one: a page text's day does not move a time already set on that day.
    """
    changes = {k: v for k, v in loaded.items() if record.gives(k) and k != "slug"}
    when = changes.get("published_at")
    day = record.published_day
    if when is None or (
        day is not None
        and article.published_at is not None
        and day[0] <= article.published_at < day[1]
    ):
        changes.pop("published_at", None)
        # Whether the time is known says what the date given with it holds: kept with it,
        # unless the article still holds the day's midnight this page gave it (imported before
        # the flag was kept): then that is no time of day anyone set.
        if day is None or article.published_at != day[0]:
            changes.pop("published_time_known", None)
    if "legacy_path" in changes:  # an address is its path on its host
        changes["legacy_host"] = loaded.get("legacy_host")
    return changes


def _reason(exc: Exception) -> str:
    if isinstance(exc, SQLAlchemyError):
        orig = getattr(exc, "orig", None)
        text = str(orig) if orig is not None else type(exc).__name__
        return "conflicts with an existing article (" + text.splitlines()[0] + ")"
    return str(exc)
