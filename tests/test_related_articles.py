"""Related news ("Tin khác") under the article: data, HTML, settings and the SQL budget."""

from articles_factory import add_article
from bs4 import BeautifulSoup
from conftest import REFERENCE_SLUG, count_statements, publish_draft

from portal_blocks.block_types import viewdata
from portal_blocks.db import db
from portal_blocks.demo import NEWS_DETAIL
from portal_blocks.layout.service import place_block
from portal_blocks.models import Layout, Placement

PATH = f"/tin-tuc/{REFERENCE_SLUG}"
RELATED = """query($p: String!, $first: Int) { page(path: $p) { regions { blocks {
  ... on Block_BanTin_ViewData { relatedArticles(first: $first) { title category url } } } } } }"""
PAGE_HTML = """query($p: String!) { page(path: $p) { regions { html blocks { html } } } }"""
PAGE_WITH_HTML = """query($p: String!) { page(path: $p) { regions { html blocks { html
  ... on Block_BanTin_ViewData { relatedArticles { title } } } } } }"""


def viewdata_placements():
    return db.session.query(Placement).filter_by(block_type=viewdata.NAME).all()


def configure(**settings):
    for placement in viewdata_placements():
        placement.settings = {**placement.settings, **settings}
    db.session.commit()
    publish_draft()


def related_of(result):
    blocks = result["data"]["page"]["regions"][0]["blocks"]
    return [[a["title"] for a in b["relatedArticles"]] for b in blocks if "relatedArticles" in b]


def add_neighbours():
    add_article("Kinh tế cũ", category="Kinh tế", day=1)
    add_article("Kinh tế mới", category="Kinh tế", day=3)
    add_article("Kinh tế mới nhất", category="Kinh tế", day=5)
    add_article("Kinh tế nháp", category="Kinh tế", day=9, status="draft")
    add_article("Xã hội", category="Xã hội", day=7)


def test_same_category_most_recent_first_without_itself_or_drafts(app, graphql):
    add_neighbours()
    result = graphql(RELATED, {"p": PATH})
    assert related_of(result) == [["Kinh tế mới nhất", "Kinh tế mới", "Kinh tế cũ"]]
    assert related_of(graphql(RELATED, {"p": PATH, "first": 2})) == [
        ["Kinh tế mới nhất", "Kinh tế mới"]
    ]
    first = graphql(RELATED, {"p": PATH})["data"]["page"]["regions"][0]["blocks"][1]
    assert first["relatedArticles"][0]["category"] == "Kinh tế"
    assert first["relatedArticles"][0]["url"].startswith("/tin-tuc/bai-")


def test_first_defaults_to_the_block_setting_and_is_checked(app, graphql):
    add_neighbours()
    configure(relatedCount=1)
    assert related_of(graphql(RELATED, {"p": PATH})) == [["Kinh tế mới nhất"]]
    result = graphql(RELATED, {"p": PATH, "first": 0})
    assert result["errors"][0]["extensions"] == {"code": "INVALID_ARGUMENT", "argument": "first"}


def test_html_shows_tin_khac_only_when_enabled(app, client):
    add_neighbours()
    soup = BeautifulSoup(client.get(PATH).get_data(as_text=True), "html.parser")
    assert soup.select(".pb-viewdata__related") == []
    configure(showRelated=True, relatedCount=2)
    soup = BeautifulSoup(client.get(PATH).get_data(as_text=True), "html.parser")
    [related] = soup.select("[data-block-type=Block_BanTin_ViewData] .pb-viewdata__related")
    assert related.h2.get_text() == "Tin khác"
    assert [a.get_text() for a in related.select("a")] == ["Kinh tế mới nhất", "Kinh tế mới"]
    body = soup.select_one(".pb-viewdata__body")
    assert body.find_all_next(class_="pb-viewdata__related")  # under the body


def test_settings_are_validated_by_the_schema(graphql):
    result = graphql(
        """{ validateBlockSettings(blockType: "Block_BanTin_ViewData",
             settings: {showRelated: true, relatedCount: 50}) { valid errors { field code } } }"""
    )
    assert result["data"]["validateBlockSettings"] == {
        "valid": False,
        "errors": [{"field": "settings.relatedCount", "code": "OUT_OF_RANGE"}],
    }
    defaults = graphql('{ blockType(name: "Block_BanTin_ViewData") { defaults settingsSchema } }')
    block_type = defaults["data"]["blockType"]
    assert block_type["defaults"]["showRelated"] is False
    assert block_type["settingsSchema"]["properties"]["relatedCount"]["maximum"] == 20


def test_page_with_related_articles_keeps_its_statement_budget(app, graphql):
    """Two ViewData blocks showing related news cost one statement more than none."""
    add_neighbours()
    configure(showRelated=False)
    with count_statements() as baseline:
        result = graphql(PAGE_HTML, {"p": PATH})
    assert "errors" not in result

    layout = db.session.query(Layout).filter_by(name=NEWS_DETAIL).one()
    place_block(db.session, layout, "main", viewdata.NAME, {"showRelated": True}, position=2)
    db.session.commit()
    configure(showRelated=True)
    with count_statements() as statements:
        result = graphql(PAGE_WITH_HTML, {"p": PATH})
    assert "errors" not in result
    assert related_of(result) == [["Kinh tế mới nhất", "Kinh tế mới", "Kinh tế cũ"]] * 2
    assert result["data"]["page"]["regions"][0]["html"].count("Tin khác") == 2
    assert len(statements) == len(baseline) + 1
    assert len(baseline) == 3  # routes, layout with placements, article
