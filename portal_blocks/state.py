"""The extension's per-app state, behind one typed accessor (:func:`get_state`).

It holds nothing per request, so any process can serve any request. Views, the GraphQL view,
the CLI and the caching front all reach it through :func:`get_state`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Request, Response, current_app
from sqlalchemy.orm import Session

from portal_blocks.assembly.page import PageRequest
from portal_blocks.auth.identity import IdentityLoader
from portal_blocks.caching.front import Front
from portal_blocks.caching.hints import CacheHints
from portal_blocks.caching.html import HtmlLookup
from portal_blocks.caching.page_data import PageDataCache
from portal_blocks.caching.setup import Caches
from portal_blocks.caching.tracking import TrackedSource
from portal_blocks.content.source import ArticleSource
from portal_blocks.db import db
from portal_blocks.graphql.context import PortalContext
from portal_blocks.graphql.schema import PortalSchema
from portal_blocks.i18n import request_locale
from portal_blocks.layout.routing import host_of_environ
from portal_blocks.preferences import load_preferences, viewer_id
from portal_blocks.ratelimit import RateLimits

EXTENSION_KEY = "portal_blocks"

#: Builds the article source for one request from our session (see ``ArticleSource``).
SourceFactory = Callable[[Session], ArticleSource]


@dataclass
class PortalBlocksState:
    """Per-app state; holds nothing per request, so any process can serve any request."""

    locale: str
    timezone: str
    source_factory: SourceFactory
    #: The response cache, its persisted-query front and the page-data cache.
    caches: Caches
    identity_loader: IdentityLoader
    rate_limits: RateLimits
    schema: PortalSchema
    #: ``PORTAL_BLOCKS_CACHE_MAX_AGE``: the longest any response may be kept.
    cache_max_age: int

    @property
    def front(self) -> Front:
        return self.caches.front

    @property
    def pages(self) -> PageDataCache | None:
        return self.caches.pages

    def preferences(self, session: Session, viewer: str | None) -> dict[str, Any]:
        """A viewer's saved display preferences: no SQL without a cookie, nor once cached."""
        cache = self.caches.preferences
        return (
            cache.load(session, viewer) if cache is not None else load_preferences(session, viewer)
        )

    def locale_for(self, request: Request | None, *, accept_language: bool = True) -> str:
        """``lang`` argument, then (for API and fragment clients) ``Accept-Language``."""
        return request_locale(request, self.locale, accept_language=accept_language)

    def page_request(
        self, request: Request | None, *, accept_language: bool = True
    ) -> tuple[PageRequest, CacheHints]:
        """What page assembly needs of a request outside GraphQL (fragments, theme pages),
        with the hints its article source records reads in."""
        hints = CacheHints()
        session = db.session_proxy
        page_request = PageRequest(
            session=session,
            source=TrackedSource(self.source_factory(session), hints),
            locale=self.locale_for(request, accept_language=accept_language),
            timezone=self.timezone,
            viewer=self.preferences(session, viewer_id(request)),
            pages=self.pages,
            views=self.caches.views,
            block_types=self.schema.block_types,
            host=host_of_environ(request.environ) if request is not None else None,
        )
        return page_request, hints

    def kept_html(self, request: Request, page_request: PageRequest) -> HtmlLookup:
        """What the HTML cache holds for a theme page or fragment request, by what it is
        rendered for (language, display preferences, host)."""
        if self.caches.html is None:
            return HtmlLookup(None, None, None, None)
        return self.caches.html.lookup(
            request, page_request.locale, page_request.viewer, page_request.host
        )

    def context(
        self,
        request: Request | None = None,
        response: Response | None = None,
        *,
        locale: str | None = None,
        viewer: dict[str, Any] | None = None,
        host: str | None = None,
    ) -> PortalContext:
        """The GraphQL context of a request (or of none: the CLI, tests). What the caller
        already read of the request (its language, the reader's preferences, its host) it
        passes in; the rest is read here."""
        session = db.session_proxy
        hints = CacheHints()
        viewer_key = viewer_id(request)
        return PortalContext(
            request=request,
            response=response,
            session=session,
            source=TrackedSource(self.source_factory(session), hints),
            locale=locale or self.locale_for(request),
            timezone=self.timezone,
            viewer=viewer if viewer is not None else self.preferences(session, viewer_key),
            viewer_id=viewer_key,
            identity=self.identity_loader(request) if request is not None else None,
            cache=hints,
            pages=self.pages,
            views=self.caches.views,
            rate_limits=self.rate_limits,
            block_types=self.schema.block_types,
            host=host if host is not None or request is None else host_of_environ(request.environ),
        )


def get_state(app: Flask | None = None) -> PortalBlocksState:
    """The state of ``app`` (default: the current app) set up by ``PortalBlocks``."""
    state = (app or current_app).extensions.get(EXTENSION_KEY)
    if not isinstance(state, PortalBlocksState):
        raise RuntimeError("portal-blocks is not set up on this app: call PortalBlocks(app).")
    return state
