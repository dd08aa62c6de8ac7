"""When PostgreSQL goes away mid-run, requests fail fast and clearly, readiness says so, and
service comes back by itself when the database does."""

import time

import pytest
from conftest import REFERENCE_LEGACY_PATH, REFERENCE_SLUG
from sqlalchemy.engine import make_url
from tcp_proxy import TcpProxy

from portal_blocks import create_app

PAGE = {
    "query": "query($p: String!) { page(path: $p) { article { title } } }",
    "variables": {"p": REFERENCE_LEGACY_PATH},
}
#: The same page at its other address: not in the response cache when the outage starts.
UNCACHED = {**PAGE, "variables": {"p": f"/tin-tuc/{REFERENCE_SLUG}"}}


@pytest.fixture
def proxied_client(app, database_url):
    """A second app on the same (demo-loaded) database, reached through a cuttable proxy."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the outage test cuts a PostgreSQL connection; SQLite has none to cut")
    url = make_url(database_url)
    proxy = TcpProxy(url.port or 5432, url.host or "127.0.0.1")
    proxy.start()
    proxied = create_app(
        {
            "PORTAL_BLOCKS_DATABASE_URL": url.set(
                host="127.0.0.1", port=proxy.port
            ).render_as_string(hide_password=False),
            "PORTAL_BLOCKS_DB_CONNECT_TIMEOUT": 2,
        }
    )
    yield proxied.test_client(), proxy
    proxy.stop()


def test_outage_is_reported_and_recovered_from_without_restart(proxied_client):
    client, proxy = proxied_client
    assert client.get("/readyz").status_code == 200
    assert client.post("/graphql", json=PAGE).get_json()["data"]["page"]["article"]

    proxy.stop()
    started = time.perf_counter()
    ready = client.get("/readyz")
    page = client.post("/graphql", json=UNCACHED)
    elapsed = time.perf_counter() - started
    # What the response cache already holds is still served while the database is away.
    assert client.post("/graphql", json=PAGE).status_code == 200
    assert ready.status_code == 503
    assert ready.get_json()["status"] == "unavailable"
    assert page.status_code == 503
    [error] = page.get_json()["errors"]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert "psycopg" not in str(page.get_json()) and "127.0.0.1" not in str(page.get_json())
    assert elapsed < 10, f"outage answers took {elapsed:.1f}s"
    assert client.get("/healthz").status_code == 200

    proxy.start()
    assert client.get("/readyz").status_code == 200
    body = client.post("/graphql", json=UNCACHED).get_json()
    assert "errors" not in body
    assert body["data"]["page"]["article"]["title"].startswith("Giá trị sản xuất")


def test_a_mutation_cut_off_by_the_outage_leaves_nothing_behind(
    proxied_client, editor_token, monkeypatch
):
    """The database goes away inside updateArticle, after the article row is changed in the
    session and before the audit entry and the commit: nothing of the edit may survive."""
    from editing import UPDATE_ARTICLE

    from portal_blocks import audit
    from portal_blocks.db import db
    from portal_blocks.models import Article, AuditEntry

    client, proxy = proxied_client
    before = db.session.query(Article).filter_by(slug=REFERENCE_SLUG).one()
    lead, version = before.lead, before.version
    entries = db.session.query(AuditEntry).count()
    record = audit.record

    def record_then_lose_the_database(*args, **kwargs):
        proxy.stop()
        return record(*args, **kwargs)

    monkeypatch.setattr(audit, "record", record_then_lose_the_database)
    response = client.post(
        "/graphql",
        json={
            "query": UPDATE_ARTICLE,
            "variables": {
                "slug": REFERENCE_SLUG,
                "version": version,
                "input": {"lead": "Nửa chừng"},
            },
        },
        headers={"Authorization": f"Bearer {editor_token}"},
    )
    assert response.status_code == 503
    assert response.get_json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"

    monkeypatch.undo()
    proxy.start()
    db.session.expire_all()
    after = db.session.query(Article).filter_by(slug=REFERENCE_SLUG).one()
    assert (after.lead, after.version) == (lead, version)
    assert db.session.query(AuditEntry).count() == entries


def test_a_statement_past_its_timeout_fails_fast_and_cleanly(app, database_url, monkeypatch):
    if not database_url.startswith("postgresql"):
        pytest.skip("statement timeouts are PostgreSQL's (SQLite has none)")
    from sqlalchemy import text

    from portal_blocks.db import db
    from portal_blocks.layout import routing

    slow_app = create_app(
        {"PORTAL_BLOCKS_DATABASE_URL": database_url, "PORTAL_BLOCKS_DB_STATEMENT_TIMEOUT_MS": 200}
    )
    real_match = routing.match_route

    def slow_match(session, path, *args, **kwargs):
        session.execute(text("SELECT pg_sleep(5)"))
        return real_match(session, path, *args, **kwargs)

    monkeypatch.setattr(routing, "match_route", slow_match)
    started = time.perf_counter()
    response = slow_app.test_client().post("/graphql", json=UNCACHED)
    elapsed = time.perf_counter() - started
    assert response.status_code == 503
    assert response.get_json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert elapsed < 2, f"took {elapsed:.1f}s"
    with slow_app.app_context():
        db.engine.dispose()
