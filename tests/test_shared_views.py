"""Page views shared by requests: a response-cache miss on a page whose data is cached reuses
the page's view (and its GraphQL objects) built for an earlier request asking the same, and
never once the data it was built from changed, nor for a reader asking otherwise."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from articles_factory import add_article
from cache_support import PAGE_QUERY
from conftest import REFERENCE_LEGACY_PATH, REFERENCE_SLUG, count_statements, publish_draft
from flask import Flask
from pympler import asizeof

from portal_blocks import create_app
from portal_blocks.assembly import views as views_module
from portal_blocks.assembly.page import load_page
from portal_blocks.assembly.shared_views import SharedViews, estimated_size
from portal_blocks.block_types import viewdata
from portal_blocks.blocks.registry import BlockType, registry
from portal_blocks.blocks.view import RelatedNewsReleased
from portal_blocks.caching.front import STORED
from portal_blocks.content.queries import EMPTY
from portal_blocks.db import db
from portal_blocks.demo import NEWS_DETAIL
from portal_blocks.graphql.page import graphql_page
from portal_blocks.layout.service import place_block
from portal_blocks.models import Article, Layout, Placement
from portal_blocks.state import get_state

ARTICLE_PAGE = f"/tin-tuc/{REFERENCE_SLUG}"
TIN_KHAC = """query($path: String!) { page(path: $path) { regions { blocks { __typename
    ... on Block_BanTin_TinKhac { items { title } }
    ... on Block_BanTin_ViewData { article { title } } } } } }"""
RELATED = """query($path: String!) { page(path: $path) { regions { blocks {
    ... on Block_BanTin_ViewData { relatedArticles { title } } } } } }"""
SIZE = """query($path: String!) { page(path: $path) { regions { blocks {
    ... on Block_BanTin_Toolbar { fontSize { current } }
    ... on Block_BanTin_TinKhac { title } } } } }"""
SET_SIZE = """mutation($s: Int!) { setDisplayPreferences(textSize: $s) { errors { code } } }"""


def shared(app: Flask) -> SharedViews:
    views = get_state(app).caches.views
    assert views is not None
    return views


def ask(client: Any, query: str, path: str, **kwargs: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": {"path": path}}, **kwargs)
    body = response.get_json()
    assert "errors" not in body, body
    # Every request here is a response-cache miss: it is page assembly that is under test.
    assert response.headers["Cache-Status"] == STORED
    blocks = [b for r in body["data"]["page"]["regions"] for b in r["blocks"]]
    return {k: v for b in blocks for k, v in b.items() if k != "__typename"}


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The block types whose views are built, in order."""
    built: list[str] = []
    original = BlockType.view

    def counted(self: BlockType, placement: Any, page: Any) -> Any:
        built.append(self.name)
        return original(self, placement, page)

    monkeypatch.setattr(BlockType, "view", counted)
    yield built


def another_address(n: int, path: str = ARTICLE_PAGE) -> str:
    """The same page at an address of its own, as readers arriving from a link bring."""
    return f"{path}?fbclid=IwAR{n}"


def test_a_miss_on_a_cached_page_builds_no_block_again(portal: Flask, builds: list[str]) -> None:
    client = portal.test_client()
    first = ask(client, TIN_KHAC, another_address(1))
    assert builds  # the first request built the page
    built = len(builds)
    with count_statements() as statements:
        again = ask(client, TIN_KHAC, another_address(2))
        html = client.get(f"/fragments/page?path={another_address(3)}")
    assert html.status_code == 200
    assert len(builds) == built  # neither the GraphQL miss nor the fragment built a block
    assert statements == []
    assert again == first


def test_the_shared_view_is_presented_once(portal: Flask) -> None:
    request, _ = get_state(portal).page_request(None)
    first = load_page(request, another_address(1))
    second = load_page(request, another_address(2))
    assert first is not None and second is first
    assert graphql_page(second) is graphql_page(first)


def test_the_shared_views_tags_and_lifetime_are_worked_out_once(
    portal: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every miss answered from a shared view declares its tags and lifetime: read off the
    view, not worked out of its blocks again."""
    asked: list[object] = []
    original = views_module.shortest_max_age

    def counted(block_types: Any) -> int | None:
        asked.append(block_types)
        return original(block_types)

    monkeypatch.setattr(views_module, "shortest_max_age", counted)
    request, _ = get_state(portal).page_request(None)
    view = load_page(request, another_address(1))
    assert view is not None
    assert view.tags() is view.tags()
    assert view.max_age() == view.max_age()
    assert len(asked) == 1


def test_an_edit_of_the_article_is_shown_at_once(portal: Flask, builds: list[str]) -> None:
    client = portal.test_client()
    ask(client, TIN_KHAC, another_address(1))
    article = db.session.query(Article).filter_by(slug=REFERENCE_SLUG).one()
    article.title = "Tiêu đề mới, ngày 10/11/2021"
    db.session.commit()
    built = len(builds)
    assert ask(client, TIN_KHAC, another_address(2))["article"]["title"] == article.title
    assert len(builds) > built


def test_an_article_joining_a_list_is_shown_at_once(portal: Flask) -> None:
    client = portal.test_client()
    before = ask(client, TIN_KHAC, another_address(1))["items"]
    add_article("Kinh tế: bài mới nhất", category="Kinh tế", day=4000)
    after = ask(client, TIN_KHAC, another_address(2))["items"]
    assert after[0] == {"title": "Kinh tế: bài mới nhất"}
    assert after[1:] == before[:-1]


def test_a_published_layout_is_shown_at_once(portal: Flask) -> None:
    client = portal.test_client()
    assert "items" in ask(client, TIN_KHAC, another_address(1))
    placement = db.session.query(Placement).filter_by(block_type="Block_BanTin_TinKhac").first()
    assert placement is not None
    db.session.delete(placement)
    db.session.commit()
    publish_draft()
    assert "items" not in ask(client, TIN_KHAC, another_address(2))


def test_each_reader_gets_the_view_of_what_they_ask(portal: Flask) -> None:
    reader, other = portal.test_client(), portal.test_client()
    default = ask(other, SIZE, another_address(1))["fontSize"]["current"]
    body = reader.post("/graphql", json={"query": SET_SIZE, "variables": {"s": default + 20}})
    assert body.get_json()["data"]["setDisplayPreferences"]["errors"] == []
    assert ask(reader, SIZE, another_address(2))["fontSize"]["current"] == default + 20
    assert ask(other, SIZE, another_address(3))["fontSize"]["current"] == default
    vietnamese = ask(other, SIZE, another_address(4), headers={"Accept-Language": "vi"})
    english = ask(other, SIZE, another_address(5), headers={"Accept-Language": "en"})
    assert (vietnamese["title"], english["title"]) == ("Tin khác", "Other news")
    assert ask(other, SIZE, another_address(6), headers={"Accept-Language": "vi"}) == vietnamese


def test_related_news_of_a_shared_view_are_read_by_each_request(portal: Flask) -> None:
    client = portal.test_client()
    first = ask(client, RELATED, another_address(1))["relatedArticles"]
    view = load_page(get_state(portal).page_request(None)[0], another_address(2))
    assert view is not None
    # What is shared holds nothing of the request that built it.
    assert view.facts.related.source is None
    with pytest.raises(RelatedNewsReleased):
        view.facts.related.records()
    add_article("Kinh tế: tin liên quan mới", category="Kinh tế", day=4000)
    with count_statements() as statements:
        again = ask(client, RELATED, another_address(3))["relatedArticles"]
    assert again[0] == {"title": "Kinh tế: tin liên quan mới"}
    assert again[1:] == first[: len(again) - 1]
    assert len([s for s in statements if "article" in s.sql.lower()]) >= 1


def test_a_page_whose_blocks_read_related_news_is_not_kept(portal: Flask) -> None:
    for placement in db.session.query(Placement).filter_by(block_type=viewdata.NAME):
        placement.settings = {**placement.settings, "showRelated": True}
    db.session.commit()
    publish_draft()
    views = shared(portal)
    kept = len(views)
    request, _ = get_state(portal).page_request(None)
    first = load_page(request, another_address(1))
    assert first is not None and first.facts.related.fetched
    assert len(views) == kept
    assert load_page(request, another_address(2)) is not first


def test_previews_are_never_kept(portal: Flask) -> None:
    views = shared(portal)
    kept = len(views)
    request, _ = get_state(portal).page_request(None)
    first = load_page(request, ARTICLE_PAGE, preview=True)
    assert first is not None
    assert len(views) == kept
    assert load_page(request, ARTICLE_PAGE, preview=True) is not first


def test_a_page_with_a_list_its_source_could_not_answer_is_not_kept(portal: Flask) -> None:
    request, _ = get_state(portal).page_request(None)
    view = load_page(request, ARTICLE_PAGE)
    assert view is not None and view.facts.lists
    unanswered = replace(
        view, facts=replace(view.facts, lists=dict.fromkeys(view.facts.lists, EMPTY))
    )
    views = SharedViews(10)
    assert not views.keep(("k",), unanswered, (), object(), request.block_types)  # type: ignore[arg-type]
    assert len(views) == 0


def test_entries_and_bytes_stay_within_their_bounds(portal: Flask) -> None:
    request, _ = get_state(portal).page_request(None)
    view = load_page(request, "/")
    assert view is not None
    size = estimated_size(view)
    views = SharedViews(maxsize=3, max_bytes=size * 2 + size // 2)
    for n in range(10):
        fresh = replace(view, facts=replace(view.facts, related=replace(view.facts.related)))
        assert views.keep((n,), fresh, (), object(), request.block_types)  # type: ignore[arg-type]
        assert len(views) <= 2 and views.bytes <= views.max_bytes  # type: ignore[operator]
    views = SharedViews(maxsize=3)
    for n in range(10):
        fresh = replace(view, facts=replace(view.facts, related=replace(view.facts.related)))
        views.keep((n,), fresh, (), object(), request.block_types)  # type: ignore[arg-type]
    assert len(views) == 3
    assert not SharedViews(10, max_bytes=size - 1).keep(
        ("k",),
        view,
        (),
        object(),
        request.block_types,  # type: ignore[arg-type]
    )


DEMO_PAGES = ["/", "/chuyen-muc/kinh-te", ARTICLE_PAGE, REFERENCE_LEGACY_PATH]


@pytest.mark.parametrize("path", DEMO_PAGES)
def test_the_size_estimate_is_not_below_what_a_view_holds(portal: Flask, path: str) -> None:
    request, _ = get_state(portal).page_request(None)
    view = load_page(request, path)
    assert view is not None
    graphql_page(view)  # what is kept with it
    view.facts.related.release()  # as kept: no request's source (asizeof would walk into it)
    measured = asizeof.asizeof(view)
    estimate = estimated_size(view)
    assert measured <= estimate <= 4 * measured, (measured, estimate)


def test_a_block_type_kept_no_time_is_never_shared(
    portal: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its responses may be kept no time (``Cache-Control`` from the blocks' hints): nor its view.
    monkeypatch.setitem(registry._types, viewdata.NAME, replace(viewdata.BLOCK, cache_max_age=0))
    views = shared(portal)
    kept = len(views)
    request, _ = get_state(portal).page_request(None)
    first = load_page(request, ARTICLE_PAGE)
    assert first is not None
    assert len(views) == kept
    assert load_page(request, ARTICLE_PAGE) is not first


def test_views_are_kept_where_the_page_data_cache_gives_out_what_it_keeps(
    database_url: str,
) -> None:
    def views_of(**config: Any) -> SharedViews | None:
        app = create_app({"PORTAL_BLOCKS_DATABASE_URL": database_url, "TESTING": True, **config})
        return get_state(app).caches.views

    redis = "redis://127.0.0.1:6379/2"  # not contacted: the tiers are only built
    assert views_of() is not None
    assert views_of(PORTAL_BLOCKS_REDIS_URL=redis, PORTAL_BLOCKS_REDIS_NEAR_CACHE=True) is not None
    assert views_of(PORTAL_BLOCKS_REDIS_URL=redis) is None  # a copy decoded per request
    assert views_of(PORTAL_BLOCKS_PAGE_CACHE_SIZE=0) is None


def test_what_a_view_answers_is_what_a_view_built_anew_answers(portal: Flask) -> None:
    """The reference query, on a view shared and on one built for the request alone."""
    client = portal.test_client()
    shared_answer = [ask(client, PAGE_QUERY, another_address(n)) for n in range(3)]
    caches, views = get_state(portal).caches, shared(portal)
    object.__setattr__(caches, "views", None)  # a frozen dataclass: the app's, for this test
    try:
        alone = ask(client, PAGE_QUERY, another_address(9))
    finally:
        object.__setattr__(caches, "views", views)
    assert shared_answer[0] == shared_answer[2] == alone
    assert json.dumps(alone, ensure_ascii=False).count("Hương Dịu") == 1


def related_per_block(client: Any, path: str) -> list[list[str]]:
    response = client.post("/graphql", json={"query": RELATED, "variables": {"path": path}})
    body = response.get_json()
    assert "errors" not in body, body
    assert response.headers["Cache-Status"] == STORED
    return [
        [a["title"] for a in block["relatedArticles"]]
        for region in body["data"]["page"]["regions"]
        for block in region["blocks"]
        if "relatedArticles" in block
    ]


def test_every_block_of_a_shared_view_shares_one_related_news_statement(portal: Flask) -> None:
    layout = db.session.query(Layout).filter_by(name=NEWS_DETAIL).one()
    place_block(db.session, layout, "main", viewdata.NAME, {}, position=9)
    db.session.commit()
    publish_draft()
    client = portal.test_client()
    first = related_per_block(client, another_address(1))
    with count_statements() as statements:
        again = related_per_block(client, another_address(2))
    assert again == first
    assert len(first) == 2 and first[0] == first[1] != []
    assert len(statements) == 1  # the related news, once for both blocks; nothing else
