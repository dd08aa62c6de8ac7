"""SQL budget of a page request: constant however many blocks the layout holds, and zero
when the response cache answers or, on a response-cache miss, the page-data cache does."""

from __future__ import annotations

import pytest
from conftest import REFERENCE_SLUG, count_statements, publish_draft

from portal_blocks.block_types import toolbar, viewdata
from portal_blocks.caching.front import STORED
from portal_blocks.db import db
from portal_blocks.layout.service import ensure_layout, ensure_route, place_block

#: routes; the layout with its placements (one joined SELECT); the article.
PAGE_STATEMENTS = 3

QUERY = """query($path: String!) { page(path: $path) { layout { id version }
  regions { name blocks { __typename id position blockType
    ... on Block_BanTin_Toolbar { dateText fontSize { current } actions { kind label } }
    ... on Block_BanTin_ViewData { article { title } paragraphs author imageCaption } } } } }"""


def layout_with(blocks: int) -> str:
    layout = ensure_layout(db.session, f"budget-{blocks}", title="", regions=["main"])
    for position in range(blocks):
        kind = toolbar.NAME if position % 2 == 0 else viewdata.NAME
        place_block(db.session, layout, "main", kind, position=position)
    ensure_route(db.session, f"/budget-{blocks}/<slug>", layout)
    db.session.commit()
    publish_draft(layout.name)
    return f"/budget-{blocks}/{REFERENCE_SLUG}"


@pytest.mark.parametrize("blocks", [2, 40, 200])
def test_page_statements_do_not_grow_with_blocks(app, blocks):
    client = app.test_client()
    path = layout_with(blocks)
    payload = {"query": QUERY, "variables": {"path": path}}
    with count_statements() as cold:
        response = client.post("/graphql", json=payload)
    body = response.get_json()
    assert "errors" not in body, body
    assert len(body["data"]["page"]["regions"][0]["blocks"]) == blocks
    assert len(cold) == PAGE_STATEMENTS, cold

    with count_statements() as warm:
        again = client.post("/graphql", json=payload)
    assert again.get_data() == response.get_data()
    assert warm == []

    other_document = {"query": QUERY.replace("query(", "query Other("), "variables": {"path": path}}
    with count_statements() as data_warm:
        other = client.post("/graphql", json=other_document)
    assert other.headers["Cache-Status"] == STORED  # not answered by the response cache
    assert other.get_json() == body
    assert data_warm == []
