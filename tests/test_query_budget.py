"""A page costs the same few SQL statements however many blocks its layout holds."""

import re

import pytest
from conftest import REFERENCE_LEGACY_PATH, REFERENCE_SLUG, count_statements, publish_draft

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


#: Columns of ``article`` that no record holds: the search columns copy the whole text twice,
#: and SQLite hands back each timestamp as text that every row would parse.
NOT_IN_RECORDS = ("search_folded", "search_exact", "created_at", "updated_at", "deleted_at")
RELATED = """query($p: String!) { page(path: $p) { regions { blocks {
  ... on Block_BanTin_ViewData { relatedArticles { title } } } } } }"""


def selected_columns(sql: str) -> list[str]:
    """What each SELECT of a statement (a union has several) asks for."""
    return re.findall(r"SELECT\s(.*?)\sFROM\s", sql, flags=re.DOTALL | re.IGNORECASE)


def test_statements_that_make_records_select_the_records_columns_only(portal):
    """An article page with "Tin khác" (its list), its related news, the front page's newest,
    an article by id: every statement reading articles for readers selects what a record
    holds, and nothing else."""
    from portal_blocks.content.listing import newest_published
    from portal_blocks.content.source import SqlAlchemyArticleSource

    client = portal.test_client()
    path = "/Pages/gia-tri-san-xuat-cong-nghiep-thang-102021-tang-47-f2d9.aspx"
    with count_statements() as statements:
        response = client.post("/graphql", json={"query": RELATED, "variables": {"p": path}})
        assert response.status_code == 200 and "errors" not in response.get_json()
        assert client.get("/chuyen-muc/kinh-te").status_code == 200
        assert newest_published(db.session, 3)
        source = SqlAlchemyArticleSource(db.session)
        record = source.by_slug(REFERENCE_SLUG)
        assert record is not None and source.by_ids([record.id])
    reads = [s.sql for s in statements if "FROM article" in s.sql]
    assert len(reads) >= 5, reads  # the article, its lists, related, newest, by id
    for sql in reads:
        for columns in selected_columns(sql):
            assert not any(name in columns for name in NOT_IN_RECORDS), sql


def test_a_readers_page_reads_skip_the_orms_execution_layer(portal):
    """Readers' statements select table columns only and run on the session's connection
    (``db.read_rows``): not one of them passes through the ORM's execution layer, each of
    whose passes costs about 40 µs. Counted by that layer's own event, on an article page
    with a list, its related news and a category page, every cache cold."""
    from sqlalchemy import event

    from portal_blocks.db import PortalSession

    client = portal.test_client()
    path = "/Pages/gia-tri-san-xuat-cong-nghiep-thang-102021-tang-47-f2d9.aspx"
    passes: list[str] = []

    def counted(state):
        passes.append(str(state.statement))

    event.listen(PortalSession, "do_orm_execute", counted)
    try:
        with count_statements() as statements:
            response = client.post("/graphql", json={"query": RELATED, "variables": {"p": path}})
            assert response.status_code == 200 and "errors" not in response.get_json()
            assert client.get("/chuyen-muc/kinh-te").status_code == 200
    finally:
        event.remove(PortalSession, "do_orm_execute", counted)
    assert len(statements) >= 4, statements  # routes, layout, article, lists, related...
    assert passes == []
