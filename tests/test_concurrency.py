"""Two editors edit the same block from the same version at the same time, on PostgreSQL with
real concurrent connections: one wins, the other gets CONFLICT, and no edit is lost."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from editing import CONFIGURE
from flask import Flask

from portal_blocks.db import db
from portal_blocks.layout import editing
from portal_blocks.models import AuditEntry, Placement

TOOLBAR = "Block_BanTin_Toolbar"


@pytest.fixture
def postgres_app(app: Flask) -> Flask:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are tested on PostgreSQL (SQLite has one writer)")
    return app


def _toolbar() -> SimpleNamespace:
    """The stored toolbar block as plain values (rows expire when the session moves on)."""
    db.session.rollback()
    row = db.session.query(Placement).filter_by(block_type=TOOLBAR).one()
    values = SimpleNamespace(id=row.id, version=row.version, settings=dict(row.settings))
    db.session.rollback()
    return values


def _configure_over_http(app: Flask, token: str, placement_id: int, version: int, fmt: str):
    """Runs in its own thread: its own app context, session and database connection."""
    response = app.test_client().post(
        "/graphql",
        json={
            "query": CONFIGURE,
            "variables": {
                "id": str(placement_id),
                "version": version,
                "settings": {"dateFormat": fmt},
            },
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    return response.get_json()


def test_second_writer_waits_then_gets_conflict(postgres_app, editor_token):
    toolbar = _toolbar()
    first_has_written = threading.Event()
    release_first = threading.Event()
    errors: list[BaseException] = []

    def first_editor() -> None:
        try:
            with postgres_app.app_context():
                editing.configure_block(
                    db.session,
                    "Editor A",
                    placement_id=toolbar.id,
                    version=toolbar.version,
                    settings={"dateFormat": "EEEE, dd/MM/yyyy"},
                )
                first_has_written.set()
                release_first.wait(10)
                db.session.commit()
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)
            first_has_written.set()

    result: dict = {}

    def second_editor() -> None:
        result.update(
            _configure_over_http(postgres_app, editor_token, toolbar.id, toolbar.version, "yyyy")
        )

    a = threading.Thread(target=first_editor)
    a.start()
    assert first_has_written.wait(10)
    b = threading.Thread(target=second_editor)
    b.start()
    b.join(0.5)
    assert b.is_alive(), "the second edit must wait for the first transaction, not race it"
    release_first.set()
    a.join(10)
    b.join(10)
    assert not errors, errors
    answer = result["data"]["configureBlock"]
    assert [e["code"] for e in answer["errors"]] == ["CONFLICT"]
    stored = _toolbar()
    assert stored.settings["dateFormat"] == "EEEE, dd/MM/yyyy"
    assert stored.version == toolbar.version + 1


def test_racing_editors_exactly_one_wins_each_round(postgres_app, editor_token):
    for round_number in range(5):
        toolbar = _toolbar()
        start = threading.Barrier(2)
        results: dict[str, dict] = {}

        def edit(fmt, start=start, results=results, seen=toolbar):
            start.wait(5)
            results[fmt] = _configure_over_http(
                postgres_app, editor_token, seen.id, seen.version, fmt
            )

        formats = [f"dd/MM/yyyy '{round_number}a'", f"dd/MM/yyyy '{round_number}b'"]
        threads = [threading.Thread(target=edit, args=(fmt,)) for fmt in formats]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        outcomes = {
            fmt: [e["code"] for e in results[fmt]["data"]["configureBlock"]["errors"]]
            for fmt in formats
        }
        winners = [fmt for fmt, codes in outcomes.items() if codes == []]
        losers = [fmt for fmt, codes in outcomes.items() if codes == ["CONFLICT"]]
        assert len(winners) == 1 and len(losers) == 1, outcomes
        stored = _toolbar()
        assert stored.settings["dateFormat"] == winners[0]  # the winner's edit is kept
        assert stored.version == toolbar.version + 1
    entries = db.session.query(AuditEntry).filter_by(action="configure").count()
    db.session.rollback()
    assert entries == 5  # one recorded change per round: the loser left no trace
