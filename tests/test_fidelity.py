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


@pytest.mark.parametrize("path", [f"/tin-tuc/{REFERENCE_SLUG}", REFERENCE_LEGACY_PATH])
def test_demo_page_reproduces_reference_text_block_by_block(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert visible_block_text(response.get_data(as_text=True)) == reference_segments()


def test_fidelity_check_notices_a_changed_word(app, client):
    from portal_blocks.db import db
    from portal_blocks.models import Article

    article = db.session.query(Article).one()
    article.author = "Hương Diu"
    db.session.commit()
    shown = visible_block_text(client.get(REFERENCE_LEGACY_PATH).get_data(as_text=True))
    assert shown != reference_segments()
