"""The near cache: each process keeps what it read from Redis, and drops it when a commit
anywhere is published; while it cannot hear those messages it is not read at all."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest
from cache_support import REDIS_URL, WRITER, get_params, redis_client_or_skip, register
from conftest import REFERENCE_SLUG, demo_content
from flask import Flask

from portal_blocks import create_app
from portal_blocks.caching.front import HIT, STORED
from portal_blocks.db import db
from portal_blocks.models import Article

NEW_TITLE = "Sửa từ một tiến trình khác"


def wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture
def near_app(database_url: str, migrated_app: Flask) -> Iterator[Flask]:
    redis_client_or_skip().flushdb()
    app = create_app(
        {
            "PORTAL_BLOCKS_DATABASE_URL": database_url,
            "PORTAL_BLOCKS_REDIS_URL": REDIS_URL,
            "PORTAL_BLOCKS_REDIS_NEAR_CACHE": True,
            "TESTING": True,
        }
    )
    front = app.extensions["portal_blocks"].front
    with demo_content(app) as ready:
        assert front.store.channel.wait_until_listening(5), "never subscribed"
        yield ready
    front.store.channel.close()


def page(client):
    response = client.get("/graphql", query_string=get_params())
    body = response.get_json()
    assert "errors" not in body, body
    return response, body["data"]["page"]["regions"][0]["blocks"][1]["article"]["title"]


def test_a_warm_hit_asks_nothing_of_redis(near_app, monkeypatch):
    client = near_app.test_client()
    register(client)
    page(client)
    store = near_app.extensions["portal_blocks"].front.store

    def no_redis(*_args):
        raise AssertionError("a warm hit went to Redis")

    monkeypatch.setattr(store.shared, "lookup", no_redis)
    monkeypatch.setattr(store.shared, "lookup_tagged", no_redis)
    response, _title = page(client)
    assert response.headers["Cache-Status"] == HIT


def test_a_commit_in_another_process_reaches_this_ones_near_cache(near_app, database_url):
    client = near_app.test_client()
    register(client)
    page(client)
    assert page(client)[0].headers["Cache-Status"] == HIT  # kept here now
    db.session.remove()
    subprocess.run(
        [sys.executable, "-c", WRITER % REFERENCE_SLUG],
        env={
            **os.environ,
            "PORTAL_BLOCKS_DATABASE_URL": database_url,
            "PORTAL_BLOCKS_REDIS_URL": REDIS_URL,
            "PORTAL_BLOCKS_REDIS_NEAR_CACHE": "true",
        },
        check=True,
        timeout=120,
    )
    assert wait_for(lambda: page(client)[1] == NEW_TITLE), "the commit never arrived"


def test_a_lost_subscription_is_not_read_and_emptied_on_return(near_app):
    """A message missed while the subscription was down must not leave an entry behind."""
    client = near_app.test_client()
    register(client)
    page(client)
    store = near_app.extensions["portal_blocks"].front.store
    channel = store.channel
    redis_client_or_skip().client_kill_filter(_type="pubsub")
    assert wait_for(lambda: not channel._healthy.is_set(), 3), "the cut was not noticed"
    # Meanwhile another process changes the article and empties Redis's entries, and its
    # message is lost: only the shared store hears of it.
    db.session.remove()
    with db.engine.begin() as connection:
        connection.execute(
            Article.__table__.update()
            .where(Article.__table__.c.slug == REFERENCE_SLUG)
            .values(title=NEW_TITLE)
        )
    for tier in (store, near_app.extensions["portal_blocks"].pages.store):
        tier.shared.invalidate(frozenset({"*"}))
    assert channel.wait_until_listening(5), "never subscribed again"
    response, title = page(client)
    assert title == NEW_TITLE
    assert response.headers["Cache-Status"] == STORED
