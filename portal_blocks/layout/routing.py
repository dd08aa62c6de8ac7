"""Resolve a URL path to its layout, its placements and the article it binds.

Route patterns use werkzeug's rule syntax (``/tin-tuc/<slug>``, ``/Pages/<slug>.aspx``), so
matching is werkzeug's, not ours. Exact paths (there may be one per imported article) are looked
up through the index; the compiled map of the few patterns is cached per distinct set of them.
Both come from the database on every resolution, so processes stay stateless.

Stored routes and requested paths are compared in one form, :func:`route_key` (SharePoint's
``.aspx`` addresses whatever their case). A route may be bound to a host: a request takes the
routes bound to its host first (exact, then patterns), then the unbound ones; the host is the
request's (:func:`host_of_environ`), or a full URL's own (:func:`host_of`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import Row, bindparam, or_, select, union_all
from sqlalchemy.orm import Session, joinedload
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, MapAdapter, Rule

from portal_blocks.cache_tags import ARTICLES_TAG, page_tags, slug_tag
from portal_blocks.content.queries import Category, source_category
from portal_blocks.content.records import ArticleRecord
from portal_blocks.content.source import ArticleSource
from portal_blocks.db import read_rows
from portal_blocks.layout.snapshots import LayoutSnapshot, PlacedBlock
from portal_blocks.models import Layout, LayoutRevision, Route
from portal_blocks.text.hosts import normalise_host as normalise_host
from portal_blocks.text.nul import storable_text

# Re-exported: the one form in which lookups compare requested paths with stored routes.
from portal_blocks.text.slug import route_key as route_key


@dataclass(frozen=True, slots=True)
class RouteMatch:
    route_id: int
    layout_id: int
    article_id: int | None
    slug: str | None
    #: The host the route is bound to; None: an unbound route (every host's).
    host: str | None = None
    #: The category slug a ``<category>`` part of the pattern matched (a category page).
    category: str | None = None

    @property
    def names_article(self) -> bool:
        return self.article_id is not None or self.slug is not None


@lru_cache(maxsize=64)
def _adapter(rules: tuple[tuple[int, str], ...]) -> MapAdapter:
    url_map = Map(
        [Rule(pattern, endpoint=route_id) for route_id, pattern in rules],
        strict_slashes=False,
        redirect_defaults=False,
    )
    return url_map.bind("portal.invalid")


#: Paths up to this length are remembered decoded: a page's path is decoded twice per request
#: (its cache key, its assembly), and readers ask for the same paths all day.
_REMEMBERED_PATH_LENGTH = 512


def _decoded_path(path: str) -> str | None:
    """The decoded path of a URL, a path or a path with a query; None when the text is no URL
    at all (``//[::1``, ``http://[x``: an unclosed IPv6 host, which urlsplit refuses)."""
    if len(path) <= _REMEMBERED_PATH_LENGTH:
        return _remembered_decoding(path)
    return _decoding(path)


def _decoding(path: str) -> str | None:
    try:
        parts = urlsplit(path.strip())
    except ValueError:
        return None
    return unquote(parts.path) or "/"


_remembered_decoding = lru_cache(maxsize=4096)(_decoding)


def normalise_path(path: str) -> str:
    """Hosts pass full URLs, encoded paths or query strings; only the decoded path matters.
    Text that is no URL is kept as it is (it names no page, see :func:`requested_path`)."""
    decoded = _decoded_path(path)
    return path.strip() if decoded is None else decoded


def requested_path(path: str) -> str | None:
    """The normalised path a lookup may compare with stored routes, or None when it names no
    page; the one check every lookup by path goes through before any SQL.

    A path holding text no database stores (NUL, a lone surrogate) names no page: PostgreSQL
    would refuse the comparison and abort the transaction. The check is made on the path as
    given and once more on the decoded path, because the path is decoded here on top of what
    the web server decoded: ``/tin-tuc/%2500`` reaches us as ``/tin-tuc/%00`` and decodes to
    a NUL. A ``//`` in the decoded path names none either: werkzeug would redirect it to the
    merged path. Text that is no URL names none.
    """
    if not storable_text(path):
        return None
    wanted = _decoded_path(path)
    if wanted is None or not storable_text(wanted) or "//" in wanted:
        return None
    return wanted


def host_of_environ(environ: Mapping[str, Any]) -> str | None:
    """The host a request routes by: its ``Host`` (as trusted proxies forwarded it, when the
    app is set to trust them), else the server's name. Read for routing only; a page never
    prints it (``render.urls.public_address``)."""
    return normalise_host(environ.get("HTTP_HOST") or environ.get("SERVER_NAME"))


def host_of(path: str, default: str | None) -> str | None:
    """The host a lookup of ``path`` routes by: a full URL's own (``https://sokhdt.x.vn/...``
    asks for that host's page), else ``default``, the request's."""
    try:
        netloc = urlsplit(path.strip()).netloc
    except ValueError:
        return default
    return normalise_host(netloc.rpartition("@")[2]) if netloc else default


# Statements are built once: building them (and their loader options) per request costs more
# than running them.
_ROUTE = Route.__table__
_ROUTE_COLUMNS = (
    _ROUTE.c.id,
    _ROUTE.c.path_key,
    _ROUTE.c.layout_id,
    _ROUTE.c.article_id,
    _ROUTE.c.host,
    _ROUTE.c.is_pattern,
)
#: The request's host's routes and the unbound ones (``host`` None: the unbound ones only).
_ANSWERING_HOST = or_(_ROUTE.c.host == bindparam("host"), _ROUTE.c.host.is_(None))
#: One statement, each half on its own index: the exact paths a request may name, and every
#: pattern with converters (few, however many legacy addresses were imported).
CANDIDATE_ROUTES = union_all(
    # Two fixed parameters rather than an expanding IN, which is rendered anew every time.
    select(*_ROUTE_COLUMNS).where(
        or_(_ROUTE.c.path_key == bindparam("path"), _ROUTE.c.path_key == bindparam("other")),
        _ANSWERING_HOST,
    ),
    # Spelled as the partial index's predicate is, so that both databases use it.
    select(*_ROUTE_COLUMNS).where(_ROUTE.c.is_pattern == True, _ANSWERING_HOST),  # noqa: E712
)
#: Columns, not ORM objects: a reader's page changes nothing, and loading two entities into
#: the session costs more than the statement.
_PUBLISHED_LAYOUT = (
    select(
        Layout.id,
        Layout.name,
        Layout.title,
        Layout.version,
        LayoutRevision.regions,
        LayoutRevision.placements,
    )
    .join(LayoutRevision, LayoutRevision.id == Layout.published_revision_id)
    .where(Layout.id == bindparam("layout_id"))
)
_LAYOUT_WITH_PLACEMENTS = (
    select(Layout).where(Layout.id == bindparam("layout_id")).options(joinedload(Layout.placements))
)


def match_route(session: Session, path: str, host: str | None = None) -> RouteMatch | None:
    """The route werkzeug's matching picks for ``path`` on ``host``: of the routes bound to
    the host, then of the unbound ones, an exact path before any pattern, a trailing slash
    optional (``strict_slashes=False``). ``host`` None: the unbound routes only."""
    wanted = requested_path(path)
    if wanted is None:
        return None
    key = route_key(wanted)
    base = key.rstrip("/") or "/"
    other = base if base == "/" else base + "/"  # the trailing slash is optional either way
    rows = read_rows(session, CANDIDATE_ROUTES, {"path": base, "other": other, "host": host}).all()
    for tier in (host, None) if host is not None else (None,):
        found = _match_among([r for r in rows if r.host == tier], key)
        if found is not None:
            return found
    return None


def _match_among(rows: Sequence[Row[Any]], key: str) -> RouteMatch | None:
    exact = [r for r in rows if not r.is_pattern]
    if exact:
        route = min(exact, key=lambda r: (r.path_key != key, r.id))
        return RouteMatch(route.id, route.layout_id, route.article_id, None, route.host)
    patterns = sorted((r for r in rows if r.is_pattern), key=lambda r: r.id)
    if not patterns:
        return None
    adapter = _adapter(tuple((r.id, r.path_key) for r in patterns))
    try:
        route_id, args = adapter.match(key, method="GET")
    except HTTPException:
        return None
    route = next(r for r in patterns if r.id == route_id)
    slug, category = args.get("slug"), args.get("category")
    # A converter may give another type (a route stored before patterns were held to string
    # slugs, e.g. <int:slug>); slugs are text.
    return RouteMatch(
        route.id,
        route.layout_id,
        route.article_id,
        None if slug is None else str(slug),
        route.host,
        None if category is None else str(category),
    )


@dataclass(frozen=True, slots=True)
class ResolvedPath:
    """What a path's page is built from. Readers' resolutions are shared between requests by
    the page-data cache, so nothing in one is changed after it is built."""

    route: RouteMatch
    layout: LayoutSnapshot
    regions: tuple[str, ...]
    placements: tuple[PlacedBlock, ...]
    #: None until looked up (see :func:`with_article`), or when the route names no article.
    article: ArticleRecord | None = None
    #: The category a category page shows (a page parameter every block reads); None until
    #: looked up, or when the route names none.
    category: Category | None = None

    @property
    def complete(self) -> bool:
        has_article = self.article is not None or not self.route.names_article
        return has_article and (self.category is not None or self.route.category is None)

    def tags(self) -> frozenset[str]:
        """The cache tags of every row the resolution read: a category exists while any of
        its articles does, so a category page's resolution reads every article."""
        article = self.article
        if article is None:
            tags = self.layout_tags()
        else:
            tags = page_tags(self.layout.id, article.id)
            tags |= {slug_tag(article.slug)}  # a CMS may announce a change by slug
        return tags | {ARTICLES_TAG} if self.route.category is not None else tags

    def layout_tags(self) -> frozenset[str]:
        """What the route and the layout alone read (no article, no category)."""
        return page_tags(self.layout.id, None)


Loaded = tuple[LayoutSnapshot, tuple[str, ...], tuple[PlacedBlock, ...]]


def _published(session: Session, layout_id: int) -> Loaded | None:
    """The layout with the revision readers see, in one statement; None if never published."""
    row = read_rows(session, _PUBLISHED_LAYOUT, {"layout_id": layout_id}).one_or_none()
    if row is None:
        return None
    return (
        LayoutSnapshot(row.id, row.name, row.title, row.version),
        tuple(row.regions),
        tuple(PlacedBlock.from_snapshot(e) for e in row.placements),
    )


def _draft(session: Session, layout_id: int) -> Loaded | None:
    """The layout as editors are changing it: its own regions and placement rows."""
    layout = (
        session.scalars(_LAYOUT_WITH_PLACEMENTS, {"layout_id": layout_id}).unique().one_or_none()
    )
    if layout is None:
        return None
    return (
        LayoutSnapshot.of(layout),
        tuple(layout.regions),
        tuple(PlacedBlock.from_row(p) for p in layout.placements),
    )


def resolve_layout(
    session: Session, path: str, *, host: str | None = None, include_drafts: bool = False
) -> ResolvedPath | None:
    """The route and the layout with its blocks, in two statements; the article is left to
    :func:`with_article`. Readers get the published revision; ``include_drafts`` (an editor's
    preview) the draft placements."""
    match = match_route(session, path, host)
    if match is None:
        return None
    loaded = (_draft if include_drafts else _published)(session, match.layout_id)
    if loaded is None:
        return None
    layout, regions, placements = loaded
    return ResolvedPath(route=match, layout=layout, regions=regions, placements=placements)


def with_article(
    resolved: ResolvedPath, source: ArticleSource, *, include_drafts: bool = False
) -> ResolvedPath | None:
    """The resolution with the article and the category its route names, in one call to the
    source each; None when either does not exist (or is not visible), as the page then does
    not either."""
    if resolved.complete:
        return resolved
    route = resolved.route
    article = resolved.article
    if article is None and route.names_article:
        article = _article_of(route, source, include_drafts=include_drafts)
        if article is None:
            return None
    category = resolved.category
    if category is None and route.category is not None:
        category = source_category(source, route.category)
        if category is None:
            return None
    return replace(resolved, article=article, category=category)


def _article_of(
    route: RouteMatch, source: ArticleSource, *, include_drafts: bool
) -> ArticleRecord | None:
    if route.article_id is not None:
        wanted = str(route.article_id)
        return source.by_ids([wanted], include_drafts=include_drafts).get(wanted)
    assert route.slug is not None
    return source.by_slug(route.slug, include_drafts=include_drafts)


def resolve_path(
    session: Session,
    source: ArticleSource,
    path: str,
    *,
    host: str | None = None,
    include_drafts: bool = False,
) -> ResolvedPath | None:
    """Three statements whatever the layout holds: routes, layout with its blocks, article
    (or category: a category page's route names one instead)."""
    resolved = resolve_layout(session, path, host=host, include_drafts=include_drafts)
    if resolved is None:
        return None
    return with_article(resolved, source, include_drafts=include_drafts)


def is_address(path: str, address: str | None) -> bool:
    """Whether ``path``, as a page holds it (decoded: :func:`normalise_path`), is ``address``
    (an article's legacy path, say) as routes compare them: a trailing slash optional, a
    SharePoint address in any case."""
    if address is None:
        return False
    return (route_key(path).rstrip("/") or "/") == (route_key(address).rstrip("/") or "/")
