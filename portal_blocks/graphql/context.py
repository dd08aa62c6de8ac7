"""What every resolver gets: the request, the DB session and the article source."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import strawberry
from flask import Request, Response
from sqlalchemy.orm import Session

from portal_blocks.assembly.page import PageRequest
from portal_blocks.assembly.shared_views import SharedViews
from portal_blocks.auth.tokens import Identity
from portal_blocks.blocks.registry import BlockRegistry, registry
from portal_blocks.blocks.view import PageFacts, RelatedNews
from portal_blocks.caching.hints import CacheHints
from portal_blocks.caching.page_data import PageDataCache
from portal_blocks.content.source import ArticleSource
from portal_blocks.ratelimit import RateLimits


@dataclass
class PortalContext:
    request: Request | None
    response: Response | None
    session: Session
    source: ArticleSource
    locale: str
    timezone: str
    viewer: dict[str, Any] = field(default_factory=dict)
    viewer_id: str | None = None
    #: Who is asking; None for an anonymous reader.
    identity: Identity | None = None
    cache: CacheHints = field(default_factory=CacheHints)
    #: Readers' route, layout and article by path, shared by requests (None: always SQL).
    pages: PageDataCache | None = None
    #: Readers' page views built from those, shared by requests (None: built every time).
    views: SharedViews | None = None
    #: The app's rate limits (None: not limited, e.g. a context built outside a request).
    rate_limits: RateLimits | None = None
    #: The host the request came to, for routes bound to a host (see ``PageRequest.host``).
    host: str | None = None
    #: The block types the app serves (its schema's); by default every registered one.
    block_types: BlockRegistry = registry
    #: This request's related news by the page they are of (see :meth:`related_news`).
    _related: dict[int, tuple[PageFacts, RelatedNews]] = field(default_factory=dict, repr=False)

    def related_news(self, page: PageFacts) -> RelatedNews:
        """The related news of a page for this request: the page's own while the request
        that assembled it holds them, else fetched through this request's source, once for
        every block of the page (a page view shared by requests holds no request's source)."""
        if not page.related.released:
            return page.related
        found = self._related.get(id(page))  # each entry holds its page: its id stays its own
        if found is None:
            found = self._related[id(page)] = (page, RelatedNews(page.article, self.source))
        return found[1]

    def page_request(self) -> PageRequest:
        """What page assembly needs of this request."""
        return PageRequest(
            session=self.session,
            source=self.source,
            locale=self.locale,
            timezone=self.timezone,
            viewer=self.viewer,
            pages=self.pages,
            views=self.views,
            block_types=self.block_types,
            host=self.host,
        )


Info = strawberry.Info[PortalContext, None]
