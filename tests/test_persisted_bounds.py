"""What anyone may register, and what a worker keeps of the documents it sees, is bounded.

The probe's faults: a 900 KB text that is not GraphQL, sent with its sha256, was stored for ever
(a table row, a Redis key without expiry); 80 padded documents grew a worker by 143 MB; and with
``PERSISTED_QUERIES_ONLY`` any content type merely containing ``application/json`` ran
unregistered documents.
"""

from __future__ import annotations

import pytest
from cache_support import apq
from click.testing import CliRunner

from portal_blocks.caching import persisted as persisted_module
from portal_blocks.caching.cli import add_command
from portal_blocks.caching.persisted import (
    MAX_DOCUMENT_CHARS,
    PersistedQueries,
    RedisQueryStore,
    sha256_hex,
)
from portal_blocks.db import db
from portal_blocks.graphql.documents import DocumentCache, document_cost
from portal_blocks.models import PersistedQuery

TYPES = "{ blockTypes { name } }"


def _state(app):
    return app.extensions["portal_blocks"]


def _send(client, query: str):
    return client.post("/graphql", json={"query": query, "extensions": apq(sha256_hex(query))})


def _stored(app, query: str) -> bool:
    persisted = _state(app).front.persisted
    persisted.forget_remembered()  # ask the shared store, not this process's memory
    return persisted.lookup(sha256_hex(query)) is not None


def test_a_text_that_is_not_graphql_is_answered_and_never_stored(cached_app):
    client = cached_app.test_client()
    junk = "not graphql " * 75_000  # ~900 KB
    body = _send(client, junk).get_json()
    assert body["errors"][0]["message"].startswith("Syntax Error")
    assert not _stored(cached_app, junk)


def test_a_document_that_does_not_validate_is_answered_and_never_stored(cached_app):
    client = cached_app.test_client()
    invalid = "{ blockTypes { nosuchfield } }"
    body = _send(client, invalid).get_json()
    assert body["errors"][0]["message"] == "Cannot query field 'nosuchfield' on type 'BlockType'."
    assert not _stored(cached_app, invalid)


def test_a_valid_document_over_the_size_bound_runs_and_is_not_stored(cached_app):
    client = cached_app.test_client()
    padded = TYPES + " #" + "x" * MAX_DOCUMENT_CHARS
    body = _send(client, padded).get_json()
    assert "errors" not in body and body["data"]["blockTypes"]
    assert not _stored(cached_app, padded)


def test_a_valid_document_is_still_registered(cached_app):
    client = cached_app.test_client()
    query = "query Registered { blockTypes { name description } }"
    assert "errors" not in _send(client, query).get_json()
    assert _stored(cached_app, query)


def test_the_table_takes_a_bounded_number_of_client_documents(app, monkeypatch):
    monkeypatch.setattr(persisted_module, "MAX_REGISTERED", 2)
    client = app.test_client()
    queries = [f"query Q{n} {{ blockTypes {{ name }} }}" for n in range(3)]
    for query in queries:
        assert "errors" not in _send(client, query).get_json()
    with app.app_context():
        rows = set(db.session.scalars(db.select(PersistedQuery.query)))
    assert rows == set(queries[:2])
    # An operator's documents are not counted against the bound.
    assert add_document(app, "query ByOperator { blockTypes { name } }").exit_code == 0
    with app.app_context():
        assert db.session.scalar(
            db.select(PersistedQuery.id).where(
                PersistedQuery.id == sha256_hex("query ByOperator { blockTypes { name } }")
            )
        )


def add_document(app, *texts: str, tmp=None):
    runner = app.test_cli_runner()
    paths = []
    for number, text in enumerate(texts):
        path = (tmp or _tmp(app)) / f"doc{number}.graphql"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    return runner.invoke(add_command, paths)


def _tmp(app):
    from pathlib import Path

    folder = Path(app.instance_path) / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_the_cli_refuses_a_list_holding_a_bad_document_and_registers_none(app):
    good = "query GoodOne { blockTypes { name } }"
    result = add_document(app, good, "{ blockTypes { nosuchfield } }")
    assert result.exit_code == 1
    assert "doc1.graphql: Cannot query field 'nosuchfield'" in result.output
    assert not _stored(app, good)


@pytest.mark.parametrize("cached_app", ["redis"], indirect=True)
def test_redis_keys_of_client_documents_expire_and_operator_documents_do_not(cached_app):
    store = _state(cached_app).front.persisted.store
    assert isinstance(store, RedisQueryStore)
    client = cached_app.test_client()
    query = "query Expiring { blockTypes { name } }"
    assert "errors" not in _send(client, query).get_json()
    ttl = store.client.ttl(store.prefix + sha256_hex(query))
    assert 0 < ttl <= persisted_module.REGISTERED_TTL
    with cached_app.app_context():
        result = CliRunner().invoke(add_command, [str(_write(cached_app, query))])
    assert result.exit_code == 0, result.output
    assert store.client.ttl(store.prefix + sha256_hex(query)) == -1  # kept for good now
    # A client registering it again does not give it back an expiry.
    _state(cached_app).front.persisted.forget_remembered()
    _send(client, query)
    assert store.client.ttl(store.prefix + sha256_hex(query)) == -1


def _write(app, text: str):
    path = _tmp(app) / "expiring.graphql"
    path.write_text(text, encoding="utf-8")
    return path


class _Dict:
    def __init__(self) -> None:
        self.rows: dict[str, str] = {}

    def get(self, digest: str) -> str | None:
        return self.rows.get(digest)

    def add(self, digest: str, query: str, *, lasting: bool = False) -> None:
        self.rows[digest] = query


def test_what_a_process_remembers_of_documents_is_bounded_in_characters():
    persisted = PersistedQueries(
        _Dict(), only_registered=False, memo_chars=1000, document_problem=lambda text: None
    )
    for n in range(50):
        persisted.register(f"query Q{n:02d} {{ blockTypes {{ name }} }}" + " " * 60)
    assert sum(map(len, persisted._memo.values())) <= 1000
    assert len(persisted._memo) < 50
    # The store still has every one: only the memory of them is bounded.
    assert len(persisted.store.rows) == 50


def test_the_document_cache_is_bounded_in_bytes():
    cache = DocumentCache(max_entries=1000, max_bytes=2_000_000)
    for n in range(200):
        cache.parse(f"query Q{n} {{ " + " ".join(f"a{i}: __typename" for i in range(20)) + " }")
    assert 0 < cache.bytes <= 2_000_000
    assert len(cache) < 200
    big = "query Big { " + " ".join(f"a{i}: __typename" for i in range(2000)) + " }"
    node = cache.parse(big)
    assert document_cost(big, node) > 2_000_000 // 8 and big not in cache._entries


def test_padded_documents_over_http_stay_within_the_budget(app):
    documents = _state(app).schema.documents
    client = app.test_client()
    padding = " #" + "x" * 400_000
    for n in range(100):  # 40 MB of text, above the 32 MB budget
        query = f"query Padded{n} {{ blockTypes {{ name }} }}" + padding
        assert "errors" not in client.post("/graphql", json={"query": query}).get_json()
    assert documents.bytes <= documents.max_bytes
    kept = [text for text in documents._entries if text.startswith("query Padded")]
    assert 0 < len(kept) < 100


UNREGISTERED = "mutation { setDisplayPreferences(textSize: 120) { preferences { textSize } } }"


@pytest.mark.parametrize(
    "content_type",
    [
        "application/jsonx",
        "application/json-seq",
        "application/json+x",
        "text/plain; application/json",
        "application/x-www-form-urlencoded; charset=application/json",
        "APPLICATION/JSONX",
    ],
)
@pytest.mark.parametrize("document", [TYPES, UNREGISTERED])
def test_only_registered_documents_run_whatever_the_content_type(
    app, monkeypatch, content_type, document
):
    import json

    monkeypatch.setattr(_state(app).front.persisted, "only_registered", True)
    client = app.test_client()
    response = client.post(
        "/graphql", data=json.dumps({"query": document}), content_type=content_type
    )
    assert response.status_code == 400, response.get_data(as_text=True)
    error = response.get_json()["errors"][0]
    assert error["extensions"]["code"] in {"PERSISTED_QUERY_NOT_REGISTERED", "BAD_REQUEST"}
    assert "data" not in response.get_json()


def test_a_registered_document_still_runs_under_another_json_content_type(app, monkeypatch):
    import json

    persisted = _state(app).front.persisted
    with app.app_context():
        persisted.register(TYPES, lasting=True)
    monkeypatch.setattr(persisted, "only_registered", True)
    client = app.test_client()
    response = client.post(
        "/graphql", data=json.dumps({"query": TYPES}), content_type="application/jsonx"
    )
    assert response.status_code == 200
    assert response.get_json()["data"]["blockTypes"]
