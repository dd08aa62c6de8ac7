"""The Flask extension: mounts GraphQL, HTML fragments, the print view and the block assets.

A host app keeps what is its own: its config (only ``PORTAL_BLOCKS_*`` keys are defaulted), its
SQLAlchemy instance and database (ours is a separate handle on ``PORTAL_BLOCKS_DATABASE_URL``,
see :class:`portal_blocks.db.PortalSQLAlchemy`), its Flask-Migrate setup, and its error
handlers (ours are registered on our blueprint only). Everything is mounted under
``PORTAL_BLOCKS_URL_PREFIX``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Request, Response, current_app
from flask_cors import CORS
from sqlalchemy.orm import Session

from portal_blocks import health
from portal_blocks.auth.identity import IdentityLoader, token_identity
from portal_blocks.caching.front import Front, ViewerLoader
from portal_blocks.caching.hints import CacheHints
from portal_blocks.caching.page_data import PageDataCache
from portal_blocks.caching.setup import Caches, build_caches
from portal_blocks.caching.tracking import TrackedSource
from portal_blocks.config import DEFAULTS, PREFIX, resolved
from portal_blocks.content.source import ArticleSource, SqlAlchemyArticleSource
from portal_blocks.db import db
from portal_blocks.graphql.context import PortalContext
from portal_blocks.graphql.schema import Limits, schema_for
from portal_blocks.graphql.view import PortalGraphQLView
from portal_blocks.i18n import pick_locale
from portal_blocks.observability import instrument
from portal_blocks.preferences import load_preferences, viewer_id
from portal_blocks.ratelimit import RateLimits
from portal_blocks.render import fragments
from portal_blocks.render.blocks import template_helpers
from portal_blocks.render.urls import STATIC_URL_PATH

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
    identity_loader: IdentityLoader = token_identity
    rate_limits: RateLimits | None = None

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
        if request is None:
            return self.locale
        environ = request.environ
        asks_lang = "lang=" in environ.get("QUERY_STRING", "")
        if not asks_lang and not (accept_language and "HTTP_ACCEPT_LANGUAGE" in environ):
            return self.locale  # the common case, decided without parsing the URL's arguments
        accept = request.accept_languages if accept_language else None
        return pick_locale(request.args.get("lang") if asks_lang else None, accept, self.locale)

    def context(
        self,
        request: Request | None = None,
        response: Response | None = None,
        *,
        locale: str | None = None,
        viewer: dict[str, Any] | None = None,
    ) -> PortalContext:
        session = db.session
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
        )


def stored_preferences(request: Request) -> dict[str, Any]:
    """The viewer's saved display preferences (see ``PortalBlocksState.preferences``)."""
    return current_app.extensions["portal_blocks"].preferences(db.session, viewer_id(request))


class PortalBlocks:
    """``PortalBlocks(app)`` or ``PortalBlocks().init_app(app)``.

    ``source_factory`` lets a host CMS supply articles from its own store: a callable taking
    our SQLAlchemy session and returning an
    :class:`~portal_blocks.content.source.ArticleSource`. The default reads our ``article``
    table.
    ``identity_loader`` lets it say who is asking instead of our bearer tokens (see
    :mod:`portal_blocks.auth.identity`).
    """

    def __init__(
        self,
        app: Flask | None = None,
        *,
        source_factory: SourceFactory | None = None,
        identity_loader: IdentityLoader | None = None,
        viewer_for: ViewerLoader | None = None,
    ) -> None:
        self.source_factory = source_factory or SqlAlchemyArticleSource
        self.identity_loader = identity_loader or token_identity
        self.viewer_for = viewer_for or stored_preferences
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        for key, default in DEFAULTS.items():
            app.config.setdefault(PREFIX + key, default)
        if str(app.config[PREFIX + "ARTICLE_PATH"]).count("<slug>") != 1:
            raise ValueError(
                f"{PREFIX}ARTICLE_PATH must hold <slug> once, e.g. /tin-tuc/<slug>; got "
                f"{app.config[PREFIX + 'ARTICLE_PATH']!r}"
            )
        db.init_app(app)
        app.register_blueprint(self._blueprint(app))
        app.extensions["portal_blocks"] = PortalBlocksState(
            locale=app.config[PREFIX + "LOCALE"],
            timezone=app.config[PREFIX + "TIMEZONE"],
            source_factory=self.source_factory,
            identity_loader=self.identity_loader,
            rate_limits=RateLimits.from_config(app.config),
            caches=build_caches(app, db.session, self.viewer_for),
        )
        from portal_blocks.hostcli import blocks_cli

        app.cli.add_command(blocks_cli)

    @staticmethod
    def fragment(
        path: str,
        *,
        region: str | None = None,
        block_id: str | None = None,
        request: Request | None = None,
    ) -> fragments.Fragment:
        """Render a region or block of the page at ``path`` inside a host's own view.

        Pass the host's ``request`` so the reader's display preferences (their cookie) apply.
        Raises :class:`~portal_blocks.render.fragments.FragmentNotFound`.
        """
        from flask import current_app

        state = current_app.extensions["portal_blocks"]
        ctx = state.context(request, locale=state.locale_for(request, accept_language=False))
        return fragments.render_fragment(ctx, path, region=region, block_id=block_id)

    def _blueprint(self, app: Flask) -> Blueprint:
        prefix = str(app.config[PREFIX + "URL_PREFIX"]).rstrip("/")
        blueprint = Blueprint(
            "portal_blocks",
            __name__,
            url_prefix=prefix or None,
            template_folder="render/templates",
            static_folder="render/static",
            static_url_path=STATIC_URL_PATH,
        )
        limits = Limits(
            max_depth=app.config[PREFIX + "MAX_DEPTH"],
            max_aliases=app.config[PREFIX + "MAX_ALIASES"],
            max_tokens=app.config[PREFIX + "MAX_TOKENS"],
            introspection=resolved(app.config, "INTROSPECTION"),
        )
        blueprint.add_url_rule(
            "/graphql",
            view_func=PortalGraphQLView.as_view(
                "graphql",
                schema=schema_for(limits),
                graphql_ide="graphiql" if resolved(app.config, "GRAPHIQL") else None,
                allow_queries_via_get=True,
            ),
        )
        # The body cap is set per request, so the host app's own MAX_CONTENT_LENGTH stays.
        instrument(blueprint, max_body=app.config[PREFIX + "MAX_BODY_BYTES"])
        health.register(blueprint)
        fragments.register(blueprint)
        # Scoped to our blueprint: the host's own templates see none of our names.
        blueprint.context_processor(template_helpers)
        origins = cors_origins(app.config[PREFIX + "CORS_ORIGINS"])
        if origins:
            # Credentials let an allowed portal's script keep the viewer cookie on
            # setDisplayPreferences; only the listed origins are ever echoed back.
            CORS(
                blueprint,
                origins=origins,
                supports_credentials=True,
                expose_headers=["ETag", "Link", fragments.ASSETS_HEADER],
                max_age=3600,
            )
        return blueprint


def cors_origins(value: str | list[str] | None) -> list[str]:
    """A JSON list, or a comma-separated string as environment variables usually give it."""
    if not value:
        return []
    if isinstance(value, str):
        return [origin.strip() for origin in value.split(",") if origin.strip()]
    return [str(origin) for origin in value]
