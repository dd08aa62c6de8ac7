"""Search that fits Vietnamese, on SQLite and PostgreSQL (the ``app`` fixture runs both)."""

import pytest
from articles_factory import add_article
from conftest import count_statements
from sqlalchemy import text

from portal_blocks.content import search as search_module
from portal_blocks.db import db

SEARCH = """query($q: String, $first: Int, $after: String) {
  articles(search: $q, first: $first, after: $after) {
    edges { cursor node { title } } pageInfo { hasNextPage endCursor } } }"""


@pytest.fixture(autouse=True, params=["newest", "index", "both"])
def plan(request, monkeypatch):
    """Every case runs with each plan: reading the newest articles (all of them here), the
    search index alone, and a window too short to fill a page, so the index takes over."""
    windows = {"newest": search_module.WINDOW, "index": 0, "both": 2}
    monkeypatch.setattr(search_module, "WINDOW", windows[request.param])
    return request.param


@pytest.fixture
def search(graphql):
    def run(query: str, first: int | None = None) -> list[str]:
        result = graphql(SEARCH, {"q": query, "first": first})
        assert "errors" not in result, result
        return [e["node"]["title"] for e in result["data"]["articles"]["edges"]]

    return run


def test_query_without_diacritics_finds_accented_text(app, search):
    add_article("Năm học mới ở vùng cao")
    assert search("gia tri san xuat") == ["Giá trị sản xuất công nghiệp tháng 10/2021 tăng 4,7%"]


def test_words_match_in_any_order_and_in_lead_and_body(app, search):
    add_article("Tin một", lead="Giá lúa tăng mạnh")
    add_article("Tin hai", body="Sản lượng thủy sản đạt kế hoạch")
    assert search("lua gia") == ["Tin một"]
    assert search("thuy san ke hoach") == ["Tin hai"]
    assert search("lua thuy") == []


def test_d_with_stroke_folds_to_d(app, search):
    add_article("Đồng Nai mở rộng khu công nghiệp")
    add_article("Cà Mau phát triển tôm")
    assert search("dong nai") == ["Đồng Nai mở rộng khu công nghiệp"]
    assert search("Đồng Nai") == ["Đồng Nai mở rộng khu công nghiệp"]


def test_old_and_new_tone_placement_match(app, search):
    add_article("Hòa Bình khai mạc lễ hội", day=1)
    add_article("Hoà Vang đón khách", day=2)
    both = {"Hòa Bình khai mạc lễ hội", "Hoà Vang đón khách"}
    assert set(search("hoà")) == both
    assert set(search("hòa")) == both
    assert set(search("hoa")) == both


def test_exact_diacritics_rank_above_folded_matches(app, search):
    add_article("Hòa Bình khai mạc lễ hội", day=1)
    add_article("Hoà Vang đón khách", day=2)  # newer
    add_article("Hoa đào nở sớm", day=3)  # newest
    # Newest first among equals; the exact spelling wins over recency.
    assert search("hòa") == ["Hòa Bình khai mạc lễ hội", "Hoa đào nở sớm", "Hoà Vang đón khách"]
    assert search("hoà") == ["Hoà Vang đón khách", "Hoa đào nở sớm", "Hòa Bình khai mạc lễ hội"]
    assert search("hoa") == ["Hoa đào nở sớm", "Hoà Vang đón khách", "Hòa Bình khai mạc lễ hội"]


def test_case_and_decomposed_input_do_not_matter(app, search):
    add_article("Hòa Bình khai mạc lễ hội")
    decomposed = "HO\u0300A BI\u0300NH"  # NFD, upper case, as some keyboards send it
    assert search(decomposed) == ["Hòa Bình khai mạc lễ hội"]


def test_words_match_whole_not_inside_longer_words(app, search):
    add_article("Hoa đào nở sớm")
    # "hoa" is in "kế hoạch" of the reference article only as a part of a longer word.
    assert search("hoa") == ["Hoa đào nở sớm"]
    assert search("hoach") == ["Giá trị sản xuất công nghiệp tháng 10/2021 tăng 4,7%"]


def test_punctuation_and_like_wildcards_are_literal(app, search):
    add_article("Tăng trưởng 4,75 trong quý", day=1)
    add_article("Tăng trưởng 4,7% trong quý", day=2)
    assert search("4,7%") == [
        "Tăng trưởng 4,7% trong quý",
        "Giá trị sản xuất công nghiệp tháng 10/2021 tăng 4,7%",
    ]
    assert search("10/2021") == ["Giá trị sản xuất công nghiệp tháng 10/2021 tăng 4,7%"]
    assert search("_") == []
    assert search("%") == search("4,7%")


def test_short_words_filter_too(app, search):
    add_article("Xã Ba Bể có điện")
    assert search("ba be") == ["Xã Ba Bể có điện"]
    assert search("be xa") == ["Xã Ba Bể có điện"]


def test_drafts_are_not_found(app, search):
    add_article("Bản nháp về Đồng Tháp", status="draft")
    assert search("dong thap") == []


def test_search_sees_edits(app, search):
    article = add_article("Tiêu đề cũ")
    article.title = "Tiêu đề mới về Mường Nhé"
    db.session.commit()
    assert search("muong nhe") == ["Tiêu đề mới về Mường Nhé"]
    assert search("cu") == []


def test_rows_written_without_the_orm_are_indexed_by_the_migration(app, search):
    """On SQLite the FTS table follows the article table through triggers, whoever writes."""
    add_article("Lào Cai đón tuyết")
    db.session.execute(
        text("UPDATE article SET search_folded = ' sa pa don tuyet ' WHERE slug LIKE 'bai-%'")
    )
    db.session.commit()
    assert search("sa pa") == ["Lào Cai đón tuyết"]
    assert search("lao cai") == []


def test_paging_through_ranked_results(app, graphql):
    for day, title in enumerate(["Hòa 1", "Hoà 2", "Hòa 3", "Hoà 4", "Hòa 5"], start=1):
        add_article(title, day=day)
    seen, after = [], None
    while True:
        result = graphql(SEARCH, {"q": "hòa", "first": 2, "after": after})
        connection = result["data"]["articles"]
        seen += [e["node"]["title"] for e in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert seen == ["Hòa 5", "Hòa 3", "Hòa 1", "Hoà 4", "Hoà 2"]


def test_overlong_search_is_refused(graphql):
    result = graphql(SEARCH, {"q": "a" * 201})
    assert result["data"] is None
    assert result["errors"][0]["extensions"] == {"code": "INVALID_ARGUMENT", "argument": "search"}


def test_statements_per_search(app, graphql, plan):
    """The folded tier runs only if the exact one does not fill the page; the index is asked
    only when the newest articles do not fill it."""
    for day in range(3):
        add_article(f"Hòa {day}", day=day)
    add_article("Hoà khác", day=9)
    with count_statements() as filled_by_exact:
        result = graphql(SEARCH, {"q": "hòa", "first": 2})
    assert [e["node"]["title"] for e in result["data"]["articles"]["edges"]] == ["Hòa 2", "Hòa 1"]
    with count_statements() as both_tiers:
        result = graphql(SEARCH, {"q": "hòa", "first": 10})
    assert len(result["data"]["articles"]["edges"]) == 4
    assert (len(filled_by_exact), len(both_tiers)) == ((1, 4) if plan == "newest" else (2, 4))


def test_the_search_text_is_derived_again_only_when_the_text_changed(app, search, monkeypatch):
    """Folding the body is a fifth of a commit's work: a publish or a new category leaves the
    search columns as they are, an edit of the title, lead or body derives them again."""
    from portal_blocks.models import article as article_model

    article = add_article("Hội An đón khách", status="draft")
    derived: list[str | None] = []
    real = article_model.search_columns

    def counted(title: str | None, lead: str | None, body_html: str | None) -> dict[str, str]:
        derived.append(title)
        return real(title, lead, body_html)

    monkeypatch.setattr(article_model, "search_columns", counted)
    article.status = article_model.ArticleStatus.PUBLISHED
    article.category = "Du lịch"
    db.session.commit()
    assert derived == []
    assert search("hoi an") == ["Hội An đón khách"]
    article.lead = "Phố cổ đông vui"
    db.session.commit()
    assert derived == ["Hội An đón khách"]
    assert search("pho co") == ["Hội An đón khách"]
