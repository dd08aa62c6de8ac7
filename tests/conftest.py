"""Fixtures: every test that takes ``app`` runs on SQLite and on PostgreSQL.

PostgreSQL is ``PORTAL_BLOCKS_TEST_POSTGRES_URL`` (default: the local ``test`` database, whose
``public`` schema the tests drop and rebuild). Where it is unreachable those runs are skipped
with the reason, except under ``CI=true``, where that is a failure. The schema is always built
by the migrations, never by ``create_all``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import OperationalError

from portal_blocks import create_app
from portal_blocks.db import db
from portal_blocks.demo import load_demo

POSTGRES_URL = os.environ.get(
    "PORTAL_BLOCKS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() == "true"
REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "seed" / "000_5efc145616acfbbc.txt"
REFERENCE_SLUG = "gia-tri-san-xuat-cong-nghiep-thang-102021-tang-47-f2d9"
REFERENCE_LEGACY_PATH = f"/Pages/{REFERENCE_SLUG}.aspx"


def reset_postgres(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'portal_blocks.db'}"
    try:
        reset_postgres(POSTGRES_URL)
    except OperationalError as exc:
        if IN_CI:
            raise
        pytest.skip(
            f"PostgreSQL unreachable at {POSTGRES_URL} ({exc.orig}); "
            "set PORTAL_BLOCKS_TEST_POSTGRES_URL to run these"
        )
    return POSTGRES_URL


@pytest.fixture(scope="session")
def migrated_app(database_url: str) -> Flask:
    app = create_app({"PORTAL_BLOCKS_DATABASE_URL": database_url, "TESTING": True})
    with app.app_context():
        upgrade()
    return app


def clear_tables() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app(migrated_app: Flask) -> Iterator[Flask]:
    """A migrated database holding exactly the demo content, inside an app context."""
    with migrated_app.app_context():
        clear_tables()
        load_demo(db.session)
        yield migrated_app
        db.session.rollback()
        db.session.remove()


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture
def graphql(client):
    def run(query: str, variables: dict | None = None, **kwargs) -> dict:
        response = client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, **kwargs
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    return run


@contextmanager
def count_statements() -> Iterator[list[str]]:
    """Collect every SQL statement the engine runs inside the block."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


_cache_apps: dict[tuple[str, str], Flask] = {}


@pytest.fixture(params=["memory", "redis"])
def cached_app(request: pytest.FixtureRequest, database_url: str, migrated_app: Flask):
    """The demo content served with the response cache in process memory, then in Redis."""
    if request.param == "memory":
        app = migrated_app
    else:
        from cache_support import REDIS_URL, redis_client_or_skip

        redis_client_or_skip().flushdb()
        key = (database_url, request.param)
        if key not in _cache_apps:
            _cache_apps[key] = create_app(
                {
                    "PORTAL_BLOCKS_DATABASE_URL": database_url,
                    "PORTAL_BLOCKS_REDIS_URL": REDIS_URL,
                    "TESTING": True,
                }
            )
        app = _cache_apps[key]
    with app.app_context():
        clear_tables()
        load_demo(db.session)
        yield app
        db.session.rollback()
        db.session.remove()
