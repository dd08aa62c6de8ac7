"""Resolve a URL path to its layout, its placements and the article it binds.

Route patterns use werkzeug's rule syntax (``/tin-tuc/<slug>``, ``/Pages/<slug>.aspx``), so
matching is werkzeug's, not ours. The compiled map is cached per distinct set of routes; it is
derived from the database on every request, so processes stay stateless.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, MapAdapter, Rule

from portal_blocks.content.records import ArticleRecord
from portal_blocks.content.source import ArticleSource
from portal_blocks.models import Layout, Route


@dataclass(frozen=True)
class RouteMatch:
    route_id: int
    layout_id: int
    article_id: int | None
    slug: str | None


@lru_cache(maxsize=64)
def _adapter(rules: tuple[tuple[int, str], ...]) -> MapAdapter:
    url_map = Map(
        [Rule(pattern, endpoint=route_id) for route_id, pattern in rules],
        strict_slashes=False,
        redirect_defaults=False,
    )
    return url_map.bind("portal.invalid")


def normalise_path(path: str) -> str:
    """Hosts pass full URLs, encoded paths or query strings; only the decoded path matters."""
    return unquote(urlsplit(path.strip()).path) or "/"


# Statements are built once: building them (and their loader options) per request costs more
# than running them.
_ROUTE = Route.__table__
_ROUTES = select(_ROUTE.c.id, _ROUTE.c.pattern, _ROUTE.c.layout_id, _ROUTE.c.article_id).order_by(
    _ROUTE.c.id
)
_LAYOUT_WITH_PLACEMENTS = (
    select(Layout).where(Layout.id == bindparam("layout_id")).options(joinedload(Layout.placements))
)


def match_route(session: Session, path: str) -> RouteMatch | None:
    routes = session.execute(_ROUTES).all()
    by_id = {r.id: r for r in routes}
    adapter = _adapter(tuple((r.id, r.pattern) for r in routes))
    try:
        route_id, args = adapter.match(normalise_path(path), method="GET")
    except HTTPException:
        return None
    route = by_id[route_id]
    return RouteMatch(route.id, route.layout_id, route.article_id, args.get("slug"))


@dataclass(frozen=True)
class ResolvedPath:
    layout: Layout
    article: ArticleRecord | None


def resolve_path(
    session: Session, source: ArticleSource, path: str, *, include_drafts: bool = False
) -> ResolvedPath | None:
    """Three statements whatever the layout holds: routes, layout with placements, article."""
    match = match_route(session, path)
    if match is None:
        return None
    layout = (
        session.scalars(_LAYOUT_WITH_PLACEMENTS, {"layout_id": match.layout_id})
        .unique()
        .one_or_none()
    )
    if layout is None:
        return None
    article: ArticleRecord | None = None
    if match.article_id is not None:
        article = source.by_ids([str(match.article_id)], include_drafts=include_drafts).get(
            str(match.article_id)
        )
    elif match.slug is not None:
        article = source.by_slug(match.slug, include_drafts=include_drafts)
    if article is None and (match.article_id is not None or match.slug is not None):
        return None
    return ResolvedPath(layout=layout, article=article)
