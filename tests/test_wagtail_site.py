"""The test Wagtail site itself: what its GraphQL answers, and what its webhook hooks send.

These pin the documents portal-blocks' Wagtail source is written against (grapple's ``page`` /
``pages`` and the site's ``newsPage`` / ``newsPages``), the exactness of the text through
grapple, and the webhook contract of ``examples/wagtail_hooks.py``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import unicodedata
import urllib.error
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from wagtail_support import ARTICLES, WagtailSite, free_port

pytest_plugins = ["wagtail_support"]  # the session's Wagtail site: the wagtail_site fixture

REFERENCE = ARTICLES[0]
#: The article the tests edit, unpublish and publish (and put back): not the reference one.
EDITED = ARTICLES[-1]
NEWS_FIELDS = """
    id title slug
    ... on NewsPage {
        lead body author source category publishedAt imageUrl imageCaption imageAlt
    }
"""


def expected(article: dict[str, Any]) -> dict[str, Any]:
    """An article as the site's GraphQL gives it back: absent text is ``""``."""
    return {
        "title": article["title"],
        "slug": article["slug"],
        "lead": article["lead"],
        "body": article["body_html"],
        "author": article.get("author") or "",
        "source": article.get("source") or "",
        "category": article.get("category") or "",
        "imageUrl": article.get("image_url") or "",
        "imageCaption": article.get("image_caption") or "",
        "imageAlt": article.get("image_alt") or "",
    }


def data(site: WagtailSite, document: str) -> dict[str, Any]:
    result = site.query(document)
    assert "errors" not in result, result["errors"]
    return result["data"]


def newest_first() -> list[dict[str, Any]]:
    return sorted(ARTICLES, key=lambda a: datetime.fromisoformat(a["published_at"]), reverse=True)


def test_the_reference_article_by_slug_comes_back_exactly(wagtail_site):
    page = data(
        wagtail_site,
        f'{{ page(slug: "{REFERENCE["slug"]}") {{ __typename contentType {NEWS_FIELDS} }} }}',
    )["page"]
    assert page["__typename"] == "NewsPage" and page["contentType"] == "news.NewsPage"
    assert page["id"] == str(wagtail_site.pages[REFERENCE["slug"]])
    published_at = datetime.fromisoformat(page.pop("publishedAt"))
    assert published_at == datetime.fromisoformat(REFERENCE["published_at"])
    assert published_at.utcoffset() is not None  # ISO 8601 with its offset (+00:00)
    page = {key: value for key, value in page.items() if key not in {"__typename", "contentType"}}
    assert page == {"id": page["id"], **expected(REFERENCE)}
    # Byte for byte, in NFC as the file has them: grapple's rich text leaves plain HTML alone.
    for name in ("title", "lead", "body"):
        assert page[name].encode() == expected(REFERENCE)[name].encode()
        assert unicodedata.is_normalized("NFC", page[name])


def test_every_demo_article_is_a_published_news_page(wagtail_site):
    pages = data(wagtail_site, f"{{ newsPages(limit: 100) {{ {NEWS_FIELDS} }} }}")["newsPages"]
    by_slug = {page["slug"]: page for page in pages}
    assert set(by_slug) == {a["slug"] for a in ARTICLES} == set(wagtail_site.pages)
    for article in ARTICLES:
        page = by_slug[article["slug"]]
        assert page["id"] == str(wagtail_site.pages[article["slug"]])
        assert datetime.fromisoformat(page["publishedAt"]) == datetime.fromisoformat(
            article["published_at"]
        )
        assert {k: v for k, v in page.items() if k not in {"id", "publishedAt"}} == expected(
            article
        )
    # The reference article is the first one seeded: the lowest id.
    assert min(wagtail_site.pages.values()) == wagtail_site.pages[REFERENCE["slug"]]


def test_pages_of_a_content_type_newest_first_with_limit_and_offset(wagtail_site):
    slugs = [a["slug"] for a in newest_first()]
    listed = data(
        wagtail_site,
        """{
            first: pages(contentType: "news.NewsPage", order: "-newspage__published_at",
                         limit: 5) { slug ... on NewsPage { publishedAt } }
            next: pages(contentType: "news.NewsPage", order: "-newspage__published_at",
                        limit: 5, offset: 5) { slug }
            own: newsPages(order: "-published_at", limit: 5, offset: 5) { slug }
        }""",
    )
    assert [p["slug"] for p in listed["first"]] == slugs[:5]
    dates = [datetime.fromisoformat(p["publishedAt"]) for p in listed["first"]]
    assert dates == sorted(dates, reverse=True)
    assert [p["slug"] for p in listed["next"]] == slugs[5:10]
    assert [p["slug"] for p in listed["own"]] == slugs[5:10]


def test_generic_pages_order_only_by_page_fields_or_through_the_subclass(wagtail_site):
    """grapple's ``pages`` orders a queryset of Wagtail's base Page: a NewsPage field is named
    through the subclass relation (``newspage__published_at``), not alone."""
    result = wagtail_site.query(
        '{ pages(contentType: "news.NewsPage", order: "-published_at", limit: 5) { id } }'
    )
    assert result["data"] is None
    assert "Cannot resolve keyword 'published_at'" in result["errors"][0]["message"]


def test_several_pages_by_id_in_one_request(wagtail_site):
    ids = [wagtail_site.pages[a["slug"]] for a in ARTICLES[:3]]
    document = " ".join(f"a{i}: page(id: {n}) {{ id title }}" for i, n in enumerate(ids))
    found = data(wagtail_site, f"{{ {document} missing: page(id: 99999) {{ id }} }}")
    assert found.pop("missing") is None
    assert found == {
        f"a{i}": {"id": str(n), "title": ARTICLES[i]["title"]} for i, n in enumerate(ids)
    }


def test_search_over_news_pages(wagtail_site):
    found = data(
        wagtail_site, '{ newsPages(searchQuery: "lúa mùa", limit: 10) { slug category } }'
    )["newsPages"]
    assert "thu-hoach-lua-mua-dat-nang-suat-kha-3e03" in {p["slug"] for p in found}
    # grapple's generic pages() searches Page's own fields (the title) only.
    titles = data(wagtail_site, '{ pages(searchQuery: "công nghiệp", limit: 10) { slug } }')
    assert REFERENCE["slug"] in {p["slug"] for p in titles["pages"]}


def test_an_edit_is_visible_through_graphql_at_once(wagtail_site):
    slug = EDITED["slug"]
    lead = "Tin sửa: diện tích cây dược liệu tăng thêm 50 ha."
    document = f'{{ page(slug: "{slug}") {{ title ... on NewsPage {{ lead body }} }} }}'
    try:
        wagtail_site.edit(slug, lead=lead, body="<p>Đã sửa.</p>")
        assert data(wagtail_site, document)["page"] == {
            "title": EDITED["title"],
            "lead": lead,
            "body": "<p>Đã sửa.</p>",
        }
    finally:
        wagtail_site.edit(slug, lead=EDITED["lead"], body=EDITED["body_html"])
    assert data(wagtail_site, document)["page"]["lead"] == EDITED["lead"]


def test_unpublish_and_publish(wagtail_site):
    slug = EDITED["slug"]
    document = f'{{ page(slug: "{slug}") {{ id }} }}'
    try:
        wagtail_site.unpublish(slug)
        assert data(wagtail_site, document)["page"] is None
    finally:
        wagtail_site.publish(slug)
    assert data(wagtail_site, document)["page"] == {"id": str(wagtail_site.pages[slug])}


@dataclass
class Receiver:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A stand-in for portal-blocks' webhook endpoint that records what it is sent."""
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"path": self.path, "headers": dict(self.headers), "body": body})
            self.send_response(204)
            self.end_headers()

        def log_message(self, format, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        yield Receiver(f"http://127.0.0.1:{port}/hooks/content-changed", received)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def verified(request: dict[str, Any], secret: str) -> dict[str, Any]:
    """The notice's JSON body, once its timestamp and signature check out."""
    headers = {name.lower(): value for name, value in request["headers"].items()}
    timestamp = headers["x-portal-blocks-timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + request["body"], hashlib.sha256)
    assert hmac.compare_digest(headers["x-portal-blocks-signature"], f"sha256={mac.hexdigest()}")
    assert headers["content-type"] == "application/json"
    return json.loads(request["body"])


def test_the_hooks_post_a_signed_notice_on_publish_and_unpublish(wagtail_site, receiver):
    secret = "bí mật chung"
    slug = EDITED["slug"]
    notice = {"ids": [str(wagtail_site.pages[slug])], "slugs": [slug]}
    # An edit of a live page's lead moves it in or out of no list; the unpublish does, and so
    # does publishing it again.
    lists = [False, True, True]
    try:
        with wagtail_site.webhook(receiver.url, secret):
            wagtail_site.edit(slug, lead="Tin sửa để gọi webhook.")
            assert len(receiver.requests) == 1
            wagtail_site.unpublish(slug)
            assert len(receiver.requests) == 2
            wagtail_site.publish(slug)
    finally:
        wagtail_site.edit(slug, lead=EDITED["lead"])
    assert len(receiver.requests) == 3  # the restoring edit ran without the webhook
    for request, moved in zip(receiver.requests, lists, strict=True):
        assert request["path"] == "/hooks/content-changed"
        assert verified(request, secret) == {**notice, "lists": moved}
    # Signed with another secret, the same notice does not verify.
    with pytest.raises(AssertionError):
        verified(receiver.requests[0], "another secret")


def test_publishing_succeeds_when_portal_blocks_is_down(wagtail_site):
    slug = EDITED["slug"]
    down = f"http://127.0.0.1:{free_port()}/hooks/content-changed"  # nothing listens there
    try:
        with wagtail_site.webhook(down, "secret"):
            done = wagtail_site.edit(slug, lead="Tin sửa khi portal-blocks không chạy.")
        assert "portal-blocks webhook" in done.stderr and "failed" in done.stderr
        lead = data(wagtail_site, f'{{ page(slug: "{slug}") {{ ... on NewsPage {{ lead }} }} }}')
        assert lead["page"]["lead"] == "Tin sửa khi portal-blocks không chạy."
    finally:
        wagtail_site.edit(slug, lead=EDITED["lead"])


def test_stop_and_start_play_the_cms_going_down_and_back(wagtail_site):
    port = wagtail_site.port
    wagtail_site.stop()
    try:
        with pytest.raises(urllib.error.URLError):
            wagtail_site.query("{ __typename }", timeout=2)
    finally:
        wagtail_site.start()
    assert wagtail_site.port == port
    assert data(wagtail_site, "{ page(id: 1) { id } __typename }") == {
        "page": None,  # the tree's root is never served
        "__typename": "Query",
    }
