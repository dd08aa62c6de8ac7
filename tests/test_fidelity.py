"""The demo page shows the reference article exactly as a reader saw it, block by block."""

import re

import pytest
from bs4 import BeautifulSoup
from conftest import REFERENCE_LEGACY_PATH, REFERENCE_SLUG, SEED

LABEL = re.compile(r"^\s*PublishingPortal - (Block_\w+)\s*$", re.MULTILINE)


def collapse(text: str) -> str:
    return " ".join(text.split())


def reference_segments() -> dict[str, str]:
    """The seed's text under each block label, whitespace runs collapsed."""
    text = SEED.read_text(encoding="utf-8")
    parts = LABEL.split(text)
    return {parts[i]: collapse(parts[i + 1]) for i in range(1, len(parts), 2)}


def visible_block_text(html: str) -> dict[str, str]:
    """Text nodes only (attributes such as aria-label or alt do not count)."""
    soup = BeautifulSoup(html, "html.parser")
    return {
        el["data-block-type"]: collapse(el.get_text(" ")) for el in soup.select("[data-block-type]")
    }


def test_reference_has_both_blocks():
    assert list(reference_segments()) == ["Block_BanTin_Toolbar", "Block_BanTin_ViewData"]


def regions_of(html: str) -> list[tuple[str, list[str]]]:
    """Each region of the page in order, with the block types it shows in order."""
    soup = BeautifulSoup(html, "html.parser")
    return [
        (region["data-region"], [b["data-block-type"] for b in region.select("[data-block-type]")])
        for region in soup.select("[data-region]")
    ]


def main_region_html(html: str) -> str:
    region = BeautifulSoup(html, "html.parser").select_one('[data-region="main"]')
    assert region is not None
    return str(region)


@pytest.mark.parametrize("path", [f"/tin-tuc/{REFERENCE_SLUG}", REFERENCE_LEGACY_PATH])
def test_demo_page_reproduces_reference_text_block_by_block(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert visible_block_text(response.get_data(as_text=True)) == reference_segments()


@pytest.mark.parametrize("path", [f"/tin-tuc/{REFERENCE_SLUG}", REFERENCE_LEGACY_PATH])
def test_the_demo_portal_keeps_the_reference_blocks_and_adds_tin_khac_in_its_own_region(
    portal, path
):
    html = portal.test_client().get(path).get_data(as_text=True)
    # The reference page's blocks, word for word, in their region ...
    assert visible_block_text(main_region_html(html)) == reference_segments()
    # ... and "Tin khác" after them, in a region of its own, listing other news.
    assert regions_of(html) == [
        ("main", ["Block_BanTin_Toolbar", "Block_BanTin_ViewData"]),
        ("related", ["Block_BanTin_TinKhac"]),
    ]
    related = visible_block_text(html)["Block_BanTin_TinKhac"]
    assert related.startswith("Tin khác ") and "Thu ngân sách nhà nước" in related


def test_fidelity_check_notices_a_changed_word(app, client):
    from portal_blocks.db import db
    from portal_blocks.models import Article

    article = db.session.query(Article).filter_by(slug=REFERENCE_SLUG).one()
    article.author = "Hương Diu"
    db.session.commit()
    shown = visible_block_text(client.get(REFERENCE_LEGACY_PATH).get_data(as_text=True))
    assert shown != reference_segments()
