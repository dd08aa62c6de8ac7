"""The Flask extension: mounts the GraphQL endpoint and the block assets into a Flask app."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Request, Response, request
from flask_migrate import Migrate
from sqlalchemy.orm import Session

from portal_blocks import health
from portal_blocks.config import DEFAULTS, PREFIX, resolved
from portal_blocks.content.source import ArticleSource, SqlAlchemyArticleSource
from portal_blocks.db import db
from portal_blocks.graphql.context import PortalContext
from portal_blocks.graphql.schema import Limits, schema_for
from portal_blocks.graphql.view import PortalGraphQLView
from portal_blocks.observability import instrument

PACKAGE_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"

SourceFactory = Callable[[Session], ArticleSource]


@dataclass
class PortalBlocksState:
    """Per-app state; holds nothing per request, so any process can serve any request."""

    locale: str
    timezone: str
    source_factory: SourceFactory

    def context(
        self, request: Request | None = None, response: Response | None = None
    ) -> PortalContext:
        session = db.session
        return PortalContext(
            request=request,
            response=response,
            session=session,
            source=self.source_factory(session),
            locale=self.locale,
            timezone=self.timezone,
        )


class PortalBlocks:
    """``PortalBlocks(app)`` or ``PortalBlocks().init_app(app)``.

    ``source_factory`` lets a host CMS supply articles from its own store (see
    :class:`portal_blocks.content.source.ArticleSource`).
    """

    def __init__(
        self, app: Flask | None = None, *, source_factory: SourceFactory | None = None
    ) -> None:
        self.source_factory = source_factory or SqlAlchemyArticleSource
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        for key, default in DEFAULTS.items():
            app.config.setdefault(PREFIX + key, default)
        app.config.setdefault("SQLALCHEMY_DATABASE_URI", app.config[PREFIX + "DATABASE_URL"])
        app.config.setdefault(
            "SQLALCHEMY_ENGINE_OPTIONS",
            _engine_options(app.config["SQLALCHEMY_DATABASE_URI"], app.config),
        )
        db.init_app(app)
        Migrate(app, db, directory=str(MIGRATIONS_DIR))

        prefix = app.config[PREFIX + "URL_PREFIX"].rstrip("/")
        blueprint = Blueprint(
            "portal_blocks",
            __name__,
            url_prefix=prefix or None,
            template_folder="render/templates",
            static_folder="render/static",
            static_url_path="/_blocks/static",
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
        max_body = app.config[PREFIX + "MAX_BODY_BYTES"]

        @blueprint.before_request
        def _cap_body() -> None:
            """Per request, so the host app's own MAX_CONTENT_LENGTH is left alone."""
            request.max_content_length = max_body

        instrument(blueprint)
        health.register(blueprint)
        app.register_blueprint(blueprint)
        app.extensions["portal_blocks"] = PortalBlocksState(
            locale=app.config[PREFIX + "LOCALE"],
            timezone=app.config[PREFIX + "TIMEZONE"],
            source_factory=self.source_factory,
        )


def _engine_options(url: str, config: Mapping[str, Any]) -> dict[str, Any]:
    """Bounded waits: a lost database must fail a request in seconds, not hang a worker."""
    if url.startswith("postgresql"):
        statement_ms = int(config[PREFIX + "DB_STATEMENT_TIMEOUT_MS"])
        return {
            "pool_pre_ping": True,
            "pool_timeout": config[PREFIX + "DB_CONNECT_TIMEOUT"],
            "connect_args": {
                "connect_timeout": config[PREFIX + "DB_CONNECT_TIMEOUT"],
                "options": f"-c statement_timeout={statement_ms}",
            },
        }
    return {"pool_pre_ping": True}
