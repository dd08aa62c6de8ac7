"""The reader's toolbar in a real browser: text size up, kept, clamped; the print view."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

SLUG = "gia-tri-san-xuat-cong-nghiep-thang-102021-tang-47-f2d9"
TITLE = "Giá trị sản xuất công nghiệp tháng 10/2021 tăng 4,7%"
INCREASE = "Tăng cỡ chữ"
DECREASE = "Giảm cỡ chữ"
PRINT = "In bài viết"


def body_font_px(page) -> float:
    return page.locator(".pb-viewdata").evaluate(
        "element => parseFloat(getComputedStyle(element).fontSize)"
    )


def bounds(page) -> dict[str, int]:
    toolbar = page.locator(".pb-toolbar")
    return {
        name: int(toolbar.get_attribute(f"data-font-size-{name}"))
        for name in ("min", "max", "step")
    }


def press_and_save(page, name: str) -> None:
    """Press a text-size button and wait until the server has the choice."""
    with page.expect_response(
        lambda r: r.url.endswith("/graphql") and r.request.method == "POST"
    ) as saved:
        page.get_by_role("button", name=name).click()
    assert saved.value.ok
    assert '"errors": []' in saved.value.text() or '"errors":[]' in saved.value.text()


def test_demo_article_screenshot(page, live_server, output_dir):
    page.goto(f"{live_server}/tin-tuc/{SLUG}")
    assert page.get_by_role("heading", level=1).inner_text() == TITLE
    assert page.locator(".pb-viewdata__body p").count() == 3
    assert page.locator(".pb-viewdata__figure img").evaluate("img => img.naturalWidth") > 0
    path = output_dir / "demo-article.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000


def test_text_size_grows_is_kept_and_clamps(page, live_server):
    url = f"{live_server}/tin-tuc/{SLUG}"
    page.goto(url)
    limits = bounds(page)
    base = body_font_px(page)

    press_and_save(page, INCREASE)
    press_and_save(page, INCREASE)
    grown = body_font_px(page)
    assert grown == pytest.approx(base * (100 + 2 * limits["step"]) / 100, abs=0.05)
    assert page.locator(".pb-toolbar").get_attribute("data-font-size") == str(
        100 + 2 * limits["step"]
    )
    assert page.get_by_role("status").inner_text() == f"Cỡ chữ: {100 + 2 * limits['step']}%"

    # Kept across a reload, and rendered by the server (no flash of the default size).
    response = page.reload()
    assert f'style="font-size: {100 + 2 * limits["step"]}%"' in response.text()
    assert body_font_px(page) == pytest.approx(grown, abs=0.05)

    # Down past the minimum, from the keyboard: the size stops at the bound.
    decrease = page.get_by_role("button", name=DECREASE)
    presses = (100 + 2 * limits["step"] - limits["min"]) // limits["step"]
    for _ in range(presses):
        decrease.focus()
        page.keyboard.press("Enter")
    assert decrease.is_disabled()
    decrease.click(force=True)
    page.keyboard.press("Enter")
    smallest = body_font_px(page)
    assert smallest == pytest.approx(base * limits["min"] / 100, abs=0.05)
    assert page.get_by_role("button", name=INCREASE).is_enabled()

    page.wait_for_selector(f'.pb-toolbar[data-pb-saved="{limits["min"]}"]')
    page.reload()
    assert body_font_px(page) == pytest.approx(smallest, abs=0.05)
    assert page.get_by_role("button", name=DECREASE).is_disabled()


def test_text_size_clamps_at_the_maximum(page, live_server):
    page.goto(f"{live_server}/tin-tuc/{SLUG}")
    limits = bounds(page)
    base = body_font_px(page)
    increase = page.get_by_role("button", name=INCREASE)
    for _ in range((limits["max"] - 100) // limits["step"]):
        increase.click()
    assert increase.is_disabled()
    increase.click(force=True)
    assert body_font_px(page) == pytest.approx(base * limits["max"] / 100, abs=0.05)


def test_print_view(page, live_server, output_dir):
    page.goto(f"{live_server}/tin-tuc/{SLUG}")
    page.get_by_role("link", name=PRINT).click()
    page.wait_for_url(re.compile(r"/print\?path="))
    assert page.get_by_role("heading", level=1).inner_text() == TITLE
    assert page.locator(".pb-viewdata__body p").count() == 3
    assert page.locator(".pb-site-header").count() == 0
    assert not page.locator(".pb-toolbar__actions").is_visible()
    assert page.get_by_role("button", name="In trang này").is_visible()
    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="In trang này").is_visible()
    source = page.locator(".pb-print__source")
    assert source.is_visible()
    # Relative without PORTAL_BLOCKS_PUBLIC_URL: never built from the request's Host header.
    assert source.inner_text().endswith(f": /tin-tuc/{SLUG}")
    page.screenshot(path=str(output_dir / "print-view.png"), full_page=True)
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


def test_article_page_prints_without_controls(page, live_server):
    page.goto(f"{live_server}/tin-tuc/{SLUG}")
    page.emulate_media(media="print")
    assert not page.locator(".pb-toolbar__actions").is_visible()
    assert not page.locator(".pb-site-header").is_visible()
    assert page.locator(".pb-viewdata__body").is_visible()
