"""The Flask extension: mounts GraphQL, HTML fragments, the print view and the block assets.

A host app keeps what is its own: its config (only ``PORTAL_BLOCKS_*`` keys are defaulted), its
SQLAlchemy instance and database (ours is a separate handle on ``PORTAL_BLOCKS_DATABASE_URL``,
see :class:`portal_blocks.db.PortalSQLAlchemy`), its Flask-Migrate setup, and its error
handlers (ours are registered on our blueprint only). Everything is mounted under
``PORTAL_BLOCKS_URL_PREFIX``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, Request, Response
from flask_cors import CORS
from werkzeug.middleware.proxy_fix import ProxyFix

from portal_blocks.auth.identity import IdentityLoader, TokenIdentity
from portal_blocks.auth.tokens import Identity
from portal_blocks.block_types.loading import load_block_types, serve
from portal_blocks.caching.front import ViewerLoader
from portal_blocks.caching.setup import build_caches, tier_for
from portal_blocks.caching.warm_hits import WarmHits
from portal_blocks.config import DEFAULTS, PREFIX, check_settings, resolved
from portal_blocks.content.remote.setup import remote_source
from portal_blocks.content.source import SqlAlchemyArticleSource
from portal_blocks.db import db
from portal_blocks.graphql.schema import Limits
from portal_blocks.hostcli import blocks_cli
from portal_blocks.i18n import LOCALES, request_locale
from portal_blocks.observability import instrument
from portal_blocks.preferences import viewer_id
from portal_blocks.ratelimit import RateLimits
from portal_blocks.render import fragments
from portal_blocks.render.blocks import template_helpers
from portal_blocks.render.templates import block_template_loader
from portal_blocks.render.urls import STATIC_URL_PATH
from portal_blocks.state import EXTENSION_KEY, PortalBlocksState, SourceFactory, get_state
from portal_blocks.web import editor as editor_views
from portal_blocks.web import fragments as fragment_views
from portal_blocks.web import health, hooks
from portal_blocks.web.editor_session import EditorCookies, secret_for
from portal_blocks.web.graphql_view import PortalGraphQLView

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

log = logging.getLogger(__name__)


def stored_preferences(request: Request) -> dict[str, Any]:
    """The viewer's saved display preferences (see ``PortalBlocksState.preferences``)."""
    return get_state().preferences(db.session_proxy, viewer_id(request))


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
        #: None: our bearer tokens (built per app, on its rate limits).
        self.identity_loader = identity_loader
        self.viewer_for = viewer_for or stored_preferences
        #: The workspace's session cookies (standalone: no host identity loader).
        self.editor_cookies: EditorCookies | None = None
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> PortalBlocks:
        """Set up ``app``: config defaults, our database handle, the block types, the schema,
        the caches and the blueprint; returns this extension."""
        config = app.config
        for key, default in DEFAULTS.items():
            config.setdefault(PREFIX + key, default)
        check_settings(config, locales=LOCALES)  # a SettingsError naming every bad setting
        # The built-in types and the installed packages' (PORTAL_BLOCKS_BLOCK_TYPES), all
        # checked before any is registered: a BlockTypeError names each broken entry point.
        block_types = load_block_types(config[PREFIX + "BLOCK_TYPES"])
        schema = serve(_limits(config), block_types)
        db.init_app(app)
        if self.source_factory is SqlAlchemyArticleSource:
            # PORTAL_BLOCKS_SOURCE names a CMS's GraphQL API: one source for the process.
            remote = remote_source(config)
            if remote is not None:
                self.source_factory = lambda _session: remote
        locale = str(config[PREFIX + "LOCALE"])
        rate_limits = RateLimits.from_config(config)
        # Standalone, editors sign in to the workspace; a host's identity loader replaces both.
        self.editor_cookies = (
            EditorCookies(secret_for(app), path=_prefix(app) + "/")
            if self.identity_loader is None
            else None
        )
        state = PortalBlocksState(
            locale=locale,
            timezone=str(config[PREFIX + "TIMEZONE"]),
            source_factory=self.source_factory,
            identity_loader=self.identity_loader
            or TokenIdentity(rate_limits, sessions=self._cookie_identity),
            rate_limits=rate_limits,
            schema=schema,
            cache_max_age=int(config[PREFIX + "CACHE_MAX_AGE"]),
            caches=build_caches(
                config,
                tier_for(config, app.instance_path, db.session),
                locale_for=lambda request: request_locale(request, locale),
                viewer_for=self.viewer_for,
                document_problem=schema.document_problem,
            ),
        )
        app.extensions[EXTENSION_KEY] = state
        if config[PREFIX + "WARM_HITS"]:
            in_front_of_flask(
                app,
                lambda flask_wsgi: WarmHits(
                    flask_wsgi,
                    app,
                    front=state.front,
                    html=state.caches.html,
                    default_locale=locale,
                    graphql=self.viewer_for is stored_preferences,
                    cors=bool(cors_origins(config[PREFIX + "CORS_ORIGINS"])),
                ),
            )
        trust_proxies(app, config[PREFIX + "TRUSTED_PROXIES"])
        app.register_blueprint(self._blueprint(app, state))
        app.cli.add_command(blocks_cli)
        return self

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
        page_request, _hints = get_state().page_request(request, accept_language=False)
        return fragments.render_fragment(page_request, path, region=region, block_id=block_id)

    def _cookie_identity(self, request: Request) -> Identity | None:
        cookies = self.editor_cookies
        return cookies.identity(request) if cookies is not None else None

    def _blueprint(self, app: Flask, state: PortalBlocksState) -> Blueprint:
        prefix = _prefix(app)
        blueprint = Blueprint(
            "portal_blocks",
            __name__,
            url_prefix=prefix or None,
            static_folder="render/static",
            static_url_path=STATIC_URL_PATH,
        )
        # Ours, then the templates/ folder of each package whose block types the app serves.
        blueprint.jinja_loader = block_template_loader(state.schema.block_types)
        blueprint.add_url_rule(
            "/graphql",
            view_func=PortalGraphQLView.as_view(
                "graphql",
                schema=state.schema,
                graphql_ide="graphiql" if resolved(app.config, "GRAPHIQL") else None,
                allow_queries_via_get=True,
            ),
        )
        # The body cap is set per request, so the host app's own MAX_CONTENT_LENGTH stays.
        instrument(blueprint, max_body=app.config[PREFIX + "MAX_BODY_BYTES"])
        health.register(blueprint)
        fragment_views.register(blueprint)
        editor_views.register(blueprint, self.editor_cookies)
        hooks.register(blueprint)
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
                expose_headers=["ETag", "Link", fragment_views.ASSETS_HEADER],
                max_age=3600,
            )
            # flask-cors names Origin in Vary only for several origins; with one, an answer
            # without the CORS headers could still be kept by a shared cache and given to
            # that origin's scripts.
            blueprint.after_request(_vary_by_origin)
        return blueprint


def _prefix(app: Flask) -> str:
    return str(app.config[PREFIX + "URL_PREFIX"]).rstrip("/")


def in_front_of_flask(app: Flask, layer: Callable[[WSGIApplication], WSGIApplication]) -> None:
    """Put ``layer`` directly around Flask's own ``wsgi_app``: inside the ProxyFix a host (or
    ``trust_proxies``) wraps it in, so hits are keyed by the forwarded host and address. A host
    app already wrapped in other middleware keeps it as it is, and Flask answers every request
    (that middleware must see them all, and may change what a request asks for)."""
    holder: object = app
    wrapped: Any = app.wsgi_app
    while isinstance(wrapped, ProxyFix):
        holder, wrapped = wrapped, wrapped.app
    if getattr(wrapped, "__func__", None) is not Flask.wsgi_app:
        log.info("%sWARM_HITS: the app is wrapped in its own middleware; left as it is", PREFIX)
        return
    setattr(holder, "app" if isinstance(holder, ProxyFix) else "wsgi_app", layer(wrapped))


def trust_proxies(app: Flask, value: object) -> None:
    """With ``PORTAL_BLOCKS_TRUSTED_PROXIES`` = n > 0, the app's WSGI is wrapped in werkzeug's
    ``ProxyFix(x_for=n, x_proto=n, x_host=n)``: the client address (what rate limits count
    by), scheme and host are the ones the n proxies in front forwarded. Otherwise every client
    behind a proxy would share the proxy's address: one guessing tokens would fill the
    failure count of all, and all readers would share one anonymous mutation budget.

    The wrapping is of the whole app, the host's views included, as only the WSGI layer can
    say who connected; so with 0 (the default) nothing is wrapped and a host keeps its own
    arrangement. A host whose app is already wrapped in ProxyFix is left as it is: it knows
    its proxies, and a second wrapping with another count would override the host's.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(
            f"{PREFIX}TRUSTED_PROXIES must be the number of proxies in front (0 for none); "
            f"got {value!r}"
        )
    if value == 0:
        return
    if isinstance(app.wsgi_app, ProxyFix):
        log.warning(
            "%sTRUSTED_PROXIES is set but the app is already wrapped in ProxyFix; kept as is",
            PREFIX,
        )
        return
    app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
        app.wsgi_app, x_for=value, x_proto=value, x_host=value
    )


def _vary_by_origin(response: Response) -> Response:
    response.vary.add("Origin")
    return response


def cors_origins(value: str | list[str] | None) -> list[str]:
    """A JSON list, or a comma-separated string as environment variables usually give it."""
    if not value:
        return []
    if isinstance(value, str):
        return [origin.strip() for origin in value.split(",") if origin.strip()]
    return [str(origin) for origin in value]


def _limits(config: Mapping[str, Any]) -> Limits:
    return Limits(
        max_depth=config[PREFIX + "MAX_DEPTH"],
        max_aliases=config[PREFIX + "MAX_ALIASES"],
        max_tokens=config[PREFIX + "MAX_TOKENS"],
        max_cost=config[PREFIX + "MAX_COST"],
        introspection=resolved(config, "INTROSPECTION"),
    )
