"""Render block and region views through their Jinja templates (overridable by a host's own).

Templates get plain view data (:mod:`portal_blocks.blocks.view`, :mod:`portal_blocks.assembly`)
and run no query: everything a block shows was fetched while its page was assembled.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from flask import render_template

from portal_blocks.assembly.views import RegionView
from portal_blocks.blocks.registry import registry
from portal_blocks.blocks.view import BlockView
from portal_blocks.i18n import gettext, gettext_for
from portal_blocks.render.urls import article_url, graphql_url, public_address, static_url


def render_block(block: BlockView) -> str:
    page = block.page
    return render_template(
        registry.get(block.block_type).template,
        block=block,
        page=page,
        t=partial(gettext, locale=page.locale),
        graphql_url=graphql_url(),
        # Passed here, not by a context processor: a host's own views render blocks too.
        article_url=article_url,
    )


def render_region(region: RegionView) -> str:
    return render_template("portal_blocks/region.html", region=region, render_block=render_block)


def block_assets(blocks: Iterable[BlockView]) -> tuple[list[str], list[str]]:
    """The CSS and JS URLs a set of blocks needs, each once, in first-use order."""
    css: dict[str, None] = {}
    js: dict[str, None] = {}
    for block in blocks:
        block_type = registry.get(block.block_type)
        css.update(dict.fromkeys(static_url(name) for name in block_type.assets_css))
        js.update(dict.fromkeys(static_url(name) for name in block_type.assets_js))
    return list(css), list(js)


def template_helpers() -> dict[str, Any]:
    """Names our templates use; a context processor of our blueprints only."""
    return {
        "static_url": static_url,
        "gettext_for": gettext_for,
        "render_region": render_region,
        "article_url": article_url,
        "public_address": public_address,
    }
