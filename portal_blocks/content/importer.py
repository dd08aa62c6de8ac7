"""Importing the legacy portal's archive: page text (``.txt``) and JSON Lines (``.jsonl``).

Each record is validated in full (format, then :class:`ArticleSchema`) before anything is
written, and then written inside its own savepoint, so a record is imported whole or not at
all, and one bad record does not stop the others. A record is keyed by its legacy path when it
has one, else by its slug, so importing the same files again updates articles in place.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from portal_blocks.content.legacy_text import LegacyTextError, parse_legacy_text, slug_for
from portal_blocks.content.schemas import ArticleSchema
from portal_blocks.layout.routing import match_route
from portal_blocks.layout.service import ensure_route
from portal_blocks.models import Article, Layout, Route

FORMATS = (".txt", ".jsonl")
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


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RecordError] = field(default_factory=list)
    failed_records: int = 0

    def __str__(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.failed_records} failed"
        )


def _read_text(path: Path) -> tuple[str | None, RecordError | None]:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, RecordError(str(path), line, "not UTF-8 text")


def read_txt(path: Path, *, timezone: str, category: str | None) -> Iterator[Record]:
    """One legacy page text file is one record."""
    text, error = _read_text(path)
    if error is not None or text is None:
        yield Record(str(path), error.line if error else 1, errors=[error] if error else [])
        return
    try:
        parsed = parse_legacy_text(text, timezone=timezone)
    except LegacyTextError as exc:
        yield Record(
            str(path),
            exc.errors[0].line,
            errors=[RecordError(str(path), e.line, e.message) for e in exc.errors],
        )
        return
    if category is not None:
        parsed.data["category"] = category
    yield Record(str(path), 1, data=parsed.data, field_lines=parsed.field_lines)


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
            try:
                data = json.loads(raw.decode("utf-8-sig" if number == 1 else "utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                yield Record(str(path), number, errors=[_error(path, number, f"not JSON: {exc}")])
                continue
            if not isinstance(data, dict):
                yield Record(
                    str(path), number, errors=[_error(path, number, "expected a JSON object")]
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
            yield Record(str(path), number, data=data)


def _error(path: Path, line: int, message: str) -> RecordError:
    return RecordError(str(path), line, message)


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


def validate(record: Record) -> dict[str, Any] | None:
    """The loaded article, or ``None`` with the record's errors filled in."""
    if record.data is None:
        return None
    try:
        return _schema.load(record.data)
    except ValidationError as exc:
        messages = exc.normalized_messages()
        record.errors += [
            RecordError(record.source, record.field_lines.get(name, record.line), f"{name}: {msg}")
            for name, msg in _flatten(messages)
        ]
        return None


class Importer:
    """Writes validated records; holds the run's counts and errors."""

    def __init__(self, session: Session, layout: Layout) -> None:
        self.session = session
        self.layout = layout
        self.summary = ImportSummary()

    def add(self, record: Record) -> None:
        loaded = validate(record)
        if loaded is None:
            self._failed(record)
            return
        try:
            with self.session.begin_nested():
                outcome = self._write(loaded)
        except (SQLAlchemyError, ValueError) as exc:
            record.errors.append(
                RecordError(record.source, record.line, f"not imported: {_reason(exc)}")
            )
            self._failed(record)
            return
        setattr(self.summary, outcome, getattr(self.summary, outcome) + 1)

    def _failed(self, record: Record) -> None:
        self.summary.failed_records += 1
        self.summary.errors += record.errors

    def _write(self, loaded: dict[str, Any]) -> str:
        legacy_path = loaded.get("legacy_path")
        article = None
        if legacy_path:
            article = self.session.scalar(select(Article).where(Article.legacy_path == legacy_path))
        if article is None:
            article = self.session.scalar(select(Article).where(Article.slug == loaded["slug"]))
            if article is not None and article.legacy_path and legacy_path:
                raise ValueError(
                    f"slug '{article.slug}' belongs to the article at {article.legacy_path}"
                )
        if article is None:
            article = Article(**loaded)
            self.session.add(article)
            outcome = "created"
        else:
            if legacy_path and article.legacy_path == legacy_path:
                loaded["slug"] = article.slug  # an article keeps the address it has
            if loaded.get("published_at") is None:
                del loaded["published_at"]  # keep the date it was given when first published
            for key, value in loaded.items():
                if getattr(article, key) != value:
                    setattr(article, key, value)
            outcome = "updated" if self.session.is_modified(article) else "unchanged"
        self.session.flush()
        if legacy_path:
            self._route(article, legacy_path)
        return outcome

    def _route(self, article: Article, legacy_path: str) -> None:
        """Make the legacy address show the article, unless a route already leads there."""
        match = match_route(self.session, legacy_path)
        if match is not None and (
            match.article_id == article.id
            or (match.article_id is None and match.slug == article.slug)
        ):
            return
        route = self.session.scalar(select(Route).where(Route.pattern == legacy_path))
        if route is None:
            ensure_route(self.session, legacy_path, self.layout, article_id=article.id)
        else:
            route.article_id = article.id
            self.session.flush()


def _reason(exc: Exception) -> str:
    if isinstance(exc, SQLAlchemyError):
        orig = getattr(exc, "orig", None)
        text = str(orig) if orig is not None else type(exc).__name__
        return "conflicts with an existing article (" + text.splitlines()[0] + ")"
    return str(exc)
