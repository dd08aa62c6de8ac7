"""Plain view data: what a block shows, as page assembly builds it and templates render it.

No strawberry and no Flask request here. A block type's ``build`` turns a placement, its
validated settings and the page's shared facts into a frozen view; GraphQL types wrap those
views, templates render them, and neither fetches anything: what a block shows is fetched while
the page is assembled, within the page's constant statement budget.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from portal_blocks.content.queries import EMPTY, ArticleList, ArticleQuery, Category
from portal_blocks.content.records import ArticleRecord
from portal_blocks.content.source import ArticleSource
from portal_blocks.layout.snapshots import LayoutSnapshot, PlacedBlock

#: The most related articles a page fetches, and so the most a block shows or a client asks for.
RELATED_MAX = 20


class BlockCannotShow(Exception):
    """A placement that cannot be shown on this page (e.g. an article block on a page that
    binds no article): page assembly leaves it out and logs why, the page still shows."""


@dataclass(frozen=True, slots=True)
class TextSizeBounds:
    """The text sizes (percent) a reader may choose on a page, and where they start."""

    min: int
    max: int
    default: int

    def clamp(self, requested: int | None) -> int:
        if requested is None:
            return self.default
        return max(self.min, min(self.max, requested))


class RelatedNewsReleased(RuntimeError):
    """Related news asked of a page view shared by requests, whose source it no longer holds:
    a resolver asks its request's own (``PortalContext.related_news``)."""


@dataclass(slots=True)
class RelatedNews:
    """The page article's other news, fetched at most once per page by whichever block asks
    first (one statement for every block of the page), through the source of the request
    assembling the page."""

    article: ArticleRecord | None
    source: ArticleSource | None
    _records: list[ArticleRecord] | None = field(default=None, repr=False)
    released: bool = field(default=False, repr=False)

    @property
    def fetched(self) -> bool:
        return self._records is not None

    def records(self) -> list[ArticleRecord]:
        if self._records is None:
            if self.released:
                raise RelatedNewsReleased(
                    "the related news of a shared page view are read through the request"
                )
            article, source = self.article, self.source
            fetched = source.related(article, limit=RELATED_MAX) if article and source else []
            self._records = fetched
        return self._records

    def release(self) -> None:
        """Let go of the assembling request's source, before the page's view is shared with
        other requests (``assembly.shared_views``): a view kept for later must hold nothing
        of the request that built it (its session, what its source recorded)."""
        self.source = None
        self.released = True


@dataclass(frozen=True, slots=True)
class PageFacts:
    """What every block of one page is built against, worked out once by page assembly."""

    path: str
    layout: LayoutSnapshot
    article: ArticleRecord | None
    locale: str
    timezone: str
    #: The reader's text size within the bounds the page sets (its toolbar's); None when the
    #: reader chose none or nothing on the page bounds it: then the theme's size applies.
    text_size: int | None
    #: The requested size before the page's bounds apply (a toolbar shows where it stands).
    requested_text_size: int | None
    related: RelatedNews
    preview: bool = False
    # Page parameters (JSR-286's public render parameters): what the page's address says,
    # shared by every block of the page.
    #: The category a category page shows (``/chuyen-muc/<category>``); None elsewhere.
    category: Category | None = None
    #: Where a paged list goes on from: the ``after`` of the page's address (a cursor an
    #: earlier page's "next" link gave); None: the first page.
    after: str | None = None
    #: The answers to the lists the page's blocks asked for (:attr:`BlockType.queries`),
    #: fetched in one call before any block is built.
    lists: Mapping[ArticleQuery, ArticleList] = field(default_factory=dict)

    def articles(self, query: ArticleQuery) -> ArticleList:
        """The answer to a list the block asked for while the page was assembled."""
        return self.lists.get(query, EMPTY)


@dataclass(frozen=True, slots=True, kw_only=True)
class BlockView:
    """What every block shows, whatever its type; each type's view adds its own fields."""

    id: int
    block_type: str
    region: str
    position: int
    #: Validated settings as Python values (shared between requests: never changed).
    settings: Mapping[str, Any]
    #: The stored settings' canonical JSON, the key typed forms of them are remembered by.
    settings_key: str
    page: PageFacts


def view_fields(
    placement: PlacedBlock, page: PageFacts, settings: Mapping[str, Any]
) -> dict[str, Any]:
    """The :class:`BlockView` fields every block type's view takes from its placement."""
    return {
        "id": placement.id,
        "block_type": placement.block_type,
        "region": placement.region,
        "position": placement.position,
        "settings": settings,
        "settings_key": placement.settings_key,
        "page": page,
    }
