"""A portal whose articles come from another portal-blocks over GraphQL (PORTAL_BLOCKS_SOURCE =
portal-blocks): the upstream is a real app serving the demo portal on a loopback port. The
reference page reads the same, block by block; a miss costs one request to the CMS (two with
"Tin khác"), a hit none; the webhook makes the next read fresh; with the CMS down, a cached
page is still served (an expired GraphQL answer, theme page or fragment too, said to be stale)
and an uncached one fails cleanly and quickly."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from cache_support import apq
from conftest import REFERENCE_SLUG, demo_content
from flask import Flask
from remote_portal import portal_reading, requests_to_cms
from serving import served
from test_fidelity import reference_segments, visible_block_text
from test_webhook import SECRET, call

from portal_blocks.caching.persisted import sha256_hex
from portal_blocks.caching.responses import STALE
from portal_blocks.content.remote.client import UPSTREAM_UNAVAILABLE
from portal_blocks.db import db, recorded_statements
from portal_blocks.demo import REFERENCE_LAYOUT, demo_articles
from portal_blocks.state import get_state

ARTICLE = f"/tin-tuc/{REFERENCE_SLUG}"
PAGE_QUERY = {"query": f'{{ page(path: "{ARTICLE}") {{ article {{ title }} }} }}'}


class Upstream:
    """The CMS: a portal-blocks app with the demo portal, served in a thread until stopped."""

    def __init__(self, app: Flask) -> None:
        self._serving = ExitStack()
        self.url = self._serving.enter_context(served(app)) + "/graphql"

    def stop(self) -> None:
        self._serving.close()


@pytest.fixture
def upstream(migrated_app: Flask) -> Iterator[Upstream]:
    with demo_content(migrated_app, portal=True):
        cms = Upstream(migrated_app)
        yield cms
        cms.stop()


def portal_over(upstream: Upstream, database: Path, **settings: object) -> Flask:
    return portal_reading("portal-blocks", upstream.url, database, **settings)


@pytest.fixture
def portal(upstream: Upstream, tmp_path: Path) -> Iterator[Flask]:
    app = portal_over(upstream, tmp_path / "portal.db", PORTAL_BLOCKS_WEBHOOK_SECRET=SECRET)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_without_a_webhook_secret_pages_are_kept_at_most_source_max_age(upstream, tmp_path):
    app = portal_over(upstream, tmp_path / "bounded.db", PORTAL_BLOCKS_SOURCE_MAX_AGE=1)
    client = app.test_client()
    first = client.post("/graphql", json=PAGE_QUERY)
    assert first.headers["Cache-Status"].endswith("stored")
    assert "max-age=1" in first.headers["Cache-Control"]
    before = requests_to_cms(app)
    assert client.post("/graphql", json=PAGE_QUERY).headers["Cache-Status"].endswith("hit")
    assert requests_to_cms(app) == before
    time.sleep(1.1)
    again = client.post("/graphql", json=PAGE_QUERY)
    assert not again.headers["Cache-Status"].endswith("hit")
    assert requests_to_cms(app) > before
    with app.app_context():
        db.engine.dispose()


def test_with_the_cms_down_an_expired_answer_is_served_stale_not_an_error(upstream, tmp_path):
    """A CMS that announces nothing: its answers expire after SOURCE_MAX_AGE. While it is
    down, readers get the expired answer (said so, and kept by no one downstream) rather than
    a 503; a page never kept still fails as before."""
    app = portal_over(upstream, tmp_path / "stale.db", PORTAL_BLOCKS_SOURCE_MAX_AGE=1)
    client = app.test_client()
    register_query = {**PAGE_QUERY, "extensions": apq(sha256_hex(PAGE_QUERY["query"]))}
    first = client.post("/graphql", json=register_query)
    assert first.headers["Cache-Status"].endswith("stored")
    by_id = {"extensions": json.dumps(apq(sha256_hex(PAGE_QUERY["query"])))}
    kept_get = client.get("/graphql", query_string=by_id)
    assert kept_get.headers["Cache-Status"].endswith("stored")
    upstream.stop()
    time.sleep(1.1)
    for stale in (
        client.post("/graphql", json=PAGE_QUERY),
        client.get("/graphql", query_string=by_id),  # through the layer, then the front
    ):
        assert stale.status_code == 200, stale.get_data(as_text=True)
        assert stale.get_data() == first.get_data()
        assert stale.headers["Cache-Status"] == STALE
        assert stale.headers["Cache-Control"] == "no-store"
        assert "Retry-After" not in stale.headers
    revalidated = client.get(
        "/graphql", query_string=by_id, headers={"If-None-Match": kept_get.headers["ETag"]}
    )
    assert revalidated.status_code == 304
    never_kept = client.post(
        "/graphql", json={"query": '{ page(path: "/tin-tuc/khong-co-0000") { path } }'}
    )
    assert never_kept.status_code == 503
    assert never_kept.get_json()["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    with app.app_context():
        db.engine.dispose()


FRAGMENT = {"path": ARTICLE}


def test_without_a_webhook_secret_html_is_kept_at_most_source_max_age(upstream, tmp_path):
    """Theme pages and fragments that read a CMS announcing nothing are kept as its GraphQL
    answers are: until SOURCE_MAX_AGE has passed, then read anew."""
    app = portal_over(upstream, tmp_path / "bounded-html.db", PORTAL_BLOCKS_SOURCE_MAX_AGE=1)
    client = app.test_client()
    reads = (
        lambda: client.get(ARTICLE),
        lambda: client.get("/fragments/page", query_string=FRAGMENT),
    )
    for read in reads:
        first = read()
        assert first.status_code == 200
        assert first.headers["Cache-Status"].endswith("stored")
        assert first.headers["Cache-Control"] == "public, max-age=1, must-revalidate"
        before = requests_to_cms(app)
        kept = read()  # answered by the layer in front of Flask
        assert kept.headers["Cache-Status"].endswith("hit")
        assert kept.get_data() == first.get_data()
        assert requests_to_cms(app) == before
    time.sleep(1.1)
    before = requests_to_cms(app)
    for read in reads:
        assert read().headers["Cache-Status"].endswith("stored")  # expired: read anew
    assert requests_to_cms(app) > before
    with app.app_context():
        db.engine.dispose()


def test_with_the_cms_down_an_expired_page_or_fragment_is_served_stale_not_an_error(
    upstream, tmp_path
):
    app = portal_over(upstream, tmp_path / "stale-html.db", PORTAL_BLOCKS_SOURCE_MAX_AGE=1)
    client = app.test_client()
    page = client.get(ARTICLE)
    fragment = client.get("/fragments/page", query_string=FRAGMENT)
    assert page.headers["Cache-Status"].endswith("stored")
    assert fragment.headers["Cache-Status"].endswith("stored")
    upstream.stop()
    time.sleep(1.1)
    again = (
        (page, client.get(ARTICLE)),
        (fragment, client.get("/fragments/page", query_string=FRAGMENT)),
    )
    for first, stale in again:
        assert stale.status_code == 200, stale.get_data(as_text=True)
        assert stale.get_data() == first.get_data()
        assert stale.headers["Cache-Status"] == STALE
        assert stale.headers["Cache-Control"] == "no-store"
        assert "xkey" not in stale.headers and "Retry-After" not in stale.headers
    revalidated = client.get(ARTICLE, headers={"If-None-Match": page.headers["ETag"]})
    assert revalidated.status_code == 304
    never_kept = client.get("/fragments/page", query_string={"path": "/tin-tuc/khong-co-0000"})
    assert never_kept.status_code == 503
    assert never_kept.get_json()["error"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert client.get("/tin-tuc/khong-co-0000").status_code == 503
    with app.app_context():
        db.engine.dispose()


def test_the_reference_page_reads_the_same_through_the_remote_source(portal):
    client = portal.test_client()
    response = client.get(ARTICLE)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    shown = visible_block_text(html)
    tin_khac = shown.pop("Block_BanTin_TinKhac")
    assert shown == reference_segments()
    assert tin_khac.startswith("Tin khác ") and "Thu ngân sách nhà nước" in tin_khac


def test_a_miss_costs_one_request_per_call_and_a_hit_none(portal):
    client = portal.test_client()
    query = PAGE_QUERY
    before = requests_to_cms(portal)
    with portal.app_context(), recorded_statements(db.engine) as cold:
        assert client.post("/graphql", json=query).status_code == 200
    assert requests_to_cms(portal) - before == 2  # the article, and every list (Tin khác)
    assert len(cold) == 2, cold  # our own tables: the routes, the layout; no article here
    with portal.app_context(), recorded_statements(db.engine) as warm:
        client.post("/graphql", json=query)
        # The page data (article and lists) is cached too: the theme page asks nothing more.
        assert client.get(ARTICLE).status_code == 200
    assert requests_to_cms(portal) - before == 2
    assert warm == []


def test_a_page_without_related_news_costs_one_request_on_a_miss(upstream, tmp_path):
    app = portal_reading(
        "portal-blocks",
        upstream.url,
        tmp_path / "plain.db",
        REFERENCE_LAYOUT,  # the toolbar and the article alone: no list on the page
        PORTAL_BLOCKS_WEBHOOK_SECRET=SECRET,
    )
    client = app.test_client()
    before = requests_to_cms(app)
    assert client.post("/graphql", json=PAGE_QUERY).status_code == 200
    assert requests_to_cms(app) - before == 1
    assert client.get(ARTICLE).status_code == 200
    assert requests_to_cms(app) - before == 1
    with app.app_context():
        db.engine.dispose()


def test_the_webhook_makes_the_next_read_ask_the_cms_again(portal):
    client = portal.test_client()
    query = PAGE_QUERY
    client.post("/graphql", json=query)
    client.post("/graphql", json=query)
    before = requests_to_cms(portal)
    with portal.app_context():
        article_id = get_state(portal).source_factory(db.session).by_slug(REFERENCE_SLUG).id
    assert call(client, {"ids": [article_id]}).status_code == 200
    client.post("/graphql", json=query)
    assert requests_to_cms(portal) - before >= 2  # the lookup above, and the read anew


def test_with_the_cms_down_a_cached_page_is_served_and_an_uncached_one_fails_cleanly(
    portal, upstream
):
    client = portal.test_client()
    assert client.get(ARTICLE).status_code == 200
    assert client.post("/graphql", json=PAGE_QUERY).status_code == 200
    upstream.stop()
    cached = client.get(ARTICLE)
    assert cached.status_code == 200
    assert (
        visible_block_text(cached.get_data(as_text=True))["Block_BanTin_ViewData"]
        == (reference_segments()["Block_BanTin_ViewData"])
    )
    again = client.post("/graphql", json=PAGE_QUERY)
    assert again.status_code == 200 and again.headers["Cache-Status"].endswith("hit")
    assert client.get("/readyz").get_json()["source"] == "ok"
    started = time.monotonic()
    missing = client.get("/tin-tuc/chi-so-gia-tieu-dung-thang-10-tang-nhe-6de4")
    assert missing.status_code == 503 and missing.headers["Retry-After"] == "5"
    # The portal's own page, not Werkzeug's: the reader is told to come back, kept by no one.
    assert missing.mimetype == "text/html" and missing.headers["Cache-Control"] == "no-store"
    assert "<h1>Tạm thời không xem được trang</h1>" in missing.get_data(as_text=True)
    assert UPSTREAM_UNAVAILABLE in missing.get_data(as_text=True)
    assert missing.headers["X-Request-ID"] in missing.get_data(as_text=True)
    graphql = client.post(
        "/graphql",
        json={"query": '{ page(path: "/tin-tuc/khong-co-bai-nay-0000") { path } }'},
    )
    assert graphql.status_code == 503
    assert graphql.get_json()["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert time.monotonic() - started < 3  # refused connections fail at once; no retry storm
    fragment = client.get("/fragments/page", query_string={"path": "/tin-tuc/x-0000"})
    assert fragment.status_code == 503
    assert fragment.get_json()["error"]["code"] == "UPSTREAM_UNAVAILABLE"
    # Three failed reads in a row opened the circuit: readiness says so (degraded, not 503).
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["source"] == "unreachable"
    assert ready.get_json()["status"] == "degraded"


def test_the_article_list_comes_from_the_cms_and_search_says_it_cannot(portal):
    client = portal.test_client()
    listing = (
        '{ articles(first: 4, category: "Kinh tế") { nodes { title } '
        "pageInfo { hasNextPage endCursor } } }"
    )
    first = client.post("/graphql", json={"query": listing}).get_json()["data"]["articles"]
    economy = sorted(
        (a for a in demo_articles() if a["category"] == "Kinh tế"),
        key=lambda a: a["published_at"],
        reverse=True,
    )
    assert [n["title"] for n in first["nodes"]] == [a["title"] for a in economy[:4]]
    assert first["pageInfo"]["hasNextPage"] is True
    after = first["pageInfo"]["endCursor"]
    more = listing.replace("first: 4,", f'first: 4, after: "{after}",')
    second = client.post("/graphql", json={"query": more}).get_json()["data"]["articles"]
    assert [n["title"] for n in second["nodes"]] == [a["title"] for a in economy[4:8]]
    search = client.post(
        "/graphql", json={"query": '{ articles(search: "lúa") { nodes { title } } }'}
    )
    assert search.get_json()["errors"][0]["extensions"]["code"] == "NOT_SUPPORTED"
