"""A SQLite file's journal (``PORTAL_BLOCKS_SQLITE_JOURNAL_MODE``): a write-ahead log unless
told otherwise, so that a commit in progress elsewhere (an import's, an editor's, another
worker's) never keeps a reader's page waiting, nor fails it."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
from conftest import REFERENCE_LEGACY_PATH
from flask import Flask
from sqlalchemy import text
from sqlite_portal import loaded_portal, portal_on

from portal_blocks import db as portal_db
from portal_blocks.config import SettingsError
from portal_blocks.db import db

REFERENCE_TITLE = "Giá trị sản xuất công nghiệp tháng 10/2021 tăng 4,7%"


def journal_mode(app: Flask) -> str:
    with app.app_context():
        mode = db.session.execute(text("PRAGMA journal_mode")).scalar()
        db.session.remove()
    return str(mode)


def test_a_file_database_keeps_a_write_ahead_log(tmp_path: Path) -> None:
    assert journal_mode(loaded_portal(tmp_path / "portal.db")) == "wal"


def test_the_rollback_journal_stays_available_for_a_network_share(tmp_path: Path) -> None:
    app = loaded_portal(tmp_path / "portal.db", PORTAL_BLOCKS_SQLITE_JOURNAL_MODE="delete")
    assert journal_mode(app) == "delete"


@pytest.mark.parametrize("mode", ["memory", "off", "WAL2", ""])
def test_another_journal_mode_fails_at_startup_naming_the_setting(mode: str) -> None:
    with pytest.raises(SettingsError, match="PORTAL_BLOCKS_SQLITE_JOURNAL_MODE"):
        portal_on("sqlite://", PORTAL_BLOCKS_SQLITE_JOURNAL_MODE=mode)


def test_a_reader_is_served_while_another_connection_holds_the_write_lock(
    tmp_path: Path,
) -> None:
    path = tmp_path / "portal.db"
    app = loaded_portal(path)
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        # What a commit holds while it writes: with the rollback journal no reader may read.
        writer.execute("BEGIN EXCLUSIVE")
        writer.execute("UPDATE article SET title = 'Bản chưa lưu'")
        response = app.test_client().get(REFERENCE_LEGACY_PATH)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    page = response.get_data(as_text=True)
    assert REFERENCE_TITLE in page
    assert "Bản chưa lưu" not in page


def test_a_file_that_cannot_take_the_log_is_served_as_it_is_and_said_so_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(portal_db, "_journal_warned", set())
    path = tmp_path / "portal.db"
    loaded_portal(path, PORTAL_BLOCKS_SQLITE_JOURNAL_MODE="delete")
    read_only = portal_on(f"sqlite:///file:{path}?mode=ro&uri=true")
    with caplog.at_level(logging.WARNING, logger="portal_blocks.db"):
        assert journal_mode(read_only) == "delete"
        response = read_only.test_client().get(REFERENCE_LEGACY_PATH)
        # Two more connections at once: refused again, not said again.
        with read_only.app_context(), db.engine.connect() as one, db.engine.connect() as other:
            for connection in (one, other):
                assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
    assert response.status_code == 200
    assert REFERENCE_TITLE in response.get_data(as_text=True)
    warnings = [r.getMessage() for r in caplog.records if r.name == "portal_blocks.db"]
    assert warnings == [
        "SQLite kept the file's journal, not wal (PORTAL_BLOCKS_SQLITE_JOURNAL_MODE): "
        "attempt to write a readonly database"
    ]
