"""Build a page's plain view from a resolved path: regions in order, each block's view.

This is the one place a page is put together, for GraphQL, fragments, the theme and the print
view alike. Facts several blocks share (the reader's text size within the page's bounds, the
article's related news) are worked out here, once, so no block type reads another's settings.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy.orm import Session

from portal_blocks.assembly.shared_views import SharedViews
from portal_blocks.assembly.views import PageView, RegionView
from portal_blocks.blocks.registry import BlockRegistry, BlockType, UnknownBlockType, registry
from portal_blocks.blocks.view import BlockCannotShow, BlockView, PageFacts, RelatedNews
from portal_blocks.caching.page_data import PageDataCache
from portal_blocks.content.queries import fetch_lists
from portal_blocks.content.source import ArticleSource, announces_changes
from portal_blocks.layout.routing import ResolvedPath, host_of, normalise_path, resolve_path
from portal_blocks.layout.snapshots import PlacedBlock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageRequest:
    """What assembling a page needs of the request that asks for it."""

    session: Session
    source: ArticleSource
    locale: str
    timezone: str
    #: The reader's saved display preferences (``{"text_size": 120}``), empty for most.
    viewer: Mapping[str, Any] = field(default_factory=dict)
    #: Readers' route, layout and article by path, shared by requests (None: always SQL).
    pages: PageDataCache | None = None
    #: Readers' page views built from those, shared by requests (None: built every time).
    views: SharedViews | None = None
    #: The host the request came to (``routing.host_of_environ``): routes bound to it answer
    #: before unbound ones. None (a page built outside a request): unbound routes only.
    host: str | None = None
    #: The block types the app serves; a placement of any other type is left out.
    block_types: BlockRegistry = registry


def _text_size(
    placements: tuple[PlacedBlock, ...], requested: int | None, block_types: BlockRegistry
) -> int | None:
    """The reader's size within the bounds of the first block on the page that sets them."""
    if requested is None:
        return None
    for placement in placements:
        block_type = block_types.find(placement.block_type)
        if block_type is not None and block_type.text_size_bounds is not None:
            return block_type.text_size_bounds(block_type.settings_of(placement)).clamp(requested)
    return None


def assemble(
    resolved: ResolvedPath,
    request: PageRequest,
    path: str,
    *,
    preview: bool,
    after: str | None = None,
) -> PageView:
    """Every block's view in its region, in position order, after the lists every block
    shows were fetched in one call to the source.

    A placement whose block type the app does not serve (no longer installed, or not enabled),
    or that cannot show on this page, is left out and logged rather than failing the reader's
    whole page. An ``after`` the source never gave out raises
    :class:`~portal_blocks.content.queries.InvalidCursor`. A reader's page already built
    from the same data for the same request (``request.views``) is not built again.
    """
    requested = request.viewer.get("text_size")
    pages = request.pages if not preview else None
    shared = request.views if pages is not None and announces_changes(request.source) else None
    if shared is not None and pages is not None:
        asked = (path, request.locale, request.timezone, requested, after)
        key = shared.key(resolved, request.block_types, asked)
        found = shared.find(key)
        if found is not None and (
            not found.queries or found.answered_by(pages.lists(request.source, found.queries))
        ):
            return found.view
    facts = PageFacts(
        path=path,
        layout=resolved.layout,
        article=resolved.article,
        locale=request.locale,
        timezone=request.timezone,
        text_size=_text_size(resolved.placements, requested, request.block_types),
        requested_text_size=requested,
        related=RelatedNews(resolved.article, request.source),
        preview=preview,
        category=resolved.category,
        after=after,
    )
    placed: list[tuple[PlacedBlock, BlockType]] = []
    for placement in sorted(resolved.placements, key=lambda p: (p.position, p.id)):
        block_type = request.block_types.find(placement.block_type)
        if block_type is None:
            log.warning(
                "placement %s left out of %s: %s",
                placement.id,
                path,
                UnknownBlockType(placement.block_type),
            )
            continue
        placed.append((placement, block_type))
    queries = [q for placement, t in placed for q in t.lists_of(placement, facts)]
    if queries:
        lists = (
            pages.lists(request.source, queries)
            if pages is not None
            else fetch_lists(request.source, queries)
        )
        facts = replace(facts, lists=lists)
    by_region: dict[str, list[BlockView]] = defaultdict(list)
    for placement, block_type in placed:
        try:
            block_view = block_type.view(placement, facts)
        except BlockCannotShow as exc:
            log.warning("placement %s left out of %s: %s", placement.id, path, exc)
            continue
        by_region[placement.region].append(block_view)
    view = PageView(
        path=path,
        layout=resolved.layout,
        region_names=resolved.regions,
        article=resolved.article,
        regions=tuple(RegionView(n, tuple(by_region.get(n, ()))) for n in resolved.regions),
        facts=facts,
        preview=preview,
    )
    if shared is not None:
        shared.keep(key, view, tuple(queries), resolved, request.block_types)
    return view


def load_page(request: PageRequest, path: str, *, preview: bool = False) -> PageView | None:
    """The page at ``path`` on the request's host, or on a full URL's own host
    (``https://sokhdt.example.vn/Pages/...``): readers' resolutions come through the page-data
    cache when the app has one; a preview always reads the drafts."""
    host = host_of(path, request.host)
    if request.pages is not None and not preview:
        resolved = request.pages.resolve(request.session, request.source, path, host=host)
    else:
        resolved = resolve_path(
            request.session, request.source, path, host=host, include_drafts=preview
        )
    if resolved is None:
        return None
    return assemble(
        resolved, request, normalise_path(path), preview=preview, after=page_after(path)
    )


#: The page parameter a paged list reads its position from (``/chuyen-muc/kinh-te?after=…``).
AFTER_PARAMETER = "after"


def page_after(path: str) -> str | None:
    """The ``after`` of a requested address's query string, or None."""
    if "?" not in path:
        return None
    try:
        query = urlsplit(path.strip()).query
    except ValueError:  # no URL at all: it names no page either
        return None
    values = parse_qs(query).get(AFTER_PARAMETER)
    return values[0] if values else None
