"""The news-list block types on the demo portal: Tin khác, a category listing paged by cursor,
featured news; their settings, page parameters (a route's category, the address's ``after``),
and the field-level refusals of bad settings. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from conftest import REFERENCE_SLUG
from editing import (
    CONFIGURE,
    DELETE_ARTICLE,
    PLACE,
    PUBLISH_LAYOUT,
    UNPUBLISH_ARTICLE,
    block,
    draft,
    ok,
    payload,
)

from portal_blocks.demo import demo_articles

ARTICLE_PAGE = f"/tin-tuc/{REFERENCE_SLUG}"
ITEMS = "items { title url dateText lead imageUrl article { slug category } }"
PAGE = f"""query($path: String!) {{ page(path: $path) {{ regions {{ name blocks {{
  __typename id html
  ... on Block_BanTin_TinKhac {{ title category {{ slug name url }} {ITEMS}
    settings {{ ... on TinKhacSettings {{ count category showDate }} }} }}
  ... on Block_BanTin_DanhSach {{ title category {{ slug name }} {ITEMS}
    pageInfo {{ hasNextPage endCursor }} nextPageUrl firstPageUrl moreUrl
    settings {{ ... on DanhSachSettings {{ count paged category }} }} }}
  ... on Block_BanTin_NoiBat {{ title {ITEMS}
    settings {{ ... on NoiBatSettings {{ articles count category }} }} }} }} }} }} }}"""


@pytest.fixture
def app(portal):
    """Every test here reads the whole demo portal."""
    return portal


def by_date(category: str | None = None) -> list[dict[str, Any]]:
    """The demo's articles of ``category`` (every one for None), newest first."""
    chosen = [a for a in demo_articles() if category is None or a["category"] == category]
    return sorted(chosen, key=lambda a: datetime.fromisoformat(a["published_at"]), reverse=True)


def titles(articles: list[dict[str, Any]]) -> list[str]:
    return [a["title"] for a in articles]


def blocks_of(graphql, path: str) -> list[dict[str, Any]]:
    result = graphql(PAGE, {"path": path})
    assert "errors" not in result, result
    return [b for r in result["data"]["page"]["regions"] for b in r["blocks"]]


def one(blocks: list[dict[str, Any]], typename: str) -> dict[str, Any]:
    [found] = [b for b in blocks if b["__typename"] == typename]
    return found


def configure(as_editor, layout: str, block_type: str, settings: dict[str, Any]) -> dict[str, Any]:
    """Configure the layout's (only) block of ``block_type`` and publish the layout."""
    placement = block(draft(as_editor, layout), block_type)
    result = as_editor(
        CONFIGURE, {"id": placement["id"], "version": placement["version"], "settings": settings}
    )
    ok(result)
    ok(
        as_editor(
            PUBLISH_LAYOUT, {"layout": layout, "version": draft(as_editor, layout)["version"]}
        )
    )
    return result


def refusal(as_editor, block_type: str, settings: dict[str, Any]) -> list[tuple[str, str]]:
    placement = block(draft(as_editor, "category"), block_type)
    result = as_editor(
        CONFIGURE, {"id": placement["id"], "version": placement["version"], "settings": settings}
    )
    return [(e["field"], e["code"]) for e in payload(result)["errors"]]


# --- Tin khác -------------------------------------------------------------------------------


def test_tin_khac_lists_the_articles_other_news_newest_first_without_itself(graphql):
    tin_khac = one(blocks_of(graphql, ARTICLE_PAGE), "Block_BanTin_TinKhac")
    others = [a for a in by_date("Kinh tế") if a["slug"] != REFERENCE_SLUG]
    assert [i["title"] for i in tin_khac["items"]] == titles(others[:5])
    assert tin_khac["title"] == "Tin khác"
    assert tin_khac["category"] == {
        "slug": "kinh-te",
        "name": "Kinh tế",
        "url": "/chuyen-muc/kinh-te",
    }
    assert {i["article"]["category"] for i in tin_khac["items"]} == {"Kinh tế"}
    assert all(i["dateText"] and i["lead"] is None for i in tin_khac["items"])
    assert tin_khac["settings"] == {"count": 5, "category": None, "showDate": True}
    soup = BeautifulSoup(tin_khac["html"], "html.parser")
    assert [a.get_text() for a in soup.select("a.pb-news__link")] == titles(others[:5])
    assert soup.select_one("h2").get_text() == "Tin khác"


def test_tin_khac_follows_its_settings_a_chosen_category_count_and_dates(graphql, as_editor):
    configure(
        as_editor,
        "news-detail",
        "Block_BanTin_TinKhac",
        {"category": "van-hoa-xa-hoi", "count": 2, "showDate": False, "title": "Văn hóa"},
    )
    tin_khac = one(blocks_of(graphql, ARTICLE_PAGE), "Block_BanTin_TinKhac")
    assert [i["title"] for i in tin_khac["items"]] == titles(by_date("Văn hóa - Xã hội")[:2])
    assert tin_khac["title"] == "Văn hóa"
    assert all(i["dateText"] is None for i in tin_khac["items"])


def test_tin_khac_speaks_english_on_request(client):
    html = client.get(ARTICLE_PAGE, query_string={"lang": "en"}).get_data(as_text=True)
    heading = BeautifulSoup(html, "html.parser").select_one(".pb-tinkhac h2")
    assert heading is not None and heading.get_text() == "Other news"


# --- The category listing and its paging -----------------------------------------------------


def test_a_category_page_lists_its_category_and_pages_on_by_cursor(graphql):
    kinh_te = by_date("Kinh tế")
    first = one(blocks_of(graphql, "/chuyen-muc/kinh-te"), "Block_BanTin_DanhSach")
    assert first["title"] == "Kinh tế" and first["category"] == {
        "slug": "kinh-te",
        "name": "Kinh tế",
    }
    assert [i["title"] for i in first["items"]] == titles(kinh_te[:5])
    assert first["pageInfo"]["hasNextPage"] is True
    cursor = first["pageInfo"]["endCursor"]
    assert first["nextPageUrl"] == f"/chuyen-muc/kinh-te?after={quote(cursor, safe='')}"
    assert first["firstPageUrl"] is None and first["moreUrl"] is None

    second = one(blocks_of(graphql, first["nextPageUrl"]), "Block_BanTin_DanhSach")
    assert [i["title"] for i in second["items"]] == titles(kinh_te[5:])
    assert second["pageInfo"]["hasNextPage"] is False and second["nextPageUrl"] is None
    assert second["firstPageUrl"] == "/chuyen-muc/kinh-te"


def test_the_theme_renders_trang_sau_links_that_work_without_javascript(client):
    kinh_te = by_date("Kinh tế")
    seen: list[str] = []
    path: str | None = "/chuyen-muc/kinh-te"
    pages = 0
    while path is not None:
        response = client.get(path)
        assert response.status_code == 200
        soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        listing = soup.select_one("[data-block-type=Block_BanTin_DanhSach]")
        assert listing is not None
        seen += [a.get_text() for a in listing.select("a.pb-news__link")]
        following = listing.select_one("a.pb-pager__next")
        path = following["href"] if following is not None else None
        assert following is None or following.get_text() == "Trang sau"
        pages += 1
    assert pages == 2 and seen == titles(kinh_te)


def test_the_home_listing_shows_every_category_and_links_category_listings(graphql):
    blocks = [b for b in blocks_of(graphql, "/") if b["__typename"] == "Block_BanTin_DanhSach"]
    news, economy, society = blocks
    assert news["title"] == "Tin tức - Sự kiện" and news["category"] is None
    assert [i["title"] for i in news["items"]] == titles(by_date()[:5])
    assert news["nextPageUrl"] is not None and news["nextPageUrl"].startswith("/?after=")
    assert economy["title"] == "Kinh tế" and economy["moreUrl"] == "/chuyen-muc/kinh-te"
    assert [i["title"] for i in economy["items"]] == titles(by_date("Kinh tế")[:3])
    assert economy["nextPageUrl"] is None  # not paged: the category page pages
    assert society["moreUrl"] == "/chuyen-muc/van-hoa-xa-hoi"


def test_a_category_no_article_belongs_to_is_no_page(graphql, client):
    result = graphql(PAGE, {"path": "/chuyen-muc/khong-co-chuyen-muc"})
    assert result["data"]["page"] is None
    assert result["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert client.get("/chuyen-muc/khong-co-chuyen-muc").status_code == 404


@pytest.mark.parametrize("after", ["not-a-cursor", "W10=", "x" * 300])
def test_an_after_no_list_gave_out_is_refused_everywhere(graphql, client, after):
    path = f"/chuyen-muc/kinh-te?after={after}"
    result = graphql(PAGE, {"path": path})
    assert result["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"
    assert client.get(path).status_code == 400
    fragment = client.get("/fragments/page", query_string={"path": path})
    assert fragment.status_code == 400 and fragment.get_json()["error"]["code"] == "BAD_REQUEST"


def test_the_listing_follows_its_settings(graphql, as_editor):
    configure(
        as_editor,
        "category",
        "Block_BanTin_DanhSach",
        {"count": 3, "paged": False, "showLead": False, "showDate": False},
    )
    listing = one(blocks_of(graphql, "/chuyen-muc/kinh-te"), "Block_BanTin_DanhSach")
    assert [i["title"] for i in listing["items"]] == titles(by_date("Kinh tế")[:3])
    assert listing["nextPageUrl"] is None and listing["pageInfo"]["hasNextPage"] is True
    assert all(i["lead"] is None and i["dateText"] is None for i in listing["items"])


# --- Featured news --------------------------------------------------------------------------


def test_featured_news_shows_the_chosen_articles_in_order(graphql, as_editor):
    chosen = [by_date()[6]["slug"], REFERENCE_SLUG, by_date()[3]["slug"]]
    configure(as_editor, "home", "Block_BanTin_NoiBat", {"articles": chosen})
    featured = one(blocks_of(graphql, "/"), "Block_BanTin_NoiBat")
    assert [i["article"]["slug"] for i in featured["items"]] == chosen
    assert featured["settings"]["articles"] == chosen
    # The headline has its lead; the others are titles.
    assert featured["items"][0]["lead"] and [i["lead"] for i in featured["items"][1:]] == [None] * 2
    reference = featured["items"][1]
    assert reference["imageUrl"] == "/_blocks/static/demo/san-xuat-cong-nghiep.svg"


def test_without_a_choice_featured_news_is_the_newest_of_a_category(graphql, as_editor):
    configure(as_editor, "home", "Block_BanTin_NoiBat", {"category": "nong-nghiep", "count": 4})
    featured = one(blocks_of(graphql, "/"), "Block_BanTin_NoiBat")
    assert [i["title"] for i in featured["items"]] == titles(by_date("Nông nghiệp"))


def test_a_chosen_article_unpublished_or_deleted_disappears_without_an_error(graphql, as_editor):
    gone, hidden, kept = (a["slug"] for a in by_date()[1:4])
    configure(as_editor, "home", "Block_BanTin_NoiBat", {"articles": [gone, hidden, kept]})
    for mutation, slug in ((DELETE_ARTICLE, gone), (UNPUBLISH_ARTICLE, hidden)):
        article = as_editor(
            "query($s: String!) { draftArticle(slug: $s) { version } }", {"s": slug}
        )
        version = article["data"]["draftArticle"]["version"]
        ok(as_editor(mutation, {"slug": slug, "version": version}))
    result = graphql(PAGE, {"path": "/"})
    assert "errors" not in result, result
    featured = one(blocks_of(graphql, "/"), "Block_BanTin_NoiBat")
    assert [i["article"]["slug"] for i in featured["items"]] == [kept]


# --- Bad settings are refused at the field that holds them -------------------------------------


@pytest.mark.parametrize(
    ("block_type", "settings", "expected"),
    [
        (
            "Block_BanTin_NoiBat",
            {"articles": [REFERENCE_SLUG, "khong-co-bai-nay-0000"]},
            [("settings.articles.1", "UNKNOWN_ARTICLE")],
        ),
        (
            "Block_BanTin_NoiBat",
            {"articles": ["Not A Slug"]},
            [("settings.articles.0", "INVALID_FORMAT")],
        ),
        (
            "Block_BanTin_NoiBat",
            {"articles": [REFERENCE_SLUG] * 21},
            [("settings.articles", "INVALID_LENGTH")],
        ),
        ("Block_BanTin_NoiBat", {"count": 0}, [("settings.count", "OUT_OF_RANGE")]),
        (
            "Block_BanTin_NoiBat",
            {"category": "khong-co"},
            [("settings.category", "UNKNOWN_CATEGORY")],
        ),
        ("Block_BanTin_DanhSach", {"count": 51}, [("settings.count", "OUT_OF_RANGE")]),
        ("Block_BanTin_DanhSach", {"count": "5"}, [("settings.count", "INVALID_TYPE")]),
        (
            "Block_BanTin_DanhSach",
            {"category": "Kinh tế"},
            [("settings.category", "INVALID_FORMAT")],
        ),
        (
            "Block_BanTin_DanhSach",
            {"category": "kinh-te\n"},
            [("settings.category", "INVALID_FORMAT")],
        ),
        (
            "Block_BanTin_DanhSach",
            {"dateFormat": "dd/MM/qqqqqqq"},
            [("settings.dateFormat", "INVALID_FORMAT")],
        ),
        ("Block_BanTin_DanhSach", {"paged": "yes"}, [("settings.paged", "INVALID_TYPE")]),
    ],
)
def test_bad_settings_are_refused_by_field(as_editor, block_type, settings, expected):
    assert refusal(as_editor, block_type, settings) == expected


def test_tin_khac_count_out_of_range_and_unknown_category(as_editor):
    placement = block(draft(as_editor, "news-detail"), "Block_BanTin_TinKhac")
    result = as_editor(
        CONFIGURE,
        {
            "id": placement["id"],
            "version": placement["version"],
            "settings": {"count": 21, "category": "khong-co"},
        },
    )
    # The schema's refusals come first: references are checked on valid settings only.
    assert [(e["field"], e["code"]) for e in payload(result)["errors"]] == [
        ("settings.count", "OUT_OF_RANGE")
    ]


def test_a_refused_block_changes_nothing(as_editor, graphql):
    before = blocks_of(graphql, "/")
    layout = draft(as_editor, "home")
    result = as_editor(
        PLACE,
        {
            "layout": "home",
            "version": layout["version"],
            "region": "sidebar",
            "type": "Block_BanTin_NoiBat",
            "settings": {"articles": ["khong-co-bai-nay-0000"]},
        },
    )
    assert [e["code"] for e in payload(result)["errors"]] == ["UNKNOWN_ARTICLE"]
    assert draft(as_editor, "home")["version"] == layout["version"]
    assert blocks_of(graphql, "/") == before


def test_validate_block_settings_checks_references_too(graphql):
    query = """query($s: JSON!) { validateBlockSettings(blockType: "Block_BanTin_NoiBat",
      settings: $s) { valid errors { field code } } }"""
    bad = graphql(query, {"s": {"articles": ["khong-co-bai-nay-0000"]}})
    assert bad["data"]["validateBlockSettings"] == {
        "valid": False,
        "errors": [{"field": "settings.articles.0", "code": "UNKNOWN_ARTICLE"}],
    }
    good = graphql(query, {"s": {"articles": [REFERENCE_SLUG]}})
    assert good["data"]["validateBlockSettings"]["valid"] is True


def test_the_json_schemas_describe_the_list_settings(graphql):
    result = graphql("{ blockTypes { name settingsSchema defaults } }")
    by_name = {t["name"]: t for t in result["data"]["blockTypes"]}
    listing = by_name["Block_BanTin_DanhSach"]
    count = listing["settingsSchema"]["properties"]["count"]
    assert (count["minimum"], count["maximum"], count["default"]) == (1, 50, 10)
    assert listing["defaults"]["paged"] is True and listing["defaults"]["category"] is None
    featured = by_name["Block_BanTin_NoiBat"]["settingsSchema"]["properties"]["articles"]
    assert featured["type"] == "array" and featured["maxItems"] == 20
    assert featured["items"]["pattern"] == "^[a-z0-9]+(?:-[a-z0-9]+)*$"
    assert by_name["Block_BanTin_TinKhac"]["defaults"] == {
        "category": None,
        "count": 5,
        "dateFormat": "dd/MM/yyyy",
        "showDate": True,
        "showImage": False,
        "showLead": False,
        "title": "",
    }
