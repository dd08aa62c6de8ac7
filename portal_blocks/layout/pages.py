"""Build a page's regions and their blocks from a resolved path."""

from __future__ import annotations

import logging
from collections import defaultdict

from graphql import GraphQLError

from portal_blocks.blocks import Block, PageView, UnknownBlockType, registry
from portal_blocks.caching.hints import ROUTES_TAG, article_tag, layout_tag
from portal_blocks.graphql.article import ArticleType
from portal_blocks.graphql.context import PortalContext
from portal_blocks.graphql.page import LayoutType, PageType, RegionType
from portal_blocks.layout.routing import normalise_path, resolve_path

log = logging.getLogger(__name__)


def build_regions(view: PageView) -> list[RegionType]:
    """Regions in the layout's order, each with its blocks in position order.

    A placement whose block type is no longer registered, or that cannot render on this page,
    is left out and logged rather than failing the reader's whole page.
    """
    by_region: dict[str, list[Block]] = defaultdict(list)
    for placement in sorted(view.placements, key=lambda p: (p.position, p.id)):
        try:
            block_type = registry.get(placement.block_type)
            by_region[placement.region].append(block_type.instantiate(placement, view))
        except (UnknownBlockType, GraphQLError) as exc:
            log.warning("placement %s left out of %s: %s", placement.id, view.path, exc)
    return [RegionType(name=name, blocks=by_region.get(name, [])) for name in view.regions]


def load_page(ctx: PortalContext, path: str, *, preview: bool = False) -> PageType | None:
    """The page at ``path`` for the request ``ctx`` describes: readers' resolutions come
    through the page-data cache when the app has one; a preview always reads the drafts."""
    if ctx.pages is not None and not preview:
        resolved = ctx.pages.resolve(ctx.session, ctx.source, path)
    else:
        resolved = resolve_path(ctx.session, ctx.source, path, include_drafts=preview)
    if resolved is None:
        return None
    layout = resolved.layout
    view = PageView(
        path=normalise_path(path),
        layout=layout,
        placements=resolved.placements,
        regions=resolved.regions,
        article=resolved.article,
        locale=ctx.locale,
        timezone=ctx.timezone,
        preview=preview,
        viewer=ctx.viewer,
        source=ctx.source,
    )
    return PageType(
        path=view.path,
        layout=LayoutType(
            id=str(layout.id),
            name=layout.name,
            title=layout.title,
            regions=list(resolved.regions),
            version=layout.version,
        ),
        article=ArticleType.from_record(resolved.article) if resolved.article else None,
        regions=build_regions(view),
        preview=preview,
    )


def page_dependencies(page: PageType) -> tuple[set[str], int | None]:
    """What a page's response depends on (its route, layout and article: read from the
    page-data cache, they pass no tracked source; further articles its blocks read are tracked
    by the source), and the shortest cache max-age among its blocks' types. (A preview is
    kept out of shared caches by the page resolver.)"""
    ages = [
        registry.get(block.block_type).cache_max_age
        for region in page.regions
        for block in region.blocks
    ]
    tags = {ROUTES_TAG, layout_tag(page.layout.id)}
    if page.article is not None:
        tags.add(article_tag(page.article.id))
    return tags, min(ages, default=None)
