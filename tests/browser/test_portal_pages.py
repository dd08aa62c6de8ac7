"""The demo portal in a real browser, walked as a reader walks it: by clicking links.

What the HTML tests cannot show: that the pages hold together when Chromium loads them (the
regions and their blocks are visible, the featured image loads, lienket.js shows the drop-down
and leaves for the chosen website), and that following the links the pages print (a category
heading, "Trang sau", "Trang đầu", an article title, "Tin khác") reaches the page they promise.
Every expectation is worked out from the demo's own content (content.json), not copied from a
rendered page, so a listing that drifted (wrong order, a repeated page, the article among its
own "Tin khác") fails. The screenshots in ``test-output/`` are for people to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest

from portal_blocks.demo import AGENCY_LINKS, demo_articles

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Locator, Page, Request, Route

pytestmark = pytest.mark.browser

CATEGORY = "Kinh tế"
CATEGORY_PATH = "/chuyen-muc/kinh-te"
PAGE_SIZE = 5  # the demo's listings: "count": 5
TIN_KHAC_COUNT = 5  # the demo's "Tin khác": "count": 5
#: The website chosen in the drop-down; the one address the browser may ask outside the app.
CHOSEN_LINK = AGENCY_LINKS[0]


def _published(article: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(article["published_at"])


#: Newest first, as every listing orders them.
ARTICLES = sorted(
    (a for a in demo_articles() if a.get("status", "published") == "published"),
    key=_published,
    reverse=True,
)
#: The article the demo is built around (what ``load_reference`` loads alone).
REFERENCE = demo_articles()[0]
IN_CATEGORY = [a for a in ARTICLES if a["category"] == CATEGORY]
CATEGORY_TITLES = {a["title"] for a in IN_CATEGORY}


def article_path(article: dict[str, Any]) -> str:
    return f"/tin-tuc/{article['slug']}"


def tin_khac_for(article: dict[str, Any]) -> list[str]:
    """The titles "Tin khác" should list under ``article``: its category's newest others."""
    others = [
        a for a in ARTICLES if a["category"] == article["category"] and a["slug"] != article["slug"]
    ]
    return [a["title"] for a in others[:TIN_KHAC_COUNT]]


def titles(block: Locator) -> list[str]:
    return [
        text.strip() for text in block.locator(".pb-news__item .pb-news__link").all_inner_texts()
    ]


def listing_block(page: Page, heading: str) -> Locator:
    """A Block_BanTin_DanhSach in the listing region, known by its heading (exactly)."""
    return page.locator("[data-region=listing] [data-block-type=Block_BanTin_DanhSach]").filter(
        has=page.get_by_role("heading", name=heading, exact=True)
    )


def follows(page: Page, first: str, then: str) -> bool:
    """Whether the element ``then`` comes after ``first`` in document order (and is not in it)."""
    return page.evaluate(
        """([first, then]) => {
            const a = document.querySelector(first), b = document.querySelector(then);
            return !!a && !!b && !a.contains(b)
                && !!(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
        }""",
        [first, then],
    )


@pytest.fixture
def requested(page: Page) -> Iterator[list[str]]:
    """Every address the page asks for, to show that the portal loads nothing from elsewhere
    (no web fonts, CDNs or trackers): a government portal's reader is not reported to others."""
    seen: list[str] = []

    def record(request: Request) -> None:
        seen.append(request.url)

    page.on("request", record)
    yield seen


def assert_same_origin(seen: list[str], origin: str, allowed: tuple[str, ...] = ()) -> None:
    assert any(url.endswith("/_blocks/static/portal_blocks.css") for url in seen), seen
    elsewhere = [url for url in seen if not url.startswith(f"{origin}/")]
    assert sorted(elsewhere) == sorted(allowed)


def test_home_page_shows_its_blocks(page, live_server, requested, output_dir: Path):
    page.goto(f"{live_server}/")

    for region, block_type in (
        ("featured", "Block_BanTin_NoiBat"),
        ("listing", "Block_BanTin_DanhSach"),
        ("sidebar", "Block_LienKet_Website"),
    ):
        block = page.locator(f"[data-region={region}] [data-block-type={block_type}]").first
        assert block.is_visible(), f"{block_type} is not visible in region {region}"

    # Featured news: the newest article as the headline, with its image loaded.
    featured = page.locator("[data-region=featured] [data-block-type=Block_BanTin_NoiBat]")
    assert featured.get_by_role("heading", level=2).inner_text() == "Tin nổi bật"
    newest = ARTICLES[0]
    headline = featured.locator(".pb-noibat__lead .pb-noibat__title a")
    assert headline.inner_text() == newest["title"]
    assert headline.get_attribute("href") == article_path(newest)
    image = featured.locator(".pb-noibat__lead img.pb-noibat__image")
    assert image.is_visible()
    assert image.get_attribute("src") == newest["image_url"]
    assert image.get_attribute("alt") == newest["image_alt"]
    # decode() rejects for an image that does not load; a lazy image waits until it has.
    assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    # The rest of the featured list follows the headline, newest first, without repeating it.
    assert titles(featured) == [a["title"] for a in ARTICLES[1:4]]

    # The news listing: the newest five of every category, newest first, paged.
    listing = listing_block(page, "Tin tức - Sự kiện")
    assert listing.count() == 1
    assert titles(listing) == [a["title"] for a in ARTICLES[:PAGE_SIZE]]
    hrefs = listing.locator(".pb-news__link").evaluate_all("links => links.map(a => a.pathname)")
    assert hrefs == [article_path(a) for a in ARTICLES[:PAGE_SIZE]]
    assert listing.locator("a.pb-pager__next").is_visible()
    assert listing.locator("a.pb-pager__first").count() == 0

    # The category listings are not paged; each links to its category page.
    economy = listing_block(page, CATEGORY)
    assert titles(economy) == [a["title"] for a in IN_CATEGORY[:3]]
    assert economy.locator(".pb-pager").count() == 0

    # Website links: the agencies' portals, as plain http(s) links.
    links = page.locator("[data-region=sidebar] .pb-lienket .pb-lienket__list a")
    assert links.all_inner_texts() == [link["label"] for link in AGENCY_LINKS]
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs == [link["url"] for link in AGENCY_LINKS]
    assert all(re.match(r"https?://[^/]+", href or "") for href in hrefs)
    assert (
        page.locator("[data-region=sidebar] .pb-lienket")
        .get_by_role("heading", name="Liên kết website")
        .is_visible()
    )

    page.screenshot(path=str(output_dir / "portal-home.png"), full_page=True)
    assert_same_origin(requested, live_server)


def test_category_pages_from_the_home_page(page, live_server, requested, output_dir: Path):
    page.goto(f"{live_server}/")
    economy = listing_block(page, CATEGORY)
    # Both ways to the category page go to the same place.
    see_all = economy.get_by_role("link", name="Xem tất cả")
    assert see_all.get_attribute("href") == CATEGORY_PATH
    economy.get_by_role("heading", name=CATEGORY).get_by_role("link").click()
    page.wait_for_url(f"{live_server}{CATEGORY_PATH}")

    first_page = listing_block(page, CATEGORY)
    # On its category's page the listing's heading is the page's own.
    assert first_page.get_by_role("heading", level=1).inner_text() == CATEGORY
    assert page.title() == CATEGORY
    page_one = titles(first_page)
    assert page_one == [a["title"] for a in IN_CATEGORY[:PAGE_SIZE]]
    assert set(page_one) <= CATEGORY_TITLES
    # The category page shows each item's lead (showLead).
    assert first_page.locator(".pb-news__lead").first.inner_text() == IN_CATEGORY[0]["lead"]
    assert first_page.locator("a.pb-pager__first").count() == 0
    next_link = first_page.locator("a.pb-pager__next")
    assert next_link.inner_text() == "Trang sau"
    target = urlsplit(next_link.get_attribute("href") or "")
    assert target.path == CATEGORY_PATH
    assert parse_qs(target.query).get("after"), "Trang sau carries no cursor"
    page.screenshot(path=str(output_dir / "portal-category.png"), full_page=True)

    next_link.click()
    page.wait_for_url(re.compile(re.escape(f"{live_server}{CATEGORY_PATH}?after=")))
    second_page = listing_block(page, CATEGORY)
    page_two = titles(second_page)
    assert page_two == [a["title"] for a in IN_CATEGORY[PAGE_SIZE:]]
    assert not set(page_one) & set(page_two), "an article on both pages"
    assert sorted(page_one + page_two) == sorted(CATEGORY_TITLES), "an article on neither page"
    assert second_page.locator("a.pb-pager__next").count() == 0
    first_link = second_page.locator("a.pb-pager__first")
    assert first_link.inner_text() == "Trang đầu"
    page.screenshot(path=str(output_dir / "portal-category-page-2.png"), full_page=True)

    first_link.click()
    page.wait_for_url(f"{live_server}{CATEGORY_PATH}")
    assert titles(listing_block(page, CATEGORY)) == page_one
    assert_same_origin(requested, live_server)


def test_article_page_and_tin_khac(page, live_server, requested, output_dir: Path):
    page.goto(f"{live_server}/")
    listing = listing_block(page, "Tin tức - Sự kiện")
    listing.get_by_role("link", name=REFERENCE["title"], exact=True).click()
    page.wait_for_url(f"{live_server}{article_path(REFERENCE)}")

    main = page.locator("[data-region=main]")
    assert main.locator(".pb-toolbar").is_visible()
    assert main.get_by_role("button", name="Tăng cỡ chữ").is_visible()
    assert main.get_by_role("heading", level=1).inner_text() == REFERENCE["title"]
    body = main.locator(".pb-viewdata__body")
    assert body.is_visible()
    assert body.locator("p").count() == REFERENCE["body_html"].count("<p>")

    # "Tin khác": its own region, after the article, never inside it.
    related = page.locator("[data-region=related]")
    tin_khac = related.locator("[data-block-type=Block_BanTin_TinKhac]")
    assert tin_khac.is_visible()
    assert tin_khac.get_by_role("heading", level=2).inner_text() == "Tin khác"
    assert main.locator("[data-block-type=Block_BanTin_TinKhac]").count() == 0
    assert follows(page, "[data-region=main]", "[data-region=related]")
    assert follows(
        page, "[data-region=main] .pb-viewdata", "[data-block-type=Block_BanTin_TinKhac]"
    )
    others = titles(tin_khac)
    assert REFERENCE["title"] not in others
    assert set(others) <= CATEGORY_TITLES
    assert others == tin_khac_for(REFERENCE)
    page.screenshot(path=str(output_dir / "portal-article.png"), full_page=True)

    # A "Tin khác" link opens that article, whose own "Tin khác" now lists the first one.
    chosen = next(a for a in IN_CATEGORY if a["title"] == others[0])
    tin_khac.get_by_role("link", name=chosen["title"], exact=True).click()
    page.wait_for_url(f"{live_server}{article_path(chosen)}")
    assert page.get_by_role("heading", level=1).inner_text() == chosen["title"]
    assert titles(page.locator("[data-block-type=Block_BanTin_TinKhac]")) == tin_khac_for(chosen)
    assert REFERENCE["title"] in tin_khac_for(chosen)
    assert_same_origin(requested, live_server)


def test_website_links_drop_down_opens_the_chosen_site(page, live_server, requested):
    page.goto(f"{live_server}/")
    listing_block(page, CATEGORY).get_by_role("link", name="Xem tất cả").click()
    page.wait_for_url(f"{live_server}{CATEGORY_PATH}")

    block = page.locator("[data-region=sidebar] .pb-lienket--select")
    form = block.locator("form.pb-lienket__form")
    # Rendered hidden; lienket.js shows it once it can act on the reader's choice.
    form.wait_for(state="visible")
    assert form.get_attribute("data-pb-ready") == "true"
    assert block.locator(".pb-lienket__list").count() == 0  # the list only inside <noscript>
    select = form.get_by_role("combobox", name="Chọn trang web")
    options = select.locator("option").evaluate_all("options => options.map(o => o.value)")
    assert options == ["", *(link["url"] for link in AGENCY_LINKS)]

    # The chosen website is answered here rather than fetched from the internet.
    def answer(route: Route) -> None:
        route.fulfill(
            status=200, content_type="text/html", body="<!doctype html><title>ok</title>ok"
        )

    host = urlsplit(CHOSEN_LINK["url"]).netloc
    page.route(f"https://{host}/**", answer)
    select.select_option(label=CHOSEN_LINK["label"])
    form.get_by_role("button", name="Truy cập").click()
    page.wait_for_url(f"{CHOSEN_LINK['url']}/")
    assert page.url == f"{CHOSEN_LINK['url']}/"
    assert page.locator("body").inner_text() == "ok"
    assert_same_origin(requested, live_server, allowed=(f"{CHOSEN_LINK['url']}/",))
