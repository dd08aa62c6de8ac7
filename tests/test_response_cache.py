"""The response cache: warm hits without SQL, ETag/304, invalidation on commit, and what is
never shared (Authorization, previews and drafts, errors, other viewers' preferences)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from cache_support import PAGE_QUERY, WRITER, get_params, register
from conftest import REFERENCE_LEGACY_PATH, REFERENCE_SLUG, _token, count_statements, publish_draft

from portal_blocks import create_app
from portal_blocks.caching.front import BYPASS, HIT, STORED
from portal_blocks.content.articles import upsert_article
from portal_blocks.db import db
from portal_blocks.demo import NEWS_DETAIL
from portal_blocks.models import Article, Layout, Placement

PREVIEW_QUERY = """query($path: String!) { page(path: $path, preview: true) {
  regions { blocks { ... on Block_BanTin_ViewData { article { title } } } } } }"""


def page_get(client, path: str = REFERENCE_LEGACY_PATH, **headers):
    return client.get("/graphql", query_string=get_params(path), headers=headers)


def blocks_of(response) -> list[dict]:
    body = response.get_json()
    assert "errors" not in body, body
    return body["data"]["page"]["regions"][0]["blocks"]


def test_warm_persisted_get_runs_no_sql_and_revalidates_with_304(cached_app):
    client = cached_app.test_client()
    with count_statements() as cold:
        assert register(client).status_code == 200  # POST query + hash: runs and fills
    first = page_get(client)
    with count_statements() as warm:
        second = page_get(client)
    with count_statements() as revalidated:
        not_modified = page_get(client, **{"If-None-Match": second.headers["ETag"]})
    assert first.status_code == second.status_code == 200
    assert second.get_data() == first.get_data()
    assert len(cold) > 0
    assert warm == [] and revalidated == []
    assert first.headers["ETag"] == second.headers["ETag"]
    assert second.headers["Cache-Control"] == "public, max-age=300"
    assert not_modified.status_code == 304
    assert not_modified.get_data() == b""
    assert not_modified.headers["ETag"] == second.headers["ETag"]
    stale = page_get(client, **{"If-None-Match": '"something-else"'})
    assert stale.status_code == 200


def test_post_with_query_text_is_cached_too(cached_app):
    client = cached_app.test_client()
    payload = {"query": PAGE_QUERY, "variables": {"path": REFERENCE_LEGACY_PATH}}
    client.post("/graphql", json=payload)
    with count_statements() as warm:
        response = client.post("/graphql", json=payload)
    assert warm == []
    assert "ETag" in response.headers


def test_editor_change_invalidates_the_cached_page(cached_app):
    client = cached_app.test_client()
    register(client)
    before = blocks_of(page_get(client))
    assert before[1]["article"]["title"].startswith("Giá trị sản xuất")

    article = db.session.query(Article).filter_by(slug=REFERENCE_SLUG).one()
    article.title = "Tiêu đề mới sau khi biên tập"
    db.session.commit()
    after = page_get(client)
    assert blocks_of(after)[1]["article"]["title"] == "Tiêu đề mới sau khi biên tập"

    placement = db.session.query(Placement).filter_by(block_type="Block_BanTin_Toolbar").one()
    placement.settings = {**placement.settings, "dateFormat": "yyyy-MM-dd"}
    db.session.commit()
    publish_draft()
    assert blocks_of(page_get(client))[0]["dateText"] == "2021-11-10"


def test_a_rolled_back_change_invalidates_nothing(cached_app):
    client = cached_app.test_client()
    register(client)
    page_get(client)
    article = db.session.query(Article).filter_by(slug=REFERENCE_SLUG).one()
    article.title = "never committed"
    db.session.flush()
    db.session.rollback()
    with count_statements() as warm:
        answer = page_get(client)
    assert warm == []
    assert answer.headers["Cache-Status"] == HIT


def _second_article() -> None:
    upsert_article(
        db.session,
        {
            "slug": "ban-tin-thu-hai",
            "title": "Bản tin thứ hai",
            "lead": "Tóm tắt.",
            "body_html": "<p>Nội dung.</p>",
            "status": "published",
            "published_at": "2021-11-11T01:00:00+00:00",
        },
    )
    db.session.commit()


def test_invalidation_drops_exactly_the_dependent_entries(cached_app):
    _second_article()
    client = cached_app.test_client()
    register(client)
    page_get(client)
    page_get(client, "/tin-tuc/ban-tin-thu-hai")
    client.post("/graphql", json={"query": "{ blockTypes { name } }"})

    other = db.session.query(Article).filter_by(slug="ban-tin-thu-hai").one()
    other.title = "Bản tin thứ hai (sửa)"
    db.session.commit()

    with count_statements() as untouched:
        page_get(client)
        client.post("/graphql", json={"query": "{ blockTypes { name } }"})
    with count_statements() as touched:
        changed = page_get(client, "/tin-tuc/ban-tin-thu-hai")
    assert untouched == []
    assert len(touched) > 0
    assert blocks_of(changed)[1]["article"]["title"] == "Bản tin thứ hai (sửa)"

    layout = db.session.query(Layout).filter_by(name=NEWS_DETAIL).one()
    layout.title = "Chi tiết"
    db.session.commit()
    with count_statements() as after_layout_change:
        page_get(client)
    assert len(after_layout_change) > 0


def test_authorization_never_reads_or_fills_the_shared_cache(cached_app):
    client = cached_app.test_client()
    register(client, Authorization="Bearer editor")  # registers the document, caches nothing
    first = page_get(client, Authorization="Bearer editor")
    second = page_get(client, Authorization="Bearer editor")
    assert first.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in first.headers
    # Both executed: nothing was filled.
    assert first.headers["Cache-Status"] == second.headers["Cache-Status"] == BYPASS
    anonymous = page_get(client)
    assert anonymous.headers["Cache-Status"] == STORED  # the authorized left nothing behind
    authorized_again = page_get(client, Authorization="Bearer editor")
    assert authorized_again.headers["Cache-Status"] == BYPASS  # nor read the anonymous entry
    assert second.status_code == 200
    assert page_get(client).headers["Cache-Status"] == HIT


def test_a_preview_with_a_draft_never_reaches_an_anonymous_reader(cached_app):
    """An editor's preview reads a draft article; the same query from a reader must neither
    get that answer from the cache nor see the draft."""
    upsert_article(
        db.session,
        {
            "slug": "ban-nhap",
            "title": "Bản nháp chưa duyệt",
            "lead": "Nháp.",
            "body_html": "<p>Nháp.</p>",
            "status": "draft",
        },
    )
    db.session.commit()
    token = _token("editor", "Biên tập viên xem trước")
    client = cached_app.test_client()
    preview_query = {"query": PREVIEW_QUERY, "variables": {"path": "/tin-tuc/ban-nhap"}}
    for _ in range(2):
        preview = client.post(
            "/graphql", json=preview_query, headers={"Authorization": f"Bearer {token}"}
        )
        assert blocks_of(preview)[1]["article"]["title"] == "Bản nháp chưa duyệt"
        assert "ETag" not in preview.headers

    anonymous = client.post("/graphql", json=preview_query).get_json()
    assert anonymous["data"]["page"] is None
    assert anonymous["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    register(client)
    reader = page_get(client, "/tin-tuc/ban-nhap").get_json()
    assert reader["data"]["page"] is None
    assert reader["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_errors_are_not_cached(cached_app):
    client = cached_app.test_client()
    register(client)
    missing = page_get(client, "/tin-tuc/khong-co")
    assert missing.headers["Cache-Control"] == "no-store"
    with count_statements() as again:
        page_get(client, "/tin-tuc/khong-co")
    assert len(again) > 0
    # A field that declared its dependencies and then failed: only the error keeps it out.
    failing = {"query": '{ blockType(name: "Nope") { name } }'}
    for _ in range(2):
        response = client.post("/graphql", json=failing)
        body = response.get_json()
        assert body["data"] == {"blockType": None}
        assert body["errors"][0]["extensions"]["code"] == "UNKNOWN_BLOCK_TYPE"
        # A POST answer is never stored by HTTP caches unless it says so; it says nothing.
        assert "Cache-Control" not in response.headers
        assert "ETag" not in response.headers


def test_two_viewers_get_their_own_text_sizes(cached_app, monkeypatch):
    """The ``pb_viewer`` cookie's preferences land in PortalContext.viewer; here a stub maps
    the cookie to preferences the way the viewer store does."""
    preferences = {"a": {"text_size": 120}, "b": {"text_size": 140}}
    front = cached_app.extensions["portal_blocks"].front
    monkeypatch.setattr(
        front, "viewer_for", lambda request: preferences.get(request.cookies.get("pb_viewer"), {})
    )
    client = cached_app.test_client()
    register(client)

    def size_for(viewer: str | None) -> int:
        if viewer is None:
            client.delete_cookie("pb_viewer")
        else:
            client.set_cookie("pb_viewer", viewer)
        response = page_get(client)
        if viewer is not None:
            assert response.headers["Cache-Control"].startswith("private")
        return blocks_of(response)[0]["fontSize"]["current"]

    for _ in range(2):  # the second round is served from the cache
        assert size_for("a") == 120
        assert size_for("b") == 140
        assert size_for(None) == 100
    with count_statements() as warm:
        assert size_for("b") == 140
    assert warm == []


SET_SIZE = """mutation($s: Int!) { setDisplayPreferences(textSize: $s) { errors { code } } }"""


def test_returning_readers_with_saved_sizes_are_answered_without_sql(cached_app):
    """Real viewers through the mutation and the cookie it sets, no stub: each gets their own
    size, a warm hit runs no SQL (preferences come from the viewer cache), and a new choice
    is seen at once."""
    readers = {size: cached_app.test_client() for size in (120, 140)}
    for size, client in readers.items():
        client.post("/graphql", json={"query": SET_SIZE, "variables": {"s": size}})
        register(client)
        assert blocks_of(page_get(client))[0]["fontSize"]["current"] == size
    for size, client in readers.items():
        with count_statements() as warm:
            response = page_get(client)
        assert warm == []
        assert response.headers["Cache-Status"] == HIT
        assert blocks_of(response)[0]["fontSize"]["current"] == size
    changing = readers[120]
    changing.post("/graphql", json={"query": SET_SIZE, "variables": {"s": 90}})
    assert blocks_of(page_get(changing))[0]["fontSize"]["current"] == 90
    assert blocks_of(page_get(readers[140]))[0]["fontSize"]["current"] == 140


def test_max_age_follows_the_blocks_cache_hints(cached_app, monkeypatch):
    from portal_blocks.blocks.registry import BlockRegistry, registry

    toolbar = registry.get("Block_BanTin_Toolbar")
    short = {**registry._types, toolbar.name: _replace(toolbar, cache_max_age=30)}
    monkeypatch.setattr(registry, "_types", short)
    assert isinstance(registry, BlockRegistry)
    client = cached_app.test_client()
    register(client)
    assert page_get(client).headers["Cache-Control"] == "public, max-age=30"


def _replace(block_type, **changes):
    import dataclasses

    return dataclasses.replace(block_type, **changes)


@pytest.fixture
def now() -> datetime:
    return datetime.now(UTC)


def test_a_commit_in_another_process_invalidates_this_ones_memory_cache(app, database_url):
    """No Redis: the other process's commit reaches this one through the invalidation log."""
    client = app.test_client()
    register(client)
    page_get(client)
    with count_statements() as warm:
        page_get(client)
    assert warm == []
    db.session.remove()
    subprocess.run(
        [sys.executable, "-c", WRITER % REFERENCE_SLUG],
        env={**os.environ, "PORTAL_BLOCKS_DATABASE_URL": database_url},
        check=True,
        timeout=120,
    )
    assert blocks_of(page_get(client))[1]["article"]["title"] == "Sửa từ một tiến trình khác"


def test_an_unreachable_redis_degrades_to_uncached_answers(app, database_url):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    offline = create_app(
        {
            "PORTAL_BLOCKS_DATABASE_URL": database_url,
            "PORTAL_BLOCKS_REDIS_URL": f"redis://127.0.0.1:{closed_port}/0",
        }
    )
    client = offline.test_client()
    registered = register(client)
    assert registered.status_code == 200
    assert blocks_of(registered)[0]["__typename"] == "Block_BanTin_Toolbar"
    # This process remembers the documents it has seen, so the id still works.
    by_hash = client.get("/graphql", query_string=get_params())
    assert by_hash.get_json() == registered.get_json()
    unknown = client.get("/graphql", query_string=get_params(digest="f" * 64))
    assert unknown.get_json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


def test_entries_round_trip_with_their_expiry_and_old_entries_still_decode():
    from portal_blocks.caching.responses import CachedResponse

    bounded = CachedResponse(b'{"data":1}', '"e"', 60, False, expires_at=1700000000.5)
    assert CachedResponse.decode(bounded.encode()) == bounded
    assert not bounded.fresh(1700000001) and bounded.fresh(1699999999)
    lasting = CachedResponse(b'{"data":\n2}', '"e"', 60, True)
    assert CachedResponse.decode(lasting.encode()) == lasting
    # Written before expiries were kept (in a shared Redis across an upgrade): none.
    old = b'"e"\n60\n0\n{"data":3}'
    assert CachedResponse.decode(old) == CachedResponse(b'{"data":3}', '"e"', 60, False)
