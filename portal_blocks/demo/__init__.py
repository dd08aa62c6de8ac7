"""Demo content: a small portal around the reference article.

Three layouts, each published so readers see it:
- ``news-detail``: the reference page's toolbar and article in ``main`` (:data:`REFERENCE_LAYOUT`,
  which :func:`load_reference` loads alone), and "Tin khác" in a region of its own
  (``related``) after them, at the article's canonical and legacy addresses;
- ``home`` at ``/``: featured news, the news listing (paged) and two category listings, and
  links to other agencies' portals in a sidebar;
- ``category`` at ``/chuyen-muc/<category>``: the category's listing, paged by "Trang sau",
  with featured news and links beside it.

Loading is idempotent and only adds: a layout an editor changed keeps its blocks; a block of
the demo it lacks (by region and type) is added and the layout published again.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal_blocks.block_types import danhsach, lienket, noibat, tinkhac, toolbar, viewdata
from portal_blocks.config import DEFAULTS
from portal_blocks.content.articles import upsert_article
from portal_blocks.layout.publishing import publish
from portal_blocks.layout.service import ensure_layout, ensure_route, place_block
from portal_blocks.models import Layout, Placement
from portal_blocks.text.slug import LEGACY_ROUTE

NEWS_DETAIL = "news-detail"
HOME = "home"
CATEGORY = "category"
#: An article at its canonical address (the default ``ARTICLE_PATH``) and at its legacy one.
ARTICLE_ROUTES = (DEFAULTS["ARTICLE_PATH"], LEGACY_ROUTE)

#: Other agencies' portals, as a provincial portal links them (Decree 42/2022/NĐ-CP art. 7).
AGENCY_LINKS = [
    {"label": "Cổng Thông tin điện tử Chính phủ", "url": "https://chinhphu.vn"},
    {"label": "Cổng Dịch vụ công quốc gia", "url": "https://dichvucong.gov.vn"},
    {"label": "Bộ Kế hoạch và Đầu tư", "url": "https://www.mpi.gov.vn"},
    {"label": "Bộ Thông tin và Truyền thông", "url": "https://mic.gov.vn"},
]


@dataclass(frozen=True)
class DemoBlock:
    region: str
    block_type: str
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoLayout:
    name: str
    title: str
    regions: tuple[str, ...]
    blocks: tuple[DemoBlock, ...]
    routes: tuple[str, ...]


#: The reference page alone: the toolbar and the article, as the reader saw them.
REFERENCE_LAYOUT = DemoLayout(
    NEWS_DETAIL,
    "Chi tiết bản tin",
    ("main",),
    (DemoBlock("main", toolbar.NAME), DemoBlock("main", viewdata.NAME)),
    ARTICLE_ROUTES,
)
#: The article page of the portal: the reference page's blocks, and "Tin khác" in a region of
#: its own after them (they stay as they are).
ARTICLE_LAYOUT = DemoLayout(
    NEWS_DETAIL,
    REFERENCE_LAYOUT.title,
    (*REFERENCE_LAYOUT.regions, "related"),
    (*REFERENCE_LAYOUT.blocks, DemoBlock("related", tinkhac.NAME, {"count": 5})),
    ARTICLE_ROUTES,
)
#: The portal around it.
PORTAL_LAYOUTS = (
    ARTICLE_LAYOUT,
    DemoLayout(
        HOME,
        "Trang chủ",
        ("featured", "listing", "sidebar"),
        (
            DemoBlock("featured", noibat.NAME, {"count": 4}),
            DemoBlock("listing", danhsach.NAME, {"count": 5}),
            DemoBlock(
                "listing", danhsach.NAME, {"category": "kinh-te", "count": 3, "paged": False}
            ),
            DemoBlock(
                "listing",
                danhsach.NAME,
                {"category": "van-hoa-xa-hoi", "count": 3, "paged": False},
            ),
            DemoBlock("sidebar", lienket.NAME, {"links": AGENCY_LINKS}),
        ),
        ("/",),
    ),
    DemoLayout(
        CATEGORY,
        "Chuyên mục",
        ("listing", "sidebar"),
        (
            DemoBlock("listing", danhsach.NAME, {"count": 5, "showLead": True}),
            DemoBlock("sidebar", noibat.NAME, {"count": 3, "showImage": False, "showLead": False}),
            DemoBlock("sidebar", lienket.NAME, {"links": AGENCY_LINKS, "display": "select"}),
        ),
        (DEFAULTS["CATEGORY_PATH"],),
    ),
)


def demo_articles() -> list[dict[str, Any]]:
    content = json.loads(files(__package__).joinpath("content.json").read_text("utf-8"))
    articles: list[dict[str, Any]] = content["articles"]
    return articles


def ensure_demo_layout(session: Session, spec: DemoLayout) -> Layout:
    """The layout as the demo has it, adding what it lacks; published when anything was added
    or it never was."""
    layout = ensure_layout(session, spec.name, title=spec.title, regions=list(spec.regions))
    missing_regions = [r for r in spec.regions if r not in layout.regions]
    if missing_regions:
        layout.regions = [*layout.regions, *missing_regions]
        session.flush()
    rows = session.scalars(select(Placement).where(Placement.layout_id == layout.id)).all()
    # The n-th block of a type in a region is there when the region holds n of that type.
    held = Counter((p.region, p.block_type) for p in rows)
    in_region = Counter(p.region for p in rows)
    wanted: Counter[tuple[str, str]] = Counter()
    added = False
    for block in spec.blocks:
        key = (block.region, block.block_type)
        wanted[key] += 1
        if wanted[key] <= held[key]:
            continue
        place_block(
            session,
            layout,
            block.region,
            block.block_type,
            block.settings,
            position=in_region[block.region],
        )
        held[key] += 1
        in_region[block.region] += 1
        added = True
    for pattern in spec.routes:
        ensure_route(session, pattern, layout)
    if added or layout.published_revision_id is None:
        publish(session, layout, actor="demo")
    return layout


def ensure_default_layout(session: Session) -> Layout:
    """The layout of the reference page: the toolbar, then the article, in ``main``."""
    return ensure_demo_layout(session, REFERENCE_LAYOUT)


def load_reference(session: Session) -> int:
    """The reference article and its page alone (what most tests are about: one page whose
    every word is known). Idempotent. Returns the number of articles (1)."""
    upsert_article(session, demo_articles()[0])
    ensure_default_layout(session)
    session.commit()
    return 1


def load_demo(session: Session) -> int:
    """The whole demo portal; idempotent: running it twice leaves the same content. Returns
    the number of articles.

    Articles come first: the layouts' settings name categories, which are checked to exist."""
    articles = demo_articles()
    for data in articles:
        upsert_article(session, data)
    ensure_default_layout(session)
    for spec in PORTAL_LAYOUTS:
        ensure_demo_layout(session, spec)
    session.commit()
    return len(articles)
