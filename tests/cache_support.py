"""Helpers shared by the cache tests: the reference query as a persisted GET, and Redis."""

from __future__ import annotations

import json
import os

import pytest
from conftest import IN_CI, REFERENCE_LEGACY_PATH

from portal_blocks.caching.persisted import sha256_hex

REDIS_URL = os.environ.get("PORTAL_BLOCKS_TEST_REDIS_URL", "redis://127.0.0.1:6379/2")

PAGE_QUERY = """query Page($path: String!) { page(path: $path) {
    regions { name blocks { __typename id position
      ... on Block_BanTin_Toolbar { dateText fontSize { current min max step } }
      ... on Block_BanTin_ViewData { article { title author } paragraphs } } } } }"""
PAGE_HASH = sha256_hex(PAGE_QUERY)


def apq(digest: str = PAGE_HASH) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


def get_params(path: str = REFERENCE_LEGACY_PATH, digest: str = PAGE_HASH) -> dict:
    return {"extensions": json.dumps(apq(digest)), "variables": json.dumps({"path": path})}


def register(client, query: str = PAGE_QUERY, path: str = REFERENCE_LEGACY_PATH, **headers):
    return client.post(
        "/graphql",
        json={"query": query, "variables": {"path": path}, "extensions": apq(sha256_hex(query))},
        headers=headers,
    )


def redis_client_or_skip():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        if IN_CI:
            raise
        pytest.skip(f"Redis unreachable at {REDIS_URL} ({exc}); set PORTAL_BLOCKS_TEST_REDIS_URL")
    return client


#: Another process's commit: run with ``python -c WRITER % slug``.
WRITER = """
from portal_blocks import create_app
from portal_blocks.db import db
from portal_blocks.models import Article

app = create_app()
with app.app_context():
    article = db.session.query(Article).filter_by(slug="%s").one()
    article.title = "Sửa từ một tiến trình khác"
    db.session.commit()
"""
