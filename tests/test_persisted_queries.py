"""Persisted queries, Apollo APQ compatible, with the store shared by every process."""

from __future__ import annotations

import pytest
from cache_support import PAGE_HASH, PAGE_QUERY, apq, get_params, register
from click.testing import CliRunner
from conftest import BUILT_IN_ONLY, REFERENCE_LEGACY_PATH, count_statements, demo_content

from portal_blocks import create_app
from portal_blocks.block_types import BUILTIN
from portal_blocks.caching.cli import add_command
from portal_blocks.caching.persisted import DatabaseQueryStore, PersistedQueries, sha256_hex
from portal_blocks.db import db
from portal_blocks.models import PersistedQuery

UNKNOWN = "0" * 64


def test_unknown_hash_asks_for_the_query(cached_app):
    client = cached_app.test_client()
    response = client.get("/graphql", query_string=get_params(digest=UNKNOWN))
    assert response.status_code == 200
    body = response.get_json()
    assert body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert body["errors"][0]["message"] == "PersistedQueryNotFound"
    assert response.headers["Cache-Control"] == "no-store"


def test_round_trip_register_then_get_by_hash(cached_app):
    client = cached_app.test_client()
    missing = client.get("/graphql", query_string=get_params())
    assert missing.get_json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    registered = register(client)
    assert registered.status_code == 200
    assert "errors" not in registered.get_json()
    served = client.get("/graphql", query_string=get_params())
    assert served.get_json() == registered.get_json()
    other_path = client.get("/graphql", query_string=get_params(f"{REFERENCE_LEGACY_PATH}?x=1"))
    assert other_path.get_json()["data"]["page"]["regions"][0]["name"] == "main"


def test_hash_mismatch_is_refused(cached_app):
    client = cached_app.test_client()
    response = client.post(
        "/graphql",
        json={"query": PAGE_QUERY, "variables": {"path": "/"}, "extensions": apq(UNKNOWN)},
    )
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["extensions"]["code"] == (
        "PERSISTED_QUERY_HASH_MISMATCH"
    )
    again = client.get("/graphql", query_string=get_params(digest=UNKNOWN))
    assert again.get_json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


def test_the_store_is_shared_by_processes(cached_app):
    """Another process has its own memory; it finds the document in the shared store."""
    register(cached_app.test_client())
    state = cached_app.extensions["portal_blocks"]
    fresh = PersistedQueries(state.front.persisted.store, only_registered=False)
    assert fresh.lookup(PAGE_HASH) == PAGE_QUERY
    if isinstance(state.front.persisted.store, DatabaseQueryStore):
        assert db.session.get(PersistedQuery, PAGE_HASH).query == PAGE_QUERY


def test_a_known_hash_is_looked_up_once_per_process(app):
    register(app.test_client())
    persisted = app.extensions["portal_blocks"].front.persisted
    persisted._memo.clear()
    with count_statements() as first:
        assert persisted.lookup(PAGE_HASH) == PAGE_QUERY
    with count_statements() as second:
        assert persisted.lookup(PAGE_HASH) == PAGE_QUERY
    assert len(first) == 1 and second == []


def test_only_registered_documents_in_production_mode(cached_app, monkeypatch, tmp_path):
    persisted = cached_app.extensions["portal_blocks"].front.persisted
    monkeypatch.setattr(persisted, "only_registered", True)
    client = cached_app.test_client()
    query = "{ blockTypes { name } }"

    plain = client.post("/graphql", json={"query": query})
    assert plain.status_code == 400
    assert plain.get_json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_REGISTERED"
    registering = client.post(
        "/graphql", json={"query": query, "extensions": apq(sha256_hex(query))}
    )
    assert registering.status_code == 400
    assert persisted.lookup(sha256_hex(query)) is None

    document = tmp_path / "types.graphql"
    document.write_text(query, encoding="utf-8")
    result = CliRunner().invoke(add_command, [str(document)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(sha256_hex(query))

    by_hash = client.get(
        "/graphql",
        query_string={
            "extensions": '{"persistedQuery": {"version": 1, '
            f'"sha256Hash": "{sha256_hex(query)}"}}}}'
        },
    )
    assert by_hash.status_code == 200
    assert [t["name"] for t in by_hash.get_json()["data"]["blockTypes"]] == sorted(
        t.name for t in BUILTIN
    )
    assert client.post("/graphql", json={"query": query}).status_code == 200


def test_production_setting_reaches_the_store(database_url, migrated_app):
    app = create_app(
        {"PORTAL_BLOCKS_DATABASE_URL": database_url, "PORTAL_BLOCKS_PERSISTED_QUERIES_ONLY": True}
    )
    assert app.extensions["portal_blocks"].front.persisted.only_registered is True


@pytest.mark.parametrize("graphiql", [True, False], ids=["graphiql-on", "graphiql-off"])
@pytest.mark.parametrize("accept", ["*/*", "text/html,application/json;q=0.9"])
def test_a_persisted_get_is_answered_whatever_the_client_accepts(
    database_url, migrated_app, graphiql, accept
):  # migrated_app: the schema is in place
    """``fetch``'s default ``Accept: */*`` (curl's too) on a cache miss of a persisted query's
    GET was taken for a browser opening the IDE: its page, or a 404 with the IDE off."""
    app = create_app(
        {
            "PORTAL_BLOCKS_DATABASE_URL": database_url,
            "PORTAL_BLOCKS_GRAPHIQL": graphiql,
            **BUILT_IN_ONLY,
        }
    )
    with demo_content(app):
        client = app.test_client()
        register(client)
        miss = client.get(
            "/graphql",
            query_string=get_params(f"{REFERENCE_LEGACY_PATH}?accept=1"),
            headers={"Accept": accept},
        )
        assert miss.status_code == 200, miss.data[:200]
        assert miss.content_type == "application/json"
        assert miss.get_json()["data"]["page"]["regions"][0]["name"] == "main"
        # A visit that names no operation is still the IDE's (or its 404).
        visit = client.get("/graphql", headers={"Accept": "text/html"})
        assert visit.status_code == (200 if graphiql else 404)
