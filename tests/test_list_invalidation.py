"""What an article's edit invalidates: what showed the article, and lists only when the edit may
change which articles they hold.

Fixing a typo in one article must not drop every page with a list from the caches (at the origin
and at the edge): the demo article page's "Tin khác" lists five other articles of its category,
and an edit of what an unlisted article shows keeps that page's answer; an edit of a listed one,
or one that moves an article into the list, drops it. Searches match text, so any text edit
drops them; the article listing shows titles, so it drops with the articles it shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from conftest import REFERENCE_SLUG, count_statements

from portal_blocks.cache_tags import ARTICLES_TAG, SEARCH_TAG, article_tag
from portal_blocks.caching import invalidation
from portal_blocks.caching.front import HIT, STORED
from portal_blocks.db import db
from portal_blocks.models import Article
from portal_blocks.models.article import ArticleStatus

ARTICLE_PAGE = f"/tin-tuc/{REFERENCE_SLUG}"
TIN_KHAC = """query($path: String!) { page(path: $path) { regions { blocks {
    ... on Block_BanTin_TinKhac { items { title } } } } } }"""
#: Listed under the reference article (the newest five others of "Kinh tế"), and not.
LISTED = "thu-ngan-sach-nha-nuoc-10-thang-dat-82-du-toan-nam-c23e"
UNLISTED_SAME_CATEGORY = "phat-trien-san-pham-ocop-gan-voi-du-lich-cong-dong-a01e"
OTHER_CATEGORY = "tiem-vac-xin-phong-covid-19-cho-hoc-sinh-trung-hoc-68da"


def article(slug: str) -> Article:
    found: Article = db.session.query(Article).filter_by(slug=slug).one()
    return found


def tin_khac(client: Any) -> tuple[str, list[str]]:
    variables = {"path": ARTICLE_PAGE}
    response = client.post("/graphql", json={"query": TIN_KHAC, "variables": variables})
    body = response.get_json()
    assert "errors" not in body, body
    items = [
        item["title"]
        for region in body["data"]["page"]["regions"]
        for block in region["blocks"]
        for item in block.get("items", ())
    ]
    return response.headers["Cache-Status"], items


@pytest.fixture
def warm(portal: Any) -> Any:
    client = portal.test_client()
    status, items = tin_khac(client)
    assert status == STORED and len(items) == 5
    assert tin_khac(client)[0] == HIT
    return client


@pytest.mark.parametrize("slug", [UNLISTED_SAME_CATEGORY, OTHER_CATEGORY])
def test_editing_what_an_unlisted_article_shows_keeps_the_list(warm: Any, slug: str) -> None:
    edited = article(slug)
    edited.title = "Tiêu đề đã sửa lỗi chính tả"
    edited.lead = "Sapo mới."
    edited.body_html = "<p>Nội dung mới, ngày 10/11/2021.</p>"
    db.session.commit()
    with count_statements() as statements:
        status, items = tin_khac(warm)
    assert status == HIT
    assert statements == []
    assert "Tiêu đề đã sửa lỗi chính tả" not in items


def test_editing_a_listed_article_drops_the_list(warm: Any) -> None:
    article(LISTED).title = "Thu ngân sách (đã sửa)"
    db.session.commit()
    status, items = tin_khac(warm)
    assert status == STORED
    assert "Thu ngân sách (đã sửa)" in items


@pytest.mark.parametrize(
    "change",
    ["moved into the category", "re-dated to the newest", "unpublished"],
)
def test_a_change_of_which_articles_a_list_holds_drops_it(warm: Any, change: str) -> None:
    if change == "moved into the category":
        moved = article(OTHER_CATEGORY)
        moved.category = "Kinh tế"
        moved.published_at = datetime(2021, 11, 9, 23, 0, tzinfo=UTC)
        expected = moved.title
    elif change == "re-dated to the newest":
        redated = article(UNLISTED_SAME_CATEGORY)
        redated.published_at = datetime(2021, 11, 9, 23, 0, tzinfo=UTC)
        expected = redated.title
    else:
        gone = article(LISTED)
        gone.status = ArticleStatus.DRAFT
        expected = article(UNLISTED_SAME_CATEGORY).title  # the sixth moves up
    db.session.commit()
    status, items = tin_khac(warm)
    assert status == STORED
    assert expected in items and len(items) == 5


SEARCH = """query($q: String) { articles(first: 20, search: $q) { edges { node { title } } } }"""


def titles(client: Any, search: str | None = None) -> list[str]:
    response = client.post("/graphql", json={"query": SEARCH, "variables": {"q": search}})
    body = response.get_json()
    assert "errors" not in body, body
    return [edge["node"]["title"] for edge in body["data"]["articles"]["edges"]]


def test_a_text_edit_reaches_searches_and_the_listing(warm: Any) -> None:
    assert titles(warm, "hợp tác xã kiểu mới") == []
    listing = titles(warm)
    edited = article(OTHER_CATEGORY)
    assert edited.title in listing
    edited.title = "Tiêm vắc xin cho học sinh và hợp tác xã kiểu mới"
    db.session.commit()
    assert titles(warm, "hợp tác xã kiểu mới") == [edited.title]
    assert edited.title in titles(warm)
    assert tin_khac(warm)[0] == HIT  # a list that did not show it is kept


@contextmanager
def recorded_invalidations() -> Iterator[list[frozenset[str]]]:
    """The tags each commit (or call) in the block invalidates, in order."""
    recorded: list[frozenset[str]] = []

    class Recorder:
        def invalidate(self, tags: frozenset[str]) -> None:
            recorded.append(tags)

    recorder = Recorder()
    invalidation.register(recorder)
    try:
        yield recorded
    finally:
        invalidation.unregister(recorder)


def test_the_tags_of_an_edit(portal: Any) -> None:
    with recorded_invalidations() as recorded:
        edited = article(OTHER_CATEGORY)
        edited.title = "Tiêu đề khác"
        db.session.commit()
        edited.category = "Nông nghiệp"
        db.session.commit()
    assert recorded == [
        {article_tag(edited.id), SEARCH_TAG},
        {article_tag(edited.id), ARTICLES_TAG},
    ]


def test_a_host_says_whether_its_change_moved_articles_in_lists() -> None:
    """``invalidate_articles`` (a host's own article source) drops the same tags as our own
    commits: every list by default, the searches alone for an edit of what articles show."""
    with recorded_invalidations() as recorded:
        invalidation.invalidate_articles(["7", 8], lists=False)
        invalidation.invalidate_articles(["7"])
    assert recorded == [
        {article_tag("7"), article_tag(8), SEARCH_TAG},
        {article_tag("7"), ARTICLES_TAG},
    ]
