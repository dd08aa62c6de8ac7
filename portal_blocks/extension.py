"""The Flask extension: mounts the GraphQL endpoint and the block assets into a Flask app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Request, Response
from flask_migrate import Migrate
from sqlalchemy.orm import Session

from portal_blocks.caching.front import Front, ViewerLoader, build_front, no_viewer_preferences
from portal_blocks.caching.hints import CacheHints
from portal_blocks.caching.tracking import TrackedSource
from portal_blocks.config import DEFAULTS, PREFIX
from portal_blocks.content.source import ArticleSource, SqlAlchemyArticleSource
from portal_blocks.db import db
from portal_blocks.graphql.context import PortalContext
from portal_blocks.graphql.schema import schema
from portal_blocks.graphql.view import PortalGraphQLView

PACKAGE_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"

SourceFactory = Callable[[Session], ArticleSource]


@dataclass
class PortalBlocksState:
    """Per-app state; holds nothing per request, so any process can serve any request."""

    locale: str
    timezone: str
    source_factory: SourceFactory
    #: The cache and persisted-query front; its ``viewer_for`` reads the viewer's display
    #: preferences (e.g. ``{"text_size": 120}``) from a request.
    front: Front

    def context(
        self,
        request: Request | None = None,
        response: Response | None = None,
        viewer: dict[str, Any] | None = None,
    ) -> PortalContext:
        session = db.session
        hints = CacheHints()
        return PortalContext(
            request=request,
            response=response,
            session=session,
            source=TrackedSource(self.source_factory(session), hints),
            locale=self.locale,
            timezone=self.timezone,
            viewer=viewer if viewer is not None else {},
            cache=hints,
        )


class PortalBlocks:
    """``PortalBlocks(app)`` or ``PortalBlocks().init_app(app)``.

    ``source_factory`` lets a host CMS supply articles from its own store (see
    :class:`portal_blocks.content.source.ArticleSource`).
    """

    def __init__(
        self,
        app: Flask | None = None,
        *,
        source_factory: SourceFactory | None = None,
        viewer_for: ViewerLoader | None = None,
    ) -> None:
        self.source_factory = source_factory or SqlAlchemyArticleSource
        self.viewer_for = viewer_for or no_viewer_preferences
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        for key, default in DEFAULTS.items():
            app.config.setdefault(PREFIX + key, default)
        app.config.setdefault("SQLALCHEMY_DATABASE_URI", app.config[PREFIX + "DATABASE_URL"])
        app.config.setdefault(
            "SQLALCHEMY_ENGINE_OPTIONS", _engine_options(app.config["SQLALCHEMY_DATABASE_URI"])
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
        blueprint.add_url_rule(
            "/graphql",
            view_func=PortalGraphQLView.as_view(
                "graphql",
                schema=schema,
                graphql_ide="graphiql" if app.config[PREFIX + "GRAPHIQL"] else None,
                allow_queries_via_get=True,
            ),
        )
        app.register_blueprint(blueprint)
        app.extensions["portal_blocks"] = PortalBlocksState(
            locale=app.config[PREFIX + "LOCALE"],
            timezone=app.config[PREFIX + "TIMEZONE"],
            source_factory=self.source_factory,
            front=build_front(app, db.session, self.viewer_for),
        )


def _engine_options(url: str) -> dict[str, Any]:
    if url.startswith("postgresql"):
        return {"pool_pre_ping": True}
    return {}
