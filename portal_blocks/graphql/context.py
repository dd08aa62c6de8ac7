"""What every resolver gets: the request, the DB session and the article source."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import strawberry
from flask import Request, Response
from sqlalchemy.orm import Session

from portal_blocks.assembly.page import PageRequest
from portal_blocks.auth.tokens import Identity
from portal_blocks.blocks.registry import BlockRegistry, registry
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
    #: The app's rate limits (None: not limited, e.g. a context built outside a request).
    rate_limits: RateLimits | None = None
    #: The host the request came to, for routes bound to a host (see ``PageRequest.host``).
    host: str | None = None
    #: The block types the app serves (its schema's); by default every registered one.
    block_types: BlockRegistry = registry

    def page_request(self) -> PageRequest:
        """What page assembly needs of this request."""
        return PageRequest(
            session=self.session,
            source=self.source,
            locale=self.locale,
            timezone=self.timezone,
            viewer=self.viewer,
            pages=self.pages,
            block_types=self.block_types,
            host=self.host,
        )


Info = strawberry.Info[PortalContext, None]
