"""Running our migrations without Flask-Migrate, so a host's own Flask-Migrate stays its own.

``migrations/env.py`` takes the engine and metadata from our database handle, and keeps its
revision in a version table of its own, so our history never mixes with a host's even when both
share one database.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, scoped_session

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "portal_blocks_alembic_version"


def alembic_config() -> Config:
    config = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade_database(revision: str = "head") -> None:
    """Upgrade our database to ``revision``; call inside the host's app context."""
    command.upgrade(alembic_config(), revision)


@lru_cache(maxsize=1)
def _revisions() -> tuple[str | None, frozenset[str]]:
    scripts = ScriptDirectory.from_config(alembic_config())
    return scripts.get_current_head(), frozenset(s.revision for s in scripts.walk_revisions())


def schema_behind(revision: str | None) -> bool:
    """Whether a database at ``revision`` lacks what this code needs: never migrated, or at
    one of our older revisions. A revision we do not know is a newer release's (a rolling
    deploy upgraded first): its migrations add to the schema, so this code still runs."""
    head, known = _revisions()
    return revision is None or (revision != head and revision in known)


def schema_revision(session: Session | scoped_session[Any]) -> str | None:
    """The revision the database is at; None when it was never migrated. Raises what the
    statement raises otherwise (a lost connection is the caller's to report)."""
    try:
        found = session.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    except DBAPIError as exc:
        if not is_schema_missing(exc):
            raise
        session.rollback()
        return None
    return str(found) if found is not None else None


#: What makes the schema: the standalone command, and the one a host app gets.
UPGRADE_COMMAND = "portal-blocks db upgrade"
HOST_UPGRADE_COMMAND = "flask blocks upgrade"
SCHEMA_MISSING = (
    f"The database schema is missing or out of date: run `{UPGRADE_COMMAND}` "
    f"(in a host app, `{HOST_UPGRADE_COMMAND}`)."
)

#: PostgreSQL's SQLSTATEs for a table and for a column that do not exist.
_UNDEFINED = frozenset({"42P01", "42703"})


def missing_from_schema(error: BaseException | None) -> str | None:
    """What the database lacks, in the driver's words on one line (``no such table: route``,
    ``relation "route" does not exist``), when ``error`` (or what it was raised from) is a
    statement naming a table or column of ours that the database does not have: a database
    never migrated, or not upgraded since a release added to the schema. None otherwise.

    Callers say :data:`SCHEMA_MISSING` (what to run) instead of a traceback or "try again
    shortly": retrying cannot help.
    """
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, DBAPIError) and _names_nothing_there(error.orig):
            return (str(error.orig).strip().splitlines() or [""])[0]
        error = error.__cause__ or error.__context__
    return None


def is_schema_missing(error: BaseException | None) -> bool:
    """See :func:`missing_from_schema`."""
    return missing_from_schema(error) is not None


def _names_nothing_there(driver_error: BaseException | None) -> bool:
    if driver_error is None:
        return False
    # psycopg 3 calls it sqlstate, psycopg2 pgcode; SQLite has only its message.
    code = getattr(driver_error, "sqlstate", None) or getattr(driver_error, "pgcode", None)
    if code is not None:
        return code in _UNDEFINED
    message = str(driver_error)
    return message.startswith(("no such table:", "no such column:"))
