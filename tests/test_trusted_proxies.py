"""Rate limits behind a reverse proxy: with ``PORTAL_BLOCKS_TRUSTED_PROXIES`` each client is
counted by the address its proxies forwarded, not the proxy's; without it the forwarded header
is ignored (a client could write anything there). Either way a valid token is never refused
because of failed attempts counted against its address."""

from __future__ import annotations

import pytest
from conftest import _token
from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from portal_blocks import create_app
from portal_blocks.extension import PortalBlocks

QUERY = {"query": "{ blockTypes { name } }"}
SET = {
    "query": "mutation($s: Int!) { setDisplayPreferences(textSize: $s) { errors { code } } }",
    "variables": {"s": 120},
}
PROXY = "10.0.0.1"
WRONG = "pbt_not-a-token"


def proxied_client(database_url: str, proxies: int, **settings):
    app = create_app(
        {
            "PORTAL_BLOCKS_DATABASE_URL": database_url,
            "PORTAL_BLOCKS_TRUSTED_PROXIES": proxies,
            "PORTAL_BLOCKS_RATE_LIMIT_AUTH_FAILURES": "3/minute",
            **settings,
        }
    )
    return app.test_client()


def post(client, body, *, token=None, forwarded_for=None):
    """A request as the proxy at PROXY passes it on, for the client ``forwarded_for``."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    return client.post("/graphql", json=body, headers=headers, environ_base={"REMOTE_ADDR": PROXY})


def exhaust_failures(client, forwarded_for: str) -> None:
    for _ in range(3):
        assert post(client, QUERY, token=WRONG, forwarded_for=forwarded_for).status_code == 200
    assert post(client, QUERY, token=WRONG, forwarded_for=forwarded_for).status_code == 429


def test_behind_a_trusted_proxy_failures_count_per_forwarded_client(app, database_url):
    client = proxied_client(database_url, 1)
    good = _token("editor", "Biên tập viên sau proxy")
    exhaust_failures(client, "203.0.113.7")
    # Another reader behind the same proxy has a count of their own.
    assert post(client, QUERY, token=WRONG, forwarded_for="198.51.100.2").status_code == 200
    # And an editor is let in, wherever they sit.
    assert post(client, QUERY, token=good, forwarded_for="198.51.100.3").status_code == 200
    assert post(client, QUERY, token=good, forwarded_for="203.0.113.7").status_code == 200


def test_only_the_hop_the_trusted_proxy_added_counts(app, database_url):
    """A client cannot choose its own address: the proxy appends the real one, and only that
    rightmost entry is trusted with one proxy."""
    client = proxied_client(database_url, 1)
    for spoofed in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        forwarded = f"{spoofed}, 203.0.113.9"
        assert post(client, QUERY, token=WRONG, forwarded_for=forwarded).status_code == 200
    refused = post(client, QUERY, token=WRONG, forwarded_for="4.4.4.4, 203.0.113.9")
    assert refused.status_code == 429


def test_without_trusted_proxies_the_forwarded_header_is_ignored(app, database_url):
    client = proxied_client(database_url, 0)
    good = _token("editor", "Biên tập viên không proxy")
    exhaust_failures(client, "203.0.113.7")
    # Every client is the connecting address, so the header changes nothing ...
    assert post(client, QUERY, token=WRONG, forwarded_for="198.51.100.2").status_code == 429
    assert post(client, QUERY, token=WRONG).status_code == 429
    # ... but a valid token is still accepted with that address's failure count exhausted.
    assert post(client, QUERY, token=good, forwarded_for="198.51.100.2").status_code == 200
    assert post(client, QUERY, token=good).status_code == 200


def test_a_valid_token_is_accepted_however_many_failures_its_address_has(app, database_url):
    client = proxied_client(database_url, 0)
    good = _token("editor", "Biên tập viên cùng địa chỉ")
    exhaust_failures(client, "")
    for _ in range(5):
        answer = post(client, SET, token=good)
        assert answer.status_code == 200
        assert answer.get_json()["data"]["setDisplayPreferences"]["errors"] == []
    # The failures still count: the next wrong guess is refused, with a Retry-After.
    refused = post(client, QUERY, token=WRONG)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1


def test_anonymous_mutation_budgets_are_per_forwarded_client(app, database_url):
    client = proxied_client(database_url, 1, PORTAL_BLOCKS_RATE_LIMIT_MUTATIONS="2/minute")
    for _ in range(2):
        assert "errors" not in post(client, SET, forwarded_for="203.0.113.7").get_json()
    assert post(client, SET, forwarded_for="203.0.113.7").status_code == 429
    assert "errors" not in post(client, SET, forwarded_for="198.51.100.2").get_json()


def echo_app(database_url: str, proxies: int, host: Flask | None = None) -> Flask:
    app = host or Flask("host")
    app.config.update(
        {"PORTAL_BLOCKS_DATABASE_URL": database_url, "PORTAL_BLOCKS_TRUSTED_PROXIES": proxies}
    )
    app.add_url_rule(
        "/whoami", "whoami", lambda: f"{request.remote_addr} {request.scheme} {request.host}"
    )
    PortalBlocks(app)
    return app


FORWARDED = {
    "X-Forwarded-For": "203.0.113.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "tin.example.vn",
}


def whoami(app: Flask) -> str:
    response = app.test_client().get(
        "/whoami", headers=FORWARDED, environ_base={"REMOTE_ADDR": PROXY}
    )
    return response.get_data(as_text=True)


def test_a_host_app_is_wrapped_only_when_proxies_are_trusted(database_url):
    assert whoami(echo_app(database_url, 1)) == "203.0.113.7 https tin.example.vn"
    untouched = echo_app(database_url, 0)
    assert not isinstance(untouched.wsgi_app, ProxyFix)
    assert whoami(untouched) == f"{PROXY} http localhost"


def test_a_host_that_wraps_its_app_itself_keeps_its_own_count(database_url, caplog):
    host = Flask("host")
    host.wsgi_app = ProxyFix(host.wsgi_app, x_for=2)  # type: ignore[method-assign]
    own = host.wsgi_app
    app = echo_app(database_url, 1, host)
    assert app.wsgi_app is own
    assert "already wrapped in ProxyFix" in caplog.text


@pytest.mark.parametrize("value", [-1, "1", True, 1.5, None])
def test_a_trusted_proxies_value_that_is_not_a_count_is_refused(database_url, value):
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        echo_app(database_url, value)  # type: ignore[arg-type]
