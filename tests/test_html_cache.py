"""Theme pages and fragments from the cache: a warm hit runs no SQL and renders nothing, with
its ETag (304) and Cache-Control; every edit that changes what a page shows drops it; per
language and per reader text size; editors, errors and redirects are never kept. In every
cache tier (memory, Redis, Redis with a near tier)."""

from __future__ import annotations

import json

import pytest
from conftest import REFERENCE_LEGACY_PATH, REFERENCE_SLUG, count_statements, publish_draft

from portal_blocks.caching.html import HIT, STORED, CachedPage
from portal_blocks.db import db
from portal_blocks.models import Article, Layout, Placement

ARTICLE = f"/tin-tuc/{REFERENCE_SLUG}"
FRAGMENT = ("/fragments/page", {"path": ARTICLE})
FORM_MUTATION = "mutation { setDisplayPreferences(textSize: 130) { errors { code } } }"


@pytest.fixture
def app(cached_app):
    return cached_app


def test_a_theme_page_is_kept_and_a_warm_hit_runs_no_sql(client):
    first = client.get(ARTICLE)
    assert first.status_code == 200 and first.headers["Cache-Status"] == STORED
    assert first.headers["Cache-Control"] == "public, max-age=300, must-revalidate"
    assert first.headers["Content-Language"] == "vi"
    article = db.session.query(Article).filter_by(slug=REFERENCE_SLUG).one()
    layout = db.session.query(Layout).one()
    keys = set(first.headers["Surrogate-Key"].split())
    assert {f"article:{article.id}", f"layout:{layout.id}"} <= keys
    with count_statements() as warm:
        again = client.get(ARTICLE)
    assert warm == []
    assert again.headers["Cache-Status"] == HIT
    assert again.get_data() == first.get_data() and again.headers["ETag"] == first.headers["ETag"]
    revalidated = client.get(ARTICLE, headers={"If-None-Match": first.headers["ETag"]})
    assert revalidated.status_code == 304 and revalidated.get_data() == b""


def _vary(response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("Vary", "").split(",") if v.strip()}


def test_a_theme_page_varies_by_the_cookie_alone_and_a_fragment_by_the_language_too(client):
    """A theme page speaks the portal's language or its ``?lang=``, never the browser's. It
    said ``Vary: Accept-Language`` all the same, so an edge kept one copy per browser language
    string (``vi-VN,vi;q=0.9,...``) and sent each new one to the origin."""
    browsers = ({"Accept-Language": "vi-VN,vi;q=0.9,en-US;q=0.8"}, {"Accept-Language": "en"}, {})
    pages = [client.get(ARTICLE, headers=headers) for headers in browsers]
    assert [page.headers["Cache-Status"] for page in pages] == [STORED, HIT, HIT]
    for page in pages:
        assert _vary(page) == {"cookie"}
        assert page.get_data() == pages[0].get_data()
    revalidated = client.get(ARTICLE, headers={"If-None-Match": pages[0].headers["ETag"]})
    assert revalidated.status_code == 304 and _vary(revalidated) == {"cookie"}
    # A fragment speaks the reader's language: it names the header it was chosen by.
    english = [
        client.get(FRAGMENT[0], query_string=FRAGMENT[1], headers={"Accept-Language": "en"})
        for _ in range(2)
    ]
    assert [fragment.headers["Cache-Status"] for fragment in english] == [STORED, HIT]
    for fragment in english:
        assert _vary(fragment) == {"accept-language", "cookie"}
        assert fragment.headers["Content-Language"] == "en"


def test_an_article_edit_drops_its_pages_and_fragments(client):
    client.get(ARTICLE)
    client.get(REFERENCE_LEGACY_PATH)
    client.get(FRAGMENT[0], query_string=FRAGMENT[1])
    article = db.session.query(Article).filter_by(slug=REFERENCE_SLUG).one()
    article.author = "Hương Dịu (sửa)"
    db.session.commit()
    for path, args in ((ARTICLE, {}), (REFERENCE_LEGACY_PATH, {}), FRAGMENT):
        shown = client.get(path, query_string=args)
        assert shown.headers["Cache-Status"] == STORED, path
        assert "Hương Dịu (sửa)" in shown.get_data(as_text=True), path


def test_a_published_layout_change_drops_the_page(client):
    client.get(ARTICLE)
    toolbar = db.session.query(Placement).filter_by(block_type="Block_BanTin_Toolbar").one()
    toolbar.settings = {**toolbar.settings, "dateFormat": "EEEE, dd/MM/yyyy"}
    db.session.commit()
    assert "Thứ Tư, 10/11/2021" not in client.get(ARTICLE).get_data(as_text=True)  # a draft
    publish_draft(db.session.query(Layout).one().name)
    assert "Thứ Tư, 10/11/2021" in client.get(ARTICLE).get_data(as_text=True)


def test_each_language_and_each_text_size_is_its_own_entry(client):
    vietnamese = client.get(ARTICLE)
    english = client.get(ARTICLE, query_string={"lang": "en"})
    assert english.headers["Cache-Status"] == STORED
    assert "Increase text size" in english.get_data(as_text=True)
    assert "Tăng cỡ chữ" in vietnamese.get_data(as_text=True)
    saved = client.post(
        "/graphql",
        json={"query": FORM_MUTATION},
    )
    assert saved.get_json()["data"]["setDisplayPreferences"]["errors"] == []
    sized = client.get(ARTICLE)
    assert sized.headers["Cache-Control"] == "private, no-cache"
    assert 'style="font-size: 130%"' in sized.get_data(as_text=True)
    assert "Surrogate-Key" not in sized.headers  # one reader's: no edge keeps it
    client.delete_cookie("pb_viewer")
    anonymous = client.get(ARTICLE)
    assert anonymous.headers["Cache-Status"] == HIT
    assert "130%" not in anonymous.get_data(as_text=True)


def test_editors_errors_and_redirects_are_never_kept(client, app, editor_token, monkeypatch):
    headers = {"Authorization": f"Bearer {editor_token}"}
    client.get(ARTICLE)
    as_editor = client.get(ARTICLE, headers=headers)
    assert "Cache-Status" not in as_editor.headers  # answered anew, not from the entry
    for _ in range(2):
        missing = client.get("/tin-tuc/khong-co-bai-nay-0000")
        assert missing.status_code == 404 and "Cache-Status" not in missing.headers
    monkeypatch.setitem(app.config, "PORTAL_BLOCKS_LEGACY_ADDRESSES", "redirect")
    for _ in range(2):
        moved = client.get("/Pages/" + REFERENCE_SLUG + ".aspx?x=1")
        assert moved.status_code == 301 and "Cache-Status" not in moved.headers


def test_a_fragment_is_kept_per_form_and_a_warm_hit_runs_no_sql(client):
    html = client.get(FRAGMENT[0], query_string=FRAGMENT[1])
    as_json = client.get(FRAGMENT[0], query_string={**FRAGMENT[1], "format": "json"})
    assert html.headers["Cache-Status"] == as_json.headers["Cache-Status"] == STORED
    assert html.mimetype == "text/html" and as_json.mimetype == "application/json"
    with count_statements() as warm:
        again = client.get(FRAGMENT[0], query_string=FRAGMENT[1])
    assert warm == [] and again.headers["Cache-Status"] == HIT
    assert again.get_data() == html.get_data()
    assert again.headers["X-Portal-Blocks-Assets"] == html.headers["X-Portal-Blocks-Assets"]


def test_a_kept_page_reads_back_as_it_was_kept_with_its_expiry_and_without():
    """What the Redis tier keeps is the encoding: a page that expires reads back with its
    expiry, and a page kept before expiries existed (five fields) reads as never expiring."""
    page = CachedPage(
        body="<p>Giá trị sản xuất</p>".encode(),
        etag='"e1"',
        max_age=60,
        private=False,
        headers=(("Content-Language", "vi"),),
        tags=("article:1", "layout:2"),
        expires_at=1_800_000_000.25,
    )
    assert CachedPage.decode(page.encode()) == page
    assert not page.fresh(1_800_000_001) and page.fresh(1_799_999_999)
    older = json.dumps(['"e1"', 60, False, [["Content-Language", "vi"]], ["article:1"]])
    decoded = CachedPage.decode(older.encode() + b"\n<p>x</p>")
    assert decoded.expires_at is None and decoded.fresh(1e12) and decoded.body == b"<p>x</p>"
