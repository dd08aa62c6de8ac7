"""HTML fragments of a page's regions and blocks, rendered in process.

A Flask host renders them inside its own views (``PortalBlocks.fragment``); the HTTP endpoints
in :mod:`portal_blocks.web.fragments` serve the same fragments to any other portal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from portal_blocks.assembly.page import PageRequest, load_page
from portal_blocks.assembly.views import PageView, block_types_of
from portal_blocks.blocks.registry import shortest_max_age
from portal_blocks.blocks.view import BlockView
from portal_blocks.content.queries import InvalidCursor
from portal_blocks.render.blocks import block_assets, render_block, render_region


class FragmentNotFound(LookupError):
    """No page at the path, or no such region or block on it."""


class BadPageAddress(ValueError):
    """The path names a page, but its parameters cannot be used (an ``after`` no list of the
    page gave out)."""


@dataclass(frozen=True)
class Fragment:
    """Rendered HTML plus what the host page must add for it (each asset once)."""

    html: str
    locale: str
    css: list[str] = field(default_factory=list)
    js: list[str] = field(default_factory=list)
    #: The shortest cache lifetime of its blocks' types; None when it shows no block.
    max_age: int | None = None
    #: Rendered with one reader's preferences: no shared cache may keep it.
    personal: bool = False
    #: What its page read (route, layout, article, lists): an edge cache files it under these.
    tags: frozenset[str] = frozenset()


def page_at(request: PageRequest, path: str) -> PageView:
    try:
        page = load_page(request, path)
    except InvalidCursor as exc:
        raise BadPageAddress(f"The path's 'after': {exc}") from None
    if page is None:
        raise FragmentNotFound(f"No page at path '{path}'.")
    return page


def _fragment(
    request: PageRequest, page: PageView, html: str, blocks: tuple[BlockView, ...]
) -> Fragment:
    css, js = block_assets(blocks)
    return Fragment(
        tags=page.tags(),
        html=html,
        locale=request.locale,
        css=css,
        js=js,
        max_age=shortest_max_age(block_types_of(blocks)),
        personal=bool(request.viewer),
    )


def render_fragment(
    request: PageRequest, path: str, *, region: str | None = None, block_id: str | None = None
) -> Fragment:
    """One block (``block_id``), one region, or every region of the page at ``path``."""
    page = page_at(request, path)
    if block_id is not None:
        block = next((b for b in page.blocks() if str(b.id) == block_id), None)
        if block is None:
            raise FragmentNotFound(f"The page at '{page.path}' has no block '{block_id}'.")
        return _fragment(request, page, render_block(block), (block,))
    if region is None:
        regions = page.regions
    else:
        found = page.region(region)
        if found is None:
            raise FragmentNotFound(f"The page at '{page.path}' has no region '{region}'.")
        regions = (found,)
    html = "\n".join(render_region(r) for r in regions)
    return _fragment(request, page, html, tuple(b for r in regions for b in r.blocks))
