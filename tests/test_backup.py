"""``portal-blocks backup`` (and a host's ``flask blocks backup``): a consistent copy of the
SQLite database while the app serves, its write-ahead log's commits included."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import REFERENCE_SLUG
from flask import Flask
from sqlalchemy import create_engine
from sqlite_portal import loaded_portal, portal_on

from portal_blocks.backup import BackupRefused, backup_sqlite
from portal_blocks.cli import cli
from portal_blocks.db import db
from portal_blocks.hostcli import blocks_cli
from portal_blocks.models import Article

EDITED = "Giá trị sản xuất công nghiệp tháng 10/2021 tăng 4,7% (bản sửa)"


def edit_title(app: Flask) -> None:
    with app.app_context():
        article = db.session.query(Article).filter_by(slug=REFERENCE_SLUG).one()
        article.title = EDITED
        db.session.commit()
        db.session.remove()


def title_in(path: Path) -> str | None:
    """The reference article's title in the file at ``path`` alone (its WAL left aside), or
    None where the file does not hold the article's table yet."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        tables = {name for (name,) in copy.execute("SELECT name FROM sqlite_master")}
        if "article" not in tables:
            return None
        (title,) = copy.execute(
            "SELECT title FROM article WHERE slug = ?", (REFERENCE_SLUG,)
        ).fetchone()
    return str(title)


def test_the_copy_holds_the_last_commit_still_in_the_write_ahead_log(tmp_path: Path) -> None:
    live = tmp_path / "portal.db"
    app = loaded_portal(live)
    edit_title(app)
    with app.app_context(), db.engine.connect():  # the app still serves: no checkpoint yet
        # What copying the file alone gives: the edit (here, all of it) is in portal.db-wal.
        shutil.copy(live, tmp_path / "file-alone.db")
        assert title_in(tmp_path / "file-alone.db") != EDITED

        result = app.test_cli_runner().invoke(cli, ["backup", str(tmp_path / "copy.db")])
    assert result.exit_code == 0, result.output
    assert result.output == f"portal-blocks database copied to {tmp_path / 'copy.db'}\n"
    assert title_in(tmp_path / "copy.db") == EDITED
    # One file: nothing of it lives beside it.
    assert sorted(p.name for p in tmp_path.glob("copy.db*")) == ["copy.db"]
    with sqlite3.connect(tmp_path / "copy.db") as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)


def test_a_host_app_gets_the_same_command(tmp_path: Path) -> None:
    app = loaded_portal(tmp_path / "portal.db")
    result = app.test_cli_runner().invoke(blocks_cli, ["backup", str(tmp_path / "copy.db")])
    assert result.exit_code == 0, result.output
    assert (title_in(tmp_path / "copy.db") or "").startswith("Giá trị sản xuất công nghiệp")


def test_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    app = loaded_portal(tmp_path / "portal.db")
    existing = tmp_path / "copy.db"
    existing.write_bytes(b"an earlier backup")
    result = app.test_cli_runner().invoke(cli, ["backup", str(existing)])
    assert result.exit_code == 1
    assert result.output == f"Error: {existing} exists: name a new file\n"
    assert existing.read_bytes() == b"an earlier backup"


def test_a_copy_that_cannot_be_written_leaves_nothing_behind(tmp_path: Path) -> None:
    app = loaded_portal(tmp_path / "portal.db")
    nowhere = tmp_path / "no-such-folder" / "copy.db"
    result = app.test_cli_runner().invoke(cli, ["backup", str(nowhere)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot write {nowhere}: ")
    assert "Traceback" not in result.output
    assert not nowhere.parent.exists()


def test_a_damaged_database_is_said_so_in_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    damaged = tmp_path / "portal.db"
    damaged.write_bytes(b"not a database at all, " * 200)
    app = portal_on(f"sqlite:///{damaged}")
    result = app.test_cli_runner().invoke(cli, ["backup", str(tmp_path / "copy.db")])
    assert result.exit_code == 1
    assert result.output == "Error: cannot read the database: file is not a database\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["portal.db"]


def test_a_database_that_cannot_be_opened_is_said_so_in_one_line(tmp_path: Path) -> None:
    app = portal_on(f"sqlite:///{tmp_path / 'no-such-folder' / 'portal.db'}")
    result = app.test_cli_runner().invoke(cli, ["backup", str(tmp_path / "copy.db")])
    assert result.exit_code == 1
    assert result.output == "Error: cannot read the database: unable to open database file\n"
    assert list(tmp_path.iterdir()) == []


def test_postgresql_is_sent_to_its_own_tools(tmp_path: Path) -> None:
    # Refused before any connection: the server need not even be there.
    app = portal_on("postgresql+psycopg://postgres@127.0.0.1:1/none")
    result = app.test_cli_runner().invoke(cli, ["backup", str(tmp_path / "copy.db")])
    assert result.exit_code == 1
    assert "pg_dump" in result.output and "postgresql, not SQLite" in result.output
    assert not (tmp_path / "copy.db").exists()


class _WrappedConnection:
    """A DB-API connection that is not ``sqlite3.Connection`` (as pysqlcipher's is not), over
    a real SQLite file: the backup API is sqlite3's, so such a driver is refused."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def __getattr__(self, name: str) -> object:
        return getattr(self._connection, name)


def test_another_driver_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    database = tmp_path / "portal.db"
    sqlite3.connect(database).close()
    engine = create_engine(
        f"sqlite:///{database}", creator=lambda: _WrappedConnection(sqlite3.connect(database))
    )
    copy = tmp_path / "copy.db"
    with pytest.raises(BackupRefused, match="not Python's sqlite3: copy it offline"):
        backup_sqlite(engine, copy)
    engine.dispose()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["portal.db"]
