"""Our portal over a real Wagtail site (wagtail-grapple, started by the tests: see
tests/wagtail_support.py): the reference page reads as the reader saw it, block by block; a
miss costs one request to the CMS for the article and one for every list, a hit none; an
editor's publish in Wagtail reaches our readers through the signed webhook at once (an edit
that moves the page in or out of no list keeps the lists that do not show it); with
Wagtail down, cached pages are served and uncached ones fail cleanly within the timeout."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from remote_portal import portal_reading, requests_to_cms
from serving import served as serving
from test_fidelity import reference_segments, visible_block_text
from test_webhook import SECRET

from portal_blocks.db import db
from portal_blocks.demo import (
    demo_articles,
)
from portal_blocks.state import get_state

pytest_plugins = ["wagtail_support"]

REFERENCE = demo_articles()[0]
ARTICLE = f"/tin-tuc/{REFERENCE['slug']}"
#: An article no other test reads exactly: the freshness test edits it (and restores it).
EDITED = demo_articles()[1]


def page_query(path: str) -> dict[str, str]:
    return {"query": f'{{ page(path: "{path}") {{ article {{ title lead }} }} }}'}


@pytest.fixture
def portal(wagtail_site, tmp_path: Path) -> Iterator[Flask]:
    """Our portal over the Wagtail site, caching what the webhook announces."""
    app = portal_reading(
        "wagtail",
        wagtail_site.graphql_url,
        tmp_path / "portal.db",
        PORTAL_BLOCKS_SOURCE_TYPE="news.NewsPage",
        PORTAL_BLOCKS_SOURCE_READ_TIMEOUT=2.0,
        PORTAL_BLOCKS_WEBHOOK_SECRET=SECRET,
    )
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def served(portal: Flask) -> Iterator[str]:
    """Our portal on a loopback port, so Wagtail's webhook can reach it."""
    with serving(portal) as url:
        yield url


def test_the_reference_page_through_wagtail_reads_as_the_reader_saw_it(portal):
    response = portal.test_client().get(ARTICLE)
    assert response.status_code == 200
    shown = visible_block_text(response.get_data(as_text=True))
    tin_khac = shown.pop("Block_BanTin_TinKhac")
    assert shown == reference_segments()
    others = [a for a in demo_articles()[1:] if a["category"] == "Kinh tế"]
    newest = sorted(others, key=lambda a: a["published_at"], reverse=True)[:5]
    assert tin_khac == "Tin khác " + " ".join(
        f"{a['title']} {a['published_at'][8:10]}/{a['published_at'][5:7]}/2021" for a in newest
    )


def test_a_miss_costs_one_request_for_the_article_and_one_for_the_lists_a_hit_none(portal):
    client = portal.test_client()
    before = requests_to_cms(portal)
    assert client.post("/graphql", json=page_query(ARTICLE)).status_code == 200
    assert requests_to_cms(portal) - before == 2
    assert client.post("/graphql", json=page_query(ARTICLE)).headers["Cache-Status"].endswith("hit")
    assert client.get(ARTICLE).status_code == 200  # page data and lists cached too
    assert requests_to_cms(portal) - before == 2


def test_a_publish_in_wagtail_reaches_readers_through_the_webhook(portal, served, wagtail_site):
    client = portal.test_client()
    path = f"/tin-tuc/{EDITED['slug']}"
    read = lambda: client.post("/graphql", json=page_query(path))  # noqa: E731
    assert read().get_json()["data"]["page"]["article"]["title"] == EDITED["title"]
    assert read().headers["Cache-Status"].endswith("hit")
    new_title = EDITED["title"] + " (cập nhật)"
    try:
        with wagtail_site.webhook(served + "/hooks/content-changed", SECRET):
            edited = wagtail_site.edit(EDITED["slug"], title=new_title)
        assert "failed" not in edited.stderr, edited.stderr
        after = read()
        assert after.get_json()["data"]["page"]["article"]["title"] == new_title
        assert not after.headers["Cache-Status"].endswith("hit")
    finally:
        with wagtail_site.webhook(served + "/hooks/content-changed", SECRET):
            wagtail_site.edit(EDITED["slug"], title=EDITED["title"])
    assert read().get_json()["data"]["page"]["article"]["title"] == EDITED["title"]


#: A page whose lists the edits below move in and out of: "Tin khác" of another category's page.
RETOUCHED = demo_articles()[8]  # Văn hóa - Xã hội
ELSEWHERE = demo_articles()[10]  # Nông nghiệp: its "Tin khác" shows the other one only


def test_an_edit_that_moves_no_list_keeps_the_lists_that_do_not_show_the_page(
    portal, served, wagtail_site
):
    """A live page's body edit is announced with "lists": false: its own page is read anew,
    another category's page (lists that do not show it) stays a hit; a change of its
    category may move it into that page's list, so every list is dropped."""
    client = portal.test_client()
    own, other = f"/tin-tuc/{RETOUCHED['slug']}", f"/tin-tuc/{ELSEWHERE['slug']}"
    read_own = lambda: client.post("/graphql", json=page_query(own))  # noqa: E731
    for read in (read_own, lambda: client.get(other)):
        assert read().status_code == 200
        assert read().headers["Cache-Status"].endswith("hit")
    body = RETOUCHED["body_html"].replace("</p>", " Cập nhật lúc 9 giờ.</p>", 1)
    try:
        with wagtail_site.webhook(served + "/hooks/content-changed", SECRET):
            edited = wagtail_site.edit(RETOUCHED["slug"], body=body)
        assert "failed" not in edited.stderr, edited.stderr
        assert not read_own().headers["Cache-Status"].endswith("hit")
        kept = client.get(other)
        assert kept.headers["Cache-Status"].endswith("hit")
        assert RETOUCHED["title"] not in kept.get_data(as_text=True)
        with wagtail_site.webhook(served + "/hooks/content-changed", SECRET):
            moved = wagtail_site.edit(RETOUCHED["slug"], category=ELSEWHERE["category"])
        assert "failed" not in moved.stderr, moved.stderr
        listed = client.get(other)
        assert not listed.headers["Cache-Status"].endswith("hit")
        tin_khac = visible_block_text(listed.get_data(as_text=True))["Block_BanTin_TinKhac"]
        assert RETOUCHED["title"] in tin_khac
    finally:
        with wagtail_site.webhook(served + "/hooks/content-changed", SECRET):
            wagtail_site.edit(
                RETOUCHED["slug"], body=RETOUCHED["body_html"], category=RETOUCHED["category"]
            )
    assert RETOUCHED["title"] not in client.get(other).get_data(as_text=True)


def test_with_wagtail_down_cached_pages_are_served_and_others_fail_cleanly(portal, wagtail_site):
    client = portal.test_client()
    assert client.get(ARTICLE).status_code == 200
    assert client.post("/graphql", json=page_query(ARTICLE)).status_code == 200
    wagtail_site.stop()
    try:
        cached = client.post("/graphql", json=page_query(ARTICLE))
        assert cached.status_code == 200 and cached.headers["Cache-Status"].endswith("hit")
        assert client.get(ARTICLE).status_code == 200
        started = time.monotonic()
        other = client.get(f"/tin-tuc/{EDITED['slug']}")
        assert other.status_code == 503
        answer = client.post("/graphql", json=page_query(f"/tin-tuc/{EDITED['slug']}"))
        assert answer.get_json()["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
        assert time.monotonic() - started < 5  # within the timeout, no retry storm
    finally:
        wagtail_site.start()


def test_several_articles_by_id_are_one_request_to_wagtail(portal, wagtail_site):
    ids = [str(wagtail_site.pages[a["slug"]]) for a in demo_articles()[:3]]
    with portal.app_context():
        source = get_state(portal).source_factory(db.session)
        before = source.client.requests
        found = source.by_ids([*ids, "999999"])
        assert source.client.requests - before == 1
    assert [found[i].slug for i in ids] == [a["slug"] for a in demo_articles()[:3]]
    assert "999999" not in found
    assert found[ids[0]].body_html == REFERENCE["body_html"].replace("\xa0", "&nbsp;")
