"""The shared SQLAlchemy handle and the column types every model relies on.

The registry carries the naming convention so Alembic's batch mode can alter SQLite tables
(it needs named constraints), and the type map so ``dict[str, Any]`` columns are mutable JSON
(JSONB on PostgreSQL). See flask-sqlalchemy#1361 for why both live on an explicit registry.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, NamedTuple

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, DateTime, MetaData, String, Text, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.ext.mutable import MutableDict, MutableList
from sqlalchemy.orm import DeclarativeBase, registry
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def json_type() -> JSON:
    """A fresh instance each time: ``as_mutable`` binds to the type instance it is given."""
    return JSON().with_variant(JSONB(), "postgresql")


JSONDict = MutableDict.as_mutable(json_type())
JSONList = MutableList.as_mutable(json_type())


def nfc(value: str | None) -> str | None:
    """Vietnamese text arrives in NFC or NFD depending on the keyboard; we store one form."""
    return unicodedata.normalize("NFC", value) if value is not None else None


class NFCText(TypeDecorator[str]):
    """Text that is NFC-normalised on its way into the database, whatever the caller sent."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return nfc(value)


class NFCString(NFCText):
    """Bounded variant of :class:`NFCText` for indexed columns."""

    impl = String
    cache_ok = True  # not inherited: without it no statement with this type is cached


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes on both back-ends: SQLite drops the offset, so it is stored as naive UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; attach a timezone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={
            dict[str, Any]: JSONDict,
            list[str]: JSONList,
            datetime: UTCDateTime,
        },
    )


class PortalSQLAlchemy(SQLAlchemy):
    """Our models' own database handle, which can live in a host app beside the host's.

    flask-sqlalchemy allows one instance per app (``app.extensions["sqlalchemy"]``) and reads
    the app's ``SQLALCHEMY_*`` keys, so a plain instance would clash with a host's own, or take
    over its database. This one registers under ``app.extensions["portal_blocks_db"]`` and
    builds its single engine from ``PORTAL_BLOCKS_DATABASE_URL`` alone; everything else
    (models, the app-context-scoped session, ``db.engine``) is flask-sqlalchemy's.
    The hooks used here are stable across flask-sqlalchemy 3.1 (pinned below 3.2).
    """

    EXTENSION_KEY = "portal_blocks_db"

    def init_app(self, app: Flask) -> None:
        from portal_blocks.config import PREFIX

        if self.EXTENSION_KEY in app.extensions:
            raise RuntimeError("portal-blocks' database is already set up on this app.")
        app.extensions[self.EXTENSION_KEY] = self
        app.teardown_appcontext(self._teardown_session)
        url = app.config[PREFIX + "DATABASE_URL"]
        options: dict[str, Any] = {"url": url, **engine_options(url, app.config)}
        self._make_metadata(None)
        self._apply_driver_defaults(options, app)
        engines = self._app_engines.setdefault(app, {})
        for engine in engines.values():
            engine.dispose()
        engines.clear()
        engines[None] = self._make_engine(None, options, app)


def engine_options(url: str, config: Mapping[str, Any]) -> dict[str, Any]:
    """Bounded waits: a lost database must fail a request in seconds, not hang a worker."""
    from portal_blocks.config import PREFIX

    if url.startswith("postgresql"):
        connect_timeout = config[PREFIX + "DB_CONNECT_TIMEOUT"]
        statement_ms = int(config[PREFIX + "DB_STATEMENT_TIMEOUT_MS"])
        return {
            "pool_pre_ping": True,
            "pool_timeout": connect_timeout,
            "connect_args": {
                "connect_timeout": connect_timeout,
                "options": f"-c statement_timeout={statement_ms}",
            },
        }
    return {}  # SQLite is a file: no connection to lose, nothing to ping


db = PortalSQLAlchemy(model_class=Base, disable_autonaming=True)


class ExecutedStatement(NamedTuple):
    sql: str
    parameters: Any


@contextmanager
def recorded_statements(engine: Engine) -> Iterator[list[ExecutedStatement]]:
    """Every statement ``engine`` runs inside the block, with its parameters.

    SQL budgets are tests and a column of every benchmark; they all count the same way.
    """
    recorded: list[ExecutedStatement] = []

    def record(_conn: Any, _cursor: Any, sql: str, parameters: Any, *_args: Any) -> None:
        recorded.append(ExecutedStatement(sql, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield recorded
    finally:
        event.remove(engine, "before_cursor_execute", record)


def utcnow() -> datetime:
    return datetime.now(UTC)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """SQLite ignores foreign keys unless asked, and fails on a busy file unless told to wait."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
