"""Demo content: the reference article, the default news-detail layout and its routes."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal_blocks.block_types import toolbar, viewdata
from portal_blocks.config import DEFAULTS
from portal_blocks.content.articles import upsert_article
from portal_blocks.layout.publishing import publish
from portal_blocks.layout.service import ensure_layout, ensure_route, place_block
from portal_blocks.models import Layout, Placement
from portal_blocks.text.slug import LEGACY_ROUTE

NEWS_DETAIL = "news-detail"
#: An article at its canonical address (the default ``ARTICLE_PATH``) and at its legacy one.
ARTICLE_ROUTES = (DEFAULTS["ARTICLE_PATH"], LEGACY_ROUTE)


def demo_articles() -> list[dict[str, Any]]:
    content = json.loads(files(__package__).joinpath("content.json").read_text("utf-8"))
    articles: list[dict[str, Any]] = content["articles"]
    return articles


def ensure_default_layout(session: Session) -> Layout:
    """The layout of the reference page: the toolbar, then the article, in the main region,
    published so readers see it."""
    layout = ensure_layout(session, NEWS_DETAIL, title="Chi tiết bản tin", regions=["main"])
    has_blocks = session.scalar(select(Placement.id).where(Placement.layout_id == layout.id))
    if has_blocks is None:
        place_block(session, layout, "main", toolbar.NAME, position=0)
        place_block(session, layout, "main", viewdata.NAME, position=1)
    for pattern in ARTICLE_ROUTES:
        ensure_route(session, pattern, layout)
    if layout.published_revision_id is None:
        publish(session, layout, actor="demo")
    return layout


def load_demo(session: Session) -> int:
    """Idempotent: running it twice leaves the same content. Returns the number of articles."""
    ensure_default_layout(session)
    articles = demo_articles()
    for data in articles:
        upsert_article(session, data)
    session.commit()
    return len(articles)
