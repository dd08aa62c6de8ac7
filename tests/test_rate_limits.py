"""Changes and failed sign-ins are rate limited, per author or address, with a clear 429."""

import os

import pytest
from conftest import IN_CI, _token

from portal_blocks import create_app

SET = {
    "query": "mutation($s: Int!) { setDisplayPreferences(textSize: $s) { errors { code } } }",
    "variables": {"s": 120},
}
QUERY = {"query": "{ blockTypes { name } }"}
REDIS_URL = os.environ.get("PORTAL_BLOCKS_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


def limited_client(database_url: str, **settings):
    app = create_app({"PORTAL_BLOCKS_DATABASE_URL": database_url, **settings})
    return app.test_client()


def post(client, body, token=None, address="10.0.0.1"):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(
        "/graphql", json=body, headers=headers, environ_base={"REMOTE_ADDR": address}
    )


def test_mutations_past_the_limit_get_429(app, database_url):
    client = limited_client(database_url, PORTAL_BLOCKS_RATE_LIMIT_MUTATIONS="3/minute")
    for _ in range(3):
        assert "errors" not in post(client, SET).get_json()
    refused = post(client, SET)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    [error] = refused.get_json()["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    # Reads are not limited, and another address has its own count.
    assert post(client, QUERY).status_code == 200
    assert "errors" not in post(client, SET, address="10.0.0.2").get_json()


def test_each_editor_has_a_count_of_their_own(app, database_url):
    client = limited_client(database_url, PORTAL_BLOCKS_RATE_LIMIT_MUTATIONS="2/minute")
    first, second = _token("editor", "Biên tập A"), _token("editor", "Biên tập B")
    for _ in range(2):
        assert post(client, SET, first).status_code == 200
    assert post(client, SET, first).status_code == 429
    assert post(client, SET, second).status_code == 200


def test_failed_sign_ins_block_the_address(app, database_url):
    client = limited_client(database_url, PORTAL_BLOCKS_RATE_LIMIT_AUTH_FAILURES="3/minute")
    good = _token("editor", "Biên tập C")
    for _ in range(3):
        assert post(client, QUERY, "wrong-token").status_code == 200
    blocked = post(client, QUERY, "wrong-token")
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) >= 1
    # A valid token is never refused for failures (tests/test_trusted_proxies.py has more).
    assert post(client, QUERY, good).status_code == 200
    assert post(client, QUERY, "wrong-token", address="10.0.0.9").status_code == 200
    assert post(client, QUERY).status_code == 200  # anonymous readers are not blocked


def test_counts_are_shared_through_redis(app, database_url):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError as exc:
        if IN_CI:
            raise
        pytest.skip(f"Redis unreachable at {REDIS_URL} ({exc})")
    redis.Redis.from_url(REDIS_URL).flushdb()
    settings = {
        "PORTAL_BLOCKS_RATE_LIMIT_STORAGE": REDIS_URL,
        "PORTAL_BLOCKS_RATE_LIMIT_MUTATIONS": "2/minute",
    }
    one, two = limited_client(database_url, **settings), limited_client(database_url, **settings)
    assert post(one, SET, address="10.9.9.9").status_code == 200
    assert post(two, SET, address="10.9.9.9").status_code == 200
    assert post(one, SET, address="10.9.9.9").status_code == 429
