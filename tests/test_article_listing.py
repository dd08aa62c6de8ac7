"""The readers' article list: published only, newest first, keyset cursors."""

import base64
from datetime import UTC, datetime

from articles_factory import add_article
from conftest import count_statements

from portal_blocks.db import db
from portal_blocks.models import Article

LIST = """query($first: Int, $after: String, $category: String) {
  articles(first: $first, after: $after, category: $category) {
    edges { cursor node { slug title category status } }
    nodes { slug } pageInfo { hasNextPage endCursor } } }"""
REFERENCE_TITLE = "Giá trị sản xuất công nghiệp tháng 10/2021 tăng 4,7%"


def titles(result):
    return [e["node"]["title"] for e in result["data"]["articles"]["edges"]]


def walk(graphql, first, **variables):
    seen, after, pages = [], None, 0
    while True:
        result = graphql(LIST, {"first": first, "after": after, **variables})
        assert "errors" not in result, result
        connection = result["data"]["articles"]
        seen += titles(result)
        pages += 1
        if not connection["pageInfo"]["hasNextPage"]:
            return seen, pages
        after = connection["pageInfo"]["endCursor"]


def test_newest_first_published_only(app, graphql):
    add_article("Cũ", day=1)
    add_article("Mới", day=5)
    add_article("Nháp", day=9, status="draft")
    result = graphql(LIST, {})
    assert titles(result) == ["Mới", "Cũ", REFERENCE_TITLE]
    assert [n["slug"] for n in result["data"]["articles"]["nodes"]] == [
        e["node"]["slug"] for e in result["data"]["articles"]["edges"]
    ]
    assert result["data"]["articles"]["pageInfo"]["hasNextPage"] is False


def test_cursor_pages_cover_everything_once_with_ties_broken_by_id(app, graphql):
    same_time = datetime(2024, 5, 1, 3, 0, tzinfo=UTC)
    for n in range(7):
        add_article(f"Cùng giờ {n}", published_at=same_time)
    for n in range(3):
        add_article(f"Khác {n}", day=200 + n)
    seen, pages = walk(graphql, 3)
    assert pages == 4
    ordered = db.session.query(Article).order_by(Article.published_at.desc(), Article.id.desc())
    assert seen == [a.title for a in ordered]
    assert seen[3:10] == [f"Cùng giờ {n}" for n in reversed(range(7))]


def test_pages_are_stable_when_articles_are_published_meanwhile(app, graphql):
    for n in range(4):
        add_article(f"Bài {n}", day=n + 1)
    first = graphql(LIST, {"first": 2})
    add_article("Bài mới nhất", day=100)
    second = graphql(
        LIST, {"first": 2, "after": first["data"]["articles"]["pageInfo"]["endCursor"]}
    )
    assert titles(first) == ["Bài 3", "Bài 2"]
    assert titles(second) == ["Bài 1", "Bài 0"]


def test_category_filter(app, graphql):
    add_article("Kinh tế 1", category="Kinh tế", day=1)
    add_article("Xã hội 1", category="Xã hội", day=2)
    add_article("Kinh tế 2", category="Kinh tế", day=3)
    seen, _ = walk(graphql, 2, category="Kinh tế")
    assert seen == ["Kinh tế 2", "Kinh tế 1", REFERENCE_TITLE]


def test_first_is_capped_and_checked(app, graphql):
    for n in range(105):
        add_article(f"Bài {n}", day=n + 1)
    assert len(titles(graphql(LIST, {"first": 500}))) == 100
    assert len(titles(graphql(LIST, {}))) == 20
    result = graphql(LIST, {"first": 0})
    assert result["errors"][0]["extensions"] == {"code": "INVALID_ARGUMENT", "argument": "first"}


def test_bad_cursors_get_a_typed_error(graphql):
    for bad in ("xyz", base64.urlsafe_b64encode(b"[1, 2]").decode(), "", "!!!"):
        result = graphql(LIST, {"after": bad})
        assert result["data"] is None
        assert result["errors"][0]["extensions"] == {
            "code": "INVALID_ARGUMENT",
            "argument": "after",
        }


def test_cursor_is_opaque_base64(app, graphql):
    cursor = graphql(LIST, {})["data"]["articles"]["edges"][0]["cursor"]
    assert REFERENCE_TITLE not in cursor
    assert base64.urlsafe_b64decode(cursor)  # decodes, but clients need not know the content


def test_one_statement_per_page(app, graphql):
    for n in range(30):
        add_article(f"Bài {n}", day=n + 1)
    with count_statements() as statements:
        after = graphql(LIST, {"first": 10})["data"]["articles"]["pageInfo"]["endCursor"]
        graphql(LIST, {"first": 10, "after": after, "category": "Tin tức"})
    assert len(statements) == 2
