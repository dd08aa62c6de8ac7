"""The shared SQLAlchemy handle and the column types every model relies on.

The registry carries the naming convention so Alembic's batch mode can alter SQLite tables
(it needs named constraints), and the type map so ``dict[str, Any]`` columns are mutable JSON
(JSONB on PostgreSQL). See flask-sqlalchemy#1361 for why both live on an explicit registry.

Everything here acts on our own engine and our own session class only: a host app's engines
and sessions, in the same process, keep their PRAGMAs and run none of our session hooks.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple, cast
from weakref import WeakKeyDictionary

from flask import Flask, current_app, g, has_app_context
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from sqlalchemy import JSON, DateTime, MetaData, String, Text, create_engine, event, make_url
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import URL, Connection, Dialect, Engine, Result
from sqlalchemy.engine.interfaces import DBAPIConnection, DBAPICursor
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.mutable import MutableDict, MutableList
from sqlalchemy.orm import DeclarativeBase, Session, registry
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool
from sqlalchemy.sql import Executable
from sqlalchemy.types import TypeDecorator

from portal_blocks.config import PREFIX

log = logging.getLogger(__name__)

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

    impl: type[String] = Text  # annotated as Text's base, String, so NFCString may set String
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


class PortalSession(FlaskSQLAlchemySession):
    """The class of every session ``db.session`` makes, and of no host's session.

    :mod:`portal_blocks.caching.invalidation` listens on this class rather than on
    SQLAlchemy's ``Session``, so our cache hooks run for our writes only. A session of ours made
    any other way than through ``db.session`` must be of this class, or its commits invalidate
    nothing.
    """


class PortalSQLAlchemy(SQLAlchemy):
    """Our models' own database handle, which can live in a host app beside the host's.

    flask-sqlalchemy allows one instance per app (``app.extensions["sqlalchemy"]``) and reads
    the app's ``SQLALCHEMY_*`` keys, so a plain instance would clash with a host's own, or take
    over its database. This one registers under ``app.extensions["portal_blocks_db"]`` and
    builds its single engine from ``PORTAL_BLOCKS_DATABASE_URL`` alone; the host's
    ``SQLALCHEMY_*`` settings stay the host's.

    Only public members of flask-sqlalchemy's ``SQLAlchemy`` are overridden: the constructor
    (to give our session its own class), :meth:`init_app` (which never calls the base one, and
    so none of its private setup methods) and :attr:`engines`, from our own per-app mapping.
    Everything else (``db.Model``, ``db.metadata``, the app-context-scoped ``db.session``,
    ``db.engine``, ``create_all``) is flask-sqlalchemy's, and reaches our engine through the
    public :attr:`engines`, as its session's ``get_bind`` does.
    """

    EXTENSION_KEY = "portal_blocks_db"

    def __init__(self, *, model_class: type[DeclarativeBase], disable_autonaming: bool) -> None:
        super().__init__(
            model_class=model_class,
            disable_autonaming=disable_autonaming,
            session_options={"class_": PortalSession},
        )
        self._engines_by_app: WeakKeyDictionary[Flask, dict[str | None, Engine]]
        self._engines_by_app = WeakKeyDictionary()

    def init_app(self, app: Flask) -> None:
        if self.EXTENSION_KEY in app.extensions:
            raise RuntimeError("portal-blocks' database is already set up on this app.")
        app.extensions[self.EXTENSION_KEY] = self
        app.teardown_appcontext(self._remove_session)
        self._engines_by_app[app] = {None: build_engine(app)}

    @property
    def engines(self) -> Mapping[str | None, Engine]:
        """Our one engine (key ``None``) for the current app, never one of the host's."""
        app = current_app._get_current_object()  # type: ignore[attr-defined]  # flask types it as Flask, not as the proxy
        try:
            return self._engines_by_app[app]
        except KeyError:
            raise RuntimeError(
                "portal-blocks' database is not set up on this app: call PortalBlocks(app)."
            ) from None

    @property
    def session_proxy(self) -> Session:
        """``session``, typed as the :class:`Session` it stands in for wherever one is asked.

        ``session`` is a ``scoped_session``: a proxy that hands every ``Session`` method to the
        current app context's session. We pass the proxy itself, not the session it holds now,
        so whatever keeps it (a request's context, a host's article source) always reaches the
        session of the context it runs in. SQLAlchemy types the proxy as its own class, which
        is no ``Session``, although it answers every ``Session`` method.
        """
        return cast(Session, self.session)

    def _remove_session(self, _exc: BaseException | None) -> None:
        """Each app context's session, and its readers' connection (:func:`read_rows`), go
        back to the pool when the context ends."""
        reader: Connection | None = g.pop(READER_CONNECTION, None)
        if reader is not None:
            reader.close()
        self.session.remove()


def build_engine(app: Flask) -> Engine:
    """Our engine for ``app``, from ``PORTAL_BLOCKS_DATABASE_URL`` and nothing of the host's.

    SQLite gets what flask-sqlalchemy would give it (a relative path lives in the app's
    instance folder; ``:memory:`` is one connection shared by every thread), and our PRAGMAs,
    on this engine's connections alone.
    """
    raw_url = str(app.config[PREFIX + "DATABASE_URL"])
    url = make_url(raw_url)
    options = engine_options(raw_url, app.config)
    if url.get_backend_name() == "sqlite":
        url, options = _sqlite_defaults(url, options, app.instance_path)
    engine = create_engine(url, **options)
    if engine.dialect.name == "sqlite":
        journal = None if _in_memory(url) else str(app.config[PREFIX + "SQLITE_JOURNAL_MODE"])
        event.listen(engine, "connect", partial(_sqlite_pragmas, journal))
    return engine


def _in_memory(url: URL) -> bool:
    """A database without a file (``:memory:``, a URI's ``mode=memory``): each new connection
    to it would be another, empty database, so it is one connection shared by every thread,
    and it has no journal."""
    database = url.database or ""
    return database in ("", ":memory:", "file::memory:") or url.query.get("mode") == "memory"


def _sqlite_defaults(
    url: URL, options: dict[str, Any], instance_path: str
) -> tuple[URL, dict[str, Any]]:
    if _in_memory(url):
        connect_args = {**options.get("connect_args", {}), "check_same_thread": False}
        return url, {**options, "poolclass": StaticPool, "connect_args": connect_args}
    database = url.database or ""
    # A URI filename (``sqlite:///file:path?uri=true``) keeps its ``file:`` scheme.
    is_uri = bool(url.query.get("uri"))
    path = database[len("file:") :] if is_uri else database
    if os.path.isabs(path):
        return url, options
    os.makedirs(instance_path, exist_ok=True)
    path = os.path.join(instance_path, path)
    return url.set(database=f"file:{path}" if is_uri else path), options


def _sqlite_pragmas(
    journal: str | None, dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry
) -> None:
    """SQLite ignores foreign keys unless asked, and fails on a busy file unless told to wait;
    a file also gets its journal (``journal``, None for a database in memory)."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        if journal is not None:
            _set_journal(cursor, journal)
    finally:
        cursor.close()


def _set_journal(cursor: DBAPICursor, mode: str) -> None:
    """The file's journal (``PORTAL_BLOCKS_SQLITE_JOURNAL_MODE``), set on each new connection
    after ``busy_timeout``: changing it waits for other processes' locks.

    With SQLite's own rollback journal a commit locks the whole file: every reader (every
    worker's pages) waits for it, and one that waits longer than ``busy_timeout`` (a long
    import's commit) fails. A write-ahead log lets readers read the last commit meanwhile, and
    a commit writes the log alone. The mode is kept in the file; a file that cannot take it
    (read-only, or on a share without shared memory) stays as it is, said once in the log.
    """
    try:
        cursor.execute(f"PRAGMA journal_mode={mode}")  # one of config's four words
        row = cursor.fetchone()
        kept = str(row[0]).lower() if row is not None else mode
        reason = f"its journal is {kept}: a file system without shared memory"
    except sqlite3.OperationalError as exc:  # a read-only file; another process's long lock
        kept, reason = "", str(exc)
    if kept != mode and mode not in _journal_warned:
        _journal_warned.add(mode)
        log.warning(
            "SQLite kept the file's journal, not %s (%sSQLITE_JOURNAL_MODE): %s",
            mode,
            PREFIX,
            reason,
        )


#: The journal modes a file refused, warned of once per process.
_journal_warned: set[str] = set()


def engine_options(url: str, config: Mapping[str, Any]) -> dict[str, Any]:
    """Bounded waits: a lost database must fail a request in seconds, not hang a worker."""
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

# The base class of our models. flask-sqlalchemy types ``db.Model`` as a variable (of type
# ``type[Model]``), which a type checker cannot take as a base class; it builds that class from
# ``Base``'s namespace, so the models are checked against ``Base``.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model


def read_rows(
    session: Session, statement: Executable, parameters: Mapping[str, Any] | None = None
) -> Result[Any]:
    """The rows of a SELECT of table columns (no ORM entity), in the session's transaction
    when it has begun one, else on a connection of the app context's own.

    ``Session.execute`` first passes a statement through the ORM's execution layer (its
    ``do_orm_execute`` events, its execution state, the bind looked up for the statement),
    which such a statement does not need: nothing is loaded into the session, nothing is
    flushed first, and our one ORM execution hook watches writes only. Readers' statements run
    on a connection instead, about 40 µs less each (an article read on SQLite: ~175 µs through
    the session, ~135 µs through its connection).

    Most requests that read the database never write: the first read after an edit, a page
    whose data is not cached yet. For them the session was made, begun and closed only to lend
    its connection, about 60 µs more (an article read on SQLite, with the app context around
    it: ~215 µs through the session's connection, ~150 µs through one of the context's own).
    While our session (``db.session``) holds nothing in this context, no write of this
    context is pending, so a connection of the engine's own sees exactly what the session's
    would: the context keeps one for every such read (one checkout, one ping on PostgreSQL)
    and gives it back when it ends, with the session. Once the session exists its connection
    reads, and sees the session's own writes.
    """
    connection = _context_reader(session)
    if connection is None:
        connection = session.connection(bind_arguments={"clause": statement})
    return connection.execute(statement, parameters)


#: Where an app context keeps its readers' connection (in ``flask.g``).
READER_CONNECTION = "portal_blocks_reader_connection"


def _context_reader(session: Session) -> Connection | None:
    """The app context's readers' connection, or None where the session must read: another
    session than ours, our session already made in this context, or no app context."""
    ours: object = db.session  # the scoped proxy, which callers pass typed as a Session
    if session is not ours or not has_app_context() or db.session.registry.has():
        return None
    connection: Connection | None = g.get(READER_CONNECTION)
    if connection is None or connection.closed:
        connection = db.engine.connect()
        setattr(g, READER_CONNECTION, connection)
    return connection


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


def is_outage(error: BaseException | None) -> bool:
    """Whether ``error`` says the database is unreachable or too slow (a lost connection, a
    statement timeout, no pooled connection in time): a 503 that retrying will cure, not a
    bug. Connection loss and timeouts are OperationalErrors in every DBAPI driver."""
    if isinstance(error, PoolTimeout):
        return True
    return isinstance(error, DBAPIError) and (
        error.connection_invalidated or type(error).__name__ == "OperationalError"
    )
