"""Hostile and malformed requests get a clear 4xx or GraphQL error, fast, and the server
keeps serving."""

import logging

import pytest
from conftest import REFERENCE_LEGACY_PATH

from portal_blocks import create_app
from portal_blocks.block_types import BUILTIN

OK_QUERY = {"query": "{ blockTypes { name } }"}


def still_serving(client) -> None:
    response = client.post("/graphql", json=OK_QUERY)
    assert response.status_code == 200
    assert len(response.get_json()["data"]["blockTypes"]) == len(BUILTIN)


def test_deep_query_is_refused(client):
    deep = '{ page(path: "/") { ' + "regions { blocks { " * 50 + "id" + " } }" * 50 + " } }"
    body = client.post("/graphql", json={"query": deep}).get_json()
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]
    still_serving(client)


def test_many_aliases_are_refused(client):
    aliases = " ".join(f"a{i}: blockTypes {{ name }}" for i in range(1000))
    response = client.post("/graphql", json={"query": "{ " + aliases + " }"})
    body = response.get_json()
    assert body["data"] is None
    assert "aliases" in body["errors"][0]["message"] or "tokens" in body["errors"][0]["message"]
    still_serving(client)


def test_alias_limit_alone(client):
    aliases = " ".join(f"a{i}: __typename" for i in range(40))
    body = client.post("/graphql", json={"query": "{ " + aliases + " }"}).get_json()
    assert "aliases" in body["errors"][0]["message"]


def test_token_limit(client):
    fields = " ".join(["__typename"] * 6000)
    body = client.post("/graphql", json={"query": "{ " + fields + " }"}).get_json()
    assert "tokens" in body["errors"][0]["message"]


def test_five_megabyte_body_is_refused_before_reading(client):
    payload = b'{"query": "' + b" " * (5 * 1024 * 1024) + b'{ __typename }"}'
    response = client.post("/graphql", data=payload, content_type="application/json")
    assert response.status_code == 413
    still_serving(client)


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("{not json", "application/json"),
        ("query={ __typename }", "text/plain"),
        ("[1, 2]", "application/json"),
    ],
)
def test_malformed_requests_are_400(client, data, content_type):
    response = client.post("/graphql", data=data, content_type=content_type)
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)
    still_serving(client)


def test_batches_are_refused(client):
    response = client.post("/graphql", json=[OK_QUERY, OK_QUERY])
    assert response.status_code == 400


def test_request_id_is_echoed_and_logged(client, caplog):
    with caplog.at_level(logging.INFO, logger="portal_blocks.access"):
        response = client.post("/graphql", json=OK_QUERY, headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"
    [record] = [r for r in caplog.records if r.name == "portal_blocks.access"]
    assert record.request_id == "abc-123"
    assert record.status == 200
    assert record.duration_ms >= 0


def test_a_bad_request_id_is_replaced(client):
    response = client.post("/graphql", json=OK_QUERY, headers={"X-Request-ID": "x" * 500})
    assert len(response.headers["X-Request-ID"]) == 32


def test_masked_error_is_logged_with_its_request_id(app, client, caplog, monkeypatch):
    from portal_blocks.layout import routing

    def broken(*_args, **_kwargs):
        raise RuntimeError("driver secret")

    monkeypatch.setattr(routing, "match_route", broken)
    with caplog.at_level(logging.ERROR, logger="portal_blocks.errors"):
        response = client.post("/graphql", json={"query": '{ page(path: "/x") { path } }'})
    body = response.get_json()
    request_id = body["errors"][0]["extensions"]["requestId"]
    assert response.headers["X-Request-ID"] == request_id
    assert response.status_code == 200  # a GraphQL execution error; only outages are 503
    [record] = caplog.records
    assert record.request_id == request_id
    assert "driver secret" in record.getMessage()


def test_expected_errors_are_not_logged_as_errors(client, caplog):
    with caplog.at_level(logging.ERROR):
        client.post(
            "/graphql", json={"query": f'{{ page(path: "{REFERENCE_LEGACY_PATH}x") {{ path }} }}'}
        )
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    ("env", "introspection", "graphiql"),
    [
        ({}, True, True),
        ({"PORTAL_BLOCKS_ENV": "production"}, False, False),
        ({"PORTAL_BLOCKS_ENV": "production", "PORTAL_BLOCKS_INTROSPECTION": True}, True, False),
    ],
)
def test_introspection_and_graphiql_follow_the_environment(tmp_path, env, introspection, graphiql):
    app = create_app({"PORTAL_BLOCKS_DATABASE_URL": f"sqlite:///{tmp_path}/x.db", **env})
    client = app.test_client()
    body = client.post("/graphql", json={"query": "{ __schema { queryType { name } } }"}).get_json()
    assert ("errors" not in body) is introspection
    page = client.get("/graphql", headers={"Accept": "text/html"})
    assert (page.status_code == 200 and b"graphiql" in page.data.lower()) is graphiql


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_readyz_with_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_a_mutation_over_get_is_refused(client):
    mutation = "mutation { setDisplayPreferences(textSize: 120) { errors { code } } }"
    response = client.get("/graphql", query_string={"query": mutation})
    assert response.status_code == 400
    assert "mutations are not allowed" in response.get_data(as_text=True).lower()
    assert client.get_cookie("pb_viewer") is None
    still_serving(client)
