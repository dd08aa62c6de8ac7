"""A page costs the same few SQL statements however many blocks its layout holds."""

import pytest
from conftest import REFERENCE_LEGACY_PATH, count_statements, publish_draft

from portal_blocks.db import db
from portal_blocks.layout.service import place_block
from portal_blocks.models import Layout

#: routes, layout with its placements (one joined statement), article.
PAGE_STATEMENTS = 3

PAGE_QUERY = """query($p: String!) { page(path: $p) { article { title }
  regions { name html blocks { __typename id position html settings { asJson }
    ... on Block_BanTin_Toolbar { dateText fontSize { current } actions { label } title }
    ... on Block_BanTin_ViewData { article { title author } paragraphs imageCaption } } } } }"""


def grow_layout_to(blocks: int) -> None:
    layout = db.session.query(Layout).one()
    for position in range(2, blocks):
        block_type = "Block_BanTin_Toolbar" if position % 2 else "Block_BanTin_ViewData"
        place_block(db.session, layout, "main", block_type, position=position)
    db.session.commit()
    publish_draft()


@pytest.mark.parametrize("blocks", [2, 40])
def test_page_query_statement_count_is_constant(app, graphql, blocks):
    grow_layout_to(blocks)
    db.session.expire_all()
    with count_statements() as statements:
        result = graphql(PAGE_QUERY, {"p": REFERENCE_LEGACY_PATH})
    assert "errors" not in result
    assert len(result["data"]["page"]["regions"][0]["blocks"]) == blocks
    assert len(statements) == PAGE_STATEMENTS, statements


def test_theme_page_statement_count_is_constant(app, client):
    grow_layout_to(40)
    with count_statements() as statements:
        assert client.get(REFERENCE_LEGACY_PATH).status_code == 200
    assert len(statements) == PAGE_STATEMENTS, statements
