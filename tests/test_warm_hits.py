"""Warm hits answered in front of Flask (``caching.warm_hits``): the same answer as the views
give (status, headers, body, request id, log line), for GraphQL GETs, fragments and theme pages
and their 304s; everything the views must decide (editors, readers with their own sizes, CORS,
a host's own hooks or viewer loader, misses) still reaches Flask.

The other cache tests (``test_response_cache``, ``test_html_cache``, ``test_page_data_cache``
...) run with the layer on, its default: their warm hits are answered here too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from cache_support import get_params, register
from conftest import BUILT_IN_ONLY, REFERENCE_LEGACY_PATH, REFERENCE_SLUG, _token, demo_content
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portal_blocks import PortalBlocks, create_app
from portal_blocks.caching.warm_hits import WarmHits
from portal_blocks.db import db
from portal_blocks.models import Article

ARTICLE = f"/tin-tuc/{REFERENCE_SLUG}"
#: Every kind of address the layer answers: GraphQL by persisted id, both fragment forms, a
#: block's fragment, theme pages (the article, the home page, the print view).
ADDRESSES = {
    "graphql": ("/graphql", get_params()),
    "fragment": ("/fragments/page", {"path": ARTICLE}),
    "fragment-json": ("/fragments/page", {"path": ARTICLE, "format": "json"}),
    "fragment-region": ("/fragments/page", {"path": ARTICLE, "region": "main"}),
    "theme": (ARTICLE, {}),
    "theme-legacy": (REFERENCE_LEGACY_PATH, {}),
    "theme-print": (ARTICLE, {"view": "print"}),
}


@dataclass
class Counted:
    """Counts the requests the layer hands on to Flask."""

    app: Flask
    #: The path of each, and the host it was for (as ProxyFix forwarded it, if any).
    reached_flask: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        layer = self.app.wsgi_app
        if isinstance(layer, ProxyFix):  # the layer goes inside it
            layer = layer.app
        assert isinstance(layer, WarmHits), "the layer is on by default"
        inner = layer.wsgi_app

        def counting(
            environ: dict[str, Any], start_response: Callable[..., Any]
        ) -> Iterable[bytes]:
            self.reached_flask.append(environ["PATH_INFO"])
            self.hosts.append(environ["HTTP_HOST"])
            return inner(environ, start_response)

        layer.wsgi_app = counting
        self._restore = lambda: setattr(layer, "wsgi_app", inner)

    def restore(self) -> None:
        self._restore()


def app_with(database_url: str, **settings: Any) -> Flask:
    return create_app(
        {"PORTAL_BLOCKS_DATABASE_URL": database_url, "TESTING": True, **BUILT_IN_ONLY, **settings}
    )


@pytest.fixture
def counted(app: Flask) -> Iterator[Counted]:
    counted = Counted(app)
    yield counted
    counted.restore()


def warm(client: Any, path: str, args: dict[str, str], **headers: str) -> Any:
    """Ask twice: the first answer is kept, the second is the hit."""
    client.get(path, query_string=args, headers=headers)
    return client.get(path, query_string=args, headers=headers)


def comparable(response: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = sorted((k, v) for k, v in response.headers.items() if k != "X-Request-ID")
    return response.status_code, headers, response.get_data()


def test_the_layer_is_in_front_of_flask_and_can_be_turned_off(database_url):
    assert isinstance(app_with(database_url).wsgi_app, WarmHits)
    assert not isinstance(app_with(database_url, PORTAL_BLOCKS_WARM_HITS=False).wsgi_app, WarmHits)


@pytest.mark.parametrize("kind", sorted(ADDRESSES))
def test_a_warm_hit_is_answered_before_flask_exactly_as_flask_answers_it(
    kind, app, database_url, counted
):
    path, args = ADDRESSES[kind]
    client = app.test_client()
    register(client)
    through_layer = warm(client, path, args)
    assert through_layer.status_code == 200 and through_layer.headers["Cache-Status"].endswith(
        "hit"
    )
    before = len(counted.reached_flask)
    again = client.get(path, query_string=args)
    assert counted.reached_flask[before:] == [], "a warm hit reached Flask"
    revalidated = client.get(
        path, query_string=args, headers={"If-None-Match": again.headers["ETag"]}
    )
    assert revalidated.status_code == 304 and counted.reached_flask[before:] == []

    plain = app_with(database_url, PORTAL_BLOCKS_WARM_HITS=False)
    plain_client = plain.test_client()
    register(plain_client)
    through_flask = warm(plain_client, path, args)
    assert comparable(through_layer) == comparable(through_flask)
    flask_304 = plain_client.get(
        path, query_string=args, headers={"If-None-Match": through_flask.headers["ETag"]}
    )
    assert comparable(revalidated) == comparable(flask_304)


def test_a_hit_keeps_the_request_id_and_logs_the_access_line(app, counted, caplog):
    caplog.set_level(logging.INFO, logger="portal_blocks.access")
    client = app.test_client()
    warm(client, ARTICLE, {})
    caplog.clear()
    before = len(counted.reached_flask)
    shown = client.get(ARTICLE, headers={"X-Request-ID": "balancer-42"})
    fresh = client.get(ARTICLE)
    assert counted.reached_flask[before:] == []
    assert shown.headers["X-Request-ID"] == "balancer-42"
    assert len(fresh.headers["X-Request-ID"]) == 32  # a new id, as Flask's path gives one
    lines = [r for r in caplog.records if r.name == "portal_blocks.access"]
    assert [r.getMessage() for r in lines] == [f"GET {ARTICLE} 200", f"GET {ARTICLE} 200"]
    assert lines[0].request_id == "balancer-42" and lines[0].status == 200
    assert lines[0].path == ARTICLE and lines[0].duration_ms >= 0


@pytest.mark.parametrize(
    "who",
    ["bearer token", "editor session", "reader with sizes"],
)
def test_who_is_asking_is_for_flask_to_decide(who, app, counted):
    client = app.test_client()
    warm(client, ARTICLE, {})
    register(client)
    warm(client, "/graphql", get_params())
    headers: dict[str, str] = {}
    if who == "bearer token":
        headers["Authorization"] = f"Bearer {_token('editor', 'Toà soạn')}"
    elif who == "editor session":
        client.set_cookie("pb_editor", "not-a-session")
    else:
        changed = client.post(
            "/graphql",
            json={"query": "mutation { setDisplayPreferences(textSize: 130) { errors { code } } }"},
        )
        assert changed.get_json()["data"]["setDisplayPreferences"]["errors"] == []
    before = len(counted.reached_flask)
    page = client.get(ARTICLE, headers=headers)
    answer = client.get("/graphql", query_string=get_params(), headers=headers)
    assert counted.reached_flask[before:] == [ARTICLE, "/graphql"]
    assert page.status_code == 200 and answer.status_code == 200
    if who == "reader with sizes":  # their own page, never the shared one
        assert page.headers["Cache-Control"] == "private, no-cache"
        assert 'style="font-size: 130%"' in page.get_data(as_text=True)
    else:
        assert "public" not in page.headers.get("Cache-Control", "")


def test_an_edit_drops_what_the_layer_answers(app, counted):
    client = app.test_client()
    warm(client, ARTICLE, {})
    article = db.session.query(Article).filter_by(slug=REFERENCE_SLUG).one()
    article.author = "Hương Dịu (sửa)"
    db.session.commit()
    before = len(counted.reached_flask)
    shown = client.get(ARTICLE)
    assert counted.reached_flask[before:] == [ARTICLE]  # a miss: Flask renders it anew
    assert "Hương Dịu (sửa)" in shown.get_data(as_text=True)
    again = client.get(ARTICLE)
    assert counted.reached_flask[before:] == [ARTICLE] and again.get_data() == shown.get_data()


def test_each_language_has_its_own_hit(app, counted):
    client = app.test_client()
    path, args = ADDRESSES["fragment"]
    vietnamese = warm(client, path, args)
    english = warm(client, path, args, **{"Accept-Language": "en-GB,en;q=0.8"})
    asked = warm(client, path, {**args, "lang": "en"})
    before = len(counted.reached_flask)
    assert (
        client.get(path, query_string=args, headers={"Accept-Language": "en"}).headers[
            "Content-Language"
        ]
        == "en"
    )
    assert counted.reached_flask[before:] == []
    assert vietnamese.headers["Content-Language"] == "vi"
    assert english.headers["Content-Language"] == asked.headers["Content-Language"] == "en"
    assert english.get_data() != vietnamese.get_data()
    # A theme page speaks the portal's language whatever the browser asks.
    page = warm(client, ARTICLE, {}, **{"Accept-Language": "en"})
    assert page.headers["Content-Language"] == "vi"


def test_misses_posts_and_other_paths_reach_flask(app, counted):
    client = app.test_client()
    client.get("/healthz")
    client.head(ARTICLE)
    client.post("/graphql", json={"query": "{ blockTypes { name } }"})
    client.get("/graphql", query_string={"query": "{ blockTypes { name } }"})
    assert counted.reached_flask == ["/healthz", ARTICLE, "/graphql", "/graphql"]


def test_with_cors_our_blueprint_is_left_to_flask_cors(database_url, migrated_app):
    app = app_with(database_url, PORTAL_BLOCKS_CORS_ORIGINS=["https://cong.example.vn"])
    with demo_content(app):
        counted = Counted(app)
        client = app.test_client()
        register(client)
        fragment = warm(client, *ADDRESSES["fragment"])
        answer = warm(client, *ADDRESSES["graphql"])
        page = warm(client, ARTICLE, {})
        assert fragment.headers["Access-Control-Allow-Origin"] == "https://cong.example.vn"
        assert answer.headers["Access-Control-Allow-Origin"] == "https://cong.example.vn"
        assert "Access-Control-Allow-Origin" not in page.headers
        assert counted.reached_flask.count(ARTICLE) == 1  # the theme page's second: the layer
        assert counted.reached_flask.count("/graphql") == 3  # registered, kept, and the hit


def test_a_host_with_its_own_request_hooks_gets_every_request_through_flask(
    database_url, migrated_app
):
    host = Flask("host")
    host.config.update(
        PORTAL_BLOCKS_DATABASE_URL=database_url, PORTAL_BLOCKS_URL_PREFIX="/blocks", **BUILT_IN_ONLY
    )
    PortalBlocks(host)

    @host.after_request
    def stamp(response):  # a host's own header on every answer
        response.headers["X-Host"] = "cong-thong-tin"
        return response

    with demo_content(host):
        counted = Counted(host)
        client = host.test_client()
        path, args = ADDRESSES["fragment"]
        first, second = (
            warm(client, "/blocks" + path, args),
            client.get("/blocks" + path, query_string=args),
        )
        assert second.headers["Cache-Status"].endswith("hit")
        assert first.headers["X-Host"] == second.headers["X-Host"] == "cong-thong-tin"
        assert len(counted.reached_flask) == 3


def test_a_hosts_own_viewer_loader_keeps_graphql_in_flask(database_url, migrated_app):
    host = Flask("host")
    host.config.update(PORTAL_BLOCKS_DATABASE_URL=database_url, **BUILT_IN_ONLY)
    PortalBlocks(host, viewer_for=lambda request: {})
    with demo_content(host):
        counted = Counted(host)
        client = host.test_client()
        register(client)
        warm(client, *ADDRESSES["graphql"])
        fragment = warm(client, *ADDRESSES["fragment"])
        assert fragment.headers["Cache-Status"].endswith("hit")
        assert counted.reached_flask == ["/graphql"] * 3 + ["/fragments/page"]


def test_behind_trusted_proxies_hits_are_keyed_by_the_forwarded_host(database_url, migrated_app):
    """The layer runs inside ProxyFix: the host a hit is kept for is the one the proxy
    forwarded, as for the views (a page's path may name another page on another host)."""
    app = app_with(database_url, PORTAL_BLOCKS_TRUSTED_PROXIES=1)
    with demo_content(app):
        counted = Counted(app)
        client = app.test_client()
        one = {"X-Forwarded-Host": "sokhdt.example.vn"}
        other = {"X-Forwarded-Host": "sotc.example.vn"}
        warm(client, ARTICLE, {}, **one)
        client.get(ARTICLE, headers=one)
        client.get(ARTICLE, headers=other)
        assert counted.hosts == ["sokhdt.example.vn", "sotc.example.vn"]


def test_the_layer_goes_inside_a_hosts_proxyfix_and_not_around_other_middleware(
    database_url, migrated_app
):
    proxied = Flask("host")
    proxied.config.update(PORTAL_BLOCKS_DATABASE_URL=database_url, **BUILT_IN_ONLY)
    proxied.wsgi_app = ProxyFix(proxied.wsgi_app, x_host=1)  # type: ignore[method-assign]
    PortalBlocks(proxied)
    assert isinstance(proxied.wsgi_app, ProxyFix)
    assert isinstance(proxied.wsgi_app.app, WarmHits)

    def own_middleware(environ, start_response):  # sees every request, may rewrite them
        return flask_wsgi(environ, start_response)

    other = Flask("other")
    other.config.update(PORTAL_BLOCKS_DATABASE_URL=database_url, **BUILT_IN_ONLY)
    flask_wsgi = other.wsgi_app
    other.wsgi_app = own_middleware  # type: ignore[method-assign]
    PortalBlocks(other)
    assert other.wsgi_app is own_middleware


def test_a_fault_in_the_layer_hands_the_request_to_flask(app, counted, caplog, monkeypatch):
    client = app.test_client()
    warm(client, ARTICLE, {})
    layer = app.wsgi_app
    assert isinstance(layer, WarmHits)

    def broken(*_args: Any) -> None:
        raise RuntimeError("a store that fails unexpectedly")

    monkeypatch.setattr(layer, "_answer", broken)
    before = len(counted.reached_flask)
    shown = client.get(ARTICLE)
    assert shown.status_code == 200 and counted.reached_flask[before:] == [ARTICLE]
    assert "handed to Flask" in caplog.text
