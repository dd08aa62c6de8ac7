"""The remote source's HTTP client and record mapping, against httpx transports that stand in
for a CMS's network behaviour (a refused connection, a slow answer, GraphQL errors): one retry
for a read, then a circuit that opens; values of the wrong type are upstream errors; text is
kept as the CMS wrote it, NFC."""

from __future__ import annotations

import json
import socket
import threading
import time
import unicodedata

import httpx
import pytest

from portal_blocks.content.queries import ArticleQuery
from portal_blocks.content.remote.client import (
    Circuit,
    GraphQLClient,
    UpstreamError,
    UpstreamUnavailable,
)
from portal_blocks.content.remote.dialects import PRESETS, Wagtail, WpGraphQL, offset_of
from portal_blocks.content.remote.records import FieldMap, record_from
from portal_blocks.content.remote.source import RemoteSource
from portal_blocks.demo import demo_articles
from portal_blocks.text.html import sanitize_html

REFERENCE = demo_articles()[0]


def grapple_page(article: dict, page_id: int) -> dict:
    return {
        "id": str(page_id),
        "slug": article["slug"],
        "title": article["title"],
        "lead": article["lead"],
        "body": article["body_html"],
        "author": article.get("author"),
        "source": article.get("source"),
        "category": article["category"],
        "publishedAt": article["published_at"],
        "imageUrl": article.get("image_url"),
        "imageAlt": article.get("image_alt"),
        "imageCaption": article.get("image_caption"),
    }


def client_for(handler, **kwargs) -> GraphQLClient:
    client = GraphQLClient("http://cms.test/graphql/", **kwargs)
    client.http = httpx.Client(transport=httpx.MockTransport(handler))
    return client


def test_a_refused_connection_is_retried_once_then_unavailable_and_the_circuit_opens():
    calls = []

    def refuse(request):
        calls.append(request)
        raise httpx.ConnectError("refused", request=request)

    client = client_for(refuse, circuit=Circuit(failures_to_open=2, open_seconds=30))
    for _ in range(2):
        with pytest.raises(UpstreamUnavailable):
            client.query("{ x }")
    assert len(calls) == 4  # each read tried twice, no more
    with pytest.raises(UpstreamUnavailable, match="not asked"):
        client.query("{ x }")
    assert len(calls) == 4  # the open circuit sent nothing
    assert client.circuit.is_open


def test_a_cms_error_answer_is_unavailable_and_graphql_errors_are_upstream_errors():
    answers = iter(
        [
            httpx.Response(502, text="bad gateway"),
            httpx.Response(200, json={"errors": [{"message": "Cannot query field 'x'"}]}),
            httpx.Response(200, text="<html>"),
        ]
    )
    client = client_for(lambda request: next(answers))
    with pytest.raises(UpstreamUnavailable, match="HTTP 502"):
        client.query("{ x }")
    with pytest.raises(UpstreamError, match="Cannot query field"):
        client.query("{ x }")
    with pytest.raises(UpstreamError, match="not JSON"):
        client.query("{ x }")


def test_a_slow_cms_fails_within_the_read_timeout():
    """A real socket that accepts and never answers: the wait is the read timeout, twice."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                server.settimeout(0.2)
                conn, _ = server.accept()
                accepted.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    client = GraphQLClient(f"http://127.0.0.1:{server.getsockname()[1]}/graphql/", read_timeout=0.3)
    started = time.monotonic()
    with pytest.raises(UpstreamUnavailable, match="ReadTimeout"):
        client.query("{ x }")
    elapsed = time.monotonic() - started
    stop.set()
    server.close()
    assert 0.5 < elapsed < 2.0, elapsed  # two reads of 0.3 s, no more


def test_records_keep_the_text_as_written_in_nfc_and_sanitise_the_body():
    decomposed = unicodedata.normalize("NFD", REFERENCE["title"])
    page = grapple_page(REFERENCE, 7) | {
        "title": decomposed,
        "body": REFERENCE["body_html"] + '<script>alert(1)</script><p onclick="x()">Đồng</p>',
    }
    record = record_from(page, FieldMap(PRESETS["wagtail"]))
    assert record.title == REFERENCE["title"] and record.title != decomposed
    # The same policy as our own articles' bodies (it writes a no-break space as &nbsp;).
    assert record.body_html.startswith(sanitize_html(REFERENCE["body_html"]))
    assert "<script" not in record.body_html and "onclick" not in record.body_html
    assert (
        record.published_at is not None
        and record.published_at.utcoffset().total_seconds() == 7 * 3600
    )
    assert (record.id, record.slug, record.category) == ("7", REFERENCE["slug"], "Kinh tế")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": 5}, "not text"),
        ({"publishedAt": "2021-11-10T08:00:00"}, "no timezone"),
        ({"publishedAt": "hôm qua"}, "not ISO 8601"),
        ({"id": None}, "no id"),
        ({"slug": ""}, "no slug"),
    ],
)
def test_values_of_the_wrong_type_are_upstream_errors(change, message):
    with pytest.raises(UpstreamError, match=message):
        record_from(grapple_page(REFERENCE, 1) | change, FieldMap(PRESETS["wagtail"]))


def test_a_field_the_cms_lacks_stays_empty():
    fields = FieldMap({**PRESETS["wagtail"], "author": "", "imageUrl": ""})
    record = record_from(grapple_page(REFERENCE, 1), fields)
    assert record.author is None and record.image_url is None
    assert "author" not in Wagtail("news.NewsPage", fields).selection


def test_wpgraphql_dates_in_gmt_are_utc():
    fields = FieldMap(PRESETS["wpgraphql"], naive_dates_are_utc=True)
    post = {
        "id": "cG9zdDox",
        "slug": "bai",
        "title": "Bài",
        "dateGmt": "2021-11-10T01:00:00",
        "categories": {"nodes": [{"name": "Kinh tế"}]},
        "author": {"node": {"name": "Hương"}},
    }
    record = record_from(post, fields)
    assert record.published_at.isoformat() == "2021-11-10T01:00:00+00:00"
    assert (record.category, record.author) == ("Kinh tế", "Hương")
    selection = WpGraphQL("Post", fields).selection
    assert "author { node { name } }" in selection
    assert "categories { nodes { name } }" in selection


def test_every_list_of_a_page_is_one_request_and_cut_as_asked():
    pages = [grapple_page(a, i + 1) for i, a in enumerate(demo_articles())]
    newest = sorted(pages, key=lambda p: p["publishedAt"], reverse=True)
    seen = []

    def grapple(request):
        body = json.loads(request.content)
        seen.append(body["query"])
        data = {}
        for alias in ("l0", "l1"):
            if f"{alias}: pages" in body["query"]:
                data[alias] = newest
        for page in pages:
            for j in range(3):
                if f'l2_{j}: page(slug: "{page["slug"]}"' in body["query"]:
                    data[f"l2_{j}"] = page
        return httpx.Response(200, json={"data": data})

    source = RemoteSource(
        client_for(grapple),
        Wagtail("news.NewsPage", FieldMap(PRESETS["wagtail"])),
        announces_changes=True,
        max_age=None,
    )
    chosen = (pages[3]["slug"], "khong-co", pages[0]["slug"])
    lists = source.lists(
        [
            ArticleQuery(limit=3, category="kinh-te", exclude="1"),
            ArticleQuery(limit=5),
            ArticleQuery(limit=3, slugs=chosen),
        ]
    )
    assert len(seen) == 1 and source.client.requests == 1
    economy = [p for p in newest if p["category"] == "Kinh tế" and p["id"] != "1"]
    assert [r.title for r in lists[0].records] == [p["title"] for p in economy[:3]]
    assert lists[0].has_next and offset_of(lists[0].end_cursor) == 3
    assert [r.slug for r in lists[2].records] == [chosen[0], chosen[2]]  # unknown one dropped


def test_the_token_is_sent_as_a_bearer_and_every_read_of_ids_is_one_request():
    seen = []

    def grapple(request):
        seen.append((request.headers.get("Authorization"), json.loads(request.content)))
        return httpx.Response(
            200,
            json={
                "data": {
                    "a0": grapple_page(REFERENCE, 3),
                    "a1": None,  # unpublished or gone: no entry
                    "a2": grapple_page(demo_articles()[2], 5),
                }
            },
        )

    client = GraphQLClient("http://cms.test/graphql/", token="secret-token")
    client.http = httpx.Client(
        transport=httpx.MockTransport(grapple), headers=dict(client.http.headers)
    )
    source = RemoteSource(
        client,
        Wagtail("news.NewsPage", FieldMap(PRESETS["wagtail"])),
        announces_changes=True,
        max_age=None,
    )
    found = source.by_ids(["3", "4", "5"])
    assert list(found) == ["3", "5"] and found["3"].title == REFERENCE["title"]
    [(authorization, body)] = seen
    assert authorization == "Bearer secret-token"
    assert body["variables"] == {"i0": "3", "i1": "4", "i2": "5", "ids": ["3", "4", "5"]}
    assert body["query"].count("page(id:") == 3
