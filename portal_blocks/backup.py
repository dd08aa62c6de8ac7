"""A consistent copy of portal-blocks' SQLite database, taken while the app serves.

In write-ahead-log mode (``PORTAL_BLOCKS_SQLITE_JOURNAL_MODE=wal``, the default) a SQLite file
holds its last commits in ``-wal`` beside it until a checkpoint moves them in: a copy of the
file alone may lack them, and a copy of both taken while a commit runs may be torn. SQLite's
online backup API copies the pages inside one read transaction, a snapshot of the last commit
whatever the journal, while readers and writers go on. PostgreSQL has tools of its own
(``pg_dump``), which know far more than a copy by us could.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import Engine


class BackupRefused(Exception):
    """Why no copy was made; nothing was written."""


def backup_sqlite(engine: Engine, destination: Path) -> None:
    """Copy ``engine``'s SQLite database into ``destination``, a new file: one self-contained
    file (its own journal a rollback one), written aside and moved into place when complete,
    so a failed copy leaves nothing behind."""
    if engine.dialect.name != "sqlite":
        raise BackupRefused(
            f"the database is {engine.dialect.name}, not SQLite: back it up with its own "
            "tools (pg_dump for PostgreSQL)"
        )
    if destination.exists():
        raise BackupRefused(f"{destination} exists: name a new file")
    try:
        source = engine.raw_connection()  # the pool's connection, unwrapped: sqlite3's errors
    except sqlite3.Error as exc:  # a file that is not there, or cannot be opened
        raise BackupRefused(f"cannot read the database: {exc}") from None
    try:
        driver = source.driver_connection
        if not isinstance(driver, sqlite3.Connection):  # another driver (pysqlcipher, ...)
            raise BackupRefused("the database's driver is not Python's sqlite3: copy it offline")
        _copy(driver, destination)
    finally:
        source.close()


def _copy(source: sqlite3.Connection, destination: Path) -> None:
    partial = destination.with_name(destination.name + ".partial")
    try:
        target = sqlite3.connect(partial)
    except sqlite3.Error as exc:  # a folder that does not exist, or cannot be written
        raise BackupRefused(f"cannot write {destination}: {exc}") from None
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # the copy needs no file beside it
        target.close()
        os.replace(partial, destination)
    except (sqlite3.Error, OSError) as exc:  # either side: a damaged file, a full disk
        raise BackupRefused(f"cannot copy the database to {destination}: {exc}") from None
    finally:
        target.close()  # again after a failure; closing twice is harmless
        partial.unlink(missing_ok=True)
