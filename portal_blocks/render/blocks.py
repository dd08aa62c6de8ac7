"""Render blocks and regions through their Jinja templates (overridable by a host's own)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from flask import render_template

from portal_blocks.blocks import Block, registry
from portal_blocks.i18n import gettext, gettext_for
from portal_blocks.render.urls import graphql_url, static_url

if TYPE_CHECKING:
    from portal_blocks.graphql.page import RegionType


def render_block(block: Block) -> str:
    page = block._page
    return render_template(
        registry.get(block.block_type).template,
        block=block,
        page=page,
        t=partial(gettext, locale=page.locale),
        graphql_url=graphql_url(),
    )


def render_region(region: RegionType) -> str:
    return render_template("portal_blocks/region.html", region=region, render_block=render_block)


def block_assets(blocks: list[Block]) -> tuple[list[str], list[str]]:
    """The CSS and JS URLs a set of blocks needs, each once, in first-use order."""
    css: dict[str, None] = {}
    js: dict[str, None] = {}
    for block in blocks:
        assets = block.assets()
        css.update(dict.fromkeys(assets.css))
        js.update(dict.fromkeys(assets.js))
    return list(css), list(js)


def template_helpers() -> dict[str, Any]:
    """Names our page templates use; a context processor of our blueprints only."""
    return {"static_url": static_url, "gettext_for": gettext_for}
