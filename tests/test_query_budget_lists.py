"""SQL budget of pages made of list blocks: constant in the number of blocks placed and of the
items they show. Every list of a page is read in one statement (``content.page_lists``).

The numbers (a cold request: neither the response cache nor the page-data cache holds it):
- a home page of list blocks, at 3 or at 30 of them: 3 statements (routes, layout, lists);
- the article page with "Tin khác": 4 (routes, layout, article, lists);
- a category page: 4 (routes, layout, category, lists).
A response-cache miss whose page data is cached (another document, another language) costs
none: a page's lists are kept in the page-data cache too, by the set of them, and dropped by any
article's change.
"""

from __future__ import annotations

from itertools import cycle, islice
from typing import Any

import pytest
from conftest import REFERENCE_SLUG, count_statements, publish_draft

from portal_blocks.block_types import danhsach, noibat, tinkhac
from portal_blocks.db import db
from portal_blocks.demo import demo_articles
from portal_blocks.layout.service import ensure_layout, ensure_route, place_block

ITEMS = "items { title url dateText article { slug } }"
QUERY = f"""query($path: String!) {{ page(path: $path) {{ regions {{ blocks {{ __typename id
  ... on Block_BanTin_TinKhac {{ {ITEMS} }}
  ... on Block_BanTin_DanhSach {{ {ITEMS} nextPageUrl }}
  ... on Block_BanTin_NoiBat {{ {ITEMS} }} }} }} }} }}"""

#: Home page blocks, cycled: lists of every kind, of several categories, counts and pages.
LIST_BLOCKS: list[tuple[str, dict[str, Any]]] = [
    (danhsach.NAME, {"count": 5}),
    (danhsach.NAME, {"category": "kinh-te", "count": 10, "paged": False}),
    (noibat.NAME, {"articles": [a["slug"] for a in demo_articles()[:3]]}),
    (noibat.NAME, {"category": "nong-nghiep", "count": 2}),
    (tinkhac.NAME, {"category": "van-hoa-xa-hoi", "count": 3}),
    (danhsach.NAME, {"category": "van-hoa-xa-hoi", "count": 1}),
]


@pytest.fixture
def app(portal):
    return portal


def home_with(blocks: int) -> str:
    layout = ensure_layout(db.session, f"home-budget-{blocks}", title="", regions=["main"])
    for position, (block_type, settings) in enumerate(islice(cycle(LIST_BLOCKS), blocks)):
        place_block(db.session, layout, "main", block_type, settings, position=position)
    path = f"/budget-home-{blocks}"
    ensure_route(db.session, path, layout)
    db.session.commit()
    publish_draft(layout.name)
    return path


def page_blocks(client, path: str, query: str = QUERY) -> list[dict[str, Any]]:
    response = client.post("/graphql", json={"query": query, "variables": {"path": path}})
    body = response.get_json()
    assert "errors" not in body, body
    return [b for r in body["data"]["page"]["regions"] for b in r["blocks"]]


@pytest.mark.parametrize("blocks", [3, 30])
def test_a_home_page_of_list_blocks_costs_three_statements(app, client, blocks):
    path = home_with(blocks)
    with count_statements() as cold:
        shown = page_blocks(client, path)
    assert len(cold) == 3, cold
    assert len(shown) == blocks and all(b["items"] for b in shown)
    # The items each block shows are its own (not one list shared by all).
    assert {len(b["items"]) for b in shown} == ({5, 7, 3} if blocks == 3 else {5, 7, 3, 2, 1})

    with count_statements() as data_warm:  # a response-cache miss, page data cached
        again = page_blocks(client, path, QUERY.replace("query(", "query Other("))
    assert data_warm == [], data_warm
    assert again == shown


@pytest.mark.parametrize("blocks", [3, 30])
def test_the_theme_page_of_list_blocks_costs_the_same(app, client, blocks):
    path = home_with(blocks)
    with count_statements() as cold:
        response = client.get(path)
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('data-block-type="Block_') == blocks
    assert len(cold) == 3, cold


def test_the_article_page_with_tin_khac_costs_four_statements(client):
    path = f"/tin-tuc/{REFERENCE_SLUG}"
    with count_statements() as cold:
        shown = page_blocks(client, path)
    assert [b["__typename"] for b in shown][-1] == "Block_BanTin_TinKhac"
    assert len(shown[-1]["items"]) == 5
    assert len(cold) == 4, cold


def test_a_category_page_costs_four_statements(client):
    with count_statements() as cold:
        shown = page_blocks(client, "/chuyen-muc/kinh-te")
    assert len(cold) == 4, cold
    listing = next(b for b in shown if b["__typename"] == "Block_BanTin_DanhSach")
    assert listing["nextPageUrl"] is not None
    with count_statements() as next_page:
        page_blocks(client, listing["nextPageUrl"])
    # The route, layout and category come from the page-data cache: only the lists are read.
    assert len(next_page) == 1, next_page


def test_cached_lists_follow_every_article_change(app, client):
    from portal_blocks.models import Article

    path = home_with(3)
    first = page_blocks(client, path)
    newest = first[0]["items"][0]
    article = db.session.query(Article).filter_by(slug=newest["article"]["slug"]).one()
    article.title = "Tiêu đề mới của bài"
    db.session.commit()
    other = QUERY.replace("query(", "query Other(")
    with count_statements() as after_edit:
        shown = page_blocks(client, path, other)
    assert shown[0]["items"][0]["title"] == "Tiêu đề mới của bài"
    assert len(after_edit) == 1, after_edit  # the lists, read anew
