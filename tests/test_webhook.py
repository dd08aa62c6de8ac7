"""The content-changed webhook: a signed call drops exactly what read the named articles, in
every cache tier; a bad or missing signature, a replay or a body off the contract changes
nothing."""

from __future__ import annotations

import json
import time

import pytest
from conftest import REFERENCE_SLUG

from portal_blocks.caching.front import HIT, STORED
from portal_blocks.content.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature
from portal_blocks.db import db
from portal_blocks.models import Article

SECRET = "a-shared-secret-of-at-least-32-characters"
PAGE = f'{{ page(path: "/tin-tuc/{REFERENCE_SLUG}") {{ article {{ title }} }} }}'


@pytest.fixture
def app(cached_app, monkeypatch):
    monkeypatch.setitem(cached_app.config, "PORTAL_BLOCKS_WEBHOOK_SECRET", SECRET)
    return cached_app


def read(client) -> str:
    return client.post("/graphql", json={"query": PAGE}).headers["Cache-Status"]


def call(client, body: dict | bytes, *, secret: str = SECRET, skew: int = 0, sign=True):
    """Post ``body``, signed with ``secret`` at ``skew`` seconds from now."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    timestamp = str(int(time.time()) + skew)
    headers = {"Content-Type": "application/json", TIMESTAMP_HEADER: timestamp}
    if sign:
        headers[SIGNATURE_HEADER] = signature(secret, timestamp, raw)
    return client.post("/hooks/content-changed", data=raw, headers=headers)


def reference_id() -> str:
    return str(db.session.query(Article.id).filter_by(slug=REFERENCE_SLUG).scalar())


def cached(client) -> None:
    read(client)
    assert read(client) == HIT


@pytest.mark.parametrize(
    "body",
    [
        lambda: {"ids": [reference_id()]},
        lambda: {"slugs": [REFERENCE_SLUG]},
        lambda: {"keys": [f"post:{reference_id()}"]},
    ],
    ids=["by id", "by slug", "by purge key"],
)
def test_a_signed_call_drops_what_read_the_article(app, body):
    client = app.test_client()
    cached(client)
    response = call(client, body())
    assert response.status_code == 200, response.get_json()
    assert "articles" in response.get_json()["invalidated"]
    assert read(client) == STORED  # read anew, and kept again


def test_another_articles_change_leaves_the_page_cached(app):
    client = app.test_client()
    cached(client)
    assert call(client, {"ids": ["999999"]}).status_code == 200
    # The page read no list, so only its own article's change drops it.
    assert read(client) == HIT


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"sign": False}, 401),
        ({"secret": "another-secret-of-at-least-32-characters!"}, 401),
        ({"skew": -400}, 401),  # a replay of an old call
        ({"skew": 400}, 401),
    ],
    ids=["unsigned", "wrong secret", "old timestamp", "future timestamp"],
)
def test_bad_signatures_and_replays_are_refused_and_change_nothing(app, kwargs, status):
    client = app.test_client()
    cached(client)
    response = call(client, {"ids": [reference_id()]}, **kwargs)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == "BAD_SIGNATURE"
    assert read(client) == HIT


def test_a_tampered_body_is_refused(app):
    client = app.test_client()
    cached(client)
    raw = json.dumps({"ids": ["1"]}).encode()
    timestamp = str(int(time.time()))
    headers = {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature(SECRET, timestamp, raw)}
    tampered = json.dumps({"ids": [reference_id(), "2"]}).encode()
    response = client.post("/hooks/content-changed", data=tampered, headers=headers)
    assert response.status_code == 401
    assert read(client) == HIT


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"pages": ["1"]}, "pages"),
        ({"keys": ["term:5"]}, "keys"),
        ({"ids": "1"}, "ids"),
        ({}, "body"),
        (b"not json", "body"),
        ({"ids": [str(i) for i in range(1001)]}, "body"),
    ],
    ids=["unknown field", "unknown key", "not a list", "empty", "not json", "too many"],
)
def test_signed_bodies_off_the_contract_are_refused_by_field(app, body, field):
    client = app.test_client()
    cached(client)
    response = call(client, body)
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field
    assert read(client) == HIT


def test_without_a_secret_there_is_no_webhook(cached_app):
    response = call(cached_app.test_client(), {"ids": ["1"]})
    assert response.status_code == 404
    assert "PORTAL_BLOCKS_WEBHOOK_SECRET" in response.get_json()["error"]["message"]


LISTING = "{ articles(first: 1) { edges { node { title } } } }"


def read_listing(client) -> str:
    return client.post("/graphql", json={"query": LISTING}).headers["Cache-Status"]


def other_article_id() -> str:
    """An article the one-item listing does not show (the listing shows the newest)."""
    from articles_factory import add_article

    add_article("Tin mới nhất", category="Kinh tế", day=28)
    add_article("Tin cũ hơn", category="Kinh tế", day=2)
    db.session.commit()
    return str(db.session.query(Article.id).filter_by(title="Tin cũ hơn").scalar())


@pytest.mark.parametrize(
    ("body", "lists_dropped"),
    [
        (lambda other: {"ids": [other]}, True),
        (lambda other: {"ids": [other], "lists": False}, False),
        (lambda other: {"keys": [f"post:{other}"], "lists": False}, False),
        (lambda other: {"keys": [f"post:{other}", "list:post"], "lists": False}, True),
    ],
    ids=["by default", "lists false", "keys with lists false", "a list key wins"],
)
def test_a_call_saying_no_list_changed_keeps_the_lists(app, body, lists_dropped):
    """``"lists": false``: the change moved no article in or out of a list, so a list that
    does not show the named article stays cached; one that does, and the article's page, go."""
    other = other_article_id()
    client = app.test_client()
    cached(client)
    read_listing(client)
    assert read_listing(client) == HIT
    response = call(client, body(other))
    assert response.status_code == 200, response.get_json()
    invalidated = response.get_json()["invalidated"]
    assert ("articles" in invalidated) is lists_dropped
    assert ("search" in invalidated) is not lists_dropped
    assert read_listing(client) == (STORED if lists_dropped else HIT)
    assert read(client) == HIT  # the reference page read neither the article nor a list
    shown = call(client, {"ids": [reference_id()], "lists": False})
    assert shown.status_code == 200
    assert read(client) == STORED  # the page that showed it goes


def test_lists_must_be_true_or_false(app):
    client = app.test_client()
    cached(client)
    response = call(client, {"ids": [reference_id()], "lists": "no"})
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "lists"
    assert read(client) == HIT
