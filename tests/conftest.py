"""Fixtures: every test that takes ``app`` runs on SQLite and on PostgreSQL.

PostgreSQL is the database at ``PORTAL_BLOCKS_TEST_POSTGRES_URL`` (README command 2 and
``.ci/run`` name the local ``test`` database); the tests drop and rebuild its ``public`` schema.
Unset or unreachable, those runs are skipped with the reason, except under ``CI=true``, where an
unreachable database is a failure. The schema is always built by the migrations.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from portal_blocks import create_app
from portal_blocks.block_types import BUILTIN, register_builtin
from portal_blocks.blocks.registry import registry
from portal_blocks.db import ExecutedStatement, db, recorded_statements
from portal_blocks.demo import load_demo, load_reference
from portal_blocks.import_command import import_command

POSTGRES_URL = os.environ.get("PORTAL_BLOCKS_TEST_POSTGRES_URL")
IN_CI = os.environ.get("CI", "").lower() == "true"
REPO = Path(__file__).resolve().parents[1]
#: The reference article page as a reader saw it; a copy of the project's shared seed, so the
#: suite runs wherever the repository is (tests/test_fixtures.py keeps the two equal).
SEED = REPO / "tests" / "fixtures" / "reference_page.txt"
SHARED_SEED = REPO.parent / "shared" / "seed" / "000_5efc145616acfbbc.txt"
REFERENCE_SLUG = "gia-tri-san-xuat-cong-nghiep-thang-102021-tang-47-f2d9"
REFERENCE_LEGACY_PATH = f"/Pages/{REFERENCE_SLUG}.aspx"

# Tests that read block types without an app see what every app registers at its creation.
register_builtin(registry)
#: The suite's shared apps serve the built-in block types alone, whatever else is installed
#: (the example package's are served by the apps of tests/test_block_type_plugins.py).
BUILT_IN_ONLY = {"PORTAL_BLOCKS_BLOCK_TYPES": [t.name for t in BUILTIN]}


def reset_postgres(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    with engine.connect() as conn:
        # A leftover session (an earlier run killed mid-test) would block the DROP forever.
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'portal_blocks.db'}"
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL runs need PORTAL_BLOCKS_TEST_POSTGRES_URL (see README)")
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
    app = create_app(
        {
            "PORTAL_BLOCKS_DATABASE_URL": database_url,
            "TESTING": True,
            # Rate limits have tests of their own, on apps built for them.
            "PORTAL_BLOCKS_RATE_LIMIT_MUTATIONS": "1000000/minute",
            "PORTAL_BLOCKS_RATE_LIMIT_AUTH_FAILURES": "1000000/minute",
            **BUILT_IN_ONLY,
        }
    )
    with app.app_context():
        upgrade()
    return app


def clear_tables() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@contextmanager
def demo_content(app: Flask, *, portal: bool = False) -> Iterator[Flask]:
    """Inside an app context, a database holding exactly the reference page (the reference
    article and its layout), or with ``portal`` the whole demo portal."""
    with app.app_context():
        clear_tables()  # a bulk delete: it also empties the response and page-data caches
        app.extensions["portal_blocks"].front.persisted.forget_remembered()
        (load_demo if portal else load_reference)(db.session)
        yield app
        db.session.rollback()
        db.session.remove()


@contextmanager
def database_at(revision: str, path: Path) -> Iterator[Flask]:
    """An app on a new SQLite file upgraded only as far as ``revision``, holding one layout
    (id 1, ``news-detail``) as rows of that time: for tests of later migrations' upgrades."""
    app = create_app({"PORTAL_BLOCKS_DATABASE_URL": f"sqlite:///{path}", "TESTING": True})
    with app.app_context():
        upgrade(revision=revision)
        db.session.execute(
            text(
                "INSERT INTO layout (id, name, title, regions, created_at, updated_at, version) "
                "VALUES (1, 'news-detail', '', '[\"main\"]', :now, :now, 1)"
            ),
            {"now": OLD_ROWS_TIME},
        )
        yield app
        db.session.remove()
        db.engine.dispose()


#: created_at/updated_at of rows inserted as an older schema held them.
OLD_ROWS_TIME = "2021-11-10 01:00:00"


@pytest.fixture
def app(migrated_app: Flask) -> Iterator[Flask]:
    with demo_content(migrated_app) as ready:
        yield ready


@pytest.fixture
def portal(migrated_app: Flask) -> Iterator[Flask]:
    """The app with the whole demo portal loaded: home, category pages, "Tin khác"."""
    with demo_content(migrated_app, portal=True) as ready:
        yield ready


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


def publish_draft(layout_name: str = "news-detail") -> None:
    """Readers see the published layout: tests that edit placements directly publish them."""
    from portal_blocks.layout.publishing import publish
    from portal_blocks.models import Layout

    layout = db.session.query(Layout).filter_by(name=layout_name).one()
    publish(db.session, layout, actor="test")
    db.session.commit()


def count_statements() -> AbstractContextManager[list[ExecutedStatement]]:
    """Every SQL statement the app's engine runs inside the block."""
    return recorded_statements(db.engine)


def _token(role: str, name: str) -> str:
    from portal_blocks.auth.tokens import create_token
    from portal_blocks.models import Role

    _row, token = create_token(db.session, name=name, role=Role(role))
    db.session.commit()
    return token


@pytest.fixture
def editor_token(app: Flask) -> str:
    return _token("editor", "Biên tập viên Hương")


@pytest.fixture
def bearer(graphql):
    """``bearer(token)(query, variables)``: the graphql runner with that token sent."""

    def with_token(token: str):
        def run(query: str, variables: dict | None = None) -> dict:
            return graphql(query, variables, headers={"Authorization": f"Bearer {token}"})

        return run

    return with_token


@pytest.fixture
def as_editor(bearer, editor_token):
    return bearer(editor_token)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly which databases the suite ran on, so CI logs show it."""
    counts: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            for backend in ("sqlite", "postgresql"):
                if f"[{backend}" in nodeid or f"-{backend}" in nodeid:
                    per = counts.setdefault(backend, {})
                    per[outcome] = per.get(outcome, 0) + 1
    for backend, per in counts.items():
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(per.items()))
        terminalreporter.write_line(f"database {backend}: {summary}")


_cache_apps: dict[tuple[str, str], Flask] = {}


@pytest.fixture(params=["memory", "redis", "redis-near"])
def cached_app(request: pytest.FixtureRequest, database_url: str, migrated_app: Flask):
    """The demo content served with the caches in process memory, in Redis, and in Redis with
    each process's near tier in front."""
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
                    "PORTAL_BLOCKS_REDIS_NEAR_CACHE": request.param == "redis-near",
                    "TESTING": True,
                    **BUILT_IN_ONLY,
                }
            )
        app = _cache_apps[key]
    with demo_content(app) as ready:
        channel = getattr(app.extensions["portal_blocks"].front.store, "channel", None)
        if channel is not None:
            assert channel.wait_until_listening(5), "the near cache never subscribed"
        yield ready


@pytest.fixture
def run_import(app):
    """``portal-blocks import`` through the CLI runner; a traceback is always a failure."""
    runner = app.test_cli_runner()

    def run(*paths, expect_exit=0, args=()):
        result = runner.invoke(import_command, [*args, *map(str, paths)])
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.output + result.stderr
        )
        assert result.exit_code == expect_exit, result.output + result.stderr
        return result

    return run
